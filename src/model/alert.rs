//! Emergency alerts: what the runtime raises, logs and shows.

use serde::{Deserialize, Serialize};

use super::{AccountId, MessageId};

/// How an incoming message relates to emergency alerts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMark {
    /// An ordinary message.
    #[default]
    None,
    /// A trusted alert: an [`Alert`] was raised for it as well.
    Raised,
    /// It looks like an alert, but its sender is not trusted (or it did not
    /// arrive over the account's own connection): shown as an ordinary
    /// message that "claims to be an alert from an untrusted sender".
    Untrusted,
}

impl AlertMark {
    /// The words the UI and the CLI show next to an untrusted claim.
    pub const UNTRUSTED_WORDS: &'static str = "claims to be an alert from an untrusted sender";
}

/// The parsed fields of an OASIS CAP 1.2 `<alert>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapAlert {
    /// `identifier`.
    pub identifier: String,
    /// `sender`.
    pub sender: String,
    /// `sent` (as written, an XML dateTime).
    pub sent: String,
    /// `status`: Actual, Exercise, System, Test, Draft.
    pub status: String,
    /// `msgType`: Alert, Update, Cancel, Ack, Error.
    pub msg_type: String,
    /// `scope`: Public, Restricted, Private.
    pub scope: String,
    /// The `info` blocks, in order.
    pub infos: Vec<CapInfo>,
}

/// One `<info>` block of a CAP alert.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapInfo {
    /// `language`, if given.
    pub language: Option<String>,
    /// `event`.
    pub event: String,
    /// `urgency`: Immediate, Expected, Future, Past, Unknown.
    pub urgency: String,
    /// `severity`: Extreme, Severe, Moderate, Minor, Unknown.
    pub severity: String,
    /// `certainty`: Observed, Likely, Possible, Unlikely, Unknown.
    pub certainty: String,
    /// `headline`.
    pub headline: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `instruction`.
    pub instruction: Option<String>,
    /// `expires`.
    pub expires: Option<String>,
    /// `areaDesc` of each `<area>`.
    pub areas: Vec<String>,
}

/// An emergency alert from a trusted sender, as raised and as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Row id in the alert log (use it to acknowledge).
    pub id: i64,
    /// Receiving account.
    pub account: AccountId,
    /// The message that carried it (kept in its conversation too).
    pub message_id: Option<MessageId>,
    /// Sender address (From URI).
    pub from: String,
    /// Sender display name, if given.
    pub from_name: Option<String>,
    /// Subject header, if any.
    pub subject: Option<String>,
    /// Priority header, if any.
    pub priority: Option<String>,
    /// The message body exactly as received (text).
    pub body: String,
    /// What to show: the CAP headline and description, the text part of a
    /// multipart body, or the body.
    pub text: String,
    /// The parsed CAP document, when the body carried a valid one.
    pub cap: Option<CapAlert>,
    /// Why the CAP document could not be read (it was answered 425), if so.
    pub cap_error: Option<String>,
    /// When it arrived, Unix milliseconds.
    pub received_at: i64,
    /// When the user acknowledged it; `None` while it is up.
    pub acknowledged_at: Option<i64>,
}

impl Alert {
    /// The first CAP info block, if any.
    pub fn first_info(&self) -> Option<&CapInfo> {
        self.cap.as_ref().and_then(|c| c.infos.first())
    }

    /// A one-line title: the CAP headline or event, else the subject, else
    /// "Emergency alert".
    pub fn title(&self) -> String {
        if let Some(info) = self.first_info() {
            if let Some(h) = info.headline.as_deref().filter(|h| !h.trim().is_empty()) {
                return h.trim().to_string();
            }
            if !info.event.trim().is_empty() {
                return info.event.trim().to_string();
            }
        }
        match self.subject.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => "Emergency alert".to_string(),
        }
    }
}
