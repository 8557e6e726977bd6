//! `huashu usage [--misses | --flags] [--csv [-o FILE.csv]] [--since DATE]`:
//! what trainers learn from a counter.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::content::sources::Setup;
use crate::model::{CardId, Date, Library};
use crate::persist::usage_file;
use crate::search::Searcher;
use crate::usage::{Searched, Searches, Usage};

/// Which report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Report {
    /// Cards opened and scripts copied per day.
    Counts,
    /// What was searched and not found (needs `log_searches: true`).
    Misses,
    /// Cards flagged as wrong or outdated.
    Flags,
}

/// How to write it.
pub struct Output<'a> {
    pub csv: bool,
    /// The CSV goes to this file, as UTF-8 with a BOM (Excel on Chinese
    /// Windows reads BOM-less UTF-8 as GBK); else to stdout, plain UTF-8.
    pub file: Option<&'a Path>,
}

pub fn run(
    setup: &Setup,
    report: Report,
    output: &Output<'_>,
    since: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    if let Some(since) = since
        && since.parse::<Date>().is_err()
    {
        bail!("--since 后面要写 YYYY-MM-DD 格式的日期（例如 2026-11-01），而不是 `{since}`");
    }
    let data_dir = &setup.places.data_dir;
    // Titles as the content has them now.
    let library = setup.sources().load().loaded.library;
    let title = |id: &CardId| library.card(id).map(|c| c.title.as_str());
    let (text, notes) = match report {
        Report::Counts | Report::Flags => {
            let path = usage_file::path_in(data_dir);
            let (usage, message): (Usage, _) = usage_file::load(&path)?;
            if let Some(m) = message {
                eprintln!("huashu: warning: {m}");
            }
            if report == Report::Counts {
                let note = (!setup.config.count_usage)
                    .then(|| "（没有统计：配置文件里写了 count_usage: false）".to_owned());
                if output.csv {
                    (usage.csv(since, title), None)
                } else {
                    (counts_text(&usage, since, &path, &title), note)
                }
            } else if output.csv {
                (usage.flags_csv(since, title), None)
            } else {
                (flags_text(&usage, since, &path, &title), None)
            }
        }
        Report::Misses => {
            let path = usage_file::searches_in(data_dir);
            let (searches, message): (Searches, _) = usage_file::load(&path)?;
            if let Some(m) = message {
                eprintln!("huashu: warning: {m}");
            }
            let note = (!setup.config.log_searches).then(|| {
                "（不记录搜索：配置文件里没有写 log_searches: true；README 说明记录什么）"
                    .to_owned()
            });
            let gaps = gaps(&searches, since, &library);
            if output.csv {
                (misses_csv(&gaps, &title), None)
            } else {
                (misses_text(&gaps, &path, &title), note)
            }
        }
    };
    match output.file {
        Some(file) if output.csv => {
            let mut bytes = "\u{feff}".as_bytes().to_vec();
            bytes.extend_from_slice(text.as_bytes());
            crate::atomic::write(file, &bytes)
                .with_context(|| format!("无法写入 {}", file.display()))?;
            eprintln!(
                "已写入 {}（UTF-8 带 BOM，Excel 可以直接打开）",
                file.display()
            );
        }
        _ => out.write_all(text.as_bytes()).context("无法输出结果")?,
    }
    if let Some(note) = notes {
        writeln!(out, "{note}").context("无法输出结果")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn counts_text<'a>(
    usage: &Usage,
    since: Option<&str>,
    path: &Path,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) -> String {
    let mut text = format!("使用记录：{}\n", path.display());
    let mut any = false;
    for (day, id, c) in usage.rows(since) {
        any = true;
        let _ = writeln!(
            text,
            "{day}  打开 {:>4} 次  复制 {:>4} 次  {id} {}",
            c.opened,
            c.copied_total(),
            title(id).unwrap_or("")
        );
    }
    if !any {
        text.push_str("还没有记录\n");
    }
    text
}

fn flags_text<'a>(
    usage: &Usage,
    since: Option<&str>,
    path: &Path,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) -> String {
    let mut text = format!("标记为有误或过时的卡片：{}\n", path.display());
    let mut any = false;
    for (day, flag) in usage.flag_rows(since) {
        any = true;
        let reason = if flag.reason.is_empty() {
            "（没有写原因）"
        } else {
            flag.reason.as_str()
        };
        let _ = writeln!(
            text,
            "{day}  {} {}  {reason}",
            flag.card,
            title(&flag.card).unwrap_or("（这张卡片已经没有了）")
        );
    }
    if !any {
        text.push_str("还没有标记\n");
    }
    text
}

/// A query worth a trainer's look: never followed by a card, or followed
/// by a card the query itself does not find first (the alias it lacked).
struct Gap {
    searched: Searched,
    /// The query led to different cards: a general word, not one card's.
    general: Option<General>,
}

