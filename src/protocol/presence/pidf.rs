//! PIDF (RFC 3863) with RPID activities (RFC 4480) and the data model's
//! person (RFC 4479): reading a presence document into its tuples and
//! persons, merging them into one [`Presence`], and writing ours.
//!
//! Reading goes by local element names, so any prefix works. Writing uses
//! the prefixes `dm:` and `rpid:` and puts `<basic>` on one line, because
//! baresip finds them by their literal text. Several devices (tuples), as
//! Kamailio merges them, count as open when any is open; the activity and
//! note come from the person element. Invisible is published closed.

use super::timestamp;
use crate::model::{OwnStatus, Presence, PresenceStatus};
use crate::protocol::xml::{self, Element, XmlError};

/// Content type of a PIDF document.
pub const CONTENT_TYPE: &str = "application/pidf+xml";
/// The PIDF namespace.
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:pidf";
/// The data model namespace (prefix `dm:`).
pub const NAMESPACE_DATA_MODEL: &str = "urn:ietf:params:xml:ns:pidf:data-model";
/// The RPID namespace (prefix `rpid:`).
pub const NAMESPACE_RPID: &str = "urn:ietf:params:xml:ns:pidf:rpid";
/// Most tuples (devices) read from one document.
pub const MAX_TUPLES: usize = 64;
/// Most person elements read from one document.
pub const MAX_PERSONS: usize = 8;
/// Most activities read per person.
pub const MAX_ACTIVITIES: usize = 16;
/// Longest note kept, in characters; longer notes are cut.
pub const MAX_NOTE_CHARS: usize = 512;
/// Longest entity, contact or id kept, in bytes; longer is malformed.
pub const MAX_URI_BYTES: usize = 1024;

/// Why a PIDF document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PidfError {
    /// Not well-formed or too large.
    #[error("the presence document cannot be read: {0}")]
    Xml(#[from] XmlError),
    /// The root is not `<presence>`.
    #[error("the document is not a presence document (its root is <{0}>)")]
    NotPresence(String),
    /// `<presence>` has no `entity`.
    #[error("the presence document names no entity")]
    NoEntity,
    /// More than [`MAX_TUPLES`] tuples or [`MAX_PERSONS`] persons.
    #[error("the presence document has more than {MAX_TUPLES} tuples or {MAX_PERSONS} persons")]
    TooMany,
    /// `<basic>` is neither `open` nor `closed`.
    #[error("a tuple's basic status is {0:?}, neither open nor closed")]
    Basic(String),
    /// An entity, contact or id longer than [`MAX_URI_BYTES`].
    #[error("an entity, contact or id in the presence document is longer than {MAX_URI_BYTES} bytes")]
    TooLong,
}

/// The basic status of a tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basic {
    /// Reachable.
    Open,
    /// Not reachable.
    Closed,
}

/// An RPID activity (the ones we act on; others are kept by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    /// `away`.
    Away,
    /// `busy`.
    Busy,
    /// `on-the-phone`.
    OnThePhone,
    /// `meeting`.
    Meeting,
    /// Any other, by its element name.
    Other(String),
}

impl Activity {
    fn from_name(name: &str) -> Activity {
        match name {
            "away" => Activity::Away,
            "busy" => Activity::Busy,
            "on-the-phone" => Activity::OnThePhone,
            "meeting" => Activity::Meeting,
            other => Activity::Other(other.to_string()),
        }
    }

    /// The status this activity means for someone who is open.
    fn status(&self) -> Option<PresenceStatus> {
        match self {
            Activity::Away => Some(PresenceStatus::Away),
            Activity::Busy | Activity::OnThePhone | Activity::Meeting => Some(PresenceStatus::Busy),
            Activity::Other(name) => match name.as_str() {
                "vacation" | "sleeping" | "steering" | "travel" => Some(PresenceStatus::Away),
                "performance" | "presentation" | "worship" => Some(PresenceStatus::Busy),
                _ => None,
            },
        }
    }
}

/// One `<tuple>`: a device or service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tuple {
    /// Its `id`.
    pub id: String,
    /// `<status><basic>`, when given.
    pub basic: Option<Basic>,
    /// `<contact>`.
    pub contact: Option<String>,
    /// `<note>`s, cut to [`MAX_NOTE_CHARS`].
    pub notes: Vec<String>,
    /// `<timestamp>` in Unix seconds (an unreadable one is left out).
    pub timestamp: Option<i64>,
}

