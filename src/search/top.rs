//! Stage 4: the best `limit` cards, best first; ties keep chapter order.

use super::rules::{Matched, key};

/// `(card, tally, key)` of the best `limit` tallies, best first.
pub fn top(tallies: Vec<(u32, Matched)>, limit: usize) -> Vec<(u32, Matched, u64)> {
    let mut keyed: Vec<(u32, Matched, u64)> = tallies
        .into_iter()
        .map(|(card, t)| (card, t, key(&t)))
        .collect();
    let order =
        |a: &(u32, Matched, u64), b: &(u32, Matched, u64)| b.2.cmp(&a.2).then(a.0.cmp(&b.0));
    if limit == 0 {
        keyed.clear();
    } else if keyed.len() > limit {
        keyed.select_nth_unstable_by(limit - 1, order);
        keyed.truncate(limit);
    }
    keyed.sort_unstable_by(order);
    keyed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(words: u8, exactness: u32) -> Matched {
        Matched {
            words,
            exactness,
            ..Matched::default()
        }
    }

    #[test]
    fn best_first_ties_in_card_order_and_limited() {
        let tallies = vec![(0, t(1, 5)), (1, t(2, 1)), (2, t(1, 5)), (3, t(1, 9))];
        let cards = |limit| {
            top(tallies.clone(), limit)
                .iter()
                .map(|x| x.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(cards(10), [1, 3, 0, 2]);
        assert_eq!(cards(2), [1, 3]);
        assert!(cards(0).is_empty());
    }
}
