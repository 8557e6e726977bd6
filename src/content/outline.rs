//! The outline a manual's headings use, read line by line, for `import`:
//! `第X章` / `第X节` with `一、` scenarios (the seed's style, which the
//! importer reads piece by piece and this module leaves to it), decimal
//! outlines (`3` / `3.1` / `3.1.1 客户…`, also Word's heading numbering
//! pasted as text, `第1章` / `1.1` / `1.1.1`), Markdown headings (`#`,
//! `##`, `###`) and `案例N：` cases. Which level is the scenario's is read
//! from the manual itself: the headings right before its 场景再现 markers;
//! the levels above it are sections and chapters. With no heading style
//! before the markers, the line before each 场景再现 is the scenario's
//! title.

/// What a heading line opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Chapter,
    Section,
    Scenario,
}

/// A heading line: its byte range in the text, what it opens and its
/// title as the card, section or chapter shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Heading {
    pub start: usize,
    pub end: usize,
    pub level: Level,
    pub title: String,
}

/// A heading style, and a depth within it where it has depths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Style {
    Markdown(usize),
    Decimal(usize),
    Case,
    /// `一、` / `三、`: the seed's scenario headings.
    Chinese,
    Chapter,
    Section,
}

/// The heading styles looked for, as said when none is found.
pub(crate) const STYLES: &str = "“第X章 / 第X节”和“一、二、”，“3 / 3.1 / 3.1.1”这样的编号，Markdown 的 # / ## / ###，“案例1：”，以及每个“场景再现”前面的一行";

/// A line's heading style and its title (without the number or `#`s
/// where the number is the outline's, with it where it names the part).
fn style(line: &str) -> Option<(Style, String)> {
    let line = line.trim();
    let hashes = line.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) {
        let title = line[hashes..].trim();
        if line[hashes..].starts_with([' ', '\t']) && !title.is_empty() {
            return Some((Style::Markdown(hashes), title.to_owned()));
        }
        return None;
    }
    if let Some(rest) = line.strip_prefix("案例") {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || super::import::is_chinese_digit(c)))
            .unwrap_or(rest.len());
        if end > 0 {
            let title = rest[end..]
                .trim_start_matches([':', '：', '、', '.', '．', ' ', '\t'])
                .trim();
            if !title.is_empty() {
                return Some((Style::Case, title.to_owned()));
            }
        }
        return None;
    }
    if super::import::numbered(line, '章').is_some() {
        return Some((Style::Chapter, spaced(line)));
    }
    if super::import::numbered(line, '节').is_some() {
        return Some((Style::Section, spaced(line)));
    }
    if let Some((n, title)) = line.split_once('、')
        && !n.is_empty()
        && n.chars().all(super::import::is_chinese_digit)
        && !title.trim().is_empty()
    {
        return Some((Style::Chinese, title.trim().to_owned()));
    }
    decimal(line)
}

/// `3.1.1 客户…`, `3.1 开户`, `3 柜面业务` (not a step `1. 说明…` or a
/// sentence `1 说明规定。`): the depth, and the title without the number.
fn decimal(line: &str) -> Option<(Style, String)> {
    let number_end = line
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(line.len());
    let number = &line[..number_end];
    let title = line[number_end..].trim();
    let parts: Vec<&str> = number.split('.').collect();
    let depth = parts.len();
    if parts[0].is_empty()
        || title.is_empty()
        || !line[number_end..].starts_with([' ', '\t', '\u{3000}'])
    {
        return None;
    }
    // `1.` ends a step's number; `1.2.` is Word's numbering.
    let trailing_dot = parts.last() == Some(&"");
    let inner_empty = parts[..depth - 1].iter().any(|p| p.is_empty());
    if inner_empty || (trailing_dot && depth == 2) {
        return None;
    }
    let depth = if trailing_dot { depth - 1 } else { depth };
    let sentence = title.ends_with(['。', '！', '？', '；', '!', '?', ';', '，', ',']);
    if sentence || title.chars().count() > 40 {
        return None;
    }
    Some((Style::Decimal(depth), spaced(title)))
}

