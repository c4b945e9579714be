//! One frame's bytes as the three parts they are made of: the start line
//! and headers, the body, and the end-line. A chunk's body stays the buffer
//! the file was read into, and the runtime writes the parts with one
//! vectored write: the body is never copied into a frame buffer.
//!
//! Frames without a body (answers, REPORTs, empty SENDs), and bytes made
//! elsewhere (a relay's AUTH), are one part.

use super::frame::{Frame, FrameKind, END_LINE_DASHES};

/// The bytes of one frame, in the order they go on the wire:
/// `head`, then `body`, then `tail`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WireFrame {
    head: Vec<u8>,
    body: Vec<u8>,
    tail: Vec<u8>,
}

impl WireFrame {
    /// All bytes on the wire.
    pub fn len(&self) -> usize {
        self.head.len() + self.body.len() + self.tail.len()
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parts in wire order (some may be empty).
    pub fn parts(&self) -> [&[u8]; 3] {
        [&self.head, &self.body, &self.tail]
    }

    /// The bytes joined in one buffer (a copy of the body; for tests and
    /// for writers that cannot write vectored).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        self.append_to(&mut out);
        out
    }

    /// Appends the bytes to `out`.
    pub fn append_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.head);
        out.extend_from_slice(&self.body);
        out.extend_from_slice(&self.tail);
    }

    /// The body buffer, once written (so its memory can be used again).
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}

impl From<Vec<u8>> for WireFrame {
    /// Bytes made whole elsewhere: one part.
    fn from(bytes: Vec<u8>) -> WireFrame {
        WireFrame {
            head: bytes,
            body: Vec::new(),
            tail: Vec::new(),
        }
    }
}

impl From<Frame> for WireFrame {
    /// The same bytes as [`Frame::to_bytes`], the body moved, not copied.
    fn from(frame: Frame) -> WireFrame {
        let mut head = Vec::with_capacity(256);
        head.extend_from_slice(b"MSRP ");
        head.extend_from_slice(frame.transaction_id.as_bytes());
        head.push(b' ');
        match &frame.kind {
            FrameKind::Request(m) => head.extend_from_slice(m.as_str().as_bytes()),
            FrameKind::Response { code, comment } => {
                head.extend_from_slice(format!("{code:03}").as_bytes());
                if let Some(c) = comment {
                    head.push(b' ');
                    head.extend_from_slice(c.as_bytes());
                }
            }
        }
        head.extend_from_slice(b"\r\n");
        for (name, value) in &frame.headers {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        let mut tail = Vec::with_capacity(2 + END_LINE_DASHES.len() + frame.transaction_id.len() + 3);
        if !frame.body.is_empty() {
            head.extend_from_slice(b"\r\n");
            tail.extend_from_slice(b"\r\n");
        }
        tail.extend_from_slice(END_LINE_DASHES);
        tail.extend_from_slice(frame.transaction_id.as_bytes());
        tail.push(frame.continuation.flag());
        tail.extend_from_slice(b"\r\n");
        WireFrame {
            head,
            body: frame.body,
            tail,
        }
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
