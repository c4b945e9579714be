//! A throw-away X server (Xvfb) for tests and benchmarks of the real window,
//! and the X tools they drive it with (xdotool, ImageMagick's `import` and
//! `convert`).
//!
//! ```ignore
//! #[path = "support/xvfb.rs"]
//! mod xvfb;
//! let Some(x) = xvfb::Xvfb::start_or_skip() else { return };
//! let window = x.wait_for_window("^sipchat", Duration::from_secs(20));
//! let shot = x.screenshot(&path);          // PNG kept on disk, pixels in memory
//! ```
//!
//! Environment: `SIPCHAT_REQUIRE_XVFB=1` (as `.ci/run` sets it) makes a
//! missing Xvfb, xdotool or ImageMagick fail instead of skip.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Screen size of the virtual display.
pub const SCREEN: (u32, u32) = (1280, 800);

/// The tools the window tests run, with the Debian package of each.
const TOOLS: &[(&str, &str)] = &[
    ("Xvfb", "xvfb"),
    ("xdotool", "xdotool"),
    ("import", "imagemagick"),
    ("convert", "imagemagick"),
];

/// True when a missing X tool must fail the test instead of skipping it.
pub fn required() -> bool {
    std::env::var_os("SIPCHAT_REQUIRE_XVFB").is_some_and(|v| !v.is_empty() && v != "0")
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// How long [`Xvfb::open_window`] waits for the sipchat window to appear.
pub const WINDOW_APPEARS: Duration = Duration::from_secs(30);

/// A process started by a window test (the window itself, a helper);
/// killed and reaped on drop.
pub struct Window(pub Child);

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running Xvfb on a display it chose itself; killed on drop.
pub struct Xvfb {
    child: Child,
    /// `":N"`
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb, or returns `None` (saying why) when it or a tool is
    /// missing; panics instead when [`required`].
    pub fn start_or_skip() -> Option<Xvfb> {
        Xvfb::start_sized_or_skip(SCREEN)
    }

    /// As [`Xvfb::start_or_skip`], with a screen of `(width, height)` pixels.
    pub fn start_sized_or_skip(size: (u32, u32)) -> Option<Xvfb> {
        let missing: Vec<String> = TOOLS
            .iter()
            .filter(|(tool, _)| !on_path(tool))
            .map(|(tool, package)| format!("{tool} (Debian package {package})"))
            .collect();
        if !missing.is_empty() {
            let why = format!("not installed: {}", missing.join(", "));
            if required() {
                panic!("SIPCHAT_REQUIRE_XVFB is set but {why}");
            }
            eprintln!("skipping the window test: {why}");
            return None;
        }
        Some(Xvfb::start_with_screen(size))
    }

    /// Starts Xvfb; `-displayfd 1` makes it pick a free display and print
    /// its number on stdout once it accepts connections.
    pub fn start() -> Xvfb {
        Xvfb::start_with_screen(SCREEN)
    }

    /// Starts Xvfb with a screen of `(width, height)` pixels.
    pub fn start_with_screen(size: (u32, u32)) -> Xvfb {
        let screen = format!("{}x{}x24", size.0, size.1);
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &screen,
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let stdout = child.stdout.take().expect("Xvfb's stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("Xvfb prints its display");
        let number = line.trim();
        assert!(
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
            "Xvfb did not print a display number (got {line:?})"
        );
        Xvfb {
            child,
            display: format!(":{number}"),
        }
    }

    /// A command run against this display.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.display);
        command
    }

    /// The sipchat window (the binary under test) on this display, its
    /// session bus at `bus_address`, its window state under `config_home`,
    /// in English; blind to the test's own `SIPCHAT_CONFIG`,
    /// `SIPCHAT_DATA_DIR` and `WAYLAND_DISPLAY`.
    pub fn sipchat_window(&self, bus_address: &str, config_home: &Path) -> Command {
        let mut command = self.sipchat_command(bus_address);
        command.env("XDG_CONFIG_HOME", config_home);
        command
    }

    /// [`Xvfb::sipchat_window`] with the test's own `XDG_CONFIG_HOME`.
    pub fn sipchat_command(&self, bus_address: &str) -> Command {
        let mut command = self.command(env!("CARGO_BIN_EXE_sipchat"));
        command
            .env_remove("SIPCHAT_CONFIG")
            .env_remove("SIPCHAT_DATA_DIR")
            .env_remove("WAYLAND_DISPLAY")
            .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            .env("LANG", "en_US.UTF-8");
        command
    }

    /// The sipchat window (the binary under test, in English, its output
    /// dropped) with `config` on `data`, once it is mapped (waiting up to
    /// [`WINDOW_APPEARS`]): the process and the window's id.
    pub fn open_window(&self, config: &Path, data: &Path) -> (Window, String) {
        let window = Window(
            self.command(env!("CARGO_BIN_EXE_sipchat"))
                .env("SIPCHAT_CONFIG", config)
                .env("SIPCHAT_DATA_DIR", data)
                .env("LANG", "en_US.UTF-8")
                .env_remove("WAYLAND_DISPLAY")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting the sipchat window: {e}")),
        );
        let id = self
            .wait_for_window("^sipchat", WINDOW_APPEARS)
            .unwrap_or_else(|| panic!("the sipchat window did not appear in {WINDOW_APPEARS:?}"));
        (window, id)
    }

    /// The id of a viewable (mapped) window whose name matches `pattern`,
    /// if there is one now.
    pub fn find_window(&self, pattern: &str) -> Option<String> {
        let out = self
            .command("xdotool")
            .args(["search", "--onlyvisible", "--name", pattern])
            .stderr(Stdio::null())
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
    }

    /// Polls (every 5 ms) until a window matching `pattern` is mapped.
    pub fn wait_for_window(&self, pattern: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(id) = self.find_window(pattern) {
                return Some(id);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The title of a window.
    pub fn window_name(&self, id: &str) -> String {
        let out = self
            .command("xdotool")
            .args(["getwindowname", id])
            .output()
            .expect("xdotool runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Runs `xdotool ARGS` and says whether it succeeded.
    pub fn xdotool(&self, args: &[&str]) -> bool {
        self.command("xdotool")
            .args(args)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }

    /// The pixels of one window, straight from the X server.
    pub fn capture_window(&self, id: &str) -> Option<Image> {
        let out = self
            .command("import")
            .args(["-window", id, "-depth", "8", "ppm:-"])
            .stderr(Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        Image::from_ppm(&out.stdout)
    }

    /// Saves one window as a PNG at `path`; `false` when `import` failed.
    pub fn screenshot_window(&self, id: &str, path: &Path) -> bool {
        self.command("import")
            .args(["-window", id])
            .arg(path)
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Saves the whole screen as a PNG at `path` and returns its pixels.
    pub fn screenshot(&self, path: &Path) -> Image {
        let status = self
            .command("import")
            .args(["-window", "root"])
            .arg(path)
            .status()
            .expect("import runs");
        assert!(status.success(), "import could not take a screenshot");
        let out = Command::new("convert")
            .arg(path)
            .args(["-depth", "8", "ppm:-"])
            .output()
            .expect("convert runs");
        assert!(out.status.success(), "convert could not read {}", path.display());
        Image::from_ppm(&out.stdout).expect("convert wrote a binary PPM")
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An RGB picture, 8 bits a channel.
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Image {
    /// Reads a binary PPM (`P6`, maxval 255).
    pub fn from_ppm(bytes: &[u8]) -> Option<Image> {
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if bytes.get(at) == Some(&b'#') {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            let start = at;
            while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if start == at {
                return None;
            }
            fields.push(std::str::from_utf8(&bytes[start..at]).ok()?.to_string());
        }
        at += 1; // the single whitespace after maxval
        if fields[0] != "P6" || fields[3] != "255" {
            return None;
        }
        let width: usize = fields[1].parse().ok()?;
        let height: usize = fields[2].parse().ok()?;
        let rgb = bytes.get(at..at + width * height * 3)?.to_vec();
        Some(Image { width, height, rgb })
    }

    /// How many different colours the picture has.
    pub fn distinct_colours(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        for px in self.rgb.chunks_exact(3) {
            seen.insert([px[0], px[1], px[2]]);
        }
        seen.len()
    }

    /// How many pixels differ from `other` (of the same size).
    pub fn differing_pixels(&self, other: &Image) -> usize {
        self.rgb
            .chunks_exact(3)
            .zip(other.rgb.chunks_exact(3))
            .filter(|(a, b)| a != b)
            .count()
    }
}

/// `target/gui-artifacts`, beside the tests' temporary directory (made if
/// missing): where GUI tests leave screenshots to be looked at.
pub fn artifacts() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .join("gui-artifacts");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}
