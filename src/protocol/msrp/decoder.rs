//! Incremental MSRP stream decoder: push bytes as they arrive (any split),
//! take whole frames out.
//!
//! A frame's header section ends either with its end-line (no body) or with
//! an empty line, after which the body runs until `CRLF -------<txid><flag>
//! CRLF`. Every size is bounded by the limits in [`super::frame`]. After a
//! [`FrameError`] the stream cannot be resynchronised: the decoder keeps
//! returning the error and the runtime must close the connection.

use super::frame::{
    valid_transaction_id, Continuation, Frame, FrameKind, Method, END_LINE_DASHES, MAX_CHUNK_BODY_BYTES,
    MAX_HEADERS, MAX_HEADER_SECTION_BYTES,
};

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
        }
    }

    /// Lends the buffer of bytes not yet returned as frames, with room for
    /// at least `room` more, so that a reader appends what it receives in
    /// place instead of copying it in with [`FrameDecoder::push`]. Give it
    /// back with [`FrameDecoder::restore`]; only append to it.
    pub fn lend(&mut self, room: usize) -> Vec<u8> {
        let mut buf = std::mem::take(&mut self.buf);
        if self.failed.is_some() {
            buf.clear();
        }
        buf.reserve(room);
        self.lent = true;
        buf
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
        self.buf.len()
    }

    /// Takes every byte not yet returned as part of a frame (the start of
    /// an incomplete frame included) and resets the decoder. A passive
    /// runtime that decoded the first frame of a connection itself hands
    /// these to the session's [`super::Session::handle_bytes`] after
    /// [`super::Session::handle_frame`].
    pub fn take_buffered(&mut self) -> Vec<u8> {
        self.state = State::Head { line_start: 0 };
        self.partial = None;
        std::mem::take(&mut self.buf)
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
                    done.body = self.buf[body_start..at.max(body_start)].to_vec();
                    done.continuation = cont;
                    self.buf.drain(..flag_at + 3);
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
