//! Reading content from directories, or from the copy built into the binary.
//! This is the only part of `content` that touches the file system.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::content::assemble::{self, FileText};
use crate::content::decode::{self, Decoded};
use crate::content::diagnostic::{Diagnostic, LineIndex, Pos};
use crate::content::walk;
use crate::model::Library;

/// Files above this size are refused unread (a content file is a few KiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where the content came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadedFrom {
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
    pub origin: LoadedFrom,
    /// Files that have errors now and are shown as they last loaded
    /// without errors (see [`Loader`]).
    pub kept: Vec<PathBuf>,
}

impl Loaded {
    /// Nothing loaded (yet).
    pub fn empty() -> Self {
        Self {
            library: Library::default(),
            diagnostics: Vec::new(),
            file_count: 0,
            origin: LoadedFrom::Dirs(Vec::new()),
            kept: Vec::new(),
        }
    }

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
    let Read {
        files, file_count, ..
    } = read_builtin();
    let library = build(&files, &mut diagnostics);
    Loaded {
        library,
        diagnostics,
        file_count,
        origin: LoadedFrom::Builtin,
        kept: Vec::new(),
    }
}

/// Loads every `*.ron` under each directory, directories in the given order,
/// files sorted by path within each.
pub fn load_dirs(dirs: &[PathBuf]) -> Loaded {
    Loader::default().load(dirs)
}

/// Remembers each file's last version that loaded without errors, to use
/// while the file is broken, unreadable, or its directory is gone — so a
/// half-finished edit never takes cards off the counter (live reload).
#[derive(Debug, Default)]
pub struct Loader {
    last_good: BTreeMap<PathBuf, Vec<u8>>,
    /// The files as last parsed: a reload parses only those that changed.
    parsed: assemble::ParseCache,
}

impl Loader {
    /// Loads `dirs` as one source, with last good versions of broken files.
    pub fn load(&mut self, dirs: &[PathBuf]) -> Loaded {
        let mut parsed = std::mem::take(&mut self.parsed);
        let input = LayerInput {
            read: read_dirs(dirs),
            dirs: dirs.to_vec(),
            fallback: Fallback::PerFile(self),
        };
        let (library, diagnostics, outputs) = load_layers(vec![input], &mut parsed);
        self.parsed = parsed;
        let (file_count, kept) = outputs
            .into_iter()
            .next()
            .map(|o| (o.file_count, o.kept))
            .unwrap_or_default();
        Loaded {
            library,
            diagnostics,
            file_count,
            origin: LoadedFrom::Dirs(dirs.to_vec()),
            kept,
        }
    }

    /// Puts last good versions in place of the `failed` files of `read`
    /// (and of files lost with a failed directory), remembers the others.
    /// Returns the files replaced.
    fn substitute(
        &mut self,
        read: &mut Read,
        failed: &BTreeSet<PathBuf>,
        dirs: &[PathBuf],
    ) -> Vec<PathBuf> {
        let mut kept = Vec::new();
        for (path, bytes) in &mut read.files {
            if failed.contains(path) {
                if let Some(good) = self.last_good.get(path.as_path()) {
                    bytes.clone_from(good);
                    kept.push(path.clone());
                }
            } else {
                self.last_good.insert(path.clone(), bytes.clone());
            }
        }
        for (path, good) in &self.last_good {
            let present = read.files.iter().any(|(p, _)| p == path);
            let lost =
                failed.contains(path) || read.failed_dirs.iter().any(|d| path.starts_with(d));
            if !present && lost {
                read.files.push((path.clone(), good.clone()));
                kept.push(path.clone());
            }
        }
        // Forget files that were deleted or renamed.
        let files = &read.files;
        self.last_good
            .retain(|path, _| files.iter().any(|(p, _)| p == path));
        read.files
            .sort_by(|(a, _), (b, _)| load_order(dirs, a).cmp(&load_order(dirs, b)));
        kept.sort();
        kept
    }
}

