//! SHA-1 of files, computed beside the I/O instead of in its way.
//!
//! - A file to send (RFC 5547's `hash` selector, needed before the offer)
//!   is read on the calling thread and hashed on a [`HashThread`], with a
//!   few buffers going round between the two: the read of one buffer
//!   overlaps the hash of the one before, and no buffer is allocated per
//!   read. Its digest is kept by path, inode, size and times, so an
//!   unchanged file is not read again to offer it again; a file that
//!   changed while it was read is not kept (the next offer reads it again,
//!   and a receiver refuses what no longer matches the offered hash).
//! - A received file is hashed on a [`HashThread`] fed the chunks the
//!   writer has written, so writing never waits for SHA-1.
//!
//! Never more than [`HASH_QUEUE_BUFFERS`] buffers wait for the hash thread:
//! memory stays flat whatever the size of the file.

use sha1::{Digest, Sha1};
use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::Mutex;
use std::time::Duration;

/// Size of one read when hashing a file to send.
pub const HASH_BUFFER: usize = 256 * 1024;
/// Buffers that may wait for the hash thread (the reader or writer goes
/// ahead of the hash by at most this many).
pub const HASH_QUEUE_BUFFERS: usize = 4;

/// Files whose SHA-1 is kept after hashing, so offering an unchanged file
/// again (a resume, another recipient, a retry) reads it only to send it.
pub const MAX_KEPT_HASHES: usize = 64;

/// A file changed this recently may change again within the same tick of
/// the file system's clock without its times moving: its hash is not kept.
pub const STAMP_RESOLUTION: Duration = Duration::from_millis(20);

/// Why a hash thread could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The thread could not be started.
    #[error("cannot start the hashing thread: {0}")]
    Start(std::io::Error),
    /// The thread ended before it gave its digest.
    #[error("the hashing thread stopped")]
    Stopped,
}

impl From<HashError> for std::io::Error {
    fn from(e: HashError) -> std::io::Error {
        match e {
            HashError::Start(source) => source,
            HashError::Stopped => std::io::Error::other(e),
        }
    }
}

/// A thread that hashes the buffers it is given, in order.
pub(crate) struct HashThread {
    full: Option<SyncSender<(Vec<u8>, usize)>>,
    /// Buffers hashed and handed back for reuse (when `recycle`).
    empty: Receiver<Vec<u8>>,
    thread: Option<std::thread::JoinHandle<[u8; 20]>>,
    /// Buffers made so far (reused ones are not made again).
    made: usize,
}

impl HashThread {
    /// Starts a thread that hashes what is [`HashThread::feed`], going on
    /// from `hasher` (a fresh one, or one that holds the kept part of a
    /// resumed file); with `recycle`, the buffers come back for reuse.
    pub(crate) fn start_after(hasher: Sha1, recycle: bool) -> Result<HashThread, HashError> {
        let (full, queue) = sync_channel::<(Vec<u8>, usize)>(HASH_QUEUE_BUFFERS);
        let (give_back, empty) = sync_channel::<Vec<u8>>(HASH_QUEUE_BUFFERS + 2);
        let thread = std::thread::Builder::new()
            .name("sipchat-hash".into())
            .spawn(move || {
                let mut hasher = hasher;
                while let Ok((buf, len)) = queue.recv() {
                    hasher.update(&buf[..len.min(buf.len())]);
                    if recycle {
                        let _ = give_back.try_send(buf);
                    }
                }
                hasher.finalize().into()
            })
            .map_err(HashError::Start)?;
        Ok(HashThread {
            full: Some(full),
            empty,
            thread: Some(thread),
            made: 0,
        })
    }

    /// A buffer of [`HASH_BUFFER`] bytes to read into: one the thread has
    /// hashed, or a new one while fewer than the queue holds exist.
    fn buffer(&mut self) -> Result<Vec<u8>, HashError> {
        match self.empty.try_recv() {
            Ok(buf) => return Ok(buf),
            Err(TryRecvError::Disconnected) => return Err(HashError::Stopped),
            Err(TryRecvError::Empty) => {}
        }
        if self.made < HASH_QUEUE_BUFFERS + 2 {
            self.made += 1;
            return Ok(vec![0u8; HASH_BUFFER]);
        }
        self.empty.recv().map_err(|_| HashError::Stopped)
    }

    /// A buffer the thread has hashed, if one is back (with `recycle`).
    pub(crate) fn hashed(&mut self) -> Option<Vec<u8>> {
        self.empty.try_recv().ok()
    }

    /// Hands the first `len` bytes of `buf` to the thread (waits while
    /// [`HASH_QUEUE_BUFFERS`] are queued).
    pub(crate) fn feed(&mut self, buf: Vec<u8>, len: usize) -> Result<(), HashError> {
        let full = self.full.as_ref().ok_or(HashError::Stopped)?;
        full.send((buf, len)).map_err(|_| HashError::Stopped)
    }

