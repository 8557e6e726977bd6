//! Usage counts: the window counts openings and copies (only when counting
//! is on), and `huashu usage --csv` exports them (golden file).

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use huashu::app::{AppState, Event, Settings};
use huashu::content;
use huashu::model::CardId;
use huashu::ui::HuashuApp;
use huashu::usage::Usage;
use predicates::prelude::*;

/// A config that reads the built-in cards and keeps its state in `state`.
fn config(dir: &Path, state: &Path, count: bool) -> PathBuf {
    let path = dir.join("config.ron");
    std::fs::write(
        &path,
        format!(
            "Config(sources: [Builtin], state_dir: r\"{}\", count_usage: {count})",
            state.display()
        ),
    )
    .unwrap();
    path
}

/// What `huashu usage REPORT` prints with a config keeping its state in
/// `state`.
fn usage_report(dir: &Path, state: &Path, report: &str) -> String {
    let cfg = config(dir, state, true);
    let out = huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", report])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// The window with `qhcw` typed and its card opened (Enter).
fn queue_card_opened(app: HuashuApp) -> Harness<'static, HuashuApp> {
    let mut harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness.run();
    harness
        .get_by_role(egui::accesskit::Role::TextInput)
        .type_text("qhcw");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    harness
}

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("HUASHU_CONFIG");
    cmd
}

#[test]
fn usage_csv_matches_the_golden_file() {
    let tmp = tempfile::tempdir().unwrap();
    let state = Path::new("tests/fixtures/usage/state")
        .canonicalize()
        .unwrap();
    let cfg = config(tmp.path(), &state, true);
    let expected = std::fs::read_to_string("tests/fixtures/usage/expected.csv").unwrap();
    huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "--csv"])
        .assert()
        .success()
        .stdout(expected.clone());
    let mut since = String::new();
    for line in expected.lines().filter(|l| !l.ends_with("2026-11-27")) {
        since.push_str(line);
        since.push('\n');
    }
    huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "--csv", "--since", "2026-11-28"])
        .assert()
        .success()
        .stdout(since);
    huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "--since", "28/11"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("YYYY-MM-DD"));
}

#[test]
fn the_window_counts_openings_and_copies_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let file = huashu::persist::usage_file::path_in(tmp.path());
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut().count_usage(file.clone());
    let mut harness = queue_card_opened(app);
    harness.key_press_modifiers(Modifiers::ALT, Key::Num2);
    harness.run();
    // What this run counted, as written at the next save.
    harness.state_mut().runtime_mut().handle(Event::Save);
    let (usage, _): (Usage, _) = huashu::persist::usage_file::load(&file).unwrap();
    assert_eq!(usage.days.len(), 1);
    let (day, cards) = usage.days.iter().next().unwrap();
    assert_eq!(day.len(), 10, "{day}");
    let counts = &cards[&CardId::parse("wrong-queue-ticket").unwrap()];
    assert_eq!(counts.opened, 1);
    assert_eq!(counts.copied.get(&1), Some(&1));
    // Saved with the settings (eframe's save), atomically, and loads back.
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    assert!(storage.0.contains_key(huashu::ui::SETTINGS_KEY));
    assert_eq!(
        huashu::persist::usage_file::load(&file).unwrap(),
        (usage, None)
    );
    // Nothing about the query is kept.
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("qhcw"));
    assert!(text.contains("wrong-queue-ticket"));
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn counting_off_in_the_config_is_said_by_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = config(tmp.path(), &tmp.path().join("state"), false);
    huashu()
        .arg("--config")
        .arg(&cfg)
        .arg("usage")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "没有统计：配置文件里写了 count_usage: false",
        ));
}

