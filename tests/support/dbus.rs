//! A private D-Bus session bus and a small org.freedesktop.Notifications
//! server that records every Notify call, for notification tests.
//!
//! `dbus-daemon --session --print-address --nofork` runs as a child of the
//! test and is killed by PID on drop. Without dbus-daemon the test skips,
//! unless `SIPCHAT_REQUIRE_DBUS=1` (then it fails).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::OwnedValue;

/// True when a missing dbus-daemon must fail the test.
pub fn required() -> bool {
    std::env::var_os("SIPCHAT_REQUIRE_DBUS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// A private session bus.
pub struct PrivateBus {
    child: Child,
    /// Its address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl PrivateBus {
    /// Starts one, or returns `None` (after saying why) when dbus-daemon is
    /// not installed and not required.
    pub fn start_or_skip() -> Option<PrivateBus> {
        let spawned = Command::new("dbus-daemon")
            .args(["--session", "--print-address", "--nofork"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) if !required() => {
                eprintln!("skipping: dbus-daemon cannot be started ({e}); set SIPCHAT_REQUIRE_DBUS=1 to fail instead");
                return None;
            }
            Err(e) => panic!("dbus-daemon is required (SIPCHAT_REQUIRE_DBUS=1) but cannot be started: {e}"),
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        Some(PrivateBus { child, address })
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One recorded Notify call.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: u32,
    pub app_name: String,
    pub replaces_id: u32,
    pub app_icon: String,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
    /// `urgency` hint (0 low, 1 normal, 2 critical).
    pub urgency: Option<u8>,
    /// String hints (`category`, `desktop-entry`, `sound-name`, ...).
    pub text_hints: HashMap<String, String>,
    /// Boolean hints (`resident`, ...).
    pub bool_hints: HashMap<String, bool>,
    pub expire_timeout: i32,
}

struct Server {
    log: Arc<Mutex<Vec<Recorded>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    next_id: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    fn get_capabilities(&self) -> Vec<String> {
        ["actions", "body", "persistence", "sound"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next_id += 1;
            self.next_id
        };
        let mut text_hints = HashMap::new();
        let mut bool_hints = HashMap::new();
        let mut urgency = None;
        for (name, value) in &hints {
            if let Ok(v) = value.downcast_ref::<u8>() {
                if name == "urgency" {
                    urgency = Some(v);
                }
            } else if let Ok(v) = value.downcast_ref::<bool>() {
                bool_hints.insert(name.clone(), v);
            } else if let Ok(v) = value.downcast_ref::<String>() {
                text_hints.insert(name.clone(), v);
            }
        }
        self.log.lock().unwrap().push(Recorded {
            id,
            app_name,
            replaces_id,
            app_icon,
            summary,
            body,
            actions,
            urgency,
            text_hints,
            bool_hints,
            expire_timeout,
        });
        id
    }

    fn close_notification(&self, id: u32) {
        self.closed.lock().unwrap().push(id);
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "sipchat-test-notifications".into(),
            "sipchat".into(),
            "1".into(),
            "1.2".into(),
        )
    }
}

/// The notification server, serving on a bus until dropped.
pub struct NotificationServer {
    conn: zbus::blocking::Connection,
    log: Arc<Mutex<Vec<Recorded>>>,
    closed: Arc<Mutex<Vec<u32>>>,
}

impl NotificationServer {
    pub fn start(bus: &PrivateBus) -> NotificationServer {
        let log = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            log: log.clone(),
            closed: closed.clone(),
            next_id: 0,
        };
        let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at("/org/freedesktop/Notifications", server)
            .unwrap()
            .build()
            .unwrap();
        NotificationServer { conn, log, closed }
    }

    /// Everything recorded so far.
    pub fn recorded(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the client asks to close notification `id`.
    pub fn wait_closed(&self, what: &str, id: u32, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.closed.lock().unwrap().contains(&id) {
            assert!(
                Instant::now() < deadline,
                "notification {id} ({what}) was not closed; closed: {:?}",
                self.closed.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the first recorded notification matching `pred`.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&Recorded) -> bool) -> Recorded {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.recorded().into_iter().find(|r| pred(r)) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no notification {what}; recorded: {:#?}",
                self.recorded()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Emits `ActionInvoked(id, action)` as if the user clicked.
    pub fn invoke_action(&self, id: u32, action: &str) {
        self.conn
            .emit_signal(
                None::<&str>,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                &(id, action),
            )
            .unwrap();
    }
}

/// A StatusNotifierWatcher, as a desktop's tray host provides it: records
/// every item that registers (the service name it gives, and its sender).
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: String) {
        self.items.lock().unwrap().push(service);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }

    /// A host shows the items (so they do not give up with "won't show").
    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The tray host's watcher on a bus, serving until dropped.
pub struct TrayWatcher {
    conn: zbus::blocking::Connection,
    items: Arc<Mutex<Vec<String>>>,
}

impl TrayWatcher {
    pub fn start(bus: &PrivateBus) -> TrayWatcher {
        let items = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::blocking::connection::Builder::address(bus.address.as_str())
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at("/StatusNotifierWatcher", Watcher { items: items.clone() })
            .unwrap()
            .build()
            .unwrap();
        TrayWatcher { conn, items }
    }

    /// Waits for the first item to register; its bus name.
    pub fn wait_for_item(&self, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(item) = self.items.lock().unwrap().first() {
                return item.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no tray item registered within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The labels of an item's menu entries (com.canonical.dbusmenu at
    /// `/MenuBar`), by id; ids 1 to `MAX_MENU_IDS` are asked for.
    pub fn menu_labels(&self, item: &str) -> Vec<(i32, String)> {
        const MAX_MENU_IDS: i32 = 32;
        let ids: Vec<i32> = (1..=MAX_MENU_IDS).collect();
        let reply = self
            .conn
            .call_method(
                Some(item),
                "/MenuBar",
                Some("com.canonical.dbusmenu"),
                "GetGroupProperties",
                &(ids, Vec::<String>::new()),
            )
            .unwrap();
        let entries: Vec<(i32, HashMap<String, OwnedValue>)> = reply.body().deserialize().unwrap();
        entries
            .into_iter()
            .filter_map(|(id, props)| {
                let label = props.get("label")?.downcast_ref::<String>().ok()?;
                Some((id, label))
            })
            .collect()
    }

    /// Clicks the menu entry labelled `label`, as a tray host does
    /// (`Event(id, "clicked", 0, 0)`). The item's answer is returned: an
    /// entry that ends the program may leave before answering (`NoReply`).
    pub fn click(&self, item: &str, label: &str) -> zbus::Result<()> {
        let labels = self.menu_labels(item);
        let id = labels
            .iter()
            .find(|(_, l)| l == label)
            .unwrap_or_else(|| panic!("no menu entry {label:?}; the menu: {labels:?}"))
            .0;
        self.conn
            .call_method(
                Some(item),
                "/MenuBar",
                Some("com.canonical.dbusmenu"),
                "Event",
                &(id, "clicked", zbus::zvariant::Value::from(0i32), 0u32),
            )
            .map(|_| ())
    }
}
