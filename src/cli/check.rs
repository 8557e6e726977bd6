//! `huashu check`: every problem in the content, then a summary.

use std::io::Write;

use std::process::ExitCode;

use anyhow::Context as _;

use std::path::{Path, PathBuf};

use super::output::Painter;
use crate::content::{Diagnostic, Loaded};

/// The `--data` paths when every one is a content file (not a folder)
/// and no config is given: they are checked with their folders.
pub fn files_alone(data: &[PathBuf], config: Option<&Path>) -> Option<Vec<PathBuf>> {
    (config.is_none() && !data.is_empty() && data.iter().all(|p| p.is_file()))
        .then(|| data.to_vec())
}

/// The folders `files` are in, each once, in order.
pub fn folders_of(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for f in files {
        let folder = match f.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    folders
}

/// Every problem (of `only`'s files when given), then a summary.
pub fn run(
    loaded: &Loaded,
    only: Option<&[PathBuf]>,
    out: &mut impl Write,
    painter: Painter,
) -> anyhow::Result<ExitCode> {
    // The files named, as the paths loaded spell them or canonically (each
    // path canonicalized once).
    let given: Option<Vec<(&Path, Option<PathBuf>)>> = only.map(|files| {
        files
            .iter()
            .map(|f| (f.as_path(), f.canonicalize().ok()))
            .collect()
    });
    let wanted = |p: &Path| {
        given.as_ref().is_none_or(|files| {
            let canonical = std::cell::OnceCell::new();
            files.iter().any(|(f, fc)| {
                *f == p || fc.is_some() && canonical.get_or_init(|| p.canonicalize().ok()) == fc
            })
        })
    };
    let shown: Vec<&Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| wanted(&d.path))
        .collect();
    if let Some(files) = only {
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        eprintln!(
            "huashu: 和所在目录的其他文件一起检查 {}：指向其他文件里卡片的链接、目录里的 rules.ron 和同义词都算在内；只列出这些文件的问题",
            names.join("、")
        );
    }
    for d in &shown {
        writeln!(out, "{}", painter.diagnostic(d)).context("无法输出结果")?;
    }
    let library = &loaded.library;
    // Per file of the library, not per card.
    let wanted_files: Vec<bool> = library.files.iter().map(|f| wanted(f)).collect();
    let cards = library
        .cards
        .iter()
        .filter(|c| wanted_files.get(c.origin.file).copied().unwrap_or(false))
        .count();
    let file_count = only.map_or(loaded.file_count, <[PathBuf]>::len);
    let errors = shown.iter().filter(|d| d.is_error()).count();
    let warnings = shown.len() - errors;
    // A file not read at all loses its cards however it is reported.
    let not_read = shown.iter().filter(|d| d.not_read).count();
    let unread = if not_read > 0 {
        format!("，{not_read} 个文件没有读取（它们的卡片不在窗口里）")
    } else {
        String::new()
    };
    writeln!(
        out,
        "{cards} 张卡片，{file_count} 个文件，{errors} 个错误，{warnings} 个提示{unread}",
    )
    .context("无法输出结果")?;
    Ok(if errors > 0 || not_read > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
