//! The mistakes trainers make pasting into the card files, made at every
//! place they can be made in both bundled chapters: English quotes around
//! a customer's words inside a text, full-width brackets typed as syntax,
//! a text's opening quote left out, a card pasted after its section's
//! `cards: [...]`. The first error must be on the mistake's line and name
//! what it is, for at least 90 % of the places of each kind; the figures
//! are printed (`cargo test --test error_corpus -- --nocapture`).

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::Path;

use huashu::content::Severity;
use huashu::content::edit::validate;

const FILES: [&str; 2] = ["00-earlier-chapter.ron", "04-business-area.ron"];

/// A string literal of a card file: the byte range of its opening quote
/// to just past its closing one. The bundled files have no raw strings.
fn strings(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'"' => {
                let mut j = i + 1;
                while bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                out.push((i, j + 1));
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn inside(strings: &[(usize, usize)], at: usize) -> bool {
    strings.iter().any(|&(s, e)| s <= at && at < e)
}

fn in_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    text[line_start..at].trim_start().starts_with("//")
}

fn line_of(text: &str, at: usize) -> u32 {
    u32::try_from(text[..at].matches('\n').count() + 1).unwrap()
}

/// One mistake: the text with it, and the line it is on.
struct Mutant {
    text: String,
    line: u32,
}

/// `客户说"不要你办"，…`: a customer's words in English quotes, inside
/// every text of six characters or more.
fn english_quotes(text: &str) -> Vec<Mutant> {
    strings(text)
        .into_iter()
        .filter(|&(s, e)| text[s + 1..e - 1].chars().filter(|c| !c.is_ascii()).count() >= 6)
        .map(|(s, _)| {
            let body: Vec<(usize, char)> = text[s + 1..].char_indices().take(5).collect();
            let (a, b) = (s + 1 + body[2].0, s + 1 + body[4].0);
            let mut t = text.to_owned();
            t.insert(b, '"');
            t.insert(a, '"');
            Mutant {
                text: t,
                line: line_of(text, a),
            }
        })
        .collect()
}

/// `Card（`, `）`, `【`, `】`, `「`, `」`: every bracket of the syntax typed
/// with a Chinese input method.
fn full_width_brackets(text: &str) -> Vec<(Mutant, char)> {
    let strings = strings(text);
    let mut out = Vec::new();
    for (at, c) in text.char_indices() {
        if inside(&strings, at) || in_comment(text, at) {
            continue;
        }
        let wide: &[char] = match c {
            '(' => &['（'],
            ')' => &['）'],
            '[' => &['【', '「'],
            ']' => &['】', '」'],
            _ => continue,
        };
        for &w in wide {
            let mut t = text.to_owned();
            t.replace_range(at..=at, &w.to_string());
            out.push((
                Mutant {
                    text: t,
                    line: line_of(text, at),
                },
                w,
            ));
        }
    }
    out
}

/// `title: 客户…",`: the opening quote of a text left out.
fn missing_opening_quotes(text: &str) -> Vec<Mutant> {
    strings(text)
        .into_iter()
        .filter(|&(s, _)| text[s + 1..].chars().next().is_some_and(|c| !c.is_ascii()))
        .map(|(s, _)| {
            let mut t = text.to_owned();
            t.remove(s);
            Mutant {
                text: t,
                line: line_of(text, s),
            }
        })
        .collect()
}

/// The last card of each section cut and pasted after the `],` that ends
/// the section's `cards: [` list.
fn cards_outside_their_list(text: &str) -> Vec<Mutant> {
    let mut out = Vec::new();
    for (list, _) in text.match_indices("cards: [") {
        // The list's `]`: the first line after it that is `],` at the
        // indentation of `cards:`.
        let line_start = text[..list].rfind('\n').map_or(0, |n| n + 1);
        let indent = &text[line_start..list];
        let close = format!("\n{indent}],\n");
        let Some(close_at) = text[list..].find(&close).map(|n| list + n + 1) else {
            continue;
        };
        let cards = &text[list..close_at];
        let Some(last) = cards.rfind("Card(") else {
            continue;
        };
        let card_start = list + cards[..last].rfind('\n').map_or(0, |n| n + 1);
        let card_end = close_at;
        let card = text[card_start..card_end].to_owned();
        let after_list = close_at + close.len() - 1;
        let mut t = String::new();
        t.push_str(&text[..card_start]);
        t.push_str(&text[card_end..after_list]);
        let pasted_at = t.len();
        t.push_str(&card);
        t.push_str(&text[after_list..]);
        let line = line_of(&t, pasted_at + card.find("Card(").unwrap());
        out.push(Mutant { text: t, line });
    }
    out
}

/// (first error on the mistake's line and naming it, all) for `mutants`.
fn score(file: &str, mutants: &[Mutant], names: impl Fn(&str, usize) -> bool) -> (usize, usize) {
    let mut good = 0;
    for (k, m) in mutants.iter().enumerate() {
        let Err(diagnostics) = validate(Path::new(file), &m.text) else {
            continue;
        };
        let first = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .min_by_key(|d| d.pos);
        if let Some(d) = first
            && d.pos.is_some_and(|p| p.line == m.line)
            && names(&d.message, k)
        {
            good += 1;
        } else if std::env::var_os("SHOW_MISSES").is_some() {
            eprintln!(
                "{file}:{}: {:?}",
                m.line,
                first.map(|d| (d.pos, &d.message))
            );
        }
    }
    (good, mutants.len())
}

#[test]
fn the_first_error_is_the_mistake_for_nine_places_in_ten_of_each_kind() {
    let mut totals = [(0, 0); 4];
    for file in FILES {
        let text = std::fs::read_to_string(Path::new("data").join(file)).unwrap();
        let quotes = english_quotes(&text);
        let (brackets, wide): (Vec<Mutant>, Vec<char>) =
            full_width_brackets(&text).into_iter().unzip();
        let opening = missing_opening_quotes(&text);
        let outside = cards_outside_their_list(&text);
        let scores = [
            score(file, &quotes, |m, _| m.contains("文字里有英文双引号")),
            score(file, &brackets, |m, k| m.contains(wide[k])),
            score(file, &opening, |m, _| m.contains("缺少左引号")),
            score(file, &outside, |m, _| m.contains("列表的外面")),
        ];
        for (total, (good, all)) in totals.iter_mut().zip(scores) {
            total.0 += good;
            total.1 += all;
        }
    }
    let kinds = [
        "English quotes inside a text",
        "full-width brackets as syntax",
        "a text's opening quote left out",
        "a card outside its section's list",
    ];
    let mut failed = Vec::new();
    for (kind, (good, all)) in kinds.iter().zip(totals) {
        assert!(all > 0, "{kind}: no place to make it");
        #[expect(clippy::cast_precision_loss, reason = "a percentage of small counts")]
        let percent = good as f64 * 100.0 / all as f64;
        println!("{kind}: {good} of {all} places ({percent:.1} %)");
        if percent < 90.0 {
            failed.push(format!("{kind}: {percent:.1} %"));
        }
    }
    assert!(failed.is_empty(), "below 90 %: {failed:?}");
}
