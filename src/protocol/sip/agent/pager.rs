//! Page-mode MESSAGE (RFC 3428): sending with honest outcomes, receiving with
//! "store first, then answer". Every MESSAGE on a new transaction goes to the
//! runtime with its Call-ID, From tag and CSeq: the store knows what it has
//! kept (also across restarts), so it decides what is a resend; a
//! retransmission on the same transaction is the transaction layer's.

use super::{Agent, AgentEvent, Failure, Hop, Purpose};
use crate::model::{DeliveryState, MessageId};
use crate::protocol::sip::builder::response_to;
use crate::protocol::sip::disposition::{page_file, ContentDisposition};
use crate::protocol::sip::message::{Method, SipMessage};
use crate::protocol::sip::name_addr::NameAddr;
use crate::protocol::sip::outcome::{describe_message_refusal, RefusalContext};
use crate::protocol::sip::transaction::TransactionKey;
use crate::protocol::sip::uri::{SipUri, Transport};
use std::collections::HashMap;
use std::time::Instant;

/// RFC 3428 section 5: a MESSAGE over a path without congestion control
/// must not exceed 1300 bytes.
pub const MAX_REQUEST_UDP: usize = 1300;
/// Largest page-mode body over TCP/TLS; longer texts belong in a session.
pub const MAX_BODY_STREAM: usize = 16 * 1024;
/// Body types we can show (the `Accept` of a 415).
pub const ACCEPTED_TYPES: &[&str] = &[
    "text/plain",
    "application/im-iscomposing+xml",
    // Emergency alerts (RFC 8876).
    "application/cap+xml",
];
/// Taken only when it is an emergency alert (a CAP part, or an alert
/// Subject / Priority): RFC 8876 sends CAP next to other parts.
pub const ALERT_ONLY_TYPES: &[&str] = &["multipart/mixed"];

/// The SIP identity of an outgoing page-mode message. A retry reuses it
/// (with a new branch), so a receiver that suppresses duplicates on
/// Call-ID and CSeq never shows the message twice when a retry races a
/// late 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageIdentity {
    /// Call-ID.
    pub call_id: String,
    /// Our From tag.
    pub from_tag: String,
    /// CSeq number of the last attempt.
    pub cseq: u32,
}

/// Identifies an incoming MESSAGE waiting for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IncomingToken(pub u64);

/// An arrived page-mode message, as the runtime needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivedMessage {
    /// Sender address (From URI).
    pub from: String,
    /// Sender display name.
    pub from_name: Option<String>,
    /// To URI.
    pub to: String,
    /// Body media type (lower case, no parameters).
    pub content_type: String,
    /// The Content-Type header as received, with its parameters (a
    /// multipart boundary); `text/plain` when there was none.
    pub content_type_header: String,
    /// Body as text (UTF-8, invalid bytes replaced).
    pub body: String,
    /// Subject header.
    pub subject: Option<String>,
    /// Priority header.
    pub priority: Option<String>,
    /// Call-ID, for duplicate detection in the store (with `from_tag` and
    /// `cseq`).
    pub call_id: String,
    /// The From tag (empty when the sender gave none, as RFC 2543 did).
    pub from_tag: String,
    /// CSeq number.
    pub cseq: u32,
    /// The transport it came over.
    pub transport: Transport,
    /// The stream connection it came over, if any (for TLS accounts, an
    /// alert counts only over the account's own registration connection).
    pub conn: Option<u64>,
    /// The address the request came from (the hop's remote address), for
    /// trusted alert senders listed by address.
    pub source: Option<std::net::SocketAddr>,
    /// Set when the body is a file (see [`crate::protocol::sip::disposition::page_file`]);
    /// `body` is then empty and the bytes are here, unchanged.
    pub file: Option<Box<ArrivedFile>>,
    /// Set when the MESSAGE looks like an emergency alert (classified once,
    /// here: [`crate::protocol::alert::classify`]); the runtime decides
    /// whether its sender is trusted.
    pub alert: Option<Box<crate::protocol::alert::AlertClaim>>,
}

