//! `huashu import`: the seed manual and small fixtures of every marker,
//! layout and encoding, and the safety rules for writing files.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use huashu::content::import::{Imported, import};
use huashu::content::{self, decode};
use predicates::prelude::*;

const SEED: &str = "tests/fixtures/manual-excerpt.txt";

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn import_bytes(bytes: &[u8]) -> Imported {
    import(&decode::decode(bytes).unwrap().text)
}

/// (title, steps, scripts) of every card, in order.
fn shape(library: &huashu::model::Library) -> Vec<(String, usize, usize)> {
    library
        .cards
        .iter()
        .map(|c| (c.title.clone(), c.steps.len(), c.script_count()))
        .collect()
}

/// `line:col: message`, one warning a line.
fn warning_lines(imported: &Imported) -> String {
    let lines: Vec<String> = imported
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.pos, w.message))
        .collect();
    lines.join("\n")
}

fn seed() -> String {
    std::fs::read_to_string(SEED).unwrap()
}

#[test]
fn the_seed_gives_the_seven_cards_of_data() {
    let imported = import(&seed());
    let data = content::load_dirs(&[PathBuf::from("data")]).library;
    assert_eq!(shape(&imported.library), shape(&data));
    assert_eq!(imported.library.cards.len(), 7);
    // Same chapters and sections as the hand-written files.
    let titles = |l: &huashu::model::Library| {
        (
            l.chapters
                .iter()
                .map(|c| c.title.clone())
                .collect::<Vec<_>>(),
            l.sections
                .iter()
                .map(|s| s.title.clone())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(titles(&imported.library), titles(&data));
    // Only the cut-off card is a draft, as in data/.
    let drafts: Vec<&str> = imported
        .library
        .cards
        .iter()
        .filter(|c| c.meta.status.is_some())
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(drafts, vec!["客户不配合证件核实"]);
}

#[test]
fn the_seeds_damage_is_reported_with_positions() {
    let imported = import(&seed());
    insta::assert_snapshot!(warning_lines(&imported));
}

#[test]
fn one_paragraph_per_line_crlf_bom_and_gbk_give_the_same_cards() {
    let one_line = import(&seed());
    let expected = shape(&one_line.library);
    // Paragraph per line, Windows line ends, a BOM.
    let lines = seed().replace(' ', "\r\n");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(lines.as_bytes());
    assert_eq!(shape(&import_bytes(&bom).library), expected);
    // GBK (GB18030), as Notepad saves "ANSI" on Chinese Windows.
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&lines);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let from_gbk = import_bytes(&gbk);
    assert_eq!(shape(&from_gbk.library), expected);
    assert_eq!(from_gbk.library.cards, import(&lines).library.cards);
    // UTF-16 (Notepad's "Unicode").
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(lines.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(shape(&import_bytes(&utf16).library), expected);
}

fn fixture(name: &str) -> Imported {
    import_bytes(&std::fs::read(Path::new("tests/fixtures/import").join(name)).unwrap())
}

#[test]
fn markers_one_per_line_with_full_width_brackets_and_colons() {
    let imported = fixture("markers-lines.txt");
    let l = &imported.library;
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(l.chapters[0].title.as_deref(), Some("第一章 开户业务"));
    let sections: Vec<_> = l
        .sections
        .iter()
        .map(|s| s.title.clone().unwrap())
        .collect();
    assert_eq!(sections, vec!["第一节 证件问题", "第二节 资料填写"]);
    assert_eq!(
        shape(l),
        vec![
            ("客户忘带身份证".into(), 2, 2),
            ("客户证件过期".into(), 2, 1),
            ("客户不会填表".into(), 2, 1),
        ]
    );
    let first = &l.cards[0];
    // 情景再现：, 解决方案：, （1）, 话术：, 台词:
    assert_eq!(
        first.scene,
        vec!["客户来网点开户，没有带身份证。", "他很着急，说自己赶时间。"]
    );
    assert_eq!(first.steps[0].action, "向客户说明规定。");
    assert_eq!(
        first.steps[1].scripts[0].template.source(),
        "麻烦您带上身份证再来，我先给您预约。"
    );
    // Numbered items in 作者观点 stay commentary.
    assert_eq!(
        first.view,
        vec![
            "（1）制度必须执行，不能通融。",
            "（2）态度要温和，帮客户节省时间。"
        ]
    );
    // `1.` steps, 文字：, 作者的观点.
    let second = &l.cards[1];
    assert_eq!(second.steps[0].action, "请客户先换领新证。");
    assert_eq!(second.view, vec!["证件有效是办理业务的前提。"]);
    // (1) steps with 演讲:
    assert_eq!(
        l.cards[2].steps[0].scripts[0].template.source(),
        "阿姨，我来帮您填，您核对一下就行。"
    );
}

#[test]
fn markers_on_one_line_with_circled_numbers() {
    let imported = fixture("markers-one-line.txt");
    let l = &imported.library;
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    assert_eq!(l.chapters[0].title.as_deref(), Some("第二章 现金业务"));
    assert_eq!(l.sections[0].title.as_deref(), Some("第一节 取款"));
    assert_eq!(
        shape(l),
        vec![
            ("大额取款未预约".into(), 3, 2),
            ("客户要求全部新钞".into(), 2, 1)
        ]
    );
    // ③ inside the piece of ② still starts a step; 脚本： is a script.
    assert_eq!(l.cards[0].steps[1].action, "帮客户预约。");
    assert_eq!(l.cards[0].steps[2].action, "先取部分现金应急。");
    assert_eq!(l.cards[0].scene.len(), 2);
}

#[test]
fn damage_makes_drafts_and_every_warning_has_a_position() {
    let imported = fixture("damaged.txt");
    let l = &imported.library;
    assert_eq!(l.cards.len(), 2);
    assert!(l.cards.iter().all(|c| c.meta.status.is_some()));
    insta::assert_snapshot!(warning_lines(&imported));
    // The `\r` split the steps; the garbled text is kept for the editor.
    assert_eq!(l.cards[0].steps.len(), 2);
    assert!(l.cards[0].steps[1].action.starts_with("了解经过。璇"));
}

#[test]
fn cli_writes_one_file_per_chapter_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cards");
    huashu()
        .args(["import", SEED, "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "导入了 7 张卡片（1 张草稿），2 章",
        ))
        .stderr(predicate::str::contains(format!(
            "{SEED}:2:1: warning: 这段文字像乱码"
        )));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["00-untitled.ron", "04-ye-wu-chu-li-qu.ron"]);
    huashu()
        .arg("--data")
        .arg(&out)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::ends_with(
            "7 张卡片，2 个文件，0 个错误，1 个提示\n",
        ));
    insta::assert_snapshot!(std::fs::read_to_string(out.join("04-ye-wu-chu-li-qu.ron")).unwrap());
}

