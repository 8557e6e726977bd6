//! `huashu usage [--csv] [--since DATE]`: the counts for trainers.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::content::sources::Setup;
use crate::model::Date;
use crate::persist::usage_file;

pub fn run(
    setup: &Setup,
    csv: bool,
    since: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    if let Some(since) = since
        && since.parse::<Date>().is_err()
    {
        bail!("--since 后面要写 YYYY-MM-DD 格式的日期（例如 2026-11-01），而不是 `{since}`");
    }
    let path = usage_file::path_in(&setup.places.data_dir);
    let (counts, message) = usage_file::load(&path)?;
    if let Some(m) = message {
        eprintln!("huashu: warning: {m}");
    }
    // Titles as the content has them now.
    let library = setup.sources().load().loaded.library;
    let title = |id: &crate::model::CardId| library.card(id).map(|c| c.title.as_str());
    if csv {
        out.write_all(counts.csv(since, title).as_bytes())
            .context("无法输出结果")?;
    } else {
        writeln!(out, "使用记录：{}", path.display()).context("无法输出结果")?;
        let mut rows = counts.rows(since).peekable();
        if rows.peek().is_none() {
            writeln!(out, "还没有记录").context("无法输出结果")?;
        }
        for (day, id, c) in rows {
            writeln!(
                out,
                "{day}  打开 {:>4} 次  复制 {:>4} 次  {id} {}",
                c.opened,
                c.copied_total(),
                title(id).unwrap_or("")
            )
            .context("无法输出结果")?;
        }
        if !setup.config.count_usage {
            writeln!(out, "（没有统计：配置文件里写了 count_usage: false）")
                .context("无法输出结果")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
