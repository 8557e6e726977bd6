//! `huashu keygen` and `huashu publish`: the training team's key, and
//! versions of the content written to the central folder (see
//! `content::publish`).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::Painter;
use crate::content::publish::{self, Publication, SecretKey};
use crate::content::{Loaded, load_dirs, walk};
use crate::model::Card;

pub fn keygen(out_file: &Path, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let (public, unrestricted) = publish::keygen(out_file)?;
    if let Some(why) = unrestricted {
        writeln!(
            out,
            "注意：没能把 {} 设为只有你能读（{why}）。请在文件属性的“安全”里只留你自己的账户。",
            out_file.display()
        )
        .context("无法输出结果")?;
    }
    writeln!(
        out,
        "已生成签名密钥：{}（只有你能读；不要放在共享目录里，也不要发给柜台）\n\
         把下面这一行加到各柜台配置文件的 trust 里：\n    trust: [\"{public}\"],",
        out_file.display()
    )
    .context("无法输出结果")?;
    Ok(ExitCode::SUCCESS)
}

/// What to publish.
pub struct Args<'a> {
    pub from: Option<&'a Path>,
    pub to: &'a Path,
    pub key: Option<&'a Path>,
    pub publisher: Option<&'a str>,
    pub keep: usize,
    pub expires_days: i64,
    pub list: bool,
    pub rollback: Option<u64>,
}

pub fn run(args: &Args<'_>, painter: Painter, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    if args.list {
        return list(args.to, out);
    }
    let key = args
        .key
        .map(SecretKey::read)
        .transpose()
        .context("读取签名密钥")?;
    let publisher = args.publisher.map_or_else(default_publisher, str::to_owned);
    let how = Publication {
        publisher: &publisher,
        key: key.as_ref(),
        expires_days: args.expires_days,
        keep: args.keep,
        rollback_of: args.rollback,
    };
    let files = match (args.rollback, args.from) {
        (Some(version), _) => publish::files_of(args.to, version)?,
        (None, Some(from)) => {
            let loaded = load_dirs(&[from.to_path_buf()]);
            if loaded.error_count() > 0 {
                crate::cli::check::run(&loaded, None, out, painter)?;
                writeln!(out, "内容有错误，没有发布（什么也没有写）").context("无法输出结果")?;
                return Ok(ExitCode::FAILURE);
            }
            relative_files(from)?
        }
        (None, None) => anyhow::bail!("要写 --from 内容目录（或 --rollback 版本号，或 --list）"),
    };
    let plain = !publish::is_published(args.to) && has_loose_files(args.to);
    let manifest = publish::publish(args.to, &files, &how)?;
    let signed = match &key {
        Some(k) => format!("已签名（{}）", k.public()),
        None => "没有签名（柜台配置了 trust 时不会接受；发布时加 --key）".to_owned(),
    };
    let what = match args.rollback {
        Some(v) => format!("把第 {v} 版重新发布为"),
        None => "已发布".to_owned(),
    };
    writeln!(
        out,
        "{what}第 {} 版：{} 个文件，{} · {} · 有效期到 {}，{signed}",
        manifest.version,
        manifest.files.len(),
        manifest.publisher,
        manifest.published,
        expiry(manifest.expires_unix)
    )
    .context("无法输出结果")?;
    if plain {
        writeln!(
            out,
            "{} 原来直接放着卡片文件；现在改为按版本发布（versions/ 和 {}），柜台只读发布的版本，原来的文件不再被读取。所有柜台升级到这个版本的程序后，可以删除原来的文件。",
            args.to.display(),
            publish::POINTER
        )
        .context("无法输出结果")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn expiry(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default()
}

fn default_publisher() -> String {
    ["USERNAME", "USER"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "未署名".to_owned())
}

/// The content files under `from`, paths relative to it with `/`.
fn relative_files(from: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let (paths, _) = if from.is_file() {
        (vec![from.to_path_buf()], Vec::new())
    } else {
        walk::walk(from).map_err(|e| anyhow::anyhow!("无法读取目录 {}：{e}", from.display()))?
    };
    paths
        .into_iter()
        .map(|path| {
            let name = if from.is_file() {
                path.file_name().map(|n| n.to_string_lossy().into_owned())
            } else {
                path.strip_prefix(from).ok().map(|rel| {
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
            }
            .unwrap_or_default();
            let bytes =
                std::fs::read(&path).with_context(|| format!("无法读取 {}", path.display()))?;
            Ok((name, bytes))
        })
        .collect()
}

/// Content files lying directly in the central folder (today's layout).
fn has_loose_files(central: &Path) -> bool {
    walk::walk(central).is_ok_and(|(found, _)| {
        found
            .iter()
            .any(|p| !p.starts_with(central.join(publish::VERSIONS)))
    })
}

/// `--list`: every version kept, newest first: when, who, cards changed
/// since the version before.
fn list(central: &Path, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let current = std::fs::read_to_string(central.join(publish::POINTER))
        .ok()
        .and_then(|t| ron::from_str::<publish::Pointer>(&t).ok())
        .map(|p| p.version);
    let versions = publish::versions(central);
    if versions.is_empty() {
        writeln!(
            out,
            "{} 还没有发布过（用 huashu publish --from 内容目录 --to {} 发布）",
            central.display(),
            central.display()
        )
        .context("无法输出结果")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut previous: Option<BTreeMap<String, Card>> = None;
    let mut lines = Vec::new();
    for version in &versions {
        let cards = cards_of(central, *version);
        let manifest = publish::manifest_of(central, *version);
        let changed = match &previous {
            Some(before) => format!("，{} 张卡片有变化", changed(before, &cards)),
            None => format!("，{} 张卡片", cards.len()),
        };
        let line = match manifest {
            Ok(m) => format!(
                "第 {} 版  {}  {}{}{}{}",
                m.version,
                m.published,
                m.publisher,
                m.rollback_of
                    .map(|r| format!("  （重新发布第 {r} 版）"))
                    .unwrap_or_default(),
                changed,
                if current == Some(*version) {
                    "  ← 柜台正在用"
                } else {
                    ""
                }
            ),
            Err(e) => format!("第 {version} 版  清单读不出来：{e}"),
        };
        lines.push(line);
        previous = Some(cards);
    }
    for line in lines.iter().rev() {
        writeln!(out, "{line}").context("无法输出结果")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn cards_of(central: &Path, version: u64) -> BTreeMap<String, Card> {
    let loaded: Loaded = load_dirs(&[publish::version_dir(central, version)]);
    loaded
        .library
        .cards
        .into_iter()
        .map(|c| (c.id.as_str().to_owned(), c))
        .collect()
}

/// Cards added, removed or changed (their text, not where they were read).
fn changed(before: &BTreeMap<String, Card>, now: &BTreeMap<String, Card>) -> usize {
    let same = |a: &Card, b: &Card| {
        a.title == b.title
            && a.aliases == b.aliases
            && a.scene == b.scene
            && a.steps == b.steps
            && a.view == b.view
            && a.links == b.links
    };
    let gone = before.keys().filter(|k| !now.contains_key(*k)).count();
    let new_or_changed = now
        .iter()
        .filter(|(k, c)| before.get(*k).is_none_or(|b| !same(b, c)))
        .count();
    gone + new_or_changed
}
