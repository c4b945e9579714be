//! Where sipchat keeps its configuration file and its data.
//!
//! Each location is chosen by the first of these that is set:
//!
//! 1. the command-line flag (`--config FILE`, `--data-dir DIR`),
//! 2. the environment (`SIPCHAT_CONFIG`, `SIPCHAT_DATA_DIR`; an empty value counts as unset),
//! 3. the platform's per-user directories (on Linux the XDG base directories:
//!    `$XDG_CONFIG_HOME/sipchat/config.ron` and `$XDG_DATA_HOME/sipchat`).

use std::ffi::OsString;
use std::path::PathBuf;

/// Qualifier part of the application identity, as `directories::ProjectDirs` wants it.
pub const APP_QUALIFIER: &str = "org";
/// Organization part of the application identity.
pub const APP_ORG: &str = "sipchat";
/// Application name part of the application identity.
pub const APP: &str = "sipchat";
/// Reverse-DNS application id (desktop file name, Wayland app id, window class).
pub const APP_ID: &str = "org.sipchat.Sipchat";

/// Environment variable that names the configuration file.
pub const ENV_CONFIG: &str = "SIPCHAT_CONFIG";
/// Environment variable that names the data directory.
pub const ENV_DATA_DIR: &str = "SIPCHAT_DATA_DIR";
/// File name of the configuration file inside the default configuration directory.
pub const CONFIG_FILE_NAME: &str = "config.ron";
/// File in the data directory holding our MSRP TLS certificate and its key
/// (PEM, mode 0600), made at the first start and kept so peers can pin it.
pub const MSRP_CERTIFICATE_FILE_NAME: &str = "msrp-certificate.pem";

/// Why the locations could not be determined.
#[derive(Debug, thiserror::Error)]
pub enum PathsError {
    /// No flag or environment variable was given and the platform has no home directory
    /// from which the default location could be derived.
    #[error(
        "cannot find a home directory to derive the default {what} from; \
         set {env} or pass {flag}"
    )]
    NoHomeDir {
        /// What was being looked for ("configuration file" or "data directory").
        what: &'static str,
        /// The environment variable that would have named it.
        env: &'static str,
        /// The command-line flag that would have named it.
        flag: &'static str,
    },
    /// A command-line flag was given an empty path.
    #[error("{flag} was given an empty path")]
    EmptyFlag {
        /// The flag, e.g. `--config`.
        flag: &'static str,
    },
}

/// The resolved locations of the configuration file and the data directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The configuration file (RON); it may not exist yet.
    pub config_file: PathBuf,
    /// The directory for history, downloads and other state; it may not exist yet.
    pub data_dir: PathBuf,
    /// True when the configuration file was named by a flag or the environment rather
    /// than being the default location. A missing explicit file is an error, a missing
    /// default file is created from the example.
    pub config_explicit: bool,
}

impl Paths {
    /// Resolves the locations from the flags, the process environment and the
    /// platform defaults, in that order of precedence.
    pub fn resolve(
        config_flag: Option<PathBuf>,
        data_dir_flag: Option<PathBuf>,
    ) -> Result<Paths, PathsError> {
        Self::resolve_with_env(config_flag, data_dir_flag, |name| std::env::var_os(name))
    }