#[test]
fn cli_prints_a_single_chapter_and_writes_a_single_file() {
    let fixture = "tests/fixtures/import/markers-one-line.txt";
    let printed = huashu().args(["import", fixture]).assert().success();
    let text = String::from_utf8(printed.get_output().stdout.clone()).unwrap();
    assert!(text.contains("title: \"大额取款未预约\""));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cash.ron");
    huashu()
        .args(["import", fixture, "-o"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    // Two chapters cannot go into one file.
    huashu()
        .args(["import", SEED, "-o"])
        .arg(dir.path().join("all.ron"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("输入里有 2 章"));
    assert!(!dir.path().join("all.ron").exists());
}

#[test]
fn cli_never_overwrites_without_force_and_never_writes_into_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = "tests/fixtures/import/markers-lines.txt";
    let file = dir.path().join("cards.ron");
    std::fs::write(&file, "keep me").unwrap();
    huashu()
        .args(["import", fixture, "-o"])
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicate::str::contains("没有覆盖"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    huashu()
        .args(["import", fixture, "--force", "-o"])
        .arg(&file)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("// 话术助手")
    );

    // The input itself, even with --force (a copy named .ron).
    let input = dir.path().join("manual.ron");
    std::fs::copy(fixture, &input).unwrap();
    huashu()
        .arg("import")
        .arg(&input)
        .arg("--force")
        .arg("-o")
        .arg(&input)
        .assert()
        .failure()
        .stderr(predicate::str::contains("导入绝不写入正在读取的文件"));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(fixture).unwrap()
    );
    // No temporary files are left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn cli_explains_inputs_it_cannot_use() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "只是一段话，没有场景。").unwrap();
    huashu()
        .arg("import")
        .arg(&empty)
        .assert()
        .failure()
        .stderr(predicate::str::contains("没有找到场景"));
    huashu()
        .arg("import")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("是一个目录"));
    let binary = dir.path().join("x.txt");
    std::fs::write(&binary, [0x66, 0xFF, 0xFE, 0xFD, 0x80]).unwrap();
    huashu()
        .arg("import")
        .arg(&binary)
        .assert()
        .failure()
        .stderr(predicate::str::contains("既不是 UTF-8 也不是 GBK"));
}

