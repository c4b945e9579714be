//! HTTP Digest authentication, client side, as used by SIP (RFC 3261
//! section 22, RFC 8760) and MSRP relays (RFC 4976), following RFC 7616.
//!
//! The flow is: parse the `WWW-Authenticate` / `Proxy-Authenticate` header
//! values of a 401/407 with [`parse_challenges`], pick one with
//! [`choose_strongest`], and answer it with [`authorization_value`], which
//! yields the value of the `Authorization` / `Proxy-Authorization` header.
//!
//! Parsing never panics and bounds its work: values longer than
//! [`MAX_CHALLENGE_LEN`] are refused, as are values with more than
//! [`MAX_CHALLENGES`] challenges or challenges with more than [`MAX_PARAMS`]
//! parameters. Strings coming from the server are shortened to
//! [`MAX_ECHO_CHARS`] characters before they appear in an error message.

use std::fmt;

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

/// Longest header value [`parse_challenges`] accepts, in bytes.
pub const MAX_CHALLENGE_LEN: usize = 8 * 1024;
/// Most challenges (of any scheme) read from one header value.
pub const MAX_CHALLENGES: usize = 32;
/// Most auth-params read in one challenge.
pub const MAX_PARAMS: usize = 64;
/// Longest piece of server-supplied text quoted in an error message, in chars.
pub const MAX_ECHO_CHARS: usize = 48;
/// Random bytes in a cnonce made by [`cnonce_from_seed`] (hex doubles it).
pub const CNONCE_BYTES: usize = 16;

/// A hash function that returns its digest as lowercase hex.
type HexHash = fn(&[u8]) -> String;

/// Digest algorithms from RFC 7616 section 6.1 (RFC 8760 for SIP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Algorithm {
    /// `MD5`, the default when a challenge names no algorithm.
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256` (FIPS 180-4 SHA-512/256, not a truncated SHA-512).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

impl Algorithm {
    /// Every algorithm, weakest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Md5,
        Algorithm::Md5Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
    ];

    /// The token used on the wire, e.g. `SHA-256-sess`.
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// The algorithm a wire token names (case-insensitive), if known.
    pub fn from_token(token: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(token))
    }

    /// Strength rank: SHA-512-256 (3) > SHA-256 (2) > MD5 (1); a `-sess`
    /// variant ranks the same as its base.
    pub fn strength(&self) -> u8 {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => 1,
            Algorithm::Sha256 | Algorithm::Sha256Sess => 2,
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => 3,
        }
    }

    /// Whether this is a `-sess` variant (A1 also covers nonce and cnonce).
    pub fn is_session(&self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    /// The hash function H of this algorithm, giving lowercase hex.
    fn hasher(&self) -> HexHash {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => |d| hex::encode(Md5::digest(d)),
            Algorithm::Sha256 | Algorithm::Sha256Sess => |d| hex::encode(Sha256::digest(d)),
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => |d| hex::encode(Sha512_256::digest(d)),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Quality of protection values (RFC 7616 section 3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qop {
    /// `auth`: authentication only.
    Auth,
    /// `auth-int`: authentication plus a hash of the message body.
    AuthInt,
}

impl Qop {
    /// The token used on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Qop::Auth => "auth",
            Qop::AuthInt => "auth-int",
        }
    }

    /// The qop a wire token names (case-insensitive), if known.
    pub fn from_token(token: &str) -> Option<Self> {
        [Qop::Auth, Qop::AuthInt]
            .into_iter()
            .find(|q| q.name().eq_ignore_ascii_case(token))
    }
}

impl fmt::Display for Qop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A usable Digest challenge, with quoted values already unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Protection space; part of A1.
    pub realm: String,
    /// Server nonce; never empty in a parsed challenge.
    pub nonce: String,
    /// Opaque token to echo back, if the server sent one.
    pub opaque: Option<String>,
    /// Hash algorithm (MD5 when the challenge named none).
    pub algorithm: Algorithm,
    /// Known qop values offered, in the server's order, without repeats.
    /// Empty means RFC 2069 compatibility (no qop).
    pub qop: Vec<Qop>,
    /// The previous credentials were right but the nonce had expired.
    pub stale: bool,
    /// The server accepts a hashed username (RFC 7616 section 3.4.4).
    pub userhash: bool,
}

impl Challenge {
    /// The qop this client answers with: `auth` when offered, else
    /// `auth-int` when offered, else none.
    pub fn preferred_qop(&self) -> Option<Qop> {
        [Qop::Auth, Qop::AuthInt]
            .into_iter()
            .find(|q| self.qop.contains(q))
    }
}

/// Why a header value gave no usable Digest challenge.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// The value (of the given length in bytes) is longer than
    /// [`MAX_CHALLENGE_LEN`].
    #[error("challenge value is {0} bytes, over the {MAX_CHALLENGE_LEN}-byte limit")]
    TooLong(usize),
    /// The value holds nothing but whitespace and commas.
    #[error("header value holds no challenge")]
    Empty,
    /// A challenge of another scheme (Basic, Bearer, ...).
    #[error("not a Digest challenge (scheme {0})")]
    NotDigest(String),
    /// A Digest challenge without a (non-empty) nonce.
    #[error("challenge has no nonce")]
    MissingNonce,
    /// A Digest challenge without a realm.
    #[error("challenge has no realm")]
    MissingRealm,
    /// A Digest challenge with an algorithm this module does not implement.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A qop parameter whose values are all unknown.
    #[error("offers only unknown qop values ({0})")]
    UnknownQop(String),
    /// A challenge with more than [`MAX_PARAMS`] parameters.
    #[error("challenge has more than {MAX_PARAMS} parameters")]
    TooManyParams,
    /// A value with more than [`MAX_CHALLENGES`] challenges.
    #[error("header value holds more than {MAX_CHALLENGES} challenges")]
    TooManyChallenges,
    /// Broken syntax, such as an unterminated quoted string.
    #[error("malformed challenge: {0}")]
    Syntax(String),
    /// Several challenges, none usable; one reason per challenge.
    #[error("no usable challenge: {}", join_reasons(.0))]
    NoUsable(Vec<DigestError>),
}

/// Joins reasons with `"; "` for [`DigestError::NoUsable`].
fn join_reasons(reasons: &[DigestError]) -> String {
    let parts: Vec<String> = reasons.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// Server text made safe for an error message: shortened to
/// [`MAX_ECHO_CHARS`] characters, control characters replaced by `?`.
fn echo(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(MAX_ECHO_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(MAX_ECHO_CHARS).is_some() {
        out.push_str("...");
    }
    out
}

/// A lexical unit of a challenge header value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lex {
    /// A run of characters other than whitespace, `,`, `=` and `"`.
    Word(String),
    /// A quoted string, unescaped.
    Quoted(String),
    /// `=`.
    Equals,
    /// `,`.
    Comma,
    /// Lexing stopped here; the text says why. Always the last unit.
    Bad(&'static str),
}

