//! sipchat: a chat client for SIP SIMPLE and MSRP.
//!
//! Layers, each depending only on those below it:
//!
//! ```text
//!   ui (binary only: iced)        cli (headless commands)
//!            \                     /
//!             runtime  (Runtime::start -> Handle + Event stream; tokio)
//!            /        \
//!     transport        protocol (sans-IO: SIP messages, transactions, agent)
//!     (tokio I/O)          |
//!            \          model (shared vocabulary)
//!             config, paths
//! ```
//!
//! The UI and the CLI see only [`runtime::Command`] and [`runtime::Event`].

pub mod autostart;
pub mod cli;
pub mod config;
pub mod model;
pub mod notify;
pub mod paths;
pub mod protocol;
pub mod runtime;
pub mod store;
pub mod transport;

pub use runtime::{Command, Event, Handle, Runtime};
