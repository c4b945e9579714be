//! Offer/answer for MSRP streams (RFC 3264, RFC 4975 section 8, RFC 6135,
//! RFC 5547): building offers, answering offers, reading answers, and the
//! connection role.

use super::description::{MsrpMedia, Origin, OtherMedia, SessionDescription, Stream};
use super::file::{FileAttributes, FileRange};
use super::types::{media_type_matches, Address, Direction, MsrpPath, MsrpTransport, Setup};
use super::SdpError;

/// What we accept in a chat, in our order of preference: CPIM (for IMDN
/// and sender identity), plain text, and isComposing.
pub const CHAT_ACCEPT_TYPES: &[&str] = &["message/cpim", "text/plain", "application/im-iscomposing+xml"];

/// What we accept inside CPIM in a chat.
pub const CHAT_ACCEPT_WRAPPED_TYPES: &[&str] =
    &["text/plain", "application/im-iscomposing+xml", "message/imdn+xml"];

/// Which side of the offer/answer exchange we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferRole {
    /// We sent the offer.
    Offerer,
    /// We sent the answer.
    Answerer,
}

/// Who opens the MSRP connection, seen from our side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connect {
    /// We connect to the peer's path (we are active).
    WeConnect,
    /// We wait for the peer to connect (we are passive).
    WeListen,
    /// `holdconn`: nobody connects until a new offer says so.
    NoConnection,
}

/// Setup roles that do not fit together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// The answer says `actpass`, which only an offer may say.
    #[error("the answer says setup:actpass, which only an offer may say")]
    ActPassInAnswer,
    /// Both sides want the same role.
    #[error("the offer says setup:{} and the answer setup:{}; one side must connect and the other listen", .offer.as_str(), .answer.as_str())]
    Conflict {
        /// The offer's role (after defaults).
        offer: Setup,
        /// The answer's role (after defaults).
        answer: Setup,
    },
}

/// Decides who connects (RFC 6135 section 4 with RFC 4145 roles).
///
/// `offer` and `answer` are the `a=setup` values as written (`None` when
/// absent). Absent in the offer means `active` (RFC 4975: the offerer
/// connects); absent in the answer means `passive` (an answerer that knows
/// only RFC 4975 waits for the offerer). `holdconn` on either side means no
/// connection.
pub fn who_connects(
    role: OfferRole,
    offer: Option<Setup>,
    answer: Option<Setup>,
) -> Result<Connect, SetupError> {
    let offer = offer.unwrap_or(Setup::Active);
    let answer = answer.unwrap_or(Setup::Passive);
    let offerer_connects = match (offer, answer) {
        (_, Setup::ActPass) => return Err(SetupError::ActPassInAnswer),
        (Setup::HoldConn, _) | (_, Setup::HoldConn) => return Ok(Connect::NoConnection),
        (Setup::Active | Setup::ActPass, Setup::Passive) => true,
        (Setup::Passive | Setup::ActPass, Setup::Active) => false,
        (offer, answer) => return Err(SetupError::Conflict { offer, answer }),
    };
    let we_connect = offerer_connects == (role == OfferRole::Offerer);
    Ok(if we_connect {
        Connect::WeConnect
    } else {
        Connect::WeListen
    })
}

/// The `a=setup` an answerer writes for an offer's `a=setup` (`None` when
/// absent): the complementary role; for `actpass`, `active` when
/// `prefer_active`, else `passive` (what an RFC 4975 answerer does).
pub fn answer_setup_for(offer: Option<Setup>, prefer_active: bool) -> Setup {
    match offer {
        None | Some(Setup::Active) => Setup::Passive,
        Some(Setup::Passive) => Setup::Active,
        Some(Setup::ActPass) if prefer_active => Setup::Active,
        Some(Setup::ActPass) => Setup::Passive,
        Some(Setup::HoldConn) => Setup::HoldConn,
    }
}

/// Everything needed to write our offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferParams {
    /// `o=` (bump `session_version` for each new offer in a dialog).
    pub origin: Origin,
    /// `c=` (the address the peer may connect to).
    pub connection: Address,
    /// Port of the `m=` line (that of our path's last URI).
    pub port: u16,
    /// `TCP/MSRP` or `TCP/TLS/MSRP`.
    pub transport: MsrpTransport,
    /// Our `a=path` (relays first, our own URI last).
    pub path: MsrpPath,
    /// Our `a=setup`; `ActPass` lets the answerer choose.
    pub setup: Setup,
    /// `a=accept-types`.
    pub accept_types: Vec<String>,
    /// `a=accept-wrapped-types` (left out when empty).
    pub accept_wrapped_types: Vec<String>,
    /// `a=max-size`, if we limit what we receive.
    pub max_size: Option<u64>,
}

