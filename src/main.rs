//! The `radar` command: serve (default), migrate, admin bootstrap, demo.

use clap::Parser;

// The allocator stays glibc's: mimalloc and jemalloc cut M10's server CPU by ~8% but round
// socket buffers up to coarser size classes, raising idle websocket RSS from 15.9 to 16.5 (jemalloc)
// or 23.7 KiB (mimalloc) per socket, over the 16 KiB target (load-tests/RESULTS.md).

fn main() -> std::process::ExitCode {
    let cli = radar::cli::Cli::parse();
    // The embedded cluster is stopped after the runtime ends: its tasks, and the database
    // connections they hold, are gone by then.
    let result = actix_web::rt::System::new()
        .block_on(radar::cli::run(cli))
        .and_then(radar::startup::stop_embedded);
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("radar: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
