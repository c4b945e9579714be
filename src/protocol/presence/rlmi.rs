//! Resource list meta-information (RFC 4662, `application/rlmi+xml`): the
//! first part of a resource list server's NOTIFY, naming the list, its
//! version, whether it is the full state, and each resource with the
//! state of its instances (`active`, `pending`, `terminated` with a
//! reason). An active instance's `cid` names the part that carries its
//! presence document (`multipart.rs`).
//!
//! Every length and count is bounded by a named constant; malformed input
//! is a typed [`RlmiError`], never a panic.

use crate::protocol::xml::{self, Element, XmlError};

/// Content type of an RLMI document.
pub const CONTENT_TYPE: &str = "application/rlmi+xml";
/// The RLMI namespace.
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:rlmi";
/// Longest RLMI document read, in bytes.
pub const MAX_RLMI_BYTES: usize = 512 * 1024;
/// Most elements in one RLMI document.
pub const MAX_RLMI_ELEMENTS: usize = 8192;
/// Most resources read from one document.
pub const MAX_RESOURCES: usize = 1000;
/// Most instances read per resource.
pub const MAX_INSTANCES: usize = 16;
/// Longest URI, id, cid or reason, in bytes.
pub const MAX_FIELD_BYTES: usize = 1024;

/// Why an RLMI document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RlmiError {
    /// Longer than [`MAX_RLMI_BYTES`].
    #[error("the resource list document is {0} bytes long; at most {MAX_RLMI_BYTES} are read")]
    TooLong(usize),
    /// Not well-formed or too complex.
    #[error("the resource list document cannot be read: {0}")]
    Xml(#[from] XmlError),
    /// The root is not `<list>`.
    #[error("the document is not a resource list (its root is <{0}>)")]
    NotList(String),
    /// `version` missing or not a number.
    #[error("the resource list has no valid version")]
    Version,
    /// `fullState` neither true nor false.
    #[error("the resource list says neither full nor partial state")]
    FullState,
    /// A resource or instance without what it must have, or too long.
    #[error("a resource list entry is malformed: {0}")]
    Entry(&'static str),
    /// More than [`MAX_RESOURCES`] resources or [`MAX_INSTANCES`] instances.
    #[error("the resource list has too many resources or instances")]
    TooMany,
}

/// The state of one instance of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceState {
    /// Subscribed; its document is in the part named by the cid.
    Active,
    /// Waiting for the resource's permission.
    Pending,
    /// Ended, with the reason when given (`rejected`, `noresource`, ...).
    Terminated(Option<String>),
}

/// One `<instance>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Its `id`.
    pub id: String,
    /// Its `state`.
    pub state: InstanceState,
    /// The Content-ID of the part with its document, when there is one.
    pub cid: Option<String>,
}

/// One `<resource>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Its `uri`.
    pub uri: String,
    /// Its first `<name>`.
    pub name: Option<String>,
    /// Its instances (none: no subscription to it yet).
    pub instances: Vec<Instance>,
}

/// An RLMI document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceList {
    /// The list's `uri`.
    pub uri: String,
    /// `version`, counting up per notification of the subscription.
    pub version: u32,
    /// `fullState="true"`: every resource is listed; else only changes.
    pub full_state: bool,
    /// The resources.
    pub resources: Vec<Resource>,
}

fn attribute<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
}

fn bounded(value: &str, what: &'static str) -> Result<String, RlmiError> {
    if value.is_empty() || value.len() > MAX_FIELD_BYTES {
        return Err(RlmiError::Entry(what));
    }
    Ok(value.to_string())
}

/// A cid as given (`<...>` stripped, `cid:` prefix stripped).
fn bare_cid(value: &str) -> &str {
    let value = value.trim();
    let value = value.strip_prefix("cid:").unwrap_or(value);
    value.trim_start_matches('<').trim_end_matches('>')
}

fn read_instance(element: &Element) -> Result<Instance, RlmiError> {
    let id = bounded(
        attribute(element, "id").unwrap_or_default(),
        "an instance without an id",
    )?;
    let state = match attribute(element, "state")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("active") => InstanceState::Active,
        Some("pending") => InstanceState::Pending,
        Some("terminated") => {
            let reason = attribute(element, "reason")
                .filter(|r| !r.is_empty())
                .map(|r| bounded(r, "an instance reason too long"))
                .transpose()?;
            InstanceState::Terminated(reason)
        }
        _ => return Err(RlmiError::Entry("an instance without a known state")),
    };
    let cid = attribute(element, "cid")
        .map(bare_cid)
        .filter(|c| !c.is_empty())
        .map(|c| bounded(c, "an instance cid too long"))
        .transpose()?;
    Ok(Instance { id, state, cid })
}

fn read_resource(element: &Element) -> Result<Resource, RlmiError> {
    let uri = bounded(
        attribute(element, "uri").unwrap_or_default(),
        "a resource without a uri",
    )?;
    let name = element
        .child("name")
        .map(|n| n.text.trim().chars().take(MAX_FIELD_BYTES).collect::<String>())
        .filter(|n| !n.is_empty());
    let mut instances = Vec::new();
    for child in element.children.iter().filter(|c| c.name == "instance") {
        if instances.len() >= MAX_INSTANCES {
            return Err(RlmiError::TooMany);
        }
        instances.push(read_instance(child)?);
    }
    Ok(Resource { uri, name, instances })
}

impl ResourceList {
    /// Reads an RLMI document.
    pub fn parse(bytes: &[u8]) -> Result<ResourceList, RlmiError> {
        if bytes.len() > MAX_RLMI_BYTES {
            return Err(RlmiError::TooLong(bytes.len()));
        }
        let root = xml::parse_bounded(bytes, MAX_RLMI_ELEMENTS)?;
        if root.name != "list" {
            return Err(RlmiError::NotList(root.name.chars().take(64).collect()));
        }
        let uri = bounded(
            attribute(&root, "uri").unwrap_or_default(),
            "a list without a uri",
        )?;
        let version = attribute(&root, "version")
            .and_then(|v| v.parse().ok())
            .ok_or(RlmiError::Version)?;
        let full_state = match attribute(&root, "fullState")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("true" | "1") => true,
            Some("false" | "0") => false,
            _ => return Err(RlmiError::FullState),
        };
        let mut resources = Vec::new();
        for child in root.children.iter().filter(|c| c.name == "resource") {
            if resources.len() >= MAX_RESOURCES {
                return Err(RlmiError::TooMany);
            }
            resources.push(read_resource(child)?);
        }
        Ok(ResourceList {
            uri,
            version,
            full_state,
            resources,
        })
    }
}

#[cfg(test)]
#[path = "rlmi_tests.rs"]
mod tests;
