//! Cards → RON text in the shape of the hand-written `data/` files, for
//! people to edit (used by `huashu import` and the corpus generator).

use std::fmt::Write as _;

use crate::model::{Card, Library, Status};

/// A RON string literal: quotes, backslashes and control characters
/// escaped, everything else (Chinese) as is.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// What to write above a card: one comment line each.
pub type CardComments<'a> = &'a dyn Fn(usize) -> Vec<String>;

/// The file for chapter `chapter` of `library`: a header comment, then
/// `Chapter(title, note, sections: [Section(title, cards: [...])])`.
/// `comments(card)` gives lines to write above each card.
pub fn chapter_file(
    library: &Library,
    chapter: usize,
    header: &[String],
    comments: CardComments<'_>,
) -> String {
    let mut out = String::new();
    for line in header.iter().flat_map(|h| h.lines()) {
        let _ = writeln!(out, "// {line}");
    }
    out.push_str("Chapter(\n");
    if let Some(c) = library.chapters.get(chapter) {
        if let Some(title) = &c.title {
            let _ = writeln!(out, "    title: {},", string_literal(title));
        }
        if let Some(note) = &c.note {
            let _ = writeln!(out, "    note: {},", string_literal(note));
        }
    }
    out.push_str("    sections: [\n");
    for (s, section) in library
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.chapter == chapter)
    {
        out.push_str("        Section(\n");
        if let Some(title) = &section.title {
            let _ = writeln!(out, "            title: {},", string_literal(title));
        }
        out.push_str("            cards: [\n");
        for (n, card) in library
            .cards
            .iter()
            .enumerate()
            .filter(|(_, c)| c.section == s)
        {
            for comment in comments(n) {
                for line in comment.lines() {
                    let _ = writeln!(out, "                // {line}");
                }
            }
            card_ron(&mut out, card, 16);
        }
        out.push_str("            ],\n        ),\n");
    }
    out.push_str("    ],\n)\n");
    out
}

/// One card whose `Card(` is indented by `indent` spaces (16 in a
/// section of a chapter file), ending in `),` and a line break.
pub fn card_ron(out: &mut String, card: &Card, indent: usize) {
    let outer = " ".repeat(indent);
    let inner = " ".repeat(indent + 4);
    let strings = |out: &mut String, name: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(out, "{inner}{name}: [");
        for item in items {
            let _ = writeln!(out, "{inner}    {},", string_literal(item));
        }
        let _ = writeln!(out, "{inner}],");
    };
    let _ = writeln!(out, "{outer}Card(");
    let _ = writeln!(out, "{inner}id: {},", string_literal(card.id.as_str()));
    let _ = writeln!(out, "{inner}title: {},", string_literal(&card.title));
    let _ = writeln!(
        out,
        "{inner}aliases: [{}],",
        list(card.aliases.iter().map(|a| string_literal(a)))
    );
    let meta = &card.meta;
    if let Some(status) = meta.status {
        let name = match status {
            Status::Draft => "Draft",
            Status::Reviewed => "Reviewed",
        };
        let _ = writeln!(out, "{inner}status: {name},");
    }
    if let Some(version) = meta.version {
        let _ = writeln!(out, "{inner}version: {version},");
    }
    if let Some(by) = &meta.reviewed_by {
        let _ = writeln!(out, "{inner}reviewed_by: {},", string_literal(by));
    }
    if let Some(date) = &meta.updated {
        let _ = writeln!(
            out,
            "{inner}updated: {},",
            string_literal(&date.to_string())
        );
    }
    if let Some(note) = &meta.note {
        let _ = writeln!(out, "{inner}note: {},", string_literal(note));
    }
    if meta.locked {
        let _ = writeln!(out, "{inner}locked: true,");
    }
    if let Some(hash) = &meta.based_on {
        let _ = writeln!(out, "{inner}based_on: {},", string_literal(hash));
    }
    strings(out, "scene", &card.scene);
    let _ = writeln!(out, "{inner}steps: [");
    for step in &card.steps {
        let action = string_literal(&step.action);
        if step.scripts.is_empty() {
            let _ = writeln!(out, "{inner}    Step(action: {action}),");
        } else {
            let scripts = list(
                step.scripts
                    .iter()
                    .map(|s| string_literal(&s.template.source())),
            );
            let _ = writeln!(out, "{inner}    Step(");
            let _ = writeln!(out, "{inner}        action: {action},");
            let _ = writeln!(out, "{inner}        scripts: [{scripts}],");
            let _ = writeln!(out, "{inner}    ),");
        }
    }
    let _ = writeln!(out, "{inner}],");
    strings(out, "view", &card.view);
    if !card.fields.is_empty() {
        let _ = writeln!(out, "{inner}fields: {{");
        for (name, field) in &card.fields {
            let choices = list(field.choices.iter().map(|c| string_literal(c)));
            let _ = writeln!(out, "{inner}    {}: [{choices}],", string_literal(name));
        }
        let _ = writeln!(out, "{inner}}},");
    }
    if !card.links.is_empty() {
        let _ = writeln!(out, "{inner}links: [");
        for link in &card.links {
            let _ = writeln!(
                out,
                "{inner}    Link(to: {}, why: {}),",
                string_literal(link.to.as_str()),
                string_literal(&link.why)
            );
        }
        let _ = writeln!(out, "{inner}],");
    }
    let _ = writeln!(out, "{outer}),");
}

