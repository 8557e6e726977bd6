//! The `huashu` binary's CLI, run as a user would, against golden output.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

mod support;

use std::fmt::Write as _;

use assert_cmd::Command;
use predicates::prelude::*;

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Standard output, with diagnostics' paths in `/` form (see `support`).
fn stdout_of(cmd: &mut Command) -> String {
    support::forward_slashes(&String::from_utf8(cmd.output().unwrap().stdout).unwrap())
}

#[test]
fn check_bundled_data_passes_with_one_draft_warning() {
    let mut cmd = huashu();
    cmd.arg("check");
    cmd.assert().success();
    insta::assert_snapshot!(stdout_of(&mut cmd));
}

#[test]
fn check_without_data_dir_uses_builtin_content() {
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = huashu();
    cmd.current_dir(empty.path()).arg("check");
    cmd.assert()
        .success()
        .stdout(predicate::str::contains(
            "<built-in>/data/04-business-area.ron",
        ))
        .stdout(predicate::str::ends_with(
            "7 张卡片，3 个文件，0 个错误，1 个提示\n",
        ));
}

#[test]
fn check_reports_errors_and_exits_1() {
    let mut cmd = huashu();
    cmd.args([
        "check",
        "--data",
        "tests/fixtures/multi/a",
        "--data",
        "tests/fixtures/multi/b",
    ]);
    cmd.assert().code(1);
    insta::assert_snapshot!(stdout_of(&mut cmd));
}

#[test]
fn check_missing_directory_exits_1() {
    huashu()
        .args(["check", "--data", "tests/fixtures/no-such-dir"])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with(
            "tests/fixtures/no-such-dir: error: 找不到内容目录",
        ))
        .stdout(predicate::str::ends_with(
            "0 张卡片，0 个文件，1 个错误，0 个提示\n",
        ));
}

#[test]
fn usage_errors_exit_2() {
    huashu()
        .args(["check", "--bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--bogus"));
    huashu().args(["frobnicate"]).assert().code(2);
    huashu().args(["check", "--data"]).assert().code(2);
}

#[test]
fn help_is_available() {
    huashu()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("check"))
        .stdout(predicate::str::contains("内容目录"));
}

#[test]
fn list_text() {
    let mut cmd = huashu();
    cmd.arg("list");
    cmd.assert().success();
    insta::assert_snapshot!(stdout_of(&mut cmd));
}

