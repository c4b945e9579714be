//! Answers the history questions of the UI (conversations, pages of
//! messages, marking read, search, contacts) and carries out contact
//! changes (`contact_book.rs`) from the store thread. After a change it
//! hands the endpoints the new block list and address book (presence
//! watches the contacts' addresses).
//!
//! The supervisor hands each query to one worker task and goes back to its
//! commands at once. The worker answers queries in the order they were asked
//! (the store thread is serial anyway), so a `MarkRead` followed by
//! `LoadConversations` sees the unread count already cleared.

use super::blocking::BlockList;
use super::contact_book::{self, ContactBookError, ContactChange, ContactChanged, ContactOutcome};
use super::storage::StoreActor;
use super::{Command, Event};
use crate::model::{AccountId, Contact, MessageId, StoredMessage};
use crate::store::{Store, StoreError, MAX_PAGE_SIZE};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// A history question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Query {
    Conversations,
    Messages {
        account: AccountId,
        peer_key: String,
        before: Option<MessageId>,
        limit: usize,
    },
    MarkRead {
        account: AccountId,
        peer_key: String,
    },
    Search {
        text: String,
        limit: usize,
    },
    AckAlert {
        id: i64,
    },
    Alerts {
        account: Option<AccountId>,
        unacknowledged_only: bool,
    },
    Transfers {
        account: Option<AccountId>,
    },
    Contacts,
    ChangeContacts {
        request: u64,
        change: Box<ContactChange>,
    },
}

impl Query {
    /// The query a command asks, or the command back when it is not one.
    pub(crate) fn from_command(command: Command) -> Result<Query, Command> {
        Ok(match command {
            Command::LoadConversations => Query::Conversations,
            Command::LoadMessages {
                account,
                peer_key,
                before,
                limit,
            } => Query::Messages {
                account,
                peer_key,
                before,
                limit,
            },
            Command::MarkRead { account, peer_key } => Query::MarkRead { account, peer_key },
            Command::Search { text, limit } => Query::Search { text, limit },
            Command::AckAlert { id } => Query::AckAlert { id },
            Command::LoadAlerts {
                account,
                unacknowledged_only,
            } => Query::Alerts {
                account,
                unacknowledged_only,
            },
            Command::LoadTransfers { account } => Query::Transfers { account },
            Command::LoadContacts => Query::Contacts,
            Command::ChangeContacts { request, change } => Query::ChangeContacts { request, change },
            other => return Err(other),
        })
    }
}

/// Starts the worker; it ends once the returned sender is dropped and every
/// query already sent is answered.
pub(crate) fn spawn(
    store: StoreActor,
    events: mpsc::UnboundedSender<Event>,
    blocked: watch::Sender<BlockList>,
    book: watch::Sender<Vec<Contact>>,
) -> (mpsc::UnboundedSender<Query>, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Query>();
    let task = tokio::spawn(async move {
        while let Some(query) = rx.recv().await {
            if let Query::ChangeContacts { request, change } = query {
                for event in change_contacts(&store, request, change, &blocked, &book).await {
                    let _ = events.send(event);
                }
                continue;
            }
            if let Some(event) = answer(&store, query).await {
                let _ = events.send(event);
            }
        }
    });
    (tx, task)
}

