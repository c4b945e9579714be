//! Sockets of one address family each.
//!
//! An IPv6 socket here is always IPv6-only (`IPV6_V6ONLY`), whatever the
//! system's default (`net.ipv6.bindv6only`): an account that listens on
//! both families binds `0.0.0.0:PORT` and `[::]:PORT` side by side, so
//! IPv4 peers are seen as IPv4 addresses (never `::ffff:a.b.c.d`) and each
//! answer leaves on the socket of its peer's family.

use std::io;
use std::net::SocketAddr;

/// Pending connections a listener keeps (as tokio's `TcpListener::bind`).
const LISTEN_BACKLOG: i32 = 1024;

/// Binds a UDP socket; IPv6 ones are IPv6-only.
pub fn bind_udp(addr: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    tokio::net::UdpSocket::from_std(socket.into())
}

/// Binds a TCP listener (address reuse on, as tokio does); IPv6 ones are
/// IPv6-only.
pub fn bind_tcp(addr: SocketAddr) -> io::Result<tokio::net::TcpListener> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    tokio::net::TcpListener::from_std(socket.into())
}

/// Whether a bind failed because this machine has no IPv6 (the family is
/// not supported, or no interface has the address): the caller goes on
/// with IPv4 alone.
pub fn ipv6_missing(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::AddrNotAvailable | io::ErrorKind::Unsupported
    ) || error.raw_os_error() == Some(EAFNOSUPPORT)
}

/// Linux's "address family not supported" (a kernel without IPv6).
const EAFNOSUPPORT: i32 = 97;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn both_families_share_a_port() {
        let v4 = bind_udp("0.0.0.0:0".parse().unwrap()).unwrap();
        let port = v4.local_addr().unwrap().port();
        match bind_udp(SocketAddr::new("::".parse().unwrap(), port)) {
            Ok(v6) => assert_eq!(v6.local_addr().unwrap().port(), port),
            Err(e) => assert!(ipv6_missing(&e), "{e}"),
        }
        let tcp4 = bind_tcp(SocketAddr::new("0.0.0.0".parse().unwrap(), port)).unwrap();
        assert_eq!(tcp4.local_addr().unwrap().port(), port);
        if let Err(e) = bind_tcp(SocketAddr::new("::".parse().unwrap(), port)) {
            assert!(ipv6_missing(&e), "{e}");
        }
    }
}
