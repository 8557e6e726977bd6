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
        Some(command) => cli::run(command, &args),
        None => open_window(&args),
    }
}

#[cfg(feature = "gui")]
fn open_window(args: &Cli) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    huashu::ui::run_window(&args.data, args.config.as_deref())
        .context("opening the window")
        .map(|()| ExitCode::SUCCESS)
}

#[cfg(not(feature = "gui"))]
fn open_window(_: &Cli) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this build has no window (built without the `gui` feature); use a subcommand")
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