/// The event answering `query` (`None` when nothing needs saying).
async fn answer(store: &StoreActor, query: Query) -> Option<Event> {
    match query {
        Query::Conversations => match store.call(|s| s.conversations(None)).await {
            Ok(list) => Some(Event::Conversations(list)),
            Err(e) => Some(error(None, format!("cannot list the conversations: {e}"))),
        },
        Query::Messages {
            account,
            peer_key,
            before,
            limit,
        } => {
            let (name, key) = (account.0.clone(), peer_key.clone());
            match store.call(move |s| page(s, &name, &key, before, limit)).await {
                Ok((messages, complete)) => Some(Event::Messages {
                    account,
                    peer_key,
                    messages,
                    complete,
                }),
                Err(e) => Some(error(
                    Some(account),
                    format!("cannot load the conversation with {peer_key}: {e}"),
                )),
            }
        }
        Query::MarkRead { account, peer_key } => {
            let (name, key) = (account.0.clone(), peer_key.clone());
            match store.call(move |s| s.mark_read(&name, &key)).await {
                Ok(()) => None,
                Err(e) => Some(error(
                    Some(account),
                    format!("cannot mark the conversation with {peer_key} read: {e}"),
                )),
            }
        }
        Query::Search { text, limit } => {
            let words = text.clone();
            match store.call(move |s| s.search(&words, None, limit)).await {
                Ok(hits) => Some(Event::SearchResults { text, hits }),
                Err(e) => Some(error(None, format!("cannot search for \"{text}\": {e}"))),
            }
        }
        Query::AckAlert { id } => {
            let result = store
                .call(move |s| {
                    s.acknowledge_alert(id, super::outbox::now_ms())?;
                    Ok(s.alert(id)?.and_then(|a| a.acknowledged_at))
                })
                .await;
            match result {
                Ok(Some(at_ms)) => Some(Event::AlertAcknowledged { id, at_ms }),
                Ok(None) => Some(error(None, format!("there is no alert #{id} to acknowledge"))),
                Err(e) => Some(error(None, format!("cannot acknowledge alert #{id}: {e}"))),
            }
        }
        Query::Alerts {
            account,
            unacknowledged_only,
        } => {
            let name = account.as_ref().map(|a| a.0.clone());
            match store
                .call(move |s| s.alerts(name.as_deref(), unacknowledged_only))
                .await
            {
                Ok(list) => Some(Event::Alerts(list.iter().map(|a| a.to_alert()).collect())),
                Err(e) => Some(error(account, format!("cannot load the alert log: {e}"))),
            }
        }
        Query::Contacts => match store.call(|s| s.contacts()).await {
            Ok(contacts) => Some(Event::Contacts(contacts)),
            Err(e) => Some(error(None, format!("cannot list the contacts: {e}"))),
        },
        // Answered by `change_contacts`.
        Query::ChangeContacts { .. } => None,
        Query::Transfers { account } => {
            let name = account.as_ref().map(|a| a.0.clone());
            match store.call(move |s| s.transfers(name.as_deref())).await {
                Ok(list) => Some(Event::Transfers(list)),
                Err(e) => Some(error(account, format!("cannot load the file transfers: {e}"))),
            }
        }
    }
}

/// Carries out a contact change; the events to send: the outcome and,
/// after a change, the contact and conversation lists. A changed
/// block list goes to the endpoints.
async fn change_contacts(
    store: &StoreActor,
    request: u64,
    change: Box<ContactChange>,
    blocked: &watch::Sender<BlockList>,
    book: &watch::Sender<Vec<Contact>>,
) -> Vec<Event> {
    let result = store
        .call(move |s| {
            let outcome = match contact_book::apply(s, &change, super::outbox::now_ms()) {
                Ok(outcome) => outcome,
                Err(ContactBookError::Store(e @ StoreError::Sql { .. })) => return Err(e),
                Err(e) => ContactOutcome::Refused {
                    reason: e.to_string(),
                },
            };
            let keys = s.blocked_address_keys()?;
            Ok((outcome, s.contacts()?, s.conversations(None)?, keys))
        })
        .await;
    match result {
        Ok((outcome, contacts, conversations, keys)) => {
            let list = BlockList::new(keys);
            blocked.send_if_modified(|current| {
                let modified = *current != list;
                *current = list;
                modified
            });
            book.send_if_modified(|current| {
                let modified = *current != contacts;
                current.clone_from(&contacts);
                modified
            });
            let refused = matches!(outcome, ContactOutcome::Refused { .. });
            let mut events = vec![Event::ContactChanged(ContactChanged { request, outcome })];
            if !refused {
                events.push(Event::Contacts(contacts));
                events.push(Event::Conversations(conversations));
            }
            events
        }
        Err(e) => vec![Event::ContactChanged(ContactChanged {
            request,
            outcome: ContactOutcome::Refused {
                reason: format!("cannot change the contacts: {e}"),
            },
        })],
    }
}

/// A page oldest first, and whether nothing older exists.
fn page(
    store: &Store,
    account: &str,
    peer_key: &str,
    before: Option<MessageId>,
    limit: usize,
) -> Result<(Vec<StoredMessage>, bool), StoreError> {
    let limit = limit.min(MAX_PAGE_SIZE);
    let mut messages = store.messages(account, peer_key, before, limit)?;
    let complete = if messages.len() < limit {
        true
    } else {
        let oldest = messages.last().map(|m| m.id).or(before);
        store.messages(account, peer_key, oldest, 1)?.is_empty()
    };
    messages.reverse();
    Ok((messages, complete))
}

fn error(account: Option<AccountId>, message: String) -> Event {
    Event::Error { account, message }
}

#[cfg(test)]
#[path = "queries_tests.rs"]
mod tests;
