//! isComposing (RFC 3994): the `application/im-iscomposing+xml` document,
//! and sans-IO trackers for the sender (when to send "active", refreshes and
//! "idle") and the receiver (when to stop showing "typing").

use super::xml::{self, XmlError};
use std::time::{Duration, Instant};

/// Content type of an isComposing document.
pub const CONTENT_TYPE: &str = "application/im-iscomposing+xml";
/// Its XML namespace.
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:im-iscomposing";
/// Refresh interval we send with "active" (RFC 3994 recommends 90 s; at
/// least 60 s).
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(90);
/// Idle time after the last keystroke before we send "idle" (RFC 3994: 15 s).
pub const DEFAULT_IDLE: Duration = Duration::from_secs(15);
/// How long a receiver shows "active" without a refresh interval
/// (RFC 3994: 120 s).
pub const DEFAULT_ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest refresh a peer may ask for; longer values are cut to it.
pub const MAX_REFRESH: Duration = Duration::from_secs(3600);
/// Shortest refresh we honour from a peer.
pub const MIN_REFRESH: Duration = Duration::from_secs(60);

/// Whether someone is typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeState {
    /// Typing.
    Active,
    /// Not typing.
    Idle,
}

/// One isComposing document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsComposing {
    /// `state`.
    pub state: ComposeState,
    /// `lastactive` (RFC 3339 date-time), as written.
    pub last_active: Option<String>,
    /// `contenttype` of what is being composed.
    pub content_type: Option<String>,
    /// `refresh`, in seconds (only with "active").
    pub refresh: Option<u32>,
}

/// Why a document is not isComposing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsComposingError {
    /// Not readable XML.
    #[error("the isComposing document is not readable XML: {0}")]
    Xml(#[from] XmlError),
    /// The root element is not `isComposing` in its namespace.
    #[error("the document is not an isComposing document")]
    NotIsComposing,
    /// No `state`, or a state other than active/idle.
    #[error("the isComposing document has no state, or one other than active or idle")]
    BadState,
    /// `refresh` not a number.
    #[error("the refresh of the isComposing document is not a number of seconds")]
    BadRefresh,
}

impl IsComposing {
    /// An "active" document with a refresh.
    pub fn active(refresh: Duration) -> IsComposing {
        IsComposing {
            state: ComposeState::Active,
            last_active: None,
            content_type: Some("text/plain".into()),
            refresh: Some(u32::try_from(refresh.as_secs()).unwrap_or(u32::MAX)),
        }
    }

    /// An "idle" document.
    pub fn idle() -> IsComposing {
        IsComposing {
            state: ComposeState::Idle,
            last_active: None,
            content_type: Some("text/plain".into()),
            refresh: None,
        }
    }

    /// Writes the XML document.
    pub fn to_xml(&self) -> String {
        let mut s =
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<isComposing xmlns=\"{NAMESPACE}\">\n");
        let state = match self.state {
            ComposeState::Active => "active",
            ComposeState::Idle => "idle",
        };
        s.push_str(&format!("  <state>{state}</state>\n"));
        if let Some(l) = &self.last_active {
            s.push_str(&format!("  <lastactive>{}</lastactive>\n", xml::escape(l)));
        }
        if let Some(c) = &self.content_type {
            s.push_str(&format!("  <contenttype>{}</contenttype>\n", xml::escape(c)));
        }
        if let Some(r) = self.refresh {
            s.push_str(&format!("  <refresh>{r}</refresh>\n"));
        }
        s.push_str("</isComposing>\n");
        s
    }

    /// Reads a document.
    pub fn parse(bytes: &[u8]) -> Result<IsComposing, IsComposingError> {
        let root = xml::parse(bytes)?;
        if root.name != "isComposing" || root.namespace.as_deref() != Some(NAMESPACE) {
            return Err(IsComposingError::NotIsComposing);
        }
        let state = match root.child_text("state") {
            Some(s) if s.eq_ignore_ascii_case("active") => ComposeState::Active,
            Some(s) if s.eq_ignore_ascii_case("idle") => ComposeState::Idle,
            _ => return Err(IsComposingError::BadState),
        };
        let refresh = match root.child_text("refresh") {
            None => None,
            Some(r) => Some(r.parse::<u32>().map_err(|_| IsComposingError::BadRefresh)?),
        };
        let text = |n: &str| root.child_text(n).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(IsComposing {
            state,
            last_active: text("lastactive"),
            content_type: text("contenttype"),
            refresh,
        })
    }
}

