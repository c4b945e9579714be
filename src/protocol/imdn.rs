//! Instant Message Disposition Notifications (RFC 5438): the
//! `message/imdn+xml` document, and the `imdn.Disposition-Notification`
//! request values. Notifications travel inside CPIM
//! ([`super::cpim`]) with `Content-Disposition: notification`.

use super::xml::{self, XmlError};

/// Content type of a notification document.
pub const CONTENT_TYPE: &str = "message/imdn+xml";
/// Its XML namespace (also the CPIM `NS` for the `imdn.` headers).
pub const NAMESPACE: &str = "urn:ietf:params:xml:ns:imdn";
/// The CPIM namespace URN of the IMDN headers (RFC 5438 section 6).
pub const CPIM_NAMESPACE: &str = "urn:ietf:params:imdn";
/// Longest message id or URI read from a notification, in bytes.
pub const MAX_IMDN_FIELD_LEN: usize = 1024;

/// Delivery or display status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// `delivery-notification` / `delivered`.
    Delivered,
    /// `delivery-notification` / `failed`.
    Failed,
    /// `display-notification` / `displayed`.
    Displayed,
    /// `forbidden` (in a delivery or display notification).
    Forbidden {
        /// Inside a display notification.
        display: bool,
    },
    /// `error` (in a delivery or display notification).
    Error {
        /// Inside a display notification.
        display: bool,
    },
}

impl Disposition {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            Disposition::Delivered => ("delivery-notification", "delivered"),
            Disposition::Failed => ("delivery-notification", "failed"),
            Disposition::Displayed => ("display-notification", "displayed"),
            Disposition::Forbidden { display } => (kind(display), "forbidden"),
            Disposition::Error { display } => (kind(display), "error"),
        }
    }
}

fn kind(display: bool) -> &'static str {
    if display {
        "display-notification"
    } else {
        "delivery-notification"
    }
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The `imdn.Message-ID` of the message it is about.
    pub message_id: String,
    /// When the disposition happened (RFC 3339), as written.
    pub datetime: String,
    /// Who it was for (`recipient-uri`).
    pub recipient_uri: Option<String>,
    /// `original-recipient-uri`.
    pub original_recipient_uri: Option<String>,
    /// What happened.
    pub disposition: Disposition,
}

/// Why a document is not a notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImdnError {
    /// Not readable XML.
    #[error("the delivery notification is not readable XML: {0}")]
    Xml(#[from] XmlError),
    /// The root is not `imdn` in the IMDN namespace.
    #[error("the document is not a delivery notification (imdn)")]
    NotImdn,
    /// A required element is missing or too long.
    #[error("the delivery notification has no usable {0}")]
    Missing(&'static str),
    /// No known notification kind or status.
    #[error("the delivery notification has no known status")]
    BadStatus,
}

/// What the sender of a message asked for (`imdn.Disposition-Notification`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requested {
    /// `positive-delivery`.
    pub positive_delivery: bool,
    /// `negative-delivery`.
    pub negative_delivery: bool,
    /// `display`.
    pub display: bool,
}

impl Requested {
    /// Reads a comma-separated header value; unknown values are skipped.
    pub fn parse(value: &str) -> Requested {
        let mut r = Requested::default();
        for v in value.split(',').map(|v| v.trim().to_ascii_lowercase()) {
            match v.as_str() {
                "positive-delivery" => r.positive_delivery = true,
                "negative-delivery" => r.negative_delivery = true,
                "display" => r.display = true,
                _ => {}
            }
        }
        r
    }

    /// The header value (empty when nothing is asked).
    pub fn to_value(self) -> String {
        let mut v = Vec::new();
        if self.positive_delivery {
            v.push("positive-delivery");
        }
        if self.negative_delivery {
            v.push("negative-delivery");
        }
        if self.display {
            v.push("display");
        }
        v.join(", ")
    }
}

impl Notification {
    /// Writes the XML document.
    pub fn to_xml(&self) -> String {
        let mut s = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<imdn xmlns=\"{NAMESPACE}\">\n");
        s.push_str(&format!(
            "  <message-id>{}</message-id>\n",
            xml::escape(&self.message_id)
        ));
        s.push_str(&format!(
            "  <datetime>{}</datetime>\n",
            xml::escape(&self.datetime)
        ));
        if let Some(r) = &self.recipient_uri {
            s.push_str(&format!("  <recipient-uri>{}</recipient-uri>\n", xml::escape(r)));
        }
        if let Some(r) = &self.original_recipient_uri {
            s.push_str(&format!(
                "  <original-recipient-uri>{}</original-recipient-uri>\n",
                xml::escape(r)
            ));
        }
        let (kind, status) = self.disposition.parts();
        s.push_str(&format!(
            "  <{kind}>\n    <status><{status}/></status>\n  </{kind}>\n</imdn>\n"
        ));
        s
    }

    /// Reads a document.
    pub fn parse(bytes: &[u8]) -> Result<Notification, ImdnError> {
        let root = xml::parse(bytes)?;
        if root.name != "imdn" || root.namespace.as_deref() != Some(NAMESPACE) {
            return Err(ImdnError::NotImdn);
        }
        let field = |name: &'static str| -> Result<String, ImdnError> {
            match root.child_text(name) {
                Some(t) if !t.is_empty() && t.len() <= MAX_IMDN_FIELD_LEN => Ok(t.to_string()),
                _ => Err(ImdnError::Missing(name)),
            }
        };
        let optional = |name: &'static str| {
            root.child_text(name)
                .filter(|t| !t.is_empty() && t.len() <= MAX_IMDN_FIELD_LEN)
                .map(str::to_string)
        };
        let message_id = field("message-id")?;
        let datetime = field("datetime")?;
        let (display, el) = match (
            root.child("delivery-notification"),
            root.child("display-notification"),
        ) {
            (Some(d), _) => (false, d),
            (None, Some(d)) => (true, d),
            (None, None) => return Err(ImdnError::BadStatus),
        };
        let status = el
            .child("status")
            .and_then(|s| s.children.first())
            .ok_or(ImdnError::BadStatus)?;
        let disposition = match (display, status.name.as_str()) {
            (false, "delivered") => Disposition::Delivered,
            (false, "failed") => Disposition::Failed,
            (true, "displayed") => Disposition::Displayed,
            (_, "forbidden") => Disposition::Forbidden { display },
            (_, "error") => Disposition::Error { display },
            _ => return Err(ImdnError::BadStatus),
        };
        Ok(Notification {
            message_id,
            datetime,
            recipient_uri: optional("recipient-uri"),
            original_recipient_uri: optional("original-recipient-uri"),
            disposition,
        })
    }
}

#[cfg(test)]
#[path = "imdn_tests.rs"]
mod tests;
