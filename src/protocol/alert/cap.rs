//! OASIS Common Alerting Protocol 1.2 (`application/cap+xml`), read with
//! quick-xml: the fields an alert shows, with every enumeration checked.

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::AlertError;
use crate::model::{CapAlert, CapInfo};

/// Largest CAP document read.
pub const MAX_CAP_BYTES: usize = 64 * 1024;
/// Most `<info>` blocks read.
pub const MAX_INFOS: usize = 16;
/// Most `<area>` blocks per `<info>`.
pub const MAX_AREAS: usize = 32;
/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 16;
/// Longest text of one field, in bytes.
pub const MAX_FIELD_BYTES: usize = 16 * 1024;
/// The namespace of CAP 1.2 (1.1 and 1.0 documents are read the same way).
pub const CAP_NAMESPACE_PREFIX: &str = "urn:oasis:names:tc:emergency:cap:";

const STATUS: &[&str] = &["Actual", "Exercise", "System", "Test", "Draft"];
const MSG_TYPE: &[&str] = &["Alert", "Update", "Cancel", "Ack", "Error"];
const SCOPE: &[&str] = &["Public", "Restricted", "Private"];
const URGENCY: &[&str] = &["Immediate", "Expected", "Future", "Past", "Unknown"];
const SEVERITY: &[&str] = &["Extreme", "Severe", "Moderate", "Minor", "Unknown"];
// "Very Likely" is CAP 1.0's word, still seen in the wild.
const CERTAINTY: &[&str] = &[
    "Observed",
    "Likely",
    "Possible",
    "Unlikely",
    "Unknown",
    "Very Likely",
];

/// Reads a CAP document.
pub fn parse_cap(xml: &str) -> Result<CapAlert, AlertError> {
    if xml.len() > MAX_CAP_BYTES {
        return Err(AlertError::TooLong {
            len: xml.len(),
            max: MAX_CAP_BYTES,
        });
    }
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut alert = CapAlert::default();
    let mut seen_root = false;
    let mut infos: Vec<CapInfo> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| AlertError::Xml {
            at: reader.error_position(),
            message: e.to_string(),
        })?;
        match event {
            XmlEvent::Start(ref start) | XmlEvent::Empty(ref start) => {
                let empty = matches!(event, XmlEvent::Empty(_));
                let name = start.local_name().as_ref().to_string();
                if path.is_empty() {
                    if seen_root {
                        return Err(AlertError::Cap("there is more than one root element".into()));
                    }
                    seen_root = true;
                    if name != "alert" {
                        return Err(AlertError::Cap(format!(
                            "the root element is <{name}>, not a CAP <alert>"
                        )));
                    }
                    check_namespace(start)?;
                }
                if path.len() >= MAX_DEPTH {
                    return Err(AlertError::Cap(format!(
                        "elements are nested more than {MAX_DEPTH} deep"
                    )));
                }
                path.push(name);
                text.clear();
                on_open(&path, &mut infos)?;
                if empty {
                    on_close(&path, "", &mut alert, &mut infos)?;
                    path.pop();
                }
            }
            XmlEvent::End(_) => {
                let value = std::mem::take(&mut text);
                on_close(&path, value.trim(), &mut alert, &mut infos)?;
                path.pop();
            }
            XmlEvent::Text(t) => push_text(&mut text, &t.xml10_content())?,
            XmlEvent::CData(c) => push_text(&mut text, &c.xml10_content())?,
            XmlEvent::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| AlertError::Cap(format!("unknown entity &{};", &*r)))?
                        .to_string(),
                    Err(e) => return Err(AlertError::Cap(format!("bad character reference: {e}"))),
                };
                push_text(&mut text, &ch)?;
            }
            XmlEvent::DocType(_) => {
                return Err(AlertError::Cap(
                    "a DOCTYPE is not allowed in a CAP document".into(),
                ));
            }
            XmlEvent::Eof => break,
            XmlEvent::Decl(_) | XmlEvent::PI(_) | XmlEvent::Comment(_) => {}
        }
    }
    if !seen_root {
        return Err(AlertError::Cap("the document has no <alert> element".into()));
    }
    if !path.is_empty() {
        return Err(AlertError::Cap(format!("<{}> is never closed", path.join("/"))));
    }
    alert.infos = infos;
    validate(&alert)?;
    Ok(alert)
}

