//! Parsing what the lobby manager typed into terms.

use super::fold::fold;
use super::pinyin::MAX_LETTERS;

/// One whitespace-separated part of the query, folded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub chars: Vec<char>,
    /// The term as pinyin letters, when it is made only of ASCII letters.
    pub letters: Option<Vec<u8>>,
}

impl Term {
    fn new(text: String) -> Self {
        let letters = (text.len() <= MAX_LETTERS && text.bytes().all(|b| b.is_ascii_lowercase()))
            .then(|| text.as_bytes().to_vec());
        Self {
            chars: text.chars().collect(),
            text,
            letters,
        }
    }

    /// Scattered (fuzzy) matching applies to Chinese terms of two or more
    /// characters; letters go through pinyin instead.
    pub fn fuzzy(&self) -> bool {
        self.chars.len() >= 2 && self.letters.is_none()
    }
}

/// A parsed query: terms that must all match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    /// Splits on whitespace (full-width too) and between Chinese and ASCII
    /// letters/digits, so `汇款cuo` is the terms `汇款` and `cuo`.
    pub fn parse(input: &str) -> Self {
        let folded = fold(input);
        let mut terms = Vec::new();
        for word in folded.split_whitespace() {
            let mut current = String::new();
            let mut current_ascii = None;
            for c in word.chars() {
                let ascii = c.is_ascii_alphanumeric();
                let cjk = !c.is_ascii();
                let kind = if ascii {
                    Some(true)
                } else if cjk {
                    Some(false)
                } else {
                    current_ascii // punctuation sticks to what it follows
                };
                if current_ascii.is_some() && kind.is_some() && kind != current_ascii {
                    terms.push(Term::new(std::mem::take(&mut current)));
                }
                current.push(c);
                if kind.is_some() {
                    current_ascii = kind;
                }
            }
            if !current.is_empty() {
                terms.push(Term::new(current));
            }
        }
        Self { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when every card matching `self` also matches `previous`: the
    /// same terms, the last one possibly extended, maybe more terms after.
    pub fn narrows(&self, previous: &Query) -> bool {
        let Some((last, rest)) = previous.terms.split_last() else {
            return true;
        };
        let n = rest.len();
        self.terms.len() > n
            && self.terms[..n] == *rest
            && self.terms[n].text.starts_with(&last.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(q: &str) -> Vec<String> {
        Query::parse(q).terms.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_on_space_and_script_boundaries() {
        assert_eq!(texts("柜员 不熟练"), ["柜员", "不熟练"]);
        assert_eq!(texts("汇款　cuo"), ["汇款", "cuo"]);
        assert_eq!(texts("汇款cuo"), ["汇款", "cuo"]);
        assert_eq!(texts("ＡＴＭ机"), ["atm", "机"]);
        assert_eq!(texts("（1）"), ["(1)"]);
        assert_eq!(texts("   "), Vec::<String>::new());
    }

    #[test]
    fn letters_are_pinyin_candidates() {
        let q = Query::parse("QHCW 证件 atm2");
        assert_eq!(q.terms[0].letters.as_deref(), Some(&b"qhcw"[..]));
        assert_eq!(q.terms[1].letters, None);
        assert_eq!(q.terms[2].letters, None, "digits are not pinyin");
        assert!(q.terms[1].fuzzy());
        assert!(!q.terms[0].fuzzy());
    }

    #[test]
    fn narrowing() {
        let p = |s| Query::parse(s);
        assert!(p("qhc").narrows(&p("qh")));
        assert!(p("汇款 c").narrows(&p("汇款")));
        assert!(p("汇款 cu").narrows(&p("汇款 c")));
        assert!(p("q").narrows(&p("")));
        assert!(!p("qh").narrows(&p("qhc")), "deleting widens");
        assert!(!p("qx").narrows(&p("qh")));
        assert!(!p("").narrows(&p("q")));
    }
}
