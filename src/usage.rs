//! What trainers learn from the counters. [`Usage`] (`usage.ron`): per day
//! and card, how often it was opened and each of its scripts copied, and
//! the cards flagged as wrong or outdated with the reason typed — no search
//! text, nothing about customers. [`Searches`] (`searches.ron`, only with
//! `log_searches: true`): the queries typed, digit runs masked, each with
//! the card opened after it or none. Both in the app's data directory,
//! added to under a lock and written atomically (`persist::usage_file`);
//! `huashu usage` reports them.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::model::CardId;

/// What happened, as the app reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsageEvent {
    Opened(CardId),
    /// Script `n` (0-based, reading order) of a card was copied.
    Copied(CardId, usize),
    /// The card was flagged as wrong or outdated, with a reason (may be
    /// empty).
    Flagged(CardId, String),
}

/// Counts that several processes add up in one file.
pub trait Tally: Default + Serialize + serde::de::DeserializeOwned {
    /// Adds `other`'s counts to these.
    fn add(&mut self, other: &Self);
    fn is_empty(&self) -> bool;
}

/// A card flagged at a counter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub card: CardId,
    /// What the manager typed (one line; may be empty).
    #[serde(default)]
    pub reason: String,
}

/// One card's counts on one day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    #[serde(default)]
    pub opened: u32,
    /// Copies per script number (0-based).
    #[serde(default)]
    pub copied: BTreeMap<usize, u32>,
}

impl Counts {
    pub fn copied_total(&self) -> u32 {
        self.copied.values().sum()
    }
}

/// All counts: day (`YYYY-MM-DD`) → card → counts; day → flags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub days: BTreeMap<String, BTreeMap<CardId, Counts>>,
    #[serde(default)]
    pub flags: BTreeMap<String, Vec<Flag>>,
}

impl Tally for Usage {
    fn add(&mut self, other: &Self) {
        Usage::add(self, other);
    }

    fn is_empty(&self) -> bool {
        Usage::is_empty(self)
    }
}

impl Usage {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Usage) {
        for (day, flags) in &other.flags {
            self.flags
                .entry(day.clone())
                .or_default()
                .extend(flags.iter().cloned());
        }
        for (day, cards) in &other.days {
            let mine = self.days.entry(day.clone()).or_default();
            for (card, counts) in cards {
                let c = mine.entry(card.clone()).or_default();
                c.opened = c.opened.saturating_add(counts.opened);
                for (n, copies) in &counts.copied {
                    let k = c.copied.entry(*n).or_default();
                    *k = k.saturating_add(*copies);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty() && self.flags.is_empty()
    }

    pub fn record(&mut self, event: &UsageEvent, day: &str) {
        if let UsageEvent::Flagged(card, reason) = event {
            self.flags.entry(day.to_owned()).or_default().push(Flag {
                card: card.clone(),
                reason: one_line(reason),
            });
            return;
        }
        let cards = self.days.entry(day.to_owned()).or_default();
        match event {
            UsageEvent::Opened(id) => {
                let c = cards.entry(id.clone()).or_default();
                c.opened = c.opened.saturating_add(1);
            }
            UsageEvent::Copied(id, n) => {
                let c = cards
                    .entry(id.clone())
                    .or_default()
                    .copied
                    .entry(*n)
                    .or_default();
                *c = c.saturating_add(1);
            }
            UsageEvent::Flagged(..) => {}
        }
    }

    /// `day,card_id,title,reason`, one row per flag from `since` on.
    pub fn flags_csv<'a>(
        &self,
        since: Option<&str>,
        title: impl Fn(&CardId) -> Option<&'a str>,
    ) -> String {
        let mut out = String::from("day,card_id,title,reason\n");
        for (day, flag) in self.flag_rows(since) {
            let _ = writeln!(
                out,
                "{day},{},{},{}",
                csv_field(flag.card.as_str()),
                csv_field(title(&flag.card).unwrap_or("")),
                csv_field(&flag.reason)
            );
        }
        out
    }

    /// `(day, flag)` from `since` on, oldest first.
    pub fn flag_rows<'s>(
        &'s self,
        since: Option<&'s str>,
    ) -> impl Iterator<Item = (&'s str, &'s Flag)> {
        self.flags
            .iter()
            .filter(move |(day, _)| since.is_none_or(|s| day.as_str() >= s))
            .flat_map(|(day, flags)| flags.iter().map(move |f| (day.as_str(), f)))
    }

