//! `huashu list`: every card in chapter/section order, as text or JSON lines.

use std::io::Write;

use std::process::ExitCode;

use anyhow::Context as _;
use serde::Serialize;

use super::output::report_errors;
use crate::content::Loaded;
use crate::model::{Card, Library, Status};

/// One line of `list --json`.
#[derive(Debug, Serialize)]
struct CardLine<'a> {
    id: &'a str,
    title: &'a str,
    chapter: Option<&'a str>,
    section: Option<&'a str>,
    steps: usize,
    scripts: usize,
    status: Option<Status>,
    aliases: &'a [String],
    file: String,
    line: u32,
}

impl<'a> CardLine<'a> {
    fn new(library: &'a Library, card: &'a Card) -> Self {
        Self {
            id: card.id.as_str(),
            title: &card.title,
            chapter: library.chapter_of(card).title.as_deref(),
            section: library.section_of(card).title.as_deref(),
            steps: card.steps.len(),
            scripts: card.script_count(),
            status: card.meta.status,
            aliases: &card.aliases,
            file: library.file_of(card).display().to_string(),
            line: card.origin.line,
        }
    }
}

pub fn run(loaded: &Loaded, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let code = report_errors(loaded);
    let library = &loaded.library;
    let mut last_section = None;
    for card in &library.cards {
        if json {
            let line =
                serde_json::to_string(&CardLine::new(library, card)).context("无法生成 JSON")?;
            writeln!(out, "{line}")
        } else {
            if last_section != Some(card.section) {
                last_section = Some(card.section);
                let place = library.place(card);
                writeln!(
                    out,
                    "{}",
                    place.as_deref().unwrap_or(crate::model::OTHER_CARDS)
                )
                .context("无法输出结果")?;
            }
            let status = card
                .meta
                .status
                .map_or(String::new(), |s| format!("  [{}]", s.label()));
            writeln!(
                out,
                "  {:<28} {}  ({} 步, {} 话术){status}",
                card.id,
                card.title,
                card.steps.len(),
                card.script_count()
            )
        }
        .context("无法输出结果")?;
    }
    Ok(code)
}
