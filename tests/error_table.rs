//! Every row of the editors' guide's error table (`docs/editing.md`,
//! 常见错误提示) is a mistake made here in a real card file — the bundled
//! chapter — and must produce the message the row shows, at the place the
//! mistake was made. A row without a mistake here, or a mistake here
//! without its row, fails the test: the table cannot drift from the program.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::Path;

use huashu::content::{Diagnostic, Loader};

const BASE: &str = "04-business-area.ron";

fn base() -> String {
    std::fs::read_to_string(Path::new("data").join(BASE)).unwrap()
}

/// Replaces the first `find` on 1-based `line` with `replace`; returns the
/// 1-based line and character column where `find` was.
fn edit(text: &mut String, line: usize, find: &str, replace: &str) -> (u32, u32) {
    let start = line_start(text, line);
    let end = start + text[start..].find('\n').unwrap_or(text.len() - start);
    let at = start
        + text[start..end].find(find).unwrap_or_else(|| {
            panic!("line {line} has no {find:?}: {}", &text[start..end]);
        });
    let col = text[start..at].chars().count() + 1;
    text.replace_range(at..at + find.len(), replace);
    (u32::try_from(line).unwrap(), u32::try_from(col).unwrap())
}

fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum()
}

/// Where the first non-blank character of 1-based `line` is.
fn first_token(text: &str, line: usize) -> (u32, u32) {
    let l = text.lines().nth(line - 1).unwrap();
    let col = l.chars().take_while(|c| c.is_whitespace()).count() + 1;
    (u32::try_from(line).unwrap(), u32::try_from(col).unwrap())
}

