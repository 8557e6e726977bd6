//! The customer's words and the card's: a second content set
//! (`tests/fixtures/bank/`, scenarios the bundled cards do not cover) with
//! queries written the way customers and managers say them
//! (`tests/fixtures/bank-queries.tsv`), searched over it and the bundled
//! cards with the bundled synonyms (`data/同义词.ron`).

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use huashu::cli::eval;
use huashu::content::{self, fold::fold_query};
use huashu::model::{Card, Library};
use huashu::search::Searcher;

const QUERIES: &str = "tests/fixtures/bank-queries.tsv";

fn library() -> Arc<Library> {
    let loaded = content::load_dirs(&[PathBuf::from("data"), PathBuf::from("tests/fixtures/bank")]);
    assert_eq!(loaded.error_count(), 0, "{:?}", loaded.diagnostics);
    Arc::new(loaded.library)
}

fn cases(library: &Library) -> Vec<eval::Case> {
    let text = std::fs::read_to_string(QUERIES).unwrap();
    eval::parse(&text, Path::new(QUERIES), library).unwrap()
}

/// Every text of a card, folded.
fn card_text(card: &Card) -> String {
    let mut texts = vec![card.title.clone()];
    texts.extend(card.aliases.iter().cloned());
    texts.extend(card.scene.iter().cloned());
    for step in &card.steps {
        texts.push(step.action.clone());
        texts.extend(step.scripts.iter().map(|s| s.default_text(&card.fields)));
    }
    texts.extend(card.view.iter().cloned());
    fold_query(&texts.join("\n"))
}

/// Whether `query` shares a word of two or more characters with `text`,
/// the query cut into words by jieba (a general Chinese segmenter, not
/// huashu's own vocabulary): 取款机 is one word, which ATM吞卡 does not
/// have though it has 取款.
fn shares_a_word(jieba: &jieba_rs::Jieba, query: &str, text: &str) -> bool {
    jieba
        .cut(&fold_query(query), false)
        .into_iter()
        .filter(|t| t.word.chars().count() >= 2)
        .any(|t| text.contains(t.word))
}

#[test]
fn many_queries_share_no_word_with_their_card() {
    let library = library();
    let cases = cases(&library);
    assert!(cases.len() >= 150, "{}", cases.len());
    let jieba = jieba_rs::Jieba::new();
    let apart: Vec<&str> = cases
        .iter()
        .filter(|c| {
            !shares_a_word(
                &jieba,
                &c.query,
                &card_text(library.card(&c.expected).unwrap()),
            )
        })
        .map(|c| c.query.as_str())
        .collect();
    let share = apart.len() * 100 / cases.len();
    println!(
        "{} of {} queries ({share} %) share no word with their card",
        apart.len(),
        cases.len()
    );
    assert!(share >= 40, "{share} %: {apart:?}");
    // The measure itself.
    assert!(shares_a_word(
        &jieba,
        "银行卡被吞",
        "atm吞卡 银行卡被设备吞没"
    ));
    assert!(shares_a_word(&jieba, "VIP客户", "vip窗口"));
    assert!(!shares_a_word(
        &jieba,
        "取款机把卡吃了",
        "atm吞卡 银行卡被设备吞没"
    ));
}

#[test]
fn the_customers_words_find_their_card() {
    let library = library();
    let cases = cases(&library);
    let mut searcher = Searcher::new(library.clone());
    let report = eval::evaluate(&mut searcher, &cases);
    let text = report.render(Path::new(QUERIES), &library);
    println!("{text}");
    assert!(report.top1 * 100 >= report.queries * 90, "{text}");
    assert!(report.top3 * 100 >= report.queries * 97, "{text}");
}
