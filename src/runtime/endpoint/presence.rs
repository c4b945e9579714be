//! The driver's side of presence: carries out what the presence feature
//! asks (SUBSCRIBE, refresh, unsubscribe and PUBLISH through the agent,
//! our status into `presence.ron`, events, contacts found on the XCAP
//! server into the address book) and hands it the agent's news.
//!
//! Requests of a server account go through its flow. The local account
//! subscribes to peers whose address names an IP address and port directly
//! (`sip:bob@192.0.2.4:5062`), over its UDP socket; it does not publish,
//! but answers SUBSCRIBEs itself and NOTIFYs what the feature decides.

use super::{answering_address, Endpoint};
use crate::model::{AccountId, ContactDraft};
use crate::protocol::presence::{pidf, EVENT_PRESENCE};
use crate::protocol::sip::agent::{Hop, PublicationEvent, SubscriptionEvent};
use crate::protocol::sip::uri::{SipUri, Transport};
use crate::runtime::contact_book::ContactChange;
use crate::runtime::presence::{PresenceEffect, PresenceInput, SavedPresence};
use crate::runtime::presence_file;
use crate::runtime::queries::Query;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

/// Our saved status for `account` (the default when none is saved or the
/// file cannot be read, which is logged).
pub(super) fn saved_status(data_dir: Option<&Path>, account: &AccountId) -> SavedPresence {
    let Some(dir) = data_dir else {
        return SavedPresence::default();
    };
    match presence_file::load(dir) {
        Ok(all) => all.get(&account.0).cloned().unwrap_or_default(),
        Err(e) => {
            tracing::warn!("{e}");
            SavedPresence::default()
        }
    }
}

impl Endpoint {
    pub(super) fn feed_presence(&mut self, input: PresenceInput) {
        let now = self.now_for_features();
        self.presence.handle(input, now);
    }

    /// Carries out what the presence feature asked.
    pub(super) fn drain_presence(&mut self) {
        while let Some(effect) = self.presence.poll_effect() {
            let now = self.now();
            match effect {
                PresenceEffect::Subscribe { id, request } => match self.presence_hop(&request.target) {
                    Some(hop) => self.agent.subscribe(id, request, hop, now),
                    None => {
                        let reason = if self.target.is_some() {
                            "not connected to the server".to_string()
                        } else {
                            format!(
                                "{} names no IP address and port to reach it directly from this account",
                                request.target
                            )
                        };
                        self.feed_presence(PresenceInput::Subscription(SubscriptionEvent::Failed {
                            id,
                            code: None,
                            reason,
                            retry_after: None,
                        }));
                    }
                },
                PresenceEffect::Refresh { id, expires } => self.agent.refresh_subscription(id, expires, now),
                PresenceEffect::Unsubscribe { id } => self.agent.unsubscribe(id, now),
                PresenceEffect::Forget { id } => self.agent.forget_subscription(id),
                PresenceEffect::Publish { document, expires } => match self.server_hop() {
                    Some(hop) => {
                        let document = document.map(|d| (pidf::CONTENT_TYPE.to_string(), d));
                        self.agent.publish(EVENT_PRESENCE, document, expires, hop, now);
                    }
                    None => self.feed_presence(PresenceInput::Publication(PublicationEvent::Failed {
                        code: None,
                        reason: "not connected to the server".into(),
                        retry_after: None,
                    })),
                },
                PresenceEffect::NotifyWatcher { id, state, document } => {
                    let document = document.map(|d| (pidf::CONTENT_TYPE.to_string(), d));
                    self.agent.notify_watcher(id, state, document, now);
                }
                PresenceEffect::WriteRules { document, if_match } => self.write_rules(document, if_match),
                PresenceEffect::ReadContactList => self.read_contact_list(),
                PresenceEffect::WriteContactList { document, if_match } => {
                    self.write_contact_list(document, if_match);
                }
                PresenceEffect::AddContacts(drafts) => self.add_contacts(drafts),
                PresenceEffect::Persist(saved) => self.persist_presence(saved),
                PresenceEffect::Emit(event) => self.emit(event),
            }
        }
    }

    /// Where a request about `target` goes: the server flow, or (local
    /// account) the peer's own address.
    fn presence_hop(&self, target: &str) -> Option<Hop> {
        if self.target.is_some() {
            return self.server_hop();
        }
        let uri = SipUri::parse(target).ok()?;
        let ip: IpAddr = uri
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()?;
        let remote = SocketAddr::new(ip, uri.port.unwrap_or(Transport::Udp.default_port()));
        let local = self.udp.towards(remote)?.local_addr().ok()?;
        Some(Hop {
            transport: Transport::Udp,
            remote,
            local: answering_address(local, remote),
            conn: None,
        })
    }

    /// Adds contacts found on the XCAP server to the address book, as the
    /// user's own additions are (the book's watchers, presence included,
    /// hear of them).
    fn add_contacts(&self, drafts: Vec<ContactDraft>) {
        for draft in drafts {
            tracing::info!(account = %self.id, "adding {:?} from the contact list on the server", draft.name);
            let _ = self.contact_changes.send(Query::ChangeContacts {
                request: crate::runtime::next_message_id().0,
                change: Box::new(ContactChange::Add { draft }),
            });
        }
    }

    fn persist_presence(&self, saved: SavedPresence) {
        let Some(dir) = self.data_dir.clone() else { return };
        let account = self.id.0.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = presence_file::record(&dir, &account, &saved) {
                tracing::warn!("{e}");
            }
        });
    }
}
