//! `huashu check`: every problem in the content, then a summary.

use std::io::Write;

use std::process::ExitCode;

use anyhow::Context as _;

use super::output::{Painter, exit_code};
use crate::content::Loaded;

pub fn run(loaded: &Loaded, out: &mut impl Write, painter: Painter) -> anyhow::Result<ExitCode> {
    for d in &loaded.diagnostics {
        writeln!(out, "{}", painter.diagnostic(d)).context("无法输出结果")?;
    }
    let errors = loaded.error_count();
    writeln!(
        out,
        "{} 张卡片，{} 个文件，{} 个错误，{} 个提示",
        loaded.library.cards.len(),
        loaded.file_count,
        errors,
        loaded.warning_count(),
    )
    .context("无法输出结果")?;
    Ok(exit_code(loaded))
}
