//! The address book's vocabulary: a contact, what the user writes to add or
//! change one, and the contact a conversation belongs to.
//!
//! A contact is one person with one or more addresses (`sip:`, `sips:`,
//! `tel:`). Each address is compared by its [`super::conversation_key`], so a
//! conversation belongs to the contact holding its peer's key, whatever port
//! or transport the peer wrote from. An address belongs to at most one
//! contact.

use serde::{Deserialize, Serialize};
use std::fmt;

/// URI schemes a contact's address may have.
pub const CONTACT_SCHEMES: [&str; 3] = ["sip", "sips", "tel"];

/// Identifies a contact for its whole life (the store's row id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(pub i64);

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Everything the user says about a contact: what `add` and `edit` take.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactDraft {
    /// The name shown everywhere (vCard `FN`).
    pub name: String,
    /// Addresses as written, the preferred one first.
    pub addresses: Vec<String>,
    /// The account to reach the contact with; `None` for the default.
    pub account: Option<String>,
    /// A photo as a URI (`data:` or `https:`), as vCard 4 `PHOTO` has it.
    pub photo: Option<String>,
    /// Groups (vCard `CATEGORIES`).
    pub groups: Vec<String>,
    /// A free note.
    pub note: Option<String>,
    /// Shown first in the contact list.
    pub favourite: bool,
    /// Messages, chats and files from this contact are refused (603).
    pub blocked: bool,
    /// vCard content lines sipchat does not understand, as imported, written
    /// back unchanged on export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_vcard_lines: Vec<String>,
}

/// A contact of the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Its id.
    pub id: ContactId,
    /// What the user said about it.
    #[serde(flatten)]
    pub details: ContactDraft,
    /// When it was last changed (ms since the Unix epoch).
    pub updated_at: i64,
}

impl Contact {
    /// The preferred address (the first).
    pub fn address(&self) -> Option<&str> {
        self.details.addresses.first().map(String::as_str)
    }
}

/// A change to some fields of a contact (`None`: keep the field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPatch {
    /// A new name.
    pub name: Option<String>,
    /// New addresses, the preferred first.
    pub addresses: Option<Vec<String>>,
    /// A new account (`Some(None)`: the default one).
    pub account: Option<Option<String>>,
    /// A new photo (`Some(None)`: none).
    pub photo: Option<Option<String>>,
    /// New groups.
    pub groups: Option<Vec<String>>,
    /// A new note (`Some(None)`: none).
    pub note: Option<Option<String>>,
    /// Favourite or not.
    pub favourite: Option<bool>,
}

impl ContactPatch {
    /// `draft` with the patch applied.
    pub fn apply_to(&self, draft: &ContactDraft) -> ContactDraft {
        let mut out = draft.clone();
        if let Some(name) = &self.name {
            out.name.clone_from(name);
        }
        if let Some(addresses) = &self.addresses {
            out.addresses.clone_from(addresses);
        }
        if let Some(account) = &self.account {
            out.account.clone_from(account);
        }
        if let Some(photo) = &self.photo {
            out.photo.clone_from(photo);
        }
        if let Some(groups) = &self.groups {
            out.groups.clone_from(groups);
        }
        if let Some(note) = &self.note {
            out.note.clone_from(note);
        }
        if let Some(favourite) = self.favourite {
            out.favourite = favourite;
        }
        out
    }
}

/// Names a contact: by id (the window) or by one of its addresses (the
/// command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactSelector {
    /// By id.
    Id(ContactId),
    /// By an address (compared by key).
    Address(String),
}

impl fmt::Display for ContactSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContactSelector::Id(id) => write!(f, "#{id}"),
            ContactSelector::Address(address) => f.write_str(address),
        }
    }
}

/// The contact a conversation belongs to, as the conversation list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRef {
    /// The contact.
    pub id: ContactId,
    /// Its name.
    pub name: String,
    /// Whether it is blocked.
    pub blocked: bool,
}

/// Why an address cannot be a contact's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressProblem {
    /// Empty or only spaces.
    Empty,
    /// Not `sip:`, `sips:` or `tel:`.
    Scheme,
    /// A `sip:`/`sips:` URI without a valid host.
    Host,
}

impl fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressProblem::Empty => "the address is empty",
            AddressProblem::Scheme => "an address must start with sip:, sips: or tel:",
            AddressProblem::Host => "the address has no valid host (like sip:bob@example.org)",
        })
    }
}

/// Checks one address of a contact; `Ok` with its key
/// ([`super::conversation_key`]).
pub fn contact_address_key(address: &str) -> Result<String, AddressProblem> {
    let mut trimmed = address.trim();
    if trimmed.is_empty() {
        return Err(AddressProblem::Empty);
    }
    // A name-addr (`"Bob" <sip:bob@x>`) is reduced to its URI.
    if let (Some(open), Some(close)) = (trimmed.find('<'), trimmed.rfind('>')) {
        if open < close {
            trimmed = trimmed[open + 1..close].trim();
        }
    }
    let scheme = trimmed
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
        .ok_or(AddressProblem::Scheme)?;
    if !CONTACT_SCHEMES.contains(&scheme.as_str()) {
        return Err(AddressProblem::Scheme);
    }
    if scheme == "tel" {
        let number = trimmed["tel:".len()..].trim();
        if number.is_empty() {
            return Err(AddressProblem::Empty);
        }
        // tel: numbers have no case to compare; the scheme may have.
        return Ok(format!("tel:{number}"));
    }
    super::address::sip_key(trimmed).ok_or(AddressProblem::Host)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "contact_tests.rs"]
mod tests;
