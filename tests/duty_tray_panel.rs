//! The tray icon in a real tray host: Xfce's panel (`xfce4-panel`, whose
//! systray plugin hosts StatusNotifierItems and draws their dbusmenu) under
//! Xvfb, on a private session bus. `sipchat --background` shows its icon;
//! a right click draws the menu (kept as `target/gui-artifacts/tray-menu.png`
//! and `tray-menu-muted.png`, the paths are printed); "Mute messages for an
//! hour" turns into "Unmute messages" and is remembered in the window state;
//! the menu's last entry, Quit, chosen with the keyboard, ends sipchat with
//! exit code 0.
//!
//! Skips when Xvfb, xdotool, ImageMagick, dbus-daemon or xfce4-panel is
//! missing, unless `SIPCHAT_REQUIRE_XVFB=1` (as `.ci/run` sets).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/xvfb.rs"]
mod xvfb;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use dbus::PrivateBus;
use xvfb::{Image, Xvfb};

const WAIT: Duration = Duration::from_secs(30);
/// The panel: along the top edge, 32 pixels high, the tray its only plugin.
const PANEL_SIZE: u32 = 32;
/// Where the first tray icon sits (the panel's left end).
const ICON: (u32, u32) = (PANEL_SIZE / 2 - 4, PANEL_SIZE / 2);
/// Where the icon is drawn: (x, y, width, height).
const ICON_AREA: (usize, usize, usize, usize) = (0, 0, PANEL_SIZE as usize, PANEL_SIZE as usize);
/// Pixels of that area the icon changes.
const ICON_MIN_PIXELS: usize = 50;
/// The area the menu opens in, below the icon: (x, y, width, height).
const MENU_AREA: (usize, usize, usize, usize) = (0, PANEL_SIZE as usize + 2, 160, 60);
/// Light pixels of that area (below the panel the screen is black) when
/// the menu is drawn; a tooltip covers far fewer.
const MENU_MIN_PIXELS: usize = 6_000;
/// Where the pointer rests while the menu is open (no tooltip there).
const AWAY: (&str, &str) = ("600", "400");

const PANEL_CONFIG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"#;

/// A child process, killed (and reaped) when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// Pixels that differ between two screenshots inside `area`.
fn changed_in(a: &Image, b: &Image, area: (usize, usize, usize, usize)) -> usize {
    let (x0, y0, w, h) = area;
    let mut changed = 0;
    for y in y0..(y0 + h).min(a.height) {
        for x in x0..(x0 + w).min(a.width) {
            let at = (y * a.width + x) * 3;
            if a.rgb.get(at..at + 3) != b.rgb.get(at..at + 3) {
                changed += 1;
            }
        }
    }
    changed
}

/// Light pixels (a menu's background) inside `area`.
fn light_in(image: &Image, area: (usize, usize, usize, usize)) -> usize {
    let (x0, y0, w, h) = area;
    let mut light = 0;
    for y in y0..(y0 + h).min(image.height) {
        for x in x0..(x0 + w).min(image.width) {
            let at = (y * image.width + x) * 3;
            if image
                .rgb
                .get(at..at + 3)
                .is_some_and(|px| px.iter().all(|c| *c > 200))
            {
                light += 1;
            }
        }
    }
    light
}

/// Right-clicks the icon until the menu is drawn (the icon appears once
/// sipchat has registered it); the screenshot with the menu.
fn open_menu(x: &Xvfb, shot: &Path) -> Image {
    let deadline = Instant::now() + WAIT;
    loop {
        let (icon_x, icon_y) = (ICON.0.to_string(), ICON.1.to_string());
        assert!(x.xdotool(&["mousemove", &icon_x, &icon_y, "click", "3"]));
        assert!(x.xdotool(&["mousemove", AWAY.0, AWAY.1]));
        std::thread::sleep(Duration::from_millis(700));
        let image = x.screenshot(shot);
        if light_in(&image, MENU_AREA) >= MENU_MIN_PIXELS {
            return image;
        }
        assert!(
            Instant::now() < deadline,
            "no tray menu was drawn within {WAIT:?}; the last screen is {}",
            shot.display()
        );
        // A click beside a menu closes it; a click elsewhere does no harm.
        assert!(x.xdotool(&["key", "Escape"]));
    }
}

