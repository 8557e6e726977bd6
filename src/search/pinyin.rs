//! Pinyin for the short fields (title, aliases) and matching typed letters
//! against it.
//!
//! A field becomes a list of syllables, one per Chinese character (its
//! toneless reading, ü written `v`) and one per run of ASCII letters/digits.
//! Typed letters match when they split into chunks that are each a prefix of
//! a syllable, in order: `qhcw`, `quhcw`, `qhcuowu` all match 客户取号错误,
//! `gybsl` matches 柜员业务不熟练 (syllables may be skipped), but `huikuan`
//! does not match 户贷款 (a chunk must start a syllable).

use std::collections::HashMap;
use std::sync::LazyLock;

use pinyin::ToPinyin as _;

use super::weights::{
    PINYIN_ADJACENT, PINYIN_COVERS, PINYIN_FROM_START, PINYIN_SKIPPING, coverage,
};

/// Stands for any one letter in typed letters (typo tolerance).
pub const WILDCARD: u8 = b'?';

/// The phrase dictionary (see `assets/pinyin-phrases.txt`).
pub struct PhraseDict {
    phrases: HashMap<String, Vec<String>>,
    /// Phrases by first character (sorted by it), longest first.
    by_first: Vec<(char, Vec<Phrase>)>,
}

/// A dictionary phrase, its length in characters, one reading per character.
type Phrase = (String, usize, Vec<String>);

const PHRASES: &str = include_str!("../../assets/pinyin-phrases.txt");

static DICT: LazyLock<PhraseDict> = LazyLock::new(|| {
    let (dict, problems) = PhraseDict::parse(PHRASES);
    for p in problems {
        log::warn!("assets/pinyin-phrases.txt: {p}");
    }
    dict
});

impl PhraseDict {
    /// Parses `phrase syllable...` lines; returns the dictionary and a
    /// description of each line that was skipped.
    pub fn parse(text: &str) -> (Self, Vec<String>) {
        let mut phrases = HashMap::new();
        let mut problems = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut words = line.split_whitespace();
            let Some(phrase) = words.next() else { continue };
            let readings: Vec<String> = words.map(str::to_owned).collect();
            let chars = phrase.chars().count();
            if readings.len() != chars
                || !readings
                    .iter()
                    .all(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase()))
            {
                problems.push(format!(
                    "line {}: `{line}` needs one lower-case syllable per character",
                    n + 1
                ));
                continue;
            }
            phrases.insert(phrase.to_owned(), readings);
        }
        let mut grouped: HashMap<char, Vec<Phrase>> = HashMap::new();
        for (phrase, readings) in &phrases {
            if let Some(first) = phrase.chars().next() {
                let len = phrase.chars().count();
                grouped
                    .entry(first)
                    .or_default()
                    .push((phrase.clone(), len, readings.clone()));
            }
        }
        let mut by_first: Vec<(char, Vec<Phrase>)> = grouped.into_iter().collect();
        by_first.sort_by_key(|(c, _)| *c);
        for (_, list) in &mut by_first {
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
        (Self { phrases, by_first }, problems)
    }

    pub fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.phrases.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}

pub fn dictionary() -> &'static PhraseDict {
    &DICT
}

/// The syllables of one short field (kept by the index for every title
/// and alias: boxed slices, no spare room).
#[derive(Clone, Debug, Default)]
pub struct Syllables {
    /// All syllables' letters, concatenated.
    letters: Box<[u8]>,
    /// Start of each syllable in `letters`, plus the end.
    bounds: Box<[u16]>,
    /// Character range (start, length) in the field of each syllable.
    spans: Box<[(u16, u16)]>,
    /// Bit `c - 'a'` set when some syllable starts with letter `c`.
    pub initials: u32,
    /// Bit `c - 'a'` set when any syllable contains letter `c`.
    pub letter_set: u32,
}

/// [`Syllables`] while they are found.
#[derive(Default)]
struct Building {
    letters: Vec<u8>,
    bounds: Vec<u16>,
    spans: Vec<(u16, u16)>,
    initials: u32,
    letter_set: u32,
}

impl Building {
    fn push(&mut self, char_index: usize, char_len: usize, letters: &[u8]) {
        let (Ok(at), Ok(ci), Ok(cl)) = (
            u16::try_from(self.letters.len() + letters.len()),
            u16::try_from(char_index),
            u16::try_from(char_len),
        ) else {
            return; // absurdly long field: ignore the rest
        };
        let at = at - u16::try_from(letters.len()).unwrap_or(0);
        if let Some(&first) = letters.first() {
            self.initials |= bit(first);
        }
        self.letter_set |= letter_mask(letters);
        self.bounds.push(at);
        self.spans.push((ci, cl));
        self.letters.extend_from_slice(letters);
    }
}

