//! ron's errors, retold for a content editor in Chinese, with a suggestion
//! where we can make one.

use ron::error::Error;

use crate::content::diagnostic::{LineIndex, Pos};

/// ron's error `err` in the whole file `text`, told where the mistake is
/// (a string or bracket left open, see `syntax`) or as ron saw it: the
/// position, the message and the help.
pub fn explain(
    text: &str,
    lines: &LineIndex<'_>,
    err: &ron::error::SpannedError,
) -> (Pos, String, Option<String>) {
    let reported = Pos::new(err.span.start.line, err.span.start.col);
    if let Some(m) = crate::content::syntax::real_mistake(text, lines, &err.code, reported) {
        return (lines.pos(m.at), m.message, Some(m.help));
    }
    let (at, pos) = char_at(text, lines, reported);
    let (message, help) = describe(&err.code, at);
    (pos, message, help)
}

/// The first non-blank character of `text` at or after `pos`, and its
/// position when it is on the same line (ron often points at the blank
/// before it).
pub fn char_at(text: &str, lines: &LineIndex<'_>, pos: Pos) -> (Option<char>, Pos) {
    let found = (|| {
        let line = usize::try_from(pos.line).ok()?.checked_sub(1)?;
        let start = lines.line_start(line)?;
        let skip = usize::try_from(pos.col).ok()?.checked_sub(1)?;
        let mut same_line = true;
        let mut col = pos.col;
        for c in text[start..].chars().skip(skip) {
            if !c.is_whitespace() {
                return Some((c, same_line.then_some(col)));
            }
            same_line &= c != '\n';
            col = col.saturating_add(1);
        }
        None
    })();
    match found {
        Some((c, Some(col))) => (
            Some(c),
            Pos {
                line: pos.line,
                col,
            },
        ),
        Some((c, None)) => (Some(c), pos),
        None => (None, pos),
    }
}

/// A message and an optional hint for one ron error; `at` is the character
/// at the error's position, which often tells more than ron's code (a
/// full-width `，` is reported as a missing comma).
#[expect(clippy::too_many_lines, reason = "one short arm per ron error")]
pub fn describe(err: &Error, at: Option<char>) -> (String, Option<String>) {
    if let Some(found) = at.and_then(full_width_punctuation) {
        return found;
    }
    // A closing bracket where a comma or a value was expected: the
    // brackets do not pair up.
    if let Some(close @ (')' | ']' | '}')) = at
        && matches!(
            err,
            Error::ExpectedComma
                | Error::ExpectedStructLikeEnd
                | Error::ExpectedArrayEnd
                | Error::ExpectedMapEnd
                | Error::ExpectedOptionEnd
        )
    {
        return (
            format!("括号不配对：这里的 `{close}` 对不上前面打开的括号"),
            Some("`(` 要用 `)` 关闭，`[` 用 `]`，`{` 用 `}`；检查这一行和上一行".into()),
        );
    }
    match err {
        Error::Eof => (
            "文件意外结束".into(),
            Some("可能少了右括号 `)` 或 `]`，或者字符串少了右引号 `\"`".into()),
        ),
        Error::ExpectedComma => (
            "这里前面缺少逗号 `,`".into(),
            Some("上一个字段或列表项的末尾要加英文逗号 `,`".into()),
        ),
        Error::ExpectedString => (
            "这里应该是用英文双引号括起来的文字，例如 \"对不起\"".into(),
            None,
        ),
        Error::ExpectedStringEnd => (
            "字符串没有结束：缺少右引号 `\"`".into(),
            Some("文字里的英文双引号要写成 `\\\"`，或者改用中文引号“ ”".into()),
        ),
        Error::ExpectedArray => ("这里应该是用 `[` 开始的列表".into(), None),
        Error::ExpectedArrayEnd => ("列表没有正确结束：缺少 `]` 或两项之间缺少逗号".into(), None),
        Error::ExpectedMap => ("这里应该是用 `{` 开始的表".into(), None),
        Error::ExpectedMapColon => ("这里缺少冒号 `:`".into(), None),
        Error::ExpectedMapEnd => ("表没有正确结束：缺少 `}` 或两项之间缺少逗号".into(), None),
        Error::ExpectedStructLike | Error::ExpectedNamedStructLike(_) => {
            ("这里缺少左括号 `(`".into(), None)
        }
        Error::ExpectedStructLikeEnd | Error::ExpectedOptionEnd => {
            ("这里缺少右括号 `)`，或者上一项末尾缺少逗号".into(), None)
        }
        Error::ExpectedDifferentStructName { expected, found } => (
            format!("这里应该是 `{expected}(...)`，而不是 `{found}(...)`"),
            None,
        ),
        Error::ExpectedInteger | Error::IntegerOutOfBounds => {
            ("这里应该是一个不带引号的整数，例如 3".into(), None)
        }
        Error::ExpectedIdentifier => ("这里应该是一个名字（例如字段名）".into(), None),
        Error::UnexpectedChar(c) => full_width_punctuation(*c)
            .unwrap_or_else(|| (format!("这里不应该出现字符 `{c}`"), None)),
        Error::TrailingCharacters => (
            "文件末尾多出了内容".into(),
            Some("一个文件只能有一个 `Chapter(...)`；检查括号是否提前闭合".into()),
        ),
        Error::UnclosedBlockComment => ("注释 `/*` 没有用 `*/` 结束".into(), None),
        Error::InvalidEscape(what) => (format!("无效的转义：{what}"), None),
        Error::ExceededRecursionLimit => (
            "括号嵌套得太深".into(),
            Some("内容文件最多只需要几层括号；检查是否有多余的 `[` 或 `(`".into()),
        ),
        Error::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let mut help = match closest(found, expected) {
                Some(best) => format!("是不是要写 `{best}`？"),
                None => String::new(),
            };
            help.push_str("可用的字段：");
            help.push_str(&expected.join("、"));
            (
                format!("{}没有字段 `{found}`", in_struct(outer.as_deref())),
                Some(help),
            )
        }
        Error::MissingStructField { field, outer } => (
            format!("{}缺少必填字段 `{field}`", in_struct(outer.as_deref())),
            None,
        ),
        Error::DuplicateStructField { field, outer } => (
            format!("{}的字段 `{field}` 写了两次", in_struct(outer.as_deref())),
            Some("删掉其中一个".into()),
        ),
        Error::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let choices = expected.join("、");
            let help = match closest(found, expected) {
                Some(best) => format!("是不是要写 `{best}`？可选：{choices}"),
                None => format!("可选：{choices}"),
            };
            let what = outer
                .as_deref()
                .map_or("", |o| if o == "Status" { "`status` " } else { "" });
            (format!("{what}没有 `{found}` 这个值"), Some(help))
        }
        Error::InvalidValueForType { expected, found } => (
            format!(
                "类型不对：这里应该是{}，写的却是 {found}",
                expected_zh(expected)
            ),
            None,
        ),
        Error::ExpectedDifferentLength { expected, found } => (
            format!("数量不对：应该是 {expected}，实际有 {found} 项"),
            None,
        ),
        Error::Message(msg) => (msg.clone(), None),
        Error::Utf8Error(e) => (format!("文件不是有效的 UTF-8 文本：{e}"), None),
        other => (format!("RON 语法错误：{other}"), None),
    }
}