/// Two processes counting at once (two windows, or a window and a second
/// start): every count is kept. The child processes are this test binary
/// run again in child mode.
#[test]
fn counts_from_two_processes_add_up() {
    const CHILD: &str = "HUASHU_TEST_USAGE_CHILD";
    if let Some(path) = std::env::var_os(CHILD) {
        let mut one = huashu::usage::Usage::default();
        one.record(
            &huashu::usage::UsageEvent::Opened(CardId::parse("a").unwrap()),
            "2026-11-30",
        );
        for _ in 0..50 {
            huashu::persist::usage_file::add(Path::new(&path), &one).unwrap();
        }
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let file = huashu::persist::usage_file::path_in(tmp.path());
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "counts_from_two_processes_add_up", "--nocapture"])
                .env(CHILD, &file)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let (usage, _): (huashu::usage::Usage, _) = huashu::persist::usage_file::load(&file).unwrap();
    assert_eq!(
        usage.days["2026-11-30"][&CardId::parse("a").unwrap()].opened,
        100
    );
}

/// A panic while the window runs: what was counted and changed is saved
/// on the way out (the app's drop), not lost.
#[test]
fn a_panic_in_the_window_still_saves_settings_and_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let usage_file = huashu::persist::usage_file::path_in(tmp.path());
    let settings_file = tmp.path().join("settings.ron");
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut().count_usage(usage_file.clone());
    app.runtime_mut().keep_settings_in(settings_file.clone());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _harness = queue_card_opened(app);
        panic!("a bug somewhere in a frame");
    }));
    assert!(result.is_err());
    let (usage, _): (huashu::usage::Usage, _) =
        huashu::persist::usage_file::load(&usage_file).unwrap();
    let day = usage.days.values().next().unwrap();
    assert_eq!(day[&CardId::parse("wrong-queue-ticket").unwrap()].opened, 1);
    let settings = std::fs::read_to_string(&settings_file).unwrap();
    assert!(
        settings.contains("wrong-queue-ticket"),
        "recents saved: {settings}"
    );
}

/// The trainer's report, in Chinese: a day's row names the card by id and
/// title, with how often it was opened and its scripts copied.
#[test]
fn the_usage_report_reads_in_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let cfg = config(tmp.path(), &state, true);
    let mut one = huashu::usage::Usage::default();
    let id = CardId::parse("wrong-queue-ticket").unwrap();
    one.record(&huashu::usage::UsageEvent::Opened(id.clone()), "2026-11-30");
    one.record(&huashu::usage::UsageEvent::Copied(id, 1), "2026-11-30");
    // A config's `state_dir` holds the usage file.
    huashu::persist::usage_file::add(&huashu::persist::usage_file::path_in(&state), &one).unwrap();
    let out = huashu()
        .arg("--config")
        .arg(&cfg)
        .arg("usage")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("使用记录："), "{text}");
    assert!(
        text.contains("2026-11-30  打开    1 次  复制    1 次  wrong-queue-ticket 客户取号错误"),
        "{text}"
    );
}

/// With `log_searches`, the window keeps each search: a query rephrased
/// and then found is linked to the card opened (an alias suggestion); one
/// left without a card is a miss, its long digit run masked; all in
/// `searches.ron` when the window closes.
#[test]
fn the_window_logs_misses_and_the_card_found_after_a_query() {
    let tmp = tempfile::tempdir().unwrap();
    let file = huashu::persist::usage_file::searches_in(tmp.path());
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut().log_searches(file.clone());
    let mut harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness.run();
    let type_text = |harness: &mut Harness<'_, HuashuApp>, text: &str| {
        harness
            .input_mut()
            .events
            .push(egui::Event::Text(text.into()));
        harness.run();
    };
    type_text(&mut harness, "排错对");
    harness.key_press(Key::Escape);
    harness.run();
    type_text(&mut harness, "qhcw");
    harness.key_press(Key::Enter);
    harness.run();
    harness.key_press(Key::Escape);
    harness.key_press(Key::Escape);
    harness.run();
    type_text(&mut harness, "挂失6222021234567890");
    // Closing the window ends the search going on and saves.
    drop(harness);
    let (searches, _): (huashu::usage::Searches, _) =
        huashu::persist::usage_file::load(&file).unwrap();
    let totals: Vec<(String, Option<String>)> = searches
        .totals(None)
        .into_iter()
        .map(|e| (e.query, e.card.map(|c| c.as_str().to_owned())))
        .collect();
    let queue = Some("wrong-queue-ticket".to_owned());
    assert_eq!(
        totals,
        [
            ("qhcw".to_owned(), queue.clone()),
            ("挂失#".to_owned(), None),
            ("排错对".to_owned(), queue),
        ]
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("6222"), "{text}");
}

