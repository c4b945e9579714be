//! Sans-IO SIP transaction layer (RFC 3261 section 17).
//!
//! This module implements the transaction state machines without touching
//! sockets, clocks or async runtimes:
//!
//! * time is always passed in as an [`std::time::Instant`] argument
//!   (`now`), and each machine reports the next instant at which it wants
//!   [`handle_timeout`](ClientNonInvite::handle_timeout) to be called via
//!   `poll_timeout()`;
//! * bytes to send come out of `poll_transmit()` (or the table's
//!   [`TransactionTable::poll_output`]); the caller owns the transport;
//! * the layer does not parse SIP: the caller extracts the few facts it
//!   needs (branch, CSeq method, Via sent-by, status code) and hands over
//!   opaque message bytes.
//!
//! Non-INVITE transactions ([`ClientNonInvite`], [`ServerNonInvite`]) live
//! in the [`TransactionTable`]; the INVITE transactions ([`ClientInvite`],
//! [`ServerInvite`], with the RFC 6026 Accepted state) are few and are kept
//! by the agent's session layer next to their dialogs. All RFC 3261 timer
//! arithmetic lives in [`timers`].

pub mod client;
pub mod client_invite;
pub mod server;
pub mod server_invite;
pub mod table;
pub mod timers;

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod invite_tests;
#[cfg(test)]
mod server_tests;
#[cfg(test)]
mod table_scale_tests;
#[cfg(test)]
mod table_tests;

use std::fmt;

pub use client::{ClientEvent, ClientNonInvite, ClientState};
pub use client_invite::{ClientInvite, ClientInviteState};
pub use server::{ServerEvent, ServerNonInvite, ServerState};
pub use server_invite::{ServerInvite, ServerInviteEvent, ServerInviteState};
pub use table::{
    ClientResponse, Retransmission, Role, TableOutput, TransactionTable, MAX_COMPLETED_BYTES,
    MAX_TRANSACTIONS,
};
pub use timers::TimerConfig;

/// The RFC 3261 magic cookie every compliant Via `branch` starts with.
pub const BRANCH_MAGIC_COOKIE: &str = "z9hG4bK";

/// Builds a Via `branch` parameter: [`BRANCH_MAGIC_COOKIE`] followed by
/// `seed` as 16 lowercase hex digits.
///
/// The caller supplies the randomness (e.g. from a CSPRNG); RFC 3261 8.1.1.7
/// requires branches to be unique across space and time, so `seed` must not
/// repeat in practice.
pub fn new_branch(seed: u64) -> String {
    format!("{BRANCH_MAGIC_COOKIE}{seed:016x}")
}

/// Identifies a transaction (RFC 3261 17.1.3 for clients, 17.2.3 for
/// servers).
///
/// * Client keys: top Via `branch` + CSeq `method`, `sent_by` is `None`.
/// * Server keys: top Via `branch` + Via `sent_by` + request method
///   (CSeq method), `sent_by` is `Some`.
///
/// Comparison is exact on all fields; use [`TransactionKey::client`] and
/// [`TransactionKey::server`] which normalise `sent_by` to lowercase.
/// For the future INVITE server: an ACK must be looked up with the method
/// `INVITE` (RFC 3261 17.2.3), which is the caller's job.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionKey {
    /// Via `branch` parameter (case-sensitive).
    pub branch: String,
    /// CSeq method, e.g. `MESSAGE` (case-sensitive, as SIP methods are).
    pub method: String,
    /// Via sent-by (`host[:port]`) for server transactions, `None` for
    /// client transactions.
    pub sent_by: Option<String>,
}

impl TransactionKey {
    /// Key for a client transaction (branch + method).
    pub fn client(branch: impl Into<String>, method: impl Into<String>) -> Self {
        Self {
            branch: branch.into(),
            method: method.into(),
            sent_by: None,
        }
    }

    /// Key for a server transaction (branch + method + sent-by). The
    /// sent-by is lowercased because host names compare case-insensitively.
    pub fn server(branch: impl Into<String>, method: impl Into<String>, sent_by: impl Into<String>) -> Self {
        Self {
            branch: branch.into(),
            method: method.into(),
            sent_by: Some(sent_by.into().to_ascii_lowercase()),
        }
    }
}

impl fmt::Display for TransactionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.branch)?;
        if let Some(sent_by) = &self.sent_by {
            write!(f, " via {sent_by}")?;
        }
        Ok(())
    }
}

/// Errors reported by the transaction layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransactionError {
    /// The table already holds [`MAX_TRANSACTIONS`] (or the configured
    /// limit) live transactions.
    #[error("transaction table full ({max} transactions)")]
    TableFull {
        /// The limit that was reached.
        max: usize,
    },
    /// A transaction with the same key already exists in the table.
    #[error("transaction {0} already exists")]
    DuplicateKey(TransactionKey),
    /// A status code outside 100..=699 was supplied.
    #[error("invalid SIP status code {0}")]
    InvalidStatus(u16),
    /// The server transaction already sent a final response.
    #[error("a final response was already sent on this transaction")]
    FinalAlreadySent,
    /// The transaction is terminated and accepts no more input.
    #[error("the transaction is terminated")]
    Terminated,
}

/// Coarse classification of a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusClass {
    /// 1xx.
    Provisional,
    /// 2xx-6xx.
    Final,
}

/// Classifies `status`, or `None` when it is not a valid SIP status code.
fn classify_status(status: u16) -> Option<StatusClass> {
    match status {
        100..=199 => Some(StatusClass::Provisional),
        200..=699 => Some(StatusClass::Final),
        _ => None,
    }
}
