//! Incremental MSRP stream decoder: push bytes as they arrive (any split),
//! take whole frames out.
//!
//! A frame's header section ends either with its end-line (no body) or with
//! an empty line, after which the body runs until `CRLF -------<txid><flag>
//! CRLF`. Every size is bounded by the limits in [`super::frame`]. After a
//! [`FrameError`] the stream cannot be resynchronised: the decoder keeps
//! returning the error and the runtime must close the connection.
//!
//! A runtime may read from its socket straight into the decoder's buffer
//! ([`FrameDecoder::lend`], then [`FrameDecoder::restore`]) instead of
//! copying bytes in with [`FrameDecoder::push`]. Then a large body (a file
//! chunk) is read into a buffer of its own, sized from its `Byte-Range`,
//! which becomes the frame's body without a copy.

use super::frame::{
    valid_transaction_id, Continuation, Frame, FrameKind, Method, END_LINE_DASHES, MAX_CHUNK_BODY_BYTES,
    MAX_HEADERS, MAX_HEADER_SECTION_BYTES,
};

/// A body announced (by its `Byte-Range`) at least this long is read into
/// a buffer of its own once its first bytes are in, when the reader
/// appends to a lent buffer ([`FrameDecoder::lend`]): the buffer is then
/// handed out as the body, without a copy.
pub const OWN_BUFFER_BODY_BYTES: usize = 64 * 1024;
/// Between frames, a lent buffer has room for this many bytes, so a read
/// takes the next frame's header and not much of its body (which then goes
/// into a buffer of its own without a copy).
pub const HEAD_READ_BYTES: usize = 4 * 1024;
/// Buffers of bodies already handed out and given back
/// ([`FrameDecoder::give_spare`]) kept for the next large bodies.
pub const MAX_SPARE_BODIES: usize = 4;

/// Why the byte stream is not MSRP. The connection must be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The start line is not `MSRP <txid> <METHOD>` or `MSRP <txid> <code> [comment]`.
    #[error("the first line of an MSRP frame is malformed: {0}")]
    BadStartLine(&'static str),
    /// The transaction id is too short, too long or has characters it cannot have.
    #[error("the transaction id is not 3 to 31 letters, digits or . - + % =")]
    BadTransactionId,
    /// A header line is not `Name: value`.
    #[error("header line {0} of an MSRP frame is not of the form Name: value")]
    BadHeaderLine(usize),
    /// Header bytes that are not UTF-8.
    #[error("an MSRP frame has header text that is not UTF-8")]
    NotUtf8,
    /// Start line and headers longer than [`MAX_HEADER_SECTION_BYTES`].
    #[error("the headers of an MSRP frame are longer than {MAX_HEADER_SECTION_BYTES} bytes")]
    HeadersTooLong,
    /// More than [`MAX_HEADERS`] header lines.
    #[error("an MSRP frame has more than {MAX_HEADERS} headers")]
    TooManyHeaders,
    /// A body longer than [`MAX_CHUNK_BODY_BYTES`] without an end-line.
    #[error("an MSRP chunk body is longer than {MAX_CHUNK_BODY_BYTES} bytes")]
    BodyTooLarge,
}

#[derive(Debug)]
enum State {
    /// Reading lines; `line_start` is where the next unread line begins.
    Head { line_start: usize },
    /// Reading the body that starts at `body_start`; the end-line search
    /// resumes at `scan`.
    Body { body_start: usize, scan: usize },
}

/// The stream decoder of one connection.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    state: State,
    partial: Option<Frame>,
    failed: Option<FrameError>,
    /// The buffer is lent out ([`FrameDecoder::lend`]): no frames until it
    /// is back.
    lent: bool,
    /// The frame being read has its body in a buffer of its own (`buf`
    /// holds the body from its first byte): the bytes its body and
    /// end-line take, and a copy of its header for
    /// [`FrameDecoder::take_buffered`].
    own_body: Option<(usize, Vec<u8>)>,
    /// Buffers to read large bodies into (at most [`MAX_SPARE_BODIES`]).
    spares: Vec<Vec<u8>>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new()
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    // Bodies of file chunks are scanned for their end-line: a vectorised
    // search keeps that from dominating large transfers.
    memchr::memmem::find(hay, needle)
}