impl OfferParams {
    /// Parameters for a chat: `actpass`, [`CHAT_ACCEPT_TYPES`] and
    /// [`CHAT_ACCEPT_WRAPPED_TYPES`], no max-size.
    pub fn chat(
        origin: Origin,
        connection: Address,
        port: u16,
        transport: MsrpTransport,
        path: MsrpPath,
    ) -> Self {
        OfferParams {
            origin,
            connection,
            port,
            transport,
            path,
            setup: Setup::ActPass,
            accept_types: CHAT_ACCEPT_TYPES.iter().map(|s| s.to_string()).collect(),
            accept_wrapped_types: CHAT_ACCEPT_WRAPPED_TYPES.iter().map(|s| s.to_string()).collect(),
            max_size: None,
        }
    }
}

fn offer_with(
    params: &OfferParams,
    direction: Direction,
    file: Option<FileAttributes>,
) -> SessionDescription {
    let mut m = MsrpMedia::new(params.transport, params.port, params.path.clone());
    m.accept_types = params.accept_types.clone();
    m.accept_wrapped_types = params.accept_wrapped_types.clone();
    m.max_size = params.max_size;
    m.setup = Some(params.setup);
    m.direction = Some(direction);
    m.file = file;
    SessionDescription {
        origin: params.origin.clone(),
        session_name: "-".into(),
        connection: Some(params.connection.clone()),
        attributes: Vec::new(),
        streams: vec![Stream::Msrp(m)],
    }
}

/// A chat offer: one `m=message` stream, `a=sendrecv`.
pub fn chat_offer(params: &OfferParams) -> SessionDescription {
    offer_with(params, Direction::SendRecv, None)
}

/// A file push offer (RFC 5547): one `m=message` stream, `a=sendonly`, and
/// the file attributes (set `selector`, a fresh `transfer_id`, and `range`
/// when resuming). RFC 5547's examples use accept-types `message/cpim` and
/// accept-wrapped-types `*`; pass what suits in `params`.
pub fn file_push_offer(params: &OfferParams, file: FileAttributes) -> SessionDescription {
    offer_with(params, Direction::SendOnly, Some(file))
}

/// What we can do when answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Media types we accept in a chat.
    pub accept_types: Vec<String>,
    /// Media types we accept inside CPIM.
    pub accept_wrapped_types: Vec<String>,
    /// `TCP/MSRP` is possible.
    pub tcp: bool,
    /// `TCP/TLS/MSRP` is possible (we have a certificate, or a relay).
    pub tls: bool,
    /// Our `a=max-size`, if any.
    pub max_size: Option<u64>,
    /// Whether file push offers are considered at all.
    pub accept_files: bool,
    /// Files larger than this are declined.
    pub max_file_size: Option<u64>,
    /// File types we take (`*` for any).
    pub file_accept_types: Vec<String>,
    /// Answer `actpass` with `active` (we connect) instead of `passive`.
    pub prefer_active: bool,
}

impl Default for Capabilities {
    /// Chat with [`CHAT_ACCEPT_TYPES`], TCP and TLS, any file, passive.
    fn default() -> Self {
        Capabilities {
            accept_types: CHAT_ACCEPT_TYPES.iter().map(|s| s.to_string()).collect(),
            accept_wrapped_types: CHAT_ACCEPT_WRAPPED_TYPES.iter().map(|s| s.to_string()).collect(),
            tcp: true,
            tls: true,
            max_size: None,
            accept_files: true,
            max_file_size: None,
            file_accept_types: vec!["*".into()],
            prefer_active: false,
        }
    }
}

