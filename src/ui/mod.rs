//! Placeholder while the window is being built.
pub fn run(_cli: &sipchat::cli::Cli) -> Result<(), sipchat::cli::CliError> {
    Ok(())
}