/// Off by default: nothing typed is kept.
#[test]
fn without_log_searches_nothing_typed_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut()
        .count_usage(huashu::persist::usage_file::path_in(tmp.path()));
    let harness = queue_card_opened(app);
    drop(harness);
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["usage.ron"]);
    assert!(
        !std::fs::read_to_string(tmp.path().join("usage.ron"))
            .unwrap()
            .contains("qhcw")
    );
}

/// Ctrl+R on a card, a reason, Enter: the flag is counted, and
/// `huashu usage --flags` lists it for the trainer.
#[test]
fn a_flag_with_its_reason_is_counted_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    let file = huashu::persist::usage_file::path_in(&state);
    app.runtime_mut().count_usage(file.clone());
    let mut harness = queue_card_opened(app);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::R);
    // The reason is typed where the query was: the keyboard does not move
    // (moving it would reset an X11 input method to English).
    for _ in 0..3 {
        harness.step();
        let ime = harness.output().platform_output.ime.as_ref();
        assert!(
            ime.is_some_and(|ime| !ime.should_interrupt_composition),
            "the input method kept: {ime:?}"
        );
    }
    harness.run();
    harness.get_by_label("报告有误：在上面的框里写哪里不对（可以不写）");
    assert_eq!(
        harness
            .get_by_role(egui::accesskit::Role::TextInput)
            .value(),
        Some(String::new()),
        "the box holds the reason, empty"
    );
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("VIP窗口已取消".into()));
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(
        harness
            .get_by_role(egui::accesskit::Role::TextInput)
            .value(),
        Some("qhcw".into()),
        "the query is back"
    );
    harness.state_mut().runtime_mut().handle(Event::Save);
    let (usage, _): (Usage, _) = huashu::persist::usage_file::load(&file).unwrap();
    let flags: Vec<(&str, &str)> = usage
        .flag_rows(None)
        .map(|(_, f)| (f.card.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(flags, [("wrong-queue-ticket", "VIP窗口已取消")]);
    drop(harness);
    let text = usage_report(tmp.path(), &state, "--flags");
    assert!(
        text.contains("wrong-queue-ticket 客户取号错误  VIP窗口已取消"),
        "{text}"
    );
}

/// `-o FILE.csv` writes UTF-8 with a BOM, for Excel on Chinese Windows;
/// stdout stays plain.
#[test]
fn csv_to_a_file_has_a_bom_and_stdout_has_none() {
    let tmp = tempfile::tempdir().unwrap();
    let state = Path::new("tests/fixtures/usage/state")
        .canonicalize()
        .unwrap();
    let cfg = config(tmp.path(), &state, true);
    let file = tmp.path().join("用法.csv");
    huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "--csv", "-o"])
        .arg(&file)
        .assert()
        .success();
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with("\u{feff}card_id,title".as_bytes()));
    let expected = std::fs::read_to_string("tests/fixtures/usage/expected.csv").unwrap();
    assert_eq!(&bytes[3..], expected.as_bytes());
    huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "-o"])
        .arg(&file)
        .assert()
        .code(2);
}