fn bit(b: u8) -> u32 {
    if b.is_ascii_lowercase() {
        1 << (b - b'a')
    } else {
        0
    }
}

/// Letter mask of a query, as for [`Syllables::letter_set`].
pub fn letter_mask(q: &[u8]) -> u32 {
    q.iter().fold(0, |m, &b| m | bit(b))
}

impl Syllables {
    /// Syllables of `folded` (already lower-cased), using the phrase dictionary.
    pub fn of(folded: &str) -> Self {
        Self::with_dict(folded, dictionary())
    }

    pub fn with_dict(folded: &str, dict: &PhraseDict) -> Self {
        let mut out = Building::default();
        let mut chars = folded.char_indices().enumerate().peekable();
        while let Some((i, (byte, c))) = chars.next() {
            if c.is_ascii_alphanumeric() {
                let mut end = byte + 1;
                let mut len = 1;
                while let Some(&(_, (b, next))) = chars.peek() {
                    if !next.is_ascii_alphanumeric() {
                        break;
                    }
                    end = b + 1;
                    len += 1;
                    chars.next();
                }
                out.push(i, len, &folded.as_bytes()[byte..end]);
                continue;
            }
            if let Some((len, readings)) = dict_match(dict, c, &folded[byte..]) {
                for (k, r) in readings.iter().enumerate() {
                    out.push(i + k, 1, r.as_bytes());
                }
                for _ in 1..len {
                    chars.next();
                }
                continue;
            }
            if let Some(p) = c.to_pinyin() {
                let plain = p.plain();
                if plain.contains('ü') {
                    out.push(i, 1, plain.replace('ü', "v").as_bytes());
                } else {
                    out.push(i, 1, plain.as_bytes());
                }
            }
        }
        out.bounds
            .push(u16::try_from(out.letters.len()).unwrap_or(u16::MAX));
        Self {
            letters: out.letters.into_boxed_slice(),
            bounds: out.bounds.into_boxed_slice(),
            spans: out.spans.into_boxed_slice(),
            initials: out.initials,
            letter_set: out.letter_set,
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn syllable(&self, s: usize) -> &[u8] {
        &self.letters[usize::from(self.bounds[s])..usize::from(self.bounds[s + 1])]
    }

    /// The syllables as strings, for tests and debugging.
    pub fn to_strings(&self) -> Vec<String> {
        (0..self.len())
            .map(|s| String::from_utf8_lossy(self.syllable(s)).into_owned())
            .collect()
    }

    pub fn heap_bytes(&self) -> usize {
        self.letters.len() + self.bounds.len() * 2 + self.spans.len() * 4
    }

    /// Character range (in the field) of syllable `s`.
    pub fn char_range(&self, s: usize) -> std::ops::Range<usize> {
        let (start, len) = self.spans[s];
        usize::from(start)..usize::from(start) + usize::from(len)
    }
}

/// The longest phrase of the dictionary at the start of `text` (whose first
/// character is `first`): its length in characters and its readings.
fn dict_match<'d>(dict: &'d PhraseDict, first: char, text: &str) -> Option<(usize, &'d [String])> {
    let at = dict
        .by_first
        .binary_search_by_key(&first, |(c, _)| *c)
        .ok()?;
    dict.by_first[at]
        .1
        .iter()
        .find(|(phrase, _, _)| text.starts_with(phrase.as_str()))
        .map(|(_, len, readings)| (*len, readings.as_slice()))
}

/// Where typed letters can have got to in a field, for four ways of
/// matching: syllables skipped or not (`gap`/`cont`), starting at the first
/// syllable or anywhere (`…0`). Each is a set of letter positions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinyinState {
    gap: u64,
    gap0: u64,
    cont: u64,
    cont0: u64,
}

impl PinyinState {
    /// Some way of matching is still open (once closed, no letter opens it).
    pub fn alive(&self) -> bool {
        self.gap != 0
    }
}

