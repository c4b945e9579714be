//! SDP for MSRP sessions (RFC 4975 section 8, RFC 4976, RFC 6135, RFC 5547), sans-IO.
//!
//! The wire format is read and written with the `sdp-types` crate (it keeps
//! `m=message <port> TCP/MSRP *` and every attribute as written); this module
//! gives the MSRP view of it and the offer/answer rules.
//!
//! # Reading
//!
//! [`SessionDescription::parse`] turns an SDP body into a typed value: the
//! session's origin, name and `c=`, and one [`Stream`] per `m=` line. A
//! `m=message` line with `TCP/MSRP` or `TCP/TLS/MSRP` becomes a
//! [`MsrpMedia`] (path, accept-types, setup, direction, RFC 5547 file
//! attributes, ...); every other line is kept as [`Stream::Other`] so an
//! answer can decline it with port 0. Attributes we do not know are kept in
//! order ([`RawAttribute`]) and written back. Malformed input is an
//! [`SdpError`] that says what was wrong; nothing here panics.
//! [`SessionDescription::to_bytes`] writes the value back (CRLF lines).
//!
//! # Offer/answer, for the INVITE dialog code
//!
//! Outgoing session (we offer):
//! 1. [`OfferParams::chat`] (or build the struct) and [`chat_offer`], or
//!    [`file_push_offer`] with a [`FileAttributes`]; send
//!    [`SessionDescription::to_bytes`] in the INVITE.
//! 2. On the 2xx: parse its body and call [`read_answer`]`(&offer, &answer)`.
//!    The [`Negotiated`] value says whether we connect or listen
//!    ([`Connect`]), the peer's path, accept-types, max-size and file-range.
//!    An [`AnswerError`] (the peer declined the stream with port 0, changed
//!    the transport, ...) means the session cannot start: send BYE.
//!
//! Incoming session (we answer):
//! 1. Parse the INVITE body. A parse error is a 488 too:
//!    `Rejection::Malformed(err)`.
//! 2. [`evaluate_offer`]`(&offer, &caps)` picks the MSRP stream and decides
//!    chat or file push, or returns a [`Rejection`] (answer 488, with
//!    [`Rejection::warning`] in a Warning header if wanted).
//! 3. The runtime may now ask the user (file offers), look for a partial file
//!    to resume, and create its listening socket and path (the scheme follows
//!    [`OfferDecision::transport`]).
//! 4. [`build_answer`]`(&offer, &decision, &local, resume)` gives the answer
//!    SDP for the 200; [`OfferDecision::negotiated`] gives the same
//!    [`Negotiated`] view the offerer gets.
//!
//! [`answer_offer`] does 2 and 4 in one call when nothing needs deciding in
//! between.
//!
//! # Connection roles (RFC 6135, RFC 4145)
//!
//! [`who_connects`] decides, for the offerer or the answerer, whether it opens
//! the TCP/TLS connection. When the offer has no `a=setup`, RFC 4975 applies:
//! the offerer is active. When the answer has none, the answerer is taken as
//! passive (an RFC 4975 answerer waits for the offerer). `actpass` in an
//! offer lets the answerer choose; `actpass` in an answer is an error; a
//! `holdconn` on either side means no connection yet.
//!
//! # MSRP URIs
//!
//! `a=path` URIs are kept as strings with a minimal check ([`MsrpPath`]); the
//! full MSRP URI type lives in `protocol::msrp::uri`. To switch, parse each
//! element in [`MsrpPath::parse`] with it and change the element type; the
//! rest of this module only uses [`MsrpPath`]'s methods.

mod description;
mod file;
mod negotiate;
mod types;

