//! `huashu report --html OUT_DIR --from DIR…`: one offline page for the
//! trainers about the whole network — the most used cards, cards never
//! opened, the top search gaps with what to add, the flags with their
//! reasons, and each branch. No script, nothing fetched, every text
//! escaped; the charts are inline SVG drawn here; it prints on A4.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use super::usage::{self, Scope};
use crate::content::export::escape;
use crate::content::sources::Setup;
use crate::model::{CardId, Library};
use crate::persist::report::DayReport;

/// Rows shown in each ranked list.
const TOP: usize = 20;

pub fn run(setup: &Setup, out_dir: &Path, scope: &Scope<'_>) -> anyhow::Result<ExitCode> {
    let library = setup.sources().load().loaded.library;
    let (days, place) = usage::days_in_scope(
        setup,
        usage::Report::Counts,
        scope,
        crate::persist::report::Parts::default(),
    )?;
    let page = page(&library, &days, &place, &crate::usage::today());
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("无法创建目录 {}", out_dir.display()))?;
    let path: PathBuf = out_dir.join("index.html");
    crate::atomic::write(&path, page.as_bytes())
        .with_context(|| format!("无法写入 {}", path.display()))?;
    eprintln!("已写入 {}：用浏览器打开（可以打印，A4）", path.display());
    Ok(ExitCode::SUCCESS)
}

/// A card's totals over the days read.
#[derive(Default)]
struct CardTotal {
    opened: u64,
    copied: u64,
    counters: BTreeSet<String>,
}

/// A branch's totals.
#[derive(Default)]
struct BranchTotal {
    counters: BTreeSet<String>,
    opened: u64,
    copied: u64,
    flags: usize,
    searches: u64,
    cards: BTreeMap<CardId, u64>,
}

/// The page.
pub fn page(library: &Library, days: &[DayReport], place: &str, made: &str) -> String {
    let title = |id: &CardId| library.card(id).map(|c| c.title.as_str());
    let mut cards: BTreeMap<&CardId, CardTotal> = BTreeMap::new();
    let mut branches: BTreeMap<String, BranchTotal> = BTreeMap::new();
    for d in days {
        let branch = branches
            .entry(
                d.branch
                    .clone()
                    .unwrap_or_else(|| "（未写网点）".to_owned()),
            )
            .or_default();
        branch.counters.insert(d.counter.clone());
        branch.flags += d.flags.len();
        branch.searches += d.searches.iter().map(|s| u64::from(s.count)).sum::<u64>();
        for (id, c) in &d.cards {
            let t = cards.entry(id).or_default();
            t.opened += u64::from(c.opened);
            t.copied += u64::from(c.copied_total());
            t.counters.insert(d.counter.clone());
            branch.opened += u64::from(c.opened);
            branch.copied += u64::from(c.copied_total());
            *branch.cards.entry(id.clone()).or_default() += u64::from(c.opened);
        }
    }
    let (first, last) = (
        days.iter().map(|d| d.day.as_str()).min().unwrap_or("—"),
        days.iter().map(|d| d.day.as_str()).max().unwrap_or("—"),
    );
    let mut html = String::from(HEAD);
    let _ = write!(
        html,
        "<h1>全行柜台使用报告</h1>\n<p class=\"meta\">来源：{}　·　{first} 至 {last}　·　{made} 生成</p>\n",
        escape(place)
    );

    // The most used cards.
    let mut used: Vec<(&&CardId, &CardTotal)> = cards.iter().collect();
    used.sort_by(|a, b| b.1.opened.cmp(&a.1.opened).then_with(|| a.0.cmp(b.0)));
    html.push_str("<h2>最常用的卡片</h2>\n");
    let bars: Vec<(String, u64)> = used
        .iter()
        .take(TOP)
        .map(|(id, t)| (title(id).unwrap_or(id.as_str()).to_owned(), t.opened))
        .collect();
    html.push_str(&bar_chart(&bars, "次打开"));
    html.push_str("<table><tr><th>卡片</th><th>打开</th><th>复制话术</th><th>柜台数</th></tr>\n");
    for (id, t) in used.iter().take(TOP) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(title(id).unwrap_or(id.as_str())),
            t.opened,
            t.copied,
            t.counters.len()
        );
    }
    html.push_str("</table>\n");

    // Cards never opened.
    let never: Vec<&str> = library
        .cards
        .iter()
        .filter(|c| !cards.contains_key(&c.id))
        .map(|c| c.title.as_str())
        .collect();
    let _ = writeln!(html, "<h2>从没打开过的卡片（{} 张）</h2>", never.len());
    if never.is_empty() {
        html.push_str("<p>每张卡片都有柜台打开过。</p>\n");
    } else {
        html.push_str("<p class=\"never\">");
        let names: Vec<String> = never.iter().map(|t| escape(t)).collect();
        html.push_str(&names.join("　·　"));
        html.push_str("</p>\n");
    }

    gaps_section(&mut html, library, days, &title);
    flags_section(&mut html, days, &title);

    branches_section(&mut html, &branches, &title);
    html.push_str("</body>\n</html>\n");
    html
}