/// One `<dm:person>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    /// Its `id`.
    pub id: String,
    /// `<rpid:activities>`.
    pub activities: Vec<Activity>,
    /// `<dm:note>`s.
    pub notes: Vec<String>,
    /// `<dm:timestamp>` in Unix seconds.
    pub timestamp: Option<i64>,
}

/// A presence document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PresenceDocument {
    /// Whose presence (`entity`).
    pub entity: String,
    /// The tuples, in order.
    pub tuples: Vec<Tuple>,
    /// The persons, in order.
    pub persons: Vec<Person>,
    /// `<note>`s directly under `<presence>`.
    pub notes: Vec<String>,
}

fn note_text(element: &Element) -> Option<String> {
    let text = element.text.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        text.chars()
            .filter(|c| !c.is_control())
            .take(MAX_NOTE_CHARS)
            .collect(),
    )
}

fn bounded(text: &str) -> Result<String, PidfError> {
    if text.len() > MAX_URI_BYTES {
        return Err(PidfError::TooLong);
    }
    Ok(text.trim().to_string())
}

fn attribute<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn read_timestamp(element: &Element) -> Option<i64> {
    element
        .child("timestamp")
        .and_then(|t| timestamp::parse(&t.text).ok())
}

fn read_tuple(element: &Element) -> Result<Tuple, PidfError> {
    let basic = match element.child("status").and_then(|s| s.child("basic")) {
        None => None,
        Some(b) => match b.text.trim() {
            "open" => Some(Basic::Open),
            "closed" => Some(Basic::Closed),
            other => return Err(PidfError::Basic(other.chars().take(MAX_NOTE_CHARS).collect())),
        },
    };
    let contact = match element.child("contact") {
        Some(c) if !c.text.trim().is_empty() => Some(bounded(&c.text)?),
        _ => None,
    };
    Ok(Tuple {
        id: bounded(attribute(element, "id").unwrap_or_default())?,
        basic,
        contact,
        notes: element
            .children
            .iter()
            .filter(|c| c.name == "note")
            .filter_map(note_text)
            .collect(),
        timestamp: read_timestamp(element),
    })
}

fn read_person(element: &Element) -> Result<Person, PidfError> {
    let activities = element
        .children
        .iter()
        .filter(|c| c.name == "activities")
        .flat_map(|a| a.children.iter())
        .filter(|a| a.name != "note")
        .take(MAX_ACTIVITIES)
        .map(|a| Activity::from_name(&a.name))
        .collect();
    Ok(Person {
        id: bounded(attribute(element, "id").unwrap_or_default())?,
        activities,
        notes: element
            .children
            .iter()
            .filter(|c| c.name == "note")
            .filter_map(note_text)
            .collect(),
        timestamp: read_timestamp(element),
    })
}

impl PresenceDocument {
    /// Reads a PIDF document.
    pub fn parse(bytes: &[u8]) -> Result<PresenceDocument, PidfError> {
        let root = xml::parse(bytes)?;
        if root.name != "presence" {
            return Err(PidfError::NotPresence(root.name.chars().take(64).collect()));
        }
        let entity = match attribute(&root, "entity") {
            Some(e) if !e.trim().is_empty() => bounded(e)?,
            _ => return Err(PidfError::NoEntity),
        };
        let mut document = PresenceDocument {
            entity,
            ..PresenceDocument::default()
        };
        for child in &root.children {
            match child.name.as_str() {
                "tuple" => {
                    if document.tuples.len() == MAX_TUPLES {
                        return Err(PidfError::TooMany);
                    }
                    document.tuples.push(read_tuple(child)?);
                }
                "person" => {
                    if document.persons.len() == MAX_PERSONS {
                        return Err(PidfError::TooMany);
                    }
                    document.persons.push(read_person(child)?);
                }
                "note" => document.notes.extend(note_text(child)),
                _ => {}
            }
        }
        Ok(document)
    }

