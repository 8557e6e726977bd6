//! Import: the manual's plain-text format → cards (pure; `huashu import`
//! does the file work).
//!
//! The text is read as a stream of pieces separated by whitespace (the
//! whole book on one line, as PDF extraction gives it, or one paragraph per
//! line), and markers at the start of a piece open the parts:
//! `第X章 …` chapters, `第X节 …` sections, `一、…` scenarios, 场景再现 /
//! 情景再现, 解决方案 with steps `(1)` `（1）` `1.` `①`, scripts after
//! 演讲 / 脚本 / 文字 / 话术 / 台词 and `:` or `：`, and 作者观点 / 作者的观点
//! (numbered items there stay commentary).
//!
//! Damage is reported with its position: text that looks garbled
//! (mojibake, found by character statistics), literal `\r` sequences,
//! text outside any scenario, and scenarios cut off mid-step. Cards with
//! damage become drafts, with the problem in their note.

use std::collections::{BTreeMap, HashSet};

use super::outline::{Heading, Level};
use crate::content::diagnostic::{LineIndex, Pos};
use crate::model::{Card, CardId, Chapter, Library, Meta, Origin, Section, Status, Step};

/// A problem found in the input, at its position there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    pub pos: Pos,
    pub message: String,
}

/// The cards found, and what was wrong.
#[derive(Debug, Default)]
pub struct Imported {
    /// Chapters, sections and cards in input order (`files` is empty).
    pub library: Library,
    /// Sorted by position.
    pub warnings: Vec<ImportWarning>,
    /// Per card (same order as `library.cards`): the problems that made it
    /// a draft, for a comment above it.
    pub problems: Vec<Vec<String>>,
    /// Why no card was found: the heading styles looked for and the first
    /// heading-like lines seen (then `warnings` is empty).
    pub nothing: Option<String>,
}

impl Imported {
    pub fn draft_count(&self) -> usize {
        self.problems.iter().filter(|p| !p.is_empty()).count()
    }
}

