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

/// Bytes of datagrams a UDP socket may hold before the kernel drops what
/// arrives (`SO_RCVBUF`; Linux caps it at `net.core.rmem_max`). The
/// default (`net.core.rmem_default`, 208 KiB on Debian) is charged with each
/// packet's overhead and holds a few hundred MESSAGEs: at 10,000/s about
/// 20 ms in which the reader was not scheduled, and the senders retransmit
/// what was dropped. Memory is only used while datagrams wait.
pub const UDP_RECEIVE_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// Binds a UDP socket; IPv6 ones are IPv6-only. Its receive buffer is asked
/// for [`UDP_RECEIVE_BUFFER_BYTES`] (less when the system allows less).
pub fn bind_udp(addr: SocketAddr) -> io::Result<tokio::net::UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    if let Err(e) = socket.set_recv_buffer_size(UDP_RECEIVE_BUFFER_BYTES) {
        tracing::debug!(%addr, "the UDP receive buffer keeps its default size: {e}");
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

    #[tokio::test]
    async fn a_udp_socket_gets_the_larger_receive_buffer() {
        let socket = bind_udp("127.0.0.1:0".parse().unwrap()).unwrap();
        let size = socket2::SockRef::from(&socket).recv_buffer_size().unwrap();
        // Linux caps the request at rmem_max and reports twice what it keeps.
        let Some(most) = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
            .ok()
            .and_then(|text| text.trim().parse::<usize>().ok())
        else {
            return;
        };
        assert_eq!(size, 2 * UDP_RECEIVE_BUFFER_BYTES.min(most));
    }
}
