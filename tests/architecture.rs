//! The layering, checked from the source: which module may name which.
//!
//! The rules (ARCHITECTURE.md draws them):
//! - `protocol` is sans-IO: it names none of `runtime`, `store`, `transport`,
//!   `ui`, `cli`, `config`, `notify`.
//! - `model` is the shared vocabulary: it names no other module of the crate.
//! - `store` and `transport` name no `runtime`, `ui` or `cli`.
//! - `runtime` names no `ui` (the library cannot, but a path could slip into
//!   a doc or a macro).
//! - the UI (binary only) names none of `sipchat::protocol`, `sipchat::store`,
//!   `sipchat::transport`: it sees the runtime API, the model and the config.
//! - one runtime feature (`outbox`, `inbox`, `chats`, `transfers`,
//!   `presence`, `contacts`) never names another; they meet in the driver
//!   (`runtime::endpoint`), which no feature names.
//! - file tree = module tree: no `#[path]` outside test modules.
//! - no `Result<_, String>` in `src/runtime` outside tests.
//!
//! Paths are read from `use` declarations and from qualified paths in code
//! (`crate::store::x(...)`, `super::super::outbox::y`), with `super` resolved
//! against the file's place in the module tree. Comments are skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The runtime's feature modules: none may name another.
const FEATURES: &[&str] = &["outbox", "inbox", "chats", "transfers", "presence", "contacts"];

/// One source file: where it sits in the module tree, and its text.
struct Source {
    /// Relative to the source root, e.g. `runtime/outbox/mod.rs`.
    file: String,
    /// Module path inside its crate, e.g. `["runtime", "outbox"]`.
    module: Vec<String>,
    /// Whether it belongs to the binary (`main.rs`, `ui/`) rather than the library.
    binary: bool,
    /// Whether the file is a test module (`*_tests.rs`, `tests.rs`, or under `#[cfg(test)]`).
    test: bool,
    /// The line (1-based) of the file's first `#[cfg(test)]`, if any.
    first_test_line: Option<usize>,
    text: String,
}

/// A rule broken: where, and what was named.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    what: String,
}

fn collect(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(root)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                out.push((rel, text));
            }
        }
    }
    out.sort();
    out
}

/// The module path a file has by its place in the tree (`a/b/mod.rs` and
/// `a/b.rs` are both `a::b`).
fn default_module(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// `#[path = "x.rs"] mod name;` pairs in a file: (path, module name).
fn path_attributes(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("#[path") else {
            continue;
        };
        let Some(start) = rest.find('"') else { continue };
        let Some(len) = rest[start + 1..].find('"') else {
            continue;
        };
        let target = rest[start + 1..start + 1 + len].to_string();
        // The `mod name;` is on this line or one of the next few.
        for next in lines.iter().skip(i).take(4) {
            if let Some(pos) = next.find("mod ") {
                let name: String = next[pos + 4..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((target.clone(), name));
                    break;
                }
            }
        }
    }
    found
}

fn sources(root: &Path) -> Vec<Source> {
    let files = collect(root);
    // Files reached through #[path]: their module is the declaring module plus the name.
    let mut redirected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (file, text) in &files {
        let dir = Path::new(file).parent().unwrap_or(Path::new("")).to_path_buf();
        for (target, name) in path_attributes(text) {
            let mut module = default_module(file);
            module.push(name);
            let joined = dir.join(&target).to_string_lossy().replace('\\', "/");
            redirected.insert(joined, module);
        }
    }
    files
        .into_iter()
        .map(|(file, text)| {
            let module = redirected
                .get(&file)
                .cloned()
                .unwrap_or_else(|| default_module(&file));
            let binary = file == "main.rs" || file.starts_with("ui/");
            let name = Path::new(&file)
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let test = name.ends_with("_tests.rs")
                || name == "tests.rs"
                || name == "test_support.rs"
                || module.last().is_some_and(|m| m == "tests");
            let first_test_line = test_module_start(&text);
            Source {
                file,
                module,
                binary,
                test,
                first_test_line,
                text,
            }
        })
        .collect()
}

