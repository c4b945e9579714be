//! What a session does with frames from its peer.

use super::frame::{ByteRange, Continuation, Frame, FrameKind, Method, ReportRequest};
use super::incoming::{ChunkOutcome, Incoming, MAX_CONCURRENT_INCOMING, MAX_REMEMBERED_REFUSALS};
use super::outgoing::Pending;
use super::pacing::{DURABLE_HEADER, PROGRESS_REPORT_EVERY};
use super::session::{Session, SessionEvent, SessionState};
use std::time::Instant;

/// Most received messages whose success REPORT waits for
/// [`Session::confirm_received`]; beyond it, reports go at once.
pub const MAX_UNCONFIRMED_REPORTS: usize = 4096;

impl Session {
    /// Handles one frame from the peer (for a runtime that cuts frames
    /// itself, e.g. the first frame on a passive connection).
    pub fn handle_frame(&mut self, frame: Frame, now: Instant) {
        self.now = now;
        match self.state {
            SessionState::Done => return,
            SessionState::Idle => self.state = SessionState::Open { bound: false },
            SessionState::Open { .. } => {}
        }
        match &frame.kind {
            FrameKind::Response { code, comment } => {
                let (code, comment) = (*code, comment.clone());
                self.note_far_answer(&frame);
                self.handle_response(&frame.transaction_id, code, comment.as_deref());
            }
            FrameKind::Request(Method::Send) => self.handle_send(frame),
            FrameKind::Request(Method::Report) => self.handle_report(&frame),
            FrameKind::Request(_) => {
                // AUTH or an unknown method: not for an endpoint session.
                if self.paths_ok(&frame).is_ok() {
                    self.respond(&frame, 501);
                } else {
                    self.respond(&frame, 481);
                }
            }
        }
    }

    /// RFC 4975 section 7.3 checks: To-Path must end with our URI; the last
    /// URI of From-Path must be the peer's (the last of its `a=path`; relays
    /// in between are not compared, RFC 4976 section 5). Err: the status.
    fn paths_ok(&self, frame: &Frame) -> Result<(), u16> {
        let to = frame.to_path().map_err(|_| 400u16)?;
        let from = frame.from_path().map_err(|_| 400u16)?;
        let ours = to.last().is_some_and(|u| u.matches(&self.config.local_uri));
        let theirs = match (from.last(), self.config.remote_path.last()) {
            (Some(a), Some(b)) => a.matches(b),
            _ => false,
        };
        if ours && theirs {
            Ok(())
        } else {
            Err(481)
        }
    }

    fn respond(&mut self, request: &Frame, code: u16) {
        let policy = request.failure_report().unwrap_or(ReportRequest::Yes);
        let wanted = match policy {
            ReportRequest::Yes => true,
            ReportRequest::Partial => code != 200,
            ReportRequest::No => false,
        };
        if wanted {
            let response = Frame::response_to(request, code, &self.config.local_uri);
            self.transmit(response);
        }
    }

    fn bind_by_peer(&mut self) {
        if self.state == (SessionState::Open { bound: false }) {
            self.state = SessionState::Open { bound: true };
            self.event(SessionEvent::Opened);
        }
    }

    /// Later chunks of `message_id` get `code` too.
    fn remember_refusal(&mut self, message_id: &str, code: u16) {
        if self.refused.len() == MAX_REMEMBERED_REFUSALS {
            self.refused.pop_front();
        }
        self.refused.push_back((message_id.to_string(), code));
    }

    fn refuse(&mut self, frame: &Frame, message_id: &str, code: u16, why: &str) {
        tracing::debug!(message_id, code, why, "msrp chunk refused");
        self.incoming.remove(message_id);
        self.remember_refusal(message_id, code);
        self.respond(frame, code);
    }

    fn acceptable(&self, content_type: &str) -> bool {
        let (major, _) = content_type.split_once('/').unwrap_or((content_type, ""));
        self.config.accept_types.iter().any(|a| {
            let a = a.trim().to_ascii_lowercase();
            a == "*" || a == content_type || a.strip_suffix("/*").is_some_and(|m| m == major)
        })
    }

