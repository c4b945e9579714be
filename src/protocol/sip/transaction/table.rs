//! Table of live transactions, keyed by [`TransactionKey`].
//!
//! The table owns the state machines, multiplexes their timers into one
//! deadline ([`TransactionTable::poll_timeout`]) and their output into one
//! queue ([`TransactionTable::poll_output`]). Client transactions carry a
//! caller-chosen context `C` (e.g. which account/command issued the
//! request) that is handed back with the response or the failure.
//!
//! Terminated transactions are removed as soon as their last output has
//! been moved into the output queue, so memory is bounded by
//! [`MAX_TRANSACTIONS`] live transactions plus undrained output.
//!
//! A server transaction that sent its final response over UDP keeps only
//! what answers a retransmission: the key and the answer's bytes, until
//! Timer J. These cost bytes, not slots: at most [`MAX_COMPLETED_BYTES`]
//! (the oldest go first; a retransmission after that is a new request,
//! which the history's duplicate check answers the same way).
//!
//! Timers are found without scans: every deadline is kept in an ordered
//! set keyed by instant, so the next one is the first entry and a timer
//! event touches only the transactions that are due (O(log n) each).

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::mem;
use std::time::Instant;

use super::client::{ClientEvent, ClientNonInvite, ClientState};
use super::server::{ServerEvent, ServerNonInvite, ServerState};
use super::{TransactionError, TransactionKey};

/// Default bound on live transactions (clients plus servers that have not
/// answered yet) in a table.
pub const MAX_TRANSACTIONS: usize = 16_384;

/// Bound on the memory of completed server transactions (their keys and
/// answers, waiting for Timer J): 16 MiB, about 30,000 answered MESSAGEs.
pub const MAX_COMPLETED_BYTES: usize = 16 * 1024 * 1024;

/// What one completed server transaction costs besides its key and answer
/// (map slot, ordered-set node, lengths), counted against
/// [`MAX_COMPLETED_BYTES`].
const COMPLETED_ENTRY_OVERHEAD: usize = 128;

/// Which side of a transaction produced an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Client transaction: the bytes are a request (retransmission).
    Client,
    /// Server transaction: the bytes are a response; RFC 3261 18.2.2 says
    /// its destination follows from its top Via.
    Server,
}

/// Output of the table, drained with [`TransactionTable::poll_output`].
#[derive(Debug, PartialEq, Eq)]
pub enum TableOutput<C> {
    /// Bytes to hand to the transport for transaction `key`.
    Transmit {
        /// Client (request) or server (response) side.
        role: Role,
        /// Transaction the bytes belong to.
        key: TransactionKey,
        /// Wire bytes, as supplied by the caller.
        bytes: Vec<u8>,
    },
    /// Timer F fired: the request got no final response (treat as 408).
    /// The context is moved out; the transaction is gone.
    ClientTimedOut {
        /// Transaction that timed out.
        key: TransactionKey,
        /// Context given to [`TransactionTable::start_client`].
        ctx: C,
    },
    /// The transport failed for a client transaction (see
    /// [`TransactionTable::client_transport_error`]); it is gone.
    ClientTransportError {
        /// Transaction that failed.
        key: TransactionKey,
        /// Context given to [`TransactionTable::start_client`].
        ctx: C,
    },
    /// The transport failed for a server transaction; it is gone.
    ServerTransportError {
        /// Transaction that failed.
        key: TransactionKey,
    },
}

/// How [`TransactionTable::client_response`] disposed of a response.
#[derive(Debug, PartialEq, Eq)]
pub enum ClientResponse<'a, C> {
    /// A provisional response the TU must see; the context stays in the
    /// table.
    Provisional(&'a C),
    /// The first final response: the TU must see it and receives the
    /// context by value. The transaction may linger (Completed, Timer K) to
    /// absorb retransmissions but will produce no further events.
    Final(C),
    /// A retransmitted final response (or invalid status): do not pass it
    /// to the TU.
    Absorbed,
}

/// How [`TransactionTable::server_retransmission`] disposed of a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Retransmission {
    /// No transaction has this key: the request is new.
    New,
    /// A transaction has it and nothing is to be sent (still Trying).
    Absorbed,
    /// Send these bytes back (the last provisional or the final answer).
    Answer(Vec<u8>),
}

