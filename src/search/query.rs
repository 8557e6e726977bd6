//! Stage 1: what the lobby manager typed → the words to look for.
//!
//! Folding (traditional → simplified, full-width → half-width, lower
//! case), pinyin separators (`qu'hao`, `q'h'c'w` as input methods show a
//! composition), splitting at spaces, punctuation and Chinese/ASCII
//! boundaries (`汇款cuo`), then Chinese runs cut into words by the
//! content's vocabulary (see `segment`). Each word knows how it can match:
//! literally, as pinyin letters, or by its characters' readings.

use pinyin::ToPinyinMulti as _;

use super::pinyin::MAX_LETTERS;
use super::segment::{Vocabulary, segment};
use super::weights::MAX_WORDS;
use crate::content::fold::fold_query;

/// One word of the query, folded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub chars: Vec<char>,
    /// The word as pinyin letters, when it is made only of ASCII letters.
    pub letters: Option<Vec<u8>>,
    /// Chinese: each character's possible readings (ü written `v`), for
    /// homophones; empty otherwise.
    pub readings: Vec<Vec<String>>,
    /// Chinese: occurs literally in the content (a word of the content's
    /// vocabulary). Words that do not are looked for by their readings.
    pub known: bool,
    /// Set once searched: it matched only tolerantly somewhere (homophone
    /// or pinyin typo), so its highlights may show such matches.
    pub tolerant: bool,
    /// Set once searched: the synonyms it stands for that matched some
    /// card, `(folded, as written)` (`取款机` → `("atm", "ATM")`);
    /// highlighted like the word itself.
    pub synonyms: Vec<(String, String)>,
    /// Set once searched: how many cards the word itself matched (its
    /// synonyms' left out), for its rarity.
    pub own_cards: usize,
    /// A character of the query's word number `n` that matched nothing
    /// as a whole (机 of an unknown 取款机): it ranks only below every
    /// real word's match.
    pub fallback: Option<usize>,
    /// Matched only as written (a synonym): not scattered, not as pinyin,
    /// not by its readings.
    pub literal_only: bool,
}

impl Word {
    pub(super) fn new(text: String, known: bool) -> Self {
        let letters = (text.len() <= MAX_LETTERS && text.bytes().all(|b| b.is_ascii_lowercase()))
            .then(|| text.as_bytes().to_vec());
        let chars: Vec<char> = text.chars().collect();
        let readings = if chars.iter().all(|c| !c.is_ascii()) {
            chars.iter().map(|&c| readings_of(c)).collect()
        } else {
            Vec::new()
        };
        Self {
            text,
            chars,
            letters,
            readings,
            known,
            tolerant: false,
            synonyms: Vec::new(),
            own_cards: 0,
            fallback: None,
            literal_only: false,
        }
    }

    /// A synonym looked for as it is written: literally, never scattered,
    /// as pinyin letters or by its readings.
    pub(super) fn literal(text: &str) -> Self {
        let mut word = Self::new(text.to_owned(), true);
        word.letters = None;
        word.readings.clear();
        word.literal_only = true;
        word
    }

    /// Chinese words of two or more characters also match scattered (in
    /// order, with gaps) in titles and aliases; letters go through pinyin.
    pub fn scatters(&self) -> bool {
        self.chars.len() >= 2 && self.letters.is_none() && !self.literal_only
    }

    /// An unknown word's characters as words of their own (fillers left
    /// out): how it is read when it matched nothing as a whole; `n`: the
    /// word's number in the query.
    pub fn characters(&self, n: usize, vocabulary: &impl Vocabulary) -> Vec<Word> {
        self.chars
            .iter()
            .filter(|c| !super::segment::is_filler(&[**c]))
            .map(|&c| {
                let mut w = Word::new(c.to_string(), vocabulary.occurs(&[c]));
                w.fallback = Some(n);
                w
            })
            .collect()
    }

    /// One Chinese character: beside other words it is chance, looked for
    /// only in titles and aliases and ranked below every word.
    pub fn is_lone_character(&self) -> bool {
        self.chars.len() == 1 && !self.chars[0].is_ascii()
    }

    /// Chinese words of two or more characters can match as homophones.
    pub fn has_readings(&self) -> bool {
        self.readings.len() >= 2 && self.readings.iter().all(|r| !r.is_empty())
    }
}

/// Every toneless reading of a character, `ü` as `v`, without repeats.
fn readings_of(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let plain = p.plain().replace('ü', "v");
            if !out.contains(&plain) {
                out.push(plain);
            }
        }
    }
    out
}

