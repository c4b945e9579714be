//! The files in `packaging/` agree with the program: the app id, the link
//! schemes the binary opens, the icon sizes, and the Debian assets exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sipchat::cli::open::OPEN_SCHEMES;
use sipchat::paths::APP_ID;
use std::path::{Path, PathBuf};

const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_desktop_file_is_named_by_the_app_id_and_opens_every_scheme_the_binary_takes() {
    let desktop = read(&root().join(format!("packaging/{APP_ID}.desktop")));
    let lines: Vec<&str> = desktop.lines().collect();
    assert!(lines.contains(&"Exec=sipchat %u"), "{desktop}");
    assert!(lines.contains(&format!("Icon={APP_ID}").as_str()));
    assert!(lines.contains(&format!("StartupWMClass={APP_ID}").as_str()));
    let mime = lines
        .iter()
        .find_map(|l| l.strip_prefix("MimeType="))
        .expect("a MimeType line");
    let handled: Vec<&str> = mime
        .split(';')
        .filter_map(|m| m.strip_prefix("x-scheme-handler/"))
        .collect();
    assert_eq!(handled, OPEN_SCHEMES, "MimeType={mime}");
}

#[test]
fn the_metainfo_and_flatpak_manifest_use_the_app_id() {
    let metainfo = read(&root().join(format!("packaging/{APP_ID}.metainfo.xml")));
    assert!(metainfo.contains(&format!("<id>{APP_ID}</id>")));
    assert!(metainfo.contains(&format!(
        "<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>"
    )));
    let manifest = read(&root().join(format!("packaging/flatpak/{APP_ID}.yml")));
    assert!(manifest.lines().any(|l| l == format!("id: {APP_ID}")));
    assert!(manifest.lines().any(|l| l == "command: sipchat"));
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != b"\x89PNG\r\n\x1a\n" || bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let word = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    Some((word(16)?, word(20)?))
}

#[test]
fn every_hicolor_icon_is_a_png_of_its_size() {
    for size in ICON_SIZES {
        let path = root().join(format!("packaging/icons/{size}x{size}/{APP_ID}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(png_size(&bytes), Some((size, size)), "{}", path.display());
    }
}

#[test]
fn every_debian_asset_exists() {
    let cargo = read(&root().join("Cargo.toml"));
    let section = cargo
        .split("[package.metadata.deb]")
        .nth(1)
        .expect("a [package.metadata.deb] section");
    let section = section.split("\n[").next().unwrap_or(section);
    let sources: Vec<&str> = section
        .lines()
        .filter_map(|l| l.trim().strip_prefix("[\""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(sources.len() >= 4 + ICON_SIZES.len(), "{sources:?}");
    for source in sources {
        if source.starts_with("target/") {
            continue; // built by cargo deb
        }
        assert!(root().join(source).is_file(), "{source} is listed but missing");
    }
}

/// The systemd user unit for duty machines: `systemd-analyze verify`
/// accepts it with no warning (a misspelt key or value is only warned
/// about, so any output fails), it restarts on failure, and the command it
/// runs is one the binary takes. Its `ExecStart` is pointed at the binary
/// just built, since verify also checks that the program exists.
#[test]
fn the_systemd_user_unit_verifies_and_runs_listen_with_notifications() {
    let unit = read(&root().join("packaging/systemd/sipchat.service"));
    let lines: Vec<&str> = unit.lines().collect();
    assert!(lines.contains(&"Restart=on-failure"), "{unit}");
    assert!(lines.contains(&"WantedBy=default.target"), "{unit}");
    let exec = lines
        .iter()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("an ExecStart line");
    let words: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"/usr/bin/sipchat"), "{exec}");
    let parsed = <sipchat::cli::Cli as clap::Parser>::try_parse_from(&words);
    assert!(
        parsed.is_ok(),
        "the binary does not take `{exec}`: {:?}",
        parsed.err()
    );
    assert!(words.contains(&"listen") && words.contains(&"--notify"), "{exec}");

    let dir = tempfile::tempdir().unwrap();
    let runtime = dir.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    let built = unit.replace("/usr/bin/sipchat", env!("CARGO_BIN_EXE_sipchat"));
    let path = dir.path().join("sipchat.service");
    std::fs::write(&path, built).unwrap();
    let verified = std::process::Command::new("systemd-analyze")
        .args(["--user", "verify"])
        .arg(&path)
        // The user manager's runtime directory (none exists for root here).
        .env("XDG_RUNTIME_DIR", &runtime)
        .output();
    let out = match verified {
        Ok(out) => out,
        Err(e) if std::env::var_os("SIPCHAT_REQUIRE_SYSTEMD").is_none() => {
            eprintln!("skipping: systemd-analyze cannot be run ({e}); set SIPCHAT_REQUIRE_SYSTEMD=1 to fail instead");
            return;
        }
        Err(e) => panic!("systemd-analyze is required but cannot be run: {e}"),
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify: {said}"
    );
}
