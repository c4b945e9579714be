//! Who this install is to a registrar: the seed of our RFC 5626 instance
//! ids, kept in `instance-seed` in the data directory.
//!
//! RFC 5626 section 4.1 asks for an instance id unique to each user agent
//! instance that stays the same across restarts. Each account's id is
//! derived from the install's seed and the account's address of record
//! (`protocol::sip::agent::instance_from`), so two installs on one
//! machine (two users, or two profiles of a duty desk) registering the
//! same address stay two devices with two flows.
//!
//! A new install draws a random seed at its first start and writes it
//! once (to a temporary file, then linked into place, so a crash leaves no
//! half-written seed and two processes starting at once agree on one). An
//! install from before this file existed (its history is there already)
//! keeps the seed it always used, the machine id, so its registrations
//! keep their flows across the upgrade; remove the file with sipchat
//! stopped to give such an install a seed of its own. A file we cannot
//! read as a seed is left as it is and said in the log; the machine id
//! serves meanwhile. Without a data directory (a throwaway run) the seed
//! is random and lives as long as the run.

use rand::Rng;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name inside the data directory.
pub const INSTANCE_SEED_FILE: &str = "instance-seed";
/// Longest seed we read (a machine id is 32 characters, ours too).
pub const MAX_INSTANCE_SEED_BYTES: u64 = 256;
/// Random bytes in a new seed.
const SEED_BYTES: usize = 16;

/// Why the seed file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InstanceSeedError {
    /// The file could not be read or written.
    #[error("cannot use the instance seed file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// Empty, too long, or not one line of printable characters.
    #[error("the instance seed file {0} is not a seed sipchat wrote (left as it is)")]
    Unreadable(PathBuf),
}

/// Where the seed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOrigin {
    /// Read from the file.
    Kept,
    /// Drawn at random and written now (a new install).
    Drawn,
    /// The machine id, written now for an install older than the file.
    Upgraded,
}

/// The install's seed: read from the data directory, or made and written
/// there now. `install_exists` says whether the data directory held an
/// install before this start (its history), which keeps the machine id.
pub fn load_or_create(
    data_dir: &Path,
    install_exists: bool,
) -> Result<(String, SeedOrigin), InstanceSeedError> {
    let path = data_dir.join(INSTANCE_SEED_FILE);
    if let Some(seed) = read(&path)? {
        return Ok((seed, SeedOrigin::Kept));
    }
    let machine = machine_seed();
    // (A machine without an id or a name gave every install the same
    // empty seed: nothing worth keeping.)
    let (seed, origin) = if install_exists && !machine.is_empty() {
        (machine, SeedOrigin::Upgraded)
    } else {
        (random_seed(), SeedOrigin::Drawn)
    };
    let io = |source| InstanceSeedError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(data_dir).map_err(io)?;
    let temp = data_dir.join(format!("{INSTANCE_SEED_FILE}.{}.tmp", std::process::id()));
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(format!("{seed}\n").as_bytes())?;
        file.sync_all()
    });
    // Linked, not renamed: a seed another process wrote meanwhile wins.
    let linked = written.and_then(|()| fs::hard_link(&temp, &path));
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok((seed, origin)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match read(&path)? {
            Some(seed) => Ok((seed, SeedOrigin::Kept)),
            None => Err(InstanceSeedError::Unreadable(path)),
        },
        Err(e) => Err(io(e)),
    }
}

/// The seed for a run: the data directory's, else (no directory, or an
/// unusable file: said in the log) a stand-in.
pub fn seed_for_run(data_dir: Option<&Path>, install_exists: bool) -> String {
    let Some(dir) = data_dir else {
        return random_seed();
    };
    match load_or_create(dir, install_exists) {
        Ok((seed, origin)) => {
            match origin {
                SeedOrigin::Kept => {}
                SeedOrigin::Drawn => {
                    tracing::info!("a new instance seed for this install (RFC 5626 instance ids)")
                }
                SeedOrigin::Upgraded => tracing::info!(
                    "this install keeps the machine's instance ids (RFC 5626); remove {} to give it its own",
                    dir.join(INSTANCE_SEED_FILE).display()
                ),
            }
            seed
        }
        Err(e) => {
            let machine = machine_seed();
            if machine.is_empty() {
                tracing::warn!("{e}; a seed for this run only stands in (the registrar sees a new device)");
                return random_seed();
            }
            tracing::warn!("{e}; the machine id stands in, shared with other installs on this machine");
            machine
        }
    }
}

/// The seed of installs older than the file: the machine id (else the host
/// name), as they derived their instance ids from it.
pub fn machine_seed() -> String {
    fs::read_to_string("/etc/machine-id")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn random_seed() -> String {
    let bytes: [u8; SEED_BYTES] = rand::thread_rng().gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The seed in the file, `None` when there is no file.
fn read(path: &Path) -> Result<Option<String>, InstanceSeedError> {
    let io = |source| InstanceSeedError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = match fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if size > MAX_INSTANCE_SEED_BYTES {
        return Err(InstanceSeedError::Unreadable(path.to_path_buf()));
    }
    let text = fs::read_to_string(path).map_err(io)?;
    let seed = text.trim();
    let printable = !seed.is_empty() && seed.chars().all(|c| c.is_ascii_graphic());
    if printable {
        Ok(Some(seed.to_string()))
    } else {
        Err(InstanceSeedError::Unreadable(path.to_path_buf()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_install_draws_a_seed_and_keeps_it_across_restarts() {
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let (seed, origin) = load_or_create(first.path(), false).unwrap();
        assert_eq!(origin, SeedOrigin::Drawn);
        assert_eq!(seed.len(), 2 * SEED_BYTES);
        assert_eq!(
            load_or_create(first.path(), true).unwrap(),
            (seed.clone(), SeedOrigin::Kept)
        );
        let (other, _) = load_or_create(second.path(), false).unwrap();
        assert_ne!(seed, other, "two installs, two seeds");
        let leftovers: Vec<_> = fs::read_dir(first.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the seed file: {leftovers:?}");
    }

    #[test]
    fn an_install_older_than_the_file_keeps_the_machine_seed() {
        let dir = tempfile::tempdir().unwrap();
        let (seed, origin) = load_or_create(dir.path(), true).unwrap();
        if machine_seed().is_empty() {
            // No machine id or host name here: nothing to keep.
            assert_eq!(origin, SeedOrigin::Drawn);
            return;
        }
        assert_eq!(origin, SeedOrigin::Upgraded);
        assert_eq!(seed, machine_seed());
        assert_eq!(
            load_or_create(dir.path(), true).unwrap(),
            (seed, SeedOrigin::Kept)
        );
    }

    #[test]
    fn a_file_that_is_not_a_seed_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INSTANCE_SEED_FILE);
        for garbage in ["", "two words\n", &"x".repeat(300)] {
            fs::write(&path, garbage).unwrap();
            assert!(matches!(
                load_or_create(dir.path(), false),
                Err(InstanceSeedError::Unreadable(_))
            ));
            assert_eq!(fs::read_to_string(&path).unwrap(), garbage);
        }
        let stand_in = seed_for_run(Some(dir.path()), false);
        if !machine_seed().is_empty() {
            assert_eq!(stand_in, machine_seed());
        }
    }
}