    fn handle_send(&mut self, frame: Frame) {
        if let Err(code) = self.paths_ok(&frame) {
            self.respond(&frame, code);
            return;
        }
        let (message_id, range) = match (
            frame.message_id(),
            frame.byte_range(),
            frame.success_report(),
            frame.failure_report(),
        ) {
            (Ok(Some(id)), Ok(range), Ok(_), Ok(_)) => (
                id.to_string(),
                range.unwrap_or(ByteRange {
                    start: 1,
                    end: None,
                    total: None,
                }),
            ),
            _ => {
                self.respond(&frame, 400);
                return;
            }
        };
        self.bind_by_peer();
        if let Some(&(_, code)) = self.refused.iter().find(|(id, _)| *id == message_id) {
            // Refused or aborted before: its later chunks are refused too
            // (413 after an abort: RFC 4975 section 7.3.1 has no better code).
            self.respond(&frame, code);
            return;
        }
        if frame.continuation == Continuation::Abort {
            if self.incoming.remove(&message_id).is_some() {
                self.to_report.remove(&message_id);
                self.remember_refusal(&message_id, 413);
                self.event(SessionEvent::IncomingAborted { message_id });
            }
            self.respond(&frame, 200);
            return;
        }
        let content_type = frame.content_type();
        if !self.incoming.contains_key(&message_id) {
            if frame.body.is_empty()
                && frame.continuation == Continuation::Complete
                && range.total.unwrap_or(0) == 0
                && content_type.is_none()
            {
                // Binding or keep-alive SEND (no Content-Type: one with a
                // type is an empty message, e.g. a 0-byte file).
                self.respond(&frame, 200);
                return;
            }
            if let Some(ct) = &content_type {
                if !self.acceptable(ct) {
                    self.refuse(&frame, &message_id, 415, "content type not accepted");
                    return;
                }
            }
            if self.incoming.len() >= MAX_CONCURRENT_INCOMING {
                self.refuse(&frame, &message_id, 413, "too many messages at once");
                return;
            }
            let success = frame.success_report() == Ok(ReportRequest::Yes);
            let held = std::mem::take(&mut self.incoming_held);
            let inc = Incoming::new(self.config.incoming_mode, &range, success, held);
            self.incoming.insert(message_id.clone(), inc);
        }
        let max = self.config.max_incoming_size;
        let Some(inc) = self.incoming.get_mut(&message_id) else {
            return;
        };
        if inc.content_type.is_none() {
            inc.content_type = content_type;
        }
        let outcome = inc.add(&range, &frame.body, frame.continuation, max);
        let streaming = inc.streaming();
        let (ct, total) = (inc.content_type.clone(), inc.total);
        match outcome {
            ChunkOutcome::Refuse(code, why) => {
                self.refuse(&frame, &message_id, code, why);
                return;
            }
            ChunkOutcome::Partial | ChunkOutcome::Complete => self.respond(&frame, 200),
        }
        if outcome == ChunkOutcome::Partial && self.config.relayed() {
            self.report_progress(&message_id);
        }
        if streaming && !frame.body.is_empty() {
            self.event(SessionEvent::ChunkReceived {
                message_id: message_id.clone(),
                content_type: ct.clone(),
                start: range.start,
                data: frame.body,
                total,
            });
        }
        if outcome == ChunkOutcome::Complete {
            self.complete_incoming(message_id);
        }
    }

    /// Behind relays, tells a sender that asked for success reports how
    /// far the message has arrived, every [`PROGRESS_REPORT_EVERY`] bytes:
    /// that is what paces it (see `pacing`).
    fn report_progress(&mut self, message_id: &str) {
        let Some(inc) = self.incoming.get_mut(message_id) else {
            return;
        };
        let through = inc.contiguous();
        if !inc.success_report || through < inc.progress_reported.saturating_add(PROGRESS_REPORT_EVERY) {
            return;
        }
        inc.progress_reported = through;
        let total = inc.total;
        self.send_part_report(message_id, through, total, false);
    }

