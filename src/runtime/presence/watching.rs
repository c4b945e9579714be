//! The addresses we watch: subscription news, NOTIFY bodies, retries and
//! what is shown (held back while a peer floods).

use super::*;

impl Presence {
    pub(super) fn on_subscription(&mut self, event: SubscriptionEvent, now: Now) {
        let id = match &event {
            SubscriptionEvent::Accepted { id, .. }
            | SubscriptionEvent::Failed { id, .. }
            | SubscriptionEvent::Notified { id, .. }
            | SubscriptionEvent::Ended { id } => *id,
        };
        if self.own_watchers.owns(id) {
            return self.on_winfo(event, now);
        }
        if self.list.owns(id) {
            return self.on_list(event, now);
        }
        let Some(uri) = self.by_id.get(&id).cloned() else {
            return;
        };
        match event {
            SubscriptionEvent::Accepted { expires, .. } => {
                let delay = self.refresh_delay(expires);
                if let Some(w) = self.watches.get_mut(&uri) {
                    w.phase = Phase::Subscribed;
                    w.failures = 0;
                    w.due = Some(now.at + delay);
                }
            }
            SubscriptionEvent::Ended { .. } => {
                self.by_id.remove(&id);
            }
            SubscriptionEvent::Failed {
                code,
                reason,
                retry_after,
                ..
            } => {
                self.by_id.remove(&id);
                let state = match code {
                    Some(403 | 603) => Some(WatchState::Refused),
                    Some(404 | 604) => Some(WatchState::NoSuchUser),
                    _ => None,
                };
                match state {
                    Some(state) => self.stop_watch(&uri, state, now.at),
                    None => {
                        let state = WatchState::Interrupted(reason);
                        self.retry_later(&uri, retry_after, Status::default(), state, now.at)
                    }
                }
            }
            SubscriptionEvent::Notified {
                state,
                content_type,
                body,
                ..
            } => self.on_notify(&uri, id, state, content_type, &body, now),
        }
    }

    pub(super) fn on_notify(
        &mut self,
        uri: &str,
        id: SubscriptionId,
        state: SubscriptionState,
        content_type: Option<String>,
        body: &[u8],
        now: Now,
    ) {
        let read = match content_type.as_deref() {
            None => Some(Status {
                status: PresenceStatus::Offline,
                ..Status::default()
            }),
            Some(pidf::CONTENT_TYPE) => match PresenceDocument::parse(body) {
                Ok(doc) => Some(doc.summary()),
                Err(e) => {
                    tracing::info!(account = %self.settings.account, contact = uri, "ignoring a presence document: {e}");
                    None
                }
            },
            Some(other) => {
                tracing::info!(account = %self.settings.account, contact = uri, "ignoring a NOTIFY body of type {other}");
                None
            }
        };
        let previous = self.watches.get(uri).and_then(|w| w.shown.clone());
        let keep = || previous.as_ref().map(|(p, _)| p.clone()).unwrap_or_default();
        match state {
            SubscriptionState::Active { expires } => {
                if let Some(w) = self.watches.get_mut(uri) {
                    if w.phase == Phase::Subscribing {
                        w.phase = Phase::Subscribed;
                        w.failures = 0;
                    }
                }
                if let (Some(expires), true) =
                    (expires, self.watches.get(uri).is_some_and(|w| w.due.is_none()))
                {
                    let delay = self.refresh_delay(expires);
                    if let Some(w) = self.watches.get_mut(uri) {
                        w.due = Some(now.at + delay);
                    }
                }
                let status = read.unwrap_or_else(keep);
                self.show(uri, status, WatchState::Active, now.at);
            }
            SubscriptionState::Pending { .. } => {
                if let Some(w) = self.watches.get_mut(uri) {
                    if w.phase == Phase::Subscribing {
                        w.phase = Phase::Subscribed;
                    }
                }
                self.show(uri, Status::default(), WatchState::Pending, now.at);
            }
            SubscriptionState::Terminated { reason, retry_after } => {
                self.by_id.remove(&id);
                if let Some(w) = self.watches.get_mut(uri) {
                    w.id = None;
                }
                match reason {
                    Some(TerminationReason::Rejected) => self.stop_watch(uri, WatchState::Refused, now.at),
                    Some(TerminationReason::Noresource) => {
                        self.stop_watch(uri, WatchState::NoSuchUser, now.at)
                    }
                    Some(TerminationReason::Invariant) => {
                        let words = "the server will not report this contact's status".to_string();
                        self.stop_watch(uri, WatchState::Interrupted(words), now.at)
                    }
                    Some(TerminationReason::Probation | TerminationReason::Giveup) => {
                        let words = "stopped reporting; trying again later".to_string();
                        let shown = read.unwrap_or_default();
                        self.retry_later(uri, retry_after, shown, WatchState::Interrupted(words), now.at)
                    }
                    _ => {
                        // Deactivated, timeout, or no reason: subscribe again.
                        let slot = self.slot(now.at);
                        if let Some(w) = self.watches.get_mut(uri) {
                            w.phase = Phase::Waiting;
                            w.due = (self.can_send && !self.stopping).then_some(slot);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn stop_watch(&mut self, uri: &str, state: WatchState, at: Instant) {
        if let Some(w) = self.watches.get_mut(uri) {
            w.phase = Phase::Stopped;
            w.due = None;
            w.id = None;
        }
        self.show(uri, Status::default(), state, at);
    }

    pub(super) fn retry_later(
        &mut self,
        uri: &str,
        retry_after: Option<u32>,
        shown: Status,
        state: WatchState,
        at: Instant,
    ) {
        let failures = match self.watches.get_mut(uri) {
            Some(w) => {
                w.failures += 1;
                w.failures
            }
            None => return,
        };
        let delay = self.backoff(failures, retry_after);
        if let Some(w) = self.watches.get_mut(uri) {
            w.phase = Phase::Waiting;
            w.id = None;
            w.due = (self.can_send && !self.stopping).then_some(at + delay);
        }
        self.show(uri, shown, state, at);
    }

    /// Shows a change, within the flood limit.
    pub(super) fn show(&mut self, uri: &str, status: Status, state: WatchState, at: Instant) {
        let Some(w) = self.watches.get_mut(uri) else {
            return;
        };
        let next = (status, state);
        if w.shown.as_ref() == Some(&next) {
            w.held = None;
            return;
        }
        if w.window_start.is_none_or(|s| at >= s + UPDATE_WINDOW) {
            w.window_start = Some(at);
            w.updates_in_window = 0;
        }
        if w.updates_in_window >= MAX_UPDATES_PER_WINDOW {
            w.held = Some(next);
            return;
        }
        w.updates_in_window += 1;
        w.held = None;
        w.shown = Some(next.clone());
        let (presence, watch) = next;
        let event = Event::Presence {
            account: self.settings.account.clone(),
            contact: uri.to_string(),
            presence,
            watch,
        };
        self.emit(event);
    }

    pub(super) fn flush_held(&mut self, uri: &str, at: Instant) {
        let Some(w) = self.watches.get_mut(uri) else {
            return;
        };
        let window_over = w.window_start.is_some_and(|s| at >= s + UPDATE_WINDOW);
        if window_over {
            if let Some((status, state)) = w.held.take() {
                self.show(uri, status, state, at);
            }
        }
    }
}
