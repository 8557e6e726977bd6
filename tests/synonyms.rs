//! The customer's words and the card's: a second content set
//! (`tests/fixtures/bank/`, scenarios the bundled cards do not cover) with
//! queries written the way customers and managers say them
//! (`tests/fixtures/bank-queries.tsv`), searched over it and the bundled
//! cards with the bundled synonyms (`data/同义词.ron`).

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::fmt::Write as _;
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

/// Cards `(id, title, scene)` in one chapter, with a synonyms file.
fn searcher_over(cards: &[(&str, &str, &str)], synonyms: &str) -> Searcher {
    let mut chapter = String::from("Chapter(sections: [Section(cards: [\n");
    for (id, title, scene) in cards {
        let _ = writeln!(
            chapter,
            "Card(id: \"{id}\", title: \"{title}\", scene: [\"{scene}\"], steps: [Step(action: \"处理。\")]),"
        );
    }
    chapter.push_str("])])\n");
    let mut diagnostics = Vec::new();
    let library = content::build(
        &[
            ("a.ron".into(), chapter.into_bytes()),
            ("synonyms.ron".into(), synonyms.as_bytes().to_vec()),
        ],
        &mut diagnostics,
    );
    assert!(
        diagnostics.iter().all(|d| !d.is_error()),
        "{diagnostics:#?}"
    );
    Searcher::new(Arc::new(library))
}

fn ids(searcher: &mut Searcher, query: &str) -> Vec<String> {
    let results = searcher.search(query, 10);
    results
        .hits
        .iter()
        .map(|h| searcher.library().cards[h.card].id.as_str().to_owned())
        .collect()
}

const DEVICES: &[(&str, &str, &str)] = &[
    ("atm", "ATM吞卡", "设备超时，卡被吞没。"),
    ("deposit", "存款机少计金额", "存入的现金少记了。"),
    ("teller", "柜员办错业务", "柜员操作失误。"),
];

#[test]
fn a_two_way_group_finds_the_cards_of_every_word() {
    let groups = "Synonyms(groups: [[\"ATM\", \"取款机\"], [\"吞卡\", \"吃卡\"]])";
    let mut s = searcher_over(DEVICES, groups);
    assert_eq!(ids(&mut s, "取款机"), ["atm"]);
    assert_eq!(ids(&mut s, "吃卡")[0], "atm");
    // 取款机 stays one word: 机 alone does not find the deposit machine.
    assert_eq!(ids(&mut s, "取款机把卡吃了")[0], "atm");
    assert_eq!(s.search("取款机", 1).words, ["取款机"]);
    // Without the group, 取款机 is an unknown word: the deposit machine
    // (机) comes first.
    let mut bare = searcher_over(DEVICES, "Synonyms(groups: [])");
    assert_eq!(ids(&mut bare, "取款机")[0], "deposit");
}

#[test]
fn a_one_way_expansion_finds_its_targets_not_the_reverse() {
    let cards = &[
        ("deaf", "听障客户沟通困难", "客户用手比划。"),
        ("other", "客户要求插队", "排队的人多。"),
    ];
    let mut s = searcher_over(cards, "Synonyms(one_way: [(\"聋哑\", [\"听障\"])])");
    assert_eq!(ids(&mut s, "聋哑"), ["deaf"]);
    // 听障 finds 听障, but the card that says 聋哑 is not found by 听障.
    let cards = &[("mute", "聋哑客户", "客户不会说话。")];
    let mut s = searcher_over(cards, "Synonyms(one_way: [(\"聋哑\", [\"听障\"])])");
    assert!(ids(&mut s, "听障").is_empty());
}

#[test]
fn a_withdrawn_group_expands_no_more() {
    let chapter = "Chapter(sections: [Section(cards: [Card(id: \"atm\", title: \"ATM吞卡\", steps: [Step(action: \"处理。\")])])])";
    let files = [
        ("central/a.ron", chapter, 0),
        (
            "central/s.ron",
            "Synonyms(groups: [[\"ATM\", \"取款机\"]])",
            0,
        ),
        ("branch/s.ron", "Synonyms(withdraw: [\"取款机\"])", 1),
    ];
    let mut diagnostics = Vec::new();
    let library = content::build_layers(
        files
            .iter()
            .map(|(p, t, l)| (Path::new(*p), t.as_bytes(), *l)),
        &mut diagnostics,
    );
    assert!(library.synonyms.is_empty(), "{:?}", library.synonyms);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let mut s = Searcher::new(Arc::new(library));
    assert!(ids(&mut s, "取款机").is_empty());
}

#[test]
fn the_word_itself_ranks_above_its_synonym_in_the_same_field() {
    let cards = &[
        ("syn", "客户醉酒", "一位客户。"),
        ("own", "客户喝醉", "一位客户。"),
    ];
    let mut s = searcher_over(cards, "Synonyms(groups: [[\"醉酒\", \"喝醉\"]])");
    assert_eq!(ids(&mut s, "喝醉"), ["own", "syn"]);
    assert_eq!(ids(&mut s, "醉酒"), ["syn", "own"]);
}