    /// `card_id,title,opened,copied,day`, one row per card and day from
    /// `since` on, by day then id. `title` gives the current title (empty
    /// for a card that no longer exists).
    pub fn csv<'a>(
        &self,
        since: Option<&str>,
        title: impl Fn(&CardId) -> Option<&'a str>,
    ) -> String {
        let mut out = String::from("card_id,title,opened,copied,day\n");
        for (day, id, counts) in self.rows(since) {
            let _ = writeln!(
                out,
                "{},{},{},{},{day}",
                csv_field(id.as_str()),
                csv_field(title(id).unwrap_or("")),
                counts.opened,
                counts.copied_total()
            );
        }
        out
    }

    /// `(day, card, counts)` from `since` on, by day then card.
    pub fn rows<'s>(
        &'s self,
        since: Option<&'s str>,
    ) -> impl Iterator<Item = (&'s str, &'s CardId, &'s Counts)> {
        self.days
            .iter()
            .filter(move |(day, _)| since.is_none_or(|s| day.as_str() >= s))
            .flat_map(|(day, cards)| cards.iter().map(move |(id, c)| (day.as_str(), id, c)))
    }
}

/// Queries typed at the counter: day → each masked query with the card
/// opened after it (`None`: none was) and how often.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Searches {
    #[serde(default)]
    pub days: BTreeMap<String, Vec<Searched>>,
}

/// One query and what came of it, on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Searched {
    pub query: String,
    pub card: Option<CardId>,
    pub count: u32,
}

impl Tally for Searches {
    fn add(&mut self, other: &Self) {
        for (day, entries) in &other.days {
            for e in entries {
                self.count(day, &e.query, e.card.as_ref(), e.count);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.days.is_empty()
    }
}

impl Searches {
    fn count(&mut self, day: &str, query: &str, card: Option<&CardId>, n: u32) {
        let entries = self.days.entry(day.to_owned()).or_default();
        match entries
            .iter_mut()
            .find(|e| e.query == query && e.card.as_ref() == card)
        {
            Some(e) => e.count = e.count.saturating_add(n),
            None => entries.push(Searched {
                query: query.to_owned(),
                card: card.cloned(),
                count: n,
            }),
        }
    }

    /// From `since` on: each (query, card) with its total count, most
    /// frequent first (then by query).
    pub fn totals(&self, since: Option<&str>) -> Vec<Searched> {
        let mut all = Searches::default();
        for (day, entries) in &self.days {
            if since.is_none_or(|s| day.as_str() >= s) {
                for e in entries {
                    all.count("", &e.query, e.card.as_ref(), e.count);
                }
            }
        }
        let mut totals = all.days.remove("").unwrap_or_default();
        totals.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.query.cmp(&b.query)));
        totals
    }
}

/// Today as the usage files (and printed handouts) name days: `YYYY-MM-DD`.
pub fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// How long a pause ends a search: the next query is another situation.
pub const SEARCH_PAUSE_SECONDS: f64 = 60.0;

/// The queries of one search, from the first key to the card opened (or
/// none): a query rephrased several times is linked to the card finally
/// found — the alias it would have needed. The queries are held as typed
/// only in memory, so that one typed in pauses (a card number in groups of
/// four, a number then a word) is one query; digits are masked before
/// anything leaves the session.
#[derive(Clone, Debug, Default)]
pub struct SearchSession {
    queries: Vec<String>,
    last: f64,
}