impl FrameDecoder {
    /// An empty decoder.
    pub fn new() -> FrameDecoder {
        FrameDecoder {
            buf: Vec::new(),
            state: State::Head { line_start: 0 },
            partial: None,
            failed: None,
            lent: false,
            own_body: None,
            spares: Vec::new(),
        }
    }

    /// Gives back the buffer of a body handed out before, once its bytes
    /// are used: the next large body is read into it (no new memory).
    pub fn give_spare(&mut self, mut buf: Vec<u8>) {
        if self.spares.len() < MAX_SPARE_BODIES && buf.capacity() >= OWN_BUFFER_BODY_BYTES {
            buf.clear();
            self.spares.push(buf);
        }
    }

    /// Lends the buffer of bytes not yet returned as frames, with room for
    /// at least `room` more, so that a reader appends what it receives in
    /// place instead of copying it in with [`FrameDecoder::push`]. Give it
    /// back with [`FrameDecoder::restore`]; only append to it. Also says
    /// how many bytes to read at most: for a large body, the rest of its
    /// frame (more than `room` if need be), so that its buffer holds
    /// nothing else.
    pub fn lend(&mut self, room: usize) -> (Vec<u8>, usize) {
        if self.failed.is_some() {
            self.buf.clear();
        }
        self.own_large_body();
        let room = match (&self.state, &self.own_body) {
            // The rest of the frame, in one read if the socket has it: the
            // body's buffer holds nothing else and never grows.
            (_, Some((whole, _))) if *whole > self.buf.len() => whole - self.buf.len(),
            (State::Head { .. }, _) if self.buf.is_empty() => room.min(HEAD_READ_BYTES),
            _ => room,
        };
        let mut buf = std::mem::take(&mut self.buf);
        buf.reserve(room);
        self.lent = true;
        (buf, room)
    }

    /// Moves the body being read into a buffer of its own when its
    /// `Byte-Range` announces a large one, and the empty-body case is
    /// already ruled out (the end-line search went past the header).
    fn own_large_body(&mut self) {
        let (State::Body { body_start, scan }, None, Some(frame)) =
            (&self.state, &self.own_body, &self.partial)
        else {
            return;
        };
        let (body_start, scan) = (*body_start, *scan);
        let Some(body) = frame
            .byte_range()
            .ok()
            .flatten()
            .and_then(|r| r.end.map(|end| end.saturating_sub(r.start).saturating_add(1)))
            .and_then(|len| usize::try_from(len).ok())
        else {
            return;
        };
        if !(OWN_BUFFER_BODY_BYTES..=MAX_CHUNK_BODY_BYTES).contains(&body) || scan < body_start {
            return;
        }
        // CRLF, dashes, transaction id, flag, CRLF.
        let whole = body + 2 + END_LINE_DASHES.len() + frame.transaction_id.len() + 3;
        if self.buf.len() - body_start >= whole {
            return;
        }
        let mut own = match self.spares.iter().position(|b| b.capacity() >= whole) {
            Some(i) => self.spares.swap_remove(i),
            None => Vec::with_capacity(whole),
        };
        own.extend_from_slice(&self.buf[body_start..]);
        self.buf.truncate(body_start);
        let head = std::mem::replace(&mut self.buf, own);
        self.own_body = Some((whole, head));
        self.state = State::Body {
            body_start: 0,
            scan: scan - body_start,
        };
    }

