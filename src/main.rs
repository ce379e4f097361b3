//! The `radar` command: serve (default), migrate, admin bootstrap, demo.

use clap::Parser;

/// mimalloc instead of glibc's malloc: request handling allocates many small short-lived buffers
/// across worker threads, where glibc's arenas cost a fifth of the server's CPU in profiles.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
