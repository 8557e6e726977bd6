//! Finding the real mistake in RON text that does not parse. ron reports
//! where it gave up, which for the two commonest slips — a closing quote or
//! a closing bracket left out — is a line or more below the mistake and
//! reads as "missing comma". These scanners look at the text the way a
//! person does: strings, comments, brackets and indentation.

use std::ops::Range;

use crate::content::diagnostic::{LineIndex, Pos};

/// A mistake found by reading the text rather than by where ron stopped.
#[derive(Debug)]
pub struct Mistake {
    /// Byte offset to report.
    pub at: usize,
    pub message: String,
    pub help: String,
}

/// The real mistake behind ron's error `err`, which it reported at
/// `reported`: a string that does not end (where it began), or brackets
/// that do not pair (naming the bracket and where it opened). `None` when
/// ron's own account is the best there is.
pub fn real_mistake(
    text: &str,
    lines: &LineIndex<'_>,
    err: &ron::Error,
    reported: Pos,
) -> Option<Mistake> {
    // What a person pasting text does first: quotes and brackets from a
    // Chinese document, a card dropped after its list. The earliest such
    // place, when it comes before the string that does not end.
    let unterminated = unterminated_string(text);
    // ron may stop at the start of the value that holds it (a line above
    // a bracket typed wide).
    if let Some(m) = pasted_mistake(text, lines)
        && lines.pos(m.at).line <= reported.line + 1
        && unterminated.is_none_or(|u| m.at < u)
    {
        return Some(m);
    }
    match unterminated {
        Some(at) if lines.pos(at) <= reported => {
            return Some(Mistake {
                at,
                message: "字符串没有结束：这段文字缺少右引号 `\"`".into(),
                help: "在这段文字的结尾补上英文双引号 `\"`；文字里要用引号请用中文引号“”，或写成 `\\\"`"
                    .into(),
            });
        }
        // A stray quote turns syntax into text and back: the brackets
        // cannot be trusted.
        Some(_) => return None,
        None => {}
    }
    // Too deep is its own story, whatever the pairing.
    if *err == ron::Error::ExceededRecursionLimit {
        return None;
    }
    unpaired_bracket(text).map(|u| u.explain(text, lines))
}

/// Characters a Chinese input method types for RON's syntax, and what
/// they stand for.
fn full_width_syntax(c: char) -> Option<char> {
    Some(match c {
        '（' => '(',
        '）' => ')',
        '【' | '「' | '『' | '［' => '[',
        '】' | '」' | '』' | '］' => ']',
        '｛' => '{',
        '｝' => '}',
        '，' | '；' => ',',
        '：' => ':',
        '“' | '”' | '＂' => '"',
        _ => return None,
    })
}

/// Text rather than syntax: a letter or punctuation of Chinese (anything
/// not ASCII that is not typed for syntax).
fn is_text(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && full_width_syntax(c).is_none()
}