/// The pinyin of many short fields as bit masks (one bit per letter of a
/// field's concatenated syllables, at most 64), for a bit-parallel matcher.
/// A field keeps a mask only for the letters it has (a title's syllables
/// use a handful of the 26): `present` says which, `masks` holds them in
/// letter order from `offset`.
#[derive(Debug, Default)]
pub struct PinyinTable {
    /// Per field: bits where a syllable starts.
    start: Vec<u64>,
    /// Per field: number of letters (bits) used.
    len: Vec<u8>,
    /// Per field: where its masks start in `masks`, and which letters have
    /// one (bit `c - 'a'` for letter `c`).
    present: Vec<(u32, u32)>,
    /// The masks of the letters present, field by field.
    masks: Vec<u64>,
}

/// One field's masks for one typed letter.
struct Masks {
    start: u64,
    letter: u64,
    len: u8,
}

impl PinyinTable {
    /// Adds a field; returns its number.
    pub fn push(&mut self, syllables: &Syllables) -> usize {
        let mut start = 0u64;
        let mut letters = [0u64; 26];
        let mut pos = 0u32;
        'outer: for s in 0..syllables.len() {
            for (k, &b) in syllables.syllable(s).iter().enumerate() {
                if pos >= 64 {
                    break 'outer;
                }
                let bit = 1u64 << pos;
                if k == 0 {
                    start |= bit;
                }
                if b.is_ascii_lowercase() {
                    letters[usize::from(b - b'a')] |= bit;
                }
                pos += 1;
            }
        }
        self.start.push(start);
        self.len.push(u8::try_from(pos).unwrap_or(64));
        let offset = u32::try_from(self.masks.len()).unwrap_or(u32::MAX);
        let mut present = 0u32;
        for (c, bits) in letters.into_iter().enumerate() {
            if bits != 0 {
                present |= 1 << c;
                self.masks.push(bits);
            }
        }
        self.present.push((offset, present));
        self.start.len() - 1
    }

    /// Reserves room for `fields` more fields.
    pub fn reserve(&mut self, fields: usize) {
        self.start.reserve(fields);
        self.len.reserve(fields);
        self.present.reserve(fields);
    }

    pub fn len(&self) -> usize {
        self.start.len()
    }

    pub fn is_empty(&self) -> bool {
        self.start.is_empty()
    }

    /// Adds another table's fields after this one's.
    pub fn append(&mut self, other: PinyinTable) {
        let base = u32::try_from(self.masks.len()).unwrap_or(u32::MAX);
        self.start.extend(other.start);
        self.len.extend(other.len);
        self.present.extend(
            other
                .present
                .into_iter()
                .map(|(o, p)| (o.saturating_add(base), p)),
        );
        self.masks.extend(other.masks);
    }

    /// Gives back the room left over from adding fields.
    pub fn shrink_to_fit(&mut self) {
        self.start.shrink_to_fit();
        self.len.shrink_to_fit();
        self.present.shrink_to_fit();
        self.masks.shrink_to_fit();
    }

    pub fn heap_bytes(&self) -> usize {
        self.start.capacity() * 8
            + self.len.capacity()
            + self.present.capacity() * 8
            + self.masks.capacity() * 8
    }

    /// The bits of letter `c` (`a`..`z`) in `field`.
    fn letter_bits(&self, field: usize, c: u8) -> u64 {
        let bit = 1u32 << (c - b'a');
        match self.present.get(field) {
            Some(&(offset, present)) if present & bit != 0 => {
                let before = (present & (bit - 1)).count_ones() as usize;
                self.masks
                    .get(offset as usize + before)
                    .copied()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }

    fn masks(&self, field: usize, c: u8) -> Masks {
        let letter = if c.is_ascii_lowercase() {
            self.letter_bits(field, c)
        } else if c == WILDCARD {
            u64::MAX
        } else {
            0
        };
        Masks {
            start: self.start.get(field).copied().unwrap_or(0),
            letter,
            len: self.len.get(field).copied().unwrap_or(0),
        }
    }

    /// The state after the first typed letter.
    pub fn begin(&self, field: usize, c: u8) -> PinyinState {
        let m = self.masks(field, c);
        let s = m.start & m.letter;
        PinyinState {
            gap: s,
            gap0: s & 1,
            cont: s,
            cont0: s & 1,
        }
    }

    /// The state after one more typed letter.
    pub fn step(&self, field: usize, st: PinyinState, c: u8) -> PinyinState {
        if st.gap == 0 {
            return PinyinState::default(); // nothing can match any more
        }
        let m = self.masks(field, c);
        let valid = if m.len >= 64 {
            u64::MAX
        } else {
            (1u64 << m.len) - 1
        };
        let starts = m.start & m.letter;
        // Go on in the same syllable.
        let same = |s: u64| (s << 1) & !m.start & m.letter;
        // Start a chunk at any later syllable.
        let later = |s: u64| starts & above(s);
        // Start a chunk at the very next syllable: fill each position to the
        // end of its syllable, step over the boundary.
        let open = !m.start & valid;
        let next = |s: u64| {
            let mut f = s;
            loop {
                let g = f | ((f << 1) & open);
                if g == f {
                    break;
                }
                f = g;
            }
            (f << 1) & starts
        };
        let or_zero = |s: u64, f: &dyn Fn(u64) -> u64| if s == 0 { 0 } else { f(s) };
        PinyinState {
            gap: same(st.gap) | later(st.gap),
            gap0: or_zero(st.gap0, &|s| same(s) | later(s)),
            cont: or_zero(st.cont, &|s| same(s) | next(s)),
            cont0: or_zero(st.cont0, &|s| same(s) | next(s)),
        }
    }

    /// The state after typing all of `typed`.
    pub fn run(&self, field: usize, typed: &[u8]) -> PinyinState {
        match typed.split_first() {
            None => PinyinState::default(),
            Some((&first, rest)) => rest
                .iter()
                .fold(self.begin(field, first), |st, &c| self.step(field, st, c)),
        }
    }

    /// How a match of `typed_len` letters ending in `st` went, or `None`:
    /// whether it skipped syllables (scattered), and its quality (see
    /// `weights`: adjacent syllables from the first, adjacent elsewhere or
    /// skipping from the first, skipping; plus coverage of the field).
    pub fn quality(&self, field: usize, st: PinyinState, typed_len: usize) -> Option<(bool, u32)> {
        if st.gap == 0 {
            return None;
        }
        let base = if st.cont0 != 0 {
            PINYIN_FROM_START
        } else if st.cont != 0 || st.gap0 != 0 {
            PINYIN_ADJACENT
        } else {
            PINYIN_SKIPPING
        };
        let len = usize::from(self.len.get(field).copied().unwrap_or(0));
        let scattered = st.cont == 0;
        Some((scattered, base + coverage(PINYIN_COVERS, typed_len, len)))
    }
}

/// Bits strictly above the lowest set bit of `s`.
fn above(s: u64) -> u64 {
    if s == 0 {
        return 0;
    }
    let low = s & s.wrapping_neg();
    !(low | (low - 1))
}

/// How typed letters matched a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinyinMatch {
    /// Indices of the matched syllables, ascending.
    pub syllables: Vec<usize>,
    /// Syllables skipped between the first and last matched one.
    pub gaps: usize,
    /// Chunks that spelled their whole syllable.
    pub full: usize,
}

