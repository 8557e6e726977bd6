//! Fill-in fields in speech scripts.
//!
//! A script may contain `{name}` where the lobby manager picks or types a value
//! before copying, e.g. `{称呼},请这边走。` with 称呼 = 先生 / 女士. A literal brace
//! is written twice: `{{` and `}}`.

use std::fmt;

/// One piece of a parsed script.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Segment {
    Text(String),
    Field(String),
}

/// A script split into literal text and fill-in fields.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    segments: Vec<Segment>,
}

/// Why a script could not be read as a template. `at` is the index of the
/// offending character (in characters, not bytes) within the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateError {
    Unclosed { at: usize },
    Empty { at: usize },
    StrayClose { at: usize },
    NestedOpen { at: usize },
}

impl TemplateError {
    pub fn char_index(&self) -> usize {
        match *self {
            Self::Unclosed { at }
            | Self::Empty { at }
            | Self::StrayClose { at }
            | Self::NestedOpen { at } => at,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unclosed { .. } => f.write_str("话术里的填空 `{` 没有对应的 `}`"),
            Self::Empty { .. } => f.write_str("话术里的填空 `{}` 没有写名字"),
            Self::StrayClose { .. } => f.write_str("话术里多出一个 `}`"),
            Self::NestedOpen { .. } => f.write_str("话术里的填空中又出现了 `{`"),
        }
    }
}

impl Template {
    /// Plain text with no fields (braces are literal).
    pub fn literal(text: &str) -> Self {
        Self {
            segments: if text.is_empty() {
                Vec::new()
            } else {
                vec![Segment::Text(text.to_owned())]
            },
        }
    }

    /// The source form: fields as `{name}`, literal braces doubled.
    pub fn source(&self) -> String {
        self.segments
            .iter()
            .map(|seg| match seg {
                Segment::Text(t) => t.replace('{', "{{").replace('}', "}}"),
                Segment::Field(f) => format!("{{{f}}}"),
            })
            .collect()
    }

    /// Parses `{name}` fields and `{{` / `}}` escapes.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().is_some_and(|&(_, n)| n == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|&(_, n)| n == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(TemplateError::StrayClose { at: i }),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            None => return Err(TemplateError::Unclosed { at: i }),
                            Some((_, '}')) => break,
                            Some((j, '{')) => return Err(TemplateError::NestedOpen { at: j }),
                            Some((_, n)) => name.push(n),
                        }
                    }
                    let name = name.trim();
                    if name.is_empty() {
                        return Err(TemplateError::Empty { at: i });
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut literal)));
                    }
                    segments.push(Segment::Field(name.to_owned()));
                }
                _ => literal.push(c),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Text(literal));
        }
        Ok(Self { segments })
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Field names in order of first use, without repeats.
    pub fn field_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for segment in &self.segments {
            if let Segment::Field(name) = segment
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }

    pub fn has_fields(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Field(_)))
    }

    /// The text with every field replaced by `value(name)`; a field without a
    /// value stays visible as `{name}` so an unfilled blank is never silent.
    pub fn render<'a>(&self, value: impl Fn(&str) -> Option<&'a str>) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Field(name) => {
                    if let Some(v) = value(name) {
                        out.push_str(v);
                    } else {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Segment {
        Segment::Text(s.to_owned())
    }
    fn field(s: &str) -> Segment {
        Segment::Field(s.to_owned())
    }

    #[test]
    fn plain_text_is_one_segment() {
        let t = Template::parse("你好,请这边走。").unwrap();
        assert_eq!(t.segments(), &[text("你好,请这边走。")]);
        assert!(!t.has_fields());
    }

    #[test]
    fn fields_and_escapes() {
        let t = Template::parse("{称呼},这是{{示例}}。{ 称呼 }").unwrap();
        assert_eq!(
            t.segments(),
            &[field("称呼"), text(",这是{示例}。"), field("称呼")]
        );
        assert_eq!(t.field_names(), vec!["称呼"]);
    }

    #[test]
    fn render_fills_known_and_keeps_unknown_visible() {
        let t = Template::parse("{称呼},你比身份证{夸赞}多了").unwrap();
        let out = t.render(|name| (name == "称呼").then_some("女士"));
        assert_eq!(out, "女士,你比身份证{夸赞}多了");
    }

    #[test]
    fn errors_point_at_the_character() {
        assert_eq!(
            Template::parse("你好{称呼"),
            Err(TemplateError::Unclosed { at: 2 })
        );
        assert_eq!(
            Template::parse("你好{}"),
            Err(TemplateError::Empty { at: 2 })
        );
        assert_eq!(
            Template::parse("你好}"),
            Err(TemplateError::StrayClose { at: 2 })
        );
        assert_eq!(
            Template::parse("{称{呼}"),
            Err(TemplateError::NestedOpen { at: 2 })
        );
    }
}
