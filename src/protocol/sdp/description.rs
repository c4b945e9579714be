//! The typed session description: parsing with `sdp-types` and writing back.

use super::file::{is_token, FileAttributes, FileDate, FileRange, FileSelector};
use super::types::{parse_type_list, Address, Direction, MsrpPath, MsrpTransport, Setup};
use super::{SdpError, MAX_ATTRIBUTES, MAX_ATTRIBUTE_BYTES, MAX_SDP_BYTES, MAX_STREAMS};

/// An attribute kept as written (`a=name` or `a=name:value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAttribute {
    /// The name (before the first `:`).
    pub name: String,
    /// The value (after the first `:`), if any.
    pub value: Option<String>,
}

/// The `o=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// User name (`-` when there is none).
    pub username: String,
    /// Session id (numeric by RFC 4566; kept as written).
    pub session_id: String,
    /// Session version; increase it in every new offer of a dialog.
    pub session_version: u64,
    /// Unicast address of the machine that made the description.
    pub address: Address,
}

/// One parsed SDP body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=` (`-` in what we write).
    pub session_name: String,
    /// Session-level `c=`.
    pub connection: Option<Address>,
    /// Session-level attributes, kept as written.
    pub attributes: Vec<RawAttribute>,
    /// One entry per `m=` line, in order.
    pub streams: Vec<Stream>,
}

/// One `m=` line.
// A description holds a handful of these and lives briefly; boxing would
// only make matching clumsier for the dialog code.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// `m=message <port> TCP/MSRP|TCP/TLS/MSRP ...`.
    Msrp(MsrpMedia),
    /// Anything else (audio, or `m=message` over another transport).
    Other(OtherMedia),
}

/// An `m=` line that is not MSRP over TCP/TLS, kept so an answer can decline
/// it (port 0, same media, proto and formats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherMedia {
    /// Media type (`audio`, `message`, ...).
    pub media: String,
    /// Port.
    pub port: u16,
    /// Proto field.
    pub proto: String,
    /// Format list, as written.
    pub formats: String,
}

/// One MSRP media stream (`m=message`), with its attributes typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsrpMedia {
    /// `TCP/MSRP` or `TCP/TLS/MSRP`.
    pub transport: MsrpTransport,
    /// Port of the `m=` line; 0 means the stream is declined or disabled.
    pub port: u16,
    /// Format list (`*` for MSRP).
    pub formats: String,
    /// `i=` media title, if any.
    pub title: Option<String>,
    /// Media-level `c=`, if any (else the session's applies).
    pub connection: Option<Address>,
    /// `a=path`; empty only when the port is 0.
    pub path: MsrpPath,
    /// `a=accept-types`.
    pub accept_types: Vec<String>,
    /// `a=accept-wrapped-types`.
    pub accept_wrapped_types: Vec<String>,
    /// `a=setup`, if given on the media line.
    pub setup: Option<Setup>,
    /// `a=max-size` in bytes.
    pub max_size: Option<u64>,
    /// `a=sendrecv` / `sendonly` / `recvonly` / `inactive`, if given.
    pub direction: Option<Direction>,
    /// RFC 5547 attributes; `Some` when any of them is present.
    pub file: Option<FileAttributes>,
    /// Other attributes, in order.
    pub other_attributes: Vec<RawAttribute>,
}

impl MsrpMedia {
    /// A stream with the given transport, port and path, `*` formats, and
    /// nothing else set.
    pub fn new(transport: MsrpTransport, port: u16, path: MsrpPath) -> Self {
        MsrpMedia {
            transport,
            port,
            formats: "*".into(),
            title: None,
            connection: None,
            path,
            accept_types: Vec::new(),
            accept_wrapped_types: Vec::new(),
            setup: None,
            max_size: None,
            direction: None,
            file: None,
            other_attributes: Vec::new(),
        }
    }

    /// The direction, `sendrecv` when none is given.
    pub fn effective_direction(&self) -> Direction {
        self.direction.unwrap_or(Direction::SendRecv)
    }

    /// Whether this stream offers or answers a file transfer (it has an
    /// `a=file-selector`).
    pub fn is_file_transfer(&self) -> bool {
        self.file_selector().is_some()
    }

    /// The `a=file-selector`, if any.
    pub fn file_selector(&self) -> Option<&FileSelector> {
        self.file.as_ref().and_then(|f| f.selector.as_ref())
    }
}

