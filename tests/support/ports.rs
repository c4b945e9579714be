// Included (with `include!`) by the support modules that hand out ports, so
// every test binary picks them the same way.

/// Lowest port handed out: below it are the well-known services.
const FIRST_TEST_PORT: u16 = 20_000;

/// A loopback port free for both TCP and UDP, for a listener the test starts
/// itself a moment later.
///
/// Ports come from below the kernel's ephemeral range (which starts at 32768
/// unless the machine says otherwise), so an outgoing connection of another
/// test or process cannot take the port between picking and binding, and
/// each call in one process walks on to another port, so tests running in
/// parallel threads do not pick the same one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let ephemeral = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32_768);
    let last = ephemeral.max(FIRST_TEST_PORT + 1_000);
    let span = u32::from(last - FIRST_TEST_PORT);
    let seed = std::process::id().wrapping_mul(2_654_435_761)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|t| t.subsec_nanos())
            .unwrap_or(0);
    for _ in 0..span {
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        // 7,919 is prime and does not divide the span, so the walk visits
        // every port before it repeats one.
        let offset = (seed.wrapping_add(step.wrapping_mul(7_919))) % span;
        let port = FIRST_TEST_PORT + offset as u16;
        let tcp = std::net::TcpListener::bind(("127.0.0.1", port));
        let udp = std::net::UdpSocket::bind(("127.0.0.1", port));
        if tcp.is_ok() && udp.is_ok() {
            return port;
        }
    }
    panic!("no loopback port free for both TCP and UDP");
}
