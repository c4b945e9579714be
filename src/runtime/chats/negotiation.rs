//! Offer/answer of a chat session: an incoming offer judged and rung (or
//! declined for a blocked peer), our offer or answer once the MSRP task
//! knows our path, the peer's answer read, and the task told how to
//! connect. The steps shared with file sessions are
//! `msrp_session::offer_answer`'s; here is what a chat adds (its state, and
//! whether the peer takes CPIM and isComposing).

use super::{Chat, ChatEffect, Chats};
use crate::model::{ChatState, SessionId};
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{OfferDecision, SessionDescription};
use crate::protocol::sip::agent::Hop;
use crate::runtime::event::Event;
use crate::runtime::msrp_session::offer_answer::{self, OurSide, Outcome, Step};
use crate::runtime::msrp_session::{self, SessionAction};

impl Chats {
    pub(super) fn offered(
        &mut self,
        session: SessionId,
        from: String,
        from_name: Option<String>,
        hop: Hop,
        offer: SessionDescription,
        decision: OfferDecision,
    ) {
        if self.blocked.blocks(&from) {
            tracing::info!(%from, "declining a chat from a blocked contact");
            self.session(SessionAction::Reject {
                session,
                code: 603,
                warning: None,
            });
            return self.effects.push_back(ChatEffect::Release { session });
        }
        let mut chat = Chat::new(from.clone(), true);
        chat.hop = Some(hop);
        chat.offer = Some(offer);
        chat.decision = Some(decision);
        chat.state = ChatState::Ringing;
        self.map.insert(session, chat);
        if self.config.auto_accept {
            self.accept(session);
        } else {
            self.session(SessionAction::Ring { session });
            self.emit(Event::ChatOffered {
                account: self.config.account.clone(),
                session,
                from,
                from_name,
            });
        }
    }

    /// The task knows our path: send the offer, or the answer.
    pub(super) fn prepared(
        &mut self,
        session: SessionId,
        local_path: Vec<MsrpUri>,
        relay: Option<String>,
        behind_nat: bool,
    ) {
        let role = msrp_session::offer_role(self.config.role, behind_nat);
        let Some(chat) = self.map.get_mut(&session) else {
            return;
        };
        let relayed = relay.is_some();
        chat.relay = relay;
        let (Some(hop), false) = (chat.hop, chat.incoming) else {
            return self.answer(session, local_path);
        };
        let ours = OurSide {
            local_path: &local_path,
            relayed,
            fingerprint: self.config.fingerprint.as_deref(),
        };
        let step = offer_answer::offer(session, chat.peer.clone(), hop, ours, role, None);
        self.take_step(session, step);
    }

    pub(super) fn answer(&mut self, session: SessionId, local_path: Vec<MsrpUri>) {
        let Some(chat) = self.map.get(&session) else {
            return;
        };
        let (Some(offer), Some(decision)) = (chat.offer.as_ref(), chat.decision.as_ref()) else {
            return;
        };
        let ours = OurSide {
            local_path: &local_path,
            relayed: self.config.relayed,
            fingerprint: self.config.fingerprint.as_deref(),
        };
        let step = offer_answer::answer(session, offer, decision, ours);
        self.take_step(session, step);
    }

    pub(super) fn answered(&mut self, session: SessionId, sdp: &[u8]) {
        let Some(offer) = self.map.get(&session).and_then(|c| c.offer.as_ref()) else {
            return;
        };
        let step = offer_answer::answered(session, offer, sdp, self.config.relayed);
        if matches!(step.outcome, Outcome::Connect { .. }) {
            self.set_state(session, ChatState::Connecting);
        }
        self.take_step(session, step);
    }

    /// Carries out a step of offer/answer; once it is done, the chat learns
    /// what the peer takes (CPIM, isComposing) and the task connects.
    fn take_step(&mut self, session: SessionId, step: Step) {
        for action in step.actions {
            self.session(action);
        }
        match step.outcome {
            Outcome::Offered(offer) => {
                if let Some(chat) = self.map.get_mut(&session) {
                    chat.offer = Some(offer);
                    chat.signalled = true;
                }
            }
            Outcome::Connect { command, negotiated } => {
                let Some(chat) = self.map.get_mut(&session) else {
                    return;
                };
                chat.cpim = msrp_session::peer_takes_cpim(&negotiated);
                chat.composing = msrp_session::peer_takes_composing(&negotiated);
                self.task(session, command);
            }
            Outcome::Failed(reason) => self.finish(session, ChatState::Failed { reason }),
        }
    }
}
