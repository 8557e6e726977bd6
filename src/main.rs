//! Entry point: a subcommand runs the CLI, no subcommand opens the window.

// A GUI program on Windows: no console window at the counter (the CLI
// attaches to the console it was started from, see `huashu::console`).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser as _;
use huashu::cli::{self, Cli};

// Building the search index allocates many small buffers on two threads;
// mimalloc does that about a third faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    huashu::console::attach_parent_console();
    match try_main() {
        Ok(code) => code,
        // `huashu list | head`: the reader has what it wanted.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("huashu: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> anyhow::Result<ExitCode> {
    let args = Cli::parse();
    match &args.command {
        Some(command) => {
            // Warnings of the command line go to stderr; its output is its own.
            let _log = huashu::persist::log::to_stderr();
            cli::run(command, &args)
        }
        None => Ok(open_window(&args)),
    }
}

#[cfg(feature = "gui")]
fn open_window(args: &Cli) -> ExitCode {
    // The window logs to a file IT can read (and stderr, when there is one).
    let dir = huashu::content::sources::Places::platform().data_dir;
    let log = huashu::persist::log::to_file(&dir);
    match &log {
        Ok(_) => log::info!("huashu {} starting", env!("CARGO_PKG_VERSION")),
        Err(e) => eprintln!("huashu: warning: no log file in {}: {e}", dir.display()),
    }
    match huashu::ui::run_window(&args.data, &args.local, args.config.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e:#}");
            let file = huashu::persist::log::current_file(&dir);
            huashu::console::show_error(&format!("{e:#}\n\n日志：{}", file.display()));
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(_: &Cli) -> ExitCode {
    eprintln!(
        "huashu: error: this build has no window (built without the `gui` feature); use a subcommand"
    );
    ExitCode::from(2)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
