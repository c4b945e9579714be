//! The freedesktop notification server, through notify-rust (zbus), on a
//! thread of its own so a slow or missing bus never stalls the caller.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex};

use notify_rust::{Hint, Notification, Timeout};
use tokio::sync::mpsc;

use super::{
    Notice, NoticeKey, NotifyAction, Urgency, ACTION_ACKNOWLEDGE, ACTION_OPEN, APP_ICON, APP_NAME,
    DESKTOP_ENTRY,
};

/// Most notifications whose clicks are awaited at once (one thread each).
pub const MAX_ACTION_WAITERS: usize = 64;

/// The freedesktop notification service: bus name, object and interface.
const SERVICE: &str = "org.freedesktop.Notifications";
const OBJECT: &str = "/org/freedesktop/Notifications";

/// Work for the notification thread.
enum Job {
    Show(Box<Notice>),
    /// Close the notification shown for this key, if one is up.
    Close(NoticeKey),
}

/// The handle the caller keeps.
pub(super) struct Desktop {
    tx: std_mpsc::Sender<Job>,
}

impl Desktop {
    /// Starts the thread; `None` only if the thread cannot be spawned.
    pub(super) fn start(actions: mpsc::UnboundedSender<NotifyAction>) -> Option<Desktop> {
        let (tx, rx) = std_mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("sipchat-notify".into())
            .spawn(move || Worker::new(actions).run(rx));
        match spawned {
            Ok(_) => Some(Desktop { tx }),
            Err(e) => {
                tracing::warn!("desktop notifications are off: cannot start their thread ({e})");
                None
            }
        }
    }

    /// Queues a notice (never blocks).
    pub(super) fn show(&self, notice: Notice) {
        let _ = self.tx.send(Job::Show(Box::new(notice)));
    }

    /// Queues closing the notification of `key` (never blocks).
    pub(super) fn close(&self, key: NoticeKey) {
        let _ = self.tx.send(Job::Close(key));
    }
}

struct Worker {
    actions: mpsc::UnboundedSender<NotifyAction>,
    /// Server capabilities (`None` until the server answered once).
    capabilities: Option<Vec<String>>,
    /// Notification id per key, to replace a conversation's earlier one.
    ids: HashMap<NoticeKey, u32>,
    /// Ids whose clicks a thread is waiting for.
    waiting: Arc<Mutex<HashSet<u32>>>,
    waiters: Arc<AtomicUsize>,
    /// The last attempt failed (so the next failure is not logged again).
    failing: bool,
}

impl Worker {
    fn new(actions: mpsc::UnboundedSender<NotifyAction>) -> Worker {
        Worker {
            actions,
            capabilities: None,
            ids: HashMap::new(),
            waiting: Arc::new(Mutex::new(HashSet::new())),
            waiters: Arc::new(AtomicUsize::new(0)),
            failing: false,
        }
    }

    fn run(mut self, rx: std_mpsc::Receiver<Job>) {
        while let Ok(job) = rx.recv() {
            match job {
                Job::Show(notice) => self.show(*notice),
                Job::Close(key) => self.close(&key),
            }
        }
    }

    /// Closes the notification shown for `key`; nothing when none is up.
    fn close(&mut self, key: &NoticeKey) {
        let Some(id) = self.ids.remove(key) else {
            return;
        };
        let closed = zbus::blocking::Connection::session().and_then(|bus| {
            bus.call_method(Some(SERVICE), OBJECT, Some(SERVICE), "CloseNotification", &(id,))
        });
        if let Err(e) = closed {
            tracing::debug!("cannot close notification {id}: {e}");
        }
    }

    fn supports(&mut self, capability: &str) -> bool {
        if self.capabilities.is_none() {
            match notify_rust::get_capabilities() {
                Ok(caps) => {
                    tracing::debug!(?caps, "notification server capabilities");
                    self.capabilities = Some(caps);
                }
                Err(e) => {
                    tracing::debug!("cannot ask the notification server what it supports: {e}");
                    return false;
                }
            }
        }
        self.capabilities
            .as_ref()
            .is_some_and(|c| c.iter().any(|x| x == capability))
    }

    fn show(&mut self, notice: Notice) {
        let actions = self.supports("actions");
        // A server with body markup would read `<alert>` in a raw CAP text
        // as a tag (and may drop the body).
        let body = if self.supports("body-markup") {
            super::escape_markup(&notice.body)
        } else {
            notice.body.clone()
        };
        let mut n = Notification::new();
        n.appname(APP_NAME)
            .summary(&notice.summary)
            .body(&body)
            .icon(APP_ICON)
            .hint(Hint::DesktopEntry(DESKTOP_ENTRY.into()))
            .hint(Hint::Category(notice.category.into()));
        match notice.urgency {
            Urgency::Critical => n.urgency(notify_rust::Urgency::Critical),
            Urgency::Normal => n.urgency(notify_rust::Urgency::Normal),
        };
        if notice.persistent {
            n.hint(Hint::Resident(true)).timeout(Timeout::Never);
        }
        match notice.sound {
            Some(sound) => n.hint(Hint::SoundName(sound.into())),
            // Message sounds off (or a notice that never sounds): ask the
            // server not to play its default sound either.
            None => n.hint(Hint::SuppressSound(true)),
        };
        if actions {
            n.action("default", &notice.open_label)
                .action(ACTION_OPEN, &notice.open_label);
            if notice.acknowledge.is_some() {
                n.action(ACTION_ACKNOWLEDGE, &notice.acknowledge_label);
            }
        }
        if let Some(id) = self.ids.get(&notice.key) {
            n.id(*id);
        }
        match n.show() {
            Ok(handle) => {
                if self.failing {
                    tracing::info!("desktop notifications work again");
                    self.failing = false;
                }
                let id = handle.id();
                self.ids.insert(notice.key.clone(), id);
                if actions {
                    self.wait_for_click(handle, id, &notice);
                }
            }
            Err(e) => {
                if self.failing {
                    tracing::debug!("notification not shown: {e}");
                } else {
                    tracing::warn!(
                        "cannot show desktop notifications (no session bus or no notification server?): {e}; \
                         going on without them"
                    );
                    self.failing = true;
                }
                // The server may have restarted: ask again next time.
                self.capabilities = None;
            }
        }
    }

    fn wait_for_click(&self, handle: notify_rust::NotificationHandle, id: u32, notice: &Notice) {
        {
            let Ok(mut waiting) = self.waiting.lock() else {
                return;
            };
            if waiting.contains(&id) || self.waiters.load(Ordering::SeqCst) >= MAX_ACTION_WAITERS {
                return;
            }
            waiting.insert(id);
        }
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let actions = self.actions.clone();
        let target = notice.open.clone();
        let ack = notice.acknowledge;
        let waiting = self.waiting.clone();
        let waiters = self.waiters.clone();
        let spawned = std::thread::Builder::new()
            .name("sipchat-notify-action".into())
            .spawn(move || {
                handle.wait_for_action(|action| {
                    let reply = match action {
                        "default" | ACTION_OPEN => Some(NotifyAction::Open(target)),
                        ACTION_ACKNOWLEDGE => ack.map(NotifyAction::Acknowledge),
                        _ => None,
                    };
                    if let Some(reply) = reply {
                        let _ = actions.send(reply);
                    }
                });
                if let Ok(mut w) = waiting.lock() {
                    w.remove(&id);
                }
                waiters.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = spawned {
            tracing::debug!("not waiting for clicks on notification {id}: {e}");
            if let Ok(mut w) = self.waiting.lock() {
                w.remove(&id);
            }
            self.waiters.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