/// The code of a line without its `//` comment (string contents are kept;
/// a `//` inside a string is rare enough in this code base to ignore).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// Every path named in `text` that starts at `crate`, `sipchat` or `super`,
/// with its line number, resolved to an absolute path inside its crate:
/// (line, crate name or "crate", segments).
fn named_paths(source: &Source) -> Vec<(usize, String, Vec<String>)> {
    let mut found = Vec::new();
    let mut in_use = false;
    let mut use_prefix: Vec<String> = Vec::new();
    for (index, raw) in source.text.lines().enumerate() {
        let line = code_of(raw);
        let trimmed = line.trim_start();
        // Only the first segment after a `use` group's opening matters for
        // the rules, so a group `use crate::{a, b::c}` is read member by member.
        if trimmed.starts_with("use ")
            || trimmed.starts_with("pub use ")
            || trimmed.starts_with("pub(crate) use ")
        {
            in_use = !line.contains(';');
            let after = &trimmed[trimmed.find("use ").unwrap_or(0) + 4..];
            let head: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            use_prefix = head
                .trim_end_matches(':')
                .split("::")
                .map(str::to_string)
                .collect();
            if let Some(open) = after.find('{') {
                for member in after[open + 1..].split([',', '}']) {
                    push_group_member(source, index, &use_prefix, member, &mut found);
                }
            } else {
                push_resolved(source, index, &use_prefix, &mut found);
            }
            continue;
        }
        if in_use {
            for member in line.split([',', '}', '{']) {
                push_group_member(source, index, &use_prefix, member, &mut found);
            }
            if line.contains(';') {
                in_use = false;
            }
            continue;
        }
        // Qualified paths in code.
        for start in ["crate::", "sipchat::", "super::"] {
            let mut from = 0;
            while let Some(pos) = line[from..].find(start) {
                let at = from + pos;
                let before = line[..at].chars().last();
                from = at + start.len();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let path: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let segments: Vec<String> = path
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                push_resolved(source, index, &segments, &mut found);
            }
        }
    }
    found
}

fn push_group_member(
    source: &Source,
    index: usize,
    prefix: &[String],
    member: &str,
    found: &mut Vec<(usize, String, Vec<String>)>,
) {
    let name: String = member
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    if name.is_empty() || name == "self" {
        push_resolved(source, index, prefix, found);
        return;
    }
    let mut segments = prefix.to_vec();
    segments.extend(name.split("::").filter(|s| !s.is_empty()).map(str::to_string));
    push_resolved(source, index, &segments, found);
}

/// Resolves `super`/`crate` and records the path when it names a module of
/// one of the two crates.
fn push_resolved(
    source: &Source,
    index: usize,
    segments: &[String],
    found: &mut Vec<(usize, String, Vec<String>)>,
) {
    let Some(first) = segments.first() else { return };
    match first.as_str() {
        "crate" => found.push((index + 1, "crate".into(), segments[1..].to_vec())),
        "sipchat" => found.push((index + 1, "sipchat".into(), segments[1..].to_vec())),
        "super" => {
            let mut module = source.module.clone();
            // Inside the inline `#[cfg(test)] mod tests { ... }` at the end
            // of a file, `super` is the file's own module.
            if source.first_test_line.is_some_and(|first| index + 1 > first) {
                module.push("tests".into());
            }
            let mut rest = segments;
            while rest.first().is_some_and(|s| s == "super") {
                module.pop();
                rest = &rest[1..];
            }
            module.extend(rest.iter().cloned());
            found.push((index + 1, "crate".into(), module));
        }
        _ => {}
    }
}

/// The line (1-based) of the first `#[cfg(test)]` that opens an inline
/// module (the next line that is not an attribute is `mod name {`).
fn test_module_start(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    lines.iter().enumerate().find_map(|(i, line)| {
        if !line.trim_start().starts_with("#[cfg(test)]") {
            return None;
        }
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim_start())
            .find(|l| !l.starts_with("#["))?;
        // Only an inline module (`mod tests {`): `mod tests;` lives in a
        // file of its own, and the code after it is not test code.
        let opens_module =
            next.starts_with("mod ") || next.starts_with("pub mod ") || next.starts_with("pub(crate) mod ");
        (opens_module && next.trim_end().ends_with('{')).then_some(i + 1)
    })
}

/// Whether the line at `line` (1-based) sits after a `#[cfg(test)]` in the
/// file: a test module at the end of the file, as this code base writes them.
fn after_cfg_test(source: &Source, line: usize) -> bool {
    source.first_test_line.is_some_and(|first| line >= first)
}

