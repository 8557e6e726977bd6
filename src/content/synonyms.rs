//! Synonyms: the customer's words for the card's (取款机 for ATM, 吃卡 for
//! 吞卡). Written in any file whose top level is `Synonyms(…)`, in any
//! content source:
//!
//! ```ron
//! Synonyms(
//!     // Two-way: each word also finds the cards of the others.
//!     groups: [
//!         ["ATM", "取款机", "自动柜员机", "提款机"],
//!     ],
//!     // One-way: typing 聋哑 finds 听障 cards, not the reverse.
//!     one_way: [
//!         ("聋哑", ["听障"]),
//!     ],
//!     // Groups of earlier sources taken off, by any word of theirs.
//!     withdraw: ["提款机"],
//! )
//! ```
//!
//! Layered like cards: every source's groups add up, and a later source's
//! `withdraw` takes off earlier sources' groups holding the word. Checked
//! here: a word in two groups, an empty or one-word group, a word so common
//! it would find most cards, a group no card uses (unless the file says
//! `general: true`, as the vocabulary shipped with the program does).

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::AhoCorasick;
use serde::Deserialize;

use crate::content::diagnostic::{Diagnostic, LineIndex, Pos};
use crate::content::fold::fold_query;
use crate::content::raw::Located;
use crate::content::{ron_error, syntax};
use crate::model::{Card, Synonyms};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Synonyms")]
struct RawSynonyms<'a> {
    #[serde(default, borrow)]
    groups: Vec<Located<'a, Vec<Located<'a, String>>>>,
    #[serde(default, borrow)]
    one_way: Vec<Located<'a, OneWay<'a>>>,
    #[serde(default, borrow)]
    withdraw: Vec<Located<'a, String>>,
    /// A vocabulary for any content: groups no card uses are not reported.
    #[serde(default)]
    general: bool,
}

/// A one-way entry as written: the word typed and what it finds.
type OneWay<'a> = (Located<'a, String>, Vec<Located<'a, String>>);

/// Whether `text` is a synonyms file rather than a chapter.
pub fn is_synonyms(text: &str) -> bool {
    syntax::top_level_name(text) == Some("Synonyms")
}

/// One word as written, folded, and where.
#[derive(Clone, Debug)]
struct WordAt {
    folded: String,
    written: String,
    pos: Pos,
}

/// A group or a one-way expansion of one file.
#[derive(Clone, Debug)]
struct Entry {
    /// For a one-way expansion the first word is the one typed.
    words: Vec<WordAt>,
    one_way: bool,
    pos: Pos,
    file: usize,
    layer: usize,
    general: bool,
}

/// A synonyms file's text and where it stands.
pub struct SynonymsFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    /// Its number among the build's files.
    pub file: usize,
    pub layer: usize,
}

/// The positions in one file's text.
struct Place<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex<'a>,
}

impl Place<'_> {
    /// Position of `slice`, a sub-slice of the text.
    fn of(&self, slice: &str) -> Pos {
        let offset = (slice.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.lines.pos(offset.min(self.text.len()))
    }

    fn value<'v, T>(&self, loc: &'v Located<'_, T>, diags: &mut Vec<Diagnostic>) -> Option<&'v T> {
        match &loc.value {
            Ok(v) => Some(v),
            Err(e) => {
                let (_, message, help) = ron_error::explain(loc.src, &LineIndex::new(loc.src), e);
                let mut d = Diagnostic::error(self.path, Some(self.of(loc.src)), message);
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                diags.push(d.with_help("这一组同义词没有加载"));
                None
            }
        }
    }

    fn word(&self, loc: &Located<'_, String>, diags: &mut Vec<Diagnostic>) -> Option<WordAt> {
        let written = self.value(loc, diags)?.trim().to_owned();
        let pos = self.of(loc.src);
        if written.is_empty() {
            diags.push(
                Diagnostic::warning(self.path, Some(pos), "同义词里有一个空的词，已忽略")
                    .with_help("删掉这个 \"\""),
            );
            return None;
        }
        Some(WordAt {
            folded: fold_query(&written),
            written,
            pos,
        })
    }
}

/// What the synonyms files hold, layered; problems by file number.
pub struct Gathered {
    entries: Vec<Entry>,
    diagnostics: HashMap<usize, Vec<Diagnostic>>,
    paths: HashMap<usize, std::path::PathBuf>,
}