/// Found by fuzzing: a step that is only a script (`①脚本：…`) made a card
/// that did not load (empty action).
#[test]
fn a_step_that_is_only_a_script_imports_and_loads() {
    let text = "第二章 现金业务 第一节 取款 一、大额取款未预约 场景再现 客户要取钱。 解决方案 ①脚本：尽量满足您。 ②说明新钞有限。 作者观点 能满足的尽量满足。";
    let imported = import(text);
    let card = &imported.library.cards[0];
    assert_eq!(card.steps[0].action, "");
    assert_eq!(card.steps[0].scripts[0].template.source(), "尽量满足您。");
    let ron = huashu::content::write::chapter_file(&imported.library, 0, &[], &|_| Vec::new());
    let mut diagnostics = Vec::new();
    let again = content::build(&[("x.ron".into(), ron.into_bytes())], &mut diagnostics);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    assert_eq!(again.cards[0].steps, card.steps);
}

/// A Chinese numeral for 1…99, as manuals write chapter and scenario
/// numbers (`十一`, `二十`, `四十七`).
fn chinese(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match (n / 10, n % 10) {
        (0, d) => DIGITS[d].to_owned(),
        (1, d) => format!("十{}", DIGITS[d]),
        (t, d) => format!("{}十{}", DIGITS[t], DIGITS[d]),
    }
}

/// A manual of `chapters` × 10 sections × 20 scenarios whose numbering
/// changes from section to section, as real manuals do: 一、…二十、;
/// 一、…十、 then 11、…20、; 1、…20、; and steps numbered (1), 1., ① or
/// 1、 (the same form as the Arabic scenario headings).
fn mixed_manual(chapters: usize) -> String {
    let mut text = String::new();
    for c in 1..=chapters {
        writeln!(text, "第{}章 业务区域{c}", chinese(c)).unwrap();
        for s in 1..=10 {
            writeln!(text, "第{}节 情形{s}", chinese(s)).unwrap();
            let style = (c + s) % 4;
            for k in 1..=20 {
                let heading = match (style, k) {
                    (0, k) => format!("{}、", chinese(k)),
                    (1 | 3, k) if k <= 10 => format!("{}、", chinese(k)),
                    _ => format!("{k}、"),
                };
                writeln!(text, "{heading}客户问题第{c}章{s}节{k}号").unwrap();
                text.push_str("场景再现：客户来到网点办理业务，等了很久，非常着急。\n");
                text.push_str("解决方案：\n");
                for n in 1..=3 {
                    let number = match style {
                        0 => format!("({n})"),
                        1 => format!("{n}."),
                        2 => char::from_u32(0x2460 + n - 1).unwrap().to_string(),
                        _ => format!("{n}、"),
                    };
                    writeln!(text, "{number}向客户说明情况。演讲：“您好，请稍等。”").unwrap();
                }
                if k % 3 != 0 {
                    text.push_str("作者观点：耐心是第一位的。\n");
                }
            }
        }
    }
    text
}