/// Waits until the menu is gone again.
fn menu_closed(x: &Xvfb, shot: &Path) {
    let deadline = Instant::now() + WAIT;
    while light_in(&x.screenshot(shot), MENU_AREA) >= MENU_MIN_PIXELS {
        assert!(Instant::now() < deadline, "the tray menu stays open");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn the_tray_menu_is_drawn_by_xfce4_panel_and_its_quit_ends_sipchat() {
    if !on_path("xfce4-panel") {
        assert!(
            !xvfb::required(),
            "SIPCHAT_REQUIRE_XVFB is set but xfce4-panel (Debian package xfce4-panel) is not installed"
        );
        eprintln!("skipping: xfce4-panel is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The panel, and the xfconfd the bus starts for it, read their
    // configuration and icons from here; the only test in this file, so the
    // process environment is ours.
    let config_home = dir.path().join("config");
    let channel = config_home.join("xfce4/xfconf/xfce-perchannel-xml");
    std::fs::create_dir_all(&channel).unwrap();
    std::fs::write(channel.join("xfce4-panel.xml"), PANEL_CONFIG).unwrap();
    let share = dir.path().join("share");
    for size in [16, 24, 32, 48, 64] {
        let icons = share.join(format!("icons/hicolor/{size}x{size}/apps"));
        std::fs::create_dir_all(&icons).unwrap();
        let name = format!("{}.png", sipchat::paths::APP_ID);
        let packaged = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("packaging/icons/{size}x{size}"))
            .join(&name);
        std::fs::copy(packaged, icons.join(&name)).unwrap();
    }
    std::env::set_var("XDG_CONFIG_HOME", &config_home);
    std::env::set_var(
        "XDG_DATA_DIRS",
        format!("{}:/usr/local/share:/usr/share", share.display()),
    );
    let Some(bus) = PrivateBus::start_or_skip() else {
        return;
    };
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let shots = xvfb::artifacts();
    let baseline_path = shots.join("tray-before.png");

    let _panel = Killed(
        x.command("xfce4-panel")
            .arg("--disable-wm-check")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The panel is up once its strip is drawn.
    let deadline = Instant::now() + WAIT;
    let black = x.screenshot(&baseline_path);
    let panel = loop {
        std::thread::sleep(Duration::from_millis(300));
        let image = x.screenshot(&baseline_path);
        if changed_in(&black, &image, (0, 0, 200, PANEL_SIZE as usize)) > 1_000 {
            break image;
        }
        assert!(Instant::now() < deadline, "xfce4-panel drew nothing");
    };

    let data = dir.path().join("data");
    let config = dir.path().join("sipchat.ron");
    std::fs::write(
        &config,
        r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: 0))"#,
    )
    .unwrap();
    let mut sipchat = Killed(
        x.command(env!("CARGO_BIN_EXE_sipchat"))
            .env_remove("SIPCHAT_CONFIG")
            .env_remove("SIPCHAT_DATA_DIR")
            .env_remove("WAYLAND_DISPLAY")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("LANG", "en_US.UTF-8")
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .arg("--background")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // The icon appears in the panel once sipchat has registered its item
    // (a right click before that would open the panel's own menu).
    let icon_path = shots.join("tray-icon.png");
    let deadline = Instant::now() + WAIT;
    while changed_in(&panel, &x.screenshot(&icon_path), ICON_AREA) < ICON_MIN_PIXELS {
        assert!(
            Instant::now() < deadline,
            "no tray icon appeared; the screen is {}",
            icon_path.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let menu_path = shots.join("tray-menu.png");
    open_menu(&x, &menu_path);
    eprintln!("the tray menu: {}", menu_path.display());
    // The third entry (after Open sipchat and My status): "Mute messages
    // for an hour".
    assert!(x.xdotool(&["key", "Down", "Down", "Down", "Return"]));
    menu_closed(&x, &shots.join("tray-after-mute.png"));
    let state = data.join("window.ron");
    let deadline = Instant::now() + WAIT;
    while !std::fs::read_to_string(&state).is_ok_and(|s| s.contains("mute_until: Some(")) {
        assert!(
            Instant::now() < deadline,
            "muting was not remembered in {}",
            state.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let muted_path = shots.join("tray-menu-muted.png");
    open_menu(&x, &muted_path);
    eprintln!("the tray menu while muted: {}", muted_path.display());

    // The last entry: Quit.
    assert!(x.xdotool(&["key", "Up", "Return"]));
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = sipchat.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "sipchat still runs after Quit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
