//! `sipchat contacts ...`: the address book from the command line.
//!
//! `list` and `export` read the store; the changes (`add`, `edit`,
//! `remove`, `block`, `unblock`, `import`) go through the running instance
//! (window or `listen`) when one serves the data directory, so its window
//! shows them at once and blocking takes effect there; with none, they are
//! made on the store directly ([`crate::runtime::contact_book::apply`]).
//! `--json` prints one object per line; `list --json` adds each contact's
//! `presence` as the running instance last heard it (`unknown` when none
//! runs or nobody watches the contact). `allow` and `block` also answer
//! someone who asked to see our status: the decision is kept with the
//! contact (added when there is none).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

use super::CliError;
use crate::model::{
    conversation_key, AccountId, Contact, ContactDraft, ContactPatch, ContactSelector, Presence,
    PresenceStatus,
};
use crate::runtime::contact_book::{self, ContactChange, ContactOutcome};
use crate::runtime::control::{Connection, PresenceEntry, Reply, Request, HANDSHAKE_TIMEOUT};
use crate::store::{Store, StoreError};

/// How long a change through the running instance may take (an import of
/// a large file included).
pub const CHANGE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// `sipchat contacts`.
#[derive(Debug, Args)]
pub struct ContactsArgs {
    /// One JSON object per line.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub action: ContactsAction,
}

/// The `contacts` subcommands.
#[derive(Debug, Subcommand)]
pub enum ContactsAction {
    /// List the contacts, favourites first.
    List,
    /// Add a contact.
    Add {
        /// Its address: sip:, sips: or tel:.
        uri: String,
        /// Its name (default: the address).
        #[arg(long)]
        name: Option<String>,
        /// The account to reach it with.
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// More addresses.
        #[arg(long = "address", value_name = "URI")]
        addresses: Vec<String>,
        /// A group (repeat for several).
        #[arg(long = "group", value_name = "GROUP")]
        groups: Vec<String>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// Show it first.
        #[arg(long)]
        favourite: bool,
    },
    /// Change a contact (named by any of its addresses).
    Edit {
        /// One of its addresses.
        uri: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new account ("" for the default one).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// New addresses, replacing the old ones (repeat for several).
        #[arg(long = "address", value_name = "URI")]
        addresses: Vec<String>,
        /// New groups, replacing the old ones (repeat for several).
        #[arg(long = "group", value_name = "GROUP")]
        groups: Vec<String>,
        /// A new note ("" for none).
        #[arg(long)]
        note: Option<String>,
        /// Favourite or not.
        #[arg(long, value_name = "true|false")]
        favourite: Option<bool>,
    },
    /// Remove a contact (its conversations stay).
    Remove {
        /// One of its addresses.
        uri: String,
    },
    /// Refuse its messages, chats and files (603 Decline), without
    /// notifying, and never show it our status (a blocked contact is added
    /// for an address that is none yet).
    Block {
        /// One of its addresses.
        uri: String,
    },
    /// Let it see our status (someone who asked): it becomes a contact,
    /// or its contact is unblocked.
    Allow {
        /// Its address.
        uri: String,
        /// The account it watches (default: the default account).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
    },
    /// Take its messages, chats and files again.
    Unblock {
        /// One of its addresses.
        uri: String,
    },
    /// Add the contacts of a vCard file (vCard 4 or 3).
    Import {
        /// The .vcf file.
        file: PathBuf,
    },
    /// Write every contact as vCard 4 to FILE, or to standard output.
    Export {
        /// The .vcf file (default: standard output).
        file: Option<PathBuf>,
    },
}

