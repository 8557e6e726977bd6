//! The card model: plain data, no I/O, no egui.
//!
//! A [`Library`] is the validated content: chapters, their sections, and the
//! cards in manual order. Everything here is built by `content` and read by
//! `search`, `app` and `ui`.

mod date;
pub mod template;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

pub use date::Date;
pub use template::{Segment, Template, TemplateError};

/// A card's stable identifier: ASCII, used by links, favourites and usage counts.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct CardId(String);

impl CardId {
    pub const MAX_LEN: usize = 64;

    /// Accepts `[a-z0-9][a-z0-9_-]*`, at most [`Self::MAX_LEN`] characters.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(IdError::TooLong);
        }
        if let Some(c) = s
            .chars()
            .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
        {
            return Err(IdError::BadChar(c));
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(IdError::BadStart);
        }
        Ok(Self(s.to_owned()))
    }

    /// `card-N`: always valid, for ids made up by a program.
    pub fn numbered(n: usize) -> Self {
        Self(format!("card-{n}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdError {
    Empty,
    TooLong,
    BadChar(char),
    BadStart,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("id 不能为空"),
            Self::TooLong => write!(f, "id 太长（最多 {} 个字符）", CardId::MAX_LEN),
            Self::BadChar(c) => {
                write!(f, "id 里不能有 `{c}`：只能用小写英文字母、数字、`-` 和 `_`")
            }
            Self::BadStart => f.write_str("id 必须以小写字母或数字开头"),
        }
    }
}

/// Editorial state of a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 草稿: not yet checked; the window shows it prominently.
    Draft,
    /// 已审核: checked by `reviewed_by`.
    Reviewed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Reviewed => "已审核",
        }
    }
}

/// Who checked a card and when; all optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    pub status: Option<Status>,
    pub version: Option<u32>,
    pub reviewed_by: Option<String>,
    pub updated: Option<Date>,
    /// A note from the editor, e.g. why the card is a draft.
    pub note: Option<String>,
    /// Branches may not override it (compliance wording): a later
    /// source's card with its id is refused.
    pub locked: bool,
    /// An override's: the content hash of the card it replaced, as it was
    /// when the override was made (see `content::write::card_hash`).
    pub based_on: Option<String>,
}

/// A speech script (话术): what the manager says or copies.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Script {
    pub template: Template,
}

impl Script {
    /// The text as copied when no field has been chosen: each field takes its
    /// first allowed value.
    pub fn default_text(&self, fields: &BTreeMap<String, FillField>) -> String {
        self.template
            .render(|name| fields.get(name).and_then(FillField::default_value))
    }
}

/// One numbered 解决方案 step.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    pub action: String,
    pub scripts: Vec<Script>,
}

impl Step {
    /// A step whose scripts are plain text (no fill-in fields).
    pub fn plain(action: String, scripts: &[String]) -> Self {
        Self {
            action,
            scripts: scripts
                .iter()
                .map(|s| Script {
                    template: Template::literal(s),
                })
                .collect(),
        }
    }
}

/// A fill-in field used by scripts as `{name}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FillField {
    /// Allowed values, the first is the default; empty means free text.
    pub choices: Vec<String>,
}

impl FillField {
    pub fn default_value(&self) -> Option<&str> {
        self.choices.first().map(String::as_str)
    }
}

/// A link to a related card.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub to: CardId,
    pub why: String,
}

/// Where something was written: a file of the library and a 1-based position.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Origin {
    pub file: usize,
    pub line: u32,
    pub col: u32,
}

/// One scenario.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Card {
    pub id: CardId,
    pub title: String,
    pub aliases: Vec<String>,
    /// Index into [`Library::sections`].
    pub section: usize,
    /// 场景再现, one string per paragraph.
    pub scene: Vec<String>,
    pub steps: Vec<Step>,
    /// 作者观点, one string per paragraph.
    pub view: Vec<String>,
    pub links: Vec<Link>,
    pub fields: BTreeMap<String, FillField>,
    pub meta: Meta,
    pub origin: Origin,
}

impl Card {
    /// All scripts in reading order (step by step).
    pub fn scripts(&self) -> impl Iterator<Item = &Script> {
        self.steps.iter().flat_map(|s| s.scripts.iter())
    }

