//! The SQL of each schema version's migration step.
//!
//! A step is applied once, in its own transaction, to a database at the
//! previous version. Never edit a released step: add a new one (see
//! [`super::migrations::MIGRATIONS`]) and a fixture `tests/fixtures/store/vN.sql`.

/// Version 1: conversations, messages (+ FTS5 index), delivery history,
/// outbox, alerts, transfers.
///
/// Notes:
/// - `messages.id` is `AUTOINCREMENT` so an id is never reused, even after
///   deletes: the UI and the runtime hold ids for a long time.
/// - `messages.account` repeats the conversation's account so the duplicate
///   indexes can include it (an index cannot span tables).
/// - `messages.state` is NULL for incoming messages and set for outgoing ones
///   (`queued`, `sending`, `retrying`, `accepted`, `stored_for_later`,
///   `failed`, with `state_code` / `state_reason`); a `retrying` message's
///   next attempt time is `outbox.next_attempt_at`, and in the history
///   `delivery_history.retry_at`.
/// - `messages_fts` is an external-content FTS5 table over `messages.body`,
///   kept in sync by triggers.
pub(crate) const V1: &str = r#"
CREATE TABLE conversations (
    id            INTEGER PRIMARY KEY,
    account       TEXT NOT NULL,
    peer_key      TEXT NOT NULL,
    peer_address  TEXT NOT NULL,
    display_name  TEXT,
    last_activity INTEGER NOT NULL,
    unread        INTEGER NOT NULL DEFAULT 0 CHECK (unread >= 0),
    UNIQUE (account, peer_key)
);
CREATE INDEX conversations_activity ON conversations (last_activity DESC, id DESC);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    account           TEXT NOT NULL,
    direction         TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    local_id          TEXT,
    call_id           TEXT,
    cseq              INTEGER,
    remote_message_id TEXT,
    content_type      TEXT NOT NULL,
    body              TEXT NOT NULL DEFAULT '',
    file_ref          TEXT,
    sent_at           INTEGER,
    received_at       INTEGER,
    state             TEXT,
    state_code        INTEGER,
    state_reason      TEXT,
    read              INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1)),
    CHECK ((direction = 'out') = (state IS NOT NULL))
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_unread ON messages (conversation_id) WHERE read = 0;
CREATE INDEX messages_local_id ON messages (account, local_id) WHERE local_id IS NOT NULL;
CREATE UNIQUE INDEX messages_incoming_transaction
    ON messages (account, call_id, cseq) WHERE direction = 'in';
CREATE UNIQUE INDEX messages_incoming_message_id
    ON messages (conversation_id, remote_message_id)
    WHERE direction = 'in' AND remote_message_id IS NOT NULL;

CREATE VIRTUAL TABLE messages_fts USING fts5 (
    body,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TABLE delivery_history (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    state      TEXT NOT NULL,
    code       INTEGER,
    reason     TEXT,
    retry_at   INTEGER,
    at         INTEGER NOT NULL
);
CREATE INDEX delivery_history_message ON delivery_history (message_id, id);

CREATE TABLE outbox (
    message_id      INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    call_id         TEXT,
    from_tag        TEXT,
    cseq            INTEGER
);
CREATE INDEX outbox_next_attempt ON outbox (next_attempt_at);

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account         TEXT NOT NULL,
    message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    sender          TEXT NOT NULL,
    subject         TEXT,
    priority        TEXT,
    body            TEXT NOT NULL,
    cap             TEXT,
    received_at     INTEGER NOT NULL,
    acknowledged_at INTEGER
);
CREATE INDEX alerts_account ON alerts (account, received_at);

CREATE TABLE transfers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account         TEXT NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    file_name       TEXT NOT NULL,
    size            INTEGER,
    sha1            TEXT,
    path            TEXT,
    state           TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER
);
CREATE INDEX transfers_account ON transfers (account, started_at);
"#;

/// Version 2: emergency alerts.
///
/// - `messages.untrusted_alert` is 1 for a message that looks like an
///   emergency alert but came from a sender the account does not trust (so
///   the history can say it "claims to be an alert from an untrusted
///   sender"); such a message raises no alert.
/// - `alerts.message_id` is indexed: a resent alert finds the alert logged
///   for its message instead of raising a second one.
pub(crate) const V2: &str = r#"
ALTER TABLE messages ADD COLUMN untrusted_alert INTEGER NOT NULL DEFAULT 0
    CHECK (untrusted_alert IN (0, 1));
CREATE INDEX alerts_message ON alerts (message_id) WHERE message_id IS NOT NULL;
"#;

/// Version 3: resumable file transfers (RFC 5547 `a=file-range`).
///
/// - `transfers.peer` is the peer's normalised address as recorded, kept
///   even when no conversation with the peer exists (`conversation_id` is
///   then NULL), so a transfer can be resumed with the same peer.
/// - `transfers.resume_bytes` is set for state `interrupted`: for a sent
///   file the bytes the receiver confirmed (partial success REPORTs), for a
///   received one the bytes kept on disk.
/// - `transfers.part_path` is the kept temporary file of an interrupted
///   incoming transfer.
pub(crate) const V3: &str = r#"
ALTER TABLE transfers ADD COLUMN peer TEXT;
ALTER TABLE transfers ADD COLUMN resume_bytes INTEGER CHECK (resume_bytes IS NULL OR resume_bytes >= 0);
ALTER TABLE transfers ADD COLUMN part_path TEXT;
UPDATE transfers SET peer = (SELECT c.peer_key FROM conversations c WHERE c.id = transfers.conversation_id);
CREATE INDEX transfers_interrupted ON transfers (account, direction) WHERE state = 'interrupted';
"#;