/// Files in memory: `(path, bytes)`.
pub type Files = Vec<(PathBuf, Vec<u8>)>;

/// What replaces a source's broken files.
pub(crate) enum Fallback<'a> {
    /// Nothing (the built-in cards cannot break).
    None,
    /// Each broken file by its last good version.
    PerFile(&'a mut Loader),
    /// The whole source by other files (a cache) and a word on them (when
    /// they were taken), if the function says so once it has seen what the
    /// first build made of the source.
    Whole(Judge<'a>),
}

/// Says whether a source is to be replaced whole, and by what.
pub(crate) type Judge<'a> = Box<dyn FnOnce(&FirstLook<'_>) -> Option<(Files, String)> + 'a>;

/// What the first build made of one source, for its fallback to judge.
pub(crate) struct FirstLook<'a> {
    /// It loads without errors, and its directories could be read.
    pub clean: bool,
    /// Cards in each of its files (as read; 0 for a file that gave none).
    pub cards: &'a BTreeMap<PathBuf, usize>,
}

/// One source to load.
pub(crate) struct LayerInput<'a> {
    pub read: Read,
    pub dirs: Vec<PathBuf>,
    pub fallback: Fallback<'a>,
}

/// How one source did.
#[derive(Debug, Default)]
pub(crate) struct LayerOutput {
    pub file_count: usize,
    /// Files shown as they last loaded without errors.
    pub kept: Vec<PathBuf>,
    /// The whole source was replaced (by its cache): the fallback's word
    /// on what replaced it.
    pub replaced: Option<String>,
    /// The source as it is now loads without errors.
    pub clean: bool,
    /// A missing or unreadable directory: its message.
    pub unreachable: Option<String>,
    pub errors: usize,
    /// The paths as read (before any fallback).
    pub read_paths: Vec<PathBuf>,
    /// The files used in the build (after any fallback).
    pub files: Files,
    /// The errors of a source replaced whole by its fallback (not shown in
    /// the window, which shows the fallback; `check` reports them).
    pub covered: Vec<Diagnostic>,
    /// Cards in each file as read (before any fallback); 0 for a file
    /// that gave none (comments only, rules, or a chapter that did not load).
    pub cards: BTreeMap<PathBuf, usize>,
}

/// Judges one source by the first build's problems and, if it is broken,
/// puts its fallback in place.
fn fall_back(
    input: &mut LayerInput<'_>,
    first: &[Diagnostic],
    cards: &BTreeMap<PathBuf, usize>,
) -> LayerOutput {
    let in_layer = |path: &Path| input.read.files.iter().any(|(p, _)| p == path);
    let errors: Vec<&Diagnostic> = input
        .read
        .diagnostics
        .iter()
        .chain(first.iter().filter(|d| in_layer(&d.path)))
        .filter(|d| d.is_error())
        .collect();
    let failed: BTreeSet<PathBuf> = errors.iter().map(|d| d.path.clone()).collect();
    let unreachable = errors
        .iter()
        .find(|d| input.read.failed_dirs.contains(&d.path))
        .map(|d| d.message.clone());
    let clean = failed.is_empty() && input.read.failed_dirs.is_empty();
    let mut out = LayerOutput {
        file_count: input.read.file_count,
        clean,
        unreachable,
        errors: errors.len(),
        read_paths: input.read.files.iter().map(|(p, _)| p.clone()).collect(),
        cards: input
            .read
            .files
            .iter()
            .map(|(p, _)| (p.clone(), cards.get(p).copied().unwrap_or(0)))
            .collect(),
        ..LayerOutput::default()
    };
    match std::mem::replace(&mut input.fallback, Fallback::None) {
        Fallback::None => {}
        // Also remembers the good files when all are good.
        Fallback::PerFile(loader) => {
            out.kept = loader.substitute(&mut input.read, &failed, &input.dirs);
        }
        Fallback::Whole(other) => {
            let look = FirstLook {
                clean,
                cards: &out.cards,
            };
            if let Some((files, what)) = other(&look) {
                out.covered = errors.iter().map(|d| (*d).clone()).collect();
                input.read.files = files;
                out.replaced = Some(what);
            }
        }
    }
    out
}