fn check(root: &Path) -> Vec<Violation> {
    let mut violations = Vec::new();
    for source in sources(root) {
        let mut flag = |line: usize, what: String| {
            violations.push(Violation {
                file: source.file.clone(),
                line,
                what,
            })
        };
        let layer = source.module.first().map(String::as_str).unwrap_or("");
        for (line, krate, path) in named_paths(&source) {
            let target = path.first().map(String::as_str).unwrap_or("");
            let shown = format!("{krate}::{}", path.join("::"));
            if source.binary {
                // The UI and main: the library is `sipchat`.
                if layer == "ui" && krate == "sipchat" && matches!(target, "protocol" | "store" | "transport")
                {
                    flag(
                        line,
                        format!("the UI names {shown}: it sees only the runtime API, model and config"),
                    );
                }
                continue;
            }
            if krate != "crate" {
                continue;
            }
            match layer {
                "protocol"
                    if matches!(
                        target,
                        "runtime" | "store" | "transport" | "ui" | "cli" | "config" | "notify"
                    ) =>
                {
                    flag(line, format!("protocol (sans-IO) names {shown}"))
                }
                "model" if !matches!(target, "model" | "") => flag(line, format!("model names {shown}")),
                "store" | "transport" if matches!(target, "runtime" | "ui" | "cli") => {
                    flag(line, format!("{layer} names {shown}, a layer above it"))
                }
                "runtime" if target == "ui" => flag(line, format!("runtime names {shown}")),
                _ => {}
            }
            // Features never name one another.
            if layer == "runtime" && target == "runtime" {
                let own = source.module.get(1).map(String::as_str).unwrap_or("");
                let named = path.get(1).map(String::as_str).unwrap_or("");
                if FEATURES.contains(&own) && FEATURES.contains(&named) && own != named {
                    flag(
                        line,
                        format!("feature {own} names feature {named} ({shown}); they meet in the driver"),
                    );
                }
                if FEATURES.contains(&own) && named == "endpoint" {
                    flag(
                        line,
                        format!("feature {own} names the driver ({shown}): it returns effects instead"),
                    );
                }
            }
        }
        // File tree = module tree.
        for (index, raw) in source.text.lines().enumerate() {
            let line = raw.trim_start();
            if line.starts_with("#[path") && !source.test {
                let previous = index
                    .checked_sub(1)
                    .and_then(|i| source.text.lines().nth(i))
                    .unwrap_or("");
                let declared = source
                    .text
                    .lines()
                    .skip(index + 1)
                    .find(|l| l.contains("mod "))
                    .unwrap_or("");
                let test_module = previous.trim_start().starts_with("#[cfg(test)]")
                    || line.contains("tests.rs\"")
                    || declared.contains("mod tests");
                if !test_module {
                    flag(
                        index + 1,
                        format!("#[path] outside a test module: {}", line.trim()),
                    );
                }
            }
        }
        // Typed errors in the runtime.
        if layer == "runtime" && !source.binary && !source.test {
            for (index, raw) in source.text.lines().enumerate() {
                let line = code_of(raw);
                if after_cfg_test(&source, index + 1) {
                    break;
                }
                if let Some(pos) = line.find("Result<") {
                    let rest = &line[pos..];
                    let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
                    if result_with_string_error(&compact) {
                        flag(
                            index + 1,
                            format!("Result<_, String> in the runtime: {}", raw.trim()),
                        );
                    }
                }
            }
        }
    }
    // One line naming several items of a module is one violation: keep the
    // longest path named on it.
    violations.sort_by(|a, b| (&a.file, a.line, b.what.len()).cmp(&(&b.file, b.line, a.what.len())));
    violations.dedup_by(|later, first| later.file == first.file && later.line == first.line);
    violations
}

/// Whether `text` (no spaces, starting at `Result<`) is a `Result` whose
/// error type is `String`.
fn result_with_string_error(text: &str) -> bool {
    let mut depth = 0usize;
    let mut last_comma = None;
    for (i, c) in text.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => {
                if depth == 1 {
                    return last_comma.is_some_and(|at: usize| &text[at + 1..i] == "String");
                }
                depth = depth.saturating_sub(1);
            }
            ',' if depth == 1 => last_comma = Some(i),
            _ => {}
        }
    }
    false
}

