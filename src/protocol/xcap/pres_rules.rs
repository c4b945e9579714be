//! Presence authorization rules (RFC 5025 on the common policy of RFC
//! 4745): the whole `pres-rules` document we keep on an XCAP server, so the
//! server lets allowed watchers see our status and refuses blocked ones.
//!
//! One rule blocks (`sub-handling` `block`: the server ends their
//! subscription, reason `rejected`), one allows (`allow`, with every
//! service, person and device provided). Anyone else matches no rule and
//! waits (the server's default, `confirm`). A rule with no address is left
//! out (an empty `<identity>` is not valid). Addresses are written as the
//! server compares them: `sip:user@host`, without port or parameters.

use crate::protocol::sip::uri::SipUri;
use crate::protocol::xml;
use std::collections::BTreeSet;

/// The XCAP application of pres-rules (RFC 5025 section 9.1).
pub const AUID: &str = "pres-rules";
/// The document name of a user's pres-rules.
pub const DOCUMENT: &str = "index";
/// The content type of a pres-rules document.
pub const CONTENT_TYPE: &str = "application/auth-policy+xml";
/// The common policy namespace (RFC 4745).
pub const NAMESPACE_COMMON_POLICY: &str = "urn:ietf:params:xml:ns:common-policy";
/// The pres-rules namespace (RFC 5025).
pub const NAMESPACE_PRES_RULES: &str = "urn:ietf:params:xml:ns:pres-rules";
/// Most addresses written per rule; more are left out (and logged by the caller).
pub const MAX_RULE_ADDRESSES: usize = 2000;
/// The id of the rule that blocks.
pub const BLOCK_RULE_ID: &str = "sipchat-block";
/// The id of the rule that allows.
pub const ALLOW_RULE_ID: &str = "sipchat-allow";

/// Who may see our status, and who may not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PresRules {
    /// Watchers allowed, as `sip:user@host`.
    pub allowed: BTreeSet<String>,
    /// Watchers refused, as `sip:user@host`.
    pub blocked: BTreeSet<String>,
}

/// `address` as a pres-rules identity (`sip:user@host`, lowercase host),
/// or `None` when it is not a SIP address with a user.
pub fn identity(address: &str) -> Option<String> {
    let uri = SipUri::parse(address.trim()).ok()?;
    let user = uri.user.as_deref().filter(|u| !u.is_empty())?;
    let host = uri.host.to_ascii_lowercase();
    Some(format!("sip:{user}@{host}"))
}

impl PresRules {
    /// Rules from addresses; those that are no SIP address with a user are
    /// skipped, and one both allowed and blocked is blocked.
    pub fn from_addresses<'a>(
        allowed: impl IntoIterator<Item = &'a str>,
        blocked: impl IntoIterator<Item = &'a str>,
    ) -> PresRules {
        let blocked: BTreeSet<String> = blocked.into_iter().filter_map(identity).collect();
        let allowed = allowed
            .into_iter()
            .filter_map(identity)
            .filter(|a| !blocked.contains(a))
            .collect();
        PresRules { allowed, blocked }
    }

    /// The whole document, as bytes to PUT.
    pub fn to_document(&self) -> Vec<u8> {
        let mut doc = String::with_capacity(512 + 64 * (self.allowed.len() + self.blocked.len()));
        doc.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        doc.push_str(&format!(
            "<cr:ruleset xmlns=\"{NAMESPACE_PRES_RULES}\" xmlns:pr=\"{NAMESPACE_PRES_RULES}\" xmlns:cr=\"{NAMESPACE_COMMON_POLICY}\">\n"
        ));
        rule(
            &mut doc,
            BLOCK_RULE_ID,
            &self.blocked,
            "block",
            "<cr:transformations/>\n",
        );
        rule(
            &mut doc,
            ALLOW_RULE_ID,
            &self.allowed,
            "allow",
            "<cr:transformations>\n\
             <pr:provide-services><pr:all-services/></pr:provide-services>\n\
             <pr:provide-persons><pr:all-persons/></pr:provide-persons>\n\
             <pr:provide-devices><pr:all-devices/></pr:provide-devices>\n\
             <pr:provide-all-attributes/>\n\
             </cr:transformations>\n",
        );
        doc.push_str("</cr:ruleset>\n");
        doc.into_bytes()
    }
}

fn rule(doc: &mut String, id: &str, addresses: &BTreeSet<String>, handling: &str, transformations: &str) {
    if addresses.is_empty() {
        return;
    }
    doc.push_str(&format!(
        "<cr:rule id=\"{id}\">\n<cr:conditions>\n<cr:identity>\n"
    ));
    for address in addresses.iter().take(MAX_RULE_ADDRESSES) {
        doc.push_str(&format!("<cr:one id=\"{}\"/>\n", xml::escape(address)));
    }
    doc.push_str("</cr:identity>\n</cr:conditions>\n");
    doc.push_str(&format!(
        "<cr:actions><pr:sub-handling>{handling}</pr:sub-handling></cr:actions>\n"
    ));
    doc.push_str(transformations);
    doc.push_str("</cr:rule>\n");
}
