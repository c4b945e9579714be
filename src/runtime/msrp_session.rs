//! Pure pieces shared by the chats and transfers features (not a feature):
//! the session descriptions of MSRP sessions (our offers and answers, what
//! we take from the peer's), judging an offer once (chat, file, or refused),
//! and the SIP session actions the features ask of the driver; the steps
//! of offer/answer both take are in [`offer_answer`].
//!
//! `msrps` means TLS, always: an offer of `TCP/TLS/MSRP` is answered with
//! an `msrps:` path on the TLS listener and our `a=fingerprint` (RFC 8122),
//! or refused with 488 and a Warning in words; never with a plaintext path
//! under a TLS proto. When such an offer carries no fingerprint (Blink's
//! stack never sends one) and says `actpass`, we take the passive role: the
//! peer connects to us, and its identity is the SIP dialog.

use crate::config::MsrpRole;
use crate::model::SessionId;
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{
    self, Address, Capabilities, Connect, FileAttributes, LocalEndpoint, MsrpPath, MsrpTransport, Negotiated,
    OfferDecision, OfferKind, OfferParams, Origin, RawAttribute, SessionDescription, Setup, Stream,
};
use crate::protocol::sip::agent::Hop;
use crate::runtime::msrp_task::{PeerSdp, TaskCommand};
use std::net::IpAddr;

pub(crate) mod offer_answer;

/// How long a lost MSRP connection waits for the peer's BYE (or a BYE for
/// the last REPORT) before the session ends.
pub const CONNECTION_LOST_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Why a session description of ours could not be made, or the peer's
/// could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionSdpError {
    /// Our MSRP path is empty.
    #[error("no local MSRP path")]
    Empty,
    /// Our MSRP path cannot go into SDP.
    #[error("{0}")]
    Local(String),
    /// The negotiated transport is TLS but our path is not `msrps:` (we
    /// never run a plaintext session under a TLS proto).
    #[error("the peer's offer asks for MSRP over TLS, but our MSRP path is not over TLS ({path})")]
    NotTls { path: String },
    /// A URI of the peer's path does not parse.
    #[error("the peer's MSRP path {uri} is unusable: {reason}")]
    Remote { uri: String, reason: String },
    /// The peer's answer does not parse or does not fit our offer.
    #[error("the peer's answer is unusable: {0}")]
    UnusableAnswer(String),
}

/// The warn-code of our Warnings in words (RFC 3261: 399 miscellaneous).
pub(crate) const WARNING_MISCELLANEOUS: u16 = 399;

/// What the driver does with a SIP session on a feature's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SessionAction {
    /// Send an INVITE with our offer.
    Invite {
        session: SessionId,
        to: String,
        sdp: Vec<u8>,
        hop: Hop,
    },
    /// Answer an offer with 200 and our answer.
    Accept { session: SessionId, sdp: Vec<u8> },
    /// Refuse an offer with `code` (and a Warning).
    Reject {
        session: SessionId,
        code: u16,
        warning: Option<(u16, String)>,
    },
    /// 180 Ringing while the user decides.
    Ring { session: SessionId },
    /// BYE (or CANCEL, or 603 while pending).
    End { session: SessionId },
    /// As `End`, with why in words on the BYE (a Reason header): the MSRP
    /// connection could not be opened or was lost.
    EndBecause { session: SessionId, reason: String },
}

impl SessionAction {
    /// The session the action is for.
    pub(crate) fn session(&self) -> SessionId {
        match self {
            SessionAction::Invite { session, .. }
            | SessionAction::Accept { session, .. }
            | SessionAction::Reject { session, .. }
            | SessionAction::Ring { session }
            | SessionAction::End { session }
            | SessionAction::EndBecause { session, .. } => *session,
        }
    }
}

/// Which action the agent refused (fed back to the feature that asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionKind {
    Invite,
    Accept,
    Reject { code: u16 },
    Ring,
    End,
}

impl SessionAction {
    /// The kind of the action.
    pub(crate) fn kind(&self) -> ActionKind {
        match self {
            SessionAction::Invite { .. } => ActionKind::Invite,
            SessionAction::Accept { .. } => ActionKind::Accept,
            SessionAction::Reject { code, .. } => ActionKind::Reject { code: *code },
            SessionAction::Ring { .. } => ActionKind::Ring,
            SessionAction::End { .. } | SessionAction::EndBecause { .. } => ActionKind::End,
        }
    }
}

/// What we can serve, for judging an offer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OfferPolicy {
    pub role: MsrpRole,
    /// The account has an MSRP relay.
    pub relayed: bool,
    /// That relay is reached over TLS (`msrps://`).
    pub relay_secure: bool,
    pub max_file_size: u64,
    /// Refuse every session (`RuntimeOptions::refuse_sessions`).
    pub refuse_sessions: bool,
    /// The MSRP listeners are up (sessions can be served at all).
    pub msrp_available: bool,
}

/// An incoming offer, judged once: whose it is, or how to refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A chat: the chats feature takes it.
    Chat {
        offer: SessionDescription,
        decision: OfferDecision,
    },
    /// An RFC 5547 file push: the transfers feature takes it.
    File {
        offer: SessionDescription,
        decision: OfferDecision,
    },
    /// Refuse with `code` (and the Warning); `why` is for the log.
    Refuse {
        code: u16,
        warning: Option<(u16, String)>,
        why: String,
    },
}

