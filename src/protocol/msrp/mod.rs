//! MSRP (RFC 4975) and MSRP relays (RFC 4976), sans-IO.
//!
//! - [`uri`]: `msrp://` and `msrps://` URIs and their comparison rules;
//! - [`frame`] and [`decoder`]: frames, typed headers (Byte-Range, Status,
//!   report requests, paths), the serializer and an incremental decoder
//!   with named limits; [`wire`]: a frame's bytes in parts (head, body,
//!   end-line), so a chunk's body is written from its own buffer;
//! - [`Session`]: one session over one connection: chunking, streaming
//!   sends with backpressure, reassembly or streaming of incoming
//!   messages, responses, REPORTs, timeouts and keep-alives;
//! - [`pacing`]: how many bytes a session may have on their way through
//!   relays (the far end's answers and partial success REPORTs);
//! - [`relay`]: the AUTH client for a relay.
//!
//! Nothing here opens sockets or reads clocks: bytes and `Instant`s in,
//! bytes and events out.

pub mod decoder;
pub mod frame;
pub mod incoming;
pub mod outgoing;
pub mod pacing;
pub mod ranges;
pub mod relay;
pub mod session;
mod session_config;
pub mod session_in;
mod session_out;
pub mod uri;
pub mod wire;

pub use decoder::{FrameDecoder, FrameError};
pub use frame::{
    ByteRange, Continuation, Frame, FrameKind, HeaderError, Method, ReportRequest, StatusHeader,
};
pub use incoming::IncomingMode;
pub use outgoing::ReportOptions;
pub use relay::{RelayClient, RelayConfig, RelayEvent, RelayOutput};
pub use session::{DataRequest, Output, Session, SessionConfig, SessionError, SessionEvent, SessionState};
pub use session_in::{refuse_connection, target_session_id};
pub use uri::{MsrpUri, UriError};
pub use wire::WireFrame;