impl SearchSession {
    /// The query is now `query` (at `now` seconds): typing on extends the
    /// current one; something else is a rephrasing. After a long pause the
    /// earlier queries ended without a card (into `into`).
    pub fn queried(&mut self, query: &str, now: f64, day: &str, into: &mut Searches) {
        if now - self.last > SEARCH_PAUSE_SECONDS {
            self.end(day, into);
        }
        self.last = now;
        let query = query.trim();
        if query.is_empty() {
            return;
        }
        // Typing on (or taking back): the same query, as it is now. Said
        // of the text as typed: masked, `62220` and `6222021234567890挂失`
        // would look like two queries.
        match self.queries.last_mut() {
            Some(last) if query.starts_with(last.as_str()) || last.starts_with(query) => {
                query.clone_into(last);
            }
            _ => self.queries.push(query.to_owned()),
        }
    }

    /// A card was opened (or a script of it copied): every query of this
    /// search led to it.
    pub fn found(&mut self, card: &CardId, day: &str, into: &mut Searches) {
        for q in self.queries.drain(..) {
            into.count(day, &mask_digits(&q), Some(card), 1);
        }
    }

    /// The search ended (the window was called again, or closed) without a
    /// card.
    pub fn end(&mut self, day: &str, into: &mut Searches) {
        for q in self.queries.drain(..) {
            into.count(day, &mask_digits(&q), None, 1);
        }
    }
}

/// `query` with every run of digits (ASCII or full-width) replaced by one
/// `#`, and an ID card number's closing X with it — before anything is
/// kept: a number typed in groups is as much a customer's as one typed at
/// once, and a short run may be the start of one.
pub fn mask_digits(query: &str) -> String {
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let mut out = String::with_capacity(query.len());
    let mut in_run = false;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        if is_digit(c) {
            if !in_run {
                out.push('#');
            }
            in_run = true;
            continue;
        }
        // `11010119900307123X`: the X ends the number, unless a word goes on.
        let x = matches!(c, 'x' | 'X' | 'ｘ' | 'Ｘ');
        let word_goes_on = chars.peek().is_some_and(char::is_ascii_alphabetic);
        if in_run && x && !word_goes_on {
            continue;
        }
        in_run = false;
        out.push(c);
    }
    out
}