/// Whether `c` separates units (HTTP whitespace, or a line break left in a
/// folded header).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits a header value into [`Lex`] units. Works on chars only, so it
/// cannot cut a multi-byte character.
fn lex(input: &str) -> Vec<Lex> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if is_space(c) => {}
            ',' => out.push(Lex::Comma),
            '=' => out.push(Lex::Equals),
            '"' => match lex_quoted(&mut chars) {
                Some(text) => out.push(Lex::Quoted(text)),
                None => {
                    out.push(Lex::Bad("unterminated quoted string"));
                    break;
                }
            },
            first => {
                let mut word = String::from(first);
                while let Some(c) = chars.next_if(|&c| !is_space(c) && !matches!(c, ',' | '=' | '"')) {
                    word.push(c);
                }
                out.push(Lex::Word(word));
            }
        }
    }
    out
}

/// Reads a quoted string whose opening quote was just read, undoing
/// backslash escapes; `None` if it is unterminated.
fn lex_quoted(chars: &mut impl Iterator<Item = char>) -> Option<String> {
    let mut text = String::new();
    loop {
        match chars.next()? {
            '"' => return Some(text),
            '\\' => text.push(chars.next()?),
            c => text.push(c),
        }
    }
}

/// One challenge as written: its scheme and its parameters.
struct RawChallenge {
    /// Auth scheme as written.
    scheme: String,
    /// `(lower-cased name, unquoted value)` pairs in order.
    params: Vec<(String, String)>,
    /// A syntax problem met inside this challenge.
    error: Option<DigestError>,
}

/// A challenge as written, or why it could not be read.
type RawResult = Result<RawChallenge, DigestError>;

