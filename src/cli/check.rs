//! `huashu check`: every problem in the content, then a summary.

use std::io::Write;

use std::process::ExitCode;

use anyhow::Context as _;

use super::output::{Painter, exit_code, plural};
use crate::content::Loaded;

pub fn run(loaded: &Loaded, out: &mut impl Write, painter: Painter) -> anyhow::Result<ExitCode> {
    for d in &loaded.diagnostics {
        writeln!(out, "{}", painter.diagnostic(d)).context("writing the report")?;
    }
    let errors = loaded.error_count();
    writeln!(
        out,
        "{} in {}, {}, {}",
        plural(loaded.library.cards.len(), "card", "cards"),
        plural(loaded.file_count, "file", "files"),
        plural(errors, "error", "errors"),
        plural(loaded.warning_count(), "warning", "warnings"),
    )
    .context("writing the summary")?;
    Ok(exit_code(loaded))
}