/// Reads every synonyms file (in load order), applies each source's
/// `withdraw` to the earlier sources' entries, and checks the words
/// against each other.
pub fn gather(files: &[SynonymsFile<'_>]) -> Gathered {
    let mut gathered = Gathered {
        entries: Vec::new(),
        diagnostics: HashMap::new(),
        paths: files
            .iter()
            .map(|f| (f.file, f.path.to_path_buf()))
            .collect(),
    };
    for f in files {
        let mut file_diags = Vec::new();
        let diags = &mut file_diags;
        let place = Place {
            path: f.path,
            text: f.text,
            lines: LineIndex::new(f.text),
        };
        let raw: RawSynonyms<'_> = match crate::content::raw::ron_options().from_str(f.text) {
            Ok(raw) => raw,
            Err(e) => {
                let (pos, message, help) = ron_error::explain(f.text, &place.lines, &e);
                let mut d = Diagnostic::error(f.path, Some(pos), message);
                if let Some(h) = help {
                    d = d.with_help(h);
                }
                diags.push(d.with_help("这个同义词文件没有加载"));
                gathered
                    .diagnostics
                    .entry(f.file)
                    .or_default()
                    .append(diags);
                continue;
            }
        };
        // Withdrawn first: a file takes off earlier sources' entries only.
        for loc in &raw.withdraw {
            if let Some(word) = place.word(loc, diags) {
                gathered.withdraw(&word, f, diags);
            }
        }
        for loc in &raw.groups {
            let Some(list) = place.value(loc, diags) else {
                continue;
            };
            let words: Vec<WordAt> = list.iter().filter_map(|w| place.word(w, diags)).collect();
            gathered.add(
                Entry {
                    words,
                    one_way: false,
                    pos: place.of(loc.src),
                    file: f.file,
                    layer: f.layer,
                    general: raw.general,
                },
                diags,
            );
        }
        for loc in &raw.one_way {
            let Some((from, to)) = place.value(loc, diags) else {
                continue;
            };
            let pos = place.of(loc.src);
            let Some(from) = place.word(from, diags) else {
                continue;
            };
            let mut words = vec![from];
            words.extend(to.iter().filter_map(|w| place.word(w, diags)));
            gathered.add(
                Entry {
                    words,
                    one_way: true,
                    pos,
                    file: f.file,
                    layer: f.layer,
                    general: raw.general,
                },
                diags,
            );
        }
        gathered
            .diagnostics
            .entry(f.file)
            .or_default()
            .append(diags);
    }
    gathered.two_groups();
    gathered
}

impl Gathered {
    /// Takes off the earlier sources' entries holding `word`, a word of
    /// file `f`'s `withdraw`.
    fn withdraw(&mut self, word: &WordAt, f: &SynonymsFile<'_>, diags: &mut Vec<Diagnostic>) {
        let before = self.entries.len();
        self.entries
            .retain(|e| e.layer >= f.layer || !e.words.iter().any(|w| w.folded == word.folded));
        if self.entries.len() == before {
            diags.push(
                Diagnostic::warning(
                    f.path,
                    Some(word.pos),
                    format!(
                        "`withdraw` 里的“{}”不在前面来源的任何一组同义词里，已忽略",
                        word.written
                    ),
                )
                .with_help("withdraw 只能撤下前面来源（例如总行）的同义词；写那一组里的任意一个词"),
            );
        }
    }

    /// Adds `entry` unless it has too few words (said in `diags`).
    fn add(&mut self, mut entry: Entry, diags: &mut Vec<Diagnostic>) {
        let mut seen: Vec<String> = Vec::new();
        let mut words = Vec::new();
        for w in entry.words.drain(..) {
            if seen.contains(&w.folded) {
                continue;
            }
            seen.push(w.folded.clone());
            words.push(w);
        }
        entry.words = words;
        let (path, pos) = (self.paths[&entry.file].clone(), Some(entry.pos));
        match (entry.one_way, entry.words.as_slice()) {
            (false, []) => diags.push(
                Diagnostic::warning(&path, pos, "这一组同义词是空的，已忽略")
                    .with_help("删掉这个 []，或者写上至少两个意思相同的词"),
            ),
            (false, [only]) => diags.push(
                Diagnostic::warning(
                    &path,
                    pos,
                    format!("这一组同义词只有一个词“{}”，已忽略", only.written),
                )
                .with_help("一组至少要有两个意思相同的词，例如 [\"ATM\", \"取款机\"]"),
            ),
            (true, [from]) => diags.push(
                Diagnostic::warning(
                    &path,
                    pos,
                    format!("“{}”后面没有要找的词，已忽略", from.written),
                )
                .with_help("单向同义词写成 (\"聋哑\", [\"听障\"])：输入前面的词，也能找到后面的词"),
            ),
            _ => self.entries.push(entry),
        }
    }

