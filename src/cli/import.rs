//! `huashu import INPUT.txt [-o OUTPUT] [--force]`: the manual's plain
//! text → RON content files that pass `check`.
//!
//! Safety: nothing is written when any output exists (without `--force`),
//! when an output is the input, or when the result would not load; each
//! file is written to a temporary name beside it, then renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::output::Painter;
use crate::content::import::{self, Imported};
use crate::content::{self, Diagnostic, MAX_FILE_BYTES, decode, reimport, write};

pub fn run(
    input: &Path,
    output: Option<&Path>,
    force: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let painter = Painter::for_stream(&std::io::stderr());
    let bytes = read_input(input)?;
    let decoded = decode::decode(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}:{}:{}: 输入既不是 UTF-8 也不是 GBK/GB18030 文本（第 {} 个字节）",
            input.display(),
            e.line,
            e.col,
            e.offset + 1
        )
    })?;
    if let Some(encoding) = decoded.encoding {
        eprintln!("{}: note: 按 {encoding} 编码读取", input.display());
    }
    let mut imported = import::import(&decoded.text);
    for w in &imported.warnings {
        let d = Diagnostic::warning(input, Some(w.pos), w.message.as_str());
        eprintln!("{}", painter.diagnostic(&d));
    }
    let chapters = imported.library.chapters.len();
    if let Some(why) = &imported.nothing {
        bail!("{} 里没有找到场景：{why}", input.display());
    }
    // Into content that already has cards: update them, never duplicate.
    let targets = match output.filter(|o| o.exists()) {
        Some(o) => {
            let existing = content::load_dirs(&[o.to_path_buf()]).library;
            if existing.cards.is_empty() {
                Vec::new()
            } else {
                let (targets, changes) = reimport::reconcile(&mut imported.library, &existing);
                print_changes(&changes);
                targets
            }
        }
        None => Vec::new(),
    };
    let mut files = render(&imported, input, output)?;
    for ((path, _), target) in files.iter_mut().zip(&targets) {
        if let Some(t) = target {
            path.clone_from(t);
        }
    }
    check_loads(&files)?;

    if output.is_none() {
        // One chapter, no -o: the file goes to stdout.
        for (_, text) in &files {
            out.write_all(text.as_bytes()).context("无法输出结果")?;
        }
    } else {
        refuse_unsafe(&files, input, force)?;
        for (path, text) in &files {
            crate::atomic::write(path, text.as_bytes())
                .with_context(|| format!("无法写入 {}", path.display()))?;
        }
    }
    let written: Vec<String> = files
        .iter()
        .filter(|_| output.is_some())
        .map(|(p, _)| p.display().to_string())
        .collect();
    eprintln!(
        "从 {} 导入了 {} 张卡片（{} 张草稿），{} 章{}；{} 个提示",
        input.display(),
        imported.library.cards.len(),
        imported.draft_count(),
        chapters,
        if written.is_empty() {
            String::new()
        } else {
            format!("，写入 {}", written.join("、"))
        },
        imported.warnings.len(),
    );
    Ok(ExitCode::SUCCESS)
}

/// What re-importing changes, card by card and paragraph by paragraph
/// (stderr).
fn print_changes(changes: &[reimport::Change]) {
    use reimport::Change;
    let count = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
    eprintln!(
        "与已有的卡片对照：{} 张不变，{} 张更新，{} 张新增，{} 张手册里没有（保留）",
        count(|c| matches!(c, Change::Unchanged(..))),
        count(|c| matches!(c, Change::Updated(..))),
        count(|c| matches!(c, Change::New(..))),
        count(|c| matches!(c, Change::Kept(..))),
    );
    for change in changes {
        match change {
            Change::Unchanged(..) => {}
            Change::Updated(id, title, edits) => {
                eprintln!(
                    "  更新  {id}  {title}（{}）",
                    reimport::Edit::parts(edits).join("、")
                );
                for edit in edits {
                    let place = format!("{} {}", edit.part, edit.place);
                    match (&edit.old, &edit.new) {
                        (Some(old), Some(new)) => {
                            let (old, new) = reimport::around_difference(old, new, 40);
                            eprintln!("      {place}\n        - {old}\n        + {new}");
                        }
                        (Some(old), None) => eprintln!("      {place} 删去：{}", short(old)),
                        (None, Some(new)) => eprintln!("      {place} 新增：{}", short(new)),
                        (None, None) => {}
                    }
                }
            }
            Change::New(id, title) => eprintln!("  新增  {id}  {title}"),
            Change::Kept(id, title, file) => {
                eprintln!(
                    "  保留  {id}  {title}（手册里没有，仍留在 {} 里）",
                    file.display()
                );
            }
        }
    }
}

