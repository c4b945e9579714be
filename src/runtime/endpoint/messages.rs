//! The driver's side of page-mode messaging: carries out what the outbox
//! and the inbox ask (store ops on the store thread, MESSAGEs through the
//! server flow or a peer-to-peer path, answers, file writes, events), and
//! routes the agent's delivery outcomes and arrived MESSAGEs to them.

use super::routing::{route_key, RouteError};
use super::{Endpoint, Internal};
use crate::model::{DeliveryState, MessageId, TransferId};
use crate::protocol::sip::agent::{ArrivedMessage, Hop, IncomingToken, MessageIdentity};
use crate::protocol::sip::uri::Transport;
use crate::runtime::clock::{now_ms, Now};
use crate::runtime::inbox::{InboxEffect, InboxError, InboxInput, InboxStoreOp};
use crate::runtime::outbox::{Outbox, OutboxEffect, OutboxInput, OutboxStoreOp};
use crate::store::{OutboxEntry, Store};
use crate::transport::dns;
use crate::transport::stream::StreamHandle;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A message waiting for its peer-to-peer path.
#[derive(Debug)]
pub(super) struct Waiting {
    entry: OutboxEntry,
    identity: MessageIdentity,
}

impl Endpoint {
    /// One reading of the clock, for the features.
    pub(super) fn now_for_features(&self) -> Now {
        Now {
            at: self.now(),
            unix_ms: now_ms(),
        }
    }

    /// Hands `input` to the outbox (identities for due entries come from
    /// the agent here).
    pub(super) fn feed_outbox(&mut self, input: OutboxInput) {
        let input = match input {
            OutboxInput::Due {
                result: Ok(entries),
                mut fresh,
            } => {
                for _ in 0..Outbox::wants_identities(&entries) {
                    fresh.push(self.agent.new_message_identity());
                }
                OutboxInput::Due {
                    result: Ok(entries),
                    fresh,
                }
            }
            other => other,
        };
        let now = self.now_for_features();
        self.outbox.handle(input, now);
    }

    pub(super) fn feed_inbox(&mut self, input: InboxInput) {
        let now = self.now_for_features();
        self.inbox.handle(input, now);
    }

    /// Tells the outbox whether it can send now (when it can, it pumps).
    pub(super) fn outbox_can_send(&mut self) {
        let can = self.can_send();
        self.feed_outbox(OutboxInput::CanSend(can));
    }

    /// Tells the outbox when whether it can send changed.
    pub(super) fn refresh_can_send(&mut self) {
        if self.outbox.can_send() != self.can_send() {
            self.outbox_can_send();
        }
    }

    /// A MESSAGE arrived.
    pub(super) fn message_arrived(&mut self, token: IncomingToken, message: Box<ArrivedMessage>) {
        self.refresh_block_list();
        let server_flow = self.server_hop();
        self.feed_inbox(InboxInput::Arrived {
            token,
            message,
            server_flow,
        });
    }

    /// Carries out what the outbox and the inbox asked, until neither asks
    /// for more.
    pub(super) fn drain_messages(&mut self) {
        loop {
            let mut worked = false;
            while let Some(effect) = self.outbox.poll_effect() {
                worked = true;
                self.on_outbox_effect(effect);
            }
            while let Some(effect) = self.inbox.poll_effect() {
                worked = true;
                self.on_inbox_effect(effect);
            }
            if !worked {
                break;
            }
        }
    }

    fn on_outbox_effect(&mut self, effect: OutboxEffect) {
        match effect {
            OutboxEffect::Store(op) => self.run_outbox_op(op),
            OutboxEffect::Transmit { entry, identity } => self.send_entry(entry, identity),
            OutboxEffect::Emit(event) => self.emit(event),
        }
    }

