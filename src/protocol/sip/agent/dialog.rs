//! Dialog state (RFC 3261 section 12): identifiers, sequence numbers, the
//! route set and the remote target, and the requests built inside a dialog.

use super::super::message::{Method, SipMessage};
use super::super::name_addr::NameAddr;

/// One confirmed dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Dialog {
    /// Call-ID.
    pub call_id: String,
    /// Our tag.
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
    /// Our URI (From of our requests), as sent in the dialog's first request.
    pub local_uri: NameAddr,
    /// The peer's URI (To of our requests).
    pub remote_uri: NameAddr,
    /// CSeq of our last request in the dialog.
    pub local_seq: u32,
    /// CSeq of the peer's last request, if any.
    pub remote_seq: Option<u32>,
    /// Where our requests go: the peer's Contact, kept opaque.
    pub remote_target: String,
    /// Route headers for our requests, in order.
    pub route_set: Vec<String>,
}

impl Dialog {
    /// The dialog of a caller after a 2xx to its INVITE: the route set is
    /// the response's Record-Route in reverse order (RFC 3261 12.1.2).
    pub fn as_caller(invite: &SipMessage, answer: &SipMessage) -> Option<Dialog> {
        let from = invite.from_header().ok()?;
        let to = answer.to_header().ok()?;
        let mut route_set = record_routes(answer);
        route_set.reverse();
        Some(Dialog {
            call_id: invite.call_id().ok()?.to_string(),
            local_tag: from.tag()?.to_string(),
            remote_tag: to.tag()?.to_string(),
            local_seq: invite.cseq().ok()?.0,
            remote_seq: None,
            remote_target: first_contact(answer)?,
            route_set,
            local_uri: without_tag(from),
            remote_uri: without_tag(to),
        })
    }

    /// The dialog of a callee answering `invite` with `local_tag`: the route
    /// set is the request's Record-Route in order (RFC 3261 12.1.1).
    pub fn as_callee(invite: &SipMessage, local_tag: &str, initial_seq: u32) -> Option<Dialog> {
        let from = invite.from_header().ok()?;
        let to = invite.to_header().ok()?;
        Some(Dialog {
            call_id: invite.call_id().ok()?.to_string(),
            local_tag: local_tag.to_string(),
            remote_tag: from.tag()?.to_string(),
            local_seq: initial_seq,
            remote_seq: Some(invite.cseq().ok()?.0),
            remote_target: first_contact(invite)?,
            route_set: record_routes(invite),
            local_uri: without_tag(to),
            remote_uri: without_tag(from),
        })
    }

    /// Whether `request` (from the peer) belongs to this dialog.
    pub fn matches_incoming(&self, request: &SipMessage) -> bool {
        let to_tag = request.to_header().ok().and_then(|t| t.tag().map(str::to_string));
        let from_tag = request
            .from_header()
            .ok()
            .and_then(|f| f.tag().map(str::to_string));
        request.call_id().ok() == Some(self.call_id.as_str())
            && to_tag.as_deref() == Some(self.local_tag.as_str())
            && from_tag.as_deref() == Some(self.remote_tag.as_str())
    }

    /// A new request in the dialog (BYE, re-INVITE, MESSAGE) with the next
    /// CSeq. Via is left empty for the transaction layer to fill.
    pub fn request(&mut self, method: Method) -> SipMessage {
        self.local_seq = self.local_seq.saturating_add(1);
        let cseq = self.local_seq;
        self.request_with_cseq(method, cseq)
    }

    /// The ACK of a 2xx to the INVITE with `cseq` (same CSeq number).
    pub fn ack(&self, cseq: u32) -> SipMessage {
        self.request_with_cseq(Method::Ack, cseq)
    }

    fn request_with_cseq(&self, method: Method, cseq: u32) -> SipMessage {
        let mut from = self.local_uri.clone();
        from.set_param("tag", Some(&self.local_tag));
        let mut to = self.remote_uri.clone();
        to.set_param("tag", Some(&self.remote_tag));
        let mut req = SipMessage::request(method.clone(), self.remote_target_uri());
        req.push_header("Via", "");
        for route in &self.route_set {
            req.push_header("Route", route.clone());
        }
        req.push_header("From", from.to_string());
        req.push_header("To", to.to_string());
        req.push_header("Call-ID", self.call_id.clone());
        req.push_header("CSeq", format!("{cseq} {}", method.as_str()));
        req
    }

    /// Takes the peer's new Contact after a target refresh (re-INVITE).
    pub fn refresh_target(&mut self, request: &SipMessage) {
        if let Some(contact) = first_contact(request) {
            self.remote_target = contact;
        }
    }

    /// Records the CSeq of a request from the peer; false when it is lower
    /// than one already seen (out of order: answer 500, RFC 3261 12.2.2).
    pub fn accept_remote_seq(&mut self, cseq: u32) -> bool {
        match self.remote_seq {
            Some(seen) if cseq < seen => false,
            _ => {
                self.remote_seq = Some(cseq);
                true
            }
        }
    }

    fn remote_target_uri(&self) -> String {
        NameAddr::parse(&self.remote_target)
            .map(|n| n.uri)
            .unwrap_or_else(|_| self.remote_target.clone())
    }
}

fn without_tag(mut addr: NameAddr) -> NameAddr {
    addr.params.retain(|p| !p.name.eq_ignore_ascii_case("tag"));
    addr
}

/// The first Contact's URI in angle brackets, kept as sent (servers add
/// parameters such as `alias` that must come back unchanged).
fn first_contact(msg: &SipMessage) -> Option<String> {
    let contact = msg.contacts().ok()?.into_iter().next()?;
    Some(format!("<{}>", contact.uri))
}

/// Every Record-Route entry in order, one per element.
fn record_routes(msg: &SipMessage) -> Vec<String> {
    msg.header_list("Record-Route")
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
