//! What the agent's presence tests share: addresses, a configuration and
//! draining an agent.

use super::*;

pub(super) const ALICE_ADDR: &str = "127.0.0.1:5070";
pub(super) const SERVER_ADDR: &str = "127.0.0.1:5060";

pub(super) fn hop(transport: Transport, local: &str, remote: &str) -> Hop {
    Hop {
        transport,
        remote: remote.parse().unwrap(),
        local: local.parse().unwrap(),
        conn: None,
    }
}

/// How a packet from the server is seen by alice.
pub(super) fn server_seen() -> Hop {
    hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR)
}

pub(super) fn config(user: &str, registrar: bool) -> AgentConfig {
    AgentConfig {
        account: user.into(),
        aor: SipUri::parse(&format!("sip:{user}@sipchat.test")).unwrap(),
        display_name: None,
        auth_user: user.into(),
        password: Some(format!("{user}-secret")),
        registrar: registrar.then(|| SipUri::parse("sip:sipchat.test").unwrap()),
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    }
}

/// Drains an agent: (transmissions, events).
pub(super) fn drain(agent: &mut Agent) -> (Vec<(Hop, Vec<u8>)>, Vec<AgentEvent>) {
    let mut tx = Vec::new();
    let mut ev = Vec::new();
    while let Some(out) = agent.poll_output() {
        match out {
            Output::Transmit { hop, bytes } => tx.push((hop, bytes)),
            Output::Event(e) => ev.push(e),
        }
    }
    (tx, ev)
}

pub(super) fn parse(bytes: &[u8]) -> SipMessage {
    SipMessage::parse(bytes).unwrap()
}
