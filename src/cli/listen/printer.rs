//! `listen`'s output lines, handed over without ever blocking the caller
//! and written to stdout, in order, by a thread of their own.
//!
//! `listen` reads the runtime's events on the runtime's network thread, so
//! a full pipe or a terminal stopped with Ctrl-S must not stall it: lines
//! go into a buffer and the writer thread writes them out. At a steady
//! rate of events the writer needs no wake-up per line: after each write
//! it waits [`LINGER`] for more lines before it sleeps until woken, so the
//! lines of that time go out in one write. A line is on stdout at most
//! [`LINGER`] after it was handed over (plus the time stdout takes).

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How long the writer waits for more lines after a write before it
/// sleeps until the next line wakes it.
pub const LINGER: Duration = Duration::from_millis(10);

/// Bytes of buffer the writer keeps between writes; a larger one (after
/// stdout stalled under a burst) is given back.
pub const KEPT_BUFFER_BYTES: usize = 64 * 1024;

/// What the caller and the writer share.
#[derive(Default)]
struct State {
    /// Lines not written yet, each ending in a newline.
    pending: Vec<u8>,
    /// The writer sleeps until a line wakes it.
    asleep: bool,
    /// No more lines: the writer writes what is left and ends.
    closed: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

/// Lines for stdout (or any writer), written by a thread of their own.
pub struct Printer {
    shared: Arc<Shared>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("listen::Printer")
    }
}

impl Printer {
    /// Starts the writer thread on `out`.
    pub fn start(out: impl Write + Send + 'static) -> std::io::Result<Printer> {
        let shared = Arc::new(Shared::default());
        let writing = shared.clone();
        let writer = std::thread::Builder::new()
            .name("sipchat-output".into())
            .spawn(move || write_out(&writing, out))?;
        Ok(Printer {
            shared,
            writer: Some(writer),
        })
    }

    /// Queues `line` (a newline is added); wakes the writer only when it
    /// sleeps.
    pub fn line(&self, line: &str) {
        let mut state = self.shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.pending.extend_from_slice(line.as_bytes());
        state.pending.push(b'\n');
        if state.asleep {
            state.asleep = false;
            self.shared.wake.notify_one();
        }
    }

    /// Writes every queued line and stops the writer.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        {
            let mut state = self.shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.closed = true;
            self.shared.wake.notify_one();
        }
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        self.close();
    }
}

/// The writer thread: takes what is queued, writes it, lingers, sleeps.
fn write_out(shared: &Shared, mut out: impl Write) {
    let mut batch = Vec::new();
    loop {
        {
            let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.pending.is_empty() && !state.closed {
                // Lines that come meanwhile wait for the end of the linger.
                state = shared
                    .wake
                    .wait_timeout(state, LINGER)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            if state.pending.is_empty() && !state.closed {
                state.asleep = true;
                while state.asleep && !state.closed {
                    state = shared.wake.wait(state).unwrap_or_else(PoisonError::into_inner);
                }
            }
            if state.pending.is_empty() && state.closed {
                return;
            }
            std::mem::swap(&mut batch, &mut state.pending);
        }
        // A failed write (stdout closed) loses only output, never messages.
        let _ = out.write_all(&batch);
        let _ = out.flush();
        batch.clear();
        batch.shrink_to(KEPT_BUFFER_BYTES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose bytes the test can read, and whose writes it can hold.
    #[derive(Clone, Default)]
    struct Recorder {
        bytes: Arc<Mutex<Vec<u8>>>,
        writes: Arc<Mutex<usize>>,
        hold: Arc<Mutex<()>>,
    }

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _held = self.hold.lock().unwrap();
            self.bytes.lock().unwrap().extend_from_slice(buf);
            *self.writes.lock().unwrap() += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn text(recorder: &Recorder) -> String {
        String::from_utf8(recorder.bytes.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn every_line_is_written_in_order_and_finish_writes_the_rest() {
        let recorder = Recorder::default();
        let printer = Printer::start(recorder.clone()).unwrap();
        let expected: String = (0..1000).map(|n| format!("line {n}\n")).collect();
        for n in 0..1000 {
            printer.line(&format!("line {n}"));
        }
        printer.finish();
        assert_eq!(text(&recorder), expected);
    }

    #[test]
    fn a_lone_line_wakes_the_sleeping_writer() {
        let recorder = Recorder::default();
        let printer = Printer::start(recorder.clone()).unwrap();
        // Long past the linger: the writer sleeps.
        std::thread::sleep(LINGER * 5);
        printer.line("alone");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while text(&recorder).is_empty() {
            assert!(std::time::Instant::now() < deadline, "the line was never written");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(text(&recorder), "alone\n");
        drop(printer);
    }

    #[test]
    fn a_stalled_output_never_blocks_the_caller() {
        let recorder = Recorder::default();
        let held = recorder.hold.lock().unwrap();
        let printer = Printer::start(recorder.clone()).unwrap();
        printer.line("first");
        // The writer is stuck in its write; handing lines over still returns.
        for n in 0..10_000 {
            printer.line(&format!("more {n}"));
        }
        drop(held);
        printer.finish();
        let written = text(&recorder);
        assert!(written.starts_with("first\nmore 0\n"), "{}", &written[..40]);
        assert!(written.ends_with("more 9999\n"));
        assert!(
            *recorder.writes.lock().unwrap() < 10_001,
            "lines queued meanwhile go out together"
        );
    }
}