/// Why an offer is declined. Answer the INVITE with [`Rejection::STATUS`]
/// (488 Not Acceptable Here); the text says why in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The body is not a session description we can read.
    #[error("{0}")]
    Malformed(#[from] SdpError),
    /// No `m=message` line at all.
    #[error("the offer has no message stream (m=message)")]
    NoMessageStream,
    /// Every message stream has port 0.
    #[error("every message stream in the offer is disabled (port 0)")]
    StreamDisabled,
    /// Message streams only over transports we do not have.
    #[error("the offered transport {proto} is not supported here")]
    UnsupportedTransport {
        /// The first such proto field.
        proto: String,
    },
    /// No media type both sides accept in a chat.
    #[error("no media type in common: the offer accepts {}, we accept {}", list(.offered), list(.ours))]
    NoCommonAcceptTypes {
        /// The offer's accept-types.
        offered: Vec<String>,
        /// Ours.
        ours: Vec<String>,
    },
    /// `recvonly` with a file-selector: the peer asks us to send a file.
    #[error("requests for files (file pull) are not supported")]
    FilePullNotSupported,
    /// A file-selector with `sendrecv` or `inactive`.
    #[error("a file transfer must be sendonly or recvonly, not {}", .0.as_str())]
    FileDirectionInvalid(Direction),
    /// We take no files.
    #[error("file transfers are not accepted")]
    FileTransfersRefused,
    /// The file is above our limit.
    #[error("the file is larger than the {} limit ({size} bytes)", crate::model::human_size(*.limit))]
    FileTooLarge {
        /// Offered size.
        size: u64,
        /// Our limit.
        limit: u64,
    },
    /// The file type is not one we take.
    #[error("files of type {0} are not accepted")]
    FileTypeNotAccepted(String),
    /// The offer's setup role cannot be answered.
    #[error("{0}")]
    Setup(#[from] SetupError),
}

fn list(l: &[String]) -> String {
    if l.is_empty() {
        "nothing".into()
    } else {
        l.join(" ")
    }
}

impl Rejection {
    /// The SIP status to answer with: 488 Not Acceptable Here.
    pub const STATUS: u16 = 488;
    /// Its reason phrase.
    pub const REASON: &'static str = "Not Acceptable Here";

    /// The RFC 3261 warn-code that fits: 302 incompatible transport, 304
    /// media type not available, 305 incompatible media format, 399
    /// otherwise.
    pub fn warn_code(&self) -> u16 {
        match self {
            Rejection::UnsupportedTransport { .. } => 302,
            Rejection::NoMessageStream | Rejection::StreamDisabled => 304,
            Rejection::NoCommonAcceptTypes { .. } | Rejection::FileTypeNotAccepted(_) => 305,
            _ => 399,
        }
    }

    /// A Warning header value: `<code> <agent> "<text>"`, the text escaped
    /// as a quoted-string.
    pub fn warning(&self, agent: &str) -> String {
        let text: String = self
            .to_string()
            .chars()
            .filter(|c| !c.is_control())
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        format!("{} {agent} \"{text}\"", self.warn_code())
    }
}

/// What the offer asks for.
#[allow(clippy::large_enum_variant)] // one per offer; not worth a Box
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferKind {
    /// A chat (no file-selector).
    Chat,
    /// The peer pushes a file to us; its RFC 5547 attributes as offered.
    FilePush(FileAttributes),
}

/// An offer we can answer: which stream, and how (from [`evaluate_offer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDecision {
    /// Index of the chosen stream in the offer's streams.
    pub stream_index: usize,
    /// Its transport: our path must use `msrps:` for TLS, `msrp:` for TCP.
    pub transport: MsrpTransport,
    /// Chat or file push.
    pub kind: OfferKind,
    /// The offered stream.
    pub remote: MsrpMedia,
    /// The `c=` that applies to it.
    pub remote_connection: Option<Address>,
    /// Our `a=setup`.
    pub answer_setup: Setup,
    /// Whether we connect or listen.
    pub connect: Connect,
    /// Our direction (the offer's reversed).
    pub answer_direction: Direction,
    /// Our `a=accept-types`.
    pub accept_types: Vec<String>,
    /// Our `a=accept-wrapped-types`.
    pub accept_wrapped_types: Vec<String>,
    /// Our `a=max-size`.
    pub max_size: Option<u64>,
}

