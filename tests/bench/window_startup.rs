//! Benchmark (not a test): how fast the window appears and how much memory
//! it holds when idle. Needs Xvfb, xdotool and ImageMagick (as the window
//! test does).
//!
//! `cargo bench --bench window_startup [-- RUNS]` (default 10 runs)
//!
//! Each run starts the optimised `sipchat` (no command: the window) on a
//! fresh data directory with only the local account, under one Xvfb, and
//! measures:
//! - time to the window: from spawning the process until its window is
//!   mapped (polled with `xdotool search --onlyvisible` every 5 ms, so the
//!   figure is up to ~10 ms late);
//! - time to first painted frame: from spawning until a capture of the
//!   window (`import -window ID`, taken over and over) shows the drawn UI
//!   (at least 16 colours) rather than an empty window; measured when the
//!   capture returns, so it is an upper bound (a capture takes some ms);
//! - idle RSS: `VmRSS` from `/proc/PID/status` 3 s later, and the peak
//!   (`VmHWM`).
//!
//! Goals (issue 7): first frame under 300 ms, idle RSS under 60 MiB.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

#[path = "../support/xvfb.rs"]
mod xvfb;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const IDLE: Duration = Duration::from_secs(3);
const GOAL_FIRST_FRAME: Duration = Duration::from_millis(300);
const GOAL_RSS_KIB: u64 = 60 * 1024;

/// A field of `/proc/PID/status` in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

fn median<T: Copy + Ord>(values: &mut [T]) -> T {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10);
    let Some(x) = xvfb::Xvfb::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.ron");
    std::fs::write(&config, "(accounts: [], local: (enabled: true, port: 0))").unwrap();

    let mut first_frames = Vec::new();
    let mut paints = Vec::new();
    let mut rss = Vec::new();
    let mut peaks = Vec::new();
    for run in 0..runs {
        let data = dir.path().join(format!("data-{run}"));
        let started = Instant::now();
        let mut child = x
            .command(env!("CARGO_BIN_EXE_sipchat"))
            .env("SIPCHAT_CONFIG", &config)
            .env("SIPCHAT_DATA_DIR", &data)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let window = x.wait_for_window("^sipchat", Duration::from_secs(20));
        let first_frame = started.elapsed();
        let window = window.unwrap_or_else(|| panic!("run {run}: no window in 20 s"));
        let painted = loop {
            let drawn = x
                .capture_window(&window)
                .is_some_and(|image| image.distinct_colours() >= 16);
            if drawn {
                break started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "run {run}: never painted"
            );
            std::thread::sleep(Duration::from_millis(2));
        };
        std::thread::sleep(IDLE);
        let resident = status_kib(child.id(), "VmRSS:");
        let peak = status_kib(child.id(), "VmHWM:");
        println!(
            "run {run:>2}: mapped {:>4} ms, painted {:>4} ms, idle RSS {:>5.1} MiB (peak {:.1} MiB)",
            first_frame.as_millis(),
            painted.as_millis(),
            resident as f64 / 1024.0,
            peak as f64 / 1024.0
        );
        first_frames.push(first_frame);
        paints.push(painted);
        rss.push(resident);
        peaks.push(peak);
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let _ = child.wait();
    }
    if runs == 0 {
        return;
    }
    let best = *first_frames.iter().min().unwrap();
    let worst = *first_frames.iter().max().unwrap();
    let first_frame = median(&mut first_frames);
    let painted_best = *paints.iter().min().unwrap();
    let painted_worst = *paints.iter().max().unwrap();
    let painted = median(&mut paints);
    let resident = median(&mut rss);
    let peak = median(&mut peaks);
    println!(
        "window mapped: median {} ms (best {}, worst {})",
        first_frame.as_millis(),
        best.as_millis(),
        worst.as_millis(),
    );
    println!(
        "first painted frame: median {} ms (best {}, worst {}; goal < {} ms) {}",
        painted.as_millis(),
        painted_best.as_millis(),
        painted_worst.as_millis(),
        GOAL_FIRST_FRAME.as_millis(),
        if painted < GOAL_FIRST_FRAME {
            "ok"
        } else {
            "MISSED"
        }
    );
    println!(
        "idle RSS: median {:.1} MiB (peak {:.1} MiB; goal < {} MiB) {}",
        resident as f64 / 1024.0,
        peak as f64 / 1024.0,
        GOAL_RSS_KIB / 1024,
        if resident < GOAL_RSS_KIB { "ok" } else { "MISSED" }
    );
}