fn in_struct(outer: Option<&str>) -> String {
    match outer {
        Some(name) => format!("`{name}` "),
        None => String::new(),
    }
}

fn expected_zh(expected: &str) -> String {
    match expected {
        "a string" | "a borrowed string" => "用双引号括起来的文字".into(),
        "a sequence" => "列表 `[...]`".into(),
        "a string or a list of strings" => "文字，或文字的列表 `[...]`".into(),
        "u32" => "不带引号的整数".into(),
        "a map" => "表 `{...}`".into(),
        "option" => "一个值".into(),
        other => format!(" {other}"),
    }
}

/// Full-width punctuation typed with a Chinese input method is the most
/// common RON mistake in Notepad: name it.
fn full_width_punctuation(c: char) -> Option<(String, Option<String>)> {
    let ascii = match c {
        '，' | '；' => Some(","),
        '：' => Some(":"),
        '“' | '”' | '＂' => Some("\""),
        '（' => Some("("),
        '）' => Some(")"),
        '【' | '［' => Some("["),
        '】' | '］' => Some("]"),
        '｛' => Some("{"),
        '｝' => Some("}"),
        _ => None,
    };
    ascii.map(|a| {
        (
            format!("这里不能用中文标点 `{c}`"),
            Some(format!(
                "RON 的语法符号要用英文半角 `{a}`（切换到英文输入法再打）；引号里文字中的中文标点不受影响"
            )),
        )
    })
}

/// The candidate closest to `found` by edit distance, if it is close enough
/// to be a plausible typo.
pub fn closest<'a>(found: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|&c| (strsim::damerau_levenshtein(found, c), c))
        .filter(|&(d, c)| {
            d <= (c.chars().count() / 3).max(1) || c.starts_with(found) || found.starts_with(c)
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos() {
        let fields = ["id", "title", "aliases", "scene", "steps", "scripts"];
        assert_eq!(closest("titel", &fields), Some("title"));
        assert_eq!(closest("alias", &fields), Some("aliases"));
        assert_eq!(closest("scrpts", &fields), Some("scripts"));
        assert_eq!(closest("zzzzzz", &fields), None);
    }

    #[test]
    fn full_width_comma_is_named() {
        let (msg, help) = describe(&Error::UnexpectedChar('，'), None);
        assert_eq!(msg, "这里不能用中文标点 `，`");
        assert!(help.unwrap().contains("英文半角 `,`"));
        let (msg, help) = describe(&Error::ExpectedComma, Some('，'));
        assert_eq!(msg, "这里不能用中文标点 `，`");
        assert!(help.unwrap().contains("英文半角 `,`"));
    }
}
