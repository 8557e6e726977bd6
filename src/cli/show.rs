//! `huashu show ID|QUERY [--json]`: one card in the terminal, as the
//! window shows it — where it is, 场景再现, the numbered steps with their
//! scripts (numbered as Alt+1…9 copies them, fill-ins at their first
//! value), 作者观点 and the related cards.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;

use super::output::report_errors;
use crate::content::Loaded;
use crate::model::{Card, CardId, Library, Status};
use crate::search::Searcher;

/// `show --json`: the card.
#[derive(Debug, Serialize)]
struct CardJson<'a> {
    id: &'a str,
    title: &'a str,
    chapter: Option<&'a str>,
    section: Option<&'a str>,
    aliases: &'a [String],
    scene: &'a [String],
    steps: Vec<StepJson<'a>>,
    view: &'a [String],
    links: Vec<LinkJson<'a>>,
    status: Option<Status>,
    note: Option<&'a str>,
    file: String,
    line: u32,
}

#[derive(Debug, Serialize)]
struct StepJson<'a> {
    action: &'a str,
    /// As copied, fill-ins at their first value.
    scripts: Vec<String>,
}

#[derive(Debug, Serialize)]
struct LinkJson<'a> {
    to: &'a str,
    title: Option<&'a str>,
    why: &'a str,
}

pub fn run(
    loaded: Loaded,
    wanted: &str,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let code = report_errors(&loaded);
    let library = Arc::new(loaded.library);
    let by_id = CardId::parse(wanted.trim())
        .ok()
        .and_then(|id| library.index_of(&id));
    let card = if let Some(card) = by_id {
        card
    } else {
        let results = Searcher::new(library.clone()).search(wanted, 1);
        let Some(hit) = results.hits.first() else {
            eprintln!("huashu: 没有找到“{wanted}”：既不是卡片的 id，也搜不到卡片");
            return Ok(ExitCode::FAILURE);
        };
        if hit.partial {
            eprintln!("huashu: 没有卡片包含“{wanted}”的全部词，显示最接近的一张");
        }
        hit.card
    };
    let card = &library.cards[card];
    let text = if json {
        let mut line =
            serde_json::to_string(&card_json(&library, card)).context("无法生成 JSON")?;
        line.push('\n');
        line
    } else {
        card_text(&library, card)
    };
    out.write_all(text.as_bytes()).context("无法输出结果")?;
    Ok(code)
}

fn card_json<'a>(library: &'a Library, card: &'a Card) -> CardJson<'a> {
    CardJson {
        id: card.id.as_str(),
        title: &card.title,
        chapter: library.chapter_of(card).title.as_deref(),
        section: library.section_of(card).title.as_deref(),
        aliases: &card.aliases,
        scene: &card.scene,
        steps: card
            .steps
            .iter()
            .map(|s| StepJson {
                action: &s.action,
                scripts: s
                    .scripts
                    .iter()
                    .map(|t| t.default_text(&card.fields))
                    .collect(),
            })
            .collect(),
        view: &card.view,
        links: card
            .links
            .iter()
            .map(|l| LinkJson {
                to: l.to.as_str(),
                title: library.card(&l.to).map(|c| c.title.as_str()),
                why: &l.why,
            })
            .collect(),
        status: card.meta.status,
        note: card.meta.note.as_deref(),
        file: library.file_of(card).display().to_string(),
        line: card.origin.line,
    }
}

fn card_text(library: &Library, card: &Card) -> String {
    let mut out = format!("{}  ({})\n", card.title, card.id.as_str());
    if let Some(place) = library.place(card) {
        let _ = writeln!(out, "{place}");
    }
    if let Some(status) = card.meta.status {
        let _ = writeln!(
            out,
            "[{}] {}",
            status.label(),
            card.meta.note.as_deref().unwrap_or("")
        );
    }
    if !card.aliases.is_empty() {
        let _ = writeln!(out, "别名：{}", card.aliases.join("、"));
    }
    if !card.scene.is_empty() {
        out.push_str("\n场景再现\n");
        for p in &card.scene {
            let _ = writeln!(out, "  {p}");
        }
    }
    out.push_str("\n解决方案\n");
    let mut script = 0;
    for (n, step) in card.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {}", n + 1, step.action);
        for s in &step.scripts {
            script += 1;
            let _ = writeln!(out, "     话术 {script}：{}", s.default_text(&card.fields));
        }
    }
    if !card.view.is_empty() {
        out.push_str("\n作者观点\n");
        for p in &card.view {
            let _ = writeln!(out, "  {p}");
        }
    }
    if !card.links.is_empty() {
        out.push_str("\n相关卡片\n");
        for link in &card.links {
            let title = library
                .card(&link.to)
                .map_or("（找不到这张卡片）", |c| c.title.as_str());
            let why = if link.why.is_empty() {
                String::new()
            } else {
                format!("：{}", link.why)
            };
            let _ = writeln!(out, "  {title}（{}）{why}", link.to.as_str());
        }
    }
    out
}