    /// Takes the lent buffer back, with the bytes appended to it.
    pub fn restore(&mut self, buf: Vec<u8>) {
        self.lent = false;
        // Bytes pushed while the buffer was out follow the appended ones.
        let pushed = std::mem::replace(&mut self.buf, buf);
        self.buf.extend_from_slice(&pushed);
        if self.failed.is_some() {
            self.buf.clear();
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes received but not yet part of a returned frame.
    pub fn buffered(&self) -> usize {
        self.buf.len() + self.own_body.as_ref().map_or(0, |(_, head)| head.len())
    }

    /// Takes every byte not yet returned as part of a frame (the start of
    /// an incomplete frame included) and resets the decoder. A passive
    /// runtime that decoded the first frame of a connection itself hands
    /// these to the session's [`super::Session::handle_bytes`] after
    /// [`super::Session::handle_frame`].
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.state = State::Head { line_start: 0 };
        self.partial = None;
        let buf = std::mem::take(&mut self.buf);
        match self.own_body.take() {
            Some((_, mut head)) => {
                head.extend_from_slice(&buf);
                head
            }
            None => buf,
        }
    }

    /// The next whole frame, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.lent {
            return Ok(None);
        }
        match self.step() {
            Ok(f) => Ok(f),
            Err(e) => {
                self.failed = Some(e.clone());
                self.buf = Vec::new();
                self.own_body = None;
                Err(e)
            }
        }
    }

    fn step(&mut self) -> Result<Option<Frame>, FrameError> {
        loop {
            match self.state {
                State::Head { line_start } => {
                    let Some(rel) = find(&self.buf[line_start..], b"\r\n") else {
                        if self.buf.len() > MAX_HEADER_SECTION_BYTES {
                            return Err(FrameError::HeadersTooLong);
                        }
                        return Ok(None);
                    };
                    let line_end = line_start + rel;
                    if line_end + 2 > MAX_HEADER_SECTION_BYTES {
                        return Err(FrameError::HeadersTooLong);
                    }
                    let next = line_end + 2;
                    if let Some(done) = self.head_line(line_start, line_end)? {
                        return Ok(Some(done));
                    }
                    if let State::Head { .. } = self.state {
                        self.state = State::Head { line_start: next };
                    }
                    if self.partial.is_none() {
                        // Leading empty line skipped: drop it.
                        self.buf.drain(..next);
                        self.state = State::Head { line_start: 0 };
                    }
                }
                State::Body { body_start, scan } => return self.body(body_start, scan),
            }
        }
    }

    /// Handles one complete line `buf[start..end]` of the header section.
    /// Returns a frame when the line was its end-line.
    fn head_line(&mut self, start: usize, end: usize) -> Result<Option<Frame>, FrameError> {
        let line = &self.buf[start..end];
        let Some(frame) = &mut self.partial else {
            if line.is_empty() {
                return Ok(None);
            }
            let text = std::str::from_utf8(line).map_err(|_| FrameError::NotUtf8)?;
            self.partial = Some(parse_start_line(text)?);
            return Ok(None);
        };
        if line.is_empty() {
            self.state = State::Body {
                body_start: end + 2,
                scan: end,
            };
            return Ok(None);
        }
        let txid = frame.transaction_id.as_bytes();
        if line.len() == END_LINE_DASHES.len() + txid.len() + 1
            && line.starts_with(END_LINE_DASHES)
            && &line[END_LINE_DASHES.len()..line.len() - 1] == txid
        {
            let flag = line[line.len() - 1];
            let cont =
                Continuation::from_flag(flag).ok_or(FrameError::BadHeaderLine(frame.headers.len() + 1))?;
            let mut done = self.partial.take().ok_or(FrameError::BadStartLine("internal"))?;
            done.continuation = cont;
            self.buf.drain(..end + 2);
            self.state = State::Head { line_start: 0 };
            return Ok(Some(done));
        }
        if frame.headers.len() == MAX_HEADERS {
            return Err(FrameError::TooManyHeaders);
        }
        let number = frame.headers.len() + 1;
        let text = std::str::from_utf8(line).map_err(|_| FrameError::NotUtf8)?;
        let (name, value) = text.split_once(':').ok_or(FrameError::BadHeaderLine(number))?;
        let name_ok = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'-' | b'_' | b'.' | b'!' | b'%' | b'*' | b'+' | b'`' | b'\'' | b'~'
                    )
            });
        if !name_ok || value.contains(|c: char| c.is_control() && c != '\t') {
            return Err(FrameError::BadHeaderLine(number));
        }
        frame
            .headers
            .push((name.to_string(), value.trim_matches([' ', '\t']).to_string()));
        Ok(None)
    }

    fn body(&mut self, body_start: usize, scan: usize) -> Result<Option<Frame>, FrameError> {
        let Some(frame) = &self.partial else {
            return Err(FrameError::BadStartLine("internal"));
        };
        let mut needle = b"\r\n".to_vec();
        needle.extend_from_slice(END_LINE_DASHES);
        needle.extend_from_slice(frame.transaction_id.as_bytes());
        let mut from = scan;
        while let Some(rel) = find(&self.buf[from..], &needle) {
            let at = from + rel;
            let flag_at = at + needle.len();
            if self.buf.len() < flag_at + 3 {
                // The end-line may be incomplete: look again from here.
                self.state = State::Body { body_start, scan: at };
                return self.check_body_size(body_start, needle.len());
            }
            if let Some(cont) = Continuation::from_flag(self.buf[flag_at]) {
                if &self.buf[flag_at + 1..flag_at + 3] == b"\r\n" {
                    if at.saturating_sub(body_start) > MAX_CHUNK_BODY_BYTES {
                        return Err(FrameError::BodyTooLarge);
                    }
                    let mut done = self.partial.take().ok_or(FrameError::BadStartLine("internal"))?;
                    if self.own_body.take().is_some() {
                        // The buffer is the body: hand it out, keep what follows.
                        let rest = self.buf.split_off(flag_at + 3);
                        self.buf.truncate(at);
                        done.body = std::mem::replace(&mut self.buf, rest);
                    } else {
                        done.body = self.buf[body_start..at.max(body_start)].to_vec();
                        self.buf.drain(..flag_at + 3);
                    }
                    done.continuation = cont;
                    self.state = State::Head { line_start: 0 };
                    return Ok(Some(done));
                }
            }
            from = at + 1;
        }
        let resume = self.buf.len().saturating_sub(needle.len() + 2).max(scan);
        self.state = State::Body {
            body_start,
            scan: resume,
        };
        self.check_body_size(body_start, needle.len())
    }

    /// Fails once no end-line can follow a body of at most
    /// [`MAX_CHUNK_BODY_BYTES`] (the same verdict whatever the split).
    fn check_body_size(&self, body_start: usize, needle: usize) -> Result<Option<Frame>, FrameError> {
        if self.buf.len().saturating_sub(body_start) > MAX_CHUNK_BODY_BYTES + needle + 3 {
            return Err(FrameError::BodyTooLarge);
        }
        Ok(None)
    }
}