    pub fn script_count(&self) -> usize {
        self.steps.iter().map(|s| s.scripts.len()).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chapter {
    /// `None` when the source does not name it; never invented.
    pub title: Option<String>,
    pub note: Option<String>,
    /// Index into [`Library::files`].
    pub file: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Index into [`Library::chapters`].
    pub chapter: usize,
    pub title: Option<String>,
}

/// A heading for cards whose source names neither chapter nor section
/// (where a heading must be: a group in the list, a handout's page). A
/// missing name is never shown as missing: managers read the cards.
pub const OTHER_CARDS: &str = "其他卡片";

/// The validated content, cards in chapter/section order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Library {
    /// The files the content came from, in load order (for positions).
    pub files: Vec<PathBuf>,
    pub chapters: Vec<Chapter>,
    pub sections: Vec<Section>,
    pub cards: Vec<Card>,
    /// Words that stand for one another in a search.
    pub synonyms: Synonyms,
    /// The card each override (a later source's card with an earlier id)
    /// replaced, by id.
    pub shadowed: BTreeMap<CardId, Card>,
}

/// Words a search takes for one another (the content's `Synonyms` files,
/// layered), as written (the search folds them as it folds queries).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Synonyms {
    /// Two-way: each word also finds what the others find.
    pub groups: Vec<Vec<String>>,
    /// One-way: the word also finds what the others find, not the reverse.
    pub one_way: Vec<(String, Vec<String>)>,
}

impl Synonyms {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.one_way.is_empty()
    }

    /// The words `word` also stands for, in file order, without repeats.
    pub fn expansions(&self, word: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let groups = self.groups.iter().filter(|g| g.iter().any(|w| w == word));
        let one_way = self
            .one_way
            .iter()
            .filter(|(from, _)| from == word)
            .map(|(_, to)| to);
        for w in groups.chain(one_way).flatten() {
            if w != word && !out.contains(&w.as_str()) {
                out.push(w);
            }
        }
        out
    }

    /// Every word that can be typed to find others.
    pub fn typed_words(&self) -> impl Iterator<Item = &str> {
        self.groups
            .iter()
            .flatten()
            .chain(self.one_way.iter().map(|(from, _)| from))
            .map(String::as_str)
    }
}

impl Library {
    pub fn card(&self, id: &CardId) -> Option<&Card> {
        self.cards.iter().find(|c| &c.id == id)
    }

    pub fn index_of(&self, id: &CardId) -> Option<usize> {
        self.cards.iter().position(|c| &c.id == id)
    }

    pub fn section_of(&self, card: &Card) -> &Section {
        &self.sections[card.section]
    }

    pub fn chapter_of(&self, card: &Card) -> &Chapter {
        &self.chapters[self.section_of(card).chapter]
    }

    /// `第四章 业务处理区 › 第一节 客户对柜员不满意`: the chapter's and
    /// section's titles the source gives (one, both, or `None`).
    pub fn section_place(&self, section: usize) -> Option<String> {
        let section = self.sections.get(section)?;
        let chapter = self.chapters.get(section.chapter)?;
        let names: Vec<&str> = [chapter.title.as_deref(), section.title.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!names.is_empty()).then(|| names.join(" › "))
    }

    /// Where a card is: [`section_place`](Self::section_place) of its
    /// section.
    pub fn place(&self, card: &Card) -> Option<String> {
        self.section_place(card.section)
    }

    pub fn file_of(&self, card: &Card) -> &std::path::Path {
        &self.files[card.origin.file]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_ids() {
        assert!(CardId::parse("wrong-queue-ticket").is_ok());
        assert!(CardId::parse("a_1").is_ok());
        assert_eq!(CardId::parse(""), Err(IdError::Empty));
        assert_eq!(CardId::parse("Teller"), Err(IdError::BadChar('T')));
        assert_eq!(CardId::parse("取号"), Err(IdError::BadChar('取')));
        assert_eq!(CardId::parse("-x"), Err(IdError::BadStart));
        assert_eq!(CardId::parse(&"a".repeat(65)), Err(IdError::TooLong));
    }

    #[test]
    fn default_text_uses_first_choice() {
        let mut fields = BTreeMap::new();
        fields.insert(
            "称呼".to_owned(),
            FillField {
                choices: vec!["先生".into(), "女士".into()],
            },
        );
        let script = Script {
            template: Template::parse("{称呼},请这边走。").unwrap(),
        };
        assert_eq!(script.default_text(&fields), "先生,请这边走。");
    }
}