/// A file that arrived as the body of a page-mode MESSAGE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivedFile {
    /// The name offered in Content-Disposition, as sent (unsafe).
    pub name: Option<String>,
    /// The body's media type (lower case, no parameters).
    pub content_type: String,
    /// The file's bytes.
    pub data: Vec<u8>,
}

/// A file to send as the body of a page-mode MESSAGE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFileBody {
    /// Its media type (goes into Content-Type).
    pub content_type: String,
    /// The name to offer (goes into `Content-Disposition: attachment`).
    pub name: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// How to answer an arrived MESSAGE (see [`Agent::answer_incoming_with`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingAnswer {
    /// Status code (200, 425, 500, ...).
    pub code: u16,
    /// Extra header fields, in order.
    pub headers: Vec<(String, String)>,
}

impl IncomingAnswer {
    /// 200 when `stored`, else 500 so the sender knows it was not kept.
    pub fn stored(stored: bool) -> IncomingAnswer {
        IncomingAnswer {
            code: if stored { 200 } else { 500 },
            headers: Vec::new(),
        }
    }

    /// RFC 8876: `425 Bad Alert Message` with an `AlertMsg-Error` value
    /// (see [`crate::protocol::alert::AlertError::alert_msg_error`]).
    pub fn bad_alert(alert_msg_error: String) -> IncomingAnswer {
        IncomingAnswer {
            code: crate::protocol::alert::BAD_ALERT_STATUS,
            headers: vec![(
                crate::protocol::alert::ALERT_MSG_ERROR.to_string(),
                alert_msg_error,
            )],
        }
    }
}

/// What goes into an outgoing MESSAGE.
struct Body {
    content_type: String,
    disposition: Option<String>,
    bytes: Vec<u8>,
    /// "text" or "file", for the words of a refusal.
    what: &'static str,
    /// What to do instead when it is too long.
    instead: &'static str,
}

#[derive(Debug)]
struct Outgoing {
    request: SipMessage,
    to: String,
    peer: String,
    cseq: u32,
    key: TransactionKey,
    tried_nonces: Vec<String>,
}

/// Page-mode state of one agent.
#[derive(Debug, Default)]
pub(super) struct Pager {
    outgoing: HashMap<MessageId, Outgoing>,
    waiting: HashMap<IncomingToken, (TransactionKey, SipMessage)>,
    next_token: u64,
}

impl Pager {
    pub(super) fn keys(&self) -> impl Iterator<Item = &TransactionKey> {
        self.outgoing.values().map(|o| &o.key)
    }
}

/// The identity a request was sent with.
fn identity_of(req: &SipMessage, cseq: u32) -> Option<MessageIdentity> {
    let call_id = req.call_id().ok()?.to_string();
    let from_tag = req.from_header().ok()?.tag()?.to_string();
    Some(MessageIdentity {
        call_id,
        from_tag,
        cseq,
    })
}

impl Agent {
    /// Sends `text` to `to` through `hop`. The outcome arrives as
    /// [`AgentEvent::Delivery`] events (first `Sending`, then a final state).
    pub fn send_message(&mut self, id: MessageId, to: &str, text: &str, hop: Hop, now: Instant) {
        self.send_message_as(id, to, text, hop, None, now);
    }

    /// A fresh identity for a new outgoing message (Call-ID, From tag, CSeq 1).
    pub fn new_message_identity(&mut self) -> MessageIdentity {
        MessageIdentity {
            call_id: self.new_call_id(),
            from_tag: self.new_tag(),
            cseq: 1,
        }
    }

    /// Like [`Agent::send_message`], but as a retry of an earlier attempt
    /// with `identity` (same Call-ID, From tag and CSeq).
    pub fn send_message_as(
        &mut self,
        id: MessageId,
        to: &str,
        text: &str,
        hop: Hop,
        identity: Option<MessageIdentity>,
        now: Instant,
    ) {
        let body = Body {
            content_type: "text/plain;charset=UTF-8".into(),
            disposition: None,
            bytes: text.as_bytes().to_vec(),
            what: "text",
            instead: "use a chat session for long texts",
        };
        self.send_body(id, to, body, hop, identity, now);
    }

