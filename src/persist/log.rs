//! The log IT can read: `huashu_rCURRENT.log` in the app's data directory
//! (older ones `huashu_r00000.log`, …), at most 1 MiB each, the newest
//! three kept; warnings and errors also go to stderr when there is one.
//! The command line logs to stderr only.

use std::path::{Path, PathBuf};

use flexi_logger::{
    Cleanup, Criterion, Duplicate, FileSpec, FlexiLoggerError, Logger, LoggerHandle, Naming,
    WriteMode,
};

/// Largest log file before it is rotated.
pub const MAX_BYTES: u64 = 1 << 20;
/// Rotated files kept besides the current one.
pub const KEEP: usize = 3;

/// The file being written in `dir`.
pub fn current_file(dir: &Path) -> PathBuf {
    dir.join("huashu_rCURRENT.log")
}

/// Logs info and above to the file in `dir` (or what `RUST_LOG` asks for,
/// e.g. `huashu=debug`: each command the window gives, never what was
/// typed), warnings also to stderr. Keep the handle for the life of the
/// program.
pub fn to_file(dir: &Path) -> Result<LoggerHandle, FlexiLoggerError> {
    Logger::try_with_env_or_str("info")?
        .log_to_file(
            FileSpec::default()
                .directory(dir)
                .basename("huashu")
                .suffix("log"),
        )
        .rotate(
            Criterion::Size(MAX_BYTES),
            Naming::Numbers,
            Cleanup::KeepLogFiles(KEEP),
        )
        .append()
        // Each line written as it comes: no flusher thread waking up.
        .write_mode(WriteMode::Direct)
        .format_for_files(flexi_logger::detailed_format)
        .duplicate_to_stderr(Duplicate::Warn)
        .start()
}

/// Logs warnings and errors to stderr (the command line).
pub fn to_stderr() -> Result<LoggerHandle, FlexiLoggerError> {
    Logger::try_with_str("warn")?.log_to_stderr().start()
}