/// One mistake: the files of a content folder and where the message must
/// point (`None`: at the whole file).
struct Made {
    files: Vec<(&'static str, Vec<u8>)>,
    /// A directory to create as well.
    dir: Option<&'static str>,
    /// The file the message is about, and its line:col.
    at: (&'static str, Option<(u32, u32)>),
    /// Load the untouched chapter first, then the mistake, with one loader
    /// (as a running window does).
    after_good: bool,
}

impl Made {
    fn base_file(text: String, at: Option<(u32, u32)>) -> Self {
        Self {
            files: vec![(BASE, text.into_bytes())],
            dir: None,
            at: (BASE, at),
            after_good: false,
        }
    }
}

/// The bundled chapter with one edit (see [`edit`]); the message must point
/// `shift` characters after where `find` was.
fn base_edit(line: usize, find: &str, replace: &str, shift: u32) -> Made {
    let mut t = base();
    let (l, c) = edit(&mut t, line, find, replace);
    Made::base_file(t, Some((l, c + shift)))
}

/// The row's first column, and how to make that mistake.
#[expect(
    clippy::too_many_lines,
    reason = "one short entry per row of the table"
)]
fn mistakes() -> Vec<(&'static str, Made)> {
    vec![
        ("这里不能用中文标点 ，", base_edit(12, "\",", "\"，", 1)),
        ("这里前面缺少逗号 ,", {
            let mut t = base();
            edit(&mut t, 11, "\",", "\"");
            let at = first_token(&t, 12);
            Made::base_file(t, Some(at))
        }),
        ("字符串没有结束：这段文字缺少右引号", {
            // The closing quote of the title deleted: reported where the
            // string began.
            let mut t = base();
            edit(&mut t, 12, "练\"", "练");
            let at = edit(&mut t, 12, "\"", "\"");
            Made::base_file(t, Some(at))
        }),
        (
            "文字里有英文双引号 \"：它把这段文字提前结束了",
            {
                // The customer's words put in English quotes.
                let mut t = base();
                edit(&mut t, 17, "\"柜员做生意", "\"客户说\"柜员做生意");
                edit(&mut t, 17, "边想边做。", "边想边做\"。");
                let (line, col) = edit(&mut t, 17, "说\"", "说\"");
                Made::base_file(t, Some((line, col + 1)))
            },
        ),
        (
            "这里不能用中文标点 【",
            base_edit(13, "aliases: [", "aliases: 【", 9),
        ),
        (
            "这段文字缺少左引号 \"",
            base_edit(12, "\"柜员业务不熟练", "柜员业务不熟练", 0),
        ),
        (
            "这张卡片在 cards: [...] 列表的外面：第 112 行的 ] 已经结束了这一节的卡片列表",
            {
                // The first card copied, given a new id, and pasted after
                // the section's `],`.
                let mut t = base();
                let start = line_start(&t, 10);
                let end = line_start(&t, 35);
                let card = t[start..end].replace("\"teller-unskilled\"", "\"teller-slow\"");
                let after = line_start(&t, 113);
                t.insert_str(after, &card);
                Made::base_file(t, Some((113, 17)))
            },
        ),
        ("第 10 行第 21 列的 Card( 没有关闭：缺少 )", {
            // The first card's closing `),` lost its bracket.
            base_edit(34, "),", ",", 0)
        }),
        (
            "括号不配对：这里的 ) 关不上第 9 行第 20 列的 cards: [",
            base_edit(34, "),", ")),", 1),
        ),
        ("多了一个 )", {
            let mut t = base();
            t.push_str(")\n");
            let line = t.lines().count();
            Made::base_file(t, Some((u32::try_from(line).unwrap(), 1)))
        }),
        ("文件意外结束：还有 7 个括号没有关闭", {
            // Cut short after line 100, as an interrupted copy leaves it.
            let t = base();
            let cut = line_start(&t, 101) - 1;
            let last = t[..cut].lines().last().unwrap().chars().count();
            Made::base_file(
                t[..cut].to_owned(),
                Some((100, u32::try_from(last + 1).unwrap())),
            )
        }),
        (
            "Card 没有字段 titel ；是不是要写 title？",
            base_edit(12, "title:", "titel:", 0),
        ),
        ("缺少必填字段 id", {
            let mut t = base();
            edit(&mut t, 11, "id: \"teller-unskilled\",", "");
            let at = first_token(&t, 10);
            Made::base_file(t, Some(at))
        }),
        (
            "id teller-unskilled 重复",
            base_edit(
                36,
                "\"teller-unfamiliar-business\"",
                "\"teller-unskilled\"",
                0,
            ),
        ),
        (
            "id teller-unskilled 重复：04-business-area - 副本.ron 看起来是 04-business-area.ron 的副本",
            // Ctrl+C, Ctrl+V in Explorer: the copy sorts first and loads
            // first; the message names it, not the original's ids.
            Made {
                files: vec![
                    (BASE, base().into_bytes()),
                    ("04-business-area - 副本.ron", base().into_bytes()),
                ],
                dir: None,
                at: (
                    BASE,
                    Some(edit(
                        &mut base(),
                        11,
                        "\"teller-unskilled\"",
                        "\"teller-unskilled\"",
                    )),
                ),
                after_good: false,
            },
        ),
        (
            "id 客户取号 不能用",
            base_edit(11, "\"teller-unskilled\"", "\"客户取号\"", 0),
        ),
        ("话术里的填空 {称呼} 没有定义", {
            let mut t = base();
            edit(&mut t, 146, "\"称呼\": [\"先生\", \"女士\"],", "");
            let at = edit(&mut t, 138, "\"{称呼}", "\"{称呼}");
            Made::base_file(t, Some(at))
        }),
        ("话术里的填空 { 没有对应的 }", {
            // At the brace itself.
            base_edit(23, "[\"我们", "[\"{我们", 2)
        }),
        (
            "话术以标签“演讲:”开头",
            base_edit(23, "[\"我们", "[\"演讲:我们", 1),
        ),
        (
            "第 2 步的文字以编号“(2)”开头",
            base_edit(22, "\"大堂经理", "\"(2)大堂经理", 0),
        ),
        (
            "链接的卡片 teller-unskiled 不存在",
            base_edit(
                31,
                "\"teller-unfamiliar-business\"",
                "\"teller-unskiled\"",
                0,
            ),
        ),
        ("文件是空的（0 字节或只有空白）", {
            Made {
                files: vec![(BASE, base().into_bytes()), ("05-new.ron", Vec::new())],
                dir: None,
                at: ("05-new.ron", Some((1, 1))),
                after_good: false,
            }
        }),
        ("文件是空的（没有 Chapter(...)）", {
            Made {
                files: vec![
                    (BASE, base().into_bytes()),
                    ("05-new.ron", b"// 05 new chapter\n".to_vec()),
                ],
                dir: None,
                at: ("05-new.ron", Some((1, 1))),
                after_good: false,
            }
        }),
        (
            "“喆”（U+5586）不在程序自带的字体里",
            base_edit(15, "小朱", "小喆", 1),
        ),
        (
            "这个文件看起来是卡片文件，但扩展名不是 .ron，没有读取",
            {
                Made {
                    files: vec![
                        (BASE, base().into_bytes()),
                        ("05-新卡片.ron.txt", base().into_bytes()),
                    ],
                    dir: None,
                    at: ("05-新卡片.ron.txt", None),
                    after_good: false,
                }
            },
        ),
        ("这是一个目录，名字却以 .ron 结尾", {
            Made {
                files: vec![(BASE, base().into_bytes())],
                dir: Some("05-新卡片.ron"),
                at: ("05-新卡片.ron", None),
                after_good: false,
            }
        }),
        ("文件是 GBK/GB18030 编码", {
            let text = base();
            let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
            assert!(!lossy);
            Made {
                files: vec![(BASE, gbk.into_owned())],
                dir: None,
                at: (BASE, None),
                after_good: false,
            }
        }),
        ("第 301 个字节无法识别", {
            // A byte neither UTF-8 nor GBK, as a damaged copy leaves.
            let mut bytes = base().into_bytes();
            bytes[300] = 0xFF;
            let line = bytes[..300].split(|&b| b == b'\n').count();
            Made {
                files: vec![(BASE, bytes)],
                dir: None,
                at: (BASE, Some((u32::try_from(line).unwrap(), 0))),
                after_good: false,
            }
        }),
        (
            "这个文件现在有错误，窗口里仍在使用它上次没有错误的版本",
            {
                let mut t = base();
                edit(&mut t, 12, "\",", "\"，");
                Made {
                    after_good: true,
                    ..Made::base_file(t, None)
                }
            },
        ),
        (
            "话术里有“保本保息”：不能向客户承诺本金和收益",
            {
                // The example rules beside the chapter, a script that promises.
                let mut t = base();
                let at = edit(&mut t, 23, "[\"我们", "[\"保本保息，我们");
                Made {
                    files: vec![
                        (BASE, t.into_bytes()),
                        (
                            "rules.ron",
                            std::fs::read("docs/rules-example.ron").unwrap(),
                        ),
                    ],
                    dir: None,
                    at: (BASE, Some((at.0, at.1 + 2))),
                    after_good: false,
                }
            },
        ),
        (
            "卡片“客户不配合证件核实”是草稿，还没有审核",
            {
                // Not a mistake: the bundled chapter has a draft. Reported at
                // the card.
                let t = base();
                let draft = t.lines().position(|l| l.contains("status: Draft")).unwrap();
                let lines: Vec<&str> = t.lines().take(draft).collect();
                let card = lines.iter().rposition(|l| l.contains("Card(")).unwrap();
                let at = first_token(&t, card + 1);
                Made::base_file(t, Some(at))
            },
        ),
    ]
}

