//! Importing a manual into content that already has its cards: each
//! scenario is matched to its card (same chapter and title), which keeps
//! its id, aliases and links and is updated in place; what changes is told
//! paragraph by paragraph before anything is written; cards the manual
//! does not have (a trainer's own) stay where they are.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use crate::content::import::unique_id;
use crate::model::{Card, CardId, Library, Section};

/// What re-importing does to one card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Matched an existing card (same chapter and title), same text: the
    /// card is kept as it was, fill-ins and review state included.
    Unchanged(CardId, String),
    /// Matched, and its text differs: how.
    Updated(CardId, String, Vec<Edit>),
    New(CardId, String),
    /// An existing card of a rewritten file that the manual does not have:
    /// kept in that file, after the imported cards of its section.
    Kept(CardId, String, PathBuf),
}

/// One paragraph, step or script of a card that re-importing changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// 场景再现, 解决方案 or 作者观点.
    pub part: &'static str,
    /// Where in the part: `第 2 段`, `第 1 步`, `第 1 步的话术 2`.
    pub place: String,
    /// The text before (`None`: added) and after (`None`: removed).
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Edit {
    /// The parts of a card an edit list touches, in card order.
    pub fn parts(edits: &[Self]) -> Vec<&'static str> {
        let mut parts: Vec<&'static str> = Vec::new();
        for e in edits {
            if !parts.contains(&e.part) {
                parts.push(e.part);
            }
        }
        parts
    }
}

/// A card as lines a person compares: (part, place, text).
fn lines(card: &Card) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    for (n, p) in card.scene.iter().enumerate() {
        out.push(("场景再现", format!("第 {} 段", n + 1), p.clone()));
    }
    for (n, step) in card.steps.iter().enumerate() {
        out.push(("解决方案", format!("第 {} 步", n + 1), step.action.clone()));
        for (k, script) in step.scripts.iter().enumerate() {
            out.push((
                "解决方案",
                format!("第 {} 步的话术 {}", n + 1, k + 1),
                script.template.source(),
            ));
        }
    }
    for (n, p) in card.view.iter().enumerate() {
        out.push(("作者观点", format!("第 {} 段", n + 1), p.clone()));
    }
    out
}

/// The edits that turn `old` into `new`: a longest common subsequence of
/// their lines; a line removed next to one added at the same place is one
/// changed line.
fn edits(old: &Card, new: &Card) -> Vec<Edit> {
    let (a, b) = (lines(old), lines(new));
    let same = |i: usize, j: usize| a[i].0 == b[j].0 && a[i].2 == b[j].2;
    // lcs[i][j]: the common length of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if same(i, j) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out: Vec<Edit> = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && same(i, j) {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let (part, place, text) = a[i].clone();
            out.push(Edit {
                part,
                place,
                old: Some(text),
                new: None,
            });
            i += 1;
        } else {
            let (part, place, text) = b[j].clone();
            // Removed just before, at the same place: changed.
            match out.last_mut() {
                Some(last) if last.new.is_none() && last.part == part && last.place == place => {
                    last.new = Some(text);
                }
                _ => out.push(Edit {
                    part,
                    place,
                    old: None,
                    new: Some(text),
                }),
            }
            j += 1;
        }
    }
    out
}

/// Re-importing into content that already has cards: each imported card
/// that matches an existing one (same chapter title and card title) takes
/// its id, aliases and links (and, when the text is the same, is the
/// existing card), so nothing is duplicated; new cards get ids that do not
/// clash; existing cards of the files being rewritten that the manual does
/// not have are added back. Returns, per imported chapter, the existing
/// file it updates (when its cards came from one), and every change.
pub fn reconcile(
    imported: &mut Library,
    existing: &Library,
) -> (Vec<Option<PathBuf>>, Vec<Change>) {
    let key = |library: &Library, card: &Card| {
        (
            library.chapter_of(card).title.clone().unwrap_or_default(),
            card.title.trim().to_owned(),
        )
    };
    let mut by_key: HashMap<(String, String), usize> = HashMap::new();
    for (n, card) in existing.cards.iter().enumerate() {
        by_key.entry(key(existing, card)).or_insert(n);
    }
    let mut taken: HashSet<String> = existing
        .cards
        .iter()
        .map(|c| c.id.as_str().to_owned())
        .collect();
    let mut matched = vec![false; existing.cards.len()];
    // Per imported chapter: the existing files its matched cards are in.
    let mut sources: Vec<BTreeSet<PathBuf>> = vec![BTreeSet::new(); imported.chapters.len()];
    let mut changes = Vec::new();
    for n in 0..imported.cards.len() {
        let chapter = imported.sections[imported.cards[n].section].chapter;
        let k = key(imported, &imported.cards[n]);
        let card = &mut imported.cards[n];
        let Some(&at) = by_key.get(&k) else {
            if taken.contains(card.id.as_str()) {
                card.id = unique_id(&card.title, &mut taken);
            } else {
                taken.insert(card.id.as_str().to_owned());
            }
            changes.push(Change::New(card.id.clone(), card.title.clone()));
            continue;
        };
        matched[at] = true;
        let old = &existing.cards[at];
        sources[chapter].insert(existing.file_of(old).to_path_buf());
        let edits = edits(old, card);
        if edits.is_empty() {
            *card = Card {
                section: card.section,
                origin: card.origin,
                ..old.clone()
            };
            changes.push(Change::Unchanged(card.id.clone(), card.title.clone()));
        } else {
            card.id = old.id.clone();
            card.aliases.clone_from(&old.aliases);
            card.links.clone_from(&old.links);
            changes.push(Change::Updated(card.id.clone(), card.title.clone(), edits));
        }
    }
    // A chapter whose cards all came from one file is written back there.
    let files: Vec<Option<PathBuf>> = sources
        .into_iter()
        .map(|s| {
            if s.len() == 1 {
                s.into_iter().next()
            } else {
                None
            }
        })
        .collect();
    // A chapter's note is the trainer's, not the manual's: kept.
    for (chapter, file) in files.iter().enumerate() {
        let Some(file) = file else { continue };
        let old = existing
            .chapters
            .iter()
            .find(|c| existing.files.get(c.file) == Some(file));
        if let Some(old) = old
            && imported.chapters[chapter].note.is_none()
        {
            imported.chapters[chapter].note.clone_from(&old.note);
        }
    }
    // Cards of the files being rewritten that the manual does not have.
    for (n, old) in existing.cards.iter().enumerate() {
        let file = existing.file_of(old);
        let Some(chapter) = files.iter().position(|f| f.as_deref() == Some(file)) else {
            continue;
        };
        if matched[n] {
            continue;
        }
        let title = existing.section_of(old).title.clone();
        let section = imported
            .sections
            .iter()
            .position(|s| s.chapter == chapter && s.title == title)
            .unwrap_or_else(|| {
                imported.sections.push(Section { chapter, title });
                imported.sections.len() - 1
            });
        imported.cards.push(Card {
            section,
            ..old.clone()
        });
        changes.push(Change::Kept(
            old.id.clone(),
            old.title.clone(),
            file.to_path_buf(),
        ));
    }
    (files, changes)
}