/// Sender side: call [`ComposeSender::typed`] on every keystroke,
/// [`ComposeSender::message_sent`] when the message goes, and
/// [`ComposeSender::handle_timeout`] at [`ComposeSender::poll_timeout`]. Each
/// returns the document to send, if one is due.
#[derive(Debug, Clone)]
pub struct ComposeSender {
    refresh: Duration,
    idle_after: Duration,
    active: bool,
    last_typed: Option<Instant>,
    last_active_sent: Option<Instant>,
}

impl Default for ComposeSender {
    fn default() -> Self {
        Self::new(DEFAULT_REFRESH, DEFAULT_IDLE)
    }
}

impl ComposeSender {
    /// A tracker with the given refresh interval and idle timeout.
    pub fn new(refresh: Duration, idle_after: Duration) -> ComposeSender {
        ComposeSender {
            refresh,
            idle_after,
            active: false,
            last_typed: None,
            last_active_sent: None,
        }
    }

    /// Whether we are telling the peer we type.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// A keystroke: "active" when we were idle.
    pub fn typed(&mut self, now: Instant) -> Option<IsComposing> {
        self.last_typed = Some(now);
        if self.active {
            return None;
        }
        self.active = true;
        self.last_active_sent = Some(now);
        Some(IsComposing::active(self.refresh))
    }

    /// The message was sent: the peer goes idle by itself (RFC 3994
    /// section 3), so nothing is sent.
    pub fn message_sent(&mut self) {
        self.active = false;
        self.last_typed = None;
        self.last_active_sent = None;
    }

    /// When to call [`ComposeSender::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !self.active {
            return None;
        }
        let idle = self.last_typed.map(|t| t + self.idle_after);
        let refresh = self.last_active_sent.map(|t| t + self.refresh);
        [idle, refresh].into_iter().flatten().min()
    }

    /// "idle" after the idle timeout, or a refreshing "active".
    pub fn handle_timeout(&mut self, now: Instant) -> Option<IsComposing> {
        if !self.active {
            return None;
        }
        if self.last_typed.is_some_and(|t| now >= t + self.idle_after) {
            self.message_sent();
            return Some(IsComposing::idle());
        }
        if self.last_active_sent.is_some_and(|t| now >= t + self.refresh) {
            self.last_active_sent = Some(now);
            return Some(IsComposing::active(self.refresh));
        }
        None
    }
}

/// Receiver side: shows "typing" from an "active" document until "idle",
/// a message, or the refresh interval (or [`DEFAULT_ACTIVE_TIMEOUT`])
/// passes without a refresh.
#[derive(Debug, Clone, Default)]
pub struct ComposeReceiver {
    active_until: Option<Instant>,
}

impl ComposeReceiver {
    /// A receiver showing nothing.
    pub fn new() -> ComposeReceiver {
        ComposeReceiver::default()
    }

    /// Whether the peer is typing.
    pub fn is_active(&self) -> bool {
        self.active_until.is_some()
    }

    /// A document arrived; returns the new state when it changed.
    pub fn received(&mut self, doc: &IsComposing, now: Instant) -> Option<ComposeState> {
        let was = self.is_active();
        match doc.state {
            ComposeState::Active => {
                let refresh = doc
                    .refresh
                    .map(|r| Duration::from_secs(u64::from(r)).clamp(MIN_REFRESH, MAX_REFRESH))
                    .unwrap_or(DEFAULT_ACTIVE_TIMEOUT);
                self.active_until = Some(now + refresh);
                (!was).then_some(ComposeState::Active)
            }
            ComposeState::Idle => {
                self.active_until = None;
                was.then_some(ComposeState::Idle)
            }
        }
    }

    /// A message arrived from the peer: it stopped typing.
    pub fn message_received(&mut self) -> Option<ComposeState> {
        self.active_until.take().map(|_| ComposeState::Idle)
    }

    /// When to call [`ComposeReceiver::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.active_until
    }

    /// Idle once the refresh interval passed; returns the change.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<ComposeState> {
        if self.active_until.is_some_and(|t| now >= t) {
            self.active_until = None;
            return Some(ComposeState::Idle);
        }
        None
    }
}

#[cfg(test)]
#[path = "iscomposing_tests.rs"]
mod tests;