/// What was agreed, from either side: where the peer is and who connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// Transport of the stream.
    pub transport: MsrpTransport,
    /// Whether we connect, listen, or neither.
    pub connect: Connect,
    /// The peer's `a=path` (To-Path is built from it).
    pub remote_path: MsrpPath,
    /// The peer's `c=` for the stream.
    pub remote_connection: Option<Address>,
    /// The peer's `m=` port.
    pub remote_port: u16,
    /// What the peer accepts.
    pub remote_accept_types: Vec<String>,
    /// What the peer accepts inside CPIM.
    pub remote_accept_wrapped_types: Vec<String>,
    /// The peer's `a=max-size`: do not send larger messages.
    pub remote_max_size: Option<u64>,
    /// The peer's direction (default `sendrecv`).
    pub remote_direction: Direction,
    /// RFC 5547 attributes of the transfer (as answered; for the answerer,
    /// as offered), `None` for a chat.
    pub file: Option<FileAttributes>,
    /// The agreed `a=file-range` (from the answer); `None` means the whole
    /// file.
    pub file_range: Option<FileRange>,
}

/// Looks at an offer and decides whether and how we can answer it.
///
/// The first MSRP stream (port not 0) over a transport we have is chosen;
/// other streams will be declined in the answer. A file-selector with
/// `sendonly` is a push (checked against `accept_files`, `max_file_size`,
/// `file_accept_types`); with `recvonly` it is a pull, which we decline.
/// A chat needs at least one media type both sides accept.
pub fn evaluate_offer(offer: &SessionDescription, caps: &Capabilities) -> Result<OfferDecision, Rejection> {
    let mut unsupported = None;
    let mut disabled = false;
    let mut chosen = None;
    for (i, s) in offer.streams.iter().enumerate() {
        match s {
            Stream::Msrp(m) if m.port == 0 => disabled = true,
            Stream::Msrp(m) => {
                let have = match m.transport {
                    MsrpTransport::Tcp => caps.tcp,
                    MsrpTransport::Tls => caps.tls,
                };
                if have {
                    chosen = Some((i, m));
                    break;
                }
                unsupported.get_or_insert_with(|| m.transport.proto().to_string());
            }
            Stream::Other(o) if o.media.eq_ignore_ascii_case("message") => {
                if o.port == 0 {
                    disabled = true;
                } else {
                    unsupported.get_or_insert_with(|| o.proto.clone());
                }
            }
            Stream::Other(_) => {}
        }
    }
    let Some((index, m)) = chosen else {
        return Err(match (unsupported, disabled) {
            (Some(proto), _) => Rejection::UnsupportedTransport { proto },
            (None, true) => Rejection::StreamDisabled,
            (None, false) => Rejection::NoMessageStream,
        });
    };

    let direction = m.effective_direction();
    let (kind, accept_types, accept_wrapped_types) = match (&m.file, m.is_file_transfer()) {
        (Some(file), true) => {
            match direction {
                Direction::SendOnly => {}
                Direction::RecvOnly => return Err(Rejection::FilePullNotSupported),
                d => return Err(Rejection::FileDirectionInvalid(d)),
            }
            check_file(file, caps)?;
            let mut types = intersect(&m.accept_types, &caps.file_accept_types, true);
            if types.is_empty() {
                types = caps.file_accept_types.clone();
            }
            (
                OfferKind::FilePush(file.clone()),
                types,
                m.accept_wrapped_types.clone(),
            )
        }
        _ => {
            let common = intersect(&caps.accept_types, &m.accept_types, false);
            if common.is_empty() {
                return Err(Rejection::NoCommonAcceptTypes {
                    offered: m.accept_types.clone(),
                    ours: caps.accept_types.clone(),
                });
            }
            let wraps = common.iter().any(|t| media_type_matches(t, "message/cpim"));
            let wrapped = if !wraps {
                Vec::new()
            } else if m.accept_wrapped_types.is_empty() {
                caps.accept_wrapped_types.clone()
            } else {
                intersect(&caps.accept_wrapped_types, &m.accept_wrapped_types, false)
            };
            (OfferKind::Chat, common, wrapped)
        }
    };

    let offer_setup = m.setup.or_else(|| offer.session_setup());
    let answer_setup = answer_setup_for(offer_setup, caps.prefer_active);
    let connect = who_connects(OfferRole::Answerer, offer_setup, Some(answer_setup))?;
    Ok(OfferDecision {
        stream_index: index,
        transport: m.transport,
        kind,
        remote: m.clone(),
        remote_connection: offer.connection_for(m),
        answer_setup,
        connect,
        answer_direction: direction.reversed(),
        accept_types,
        accept_wrapped_types,
        max_size: caps.max_size,
    })
}

