//! XCAP (RFC 4825), sans-IO: documents kept on an HTTP server under an
//! XCAP root, per application (AUID) and user (XUI, our SIP address).
//!
//! `http.rs` builds HTTP/1.1 requests and reads responses from bytes;
//! `pres_rules.rs` writes the pres-rules document (RFC 5025);
//! `resource_lists.rs` reads and writes the contact lists (RFC 4826). An
//! [`Exchange`] is one request with its HTTP digest (RFC 7616, the SIP
//! credentials, through `protocol::sip::digest`): it says what to send,
//! takes each response, answers one challenge, and ends with the new ETag
//! or an [`XcapError`] in words. The caller moves the bytes.
//!
//! Why a hand-written HTTP/1.1 client and not hyper or ureq: XCAP needs
//! one request per connection, a digest challenge answered once and an
//! ETag; the SIP digest is ours already, ureq blocks a thread per request,
//! and hyper brings its connection machinery for a few requests a day.
//! The bytes are built and read here, tested without sockets.

pub mod http;
pub mod pres_rules;
pub mod resource_lists;

use crate::protocol::sip::digest::{self, Credentials, RequestParts};
use http::{Request, Response, Url};

/// Why an XCAP request did not succeed, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XcapError {
    /// A URL or the server's answer could not be read.
    #[error(transparent)]
    Http(#[from] http::HttpError),
    /// The server could not be reached, or did not answer in time.
    #[error("could not reach the XCAP server at {0}")]
    Unreachable(String),
    /// The server asked for a password the account has not.
    #[error("the XCAP server asks for a password, and the account has none")]
    NoPassword,
    /// The server did not take our user name and password.
    #[error("the XCAP server did not accept the account's user name and password")]
    Unauthorized,
    /// A challenge we cannot answer.
    #[error("the XCAP server asks for an authentication sipchat cannot answer: {0}")]
    Challenge(String),
    /// The document changed elsewhere since we read or wrote it (412).
    #[error("the document on the XCAP server was changed elsewhere")]
    Changed,
    /// Any other refusal.
    #[error("the XCAP server refused: {status} {reason}")]
    Refused {
        /// The status code.
        status: u16,
        /// Its reason phrase.
        reason: String,
    },
}

impl XcapError {
    /// Whether trying the same again later may work (the server's trouble
    /// or a conflict, not our configuration).
    pub fn retryable(&self) -> bool {
        match self {
            XcapError::Changed | XcapError::Unreachable(_) => true,
            XcapError::Refused { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            _ => false,
        }
    }
}

/// The URL of a user's document: `root/auid/users/xui/document`.
pub fn document_url(root: &Url, auid: &str, xui: &str, document: &str) -> Url {
    root.join(&[auid, "users", xui, document])
}

/// A document as a GET found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Its bytes.
    pub body: Vec<u8>,
    /// Its ETag, when the server gave one.
    pub etag: Option<String>,
}

/// What to do after a response to a GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GetNext {
    /// Send these bytes (on a new connection).
    Send(Vec<u8>),
    /// Done: the document, `None` when there is none (404), or why not.
    Done(Result<Option<Fetched>, XcapError>),
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Send these bytes (on a new connection).
    Send(Vec<u8>),
    /// Done: the document's new ETag (when the server gave one), or why not.
    Done(Result<Option<String>, XcapError>),
}

/// One XCAP request and its digest challenge.
#[derive(Debug, Clone)]
pub struct Exchange {
    method: &'static str,
    url: Url,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    if_match: Option<String>,
    authorization: Option<String>,
}

impl Exchange {
    /// A PUT of `body` (of `content_type`) to `url`, only over the version
    /// `if_match` when given (an ETag as the server sent it).
    pub fn put(url: Url, content_type: &'static str, body: Vec<u8>, if_match: Option<String>) -> Exchange {
        Exchange {
            method: "PUT",
            url,
            content_type: Some(content_type),
            body,
            if_match,
            authorization: None,
        }
    }

    /// A GET of the document at `url`.
    pub fn get(url: Url) -> Exchange {
        Exchange {
            method: "GET",
            url,
            content_type: None,
            body: Vec::new(),
            if_match: None,
            authorization: None,
        }
    }

    /// Takes the server's response to a GET (see [`Exchange::on_response`]):
    /// a 404 means the user has no such document yet.
    pub fn on_get_response(
        &mut self,
        response: &Response,
        username: &str,
        password: Option<&str>,
        cnonce: &str,
    ) -> GetNext {
        if response.status == 404 {
            return GetNext::Done(Ok(None));
        }
        match self.on_response(response, username, password, cnonce) {
            Next::Send(bytes) => GetNext::Send(bytes),
            Next::Done(Ok(etag)) => GetNext::Done(Ok(Some(Fetched {
                body: response.body.clone(),
                etag,
            }))),
            Next::Done(Err(e)) => GetNext::Done(Err(e)),
        }
    }

    /// Where the request goes.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The request as bytes.
    pub fn request(&self) -> Vec<u8> {
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some(value) = &self.authorization {
            headers.push(("Authorization", value.clone()));
        }
        if let Some(etag) = &self.if_match {
            headers.push(("If-Match", etag.clone()));
        }
        if let Some(content_type) = self.content_type {
            headers.push(("Content-Type", content_type.to_string()));
        }
        Request {
            method: self.method,
            url: &self.url,
            headers: &headers,
            body: &self.body,
        }
        .to_bytes()
    }

    /// Takes the server's response: the first 401 is answered with the
    /// digest of `credentials` (`cnonce` fresh from the caller).
    pub fn on_response(
        &mut self,
        response: &Response,
        username: &str,
        password: Option<&str>,
        cnonce: &str,
    ) -> Next {
        match response.status {
            200..=299 => Next::Done(Ok(response.header("ETag").map(str::to_string))),
            401 if self.authorization.is_none() => {
                let Some(password) = password else {
                    return Next::Done(Err(XcapError::NoPassword));
                };
                let mut challenges = Vec::new();
                let mut problem = None;
                for value in response.headers_named("WWW-Authenticate") {
                    match digest::parse_challenges(value) {
                        Ok(found) => challenges.extend(found),
                        Err(e) => problem = Some(e.to_string()),
                    }
                }
                let Some(challenge) = digest::choose_strongest(&challenges) else {
                    let why = problem.unwrap_or_else(|| "no Digest challenge".to_string());
                    return Next::Done(Err(XcapError::Challenge(why)));
                };
                let credentials = Credentials { username, password };
                let parts = RequestParts {
                    method: self.method,
                    uri: &self.url.path,
                    body: &self.body,
                };
                self.authorization = Some(digest::authorization_value(
                    challenge,
                    &credentials,
                    &parts,
                    cnonce,
                    1,
                ));
                Next::Send(self.request())
            }
            401 => Next::Done(Err(XcapError::Unauthorized)),
            412 => Next::Done(Err(XcapError::Changed)),
            status => Next::Done(Err(XcapError::Refused {
                status,
                reason: response.reason.clone(),
            })),
        }
    }
}

#[cfg(test)]
mod tests;