    /// Sends a small file as the body of a MESSAGE to `to`: its own
    /// Content-Type and `Content-Disposition: attachment; filename="..."`.
    /// The outcome arrives as [`AgentEvent::Delivery`] events for `id`,
    /// like a text's (the same size limits apply: [`MAX_BODY_STREAM`] on
    /// TCP/TLS, [`MAX_REQUEST_UDP`] for the whole request on UDP).
    pub fn send_file_message(
        &mut self,
        id: MessageId,
        to: &str,
        file: &PageFileBody,
        hop: Hop,
        now: Instant,
    ) {
        let body = Body {
            content_type: file.content_type.clone(),
            disposition: Some(ContentDisposition::attachment(&file.name).to_header_value()),
            bytes: file.data.clone(),
            what: "file",
            instead: "send it as a file session",
        };
        self.send_body(id, to, body, hop, None, now);
    }

    fn send_body(
        &mut self,
        id: MessageId,
        to: &str,
        body: Body,
        hop: Hop,
        identity: Option<MessageIdentity>,
        now: Instant,
    ) {
        let fail = |agent: &mut Agent, reason: String| {
            agent.emit(AgentEvent::Delivery {
                id,
                to: to.to_string(),
                state: DeliveryState::Failed { code: None, reason },
                sent_as: None,
                retry_after: None,
            });
        };
        let target = match SipUri::parse(to) {
            Ok(u) => u,
            Err(e) => return fail(self, e.to_string()),
        };
        let (what, instead) = (body.what, body.instead);
        if hop.transport.is_reliable() && body.bytes.len() > MAX_BODY_STREAM {
            return fail(
                self,
                format!(
                    "the {what} is too long for a page-mode message ({} bytes; at most {MAX_BODY_STREAM}); \
                     {instead}",
                    body.bytes.len()
                ),
            );
        }
        let mut from = NameAddr {
            display_name: self.config.display_name.clone(),
            uri: self.own_uri(&hop).to_string(),
            params: Vec::new(),
        };
        let (call_id, from_tag, cseq) = match identity {
            Some(i) => (i.call_id, i.from_tag, i.cseq),
            None => (self.new_call_id(), self.new_tag(), 1),
        };
        from.set_param("tag", Some(&from_tag));
        let mut target_for_ruri = target.clone();
        target_for_ruri.headers = None;
        let mut req = SipMessage::request(Method::Message, target_for_ruri.to_string());
        req.push_header("Via", "");
        req.push_header("From", from.to_string());
        req.push_header("To", NameAddr::new(target.aor().to_string()).to_string());
        req.push_header("Call-ID", call_id);
        req.push_header("CSeq", format!("{cseq} MESSAGE"));
        req.push_header("Content-Type", body.content_type);
        if let Some(disposition) = body.disposition {
            req.push_header("Content-Disposition", disposition);
        }
        let len = body.bytes.len();
        req.body = body.bytes;
        let cnonce = self.cnonce();
        self.auth.authorize_preemptively(
            &mut req,
            &self.config.auth_user,
            self.config.password.as_deref(),
            &cnonce,
        );
        // Estimate the final size with Via, Route and User-Agent added.
        let estimated = req.to_bytes().len() + 160 + self.config.route.as_ref().map_or(0, |r| r.len() + 9);
        if hop.transport == Transport::Udp && estimated > MAX_REQUEST_UDP {
            return fail(
                self,
                format!(
                    "the {what} is too long for a page-mode message over UDP ({len} bytes; a MESSAGE may be at most \
                     {MAX_REQUEST_UDP} bytes on UDP): use TCP or TLS, or {}",
                    if what == "text" { "a chat session" } else { "a file session" }
                ),
            );
        }
        let peer = target.user.clone().unwrap_or_else(|| target.host.clone());
        self.emit(AgentEvent::Delivery {
            id,
            to: to.to_string(),
            state: DeliveryState::Sending,
            sent_as: None,
            retry_after: None,
        });
        self.start_message(id, req, to.to_string(), peer, cseq, Vec::new(), hop, now);
    }

