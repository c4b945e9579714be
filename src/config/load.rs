//! Loading the configuration as the window and the commands do: resolve the
//! paths (flags, then environment, then the platform's directories), then
//! read the file, or write the commented example on first run.

use std::path::PathBuf;

use super::{Config, ConfigError};
use crate::paths::Paths;

/// Where to look, as the user asked (`--config FILE`, `--data-dir DIR`);
/// `None` leaves the choice to the environment and the platform.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The configuration file named on the command line.
    pub config_file: Option<PathBuf>,
    /// The data directory named on the command line.
    pub data_dir: Option<PathBuf>,
}

/// A loaded configuration and the paths it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// Where the configuration file and the data directory are.
    pub paths: Paths,
    /// The example configuration written on this first run, if one was.
    pub example_written: Option<PathBuf>,
}

impl Loaded {
    /// What to tell the user about this load, if anything (that an example
    /// configuration was written, and where).
    pub fn notice(&self) -> Option<String> {
        self.example_written
            .as_ref()
            .map(|path| format!("wrote an example configuration to {}", path.display()))
    }
}

/// Resolves the paths and loads the configuration, writing the example
/// configuration when there is none yet ([`Config::load_or_init`]).
pub fn load(options: &LoadOptions) -> Result<Loaded, ConfigError> {
    let paths = Paths::resolve(options.config_file.clone(), options.data_dir.clone())?;
    let (config, example_written) = Config::load_or_init(&paths)?;
    Ok(Loaded {
        config,
        paths,
        example_written,
    })
}