/// `text` on one line: line breaks and tabs become spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A CSV field, quoted when it has a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CardId {
        CardId::parse(s).unwrap()
    }

    #[test]
    fn counts_per_day_card_and_script() {
        let mut u = Usage::default();
        u.record(&UsageEvent::Opened(id("a")), "2026-11-28");
        u.record(&UsageEvent::Opened(id("a")), "2026-11-28");
        u.record(&UsageEvent::Copied(id("a"), 1), "2026-11-28");
        u.record(&UsageEvent::Copied(id("a"), 0), "2026-11-29");
        u.record(&UsageEvent::Copied(id("b"), 0), "2026-11-29");
        let day = &u.days["2026-11-28"][&id("a")];
        assert_eq!((day.opened, day.copied_total()), (2, 1));
        let title = |c: &CardId| (c.as_str() == "a").then_some("取号, \"错误\"");
        assert_eq!(
            u.csv(Some("2026-11-29"), title),
            "card_id,title,opened,copied,day\na,\"取号, \"\"错误\"\"\",0,1,2026-11-29\nb,,0,1,2026-11-29\n"
        );
    }

    #[test]
    fn counts_add_up() {
        let mut a = Usage::default();
        a.record(&UsageEvent::Copied(id("a"), 1), "2026-11-29");
        let mut b = Usage::default();
        b.record(&UsageEvent::Copied(id("a"), 1), "2026-11-29");
        b.record(&UsageEvent::Opened(id("b")), "2026-11-30");
        a.add(&b);
        assert_eq!(a.days["2026-11-29"][&id("a")].copied[&1], 2);
        assert_eq!(a.days["2026-11-30"][&id("b")].opened, 1);
    }

    #[test]
    fn every_digit_is_masked() {
        assert_eq!(mask_digits("卡号6222021234567890丢了"), "卡号#丢了");
        assert_eq!(mask_digits("电话 13800138000"), "电话 #");
        assert_eq!(mask_digits("身份证１１０１０１１９９０"), "身份证#");
        assert_eq!(mask_digits("取号12345"), "取号#");
        assert_eq!(mask_digits("第3号 窗口 123456"), "第#号 窗口 #");
        assert_eq!(mask_digits("6222 0212 3456 7890"), "# # # #");
        assert_eq!(mask_digits("11010119900307123X挂失"), "#挂失");
        assert_eq!(mask_digits("身份证 11010119900307123x"), "身份证 #");
        assert_eq!(mask_digits("3xl"), "#xl");
    }

    /// Numbers typed as people type them — in groups, with pauses, then a
    /// word — are kept as one masked query; no fragment of the number is.
    #[test]
    fn a_number_typed_in_pauses_keeps_no_fragment() {
        let typed = [
            // A card number at ~8 keys a second, then 挂失 in pinyin.
            vec![
                "62220",
                "6222021234",
                "6222021234567890",
                "6222021234567890guashi",
            ],
            // In groups of four, as printed on the card.
            vec![
                "6222",
                "6222 0212",
                "6222 0212 3456",
                "6222 0212 3456 7890 挂失",
            ],
            // An 18-character ID number ending in X.
            vec![
                "110101",
                "11010119900307",
                "11010119900307123X",
                "11010119900307123X 代办",
            ],
            // A phone number with a pause after the area code.
            vec!["138", "1380013", "13800138000 骚扰电话"],
        ];
        for queries in typed {
            let mut s = Searches::default();
            let mut session = SearchSession::default();
            for (n, q) in queries.iter().enumerate() {
                session.queried(q, f64::from(u8::try_from(n).unwrap()) * 2.0, "d", &mut s);
            }
            session.end("d", &mut s);
            let kept: Vec<String> = s.totals(None).into_iter().map(|e| e.query).collect();
            assert_eq!(kept.len(), 1, "{kept:?}");
            assert!(!kept[0].chars().any(|c| c.is_ascii_digit()), "{kept:?}");
        }
    }

    #[test]
    fn a_search_links_its_rephrasings_to_the_card_found() {
        let mut s = Searches::default();
        let mut session = SearchSession::default();
        for (q, t) in [("p", 1.0), ("pai", 1.5), ("排错对", 3.0), ("取号", 5.0)] {
            session.queried(q, t, "d", &mut s);
        }
        session.found(&id("wrong-queue-ticket"), "d", &mut s);
        let totals = s.totals(None);
        let queries: Vec<(&str, Option<&str>)> = totals
            .iter()
            .map(|e| (e.query.as_str(), e.card.as_ref().map(CardId::as_str)))
            .collect();
        assert_eq!(
            queries,
            [
                ("pai", Some("wrong-queue-ticket")),
                ("取号", Some("wrong-queue-ticket")),
                ("排错对", Some("wrong-queue-ticket"))
            ]
        );
        // A long pause: the next query is another search; the earlier one
        // ended without a card.
        session.queried("假币", 10.0, "d", &mut s);
        session.queried("挂失", 200.0, "d", &mut s);
        session.end("d", &mut s);
        let misses: Vec<String> = s
            .totals(None)
            .into_iter()
            .filter(|e| e.card.is_none())
            .map(|e| e.query)
            .collect();
        assert_eq!(misses, ["假币", "挂失"]);
    }

    #[test]
    fn flags_keep_one_line_reasons_and_add_up() {
        let mut a = Usage::default();
        a.record(
            &UsageEvent::Flagged(id("a"), "利率\n已经变了".into()),
            "2026-11-30",
        );
        let mut b = Usage::default();
        b.record(&UsageEvent::Flagged(id("a"), String::new()), "2026-11-30");
        a.add(&b);
        assert_eq!(
            a.flags_csv(None, |_| Some("标题")),
            "day,card_id,title,reason\n2026-11-30,a,标题,利率 已经变了\n2026-11-30,a,标题,\n"
        );
    }
}