pub use description::{MsrpMedia, Origin, OtherMedia, RawAttribute, SessionDescription, Stream};
pub use file::{FileAttributes, FileDate, FileHash, FileRange, FileSelector};
pub use negotiate::{
    answer_offer, answer_setup_for, build_answer, chat_offer, evaluate_offer, file_push_offer, read_answer,
    who_connects, AnswerError, Capabilities, Connect, LocalEndpoint, Negotiated, OfferDecision, OfferKind,
    OfferParams, OfferRole, Rejection, SetupError, CHAT_ACCEPT_TYPES, CHAT_ACCEPT_WRAPPED_TYPES,
};
pub use types::{media_type_matches, uri_host_port, Address, Direction, MsrpPath, MsrpTransport, Setup};

/// Largest SDP body we parse, in bytes.
pub const MAX_SDP_BYTES: usize = 16 * 1024;
/// Most `m=` lines in one description.
pub const MAX_STREAMS: usize = 16;
/// Most attributes on one `m=` line, or at session level.
pub const MAX_ATTRIBUTES: usize = 64;
/// Longest attribute value (the text after `a=name:`), in bytes.
pub const MAX_ATTRIBUTE_BYTES: usize = 4096;
/// Most URIs in one `a=path` (the endpoint plus its relays).
pub const MAX_PATH_URIS: usize = 8;
/// Longest single MSRP URI in a path, in bytes.
pub const MAX_URI_BYTES: usize = 1024;
/// Most entries in `a=accept-types` or `a=accept-wrapped-types`.
pub const MAX_ACCEPT_TYPES: usize = 32;
/// Longest decoded file name in `a=file-selector`, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 1024;

/// What was wrong with an SDP body. The text says it in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// The body is larger than [`MAX_SDP_BYTES`].
    #[error("the session description is {len} bytes long; at most {limit} are accepted")]
    TooLarge {
        /// Size of the body.
        len: usize,
        /// [`MAX_SDP_BYTES`].
        limit: usize,
    },
    /// The SDP line structure is broken (from the `sdp-types` parser).
    #[error("the session description is malformed: {0}")]
    Syntax(String),
    /// More `m=` lines than [`MAX_STREAMS`].
    #[error("the session description has {count} media lines; at most {limit} are accepted")]
    TooManyStreams {
        /// Number of `m=` lines.
        count: usize,
        /// [`MAX_STREAMS`].
        limit: usize,
    },
    /// More attributes in one place than [`MAX_ATTRIBUTES`].
    #[error("{place} has {count} attributes; at most {limit} are accepted")]
    TooManyAttributes {
        /// "the session" or "media line N".
        place: String,
        /// Number of attributes.
        count: usize,
        /// [`MAX_ATTRIBUTES`].
        limit: usize,
    },
    /// An attribute value longer than [`MAX_ATTRIBUTE_BYTES`].
    #[error("the a={name} attribute is {len} bytes long; at most {limit} are accepted")]
    AttributeTooLong {
        /// Attribute name.
        name: String,
        /// Length of its value.
        len: usize,
        /// [`MAX_ATTRIBUTE_BYTES`].
        limit: usize,
    },
    /// An attribute we understand has a value we cannot read.
    #[error("media line {stream}: the a={name} attribute is invalid: {reason}")]
    BadAttribute {
        /// 1-based number of the `m=` line (0 for session level).
        stream: usize,
        /// Attribute name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A single-valued attribute appears twice on one media line.
    #[error("media line {stream}: the a={name} attribute appears more than once")]
    Duplicate {
        /// 1-based number of the `m=` line.
        stream: usize,
        /// Attribute name.
        name: String,
    },
    /// An MSRP media line (port not 0) without `a=path`.
    #[error("media line {stream}: an MSRP stream needs an a=path attribute")]
    MissingPath {
        /// 1-based number of the `m=` line.
        stream: usize,
    },
    /// A `c=` or `o=` line that is not an Internet address.
    #[error("the {line} line uses network type {nettype}; only IN is supported")]
    NetType {
        /// "c=" or "o=".
        line: &'static str,
        /// The network type found.
        nettype: String,
    },
}

impl From<sdp_types::ParserError> for SdpError {
    fn from(e: sdp_types::ParserError) -> Self {
        SdpError::Syntax(e.to_string())
    }
}