/// Whether the unit at `i` is `=`.
fn is_equals(lexes: &[Lex], i: usize) -> bool {
    matches!(lexes.get(i), Some(Lex::Equals))
}

/// Groups units into challenges. Grammar (RFC 7235, leniently):
/// `challenge = scheme [ token68 / #( name "=" ( token / quoted ) ) ]`.
/// A word not followed by `=` after a parameter starts the next challenge.
fn read_challenges(lexes: &[Lex]) -> Result<Vec<RawResult>, DigestError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(lex) = lexes.get(i) {
        match lex {
            Lex::Comma => i += 1,
            Lex::Word(scheme) if !is_equals(lexes, i + 1) => {
                if out.len() == MAX_CHALLENGES {
                    return Err(DigestError::TooManyChallenges);
                }
                let (raw, next) = read_params(scheme, lexes, i + 1);
                out.push(Ok(raw));
                i = next;
            }
            Lex::Bad(why) => {
                out.push(Err(DigestError::Syntax((*why).to_string())));
                break;
            }
            other => {
                let what = match other {
                    Lex::Word(name) => format!("parameter {} outside a challenge", echo(name)),
                    _ => "expected an auth scheme".to_string(),
                };
                out.push(Err(DigestError::Syntax(what)));
                // Resynchronise at the next comma (or the end of the usable text).
                let skip = lexes.iter().skip(i + 1);
                i += 1 + skip
                    .take_while(|l| !matches!(l, Lex::Comma | Lex::Bad(_)))
                    .count();
            }
        }
    }
    Ok(out)
}

/// Reads the parameters of a challenge whose scheme was just read; `i` is
/// the index after the scheme. Returns the challenge and the index of the
/// first unit not consumed.
fn read_params(scheme: &str, lexes: &[Lex], mut i: usize) -> (RawChallenge, usize) {
    let mut raw = RawChallenge {
        scheme: scheme.to_string(),
        params: Vec::new(),
        error: None,
    };
    // True until anything follows the scheme: only then may a token68 come.
    let mut first = true;
    while let Some(lex) = lexes.get(i) {
        match lex {
            Lex::Comma => i += 1,
            Lex::Word(name) if is_equals(lexes, i + 1) => {
                i += 2;
                let value = match lexes.get(i) {
                    Some(Lex::Quoted(v)) => Some(v.clone()),
                    Some(Lex::Word(v)) => {
                        // An unquoted base64 value may end in '=' padding;
                        // a word followed by '=' and more is the next name.
                        let pads = lexes.iter().skip(i + 1);
                        let pads = pads.take_while(|l| matches!(l, Lex::Equals)).count();
                        let after = lexes.get(i + 1 + pads);
                        if pads == 0 || matches!(after, None | Some(Lex::Comma | Lex::Bad(_))) {
                            i += pads;
                            Some(format!("{v}{}", "=".repeat(pads)))
                        } else {
                            None
                        }
                    }
                    _ => None, // empty value
                };
                if value.is_some() {
                    i += 1;
                }
                if raw.params.len() >= MAX_PARAMS {
                    raw.error.get_or_insert(DigestError::TooManyParams);
                } else {
                    let value = value.unwrap_or_default();
                    raw.params.push((name.to_ascii_lowercase(), value));
                }
            }
            Lex::Word(_) if first => i += 1, // token68 (Basic, Negotiate, ...)
            Lex::Word(_) => break,           // the next challenge's scheme
            Lex::Quoted(_) | Lex::Equals => i += 1, // stray; ignored
            Lex::Bad(why) => {
                raw.error = Some(DigestError::Syntax((*why).to_string()));
                i += 1;
                break;
            }
        }
        first = false;
    }
    (raw, i)
}

