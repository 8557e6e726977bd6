//! One file's raw RON → validated chapters and cards, collecting every
//! problem with its position (the work across files is `assemble`'s).
//!
//! Rule of thumb for severities: an *error* means the file or card was left
//! out (the counter never shows half a card); a *warning* means it was loaded
//! and something small was ignored or looks unintended.

use std::collections::BTreeMap;
use std::path::Path;

use crate::content::diagnostic::{Diagnostic, LineIndex, Pos};
use crate::content::raw::{self, Located, RawCard, RawChapter, RawStatus, RawStep};
use crate::content::ron_error;
use crate::content::rules::{self, Rule};
use crate::content::syntax;
use crate::model::{Card, CardId, FillField, Link, Meta, Origin, Script, Status, Step, Template};

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ParsedFile {
    pub(crate) title: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) withdraw: Vec<(CardId, Pos)>,
    pub(crate) sections: Vec<(Option<String>, Vec<ParsedCard>)>,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct ParsedCard {
    pub(crate) card: Card,
    pub(crate) id_pos: Pos,
    pub(crate) link_pos: Vec<Pos>,
}

/// Maps byte offsets and sub-slices of one source to line:col.
pub(crate) struct Source<'a> {
    path: &'a Path,
    file: usize,
    text: &'a str,
    lines: LineIndex<'a>,
    /// The compliance rules scripts are checked against.
    rules: &'a [Rule],
}

impl<'a> Source<'a> {
    pub(crate) fn new(path: &'a Path, file: usize, text: &'a str, rules: &'a [Rule]) -> Self {
        Self {
            path,
            file,
            text,
            rules,
            lines: LineIndex::new(text),
        }
    }

    fn pos_at(&self, offset: usize) -> Pos {
        self.lines.pos(offset)
    }

    /// Byte offset of `pos`, when it is in the text.
    fn offset_of(&self, pos: Pos) -> Option<usize> {
        let line = usize::try_from(pos.line).ok()?.checked_sub(1)?;
        let start = self.lines.line_start(line)?;
        let skip = usize::try_from(pos.col).ok()?.checked_sub(1)?;
        self.text[start..]
            .char_indices()
            .nth(skip)
            .map(|(k, _)| start + k)
    }

    /// Position of `slice`, which must be a sub-slice of the source.
    fn pos_of(&self, slice: &str) -> Pos {
        let offset = (slice.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.pos_at(offset.min(self.text.len()))
    }

    /// Absolute position of a ron error raised while parsing `slice`.
    fn error_pos(&self, slice: &str, err: &ron::error::SpannedError) -> Pos {
        rebase(self.pos_of(slice), err.span.start)
    }

    fn ron_error(&self, slice: &str, err: &ron::error::SpannedError) -> Diagnostic {
        let (at, mut pos) = ron_error::char_at(self.text, &self.lines, self.error_pos(slice, err));
        // ron notices a missing field at the struct's closing bracket; the
        // editor looks for the struct by its name (`Card(`).
        if let ron::Error::MissingStructField { .. } = err.code
            && let Some(start) = self.offset_of(pos)
            && let Some(opener) = syntax::opener_of(self.text, start)
        {
            pos = self.pos_at(opener);
        }
        let (message, help) = ron_error::describe(&err.code, at);
        let d = Diagnostic::error(self.path, Some(pos), message);
        match help {
            Some(h) => d.with_help(h),
            None => d,
        }
    }

    /// The parsed value, or `None` after reporting its error.
    fn value<'v, T>(&self, loc: &'v Located<'_, T>, diags: &mut Vec<Diagnostic>) -> Option<&'v T> {
        match &loc.value {
            Ok(v) => Some(v),
            Err(err) => {
                diags.push(self.ron_error(loc.src, err));
                None
            }
        }
    }

    fn error(&self, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.path, Some(pos), message)
    }

    fn warning(&self, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(self.path, Some(pos), message)
    }
}