    /// The merged presence: open when any tuple is open (the activity then
    /// says away or busy), offline when every tuple is closed, unknown when
    /// no tuple says either. The note is the person's, else the document's,
    /// else an open tuple's; the last-seen time the latest timestamp.
    pub fn summary(&self) -> Presence {
        let open = self.tuples.iter().any(|t| t.basic == Some(Basic::Open));
        let closed = !open && self.tuples.iter().any(|t| t.basic == Some(Basic::Closed));
        let status = if open {
            self.persons
                .iter()
                .flat_map(|p| p.activities.iter())
                .filter_map(Activity::status)
                .min_by_key(|s| s.rank())
                .unwrap_or(PresenceStatus::Available)
        } else if closed {
            PresenceStatus::Offline
        } else {
            PresenceStatus::Unknown
        };
        let note = self
            .persons
            .iter()
            .flat_map(|p| p.notes.first())
            .chain(self.notes.first())
            .chain(
                self.tuples
                    .iter()
                    .filter(|t| !open || t.basic == Some(Basic::Open))
                    .flat_map(|t| t.notes.first()),
            )
            .next()
            .cloned();
        let last_seen = self
            .tuples
            .iter()
            .map(|t| t.timestamp)
            .chain(self.persons.iter().map(|p| p.timestamp))
            .flatten()
            .max();
        Presence {
            status,
            note,
            last_seen,
        }
    }
}

/// What we publish: our status, note and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnPresence<'a> {
    /// Our address of record (`entity`).
    pub entity: &'a str,
    /// Our status.
    pub status: OwnStatus,
    /// Our note.
    pub note: Option<&'a str>,
    /// A stable id for our tuple (the device).
    pub tuple_id: &'a str,
    /// Our contact address, when known.
    pub contact: Option<&'a str>,
    /// Now, in Unix seconds.
    pub now_unix: i64,
}

/// An XML id from `text`: letters, digits, `-` and `_`, starting with a
/// letter.
fn xml_id(prefix: &str, text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(32)
        .collect();
    format!("{prefix}{clean}")
}

/// Writes our presence document. Invisible is written closed with no
/// activity or note, so nothing tells it from offline.
pub fn build(own: &OwnPresence<'_>) -> String {
    let when = timestamp::format(own.now_unix);
    let entity = xml::escape(own.entity);
    let tuple = xml_id("t", own.tuple_id);
    let person = xml_id("p", own.tuple_id);
    let mut doc = String::with_capacity(640);
    doc.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    doc.push_str(&format!(
        "<presence xmlns=\"{NAMESPACE}\" xmlns:dm=\"{NAMESPACE_DATA_MODEL}\" xmlns:rpid=\"{NAMESPACE_RPID}\" entity=\"{entity}\">\n"
    ));
    let basic = if own.status == OwnStatus::Invisible {
        "closed"
    } else {
        "open"
    };
    doc.push_str(&format!(
        "<tuple id=\"{tuple}\">\n<status><basic>{basic}</basic></status>\n"
    ));
    if let (Some(contact), false) = (own.contact, own.status == OwnStatus::Invisible) {
        doc.push_str(&format!("<contact>{}</contact>\n", xml::escape(contact)));
    }
    doc.push_str(&format!("<timestamp>{when}</timestamp>\n</tuple>\n"));
    doc.push_str(&format!("<dm:person id=\"{person}\">\n"));
    let activity = match own.status {
        OwnStatus::Away => Some("away"),
        OwnStatus::Busy => Some("busy"),
        OwnStatus::Available | OwnStatus::Invisible => None,
    };
    if let Some(activity) = activity {
        doc.push_str(&format!(
            "<rpid:activities><rpid:{activity}/></rpid:activities>\n"
        ));
    }
    if let (Some(note), false) = (own.note, own.status == OwnStatus::Invisible) {
        let note: String = note
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_NOTE_CHARS)
            .collect();
        if !note.trim().is_empty() {
            doc.push_str(&format!("<dm:note>{}</dm:note>\n", xml::escape(note.trim())));
        }
    }
    doc.push_str(&format!(
        "<dm:timestamp>{when}</dm:timestamp>\n</dm:person>\n</presence>\n"
    ));
    doc
}

#[cfg(test)]
#[path = "pidf_tests.rs"]
mod tests;
