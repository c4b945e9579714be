//! The steps of offer/answer that chat and file sessions share: our offer
//! or our answer once the MSRP task knows our path, the peer's answer read,
//! and how the task then connects. Each step is pure and says as data what
//! the feature owning the session does next ([`Step`]): the SIP actions to
//! ask of the driver, in order, and how the step ended. The features keep
//! only what differs: their own state, a file's attributes in the offer,
//! and what a chat learns of the peer from the negotiation.

use super::{chat_answer, go_command, read_answer, session_offer, SessionAction, WARNING_MISCELLANEOUS};
use crate::config::MsrpRole;
use crate::model::SessionId;
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{FileAttributes, Negotiated, OfferDecision, SessionDescription};
use crate::protocol::sip::agent::Hop;
use crate::runtime::msrp_task::{PeerSdp, TaskCommand};

/// The SIP 488 (Not Acceptable Here) for an offer we cannot answer.
const NOT_ACCEPTABLE_HERE: u16 = 488;

/// What one step of offer/answer asks of the feature that owns the session.
#[derive(Debug)]
pub(crate) struct Step {
    /// What the driver does with the SIP session, in this order.
    pub(crate) actions: Vec<SessionAction>,
    /// How the step ended.
    pub(crate) outcome: Outcome,
}

/// How a step of offer/answer ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Our offer is on its way (the INVITE is in the actions): keep it, to
    /// read the peer's answer against it.
    Offered(SessionDescription),
    /// Offer and answer are done: the session's MSRP task connects with
    /// `command`; `negotiated` is what the two sides agreed on.
    Connect {
        /// `TaskCommand::Go` for the session's task.
        command: TaskCommand,
        /// What was agreed (what the peer takes, its path).
        negotiated: Box<Negotiated>,
    },
    /// The session failed; the reason in words.
    Failed(String),
}

/// Our side of a session, once its MSRP task knows our path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OurSide<'a> {
    /// Our MSRP path (the last URI ours).
    pub(crate) local_path: &'a [MsrpUri],
    /// Whether the session goes through our relay (we then always connect
    /// and announce no certificate fingerprint).
    pub(crate) relayed: bool,
    /// Our certificate's fingerprint, for `msrps` without a relay.
    pub(crate) fingerprint: Option<&'a str>,
}

/// Our offer of an outgoing session to `to` over `hop` (a chat, or with
/// `file` an RFC 5547 push of that file): the INVITE to send; or the reason
/// there can be none.
pub(crate) fn offer(
    session: SessionId,
    to: String,
    hop: Hop,
    ours: OurSide<'_>,
    role: MsrpRole,
    file: Option<FileAttributes>,
) -> Step {
    match session_offer(ours.local_path, role, ours.relayed, ours.fingerprint, file) {
        Ok(offer) => Step {
            actions: vec![SessionAction::Invite {
                session,
                to,
                sdp: offer.to_bytes(),
                hop,
            }],
            outcome: Outcome::Offered(offer),
        },
        Err(e) => failed(Vec::new(), e.to_string()),
    }
}

/// Our answer to the peer's `offer` (judged by `decision`): accept it and
/// connect; or refuse it with 488 and a Warning in words.
pub(crate) fn answer(
    session: SessionId,
    offer: &SessionDescription,
    decision: &OfferDecision,
    ours: OurSide<'_>,
) -> Step {
    match chat_answer(offer, decision, ours.local_path, ours.relayed, ours.fingerprint) {
        Ok((answer, negotiated)) => {
            let accept = SessionAction::Accept {
                session,
                sdp: answer.to_bytes(),
            };
            let fingerprint = super::fingerprint_in(offer);
            connect(
                session,
                vec![accept],
                negotiated,
                fingerprint,
                PeerSdp::Offer,
                ours.relayed,
            )
        }
        Err(e) => {
            let reject = SessionAction::Reject {
                session,
                code: NOT_ACCEPTABLE_HERE,
                warning: Some((WARNING_MISCELLANEOUS, e.to_string())),
            };
            failed(vec![reject], e.to_string())
        }
    }
}

/// The peer answered our `offer` with `sdp`: connect; or end the session
/// when the answer is unusable.
pub(crate) fn answered(session: SessionId, offer: &SessionDescription, sdp: &[u8], relayed: bool) -> Step {
    match read_answer(offer, sdp) {
        Ok((negotiated, fingerprint)) => connect(
            session,
            Vec::new(),
            negotiated,
            fingerprint,
            PeerSdp::Answer,
            relayed,
        ),
        Err(e) => failed(vec![SessionAction::End { session }], e.to_string()),
    }
}

/// Offer and answer are done: how the task connects, after `actions`; or
/// the session ends when the peer's path is unusable.
fn connect(
    session: SessionId,
    mut actions: Vec<SessionAction>,
    negotiated: Negotiated,
    fingerprint: Option<String>,
    peer_sdp: PeerSdp,
    relayed: bool,
) -> Step {
    match go_command(&negotiated, fingerprint, peer_sdp, relayed) {
        Ok(command) => Step {
            actions,
            outcome: Outcome::Connect {
                command,
                negotiated: Box::new(negotiated),
            },
        },
        Err(e) => {
            actions.push(SessionAction::End { session });
            failed(actions, e.to_string())
        }
    }
}

fn failed(actions: Vec<SessionAction>, reason: String) -> Step {
    Step {
        actions,
        outcome: Outcome::Failed(reason),
    }
}
