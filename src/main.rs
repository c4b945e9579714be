//! The `sipchat` binary: the window by default, headless commands otherwise.

#[cfg(feature = "gui")]
mod ui;

use clap::Parser;
use sipchat::cli::{self, Cli};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("SIPCHAT_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => run_window(&cli),
    };
    match result {
        Ok(()) => ExitCode::from(cli::EXIT_OK),
        Err(e) => {
            eprintln!("sipchat: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(feature = "gui")]
fn run_window(cli: &Cli) -> Result<(), cli::CliError> {
    let open = cli.open.as_deref().map(cli::open::open_address).transpose()?;
    ui::run(cli, open).map_err(|e| cli::CliError::Usage(e.to_string()))
}

#[cfg(not(feature = "gui"))]
fn run_window(_cli: &Cli) -> Result<(), cli::CliError> {
    Err(cli::CliError::Usage(
        "this build has no window (built without the \"gui\" feature); use a command such as `sipchat listen`".into(),
    ))
}