/// What a card says (title, aliases, scene, steps, view, links, fields;
/// not its metadata): 16 hex digits of the SHA-256 of the card as the form
/// writes it. An override keeps the hash of the card it replaced
/// (`based_on`), so a later change of that card is noticed.
pub fn card_hash(card: &Card) -> String {
    let mut bare = card.clone();
    bare.meta = crate::model::Meta::default();
    let mut text = String::new();
    card_ron(&mut text, &bare, 0);
    let mut hash = crate::hash::sha256_hex(text.as_bytes());
    hash.truncate(16);
    hash
}

/// Whether `branch` (an override) was made from another version of
/// `earlier` than the one it replaces now (only known when it says which).
pub fn made_from_older(branch: &Card, earlier: &Card) -> bool {
    branch
        .meta
        .based_on
        .as_ref()
        .is_some_and(|base| *base != card_hash(earlier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{build, load_builtin};
    use std::path::PathBuf;

    fn no_comments(_: usize) -> Vec<String> {
        Vec::new()
    }

    /// Writing the built-in content and loading it again gives the same cards.
    #[test]
    fn built_in_content_round_trips() {
        let original = load_builtin().library;
        let files: Vec<(PathBuf, Vec<u8>)> = (0..original.chapters.len())
            .map(|c| {
                let text = chapter_file(&original, c, &["header".into()], &no_comments);
                (PathBuf::from(format!("{c}.ron")), text.into_bytes())
            })
            .collect();
        let mut diagnostics = Vec::new();
        let again = build(&files, &mut diagnostics);
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
        assert_eq!(again.cards.len(), original.cards.len());
        for (a, b) in again.cards.iter().zip(&original.cards) {
            assert_eq!((&a.id, &a.title, &a.aliases), (&b.id, &b.title, &b.aliases));
            assert_eq!((&a.scene, &a.steps, &a.view), (&b.scene, &b.steps, &b.view));
            assert_eq!(
                (&a.links, &a.fields, &a.meta),
                (&b.links, &b.fields, &b.meta)
            );
        }
        assert_eq!(again.chapters.len(), original.chapters.len());
        for (a, b) in again.chapters.iter().zip(&original.chapters) {
            assert_eq!((&a.title, &a.note), (&b.title, &b.note));
        }
    }

    #[test]
    fn strings_escape_what_ron_needs() {
        assert_eq!(string_literal("说:\"好\"\\\n"), "\"说:\\\"好\\\"\\\\\\n\"");
        let text = "a\u{1}b{c}";
        let parsed: String = ron::from_str(&string_literal(text)).unwrap();
        assert_eq!(parsed, text);
    }
}
