//! The `radar` command: serve (default), migrate, admin bootstrap, demo.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = radar::cli::Cli::parse();
    radar::cli::init_tracing();
    let result = actix_web::rt::System::new().block_on(radar::cli::run(cli));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("radar: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
