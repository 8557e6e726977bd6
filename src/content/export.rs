//! Cards → printable HTML handouts: an index and one page per chapter, with
//! a style sheet for A4 (a card kept on one page where it fits, steps
//! numbered, scripts boxed, fill-ins shown as their choices) and the
//! bundled font beside them. Self-contained: nothing is fetched, there is no
//! script, and every piece of card text is escaped.

use std::fmt::Write as _;

use crate::model::template::Segment;
use crate::model::{Card, FillField, Library, Meta};

/// One file of the export: its name (relative to the output directory)
/// and its bytes.
pub struct ExportFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The font file beside the pages (the program's own, under its licence).
const FONT_FILE: &str = "fonts/NotoSansSC-Regular-subset.otf";

const STYLE: &str = r#"@font-face {
  font-family: "Huashu Sans";
  src: url("fonts/NotoSansSC-Regular-subset.otf") format("opentype");
}
:root { color: #111; background: #fff; }
body {
  font-family: "Huashu Sans", "Microsoft YaHei", "微软雅黑", "PingFang SC",
    "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 11pt; line-height: 1.55; margin: 0 auto; max-width: 48em; padding: 1em;
}
h1 { font-size: 18pt; margin: 0 0 0.3em; }
h2 { font-size: 13pt; margin: 1.2em 0 0.4em; border-bottom: 1px solid #999; }
.card { border: 1px solid #bbb; border-radius: 4px; padding: 0.6em 0.9em; margin: 0 0 1em; }
.card h3 { font-size: 14pt; margin: 0 0 0.2em; }
.card h4 { font-size: 11pt; margin: 0.7em 0 0.2em; }
.card p { margin: 0.2em 0; }
.meta { color: #444; font-size: 9pt; }
.draft { color: #9a5b00; font-weight: bold; }
ol.steps { margin: 0.2em 0; padding-left: 1.6em; }
ol.steps > li { margin: 0.3em 0; }
.script { border: 1.5px solid #3a6fb0; border-radius: 4px; padding: 0.3em 0.6em; margin: 0.3em 0; background: #f3f7fc; }
.script .label { color: #3a6fb0; font-size: 9pt; margin-right: 0.5em; }
.fill { border-bottom: 1px solid #3a6fb0; padding: 0 0.15em; }
.blank { display: inline-block; min-width: 4em; border-bottom: 1px solid #333; }
nav ol { padding-left: 1.6em; }
footer { color: #666; font-size: 8pt; margin-top: 2em; }
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .card { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .script { break-inside: avoid; }
}
"#;

/// Text for HTML: `& < > " '` escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page of chapter `c`.
pub fn chapter_file_name(c: usize) -> String {
    format!("chapter-{:02}.html", c + 1)
}

/// Every file of the handouts for `library`; `made` says when (shown in
/// each page's footer).
pub fn html(library: &Library, made: &str) -> Vec<ExportFile> {
    let mut files = vec![ExportFile {
        name: "index.html".into(),
        bytes: index(library, made).into_bytes(),
    }];
    for c in 0..library.chapters.len() {
        files.push(ExportFile {
            name: chapter_file_name(c),
            bytes: chapter(library, c, made).into_bytes(),
        });
    }
    files.push(ExportFile {
        name: "style.css".into(),
        bytes: STYLE.as_bytes().to_vec(),
    });
    files.push(ExportFile {
        name: FONT_FILE.into(),
        bytes: crate::glyphs::BUNDLED_FONT.to_vec(),
    });
    files.push(ExportFile {
        name: "fonts/OFL.txt".into(),
        bytes: include_bytes!("../../assets/fonts/OFL.txt").to_vec(),
    });
    files
}

fn page(title: &str, body: &str, made: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n\
         {body}<footer>话术助手 · 打印版 · {made}</footer>\n</body>\n</html>\n",
        title = escape(title),
        made = escape(made),
    )
}

fn chapter_title(library: &Library, c: usize) -> &str {
    library.chapters[c]
        .title
        .as_deref()
        .unwrap_or(crate::model::OTHER_CARDS)
}

fn index(library: &Library, made: &str) -> String {
    let mut body = String::from("<h1>话术助手 · 卡片目录</h1>\n<nav><ol>\n");
    for c in 0..library.chapters.len() {
        let _ = writeln!(
            body,
            "<li><a href=\"{}\">{}</a><ul>",
            chapter_file_name(c),
            escape(chapter_title(library, c))
        );
        for card in cards_of(library, c) {
            let _ = writeln!(
                body,
                "<li><a href=\"{}#{}\">{}</a></li>",
                chapter_file_name(c),
                escape(card.id.as_str()),
                escape(&card.title)
            );
        }
        body.push_str("</ul></li>\n");
    }
    body.push_str("</ol></nav>\n");
    page("话术助手 · 卡片目录", &body, made)
}

fn cards_of(library: &Library, c: usize) -> impl Iterator<Item = &Card> {
    library
        .cards
        .iter()
        .filter(move |card| library.sections[card.section].chapter == c)
}

fn chapter(library: &Library, c: usize, made: &str) -> String {
    let title = chapter_title(library, c);
    let mut body = format!("<h1>{}</h1>\n", escape(title));
    if let Some(note) = &library.chapters[c].note {
        let _ = writeln!(body, "<p class=\"meta\">{}</p>", escape(note));
    }
    for (s, section) in library.sections.iter().enumerate() {
        if section.chapter != c {
            continue;
        }
        if let Some(title) = &section.title {
            let _ = writeln!(body, "<h2>{}</h2>", escape(title));
        }
        for card in library.cards.iter().filter(|card| card.section == s) {
            card_html(&mut body, card);
        }
    }
    page(title, &body, made)
}

fn card_html(out: &mut String, card: &Card) {
    let _ = writeln!(
        out,
        "<article class=\"card\" id=\"{}\">\n<h3>{}</h3>",
        escape(card.id.as_str()),
        escape(&card.title)
    );
    meta_html(out, &card.meta);
    if !card.scene.is_empty() {
        out.push_str("<h4>场景再现</h4>\n");
        for p in &card.scene {
            let _ = writeln!(out, "<p>{}</p>", escape(p));
        }
    }
    out.push_str("<h4>解决方案</h4>\n<ol class=\"steps\">\n");
    let mut n = 0;
    for step in &card.steps {
        let _ = write!(out, "<li><p>{}</p>", escape(&step.action));
        for script in &step.scripts {
            n += 1;
            let _ = write!(
                out,
                "<div class=\"script\"><span class=\"label\">话术 {n}</span>{}</div>",
                script_html(script.template.segments(), &card.fields)
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
    if !card.view.is_empty() {
        out.push_str("<h4>作者观点</h4>\n");
        for p in &card.view {
            let _ = writeln!(out, "<p>{}</p>", escape(p));
        }
    }
    out.push_str("</article>\n");
}

/// Status, version, reviewer and date, when the card has them.
fn meta_html(out: &mut String, meta: &Meta) {
    let mut parts = Vec::new();
    if let Some(status) = meta.status {
        let class = if status == crate::model::Status::Draft {
            " class=\"draft\""
        } else {
            ""
        };
        parts.push(format!("<span{class}>{}</span>", status.label()));
    }
    if let Some(v) = meta.version {
        parts.push(format!("第 {v} 版"));
    }
    if let Some(by) = &meta.reviewed_by {
        parts.push(format!("审核：{}", escape(by)));
    }
    if let Some(date) = &meta.updated {
        parts.push(format!("更新：{}", escape(&date.to_string())));
    }
    if !parts.is_empty() {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", parts.join(" · "));
    }
    if meta.status == Some(crate::model::Status::Draft)
        && let Some(note) = &meta.note
    {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(note));
    }
}

/// A script with each fill-in shown as its choices (`先生/女士`), or a blank
/// to write on when it has none.
fn script_html(
    segments: &[Segment],
    fields: &std::collections::BTreeMap<String, FillField>,
) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Text(t) => out.push_str(&escape(t)),
            Segment::Field(name) => match fields.get(name).filter(|f| !f.choices.is_empty()) {
                Some(field) => {
                    let _ = write!(
                        out,
                        "<span class=\"fill\">{}</span>",
                        escape(&field.choices.join("/"))
                    );
                }
                None => out.push_str("<span class=\"blank\"></span>"),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_a_card_says_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
