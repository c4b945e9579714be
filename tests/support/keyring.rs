//! A real desktop keyring for tests: GNOME Keyring's Secret Service on a
//! private D-Bus session bus, in a temporary home so the user's keyrings
//! are never touched.
//!
//! The bus runs with a configuration of its own that lists no service
//! directories, so nothing is ever started by D-Bus activation: the only
//! Secret Service on it is the `gnome-keyring-daemon --foreground` started
//! here, its login keyring created and unlocked with a password written to
//! its standard input. Both processes are children of the test and are
//! killed by PID on drop (also when the test panics). Without dbus-daemon or
//! gnome-keyring-daemon the test skips, unless `SIPCHAT_REQUIRE_DBUS=1`
//! (then it fails).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The well-known bus name of a Secret Service.
pub const SECRETS_NAME: &str = "org.freedesktop.secrets";
/// How long the keyring daemon may take to claim its name.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The (throw-away) password of the test's login keyring.
const UNLOCK_PASSWORD: &str = "test-keyring-unlock";

/// True when missing tools must fail the test.
pub fn required() -> bool {
    std::env::var_os("SIPCHAT_REQUIRE_DBUS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// A private session bus, with or without a keyring daemon on it.
pub struct KeyringBus {
    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    bus: Child,
    keyring: Option<Child>,
    /// The temporary home, runtime and data directories of both processes.
    root: tempfile::TempDir,
}

impl KeyringBus {
    /// Starts the bus and the keyring, or returns `None` (after saying why)
    /// when a tool is missing and not required.
    pub fn start_or_skip() -> Option<KeyringBus> {
        for program in ["dbus-daemon", "gnome-keyring-daemon"] {
            if !installed(program) {
                assert!(
                    !required(),
                    "{program} is required (SIPCHAT_REQUIRE_DBUS=1) but is not installed"
                );
                eprintln!("skipping: {program} is not installed; set SIPCHAT_REQUIRE_DBUS=1 to fail instead");
                return None;
            }
        }
        let root = tempfile::tempdir().unwrap();
        for dir in ["home", "data", "config", "cache", "run"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        set_private(&root.path().join("run"));
        let config = root.path().join("bus.conf");
        std::fs::write(&config, bus_config(&root.path().join("run"))).unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address", "--nofork"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_string();
        let mut started = KeyringBus {
            address,
            bus,
            keyring: None,
            root,
        };
        assert!(!started.address.is_empty(), "dbus-daemon printed no address");
        started.start_keyring();
        Some(started)
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn start_keyring(&mut self) {
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir("home"))
            .env("XDG_DATA_HOME", self.dir("data"))
            .env("XDG_CONFIG_HOME", self.dir("config"))
            .env("XDG_CACHE_HOME", self.dir("cache"))
            .env("XDG_RUNTIME_DIR", self.dir("run"))
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        {
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(UNLOCK_PASSWORD.as_bytes()).unwrap();
        }
        self.keyring = Some(keyring);
        let deadline = Instant::now() + START_TIMEOUT;
        while !self.has_secret_service() {
            if let Some(status) = self.keyring.as_mut().and_then(|k| k.try_wait().unwrap()) {
                panic!("gnome-keyring-daemon ended at once ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not claim {SECRETS_NAME} within {START_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether a Secret Service owns its name on this bus now.
    pub fn has_secret_service(&self) -> bool {
        let conn = zbus::blocking::connection::Builder::address(self.address.as_str())
            .unwrap()
            .build()
            .unwrap();
        let proxy = zbus::blocking::fdo::DBusProxy::new(&conn).unwrap();
        proxy.name_has_owner(SECRETS_NAME.try_into().unwrap()).unwrap()
    }

    /// Kills the keyring daemon, leaving the bus with no Secret Service.
    pub fn stop_keyring(&mut self) {
        if let Some(mut keyring) = self.keyring.take() {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let deadline = Instant::now() + START_TIMEOUT;
        while self.has_secret_service() {
            assert!(Instant::now() < deadline, "{SECRETS_NAME} is still owned");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for KeyringBus {
    fn drop(&mut self) {
        if let Some(mut keyring) = self.keyring.take() {
            let _ = keyring.kill();
            let _ = keyring.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

#[cfg(unix)]
fn set_private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[cfg(not(unix))]
fn set_private(_dir: &Path) {}

/// A session bus listening in `dir`, allowing everything, activating nothing.
fn bus_config(dir: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        dir.display()
    )
}