/// `old` and `new` cut to the stretch around their first difference (at
/// most `width` characters each), so a one-character change in a long
/// paragraph shows.
pub fn around_difference(old: &str, new: &str, width: usize) -> (String, String) {
    let (a, b): (Vec<char>, Vec<char>) = (old.chars().collect(), new.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let start = prefix.saturating_sub(width / 3);
    let cut = |s: &[char]| {
        let end = (start + width).min(s.len());
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.extend(&s[start.min(s.len())..end]);
        if end < s.len() {
            out.push('…');
        }
        out
    };
    (cut(&a), cut(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Meta, Origin, Step};

    fn card(scene: &[&str], steps: &[(&str, &[&str])]) -> Card {
        Card {
            id: CardId::parse("a").unwrap(),
            title: "标题".into(),
            aliases: Vec::new(),
            section: 0,
            scene: scene.iter().map(|s| (*s).to_owned()).collect(),
            steps: steps
                .iter()
                .map(|(a, s)| {
                    Step::plain(
                        (*a).to_owned(),
                        &s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
                    )
                })
                .collect(),
            view: Vec::new(),
            links: Vec::new(),
            fields: std::collections::BTreeMap::new(),
            meta: Meta::default(),
            origin: Origin {
                file: 0,
                line: 1,
                col: 1,
            },
        }
    }

    #[test]
    fn the_same_card_has_no_edits() {
        let c = card(&["一"], &[("做", &["说"])]);
        assert!(edits(&c, &c.clone()).is_empty());
    }

    #[test]
    fn a_changed_paragraph_is_one_edit_and_an_added_step_another() {
        let old = card(&["一", "二"], &[("做", &["说"])]);
        let new = card(&["一", "二改"], &[("做", &["说"]), ("再做", &[])]);
        let e = edits(&old, &new);
        assert_eq!(e.len(), 2, "{e:#?}");
        assert_eq!((e[0].part, e[0].place.as_str()), ("场景再现", "第 2 段"));
        assert_eq!(
            (e[0].old.as_deref(), e[0].new.as_deref()),
            (Some("二"), Some("二改"))
        );
        assert_eq!(
            (e[1].place.as_str(), e[1].old.as_deref()),
            ("第 2 步", None)
        );
        assert_eq!(Edit::parts(&e), ["场景再现", "解决方案"]);
    }

    #[test]
    fn a_removed_script_is_told_as_removed() {
        let old = card(&[], &[("做", &["说", "再说"])]);
        let new = card(&[], &[("做", &["说"])]);
        let e = edits(&old, &new);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].place, "第 1 步的话术 2");
        assert_eq!(
            (e[0].old.as_deref(), e[0].new.as_deref()),
            (Some("再说"), None)
        );
    }

    #[test]
    fn the_difference_shows_in_a_long_paragraph() {
        let old = format!(
            "{}有点长。客户什么也没说{}",
            "甲".repeat(40),
            "乙".repeat(40)
        );
        let new = format!("{}有点常客户什么也没说{}", "甲".repeat(40), "乙".repeat(40));
        let (a, b) = around_difference(&old, &new, 30);
        assert!(
            a.contains("有点长。") && b.contains("有点常客"),
            "{a} / {b}"
        );
        assert!(a.starts_with('…') && a.ends_with('…'));
    }
}
