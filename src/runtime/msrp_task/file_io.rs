//! The file side of a transfer's MSRP task: a reader thread that hands the
//! file out in chunks through a small bounded channel (sending), a writer
//! thread that writes received chunks to the temporary file and hands them
//! to a hashing thread ([`super::file_hash`]) so the write never waits for
//! SHA-1 (receiving), and progress throttling. Never more than a few chunks
//! of a file are in memory, and their buffers go round instead of being
//! made anew: sending, the connection's writer gives a written chunk's
//! buffer back to the reader ([`FileIo::recycler`]); receiving, a hashed
//! chunk's buffer goes back to the session to read the next chunk into
//! ([`FileIo::spare_body`]).

use super::file_hash::{hash_stream, HashError, HashThread, HASH_BUFFER};
use super::file_sync::Syncer;
use super::writer::Recycle;
use super::TaskEvent;
use crate::protocol::msrp::{ReportOptions, Session, SessionError, SessionEvent};
use sha1::{Digest, Sha1};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Chunks read ahead of the connection (sending) or queued for the disk
/// (receiving).
pub const FILE_QUEUE_CHUNKS: usize = 8;
/// Written chunk buffers kept for the reader to fill again (each
/// [`FILE_CHUNK_SIZE`] bytes).
pub const SPARE_CHUNK_BUFFERS: usize = 8;
/// Progress is reported at most this often per transfer.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// Chunk size for direct file sessions (relays cap chunks lower).
pub const FILE_CHUNK_SIZE: usize = 256 * 1024;
/// Unanswered chunks a file session may have out (the window).
pub const FILE_CHUNKS_IN_FLIGHT: usize = 16;
/// A receiver makes the bytes it has durable (flush and fsync) after every
/// this many, then sends a success REPORT for them, so the sender learns
/// how far a resume may start.
pub const DURABLE_EVERY: u64 = 4 * 1024 * 1024;
/// After the first durable point, at most one fsync per this long: a fast
/// transfer is not slowed by a sync every [`DURABLE_EVERY`] bytes, and a
/// resume loses at most this much of the transfer.
pub const DURABLE_MIN_GAP: Duration = Duration::from_millis(500);