/// A warning for each Chinese character in the file's text that the
/// bundled font lacks: at its first place, with how often it occurs.
fn glyph_warnings(src: &Source<'_>, text: &str, diags: &mut Vec<Diagnostic>) {
    let mut found: Vec<(char, usize, usize)> = Vec::new();
    for (at, c) in syntax::string_chars(text) {
        if crate::glyphs::needs_system_font(c) {
            match found.iter_mut().find(|(f, _, _)| *f == c) {
                Some((_, _, n)) => *n += 1,
                None => found.push((c, at, 1)),
            }
        }
    }
    for (c, at, n) in found {
        let times = if n > 1 {
            format!("（共 {n} 处）")
        } else {
            String::new()
        };
        diags.push(
            src.warning(
                src.pos_at(at),
                format!("“{c}”（U+{:04X}）不在程序自带的字体里{times}", u32::from(c)),
            )
            .with_help(
                "窗口会用电脑上的中文字体显示它（Windows：微软雅黑或宋体；Linux：Noto Sans CJK 或文泉驿）；\
                 没有装中文字体的电脑上会显示成方框",
            ),
        );
    }
}

/// `rel` is 1-based within a slice starting at `base`.
fn rebase(base: Pos, rel: ron::error::Position) -> Pos {
    let rel_line = u32::try_from(rel.line.max(1)).unwrap_or(u32::MAX);
    let rel_col = u32::try_from(rel.col.max(1)).unwrap_or(u32::MAX);
    if rel_line == 1 {
        Pos {
            line: base.line,
            col: base.col.saturating_add(rel_col - 1),
        }
    } else {
        Pos {
            line: base.line.saturating_add(rel_line - 1),
            col: rel_col,
        }
    }
}

pub(crate) fn parse_file(src: &Source<'_>, diags: &mut Vec<Diagnostic>) -> Option<ParsedFile> {
    let text = src.text;
    // Nothing at all, or only blanks: what an interrupted copy or a full
    // disk leaves. An error, so the file's last good version (or the
    // central source's offline copy) stays in use.
    if text.trim().is_empty() {
        diags.push(
            src.error(
                Pos::START,
                "文件是空的（0 字节或只有空白）：可能是复制或保存被中断了；这个文件没有加载",
            )
            .with_help("窗口继续使用这个文件上次没有错误的版本；请重新复制或保存这个文件"),
        );
        return None;
    }
    // Nothing but `//` comments: a file begun on purpose.
    if text
        .lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with("//"))
    {
        diags.push(
            src.warning(Pos::START, "文件是空的（没有 `Chapter(...)`），没有卡片")
                .with_help("新建的文件可以从 docs/editing.md 里的例子开始写"),
        );
        return None;
    }
    // A config file kept beside the cards (the README's shortcut with
    // `--config \\server\share\huashu\config.ron`) is not content.
    if syntax::top_level_name(text) == Some("Config") {
        return None;
    }
    // Compliance rules, read before the cards (see `rules`), and synonyms,
    // read after them (see `synonyms`).
    if rules::is_rules(text) || crate::content::synonyms::is_synonyms(text) {
        return None;
    }
    let raw = read_chapter(src, diags)?;
    if raw.sections.is_empty() && raw.withdraw.is_empty() {
        diags.push(src.warning(Pos::START, "这一章没有任何节（`sections` 是空的）"));
    }
    glyph_warnings(src, text, diags);
    let mut withdraw = Vec::new();
    for entry in &raw.withdraw {
        let pos = src.pos_of(entry.src);
        let Some(text) = src.value(entry, diags) else {
            continue;
        };
        match CardId::parse(text.trim()) {
            Ok(id) => withdraw.push((id, pos)),
            Err(e) => diags.push(src.warning(
                pos,
                format!("`withdraw` 里的 id `{text}` 不能用：{e}，已忽略"),
            )),
        }
    }
    let mut sections = Vec::with_capacity(raw.sections.len());
    for located in &raw.sections {
        let section = match &located.value {
            Ok(section) => section,
            Err(err) => {
                diags.push(src.ron_error(located.src, err).with_help("这一节没有加载"));
                continue;
            }
        };
        let title = non_empty(section.title.clone());
        if section.cards.is_empty() {
            diags.push(src.warning(
                src.pos_of(located.src),
                format!("节“{}”没有任何卡片", title.as_deref().unwrap_or("（无名）")),
            ));
        }
        let cards = section
            .cards
            .iter()
            .filter_map(|card| parse_card(src, card.get_ron(), diags))
            .collect();
        sections.push((title, cards));
    }
    Some(ParsedFile {
        title: non_empty(raw.title),
        note: non_empty(raw.note),
        withdraw,
        sections,
    })
}