#[test]
fn every_numbering_of_scenario_headings_starts_a_card() {
    let imported = import(&mixed_manual(50));
    let library = &imported.library;
    assert_eq!(library.cards.len(), 10_000);
    assert!(
        library
            .cards
            .iter()
            .all(|c| c.steps.len() == 3 && c.script_count() == 3),
        "a card took another scenario's steps"
    );
    assert!(imported.warnings.is_empty(), "{}", warning_lines(&imported));
    assert_eq!(library.cards[10].title, "客户问题第1章1节11号");
}

/// The silent merge of the issue, by hand: `十、` then `11、`, and a
/// manual where a scenario's heading is lost entirely (its 场景再现 and
/// 解决方案 land in the previous card, which is now reported).
#[test]
fn a_missed_heading_is_reported_not_merged_silently() {
    let text = "第一章 大堂\n第一节 排队\n十、排错队\n场景再现：客户排错了队。\n解决方案：(1)道歉。\n\
                11、插队\n场景再现：客户要插队。\n解决方案：1、说明规则。2、安排窗口。\n作者观点：要公平。\n";
    let imported = import(text);
    let titles: Vec<&str> = imported
        .library
        .cards
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(titles, ["排错队", "插队"]);
    assert_eq!(imported.library.cards[1].steps.len(), 2);

    // The heading of the second scenario is gone (cut by a bad copy).
    let text = "第一章 大堂\n第一节 排队\n一、排错队\n场景再现：客户排错了队。\n解决方案：(1)道歉。\n\
                场景再现：客户要插队。\n解决方案：(1)说明规则。\n作者观点：要公平。\n";
    let imported = import(text);
    assert_eq!(imported.library.cards.len(), 1);
    let lines = warning_lines(&imported);
    assert!(
        lines.contains("6:1: “排错队”里又出现了一次“场景再现”"),
        "{lines}"
    );
    assert!(
        lines.contains("7:1: “排错队”里又出现了一次“解决方案”"),
        "{lines}"
    );
    assert!(imported.library.cards[0].meta.status.is_some(), "a draft");
}

#[test]
fn a_card_with_far_more_steps_than_the_others_is_reported() {
    let mut text = String::from("第一章 大堂\n第一节 排队\n");
    for k in 1..=6 {
        let steps = if k == 4 { 12 } else { 2 };
        write!(
            text,
            "{}、问题{k}\n场景再现：客户来了。\n解决方案：",
            chinese(k)
        )
        .unwrap();
        for n in 1..=steps {
            write!(text, "({n})处理。").unwrap();
        }
        text.push('\n');
    }
    let imported = import(&text);
    let lines = warning_lines(&imported);
    assert!(
        lines.contains("“问题4”有 12 个步骤，远多于一般卡片的 2 个"),
        "{lines}"
    );
    assert_eq!(lines.lines().count(), 1, "{lines}");
}

