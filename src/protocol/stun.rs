//! STUN (RFC 5389) as far as RFC 5626 keep-alives need it: Binding
//! requests out, Binding responses in, and the address the server saw us
//! at (XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS).
//!
//! Sans-IO: bytes in, a [`StunMessage`] out; [`binding_request`] makes the
//! bytes of a request. A STUN message shares a UDP flow with SIP: it is
//! told apart by its first two bits (zero) and the magic cookie
//! ([`looks_like_stun`]). Every attribute is bounded
//! ([`MAX_STUN_MESSAGE_BYTES`], [`MAX_STUN_ATTRIBUTES`]); a message that
//! breaks a rule gets a [`StunError`], never a panic. A FINGERPRINT, when
//! present, must match (it is what tells STUN from stray bytes); we add one
//! to our requests. MESSAGE-INTEGRITY is not checked: keep-alives carry no
//! credentials (RFC 5626 section 4.4.2), and the address a response names
//! only ever leads to a REGISTER, which the registrar authenticates.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The fixed value in every RFC 5389 header.
pub const MAGIC_COOKIE: u32 = 0x2112_a442;
/// Bytes in the header.
pub const HEADER_BYTES: usize = 20;
/// Longest message we read (RFC 5389 asks senders to stay under 548
/// bytes on UDP when the path MTU is unknown; we allow more).
pub const MAX_STUN_MESSAGE_BYTES: usize = 1280;
/// Most attributes we read in one message.
pub const MAX_STUN_ATTRIBUTES: usize = 32;
/// Longest SOFTWARE value we read or write (RFC 5389: under 128 characters).
pub const MAX_SOFTWARE_BYTES: usize = 763;

/// The Binding method with its class bits (RFC 5389 section 6).
const BINDING_REQUEST: u16 = 0x0001;
const BINDING_SUCCESS: u16 = 0x0101;
const BINDING_ERROR: u16 = 0x0111;
const BINDING_INDICATION: u16 = 0x0011;

const ATTRIBUTE_MAPPED_ADDRESS: u16 = 0x0001;
const ATTRIBUTE_ERROR_CODE: u16 = 0x0009;
const ATTRIBUTE_XOR_MAPPED_ADDRESS: u16 = 0x0020;
const ATTRIBUTE_SOFTWARE: u16 = 0x8022;
const ATTRIBUTE_FINGERPRINT: u16 = 0x8028;
/// XORed into the CRC-32 of a FINGERPRINT ("STUN" in ASCII).
const FINGERPRINT_XOR: u32 = 0x5354_554e;

const FAMILY_IPV4: u8 = 0x01;
const FAMILY_IPV6: u8 = 0x02;

/// What a STUN message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StunKind {
    /// A Binding request.
    Request,
    /// A Binding indication (no answer expected).
    Indication,
    /// A Binding success response.
    Success,
    /// A Binding error response.
    Error,
}

/// A parsed Binding message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StunMessage {
    /// Request, indication or response.
    pub kind: StunKind,
    /// The transaction id a response shares with its request.
    pub transaction: [u8; 12],
    /// Where the server saw the request come from: XOR-MAPPED-ADDRESS,
    /// else MAPPED-ADDRESS.
    pub mapped: Option<SocketAddr>,
    /// The error code of an error response.
    pub error_code: Option<u16>,
    /// The sender's SOFTWARE, if any.
    pub software: Option<String>,
    /// Whether a FINGERPRINT was there (and matched).
    pub fingerprinted: bool,
}

/// Why bytes are not a STUN message we take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StunError {
    /// Shorter than a header, or not STUN's first bits and cookie.
    #[error("not a STUN message")]
    NotStun,
    /// Longer than [`MAX_STUN_MESSAGE_BYTES`].
    #[error("STUN message of {0} bytes is longer than the {MAX_STUN_MESSAGE_BYTES} we read")]
    TooLong(usize),
    /// The header's length disagrees with the bytes, or is not a multiple of 4.
    #[error("STUN length {said} does not fit the {got} bytes after the header")]
    Length {
        /// What the header says.
        said: usize,
        /// What arrived.
        got: usize,
    },
    /// Not the Binding method.
    #[error("STUN method {0:#06x} is not Binding")]
    Method(u16),
    /// An attribute runs past the message.
    #[error("STUN attribute {0:#06x} runs past the end of the message")]
    Truncated(u16),
    /// More than [`MAX_STUN_ATTRIBUTES`].
    #[error("more than {MAX_STUN_ATTRIBUTES} STUN attributes")]
    TooManyAttributes,
    /// An address attribute we cannot read.
    #[error("STUN address attribute {0:#06x} is malformed")]
    Address(u16),
    /// The FINGERPRINT does not match, or is not the last attribute.
    #[error("STUN FINGERPRINT does not match")]
    Fingerprint,
}

/// Whether `bytes` may be STUN rather than SIP: the first two bits are
/// zero (no SIP message starts with such a byte) and the cookie is there.
pub fn looks_like_stun(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER_BYTES && bytes[0] & 0xc0 == 0 && bytes[4..8] == MAGIC_COOKIE.to_be_bytes()
}