/// A parsed query: the words, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub words: Vec<Word>,
}

impl Query {
    /// Parses `input`; Chinese runs are cut by `vocabulary`. At most
    /// `MAX_WORDS` words are kept.
    pub fn parse(input: &str, vocabulary: &impl Vocabulary) -> Self {
        let mut words = Vec::new();
        for run in runs(&fold_query(input)) {
            if run.chinese && run.text.chars().count() >= 2 {
                let chars: Vec<char> = run.text.chars().collect();
                words.extend(
                    segment(&chars, vocabulary)
                        .into_iter()
                        .map(|p| Word::new(p.text, p.known)),
                );
            } else {
                let known = !run.chinese || {
                    let chars: Vec<char> = run.text.chars().collect();
                    vocabulary.occurs(&chars)
                };
                words.push(Word::new(run.text, known));
            }
        }
        words.truncate(MAX_WORDS);
        Self { words }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// How many words were typed: the characters of an unknown word read
    /// one by one count as that one word (which no card matches).
    pub fn word_count(&self) -> usize {
        let mut groups: Vec<usize> = self.words.iter().filter_map(|w| w.fallback).collect();
        groups.dedup();
        self.words.iter().filter(|w| w.fallback.is_none()).count() + groups.len()
    }
}

/// A run of Chinese characters, or of ASCII letters and digits.
struct Run {
    text: String,
    chinese: bool,
}

/// Splits folded text at whitespace, punctuation and script boundaries;
/// pinyin separators (`'`) inside a run are dropped.
fn runs(folded: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut current = String::new();
    let mut chinese = false;
    for c in folded.chars() {
        if c == '\'' || c == '’' || c == '‘' {
            continue; // qu'hao = quhao
        }
        let kind = if c.is_ascii_alphanumeric() {
            Some(false)
        } else if !c.is_ascii() && c.is_alphanumeric() {
            Some(true)
        } else {
            None // a separator
        };
        if kind != Some(chinese) && !current.is_empty() {
            out.push(Run {
                text: std::mem::take(&mut current),
                chinese,
            });
        }
        if let Some(k) = kind {
            chinese = k;
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(Run {
            text: current,
            chinese,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every piece is known.
    struct All;
    impl Vocabulary for All {
        fn occurs(&self, _: &[char]) -> bool {
            true
        }
    }

    fn texts(q: &str) -> Vec<String> {
        Query::parse(q, &All)
            .words
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn splits_on_space_punctuation_and_script_boundaries() {
        assert_eq!(texts("柜员 不熟练"), ["柜员", "不熟练"]);
        assert_eq!(texts("汇款　cuo"), ["汇款", "cuo"]);
        assert_eq!(texts("汇款cuo"), ["汇款", "cuo"]);
        assert_eq!(texts("ＡＴＭ机"), ["atm", "机"]);
        assert_eq!(texts("（1）"), ["1"]);
        assert_eq!(texts("柜员，差评"), ["柜员", "差评"]);
        assert_eq!(texts("   "), Vec::<String>::new());
    }

    #[test]
    fn input_method_separators_join_pinyin() {
        assert_eq!(texts("qu'hao"), ["quhao"]);
        assert_eq!(texts("q'h'c'w"), ["qhcw"]);
        assert_eq!(texts("ｑｕ＇ｈａｏ"), ["quhao"]);
    }

    #[test]
    fn traditional_characters_are_folded() {
        assert_eq!(texts("取號"), ["取号"]);
        assert_eq!(texts("櫃員"), ["柜员"]);
    }

    #[test]
    fn letters_are_pinyin_and_chinese_has_readings() {
        let q = Query::parse("QHCW 证件 atm2", &All);
        assert_eq!(q.words[0].letters.as_deref(), Some(&b"qhcw"[..]));
        assert_eq!(q.words[1].letters, None);
        assert_eq!(q.words[2].letters, None, "digits are not pinyin");
        assert!(q.words[1].scatters());
        assert!(!q.words[0].scatters());
        assert_eq!(q.words[1].readings[0], ["zheng"]);
        assert!(q.words[1].readings[1].contains(&"jian".to_owned()));
        let q = Query::parse("差平", &All);
        assert!(q.words[0].readings[0].contains(&"cha".to_owned()));
        assert!(q.words[0].readings[0].contains(&"chai".to_owned()));
    }

    #[test]
    fn at_most_max_words() {
        let many = "a ".repeat(40);
        assert_eq!(Query::parse(&many, &All).words.len(), MAX_WORDS);
    }
}