/// Loads sources in order (later ones override earlier ones by id): one
/// build; only when something is broken, fallbacks are put in and it is
/// built again. Problems: reading first, then by file; a kept file's are
/// those of its current version.
pub(crate) fn load_layers(
    inputs: Vec<LayerInput<'_>>,
    parsed: &mut assemble::ParseCache,
) -> (Library, Vec<Diagnostic>, Vec<LayerOutput>) {
    let mut inputs = inputs;
    let build_all = |inputs: &[LayerInput<'_>],
                     diagnostics: &mut Vec<Diagnostic>,
                     parsed: &mut assemble::ParseCache| {
        let files = inputs.iter().enumerate().flat_map(|(n, i)| {
            i.read
                .files
                .iter()
                .map(move |(p, b)| (p.as_path(), b.as_slice(), n))
        });
        build_layers_with(files, diagnostics, parsed)
    };
    let mut first = Vec::new();
    let mut library = build_all(&inputs, &mut first, parsed);
    // The cards each file defines, as just parsed.
    let cards: BTreeMap<PathBuf, usize> = inputs
        .iter()
        .flat_map(|i| &i.read.files)
        .filter_map(|(p, _)| Some((p.clone(), parsed.cards_in(p)?)))
        .collect();
    let mut outputs: Vec<LayerOutput> = Vec::with_capacity(inputs.len());
    let mut changed = false;
    let mut notes = Vec::new();
    for input in &mut inputs {
        let out = fall_back(input, &first, &cards);
        changed |= out.replaced.is_some() || !out.kept.is_empty();
        for path in &out.kept {
            notes.push(
                Diagnostic::warning(
                    path,
                    None,
                    "这个文件现在有错误，窗口里仍在使用它上次没有错误的版本",
                )
                .with_help("改正这个文件里的错误并保存，新内容会自动出现"),
            );
        }
        outputs.push(out);
    }
    // Problems of what is not shown as it is now (a replaced source) are
    // left out; a kept file's are those of its current version.
    let replaced_paths: BTreeSet<PathBuf> = outputs
        .iter()
        .filter(|o| o.replaced.is_some())
        .flat_map(|o| o.read_paths.iter().cloned())
        .collect();
    let kept_paths: BTreeSet<PathBuf> = outputs.iter().flat_map(|o| o.kept.clone()).collect();
    let mut later: Vec<Diagnostic> = first
        .iter()
        .filter(|d| kept_paths.contains(&d.path))
        .cloned()
        .collect();
    later.extend(notes);
    let mut built = first;
    if changed {
        built = Vec::new();
        library = build_all(&inputs, &mut built, parsed);
    }
    later.extend(
        built
            .into_iter()
            .filter(|d| !kept_paths.contains(&d.path) && !replaced_paths.contains(&d.path)),
    );
    let order: Vec<PathBuf> = inputs
        .iter()
        .flat_map(|i| i.read.files.iter().map(|(p, _)| p.clone()))
        .collect();
    sort_by_file(&mut later, &order);
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for (input, out) in inputs.into_iter().zip(&mut outputs) {
        if out.replaced.is_none() {
            diagnostics.extend(input.read.diagnostics);
        }
        out.files = input.read.files;
    }
    diagnostics.append(&mut later);
    (library, diagnostics, outputs)
}

/// Where `path` comes in a load of `dirs`: its directory's place, then the path.
fn load_order<'a>(dirs: &[PathBuf], path: &'a Path) -> (usize, &'a Path) {
    (
        dirs.iter()
            .position(|d| path.starts_with(d))
            .unwrap_or(usize::MAX),
        path,
    )
}