    fn complete_incoming(&mut self, message_id: String) {
        let Some(mut inc) = self.incoming.remove(&message_id) else {
            return;
        };
        let last = inc.last.unwrap_or(0);
        if inc.streaming() {
            self.event(SessionEvent::StreamComplete {
                message_id: message_id.clone(),
                size: last,
            });
        } else {
            let body = inc.take_body();
            let content_type = inc
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into());
            self.event(SessionEvent::MessageReceived {
                message_id: message_id.clone(),
                content_type,
                body,
            });
        }
        if inc.success_report {
            if self.config.report_after_confirm && self.to_report.len() < MAX_UNCONFIRMED_REPORTS {
                self.to_report.insert(message_id, last);
            } else {
                self.send_report(&message_id, last, 200);
            }
        }
    }

    fn handle_report(&mut self, frame: &Frame) {
        // REPORTs are never answered (RFC 4975 section 7.1.2).
        if self.paths_ok(frame).is_err() {
            tracing::debug!("msrp REPORT with foreign paths ignored");
            return;
        }
        let (Ok(Some(message_id)), Ok(Some(status))) = (frame.message_id(), frame.status_header()) else {
            tracing::debug!("msrp REPORT without Message-ID or Status ignored");
            return;
        };
        let message_id = message_id.to_string();
        self.bind_by_peer();
        let Some(idx) = self.outgoing.iter().position(|m| m.id == message_id) else {
            return;
        };
        if status.code != 200 {
            let reason = Self::failure_words(status.code, status.comment.as_deref());
            self.fail_message(&message_id, Some(status.code), reason);
            return;
        }
        let total = self.outgoing[idx].total;
        let range = frame.byte_range().ok().flatten().unwrap_or(ByteRange {
            start: 1,
            end: Some(total),
            total: Some(total),
        });
        let last = range.end.or(range.total).unwrap_or(total);
        let durable = frame
            .header(DURABLE_HEADER)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"));
        let m = &mut self.outgoing[idx];
        let before = m.durable.contiguous();
        m.reported.insert(range.start, last);
        if durable {
            m.durable.insert(range.start, last);
        }
        m.report_seen = true;
        let whole = m.reported.covers_up_to(total) && m.final_sent;
        let (through, durable_through) = (m.reported.contiguous(), m.durable.contiguous());
        self.pacing.reported(&message_id, through, whole, self.now);
        if let Some(limit) = self.config.effective_bytes_in_flight() {
            tracing::trace!(
                through,
                window = self.pacing.window(limit, self.config.effective_chunk_size()),
                "success report through relays"
            );
        }
        if whole {
            self.outgoing.remove(idx);
            self.pending
                .retain(|_, (p, _)| !matches!(p, Pending::Chunk { message_id: id, .. } if *id == message_id));
            self.event(SessionEvent::MessageDelivered { message_id });
        } else if durable_through > before && durable_through < total {
            // Only bytes on disk are a place to resume from; the others
            // only pace the sending.
            self.event(SessionEvent::PartReported {
                message_id,
                through: durable_through,
                total,
            });
        }
    }

    fn handle_response(&mut self, txid: &str, code: u16, comment: Option<&str>) {
        let Some((pending, _)) = self.pending.remove(txid) else {
            if let Some(i) = self.quiet.iter().position(|(t, _)| t == txid) {
                let (_, message_id) = self.quiet.remove(i).unwrap_or_default();
                if code != 200 {
                    // Failure-Report: partial: the message may already have
                    // been reported sent; this failure follows it.
                    let reason = Self::failure_words(code, comment);
                    self.quiet.retain(|(_, m)| *m != message_id);
                    if self.outgoing.iter().any(|m| m.id == message_id) {
                        self.fail_message(&message_id, Some(code), reason);
                    } else {
                        self.event(SessionEvent::MessageFailed {
                            message_id,
                            code: Some(code),
                            reason,
                        });
                    }
                }
                return;
            }
            tracing::debug!(txid, code, "msrp response to no pending request ignored");
            return;
        };
        match pending {
            Pending::Empty { binding } => {
                if code == 200 {
                    if binding {
                        self.bind_by_peer();
                    }
                } else if binding || code == 481 {
                    let words = Self::failure_words(code, comment);
                    self.fail(format!("the peer refused the session: {words}"));
                }
            }
            Pending::Chunk {
                message_id,
                first,
                last,
            } => {
                let Some(idx) = self.outgoing.iter().position(|m| m.id == message_id) else {
                    return;
                };
                let m = &mut self.outgoing[idx];
                m.in_flight = m.in_flight.saturating_sub(1);
                if code == 200 {
                    m.acked.insert(first, last);
                    self.after_ack(idx);
                } else {
                    let reason = Self::failure_words(code, comment);
                    self.fail_message(&message_id, Some(code), reason);
                }
            }
        }
    }
}

/// The session-id a frame on a new passive connection is for: the
/// session-id of the last URI of its To-Path. The runtime uses it to hand
/// the connection to its session.
pub fn target_session_id(frame: &Frame) -> Option<String> {
    frame.to_path().ok()?.last()?.session_id.clone()
}

/// The response to a first frame on a new connection that the runtime
/// cannot hand to a session: 506 when the session it names already has a
/// connection (`already_bound`), else 481. `None` for REPORTs and responses,
/// which are never answered. `local` is the URI we answer as.
pub fn refuse_connection(frame: &Frame, already_bound: bool, local: &super::uri::MsrpUri) -> Option<Vec<u8>> {
    match frame.method() {
        Some(Method::Report) | None => None,
        Some(_) => {
            let code = if already_bound { 506 } else { 481 };
            Some(Frame::response_to(frame, code, local).to_bytes())
        }
    }
}
