//! Starting sipchat at login: an XDG autostart entry
//! (`$XDG_CONFIG_HOME/autostart/org.sipchat.Sipchat.desktop`, by default
//! `~/.config/autostart/`) that runs `sipchat --background`, so the
//! window's Settings can switch it on and off. Desktops that follow the
//! XDG Autostart specification (GNOME, KDE, Xfce, ...) start it at login.
//!
//! The entry is ours only when it carries [`MARKER_KEY`]: an entry the user
//! or an administrator wrote by hand is never overwritten or removed.

use std::path::{Path, PathBuf};

use crate::paths::APP_ID;

/// The file name of the entry.
pub const FILE_NAME: &str = "org.sipchat.Sipchat.desktop";
/// The argument that starts sipchat without a window.
pub const BACKGROUND_ARG: &str = "--background";
/// The key that marks an entry as written by sipchat.
pub const MARKER_KEY: &str = "X-Sipchat-Autostart";
/// Largest autostart entry read (it is a few hundred bytes).
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// Why the entry could not be written, read or removed.
#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    /// There is no home directory to find `~/.config` in.
    #[error("cannot find the autostart folder: no home directory (set XDG_CONFIG_HOME)")]
    NoConfigDir,
    /// Reading, writing or removing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// An entry of the same name that sipchat did not write is there.
    #[error(
        "{path} was not written by sipchat; leaving it alone (remove it by hand to let sipchat manage it)"
    )]
    NotOurs {
        /// The entry.
        path: PathBuf,
    },
}

/// The autostart folder: `$XDG_CONFIG_HOME/autostart` (`~/.config/autostart`).
pub fn folder() -> Result<PathBuf, AutostartError> {
    directories::BaseDirs::new()
        .map(|dirs| dirs.config_dir().join("autostart"))
        .ok_or(AutostartError::NoConfigDir)
}

/// The entry's path.
pub fn entry_path() -> Result<PathBuf, AutostartError> {
    Ok(folder()?.join(FILE_NAME))
}

/// Whether our entry is there.
pub fn is_enabled() -> Result<bool, AutostartError> {
    let path = entry_path()?;
    Ok(read_entry(&path)?.is_some_and(|text| is_ours(&text)))
}

/// Writes the entry, starting `program` (the `Exec` program: `sipchat`,
/// or an absolute path) with [`BACKGROUND_ARG`]. Returns its path.
pub fn enable(program: &str) -> Result<PathBuf, AutostartError> {
    let path = entry_path()?;
    if let Some(text) = read_entry(&path)? {
        if !is_ours(&text) {
            return Err(AutostartError::NotOurs { path });
        }
    }
    let dir = folder()?;
    std::fs::create_dir_all(&dir).map_err(|source| AutostartError::Io {
        path: dir.clone(),
        source,
    })?;
    let temporary = dir.join(format!(".{FILE_NAME}.tmp"));
    let io = |source| AutostartError::Io {
        path: temporary.clone(),
        source,
    };
    std::fs::write(&temporary, entry(program)).map_err(io)?;
    std::fs::rename(&temporary, &path).map_err(|source| AutostartError::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Removes our entry (nothing to do when there is none).
pub fn disable() -> Result<(), AutostartError> {
    let path = entry_path()?;
    match read_entry(&path)? {
        None => Ok(()),
        Some(text) if !is_ours(&text) => Err(AutostartError::NotOurs { path }),
        Some(_) => std::fs::remove_file(&path).map_err(|source| AutostartError::Io { path, source }),
    }
}

/// The `Exec` program for the running binary: `sipchat` when that name on
/// `PATH` is this binary, else its absolute path.
pub fn program_for(current_exe: &Path) -> String {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(crate::paths::APP))
            .find(|candidate| candidate.is_file())
    });
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    match on_path {
        Some(found) if same(&found, current_exe) => crate::paths::APP.to_string(),
        _ => current_exe.display().to_string(),
    }
}

/// The entry's text.
pub fn entry(program: &str) -> String {
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=sipchat\n\
         Comment=Receive messages and emergency alerts in the background\n\
         Exec={} {BACKGROUND_ARG}\n\
         Icon={APP_ID}\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n\
         {MARKER_KEY}=true\n",
        quote_exec(program)
    )
}

/// `program` as the desktop entry spec wants an `Exec` word: bare when it
/// has only safe characters, else in double quotes with `"`, `` ` ``, `$`
/// and `\` escaped (and `%` doubled, the field-code sign, in both forms).
fn quote_exec(program: &str) -> String {
    let safe = program
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if safe {
        return program.to_string();
    }
    let mut out = String::from("\"");
    for c in program.chars() {
        match c {
            // Escaped for the quoted word, then its backslash for the string.
            '"' | '`' | '$' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_ours(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim() == format!("{MARKER_KEY}=true"))
}

fn read_entry(path: &Path) -> Result<Option<String>, AutostartError> {
    let io = |source| AutostartError::Io {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_ENTRY_BYTES => Ok(Some(String::new())),
        Ok(_) => std::fs::read(path)
            .map(|bytes| Some(String::from_utf8_lossy(&bytes).into_owned()))
            .map_err(io),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_starts_sipchat_in_the_background_and_is_marked_ours() {
        let text = entry("sipchat");
        assert!(text.lines().any(|l| l == "Exec=sipchat --background"), "{text}");
        assert!(is_ours(&text));
        assert!(!is_ours("[Desktop Entry]\nExec=sipchat\n"));
    }

    #[test]
    fn programs_with_spaces_or_quotes_are_quoted_for_exec() {
        assert_eq!(quote_exec("/usr/bin/sipchat"), "/usr/bin/sipchat");
        assert_eq!(quote_exec("/opt/my apps/sipchat"), "\"/opt/my apps/sipchat\"");
        assert_eq!(quote_exec("/a$b/100%"), "\"/a\\\\$b/100%%\"");
    }
}