/// Why the file side of a transfer failed (the words users see).
#[derive(Debug, thiserror::Error)]
pub enum FileIoError {
    /// The file to send cannot be opened or read.
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    /// A reader or writer thread could not be started.
    #[error("{0}")]
    Thread(std::io::Error),
    /// The kept part of a resumed file cannot be opened.
    #[error("cannot open {path} to resume: {source}")]
    ResumeOpen { path: String, source: std::io::Error },
    /// The kept part of a resumed file cannot be cut to its length.
    #[error("cannot cut {path} to resume: {source}")]
    ResumeCut { path: String, source: std::io::Error },
    /// The temporary file cannot be created.
    #[error("cannot create {path}: {source}")]
    Create { path: String, source: std::io::Error },
    /// The kept part of a resumed file cannot be read to hash it.
    #[error("cannot read the kept part of {path}: {source}")]
    KeptPart { path: String, source: std::io::Error },
    /// Writing the temporary file failed.
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    /// Syncing the temporary file failed.
    #[error("cannot save {path}: {source}")]
    Save { path: String, source: std::io::Error },
    /// The reader stopped before the end.
    #[error("the file could not be read to the end")]
    ReadStopped,
    /// The file shrank while it was sent.
    #[error("the file became shorter while it was sent")]
    Shorter,
    /// A read failed while sending.
    #[error("reading the file failed: {0}")]
    Reading(std::io::Error),
    /// The writer thread stopped.
    #[error("the file writer stopped")]
    WriterStopped,
    /// Hashing the received file failed.
    #[error("cannot check the received file: {0}")]
    Hash(#[from] HashError),
    /// The session refused to start the file's message.
    #[error(transparent)]
    Begin(SessionError),
    /// The session refused a chunk.
    #[error("cannot send the file: {0}")]
    Push(SessionError),
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// What a transfer's task does with the file.
#[derive(Debug, Clone)]
pub(crate) enum FileJob {
    /// Send `path` (`size` bytes of `content_type`), from byte `from + 1`
    /// (the peer holds the first `from` bytes when resuming).
    Send {
        path: PathBuf,
        size: u64,
        content_type: String,
        from: u64,
    },
    /// Receive into `temp` a file of `size` bytes (refused beyond `limit`).
    /// With `from > 0`, `temp` exists and its first `from` bytes are kept
    /// (a resume): the rest is appended and the whole file hashed.
    Receive {
        temp: PathBuf,
        size: u64,
        limit: u64,
        from: u64,
        /// Bytes from the start made durable so far (set by the writer).
        durable: Arc<AtomicU64>,
    },
}

impl FileJob {
    /// Bytes the receiver already holds.
    pub(crate) fn from(&self) -> u64 {
        match self {
            FileJob::Send { from, .. } | FileJob::Receive { from, .. } => *from,
        }
    }
}

/// Size and SHA-1 of a written file, or why it could not be written.
type Written = Result<(u64, [u8; 20]), FileIoError>;

enum WriteOp {
    Data { offset: u64, data: Vec<u8> },
    Finish(oneshot::Sender<Written>),
}

enum Mode {
    Sending {
        msrp_id: Option<String>,
        chunks: mpsc::Receiver<Result<Vec<u8>, FileIoError>>,
        /// Where the connection's writer gives written chunk buffers back
        /// to the reader thread.
        recycle: Recycle,
    },
    Receiving {
        writer: mpsc::Sender<WriteOp>,
        queued: VecDeque<WriteOp>,
        done: Option<oneshot::Receiver<Written>>,
        /// Offsets the writer made durable.
        durable: mpsc::UnboundedReceiver<u64>,
        /// Buffers of received chunks written and hashed, for the session
        /// to read the next chunks into.
        spare: std::sync::mpsc::Receiver<Vec<u8>>,
        msrp_id: Option<String>,
        limit: u64,
    },
}

/// What the file side has for the connection loop.
pub(crate) enum FileReady {
    /// The next chunk to push.
    Chunk(Result<Vec<u8>, FileIoError>),
    /// The received file is on disk: its size and SHA-1 (or why not).
    Written(Written),
    /// The first this many bytes of the received file are durable.
    Durable(u64),
}

/// The file side of one task.
pub(crate) struct FileIo {
    mode: Mode,
    total: u64,
    bytes: u64,
    started: Instant,
    last_progress: Option<Instant>,
    finished: bool,
}

impl FileIo {
    /// Starts the reader or writer thread for `job`.
    pub(crate) fn start(job: &FileJob, chunk_size: usize) -> Result<FileIo, FileIoError> {
        let (mode, total) = match job {
            FileJob::Send { path, size, from, .. } => {
                let read = |source| FileIoError::Read {
                    path: shown(path),
                    source,
                };
                let mut file = File::open(path).map_err(read)?;
                let from = (*from).min(*size);
                file.seek(SeekFrom::Start(from)).map_err(read)?;
                let (tx, rx) = mpsc::channel(FILE_QUEUE_CHUNKS);
                let (recycle, spare) = std::sync::mpsc::sync_channel(SPARE_CHUNK_BUFFERS);
                let size = *size;
                std::thread::Builder::new()
                    .name("sipchat-file-read".into())
                    .spawn(move || read_loop(file, size - from, chunk_size, tx, spare))
                    .map_err(FileIoError::Thread)?;
                (
                    Mode::Sending {
                        msrp_id: None,
                        chunks: rx,
                        recycle,
                    },
                    size,
                )
            }
            FileJob::Receive {
                temp,
                size,
                limit,
                from,
                durable: shared,
            } => {
                let file = if *from > 0 {
                    let file = std::fs::OpenOptions::new()
                        .read(true)
                        .write(true)
                        .open(temp)
                        .map_err(|source| FileIoError::ResumeOpen {
                            path: shown(temp),
                            source,
                        })?;
                    file.set_len(*from).map_err(|source| FileIoError::ResumeCut {
                        path: shown(temp),
                        source,
                    })?;
                    file
                } else {
                    std::fs::OpenOptions::new()
                        .read(true)
                        .write(true)
                        .create_new(true)
                        .open(temp)
                        .map_err(|source| FileIoError::Create {
                            path: shown(temp),
                            source,
                        })?
                };
                let (tx, rx) = mpsc::channel(FILE_QUEUE_CHUNKS);
                let (durable_tx, durable_rx) = mpsc::unbounded_channel();
                let (spare_tx, spare) = std::sync::mpsc::sync_channel(SPARE_CHUNK_BUFFERS);
                let path = temp.clone();
                let from = *from;
                shared.store(from, Ordering::Relaxed);
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name("sipchat-file-write".into())
                    .spawn(move || write_loop(file, path, from, rx, (durable_tx, shared), spare_tx))
                    .map_err(FileIoError::Thread)?;
                (
                    Mode::Receiving {
                        writer: tx,
                        queued: VecDeque::new(),
                        done: None,
                        durable: durable_rx,
                        spare,
                        msrp_id: None,
                        limit: *limit,
                    },
                    *size,
                )
            }
        };
        Ok(FileIo {
            mode,
            total,
            bytes: job.from(),
            started: Instant::now(),
            last_progress: None,
            finished: false,
        })
    }

    /// Where the connection's writer gives written chunk buffers back for
    /// the reader to fill again (sending only).
    pub(crate) fn recycler(&self) -> Option<Recycle> {
        match &self.mode {
            Mode::Sending { recycle, .. } => Some(recycle.clone()),
            Mode::Receiving { .. } => None,
        }
    }

    /// A buffer of a received chunk that is written and hashed, for the
    /// session to read the next large chunk into (receiving only).
    pub(crate) fn spare_body(&mut self) -> Option<Vec<u8>> {
        match &self.mode {
            Mode::Receiving { spare, .. } => spare.try_recv().ok(),
            Mode::Sending { .. } => None,
        }
    }

    /// Begins the outgoing message (sending side) once the session is
    /// open, from byte `from + 1` when resuming.
    pub(crate) fn begin(
        &mut self,
        session: &mut Session,
        content_type: &str,
        from: u64,
    ) -> Result<(), FileIoError> {
        if let Mode::Sending { msrp_id, .. } = &mut self.mode {
            let reports = ReportOptions {
                success: true,
                ..ReportOptions::default()
            };
            let id = session
                .begin_message_from(content_type, self.total, from, reports, Instant::now())
                .map_err(FileIoError::Begin)?;
            *msrp_id = Some(id);
        }
        Ok(())
    }

    /// Whether the loop should wait on [`FileIo::ready`] now.
    pub(crate) fn waiting(&self, session: &Session) -> bool {
        match &self.mode {
            Mode::Sending { msrp_id, .. } => {
                msrp_id.is_some() && !self.finished && session.data_wanted().is_some()
            }
            Mode::Receiving { .. } => true,
        }
    }

    /// Waits for the next chunk to send, or the writer's result.
    pub(crate) async fn ready(&mut self) -> FileReady {
        match &mut self.mode {
            Mode::Sending { chunks, .. } => {
                FileReady::Chunk(chunks.recv().await.unwrap_or(Err(FileIoError::ReadStopped)))
            }
            Mode::Receiving { done, durable, .. } => {
                let written = async {
                    match done.as_mut() {
                        Some(rx) => rx.await.unwrap_or(Err(FileIoError::WriterStopped)),
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    r = written => {
                        *done = None;
                        FileReady::Written(r)
                    }
                    Some(bytes) = durable.recv() => FileReady::Durable(bytes),
                }
            }
        }
    }

    /// Pushes a chunk read from the file into the session.
    pub(crate) fn push(&mut self, session: &mut Session, data: Vec<u8>) -> Result<(), FileIoError> {
        if let Mode::Sending {
            msrp_id: Some(id), ..
        } = &self.mode
        {
            session
                .push_data_owned(id, data, Instant::now())
                .map_err(FileIoError::Push)?;
        }
        Ok(())
    }

    /// Writes queued chunks to the writer thread (waits while it is busy:
    /// backpressure on the connection).
    pub(crate) async fn flush(&mut self) {
        if let Mode::Receiving { writer, queued, .. } = &mut self.mode {
            while let Some(op) = queued.pop_front() {
                if writer.send(op).await.is_err() {
                    queued.clear();
                    break;
                }
            }
        }
    }

    /// Handles a session event if it concerns the file (chunks are queued
    /// for [`FileIo::flush`]; outcomes go out as task events).
    /// A received chunk's bytes are taken out of the event (no copy); the
    /// event's other fields stay for the caller.
    pub(crate) fn on_event(&mut self, event: &mut SessionEvent, send: &impl Fn(TaskEvent)) {
        match (&mut self.mode, event) {
            (
                Mode::Sending {
                    msrp_id: Some(id), ..
                },
                SessionEvent::Progress {
                    message_id,
                    acknowledged,
                    ..
                },
            ) if id == message_id => {
                self.bytes = *acknowledged;
                self.progress(send, false);
            }
            (
                Mode::Sending {
                    msrp_id: Some(id), ..
                },
                SessionEvent::PartReported {
                    message_id, through, ..
                },
            ) if id == message_id => send(TaskEvent::FileConfirmed { bytes: *through }),
            (
                Mode::Sending {
                    msrp_id: Some(id), ..
                },
                SessionEvent::MessageDelivered { message_id },
            ) if id == message_id => {
                self.finished = true;
                self.bytes = self.total;
                self.progress(send, true);
                send(TaskEvent::FileSent);
            }
            (
                Mode::Sending {
                    msrp_id: Some(id), ..
                },
                SessionEvent::MessageFailed {
                    message_id, reason, ..
                }
                | SessionEvent::DeliveryUnknown { message_id, reason },
            ) if id == message_id => {
                self.finished = true;
                send(TaskEvent::FileFailed {
                    reason: reason.clone(),
                });
            }
            (
                Mode::Sending {
                    msrp_id: Some(id), ..
                },
                SessionEvent::MessageAborted { message_id },
            ) if id == message_id => {
                self.finished = true;
            }
            (
                Mode::Receiving {
                    queued,
                    msrp_id,
                    limit,
                    ..
                },
                SessionEvent::ChunkReceived {
                    message_id,
                    start,
                    data,
                    ..
                },
            ) => {
                if msrp_id.get_or_insert_with(|| message_id.clone()) != message_id || self.finished {
                    return;
                }
                let len = data.len() as u64;
                let end = start.saturating_sub(1) + len;
                if end > self.total || end > *limit {
                    self.finished = true;
                    send(TaskEvent::FileFailed {
                        reason: format!("the sender sent more than the {} bytes it offered", self.total),
                    });
                    return;
                }
                queued.push_back(WriteOp::Data {
                    offset: start.saturating_sub(1),
                    data: std::mem::take(data),
                });
                self.bytes += len;
                self.progress(send, false);
            }
            (
                Mode::Receiving {
                    queued,
                    msrp_id,
                    done,
                    ..
                },
                SessionEvent::StreamComplete { message_id, .. },
            ) if msrp_id.as_deref().is_none_or(|id| id == message_id) && !self.finished => {
                *msrp_id = Some(message_id.clone());
                let (tx, rx) = oneshot::channel();
                queued.push_back(WriteOp::Finish(tx));
                *done = Some(rx);
                self.progress(send, true);
            }
            (
                Mode::Receiving {
                    msrp_id: Some(id), ..
                },
                SessionEvent::IncomingAborted { message_id },
            ) if id == message_id => {
                self.finished = true;
                send(TaskEvent::FileFailed {
                    reason: "the sender cancelled the transfer".into(),
                });
            }
            _ => {}
        }
    }

    /// The received message's MSRP id (for its success REPORT).
    pub(crate) fn incoming_id(&self) -> Option<String> {
        match &self.mode {
            Mode::Receiving { msrp_id, .. } => msrp_id.clone(),
            Mode::Sending { .. } => None,
        }
    }

    fn progress(&mut self, send: &impl Fn(TaskEvent), force: bool) {
        let now = Instant::now();
        if !force && self.last_progress.is_some_and(|t| now - t < PROGRESS_INTERVAL) {
            return;
        }
        self.last_progress = Some(now);
        let secs = (now - self.started).as_secs_f64().max(0.001);
        send(TaskEvent::FileProgress {
            bytes: self.bytes,
            total: self.total,
            rate: (self.bytes as f64 / secs) as u64,
        });
    }
}

/// Reads the file in chunks of `chunk` bytes, each with one read call into
/// a buffer the writer gave back (`spare`) when there is one: a buffer
/// goes round reader, session, writer and back, and is filled without
/// being zeroed first.
fn read_loop(
    mut file: File,
    size: u64,
    chunk: usize,
    tx: mpsc::Sender<Result<Vec<u8>, FileIoError>>,
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
) {
    let mut left = size;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(chunk);
        let mut buf = spare.try_recv().unwrap_or_default();
        // A reused buffer already has its length: nothing to zero.
        buf.resize(want, 0);
        let r = match file.read_exact(&mut buf) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(FileIoError::Shorter),
            Err(e) => Err(FileIoError::Reading(e)),
        };
        let failed = r.is_err();
        if tx.blocking_send(r.map(|()| buf)).is_err() || failed {
            return;
        }
        left -= want as u64;
    }
    if size == 0 {
        let _ = tx.blocking_send(Ok(Vec::new()));
    }
}

/// Hashes the first `len` bytes of `file` (the kept part of a resumed file).
fn hash_prefix(file: &mut File, len: u64, hasher: &mut Sha1) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    let mut left = len;
    let mut buf = vec![0u8; HASH_BUFFER];
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        file.read_exact(&mut buf[..want])?;
        hasher.update(&buf[..want]);
        left -= want as u64;
    }
    Ok(())
}