/// A client transaction and its context (taken on completion/failure).
#[derive(Debug)]
struct ClientEntry<C> {
    txn: ClientNonInvite,
    ctx: Option<C>,
    /// The deadline this entry has in the table's timer set.
    scheduled: Option<Instant>,
}

/// A server transaction that sent its final answer: what answers a
/// retransmission until Timer J.
#[derive(Debug)]
struct CompletedServer {
    answer: Box<[u8]>,
}

impl CompletedServer {
    /// Bytes counted against [`MAX_COMPLETED_BYTES`].
    fn cost(&self, key: &TransactionKey) -> usize {
        // The key is held twice: in the map and in the expiry order.
        self.answer.len() + 2 * key_bytes(key) + COMPLETED_ENTRY_OVERHEAD
    }
}

fn key_bytes(key: &TransactionKey) -> usize {
    key.branch.len() + key.method.len() + key.sent_by.as_ref().map_or(0, String::len)
}

/// Live client and server transactions with caller context `C` for
/// clients, and the answers of completed server transactions.
///
/// Client and server keys live in separate maps, so a client and a server
/// transaction may share a branch.
#[derive(Debug)]
pub struct TransactionTable<C> {
    clients: HashMap<TransactionKey, ClientEntry<C>>,
    servers: HashMap<TransactionKey, ServerNonInvite>,
    /// Client deadlines, earliest first (live servers have none before
    /// their final answer).
    client_timers: BTreeSet<(Instant, TransactionKey)>,
    completed: HashMap<TransactionKey, CompletedServer>,
    /// Completed servers by Timer J, earliest first.
    completed_order: BTreeSet<(Instant, TransactionKey)>,
    completed_bytes: usize,
    completed_limit: usize,
    outputs: VecDeque<TableOutput<C>>,
    /// Servers handed out by `server_for` whose output is not collected yet.
    touched_servers: HashSet<TransactionKey>,
    limit: usize,
    /// Timer entries looked at by `handle_timeout` so far.
    timer_work: u64,
}

impl<C> Default for TransactionTable<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> TransactionTable<C> {
    /// Empty table bounded by [`MAX_TRANSACTIONS`].
    pub fn new() -> Self {
        Self::with_limit(MAX_TRANSACTIONS)
    }

    /// Empty table bounded by `limit` live transactions.
    pub fn with_limit(limit: usize) -> Self {
        Self::with_limits(limit, MAX_COMPLETED_BYTES)
    }

    /// Empty table bounded by `limit` live transactions and
    /// `completed_bytes` of completed server transactions.
    pub fn with_limits(limit: usize, completed_bytes: usize) -> Self {
        Self {
            clients: HashMap::new(),
            servers: HashMap::new(),
            client_timers: BTreeSet::new(),
            completed: HashMap::new(),
            completed_order: BTreeSet::new(),
            completed_bytes: 0,
            completed_limit: completed_bytes,
            outputs: VecDeque::new(),
            touched_servers: HashSet::new(),
            limit,
            timer_work: 0,
        }
    }

    /// Maximum number of live transactions.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Number of live transactions (clients plus servers that have not
    /// sent their final answer): what [`limit`](Self::limit) bounds.
    pub fn len(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    /// True when no transaction is live and no completed one waits for
    /// Timer J.
    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.completed.is_empty()
    }

    /// Number of live client transactions.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// Number of live server transactions (not yet answered finally).
    pub fn server_count(&self) -> usize {
        self.servers.len()
    }

    /// Number of completed server transactions waiting for Timer J.
    pub fn completed_count(&self) -> usize {
        self.completed.len()
    }

    /// Bytes the completed server transactions hold (at most
    /// [`MAX_COMPLETED_BYTES`] or the configured bound).
    pub fn completed_bytes(&self) -> usize {
        self.completed_bytes
    }

    /// Timer entries [`handle_timeout`](Self::handle_timeout) has looked at
    /// so far: the work timers cost, for tests and diagnostics.
    pub fn timer_work(&self) -> u64 {
        self.timer_work
    }

