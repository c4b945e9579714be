//! Offer/answer of a chat session: an incoming offer judged and rung (or
//! declined for a blocked peer), our offer or answer once the MSRP task
//! knows our path, the peer's answer read, and the task told how to
//! connect.

use super::{Chat, ChatEffect, Chats};
use crate::model::{ChatState, SessionId};
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{Negotiated, OfferDecision, SessionDescription};
use crate::protocol::sip::agent::Hop;
use crate::runtime::event::Event;
use crate::runtime::msrp_session::{self, SessionAction};
use crate::runtime::msrp_task::PeerSdp;

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
        let relayed = relay.is_some();
        let role = msrp_session::offer_role(self.config.role, behind_nat);
        let fingerprint = self.config.fingerprint.clone();
        let Some(chat) = self.map.get_mut(&session) else {
            return;
        };
        chat.relay = relay;
        let (Some(hop), false) = (chat.hop, chat.incoming) else {
            return self.answer(session, local_path);
        };
        match msrp_session::session_offer(&local_path, role, relayed, fingerprint.as_deref(), None) {
            Ok(offer) => {
                let sdp = offer.to_bytes();
                chat.offer = Some(offer);
                chat.signalled = true;
                let to = chat.peer.clone();
                self.session(SessionAction::Invite {
                    session,
                    to,
                    sdp,
                    hop,
                });
            }
            Err(e) => self.finish(
                session,
                ChatState::Failed {
                    reason: e.to_string(),
                },
            ),
        }
    }

    pub(super) fn answer(&mut self, session: SessionId, local_path: Vec<MsrpUri>) {
        let relayed = self.config.relayed;
        let fingerprint = self.config.fingerprint.clone();
        let Some(chat) = self.map.get(&session) else {
            return;
        };
        let (Some(offer), Some(decision)) = (chat.offer.as_ref(), chat.decision.as_ref()) else {
            return;
        };
        let answered =
            msrp_session::chat_answer(offer, decision, &local_path, relayed, fingerprint.as_deref());
        let peer_fingerprint = msrp_session::fingerprint_in(offer);
        match answered {
            Ok((answer, negotiated)) => {
                self.session(SessionAction::Accept {
                    session,
                    sdp: answer.to_bytes(),
                });
                self.go(session, &negotiated, peer_fingerprint, PeerSdp::Offer);
            }
            Err(e) => {
                self.session(SessionAction::Reject {
                    session,
                    code: 488,
                    warning: Some((msrp_session::WARNING_MISCELLANEOUS, e.to_string())),
                });
                self.finish(
                    session,
                    ChatState::Failed {
                        reason: e.to_string(),
                    },
                );
            }
        }
    }

    pub(super) fn answered(&mut self, session: SessionId, sdp: &[u8]) {
        let read = match self.map.get(&session).and_then(|c| c.offer.as_ref()) {
            Some(offer) => msrp_session::read_answer(offer, sdp),
            None => return,
        };
        match read {
            Ok((negotiated, fingerprint)) => {
                self.set_state(session, ChatState::Connecting);
                self.go(session, &negotiated, fingerprint, PeerSdp::Answer);
            }
            Err(e) => {
                self.session(SessionAction::End { session });
                self.finish(
                    session,
                    ChatState::Failed {
                        reason: e.to_string(),
                    },
                );
            }
        }
    }

    /// Offer/answer done: tell the task how to connect.
    fn go(
        &mut self,
        session: SessionId,
        negotiated: &Negotiated,
        fingerprint: Option<String>,
        peer_sdp: PeerSdp,
    ) {
        let command = match msrp_session::go_command(negotiated, fingerprint, peer_sdp, self.config.relayed) {
            Ok(command) => command,
            Err(e) => {
                self.session(SessionAction::End { session });
                return self.finish(
                    session,
                    ChatState::Failed {
                        reason: e.to_string(),
                    },
                );
            }
        };
        let Some(chat) = self.map.get_mut(&session) else {
            return;
        };
        chat.cpim = msrp_session::peer_takes_cpim(negotiated);
        chat.composing = msrp_session::peer_takes_composing(negotiated);
        self.task(session, command);
    }
}