/// Importing the manual again into the `data/` that came from it updates
/// the cards (same ids, aliases kept, the same files) and never duplicates
/// them; what changes is told paragraph by paragraph before anything is
/// written; a card a trainer added by hand stays; an unchanged card keeps
/// what the manual does not have (its fill-ins).
#[test]
fn re_importing_updates_and_never_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for name in ["00-earlier-chapter.ron", "04-business-area.ron"] {
        std::fs::copy(Path::new("data").join(name), data.join(name)).unwrap();
    }
    // A card a trainer added by hand, which the manual does not have.
    let extra = data.join("04-business-area.ron");
    let text = std::fs::read_to_string(&extra).unwrap().replacen(
        "            cards: [\n",
        "            cards: [\n                Card(id: \"hand-made\", title: \"手写的卡片\", steps: [Step(action: \"说明。\")]),\n",
        1,
    );
    std::fs::write(&extra, text).unwrap();
    // A review recorded on a card whose text the manual still has.
    let reviewed = data.join("00-earlier-chapter.ron");
    let text = std::fs::read_to_string(&reviewed).unwrap().replacen(
        "title: \"客户取号错误\",",
        "title: \"客户取号错误\",\n                    reviewed_by: \"王老师\",",
        1,
    );
    std::fs::write(&reviewed, text).unwrap();

    let refused = huashu()
        .arg("import")
        .arg(SEED)
        .arg("-o")
        .arg(&data)
        .assert()
        .failure();
    let stderr = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("与已有的卡片对照：3 张不变，4 张更新，0 张新增，1 张手册里没有（保留）"),
        "{stderr}"
    );
    assert!(stderr.contains("保留  hand-made  手写的卡片"), "{stderr}");
    // The seed's own wording (a garbled `长。`) against the corrected card,
    // shown where they differ.
    assert!(
        stderr.contains(
            "更新  bad-review-for-teller  客户给柜员差评（场景再现）\n      场景再现 第 1 段\n        - …"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("有点长。客户") && stderr.contains("有点常客户"),
        "{stderr}"
    );

    huashu()
        .arg("import")
        .arg(SEED)
        .arg("-o")
        .arg(&data)
        .arg("--force")
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["00-earlier-chapter.ron", "04-business-area.ron"],
        "the same files"
    );
    let loaded = content::load_dirs(std::slice::from_ref(&data));
    assert_eq!(loaded.error_count(), 0);
    let library = loaded.library;
    assert_eq!(
        library.cards.len(),
        8,
        "not 15: the 7 updated, and the hand-made one"
    );
    assert!(library.cards.iter().any(|c| c.id.as_str() == "hand-made"));
    assert!(
        library.chapters[0]
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("摘录从前一章")),
        "the chapter's note kept"
    );
    let queue = library
        .cards
        .iter()
        .find(|c| c.id.as_str() == "wrong-queue-ticket")
        .unwrap();
    assert!(queue.aliases.contains(&"排错队".to_owned()), "aliases kept");
    assert_eq!(
        queue.meta.reviewed_by.as_deref(),
        Some("王老师"),
        "review kept"
    );
}

/// Two cards with one title are said (a manual imported twice).
#[test]
fn check_warns_about_two_cards_with_the_same_title() {
    let tmp = tempfile::tempdir().unwrap();
    let card = |id: &str| {
        format!("Card(id: \"{id}\", title: \"客户取号错误\", steps: [Step(action: \"道歉。\")])")
    };
    std::fs::write(
        tmp.path().join("a.ron"),
        format!(
            "Chapter(sections: [Section(cards: [\n{},\n{},\n])])",
            card("one"),
            card("two")
        ),
    )
    .unwrap();
    let loaded = content::load_dirs(&[tmp.path().to_path_buf()]);
    let text: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(
        text[0].contains(
            "a.ron:3:1: warning: 卡片“客户取号错误”（two）和第 2 行的卡片（one）标题相同"
        ),
        "{text:?}"
    );
}

/// A library's outline as text: chapters, their sections, their cards with
/// (steps, scripts).
fn outline_of(library: &huashu::model::Library) -> String {
    let mut out = String::new();
    let (mut chapter, mut section) = (None, None);
    for card in &library.cards {
        let s = &library.sections[card.section];
        if chapter != Some(s.chapter) {
            chapter = Some(s.chapter);
            let title = library.chapters[s.chapter].title.as_deref().unwrap_or("-");
            writeln!(out, "{title}").unwrap();
        }
        if section != Some(card.section) {
            section = Some(card.section);
            writeln!(out, "  {}", s.title.as_deref().unwrap_or("-")).unwrap();
        }
        writeln!(
            out,
            "    {} ({}/{})",
            card.title,
            card.steps.len(),
            card.script_count()
        )
        .unwrap();
    }
    out
}

