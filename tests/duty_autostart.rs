//! The autostart entry behind Settings > "Start sipchat in the background
//! when I log in": written to `$XDG_CONFIG_HOME/autostart/` with an `Exec`
//! the binary takes (`--background`), found again, and removed; an entry of
//! the same name that sipchat did not write is left alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sipchat::autostart::{self, AutostartError, FILE_NAME};

#[test]
fn the_autostart_entry_is_written_found_and_removed_and_a_foreign_one_is_left_alone() {
    let home = tempfile::tempdir().unwrap();
    // The only test in this file, so the process environment is ours.
    std::env::set_var("XDG_CONFIG_HOME", home.path());
    let path = home.path().join("autostart").join(FILE_NAME);

    assert!(!autostart::is_enabled().unwrap());
    let written = autostart::enable("sipchat").unwrap();
    assert_eq!(written, path);
    assert!(autostart::is_enabled().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line");
    assert_eq!(exec, "sipchat --background");
    let words: Vec<&str> = exec.split_whitespace().collect();
    let cli = <sipchat::cli::Cli as clap::Parser>::try_parse_from(&words).unwrap();
    assert!(cli.background && cli.command.is_none(), "{exec}");
    assert!(text.lines().any(|l| l == "Type=Application"), "{text}");
    // Written again (the switch turned on twice): still one valid entry.
    autostart::enable("sipchat").unwrap();
    assert!(autostart::is_enabled().unwrap());

    autostart::disable().unwrap();
    assert!(!path.exists(), "the entry is still there");
    assert!(!autostart::is_enabled().unwrap());
    autostart::disable().unwrap();

    // An entry an administrator wrote is never replaced or removed.
    let foreign = "[Desktop Entry]\nType=Application\nExec=sipchat --background --verbose\n";
    std::fs::write(&path, foreign).unwrap();
    assert!(!autostart::is_enabled().unwrap());
    assert!(matches!(
        autostart::enable("sipchat"),
        Err(AutostartError::NotOurs { .. })
    ));
    assert!(matches!(
        autostart::disable(),
        Err(AutostartError::NotOurs { .. })
    ));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), foreign);
}