impl SessionDescription {
    /// Parses an SDP body. Limits: [`MAX_SDP_BYTES`], [`MAX_STREAMS`],
    /// [`MAX_ATTRIBUTES`], [`MAX_ATTRIBUTE_BYTES`] and those of the path and
    /// type lists.
    pub fn parse(data: &[u8]) -> Result<Self, SdpError> {
        if data.len() > MAX_SDP_BYTES {
            return Err(SdpError::TooLarge {
                len: data.len(),
                limit: MAX_SDP_BYTES,
            });
        }
        let raw = sdp_types::Session::parse(data)?;
        if raw.medias.len() > MAX_STREAMS {
            return Err(SdpError::TooManyStreams {
                count: raw.medias.len(),
                limit: MAX_STREAMS,
            });
        }
        let origin = Origin {
            username: raw.origin.username.clone().unwrap_or_else(|| "-".into()),
            session_id: raw.origin.sess_id.clone(),
            session_version: raw.origin.sess_version,
            address: address(
                "o=",
                &raw.origin.nettype,
                &raw.origin.addrtype,
                &raw.origin.unicast_address,
            )?,
        };
        let connection = raw
            .connection
            .as_ref()
            .map(|c| address("c=", &c.nettype, &c.addrtype, &c.connection_address))
            .transpose()?;
        let attributes = raw_attributes(&raw.attributes, "the session")?;
        let streams = raw
            .medias
            .iter()
            .enumerate()
            .map(|(i, m)| parse_stream(i + 1, m))
            .collect::<Result<_, _>>()?;
        Ok(SessionDescription {
            origin,
            session_name: raw.session_name,
            connection,
            attributes,
            streams,
        })
    }

    /// Writes the description (CRLF line ends, `t=0 0`).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_sdp_types().to_string().into_bytes()
    }

    /// The first MSRP stream whose port is not 0, with its index in
    /// [`Self::streams`].
    pub fn msrp_stream(&self) -> Option<(usize, &MsrpMedia)> {
        self.streams.iter().enumerate().find_map(|(i, s)| match s {
            Stream::Msrp(m) if m.port != 0 => Some((i, m)),
            _ => None,
        })
    }

    /// A session-level `a=setup`, if any (RFC 4145 allows it there).
    pub fn session_setup(&self) -> Option<Setup> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case("setup"))
            .and_then(|a| a.value.as_deref())
            .and_then(Setup::parse)
    }

    /// The `c=` that applies to a stream: its own, else the session's.
    pub fn connection_for(&self, media: &MsrpMedia) -> Option<Address> {
        media.connection.clone().or_else(|| self.connection.clone())
    }

    fn to_sdp_types(&self) -> sdp_types::Session {
        let origin = sdp_types::Origin {
            username: Some(self.origin.username.clone()),
            sess_id: self.origin.session_id.clone(),
            sess_version: self.origin.session_version,
            nettype: sdp_types::NetType::In,
            addrtype: sdp_types::AddrType::new(&self.origin.address.addrtype),
            unicast_address: self.origin.address.address.clone(),
        };
        let mut s = sdp_types::Session::new(origin, &self.session_name);
        if let Some(c) = &self.connection {
            s.set_connection(connection(c));
        }
        s.add_time(sdp_types::Time::new(0, 0));
        for a in &self.attributes {
            s.add_attribute(to_attr(a));
        }
        for stream in &self.streams {
            s.add_media(match stream {
                Stream::Msrp(m) => msrp_to_media(m),
                Stream::Other(o) => sdp_types::Media {
                    media: o.media.clone(),
                    port: o.port,
                    num_ports: None,
                    proto: o.proto.clone(),
                    fmt: o.formats.clone(),
                    media_title: None,
                    connections: Vec::new(),
                    bandwidths: Vec::new(),
                    key: None,
                    attributes: Vec::new(),
                },
            });
        }
        s
    }
}

fn address(
    line: &'static str,
    nettype: &sdp_types::NetType,
    addrtype: &sdp_types::AddrType,
    addr: &str,
) -> Result<Address, SdpError> {
    if *nettype != sdp_types::NetType::In {
        return Err(SdpError::NetType {
            line,
            nettype: nettype.as_str().to_string(),
        });
    }
    Ok(Address {
        addrtype: addrtype.as_str().to_string(),
        address: addr.to_string(),
    })
}

