//! Link options of the `sipchat` program (not of the library or the tests).
//!
//! On GNU/Linux the program is linked with packed relative relocations
//! (`-z pack-relative-relocs`, DT_RELR; GNU ld 2.38 or later, glibc 2.36 or
//! later). The program stays position independent, but its table of relative
//! relocations shrinks from about 1.3 MB to a few KB. The dynamic loader reads
//! that whole table at every start, so each idle process (the window and
//! `sipchat listen`) keeps about 1.3 MiB less of the file resident.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let environment = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && environment == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
