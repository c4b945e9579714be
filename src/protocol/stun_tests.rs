use super::*;

/// RFC 5769 section 2.1: a request with SOFTWARE, PRIORITY,
/// ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY and FINGERPRINT.
const RFC5769_REQUEST: &str = "
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

/// RFC 5769 section 2.2: a response naming 192.0.2.1:32853.
const RFC5769_IPV4_RESPONSE: &str = "
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

/// RFC 5769 section 2.3: a response naming
/// [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const RFC5769_IPV6_RESPONSE: &str = "
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

const RFC5769_TRANSACTION: [u8; 12] = [
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
];

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|pair| u8::from_str_radix(pair, 16).unwrap())
        .collect()
}

#[test]
fn the_rfc_5769_request_parses_with_its_fingerprint() {
    let bytes = hex(RFC5769_REQUEST);
    assert!(looks_like_stun(&bytes));
    let message = parse(&bytes).unwrap();
    assert_eq!(message.kind, StunKind::Request);
    assert_eq!(message.transaction, RFC5769_TRANSACTION);
    assert_eq!(message.software.as_deref(), Some("STUN test client"));
    assert!(message.fingerprinted);
    assert_eq!(message.mapped, None);
}

#[test]
fn the_rfc_5769_responses_name_the_mapped_addresses() {
    let v4 = parse(&hex(RFC5769_IPV4_RESPONSE)).unwrap();
    assert_eq!(v4.kind, StunKind::Success);
    assert_eq!(v4.transaction, RFC5769_TRANSACTION);
    assert_eq!(v4.mapped, Some("192.0.2.1:32853".parse().unwrap()));
    assert_eq!(v4.software.as_deref(), Some("test vector"));
    assert!(v4.fingerprinted);
    let v6 = parse(&hex(RFC5769_IPV6_RESPONSE)).unwrap();
    assert_eq!(
        v6.mapped,
        Some("[2001:db8:1234:5678:11:2233:4455:6677]:32853".parse().unwrap())
    );
}

#[test]
fn a_changed_byte_breaks_the_fingerprint() {
    let mut bytes = hex(RFC5769_IPV4_RESPONSE);
    bytes[45] ^= 0x01; // inside the XOR-MAPPED-ADDRESS
    assert_eq!(parse(&bytes), Err(StunError::Fingerprint));
}

#[test]
fn our_request_is_a_fingerprinted_binding_request() {
    let transaction = [7u8; 12];
    let bytes = binding_request(transaction, "sipchat");
    assert_eq!(bytes.len() % 4, 0);
    let message = parse(&bytes).unwrap();
    assert_eq!(message.kind, StunKind::Request);
    assert_eq!(message.transaction, transaction);
    assert_eq!(message.software.as_deref(), Some("sipchat"));
    assert!(message.fingerprinted);
    // Without SOFTWARE: header and FINGERPRINT only.
    assert_eq!(binding_request(transaction, "").len(), HEADER_BYTES + 8);
    // A long name is cut at a character boundary.
    let long = "ü".repeat(MAX_SOFTWARE_BYTES);
    assert!(parse(&binding_request(transaction, &long)).is_ok());
}

#[test]
fn the_crc_is_the_iso_one() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
}

#[test]
fn sip_and_broken_messages_are_told_apart_without_panics() {
    assert!(!looks_like_stun(b"REGISTER sip:example.org SIP/2.0\r\n\r\n"));
    assert!(!looks_like_stun(b"\r\n\r\n"));
    assert_eq!(parse(b"\r\n"), Err(StunError::NotStun));
    let whole = hex(RFC5769_IPV4_RESPONSE);
    for cut in 0..whole.len() {
        assert!(parse(&whole[..cut]).is_err(), "cut at {cut}");
    }
    // A length that claims more than there is.
    let mut long = whole.clone();
    long[3] = 0x40;
    assert!(matches!(parse(&long), Err(StunError::Length { .. })));
    // An attribute that runs past the end.
    let mut bad = hex("01 01 00 08 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae 00 20 00 40 00 01 a1 47");
    assert_eq!(parse(&bad), Err(StunError::Truncated(0x0020)));
    // An address of the wrong size.
    bad = hex("01 01 00 08 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae 00 20 00 04 00 01 a1 47");
    assert_eq!(parse(&bad), Err(StunError::Address(0x0020)));
    // Too many attributes.
    let mut many = hex("01 01 00 00 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");
    for _ in 0..=MAX_STUN_ATTRIBUTES {
        many.extend_from_slice(&[0x80, 0x99, 0, 0]);
    }
    let length = (many.len() - HEADER_BYTES) as u16;
    many[2..4].copy_from_slice(&length.to_be_bytes());
    assert_eq!(parse(&many), Err(StunError::TooManyAttributes));
    let mut huge = whole;
    huge.resize(MAX_STUN_MESSAGE_BYTES + 4, 0);
    assert!(matches!(parse(&huge), Err(StunError::TooLong(_))));
}

#[test]
fn every_single_byte_change_of_the_vectors_parses_or_fails_cleanly() {
    // 256 values at every position of the three vectors: no panic, and a
    // change the FINGERPRINT covers is never taken.
    for vector in [RFC5769_REQUEST, RFC5769_IPV4_RESPONSE, RFC5769_IPV6_RESPONSE] {
        let whole = hex(vector);
        let covered = whole.len() - 8; // all but the FINGERPRINT attribute
        for at in 0..whole.len() {
            for value in 0..=255u8 {
                let mut bytes = whole.clone();
                if bytes[at] == value {
                    continue;
                }
                bytes[at] = value;
                if let Ok(message) = parse(&bytes) {
                    assert!(
                        at >= covered || !message.fingerprinted,
                        "change at {at} to {value} taken"
                    );
                }
            }
        }
    }
}