/// Runs `sipchat contacts ...`.
pub fn run(data_dir: &Path, args: &ContactsArgs) -> Result<(), CliError> {
    let change = match &args.action {
        ContactsAction::List => return list(data_dir, args.json),
        ContactsAction::Export { file } => return export(data_dir, file.as_deref(), args.json),
        ContactsAction::Add {
            uri,
            name,
            account,
            addresses,
            groups,
            note,
            favourite,
        } => ContactChange::Add {
            draft: ContactDraft {
                name: name.clone().unwrap_or_else(|| uri.clone()),
                addresses: std::iter::once(uri.clone())
                    .chain(addresses.iter().cloned())
                    .collect(),
                account: account.clone(),
                groups: groups.clone(),
                note: note.clone(),
                favourite: *favourite,
                ..ContactDraft::default()
            },
        },
        ContactsAction::Edit {
            uri,
            name,
            account,
            addresses,
            groups,
            note,
            favourite,
        } => ContactChange::Edit {
            contact: ContactSelector::Address(uri.clone()),
            patch: ContactPatch {
                name: name.clone(),
                addresses: (!addresses.is_empty()).then(|| addresses.clone()),
                account: account.clone().map(|a| (!a.is_empty()).then_some(a)),
                photo: None,
                groups: (!groups.is_empty()).then(|| groups.clone()),
                note: note.clone().map(|n| (!n.is_empty()).then_some(n)),
                favourite: *favourite,
            },
        },
        ContactsAction::Remove { uri } => ContactChange::Remove {
            contact: ContactSelector::Address(uri.clone()),
        },
        ContactsAction::Block { uri } => ContactChange::DecideWatcher {
            account: None,
            address: uri.clone(),
            allow: false,
        },
        ContactsAction::Allow { uri, account } => ContactChange::DecideWatcher {
            account: account.clone().map(AccountId),
            address: uri.clone(),
            allow: true,
        },
        ContactsAction::Unblock { uri } => ContactChange::SetBlocked {
            contact: ContactSelector::Address(uri.clone()),
            blocked: false,
        },
        ContactsAction::Import { file } => ContactChange::Import {
            path: std::path::absolute(file).unwrap_or_else(|_| file.clone()),
        },
    };
    let outcome = match Connection::open(data_dir) {
        Some(connection) => through_instance(connection, change)?,
        None => alone(data_dir, &change)?,
    };
    let decided = match &args.action {
        ContactsAction::Allow { uri, .. } => Some(format!("allowed {uri} to see your status")),
        ContactsAction::Block { uri } => Some(format!("blocked {uri}")),
        _ => None,
    };
    match decided {
        Some(words) if !args.json && !matches!(outcome, ContactOutcome::Refused { .. }) => {
            println!("{words}");
            Ok(())
        }
        _ => report(&outcome, args.json),
    }
}

/// Hands `change` to the running instance and returns its outcome.
fn through_instance(mut connection: Connection, change: ContactChange) -> Result<ContactOutcome, CliError> {
    connection.request(&Request::Contacts { change })?;
    match connection.next_reply(CHANGE_TIMEOUT.max(HANDSHAKE_TIMEOUT))? {
        Some(Reply::Contacts { outcome }) => Ok(outcome),
        Some(Reply::Error { message }) => Err(CliError::Usage(message)),
        Some(other) => Err(CliError::Usage(format!(
            "the running sipchat instance answered something unexpected: {other:?}"
        ))),
        None => Err(CliError::Usage(
            "the running sipchat instance did not answer in time; the contacts may not have changed".into(),
        )),
    }
}

/// Makes `change` on the store (no instance runs).
fn alone(data_dir: &Path, change: &ContactChange) -> Result<ContactOutcome, CliError> {
    let mut store = Store::open(&Store::path_in(data_dir)).map_err(|e| CliError::Usage(e.to_string()))?;
    let now = chrono::Utc::now().timestamp_millis();
    Ok(match contact_book::apply(&mut store, change, now) {
        Ok(outcome) => outcome,
        Err(e) => ContactOutcome::Refused {
            reason: e.to_string(),
        },
    })
}

/// The store to read, or `None` when nothing was ever stored.
fn read_store(data_dir: &Path) -> Result<Option<Store>, CliError> {
    match Store::open_read_only(&Store::path_in(data_dir)) {
        Ok(store) => Ok(Some(store)),
        Err(StoreError::Missing { .. }) => Ok(None),
        Err(e) => Err(CliError::Usage(e.to_string())),
    }
}

/// A contact as a JSON object (`"event": "contact"`). Presence adds its
/// fields to this object.
pub fn contact_json(contact: &Contact) -> Map<String, Value> {
    let d = &contact.details;
    let mut map = Map::new();
    map.insert("event".into(), json!("contact"));
    map.insert("id".into(), json!(contact.id.0));
    map.insert("uri".into(), json!(contact.address()));
    map.insert("name".into(), json!(d.name));
    map.insert("addresses".into(), json!(d.addresses));
    map.insert("account".into(), json!(d.account));
    map.insert("groups".into(), json!(d.groups));
    map.insert("note".into(), json!(d.note));
    map.insert("favourite".into(), json!(d.favourite));
    map.insert("blocked".into(), json!(d.blocked));
    map.insert("has_photo".into(), json!(d.photo.is_some()));
    map
}