fn write_loop(
    mut file: File,
    path: PathBuf,
    from: u64,
    mut rx: mpsc::Receiver<WriteOp>,
    (durable, shared): (mpsc::UnboundedSender<u64>, Arc<AtomicU64>),
    spare: std::sync::mpsc::SyncSender<Vec<u8>>,
) {
    let mut hasher = Sha1::new();
    let mut next = from;
    let mut failed: Option<FileIoError> = None;
    let mut written = from;
    let mut asked = from;
    let mut last_sync: Option<std::time::Instant> = None;
    let mut syncer = match Syncer::start(&file, durable, shared) {
        Ok(syncer) => Some(syncer),
        Err(source) => {
            failed = Some(FileIoError::Save {
                path: shown(&path),
                source,
            });
            None
        }
    };
    if from > 0 {
        if let Err(e) = hash_prefix(&mut file, from, &mut hasher) {
            failed = Some(FileIoError::KeptPart {
                path: shown(&path),
                source: e,
            });
        }
    }
    // Chunks in order are hashed beside the writes; once one comes out of
    // order, the file is hashed from disk at the end instead.
    let mut hashing = match HashThread::start_after(hasher, true) {
        Ok(thread) => Some(thread),
        Err(e) => {
            failed = failed.or(Some(FileIoError::Hash(e)));
            None
        }
    };
    while let Some(op) = rx.blocking_recv() {
        match op {
            WriteOp::Data { offset, data } => {
                if failed.is_some() {
                    continue;
                }
                if offset != next {
                    hashing = None;
                    if let Err(e) = file.seek(SeekFrom::Start(offset)) {
                        failed = Some(FileIoError::Write {
                            path: shown(&path),
                            source: e,
                        });
                        continue;
                    }
                }
                if let Err(e) = file.write_all(&data) {
                    failed = Some(FileIoError::Write {
                        path: shown(&path),
                        source: e,
                    });
                    continue;
                }
                next = offset + data.len() as u64;
                written = written.max(next);
                if let Some(thread) = hashing.as_mut() {
                    let len = data.len();
                    if let Err(e) = thread.feed(data, len) {
                        failed = Some(FileIoError::Hash(e));
                        continue;
                    }
                    // Hashed buffers go back to be read into again.
                    while let Some(buf) = thread.hashed() {
                        let _ = spare.try_send(buf);
                    }
                }
                let gap_passed = last_sync.is_none_or(|at| at.elapsed() >= DURABLE_MIN_GAP);
                if hashing.is_some() && next - asked >= DURABLE_EVERY && gap_passed {
                    // Made durable beside the writes (file_sync.rs); the
                    // gap counts from when the last one was asked for.
                    if syncer.as_mut().is_some_and(|s| s.request(next)) {
                        last_sync = Some(std::time::Instant::now());
                        asked = next;
                    }
                }
            }
            WriteOp::Finish(reply) => {
                let synced = syncer.take().map_or(Ok(()), Syncer::finish);
                let failed = failed.take().or_else(|| {
                    synced.err().map(|source| FileIoError::Save {
                        path: shown(&path),
                        source,
                    })
                });
                let result = match failed {
                    Some(e) => Err(e),
                    None => file
                        .sync_all()
                        .map_err(|source| FileIoError::Save {
                            path: shown(&path),
                            source,
                        })
                        .and_then(|()| match hashing.take() {
                            Some(thread) => Ok((written, thread.finish()?)),
                            None => File::open(&path)
                                .and_then(|mut f| hash_stream(&mut f, Sha1::new()))
                                .map_err(|source| FileIoError::Read {
                                    path: shown(&path),
                                    source,
                                }),
                        }),
                };
                let _ = reply.send(result);
                return;
            }
        }
    }
}