    fn on_inbox_effect(&mut self, effect: InboxEffect) {
        match effect {
            InboxEffect::Store(op) => self.run_inbox_op(op),
            InboxEffect::Answer { token, answer } => {
                let now = self.now();
                self.agent.answer_incoming_with(token, answer, now);
            }
            InboxEffect::WriteFile {
                transfer,
                dir,
                name,
                data,
            } => {
                let tx = self.internal_tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = save(&dir, &name, &data);
                    let _ = tx.send(Internal::Inbox(Box::new(InboxInput::Written {
                        transfer,
                        result,
                    })));
                });
            }
            InboxEffect::Resolve { host } => {
                let tx = self.internal_tx.clone();
                tokio::spawn(async move {
                    let result = dns::locate(&host, Some(Transport::Udp.default_port()), Transport::Udp)
                        .await
                        .map(|found| found.into_iter().map(|l| l.addr.ip()).collect())
                        .map_err(InboxError::from);
                    let _ = tx.send(Internal::Inbox(Box::new(InboxInput::Resolved { host, result })));
                });
            }
            InboxEffect::Emit(event) => self.emit(event),
        }
    }

    /// Runs an outbox op on the store thread; its result comes back in order.
    fn run_outbox_op(&self, op: OutboxStoreOp) {
        self.on_store_thread(
            op,
            |op, store, unix_ms| Internal::Outbox(Box::new(op.execute(store, unix_ms))),
            |op| Internal::Outbox(Box::new(op.not_run())),
        );
    }

    /// Runs an inbox op on the store thread; its result comes back in order.
    /// A plain message joins the store thread's group commit.
    fn run_inbox_op(&self, op: InboxStoreOp) {
        let op = match op.into_grouped() {
            Ok((new, waiting)) => {
                let internal = self.internal_tx.clone();
                self.store.submit_incoming(new, move |result| {
                    let _ = internal.send(Internal::Inbox(Box::new(waiting.stored(result))));
                });
                return;
            }
            Err(op) => *op,
        };
        self.on_store_thread(
            op,
            |op, store, unix_ms| Internal::Inbox(Box::new(op.execute(store, unix_ms))),
            |op| Internal::Inbox(Box::new(op.not_run())),
        );
    }

    /// Runs a feature's store op on the store thread (which runs jobs in
    /// the order they were queued) and hands the result back from there, so
    /// results come back in order; when the thread is gone, `not_run` says
    /// so at once.
    fn on_store_thread<O: Send + 'static>(
        &self,
        op: O,
        run: fn(O, &mut Store, i64) -> Internal,
        not_run: fn(O) -> Internal,
    ) {
        let internal = self.internal_tx.clone();
        let slot = Arc::new(Mutex::new(Some(op)));
        let job_slot = slot.clone();
        let queued = self.store.submit(move |store| {
            if let Some(op) = job_slot.lock().ok().and_then(|mut o| o.take()) {
                let _ = internal.send(run(op, store, now_ms()));
            }
        });
        if queued.is_err() {
            if let Some(op) = slot.lock().ok().and_then(|mut o| o.take()) {
                let _ = self.internal_tx.send(not_run(op));
            }
        }
    }

    /// Sends an outbox entry whose attempt is recorded: through the server
    /// flow, or the peer-to-peer path (opened first when needed).
    fn send_entry(&mut self, entry: OutboxEntry, identity: MessageIdentity) {
        if self.is_server_account() {
            match self.server_hop() {
                Some(hop) => {
                    let now = self.now();
                    self.agent.send_message_as(
                        entry.id,
                        &entry.peer_address,
                        &entry.body,
                        hop,
                        Some(identity),
                        now,
                    );
                }
                // The flow went away meanwhile; the entry waits for the next pump.
                None => self.feed_outbox(OutboxInput::Unsent { id: entry.id }),
            }
            return;
        }
        // Peer-to-peer: messages to a peer whose path is being opened wait for it.
        let key = route_key(&entry.peer_address);
        let to = entry.peer_address.clone();
        let waiting = Waiting { entry, identity };
        if let Some(queue) = self.routing.get_mut(&key) {
            queue.push(waiting);
            return;
        }
        self.routing.insert(key.clone(), vec![waiting]);
        self.route_to(to, move |route| Internal::RouteReady { key, route });
    }

    /// The peer-to-peer path for the messages waiting under `key` is open
    /// (send them) or not (each fails, as a delivery outcome).
    pub(super) fn route_ready(
        &mut self,
        key: String,
        route: Result<(Hop, Option<StreamHandle>), RouteError>,
    ) {
        let waiting = self.routing.remove(&key).unwrap_or_default();
        match route {
            Ok((hop, handle)) => {
                if let Some(h) = handle {
                    self.streams.insert(h.id, h);
                }
                let now = self.now();
                for w in waiting {
                    let e = w.entry;
                    self.agent
                        .send_message_as(e.id, &e.peer_address, &e.body, hop, Some(w.identity), now);
                }
            }
            Err(e) => {
                let reason = e.to_string();
                for w in waiting {
                    self.feed_outbox(OutboxInput::Delivery {
                        id: w.entry.id,
                        to: w.entry.peer_address,
                        state: DeliveryState::Failed {
                            code: None,
                            reason: reason.clone(),
                        },
                        sent_as: Some(w.identity),
                        retry_after: None,
                    });
                }
            }
        }
    }

    /// A delivery outcome of a page-mode message from the agent.
    pub(super) fn message_delivery(
        &mut self,
        id: MessageId,
        to: String,
        state: DeliveryState,
        sent_as: Option<MessageIdentity>,
        retry_after: Option<u32>,
    ) {
        self.feed_outbox(OutboxInput::Delivery {
            id,
            to,
            state,
            sent_as,
            retry_after,
        });
    }

    /// At start: files that came in MESSAGEs in an earlier run and still
    /// wait are offered again.
    pub(crate) fn load_pending_page_files(&mut self) {
        self.feed_inbox(InboxInput::LoadPending);
    }

    /// Whether `transfer` is a file that came in a MESSAGE and waits here.
    pub(crate) fn is_page_file_offer(&self, transfer: TransferId) -> bool {
        self.inbox.is_offer(transfer)
    }

    /// `AcceptTransfer` of a file that came in a MESSAGE.
    pub(crate) fn accept_page_file(&mut self, transfer: TransferId, dir: PathBuf) {
        self.feed_inbox(InboxInput::Accept { transfer, dir });
    }

    /// `DeclineTransfer` (or `CancelTransfer`) of a file that came in a MESSAGE.
    pub(crate) fn decline_page_file(&mut self, transfer: TransferId) {
        self.feed_inbox(InboxInput::Decline { transfer });
    }
}