    /// Adds a freshly created client transaction with its context. Its
    /// first transmission is queued immediately (see
    /// [`poll_output`](Self::poll_output)).
    ///
    /// # Errors
    ///
    /// [`TransactionError::DuplicateKey`] if `key` is live,
    /// [`TransactionError::TableFull`] at the limit. On error `client` and
    /// `ctx` are dropped and nothing is queued.
    pub fn start_client(
        &mut self,
        key: TransactionKey,
        client: ClientNonInvite,
        ctx: C,
    ) -> Result<(), TransactionError> {
        if self.clients.contains_key(&key) {
            return Err(TransactionError::DuplicateKey(key));
        }
        self.ensure_capacity()?;
        let mut entry = ClientEntry {
            txn: client,
            ctx: Some(ctx),
            scheduled: None,
        };
        drain_client(&key, &mut entry, &mut self.outputs);
        if !entry.txn.is_terminated() {
            reschedule(&mut self.client_timers, &key, &mut entry);
            self.clients.insert(key, entry);
        }
        Ok(())
    }

    /// Feeds a response to the client transaction `key` (built from the
    /// response's top Via branch and CSeq method).
    ///
    /// Returns `None` when no such transaction exists (a stray response the
    /// caller should discard, RFC 3261 8.1.3.1/18.1.2), otherwise how
    /// the TU must treat it; see [`ClientResponse`].
    pub fn client_response(
        &mut self,
        key: &TransactionKey,
        status: u16,
        now: Instant,
    ) -> Option<ClientResponse<'_, C>> {
        let (deliver, state) = {
            let entry = self.clients.get_mut(key)?;
            let deliver = entry.txn.on_response(status, now);
            reschedule(&mut self.client_timers, key, entry);
            (deliver, entry.txn.state())
        };
        if !deliver {
            return Some(ClientResponse::Absorbed);
        }
        match state {
            ClientState::Trying | ClientState::Proceeding => Some(
                self.clients
                    .get(key)
                    .and_then(|e| e.ctx.as_ref())
                    .map_or(ClientResponse::Absorbed, ClientResponse::Provisional),
            ),
            ClientState::Completed | ClientState::Terminated => {
                let entry = self.clients.get_mut(key)?;
                let ctx = entry.ctx.take();
                if entry.txn.is_terminated() {
                    self.remove_client_entry(key);
                }
                Some(ctx.map_or(ClientResponse::Absorbed, ClientResponse::Final))
            }
        }
    }

    /// Reports a transport failure for client transaction `key`. If it was
    /// still waiting for a final response, a
    /// [`TableOutput::ClientTransportError`] is queued and it is removed.
    /// Returns false when `key` is unknown.
    pub fn client_transport_error(&mut self, key: &TransactionKey) -> bool {
        let Some(entry) = self.clients.get_mut(key) else {
            return false;
        };
        entry.txn.on_transport_error();
        drain_client(key, entry, &mut self.outputs);
        reschedule(&mut self.client_timers, key, entry);
        if entry.txn.is_terminated() {
            self.remove_client_entry(key);
        }
        true
    }

    /// Read access to client transaction `key`.
    pub fn client(&self, key: &TransactionKey) -> Option<&ClientNonInvite> {
        self.clients.get(key).map(|e| &e.txn)
    }

    /// Context of client transaction `key`, while it has one (until the
    /// final response, timeout or transport error).
    pub fn client_context(&self, key: &TransactionKey) -> Option<&C> {
        self.clients.get(key).and_then(|e| e.ctx.as_ref())
    }

    /// Abandons client transaction `key` without any event, returning its
    /// context if it still had one. Already queued output stays queued.
    pub fn remove_client(&mut self, key: &TransactionKey) -> Option<C> {
        self.remove_client_entry(key).and_then(|e| e.ctx)
    }

    /// Adds a server transaction for a newly received request.
    ///
    /// # Errors
    ///
    /// [`TransactionError::DuplicateKey`] if `key` is live or completed
    /// (the request is a retransmission: use
    /// [`server_retransmission`](Self::server_retransmission)),
    /// [`TransactionError::TableFull`] at the limit (the caller may answer
    /// 503 statelessly).
    pub fn insert_server(
        &mut self,
        key: TransactionKey,
        server: ServerNonInvite,
    ) -> Result<(), TransactionError> {
        if self.servers.contains_key(&key) || self.completed.contains_key(&key) {
            return Err(TransactionError::DuplicateKey(key));
        }
        self.ensure_capacity()?;
        let mut server = server;
        drain_server(&key, &mut server, &mut self.outputs);
        if !server.is_terminated() {
            self.servers.insert(key.clone(), server);
            self.settle_server(&key);
        }
        Ok(())
    }

    /// Mutable access to the live server transaction `key`, e.g. to
    /// [`send_response`](ServerNonInvite::send_response). Whatever it
    /// queues is collected by the next [`poll_output`](Self::poll_output) /
    /// [`handle_timeout`](Self::handle_timeout), which also removes it once
    /// terminated, or keeps only its answer once completed.
    pub fn server_for(&mut self, key: &TransactionKey) -> Option<&mut ServerNonInvite> {
        let server = self.servers.get_mut(key)?;
        self.touched_servers.insert(key.clone());
        Some(server)
    }

    /// Read access to the live server transaction `key` (not yet answered
    /// finally, or answered but not collected by
    /// [`poll_output`](Self::poll_output) yet).
    pub fn server(&self, key: &TransactionKey) -> Option<&ServerNonInvite> {
        self.servers.get(key)
    }

    /// A request arrived whose server key is `key`: whether it is new, or
    /// a retransmission to absorb or to answer again (RFC 3261 17.2.2).
    pub fn server_retransmission(&mut self, key: &TransactionKey) -> Retransmission {
        if let Some(done) = self.completed.get(key) {
            return Retransmission::Answer(done.answer.to_vec());
        }
        match self.server_for(key) {
            None => Retransmission::New,
            Some(server) => match server.on_request_retransmission() {
                Some(bytes) => Retransmission::Answer(bytes),
                None => Retransmission::Absorbed,
            },
        }
    }

    /// Earliest deadline over all transactions, or `None` if no timer
    /// runs. Does not grow with the table.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let clients = self.client_timers.first().map(|(at, _)| *at);
        let completed = self.completed_order.first().map(|(at, _)| *at);
        // Servers answered through `server_for` and not collected yet.
        let touched = self
            .touched_servers
            .iter()
            .filter_map(|key| self.servers.get(key).and_then(ServerNonInvite::poll_timeout));
        clients.into_iter().chain(completed).chain(touched).min()
    }

    /// Fires all timers due at `now`, queues the resulting output and
    /// removes terminated transactions. Looks only at what is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.collect_touched_servers();
        while let Some((at, key)) = self.client_timers.first().cloned() {
            self.timer_work += 1;
            if at > now {
                break;
            }
            self.client_timers.remove(&(at, key.clone()));
            let Some(entry) = self.clients.get_mut(&key) else {
                continue;
            };
            entry.scheduled = None;
            entry.txn.handle_timeout(now);
            drain_client(&key, entry, &mut self.outputs);
            reschedule(&mut self.client_timers, &key, entry);
            if entry.txn.is_terminated() {
                self.remove_client_entry(&key);
            }
        }
        while let Some((at, key)) = self.completed_order.first().cloned() {
            self.timer_work += 1;
            if at > now {
                break;
            }
            self.forget_completed(&(at, key));
        }
    }

    /// Next pending output (transmissions and TU events), oldest first
    /// per transaction. Call until `None` after every input.
    pub fn poll_output(&mut self) -> Option<TableOutput<C>> {
        self.collect_touched_servers();
        self.outputs.pop_front()
    }

    /// Fails with `TableFull` when no slot is free, after removing any
    /// touched server that terminated.
    fn ensure_capacity(&mut self) -> Result<(), TransactionError> {
        if self.len() >= self.limit {
            self.collect_touched_servers();
        }
        if self.len() >= self.limit {
            tracing::warn!(limit = self.limit, "transaction table full");
            return Err(TransactionError::TableFull { max: self.limit });
        }
        Ok(())
    }

    /// Moves the output of servers handed out by `server_for` into the
    /// queue; removes those that terminated and keeps only the answer of
    /// those that completed.
    fn collect_touched_servers(&mut self) {
        for key in mem::take(&mut self.touched_servers) {
            if let Some(server) = self.servers.get_mut(&key) {
                drain_server(&key, server, &mut self.outputs);
                self.settle_server(&key);
            }
        }
    }

    /// After a live server's output was drained: removes it when
    /// terminated, or replaces it by its answer when completed.
    fn settle_server(&mut self, key: &TransactionKey) {
        let Some(server) = self.servers.get(key) else {
            return;
        };
        if server.is_terminated() {
            self.servers.remove(key);
            return;
        }
        if server.state() != ServerState::Completed {
            return;
        }
        let Some(server) = self.servers.remove(key) else {
            return;
        };
        let Some((answer, expires)) = server.into_completed() else {
            return;
        };
        let done = CompletedServer {
            answer: answer.into_boxed_slice(),
        };
        self.completed_bytes += done.cost(key);
        self.completed_order.insert((expires, key.clone()));
        self.completed.insert(key.clone(), done);
        while self.completed_bytes > self.completed_limit {
            let Some(oldest) = self.completed_order.first().cloned() else {
                break;
            };
            tracing::debug!(key = %oldest.1, "completed transactions over their byte bound: forgetting the oldest");
            self.forget_completed(&oldest);
        }
    }

    /// Drops a completed server transaction (Timer J, or the byte bound).
    fn forget_completed(&mut self, entry: &(Instant, TransactionKey)) {
        self.completed_order.remove(entry);
        if let Some(done) = self.completed.remove(&entry.1) {
            self.completed_bytes = self.completed_bytes.saturating_sub(done.cost(&entry.1));
        }
    }

    /// Removes a client and its timer entry.
    fn remove_client_entry(&mut self, key: &TransactionKey) -> Option<ClientEntry<C>> {
        let entry = self.clients.remove(key)?;
        if let Some(at) = entry.scheduled {
            self.client_timers.remove(&(at, key.clone()));
        }
        Some(entry)
    }
}