/// Judges the SDP of an incoming INVITE.
pub(crate) fn judge_offer(sdp: &[u8], policy: &OfferPolicy) -> Verdict {
    let offer = match SessionDescription::parse(sdp) {
        Ok(offer) => offer,
        Err(e) => {
            let reason = e.to_string();
            return Verdict::Refuse {
                code: 488,
                warning: Some((WARNING_MISCELLANEOUS, reason.clone())),
                why: format!("refusing an unusable offer: {reason}"),
            };
        }
    };
    let mut caps = capabilities(policy.role, policy.relayed, policy.max_file_size);
    // TLS needs our certificate (the listeners) or a relay over TLS.
    caps.tls = policy.msrp_available && (!policy.relayed || policy.relay_secure);
    let judged = sdp::evaluate_offer(&offer, &caps).and_then(|decision| {
        if prefers_passive(&offer, &decision, policy.relayed) && caps.prefer_active {
            caps.prefer_active = false;
            sdp::evaluate_offer(&offer, &caps)
        } else {
            Ok(decision)
        }
    });
    let decision = match judged {
        Ok(d) => d,
        Err(e) => {
            let reason = e.to_string();
            return Verdict::Refuse {
                code: 488,
                warning: Some((e.warn_code(), reason.clone())),
                why: format!("refusing an unusable offer: {reason}"),
            };
        }
    };
    if policy.refuse_sessions {
        return Verdict::Refuse {
            code: 488,
            warning: None,
            why: "refusing a session: this client takes no sessions".into(),
        };
    }
    match (&decision.kind, policy.msrp_available) {
        (OfferKind::FilePush(_), true) => Verdict::File { offer, decision },
        (OfferKind::Chat, true) => Verdict::Chat { offer, decision },
        _ => Verdict::Refuse {
            code: 488,
            warning: Some((
                WARNING_MISCELLANEOUS,
                "sessions over MSRP are not available here".into(),
            )),
            why: "refusing an offer we cannot serve here".into(),
        },
    }
}

/// Whether to answer passive where the offer lets us choose: a direct TLS
/// offer without `a=fingerprint` leaves us nothing to pin the peer's
/// certificate to, so we let the peer connect to our TLS listener (it
/// checks us by our fingerprint) rather than connect and check it like a
/// server.
fn prefers_passive(offer: &SessionDescription, decision: &OfferDecision, relayed: bool) -> bool {
    !relayed
        && decision.transport == MsrpTransport::Tls
        && fingerprint_in(offer).is_none()
        && decision.remote.setup.or_else(|| offer.session_setup()) == Some(Setup::ActPass)
}

/// The SDP attribute carrying a certificate fingerprint (RFC 8122).
pub const FINGERPRINT_ATTRIBUTE: &str = "fingerprint";

/// The `a=setup` role of our offers: behind NAT without a relay, a peer
/// cannot connect to our address, so unless the user chose a role we say
/// we connect (`active`, RFC 6135) and the peer waits for us.
pub(crate) fn offer_role(configured: MsrpRole, behind_nat: bool) -> MsrpRole {
    match configured {
        MsrpRole::Auto if behind_nat => MsrpRole::Active,
        role => role,
    }
}

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

fn path_of(local_path: &[MsrpUri]) -> Result<MsrpPath, SessionSdpError> {
    MsrpPath::from_uris(local_path.iter().map(ToString::to_string).collect()).map_err(SessionSdpError::Local)
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
) -> Result<SessionDescription, SessionSdpError> {
    let ours = local_path.last().ok_or(SessionSdpError::Empty)?;
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
fn capabilities(role: MsrpRole, relayed: bool, max_file_size: u64) -> Capabilities {
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
) -> Result<(SessionDescription, Negotiated), SessionSdpError> {
    let ours = local_path.last().ok_or(SessionSdpError::Empty)?;
    if decision.transport == MsrpTransport::Tls && !ours.secure {
        return Err(SessionSdpError::NotTls {
            path: ours.to_string(),
        });
    }
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

/// Reads the peer's answer to our `offer`: what was negotiated, and the
/// certificate fingerprint it announced.
pub(crate) fn read_answer(
    offer: &SessionDescription,
    sdp: &[u8],
) -> Result<(Negotiated, Option<String>), SessionSdpError> {
    let answer =
        SessionDescription::parse(sdp).map_err(|e| SessionSdpError::UnusableAnswer(e.to_string()))?;
    let fingerprint = fingerprint_in(&answer);
    let negotiated =
        sdp::read_answer(offer, &answer).map_err(|e| SessionSdpError::UnusableAnswer(e.to_string()))?;
    Ok((negotiated, fingerprint))
}

/// Offer and answer done: how the session's MSRP task connects
/// (`TaskCommand::Go`). Through our relay we always connect; directly, the
/// peer's relays are reached by connecting to them, else `a=setup` decides.
pub(crate) fn go_command(
    negotiated: &Negotiated,
    fingerprint: Option<String>,
    peer_sdp: PeerSdp,
    relayed: bool,
) -> Result<TaskCommand, SessionSdpError> {
    let path = remote_path(negotiated)?;
    let we_connect = !relayed && (path.len() > 1 || negotiated.connect == Connect::WeConnect);
    Ok(TaskCommand::Go {
        remote_path: path,
        we_connect,
        fingerprint,
        peer_sdp,
        accept_types: sdp::CHAT_ACCEPT_TYPES.iter().map(|s| s.to_string()).collect(),
    })
}

/// The peer's path as MSRP URIs.
pub(crate) fn remote_path(negotiated: &Negotiated) -> Result<Vec<MsrpUri>, SessionSdpError> {
    negotiated
        .remote_path
        .uris()
        .iter()
        .map(|u| {
            MsrpUri::parse(u).map_err(|e| SessionSdpError::Remote {
                uri: u.clone(),
                reason: e.to_string(),
            })
        })
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

#[cfg(test)]
mod tests;