/// The first column of each row of the guide's error table.
fn table_rows() -> Vec<String> {
    let doc = std::fs::read_to_string("docs/editing.md").unwrap();
    let section = &doc[doc.find("## 常见错误提示").unwrap()..];
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.split('|').nth(1).unwrap().trim().to_owned())
        .collect()
}

/// Text compared without backticks and blanks: the guide's table cannot
/// show backticks inside code spans, the messages quote with them.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '`' && !c.is_whitespace())
        .collect()
}

fn load(made: &Made) -> (tempfile::TempDir, Vec<Diagnostic>) {
    let dir = tempfile::tempdir().unwrap();
    let mut loader = Loader::default();
    if made.after_good {
        std::fs::write(dir.path().join(BASE), base()).unwrap();
        let good = loader.load(&[dir.path().to_path_buf()]);
        assert_eq!(good.error_count(), 0);
    }
    for (name, bytes) in &made.files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    if let Some(sub) = made.dir {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    let diagnostics = loader.load(&[dir.path().to_path_buf()]).diagnostics;
    (dir, diagnostics)
}

#[test]
fn every_row_of_the_error_table_is_a_real_mistake() {
    let rows = table_rows();
    let mistakes = mistakes();
    let made: Vec<&str> = mistakes.iter().map(|(row, _)| *row).collect();
    assert_eq!(
        rows, made,
        "the guide's table and this test's mistakes differ"
    );
    for (row, made) in &mistakes {
        let (dir, diagnostics) = load(made);
        let shown: Vec<String> = diagnostics
            .iter()
            .map(|d| d.to_string().replace(&dir.path().display().to_string(), ""))
            .collect();
        let found = diagnostics
            .iter()
            .find(|d| plain(&d.text()).contains(&plain(row)))
            .unwrap_or_else(|| panic!("no message like {row:?} in {shown:#?}"));
        let (file, pos) = made.at;
        assert_eq!(
            found.path.file_name().unwrap().to_string_lossy(),
            file,
            "{row}: {shown:#?}"
        );
        let found_pos = found.pos.map(|p| (p.line, p.col));
        match pos {
            // A byte offset names the line; the column is not asserted.
            Some((line, 0)) => assert_eq!(found_pos.map(|p| p.0), Some(line), "{row}"),
            _ => assert_eq!(found_pos, pos, "{row}: {shown:#?}"),
        }
    }
}