fn push_text(text: &mut String, more: &str) -> Result<(), AlertError> {
    if text.len() + more.len() > MAX_FIELD_BYTES {
        return Err(AlertError::Cap(format!(
            "a field is longer than {MAX_FIELD_BYTES} bytes"
        )));
    }
    text.push_str(more);
    Ok(())
}

fn check_namespace(start: &quick_xml::events::BytesStart<'_>) -> Result<(), AlertError> {
    for attr in start.attributes().flatten() {
        let key = attr.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| AlertError::Cap(e.to_string()))?;
            let prefix_matches = key == "xmlns"
                || start.name().as_ref().split_once(':').map(|(p, _)| p) == key.strip_prefix("xmlns:");
            if prefix_matches && !value.starts_with(CAP_NAMESPACE_PREFIX) {
                return Err(AlertError::Cap(format!(
                    "the <alert> is in namespace {value:?}, not CAP ({CAP_NAMESPACE_PREFIX}1.2)"
                )));
            }
        }
    }
    Ok(())
}

fn path_is(path: &[String], want: &[&str]) -> bool {
    path.len() == want.len() && path.iter().zip(want).all(|(a, b)| a == b)
}

fn on_open(path: &[String], infos: &mut Vec<CapInfo>) -> Result<(), AlertError> {
    if path_is(path, &["alert", "info"]) {
        if infos.len() >= MAX_INFOS {
            return Err(AlertError::Cap(format!("more than {MAX_INFOS} <info> blocks")));
        }
        infos.push(CapInfo::default());
    } else if path_is(path, &["alert", "info", "area"]) {
        if let Some(info) = infos.last_mut() {
            if info.areas.len() >= MAX_AREAS {
                return Err(AlertError::Cap(format!(
                    "more than {MAX_AREAS} <area> blocks in one <info>"
                )));
            }
        }
    }
    Ok(())
}

fn on_close(
    path: &[String],
    value: &str,
    alert: &mut CapAlert,
    infos: &mut [CapInfo],
) -> Result<(), AlertError> {
    let owned = || value.to_string();
    match path {
        [a, field] if a == "alert" => match field.as_str() {
            "identifier" => alert.identifier = owned(),
            "sender" => alert.sender = owned(),
            "sent" => alert.sent = owned(),
            "status" => alert.status = owned(),
            "msgType" => alert.msg_type = owned(),
            "scope" => alert.scope = owned(),
            _ => {}
        },
        [a, i, field] if a == "alert" && i == "info" => {
            let Some(info) = infos.last_mut() else {
                return Ok(());
            };
            let some = || Some(owned()).filter(|v| !v.is_empty());
            match field.as_str() {
                "language" => info.language = some(),
                "event" => info.event = owned(),
                "urgency" => info.urgency = owned(),
                "severity" => info.severity = owned(),
                "certainty" => info.certainty = owned(),
                "headline" => info.headline = some(),
                "description" => info.description = some(),
                "instruction" => info.instruction = some(),
                "expires" => info.expires = some(),
                _ => {}
            }
        }
        [a, i, ar, field] if a == "alert" && i == "info" && ar == "area" && field == "areaDesc" => {
            if let Some(info) = infos.last_mut() {
                info.areas.push(owned());
            }
        }
        _ => {}
    }
    Ok(())
}

fn require(value: &str, field: &str, allowed: Option<&[&str]>) -> Result<(), AlertError> {
    if value.is_empty() {
        return Err(AlertError::Missing(field.to_string()));
    }
    if let Some(allowed) = allowed {
        if !allowed.contains(&value) {
            return Err(AlertError::Cap(format!(
                "<{field}> is {value:?}; CAP allows {}",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn validate(alert: &CapAlert) -> Result<(), AlertError> {
    require(&alert.identifier, "identifier", None)?;
    require(&alert.sender, "sender", None)?;
    require(&alert.sent, "sent", None)?;
    require(&alert.status, "status", Some(STATUS))?;
    require(&alert.msg_type, "msgType", Some(MSG_TYPE))?;
    require(&alert.scope, "scope", Some(SCOPE))?;
    for info in &alert.infos {
        require(&info.event, "event", None)?;
        require(&info.urgency, "urgency", Some(URGENCY))?;
        require(&info.severity, "severity", Some(SEVERITY))?;
        require(&info.certainty, "certainty", Some(CERTAINTY))?;
    }
    Ok(())
}
