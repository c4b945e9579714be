#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn offered_names_are_made_safe() {
    assert_eq!(saved_name(Some("../../etc/passwd"), "text/plain"), "passwd");
    assert_eq!(saved_name(Some("..\\..\\boot.ini"), "text/plain"), "boot.ini");
    assert_eq!(saved_name(Some("/abs/dir/x.png"), "image/png"), "x.png");
    assert_eq!(saved_name(Some(".."), "image/png"), FALLBACK_FILE_NAME);
    assert_eq!(saved_name(Some(".hidden"), "image/png"), "hidden");
    assert_eq!(saved_name(Some("a\u{7}b:c.txt"), "text/plain"), "abc.txt");
}

#[test]
fn a_missing_name_gets_one_that_fits_the_type() {
    let png = saved_name(None, "image/png");
    assert!(
        png.starts_with(FALLBACK_FILE_NAME) && png.ends_with(".png"),
        "{png}"
    );
    let pdf = saved_name(None, "application/pdf");
    assert!(pdf.ends_with(".pdf"), "{pdf}");
    assert_eq!(saved_name(None, "application/x-no-such-type"), FALLBACK_FILE_NAME);
}

#[test]
fn size_limits() {
    // Incoming: the account's limit, but never above what the parser takes.
    assert_eq!(incoming_limit(1000), 1000);
    assert_eq!(incoming_limit(u64::MAX), MAX_PAGE_FILE_BYTES as u64);
}

#[test]
fn files_are_saved_without_overwriting_and_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let first = save(dir.path(), "a.bin", b"one").unwrap();
    let second = save(dir.path(), "a.bin", b"two").unwrap();
    assert_eq!(first, dir.path().join("a.bin"));
    assert_eq!(second, dir.path().join("a (1).bin"));
    assert_eq!(std::fs::read(&first).unwrap(), b"one");
    assert_eq!(std::fs::read(&second).unwrap(), b"two");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "no temporary file left"
    );
    let missing = dir.path().join("nope");
    let e = save(&missing, "a.bin", b"x").unwrap_err();
    assert!(e.contains("not a directory"), "{e}");
}