/// Moves a client's entry in the timer set to its current deadline.
fn reschedule<C>(
    timers: &mut BTreeSet<(Instant, TransactionKey)>,
    key: &TransactionKey,
    entry: &mut ClientEntry<C>,
) {
    let due = entry.txn.poll_timeout();
    if due == entry.scheduled {
        return;
    }
    if let Some(at) = entry.scheduled.take() {
        timers.remove(&(at, key.clone()));
    }
    if let Some(at) = due {
        timers.insert((at, key.clone()));
        entry.scheduled = Some(at);
    }
}

/// Moves a client's transmissions and events into `outputs`.
fn drain_client<C>(key: &TransactionKey, entry: &mut ClientEntry<C>, outputs: &mut VecDeque<TableOutput<C>>) {
    while let Some(bytes) = entry.txn.poll_transmit() {
        outputs.push_back(TableOutput::Transmit {
            role: Role::Client,
            key: key.clone(),
            bytes,
        });
    }
    while let Some(event) = entry.txn.poll_event() {
        let Some(ctx) = entry.ctx.take() else {
            tracing::warn!(%key, ?event, "client transaction event without context");
            continue;
        };
        let key = key.clone();
        outputs.push_back(match event {
            ClientEvent::TimedOut => TableOutput::ClientTimedOut { key, ctx },
            ClientEvent::TransportError => TableOutput::ClientTransportError { key, ctx },
        });
    }
}

/// Moves a server's transmissions and events into `outputs`.
fn drain_server<C>(
    key: &TransactionKey,
    server: &mut ServerNonInvite,
    outputs: &mut VecDeque<TableOutput<C>>,
) {
    while let Some(bytes) = server.poll_transmit() {
        outputs.push_back(TableOutput::Transmit {
            role: Role::Server,
            key: key.clone(),
            bytes,
        });
    }
    while let Some(event) = server.poll_event() {
        match event {
            ServerEvent::TransportError => {
                outputs.push_back(TableOutput::ServerTransportError { key: key.clone() });
            }
        }
    }
}