/// What a general word stands for.
struct General {
    /// The cards it led to.
    cards: Vec<CardId>,
    /// A word the queries that did find those cards share, for a synonym
    /// group with the query (`None` when they share none).
    word: Option<String>,
}

/// The search gaps from `since` on, most frequent first: queries after
/// which no card was opened, and queries whose card the current content
/// does not find for them (not first, or only partly).
fn gaps(log: &Searches, since: Option<&str>, library: &Library) -> Vec<Gap> {
    let mut searcher = Searcher::new(std::sync::Arc::new(library.clone()));
    let totals = log.totals(since);
    let mut finds = |query: &str, card: &CardId| {
        let results = searcher.search(query, 1);
        results
            .hits
            .first()
            .is_some_and(|h| !h.partial && library.cards.get(h.card).map(|c| &c.id) == Some(card))
    };
    let found: Vec<bool> = totals
        .iter()
        .map(|e| e.card.as_ref().is_some_and(|card| finds(&e.query, card)))
        .collect();
    let mut gaps: Vec<Gap> = Vec::new();
    for (e, done) in totals.iter().zip(&found) {
        if *done {
            continue;
        }
        let cards: Vec<CardId> = totals
            .iter()
            .filter(|o| o.query == e.query)
            .filter_map(|o| o.card.clone())
            .fold(Vec::new(), |mut all, c| {
                if !all.contains(&c) {
                    all.push(c);
                }
                all
            });
        let general = (cards.len() >= 2).then(|| General {
            word: shared_word(&searcher, &totals, &found, &cards),
            cards,
        });
        // A general word is said once, not per card.
        if general.is_some() && gaps.iter().any(|g| g.searched.query == e.query) {
            continue;
        }
        gaps.push(Gap {
            searched: e.clone(),
            general,
        });
    }
    gaps
}

/// A word of two or more characters that, for each of `cards`, some query
/// that did find it first contains: what the customers' general word
/// stood for.
fn shared_word(
    searcher: &Searcher,
    totals: &[Searched],
    found: &[bool],
    cards: &[CardId],
) -> Option<String> {
    let words_finding = |card: &CardId| -> Vec<String> {
        totals
            .iter()
            .zip(found)
            .filter(|(e, found)| **found && e.card.as_ref() == Some(card))
            .flat_map(|(e, _)| searcher.parse(&e.query).words)
            .filter(|w| w.chars.len() >= 2)
            .map(|w| w.text)
            .collect()
    };
    let (first, rest) = cards.split_first()?;
    let others: Vec<Vec<String>> = rest.iter().map(words_finding).collect();
    words_finding(first)
        .into_iter()
        .find(|w| others.iter().all(|o| o.contains(w)))
}

fn misses_text<'a>(
    gaps: &[Gap],
    path: &Path,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) -> String {
    let mut text = format!("搜索了但没有直接找到的：{}\n", path.display());
    if gaps.is_empty() {
        text.push_str("还没有记录\n");
    }
    let mut synonyms = Vec::new();
    for Gap { searched, general } in gaps {
        let query = &searched.query;
        let after = match (&searched.card, general) {
            (None, _) => "之后没有打开任何卡片".to_owned(),
            (Some(_), Some(general)) => {
                let titles: Vec<&str> = general
                    .cards
                    .iter()
                    .map(|c| title(c).unwrap_or(c.as_str()))
                    .collect();
                match &general.word {
                    Some(word) => {
                        synonyms.push(format!("[\"{query}\", \"{word}\"],"));
                        format!(
                            "之后打开过 {} 张不同的卡片（{}）：是个通用词，和“{word}”意思相同，可以加为同义词（见下）",
                            general.cards.len(),
                            titles.join("、")
                        )
                    }
                    None => format!(
                        "之后打开过 {} 张不同的卡片（{}）：是个通用词，不适合做某一张卡片的别名",
                        general.cards.len(),
                        titles.join("、")
                    ),
                }
            }
            (Some(card), None) => format!(
                "之后打开了 {card} {}：可以把“{query}”加为它的别名",
                title(card).unwrap_or("")
            ),
        };
        let _ = writeln!(text, "{:>4} 次  “{query}”  {after}", searched.count);
    }
    if !synonyms.is_empty() {
        text.push_str("\n可以加到同义词文件（例如 data/synonyms.ron）的 groups 里的行：\n");
        for line in synonyms {
            let _ = writeln!(text, "        {line}");
        }
    }
    text
}

fn misses_csv<'a>(gaps: &[Gap], title: &impl Fn(&CardId) -> Option<&'a str>) -> String {
    let mut text = String::from("query,count,card_id,title\n");
    for Gap { searched, .. } in gaps {
        let card = searched.card.as_ref();
        let _ = writeln!(
            text,
            "{},{},{},{}",
            crate::usage::csv_field(&searched.query),
            searched.count,
            card.map_or("", CardId::as_str),
            crate::usage::csv_field(card.and_then(title).unwrap_or(""))
        );
    }
    text
}
