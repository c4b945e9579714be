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

use std::collections::{HashMap, HashSet, VecDeque};
use std::mem;
use std::time::Instant;

use super::client::{ClientEvent, ClientNonInvite, ClientState};
use super::server::{ServerEvent, ServerNonInvite};
use super::{TransactionError, TransactionKey};

/// Default bound on live transactions (clients plus servers) in a table.
pub const MAX_TRANSACTIONS: usize = 16_384;

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

/// A client transaction and its context (taken on completion/failure).
#[derive(Debug)]
struct ClientEntry<C> {
    txn: ClientNonInvite,
    ctx: Option<C>,
}

/// Live client and server transactions with caller context `C` for
/// clients.
///
/// Client and server keys live in separate maps, so a client and a server
/// transaction may share a branch.
#[derive(Debug)]
pub struct TransactionTable<C> {
    clients: HashMap<TransactionKey, ClientEntry<C>>,
    servers: HashMap<TransactionKey, ServerNonInvite>,
    outputs: VecDeque<TableOutput<C>>,
    /// Servers handed out by `server_for` whose output is not collected yet.
    touched_servers: HashSet<TransactionKey>,
    limit: usize,
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
        Self {
            clients: HashMap::new(),
            servers: HashMap::new(),
            outputs: VecDeque::new(),
            touched_servers: HashSet::new(),
            limit,
        }
    }

    /// Maximum number of live transactions.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Number of live transactions (clients plus servers).
    pub fn len(&self) -> usize {
        self.clients.len() + self.servers.len()
    }

    /// True when no transaction is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of live client transactions.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// Number of live server transactions.
    pub fn server_count(&self) -> usize {
        self.servers.len()
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
        };
        drain_client(&key, &mut entry, &mut self.outputs);
        if !entry.txn.is_terminated() {
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
            (entry.txn.on_response(status, now), entry.txn.state())
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
                    self.clients.remove(key);
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
        if entry.txn.is_terminated() {
            self.clients.remove(key);
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
        self.clients.remove(key).and_then(|e| e.ctx)
    }

    /// Adds a server transaction for a newly received request.
    ///
    /// # Errors
    ///
    /// [`TransactionError::DuplicateKey`] if `key` is live (the request is
    /// a retransmission: use [`server_for`](Self::server_for)),
    /// [`TransactionError::TableFull`] at the limit (the caller may answer
    /// 503 statelessly).
    pub fn insert_server(
        &mut self,
        key: TransactionKey,
        server: ServerNonInvite,
    ) -> Result<(), TransactionError> {
        if self.servers.contains_key(&key) {
            return Err(TransactionError::DuplicateKey(key));
        }
        self.ensure_capacity()?;
        let mut server = server;
        drain_server(&key, &mut server, &mut self.outputs);
        if !server.is_terminated() {
            self.servers.insert(key, server);
        }
        Ok(())
    }

    /// Mutable access to server transaction `key`, e.g. to
    /// [`send_response`](ServerNonInvite::send_response) or answer a
    /// retransmitted request. Whatever it queues is collected by the next
    /// [`poll_output`](Self::poll_output) / [`handle_timeout`](Self::handle_timeout),
    /// which also removes it once terminated.
    pub fn server_for(&mut self, key: &TransactionKey) -> Option<&mut ServerNonInvite> {
        let server = self.servers.get_mut(key)?;
        self.touched_servers.insert(key.clone());
        Some(server)
    }

    /// Read access to server transaction `key`.
    pub fn server(&self, key: &TransactionKey) -> Option<&ServerNonInvite> {
        self.servers.get(key)
    }

    /// Earliest deadline over all transactions, or `None` if no timer
    /// runs. Linear in the number of transactions.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let clients = self.clients.values().filter_map(|e| e.txn.poll_timeout());
        let servers = self.servers.values().filter_map(ServerNonInvite::poll_timeout);
        clients.chain(servers).min()
    }

    /// Fires all timers due at `now`, queues the resulting output and
    /// removes terminated transactions.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.collect_touched_servers();
        let outputs = &mut self.outputs;
        for (key, entry) in &mut self.clients {
            if entry.txn.poll_timeout().is_some_and(|at| at <= now) {
                entry.txn.handle_timeout(now);
                drain_client(key, entry, outputs);
            }
        }
        for (key, server) in &mut self.servers {
            if server.poll_timeout().is_some_and(|at| at <= now) {
                server.handle_timeout(now);
                drain_server(key, server, outputs);
            }
        }
        self.clients.retain(|_, e| !e.txn.is_terminated());
        self.servers.retain(|_, s| !s.is_terminated());
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
    /// queue and removes those that terminated.
    fn collect_touched_servers(&mut self) {
        for key in mem::take(&mut self.touched_servers) {
            if let Some(server) = self.servers.get_mut(&key) {
                drain_server(&key, server, &mut self.outputs);
                if server.is_terminated() {
                    self.servers.remove(&key);
                }
            }
        }
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
