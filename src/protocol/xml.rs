//! A small, bounded XML reader (on quick-xml 0.42) for the short documents
//! of IMDN and isComposing: a tree of elements by local name, text with
//! entity references resolved. DOCTYPEs are refused (no entity tricks).

use quick_xml::events::Event;
use quick_xml::Reader;

/// Largest XML document read, in bytes.
pub const MAX_XML_BYTES: usize = 16 * 1024;
/// Deepest element nesting read.
pub const MAX_XML_DEPTH: usize = 16;
/// Most elements in one document.
pub const MAX_XML_ELEMENTS: usize = 256;

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Longer than [`MAX_XML_BYTES`].
    #[error("the XML document is {0} bytes long; at most {MAX_XML_BYTES} are read")]
    TooLong(usize),
    /// Not UTF-8.
    #[error("the XML document is not UTF-8 text")]
    NotUtf8,
    /// Deeper than [`MAX_XML_DEPTH`] or more than [`MAX_XML_ELEMENTS`] elements.
    #[error("the XML document is nested too deeply or has too many elements")]
    TooComplex,
    /// Has a DOCTYPE.
    #[error("the XML document has a DOCTYPE, which is not allowed here")]
    DocType,
    /// An entity other than the five predefined ones or a bad character reference.
    #[error("the XML document uses an unknown entity or a bad character reference")]
    Entity,
    /// Not well formed.
    #[error("the XML document is not well formed: {0}")]
    Syntax(String),
    /// No root element.
    #[error("the XML document has no element")]
    Empty,
}

/// One element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (prefix removed).
    pub name: String,
    /// `xmlns` of the element as declared on it or inherited.
    pub namespace: Option<String>,
    /// Attributes (local names), values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Text directly inside, entity references resolved.
    pub text: String,
}

impl Element {
    /// The first child with local name `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Trimmed text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

fn start_element(
    e: &quick_xml::events::BytesStart<'_>,
    parent_ns: Option<&String>,
) -> Result<Element, XmlError> {
    let mut el = Element {
        name: e.local_name().as_ref().to_string(),
        namespace: parent_ns.cloned(),
        ..Element::default()
    };
    for attr in e.attributes() {
        let attr = attr.map_err(|err| XmlError::Syntax(err.to_string()))?;
        let key = attr.key.as_ref();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|_| XmlError::Entity)?
            .into_owned();
        if key == "xmlns" {
            el.namespace = Some(value);
        } else if key.starts_with("xmlns:") {
            // Prefixed namespace declarations are not needed by our readers.
        } else {
            el.attrs.push((attr.key.local_name().as_ref().to_string(), value));
        }
    }
    Ok(el)
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// Reads a document into its root element.
pub fn parse(bytes: &[u8]) -> Result<Element, XmlError> {
    if bytes.len() > MAX_XML_BYTES {
        return Err(XmlError::TooLong(bytes.len()));
    }
    parse_bounded(bytes, MAX_XML_ELEMENTS)
}

/// As [`parse`], for a longer document whose length the caller has bounded
/// already (resource lists): at most `max_elements` elements.
pub fn parse_bounded(bytes: &[u8], max_elements: usize) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(bytes).map_err(|_| XmlError::NotUtf8)?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| XmlError::Syntax(e.to_string()))?;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() => {
                let _ = e;
                return Err(XmlError::Syntax("content after the root element".into()));
            }
            Event::Start(e) => {
                count += 1;
                if stack.len() >= MAX_XML_DEPTH || count > max_elements {
                    return Err(XmlError::TooComplex);
                }
                let el = start_element(&e, stack.last().and_then(|p| p.namespace.as_ref()))?;
                stack.push(el);
            }
            Event::Empty(e) => {
                count += 1;
                if count > max_elements {
                    return Err(XmlError::TooComplex);
                }
                let el = start_element(&e, stack.last().and_then(|p| p.namespace.as_ref()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError::Syntax("an end tag without a start tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => match stack.last_mut() {
                Some(el) => el.text.push_str(&t.xml10_content()),
                None if t.xml10_content().trim().is_empty() => {}
                None => return Err(XmlError::Syntax("text outside the root element".into())),
            },
            Event::CData(t) => match stack.last_mut() {
                Some(el) => el.text.push_str(&t.xml10_content()),
                None => return Err(XmlError::Syntax("CDATA outside the root element".into())),
            },
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().ok_or(XmlError::Entity)?
                } else {
                    predefined(r.as_ref()).ok_or(XmlError::Entity)?
                };
                match stack.last_mut() {
                    Some(el) => el.text.push(c),
                    None => return Err(XmlError::Syntax("a reference outside the root element".into())),
                }
            }
            Event::DocType(_) => return Err(XmlError::DocType),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax("the document ends inside an element".into()));
    }
    root.ok_or(XmlError::Empty)
}

/// Escapes text for element content or a double-quoted attribute. CR is
/// written as a character reference, so it survives end-of-line
/// normalisation when read back.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).replace('\r', "&#13;")
}
