//! Answering 401/407 challenges: once per challenge, with a fresh CSeq, and
//! pre-authorising later requests with the last challenge (nonce count +1).

use crate::protocol::sip::digest::{self, Challenge, Credentials, RequestParts};
use crate::protocol::sip::message::SipMessage;

/// Which header pair a challenge came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeKind {
    /// 401: WWW-Authenticate / Authorization.
    Www,
    /// 407: Proxy-Authenticate / Proxy-Authorization.
    Proxy,
}

impl ChallengeKind {
    fn challenge_header(self) -> &'static str {
        match self {
            ChallengeKind::Www => "WWW-Authenticate",
            ChallengeKind::Proxy => "Proxy-Authenticate",
        }
    }

    /// Header that carries our answer.
    pub fn answer_header(self) -> &'static str {
        match self {
            ChallengeKind::Www => "Authorization",
            ChallengeKind::Proxy => "Proxy-Authorization",
        }
    }

    /// For a 401 or 407 status.
    pub fn for_status(code: u16) -> Option<ChallengeKind> {
        match code {
            401 => Some(ChallengeKind::Www),
            407 => Some(ChallengeKind::Proxy),
            _ => None,
        }
    }
}

/// Why a challenge is not answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No password configured for the account.
    #[error("the server asks for a password, but none is configured for this account")]
    NoPassword,
    /// We already answered this nonce and the server challenged again.
    #[error("the server did not accept our credentials; check the user name and password")]
    Rejected,
    /// The challenge cannot be used.
    #[error("cannot answer the server's challenge: {0}")]
    Unusable(String),
}

/// The last challenge we answered, for re-use.
#[derive(Debug, Clone)]
struct Cached {
    kind: ChallengeKind,
    challenge: Challenge,
    nc: u32,
}

/// Per-agent digest state: the cached challenge and the nonces already tried.
#[derive(Debug, Default)]
pub struct AuthState {
    cached: Option<Cached>,
}

impl AuthState {
    /// Adds a pre-emptive answer from the cached challenge, if any.
    pub fn authorize_preemptively(
        &mut self,
        request: &mut SipMessage,
        user: &str,
        password: Option<&str>,
        cnonce: &str,
    ) {
        let (Some(cached), Some(password)) = (self.cached.as_mut(), password) else {
            return;
        };
        cached.nc = cached.nc.saturating_add(1);
        let value = answer(&cached.challenge, request, user, password, cnonce, cached.nc);
        request.set_header(cached.kind.answer_header(), value);
    }

    /// Answers a 401/407 `response` to `request` by adding the right header to
    /// `request` (the caller bumps CSeq and branch). `tried_nonces` holds the
    /// nonces this request already answered: the same nonce twice means the
    /// credentials are wrong, unless the server says `stale=true`.
    pub fn answer_challenge(
        &mut self,
        response: &SipMessage,
        request: &mut SipMessage,
        tried_nonces: &mut Vec<String>,
        user: &str,
        password: Option<&str>,
        cnonce: &str,
    ) -> Result<(), AuthError> {
        let code = response.status().unwrap_or_default();
        let kind =
            ChallengeKind::for_status(code).ok_or_else(|| AuthError::Unusable(format!("status {code}")))?;
        let password = password.ok_or(AuthError::NoPassword)?;
        let mut challenges = Vec::new();
        let mut last_error = None;
        for line in response.header_lines(kind.challenge_header()) {
            match digest::parse_challenges(line) {
                Ok(mut c) => challenges.append(&mut c),
                Err(e) => last_error = Some(e.to_string()),
            }
        }
        let challenge = digest::choose_strongest(&challenges)
            .cloned()
            .ok_or_else(|| AuthError::Unusable(last_error.unwrap_or_else(|| "no Digest challenge".into())))?;
        if tried_nonces.contains(&challenge.nonce) && !challenge.stale {
            self.cached = None;
            return Err(AuthError::Rejected);
        }
        tried_nonces.push(challenge.nonce.clone());
        let nc = 1;
        let value = answer(&challenge, request, user, password, cnonce, nc);
        // Replace any earlier (pre-emptive or stale) answer of this kind.
        request.set_header(kind.answer_header(), value);
        self.cached = Some(Cached { kind, challenge, nc });
        Ok(())
    }
}

fn answer(
    challenge: &Challenge,
    request: &SipMessage,
    user: &str,
    password: &str,
    cnonce: &str,
    nc: u32,
) -> String {
    let method = request
        .method()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let uri = request.request_uri().unwrap_or_default();
    digest::authorization_value(
        challenge,
        &Credentials {
            username: user,
            password,
        },
        &RequestParts {
            method: &method,
            uri,
            body: &request.body,
        },
        cnonce,
        nc,
    )
}