/// A contact as one line of words.
fn contact_line(contact: &Contact) -> String {
    let d = &contact.details;
    let mut line = format!("{} <{}>", d.name, d.addresses.join(", "));
    if let Some(account) = &d.account {
        line.push_str(&format!(" via {account}"));
    }
    if !d.groups.is_empty() {
        line.push_str(&format!(" [{}]", d.groups.join(", ")));
    }
    if d.favourite {
        line.push_str(" (favourite)");
    }
    if d.blocked {
        line.push_str(" (blocked)");
    }
    line
}

/// What the running instance last heard of every watched address (none
/// when no instance runs or it does not answer).
fn heard_presence(data_dir: &Path) -> Vec<PresenceEntry> {
    let Some(mut connection) = Connection::open(data_dir) else {
        return Vec::new();
    };
    if connection.request(&Request::Presence).is_err() {
        return Vec::new();
    }
    match connection.next_reply(HANDSHAKE_TIMEOUT) {
        Ok(Some(Reply::Presence { entries })) => entries,
        _ => Vec::new(),
    }
}

/// A contact's presence: of the addresses watched, the most available
/// (unknown when none is).
fn presence_of(contact: &Contact, heard: &[PresenceEntry]) -> Presence {
    let keys: Vec<String> = contact
        .details
        .addresses
        .iter()
        .map(|a| conversation_key(a))
        .collect();
    let rank = |p: &Presence| match p.status {
        PresenceStatus::Available => 0,
        PresenceStatus::Busy => 1,
        PresenceStatus::Away => 2,
        PresenceStatus::Offline => 3,
        PresenceStatus::Unknown => 4,
    };
    heard
        .iter()
        .filter(|e| keys.contains(&conversation_key(&e.contact)))
        .map(|e| e.presence.clone())
        .min_by_key(rank)
        .unwrap_or_default()
}

fn list(data_dir: &Path, json: bool) -> Result<(), CliError> {
    let contacts = match read_store(data_dir)? {
        Some(store) => store.contacts().map_err(|e| CliError::Usage(e.to_string()))?,
        None => Vec::new(),
    };
    let heard = if contacts.is_empty() {
        Vec::new()
    } else {
        heard_presence(data_dir)
    };
    if contacts.is_empty() && !json {
        println!("no contacts yet (add one with `sipchat contacts add sip:...`)");
    }
    for contact in &contacts {
        let presence = presence_of(contact, &heard);
        if json {
            let mut map = contact_json(contact);
            map.insert(
                "presence".into(),
                json!({
                    "status": presence.status.as_str(),
                    "note": presence.note,
                    "last_seen": presence.last_seen,
                }),
            );
            println!("{}", Value::Object(map));
        } else if presence.status == PresenceStatus::Unknown {
            println!("{}", contact_line(contact));
        } else {
            println!("{} - {}", contact_line(contact), presence.status.as_str());
        }
    }
    Ok(())
}

fn export(data_dir: &Path, file: Option<&Path>, json: bool) -> Result<(), CliError> {
    let contacts: Vec<ContactDraft> = match read_store(data_dir)? {
        Some(store) => store
            .contacts()
            .map_err(|e| CliError::Usage(e.to_string()))?
            .into_iter()
            .map(|c| c.details)
            .collect(),
        None => Vec::new(),
    };
    let text = crate::protocol::vcard::write(&contacts);
    let Some(file) = file else {
        print!("{text}");
        return Ok(());
    };
    std::fs::write(file, text)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", file.display())))?;
    if json {
        println!(
            "{}",
            json!({"event": "contacts_exported", "count": contacts.len(), "path": file})
        );
    } else {
        println!("exported {} contacts to {}", contacts.len(), file.display());
    }
    Ok(())
}

/// Prints what a change did; a refusal is an error (exit 2).
fn report(outcome: &ContactOutcome, json: bool) -> Result<(), CliError> {
    if let ContactOutcome::Refused { reason } = outcome {
        return Err(CliError::Usage(reason.clone()));
    }
    if json {
        let mut value = serde_json::to_value(outcome).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("event".into(), json!("contacts_changed"));
        }
        println!("{value}");
        return Ok(());
    }
    match outcome {
        ContactOutcome::Added { id } => println!("added contact #{id}"),
        ContactOutcome::Changed { id } => println!("changed contact #{id}"),
        ContactOutcome::Removed { id } => println!("removed contact #{id}"),
        ContactOutcome::ConversationChanged => println!("changed the conversation"),
        ContactOutcome::Imported { added, skipped } => {
            println!("imported {} contacts", added.len());
            for reason in skipped {
                eprintln!("sipchat: skipped {reason}");
            }
        }
        ContactOutcome::Exported { count, .. } => println!("exported {count} contacts"),
        ContactOutcome::Refused { .. } => {}
    }
    Ok(())
}