/// The built-in files, under `BUILTIN_PREFIX`.
pub(crate) fn read_builtin() -> Read {
    let files: Files = builtin_files()
        .iter()
        .map(|(rel, bytes)| {
            (
                PathBuf::from(format!("{BUILTIN_PREFIX}/{rel}")),
                bytes.to_vec(),
            )
        })
        .collect();
    Read {
        file_count: files.len(),
        files,
        ..Read::default()
    }
}

/// The files found under some directories.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
    pub file_count: usize,
    /// Directories that are missing or could not be listed.
    pub failed_dirs: Vec<PathBuf>,
}

pub(crate) fn read_dirs(dirs: &[PathBuf]) -> Read {
    read_dirs_where(dirs, Empty::Warn)
}

/// Whether a folder without content files is worth a warning: not for a
/// branch's `Local` folder, empty until the branch changes a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Empty {
    Warn,
    Fine,
}

pub(crate) fn read_dirs_where(dirs: &[PathBuf], empty: Empty) -> Read {
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    let mut file_count = 0;
    let mut failed_dirs = Vec::new();
    for dir in dirs {
        let mut paths = Vec::new();
        match std::fs::metadata(dir) {
            Err(e) => {
                // A path naming a content file is a file the user meant.
                let what = if walk::has_ron_extension(dir) {
                    "找不到文件"
                } else {
                    "找不到内容目录"
                };
                diagnostics.push(Diagnostic::error(
                    dir,
                    None,
                    format!("{what}：{}", io_reason(&e)),
                ));
                failed_dirs.push(dir.clone());
                continue;
            }
            // One content file given directly (`check --data x.ron`).
            Ok(m) if m.is_file() && walk::has_ron_extension(dir) => paths.push(dir.clone()),
            Ok(m) if !m.is_dir() => {
                diagnostics.push(
                    Diagnostic::error(dir, None, "这不是一个目录，也不是 .ron 内容文件")
                        .with_help("--data 后面写内容目录（或一个 .ron 文件）"),
                );
                failed_dirs.push(dir.clone());
                continue;
            }
            Ok(_) => match walk::walk(dir) {
                Ok((found, skipped)) => {
                    paths = found;
                    diagnostics.extend(skipped.into_iter().map(skipped_diagnostic));
                }
                Err(e) => {
                    diagnostics.push(Diagnostic::error(
                        dir,
                        None,
                        format!("无法读取目录：读取失败（{e}）"),
                    ));
                    failed_dirs.push(dir.clone());
                }
            },
        }
        paths.sort();
        if paths.is_empty() && empty == Empty::Warn {
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
    Read {
        files,
        diagnostics,
        file_count,
        failed_dirs,
    }
}

/// Decodes and validates files that are already in memory (pure).
pub fn build(files: &[(PathBuf, Vec<u8>)], diagnostics: &mut Vec<Diagnostic>) -> Library {
    build_layers(
        files.iter().map(|(p, b)| (p.as_path(), b.as_slice(), 0)),
        diagnostics,
    )
}

/// Like [`build`], for files of several sources: `(path, bytes, layer)`,
/// layers in ascending order. A card of a later layer replaces the card
/// with the same id of an earlier one; `withdraw` takes earlier cards out.
pub fn build_layers<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [u8], usize)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Library {
    build_layers_with(files, diagnostics, &mut assemble::ParseCache::default())
}

/// [`build_layers`], taking the files unchanged since an earlier build
/// from `parsed`.
fn build_layers_with<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a [u8], usize)>,
    diagnostics: &mut Vec<Diagnostic>,
    parsed: &mut assemble::ParseCache,
) -> Library {
    let mut order: Vec<PathBuf> = Vec::new();
    let mut texts = Vec::new();
    let mut decode_diags = Vec::new();
    for (path, bytes, layer) in files {
        order.push(path.to_path_buf());
        match decode_file(path, bytes) {
            Ok((text, warning)) => {
                decode_diags.extend(warning);
                texts.push(FileText {
                    path: path.to_path_buf(),
                    text,
                    layer,
                });
            }
            Err(d) => decode_diags.push(d),
        }
    }
    let mut content_diags = Vec::new();
    let library = assemble::build_library_with(&texts, &mut content_diags, parsed);
    let mut all: Vec<Diagnostic> = decode_diags;
    all.append(&mut content_diags);
    // Each problem's source line (a file's lines found once: a large
    // import can have thousands of warnings).
    let by_path: HashMap<&Path, usize> = texts
        .iter()
        .enumerate()
        .map(|(n, t)| (t.path.as_path(), n))
        .collect();
    let mut lines: HashMap<usize, LineIndex<'_>> = HashMap::new();
    for d in &mut all {
        let Some(pos) = d.pos else { continue };
        if let Some(&n) = by_path.get(d.path.as_path()) {
            let index = lines
                .entry(n)
                .or_insert_with(|| LineIndex::new(&texts[n].text));
            d.excerpt = index
                .line(pos.line.saturating_sub(1) as usize)
                .map(str::to_owned);
        }
    }
    sort_by_file(&mut all, &order);
    diagnostics.append(&mut all);
    library
}