fn connection(a: &Address) -> sdp_types::Connection {
    sdp_types::Connection {
        nettype: sdp_types::NetType::In,
        addrtype: sdp_types::AddrType::new(&a.addrtype),
        connection_address: a.address.clone(),
    }
}

fn to_attr(a: &RawAttribute) -> sdp_types::Attribute {
    sdp_types::Attribute {
        attribute: a.name.clone(),
        value: a.value.clone(),
    }
}

fn raw_attributes(attrs: &[sdp_types::Attribute], place: &str) -> Result<Vec<RawAttribute>, SdpError> {
    if attrs.len() > MAX_ATTRIBUTES {
        return Err(SdpError::TooManyAttributes {
            place: place.to_string(),
            count: attrs.len(),
            limit: MAX_ATTRIBUTES,
        });
    }
    attrs
        .iter()
        .map(|a| {
            let len = a.value.as_ref().map_or(0, String::len);
            if len > MAX_ATTRIBUTE_BYTES {
                return Err(SdpError::AttributeTooLong {
                    name: a.attribute.clone(),
                    len,
                    limit: MAX_ATTRIBUTE_BYTES,
                });
            }
            Ok(RawAttribute {
                name: a.attribute.clone(),
                value: a.value.clone(),
            })
        })
        .collect()
}

fn parse_stream(n: usize, m: &sdp_types::Media) -> Result<Stream, SdpError> {
    let transport = MsrpTransport::from_proto(&m.proto);
    let Some(transport) = transport.filter(|_| m.media.eq_ignore_ascii_case("message")) else {
        return Ok(Stream::Other(OtherMedia {
            media: m.media.clone(),
            port: m.port,
            proto: m.proto.clone(),
            formats: m.fmt.clone(),
        }));
    };
    let attrs = raw_attributes(&m.attributes, &format!("media line {n}"))?;
    let connection = match m.connections.as_slice() {
        [] => None,
        [c, ..] => Some(address("c=", &c.nettype, &c.addrtype, &c.connection_address)?),
    };
    let mut media = MsrpMedia::new(transport, m.port, MsrpPath::default());
    media.formats = m.fmt.clone();
    media.title = m.media_title.clone();
    media.connection = connection;
    let bad = |name: &str, reason: String| SdpError::BadAttribute {
        stream: n,
        name: name.to_string(),
        reason,
    };
    let dup = |name: &str| SdpError::Duplicate {
        stream: n,
        name: name.to_string(),
    };
    let mut file = FileAttributes::default();
    let mut has_file = false;
    let mut seen_path = false;
    for a in &attrs {
        let name = a.name.to_ascii_lowercase();
        let value = a.value.as_deref();
        let need = || value.ok_or_else(|| bad(&name, "it has no value".into()));
        match name.as_str() {
            "path" => {
                if seen_path {
                    return Err(dup(&name));
                }
                seen_path = true;
                media.path = MsrpPath::parse(need()?).map_err(|r| bad(&name, r))?;
            }
            "accept-types" | "accept-wrapped-types" => {
                let list = parse_type_list(need()?).map_err(|r| bad(&name, r))?;
                let slot = if name == "accept-types" {
                    &mut media.accept_types
                } else {
                    &mut media.accept_wrapped_types
                };
                if !slot.is_empty() {
                    return Err(dup(&name));
                }
                *slot = list;
            }
            "setup" => {
                let v = need()?;
                let s = Setup::parse(v).ok_or_else(|| {
                    bad(
                        &name,
                        format!("{v:?} is not active, passive, actpass or holdconn"),
                    )
                })?;
                if media.setup.replace(s).is_some() {
                    return Err(dup(&name));
                }
            }
            "max-size" => {
                let v = need()?.trim();
                let size = v
                    .parse::<u64>()
                    .ok()
                    .filter(|_| v.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| bad(&name, format!("{v:?} is not a whole number of bytes")))?;
                if media.max_size.replace(size).is_some() {
                    return Err(dup(&name));
                }
            }
            "sendrecv" | "sendonly" | "recvonly" | "inactive" => {
                if let Some(d) = Direction::parse(&name) {
                    if media.direction.replace(d).is_some() {
                        return Err(SdpError::Duplicate {
                            stream: n,
                            name: "sendrecv/sendonly/recvonly/inactive".into(),
                        });
                    }
                }
            }
            "file-selector" => {
                let sel = FileSelector::parse(value).map_err(|r| bad(&name, r))?;
                // Escaping can lengthen the name when written back; refuse
                // what we could not write within the limit.
                let len = sel.to_value().map_or(0, |v| v.len());
                if len > MAX_ATTRIBUTE_BYTES {
                    return Err(SdpError::AttributeTooLong {
                        name: a.name.clone(),
                        len,
                        limit: MAX_ATTRIBUTE_BYTES,
                    });
                }
                if file.selector.replace(sel).is_some() {
                    return Err(dup(&name));
                }
                has_file = true;
            }
            "file-transfer-id" | "file-disposition" => {
                let v = need()?.trim();
                if !is_token(v) {
                    return Err(bad(&name, format!("{v:?} is not a token")));
                }
                let slot = if name == "file-transfer-id" {
                    &mut file.transfer_id
                } else {
                    &mut file.disposition
                };
                if slot.replace(v.to_string()).is_some() {
                    return Err(dup(&name));
                }
                has_file = true;
            }
            "file-date" => {
                let d = FileDate::parse(need()?).map_err(|r| bad(&name, r))?;
                if d == FileDate::default() {
                    continue; // no date we know: as if absent
                }
                if file.date.replace(d).is_some() {
                    return Err(dup(&name));
                }
                has_file = true;
            }
            "file-icon" => {
                // Kept, never fetched or interpreted.
                if file.icon.replace(need()?.to_string()).is_some() {
                    return Err(dup(&name));
                }
                has_file = true;
            }
            "file-range" => {
                let r = FileRange::parse(need()?).map_err(|r| bad(&name, r))?;
                if file.range.replace(r).is_some() {
                    return Err(dup(&name));
                }
                has_file = true;
            }
            _ => media.other_attributes.push(a.clone()),
        }
    }
    if media.port != 0 && media.path.is_empty() {
        return Err(SdpError::MissingPath { stream: n });
    }
    if has_file {
        media.file = Some(file);
    }
    Ok(Stream::Msrp(media))
}