    /// Waits for the thread to hash everything fed, and its digest.
    pub(crate) fn finish(mut self) -> Result<[u8; 20], HashError> {
        self.full = None;
        let thread = self.thread.take().ok_or(HashError::Stopped)?;
        thread.join().map_err(|_| HashError::Stopped)
    }
}

impl Drop for HashThread {
    fn drop(&mut self) {
        // Closing the queue ends the thread; nobody waits for its digest.
        self.full = None;
    }
}

/// SHA-1 and size of what `reader` gives to its end: read on this thread,
/// hashed on a [`HashThread`], the first bytes already hashed into `hasher`.
pub(crate) fn hash_stream(reader: &mut impl Read, hasher: Sha1) -> std::io::Result<(u64, [u8; 20])> {
    let mut thread = HashThread::start_after(hasher, true)?;
    let mut size = 0u64;
    loop {
        let mut buf = thread.buffer()?;
        let n = read_full(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        thread.feed(buf, n)?;
        if n < HASH_BUFFER {
            // A short read is the end (read_full fills what it can).
            break;
        }
    }
    Ok((size, thread.finish()?))
}

/// Reads until `buf` is full or the end; how many bytes it holds.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What says a file is unchanged since it was hashed: the same path and
/// inode, size, and modification and change times (the change time moves
/// on every write, even one that restores the modification time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileStamp {
    path: PathBuf,
    device: u64,
    inode: u64,
    size: u64,
    modified: (i64, i64),
    changed: (i64, i64),
}