/// Keeps each file's problems together, files in load order, then by position.
fn sort_by_file(diagnostics: &mut [Diagnostic], order: &[PathBuf]) {
    let place: HashMap<&Path, usize> = order
        .iter()
        .enumerate()
        .rev()
        .map(|(n, p)| (p.as_path(), n))
        .collect();
    diagnostics.sort_by_cached_key(|d| {
        (
            place.get(d.path.as_path()).copied().unwrap_or(usize::MAX),
            d.pos.is_some(),
            d.pos,
        )
    });
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
        Err(e) if e.nul => Err(Diagnostic::error(
            path,
            Some(Pos::new(e.line, e.col)),
            format!("第 {} 个字节是 NUL（0 字节）：这不是文本文件", e.offset + 1),
        )
        .with_help("可能是二进制文件，或没有 BOM 的 UTF-16；用记事本打开后“另存为”UTF-8 编码；整个文件没有加载")),
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
        .file_not_read()
    };
    let cant_read = |e: &std::io::Error| {
        Diagnostic::error(path, None, format!("无法读取文件：{}", io_reason(e))).file_not_read()
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

/// What the walker skipped, told to the editor.
fn skipped_diagnostic(skipped: walk::Skipped) -> Diagnostic {
    match skipped {
        walk::Skipped::Unlisted(dir, e) => {
            Diagnostic::error(&dir, None, format!("无法读取目录：读取失败（{e}）"))
        }
        walk::Skipped::Loop(dir) => {
            Diagnostic::warning(&dir, None, "这个链接指回已经读过的目录，跳过")
                .with_help("可能是指向自己的链接（快捷方式循环）")
        }
        walk::Skipped::TooDeep(dir) => Diagnostic::warning(
            &dir,
            None,
            format!("目录嵌套超过 {} 层，没有读取", walk::MAX_DEPTH),
        )
        .with_help("可能是指向自己的链接（快捷方式循环）"),
        walk::Skipped::NotAFile(path) => {
            Diagnostic::warning(&path, None, "这不是普通文件（可能是管道或设备），跳过")
        }
        walk::Skipped::LooksLikeContent(path) => Diagnostic::warning(
            &path,
            None,
            "这个文件看起来是卡片文件，但扩展名不是 .ron，没有读取",
        )
        .with_help("改名为以 .ron 结尾（记事本“另存为”时文件类型选“所有文件”，文件名写 xxx.ron）")
        .file_not_read(),
        walk::Skipped::RonDirectory(dir) => Diagnostic::warning(
            &dir,
            None,
            "这是一个目录，名字却以 .ron 结尾；里面的 .ron 文件照常读取",
        ),
    }
}

/// A short Chinese reason for common I/O errors, with the system's text.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "不存在",
        std::io::ErrorKind::PermissionDenied => "没有权限",
        _ => "读取失败",
    };
    format!("{what}（{e}）")
}
