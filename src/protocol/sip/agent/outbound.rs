//! RFC 5626 outbound and RFC 5627 GRUU on the registration.
//!
//! When the runtime gives the agent an instance id ([`Agent::set_instance`],
//! a `urn:uuid:` stable for the account in this install), every REGISTER
//! says `Supported: outbound, gruu` and its Contact carries
//! `+sip.instance` and `reg-id=1`. Outbound is in use only when the
//! registrar's 2xx says `Require: outbound` (RFC 5626 section 4.2.1; a
//! `Supported: outbound` alone is not enough): the flow is then an outbound
//! flow ([`Agent::uses_outbound`]), whose keep-alives must be answered
//! (a missing answer re-registers at once). Otherwise the registration is
//! a plain one: keep-alives only keep the router's binding open, and
//! nothing is concluded from a missing answer. A registrar that offers
//! GRUU puts `pub-gruu` on our Contact in its 2xx: dialogs then use that
//! URI as their Contact, which reaches us through the registrar wherever
//! we are. A registrar that knows neither ignores the parameters.

use super::Agent;
use crate::protocol::sip::message::SipMessage;

/// The `reg-id` of our one flow (RFC 5626 section 4.2).
pub const REG_ID: u32 = 1;
/// Longest instance id or GRUU we take (longer ones are ignored).
pub const MAX_OUTBOUND_URI: usize = 512;

impl Agent {
    /// Sets the instance id (`urn:uuid:...`) registrations carry; `None`
    /// turns outbound and GRUU off. Takes effect with the next REGISTER.
    pub fn set_instance(&mut self, instance: Option<String>) {
        self.registration.instance = instance.filter(|i| {
            i.len() <= MAX_OUTBOUND_URI && i.starts_with("urn:") && !i.contains(['"', '>', '\r', '\n'])
        });
    }

    /// Whether the registrar uses RFC 5626 outbound on our flow.
    pub fn uses_outbound(&self) -> bool {
        self.registration.outbound
    }

    /// The public GRUU the registrar gave us (RFC 5627), if any.
    pub fn gruu(&self) -> Option<&str> {
        self.registration.gruu.as_deref()
    }

    /// The Contact parameters outbound adds to the REGISTER's Contact.
    pub(super) fn outbound_contact_params(&self) -> String {
        match &self.registration.instance {
            Some(instance) => format!(";+sip.instance=\"<{instance}>\";reg-id={REG_ID}"),
            None => String::new(),
        }
    }

    /// Adds `Supported: outbound, gruu` when we have an instance id.
    pub(super) fn add_outbound_support(&self, req: &mut SipMessage) {
        if self.registration.instance.is_some() {
            req.push_header("Supported", "outbound, gruu");
        }
    }

    /// Reads a REGISTER 2xx: whether the registrar uses outbound, and our
    /// GRUU (on the Contact that carries our instance).
    pub(super) fn learn_outbound(&mut self, resp: &SipMessage) {
        let Some(instance) = self.registration.instance.clone() else {
            return;
        };
        let outbound = resp
            .header_lines("Require")
            .flat_map(|line| line.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case("outbound"));
        if outbound != self.registration.outbound || !self.registration.outbound_known {
            if outbound {
                tracing::info!(account = %self.config.account, "the registrar uses outbound (Require: outbound, RFC 5626): keep-alives on this flow must be answered");
            } else {
                tracing::info!(account = %self.config.account, "the registrar does not use outbound (no Require: outbound): a plain registration, keep-alives only hold the binding open");
            }
        }
        self.registration.outbound = outbound;
        self.registration.outbound_known = true;
        let ours = resp.contacts().unwrap_or_default().into_iter().find(|c| {
            c.param("+sip.instance")
                .is_some_and(|v| v.trim_matches('"').trim_matches(['<', '>']) == instance)
        });
        let gruu = ours
            .as_ref()
            .and_then(|c| c.param("pub-gruu"))
            .map(|g| g.trim_matches('"').to_string())
            .filter(|g| {
                g.len() <= MAX_OUTBOUND_URI && g.starts_with("sip") && !g.contains(['>', '\r', '\n', ' '])
            });
        if gruu != self.registration.gruu {
            tracing::info!(account = %self.config.account, gruu = ?gruu, "the registrar's public GRUU (RFC 5627)");
        }
        self.registration.gruu = gruu;
    }

    /// The Contact of a dialog on `hop` when the registrar gave us a GRUU
    /// on that flow.
    pub(super) fn gruu_contact(&self, hop: &super::Hop) -> Option<String> {
        let gruu = self.registration.gruu.as_ref()?;
        let flow = self.registration.hop?;
        let same = flow.transport == hop.transport && flow.remote == hop.remote && flow.conn == hop.conn;
        same.then(|| format!("<{gruu}>"))
    }
}

/// A name-based instance id (RFC 4122 version 5 layout) from `seed`
/// (e.g. the machine id and the account's address of record): the same
/// on every start, different between machines and accounts.
pub fn instance_from(seed: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(seed);
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
