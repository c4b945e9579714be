//! Words for an MSRP connection that could not be opened, naming the
//! likely cause: two peers behind NAT without a relay cannot reach each
//! other's private addresses.

use crate::transport::msrp::connect::{ConnectError, CONNECT_TIMEOUT};
use std::io::ErrorKind;
use std::net::IpAddr;

/// The hint added when a private address is involved.
pub const BEHIND_NAT_HINT: &str = "both behind NAT? Configure an MSRP relay";

/// Whether `host` is an address only a home or company network can reach
/// (RFC 1918, shared CGNAT space 100.64.0.0/10, link-local, IPv6 unique
/// local and link-local).
pub fn is_private(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            let [a, b, ..] = ip.octets();
            ip.is_private() || ip.is_link_local() || (a == 100 && (64..128).contains(&b))
        }
        Ok(IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// Whether we are likely behind NAT when no registration told us: our
/// address is a private one and the server's is not (a one-shot command
/// that does not register learns nothing from Via `received`/`rport`).
pub fn looks_behind_nat(local: IpAddr, server: IpAddr) -> bool {
    is_private(&local.to_string()) && !is_private(&server.to_string()) && !server.is_loopback()
}

/// `Some(words)` when connecting to the peer failed at the TCP level
/// (refused, no route, no answer); TLS and certificate failures keep their
/// own words.
pub fn unreachable_words(error: &ConnectError) -> Option<String> {
    let (host, port, why) = match error {
        ConnectError::TimedOut { host, port } => (
            host,
            port,
            format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        ),
        ConnectError::Tcp { host, port, source } => {
            let why = match source.kind() {
                ErrorKind::ConnectionRefused => "refused".to_string(),
                ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => "no route".to_string(),
                ErrorKind::TimedOut => "no answer".to_string(),
                kind => kind.to_string(),
            };
            (host, port, why)
        }
        ConnectError::ServerName(_) | ConnectError::Tls { .. } => return None,
    };
    let hint = if is_private(host) {
        format!("; {BEHIND_NAT_HINT}")
    } else {
        String::new()
    };
    Some(format!(
        "could not open the chat connection to {host}:{port} ({why}){hint}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_get_the_hint_and_the_cause_in_words() {
        for host in [
            "192.168.77.10",
            "10.1.2.3",
            "172.16.0.1",
            "100.64.1.1",
            "fd00::1",
            "[fe80::1]",
        ] {
            assert!(is_private(host), "{host}");
        }
        for host in [
            "198.51.100.2",
            "127.0.0.1",
            "2001:db8::1",
            "example.org",
            "100.128.0.1",
        ] {
            assert!(!is_private(host), "{host}");
        }
        let refused = ConnectError::Tcp {
            host: "192.168.77.10".into(),
            port: 38065,
            source: std::io::Error::from(ErrorKind::ConnectionRefused),
        };
        assert_eq!(
            unreachable_words(&refused).unwrap(),
            "could not open the chat connection to 192.168.77.10:38065 (refused); both behind NAT? \
             Configure an MSRP relay"
        );
        let home: IpAddr = "192.168.77.10".parse().unwrap();
        assert!(looks_behind_nat(home, "198.51.100.2".parse().unwrap()));
        assert!(!looks_behind_nat(home, "192.168.77.1".parse().unwrap()));
        assert!(!looks_behind_nat(
            "127.0.0.1".parse().unwrap(),
            "127.0.0.1".parse().unwrap()
        ));
        let no_route = ConnectError::Tcp {
            host: "198.51.100.7".into(),
            port: 2855,
            source: std::io::Error::from(ErrorKind::HostUnreachable),
        };
        assert_eq!(
            unreachable_words(&no_route).unwrap(),
            "could not open the chat connection to 198.51.100.7:2855 (no route)"
        );
    }
}
