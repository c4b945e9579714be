#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn names_lose_directories_and_dots() {
    assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
    assert_eq!(safe_file_name("..\\..\\boot.ini"), "boot.ini");
    assert_eq!(safe_file_name(".."), FALLBACK_FILE_NAME);
    assert_eq!(safe_file_name("dir/.."), FALLBACK_FILE_NAME);
    assert_eq!(safe_file_name(".bashrc"), "bashrc");
    assert_eq!(safe_file_name(""), FALLBACK_FILE_NAME);
    assert_eq!(safe_file_name("report.pdf"), "report.pdf");
}

#[test]
fn names_lose_control_and_reserved_characters() {
    assert_eq!(safe_file_name("a\u{0}b\nc\u{7f}.txt"), "abc.txt");
    assert_eq!(safe_file_name("what?<is>|this*:\".txt"), "whatisthis.txt");
    assert_eq!(safe_file_name("trailing. . "), "trailing");
}

#[test]
fn long_names_are_cut_on_a_character_boundary() {
    let long = "é".repeat(300);
    let safe = safe_file_name(&long);
    assert!(safe.len() <= MAX_SAVED_NAME_BYTES);
    assert!(safe.chars().all(|c| c == 'é'));
}

#[test]
fn free_path_never_names_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(free_path(dir.path(), "a.txt").unwrap(), dir.path().join("a.txt"));
    std::fs::write(dir.path().join("a.txt"), b"1").unwrap();
    assert_eq!(
        free_path(dir.path(), "a.txt").unwrap(),
        dir.path().join("a (1).txt")
    );
    std::fs::write(dir.path().join("a (1).txt"), b"2").unwrap();
    assert_eq!(
        free_path(dir.path(), "a.txt").unwrap(),
        dir.path().join("a (2).txt")
    );
    std::fs::write(dir.path().join("noext"), b"3").unwrap();
    assert_eq!(
        free_path(dir.path(), "noext").unwrap(),
        dir.path().join("noext (1)")
    );
}

#[test]
fn publish_keeps_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.bin"), b"old").unwrap();
    let temp = dir.path().join(".f.bin.x.part");
    std::fs::write(&temp, b"new").unwrap();
    let saved = publish(&temp, dir.path(), "f.bin").unwrap();
    assert_eq!(saved, dir.path().join("f (1).bin"));
    assert_eq!(std::fs::read(dir.path().join("f.bin")).unwrap(), b"old");
    assert_eq!(std::fs::read(&saved).unwrap(), b"new");
    assert!(!temp.exists());
}
