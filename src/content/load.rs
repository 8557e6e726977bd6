//! Reading content from directories, or from the copy built into the binary.
//! This is the only part of `content` that touches the file system.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::content::decode::{self, Decoded};
use crate::content::diagnostic::{Diagnostic, Pos};
use crate::content::validate::{self, FileText};
use crate::model::Library;

/// Files above this size are refused unread (a content file is a few KiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// How deep `load_dirs` looks into sub-directories.
const MAX_DEPTH: usize = 8;

/// Where the content came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Dirs(Vec<PathBuf>),
    Builtin,
}

/// The result of a load: whatever could be loaded, and every problem found.
#[derive(Debug)]
pub struct Loaded {
    pub library: Library,
    pub diagnostics: Vec<Diagnostic>,
    /// How many content files were found (loaded or not).
    pub file_count: usize,
    pub origin: Origin,
}

impl Loaded {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// Path shown for built-in files.
pub const BUILTIN_PREFIX: &str = "<built-in>/data";

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_data.rs"));
}

/// The built-in files: `(path relative to data/, bytes)`, sorted.
pub fn builtin_files() -> &'static [(&'static str, &'static [u8])] {
    builtin::FILES
}

/// Loads the content compiled into the binary (a copy of `data/`).
pub fn load_builtin() -> Loaded {
    let mut diagnostics = Vec::new();
    let files = builtin_files()
        .iter()
        .map(|(rel, bytes)| {
            (
                PathBuf::from(format!("{BUILTIN_PREFIX}/{rel}")),
                bytes.to_vec(),
            )
        })
        .collect::<Vec<_>>();
    let file_count = files.len();
    let library = build(files, &mut diagnostics);
    Loaded {
        library,
        diagnostics,
        file_count,
        origin: Origin::Builtin,
    }
}

/// Loads every `*.ron` under each directory, directories in the given order,
/// files sorted by path within each.
pub fn load_dirs(dirs: &[PathBuf]) -> Loaded {
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    let mut file_count = 0;
    for dir in dirs {
        let mut paths = Vec::new();
        match std::fs::metadata(dir) {
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    dir,
                    None,
                    format!("找不到内容目录：{}", io_reason(&e)),
                ));
                continue;
            }
            Ok(m) if !m.is_dir() => {
                diagnostics.push(Diagnostic::error(dir, None, "这不是一个目录"));
                continue;
            }
            Ok(_) => collect(dir, 0, &mut paths, &mut diagnostics),
        }
        paths.sort();
        if paths.is_empty() {
            diagnostics.push(
                Diagnostic::warning(dir, None, "目录里没有 .ron 内容文件")
                    .with_help("卡片文件的扩展名必须是 .ron"),
            );
        }
        file_count += paths.len();
        for path in paths {
            match read_limited(&path) {
                Ok(bytes) => files.push((path, bytes)),
                Err(d) => diagnostics.push(d),
            }
        }
    }
    let library = build(files, &mut diagnostics);
    Loaded {
        library,
        diagnostics,
        file_count,
        origin: Origin::Dirs(dirs.to_vec()),
    }
}

/// Decodes and validates files that are already in memory (pure).
pub fn build(files: Vec<(PathBuf, Vec<u8>)>, diagnostics: &mut Vec<Diagnostic>) -> Library {
    let order: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let mut texts = Vec::with_capacity(files.len());
    let mut decode_diags = Vec::new();
    for (path, bytes) in files {
        match decode_file(&path, &bytes) {
            Ok((text, warning)) => {
                decode_diags.extend(warning);
                texts.push(FileText { path, text });
            }
            Err(d) => decode_diags.push(d),
        }
    }
    let mut content_diags = Vec::new();
    let library = validate::build_library(texts, &mut content_diags);
    // Keep each file's problems together, in load order.
    let mut all: Vec<Diagnostic> = decode_diags;
    all.append(&mut content_diags);
    all.sort_by_key(|d| {
        (
            order
                .iter()
                .position(|p| *p == d.path)
                .unwrap_or(usize::MAX),
            d.pos.is_some(),
            d.pos,
        )
    });
    diagnostics.append(&mut all);
    library
}

fn decode_file(path: &Path, bytes: &[u8]) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    match decode::decode(bytes) {
        Ok(Decoded {
            text,
            encoding: None,
        }) => Ok((text, None)),
        Ok(Decoded {
            text,
            encoding: Some(name),
        }) => {
            let label = if name == "gb18030" {
                "GBK/GB18030"
            } else {
                name
            };
            let warning = Diagnostic::warning(
                path,
                None,
                format!("文件是 {label} 编码，已按 {label} 读取"),
            )
            .with_help("建议在记事本里“另存为”，编码选 UTF-8");
            Ok((text, Some(warning)))
        }
        Err(e) => Err(Diagnostic::error(
            path,
            Some(Pos::new(e.line, e.col)),
            format!(
                "第 {} 个字节无法识别：文件既不是 UTF-8 也不是 GBK 文本",
                e.offset + 1
            ),
        )
        .with_help("用记事本打开检查这一行，然后“另存为”UTF-8 编码；整个文件没有加载")),
    }
}

fn read_limited(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let too_big = || {
        Diagnostic::error(
            path,
            None,
            format!(
                "文件太大（超过 {} MiB），没有读取",
                MAX_FILE_BYTES / 1024 / 1024
            ),
        )
        .with_help("一个内容文件通常只有几十 KiB；把内容拆到多个文件里")
    };
    let cant_read = |e: &std::io::Error| {
        Diagnostic::error(path, None, format!("无法读取文件：{}", io_reason(e)))
    };
    let file = std::fs::File::open(path).map_err(|e| cant_read(&e))?;
    if file.metadata().is_ok_and(|m| m.len() > MAX_FILE_BYTES) {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cant_read(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

fn collect(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                dir,
                None,
                format!("无法读取目录：{}", io_reason(&e)),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        // Hidden files, editor backups and lock files are not content.
        if name.to_string_lossy().starts_with(['.', '~', '#']) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if depth < MAX_DEPTH {
                collect(&path, depth + 1, out, diagnostics);
            }
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
        {
            out.push(path);
        }
    }
}

/// A short Chinese reason for common I/O errors, with the system's text.
fn io_reason(e: &std::io::Error) -> String {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "不存在",
        std::io::ErrorKind::PermissionDenied => "没有权限",
        _ => "读取失败",
    };
    format!("{what}（{e}）")
}

/// The default content: the given directories; with none, `./data` when it
/// exists, else the built-in copy.
pub fn load(dirs: &[PathBuf]) -> Loaded {
    if !dirs.is_empty() {
        return load_dirs(dirs);
    }
    let local = PathBuf::from("data");
    if local.is_dir() {
        load_dirs(&[local])
    } else {
        load_builtin()
    }
}
