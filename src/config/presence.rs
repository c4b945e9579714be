//! The `presence` field of a server account:
//! `presence: (xcap_root: "https://xcap.example.org/xcap-root", list:
//! "sip:alice-buddies@example.org", publish: false)`.
//!
//! `publish: false` keeps our status off the server (accounts that should
//! not publish, or servers that refuse PUBLISH), while subscribing to
//! contacts goes on. `xcap_root` is where who may see our status is kept
//! (the `pres-rules` document, RFC 5025, written with the account's SIP
//! credentials), and the account's contacts (a `resource-lists` document,
//! RFC 4826, merged with the address book). `list` is a resource list URI (RFC 4662): one
//! subscription to it shows every contact the server's list names, instead
//! of one subscription per contact.

use serde::Deserialize;

use super::account::parse_sip_uri;

/// Longest `xcap_root` accepted, in bytes.
pub const MAX_XCAP_ROOT_BYTES: usize = 2048;

/// Presence settings of one account. Every field has a default.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceConfig {
    /// The XCAP root, `http://` or `https://` with a host: the pres-rules
    /// and the contact list are kept there.
    #[serde(default)]
    pub xcap_root: Option<String>,
    /// A resource list URI, `sip:` or `sips:` with a user: watched instead
    /// of each contact.
    #[serde(default)]
    pub list: Option<String>,
    /// Whether our status is published to the server. Default `true`.
    #[serde(default = "publish_by_default")]
    pub publish: bool,
}

fn publish_by_default() -> bool {
    true
}

impl Default for PresenceConfig {
    fn default() -> Self {
        PresenceConfig {
            xcap_root: None,
            list: None,
            publish: true,
        }
    }
}

impl PresenceConfig {
    /// The first bad field (its full name) and what is wrong with it.
    pub(super) fn check(&self) -> Result<(), (&'static str, String)> {
        if let Some(root) = &self.xcap_root {
            let lower = root.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            let problem = match rest {
                _ if root.len() > MAX_XCAP_ROOT_BYTES => {
                    format!("is longer than {MAX_XCAP_ROOT_BYTES} bytes")
                }
                _ if root.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                    "must not contain spaces or control characters".to_string()
                }
                None => "must start with http:// or https://".to_string(),
                Some(r) if r.is_empty() || r.starts_with([':', '/', '?', '#']) => {
                    "must have a host".to_string()
                }
                Some(_) => String::new(),
            };
            if !problem.is_empty() {
                return Err((
                    "presence.xcap_root",
                    format!("presence.xcap_root {root:?} {problem}"),
                ));
            }
        }
        if let Some(list) = &self.list {
            match parse_sip_uri(list) {
                Err(problem) => return Err(("presence.list", format!("presence.list {list:?} {problem}"))),
                Ok(parts) if parts.user.is_none() => {
                    let problem = "must have a user part (sip:list@host)";
                    return Err(("presence.list", format!("presence.list {list:?} {problem}")));
                }
                Ok(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::config::AccountConfig;

    fn account(presence: &str) -> Result<AccountConfig, String> {
        let text = format!(r#"(name: "work", uri: "sip:alice@example.org", presence: {presence})"#);
        let account: AccountConfig = ron::from_str(&text).map_err(|e| e.to_string())?;
        account.validate(0).map_err(|e| e.to_string())?;
        Ok(account)
    }

    #[test]
    fn publish_defaults_to_true_and_every_field_is_checked() {
        let plain: AccountConfig = ron::from_str(r#"(name: "w", uri: "sip:a@example.org")"#).unwrap();
        assert!(plain.presence.publish);
        let quiet = account(
            r#"(xcap_root: Some("https://xcap.example.org/xcap-root"), list: Some("sip:buddies@example.org"), publish: false)"#,
        )
        .unwrap();
        assert!(!quiet.presence.publish);
        assert_eq!(quiet.presence.list.as_deref(), Some("sip:buddies@example.org"));

        let bad_root = account(r#"(xcap_root: Some("ftp://xcap.example.org"))"#).unwrap_err();
        assert!(
            bad_root.contains("presence.xcap_root") && bad_root.contains("http://"),
            "{bad_root}"
        );
        let no_host = account(r#"(xcap_root: Some("https:///root"))"#).unwrap_err();
        assert!(no_host.contains("must have a host"), "{no_host}");
        let bad_list = account(r#"(list: Some("buddies@example.org"))"#).unwrap_err();
        assert!(bad_list.contains("presence.list"), "{bad_list}");
        let no_user = account(r#"(list: Some("sip:example.org"))"#).unwrap_err();
        assert!(no_user.contains("user part"), "{no_user}");
        let unknown = account("(publsh: false)").unwrap_err();
        assert!(unknown.contains("publsh"), "{unknown}");
    }
}
