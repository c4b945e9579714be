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
    /// Bytes every relay on a chat's path can queue per connection
    /// (Kamailio's `tcp_conn_wq_max`); unset: Kamailio's default, 32 KiB.
    /// Raise it only when every relay your chats and files pass was given
    /// a larger queue: a sender that overfills it loses the chat.
    pub relay_queue: Option<u32>,
}

/// The smallest [`MsrpConfig::relay_queue`] accepted: one chunk's frame
/// must fit with room to spare.
pub const MIN_RELAY_QUEUE: u32 = 16 * 1024;

impl MsrpConfig {
    /// Checks the settings; the field at fault and what is wrong with it.
    pub(crate) fn check(&self) -> Result<(), (&'static str, String)> {
        match self.relay_queue {
            Some(queue) if queue < MIN_RELAY_QUEUE => Err((
                "msrp.relay_queue",
                format!("msrp.relay_queue {queue} is too small (at least {MIN_RELAY_QUEUE} bytes)"),
            )),
            _ => Ok(()),
        }
    }
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
