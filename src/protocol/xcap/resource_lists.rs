//! Resource lists (RFC 4826, `application/resource-lists+xml`): the
//! contact lists a user keeps on an XCAP server, so each of their devices
//! sees the same contacts.
//!
//! A document is a tree of `<list>`s (each with an optional `name` and
//! `<display-name>`) holding `<entry uri="...">`s with an optional
//! `<display-name>`. sipchat keeps its contacts in the list named
//! [`SIPCHAT_LIST`]; other lists (another client's) are read, counted as
//! contacts too, and written back as they were read, except for
//! `<entry-ref>` and `<external>` references, which are not followed and
//! not kept.
//!
//! Every length and count is bounded by a named constant; malformed input
//! is a typed [`ResourceListsError`], never a panic.

use crate::protocol::xml::{self, Element, XmlError};

/// The XCAP application of resource lists (RFC 4826 section 3.4.1).
pub const AUID: &str = "resource-lists";
/// The document name of a user's resource lists.
pub const DOCUMENT: &str = "index";
/// The content type of a resource-lists document.
pub const CONTENT_TYPE: &str = "application/resource-lists+xml";
/// The resource-lists namespace.
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:resource-lists";
/// The name of the list sipchat keeps its contacts in.
pub const SIPCHAT_LIST: &str = "sipchat";
/// Longest document read, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
/// Most elements in one document.
pub const MAX_ELEMENTS: usize = 16 * 1024;
/// Most lists (at any depth) read from one document.
pub const MAX_LISTS: usize = 64;
/// Most entries (in all lists together) read or written.
pub const MAX_ENTRIES: usize = 2000;
/// Longest URI or list name, in bytes.
pub const MAX_FIELD_BYTES: usize = 1024;
/// Longest display name kept, in characters (longer ones are cut).
pub const MAX_DISPLAY_NAME_CHARS: usize = 256;

/// Why a resource-lists document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceListsError {
    /// Longer than [`MAX_DOCUMENT_BYTES`].
    #[error("the contact list document is {0} bytes long; at most {MAX_DOCUMENT_BYTES} are read")]
    TooLong(usize),
    /// Not well-formed or too complex.
    #[error("the contact list document cannot be read: {0}")]
    Xml(#[from] XmlError),
    /// The root is not `<resource-lists>`.
    #[error("the document is not a contact list (its root is <{0}>)")]
    NotResourceLists(String),
    /// An entry or list without what it must have, or too long.
    #[error("a contact list entry is malformed: {0}")]
    Entry(&'static str),
    /// More than [`MAX_LISTS`] lists or [`MAX_ENTRIES`] entries.
    #[error("the contact list document has too many lists or entries")]
    TooMany,
}

/// One `<entry>`: a contact's address and the name shown for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its `uri`.
    pub uri: String,
    /// Its `<display-name>`, when it has one.
    pub display_name: Option<String>,
}

/// One `<list>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List {
    /// Its `name` attribute (empty when it has none).
    pub name: String,
    /// Its `<display-name>`.
    pub display_name: Option<String>,
    /// Its entries, in order.
    pub entries: Vec<Entry>,
    /// The lists inside it.
    pub lists: Vec<List>,
}

impl List {
    /// Every entry of this list and the lists inside it.
    pub fn all_entries(&self) -> Vec<&Entry> {
        let mut out: Vec<&Entry> = self.entries.iter().collect();
        for inner in &self.lists {
            out.extend(inner.all_entries());
        }
        out
    }
}

/// A whole document: its top-level lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceLists {
    /// The lists, in order.
    pub lists: Vec<List>,
}

/// Counts while reading, against the limits.
#[derive(Default)]
struct Counts {
    lists: usize,
    entries: usize,
}

fn display_name(element: &Element) -> Option<String> {
    let text = element.child_text("display-name")?;
    let cut: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_DISPLAY_NAME_CHARS)
        .collect();
    let cut = cut.trim().to_string();
    (!cut.is_empty()).then_some(cut)
}