/// Whitespace inside a heading (Word's tab after the number) as one space.
fn spaced(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_scene(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with("场景再现") || line.starts_with("情景再现")
}

/// The headings to force on the importer, or `None` when the manual is in
/// the seed's style (or has no lines) and the importer reads it as it is.
pub(crate) fn headings(text: &str) -> Option<Vec<Heading>> {
    // (start, end, line)
    let mut lines = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        lines.push((start, end, line.trim_end_matches(['\n', '\r'])));
        start = end;
    }
    if lines.len() < 3 {
        return None;
    }
    let styled: Vec<Option<(Style, String)>> = lines.iter().map(|(_, _, l)| style(l)).collect();
    // The style of the last heading before each 场景再现 (since the last).
    let mut tally: Vec<(Option<Style>, usize)> = Vec::new();
    let mut last: Option<Style> = None;
    for ((_, _, line), styled) in lines.iter().zip(&styled) {
        if is_scene(line) {
            match tally.iter_mut().find(|(s, _)| *s == last) {
                Some((_, n)) => *n += 1,
                None => tally.push((last, 1)),
            }
            last = None;
        } else if let Some((s, _)) = styled {
            last = Some(*s);
        }
    }
    if tally.is_empty() {
        return None;
    }
    // The most common style before a 场景再现 (the seed's on a tie); a
    // marker with no heading before it is a lost heading, unless none has
    // one.
    let scenario = tally
        .iter()
        .filter_map(|(s, n)| s.map(|s| (s, *n)))
        .max_by_key(|&(s, n)| (n, s == Style::Chinese))
        .map(|(s, _)| s);
    match scenario {
        Some(Style::Chinese) => None,
        Some(scenario) => Some(by_style(&lines, &styled, scenario)),
        None => Some(bare(&lines, &styled)),
    }
}

/// Every heading line, placed relative to the scenario's style.
fn by_style(
    lines: &[(usize, usize, &str)],
    styled: &[Option<(Style, String)>],
    scenario: Style,
) -> Vec<Heading> {
    let depth_of = |s: Style| match s {
        Style::Markdown(d) | Style::Decimal(d) => Some(d),
        _ => None,
    };
    let same_family = |s: Style| {
        matches!(
            (s, scenario),
            (Style::Markdown(_), Style::Markdown(_)) | (Style::Decimal(_), Style::Decimal(_))
        )
    };
    let mut out = Vec::new();
    for ((start, end, line), styled) in lines.iter().zip(styled) {
        let Some((s, title)) = styled else { continue };
        let level = if *s == scenario {
            Some(Level::Scenario)
        } else if same_family(*s) {
            match (depth_of(*s), depth_of(scenario)) {
                (Some(d), Some(l)) if d + 1 == l => Some(Level::Section),
                (Some(d), Some(l)) if d + 1 < l => Some(Level::Chapter),
                // Deeper than a scenario: text of it.
                _ => None,
            }
        } else {
            match s {
                Style::Chapter | Style::Markdown(1) | Style::Decimal(1) => Some(Level::Chapter),
                Style::Section | Style::Chinese | Style::Markdown(_) | Style::Decimal(_) => {
                    Some(Level::Section)
                }
                Style::Case => None,
            }
        };
        if let Some(level) = level {
            let title = match (level, s) {
                // Sections and chapters keep their numbers (`3.1 开户`,
                // `一、取款`); scenarios are titled by their words.
                (Level::Section | Level::Chapter, Style::Decimal(_) | Style::Chinese) => {
                    spaced(line)
                }
                _ => title.clone(),
            };
            out.push(Heading {
                start: *start,
                end: *end,
                level,
                title,
            });
        }
    }
    out
}

