//! Presence documents (SIP SIMPLE), sans-IO: PIDF (RFC 3863) with the RPID
//! activities (RFC 4480) and the data model's person (RFC 4479) in
//! `pidf.rs`, watcher information (RFC 3858) in `winfo.rs`, resource list
//! notifications (RFC 4662: RLMI in `rlmi.rs`, their multipart/related
//! bodies in `multipart.rs`), and RFC 3339
//! timestamps in `timestamp.rs`. Every reader is bounded by named
//! constants and answers malformed input with a typed error; none panics.
//! The SIP side (SUBSCRIBE/NOTIFY dialogs, PUBLISH) lives in the agent;
//! the pres-rules document kept on an XCAP server in `protocol::xcap`.

pub mod multipart;
pub mod pidf;
pub mod rlmi;
pub mod timestamp;
pub mod winfo;

/// The event package of presence (RFC 3856).
pub const EVENT_PRESENCE: &str = "presence";
/// The event package of presence watcher information (RFC 3857).
pub const EVENT_PRESENCE_WINFO: &str = "presence.winfo";
