//! Problems found while loading content, each with its file and position.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file or card was left out.
    Error,
    /// Loaded, but probably not what the editor meant.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// A 1-based line and column; the column counts characters, not bytes,
/// as text editors do.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const START: Self = Self { line: 1, col: 1 };

    pub fn new(line: usize, col: usize) -> Self {
        Self {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Byte offsets of one text → 1-based line and character column.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    pub fn pos(&self, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        Pos::new(line, col + 1)
    }

    /// Byte offset where 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// The text of 0-based `line`, as `str::lines` gives it.
    pub fn line(&self, line: usize) -> Option<&'a str> {
        let start = self.line_start(line)?;
        // `lines` gives no line after a final line break, nor for "".
        if start == self.text.len() {
            return None;
        }
        let end = self.starts.get(line + 1).map_or(self.text.len(), |e| e - 1);
        let text = &self.text[start..end];
        Some(text.strip_suffix('\r').unwrap_or(text))
    }
}

/// One problem. Displayed as `path:line:col: error: message；help`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: PathBuf,
    /// `None` for problems with a whole file or directory.
    pub pos: Option<Pos>,
    pub message: String,
    /// What to do about it, when we can tell.
    pub help: Option<String>,
    /// The source line at `pos`, for showing it with a marker.
    pub excerpt: Option<String>,
    /// A content file that was not read at all (a `.ron.txt`, an
    /// unreadable or too large file): its cards are missing.
    pub not_read: bool,
}

impl Diagnostic {
    pub fn error(path: &Path, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.to_owned(),
            pos,
            message: message.into(),
            help: None,
            excerpt: None,
            not_read: false,
        }
    }

    pub fn warning(path: &Path, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(path, pos, message)
        }
    }

    /// Adds a hint; a second hint is appended to the first.
    #[must_use]
    pub fn with_help(mut self, help: impl AsRef<str>) -> Self {
        self.append_help(help.as_ref());
        self
    }

    pub fn append_help(&mut self, more: &str) {
        self.help = Some(match self.help.take() {
            Some(h) if h.ends_with(['？', '。', '！']) => format!("{h}{more}"),
            Some(h) => format!("{h}；{more}"),
            None => more.to_owned(),
        });
    }

    /// Marks a content file that was not read (see [`Self::not_read`]).
    #[must_use]
    pub fn file_not_read(mut self) -> Self {
        self.not_read = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` (or just `path`).
    pub fn location(&self) -> String {
        match self.pos {
            Some(pos) => format!("{}:{pos}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }

    /// The message with its help, as one line.
    pub fn text(&self) -> String {
        match &self.help {
            Some(help) => format!("{}；{help}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.location(),
            self.severity.as_str(),
            self.text()
        )
    }
}

/// Counts for a summary line.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_what_str_lines_gives() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "一\n二\n\n三"] {
            let index = LineIndex::new(text);
            for n in 0..5 {
                assert_eq!(index.line(n), text.lines().nth(n), "{text:?} line {n}");
            }
        }
    }

    #[test]
    fn display_with_and_without_position() {
        let d = Diagnostic::error(Path::new("data/a.ron"), Some(Pos::new(3, 7)), "缺少逗号")
            .with_help("在上一项末尾加 `,`");
        assert_eq!(
            d.to_string(),
            "data/a.ron:3:7: error: 缺少逗号；在上一项末尾加 `,`"
        );
        let w = Diagnostic::warning(Path::new("data"), None, "目录是空的");
        assert_eq!(w.to_string(), "data: warning: 目录是空的");
    }
}