/// Reusable buffers for [`match_letters`].
#[derive(Default)]
pub struct Scratch {
    best: Vec<i32>,
    choice: Vec<u8>,
}

const NONE: i32 = i32::MIN;
/// Queries longer than this are not tried as pinyin.
pub const MAX_LETTERS: usize = 40;

/// Matches lower-case letters `typed` against `field`; `None` when they
/// cannot be split into in-order syllable prefixes.
pub fn match_letters(
    typed: &[u8],
    field: &Syllables,
    scratch: &mut Scratch,
) -> Option<PinyinMatch> {
    let letters = typed.len();
    let count = field.len();
    if letters == 0 || letters > MAX_LETTERS || count == 0 {
        return None;
    }
    let first_ok = typed[0] == WILDCARD || field.initials & bit(typed[0]) != 0;
    if !first_ok || letter_mask(typed) & !field.letter_set != 0 {
        return None;
    }
    if letters == 1 {
        // The first syllable starting with that letter.
        let first = (0..count).find(|&s| same(field.syllable(s)[0], typed[0]))?;
        return Some(PinyinMatch {
            syllables: vec![first],
            gaps: 0,
            full: usize::from(field.syllable(first).len() == 1),
        });
    }
    if !is_subsequence(typed, &field.letters) {
        return None;
    }
    // best[at * width + from]: best score for typed[at..] using syllables
    // from `from` on; choice: the chunk length taken at syllable `from`
    // (0 = syllable skipped).
    let width = count + 1;
    scratch.best.clear();
    scratch.best.resize((letters + 1) * width, NONE);
    scratch.choice.clear();
    scratch.choice.resize((letters + 1) * width, 0);
    for from in 0..=count {
        scratch.best[letters * width + from] = 0;
    }
    for at in (0..letters).rev() {
        // Skipping a syllable between chunks costs; before the first chunk it
        // is free (the start is scored separately).
        let skip_cost = if at == 0 { 0 } else { 20 };
        for from in (0..count).rev() {
            let mut best = scratch.best[at * width + from + 1];
            if best != NONE {
                best -= skip_cost;
            }
            let mut pick = 0u8;
            let syllable = field.syllable(from);
            let longest = syllable.len().min(letters - at);
            for len in 1..=longest {
                if !same(syllable[len - 1], typed[at + len - 1]) {
                    break;
                }
                let rest = scratch.best[(at + len) * width + from + 1];
                if rest == NONE {
                    continue;
                }
                let chunk = if len == syllable.len() { 15 } else { 10 };
                if chunk + rest >= best {
                    best = chunk + rest;
                    pick = u8::try_from(len).unwrap_or(u8::MAX);
                }
            }
            scratch.best[at * width + from] = best;
            scratch.choice[at * width + from] = pick;
        }
    }
    if scratch.best[0] == NONE {
        return None;
    }
    // Walk the choices back.
    let mut syllables = Vec::new();
    let mut full = 0;
    let (mut at, mut from) = (0, 0);
    while at < letters && from < count {
        let len = usize::from(scratch.choice[at * width + from]);
        if len > 0 {
            if len == field.syllable(from).len() {
                full += 1;
            }
            syllables.push(from);
            at += len;
        }
        from += 1;
    }
    let gaps = match (syllables.first(), syllables.last()) {
        (Some(a), Some(b)) => b - a + 1 - syllables.len(),
        _ => 0,
    };
    Some(PinyinMatch {
        syllables,
        gaps,
        full,
    })
}