fn check_file(file: &FileAttributes, caps: &Capabilities) -> Result<(), Rejection> {
    if !caps.accept_files {
        return Err(Rejection::FileTransfersRefused);
    }
    let Some(sel) = &file.selector else {
        return Ok(());
    };
    if let (Some(size), Some(limit)) = (sel.size, caps.max_file_size) {
        if size > limit {
            return Err(Rejection::FileTooLarge { size, limit });
        }
    }
    if let Some(t) = &sel.file_type {
        if !caps.file_accept_types.iter().any(|p| media_type_matches(p, t)) {
            return Err(Rejection::FileTypeNotAccepted(t.clone()));
        }
    }
    Ok(())
}

/// The entries of `first` that some entry of `second` covers (wildcards
/// on either side). With `keep_first_wildcards` false, a `*` in `first`
/// is replaced by `second`'s entries.
fn intersect(first: &[String], second: &[String], keep_first_wildcards: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in first {
        if a == "*" && !keep_first_wildcards {
            for b in second {
                if !out.iter().any(|o| o.eq_ignore_ascii_case(b)) {
                    out.push(b.clone());
                }
            }
        } else if second.iter().any(|b| media_type_matches(b, a))
            && !out.iter().any(|o| o.eq_ignore_ascii_case(a))
        {
            out.push(a.clone());
        }
    }
    out
}

/// Our side of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalEndpoint {
    /// `o=`.
    pub origin: Origin,
    /// `c=`.
    pub connection: Address,
    /// Port of our `m=` line.
    pub port: u16,
    /// Our `a=path` (scheme per [`OfferDecision::transport`]).
    pub path: MsrpPath,
}

/// Writes the answer for an accepted offer (RFC 3264: one `m=` line per
/// offered one; the others are declined with port 0).
///
/// For a file push the answer is `recvonly` and echoes the file-selector,
/// file-transfer-id and file-disposition; `range` is the `a=file-range` to
/// answer (when resuming), by default the offered one is echoed.
pub fn build_answer(
    offer: &SessionDescription,
    decision: &OfferDecision,
    local: &LocalEndpoint,
    range: Option<FileRange>,
) -> (SessionDescription, Negotiated) {
    if !local.path.matches_transport(decision.transport) {
        tracing::warn!(
            path = %local.path,
            transport = %decision.transport,
            "our MSRP path does not use the scheme of the negotiated transport"
        );
    }
    let mut ours = MsrpMedia::new(decision.transport, local.port, local.path.clone());
    ours.accept_types = decision.accept_types.clone();
    ours.accept_wrapped_types = decision.accept_wrapped_types.clone();
    ours.max_size = decision.max_size;
    ours.setup = Some(decision.answer_setup);
    ours.direction = Some(decision.answer_direction);
    let file = match &decision.kind {
        OfferKind::Chat => None,
        OfferKind::FilePush(f) => Some(FileAttributes {
            selector: f.selector.clone(),
            transfer_id: f.transfer_id.clone(),
            disposition: f.disposition.clone(),
            date: None,
            icon: None,
            range: range.or(f.range),
        }),
    };
    ours.file = file.clone();

    let streams = offer
        .streams
        .iter()
        .enumerate()
        .map(|(i, s)| match s {
            _ if i == decision.stream_index => Stream::Msrp(ours.clone()),
            Stream::Msrp(m) => {
                let mut declined = MsrpMedia::new(m.transport, 0, MsrpPath::default());
                declined.formats = m.formats.clone();
                Stream::Msrp(declined)
            }
            Stream::Other(o) => Stream::Other(OtherMedia { port: 0, ..o.clone() }),
        })
        .collect();
    let answer = SessionDescription {
        origin: local.origin.clone(),
        session_name: "-".into(),
        connection: Some(local.connection.clone()),
        attributes: Vec::new(),
        streams,
    };
    let remote = &decision.remote;
    let negotiated = Negotiated {
        transport: decision.transport,
        connect: decision.connect,
        remote_path: remote.path.clone(),
        remote_connection: decision.remote_connection.clone(),
        remote_port: remote.port,
        remote_accept_types: remote.accept_types.clone(),
        remote_accept_wrapped_types: remote.accept_wrapped_types.clone(),
        remote_max_size: remote.max_size,
        remote_direction: remote.effective_direction(),
        file_range: file.as_ref().and_then(|f| f.range),
        file,
    };
    (answer, negotiated)
}

