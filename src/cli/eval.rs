//! `huashu eval`: how well the search finds the intended card for a list
//! of queries (`query<TAB>expected card id` lines): top-1, top-3, mean
//! reciprocal rank, and every miss with what ranked first.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::output::report_errors;
use crate::content::{Loaded, decode};
use crate::model::{CardId, Library};
use crate::search::Searcher;

/// One line of the queries file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub line: usize,
    pub query: String,
    pub expected: CardId,
}

/// Reads `query<TAB>id` lines; `#` starts a comment line, blank lines are
/// skipped. Each bad line is reported as `path:line: message`.
pub fn parse(text: &str, path: &Path, library: &Library) -> Result<Vec<Case>, Vec<String>> {
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((query, id)) = line.split_once('\t') else {
            problems.push(format!(
                "{}:{line_no}: 这一行没有制表符（Tab）：应为“搜索词<Tab>卡片 id”",
                path.display()
            ));
            continue;
        };
        let id = id.trim();
        match CardId::parse(id) {
            Ok(expected) if library.card(&expected).is_some() => cases.push(Case {
                line: line_no,
                query: query.to_owned(),
                expected,
            }),
            _ => problems.push(format!(
                "{}:{line_no}: 没有 id 为 `{id}` 的卡片",
                path.display()
            )),
        }
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(problems)
    }
}

/// The figures for a set of cases.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub queries: usize,
    pub top1: usize,
    pub top3: usize,
    /// Mean reciprocal rank (0 for a card not found in the first `LIMIT`).
    pub mrr: f64,
    pub misses: Vec<Miss>,
}

/// A query whose card did not rank first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    pub line: usize,
    pub query: String,
    pub expected: CardId,
    /// 1-based, `None` when not among the first `LIMIT`.
    pub rank: Option<usize>,
    /// What ranked first, if anything.
    pub first: Option<CardId>,
}

/// Ranks looked at per query.
const LIMIT: usize = 50;

pub fn evaluate(searcher: &mut Searcher, cases: &[Case]) -> Report {
    let library = searcher.library().clone();
    let mut report = Report {
        queries: cases.len(),
        top1: 0,
        top3: 0,
        mrr: 0.0,
        misses: Vec::new(),
    };
    let mut reciprocal = 0.0;
    for case in cases {
        let results = searcher.search(&case.query, LIMIT);
        let ids: Vec<&CardId> = results
            .hits
            .iter()
            .filter_map(|h| library.cards.get(h.card).map(|c| &c.id))
            .collect();
        let rank = ids
            .iter()
            .position(|id| **id == case.expected)
            .map(|r| r + 1);
        if let Some(r) = rank {
            reciprocal += 1.0 / f64::from(u32::try_from(r).unwrap_or(u32::MAX));
            report.top3 += usize::from(r <= 3);
        }
        if rank == Some(1) {
            report.top1 += 1;
        } else {
            report.misses.push(Miss {
                line: case.line,
                query: case.query.clone(),
                expected: case.expected.clone(),
                rank,
                first: ids.first().map(|id| (*id).clone()),
            });
        }
    }
    let n = u32::try_from(cases.len().max(1)).unwrap_or(u32::MAX);
    report.mrr = reciprocal / f64::from(n);
    report
}

/// `part / whole` in percent.
fn percent(part: usize, whole: usize) -> f64 {
    let (p, w) = (
        u32::try_from(part).unwrap_or(u32::MAX),
        u32::try_from(whole.max(1)).unwrap_or(u32::MAX),
    );
    100.0 * f64::from(p) / f64::from(w)
}

impl Report {
    pub fn top1_percent(&self) -> f64 {
        percent(self.top1, self.queries)
    }