#[test]
fn list_json_has_the_seven_cards_with_their_counts() {
    let out = stdout_of(huashu().args(["list", "--json"]));
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(String, u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap().to_owned(),
                r["steps"].as_u64().unwrap(),
                r["scripts"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("客户取号错误", 2, 2),
        ("柜员业务不熟练", 3, 1),
        ("柜员未办理相关业务", 2, 1),
        ("客户给柜员差评", 4, 2),
        ("工作失误导致客户不满", 3, 3),
        ("客户冒用他人证件", 4, 3),
        ("客户不配合证件核实", 1, 0),
    ];
    let expected: Vec<(String, u64, u64)> = expected
        .iter()
        .map(|&(t, s, c)| (t.to_owned(), s, c))
        .collect();
    assert_eq!(got, expected);

    let first = &rows[0];
    assert!(first["chapter"].is_null(), "the seed does not name it");
    assert_eq!(rows[1]["chapter"], "第四章 业务处理区");
    assert_eq!(rows[1]["section"], "第一节 客户对柜员不满意");
    assert_eq!(rows[5]["section"], "第二节 客户信息错误");
    assert_eq!(rows[6]["status"], "draft");
    for row in &rows {
        assert!(row["id"].as_str().unwrap().is_ascii());
    }
}

#[test]
fn list_with_broken_content_lists_what_loaded_and_exits_1() {
    huashu()
        .args([
            "list",
            "--data",
            "tests/fixtures/multi/a",
            "--data",
            "tests/fixtures/multi/b",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("shared-id"))
        .stderr(predicate::str::contains("02-broken.ron:3:5: error:"));
}

/// (A shell pipeline: Unix only.)
#[cfg(unix)]
#[test]
fn list_into_a_closed_pipe_is_quiet() {
    // `huashu list | head -1`: a closed stdout is not an error worth a message.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} list --json | head -c 1 >/dev/null; echo done",
            assert_cmd::cargo::cargo_bin("huashu").display()
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn search_ranks_and_marks_matches() {
    let mut out = String::new();
    for query in [
        ["qhcw"].as_slice(),
        &["汇款", "cuo"],
        &["证件"],
        &["柜员", "不熟练"],
        // A phrase as an input method commits it; a wrong homophone.
        &["新员工被差评了怎么办"],
        &["差平"],
        &["qu'hao"],
    ] {
        let mut cmd = huashu();
        cmd.arg("search").args(["--limit", "3"]).args(query);
        cmd.assert().success();
        writeln!(out, "$ huashu search {}", query.join(" ")).unwrap();
        out.push_str(&stdout_of(&mut cmd));
    }
    insta::assert_snapshot!(out);
}

/// `huashu eval`: the shipped queries pass their floor; a floor above
/// what is reached fails with exit 1; a bad file is exit 2 with the line.
#[test]
fn eval_reports_figures_misses_and_fails_below_the_floor() {
    let out = stdout_of(huashu().args(["eval", "tests/fixtures/queries.tsv", "--min-top1", "95"]));
    assert!(out.contains("条查询：首位命中"), "{out}");
    let low = huashu()
        .args(["eval", "tests/fixtures/queries.tsv", "--min-top1", "100"])
        .assert()
        .code(1);
    let text = String::from_utf8(low.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("未命中") && text.contains("低于要求的 100%"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("q.tsv");
    std::fs::write(
        &bad,
        "qhcw\twrong-queue-ticket\n差评 bad-review-for-teller\n",
    )
    .unwrap();
    let assert = huashu().arg("eval").arg(&bad).assert().code(2);
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(text.contains("q.tsv:2: 这一行没有制表符"), "{text}");
}

#[test]
fn search_json_has_ids_scores_and_character_ranges() {
    let out = stdout_of(huashu().args(["search", "--json", "qhcw"]));
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "wrong-queue-ticket");
    assert_eq!(first["title"], "客户取号错误");
    assert!(first["score"].as_u64().unwrap() > 0);
    let title = &first["highlights"][0];
    assert_eq!(title["field"], "title");
    assert_eq!(title["ranges"], serde_json::json!([[2, 6]]));
}

#[test]
fn search_without_results_says_so() {
    huashu()
        .args(["search", "xyzq"])
        .assert()
        .success()
        .stdout("没有找到卡片；可以试试拼音首字母，例如 qhcw\n");
    huashu().arg("search").assert().code(2);
}

/// Names outside the bundled font: each character named once, at its first
/// place in a card's text (not in comments), with how often it occurs.
#[test]
fn check_names_characters_the_bundled_font_lacks() {
    let mut cmd = huashu();
    cmd.args(["check", "--data", "tests/fixtures/fonts"]);
    cmd.assert().success();
    insta::assert_snapshot!(stdout_of(&mut cmd));
}

/// `huashu show`: a card by id, as the window shows it (steps numbered,
/// scripts numbered as Alt+N copies them).
#[test]
fn show_prints_a_card_by_id() {
    let mut cmd = huashu();
    cmd.args(["--data", "data", "show", "teller-unfamiliar-business"]);
    insta::assert_snapshot!(stdout_of(&mut cmd));
}

/// By what a manager would type, and as JSON for a script; a query that
/// finds nothing fails and says so.
#[test]
fn show_finds_a_card_by_words_and_prints_json() {
    let out = huashu()
        .args(["--data", "data", "show", "--json", "取号", "错了"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let card: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(card["id"], "wrong-queue-ticket");
    assert_eq!(card["chapter"], serde_json::Value::Null);
    assert_eq!(
        card["steps"][1]["scripts"][0],
        "等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?"
    );
    huashu()
        .args(["--data", "data", "show", "zzzqqq"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("没有找到“zzzqqq”"));
}

/// `check --data one-file.ron` reads the file with its folder: a link to a
/// card in another file of the folder is no dead link, and the folder's
/// `rules.ron` applies; only that file's problems are listed and counted.
#[test]
fn one_file_is_checked_with_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        "data/04-business-area.ron",
        tmp.path().join("04-business-area.ron"),
    )
    .unwrap();
    std::fs::copy("docs/rules-example.ron", tmp.path().join("rules.ron")).unwrap();
    let new = tmp.path().join("05-new.ron");
    std::fs::write(
        &new,
        "Chapter(title: \"第五章\", sections: [Section(title: \"第一节\", cards: [Card(\n    id: \"slow-teller-again\",\n    title: \"客户又嫌柜员慢\",\n    steps: [Step(action: \"安抚客户。\", scripts: [\"这笔业务保本保息，您放心。\"])],\n    links: [Link(to: \"teller-unskilled\")],\n)])])\n",
    )
    .unwrap();
    let out = huashu()
        .arg("--data")
        .arg(&new)
        .arg("check")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("不存在"), "the link is alive: {stdout}");
    assert!(
        stdout.contains("保本保息"),
        "the folder's rules apply: {stdout}"
    );
    assert!(
        !stdout.contains("04-business-area.ron:"),
        "only the file named: {stdout}"
    );
    assert!(
        stdout.ends_with("1 张卡片，1 个文件，0 个错误，1 个提示\n"),
        "{stdout}"
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("和所在目录的其他文件一起检查")
    );
}

/// A content file that is not read (`.ron.txt`) is counted in the summary
/// and fails `check`: its cards are missing from the window.
#[test]
fn a_file_not_read_fails_check() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        "data/04-business-area.ron",
        tmp.path().join("04-business-area.ron"),
    )
    .unwrap();
    std::fs::copy(
        "data/00-earlier-chapter.ron",
        tmp.path().join("05-新卡片.ron.txt"),
    )
    .unwrap();
    huashu()
        .arg("--data")
        .arg(tmp.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 个文件没有读取"));
}