/// Writes `data` to a temporary file in `dir`, syncs it, and moves it to a
/// free safe name (never replacing a file). Blocking.
pub(super) fn save(dir: &Path, name: &str, data: &[u8]) -> Result<PathBuf, InboxError> {
    use std::io::Write;
    if !dir.is_dir() {
        return Err(InboxError::NotADirectory(dir.to_path_buf()));
    }
    let token = format!("{:016x}", rand::random::<u64>());
    let temp = dir.join(format!(".{name}.{token}.part"));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| {
            f.write_all(data)?;
            f.sync_all()
        });
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(InboxError::Write { path: temp, source });
    }
    crate::runtime::files::publish(&temp, dir, name)
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
        .map_err(InboxError::Publish)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::save;

    #[test]
    fn files_are_saved_without_overwriting_and_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let first = save(dir.path(), "a.bin", b"one").unwrap();
        let second = save(dir.path(), "a.bin", b"two").unwrap();
        assert_eq!(first, dir.path().join("a.bin"));
        assert_eq!(second, dir.path().join("a (1).bin"));
        assert_eq!(std::fs::read(&first).unwrap(), b"one");
        assert_eq!(std::fs::read(&second).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no temporary file left"
        );
        let missing = dir.path().join("nope");
        let e = save(&missing, "a.bin", b"x").unwrap_err().to_string();
        assert!(e.contains("not a directory"), "{e}");
    }
}