/// `usage --misses`: queries never followed by a card, and queries whose
/// card the content does not find for them (an alias to add) when that
/// recurs (two days here), the most counters and days first; a query that
/// finds its card is no gap; a pair seen once is listed apart, unconfirmed
/// (the manager may have given up and opened another card).
#[test]
fn misses_lists_gaps_with_the_card_to_alias() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let mut searches = huashu::usage::Searches::default();
    let mut session = huashu::usage::SearchSession::default();
    let queue = CardId::parse("wrong-queue-ticket").unwrap();
    for (query, card, day) in [
        ("票不对", Some(&queue), "2026-11-29"),
        ("票不对", Some(&queue), "2026-11-30"),
        // The search finds this one itself (an alias's homophone): no gap.
        ("排错对", Some(&queue), "2026-11-30"),
        ("qhcw", Some(&queue), "2026-11-30"),
        ("挂失", None, "2026-11-30"),
        // Gave up on 转账转错 and opened another card: once only.
        ("zhuanzhangzhuancuo", Some(&queue), "2026-11-30"),
    ] {
        session.queried(query, 0.0, day, &mut searches);
        match card {
            Some(c) => session.found(c, day, &mut searches),
            None => session.end(day, &mut searches),
        }
    }
    huashu::persist::usage_file::add(&huashu::persist::usage_file::searches_in(&state), &searches)
        .unwrap();
    let cfg = config(tmp.path(), &state, true);
    let out = huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "--misses"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "   2 次 · 2 天  “票不对”  之后打开了 wrong-queue-ticket 客户取号错误：可以把“票不对”加为它的别名",
            "   1 次  “挂失”  之后没有打开任何卡片",
            "",
            "只在一个柜台、一天里出现过的（可能是换了话题，还不能确定是别名）：",
            "   1 次  “zhuanzhangzhuancuo”  之后打开了 wrong-queue-ticket 客户取号错误",
            "（不记录搜索：配置文件里没有写 log_searches: true；README.md 的“What leaves a counter”说明记录什么）",
        ],
        "{text}"
    );
    let out = huashu()
        .arg("--config")
        .arg(&cfg)
        .args(["usage", "--misses", "--csv"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "query,count,counters,days,card_id,title,confirmed\n票不对,2,1,2,wrong-queue-ticket,客户取号错误,yes\nzhuanzhangzhuancuo,1,1,1,wrong-queue-ticket,客户取号错误,no\n挂失,1,1,1,,,yes\n"
    );
}

/// A word that led to different cards on different searches is a general
/// word: `usage --misses` proposes a synonym line with the word the
/// queries that did find those cards share, not an alias of one card.
#[test]
fn misses_propose_a_synonym_for_a_general_word() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let mut searches = huashu::usage::Searches::default();
    let mut session = huashu::usage::SearchSession::default();
    let slow = CardId::parse("teller-unskilled").unwrap();
    let never = CardId::parse("teller-unfamiliar-business").unwrap();
    for (queries, card) in [
        (["窗口那个小伙子", "柜员 太慢"], &slow),
        (["窗口那个小伙子", "柜员 没办过"], &never),
    ] {
        for (at, query) in [0.0, 3.0].into_iter().zip(queries) {
            session.queried(query, at, "2026-11-30", &mut searches);
        }
        session.found(card, "2026-11-30", &mut searches);
    }
    huashu::persist::usage_file::add(&huashu::persist::usage_file::searches_in(&state), &searches)
        .unwrap();
    let text = usage_report(tmp.path(), &state, "--misses");
    assert!(
        text.contains("“窗口那个小伙子”  之后打开过 2 张不同的卡片（柜员未办理相关业务、柜员业务不熟练）：是个通用词，和“柜员”意思相同，可以加为同义词（见下）"),
        "{text}"
    );
    assert!(
        text.contains("groups 里的行：\n        [\"窗口那个小伙子\", \"柜员\"],\n"),
        "{text}"
    );
    assert!(!text.contains("加为它的别名"), "{text}");
}