fn msrp_to_media(m: &MsrpMedia) -> sdp_types::Media {
    let mut attrs: Vec<RawAttribute> = Vec::new();
    let mut push = |name: &str, value: Option<String>| {
        attrs.push(RawAttribute {
            name: name.into(),
            value,
        })
    };
    if !m.path.is_empty() {
        push("path", Some(m.path.to_string()));
    }
    if !m.accept_types.is_empty() {
        push("accept-types", Some(m.accept_types.join(" ")));
    }
    if !m.accept_wrapped_types.is_empty() {
        push("accept-wrapped-types", Some(m.accept_wrapped_types.join(" ")));
    }
    if let Some(size) = m.max_size {
        push("max-size", Some(size.to_string()));
    }
    if let Some(setup) = m.setup {
        push("setup", Some(setup.as_str().into()));
    }
    if let Some(d) = m.direction {
        push(d.as_str(), None);
    }
    if let Some(f) = &m.file {
        if let Some(sel) = &f.selector {
            push("file-selector", sel.to_value());
        }
        if let Some(id) = &f.transfer_id {
            push("file-transfer-id", Some(id.clone()));
        }
        if let Some(d) = &f.disposition {
            push("file-disposition", Some(d.clone()));
        }
        if let Some(date) = f.date.as_ref().and_then(FileDate::to_value) {
            push("file-date", Some(date));
        }
        if let Some(icon) = &f.icon {
            push("file-icon", Some(icon.clone()));
        }
        if let Some(r) = f.range {
            push("file-range", Some(r.to_string()));
        }
    }
    attrs.extend(m.other_attributes.iter().cloned());
    sdp_types::Media {
        media: "message".into(),
        port: m.port,
        num_ports: None,
        proto: m.transport.proto().into(),
        fmt: m.formats.clone(),
        media_title: m.title.clone(),
        connections: m.connection.iter().map(connection).collect(),
        bandwidths: Vec::new(),
        key: None,
        attributes: attrs.iter().map(to_attr).collect(),
    }
}

#[cfg(test)]
#[path = "description_tests.rs"]
mod tests;