fn parse_start_line(line: &str) -> Result<Frame, FrameError> {
    let rest = line
        .strip_prefix("MSRP ")
        .ok_or(FrameError::BadStartLine("it does not start with MSRP"))?;
    let (txid, rest) = rest.split_once(' ').ok_or(FrameError::BadStartLine(
        "no method or status after the transaction id",
    ))?;
    if !valid_transaction_id(txid) {
        return Err(FrameError::BadTransactionId);
    }
    let kind = if rest.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let (code, comment) = match rest.split_once(' ') {
            Some((c, comment)) => (c, Some(comment)),
            None => (rest, None),
        };
        if code.len() != 3 {
            return Err(FrameError::BadStartLine("the status code is not three digits"));
        }
        let code: u16 = code
            .parse()
            .map_err(|_| FrameError::BadStartLine("the status code is not a number"))?;
        if code < 100 {
            return Err(FrameError::BadStartLine("the status code is below 100"));
        }
        let comment = comment
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        if comment
            .as_deref()
            .is_some_and(|c| c.contains(|ch: char| ch.is_control() && ch != '\t'))
        {
            return Err(FrameError::BadStartLine("the comment holds control characters"));
        }
        FrameKind::Response { code, comment }
    } else {
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FrameError::BadStartLine("the method is not upper-case letters"));
        }
        FrameKind::Request(Method::from_token(rest))
    };
    Ok(Frame {
        transaction_id: txid.to_string(),
        kind,
        headers: Vec::new(),
        body: Vec::new(),
        continuation: Continuation::Complete,
    })
}

#[cfg(test)]
#[path = "decoder_tests.rs"]
mod tests;