impl FileStamp {
    pub(crate) fn of(path: &Path, meta: &std::fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        FileStamp {
            path: path.to_path_buf(),
            device: meta.dev(),
            inode: meta.ino(),
            size: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec()),
            changed: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// The hashes kept, newest last.
static KEPT_HASHES: Mutex<VecDeque<(FileStamp, [u8; 20])>> = Mutex::new(VecDeque::new());

/// The kept SHA-1 of a file with this stamp.
pub(crate) fn kept_hash(stamp: &FileStamp) -> Option<[u8; 20]> {
    let kept = KEPT_HASHES.lock().ok()?;
    kept.iter().find(|(s, _)| s == stamp).map(|(_, hash)| *hash)
}

/// Keeps `hash` for `stamp`, forgetting the oldest beyond [`MAX_KEPT_HASHES`].
fn keep_hash(stamp: FileStamp, hash: [u8; 20]) {
    if let Ok(mut kept) = KEPT_HASHES.lock() {
        kept.retain(|(s, _)| s.path != stamp.path);
        if kept.len() >= MAX_KEPT_HASHES {
            kept.pop_front();
        }
        kept.push_back((stamp, hash));
    }
}

/// SHA-1 and size of a file to send: the kept hash when the file is
/// unchanged since it was last hashed, else read once (hashed beside the
/// reads) and kept when the file did not change while it was read.
pub(crate) fn hash_file(path: &Path) -> std::io::Result<(u64, [u8; 20])> {
    let file = File::open(path)?;
    hash_opened(path, &file, &mut &file)
}

/// [`hash_file`] of the open `file` at `path`, its bytes taken from
/// `reader` (the file itself; a test puts itself between).
fn hash_opened(path: &Path, file: &File, reader: &mut impl Read) -> std::io::Result<(u64, [u8; 20])> {
    let meta = file.metadata()?;
    let before = FileStamp::of(path, &meta);
    if let Some(hash) = kept_hash(&before) {
        return Ok((before.size, hash));
    }
    let settled = std::time::SystemTime::now()
        .duration_since(later_time(&meta))
        .is_ok_and(|age| age > STAMP_RESOLUTION);
    let (size, hash) = hash_stream(reader, Sha1::new())?;
    if settled && size == before.size && FileStamp::of(path, &file.metadata()?) == before {
        keep_hash(before, hash);
    }
    Ok((size, hash))
}

/// The later of a file's modification and change times.
fn later_time(meta: &std::fs::Metadata) -> std::time::SystemTime {
    use std::os::unix::fs::MetadataExt;
    let changed = u64::try_from(meta.ctime()).ok().and_then(|s| {
        std::time::UNIX_EPOCH.checked_add(Duration::new(s, u32::try_from(meta.ctime_nsec()).unwrap_or(0)))
    });
    match (meta.modified().ok(), changed) {
        (Some(m), Some(c)) => m.max(c),
        (Some(t), None) | (None, Some(t)) => t,
        // Unknown times: treat as just changed, so nothing is kept.
        (None, None) => std::time::SystemTime::now(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::Write;

    fn sha1_of(bytes: &[u8]) -> [u8; 20] {
        Sha1::digest(bytes).into()
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    /// The sizes around one buffer, where a pipeline is most likely wrong.
    fn edge_sizes() -> [usize; 7] {
        [
            0,
            1,
            HASH_BUFFER - 1,
            HASH_BUFFER,
            HASH_BUFFER + 1,
            HASH_BUFFER * (HASH_QUEUE_BUFFERS + 3),
            HASH_BUFFER * (HASH_QUEUE_BUFFERS + 3) + 5,
        ]
    }

    #[test]
    fn a_pipelined_hash_of_a_file_equals_the_plain_digest() {
        let dir = tempfile::tempdir().unwrap();
        for size in edge_sizes() {
            let path = dir.path().join(format!("file-{size}.bin"));
            let data = pattern(size);
            std::fs::write(&path, &data).unwrap();
            assert_eq!(
                hash_file(&path).unwrap(),
                (size as u64, sha1_of(&data)),
                "size {size}"
            );
        }
    }

    #[test]
    fn a_hash_thread_fed_chunks_equals_the_plain_digest() {
        for size in edge_sizes() {
            let data = pattern(size);
            for chunk in [4095, HASH_BUFFER - 1, HASH_BUFFER, HASH_BUFFER + 1] {
                let mut thread = HashThread::start_after(Sha1::new(), false).unwrap();
                for piece in data.chunks(chunk) {
                    thread.feed(piece.to_vec(), piece.len()).unwrap();
                }
                assert_eq!(
                    thread.finish().unwrap(),
                    sha1_of(&data),
                    "size {size}, chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn a_hash_thread_goes_on_from_a_kept_part() {
        let data = pattern(HASH_BUFFER * 2 + 3);
        let (kept, rest) = data.split_at(HASH_BUFFER + 1);
        let mut hasher = Sha1::new();
        hasher.update(kept);
        let mut thread = HashThread::start_after(hasher, false).unwrap();
        thread.feed(rest.to_vec(), rest.len()).unwrap();
        assert_eq!(thread.finish().unwrap(), sha1_of(&data));
    }

    /// Reads the file and, after its first read, writes to it through
    /// another handle (another program changing the file meanwhile).
    struct Meddler<'a> {
        file: &'a File,
        path: &'a Path,
        reads: usize,
    }

    impl Read for Meddler<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.reads += 1;
            if self.reads == 2 {
                let mut other = File::options().append(true).open(self.path).unwrap();
                other.write_all(b"appended meanwhile").unwrap();
            }
            let mut file = self.file;
            file.read(buf)
        }
    }

    #[test]
    fn a_file_changed_while_it_is_hashed_is_not_kept_and_is_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("changing.bin");
        let data = pattern(HASH_BUFFER * 3);
        std::fs::write(&path, &data).unwrap();
        std::thread::sleep(STAMP_RESOLUTION * 3);
        let file = File::open(&path).unwrap();
        let mut meddler = Meddler {
            file: &file,
            path: &path,
            reads: 0,
        };
        let (size, _) = hash_opened(&path, &file, &mut meddler).unwrap();
        assert!(size >= data.len() as u64);
        let stamp = FileStamp::of(&path, &std::fs::metadata(&path).unwrap());
        assert_eq!(kept_hash(&stamp), None, "a digest of a changing file is not kept");
        let mut now = data.clone();
        now.extend_from_slice(b"appended meanwhile");
        assert_eq!(hash_file(&path).unwrap(), (now.len() as u64, sha1_of(&now)));
    }

    #[test]
    fn an_unchanged_file_keeps_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kept.bin");
        std::fs::write(&path, b"the same bytes").unwrap();
        std::thread::sleep(STAMP_RESOLUTION * 3);
        assert_eq!(hash_file(&path).unwrap(), (14, sha1_of(b"the same bytes")));
        let stamp = FileStamp::of(&path, &std::fs::metadata(&path).unwrap());
        assert_eq!(kept_hash(&stamp), Some(sha1_of(b"the same bytes")));
        assert_eq!(hash_file(&path).unwrap(), (14, sha1_of(b"the same bytes")));
    }

    #[test]
    fn a_rewritten_file_is_hashed_again_even_with_its_old_size_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rewritten.bin");
        std::fs::write(&path, b"first").unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(STAMP_RESOLUTION * 3);
        assert_eq!(hash_file(&path).unwrap().1, sha1_of(b"first"));
        let stamp = FileStamp::of(&path, &std::fs::metadata(&path).unwrap());
        assert!(kept_hash(&stamp).is_some());
        std::fs::write(&path, b"other").unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert_eq!(hash_file(&path).unwrap(), (5, sha1_of(b"other")));
    }
}
