//! `huashu usage [--misses | --flags] [--csv [-o FILE.csv]] [--since DATE]
//! [--from DIR… [--counter NAME] [--branch NAME]]`: what trainers learn
//! from a counter, or from every counter's reports on the share.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::content::sources::Setup;
use crate::hash::FnvMap;
use crate::model::{CardId, Date, Library};
use crate::persist::report::{self, DayReport, Reporter};
use crate::persist::usage_file;
use crate::search::Searcher;
use crate::usage::{Flag, Searched, Searches, Usage, csv_field};

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

/// Which days: from when, and with `--from`, whose.
pub struct Scope<'a> {
    pub since: Option<&'a str>,
    /// The reports share (or several counters' folders); empty: this
    /// computer's own files.
    pub from: &'a [PathBuf],
    pub counter: Option<&'a str>,
    pub branch: Option<&'a str>,
}

/// What this computer calls itself in its own report.
const THIS_COMPUTER: &str = "本机";

/// The days to report on, where they come from (said in the heading), and
/// whether they are the network's.
pub(super) fn days_in_scope(
    setup: &Setup,
    report: Report,
    scope: &Scope<'_>,
    parts: report::Parts,
) -> anyhow::Result<(Vec<DayReport>, String)> {
    let (days, place) = if scope.from.is_empty() {
        let data_dir = &setup.places.data_dir;
        let (usage_path, searches_path) = (
            usage_file::path_in(data_dir),
            usage_file::searches_in(data_dir),
        );
        let (usage, message): (Usage, _) = usage_file::load(&usage_path)?;
        let (searches, message2): (Searches, _) = usage_file::load(&searches_path)?;
        for m in message.into_iter().chain(message2) {
            eprintln!("huashu: warning: {m}");
        }
        let place = if report == Report::Misses {
            searches_path
        } else {
            usage_path
        };
        let me = Reporter::new(Some(THIS_COMPUTER), None);
        (me.days(&usage, &searches), place.display().to_string())
    } else {
        let gathered = report::gather_parts(scope.from, parts);
        for w in &gathered.warnings {
            eprintln!("huashu: warning: {w}");
        }
        let place: Vec<String> = scope.from.iter().map(|p| p.display().to_string()).collect();
        (gathered.days, place.join("、"))
    };
    let days: Vec<DayReport> = days
        .into_iter()
        .filter(|d| scope.since.is_none_or(|s| d.day.as_str() >= s))
        .filter(|d| scope.counter.is_none_or(|c| d.counter == c))
        .filter(|d| scope.branch.is_none_or(|b| d.branch.as_deref() == Some(b)))
        .collect();
    let counters: BTreeSet<&str> = days.iter().map(|d| d.counter.as_str()).collect();
    let place = if scope.from.is_empty() {
        place
    } else {
        format!("{place}（{} 个柜台）", counters.len())
    };
    Ok((days, place))
}

pub fn run(
    setup: &Setup,
    report: Report,
    output: &Output<'_>,
    scope: &Scope<'_>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    if let Some(since) = scope.since
        && since.parse::<Date>().is_err()
    {
        bail!("--since 后面要写 YYYY-MM-DD 格式的日期（例如 2026-11-01），而不是 `{since}`");
    }
    // Titles as the content has them now.
    let library = setup.sources().load().loaded.library;
    let title = |id: &CardId| library.card(id).map(|c| c.title.as_str());
    // Only what this report reads is built from a network's files.
    let parts = report::Parts {
        cards: report == Report::Counts,
        searches: report == Report::Misses,
    };
    let (days, place) = days_in_scope(setup, report, scope, parts)?;
    let network = !scope.from.is_empty();
    let (text, notes) = match report {
        Report::Counts => {
            let usage = merged_usage(&days);
            let note = (!network && !setup.config.count_usage)
                .then(|| "（没有统计：配置文件里写了 count_usage: false）".to_owned());
            if output.csv {
                (usage.csv(None, title), None)
            } else {
                (counts_text(&usage, &place, &title), note)
            }
        }
        Report::Flags => {
            let flags = flag_rows(&days);
            if output.csv {
                (flags_csv(&flags, title), None)
            } else {
                (flags_text(&flags, &place, network, &title), None)
            }
        }
        Report::Misses => {
            let note = (!network && !setup.config.log_searches).then(|| {
                "（不记录搜索：配置文件里没有写 log_searches: true；README.md 的“What leaves a counter”说明记录什么）"
                    .to_owned()
            });
            let seen = seen(&days);
            let gaps = gaps(&seen, &library);
            if output.csv {
                (misses_csv(&gaps, &title), None)
            } else {
                (misses_text(&gaps, &place, &title), note)
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

/// Every day's counts added up (cards opened, scripts copied).
pub(super) fn merged_usage(days: &[DayReport]) -> Usage {
    let mut usage = Usage::default();
    for d in days {
        let mut one = Usage::default();
        one.days.insert(d.day.clone(), d.cards.clone());
        usage.add(&one);
    }
    usage
}

/// A flag with where and when it was raised.
pub(super) struct FlagRow<'a> {
    pub day: &'a str,
    pub counter: &'a str,
    pub branch: Option<&'a str>,
    pub flag: &'a Flag,
}

/// The flags, by day then counter.
pub(super) fn flag_rows(days: &[DayReport]) -> Vec<FlagRow<'_>> {
    let mut rows: Vec<FlagRow<'_>> = days
        .iter()
        .flat_map(|d| {
            d.flags.iter().map(move |flag| FlagRow {
                day: &d.day,
                counter: &d.counter,
                branch: d.branch.as_deref(),
                flag,
            })
        })
        .collect();
    rows.sort_by(|a, b| (a.day, a.counter).cmp(&(b.day, b.counter)));
    rows
}

fn flags_csv<'a>(rows: &[FlagRow<'_>], title: impl Fn(&CardId) -> Option<&'a str>) -> String {
    let mut out = String::from("day,counter,branch,card_id,title,reason\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            r.day,
            csv_field(r.counter),
            csv_field(r.branch.unwrap_or("")),
            csv_field(r.flag.card.as_str()),
            csv_field(title(&r.flag.card).unwrap_or("")),
            csv_field(&r.flag.reason)
        );
    }
    out
}