/// [`evaluate_offer`] and [`build_answer`] in one call (no resume range).
pub fn answer_offer(
    offer: &SessionDescription,
    caps: &Capabilities,
    local: &LocalEndpoint,
) -> Result<(SessionDescription, Negotiated), Rejection> {
    let decision = evaluate_offer(offer, caps)?;
    Ok(build_answer(offer, &decision, local, None))
}

/// Why an answer does not let the session start (send BYE).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Our own offer has no MSRP stream (a bug on our side).
    #[error("our offer has no MSRP stream")]
    NoOfferedStream,
    /// The answer has fewer media lines than the offer.
    #[error("the answer has {found} media lines; the offer had {expected}")]
    StreamCount {
        /// Lines in the offer.
        expected: usize,
        /// Lines in the answer.
        found: usize,
    },
    /// The answer's line for our stream is not MSRP.
    #[error("the answer replaced the message stream with {0}")]
    NotMsrp(String),
    /// Port 0: the peer declined the stream.
    #[error("the peer declined the message stream (port 0)")]
    Declined,
    /// The answer changed the transport.
    #[error("the offer was {offered} but the answer is {answered}")]
    TransportMismatch {
        /// Ours.
        offered: MsrpTransport,
        /// Theirs.
        answered: MsrpTransport,
    },
    /// Setup roles that do not fit.
    #[error("{0}")]
    Setup(#[from] SetupError),
    /// We push a file and the answer does not receive.
    #[error("we offered to send a file but the answer says {}", .0.as_str())]
    Direction(Direction),
    /// The answer names another transfer.
    #[error("the answer's file-transfer-id {answered} is not ours ({offered})")]
    FileTransferId {
        /// Ours.
        offered: String,
        /// Theirs.
        answered: String,
    },
}

/// Checks an answer against our offer and returns what was agreed.
pub fn read_answer(
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<Negotiated, AnswerError> {
    let (index, ours) = offer.msrp_stream().ok_or(AnswerError::NoOfferedStream)?;
    if answer.streams.len() < offer.streams.len() {
        return Err(AnswerError::StreamCount {
            expected: offer.streams.len(),
            found: answer.streams.len(),
        });
    }
    let theirs = match &answer.streams[index] {
        Stream::Msrp(m) => m,
        Stream::Other(o) => {
            return Err(AnswerError::NotMsrp(format!(
                "m={} {} {}",
                o.media, o.port, o.proto
            )))
        }
    };
    if theirs.port == 0 {
        return Err(AnswerError::Declined);
    }
    if theirs.transport != ours.transport {
        return Err(AnswerError::TransportMismatch {
            offered: ours.transport,
            answered: theirs.transport,
        });
    }
    let connect = who_connects(
        OfferRole::Offerer,
        ours.setup.or_else(|| offer.session_setup()),
        theirs.setup.or_else(|| answer.session_setup()),
    )?;
    let remote_direction = theirs.effective_direction();
    if ours.effective_direction() == Direction::SendOnly
        && matches!(remote_direction, Direction::SendOnly | Direction::Inactive)
    {
        return Err(AnswerError::Direction(remote_direction));
    }
    let offered_id = ours.file.as_ref().and_then(|f| f.transfer_id.as_ref());
    let answered_id = theirs.file.as_ref().and_then(|f| f.transfer_id.as_ref());
    if let (Some(o), Some(a)) = (offered_id, answered_id) {
        if o != a {
            return Err(AnswerError::FileTransferId {
                offered: o.clone(),
                answered: a.clone(),
            });
        }
    }
    Ok(Negotiated {
        transport: theirs.transport,
        connect,
        remote_path: theirs.path.clone(),
        remote_connection: answer.connection_for(theirs),
        remote_port: theirs.port,
        remote_accept_types: theirs.accept_types.clone(),
        remote_accept_wrapped_types: theirs.accept_wrapped_types.clone(),
        remote_max_size: theirs.max_size,
        remote_direction,
        file: theirs.file.clone().or_else(|| ours.file.clone()),
        file_range: theirs.file.as_ref().and_then(|f| f.range),
    })
}

#[cfg(test)]
#[path = "negotiate_tests.rs"]
mod tests;
