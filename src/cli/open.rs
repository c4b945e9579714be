//! `sipchat sip:bob@example.org`: an address as the only argument opens
//! the window with a conversation with it. This is how desktops hand over
//! `sip:`, `sips:` and `im:` links (the `.desktop` file's `Exec=sipchat %u`).

use super::CliError;
use crate::protocol::sip::uri::SipUri;

/// Schemes accepted as the window's argument.
pub const OPEN_SCHEMES: [&str; 3] = ["sip", "sips", "im"];

/// The SIP address to open a conversation with, from a link or a typed
/// address: `sip:` and `sips:` URIs as they are (canonical form), `im:user@host`
/// (RFC 3860) as `sip:user@host`. Anything else is a usage error that names
/// the commands, since a mistyped command lands here too.
pub fn open_address(argument: &str) -> Result<String, CliError> {
    let argument = argument.trim();
    let not_an_address = || {
        CliError::Usage(format!(
            "\"{argument}\" is neither a command (listen, send, history) nor a sip:, sips: or im: address"
        ))
    };
    let (scheme, rest) = argument.split_once(':').ok_or_else(not_an_address)?;
    let scheme = scheme.to_ascii_lowercase();
    if !OPEN_SCHEMES.contains(&scheme.as_str()) {
        return Err(not_an_address());
    }
    // Links may carry a leading "//" (sip://bob@host) that SIP URIs do not have.
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let candidate = match scheme.as_str() {
        "im" => format!("sip:{rest}"),
        _ => format!("{scheme}:{rest}"),
    };
    SipUri::parse(&candidate)
        .map(|uri| uri.to_string())
        .map_err(|e| CliError::Usage(format!("cannot open a conversation with \"{argument}\": {e}")))
}

/// Refuses an address together with a command (`sipchat sip:bob@x listen`):
/// clap accepts both, but only one of them can happen.
pub fn check_not_both(cli: &super::Cli) -> Result<(), CliError> {
    match (&cli.open, &cli.command) {
        (Some(address), Some(_)) => Err(CliError::Usage(format!(
            "\"{address}\" opens the window and cannot be combined with a command"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "open_tests.rs"]
mod tests;