/// The first place where pasted text broke the syntax, in the order of the
/// file: an English quote inside a text (the text closes, and more text
/// follows on its line); a text with no opening quote; full-width brackets,
/// commas or colons typed as syntax; a `Card(` outside its section's
/// `cards: [...]`.
fn pasted_mistake(text: &str, lines: &LineIndex<'_>) -> Option<Mistake> {
    // Open brackets: (offset, bracket, label), and the last `cards: [`
    // closed directly inside each.
    let mut open: Vec<(usize, char, String, Option<usize>)> = Vec::new();
    let mut line_start = 0;
    // The end of the last string on this line; whether nothing but blanks
    // came since; where a run of punctuation touching it ends (`"事后",建`:
    // a quote typed inside `事后,建议`).
    let mut string_end: Option<usize> = None;
    let mut just_after = false;
    let mut touching: Option<usize> = None;
    for token in tokens(text) {
        match token {
            Token::LineBreak(i) => {
                line_start = i + 1;
                string_end = None;
                touching = None;
            }
            Token::String(range) => {
                string_end = Some(range.end);
                just_after = true;
                touching = Some(range.end);
            }
            Token::Char(at, c) => {
                let rest_of_line = text[at..].split('\n').next().unwrap_or("");
                // `"转柜"，"没办过"`: a full-width comma between texts is
                // syntax typed wide, not text.
                let quote_next = text[at + c.len_utf8()..].trim_start().starts_with('"');
                let inside_text = just_after || touching == Some(at);
                if is_text(c) || (full_width_syntax(c).is_some() && !quote_next) {
                    if let Some(end) = string_end
                        && inside_text
                        && rest_of_line.contains('"')
                    {
                        // `"客户说"不要你办",`: the quote before this closed
                        // the text too early.
                        return Some(Mistake {
                            at: end - 1,
                            message: "文字里有英文双引号 `\"`：它把这段文字提前结束了".into(),
                            help: "文字里的引号请用中文引号“”，或者写成 `\\\"`".into(),
                        });
                    }
                    if is_text(c) {
                        let said = if rest_of_line.contains('"') {
                            "这段文字缺少左引号 `\"`"
                        } else {
                            "这段文字没有用英文双引号括起来"
                        };
                        return Some(Mistake {
                            at,
                            message: said.into(),
                            help: "文字要写在英文双引号里：在这段文字前面补上 `\"`".into(),
                        });
                    }
                }
                just_after = false;
                touching = (touching == Some(at) && c.is_ascii_punctuation() && c != '"')
                    .then(|| at + c.len_utf8());
                if let Some(ascii) = full_width_syntax(c) {
                    return Some(Mistake {
                        at,
                        message: format!("这里不能用中文标点 `{c}`"),
                        help: format!(
                            "RON 的语法符号要用英文半角 `{ascii}`（切换到英文输入法再打）；引号里文字中的中文标点不受影响"
                        ),
                    });
                }
                match c {
                    '(' | '[' | '{' => {
                        let (name_at, name) = label(text, line_start, at, c);
                        if name == "Card("
                            && let Some((_, '(', parent, Some(list_end))) = open.last()
                            && parent.starts_with("Section")
                        {
                            let end = lines.pos(*list_end);
                            return Some(Mistake {
                                at: name_at,
                                message: format!(
                                    "这张卡片在 `cards: [...]` 列表的外面：第 {} 行的 `]` 已经结束了这一节的卡片列表",
                                    end.line
                                ),
                                help: format!(
                                    "把这张卡片移到第 {} 行的 `]` 前面，或者把那个 `],` 移到这张卡片后面",
                                    end.line
                                ),
                            });
                        }
                        open.push((at, c, name, None));
                    }
                    ')' | ']' | '}' => {
                        // Brackets that do not pair are the bracket
                        // scanner's story.
                        let (_, bracket, name, _) = open.pop()?;
                        if closer_of(bracket) != c {
                            return None;
                        }
                        if name == "cards: ["
                            && let Some(parent) = open.last_mut()
                        {
                            parent.3 = Some(at);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    None
}

/// A string literal of RON text.
pub struct StringLiteral {
    /// Byte offset of its opening quote (`"`, or the `r` of a raw string).
    pub quote: usize,
    /// Its contents, as written (escapes included); to the end of the text
    /// when it never ends.
    pub body: Range<usize>,
    /// Byte offset just past its closing quote (the text's length when it
    /// never ends).
    pub end: usize,
    pub closed: bool,
}

/// What is not syntax in RON text: string literals and comments, in order.
enum Span {
    String(StringLiteral),
    Comment(Range<usize>),
}

impl Span {
    fn range(&self) -> Range<usize> {
        match self {
            Self::String(l) => l.quote..l.end,
            Self::Comment(r) => r.clone(),
        }
    }
}

/// The string literals and comments of RON text: `"…"` with `\` escapes,
/// raw `r#"…"#`, `//` to the end of the line, `/* … */`.
fn spans(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.push(Span::Comment(i..end));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                out.push(Span::Comment(i..end));
                i = end;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut closed = false;
                while j < bytes.len() {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                let body = start..j.min(bytes.len());
                i = if closed { body.end + 1 } else { bytes.len() };
                out.push(Span::String(StringLiteral {
                    quote: start - 1,
                    body,
                    end: i,
                    closed,
                }));
            }
            // A raw string: `r`, some `#`, `"`, and not the end of a word
            // such as `for"`.
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#'))
                && !i
                    .checked_sub(1)
                    .is_some_and(|p| bytes[p].is_ascii_alphanumeric() || bytes[p] == b'_') =>
            {
                let mut j = i + 1;
                while bytes.get(j) == Some(&b'#') {
                    j += 1;
                }
                if bytes.get(j) != Some(&b'"') {
                    i = j;
                    continue;
                }
                // Up to `"` and as many `#`.
                let closing = format!("\"{}", "#".repeat(j - i - 1));
                let start = j + 1;
                let found = text[start..].find(&closing);
                let body = start..found.map_or(bytes.len(), |n| start + n);
                let quote = i;
                i = found.map_or(bytes.len(), |_| body.end + closing.len());
                out.push(Span::String(StringLiteral {
                    quote,
                    body,
                    end: i,
                    closed: found.is_some(),
                }));
            }
            _ => i += 1,
        }
    }
    out
}

/// Whether a comment (`//` or `/* */`) starts within `range` of `text`.
pub fn has_comment(text: &str, range: Range<usize>) -> bool {
    spans(text)
        .iter()
        .any(|s| matches!(s, Span::Comment(r) if range.contains(&r.start)))
}

/// The string literals of RON text, in order; comments skipped.
pub fn string_literals(text: &str) -> impl Iterator<Item = StringLiteral> {
    spans(text).into_iter().filter_map(|s| match s {
        Span::String(l) => Some(l),
        Span::Comment(_) => None,
    })
}

/// The characters inside the string literals of RON text, with their byte
/// offsets (comments and syntax left out).
pub fn string_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    string_literals(text).flat_map(move |l| {
        text[l.body.clone()]
            .char_indices()
            .map(move |(k, c)| (l.body.start + k, c))
    })
}

/// The byte offset of the opening quote of the first string that does not
/// end where it should: one that never ends, or one that runs across a line
/// break into what looks like RON again (`field:`, `Card(`, `],`) or ends
/// in a line break and indentation (closed by the next line's opening
/// quote) — a closing quote left out, or a `"` typed inside the text.
pub fn unterminated_string(text: &str) -> Option<usize> {
    string_literals(text)
        .find(|l| {
            let inside = &text[l.body.clone()];
            // Text that ends in a line break and indentation is the next
            // line's opening quote closing it.
            let ends_in_indent = inside
                .rsplit_once('\n')
                .is_some_and(|(_, rest)| rest.trim().is_empty());
            !l.closed
                || (inside.contains('\n')
                    && (ends_in_indent || inside.lines().skip(1).any(looks_like_ron)))
        })
        .map(|l| l.quote)
}

/// A line of RON syntax rather than of card text: `title: …`, `Card(`,
/// `Step(`, `],`, `),`.
fn looks_like_ron(line: &str) -> bool {
    let t = line.trim_start();
    let field = t.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    });
    field
        || ["Card(", "Step(", "Section(", "Link(", "Chapter("]
            .iter()
            .any(|p| t.starts_with(p))
        || t.starts_with("],")
        || t.starts_with("),")
        || t == "]"
        || t == ")"
}

/// An opening bracket: `(`, `[` or `{`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opener {
    /// Byte offset of the bracket.
    pub at: usize,
    pub bracket: char,
    /// What a person calls it: the bracket with the name before it,
    /// `Card(`, `steps: [`, or the bracket alone.
    pub label: String,
}