/// The file's text read as a chapter, or `None` after saying where it
/// does not read.
fn read_chapter<'a>(src: &Source<'a>, diags: &mut Vec<Diagnostic>) -> Option<RawChapter<'a>> {
    let text = src.text;
    // Usually read in one pass; a section with no cards is reported at
    // its own place, which only the slower reading keeps.
    let quick = raw::ron_options()
        .from_str::<raw::RawChapterInOnePass<'_>>(text)
        .ok()
        .filter(|c| c.sections.iter().all(|s| !s.cards.is_empty()));
    match quick {
        Some(c) => Some(raw::Chapter {
            title: c.title,
            note: c.note,
            withdraw: c.withdraw,
            sections: c
                .sections
                .into_iter()
                .map(|section| Located {
                    // Its place is asked only of a section in error or
                    // without cards, which this reading does not give.
                    src: text,
                    value: Ok(section),
                })
                .collect(),
        }),
        None => match raw::ron_options().from_str(text) {
            Ok(raw) => Some(raw),
            Err(err) => {
                // ron reports where it gave up; a missing quote or bracket is
                // reported where it is missing instead.
                let reported = src.error_pos(text, &err);
                let d = match syntax::real_mistake(text, &src.lines, &err.code, reported) {
                    Some(m) => src.error(src.pos_at(m.at), m.message).with_help(m.help),
                    None => src.ron_error(text, &err),
                };
                diags.push(d.with_help("整个文件没有加载"));
                None
            }
        },
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Validates one card. Returns `None` (after reporting why) when the card
/// cannot be shown as written.
fn parse_card(src: &Source<'_>, card_src: &str, diags: &mut Vec<Diagnostic>) -> Option<ParsedCard> {
    let card_pos = src.pos_of(card_src);
    let raw: RawCard<'_> = match raw::ron_options().from_str(card_src) {
        Ok(raw) => raw,
        Err(err) => {
            diags.push(src.ron_error(card_src, &err).with_help("这张卡片没有加载"));
            return None;
        }
    };
    let errors_before = diags.len();

    let title = src
        .value(&raw.title, diags)
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    if title.is_empty() && raw.title.value.is_ok() {
        diags.push(src.error(src.pos_of(raw.title.src), "卡片的标题 `title` 是空的"));
    }
    let name = if title.is_empty() {
        "无标题".to_owned()
    } else {
        title.clone()
    };

    let id_pos = src.pos_of(raw.id.src);
    let id = src
        .value(&raw.id, diags)
        .and_then(|s| match CardId::parse(s.trim()) {
            Ok(id) => Some(id),
            Err(e) => {
                let mut d = src.error(id_pos, format!("id `{s}` 不能用：{e}"));
                if let Some(suggestion) = slug(s) {
                    d = d.with_help(format!("例如 `{suggestion}`"));
                }
                diags.push(d);
                None
            }
        });

    let aliases = check_aliases(src, &raw.aliases, &title, diags);
    let empty_fields = BTreeMap::new();
    let raw_fields = raw
        .fields
        .as_ref()
        .and_then(|f| src.value(f, diags))
        .unwrap_or(&empty_fields);
    let fields_pos = raw.fields.as_ref().map_or(card_pos, |f| src.pos_of(f.src));
    let fields = check_fields(src, fields_pos, raw_fields, diags);
    let steps = check_steps(src, &raw.steps, &fields, diags);
    if raw.steps.is_empty() {
        diags.push(src.warning(card_pos, format!("卡片“{name}”没有解决方案步骤 `steps`")));
    }
    if !diags[errors_before..].iter().any(Diagnostic::is_error) {
        // Only meaningful when every script parsed.
        warn_unused_fields(src, fields_pos, &fields, &steps, diags);
    }
    let scene = paragraphs(src, raw.scene.as_ref(), diags);
    let view = paragraphs(src, raw.view.as_ref(), diags);

    let (links, link_pos) = check_links_syntax(src, &raw.links, diags);
    let meta = check_meta(src, card_pos, &raw, &name, diags);

    if let Some(first) = diags[errors_before..]
        .iter_mut()
        .filter(|d| d.is_error())
        .min_by_key(|d| d.pos)
    {
        first.append_help(&format!("卡片“{name}”没有加载"));
        return None;
    }
    Some(ParsedCard {
        card: Card {
            id: id?,
            title,
            aliases,
            section: 0,
            scene,
            steps,
            view,
            links,
            fields,
            meta,
            origin: Origin {
                file: src.file,
                line: card_pos.line,
                col: card_pos.col,
            },
        },
        id_pos,
        link_pos,
    })
}