/// Reads the manual's text (already decoded; line ends `\n`).
pub fn import(text: &str) -> Imported {
    // Markdown's bold and italic marks (`**场景再现**`) as spaces: the same
    // length, so positions stay those of the input.
    let plain = text.replace("**", "  ").replace("__", "  ");
    let text = plain.as_str();
    let lines = LineIndex::new(text);
    let mut warnings = Vec::new();
    let headings = super::outline::headings(text).unwrap_or_default();
    let pieces = pieces(text, &lines, &headings, &mut warnings);
    let garbled = garbled_spans(text);
    let mut parser = Parser::default();
    parser.run(&pieces);
    let Parser {
        chapters,
        stray,
        mut notes,
        ..
    } = parser;
    for (at, stray) in stray {
        // Garbled text gets its own warning.
        if garbled
            .iter()
            .any(|&(from, to)| from < at + stray.len() && at < to)
        {
            continue;
        }
        warnings.push(ImportWarning {
            pos: lines.pos(at),
            message: format!(
                "这段文字不属于任何场景，没有导入：“{}”（可能是上一段截断后的残尾）",
                excerpt(stray)
            ),
        });
    }
    warnings.append(
        &mut notes
            .iter_mut()
            .map(|(at, m)| ImportWarning {
                pos: lines.pos(*at),
                message: std::mem::take(m),
            })
            .collect(),
    );
    let mut imported = build(chapters, &garbled, text, &lines, &mut warnings);
    if imported.library.cards.is_empty() {
        // One message, not a warning for every line read as stray text.
        let seen = super::outline::heading_like(text, 3);
        let seen = if seen.is_empty() {
            "没有看到像标题的行".to_owned()
        } else {
            format!(
                "看到的像标题的行：{}",
                seen.iter()
                    .map(|l| format!("“{l}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            )
        };
        imported.nothing = Some(format!(
            "没有认出场景。找过的标题样式：{}；每个场景还要有“场景再现”和“解决方案”。{seen}",
            super::outline::STYLES
        ));
        warnings.clear();
    }
    warnings.sort_by_key(|w| w.pos);
    imported.warnings = warnings;
    imported
}

/// A run of text between whitespace, and its byte offset; or a whole
/// heading line of the manual's outline (see `outline`).
#[derive(Clone, Copy, Debug)]
struct Piece<'a> {
    at: usize,
    text: &'a str,
    heading: Option<(Level, &'a str)>,
}

/// Splits at whitespace and at literal `\r` sequences (reported); each of
/// `headings`' lines is one piece.
fn pieces<'a>(
    text: &'a str,
    lines: &LineIndex<'_>,
    headings: &'a [Heading],
    warnings: &mut Vec<ImportWarning>,
) -> Vec<Piece<'a>> {
    let mut out = split(text, lines, warnings);
    if headings.is_empty() {
        return out;
    }
    let mut merged = Vec::with_capacity(out.len());
    let mut next = headings.iter().peekable();
    for piece in out.drain(..) {
        while let Some(h) = next.next_if(|h| h.end <= piece.at) {
            merged.push(Piece {
                at: h.start,
                text: text[h.start..h.end].trim_end(),
                heading: Some((h.level, h.title.as_str())),
            });
        }
        if next.peek().is_some_and(|h| h.start <= piece.at) {
            continue;
        }
        merged.push(piece);
    }
    merged.extend(next.map(|h| Piece {
        at: h.start,
        text: text[h.start..h.end].trim_end(),
        heading: Some((h.level, h.title.as_str())),
    }));
    merged
}

/// Splits at whitespace and at literal `\r` sequences (reported).
fn split<'a>(
    text: &'a str,
    lines: &LineIndex<'_>,
    warnings: &mut Vec<ImportWarning>,
) -> Vec<Piece<'a>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let literal_cr = c == '\\' && chars.peek().is_some_and(|&(_, n)| n == 'r');
        if c.is_whitespace() || literal_cr {
            if let Some(s) = start.take() {
                out.push(Piece {
                    at: s,
                    text: &text[s..i],
                    heading: None,
                });
            }
            if literal_cr {
                chars.next();
                warnings.push(ImportWarning {
                    pos: lines.pos(i),
                    message: "文本里有字面的 `\\r`（换行符被转成了两个字符），已当作空白".into(),
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(Piece {
            at: s,
            text: &text[s..],
            heading: None,
        });
    }
    out
}

/// What a piece starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker<'a> {
    /// `第四章`: the number as written, and the rest of the piece.
    Chapter(&'a str, &'a str),
    Section(&'a str, &'a str),
    /// `三、`: the number, and the rest.
    Scenario(u32, &'a str),
    /// `11、`: a scenario heading or a step, told apart by what follows
    /// (see `Parser::arabic_heading`).
    Arabic(u32, &'a str),
    Scene(&'a str),
    Solution(&'a str),
    View(&'a str),
    /// `(1)`, `（1）`, `1.`, `①`: the number, and the rest.
    Step(u32, &'a str),
}

const CHINESE_DIGITS: &str = "零〇一二两三四五六七八九十百";

pub(crate) fn is_chinese_digit(c: char) -> bool {
    CHINESE_DIGITS.contains(c)
}

/// The value of a Chinese numeral up to 999 (`三`, `十二`, `二十`, `一百零五`).
fn chinese_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let digit = |c: char| match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let (mut total, mut current) = (0, 0);
    for c in s.chars() {
        match c {
            '十' => {
                total += current.max(1) * 10;
                current = 0;
            }
            '百' => {
                total += current.max(1) * 100;
                current = 0;
            }
            c => current = current * 10 + digit(c)?,
        }
    }
    Some(total + current)
}

fn strip_colon(s: &str) -> &str {
    s.strip_prefix([':', '：']).unwrap_or(s)
}

/// `第` + numeral + `unit`: the numeral and the rest.
pub(crate) fn numbered(s: &str, unit: char) -> Option<(&str, &str)> {
    let body = s.strip_prefix('第')?;
    let end = body
        .find(|c: char| !(CHINESE_DIGITS.contains(c) || c.is_ascii_digit()))
        .filter(|&e| e > 0)?;
    let rest = body[end..].strip_prefix(unit)?;
    Some((&body[..end], rest))
}

fn marker(s: &str) -> Option<Marker<'_>> {
    if let Some((n, rest)) = numbered(s, '章') {
        return Some(Marker::Chapter(n, rest));
    }
    if let Some((n, rest)) = numbered(s, '节') {
        return Some(Marker::Section(n, rest));
    }
    for head in ["场景再现", "情景再现"] {
        if let Some(rest) = s.strip_prefix(head) {
            return Some(Marker::Scene(strip_colon(rest)));
        }
    }
    if let Some(rest) = s.strip_prefix("解决方案") {
        return Some(Marker::Solution(strip_colon(rest)));
    }
    for head in ["作者的观点", "作者观点"] {
        if let Some(rest) = s.strip_prefix(head) {
            return Some(Marker::View(strip_colon(rest)));
        }
    }
    if let Some((n, rest)) = s.split_once('、')
        && let Some(n) = chinese_number(n)
        && n > 0
    {
        return Some(Marker::Scenario(n, rest));
    }
    if let Some((n, rest)) = s.split_once('、')
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = n.parse()
        && n > 0
    {
        return Some(Marker::Arabic(n, rest));
    }
    step_marker(s)
}

/// How many pieces after an Arabic `N、` are looked at for the 场景再现
/// that makes it a scenario heading.
const HEADING_LOOKAHEAD: usize = 24;

/// A step number at the start of `s`.
fn step_marker(s: &str) -> Option<Marker<'_>> {
    let first = s.chars().next()?;
    if let Some(n) = circled(first) {
        return Some(Marker::Step(n, &s[first.len_utf8()..]));
    }
    let (open, close): (&[char], &[char]) = (&['(', '（'], &[')', '）']);
    if let Some(body) = s.strip_prefix(open) {
        let end = body.find(|c: char| !c.is_ascii_digit())?;
        let rest = body[end..].strip_prefix(close)?;
        return Some(Marker::Step(body[..end].parse().ok()?, rest));
    }
    let end = s.find(|c: char| !c.is_ascii_digit())?;
    // `1.`, `1、`, and `1)` as wikis number lists.
    let rest = s[end..].strip_prefix(['.', '．', '、', ')', '）'])?;
    // `1.5万` is a number, not a step.
    if end == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(Marker::Step(s[..end].parse().ok()?, rest))
}

/// ① … ⑳ → 1 … 20.
fn circled(c: char) -> Option<u32> {
    let n = u32::from(c).checked_sub(0x2460)?;
    (n < 20).then_some(n + 1)
}

/// Where step `n` begins inside `s` (not at its start): `(n)`, `（n）`,
/// the circled number, or `n、` after the end of a sentence.
fn find_step(s: &str, n: u32) -> Option<usize> {
    let mut forms = vec![format!("({n})"), format!("（{n}）")];
    if let Some(c) = (1..=20)
        .contains(&n)
        .then(|| char::from_u32(0x2460 + n - 1))
        .flatten()
    {
        forms.push(c.to_string());
    }
    let bracketed = forms
        .iter()
        .filter_map(|f| s.match_indices(f.as_str()).map(|(i, _)| i).find(|&i| i > 0))
        .min();
    // `n、` right after the end of a sentence: `1、说明规则。2、安排窗口。`
    let after_sentence = s
        .match_indices(format!("{n}、").as_str())
        .map(|(i, _)| i)
        .find(|&i| {
            s[..i]
                .chars()
                .next_back()
                .is_some_and(|c| matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '”'))
        });
    match (bracketed, after_sentence) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A scenario as read, before it becomes a card.
#[derive(Debug, Default)]
struct RawScenario {
    at: usize,
    end: usize,
    number: u32,
    title: String,
    scene: Vec<String>,
    /// `(offset, text)` of each step, number markers removed.
    steps: Vec<(usize, String)>,
    view: Vec<String>,
    saw_scene: bool,
    saw_solution: bool,
    saw_view: bool,
    /// `(offset, problem)` found while reading it.
    problems: Vec<(usize, String)>,
}

#[derive(Debug, Default)]
struct RawSection {
    title: Option<String>,
    scenarios: Vec<RawScenario>,
}

#[derive(Debug, Default)]
struct RawChapter {
    title: Option<String>,
    sections: Vec<RawSection>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Part {
    #[default]
    Title,
    Scene,
    Solution,
    View,
}

#[derive(Default)]
struct Parser<'a> {
    chapters: Vec<RawChapter>,
    part: Part,
    /// Text outside any scenario: `(offset, text)`.
    stray: Vec<(usize, &'a str)>,
    notes: Vec<(usize, String)>,
    /// A chapter/section/scenario whose title is in the next piece.
    title_pending: bool,
}

impl<'a> Parser<'a> {
    fn run(&mut self, pieces: &[Piece<'a>]) {
        for (i, piece) in pieces.iter().enumerate() {
            if let Some((level, title)) = piece.heading {
                self.heading(piece.at, level, title);
                continue;
            }
            let heading = match marker(piece.text) {
                Some(Marker::Arabic(n, _)) => self.arabic_heading(n, &pieces[i + 1..]),
                _ => false,
            };
            self.piece(piece.at, piece.text, heading);
        }
        if let Some(s) = self.scenario_mut() {
            s.end = pieces.last().map_or(0, |p| p.at + p.text.len());
        }
    }

    fn chapter_mut(&mut self) -> &mut RawChapter {
        if self.chapters.is_empty() {
            self.chapters.push(RawChapter::default());
        }
        let last = self.chapters.len() - 1;
        &mut self.chapters[last]
    }

    fn section_mut(&mut self) -> &mut RawSection {
        let chapter = self.chapter_mut();
        if chapter.sections.is_empty() {
            chapter.sections.push(RawSection::default());
        }
        let last = chapter.sections.len() - 1;
        &mut chapter.sections[last]
    }

    fn scenario_mut(&mut self) -> Option<&mut RawScenario> {
        self.chapters
            .last_mut()?
            .sections
            .last_mut()?
            .scenarios
            .last_mut()
    }

    fn close_scenario(&mut self, at: usize) {
        if let Some(s) = self.scenario_mut()
            && s.end == 0
        {
            s.end = at;
        }
    }

    /// An Arabic `N、` is the next scenario's heading (not a step) when `N`
    /// is the number the next scenario of this section would have and a
    /// 场景再现 follows its title before any other part or number.
    fn arabic_heading(&mut self, n: u32, after: &[Piece<'a>]) -> bool {
        let expected = self
            .chapters
            .last()
            .and_then(|c| c.sections.last())
            .and_then(|s| s.scenarios.last())
            .map_or(1, |s| s.number + 1);
        if n != expected {
            return false;
        }
        for piece in after.iter().take(HEADING_LOOKAHEAD) {
            match marker(piece.text) {
                Some(Marker::Scene(_)) => return true,
                Some(_) => return false,
                None => {}
            }
        }
        false
    }

    fn piece(&mut self, at: usize, text: &'a str, arabic_heading: bool) {
        if self.title_pending {
            self.title_pending = false;
            if marker(text).is_none() {
                self.set_title(text);
                return;
            }
        }
        let marker = match marker(text) {
            Some(Marker::Arabic(n, rest)) if arabic_heading => Some(Marker::Scenario(n, rest)),
            Some(Marker::Arabic(..)) => step_marker(text),
            m => m,
        };
        match marker {
            Some(Marker::Chapter(n, rest)) => {
                self.close_scenario(at);
                self.chapters.push(RawChapter {
                    title: Some(format!("第{n}章")),
                    sections: Vec::new(),
                });
                self.part = Part::Title;
                self.title_or_pending(rest);
            }
            Some(Marker::Section(n, rest)) => {
                self.close_scenario(at);
                self.chapter_mut().sections.push(RawSection {
                    title: Some(format!("第{n}节")),
                    scenarios: Vec::new(),
                });
                self.part = Part::Title;
                self.title_or_pending(rest);
            }
            Some(Marker::Scenario(number, rest)) => {
                self.close_scenario(at);
                if self.chapters.is_empty() {
                    self.notes.push((
                        at,
                        "第一个场景之前没有“第X章”标题：前面的场景放在一个没有章名的文件里（00-untitled.ron），章名不编造".into(),
                    ));
                }
                let section = self.section_mut();
                if let Some(previous) = section.scenarios.last().map(|s| s.number)
                    && number != previous + 1
                {
                    self.notes.push((
                        at,
                        format!("场景编号从 {previous} 跳到了 {number}：中间的场景可能缺失"),
                    ));
                }
                self.section_mut().scenarios.push(RawScenario {
                    at,
                    number,
                    ..RawScenario::default()
                });
                self.part = Part::Title;
                self.title_or_pending(rest);
            }
            Some(Marker::Scene(rest)) if self.scenario_mut().is_some() => {
                self.part = Part::Scene;
                if let Some(s) = self.scenario_mut() {
                    if s.saw_solution || s.saw_view {
                        s.problems.push((
                            at,
                            "里又出现了一次“场景再现”：可能是两个场景连在了一起（后一个场景的标题没有认出来）".into(),
                        ));
                    }
                    s.saw_scene = true;
                }
                self.content(at, rest);
            }
            Some(Marker::Solution(rest)) if self.scenario_mut().is_some() => {
                self.part = Part::Solution;
                if let Some(s) = self.scenario_mut() {
                    if s.saw_solution {
                        s.problems.push((
                            at,
                            "里又出现了一次“解决方案”：可能是两个场景连在了一起（后一个场景的标题没有认出来）".into(),
                        ));
                    }
                    s.saw_solution = true;
                }
                self.content(at, rest);
            }
            Some(Marker::View(rest)) if self.scenario_mut().is_some() => {
                self.part = Part::View;
                if let Some(s) = self.scenario_mut() {
                    s.saw_view = true;
                }
                self.content(at, rest);
            }
            _ => self.content(at, text),
        }
    }

    /// A heading line of the manual's outline: opens what it says, titled
    /// as it is written.
    fn heading(&mut self, at: usize, level: Level, title: &str) {
        self.close_scenario(at);
        self.part = Part::Title;
        self.title_pending = false;
        match level {
            Level::Chapter => self.chapters.push(RawChapter {
                title: Some(title.to_owned()),
                sections: Vec::new(),
            }),
            Level::Section => self.chapter_mut().sections.push(RawSection {
                title: Some(title.to_owned()),
                scenarios: Vec::new(),
            }),
            Level::Scenario => {
                let section = self.section_mut();
                let number = section.scenarios.last().map_or(1, |s| s.number + 1);
                section.scenarios.push(RawScenario {
                    at,
                    number,
                    title: title.to_owned(),
                    ..RawScenario::default()
                });
            }
        }
    }

    fn title_or_pending(&mut self, rest: &str) {
        if rest.is_empty() {
            self.title_pending = true;
        } else {
            self.set_title(rest);
        }
    }

    /// The title of the newest chapter, section or scenario.
    fn set_title(&mut self, title: &str) {
        if let Some(s) = self.scenario_mut()
            && s.title.is_empty()
            && s.scene.is_empty()
            && s.steps.is_empty()
        {
            title.clone_into(&mut s.title);
            return;
        }
        let Some(chapter) = self.chapters.last_mut() else {
            return;
        };
        let heading = match chapter.sections.last_mut() {
            Some(section) if section.scenarios.is_empty() => &mut section.title,
            _ => &mut chapter.title,
        };
        if let Some(h) = heading {
            h.push(' ');
            h.push_str(title);
        }
    }

    fn content(&mut self, at: usize, text: &'a str) {
        if text.is_empty() {
            return;
        }
        let part = self.part;
        let Some(s) = self.scenario_mut() else {
            self.stray.push((at, text));
            return;
        };
        match part {
            Part::Title => {
                // More title words (`一、客户 取号错误`) until a part begins.
                if s.scene.is_empty() && s.steps.is_empty() {
                    if !s.title.is_empty() {
                        s.title.push(' ');
                    }
                    s.title.push_str(text);
                }
            }
            Part::Scene => s.scene.push(clean(text)),
            Part::View => s.view.push(clean(text)),
            Part::Solution => {
                let (mut at, mut text) = (at, text);
                loop {
                    let expected = u32::try_from(s.steps.len()).unwrap_or(u32::MAX) + 1;
                    // A piece that starts with the next number opens a step.
                    if let Some(Marker::Step(n, body)) = step_marker(text)
                        && n == expected
                    {
                        s.steps.push((at, String::new()));
                        at += text.len() - body.len();
                        text = body;
                    } else if s.steps.is_empty() {
                        // Text before the first number is a step of its own.
                        s.steps.push((at, String::new()));
                    }
                    // The next number may follow in the same piece: `(1)…。(2)…`.
                    let next = u32::try_from(s.steps.len()).unwrap_or(u32::MAX) + 1;
                    let cut = find_step(text, next);
                    if let Some((_, step)) = s.steps.last_mut() {
                        step.push_str(cut.map_or(text, |c| &text[..c]));
                    }
                    match cut {
                        Some(c) => {
                            at += c;
                            text = &text[c..];
                        }
                        None => break,
                    }
                }
            }
        }
    }
}

/// Trims a paragraph and the stray `;` that PDF extraction leaves behind.
fn clean(s: &str) -> String {
    s.trim().trim_end_matches([';', '；']).trim_end().to_owned()
}

/// The first 24 characters of `s`, with `…` when longer.
fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if s.chars().nth(24).is_some() {
        out.push('…');
    }
    out
}

/// Script markers inside a step.
const SCRIPT_MARKERS: [&str; 5] = ["演讲", "脚本", "文字", "话术", "台词"];

/// A script without the quotation marks the manual puts around it (Copy
/// would paste them to the customer), and whether an opening one is never
/// closed.
fn unquote(script: String) -> (String, bool) {
    for (open, close) in [('“', '”'), ('"', '"'), ('「', '」'), ('『', '』')] {
        if let Some(body) = script.strip_prefix(open) {
            let body = body.trim_start();
            return match body.strip_suffix(close) {
                // Only when the pair encloses the whole script.
                Some(inner)
                    if open == close || !(inner.contains(close) || inner.contains(open)) =>
                {
                    (inner.trim().to_owned(), false)
                }
                None if !body.contains(close) => (body.to_owned(), true),
                _ => (script, false),
            };
        }
    }
    (script, false)
}

/// A step's action and scripts (unquoted), and whether a script's opening
/// quotation mark is never closed.
fn split_scripts(text: &str) -> (String, Vec<String>, bool) {
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for m in SCRIPT_MARKERS {
        for (i, _) in text.match_indices(m) {
            let after = i + m.len();
            if let Some(colon) = text[after..].chars().next()
                && (colon == ':' || colon == '：')
            {
                cuts.push((i, after + colon.len_utf8()));
            }
        }
    }
    cuts.sort_unstable();
    let Some(&(first, _)) = cuts.first() else {
        return (clean(text), Vec::new(), false);
    };
    let mut unclosed = false;
    let scripts = cuts
        .iter()
        .enumerate()
        .map(|(k, &(_, start))| {
            let end = cuts.get(k + 1).map_or(text.len(), |c| c.0);
            let (script, open) = unquote(clean(&text[start..end]));
            unclosed |= open;
            script
        })
        .filter(|s| !s.is_empty())
        .collect();
    (clean(&text[..first]), scripts, unclosed)
}

/// Ends like a finished sentence.
fn finished(s: &str) -> bool {
    s.trim_end()
        .ends_with(['。', '！', '？', '!', '?', '…', '”', '"', '）', ')', '.'])
}

fn build(
    chapters: Vec<RawChapter>,
    garbled: &[(usize, usize)],
    text: &str,
    lines: &LineIndex<'_>,
    warnings: &mut Vec<ImportWarning>,
) -> Imported {
    let mut imported = Imported::default();
    let library = &mut imported.library;
    let mut ids = HashSet::new();
    let mut reported = vec![false; garbled.len()];
    for raw_chapter in chapters {
        let chapter = library.chapters.len();
        library.chapters.push(Chapter {
            title: raw_chapter.title,
            note: None,
            file: 0,
        });
        for raw_section in raw_chapter.sections {
            let section = library.sections.len();
            library.sections.push(Section {
                chapter,
                title: raw_section.title,
            });
            for raw in raw_section.scenarios {
                // (position in the input, problem)
                let mut problems: Vec<(Pos, String)> = Vec::new();
                for (k, &(from, to)) in garbled.iter().enumerate() {
                    if from < raw.end && to > raw.at {
                        reported[k] = true;
                        problems.push((
                            lines.pos(from),
                            format!("有一段像乱码的文字：“{}”", excerpt(&text[from..to])),
                        ));
                    }
                }
                let mut notes = Vec::new();
                let card = scenario_card(raw, section, &mut ids, &mut problems, &mut notes, lines);
                warnings.extend(
                    notes
                        .into_iter()
                        .map(|(pos, message)| ImportWarning { pos, message }),
                );
                for (pos, p) in &problems {
                    warnings.push(ImportWarning {
                        pos: *pos,
                        message: format!("“{}”{p}；这张卡片写成了草稿", card.title),
                    });
                }
                let problems = problems
                    .into_iter()
                    .map(|(pos, p)| format!("（输入第{}行第{}列）{p}", pos.line, pos.col))
                    .collect();
                library.cards.push(card);
                imported.problems.push(problems);
            }
        }
    }
    for (card, problem) in outliers(&library.cards) {
        let c = &mut library.cards[card];
        let pos = Pos {
            line: c.origin.line,
            col: c.origin.col,
        };
        warnings.push(ImportWarning {
            pos,
            message: format!("“{}”{problem}；这张卡片写成了草稿", c.title),
        });
        let line = format!("（输入第{}行第{}列）{problem}", pos.line, pos.col);
        c.meta.status = Some(Status::Draft);
        c.meta.note = Some(match c.meta.note.take() {
            Some(note) => format!("{note}另：{line}。"),
            None => format!(
                "导入时发现：“{}”{line}。请对照原书改正后删掉 status 和 note。",
                c.title
            ),
        });
        if let Some(p) = imported.problems.get_mut(card) {
            p.push(line);
        }
    }
    for (k, &(from, to)) in garbled.iter().enumerate() {
        if !reported[k] {
            warnings.push(ImportWarning {
                pos: lines.pos(from),
                message: format!(
                    "这段文字像乱码（编码错误），不属于任何场景：“{}”",
                    excerpt(&text[from..to])
                ),
            });
        }
    }
    imported
}

/// Imports smaller than this have no typical card to compare with.
const OUTLIER_MIN_CARDS: usize = 5;

/// Cards whose step or script count is far above the typical card's
/// (more than three times the median, and at least five more): a sign that
/// scenarios were read as one. `(card, problem)`.
fn outliers(cards: &[Card]) -> Vec<(usize, String)> {
    if cards.len() < OUTLIER_MIN_CARDS {
        return Vec::new();
    }
    let median = |counts: &mut Vec<usize>| {
        counts.sort_unstable();
        counts[counts.len() / 2]
    };
    let steps: Vec<usize> = cards.iter().map(|c| c.steps.len()).collect();
    let scripts: Vec<usize> = cards.iter().map(Card::script_count).collect();
    let (m_steps, m_scripts) = (median(&mut steps.clone()), median(&mut scripts.clone()));
    let far = |n: usize, m: usize| n > 3 * m && n >= m + 5;
    let mut out = Vec::new();
    for (i, (&st, &sc)) in steps.iter().zip(&scripts).enumerate() {
        if far(st, m_steps) {
            out.push((
                i,
                format!("有 {st} 个步骤，远多于一般卡片的 {m_steps} 个：可能把几个场景读成了一个"),
            ));
        } else if far(sc, m_scripts) {
            out.push((
                i,
                format!(
                    "有 {sc} 段话术，远多于一般卡片的 {m_scripts} 段：可能把几个场景读成了一个"
                ),
            ));
        }
    }
    out
}

fn scenario_card(
    raw: RawScenario,
    section: usize,
    ids: &mut HashSet<String>,
    problems: &mut Vec<(Pos, String)>,
    notes: &mut Vec<(Pos, String)>,
    lines: &LineIndex<'_>,
) -> Card {
    let pos = lines.pos(raw.at);
    problems.extend(
        raw.problems
            .iter()
            .map(|(at, p)| (lines.pos(*at), p.clone())),
    );
    let title = if raw.title.trim().is_empty() {
        problems.push((pos, "：场景没有标题".into()));
        format!("场景{}", raw.number)
    } else {
        raw.title.trim().to_owned()
    };
    // Each step's action and scripts, as text.
    let parts: Vec<(String, Vec<String>)> = raw
        .steps
        .iter()
        .filter_map(|(at, text)| {
            let (action, scripts, unclosed) = split_scripts(text);
            if unclosed {
                notes.push((
                    lines.pos(*at),
                    format!("“{}”这一步的话术有左引号“没有右引号”：导入时去掉了左引号，请对照原书检查话术是否完整", raw.title.trim()),
                ));
            }
            (!action.is_empty() || !scripts.is_empty()).then_some((action, scripts))
        })
        .collect();
    if !raw.saw_solution || parts.is_empty() {
        problems.push((pos, "：没有解决方案步骤（输入可能在这里截断）".into()));
    }
    let last_text = if raw.view.is_empty() {
        parts
            .last()
            .map(|(action, scripts)| scripts.last().unwrap_or(action).clone())
    } else {
        raw.view.last().cloned()
    };
    if let Some(last) = last_text
        && !finished(&last)
    {
        let (at, place) = if raw.view.is_empty() {
            let at = raw.steps.last().map_or(raw.at, |s| s.0);
            (at, format!("在第{}步中途截断", parts.len()))
        } else {
            (raw.end, "在作者观点中途截断".to_owned())
        };
        problems.push((
            lines.pos(at),
            format!("{place}：最后一句“{}”没有结束", tail(&last)),
        ));
    }
    let meta = if problems.is_empty() {
        Meta::default()
    } else {
        Meta {
            status: Some(Status::Draft),
            note: Some(format!(
                "导入时发现：“{title}”{}。请对照原书改正后删掉 status 和 note。",
                problems
                    .iter()
                    .map(|(p, m)| format!("（输入第{}行第{}列）{m}", p.line, p.col))
                    .collect::<Vec<_>>()
                    .join("；")
            )),
            ..Meta::default()
        }
    };
    Card {
        id: unique_id(&title, ids),
        title,
        aliases: Vec::new(),
        section,
        scene: raw.scene,
        steps: parts
            .into_iter()
            .map(|(action, scripts)| Step::plain(action, &scripts))
            .collect(),
        view: raw.view,
        links: Vec::new(),
        fields: BTreeMap::new(),
        meta,
        origin: Origin {
            file: 0,
            line: pos.line,
            col: pos.col,
        },
    }
}

/// The last 12 characters of `s`.
fn tail(s: &str) -> String {
    let n = s.chars().count();
    let start: String = s.chars().skip(n.saturating_sub(12)).collect();
    if n > 12 { format!("…{start}") } else { start }
}

/// Pinyin and ASCII words of `text` joined by `-`, at most `max` bytes
/// (`客户取号错误` → `ke-hu-qu-hao-cuo-wu`).
fn pinyin_slug(text: &str, max: usize) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut ascii = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
            continue;
        }
        if !ascii.is_empty() {
            words.push(std::mem::take(&mut ascii));
        }
        if let Some(p) = pinyin::ToPinyin::to_pinyin(&c) {
            words.push(p.plain().replace('ü', "v"));
        }
    }
    if !ascii.is_empty() {
        words.push(ascii);
    }
    let mut slug = String::new();
    for word in words {
        if !slug.is_empty() && slug.len() + 1 + word.len() > max {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    slug
}

/// An id from the title's pinyin, at most 48 characters, made unique with
/// `-2`, `-3`…
pub(crate) fn unique_id(title: &str, ids: &mut HashSet<String>) -> CardId {
    let mut base = pinyin_slug(title, 48);
    if base.is_empty() {
        base.push_str("card");
    }
    let mut id = base.clone();
    let mut n = 2;
    while ids.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    ids.insert(id.clone());
    // Pinyin and ASCII digits always make a valid id.
    CardId::parse(&id).unwrap_or_else(|_| CardId::numbered(ids.len()))
}

/// A file name for each chapter, as in `data/`: its number and its title's
/// pinyin (`第四章 业务处理区` → `04-ye-wu-chu-li-qu.ron`); an unnamed chapter
/// is `00-untitled.ron`. Unique.
pub fn file_names(imported: &Imported) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for chapter in &imported.library.chapters {
        let (number, title) = chapter
            .title
            .as_deref()
            .and_then(|t| numbered(t, '章'))
            .map_or((0, ""), |(n, rest)| {
                let n = n.parse().ok().or_else(|| chinese_number(n)).unwrap_or(0);
                (n, rest)
            });
        let slug = pinyin_slug(title, 40);
        let slug = if slug.is_empty() {
            "untitled".to_owned()
        } else {
            slug
        };
        let mut name = format!("{number:02}-{slug}.ron");
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{number:02}-{slug}-{n}.ron");
            n += 1;
        }
        names.push(name);
    }
    names
}

/// How a character reads in Chinese text: common (GB2312 level 1, ASCII,
/// usual punctuation), rare (level 2, GBK extensions, other Han), or odd
/// (symbols and letters of other scripts, replacement marks, private use).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Common,
    Rare,
    Odd,
}

fn kind(c: char) -> Kind {
    if c.is_ascii() || "，。！？、；：“”‘’（）《》…—·".contains(c) {
        return Kind::Common;
    }
    if c == '\u{FFFD}' || ('\u{E000}'..='\u{F8FF}').contains(&c) {
        return Kind::Odd;
    }
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    match (unmappable, bytes.first(), bytes.get(1)) {
        (false, Some(&lead), Some(&trail)) if trail >= 0xA1 => match lead {
            // GB2312 level 1: the 3,755 most common characters.
            0xB0..=0xD7 => Kind::Common,
            // Symbols, other scripts' letters, box drawing.
            0xA1..=0xA9 => Kind::Odd,
            // Level 2 (0xD8..=0xF7) and the GBK extensions.
            _ => Kind::Rare,
        },
        (false, _, _) => Kind::Rare,
        (true, _, _) => {
            if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                Kind::Rare
            } else {
                Kind::Odd
            }
        }
    }
}

/// Window of characters looked at together, and how many of them must be
/// rare or odd for the window to look garbled. Ordinary Chinese prose has
/// about one rare character in a hundred; text decoded with the wrong
/// encoding has one in three or four, and odd symbols.
const WINDOW: usize = 16;
const SUSPICIOUS: usize = 4;

/// Byte ranges that look like mojibake.
fn garbled_spans(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char, Kind)> = text
        .char_indices()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (i, c, kind(c)))
        .collect();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut bad = 0;
    for (k, &(i, c, kd)) in chars.iter().enumerate() {
        bad += usize::from(kd != Kind::Common);
        if k >= WINDOW {
            bad -= usize::from(chars[k - WINDOW].2 != Kind::Common);
        }
        if k + 1 >= WINDOW && bad >= SUSPICIOUS {
            let first = chars[k + 1 - WINDOW..=k]
                .iter()
                .find(|x| x.2 != Kind::Common)
                .map_or(i, |x| x.0);
            let end = i + c.len_utf8();
            match spans.last_mut() {
                Some(last) if first <= last.1 + 3 * WINDOW => last.1 = end,
                _ => spans.push((first, end)),
            }
        }
    }
    // A window reaches past the damage: end each span at its last
    // suspicious character, then widen it to the run it sits in: up to
    // whitespace, a `\r` or the punctuation that ends a real sentence.
    for span in &mut spans {
        if let Some(&(i, c, _)) = chars
            .iter()
            .rev()
            .find(|x| x.0 >= span.0 && x.0 < span.1 && x.2 != Kind::Common)
        {
            span.1 = i + c.len_utf8();
        }
    }
    let stop = |c: char| c.is_whitespace() || "\\。！？，；".contains(c);
    for span in &mut spans {
        span.0 = text[..span.0]
            .char_indices()
            .rev()
            .find(|&(_, c)| stop(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        span.1 += text[span.1..].find(stop).unwrap_or(text.len() - span.1);
    }
    spans.dedup_by(|b, a| {
        let overlap = b.0 <= a.1;
        if overlap {
            a.1 = a.1.max(b.1);
        }
        overlap
    });
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        assert_eq!(chinese_number("三"), Some(3));
        assert_eq!(chinese_number("十二"), Some(12));
        assert_eq!(chinese_number("二十"), Some(20));
        assert_eq!(chinese_number("一百零五"), Some(105));
        assert_eq!(chinese_number("客户"), None);
    }

    #[test]
    fn markers() {
        assert_eq!(
            marker("第四章业务处理区"),
            Some(Marker::Chapter("四", "业务处理区"))
        );
        assert_eq!(marker("第12节"), Some(Marker::Section("12", "")));
        assert_eq!(
            marker("三、客户取号错误"),
            Some(Marker::Scenario(3, "客户取号错误"))
        );
        assert_eq!(marker("情景再现："), Some(Marker::Scene("")));
        assert_eq!(marker("作者的观点"), Some(Marker::View("")));
        assert_eq!(marker("（2）积极"), Some(Marker::Step(2, "积极")));
        assert_eq!(marker("(10)x"), Some(Marker::Step(10, "x")));
        assert_eq!(marker("3.转柜"), Some(Marker::Step(3, "转柜")));
        assert_eq!(marker("②转柜"), Some(Marker::Step(2, "转柜")));
        assert_eq!(marker("1.5万元"), None);
        assert_eq!(marker("合规经营理念、风险"), None);
    }

    #[test]
    fn scripts_split_at_every_marker() {
        let (action, scripts, _) = split_scripts("道歉。演讲:对不起。脚本：请稍等。;");
        assert_eq!(action, "道歉。");
        assert_eq!(scripts, vec!["对不起。", "请稍等。"]);
        let (_, scripts, unclosed) =
            split_scripts("说明。话术：“您好，请稍等。” 话术：「请这边走。」");
        assert_eq!(
            (scripts, unclosed),
            (
                vec!["您好，请稍等。".to_owned(), "请这边走。".to_owned()],
                false
            )
        );
        let (_, scripts, unclosed) = split_scripts("说明。话术：“您好，请稍等。");
        assert_eq!(
            (scripts, unclosed),
            (vec!["您好，请稍等。".to_owned()], true)
        );
        let (_, scripts, _) = split_scripts("说明。话术：“这个”是我们的规定，“那个”不是。");
        assert_eq!(scripts, vec!["“这个”是我们的规定，“那个”不是。"]);
        let (action, scripts, _) = split_scripts("这段文字很长。");
        assert_eq!((action.as_str(), scripts.len()), ("这段文字很长。", 0));
    }

    #[test]
    fn ids_come_from_the_title_and_are_unique() {
        let mut ids = HashSet::new();
        assert_eq!(
            unique_id("客户取号错误", &mut ids).as_str(),
            "ke-hu-qu-hao-cuo-wu"
        );
        assert_eq!(
            unique_id("客户取号错误", &mut ids).as_str(),
            "ke-hu-qu-hao-cuo-wu-2"
        );
        assert_eq!(unique_id("VIP客户", &mut ids).as_str(), "vip-ke-hu");
        assert_eq!(unique_id("！", &mut ids).as_str(), "card");
    }

    #[test]
    fn mojibake_is_found_by_statistics_and_prose_is_not() {
        let seed = include_str!("../../tests/fixtures/manual-excerpt.txt");
        let spans = garbled_spans(seed);
        assert_eq!(spans.len(), 1, "{spans:?}");
        let (from, to) = spans[0];
        assert_eq!(
            &seed[from..to],
            "蟹矫嬉惨此迹奔涞恪⒔迫使飞柚玫瑰仁遣皇遣荒鹂突У男巳?"
        );
        // The same text decoded with the wrong code page, made here.
        let (wrong, _, _) =
            encoding_rs::GBK.decode("请对照原书补全，客户不配合证件核实".as_bytes());
        assert_eq!(garbled_spans(&wrong).len(), 1, "{wrong}");
    }

    #[test]
    fn positions_are_line_and_character_column() {
        let lines = LineIndex::new("ab\n客户x");
        assert_eq!(lines.pos(0), Pos::new(1, 1));
        assert_eq!(lines.pos(3), Pos::new(2, 1));
        assert_eq!(lines.pos(9), Pos::new(2, 3));
    }
}