impl Opener {
    /// The bracket that closes this one.
    pub fn closer(&self) -> char {
        closer_of(self.bracket)
    }
}

fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// Brackets that do not pair up, at the place a person would fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unpaired {
    /// `opener` is never closed; its closing bracket belongs at `at` (the
    /// first token of the line that should begin with it, or the end of
    /// the opener's own line for a bracket opened and closed on one line).
    Unclosed { opener: Opener, at: usize },
    /// The closing bracket at `at` does not close `opener`, the innermost
    /// bracket still open there.
    Mismatched {
        opener: Opener,
        at: usize,
        closer: char,
    },
    /// The closing bracket at `at` closes nothing.
    Extra { at: usize, closer: char },
    /// The text ends at `at` with `open` brackets (two or more) still
    /// open, `innermost` the last opened: cut short, as an interrupted copy
    /// leaves it, rather than one bracket forgotten.
    Truncated {
        innermost: Opener,
        open: usize,
        at: usize,
    },
}

impl Unpaired {
    /// What to tell the editor.
    fn explain(&self, text: &str, lines: &LineIndex<'_>) -> Mistake {
        let named = |opener: &Opener| {
            let pos = lines.pos(opener.at);
            format!("第 {} 行第 {} 列的 `{}`", pos.line, pos.col, opener.label)
        };
        let at = self.at();
        let (message, help) = match self {
            Self::Unclosed { opener, at } => {
                let close = opener.closer();
                let opened = lines.pos(opener.at);
                let help = if *at >= text.trim_end().len() {
                    format!("在文件末尾补上 `{close}`")
                } else if opened.line == lines.pos(*at).line {
                    format!("在这里补上 `{close}`")
                } else {
                    format!("在这里补上 `{close}`，和第 {} 行对齐", opened.line)
                };
                (format!("{}没有关闭：缺少 `{close}`", named(opener)), help)
            }
            Self::Mismatched { opener, closer, .. } => (
                format!(
                    "括号不配对：这里的 `{closer}` 关不上{}（它要用 `{}` 关闭）",
                    named(opener),
                    opener.closer()
                ),
                format!(
                    "可能是这里多写了 `{closer}`，或者前面少了 `{}`",
                    opener.closer()
                ),
            ),
            Self::Truncated {
                innermost, open, ..
            } => (
                format!(
                    "文件意外结束：还有 {open} 个括号没有关闭，最里面的是{}",
                    named(innermost)
                ),
                "文件可能没有复制或保存完整，请重新复制；如果是手写的，请补上缺少的括号".into(),
            ),
            Self::Extra { closer, .. } => (
                format!("多了一个 `{closer}`：它前面的括号都已经关闭了"),
                "删掉这个括号，或者检查前面是否提前关闭了括号".into(),
            ),
        };
        Mistake { at, message, help }
    }

