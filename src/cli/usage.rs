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
        bail!("--since takes a date as YYYY-MM-DD, not `{since}`");
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
            .context("writing")?;
    } else {
        writeln!(out, "{}", path.display()).context("writing")?;
        for (day, id, c) in counts.rows(since) {
            writeln!(
                out,
                "{day}  opened {:>4}  copied {:>4}  {id} {}",
                c.opened,
                c.copied_total(),
                title(id).unwrap_or("")
            )
            .context("writing")?;
        }
        if !setup.config.count_usage {
            writeln!(out, "(counting is off: count_usage: false in the config)")
                .context("writing")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