/// The bytes of a Binding request with `transaction`, naming `software`
/// (cut to [`MAX_SOFTWARE_BYTES`] at a character boundary), with a
/// FINGERPRINT.
pub fn binding_request(transaction: [u8; 12], software: &str) -> Vec<u8> {
    let mut cut = software.len().min(MAX_SOFTWARE_BYTES);
    while !software.is_char_boundary(cut) {
        cut -= 1;
    }
    let software = &software.as_bytes()[..cut];
    let mut out = Vec::with_capacity(HEADER_BYTES + 8 + software.len() + 8);
    out.extend_from_slice(&BINDING_REQUEST.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
    out.extend_from_slice(&transaction);
    if !software.is_empty() {
        push_attribute(&mut out, ATTRIBUTE_SOFTWARE, software);
    }
    // The FINGERPRINT covers the header with a length that counts it.
    let with_fingerprint = out.len() - HEADER_BYTES + 8;
    set_length(&mut out, with_fingerprint);
    let crc = crc32(&out) ^ FINGERPRINT_XOR;
    push_attribute(&mut out, ATTRIBUTE_FINGERPRINT, &crc.to_be_bytes());
    out
}

/// Parses one Binding message.
pub fn parse(bytes: &[u8]) -> Result<StunMessage, StunError> {
    if !looks_like_stun(bytes) {
        return Err(StunError::NotStun);
    }
    if bytes.len() > MAX_STUN_MESSAGE_BYTES {
        return Err(StunError::TooLong(bytes.len()));
    }
    let said = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let got = bytes.len() - HEADER_BYTES;
    if said != got || said % 4 != 0 {
        return Err(StunError::Length { said, got });
    }
    let kind = match u16::from_be_bytes([bytes[0], bytes[1]]) {
        BINDING_REQUEST => StunKind::Request,
        BINDING_INDICATION => StunKind::Indication,
        BINDING_SUCCESS => StunKind::Success,
        BINDING_ERROR => StunKind::Error,
        other => return Err(StunError::Method(other)),
    };
    let mut transaction = [0u8; 12];
    transaction.copy_from_slice(&bytes[8..HEADER_BYTES]);
    let mut message = StunMessage {
        kind,
        transaction,
        mapped: None,
        error_code: None,
        software: None,
        fingerprinted: false,
    };
    let mut plain_mapped = None;
    let mut at = HEADER_BYTES;
    let mut count = 0;
    while at < bytes.len() {
        count += 1;
        if count > MAX_STUN_ATTRIBUTES {
            return Err(StunError::TooManyAttributes);
        }
        if message.fingerprinted {
            // Nothing may follow the FINGERPRINT.
            return Err(StunError::Fingerprint);
        }
        let header = bytes.get(at..at + 4).ok_or(StunError::Truncated(0))?;
        let kind = u16::from_be_bytes([header[0], header[1]]);
        let length = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let value = bytes
            .get(at + 4..at + 4 + length)
            .ok_or(StunError::Truncated(kind))?;
        match kind {
            ATTRIBUTE_XOR_MAPPED_ADDRESS => {
                message.mapped =
                    Some(read_address(value, Some(&bytes[4..HEADER_BYTES])).ok_or(StunError::Address(kind))?);
            }
            ATTRIBUTE_MAPPED_ADDRESS => {
                plain_mapped = Some(read_address(value, None).ok_or(StunError::Address(kind))?);
            }
            ATTRIBUTE_ERROR_CODE if value.len() >= 4 => {
                message.error_code = Some(u16::from(value[2] & 0x07) * 100 + u16::from(value[3]));
            }
            ATTRIBUTE_SOFTWARE if length <= MAX_SOFTWARE_BYTES => {
                message.software = Some(String::from_utf8_lossy(value).into_owned());
            }
            ATTRIBUTE_FINGERPRINT => {
                let expected = crc32(&bytes[..at]) ^ FINGERPRINT_XOR;
                if value != expected.to_be_bytes() {
                    return Err(StunError::Fingerprint);
                }
                message.fingerprinted = true;
            }
            _ => {}
        }
        at += 4 + length.div_ceil(4) * 4;
    }
    if at != bytes.len() {
        return Err(StunError::Length { said, got });
    }
    message.mapped = message.mapped.or(plain_mapped);
    Ok(message)
}

/// An address attribute's value; `mask` (cookie and transaction id) for
/// the XOR form.
fn read_address(value: &[u8], mask: Option<&[u8]>) -> Option<SocketAddr> {
    let family = *value.get(1)?;
    let mut port = u16::from_be_bytes([*value.get(2)?, *value.get(3)?]);
    let address = value.get(4..)?;
    let unmask = |raw: &[u8]| -> Vec<u8> {
        match mask {
            Some(mask) => raw.iter().zip(mask).map(|(b, m)| b ^ m).collect(),
            None => raw.to_vec(),
        }
    };
    if mask.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let ip = match (family, address.len()) {
        (FAMILY_IPV4, 4) => {
            let b = unmask(address);
            IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        }
        (FAMILY_IPV6, 16) => {
            let mut b = [0u8; 16];
            b.copy_from_slice(&unmask(address));
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn push_attribute(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    // Callers bound values far below u16::MAX.
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + (4 - value.len() % 4) % 4, 0);
}

fn set_length(out: &mut [u8], length: usize) {
    let bytes = (length as u16).to_be_bytes();
    out[2] = bytes[0];
    out[3] = bytes[1];
}

/// CRC-32 (ISO 3309, the one FINGERPRINT uses), bit by bit: STUN messages
/// are short.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let low = crc & 1;
            crc >>= 1;
            if low == 1 {
                crc ^= 0xedb8_8320;
            }
        }
    }
    !crc
}

#[cfg(test)]
#[path = "stun_tests.rs"]
mod tests;