/// Version 4: files that arrive inside a page-mode MESSAGE.
///
/// `page_files` holds the bytes of such a file next to its `transfers` row
/// until it is saved or declined (then `data` is NULL), and the MESSAGE's
/// account, Call-ID and CSeq, so a resend is answered again but stored once.
pub(crate) const V4: &str = r#"
CREATE TABLE page_files (
    transfer_id  INTEGER PRIMARY KEY REFERENCES transfers (id) ON DELETE CASCADE,
    account      TEXT NOT NULL,
    call_id      TEXT NOT NULL,
    cseq         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB
);
CREATE UNIQUE INDEX page_files_message ON page_files (account, call_id, cseq);
"#;

/// Version 5: an incoming MESSAGE is the same one when its Call-ID, From
/// tag and CSeq are (RFC 3261 section 8.2.2.2), whatever its Via branch.
///
/// `messages.from_tag` is the sender's From tag; rows from earlier versions
/// keep NULL there, and the duplicate lookup lets NULL match any tag. The
/// unique index now spans the tag (NULLs are distinct in SQLite's unique
/// indexes, so old rows never block new ones).
pub(crate) const V5: &str = r#"
ALTER TABLE messages ADD COLUMN from_tag TEXT;
DROP INDEX messages_incoming_transaction;
CREATE UNIQUE INDEX messages_incoming_transaction
    ON messages (account, call_id, from_tag, cseq) WHERE direction = 'in';
"#;

/// Version 6: contacts, and one conversation per person.
///
/// - `contacts`: the address book. `photo` is a URI (`data:` or `https:`);
///   `extra_vcard_lines` holds, one per line, the vCard content lines of an
///   imported contact that sipchat does not understand, written back on
///   export.
/// - `contact_addresses`: a contact's addresses as written, in order, with
///   their key (`model::conversation_key`; `tel:` as written). A key belongs
///   to one contact at most. A conversation belongs to the contact whose
///   address key is its `peer_key` (a join, so adding or removing a contact
///   needs no update of the conversations).
/// - `contact_groups`: vCard `CATEGORIES`.
/// - `conversations.title`: a name the user gave the conversation.
/// - Conversations whose peers are the same address of record (version 5
///   kept non-default ports in the key) are merged by
///   [`super::merge::merge_conversations`], run in the same transaction.
pub(crate) const V6: &str = r#"
CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT NOT NULL CHECK (length(trim(name)) > 0),
    account           TEXT,
    photo             TEXT,
    note              TEXT,
    favourite         INTEGER NOT NULL DEFAULT 0 CHECK (favourite IN (0, 1)),
    blocked           INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    extra_vcard_lines TEXT,
    updated_at        INTEGER NOT NULL
);
CREATE TABLE contact_addresses (
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    address     TEXT NOT NULL,
    address_key TEXT NOT NULL UNIQUE,
    PRIMARY KEY (contact_id, position)
);
CREATE TABLE contact_groups (
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    PRIMARY KEY (contact_id, name)
);
ALTER TABLE conversations ADD COLUMN title TEXT;
"#;

/// Version 7: the full-text index is written by the store after the
/// message rows of a transaction (`messages::index_bodies`), not by a
/// trigger per row. A trigger makes each insert a multi-row write with a
/// statement savepoint, and FTS5 writes its pending terms to disk at every
/// savepoint: a group commit of 64 messages made 64 index segments (and
/// their merges) instead of one. The delete and update triggers stay.
pub(crate) const V7: &str = r#"
DROP TRIGGER messages_fts_insert;
"#;

/// Version 8: the full-text index follows the commit that stores a
/// message, instead of being part of it.
///
/// A lone message's commit wrote about 14 pages of which the index was
/// half (a new segment, its structure record, the document size row).
/// Now the commit adds the message's id to `messages_fts_pending` (one
/// small page), and the store indexes the pending rows together in a later
/// transaction (`indexing.rs`). Search also reads the pending rows, so it
/// finds every stored message; rows left pending by a crash are indexed at
/// the next start.
///
/// The delete and update triggers leave a pending row out of the index (it
/// is not in it yet): a delete drops its pending id, an update needs
/// nothing, since indexing reads the body then.
pub(crate) const V8: &str = r#"
CREATE TABLE messages_fts_pending (id INTEGER PRIMARY KEY);
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body)
        SELECT 'delete', old.id, old.body
        WHERE NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id);
    DELETE FROM messages_fts_pending WHERE id = old.id;
END;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
WHEN NOT EXISTS (SELECT 1 FROM messages_fts_pending WHERE id = old.id) BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
"#;

/// Version 9: no index of conversations by activity.
///
/// Every stored message moves its conversation's activity, so the index
/// cost each message's commit one more page written and synced before its
/// 200. The conversation list now sorts its rows (one per peer: few, and
/// read far less often than messages are stored).
pub(crate) const V9: &str = r#"
DROP INDEX conversations_activity;
"#;
