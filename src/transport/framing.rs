//! Cutting a TCP/TLS byte stream into SIP messages by Content-Length
//! (RFC 3261 section 18.3), and recognising RFC 5626 CRLF keep-alives.
//!
//! Pure: bytes in, frames out. The stream tasks feed it.

use crate::protocol::sip::message::MAX_MESSAGE_SIZE;

/// Longest header section accepted on a stream before we give up on the peer.
pub const MAX_STREAM_HEADER_BYTES: usize = 16 * 1024;
/// Largest body accepted on a stream.
pub const MAX_STREAM_BODY_BYTES: usize = MAX_MESSAGE_SIZE;

/// What the framer found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// One complete message (header section and body).
    Message(Vec<u8>),
    /// A keep-alive ping (`CRLFCRLF`): answer with a pong.
    Ping,
    /// A keep-alive pong (`CRLF`).
    Pong,
}

/// Why the stream cannot be framed any more; the connection should close.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    /// No end of the header section within [`MAX_STREAM_HEADER_BYTES`].
    #[error("header section longer than {MAX_STREAM_HEADER_BYTES} bytes")]
    HeaderTooLong,
    /// A message on a stream must carry Content-Length.
    #[error("message without Content-Length on a stream")]
    MissingContentLength,
    /// Content-Length is not a number.
    #[error("invalid Content-Length")]
    BadContentLength,
    /// Content-Length above [`MAX_STREAM_BODY_BYTES`].
    #[error("body of {0} bytes is larger than {MAX_STREAM_BODY_BYTES}")]
    BodyTooLarge(usize),
}

/// Accumulates stream bytes and yields frames.
#[derive(Debug, Default)]
pub struct StreamFramer {
    buf: Vec<u8>,
    /// How far the search for the end of the headers got (no rescans).
    scanned: usize,
}

impl StreamFramer {
    /// A framer with an empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
        self.scanned = 0;
    }

    /// Bytes waiting for the rest of their frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FramingError> {
        if self.buf.starts_with(b"\r\n\r\n") {
            self.consume(4);
            return Ok(Some(Frame::Ping));
        }
        if self.buf.starts_with(b"\r\n") && (self.buf.len() == 2 || self.buf[2] != b'\r') {
            self.consume(2);
            return Ok(Some(Frame::Pong));
        }
        if self.buf.starts_with(b"\r") && self.buf.len() < 4 {
            return Ok(None);
        }
        let Some((head_len, sep_len)) = find_head_end(&self.buf, self.scanned) else {
            // Resume a little before the end next time: a separator may straddle pushes.
            self.scanned = self.buf.len().saturating_sub(3);
            if self.buf.len() > MAX_STREAM_HEADER_BYTES {
                return Err(FramingError::HeaderTooLong);
            }
            return Ok(None);
        };
        if head_len > MAX_STREAM_HEADER_BYTES {
            return Err(FramingError::HeaderTooLong);
        }
        let body_len = content_length(&self.buf[..head_len])?;
        if body_len > MAX_STREAM_BODY_BYTES {
            return Err(FramingError::BodyTooLarge(body_len));
        }
        let total = head_len + sep_len + body_len;
        if self.buf.len() < total {
            return Ok(None);
        }
        let frame: Vec<u8> = self.buf[..total].to_vec();
        self.consume(total);
        Ok(Some(Frame::Message(frame)))
    }
}

/// The end of the header section, by the parser's own rule, within the
/// header size limit.
fn find_head_end(buf: &[u8], from: usize) -> Option<(usize, usize)> {
    let limit = buf.len().min(MAX_STREAM_HEADER_BYTES + 4);
    crate::protocol::sip::message::find_head_end(&buf[..limit], from.min(limit))
}

fn content_length(head: &[u8]) -> Result<usize, FramingError> {
    let text = String::from_utf8_lossy(head);
    for line in text.split('\n') {
        // A folded continuation belongs to the previous header, whatever it says.
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.eq_ignore_ascii_case("Content-Length") || name.eq_ignore_ascii_case("l") {
            return value
                .trim()
                .parse::<usize>()
                .map_err(|_| FramingError::BadContentLength);
        }
    }
    Err(FramingError::MissingContentLength)
}

#[cfg(test)]
#[path = "framing_tests.rs"]
mod tests;
