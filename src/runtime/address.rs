//! A SIP address as the UI takes it from the user and shows it: parsed with
//! the protocol's URI checks, so what the window accepts is what the runtime
//! can send to, and its errors are the parser's own words. The UI sees this
//! type, never the protocol's `SipUri`.

use std::fmt;

use crate::model::conversation_key;
use crate::protocol::sip::uri::{SipUri, UriError};

/// A valid `sip:` / `sips:` address. Displays in canonical form (lower-case
/// scheme, parameters kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    uri: SipUri,
}

/// Why a text is not a SIP address, in the parser's words (e.g. `"sip:bob@"
/// has no valid host`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct AddressError(UriError);

impl Address {
    /// Reads a `sip:` or `sips:` URI (surrounding white space ignored).
    pub fn parse(text: &str) -> Result<Address, AddressError> {
        SipUri::parse(text)
            .map(|uri| Address { uri })
            .map_err(AddressError)
    }

    /// Reads an address as a user types it: a bare `bob@host` (no scheme,
    /// no `:` in the user part) is read as `sip:bob@host`.
    pub fn parse_typed(text: &str) -> Result<Address, AddressError> {
        let text = text.trim();
        let has_scheme = text.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("sip:"))
            || text.get(..5).is_some_and(|s| s.eq_ignore_ascii_case("sips:"));
        match text.split_once('@') {
            Some((user, _)) if !has_scheme && !user.contains(':') => Address::parse(&format!("sip:{text}")),
            _ => Address::parse(text),
        }
    }

    /// The user part (`bob` of `sip:bob@example.org`), percent-escapes as
    /// written; `None` for an address of a host alone.
    pub fn user(&self) -> Option<&str> {
        self.uri.user.as_deref()
    }

    /// The conversation key of this address ([`conversation_key`]).
    pub fn conversation_key(&self) -> String {
        conversation_key(&self.uri.to_string())
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.uri.fmt(f)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "address_tests.rs"]
mod tests;