/// Turns a raw challenge into a usable Digest challenge, or says why not.
fn interpret(raw: RawChallenge) -> Result<Challenge, DigestError> {
    if !raw.scheme.eq_ignore_ascii_case("Digest") {
        return Err(DigestError::NotDigest(echo(&raw.scheme)));
    }
    if let Some(error) = raw.error {
        return Err(error);
    }
    // Duplicated parameters: the first one wins.
    let get = |name: &str| {
        raw.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let algorithm = match get("algorithm") {
        None => Algorithm::Md5,
        Some(token) => Algorithm::from_token(token.trim())
            .ok_or_else(|| DigestError::UnsupportedAlgorithm(echo(token)))?,
    };
    let (mut qop, mut unknown_qop) = (Vec::new(), false);
    let list = get("qop").unwrap_or_default();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match Qop::from_token(item) {
            Some(q) if !qop.contains(&q) => qop.push(q),
            Some(_) => {}
            None => unknown_qop = true,
        }
    }
    if qop.is_empty() && unknown_qop {
        return Err(DigestError::UnknownQop(echo(list)));
    }
    let realm = get("realm").ok_or(DigestError::MissingRealm)?;
    let nonce = get("nonce")
        .filter(|n| !n.is_empty())
        .ok_or(DigestError::MissingNonce)?;
    let is_true = |name: &str| get(name).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    Ok(Challenge {
        realm: realm.to_string(),
        nonce: nonce.to_string(),
        opaque: get("opaque").map(str::to_string),
        algorithm,
        qop,
        stale: is_true("stale"),
        userhash: is_true("userhash"),
    })
}

/// Parse one WWW-Authenticate / Proxy-Authenticate header VALUE (e.g.
/// `Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=SHA-256`).
///
/// Scheme and parameter names are case-insensitive; values may be tokens or
/// quoted strings with backslash escapes; unknown parameters are ignored;
/// whitespace and line breaks are tolerated; a missing algorithm means MD5.
/// A value may hold several challenges one after another, and all usable
/// Digest ones are returned in order. Other schemes, unknown algorithms and
/// broken challenges are skipped; if nothing usable remains the error says
/// why (one reason, or [`DigestError::NoUsable`] listing each).
pub fn parse_challenges(value: &str) -> Result<Vec<Challenge>, DigestError> {
    if value.len() > MAX_CHALLENGE_LEN {
        return Err(DigestError::TooLong(value.len()));
    }
    let mut usable = Vec::new();
    let mut reasons = Vec::new();
    for raw in read_challenges(&lex(value))? {
        match raw.and_then(interpret) {
            Ok(challenge) => usable.push(challenge),
            Err(reason) => reasons.push(reason),
        }
    }
    if !usable.is_empty() {
        return Ok(usable);
    }
    Err(match reasons.len() {
        0 => DigestError::Empty,
        1 => reasons.pop().unwrap_or(DigestError::Empty),
        _ => DigestError::NoUsable(reasons),
    })
}

/// Among challenges (maybe from several headers), the strongest usable one:
/// highest [`Algorithm::strength`] first, then one offering `qop=auth` over
/// one offering only `auth-int` over one offering no qop. Ties go to the
/// earliest. `None` only for an empty slice.
pub fn choose_strongest(challenges: &[Challenge]) -> Option<&Challenge> {
    let rank = |c: &&Challenge| {
        let qop_rank = match c.preferred_qop() {
            Some(Qop::Auth) => 2,
            Some(Qop::AuthInt) => 1,
            None => 0,
        };
        (c.algorithm.strength(), qop_rank)
    };
    // `max_by_key` keeps the last maximum; reversing makes that the earliest.
    challenges.iter().rev().max_by_key(rank)
}

/// The user's name and password.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    /// User name (for SIP usually the user part of the AOR).
    pub username: &'a str,
    /// Password, used as UTF-8 bytes.
    pub password: &'a str,
}

/// The parts of the request that the response hash covers.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// Request method (`REGISTER`, `INVITE`, `AUTH` for MSRP, ...).
    pub method: &'a str,
    /// Request-URI exactly as sent in the request line.
    pub uri: &'a str,
    /// Message body; hashed only for `qop=auth-int`.
    pub body: &'a [u8],
}

/// The response computation of RFC 7616 section 3.4.1 with hash `h`:
/// `KD(H(A1), nonce:nc:cnonce:qop:H(A2))`, or `KD(H(A1), nonce:H(A2))`
/// without qop (RFC 2069). For `-sess` algorithms
/// `H(A1) = H(H(user:realm:password):nonce:cnonce)`.
fn compute_response(
    h: HexHash,
    challenge: &Challenge,
    creds: &Credentials<'_>,
    req: &RequestParts<'_>,
    qop: Option<Qop>,
    cnonce: &str,
    nc: u32,
) -> String {
    let nonce = &challenge.nonce;
    let a1 = format!("{}:{}:{}", creds.username, challenge.realm, creds.password);
    let mut ha1 = h(a1.as_bytes());
    if challenge.algorithm.is_session() {
        ha1 = h(format!("{ha1}:{nonce}:{cnonce}").as_bytes());
    }
    let a2 = match qop {
        Some(Qop::AuthInt) => format!("{}:{}:{}", req.method, req.uri, h(req.body)),
        _ => format!("{}:{}", req.method, req.uri),
    };
    let ha2 = h(a2.as_bytes());
    let data = match qop {
        Some(q) => format!("{nonce}:{nc:08x}:{cnonce}:{}:{ha2}", q.name()),
        None => format!("{nonce}:{ha2}"),
    };
    h(format!("{ha1}:{data}").as_bytes())
}

