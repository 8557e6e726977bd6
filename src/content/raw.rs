//! The RON schema as written by editors: raw serde types, checked later by
//! `validate`. Unknown fields are rejected so a typo never goes unnoticed.
//!
//! Cards and some leaf values are captured as [`Located`] sub-slices of the
//! source, so a mistake in one card does not hide the others and every
//! problem gets its exact position.

use std::collections::BTreeMap;

use ron::value::RawValue;
use serde::Deserialize;

/// RON options used for every content file: `Some(...)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// A value with the source text it was parsed from. Parsing the value is
/// deferred into `value`, so a type error here is reported at its own
/// position while the rest of the card still parses.
#[derive(Debug)]
pub struct Located<'a, T> {
    /// The value's text, a slice of the whole file's source.
    pub src: &'a str,
    pub value: Result<T, ron::error::SpannedError>,
}

impl<'de: 'a, 'a, T: Deserialize<'a>> Deserialize<'de> for Located<'a, T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(deserializer)?;
        let src: &'a str = raw.get_ron();
        Ok(Self {
            src,
            value: ron_options().from_str(src),
        })
    }
}

/// One content file: a chapter of the manual. Its sections are `S`: each
/// [`Located`] (see [`RawChapter`]), or read in the same pass as the
/// chapter (see [`RawChapterInOnePass`]).
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename = "Chapter",
    bound(deserialize = "S: Deserialize<'de>")
)]
pub struct Chapter<'a, S> {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Ids of cards of earlier layers (sources) to take off the counter.
    #[serde(default, borrow)]
    pub withdraw: Vec<Located<'a, String>>,
    #[serde(default)]
    pub sections: Vec<S>,
}

/// A chapter whose sections are each read on their own, so that a
/// mistake in one is reported at its place and the others still load.
pub type RawChapter<'a> = Chapter<'a, Located<'a, RawSection<'a>>>;

/// A chapter with its sections read in the same pass: the cards' text is
/// gone over once fewer. Tried first; a file it does not read (or with a
/// section without cards) is read as a [`RawChapter`].
pub type RawChapterInOnePass<'a> = Chapter<'a, RawSection<'a>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Section")]
pub struct RawSection<'a> {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(borrow)]
    pub cards: Vec<&'a RawValue>,
}

/// A card. Every field is [`Located`], so one wrong value does not hide the
/// problems in the others.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Card")]
pub struct RawCard<'a> {
    #[serde(borrow)]
    pub id: Located<'a, String>,
    #[serde(borrow)]
    pub title: Located<'a, String>,
    #[serde(default, borrow)]
    pub aliases: Vec<Located<'a, String>>,
    #[serde(default, borrow)]
    pub status: Option<Located<'a, RawStatus>>,
    #[serde(default, borrow)]
    pub version: Option<Located<'a, u32>>,
    #[serde(default, borrow)]
    pub reviewed_by: Option<Located<'a, String>>,
    #[serde(default, borrow)]
    pub updated: Option<Located<'a, String>>,
    #[serde(default, borrow)]
    pub note: Option<Located<'a, String>>,
    #[serde(default, borrow)]
    pub locked: Option<Located<'a, bool>>,
    #[serde(default, borrow)]
    pub based_on: Option<Located<'a, String>>,
    #[serde(default, borrow)]
    pub scene: Option<Located<'a, Paragraphs>>,
    #[serde(default, borrow)]
    pub steps: Vec<Located<'a, RawStep<'a>>>,
    #[serde(default, borrow)]
    pub view: Option<Located<'a, Paragraphs>>,
    #[serde(default, borrow)]
    pub links: Vec<Located<'a, RawLink>>,
    #[serde(default, borrow)]
    pub fields: Option<Located<'a, BTreeMap<String, Vec<String>>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename = "Status")]
pub enum RawStatus {
    #[serde(alias = "草稿")]
    Draft,
    #[serde(alias = "已审核")]
    Reviewed,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Step")]
pub struct RawStep<'a> {
    pub action: String,
    #[serde(default, borrow)]
    pub scripts: Vec<Located<'a, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Link")]
pub struct RawLink {
    pub to: String,
    #[serde(default)]
    pub why: String,
}

/// Paragraphs written either as a list of strings or as one string, where
/// each non-blank line is a paragraph (indentation is dropped).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Paragraphs(pub Vec<String>);

impl<'de> Deserialize<'de> for Paragraphs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Paragraphs;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let mut out = Vec::new();
                push_lines(&mut out, v);
                Ok(Paragraphs(out))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    push_lines(&mut out, &s);
                }
                Ok(Paragraphs(out))
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

fn push_lines(out: &mut Vec<String>, text: &str) {
    out.extend(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
    );
}