    /// Like [`Paths::resolve`], but reads environment variables through `env`, so that
    /// tests can supply a fake environment.
    pub fn resolve_with_env(
        config_flag: Option<PathBuf>,
        data_dir_flag: Option<PathBuf>,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Paths, PathsError> {
        let config_override = explicit(config_flag, "--config", ENV_CONFIG, &env)?;
        let data_override = explicit(data_dir_flag, "--data-dir", ENV_DATA_DIR, &env)?;

        // Only consult the platform when a default is actually needed, so that fully
        // explicit setups work even without a home directory.
        let project_dirs = || directories::ProjectDirs::from(APP_QUALIFIER, APP_ORG, APP);

        let config_explicit = config_override.is_some();
        let config_file = match config_override {
            Some(path) => path,
            None => project_dirs()
                .ok_or(PathsError::NoHomeDir {
                    what: "configuration file",
                    env: ENV_CONFIG,
                    flag: "--config",
                })?
                .config_dir()
                .join(CONFIG_FILE_NAME),
        };
        let data_dir = match data_override {
            Some(path) => path,
            None => project_dirs()
                .ok_or(PathsError::NoHomeDir {
                    what: "data directory",
                    env: ENV_DATA_DIR,
                    flag: "--data-dir",
                })?
                .data_dir()
                .to_path_buf(),
        };

        tracing::debug!(
            config_file = %config_file.display(),
            data_dir = %data_dir.display(),
            config_explicit,
            "resolved paths"
        );
        Ok(Paths {
            config_file,
            data_dir,
            config_explicit,
        })
    }
}

/// The path given by the flag, else by the environment variable, else `None`.
fn explicit(
    flag_value: Option<PathBuf>,
    flag: &'static str,
    var: &str,
    env: &impl Fn(&str) -> Option<OsString>,
) -> Result<Option<PathBuf>, PathsError> {
    if let Some(path) = flag_value {
        if path.as_os_str().is_empty() {
            return Err(PathsError::EmptyFlag { flag });
        }
        return Ok(Some(path));
    }
    Ok(env(var).filter(|v| !v.is_empty()).map(PathBuf::from))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn fake_env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn flags_beat_environment() {
        let env = fake_env(&[(ENV_CONFIG, "/env/config.ron"), (ENV_DATA_DIR, "/env/data")]);
        let paths = Paths::resolve_with_env(
            Some(PathBuf::from("/flag/config.ron")),
            Some(PathBuf::from("/flag/data")),
            env,
        )
        .unwrap();
        assert_eq!(paths.config_file, PathBuf::from("/flag/config.ron"));
        assert_eq!(paths.data_dir, PathBuf::from("/flag/data"));
        assert!(paths.config_explicit);
    }

    #[test]
    fn environment_beats_defaults() {
        let env = fake_env(&[(ENV_CONFIG, "/env/config.ron"), (ENV_DATA_DIR, "/env/data")]);
        let paths = Paths::resolve_with_env(None, None, env).unwrap();
        assert_eq!(paths.config_file, PathBuf::from("/env/config.ron"));
        assert_eq!(paths.data_dir, PathBuf::from("/env/data"));
        assert!(paths.config_explicit);
    }

    #[test]
    fn flag_and_environment_mix_per_path() {
        let env = fake_env(&[(ENV_DATA_DIR, "/env/data")]);
        let paths = Paths::resolve_with_env(Some(PathBuf::from("rel/config.ron")), None, env).unwrap();
        assert_eq!(paths.config_file, PathBuf::from("rel/config.ron"));
        assert_eq!(paths.data_dir, PathBuf::from("/env/data"));
        assert!(paths.config_explicit);
    }

    #[test]
    fn defaults_come_from_project_dirs() {
        let Some(dirs) = directories::ProjectDirs::from(APP_QUALIFIER, APP_ORG, APP) else {
            // No home directory in this environment: the error path is tested below.
            return;
        };
        let paths = Paths::resolve_with_env(None, None, fake_env(&[])).unwrap();
        assert_eq!(paths.config_file, dirs.config_dir().join("config.ron"));
        assert_eq!(paths.data_dir, dirs.data_dir());
        assert!(paths.config_file.ends_with("sipchat/config.ron"));
        assert!(!paths.config_explicit);
    }

    #[test]
    fn empty_environment_value_counts_as_unset() {
        let env = fake_env(&[(ENV_CONFIG, ""), (ENV_DATA_DIR, "/env/data")]);
        match Paths::resolve_with_env(None, None, env) {
            Ok(paths) => {
                assert!(!paths.config_explicit);
                assert!(paths.config_file.ends_with("config.ron"));
            }
            Err(e) => assert!(matches!(e, PathsError::NoHomeDir { .. })),
        }
    }

    #[test]
    fn empty_flag_is_an_error() {
        let err = Paths::resolve_with_env(Some(PathBuf::new()), None, fake_env(&[])).unwrap_err();
        assert_eq!(err.to_string(), "--config was given an empty path");
    }
}
