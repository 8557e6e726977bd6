//! Usage counts for trainers: per day and card, how often it was opened and
//! each of its scripts copied. Nothing else — no search text, nothing about
//! customers. Kept in the app's data directory (`usage.ron`), written
//! atomically; `huashu usage --csv` exports it.

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

/// All counts: day (`YYYY-MM-DD`) → card → counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub days: BTreeMap<String, BTreeMap<CardId, Counts>>,
}

impl Usage {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Usage) {
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
        self.days.is_empty()
    }

    pub fn record(&mut self, event: &UsageEvent, day: &str) {
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
        }
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

/// A CSV field, quoted when it has a comma, quote or line break.
fn csv_field(s: &str) -> String {
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
}