/// At most 40 characters of `s`.
fn short(s: &str) -> String {
    reimport::around_difference(s, s, 40).0
}

fn read_input(input: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(input).with_context(|| format!("无法读取 {}", input.display()))?;
    if meta.is_dir() {
        bail!("{} 是一个目录；请给出要导入的文本文件", input.display());
    }
    if meta.len() > MAX_FILE_BYTES {
        bail!(
            "{} 超过 {} MiB；请按章拆开再导入",
            input.display(),
            MAX_FILE_BYTES / 1024 / 1024
        );
    }
    std::fs::read(input).with_context(|| format!("无法读取 {}", input.display()))
}

/// The files to write: `(path, text)`, one per chapter.
fn render(
    imported: &Imported,
    input: &Path,
    output: Option<&Path>,
) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let source = input.file_name().map_or_else(
        || input.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let library = &imported.library;
    let header = |chapter: usize| {
        let mut lines = vec![
            "话术助手内容文件：一个文件是手册的一章。".to_owned(),
            format!("由 `huashu import` 从 {source} 导入；改过之后用 `huashu check` 检查。"),
        ];
        // Re-imported cards keep the aliases trainers gave them.
        let bare = library
            .cards
            .iter()
            .filter(|c| library.sections[c.section].chapter == chapter && c.aliases.is_empty())
            .count();
        if bare > 0 {
            lines.push(format!(
                "有 {bare} 张卡片的别名（aliases）是空的：请补上大堂经理会输入的说法。"
            ));
        }
        lines
    };
    let comments = |card: usize| {
        imported
            .problems
            .get(card)
            .map(|p| p.iter().map(|p| format!("导入警告：{p}")).collect())
            .unwrap_or_default()
    };
    let names = import::file_names(imported);
    let chapters = library.chapters.len();
    let single_file =
        output.is_none_or(|o| o.extension().is_some_and(|e| e.eq_ignore_ascii_case("ron")));
    if single_file && chapters > 1 {
        bail!("输入里有 {chapters} 章，每章一个文件：-o 后面请写一个目录（例如 -o data/）");
    }
    Ok((0..chapters)
        .map(|c| {
            let text = write::chapter_file(library, c, &header(c), &comments);
            let path = match output {
                Some(o) if single_file => o.to_path_buf(),
                Some(dir) => dir.join(&names[c]),
                None => PathBuf::from(&names[c]),
            };
            (path, text)
        })
        .collect())
}

/// The written files must load without errors (else it is our bug).
fn check_loads(files: &[(PathBuf, String)]) -> anyhow::Result<()> {
    let mut diagnostics = Vec::new();
    let in_memory: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|(p, t)| (p.clone(), t.clone().into_bytes()))
        .collect();
    content::build(&in_memory, &mut diagnostics);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        bail!("导入的卡片无法加载，什么也没有写：\n{}", errors.join("\n"))
    }
}

/// Refuses to overwrite (without `force`) and to write over the input.
fn refuse_unsafe(files: &[(PathBuf, String)], input: &Path, force: bool) -> anyhow::Result<()> {
    let input =
        std::fs::canonicalize(input).with_context(|| format!("无法读取 {}", input.display()))?;
    let mut existing = Vec::new();
    for (path, _) in files {
        if let Ok(canonical) = std::fs::canonicalize(path) {
            if canonical == input {
                bail!(
                    "{} 就是输入文件；导入绝不写入正在读取的文件",
                    path.display()
                );
            }
            existing.push(path.display().to_string());
        }
    }
    if !existing.is_empty() && !force {
        bail!(
            "没有覆盖 {}（什么也没有写）；要替换请加 --force",
            existing.join(", ")
        );
    }
    Ok(())
}