    #[allow(clippy::too_many_arguments)]
    fn start_message(
        &mut self,
        id: MessageId,
        mut req: SipMessage,
        to: String,
        peer: String,
        cseq: u32,
        tried_nonces: Vec<String>,
        hop: Hop,
        now: Instant,
    ) {
        match self.start_client(&mut req, hop, Purpose::Message(id), now) {
            Ok(key) => {
                self.pager.outgoing.insert(
                    id,
                    Outgoing {
                        request: req,
                        to,
                        peer,
                        cseq,
                        key,
                        tried_nonces,
                    },
                );
            }
            Err(reason) => self.emit(AgentEvent::Delivery {
                id,
                to,
                state: DeliveryState::Failed { code: None, reason },
                sent_as: identity_of(&req, cseq),
                retry_after: None,
            }),
        }
    }

    pub(super) fn message_response(
        &mut self,
        id: MessageId,
        key: &TransactionKey,
        hop: Hop,
        resp: &SipMessage,
        now: Instant,
    ) {
        let Some(mut out) = self.pager.outgoing.remove(&id) else {
            return;
        };
        if &out.key != key {
            self.pager.outgoing.insert(id, out);
            return;
        }
        let code = resp.status().unwrap_or(500);
        let retry_after: Option<u32> = resp
            .header("Retry-After")
            .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|v| v.parse().ok());
        let state = match code {
            202 => DeliveryState::StoredForLater,
            200..=299 => DeliveryState::Accepted,
            401 | 407 => {
                let cnonce = self.cnonce();
                let user = self.config.auth_user.clone();
                let password = self.config.password.clone();
                match self.auth.answer_challenge(
                    resp,
                    &mut out.request,
                    &mut out.tried_nonces,
                    &user,
                    password.as_deref(),
                    &cnonce,
                ) {
                    Ok(()) => {
                        let cseq = out.cseq + 1;
                        out.request.set_header("CSeq", format!("{cseq} MESSAGE"));
                        self.start_message(
                            id,
                            out.request,
                            out.to,
                            out.peer,
                            cseq,
                            out.tried_nonces,
                            hop,
                            now,
                        );
                        return;
                    }
                    Err(e) => DeliveryState::Failed {
                        code: Some(code),
                        reason: format!("{e} ({code} {})", resp.reason().unwrap_or_default()),
                    },
                }
            }
            _ => {
                let context = RefusalContext {
                    allow_lists_message: resp
                        .header_list("Allow")
                        .iter()
                        .any(|m| m.trim().eq_ignore_ascii_case("MESSAGE")),
                    // Through our own server and not challenged first: the
                    // server itself answered, not the recipient's side.
                    from_our_server: self.config.registrar.is_some() && out.tried_nonces.is_empty(),
                };
                DeliveryState::Failed {
                    code: Some(code),
                    reason: describe_message_refusal(
                        code,
                        resp.reason().unwrap_or_default(),
                        &out.peer,
                        retry_after,
                        context,
                    ),
                }
            }
        };
        let sent_as = identity_of(&out.request, out.cseq);
        self.emit(AgentEvent::Delivery {
            id,
            to: out.to,
            state,
            sent_as,
            retry_after,
        });
    }

    pub(super) fn message_no_response(
        &mut self,
        id: MessageId,
        key: &TransactionKey,
        hop: Hop,
        failure: Failure,
    ) {
        let Some(out) = self.pager.outgoing.remove(&id) else {
            return;
        };
        if &out.key != key {
            self.pager.outgoing.insert(id, out);
            return;
        }
        let reason = self.failure_words(failure, Some(hop), Some(&out.peer));
        self.emit(AgentEvent::Delivery {
            id,
            to: out.to,
            state: DeliveryState::Failed { code: None, reason },
            sent_as: identity_of(&out.request, out.cseq),
            retry_after: None,
        });
    }

    pub(super) fn on_incoming_message(&mut self, key: TransactionKey, msg: SipMessage, now: Instant) {
        let content_type = msg.content_type().unwrap_or_else(|| "text/plain".into());
        // The one place an incoming MESSAGE is classified as an alert (or
        // not); the runtime reads the claim from the arrived message.
        let claim = {
            let header = msg.header("Content-Type").unwrap_or_default();
            let body = String::from_utf8_lossy(&msg.body);
            crate::protocol::alert::classify(&crate::protocol::alert::AlertInput {
                content_type: header,
                subject: msg.header("Subject"),
                priority: msg.header("Priority"),
                body: &body,
            })
        };
        let alert_body = ALERT_ONLY_TYPES.contains(&content_type.as_str()) && claim.is_some();
        let file = if alert_body {
            None
        } else {
            page_file(&content_type, msg.header("Content-Disposition"))
        };
        if !ACCEPTED_TYPES.contains(&content_type.as_str()) && !alert_body && file.is_none() {
            let mut resp = response_to(&msg, 415, Some(&self.new_tag()));
            resp.push_header("Accept", ACCEPTED_TYPES.join(", "));
            self.respond(&key, resp, now);
            return;
        }
        let call_id = msg.call_id().unwrap_or_default().to_string();
        let cseq = msg.cseq().map(|(n, _)| n).unwrap_or_default();
        if content_type == "application/im-iscomposing+xml" {
            // Typing notifications are not messages: nothing to store.
            let resp = response_to(&msg, 200, Some(&self.new_tag()));
            self.respond(&key, resp, now);
            return;
        }
        let from = msg.from_header().ok();
        let from_tag = from
            .as_ref()
            .and_then(|f| f.tag().map(str::to_string))
            .unwrap_or_default();
        let hop = self.server_hops.get(&key).copied();
        let transport = hop.map_or(Transport::Udp, |h| h.transport);
        let content_type_header = msg
            .header("Content-Type")
            .map_or_else(|| "text/plain".to_string(), str::to_string);
        let message = ArrivedMessage {
            from: from.as_ref().map(|f| f.uri.clone()).unwrap_or_default(),
            from_name: from.and_then(|f| f.display_name),
            to: msg.to_header().map(|t| t.uri).unwrap_or_default(),
            content_type,
            content_type_header,
            body: if file.is_some() {
                String::new()
            } else {
                String::from_utf8_lossy(&msg.body).into_owned()
            },
            subject: msg.header("Subject").map(str::to_string),
            priority: msg.header("Priority").map(str::to_string),
            call_id,
            from_tag,
            cseq,
            transport,
            conn: hop.and_then(|h| h.conn),
            source: hop.map(|h| h.remote),
            alert: claim.map(|mut claim| {
                if file.is_some() {
                    // A file's bytes are not text to show (the body is empty).
                    claim.text = String::new();
                }
                Box::new(claim)
            }),
            file: file.map(|f| {
                Box::new(ArrivedFile {
                    name: f.name,
                    content_type: f.content_type,
                    data: msg.body.clone(),
                })
            }),
        };
        self.pager.next_token += 1;
        let token = IncomingToken(self.pager.next_token);
        self.pager.waiting.insert(token, (key, msg));
        self.emit(AgentEvent::MessageArrived {
            token,
            message: Box::new(message),
        });
    }

    /// Answers an arrived MESSAGE: 200 when `stored`, else 500 so the sender
    /// knows it was not kept (and may retry).
    pub fn answer_incoming(&mut self, token: IncomingToken, stored: bool, now: Instant) {
        self.answer_incoming_with(token, IncomingAnswer::stored(stored), now);
    }

    /// Answers an arrived MESSAGE with a chosen status and extra headers
    /// (e.g. 425 with `AlertMsg-Error` for a bad alert). Call it only after
    /// the message is stored (or with a 5xx when storing failed).
    pub fn answer_incoming_with(&mut self, token: IncomingToken, answer: IncomingAnswer, now: Instant) {
        let Some((key, msg)) = self.pager.waiting.remove(&token) else {
            return;
        };
        let mut resp = response_to(&msg, answer.code, Some(&self.new_tag()));
        for (name, value) in answer.headers {
            resp.push_header(&name, value);
        }
        self.respond(&key, resp, now);
    }
}

#[cfg(test)]
#[path = "pager_file_tests.rs"]
mod file_tests;
