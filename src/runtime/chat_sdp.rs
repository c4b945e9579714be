//! The session descriptions of chats: our offers and answers, and what we
//! take from the peer's.

use crate::config::MsrpRole;
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{
    self, Address, Capabilities, FileAttributes, LocalEndpoint, MsrpPath, MsrpTransport, Negotiated,
    OfferDecision, OfferParams, Origin, RawAttribute, SessionDescription, Setup, Stream,
};
use std::net::IpAddr;

/// The SDP attribute carrying a certificate fingerprint (RFC 8122).
pub const FINGERPRINT_ATTRIBUTE: &str = "fingerprint";

/// `c=` and `o=` address for our path's last URI.
fn address_of(uri: &MsrpUri) -> Address {
    let bare = uri.host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => Address::from_ip(ip),
        Err(_) => Address {
            addrtype: "IP4".into(),
            address: bare.to_string(),
        },
    }
}

fn origin(uri: &MsrpUri) -> Origin {
    Origin {
        username: "-".into(),
        session_id: format!("{}", rand::random::<u32>()),
        session_version: 1,
        address: address_of(uri),
    }
}

fn path_of(local_path: &[MsrpUri]) -> Result<MsrpPath, String> {
    MsrpPath::from_uris(local_path.iter().map(ToString::to_string).collect())
}

/// Adds `a=fingerprint` to the MSRP stream when it is TLS without relays.
fn add_fingerprint(desc: &mut SessionDescription, fingerprint: Option<&str>) {
    let Some(fp) = fingerprint else { return };
    for stream in &mut desc.streams {
        if let Stream::Msrp(m) = stream {
            if m.transport == MsrpTransport::Tls {
                m.other_attributes.push(RawAttribute {
                    name: FINGERPRINT_ATTRIBUTE.into(),
                    value: Some(fp.to_string()),
                });
            }
        }
    }
}

/// The peer's `a=fingerprint` on its MSRP stream (or at session level).
pub(crate) fn fingerprint_in(desc: &SessionDescription) -> Option<String> {
    let media = desc
        .msrp_stream()
        .map(|(_, m)| m.other_attributes.iter())
        .into_iter()
        .flatten();
    media
        .chain(desc.attributes.iter())
        .find(|a| a.name.eq_ignore_ascii_case(FINGERPRINT_ATTRIBUTE))
        .and_then(|a| a.value.clone())
}

/// Our offer for `local_path` (last URI ours): a chat, or with `file` an
/// RFC 5547 push of that file.
pub(crate) fn session_offer(
    local_path: &[MsrpUri],
    role: MsrpRole,
    relayed: bool,
    fingerprint: Option<&str>,
    file: Option<FileAttributes>,
) -> Result<SessionDescription, String> {
    let ours = local_path.last().ok_or("no local MSRP path")?;
    let transport = if ours.secure {
        MsrpTransport::Tls
    } else {
        MsrpTransport::Tcp
    };
    let mut params = OfferParams::chat(
        origin(ours),
        address_of(ours),
        ours.port_or_default(),
        transport,
        path_of(local_path)?,
    );
    params.setup = match (relayed, role) {
        (true, _) | (false, MsrpRole::Active) => Setup::Active,
        (false, MsrpRole::Passive) => Setup::Passive,
        (false, MsrpRole::Auto) => Setup::ActPass,
    };
    let mut desc = match file {
        Some(file) => {
            let ct = file
                .selector
                .as_ref()
                .and_then(|s| s.file_type.clone())
                .unwrap_or_else(|| "application/octet-stream".into());
            params.accept_types = vec![ct];
            params.accept_wrapped_types = Vec::new();
            sdp::file_push_offer(&params, file)
        }
        None => sdp::chat_offer(&params),
    };
    if !relayed {
        add_fingerprint(&mut desc, fingerprint);
    }
    Ok(desc)
}

/// What we can do, for judging an offer.
pub(crate) fn capabilities(role: MsrpRole, relayed: bool, max_file_size: u64) -> Capabilities {
    Capabilities {
        accept_files: true,
        max_file_size: Some(max_file_size),
        prefer_active: relayed || role != MsrpRole::Passive,
        ..Capabilities::default()
    }
}

/// Our answer to `offer` (judged by `decision`) with `local_path`.
pub(crate) fn chat_answer(
    offer: &SessionDescription,
    decision: &OfferDecision,
    local_path: &[MsrpUri],
    relayed: bool,
    fingerprint: Option<&str>,
) -> Result<(SessionDescription, Negotiated), String> {
    let ours = local_path.last().ok_or("no local MSRP path")?;
    let local = LocalEndpoint {
        origin: origin(ours),
        connection: address_of(ours),
        port: ours.port_or_default(),
        path: path_of(local_path)?,
    };
    let (mut answer, negotiated) = sdp::build_answer(offer, decision, &local, None);
    if !relayed {
        add_fingerprint(&mut answer, fingerprint);
    }
    Ok((answer, negotiated))
}

/// The peer's path as MSRP URIs.
pub(crate) fn remote_path(negotiated: &Negotiated) -> Result<Vec<MsrpUri>, String> {
    negotiated
        .remote_path
        .uris()
        .iter()
        .map(|u| MsrpUri::parse(u).map_err(|e| format!("the peer's MSRP path {u} is unusable: {e}")))
        .collect()
}

/// Whether to wrap our text in CPIM (RFC 3862): when the peer takes
/// `message/cpim` with text inside (an empty wrapped list means anything).
pub(crate) fn peer_takes_cpim(negotiated: &Negotiated) -> bool {
    let cpim = negotiated
        .remote_accept_types
        .iter()
        .any(|t| sdp::media_type_matches(t, "message/cpim"));
    let wrapped = &negotiated.remote_accept_wrapped_types;
    cpim && (wrapped.is_empty() || wrapped.iter().any(|t| sdp::media_type_matches(t, "text/plain")))
}

/// Whether the peer takes isComposing documents (bare or in CPIM).
pub(crate) fn peer_takes_composing(negotiated: &Negotiated) -> bool {
    negotiated
        .remote_accept_types
        .iter()
        .chain(negotiated.remote_accept_wrapped_types.iter())
        .any(|t| sdp::media_type_matches(t, "application/im-iscomposing+xml"))
}
