//! `huashu export --html OUT_DIR`: printable handouts of the cards.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::content::{Loaded, export};

pub fn run(loaded: &Loaded, dir: &Path) -> anyhow::Result<ExitCode> {
    // A handout missing a broken file's cards would mislead: fix first.
    let code = super::output::report_errors(loaded);
    if code != ExitCode::SUCCESS {
        eprintln!("内容有错误，没有导出：改正上面的错误后再导出");
        return Ok(code);
    }
    let made = crate::usage::today();
    let files = export::html(&loaded.library, &made);
    for file in &files {
        let path = dir.join(&file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("无法创建目录 {}", parent.display()))?;
        }
        crate::atomic::write(&path, &file.bytes)
            .with_context(|| format!("无法写入 {}", path.display()))?;
    }
    eprintln!(
        "已导出 {} 张卡片、{} 章到 {}：用浏览器打开 index.html 打印（A4）",
        loaded.library.cards.len(),
        loaded.library.chapters.len(),
        dir.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}