fn source_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_layers_hold() {
    let violations = check(&source_root());
    let listed: Vec<String> = violations
        .iter()
        .map(|v| format!("src/{}:{}: {}", v.file, v.line, v.what))
        .collect();
    assert!(
        listed.is_empty(),
        "the layering is broken:\n{}",
        listed.join("\n")
    );
}

/// The checker itself finds what it is meant to: a tree with one planted
/// violation of each rule.
#[test]
fn planted_violations_are_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let write = |file: &str, text: &str| {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, text).expect("write");
    };
    write("lib.rs", "pub mod protocol;\npub mod runtime;\n");
    write(
        "protocol/mod.rs",
        "use crate::runtime::Handle;\nuse crate::model::MessageId;\n",
    );
    write("model/mod.rs", "use crate::store::Row;\n");
    write(
        "runtime/outbox/mod.rs",
        "mod store_ops;\n#[cfg(test)]\nmod tests;\nuse super::chats::Chat;\nuse crate::runtime::clock::Now;\nfn f() -> Result<(), String> { Ok(()) }\n",
    );
    write(
        "runtime/inbox/mod.rs",
        "use crate::runtime::{\n    clock::Now,\n    transfers::Transfer,\n};\n",
    );
    write(
        "runtime/chats/mod.rs",
        "fn g() { let _ = crate::runtime::outbox::MAX_ATTEMPTS; }\n",
    );
    write(
        "runtime/transfers/resume.rs",
        "use super::super::endpoint::Internal;\n",
    );
    write(
        "runtime/endpoint/mod.rs",
        "use super::outbox::Outbox;\nuse super::chats::Chats;\nfn ok() -> Result<u8, Box<String>> { Ok(1) }\n",
    );
    write("runtime/chats/tests.rs", "use super::super::outbox::Outbox;\n");
    write(
        "runtime/transfers/mod.rs",
        "#[path = \"other.rs\"]\nmod helpers;\n",
    );
    write("main.rs", "mod ui;\n");
    write(
        "ui/app.rs",
        "use sipchat::store::conversation_key;\nuse sipchat::runtime::Event;\n",
    );
    write(
        "ui/view.rs",
        "fn v() { let _ = sipchat::protocol::sip::uri::SipUri::parse(\"x\"); }\n",
    );

    let found = check(root);
    let has = |file: &str, needle: &str| found.iter().any(|v| v.file == file && v.what.contains(needle));
    assert!(has("protocol/mod.rs", "crate::runtime::Handle"), "{found:#?}");
    assert!(has("model/mod.rs", "crate::store::Row"), "{found:#?}");
    assert!(
        has("runtime/outbox/mod.rs", "feature outbox names feature chats"),
        "{found:#?}"
    );
    assert!(has("runtime/outbox/mod.rs", "Result<_, String>"), "{found:#?}");
    assert!(
        has("runtime/inbox/mod.rs", "feature inbox names feature transfers"),
        "{found:#?}"
    );
    assert!(
        has("runtime/chats/mod.rs", "feature chats names feature outbox"),
        "{found:#?}"
    );
    assert!(
        has("runtime/chats/tests.rs", "feature chats names feature outbox"),
        "{found:#?}"
    );
    assert!(has("runtime/transfers/mod.rs", "#[path]"), "{found:#?}");
    assert!(
        has(
            "runtime/transfers/resume.rs",
            "feature transfers names the driver"
        ),
        "{found:#?}"
    );
    assert!(has("ui/app.rs", "sipchat::store::conversation_key"), "{found:#?}");
    assert!(
        has("ui/view.rs", "sipchat::protocol::sip::uri::SipUri"),
        "{found:#?}"
    );
    // What is allowed stays quiet: the driver names features, protocol names
    // model, the UI names the runtime, Result<_, Box<String>> is not a String error.
    assert!(
        !found.iter().any(|v| v.file == "runtime/endpoint/mod.rs"),
        "{found:#?}"
    );
    assert!(!has("protocol/mod.rs", "model"), "{found:#?}");
    assert!(!has("ui/app.rs", "sipchat::runtime::Event"), "{found:#?}");
    assert_eq!(found.len(), 11, "{found:#?}");
}
