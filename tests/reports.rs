//! Reports from every counter: three counters (separate processes, each
//! its own data directory, one share) search, open, copy and flag; the
//! share goes away and comes back meanwhile; one counter is killed and
//! started again. `huashu usage --from` then shows every event exactly
//! once: what the counters' own files hold.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use huashu::app::{AppState, Command as Cmd, Event, Runtime, Settings};
use huashu::persist::report::{Courier, Reporter};
use huashu::persist::usage_file;
use huashu::usage::Usage;

/// What a counter is told to do (read by the child from the environment).
const CHILD: &str = "HUASHU_TEST_COUNTER";

/// A manager's morning: the situations typed, as managers type them.
const SITUATIONS: &[&str] = &["取号", "柜员太慢", "差评", "冒用证件", "转账转错"];

/// The child: a counter without a window (the runtime, its files, its
/// reports). `HUASHU_TEST_COUNTER=name|branch|data|share|rounds`.
fn run_counter(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let (name, branch, data, share, rounds) = (
        parts[0],
        parts[1],
        PathBuf::from(parts[2]),
        PathBuf::from(parts[3]),
        parts[4].parse::<usize>().unwrap(),
    );
    let state = AppState::new(huashu::content::load_builtin(), Settings::default());
    let mut runtime = Runtime::from(state);
    runtime.count_usage(usage_file::path_in(&data));
    runtime.log_searches(usage_file::searches_in(&data));
    let reporter = Reporter::new(Some(name), Some(branch));
    // Sooner than a counter's 5 s and 60 s, so that sends happen while the
    // share is away.
    let timing = (Duration::from_millis(200), Duration::from_millis(300));
    runtime.report_with(Courier::start_with(share, reporter, data, timing).unwrap());
    let mut now = 0.0;
    for round in 0..rounds {
        let query = SITUATIONS[round % SITUATIONS.len()];
        now += 120.0;
        runtime.handle(Event::Frame { now });
        runtime.handle(Event::Command(Cmd::SetQuery(query.into())));
        runtime.handle(Event::Command(Cmd::OpenSelected));
        runtime.handle(Event::Command(Cmd::CopyScript(0)));
        if round % 4 == 3 {
            runtime.handle(Event::Command(Cmd::Flag));
            runtime.handle(Event::Command(Cmd::SetFlagReason(format!(
                "第{round}次：话术要更新"
            ))));
            runtime.handle(Event::Command(Cmd::SubmitFlag));
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    // Closing: the last searches and a last report.
    drop(runtime);
}

#[test]
fn counter_child() {
    if let Ok(spec) = std::env::var(CHILD) {
        run_counter(&spec);
    }
}

fn start_counter(name: &str, branch: &str, data: &Path, share: &Path, rounds: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "counter_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CHILD,
            format!(
                "{name}|{branch}|{}|{}|{rounds}",
                data.display(),
                share.display()
            ),
        )
        .spawn()
        .unwrap()
}

/// `card → (opened, copied)` over all days, from a `usage --csv` text.
fn totals_of_csv(csv: &str) -> BTreeMap<String, (u32, u32)> {
    let mut totals = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let e: &mut (u32, u32) = totals.entry(cells[0].to_owned()).or_default();
        e.0 += cells[cells.len() - 3].parse::<u32>().unwrap();
        e.1 += cells[cells.len() - 2].parse::<u32>().unwrap();
    }
    totals
}

/// The same from counters' own `usage.ron` files: the truth.
fn totals_of_local(dirs: &[PathBuf]) -> (BTreeMap<String, (u32, u32)>, usize) {
    let mut totals: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut flags = 0;
    for dir in dirs {
        let (usage, _): (Usage, _) = usage_file::load(&usage_file::path_in(dir)).unwrap();
        for (_, id, c) in usage.rows(None) {
            let e = totals.entry(id.as_str().to_owned()).or_default();
            e.0 += c.opened;
            e.1 += c.copied_total();
        }
        flags += usage.flag_rows(None).count();
    }
    (totals, flags)
}

