//! The window's address argument, and that it leaves the commands alone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::cli::{Cli, CliCommand, EXIT_USAGE};
use clap::Parser;

fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("sipchat").chain(args.iter().copied())).unwrap()
}

#[test]
fn sip_sips_and_im_links_become_sip_addresses() {
    assert_eq!(
        open_address("sip:bob@example.org").unwrap(),
        "sip:bob@example.org"
    );
    assert_eq!(
        open_address("SIPS:bob@example.org").unwrap(),
        "sips:bob@example.org"
    );
    assert_eq!(open_address("im:bob@example.org").unwrap(), "sip:bob@example.org");
    assert_eq!(
        open_address("sip://bob@example.org").unwrap(),
        "sip:bob@example.org"
    );
    assert_eq!(
        open_address(" sip:bob@192.0.2.7:5062;transport=tcp ").unwrap(),
        "sip:bob@192.0.2.7:5062;transport=tcp"
    );
}

#[test]
fn other_arguments_are_usage_errors_that_say_why() {
    for bad in ["mailto:bob@example.org", "lisen", "http://example.org", ""] {
        let err = open_address(bad).unwrap_err();
        assert_eq!(err.exit_code(), EXIT_USAGE);
        assert!(err.to_string().contains("neither a command"), "{bad}: {err}");
    }
    let err = open_address("sip:bob@").unwrap_err();
    assert!(err.to_string().contains("cannot open a conversation"), "{err}");
    assert_eq!(err.exit_code(), EXIT_USAGE);
}

#[test]
fn an_address_alone_is_the_windows_argument() {
    let cli = parse(&["sip:bob@example.org"]);
    assert_eq!(cli.open.as_deref(), Some("sip:bob@example.org"));
    assert!(cli.command.is_none());
    let cli = parse(&["--data-dir", "/tmp/x", "im:carol@example.org"]);
    assert_eq!(cli.open.as_deref(), Some("im:carol@example.org"));
    let cli = parse(&[]);
    assert!(cli.open.is_none() && cli.command.is_none());
}

#[test]
fn the_commands_still_parse_as_before() {
    let cli = parse(&["send", "sip:bob@example.org", "hello"]);
    assert!(cli.open.is_none());
    assert!(matches!(
        cli.command,
        Some(CliCommand::Send { ref uri, ref text, .. }) if uri == "sip:bob@example.org" && text == "hello"
    ));
    let cli = parse(&["-v", "listen", "--json"]);
    assert!(matches!(cli.command, Some(CliCommand::Listen { json: true, .. })));
    let cli = parse(&["history", "--with", "sip:bob@example.org"]);
    assert!(matches!(cli.command, Some(CliCommand::History { .. })));
    let cli = parse(&["--config", "/tmp/c.ron", "listen"]);
    assert!(cli.open.is_none() && cli.command.is_some());
    assert!(check_not_both(&cli).is_ok());
    // An address and a command together make no sense.
    let both = parse(&["sip:bob@example.org", "listen"]);
    let err = check_not_both(&both).unwrap_err();
    assert_eq!(err.exit_code(), EXIT_USAGE);
    assert!(err.to_string().contains("cannot be combined"), "{err}");
}