fn attribute<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn read_list(element: &Element, counts: &mut Counts) -> Result<List, ResourceListsError> {
    counts.lists += 1;
    if counts.lists > MAX_LISTS {
        return Err(ResourceListsError::TooMany);
    }
    let name = attribute(element, "name").unwrap_or_default();
    if name.len() > MAX_FIELD_BYTES {
        return Err(ResourceListsError::Entry("a list name is too long"));
    }
    let mut list = List {
        name: name.to_string(),
        display_name: display_name(element),
        ..List::default()
    };
    for child in &element.children {
        match child.name.as_str() {
            "entry" => {
                counts.entries += 1;
                if counts.entries > MAX_ENTRIES {
                    return Err(ResourceListsError::TooMany);
                }
                let uri = attribute(child, "uri")
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .ok_or(ResourceListsError::Entry("an entry has no uri"))?;
                if uri.len() > MAX_FIELD_BYTES {
                    return Err(ResourceListsError::Entry("an entry's uri is too long"));
                }
                list.entries.push(Entry {
                    uri: uri.to_string(),
                    display_name: display_name(child),
                });
            }
            "list" => list.lists.push(read_list(child, counts)?),
            // entry-ref, external, display-name, extensions: not ours.
            _ => {}
        }
    }
    Ok(list)
}

impl ResourceLists {
    /// Reads a document.
    pub fn parse(bytes: &[u8]) -> Result<ResourceLists, ResourceListsError> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(ResourceListsError::TooLong(bytes.len()));
        }
        let root = xml::parse_bounded(bytes, MAX_ELEMENTS)?;
        if root.name != "resource-lists" {
            return Err(ResourceListsError::NotResourceLists(root.name));
        }
        let mut counts = Counts::default();
        let lists = root
            .children
            .iter()
            .filter(|c| c.name == "list")
            .map(|c| read_list(c, &mut counts))
            .collect::<Result<Vec<List>, ResourceListsError>>()?;
        Ok(ResourceLists { lists })
    }

    /// Every entry of every list.
    pub fn all_entries(&self) -> Vec<&Entry> {
        self.lists.iter().flat_map(List::all_entries).collect()
    }

    /// The top-level list named `name`.
    pub fn list(&self, name: &str) -> Option<&List> {
        self.lists.iter().find(|l| l.name == name)
    }

    /// Puts `entries` in the top-level list named `name` (made when there
    /// is none, at the end), replacing what it held; other lists stay.
    pub fn set_list(&mut self, name: &str, entries: Vec<Entry>) {
        match self.lists.iter_mut().find(|l| l.name == name) {
            Some(list) => list.entries = entries,
            None => self.lists.push(List {
                name: name.to_string(),
                entries,
                ..List::default()
            }),
        }
    }

    /// The whole document, as bytes to PUT (at most [`MAX_ENTRIES`]
    /// entries; the rest are left out).
    pub fn to_document(&self) -> Vec<u8> {
        let mut doc = String::with_capacity(256 + 96 * self.all_entries().len());
        doc.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        doc.push_str(&format!("<resource-lists xmlns=\"{NAMESPACE}\">\n"));
        let mut budget = MAX_ENTRIES;
        for list in &self.lists {
            write_list(&mut doc, list, &mut budget);
        }
        doc.push_str("</resource-lists>\n");
        doc.into_bytes()
    }
}

/// `text` as an attribute value: escaped, and the whitespace a reader would
/// turn into spaces written as character references.
fn attribute_value(text: &str) -> String {
    xml::escape(text).replace('\t', "&#9;").replace('\n', "&#10;")
}

fn write_display_name(doc: &mut String, name: Option<&str>) {
    if let Some(name) = name {
        doc.push_str(&format!("<display-name>{}</display-name>", xml::escape(name)));
    }
}

fn write_list(doc: &mut String, list: &List, budget: &mut usize) {
    if list.name.is_empty() {
        doc.push_str("<list>");
    } else {
        doc.push_str(&format!("<list name=\"{}\">", attribute_value(&list.name)));
    }
    write_display_name(doc, list.display_name.as_deref());
    doc.push('\n');
    for entry in &list.entries {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        doc.push_str(&format!("<entry uri=\"{}\">", attribute_value(&entry.uri)));
        write_display_name(doc, entry.display_name.as_deref());
        doc.push_str("</entry>\n");
    }
    for inner in &list.lists {
        write_list(doc, inner, budget);
    }
    doc.push_str("</list>\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "resource_lists_tests.rs"]
mod tests;
