//! Link options of the `sipchat` program (not of the library or the tests).
//!
//! On GNU/Linux the program is linked with packed relative relocations
//! (`-z pack-relative-relocs`, DT_RELR; GNU ld 2.38 or later, glibc 2.36 or
//! later). The program stays position independent, but its table of relative
//! relocations shrinks from about 1.3 MB to a few KB. The dynamic loader reads
//! that whole table at every start, so each idle process (the window and
//! `sipchat listen`) keeps about 1.3 MiB less of the file resident.
//!
//! Release builds on x86_64 GNU/Linux, where Rust links with its own lld by
//! default (Rust 1.90 and later), also hand lld `link/listen-symbols.txt`
//! (`--symbol-ordering-file`): the functions an idle `sipchat listen` runs,
//! written by `tests/bench/listen_symbol_order.sh`. lld lays them out together
//! at the start of `.text`. The kernel maps code in 64 KiB runs around each
//! page a process touches, so an idle `listen`, whose code is scattered over
//! the whole 22 MB `.text`, kept 10.1 MiB of it resident; laid out together,
//! 2.8 MiB (issue 20: the whole process 16.4 -> 9.0 MiB, the idle window
//! 32.9 -> 29.7 MiB). The names carry hashes that change with the code, so
//! the list is recorded again before a release (see the script); symbols it
//! names that a build no longer has are skipped. Without Rust's own lld
//! (Rust before 1.90, a distribution's rustc, `-C linker-features=-lld`) the
//! file is not handed over; `SIPCHAT_SYMBOL_ORDER=0` turns it off by hand.

use std::path::Path;

/// The functions an idle `sipchat listen` runs, relative to the package.
const LISTEN_SYMBOLS: &str = "link/listen-symbols.txt";

fn main() {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let os = env("CARGO_CFG_TARGET_OS");
    let environment = env("CARGO_CFG_TARGET_ENV");
    if os == "linux" && environment == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    let lld_by_default = os == "linux"
        && environment == "gnu"
        && env("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && rust_lld_by_default();
    let rust_flags = env("CARGO_ENCODED_RUSTFLAGS");
    let other_linker =
        rust_flags.contains("-lld") || rust_flags.contains("fuse-ld") || rust_flags.contains("linker=");
    let symbols = Path::new(&env("CARGO_MANIFEST_DIR")).join(LISTEN_SYMBOLS);
    if lld_by_default
        && !other_linker
        && env("PROFILE") == "release"
        && env("SIPCHAT_SYMBOL_ORDER") != "0"
        && symbols.is_file()
    {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            symbols.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={LISTEN_SYMBOLS}");
    println!("cargo:rerun-if-env-changed=SIPCHAT_SYMBOL_ORDER");
}

/// Whether this rustc links x86_64 GNU/Linux programs with its own lld: Rust
/// 1.90 or later with the lld it ships (rustup's toolchains; a distribution's
/// rustc may link with the system's linker instead).
fn rust_lld_by_default() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let output = |argument: &str| {
        std::process::Command::new(&rustc)
            .arg(argument)
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let version = output("--version");
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    let lld =
        Path::new(&output("--print=sysroot")).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld");
    minor >= 90 && lld.is_file()
}