fn paragraphs(
    src: &Source<'_>,
    raw: Option<&Located<'_, raw::Paragraphs>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    raw.and_then(|p| src.value(p, diags))
        .map(|p| p.0.clone())
        .unwrap_or_default()
}

/// A usable id made from what the editor wrote, if it has any ASCII letters.
fn slug(s: &str) -> Option<String> {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    CardId::parse(&out).ok().map(|_| out)
}

fn check_aliases(
    src: &Source<'_>,
    raw: &[Located<'_, String>],
    title: &str,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut aliases: Vec<String> = Vec::with_capacity(raw.len());
    for alias in raw {
        let pos = src.pos_of(alias.src);
        match src.value(alias, diags) {
            None => {}
            Some(a) => {
                let a = a.trim();
                if a.is_empty() {
                    diags.push(src.warning(pos, "空的别名，已忽略"));
                } else if aliases.iter().any(|x| x == a) {
                    diags.push(src.warning(pos, format!("别名“{a}”重复了，已忽略")));
                } else {
                    if title.contains(a) {
                        diags.push(
                            src.warning(pos, format!("别名“{a}”已经包含在标题里"))
                                .with_help("别名用来写标题里没有的说法（客户的原话、口语、简称）"),
                        );
                    }
                    aliases.push(a.to_owned());
                }
            }
        }
    }
    aliases
}

fn check_fields(
    src: &Source<'_>,
    pos: Pos,
    raw: &BTreeMap<String, Vec<String>>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, FillField> {
    let mut fields = BTreeMap::new();
    for (name, choices) in raw {
        let name = name.trim();
        if name.is_empty() || name.contains(['{', '}']) {
            diags.push(src.error(pos, format!("填空字段名“{name}”不能为空，也不能含有花括号")));
            continue;
        }
        let mut kept: Vec<String> = Vec::new();
        for c in choices {
            let c = c.trim();
            if c.is_empty() || kept.iter().any(|k| k == c) {
                diags.push(src.warning(
                    pos,
                    format!("填空字段“{name}”的选项“{c}”是空的或重复了，已忽略"),
                ));
            } else {
                kept.push(c.to_owned());
            }
        }
        fields.insert(name.to_owned(), FillField { choices: kept });
    }
    fields
}

const SCRIPT_LABELS: &[&str] = &["演讲", "脚本", "文字", "话术"];

fn check_steps(
    src: &Source<'_>,
    raw_steps: &[Located<'_, RawStep<'_>>],
    fields: &BTreeMap<String, FillField>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Step> {
    let mut steps = Vec::with_capacity(raw_steps.len());
    for (n, located) in raw_steps.iter().enumerate() {
        let pos = src.pos_of(located.src);
        let Some(step) = src.value(located, diags) else {
            continue;
        };
        let action = step.action.trim();
        // A step may be only what to say (`(2)演讲:…` in the manual).
        if action.is_empty() && step.scripts.is_empty() {
            diags.push(
                src.error(
                    pos,
                    format!("第 {} 步是空的：没有 `action` 也没有话术", n + 1),
                )
                .with_help("写上这一步要做什么，或者删掉这一步"),
            );
        } else if let Some(prefix) = numbering_prefix(action) {
            let at = syntax::field_value(located.src, "action")
                .map_or(pos, |k| src.pos_of(&located.src[k..]));
            diags.push(
                src.warning(at, format!("第 {} 步的文字以编号“{prefix}”开头", n + 1))
                    .with_help("窗口会自动给步骤编号，删掉这个编号"),
            );
        }
        let mut scripts = Vec::with_capacity(step.scripts.len());
        for script in &step.scripts {
            if let Some(s) = check_script(src, script, fields, diags) {
                scripts.push(s);
            }
        }
        steps.push(Step {
            action: action.to_owned(),
            scripts,
        });
    }
    steps
}

fn check_script(
    src: &Source<'_>,
    script: &Located<'_, String>,
    fields: &BTreeMap<String, FillField>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Script> {
    let pos = src.pos_of(script.src);
    let text = src.value(script, diags)?.trim();
    if text.is_empty() {
        diags.push(src.warning(pos, "空的话术，已忽略"));
        return None;
    }
    if let Some(label) = SCRIPT_LABELS.iter().find(|l| {
        text.strip_prefix(**l)
            .is_some_and(|rest| rest.starts_with([':', '：']))
    }) {
        diags.push(
            src.warning(
                pos,
                format!("话术以标签“{label}:”开头，这个标签会被一起复制"),
            )
            .with_help("话术里只写要说的话，删掉标签"),
        );
    }
    for rule in src.rules.iter().filter(|r| text.contains(&r.phrase)) {
        // At the phrase in the file (where escapes do not hide it).
        let at = script
            .src
            .find(&rule.phrase)
            .map_or(pos, |k| src.pos_of(&script.src[k..]));
        let (message, help) = rules::message(rule);
        diags.push(src.warning(at, message).with_help(help));
    }
    let template = match Template::parse(text) {
        Ok(t) => t,
        Err(e) => {
            // +1 for the opening quote of the string literal.
            let at = u32::try_from(e.char_index() + 1).unwrap_or(0);
            let at = Pos {
                line: pos.line,
                col: pos.col.saturating_add(at),
            };
            diags.push(
                src.error(at, e.to_string())
                    .with_help("填空写成 `{称呼}`；要显示花括号本身，写 `{{` 或 `}}`"),
            );
            return None;
        }
    };
    let mut ok = true;
    for name in template.field_names() {
        if !fields.contains_key(name) {
            ok = false;
            let mut d = src.error(pos, format!("话术里的填空 `{{{name}}}` 没有定义"));
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            d = match ron_error::closest(name, &names) {
                Some(best) => d.with_help(format!("是不是 `{{{best}}}`？")),
                None => d.with_help(format!(
                    "在卡片里加上 `fields: {{\"{name}\": [\"选项一\", \"选项二\"]}}`"
                )),
            };
            diags.push(d);
        }
    }
    ok.then_some(Script { template })
}

fn warn_unused_fields(
    src: &Source<'_>,
    pos: Pos,
    fields: &BTreeMap<String, FillField>,
    steps: &[Step],
    diags: &mut Vec<Diagnostic>,
) {
    for name in fields.keys() {
        let used = steps
            .iter()
            .flat_map(|s| &s.scripts)
            .any(|s| s.template.field_names().contains(&name.as_str()));
        if !used {
            diags.push(src.warning(
                pos,
                format!("填空字段“{name}”定义了，但没有话术用到 `{{{name}}}`"),
            ));
        }
    }
}

/// `(1)`, `（1）`, `1.`, `1、`, `①` at the start of a step.
fn numbering_prefix(text: &str) -> Option<String> {
    let mut chars = text.char_indices();
    let (_, first) = chars.next()?;
    if ('①'..='⑳').contains(&first) {
        return Some(first.to_string());
    }
    let open = matches!(first, '(' | '（');
    let digits_start = usize::from(open) * first.len_utf8();
    let rest = &text[digits_start..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let after = rest[digits.len()..].chars().next()?;
    let closes = if open {
        matches!(after, ')' | '）')
    } else {
        matches!(after, '.' | '、' | '．' | ')' | '）')
    };
    closes.then(|| text[..digits_start + digits.len() + after.len_utf8()].to_owned())
}

fn check_links_syntax(
    src: &Source<'_>,
    raw: &[Located<'_, raw::RawLink>],
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Link>, Vec<Pos>) {
    let mut links = Vec::new();
    let mut positions = Vec::new();
    for located in raw {
        // At the id it links to, which is what an editor fixes.
        let pos = syntax::field_value(located.src, "to").map_or_else(
            || src.pos_of(located.src),
            |k| src.pos_of(&located.src[k..]),
        );
        match &located.value {
            Err(err) => {
                diags.push(as_warning(src.ron_error(located.src, err)).with_help("已忽略这个链接"));
            }
            Ok(link) => match CardId::parse(link.to.trim()) {
                Ok(to) => {
                    links.push(Link {
                        to,
                        why: link.why.trim().to_owned(),
                    });
                    positions.push(pos);
                }
                Err(e) => diags.push(src.warning(
                    pos,
                    format!(
                        "链接目标 `{}` 不是有效的 id（{e}），已忽略这个链接",
                        link.to
                    ),
                )),
            },
        }
    }
    (links, positions)
}

fn check_meta(
    src: &Source<'_>,
    card_pos: Pos,
    raw: &RawCard<'_>,
    name: &str,
    diags: &mut Vec<Diagnostic>,
) -> Meta {
    let status = raw
        .status
        .as_ref()
        .and_then(|s| src.value(s, diags))
        .map(|s| match s {
            RawStatus::Draft => Status::Draft,
            RawStatus::Reviewed => Status::Reviewed,
        });
    let text = |field: &Option<Located<'_, String>>, diags: &mut Vec<Diagnostic>| {
        non_empty(field.as_ref().and_then(|f| src.value(f, diags)).cloned())
    };
    let note = text(&raw.note, diags);
    let reviewed_by = text(&raw.reviewed_by, diags);
    let based_on = text(&raw.based_on, diags);
    let locked = raw
        .locked
        .as_ref()
        .and_then(|v| src.value(v, diags))
        .copied()
        .unwrap_or(false);
    let version = raw
        .version
        .as_ref()
        .and_then(|v| src.value(v, diags))
        .copied();
    if status == Some(Status::Draft) {
        let mut d = src.warning(card_pos, format!("卡片“{name}”是草稿，还没有审核"));
        if let Some(note) = &note {
            d = d.with_help(note.clone());
        }
        diags.push(d);
    }
    // A wrong date is only metadata: warn and ignore it.
    let updated = raw.updated.as_ref().and_then(|located| {
        let pos = src.pos_of(located.src);
        match &located.value {
            Ok(s) => match s.trim().parse() {
                Ok(date) => Some(date),
                Err(msg) => {
                    diags.push(src.warning(pos, format!("{msg}；已忽略这个日期")));
                    None
                }
            },
            Err(err) => {
                diags.push(as_warning(src.ron_error(located.src, err)).with_help("已忽略这个日期"));
                None
            }
        }
    });
    Meta {
        status,
        version,
        reviewed_by,
        updated,
        note,
        locked,
        based_on,
    }
}

fn as_warning(d: Diagnostic) -> Diagnostic {
    Diagnostic {
        severity: crate::content::Severity::Warning,
        ..d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_prefixes() {
        assert_eq!(numbering_prefix("(1)向客户道歉"), Some("(1)".into()));
        assert_eq!(numbering_prefix("（2）协调"), Some("（2）".into()));
        assert_eq!(numbering_prefix("3、转柜"), Some("3、".into()));
        assert_eq!(numbering_prefix("12.核实"), Some("12.".into()));
        assert_eq!(numbering_prefix("①道歉"), Some("①".into()));
        assert_eq!(numbering_prefix("30万元的汇款"), None);
        assert_eq!(numbering_prefix("向客户道歉"), None);
        assert_eq!(numbering_prefix("(备注)"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Wrong Queue"), Some("wrong-queue".into()));
        assert_eq!(slug("取号"), None);
    }

    #[test]
    fn positions_count_characters() {
        let text = "ab\n客户x\n";
        let src = Source::new(Path::new("t.ron"), 0, text, &[]);
        let x = text.find('x').unwrap();
        assert_eq!(src.pos_at(x), Pos::new(2, 3));
        assert_eq!(src.pos_at(0), Pos::new(1, 1));
        assert_eq!(src.pos_of(&text[x..]), Pos::new(2, 3));
    }

    #[test]
    fn rebase_positions() {
        let base = Pos::new(10, 5);
        let p = |line, col| ron::error::Position { line, col };
        assert_eq!(rebase(base, p(1, 1)), Pos::new(10, 5));
        assert_eq!(rebase(base, p(1, 4)), Pos::new(10, 8));
        assert_eq!(rebase(base, p(3, 2)), Pos::new(12, 2));
    }
}