    /// A word in two two-way groups: said at the later one.
    fn two_groups(&mut self) {
        let mut first: HashMap<&str, (usize, Pos)> = HashMap::new();
        let mut found = Vec::new();
        for e in self.entries.iter().filter(|e| !e.one_way) {
            for w in &e.words {
                match first.get(w.folded.as_str()) {
                    Some(&(file, pos)) => found.push((e.file, w.clone(), file, pos)),
                    None => {
                        first.insert(&w.folded, (e.file, e.pos));
                    }
                }
            }
        }
        for (file, word, first_file, first_pos) in found {
            let place = if first_file == file {
                format!("第 {} 行", first_pos.line)
            } else {
                format!("{}:{first_pos}", self.paths[&first_file].display())
            };
            let d = Diagnostic::warning(
                &self.paths[&file],
                Some(word.pos),
                format!("“{}”已经在{place}的一组同义词里", word.written),
            )
            .with_help("一个词只放在一组里：把这两组合成一组，或者从其中一组删掉它");
            self.diagnostics.entry(file).or_default().push(d);
        }
    }

    /// Checks the words against the cards — a word in most cards, a group
    /// no card uses — and returns the synonyms for the search; each file's
    /// problems go to `per_file[file]`.
    pub fn finish(mut self, cards: &[Card], per_file: &mut [Vec<Diagnostic>]) -> Synonyms {
        let uses = card_counts(&self.entries, cards);
        let common = |n: usize| cards.len() >= 4 && n * 2 > cards.len();
        for (e, counts) in self.entries.iter().zip(&uses) {
            let path = &self.paths[&e.file];
            let diags = self.diagnostics.entry(e.file).or_default();
            for (w, &n) in e.words.iter().zip(counts) {
                if common(n) {
                    diags.push(
                        Diagnostic::warning(
                            path,
                            Some(w.pos),
                            format!(
                                "“{}”出现在 {} 张卡片里的 {n} 张：放在同义词里，搜索时几乎会带出所有卡片",
                                w.written,
                                cards.len()
                            ),
                        )
                        .with_help("删掉这个词，同义词只放能分辨场景的词（例如“取款机”，不要“客户”“银行”）"),
                    );
                }
            }
            if !e.general && counts.iter().all(|&n| n == 0) {
                let names: Vec<&str> = e.words.iter().map(|w| w.written.as_str()).collect();
                diags.push(
                    Diagnostic::warning(
                        path,
                        Some(e.pos),
                        format!(
                            "这一组同义词（{}）在所有卡片里都没有出现，暂时用不上",
                            names.join("、")
                        ),
                    )
                    .with_help("同义词里至少要有一个词出现在卡片里（标题、别名、正文都算），才能把顾客的说法连到卡片上；检查是不是写错了字"),
                );
            }
        }
        let mut synonyms = Synonyms::default();
        for e in self.entries {
            let mut words = e.words.into_iter().map(|w| w.written);
            if e.one_way {
                if let Some(from) = words.next() {
                    synonyms.one_way.push((from, words.collect()));
                }
            } else {
                synonyms.groups.push(words.collect());
            }
        }
        for (file, mut diags) in self.diagnostics {
            if let Some(d) = per_file.get_mut(file) {
                d.append(&mut diags);
            }
        }
        synonyms
    }
}

/// For each entry, for each of its words: how many cards hold it in any
/// field (folded as the search folds), in one pass over the cards.
fn card_counts(entries: &[Entry], cards: &[Card]) -> Vec<Vec<usize>> {
    let words: Vec<&str> = entries
        .iter()
        .flat_map(|e| e.words.iter().map(|w| w.folded.as_str()))
        .collect();
    let mut per_word = vec![0usize; words.len()];
    if let Ok(automaton) = AhoCorasick::new(&words) {
        let mut last_card = vec![usize::MAX; words.len()];
        let mut text = String::new();
        for (n, card) in cards.iter().enumerate() {
            text.clear();
            for field in card_texts(card) {
                crate::content::fold::fold_into(&mut text, &field);
                text.push('\n');
            }
            for m in automaton.find_overlapping_iter(&text) {
                let w = m.pattern().as_usize();
                if last_card[w] != n {
                    last_card[w] = n;
                    per_word[w] += 1;
                }
            }
        }
    }
    let mut at = 0;
    entries
        .iter()
        .map(|e| {
            let counts = per_word[at..at + e.words.len()].to_vec();
            at += e.words.len();
            counts
        })
        .collect()
}

/// Every text of a card a search looks at (scripts with their default
/// fill-ins, as the index has them).
fn card_texts(card: &Card) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let mut out: Vec<Cow<'_, str>> = vec![Cow::Borrowed(card.title.as_str())];
    out.extend(card.aliases.iter().map(|a| Cow::Borrowed(a.as_str())));
    out.extend(card.scene.iter().map(|p| Cow::Borrowed(p.as_str())));
    for step in &card.steps {
        out.push(Cow::Borrowed(step.action.as_str()));
        out.extend(
            step.scripts
                .iter()
                .map(|s| Cow::Owned(s.default_text(&card.fields))),
        );
    }
    out.extend(card.view.iter().map(|p| Cow::Borrowed(p.as_str())));
    out
}
