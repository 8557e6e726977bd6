//! `huashu sources`: each content source, its state and what it gave.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;

use super::output::plural;
use crate::content::sources::{Setup, SourceReport, SourceState};

pub fn run(setup: &Setup, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let loaded = setup.sources().load();
    let config = setup
        .config_file
        .as_ref()
        .map_or_else(|| "none (defaults)".to_owned(), |p| p.display().to_string());
    writeln!(out, "content: {}", setup.chosen).context("writing")?;
    writeln!(out, "config: {config}").context("writing")?;
    writeln!(out, "cache:  {}", setup.places.cache_dir.display()).context("writing")?;
    for (n, report) in loaded.reports.iter().enumerate() {
        writeln!(out, "{}. {}", n + 1, line(report)).context("writing")?;
    }
    writeln!(
        out,
        "{} shown, {}",
        plural(loaded.loaded.library.cards.len(), "card", "cards"),
        plural(loaded.loaded.error_count(), "error", "errors")
    )
    .context("writing")?;
    // Unreachable sources are not an error while a cache covers them.
    let failed = loaded
        .reports
        .iter()
        .any(|r| r.state != SourceState::Ok && r.using_cache.is_none());
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `central  \\server\share  unreachable (…); using cache from …, 2000 cards`.
fn line(r: &SourceReport) -> String {
    let dirs: Vec<String> = r
        .spec
        .dirs()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let place = if dirs.is_empty() {
        "(built in)".to_owned()
    } else {
        dirs.join(" + ")
    };
    let state = match &r.state {
        SourceState::Ok => "ok".to_owned(),
        SourceState::Unreachable(why) => format!("unreachable ({why})"),
        SourceState::Broken(n) => format!("broken ({})", plural(*n, "error", "errors")),
    };
    let cache = match (&r.using_cache, r.cache_refreshed) {
        (Some(when), _) => format!("; using cache from {when}"),
        (None, true) => "; cache refreshed".to_owned(),
        (None, false) => String::new(),
    };
    format!(
        "{:<8} {place}  {state}{cache}, {} from {}",
        r.spec.kind(),
        plural(r.cards, "card", "cards"),
        plural(r.files, "file", "files")
    )
}