/// No heading style before the 场景再现 markers: the line before each is
/// the scenario's title; `第X章` / `第X节` lines stay what they are.
fn bare(lines: &[(usize, usize, &str)], styled: &[Option<(Style, String)>]) -> Vec<Heading> {
    let mut out = Vec::new();
    for (k, (start, end, line)) in lines.iter().enumerate() {
        match &styled[k] {
            Some((Style::Chapter, title)) => out.push(Heading {
                start: *start,
                end: *end,
                level: Level::Chapter,
                title: title.clone(),
            }),
            Some((Style::Section, title)) => out.push(Heading {
                start: *start,
                end: *end,
                level: Level::Section,
                title: title.clone(),
            }),
            _ if is_scene(line) => {
                let before = lines[..k]
                    .iter()
                    .rev()
                    .find(|(_, _, l)| !l.trim().is_empty());
                if let Some((s, e, l)) = before
                    && !is_scene(l)
                    && out.last().is_none_or(|h: &Heading| h.start != *s)
                {
                    out.push(Heading {
                        start: *s,
                        end: *e,
                        level: Level::Scenario,
                        title: spaced(l),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Up to `n` lines that look like headings (short, not a sentence), for
/// the message when nothing imports.
pub(crate) fn heading_like(text: &str, n: usize) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            let chars = l.chars().count();
            (2..=30).contains(&chars)
                && !l.ends_with(['。', '！', '？', '；', '，', '!', '?', ';', ',', '”', '"'])
        })
        .take(n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_are_told_apart_from_steps_and_sentences() {
        assert_eq!(
            style("3.1.1 客户在自助机上办卡失败"),
            Some((Style::Decimal(3), "客户在自助机上办卡失败".into()))
        );
        assert_eq!(
            style("3 柜面业务"),
            Some((Style::Decimal(1), "柜面业务".into()))
        );
        assert_eq!(
            style("1.1.\t开户"),
            Some((Style::Decimal(2), "开户".into()))
        );
        assert_eq!(style("1. 上前询问客户遇到的问题。"), None);
        assert_eq!(style("1.\t上前询问"), None);
        assert_eq!(style("2 说明规定。"), None);
        assert_eq!(style("1.5万元"), None);
        assert_eq!(
            style("### 客户丢卡"),
            Some((Style::Markdown(3), "客户丢卡".into()))
        );
        assert_eq!(style("#话题"), None);
        assert_eq!(
            style("案例12：客户要取大额现金"),
            Some((Style::Case, "客户要取大额现金".into()))
        );
        assert_eq!(
            style("案例三 客户存款"),
            Some((Style::Case, "客户存款".into()))
        );
        assert_eq!(
            style("第1章\t柜面业务"),
            Some((Style::Chapter, "第1章 柜面业务".into()))
        );
        assert_eq!(
            style("第二节 取款"),
            Some((Style::Section, "第二节 取款".into()))
        );
        assert_eq!(style("二、存款"), Some((Style::Chinese, "存款".into())));
        assert_eq!(style("场景再现"), None);
    }

    #[test]
    fn the_seeds_style_is_left_to_the_importer() {
        let text = "第四章 业务处理区\n第一节 客户\n一、柜员业务不熟练\n场景再现\n客户。\n解决方案\n(1)道歉。\n";
        assert_eq!(headings(text), None);
    }

    #[test]
    fn the_scenario_level_is_the_one_before_the_scene_markers() {
        let text =
            "# 第三章\n## 开户\n### 办卡失败\n场景再现\n客户。\n### 要实体卡\n场景再现\n客户。\n";
        let levels: Vec<(Level, &str)> = headings(text)
            .unwrap()
            .iter()
            .map(|h| (h.level, &text[h.start..h.end]))
            .map(|(l, t)| (l, t.trim_end()))
            .collect();
        assert_eq!(
            levels,
            [
                (Level::Chapter, "# 第三章"),
                (Level::Section, "## 开户"),
                (Level::Scenario, "### 办卡失败"),
                (Level::Scenario, "### 要实体卡"),
            ]
        );
    }
}