/// Each branch: its counters, counts and most used card.
fn branches_section<'a>(
    html: &mut String,
    branches: &BTreeMap<String, BranchTotal>,
    title: &impl Fn(&CardId) -> Option<&'a str>,
) {
    html.push_str("<h2>各网点</h2>\n");
    let bars: Vec<(String, u64)> = branches
        .iter()
        .map(|(name, b)| (name.clone(), b.opened))
        .collect();
    html.push_str(&bar_chart(&bars, "次打开"));
    html.push_str("<table><tr><th>网点</th><th>柜台</th><th>打开</th><th>复制话术</th><th>搜索</th><th>标记有误</th><th>用得最多的卡片</th></tr>\n");
    for (name, b) in branches {
        let top = b
            .cards
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then_with(|| y.0.cmp(x.0)))
            .map_or("—", |(id, _)| title(id).unwrap_or(id.as_str()));
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(name),
            b.counters.len(),
            b.opened,
            b.copied,
            b.searches,
            b.flags,
            escape(top)
        );
    }
    html.push_str("</table>\n");
}

/// The top search gaps, with what to add.
fn gaps_section<'a>(
    html: &mut String,
    library: &Library,
    days: &[DayReport],
    title: &impl Fn(&CardId) -> Option<&'a str>,
) {
    let seen = usage::seen(days);
    let gaps = usage::gaps(&seen, library);
    html.push_str("<h2>搜索缺口：搜了却没有直接找到的</h2>\n");
    if gaps.is_empty() {
        html.push_str("<p>没有记录（柜台的配置里要写 <code>log_searches: true</code>）。</p>\n");
        return;
    }
    html.push_str("<table><tr><th>次数</th><th>说法</th><th>之后</th></tr>\n");
    let mut lines = Vec::new();
    for gap in gaps.iter().take(TOP) {
        let advice = usage::advice(gap, title);
        let unconfirmed = if advice.confirmed {
            ""
        } else {
            "（只出现过一次，还不能确定）"
        };
        let _ = writeln!(
            html,
            "<tr><td class=\"n\">{}</td><td>“{}”</td><td>{}{unconfirmed}</td></tr>",
            escape(usage::how_often(gap.seen).trim()),
            escape(&gap.seen.searched.query),
            escape(&advice.text)
        );
        lines.extend(advice.line);
    }
    html.push_str("</table>\n");
    if !lines.is_empty() {
        html.push_str("<p>可以加到同义词文件 <code>groups</code> 里的行：</p>\n<pre>");
        for line in lines {
            let _ = writeln!(html, "{}", escape(&line));
        }
        html.push_str("</pre>\n");
    }
}

/// The flags, newest first.
fn flags_section<'a>(
    html: &mut String,
    days: &[DayReport],
    title: &impl Fn(&CardId) -> Option<&'a str>,
) {
    let mut flags = usage::flag_rows(days);
    flags.reverse();
    let _ = writeln!(html, "<h2>标记为有误或过时（{} 次）</h2>", flags.len());
    if flags.is_empty() {
        html.push_str("<p>没有标记。</p>\n");
        return;
    }
    html.push_str("<table><tr><th>日期</th><th>网点 · 柜台</th><th>卡片</th><th>原因</th></tr>\n");
    for f in &flags {
        let at = match f.branch {
            Some(b) => format!("{b} · {}", f.counter),
            None => f.counter.to_owned(),
        };
        let reason = if f.flag.reason.is_empty() {
            "（没有写原因）"
        } else {
            &f.flag.reason
        };
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(f.day),
            escape(&at),
            escape(title(&f.flag.card).unwrap_or(f.flag.card.as_str())),
            escape(reason)
        );
    }
    html.push_str("</table>\n");
}

/// Horizontal bars, one per `(label, value)`, as inline SVG.
fn bar_chart(rows: &[(String, u64)], unit: &str) -> String {
    const ROW: u32 = 22;
    const LABEL: u32 = 230;
    const WIDTH: u32 = 680;
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let height = ROW * u32::try_from(rows.len()).unwrap_or(u32::MAX / ROW).min(200) + 4;
    let mut svg = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\">\n"
    );
    let room = u64::from(WIDTH - LABEL - 90);
    for (n, (label, value)) in rows.iter().enumerate() {
        let y = ROW * u32::try_from(n).unwrap_or(0) + 2;
        let w = (room * value / max).max(1);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{LABEL}\" y=\"{}\" width=\"{w}\" height=\"{}\"/><text x=\"{}\" y=\"{}\">{value} {unit}</text>",
            LABEL - 6,
            y + 15,
            escape(label),
            y + 3,
            ROW - 6,
            u64::from(LABEL) + w + 6,
            y + 15
        );
    }
    svg.push_str("</svg>\n");
    svg
}

const HEAD: &str = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>全行柜台使用报告</title>\n<style>\n@page { size: A4; margin: 15mm; }\nbody { font-family: \"Noto Sans CJK SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif; max-width: 180mm; margin: 0 auto; color: #222; font-size: 11pt; }\nh1 { font-size: 18pt; margin-bottom: 2mm; }\nh2 { font-size: 13pt; margin-top: 8mm; border-bottom: 1px solid #999; break-after: avoid; }\n.meta { color: #555; }\ntable { border-collapse: collapse; width: 100%; margin: 3mm 0; }\nth, td { border: 1px solid #bbb; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }\ntr { break-inside: avoid; }\nth { background: #eee; }\n.n { text-align: right; white-space: nowrap; }\n.chart { max-width: 100%; height: auto; font-size: 12px; }\n.chart rect { fill: #4a7bb7; }\n.never { line-height: 1.8; }\npre { background: #f4f4f4; padding: 2mm; white-space: pre-wrap; }\n</style>\n</head>\n<body>\n";