    /// The report as printed: the misses, then the figures.
    pub fn render(&self, path: &Path, library: &Library) -> String {
        let mut out = String::new();
        let title = |id: &CardId| library.card(id).map_or("", |c| c.title.as_str()).to_owned();
        for m in &self.misses {
            let rank = m
                .rank
                .map_or_else(|| format!("前 {LIMIT} 名里没有"), |r| format!("第 {r} 名"));
            let first = m.first.as_ref().map_or_else(
                || "没有找到卡片".to_owned(),
                |id| format!("{id} {}", title(id)),
            );
            let _ = writeln!(
                out,
                "{}:{}: 未命中：`{}` 应找到 {} {}（{rank}），排第一的是 {first}",
                path.display(),
                m.line,
                m.query,
                m.expected,
                title(&m.expected),
            );
        }
        let _ = writeln!(
            out,
            "{} 条查询：首位命中 {:.1}%（{}），前三命中 {:.1}%（{}），MRR {:.3}",
            self.queries,
            self.top1_percent(),
            self.top1,
            percent(self.top3, self.queries),
            self.top3,
            self.mrr
        );
        out
    }
}

pub fn run(
    loaded: Loaded,
    queries: &Path,
    min_top1: Option<f64>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let code = report_errors(&loaded);
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    let bytes = std::fs::read(queries)
        .with_context(|| format!("无法读取查询文件 {}", queries.display()))?;
    let text = decode::decode(&bytes).map(|d| d.text).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: 不是文本（UTF-8、UTF-16 或 GBK）",
            queries.display(),
            e.line,
            e.col
        )
    })?;
    let library = Arc::new(loaded.library);
    let cases = match parse(&text, queries, &library) {
        Ok(cases) => cases,
        Err(problems) => {
            for p in problems {
                writeln!(out, "{p}").context("无法输出结果")?;
            }
            return Ok(ExitCode::from(2));
        }
    };
    let mut searcher = Searcher::new(library.clone());
    let report = evaluate(&mut searcher, &cases);
    write!(out, "{}", report.render(queries, &library)).context("无法输出结果")?;
    match min_top1 {
        Some(min) if report.top1_percent() < min => {
            writeln!(
                out,
                "首位命中 {:.1}% 低于要求的 {min}%",
                report.top1_percent()
            )
            .context("无法输出结果")?;
            Ok(ExitCode::FAILURE)
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> Library {
        crate::content::load_builtin().library
    }

    #[test]
    fn parses_cases_and_reports_bad_lines() {
        let lib = library();
        let path = Path::new("q.tsv");
        let ok = parse("# c\n\nqhcw\twrong-queue-ticket\n", path, &lib).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].line, 3);
        let bad = parse("qhcw wrong-queue-ticket\n差评\tno-such-card\n", path, &lib).unwrap_err();
        assert_eq!(bad.len(), 2);
        assert!(bad[0].starts_with("q.tsv:1: "), "{bad:?}");
        assert!(bad[1].contains("no-such-card"), "{bad:?}");
    }

    #[test]
    fn figures_and_misses() {
        let lib = Arc::new(library());
        let cases = parse(
            "qhcw\twrong-queue-ticket\n证件\trefuses-id-check\nxqzv\twrong-queue-ticket\n",
            Path::new("q.tsv"),
            &lib,
        )
        .unwrap();
        let mut searcher = Searcher::new(lib.clone());
        let r = evaluate(&mut searcher, &cases);
        assert_eq!((r.queries, r.top1, r.top3), (3, 1, 2));
        assert!((r.mrr - (1.0 + 0.5) / 3.0).abs() < 1e-9, "{}", r.mrr);
        assert_eq!(r.misses.len(), 2);
        assert_eq!(r.misses[0].rank, Some(2));
        assert_eq!(r.misses[1].rank, None);
        assert_eq!(r.misses[1].first, None);
        let text = r.render(Path::new("q.tsv"), &lib);
        assert!(text.contains("q.tsv:3: 未命中：`xqzv`"), "{text}");
        assert!(text.ends_with("MRR 0.500\n"), "{text}");
    }
}
