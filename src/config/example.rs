//! The commented example configuration written on first run.

/// Line that opens the commented-out sample account in [`EXAMPLE_CONFIG`].
#[cfg(test)]
pub(crate) const SAMPLE_BEGIN: &str = "// ---- sample account: remove the leading // on each line below ----";
/// Line that closes the commented-out sample account in [`EXAMPLE_CONFIG`].
#[cfg(test)]
pub(crate) const SAMPLE_END: &str = "// ---- end of sample account ----";

/// A commented example configuration that explains every setting. It parses to
/// `Config::default()`: no accounts (a sample account is commented out, between two
/// marker lines) and the local account enabled.
pub const EXAMPLE_CONFIG: &str = r#"// sipchat configuration, in RON (Rusty Object Notation).
//
// Lines starting with // are comments. Text goes in double quotes, lists in
// [ ], and each group of settings in ( ). Optional settings can be left out or
// written plainly, e.g. display_name: "Alice". Misspelt setting names are
// errors, so sipchat tells you about typos instead of ignoring them.
//
// Relative file paths are relative to the folder of this file; a leading ~
// means your home folder.
(
    // Your SIP accounts. sipchat uses the first enabled one, or the one you pick
    // with --account NAME. To use the sample below, remove the leading // on
    // each of its lines (keep the // of the explanations) and fill in your
    // details. Add more accounts one after the other, separated by commas.
    accounts: [
        // ---- sample account: remove the leading // on each line below ----
        // (
        //     // A unique name for the account, used by --account NAME.
        //     name: "work",
        //     // Your SIP address: sip: or sips: (TLS), then user@host.
        //     uri: "sip:alice@example.org",
        //     // The name others see (optional).
        //     display_name: "Alice Example",
        //     // User name for logging in, if not the user part of uri.
        //     // auth_user: "alice",
        //     // The password, either written here ...
        //     // password: "change me",
        //     // ... or, better, kept in a file of its own that holds only the
        //     // password (make it readable by you only: chmod 600).
        //     password_file: "work.password",
        //     // Outbound proxy (optional). transport is udp, tcp or tls;
        //     // sips: always means tls. Without a proxy the host of uri is used.
        //     // proxy: "sip:proxy.example.org:5060;transport=tcp",
        //     // Register with the server so that others can reach you.
        //     register: true,
        //     // How long a registration lasts, in seconds (1 to 86400).
        //     expires: 600,
        //     // MSRP relay for chats and files (optional): msrp:// or msrps://.
        //     // msrp_relay: "msrps://relay.example.org:2855;tcp",
        //     // Chats without a relay: tls (unset: as the SIP transport) and
        //     // who connects (role: auto, active or passive).
        //     // msrp: (tls: true, role: auto),
        //     // TLS settings, used by sips:, transport=tls and msrps:.
        //     tls: (
        //         // Certificates (PEM) to trust instead of the system's (optional).
        //         // ca_file: "ca.pem",
        //         // The SHA-256 fingerprint of the server's own certificate, to
        //         // accept it as it is (sipchat prints it when it refuses one).
        //         // "Always trust" in the window keeps its pins in
        //         // certificate_pins.ron in the data directory; this one wins.
        //         // fingerprint: "AB:CD:...",
        //         // Check the server's certificate. Only turn off for testing.
        //         verify: true,
        //     ),
        //     // Who may send you emergency alerts: SIP addresses (trusted
        //     // only when they come through this account's server), or the
        //     // IP addresses, networks (192.0.2.0/24) and host names of
        //     // machines that send alerts straight to you. A host name is
        //     // looked up at start and every few minutes: it is only as good
        //     // as its DNS.
        //     trusted_alert_senders: ["sip:alerts@example.org", "192.0.2.0/24"],
        //     // Where received files are saved (optional).
        //     // download_dir: "~/Downloads",
        //     // false keeps the account here without using it by default.
        //     enabled: true,
        //     // Seconds between keep-alives to the server, so that home routers
        //     // keep the path open (default 15 on UDP, 30 on TCP and TLS);
        //     // 0 turns them off.
        //     // keepalive_secs: 15,
        //     // Largest file you accept, in bytes (104857600 is 100 MiB).
        //     max_file_size: 104857600,
        //     // Presence: publish: false keeps your status off this server
        //     // (contacts are still watched). xcap_root keeps who may see your
        //     // status, and your contacts (for your other devices), on the
        //     // server; list watches all contacts through one resource list
        //     // subscription.
        //     // presence: (publish: true),
        // ),
        // ---- end of sample account ----
    ],

    // The local account needs no server: it listens on this computer, and
    // others on your network reach you at sip:USER@YOUR-ADDRESS:PORT.
    local: (
        // false turns it off.
        enabled: true,
        // The user part of your local address.
        user: "me",
        // The name others see (optional).
        // display_name: "Alice",
        // Address to listen on: "::" is every network, IPv4 and IPv6;
        // "0.0.0.0" every network over IPv4 only; "127.0.0.1" or "::1" only
        // this computer.
        bind: "::",
        // Port to listen on; 0 lets the system pick a free one.
        port: 5062,
        // Chats: over TLS or not, and who connects (auto, active, passive).
        // msrp: (tls: true, role: auto),
        // Machines whose emergency alerts you trust when they send them
        // straight here: IP addresses, networks (10.0.0.0/8, 2001:db8::/32)
        // or host names. Anything else that claims to be an alert is shown
        // as an ordinary message, marked as a claim.
        // trusted_alert_senders: ["192.0.2.10"],
        // Peers whose msrps offers or answers carry no a=fingerprint are
        // checked like servers: the system's roots, this CA file, this pin.
        // tls: (ca_file: "/path/to/peer.pem", fingerprint: "AB:CD:..."),
    ),
)
"#;
