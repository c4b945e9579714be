//! The sans-IO protocol core: bytes and time in, bytes and events out.
//! No sockets, no files, no clock reads, no tokio.

pub mod alert;
pub mod cpim;
pub mod imdn;
pub mod iscomposing;
pub mod msrp;
pub mod presence;
pub mod sdp;
pub mod sip;
/// STUN (RFC 5389) Binding messages for RFC 5626 keep-alives.
pub mod stun;
pub mod vcard;
/// XCAP (RFC 4825): HTTP/1.1 bytes, pres-rules documents.
pub mod xcap;
pub mod xml;
