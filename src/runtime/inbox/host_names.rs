//! The host names among the trusted alert senders, and their addresses.
//!
//! Each name is resolved when the account starts, then again every
//! [`HOST_REFRESH`] (after a failed lookup: every [`HOST_RETRY`], keeping
//! the addresses of the last answer). An alert is judged with the addresses
//! known when it arrives: a name is only as good as its DNS, and a change
//! of address counts at the next refresh.

use super::InboxError;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How long the addresses of a trusted host name are used before it is
/// looked up again.
pub const HOST_REFRESH: Duration = Duration::from_secs(5 * 60);
/// How long after a failed lookup a trusted host name is looked up again.
pub const HOST_RETRY: Duration = Duration::from_secs(60);

/// One trusted host name.
#[derive(Debug)]
struct HostName {
    name: String,
    addresses: Vec<IpAddr>,
    /// When to look it up again; `None` before the first lookup.
    due: Option<Instant>,
    /// A lookup is under way.
    asking: bool,
}

/// The trusted host names of an account.
#[derive(Debug, Default)]
pub(super) struct HostNames {
    names: Vec<HostName>,
}

impl HostNames {
    pub(super) fn new(names: impl IntoIterator<Item = String>) -> HostNames {
        let mut list: Vec<HostName> = Vec::new();
        for name in names {
            if !list.iter().any(|h| h.name == name) {
                list.push(HostName {
                    name,
                    addresses: Vec::new(),
                    due: None,
                    asking: false,
                });
            }
        }
        HostNames { names: list }
    }

    /// The names to look up now (never asked, or due); each is marked as
    /// being asked until [`HostNames::resolved`].
    pub(super) fn due(&mut self, now: Instant) -> Vec<String> {
        self.names
            .iter_mut()
            .filter(|h| !h.asking && h.due.is_none_or(|due| due <= now))
            .map(|h| {
                h.asking = true;
                h.name.clone()
            })
            .collect()
    }

    /// When the next lookup is due (lookups under way and names never
    /// asked wait for their answer or for the start).
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        self.names
            .iter()
            .filter(|h| !h.asking)
            .filter_map(|h| h.due)
            .min()
    }

    /// A lookup of `name` answered (or failed).
    pub(super) fn resolved(&mut self, name: &str, result: Result<Vec<IpAddr>, InboxError>, now: Instant) {
        let Some(host) = self.names.iter_mut().find(|h| h.name == name) else {
            return;
        };
        host.asking = false;
        match result {
            Ok(addresses) => {
                tracing::debug!(host = name, ?addresses, "trusted alert sender resolved");
                host.addresses = addresses;
                host.due = Some(now + HOST_REFRESH);
            }
            Err(e) => {
                tracing::warn!(
                    host = name,
                    kept = host.addresses.len(),
                    "cannot look up the trusted alert sender {name} ({e}); trying again in {} s",
                    HOST_RETRY.as_secs()
                );
                host.due = Some(now + HOST_RETRY);
            }
        }
    }

    /// The current addresses of every name.
    pub(super) fn addresses(&self) -> impl Iterator<Item = &IpAddr> {
        self.names.iter().flat_map(|h| h.addresses.iter())
    }
}