/// A field's letter `have` against a typed letter (`WILDCARD` is any).
fn same(have: u8, typed: u8) -> bool {
    have == typed || typed == WILDCARD
}

fn is_subsequence(needle: &[u8], haystack: &[u8]) -> bool {
    let mut rest = haystack.iter();
    needle.iter().all(|&n| rest.any(|&h| same(h, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syl(text: &str) -> Vec<String> {
        Syllables::of(text).to_strings()
    }

    fn matches(q: &str, text: &str) -> Option<Vec<usize>> {
        let mut scratch = Scratch::default();
        match_letters(q.as_bytes(), &Syllables::of(text), &mut scratch).map(|m| m.syllables)
    }

    #[test]
    fn syllables_of_mixed_text() {
        assert_eq!(syl("客户取号错误"), ["ke", "hu", "qu", "hao", "cuo", "wu"]);
        assert_eq!(syl("vip窗口"), ["vip", "chuang", "kou"]);
        assert_eq!(syl("汇率"), ["hui", "lv"], "ü is typed v");
        assert_eq!(syl("女士,"), ["nv", "shi"], "punctuation has no syllable");
    }

    #[test]
    fn initials_full_mixed_and_gaps() {
        let t = "客户取号错误";
        assert_eq!(matches("qhcw", t), Some(vec![2, 3, 4, 5]));
        assert_eq!(matches("cuowu", t), Some(vec![4, 5]));
        assert_eq!(matches("quhcw", t), Some(vec![2, 3, 4, 5]));
        assert_eq!(matches("qhcuowu", t), Some(vec![2, 3, 4, 5]));
        assert_eq!(matches("khqhcw", t), Some(vec![0, 1, 2, 3, 4, 5]));
        assert_eq!(
            matches("gybsl", "柜员业务不熟练"),
            Some(vec![0, 1, 4, 5, 6])
        );
        assert_eq!(
            matches("zjhs", "客户不配合证件核实"),
            Some(vec![5, 6, 7, 8])
        );
    }

    #[test]
    fn letters_must_start_syllables() {
        assert_eq!(matches("huikuan", "户贷款"), None);
        assert_eq!(matches("huikuan", "汇款"), Some(vec![0, 1]));
        assert_eq!(matches("uo", "错误"), None);
        assert_eq!(matches("qhcwx", "客户取号错误"), None);
        assert_eq!(matches("wc", "客户取号错误"), None, "order matters");
    }

    #[test]
    fn prefers_contiguous_and_full_syllables() {
        let mut scratch = Scratch::default();
        // "hk" could be 户(hu)…款 or 汇款 directly.
        let field = Syllables::of("户主还款");
        let m = match_letters(b"hk", &field, &mut scratch).unwrap();
        assert_eq!(m.syllables, vec![2, 3], "contiguous 还款 beats 户…款");
        assert_eq!(m.gaps, 0);
        let m = match_letters(b"cuowu", &Syllables::of("错误"), &mut scratch).unwrap();
        assert_eq!(m.full, 2);
    }

    /// The bit-parallel matcher agrees with the dynamic programme on which
    /// fields match, and tells adjacent from skipping matches.
    #[test]
    fn bits_agree_with_the_dp() {
        let fields = [
            "客户取号错误",
            "柜员业务不熟练",
            "客户不配合证件核实",
            "户贷款",
            "vip窗口",
            "户主还款",
            "汇率",
        ];
        let queries = [
            "qhcw", "cuowu", "quhcw", "qhcuowu", "gybsl", "zjhs", "huikuan", "hk", "vipck", "lv",
            "k", "kh", "uo", "wc", "hdk", "hdaik",
        ];
        let mut scratch = Scratch::default();
        for f in fields {
            let syl = Syllables::of(f);
            let mut table = PinyinTable::default();
            let field = table.push(&syl);
            for q in queries {
                let dp = match_letters(q.as_bytes(), &syl, &mut scratch);
                let st = table.run(field, q.as_bytes());
                assert_eq!(dp.is_some(), st.gap != 0, "{q} in {f}");
                if let Some(m) = dp {
                    assert_eq!(m.gaps == 0, st.cont != 0, "{q} in {f}: adjacent?");
                }
            }
        }
        let mut t = PinyinTable::default();
        t.push(&Syllables::of("汇率"));
        let f = t.push(&Syllables::of("客户取号错误"));
        let q = |typed: &[u8]| t.quality(f, t.run(f, typed), typed.len());
        // ke hu qu hao cuo wu: 14 letters.
        assert_eq!(q(b"khq"), Some((false, 1200 + 200 * 3 / 14)));
        assert_eq!(q(b"qhcw"), Some((false, 900 + 200 * 4 / 14)));
        assert_eq!(q(b"kqh"), Some((true, 900 + 200 * 3 / 14)));
        assert_eq!(q(b"huw"), Some((true, 600 + 200 * 3 / 14)));
        assert_eq!(q(b"wq"), None);
        // A wildcard stands for one letter.
        assert_eq!(q(b"q?cw").map(|x| x.0), Some(false));
    }

    #[test]
    fn v_for_u_umlaut() {
        assert_eq!(matches("lv", "利率"), Some(vec![1]));
        assert_eq!(matches("nvs", "女士"), Some(vec![0, 1]));
    }

    #[test]
    fn ascii_runs_are_one_syllable() {
        assert_eq!(
            matches("vipck", "VIP窗口".to_lowercase().as_str()),
            Some(vec![0, 1, 2])
        );
        let s = Syllables::of("vip窗口");
        assert_eq!(s.char_range(0), 0..3);
        assert_eq!(s.char_range(1), 3..4);
    }

    /// The examples of wrong default readings.
    #[test]
    fn polyphones_in_banking_words() {
        assert_eq!(syl("银行"), ["yin", "hang"]);
        assert_eq!(syl("行长"), ["hang", "zhang"]);
        assert_eq!(syl("重置密码"), ["chong", "zhi", "mi", "ma"]);
        assert_eq!(syl("提前还款"), ["ti", "qian", "huan", "kuan"]);
        assert_eq!(syl("出差"), ["chu", "chai"]);
        assert_eq!(syl("调整额度"), ["tiao", "zheng", "e", "du"]);
        assert_eq!(matches("yh", "银行卡"), Some(vec![0, 1]));
        assert_eq!(matches("hk", "还款"), Some(vec![0, 1]));
    }

    /// Every dictionary entry is read as written, and is needed (the crate's
    /// own reading differs).
    #[test]
    fn every_dictionary_entry() {
        let (dict, problems) = PhraseDict::parse(PHRASES);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(dict.entries().count() >= 20);
        let empty = PhraseDict::parse("").0;
        for (phrase, readings) in dict.entries() {
            assert_eq!(&syl(phrase), readings, "{phrase}");
            let plain = Syllables::with_dict(phrase, &empty).to_strings();
            assert_ne!(
                &plain, readings,
                "{phrase}: the crate already reads it right"
            );
        }
    }

    #[test]
    fn malformed_dictionary_lines_are_reported() {
        let (dict, problems) = PhraseDict::parse("银行 yin\n好 Hao\n还款 huan kuan # ok\n");
        assert_eq!(dict.entries().count(), 1);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