    /// Byte offset to report.
    pub fn at(&self) -> usize {
        match self {
            Self::Unclosed { at, .. }
            | Self::Mismatched { at, .. }
            | Self::Extra { at, .. }
            | Self::Truncated { at, .. } => *at,
        }
    }
}

/// A bracket still open while scanning, with what the indentation says
/// about where it should close.
struct Open {
    opener: Opener,
    /// Indentation (in characters) of the line it opened on.
    indent: usize,
    /// Nothing but blanks and comments follows it on its line: its closing
    /// bracket should begin a line of the same indentation.
    ends_line: bool,
}

/// What the bracket scanners see of RON text: syntax characters other
/// than blanks, whole strings, and line breaks; comments left out.
enum Token {
    Char(usize, char),
    String(Range<usize>),
    LineBreak(usize),
}

fn tokens(text: &str) -> impl Iterator<Item = Token> + '_ {
    let mut spans = spans(text).into_iter().peekable();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            if let Some(span) = spans.next_if(|s| s.range().start == i) {
                let range = span.range();
                i = range.end;
                // A comment runs to the line break, which comes next; a
                // string may hold line breaks but does not start lines.
                match span {
                    Span::String(_) => return Some(Token::String(range)),
                    Span::Comment(_) => continue,
                }
            }
            let c = text[i..].chars().next()?;
            let at = i;
            i += c.len_utf8();
            match c {
                '\n' => return Some(Token::LineBreak(at)),
                c if c.is_whitespace() => {}
                c => return Some(Token::Char(at, c)),
            }
        }
    })
}

/// The first place the brackets of RON text do not pair up, or `None` when
/// they do (strings and comments skipped).
///
/// Where they do not, indentation tells where the mistake is: a bracket
/// that ends its line is closed by a line that begins with the closing
/// bracket at the same indentation, and one that does not is closed on its
/// own line (or before the next line as shallow as its own). A line that
/// comes back to a bracket's indentation while it is still open is where
/// it should have closed. That reading is kept only when making the fix it
/// suggests pairs every bracket; where indentation says nothing (a file
/// with none, a stray tab), the place where the brackets first stop pairing
/// is reported instead.
pub fn unpaired_bracket(text: &str) -> Option<Unpaired> {
    let plain = scan(text, false)?;
    match scan(text, true) {
        Some(by_indent)
            if by_indent != plain && scan(&fixed(text, &by_indent), false).is_none() =>
        {
            Some(by_indent)
        }
        _ => Some(plain),
    }
}

