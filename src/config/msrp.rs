//! How chat sessions (MSRP) connect, per account.

use serde::Deserialize;

/// MSRP settings of an account (or the local account).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MsrpConfig {
    /// Direct chats over TLS (`msrps`). Unset: TLS when the account's SIP
    /// traffic uses TLS (never for the local account).
    pub tls: Option<bool>,
    /// Who opens the connection of a direct chat.
    pub role: MsrpRole,
}

/// Who opens the MSRP connection of a direct chat (RFC 6135 `a=setup`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MsrpRole {
    /// Offer to do either (`actpass`); when answering such an offer,
    /// connect.
    #[default]
    Auto,
    /// Always connect to the peer.
    Active,
    /// Always wait for the peer to connect (needs to be reachable).
    Passive,
}