/// Lower-level: the `response` value (lowercase hex) for the given qop,
/// cnonce and nonce count. Used by tests and by MSRP AUTH.
pub fn response_hash(
    challenge: &Challenge,
    creds: &Credentials<'_>,
    req: &RequestParts<'_>,
    qop: Option<Qop>,
    cnonce: &str,
    nc: u32,
) -> String {
    let h = challenge.algorithm.hasher();
    compute_response(h, challenge, creds, req, qop, cnonce, nc)
}

/// The username as sent: `H(username:realm)` when the challenge asked for
/// userhash (RFC 7616 section 3.4.4), else the plain username.
pub fn username_for(challenge: &Challenge, creds: &Credentials<'_>) -> String {
    if challenge.userhash {
        let h = challenge.algorithm.hasher();
        h(format!("{}:{}", creds.username, challenge.realm).as_bytes())
    } else {
        creds.username.to_string()
    }
}

/// Appends `value` as a quoted string, escaping `"` and `\`. CR, LF and NUL
/// cannot appear in a header even escaped, so they are dropped.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\0' => {}
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// Build the Authorization / Proxy-Authorization header VALUE answering
/// `challenge`.
///
/// Uses `qop=auth` when offered, `auth-int` (hashing `req.body`) only when
/// `auth` is not offered, and no qop (RFC 2069 style) when none is offered.
/// `cnonce` and `nc` come from the caller; `nc` is printed as 8 hex digits.
/// The value holds username (hashed, with `userhash=true`, when the
/// challenge asked for it), realm, nonce, uri, response, algorithm (always
/// explicit), opaque (only if the challenge had one), and qop, nc and cnonce
/// when a qop is used. A `-sess` algorithm without qop still sends its
/// cnonce, since the server needs it to check the response. Quoting follows
/// RFC 7616: algorithm, qop, nc and userhash are bare tokens.
pub fn authorization_value(
    challenge: &Challenge,
    creds: &Credentials<'_>,
    req: &RequestParts<'_>,
    cnonce: &str,
    nc: u32,
) -> String {
    let qop = challenge.preferred_qop();
    let response = response_hash(challenge, creds, req, qop, cnonce, nc);
    let mut out = String::with_capacity(256);
    let fields = [
        ("Digest username=", username_for(challenge, creds)),
        (", realm=", challenge.realm.clone()),
        (", nonce=", challenge.nonce.clone()),
        (", uri=", req.uri.to_string()),
        (", response=", response),
    ];
    for (label, value) in &fields {
        out.push_str(label);
        push_quoted(&mut out, value);
    }
    out.push_str(", algorithm=");
    out.push_str(challenge.algorithm.name());
    if let Some(opaque) = &challenge.opaque {
        out.push_str(", opaque=");
        push_quoted(&mut out, opaque);
    }
    if let Some(q) = qop {
        out.push_str(&format!(", qop={}, nc={nc:08x}", q.name()));
    }
    if qop.is_some() || challenge.algorithm.is_session() {
        out.push_str(", cnonce=");
        push_quoted(&mut out, cnonce);
    }
    if challenge.userhash {
        out.push_str(", userhash=true");
    }
    out
}

/// A cnonce: [`CNONCE_BYTES`] bytes derived from `seed` with SplitMix64,
/// hex-encoded. Deterministic; the caller must supply an unpredictable seed
/// (e.g. from the OS random source) for real use.
pub fn cnonce_from_seed(seed: u64) -> String {
    let mut state = seed;
    let mut bytes = [0u8; CNONCE_BYTES];
    for chunk in bytes.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        for (dst, src) in chunk.iter_mut().zip(z.to_be_bytes()) {
            *dst = src;
        }
    }
    hex::encode(bytes)
}

#[cfg(test)]
#[path = "digest_tests.rs"]
mod tests;