/// A query and the card opened after it (or none), over every day and
/// counter read.
pub(super) struct Seen {
    pub searched: Searched,
    pub counters: BTreeSet<String>,
    pub days: BTreeSet<String>,
}

impl Seen {
    /// Seen at two counters or on two days: not one person's slip.
    pub fn recurs(&self) -> bool {
        self.counters.len() >= 2 || self.days.len() >= 2
    }
}

/// Each (query, card) with its count and where and when it was seen; the
/// most counters first, then the most days, then the most times.
pub(super) fn seen(days: &[DayReport]) -> Vec<Seen> {
    /// Counted on borrowed keys and small numbers: a network's days hold
    /// millions of entries.
    #[derive(Default)]
    struct Tally {
        count: u32,
        /// Distinct counters and days, a bit each.
        counters: Vec<u64>,
        days: Vec<u64>,
    }
    fn set(bits: &mut Vec<u64>, n: usize) {
        if bits.len() <= n / 64 {
            bits.resize(n / 64 + 1, 0);
        }
        bits[n / 64] |= 1 << (n % 64);
    }
    fn each(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
        (0..bits.len() * 64).filter(|n| bits[n / 64] & (1 << (n % 64)) != 0)
    }
    let mut counter_ids: FnvMap<&str, u32> = FnvMap::default();
    let mut day_ids: FnvMap<&str, u32> = FnvMap::default();
    let mut all: FnvMap<&str, FnvMap<Option<&CardId>, Tally>> = FnvMap::default();
    for d in days {
        let next = u32::try_from(counter_ids.len()).unwrap_or(u32::MAX);
        let counter = *counter_ids.entry(d.counter.as_str()).or_insert(next) as usize;
        let next = u32::try_from(day_ids.len()).unwrap_or(u32::MAX);
        let day = *day_ids.entry(d.day.as_str()).or_insert(next) as usize;
        for s in &d.searches {
            let t = all
                .entry(s.query.as_str())
                .or_default()
                .entry(s.card.as_ref())
                .or_default();
            t.count = t.count.saturating_add(s.count);
            set(&mut t.counters, counter);
            set(&mut t.days, day);
        }
    }
    let names = |ids: &FnvMap<&str, u32>| -> Vec<String> {
        let mut names = vec![String::new(); ids.len()];
        for (name, id) in ids {
            (*name).clone_into(&mut names[*id as usize]);
        }
        names
    };
    let (counter_names, day_names) = (names(&counter_ids), names(&day_ids));
    let mut seen: Vec<Seen> = all
        .into_iter()
        .flat_map(|(query, cards)| {
            cards.into_iter().map(|(card, t)| Seen {
                searched: Searched {
                    query: query.to_owned(),
                    card: card.cloned(),
                    count: t.count,
                },
                counters: each(&t.counters)
                    .map(|c| counter_names[c].clone())
                    .collect(),
                days: each(&t.days).map(|d| day_names[d].clone()).collect(),
            })
        })
        .collect();
    seen.sort_by(|a, b| {
        (b.counters.len(), b.days.len(), b.searched.count)
            .cmp(&(a.counters.len(), a.days.len(), a.searched.count))
            .then_with(|| a.searched.query.cmp(&b.searched.query))
            .then_with(|| a.searched.card.cmp(&b.searched.card))
    });
    seen
}

