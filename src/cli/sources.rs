//! `huashu sources`: each content source, its state and what it gave.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::content::sources::{Setup, SourceReport, SourceState};

pub fn run(setup: &Setup, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let loaded = setup.sources().load();
    let config = setup.config_file.as_ref().map_or_else(
        || "没有（用默认设置）".to_owned(),
        |p| p.display().to_string(),
    );
    writeln!(out, "内容来源：{}", setup.chosen).context("无法输出结果")?;
    writeln!(out, "配置文件：{config}").context("无法输出结果")?;
    writeln!(out, "离线副本：{}", setup.places.cache_dir.display()).context("无法输出结果")?;
    let hotkey = match setup.config.hotkey() {
        Ok(Some(key)) => format!("{key}（在任何程序里按下，窗口就到最前面）"),
        Ok(None) => "不用（配置文件里 hotkey: None）".to_owned(),
        Err(e) => format!("写错了，窗口不注册快捷键：{e}"),
    };
    writeln!(out, "呼出快捷键：{hotkey}").context("无法输出结果")?;
    for (n, report) in loaded.reports.iter().enumerate() {
        writeln!(out, "{}. {}", n + 1, line(report)).context("无法输出结果")?;
    }
    writeln!(
        out,
        "窗口显示 {} 张卡片，{} 个错误",
        loaded.loaded.library.cards.len(),
        loaded.loaded.error_count()
    )
    .context("无法输出结果")?;
    // Unreachable or broken sources are not an error while a cache covers
    // them; a settling one shows what it showed before.
    let failed = loaded.reports.iter().any(|r| {
        matches!(
            r.state,
            SourceState::Unreachable(_) | SourceState::Broken(_) | SourceState::Rejected(_)
        ) && r.using_cache.is_none()
    });
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Says on stderr which sources are shown from their offline copy (or
/// their last accepted state), for the commands that print cards: what
/// they print is not what the folder holds now.
pub fn say_offline(reports: &[SourceReport]) {
    for r in reports {
        if r.using_cache.is_some() || matches!(r.state, SourceState::Settling(Some(_))) {
            eprintln!("huashu: 注意：{}", line(r));
        }
    }
}

/// `中心  \\server\share  无法访问（…）；使用 … 的离线副本，2000 张卡片，来自 10 个文件`.
fn line(r: &SourceReport) -> String {
    let dirs: Vec<String> = r
        .spec
        .dirs()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let place = if dirs.is_empty() {
        "（程序内置）".to_owned()
    } else {
        dirs.join(" + ")
    };
    let state = match &r.state {
        SourceState::Ok => "正常".to_owned(),
        SourceState::Unreachable(why) => format!("无法访问（{why}）"),
        SourceState::Broken(n) => format!("有 {n} 个错误"),
        SourceState::Settling(Some(when)) => {
            format!("正在更新（等待文件写完），暂时显示 {when} 的离线副本")
        }
        SourceState::Settling(None) => "正在更新（等待文件写完），还没有离线副本".to_owned(),
        SourceState::Rejected(why) => format!("没有通过验证：{why}"),
        SourceState::Emptied(files) => {
            let names: Vec<String> = files
                .iter()
                .map(|(p, had)| {
                    let name = p.file_name().unwrap_or(p.as_os_str()).to_string_lossy();
                    format!("{name}（原有 {had} 张）")
                })
                .collect();
            format!("{}的卡片全部不见了（可能是复制没有完成）", names.join("、"))
        }
    };
    let cache = match (&r.using_cache, r.cache_refreshed) {
        (Some(when), _) => format!("；使用 {when} 的离线副本"),
        (None, true) => "；离线副本已更新".to_owned(),
        (None, false) => String::new(),
    };
    let kind = match r.spec.kind() {
        "builtin" => "内置",
        "central" => "中心",
        "local" => "本地",
        _ => "目录",
    };
    let release = r.release.as_ref().map_or_else(String::new, |v| {
        format!(
            "\n   内容版本 {} · {} · {} · {}",
            v.version,
            v.publisher,
            v.published,
            if v.signed {
                "签名已验证"
            } else {
                "未签名（配置文件里没有 trust）"
            }
        )
    });
    let cards = match (r.cards, r.replaced) {
        // Every card replaced (a central folder holding the built-in cards):
        // said as such, not as a source that gives nothing.
        (0, n) if n > 0 => format!("{n} 张卡片，都被后面的来源里同 id 的卡片替换"),
        (cards, 0) => format!("{cards} 张卡片"),
        (cards, n) => format!("{cards} 张卡片（另有 {n} 张被后面的来源里同 id 的卡片替换）"),
    };
    let mut line = format!(
        "{kind}  {place}  {state}{cache}，{cards}，来自 {} 个文件{release}",
        r.files
    );
    for title in &r.stale {
        let _ = write!(
            line,
            "\n   本网点修改的“{title}”是在旧版本上改的，原来的卡片已经更新"
        );
    }
    line
}