/// Manuals laid out the ways manuals are (each written as its kind is:
/// a decimal outline, a wiki's Markdown export, 案例N： cases under
/// Chinese-numbered sections, Word's heading numbering pasted as text,
/// and titles with no numbering at all) import exactly, scripts without
/// the quotation marks around them, with no warning.
#[test]
fn manuals_in_other_outlines_import_exactly() {
    let expected = [
        (
            "decimal.txt",
            "3 柜面业务\n  3.1 开户与办卡\n    客户在自助机上办卡失败 (3/2)\n    客户要求当天拿到实体卡 (2/1)\n  3.2 挂失与补卡\n    客户银行卡丢失要求马上挂失 (2/1)\n    客户补卡时不记得原卡号 (2/1)\n",
        ),
        (
            "wiki.md",
            "第三章 柜面业务\n  开户与办卡\n    客户在自助机上办卡失败 (3/2)\n    客户要求当天拿到实体卡 (2/1)\n  挂失与补卡\n    客户银行卡丢失要求马上挂失 (2/1)\n    客户补卡时不记得原卡号 (2/1)\n",
        ),
        (
            "cases.txt",
            "第二章 现金业务\n  一、取款\n    客户要取大额现金但没有预约 (3/1)\n    客户要求全部换成新钞 (2/1)\n  二、存款\n    客户存款时发现假币 (2/1)\n    客户的零钱太多不愿意整理 (2/1)\n",
        ),
        (
            "word-numbering.txt",
            "第1章 柜面业务\n  1.1 开户与办卡\n    客户在自助机上办卡失败 (2/1)\n    客户要求当天拿到实体卡 (1/1)\n  1.2 挂失与补卡\n    客户银行卡丢失要求马上挂失 (2/1)\n",
        ),
        (
            "bare.txt",
            "-\n  -\n    客户在自助机上办卡失败 (2/1)\n    客户银行卡丢失要求马上挂失 (2/1)\n    客户补卡时不记得原卡号 (2/1)\n",
        ),
    ];
    for (name, shape) in expected {
        let imported = fixture(&format!("outlines/{name}"));
        assert_eq!(outline_of(&imported.library), shape, "{name}");
        let notes: Vec<&str> = imported
            .warnings
            .iter()
            .map(|w| w.message.as_str())
            .filter(|m| !m.contains("没有“第X章”标题"))
            .collect();
        assert!(notes.is_empty(), "{name}: {notes:?}");
        for card in &imported.library.cards {
            for script in card.scripts() {
                let text = script.default_text(&card.fields);
                assert!(
                    !text.starts_with('“') && !text.ends_with('”'),
                    "{name}: {text}"
                );
            }
            assert_eq!(card.meta.status, None, "{name}: {} is no draft", card.title);
        }
    }
    let wiki = fixture("outlines/wiki.md");
    let first = wiki.library.cards[0].scripts().next().unwrap();
    assert_eq!(
        first.default_text(&wiki.library.cards[0].fields),
        "阿姨您别着急，我来帮您看看是哪一步没有通过。"
    );
}

/// A script whose opening quotation mark is never closed is imported
/// without it, and said.
#[test]
fn an_unclosed_quotation_mark_in_a_script_is_a_warning() {
    let text = "第一章 大堂\n第一节 排队\n一、排错队\n场景再现：客户排错了队。\n解决方案：\n(1)道歉。话术：“对不起，让您久等了。\n(2)安排窗口。\n作者观点：要公平。\n";
    let imported = import(text);
    let card = &imported.library.cards[0];
    assert_eq!(
        card.scripts().next().unwrap().default_text(&card.fields),
        "对不起，让您久等了。"
    );
    let lines = warning_lines(&imported);
    assert!(
        lines.contains("6:1: “排错队”这一步的话术有左引号“没有右引号”"),
        "{lines}"
    );
}

/// When nothing imports, one message says which heading styles were
/// looked for and quotes the first heading-like lines seen — not a
/// warning per line.
#[test]
fn nothing_imported_is_said_once_with_the_styles_looked_for() {
    let text = "【柜面服务手册】\n\n◆ 开户\n客户来开户，柜员要核对证件。\n处理：先核对，再办理。\n\n◆ 挂失\n客户丢了卡。\n处理：先冻结。\n";
    let imported = import(text);
    assert!(imported.library.cards.is_empty());
    assert!(imported.warnings.is_empty(), "{}", warning_lines(&imported));
    let why = imported.nothing.unwrap();
    assert!(why.contains("Markdown 的 # / ## / ###"), "{why}");
    assert!(why.contains("“【柜面服务手册】”、“◆ 开户”"), "{why}");
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("手册.txt");
    std::fs::write(&input, text).unwrap();
    let out = huashu().arg("import").arg(&input).assert().failure();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("没有找到场景：没有认出场景"), "{err}");
}