/// Where the struct or list closed by the bracket at `close` begins: the
/// start of its name (`Card(`, `steps: [`), or its opening bracket.
pub fn opener_of(text: &str, close: usize) -> Option<usize> {
    if !matches!(text.get(close..)?.chars().next(), Some(')' | ']' | '}')) {
        return None;
    }
    let mut stack = Vec::new();
    for token in tokens(text) {
        match token {
            Token::Char(i, _) if i >= close => break,
            Token::Char(i, '(' | '[' | '{') => stack.push(i),
            Token::Char(_, ')' | ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    let open = stack.pop()?;
    let line_start = text[..open].rfind('\n').map_or(0, |n| n + 1);
    let bracket = text[open..].chars().next()?;
    Some(label(text, line_start, open, bracket).0)
}

/// The name of the struct a RON text is (`Chapter`, `Config`): the word
/// before its first bracket, comments skipped.
pub fn top_level_name(text: &str) -> Option<&str> {
    // Only the start of the text is read: this is asked of every file.
    let rest = skip_blanks(text);
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(len);
    (!name.is_empty() && skip_blanks(after).starts_with('(')).then_some(name)
}

/// `text` after its leading whitespace and comments.
fn skip_blanks(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("//") {
            text = rest.find('\n').map_or("", |n| &rest[n..]);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.find("*/").map_or("", |n| &rest[n + 2..]);
        } else {
            return text;
        }
    }
}

/// Every pair of brackets of RON text that pairs up, in the order they
/// open: the opener, the byte offset of its closing bracket, and how deep
/// it is (0: the top level).
pub fn bracket_pairs(text: &str) -> Vec<(Opener, usize, usize)> {
    // Indexes into `pairs` of the brackets still open.
    let mut open: Vec<usize> = Vec::new();
    let mut pairs: Vec<(Opener, Option<usize>, usize)> = Vec::new();
    let mut line_start = 0;
    for token in tokens(text) {
        match token {
            Token::LineBreak(i) => line_start = i + 1,
            Token::Char(i, c @ ('(' | '[' | '{')) => {
                let opener = Opener {
                    at: i,
                    bracket: c,
                    label: label(text, line_start, i, c).1,
                };
                pairs.push((opener, None, open.len()));
                open.push(pairs.len() - 1);
            }
            Token::Char(i, ')' | ']' | '}') => {
                if let Some(n) = open.pop() {
                    pairs[n].1 = Some(i);
                }
            }
            _ => {}
        }
    }
    pairs
        .into_iter()
        .filter_map(|(opener, close, depth)| close.map(|c| (opener, c, depth)))
        .collect()
}

/// Byte offset of the string written as `field: "…"` in `text` (a struct's
/// RON), skipping strings and comments that mention the name.
pub fn field_value(text: &str, field: &str) -> Option<usize> {
    string_literals(text)
        .find(|l| {
            let before = text[..l.quote].trim_end();
            before.strip_suffix(':').is_some_and(|b| {
                b.trim_end().ends_with(field)
                    && !b.trim_end()[..b.trim_end().len() - field.len()]
                        .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .map(|l| l.quote)
}

/// One field of a struct written in RON: `name: value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpan {
    pub name: String,
    /// Byte offset of the name.
    pub start: usize,
    /// The value, from its first token to the end of its last.
    pub value: Range<usize>,
    /// The comma after the value, if one is written.
    pub comma: Option<usize>,
}

/// The fields of the struct written between the brackets at `open` and
/// `close` of `text`, in order (comments skipped); `None` when what is
/// there is not `name: value` pairs separated by commas.
pub fn struct_fields(text: &str, open: usize, close: usize) -> Option<Vec<FieldSpan>> {
    let inner = open + 1;
    let body = text.get(inner..close)?;
    let mut fields: Vec<FieldSpan> = Vec::new();
    // The field being read: its name and start, then its value so far.
    let mut name: Option<(String, usize)> = None;
    let mut value: Option<Range<usize>> = None;
    let mut colon = false;
    let mut depth = 0usize;
    // Inside an identifier already taken as a name (its later letters).
    let mut name_end = 0;
    for token in tokens(body) {
        let (at, end, c) = match token {
            Token::LineBreak(_) => continue,
            Token::String(r) => (inner + r.start, inner + r.end, '"'),
            Token::Char(k, c) => (inner + k, inner + k + c.len_utf8(), c),
        };
        if name.is_none() {
            if at < name_end {
                continue;
            }
            if !(c.is_ascii_alphabetic() || c == '_') {
                return None;
            }
            let len = text[at..close]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(close - at);
            name = Some((text[at..at + len].to_owned(), at));
            name_end = at + len;
            continue;
        }
        if at < name_end {
            continue;
        }
        if !colon {
            if c != ':' {
                return None;
            }
            colon = true;
            continue;
        }
        match c {
            ',' if depth == 0 => {
                let (name, start) = name.take()?;
                fields.push(FieldSpan {
                    name,
                    start,
                    value: value.take()?,
                    comma: Some(at),
                });
                colon = false;
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
        value = Some(value.map_or(at..end, |v| v.start..end));
    }
    if let Some((name, start)) = name {
        fields.push(FieldSpan {
            name,
            start,
            value: value?,
            comma: None,
        });
    }
    Some(fields)
}

/// `text` with the fix `unpaired` suggests: the missing bracket inserted,
/// or the one that pairs with nothing removed.
fn fixed(text: &str, unpaired: &Unpaired) -> String {
    let mut out = text.to_owned();
    match unpaired {
        Unpaired::Unclosed { opener, at } => out.insert(*at, opener.closer()),
        Unpaired::Mismatched { at, .. } | Unpaired::Extra { at, .. } => {
            out.remove(*at);
        }
        // Not one fix; nothing to check it by.
        Unpaired::Truncated { .. } => {}
    }
    out
}

/// One pass over the brackets; with `by_indent`, lines that return to an
/// open bracket's indentation without closing it end the scan too.
fn scan(text: &str, by_indent: bool) -> Option<Unpaired> {
    let mut stack: Vec<Open> = Vec::new();
    // Byte offset of the start of the current line, and whether its first
    // token has been seen.
    let mut line_start = 0;
    let mut first_seen = false;
    // End of the last token (syntax character or string) before this one,
    // and whether that token was a comma.
    let mut last_token: Option<(usize, bool)> = None;
    for token in tokens(text) {
        let (i, c, end) = match token {
            Token::LineBreak(i) => {
                line_start = i + 1;
                first_seen = false;
                continue;
            }
            Token::String(range) => (range.start, None, range.end),
            Token::Char(i, c) => (i, Some(c), i + c.len_utf8()),
        };
        if !first_seen {
            first_seen = true;
            if by_indent && let Some(found) = returns_to(&stack, text, line_start, i, c, last_token)
            {
                return Some(found);
            }
        }
        let Some(c) = c else {
            last_token = Some((end, false));
            continue;
        };
        match c {
            '(' | '[' | '{' => {
                let indent = text[line_start..i]
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .count();
                stack.push(Open {
                    opener: Opener {
                        at: i,
                        bracket: c,
                        label: label(text, line_start, i, c).1,
                    },
                    indent,
                    ends_line: ends_line(text, i + 1),
                });
            }
            ')' | ']' | '}' => match stack.pop() {
                None => return Some(Unpaired::Extra { at: i, closer: c }),
                Some(open) if open.opener.closer() != c => {
                    return Some(Unpaired::Mismatched {
                        opener: open.opener,
                        at: i,
                        closer: c,
                    });
                }
                Some(_) => {}
            },
            _ => {}
        }
        last_token = Some((end, c == ','));
    }
    let open = stack.pop()?;
    let end = text.trim_end().len();
    if !stack.is_empty() {
        return Some(Unpaired::Truncated {
            innermost: open.opener,
            open: stack.len() + 1,
            at: end,
        });
    }
    // The closing bracket belongs after the last thing written: on the line
    // after it when the bracket ended its line, else right after it.
    let at = if open.ends_line {
        text[end..].find('\n').map_or(text.len(), |n| end + n + 1)
    } else {
        end
    };
    Some(Unpaired::Unclosed {
        opener: open.opener,
        at,
    })
}

/// At the first token of a line (`first` is its character, `None` for a
/// string): when the line is as shallow as the innermost open bracket and
/// does not close it, that bracket was left open. `last` is the end of the
/// token before this line, and whether it was a comma.
fn returns_to(
    stack: &[Open],
    text: &str,
    line_start: usize,
    at: usize,
    first: Option<char>,
    last: Option<(usize, bool)>,
) -> Option<Unpaired> {
    let top = stack.last()?;
    let indent = text[line_start..at].chars().count();
    let closes_it = first == Some(top.opener.closer());
    if indent > top.indent || (indent == top.indent && closes_it) {
        return None;
    }
    // A closing bracket of another kind is reported as a mismatch (by the
    // caller, at the bracket); this is for lines that go on with content.
    if indent == top.indent && matches!(first, Some(')' | ']' | '}')) {
        return None;
    }
    let at = if top.ends_line {
        // The line that should have begun with the closing bracket, at
        // its first token.
        at
    } else {
        // The end of what was written on the bracket's line: before its
        // trailing comma, where the closing bracket goes.
        match last {
            Some((end, true)) => end - 1,
            Some((end, false)) => end,
            None => line_start,
        }
    };
    Some(Unpaired::Unclosed {
        opener: top.opener.clone(),
        at,
    })
}

/// Whether only blanks and a comment follow `from` on its line.
fn ends_line(text: &str, from: usize) -> bool {
    let rest = text[from..].split('\n').next().unwrap_or("");
    let rest = rest.trim();
    rest.is_empty() || rest.starts_with("//") || rest.starts_with("/*")
}

/// `Card(`, `steps: [`, or the bracket alone: the name written right
/// before the bracket at `at` on the line starting at `line_start`, and the
/// byte offset where that name starts.
fn label(text: &str, line_start: usize, at: usize, bracket: char) -> (usize, String) {
    let before = &text[line_start..at];
    let word = |s: &str| -> usize {
        s.len()
            - s.chars()
                .rev()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .map(char::len_utf8)
                .sum::<usize>()
    };
    // `Card(`: a name touching the bracket.
    let start = word(before);
    if start < before.len() {
        return (line_start + start, format!("{}{bracket}", &before[start..]));
    }
    // `steps: [`: a field name, a colon, blanks.
    let trimmed = before.trim_end();
    if let Some(field) = trimmed.strip_suffix(':') {
        let start = word(field);
        if start < field.len() {
            return (
                line_start + start,
                format!("{}: {bracket}", &field[start..]),
            );
        }
    }
    (at, bracket.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_fields_are_found_past_comments_and_nested_brackets() {
        let text = "Card(\n    id: \"a\", // 注释, with: comma\n    steps: [Step(action: \"做,\")],\n    draft: Some(true)\n)";
        let fields = struct_fields(text, 4, text.len() - 1).unwrap();
        let shown: Vec<(&str, &str, bool)> = fields
            .iter()
            .map(|f| (f.name.as_str(), &text[f.value.clone()], f.comma.is_some()))
            .collect();
        assert_eq!(
            shown,
            [
                ("id", "\"a\"", true),
                ("steps", "[Step(action: \"做,\")]", true),
                ("draft", "Some(true)", false),
            ]
        );
        assert_eq!(&text[fields[1].start..fields[1].start + 5], "steps");
        assert!(struct_fields("Card(\"a\")", 4, 8).is_none());
        assert!(struct_fields("Card(id \"a\")", 4, 11).is_none());
    }

    fn line_of(text: &str, at: usize) -> usize {
        text[..at].matches('\n').count() + 1
    }

    #[test]
    fn balanced_text_has_nothing_unpaired() {
        let text = "Chapter(\n    sections: [\n        Section(cards: []),\n    ],\n)\n";
        assert_eq!(unpaired_bracket(text), None);
    }

    #[test]
    fn brackets_inside_strings_and_comments_do_not_count() {
        let text = "Card(\n    // (an aside\n    title: \"(1) [x\",\n    note: r#\"]\"#,\n)\n";
        assert_eq!(unpaired_bracket(text), None);
    }

    /// The unclosed bracket found in `text`: its label, the line it opened
    /// on, and the line and byte offset where it is reported.
    fn unclosed(text: &str) -> (String, usize, usize, usize) {
        match unpaired_bracket(text) {
            Some(Unpaired::Unclosed { opener, at }) => (
                opener.label,
                line_of(text, opener.at),
                line_of(text, at),
                at,
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_bracket_that_ended_its_line_is_reported_where_it_should_close() {
        let text = "Chapter(\n    cards: [\n        Card(\n            id: \"a\",\n        ,\n        Card(\n            id: \"b\",\n        ),\n    ],\n)\n";
        let (label, opened, line, at) = unclosed(text);
        assert_eq!((label.as_str(), opened, line), ("Card(", 3, 5));
        assert_eq!(&text[at..=at], ",", "at the line's first token");
    }

    #[test]
    fn a_missing_bracket_on_one_line_is_reported_at_that_lines_end() {
        let text = "Card(\n    aliases: [\"a\", \"b\",\n    title: \"t\",\n)\n";
        let (label, opened, line, at) = unclosed(text);
        assert_eq!((label.as_str(), opened, line), ("aliases: [", 2, 2));
        // Before the trailing comma.
        assert_eq!(&text[at..=at], ",");
    }

    #[test]
    fn the_last_bracket_missing_is_reported_after_the_last_line() {
        let (label, opened, line, _) = unclosed("Chapter(\n    sections: [],\n\n");
        assert_eq!((label.as_str(), opened, line), ("Chapter(", 1, 3));
    }

    #[test]
    fn text_cut_short_is_told_from_one_missing_bracket() {
        let text = "Chapter(\n    sections: [\n        Section(\n            title: \"第一节\",\n";
        let Some(Unpaired::Truncated {
            innermost,
            open,
            at,
        }) = unpaired_bracket(text)
        else {
            panic!("{:?}", unpaired_bracket(text));
        };
        assert_eq!((innermost.label.as_str(), open), ("Section(", 3));
        assert_eq!(at, text.trim_end().len());
    }

    #[test]
    fn an_extra_closing_bracket_names_the_bracket_it_does_not_close() {
        let text = "Card(\n    steps: [\n        Step(action: \"a\")),\n    ],\n)\n";
        let Some(Unpaired::Mismatched { opener, at, closer }) = unpaired_bracket(text) else {
            panic!("{:?}", unpaired_bracket(text));
        };
        assert_eq!((opener.label.as_str(), closer), ("steps: [", ')'));
        assert_eq!(line_of(text, at), 3);
    }

    #[test]
    fn a_closing_bracket_after_everything_closed_is_extra() {
        let text = "Chapter(\n    sections: [],\n)\n)\n";
        assert_eq!(
            unpaired_bracket(text),
            Some(Unpaired::Extra {
                at: text.len() - 2,
                closer: ')'
            })
        );
    }

    #[test]
    fn a_closing_bracket_leads_back_to_the_name_of_what_it_closes() {
        let text = "Card(\n    steps: [Step(action: \")\")],\n)";
        let close = text.rfind(')').unwrap();
        assert_eq!(opener_of(text, close), Some(0));
        let close = text.find(']').unwrap();
        assert_eq!(opener_of(text, close), text.find("steps"));
        let close = text.find("\")]").unwrap() + 1;
        assert_eq!(opener_of(text, close), text.find("Step("));
        assert_eq!(opener_of(text, 1), None, "not a bracket");
    }

    #[test]
    fn a_fields_string_is_found_by_its_name() {
        let text = "Step(scripts: [\"action: x\"], my_action: \"a\", action: \"(2)b\")";
        assert_eq!(field_value(text, "action"), text.find("\"(2)"));
        assert_eq!(field_value(text, "title"), None);
    }

    #[test]
    fn the_top_level_struct_is_named() {
        assert_eq!(top_level_name("// c\nConfig(sources: [])"), Some("Config"));
        assert_eq!(top_level_name("Chapter(sections: [])"), Some("Chapter"));
        assert_eq!(top_level_name("(sections: [])"), None);
        assert_eq!(top_level_name("Con fig("), None);
    }

    #[test]
    fn flat_text_is_not_read_by_its_indentation() {
        // Nothing is indented: the line after `Chapter(` is as shallow as
        // it, which says nothing about where it closes.
        let text = "Chapter(\ntitle: \"t\",\ncards: [\nCard(\nid: \"a\",\n,\n],\n)\n";
        let Some(Unpaired::Mismatched { opener, .. }) = unpaired_bracket(text) else {
            panic!("{:?}", unpaired_bracket(text));
        };
        assert_eq!(opener.label, "Card(");
    }

    #[test]
    fn text_without_indentation_is_reported_where_pairing_fails() {
        let text = "Card(steps: [Step(action: \"a\"), title: \"t\")";
        assert!(matches!(
            unpaired_bracket(text),
            Some(Unpaired::Mismatched { closer: ')', .. })
        ));
    }

    #[test]
    fn the_string_scanner_knows_raw_strings_and_block_comments() {
        let text = "/* \"not */ a: r#\"x \" y\"#, b: \"c\\\"d\"";
        let bodies: Vec<&str> = string_literals(text).map(|l| &text[l.body]).collect();
        assert_eq!(bodies, ["x \" y", "c\\\"d"]);
    }
}