#[test]
fn a_synonym_never_outranks_a_match_of_more_words() {
    // 客户 喝醉 闹事: `both` has two of the words itself; `syn` has one
    // word and a synonym of another — it never comes first.
    let cards = &[
        ("syn", "醉汉闹事", "在大厅喧哗。"),
        ("both", "客户喝醉闹事", "在大厅喧哗。"),
        ("one", "客户排队", "人多。"),
    ];
    let mut s = searcher_over(cards, "Synonyms(groups: [[\"喝醉\", \"醉汉\"]])");
    let order = ids(&mut s, "客户喝醉闹事");
    assert_eq!(order[0], "both");
    // A synonym match counts as a word: above a card with fewer words.
    let order = ids(&mut s, "醉汉 排队");
    assert_eq!(order.len(), 3);
    let results = s.search("喝醉", 5);
    assert!(results.hits.iter().all(|h| !h.partial));
}

#[test]
fn a_lone_character_of_an_unknown_word_never_outranks_a_word() {
    let cards = &[
        ("machine", "存款机少计金额", "机器少算。"),
        ("hall", "大堂秩序", "客户在等候区。"),
    ];
    let mut s = searcher_over(cards, "Synonyms(groups: [])");
    // 大厅 is unknown: 大 matches the hall card's title alone; 等候 is a
    // word of the other card… here, of the same one.
    let results = s.search("机 等候区", 5);
    let first = &s.library().cards[results.hits[0].card].id;
    assert_eq!(first.as_str(), "hall", "a word beats a lone character");
}

#[test]
fn highlights_show_the_synonym_that_matched() {
    let mut s = searcher_over(DEVICES, "Synonyms(groups: [[\"ATM\", \"取款机\"]])");
    let results = s.search("取款机", 5);
    let hit = &results.hits[0];
    let title = &s.library().cards[hit.card].title;
    let ranges = hit.ranges_in(huashu::search::Field::Title);
    assert_eq!(ranges.len(), 1);
    assert_eq!(&title[ranges[0].clone()], "ATM");
    assert_eq!(results.synonyms, [vec!["ATM".to_owned()]]);
}

#[test]
fn customers_words_segment_into_words() {
    let library = library();
    let s = Searcher::new(library);
    let words = |q: &str| -> Vec<String> { s.parse(q).words.into_iter().map(|w| w.text).collect() };
    assert_eq!(words("客户不满意"), ["客户", "不满意"]);
    assert_eq!(words("取款机把卡吃了"), ["取款机", "卡", "吃"]);
    assert_eq!(words("VIP客户不想排队"), ["vip", "客户", "排队"]);
}

proptest::proptest! {
    /// Adding any group of words never takes a card out of the results of
    /// a query that matches it by its own words, nor lowers its score.
    #[test]
    fn adding_a_group_never_removes_or_lowers_a_match(
        query in proptest::sample::select(vec!["取款机", "吞卡", "客户", "排队", "醉酒", "柜员 差评", "冻结", "假币"]),
        group in proptest::collection::vec(proptest::sample::select(vec!["ATM", "取款机", "吞卡", "吃卡", "客户", "排队", "醉酒", "喝醉", "冻结", "封了", "假币", "假钞", "柜员", "差评"]), 2..5),
    ) {
        let cards = &[
            ("a", "ATM吞卡", "客户在排队。"),
            ("b", "客户醉酒闹事", "喝醉了。"),
            ("c", "银行卡被冻结", "柜员说卡被封了。"),
            ("d", "收缴假币", "客户给柜员差评。"),
        ];
        let mut before = searcher_over(cards, "Synonyms(groups: [])");
        let words: Vec<String> = group.iter().map(|w| format!("\"{w}\"")).collect();
        let mut after = searcher_over(cards, &format!("Synonyms(groups: [[{}]])", words.join(", ")));
        let old = before.search(query, 10);
        let new = after.search(query, 10);
        for hit in &old.hits {
            let again = new.hits.iter().find(|h| h.card == hit.card);
            proptest::prop_assert!(again.is_some(), "{query}: card {} lost with {group:?}", hit.card);
            proptest::prop_assert!(again.unwrap().score >= hit.score, "{query}: card {} lowered with {group:?}", hit.card);
        }
    }
}

/// Every mistake in a synonyms file, told by `huashu check` at its line
/// and column with the fix.
#[test]
fn check_tells_each_synonym_mistake_where_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["00-earlier-chapter.ron", "04-business-area.ron"] {
        std::fs::copy(Path::new("data").join(name), dir.join(name)).unwrap();
    }
    std::fs::write(
        dir.join("本行同义词.ron"),
        "Synonyms(\n    groups: [\n        [\"取号\", \"拿号\"],\n        [\"号码\", \"拿号\"],\n        [],\n        [\"插队\"],\n        [\"客户\", \"顾客\"],\n        [\"鳄鱼\", \"恐龙\"],\n    ],\n    one_way: [\n        (\"排错号\", []),\n    ],\n)\n",
    )
    .unwrap();
    std::fs::write(dir.join("写错.ron"), "Synonyms(\n    grups: [],\n)\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("huashu")
        .unwrap()
        .env("NO_COLOR", "1")
        .current_dir(tmp.path())
        .arg("check")
        .output()
        .unwrap();
    // Windows paths (`data\写错.ron`) as the snapshot writes them.
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace("data\\", "data/");
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("同义词.ron") || l.contains("写错.ron"))
        .collect();
    insta::assert_snapshot!(ours.join("\n"));
    assert_eq!(out.status.code(), Some(1), "the unknown field is an error");
}