fn counts_text<'a>(
    usage: &Usage,
    place: &str,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) -> String {
    let mut text = format!("使用记录：{place}\n");
    let mut any = false;
    for (day, id, c) in usage.rows(None) {
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
    rows: &[FlagRow<'_>],
    place: &str,
    network: bool,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) -> String {
    let mut text = format!("标记为有误或过时的卡片：{place}\n");
    for r in rows {
        let reason = if r.flag.reason.is_empty() {
            "（没有写原因）"
        } else {
            r.flag.reason.as_str()
        };
        let at = if network {
            format!(
                "  {}",
                r.branch
                    .map_or_else(|| r.counter.to_owned(), |b| format!("{b} {}", r.counter))
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "{}{at}  {} {}  {reason}",
            r.day,
            r.flag.card,
            title(&r.flag.card).unwrap_or("（这张卡片已经没有了）")
        );
    }
    if rows.is_empty() {
        text.push_str("还没有标记\n");
    }
    text
}

/// A query worth a trainer's look: never followed by a card, or followed
/// by a card the query itself does not find first (the alias it lacked).
pub(super) struct Gap<'s> {
    pub seen: &'s Seen,
    /// The query led to different cards: a general word, not one card's.
    pub general: Option<General>,
}

/// What a general word stands for.
pub(super) struct General {
    /// The cards it led to.
    cards: Vec<CardId>,
    /// A word the queries that did find those cards share, for a synonym
    /// group with the query (`None` when they share none).
    word: Option<String>,
}

/// The search gaps, in `seen`'s order: queries after which no card was
/// opened, and queries whose card the current content does not find for
/// them (not first, or only partly).
pub(super) fn gaps<'s>(seen: &'s [Seen], library: &Library) -> Vec<Gap<'s>> {
    let mut searcher = Searcher::new(std::sync::Arc::new(library.clone()));
    let mut finds = |query: &str, card: &CardId| {
        let results = searcher.search(query, 1);
        results
            .hits
            .first()
            .is_some_and(|h| !h.partial && library.cards.get(h.card).map(|c| &c.id) == Some(card))
    };
    let found: Vec<bool> = seen
        .iter()
        .map(|e| {
            e.searched
                .card
                .as_ref()
                .is_some_and(|card| finds(&e.searched.query, card))
        })
        .collect();
    let totals: Vec<&Searched> = seen.iter().map(|e| &e.searched).collect();
    // The words of each query that found its card, parsed once (a
    // network's general words each look through all of them).
    let words: Vec<Vec<String>> = totals
        .iter()
        .zip(&found)
        .map(|(e, found)| {
            if *found {
                searcher
                    .parse(&e.query)
                    .words
                    .into_iter()
                    .filter(|w| w.chars.len() >= 2)
                    .map(|w| w.text)
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut gaps: Vec<Gap<'s>> = Vec::new();
    for (e, done) in seen.iter().zip(&found) {
        if *done {
            continue;
        }
        let query = &e.searched.query;
        let cards: Vec<CardId> = totals
            .iter()
            .filter(|o| &o.query == query)
            .filter_map(|o| o.card.clone())
            .fold(Vec::new(), |mut all, c| {
                if !all.contains(&c) {
                    all.push(c);
                }
                all
            });
        // A general word is said once, not per card.
        if cards.len() >= 2 && gaps.iter().any(|g| &g.seen.searched.query == query) {
            continue;
        }
        let general = (cards.len() >= 2).then(|| General {
            word: shared_word(&totals, &words, &cards),
            cards,
        });
        gaps.push(Gap { seen: e, general });
    }
    gaps
}

/// A word of two or more characters that, for each of `cards`, some query
/// that did find it first contains (`words`: each of `totals`' words when
/// it found its card): what the customers' general word stood for.
fn shared_word(totals: &[&Searched], words: &[Vec<String>], cards: &[CardId]) -> Option<String> {
    let words_finding = |card: &CardId| -> Vec<&String> {
        totals
            .iter()
            .zip(words)
            .filter(|(e, _)| e.card.as_ref() == Some(card))
            .flat_map(|(_, words)| words)
            .collect()
    };
    let (first, rest) = cards.split_first()?;
    let others: Vec<Vec<&String>> = rest.iter().map(words_finding).collect();
    words_finding(first)
        .into_iter()
        .find(|w| others.iter().all(|o| o.contains(w)))
        .cloned()
}

/// `12 次 · 3 个柜台 · 2 天`.
pub(super) fn how_often(seen: &Seen) -> String {
    let mut text = format!("{:>4} 次", seen.searched.count);
    if seen.counters.len() > 1 {
        let _ = write!(text, " · {} 个柜台", seen.counters.len());
    }
    if seen.days.len() > 1 {
        let _ = write!(text, " · {} 天", seen.days.len());
    }
    text
}

/// What a trainer can do about a gap: said in words, the line to add
/// (a synonym group) when there is one, and whether it is confirmed (seen
/// at two counters or on two days; a one-off card after a query may be a
/// change of subject).
pub(super) struct Advice {
    pub text: String,
    pub line: Option<String>,
    pub confirmed: bool,
}

pub(super) fn advice<'a>(gap: &Gap<'_>, title: &impl Fn(&CardId) -> Option<&'a str>) -> Advice {
    let query = &gap.seen.searched.query;
    match (&gap.seen.searched.card, &gap.general) {
        (None, _) => Advice {
            text: "之后没有打开任何卡片".to_owned(),
            line: None,
            confirmed: true,
        },
        (Some(_), Some(general)) => {
            let titles: Vec<&str> = general
                .cards
                .iter()
                .map(|c| title(c).unwrap_or(c.as_str()))
                .collect();
            match &general.word {
                Some(word) => Advice {
                    text: format!(
                        "之后打开过 {} 张不同的卡片（{}）：是个通用词，和“{word}”意思相同，可以加为同义词（见下）",
                        general.cards.len(),
                        titles.join("、")
                    ),
                    line: Some(format!("[\"{query}\", \"{word}\"],")),
                    confirmed: true,
                },
                None => Advice {
                    text: format!(
                        "之后打开过 {} 张不同的卡片（{}）：是个通用词，不适合做某一张卡片的别名",
                        general.cards.len(),
                        titles.join("、")
                    ),
                    line: None,
                    confirmed: true,
                },
            }
        }
        (Some(card), None) if !gap.seen.recurs() => Advice {
            text: format!("之后打开了 {card} {}", title(card).unwrap_or("")),
            line: None,
            confirmed: false,
        },
        (Some(card), None) => Advice {
            text: format!(
                "之后打开了 {card} {}：可以把“{query}”加为它的别名",
                title(card).unwrap_or("")
            ),
            line: None,
            confirmed: true,
        },
    }
}

fn misses_text<'a>(
    gaps: &[Gap<'_>],
    place: &str,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) -> String {
    let mut text = format!("搜索了但没有直接找到的：{place}\n");
    if gaps.is_empty() {
        text.push_str("还没有记录\n");
    }
    let mut synonyms = Vec::new();
    let mut unconfirmed = Vec::new();
    for gap in gaps {
        let query = &gap.seen.searched.query;
        let advice = advice(gap, title);
        let line = format!("{}  “{query}”  {}", how_often(gap.seen), advice.text);
        if advice.confirmed {
            let _ = writeln!(text, "{line}");
        } else {
            unconfirmed.push(line);
        }
        synonyms.extend(advice.line);
    }
    if !synonyms.is_empty() {
        text.push_str("\n可以加到同义词文件（例如 data/synonyms.ron）的 groups 里的行：\n");
        for line in synonyms {
            let _ = writeln!(text, "        {line}");
        }
    }
    if !unconfirmed.is_empty() {
        text.push_str("\n只在一个柜台、一天里出现过的（可能是换了话题，还不能确定是别名）：\n");
        for line in unconfirmed {
            let _ = writeln!(text, "{line}");
        }
    }
    text
}

fn misses_csv<'a>(gaps: &[Gap<'_>], title: &impl Fn(&CardId) -> Option<&'a str>) -> String {
    let mut text = String::from("query,count,counters,days,card_id,title,confirmed\n");
    for gap in gaps {
        let seen = gap.seen;
        let card = seen.searched.card.as_ref();
        let confirmed = advice(gap, title).confirmed;
        let _ = writeln!(
            text,
            "{},{},{},{},{},{},{}",
            csv_field(&seen.searched.query),
            seen.searched.count,
            seen.counters.len(),
            seen.days.len(),
            card.map_or("", CardId::as_str),
            csv_field(card.and_then(title).unwrap_or("")),
            if confirmed { "yes" } else { "no" }
        );
    }
    text
}