fn huashu(args: &[&str], share: &Path, home: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(args)
        .arg("--from")
        .arg(share)
        .env_remove("HUASHU_CONFIG")
        .current_dir(home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Renames a folder that counters are writing into: on Windows a folder
/// with a file open in it cannot be renamed at that instant, so again
/// shortly after.
fn rename_soon(from: &Path, to: &Path) {
    for _ in 0..200 {
        if std::fs::rename(from, to).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::rename(from, to).unwrap();
}

#[test]
fn three_counters_report_every_event_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    let data: Vec<PathBuf> = (0..3)
        .map(|n| tmp.path().join(format!("counter-{n}")))
        .collect();
    let names = ["城东-1", "城东-2", "城西-1"];
    let branches = ["城东支行", "城东支行", "城西支行"];
    let mut children: Vec<Child> = (0..3)
        .map(|n| start_counter(names[n], branches[n], &data[n], &share, 100))
        .collect();

    // The share goes away for a while (a restart of the file server).
    std::thread::sleep(Duration::from_millis(700));
    let away = tmp.path().join("share-away");
    rename_soon(&share, &away);
    std::thread::sleep(Duration::from_millis(1500));
    rename_soon(&away, &share);

    // One counter killed while it works (and may be writing).
    std::thread::sleep(Duration::from_millis(300));
    children[2].kill().unwrap();
    children[2].wait().unwrap();
    for child in &mut children[..2] {
        assert!(child.wait().unwrap().success());
    }
    // Started again the next morning, it sends what it had not.
    let mut again = start_counter(names[2], branches[2], &data[2], &share, 0);
    assert!(again.wait().unwrap().success());

    let home = tmp.path().join("trainer");
    std::fs::create_dir_all(&home).unwrap();
    let csv = huashu(&["usage", "--csv"], &share, &home);
    let (local, local_flags) = totals_of_local(&data);
    assert_eq!(totals_of_csv(&csv), local, "{csv}");
    // The two counters not killed did all they were told, the same.
    let (first, second) = (totals_of_local(&data[..1]), totals_of_local(&data[1..2]));
    assert_eq!(first, second);
    assert!(
        first.0.values().map(|c| c.0).sum::<u32>() >= 80,
        "{first:?}"
    );
    let flags = huashu(&["usage", "--flags", "--csv"], &share, &home);
    assert_eq!(flags.lines().count() - 1, local_flags, "{flags}");
    assert!(flags.contains("城西支行"), "{flags}");
    // By counter and branch.
    let one = huashu(&["usage", "--csv", "--counter", "城东-1"], &share, &home);
    let (mine, _) = totals_of_local(&data[..1]);
    assert_eq!(totals_of_csv(&one), mine);
    let west = huashu(&["usage", "--csv", "--branch", "城西支行"], &share, &home);
    let (theirs, _) = totals_of_local(&data[2..]);
    assert_eq!(totals_of_csv(&west), theirs);
    // It was killed before it finished.
    let opened = |t: &BTreeMap<String, (u32, u32)>| t.values().map(|c| c.0).sum::<u32>();
    assert!(opened(&theirs) < opened(&first.0), "{theirs:?}");
    // Searches: every counter's queries, digits masked, ranked by counters.
    let misses = huashu(&["usage", "--misses"], &share, &home);
    assert!(misses.contains("3 个柜台"), "{misses}");
}

/// The trainers' page over counters' reports as they come (one cut short,
/// one from a newer program): every section, the reasons escaped, no
/// script, the bad files named.
#[test]
fn the_report_page_shows_the_network_and_escapes_what_was_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_huashu"))
        .args(["--data", "data", "report", "--html"])
        .arg(tmp.path())
        .args(["--from", "tests/fixtures/reports"])
        .env_remove("HUASHU_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("2026-12-06.json：不完整"), "{said}");
    assert!(said.contains("2026-12-07.json：是新版本程序写的"), "{said}");
    let page = std::fs::read_to_string(tmp.path().join("index.html")).unwrap();
    for section in [
        "全行柜台使用报告",
        "2 个柜台",
        "最常用的卡片",
        "从没打开过的卡片",
        "搜索缺口",
        "标记为有误或过时（2 次）",
        "各网点",
        "城西支行",
    ] {
        assert!(page.contains(section), "{section}");
    }
    // 客户取号错误: 6 + 4 + 1 openings at two counters.
    assert!(
        page.contains("<td>客户取号错误</td><td class=\"n\">11</td>"),
        "{page}"
    );
    assert!(page.contains("赔偿要按 &lt;新规定&gt; &amp; 公告改"));
    assert!(!page.contains("<新规定>"));
    assert!(!page.to_lowercase().contains("<script"));
    assert!(
        !page.contains("src=") && !page.contains("href="),
        "nothing fetched"
    );
    // 转账转错了: seen at both counters, on two days.
    assert!(page.contains("4 次 · 2 个柜台 · 2 天"), "{page}");
}
