//! Content sources in layers — the built-in cards, a central directory that
//! every counter reads (a network share or a checkout IT keeps updated), a
//! local directory — listed in a small config file.
//!
//! Later layers override earlier ones by card id, and a file's `withdraw`
//! list takes earlier cards off. huashu never writes into a source: after
//! each load of the central source without errors it refreshes a cache copy
//! (a new directory, then swapped in); when the central source is missing,
//! unreadable or broken (half-copied), the cache is used and the window says
//! so (`离线副本 · 更新于 …`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::content::diagnostic::{Diagnostic, LineIndex, Pos};
use crate::content::load::{
    Fallback, Files, LayerInput, LayerOutput, Loaded, Loader, Origin, load_layers, read_builtin,
    read_dirs,
};
use crate::content::ron_error;
use crate::hotkey::HotKey;

/// One layer of content.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub enum SourceSpec {
    /// The cards compiled into the program.
    Builtin,
    /// Read-only, shared by many counters; cached locally.
    Central(PathBuf),
    /// This counter's own (or an editor's) directory.
    Local(PathBuf),
    /// The `--data` directories: one layer, so a card id used twice among
    /// them is an error, as for an editor it should be.
    #[serde(skip)]
    Data(Vec<PathBuf>),
}

impl SourceSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Builtin => "builtin",
            Self::Central(_) => "central",
            Self::Local(_) => "local",
            Self::Data(_) => "data",
        }
    }

    /// The directories it reads.
    pub fn dirs(&self) -> &[PathBuf] {
        match self {
            Self::Builtin => &[],
            Self::Central(p) | Self::Local(p) => std::slice::from_ref(p),
            Self::Data(dirs) => dirs,
        }
    }
}

/// Seconds between checks of a central source for changes: network shares
/// do not send change notifications.
pub const DEFAULT_RECHECK_SECONDS: u64 = 60;

/// The config file (`config.ron`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename = "Config")]
pub struct Config {
    /// In order; later ones override earlier ones by card id.
    #[serde(default = "default_sources")]
    pub sources: Vec<SourceSpec>,
    #[serde(default = "default_recheck")]
    pub recheck_seconds: u64,
    /// Where huashu keeps its cache of central sources and usage counts
    /// (default: the platform's cache and data directories).
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
    /// Count how often cards are opened and scripts copied (no customer
    /// data, no search text).
    #[serde(default = "yes")]
    pub count_usage: bool,
    /// The key that brings the window forward from any program
    /// (`hotkey: "Ctrl+Alt+H"`); `hotkey: None` turns it off. Read by
    /// [`Config::hotkey`]: a mistake in it costs the hotkey, not the
    /// content sources.
    #[serde(default = "default_hotkey")]
    pub hotkey: Option<String>,
    /// Keep the queries typed, with the card opened after each (digit runs
    /// masked), for `huashu usage --misses`. Off unless set.
    #[serde(default)]
    pub log_searches: bool,
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "serde's default for an Option field"
)]
fn default_hotkey() -> Option<String> {
    Some(crate::hotkey::DEFAULT.to_string())
}

fn default_sources() -> Vec<SourceSpec> {
    vec![SourceSpec::Builtin]
}

fn default_recheck() -> u64 {
    DEFAULT_RECHECK_SECONDS
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Self {
            sources: default_sources(),
            recheck_seconds: DEFAULT_RECHECK_SECONDS,
            state_dir: None,
            count_usage: true,
            hotkey: default_hotkey(),
            log_searches: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("无法读取配置文件 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{col}: 配置文件有错误：{message}")]
    Parse {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
}

impl Config {
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // `state_dir: "…"` without `Some(…)`, as in content files.
        crate::content::raw::ron_options()
            .from_str(text)
            .map_err(|e| {
                let (pos, message, help) = ron_error::explain(text, &LineIndex::new(text), &e);
                ConfigError::Parse {
                    path: path.to_owned(),
                    line: pos.line as usize,
                    col: pos.col as usize,
                    message: match help {
                        Some(help) => format!("{message}；{help}"),
                        None => message,
                    },
                }
            })
    }

    /// Reads `path`; a missing file at the default place means defaults.
    pub fn read(path: &Path, must_exist: bool) -> Result<Option<Self>, ConfigError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                Self::parse(path, &text).map(Some)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(None),
            Err(source) => Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// The hotkey to register, `None` when turned off, or what is wrong
    /// with it.
    pub fn hotkey(&self) -> Result<Option<HotKey>, String> {
        self.hotkey.as_deref().map(HotKey::parse).transpose()
    }

    pub fn recheck(&self) -> Duration {
        Duration::from_secs(self.recheck_seconds.clamp(5, 24 * 3600))
    }
}

/// The platform's places for huashu's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Places {
    pub config_file: PathBuf,
    pub cache_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Places {
    /// `~/.config/huashu/config.ron`, `~/.cache/huashu`, `~/.local/share/huashu`
    /// on Linux; `%APPDATA%\huashu\config\config.ron`,
    /// `%LOCALAPPDATA%\huashu\cache`, `%APPDATA%\huashu\data` on Windows.
    pub fn platform() -> Self {
        match directories::ProjectDirs::from("", "", "huashu") {
            Some(dirs) => Self {
                config_file: dirs.config_dir().join("config.ron"),
                cache_dir: dirs.cache_dir().to_path_buf(),
                data_dir: dirs.data_dir().to_path_buf(),
            },
            // No home directory: keep everything beside the program's
            // working directory rather than fail.
            None => Self {
                config_file: PathBuf::from("huashu-config.ron"),
                cache_dir: PathBuf::from(".huashu/cache"),
                data_dir: PathBuf::from(".huashu"),
            },
        }
    }

    /// With a config's `state_dir`, cache and data go under it.
    #[must_use]
    pub fn with_state_dir(mut self, state_dir: Option<&Path>) -> Self {
        if let Some(dir) = state_dir {
            self.cache_dir = dir.join("cache");
            self.data_dir = dir.to_path_buf();
        }
        self
    }
}

/// Environment variable naming the config file (like `--config`).
pub const CONFIG_ENV: &str = "HUASHU_CONFIG";

/// The machine-wide config file IT can deploy, read when the user has
/// none: `/etc/huashu/config.ron` on Linux, `%ProgramData%\huashu\config.ron`
/// on Windows.
pub fn system_config_file() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("ProgramData")
            .filter(|v| !v.is_empty())
            .map(|d| PathBuf::from(d).join("huashu").join("config.ron"))
    } else {
        Some(PathBuf::from("/etc/huashu/config.ron"))
    }
}

/// Why these sources are the ones loaded (said by `huashu sources` and the
/// window's status bar).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chosen {
    /// `--data` on the command line.
    DataArg,
    /// A config file: `--config`, `HUASHU_CONFIG`, the user's or the
    /// machine's.
    Config(PathBuf),
    /// `data/` in the working directory.
    WorkingDir(PathBuf),
    /// `data/` beside the program (a shortcut started it elsewhere).
    BesideProgram(PathBuf),
    /// None of those: the cards inside the program.
    Builtin,
}

impl Chosen {
    /// A few words for the status bar.
    pub fn short(&self) -> &'static str {
        match self {
            Self::DataArg => "内容：--data 指定的目录",
            Self::Config(_) => "内容：按配置文件",
            Self::WorkingDir(_) => "内容：当前目录的 data",
            Self::BesideProgram(_) => "内容：程序旁边的 data",
            Self::Builtin => "内容：程序内置的卡片",
        }
    }
}

impl std::fmt::Display for Chosen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::DataArg => write!(f, "命令行 --data 指定的目录"),
            Self::Config(p) => write!(f, "配置文件 {}", p.display()),
            Self::WorkingDir(p) => write!(
                f,
                "当前目录下的 data 目录 {}",
                std::path::absolute(p).as_deref().unwrap_or(p).display()
            ),
            Self::BesideProgram(p) => write!(f, "程序旁边的 data 目录 {}", p.display()),
            Self::Builtin => write!(
                f,
                "程序内置的卡片（没有 --data、没有配置文件，当前目录和程序旁边都没有 data 目录）"
            ),
        }
    }
}

/// What a run uses: the config (and the file it came from), the places
/// for cache and data, and the sources to load.
#[derive(Clone, Debug)]
pub struct Setup {
    pub config: Config,
    /// The config file read, if any.
    pub config_file: Option<PathBuf>,
    pub places: Places,
    pub sources: Vec<SourceSpec>,
    /// Why these sources.
    pub chosen: Chosen,
}

/// Where a run looks for its config and content, gathered from the
/// environment (see [`Setup::resolve_in`]).
#[derive(Clone, Debug)]
pub struct Lookup {
    /// `HUASHU_CONFIG`.
    pub env_config: Option<PathBuf>,
    pub places: Places,
    /// The machine-wide config file.
    pub system_config: Option<PathBuf>,
    /// The directory relative paths start from (empty: the process's).
    pub working_dir: Option<PathBuf>,
    /// The directory the program is in.
    pub program_dir: Option<PathBuf>,
}

impl Lookup {
    pub fn from_environment() -> Self {
        Self {
            env_config: std::env::var_os(CONFIG_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            places: Places::platform(),
            system_config: system_config_file(),
            // Relative: paths in messages stay as short as they were typed.
            working_dir: Some(PathBuf::new()),
            program_dir: std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
        }
    }
}

impl Setup {
    /// `--config`, else `HUASHU_CONFIG` (both must exist), else the user's
    /// config file, else the machine's; `--data` replaces the sources.
    pub fn resolve(data: &[PathBuf], config_arg: Option<&Path>) -> Result<Self, ConfigError> {
        Self::resolve_in(data, config_arg, Lookup::from_environment())
    }

    /// [`Self::resolve`] with the environment given.
    pub fn resolve_in(
        data: &[PathBuf],
        config_arg: Option<&Path>,
        lookup: Lookup,
    ) -> Result<Self, ConfigError> {
        let mut candidates: Vec<(PathBuf, bool)> = match (config_arg, lookup.env_config) {
            (Some(p), _) => vec![(p.to_path_buf(), true)],
            (None, Some(p)) => vec![(p, true)],
            (None, None) => std::iter::once(lookup.places.config_file.clone())
                .chain(lookup.system_config)
                .map(|p| (p, false))
                .collect(),
        };
        let mut read = None;
        for (path, must_exist) in candidates.drain(..) {
            if let Some(config) = Config::read(&path, must_exist)? {
                read = Some((config, path));
                break;
            }
        }
        let (sources, chosen) = resolve_sources(
            data,
            read.as_ref().map(|(c, p)| (c, p.as_path())),
            lookup.working_dir.as_deref(),
            lookup.program_dir.as_deref(),
        );
        let (config, config_file) = match read {
            Some((c, p)) => (c, Some(p)),
            None => (Config::default(), None),
        };
        let places = lookup.places.with_state_dir(config.state_dir.as_deref());
        Ok(Self {
            config,
            config_file,
            places,
            sources,
            chosen,
        })
    }

    pub fn sources(&self) -> Sources {
        Sources::new(self.sources.clone(), self.places.cache_dir.clone())
    }

    /// `--local DIR…`: layers on top of the sources (a branch's own cards
    /// over the central ones, previewed without a config file).
    /// The directories the card form may write to: `--data` and `Local`
    /// sources — never a `Central` share nor the built-in cards.
    pub fn writable_dirs(&self) -> Vec<PathBuf> {
        self.sources
            .iter()
            .flat_map(|s| match s {
                SourceSpec::Local(dir) => vec![dir.clone()],
                SourceSpec::Data(dirs) => dirs.clone(),
                SourceSpec::Builtin | SourceSpec::Central(_) => Vec::new(),
            })
            .collect()
    }

    #[must_use]
    pub fn with_local(mut self, dirs: &[PathBuf]) -> Self {
        self.sources
            .extend(dirs.iter().cloned().map(SourceSpec::Local));
        self
    }

    /// For the window, which must open whatever the config says: a config
    /// that cannot be read or parsed is left out (as if there were none:
    /// `data/` here or beside the program, else the built-in cards) and
    /// returned as an error to show, with its line:col.
    pub fn resolve_or_default(
        data: &[PathBuf],
        config_arg: Option<&Path>,
    ) -> (Self, Option<Diagnostic>) {
        Self::resolve_or_default_in(data, config_arg, Lookup::from_environment())
    }

    /// [`Self::resolve_or_default`] with the environment given.
    pub fn resolve_or_default_in(
        data: &[PathBuf],
        config_arg: Option<&Path>,
        lookup: Lookup,
    ) -> (Self, Option<Diagnostic>) {
        match Self::resolve_in(data, config_arg, lookup.clone()) {
            Ok(setup) => (setup, None),
            Err(e) => {
                // As with no config at all; the broken one is not read again.
                let (sources, chosen) = resolve_sources(
                    data,
                    None,
                    lookup.working_dir.as_deref(),
                    lookup.program_dir.as_deref(),
                );
                let setup = Self {
                    config: Config::default(),
                    config_file: None,
                    places: lookup.places,
                    sources,
                    chosen,
                };
                (setup, Some(config_problem(&e)))
            }
        }
    }
}

/// A config error as a problem the window lists.
fn config_problem(e: &ConfigError) -> Diagnostic {
    let help = "窗口这次没有使用这个配置文件（用的是当前目录或程序旁边的 data，或者内置的卡片）；改正后重新打开窗口";
    match e {
        ConfigError::Read { path, source } => {
            Diagnostic::error(path, None, format!("无法读取配置文件：{source}")).with_help(help)
        }
        ConfigError::Parse {
            path,
            line,
            col,
            message,
        } => Diagnostic::error(
            path,
            Some(Pos {
                line: u32::try_from(*line).unwrap_or(u32::MAX),
                col: u32::try_from(*col).unwrap_or(u32::MAX),
            }),
            format!("配置文件有错误：{message}"),
        )
        .with_help(help),
    }
}

/// The layers to load: `--data` directories replace the configured
/// sources; with neither, `data/` in the working directory, then `data/`
/// beside the program, else the built-in cards.
pub fn resolve_sources(
    data: &[PathBuf],
    config: Option<(&Config, &Path)>,
    working_dir: Option<&Path>,
    program_dir: Option<&Path>,
) -> (Vec<SourceSpec>, Chosen) {
    if !data.is_empty() {
        return (vec![SourceSpec::Data(data.to_vec())], Chosen::DataArg);
    }
    if let Some((config, path)) = config {
        return (config.sources.clone(), Chosen::Config(path.to_path_buf()));
    }
    if let Some(dir) = working_dir.map(|d| d.join("data")).filter(|d| d.is_dir()) {
        return (
            vec![SourceSpec::Data(vec![dir.clone()])],
            Chosen::WorkingDir(dir),
        );
    }
    if let Some(dir) = program_dir.map(|d| d.join("data")).filter(|d| d.is_dir()) {
        return (
            vec![SourceSpec::Data(vec![dir.clone()])],
            Chosen::BesideProgram(dir),
        );
    }
    (vec![SourceSpec::Builtin], Chosen::Builtin)
}

/// The cache's key for a central folder: the same folder written with
/// other letter case or a trailing separator is the same share (Windows
/// rules — case-insensitive, `/` as `\` — where `windows`).
pub fn central_key(path: &Path, windows: bool) -> String {
    let text = path.to_string_lossy();
    if windows {
        let mut key = text.replace('/', "\\").to_lowercase();
        while key.len() > 3 && key.ends_with('\\') {
            key.pop();
        }
        key
    } else {
        let mut key = text.into_owned();
        while key.len() > 1 && key.ends_with('/') {
            key.pop();
        }
        key
    }
}

/// How a source did in the last load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceState {
    Ok,
    /// Missing or unreadable; the reason.
    Unreachable(String),
    /// Readable but with errors (e.g. half-copied); how many.
    Broken(usize),
}

/// One source after a load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceReport {
    pub spec: SourceSpec,
    pub state: SourceState,
    /// Cards and files this source contributed (from the cache when used).
    pub cards: usize,
    pub files: usize,
    /// The cache in use instead of the source: when it was taken.
    pub using_cache: Option<String>,
    /// The cache was refreshed by this load.
    pub cache_refreshed: bool,
}

/// Loads layered sources again and again (live reload).
#[derive(Debug)]
pub struct Sources {
    specs: Vec<SourceSpec>,
    cache_dir: PathBuf,
    /// Per local source: last good version of each file.
    loaders: Vec<Loader>,
    /// The files as last parsed: a reload parses only those that changed.
    parsed: crate::content::validate::ParseCache,
    /// Per central source: whether its cache stamp was written this run.
    stamped: Vec<bool>,
    /// Problems found before any loading (a config file that could not be
    /// used), reported with every load.
    problems: Vec<Diagnostic>,
}

/// The result of a layered load.
#[derive(Debug)]
pub struct SourcesLoaded {
    pub loaded: Loaded,
    pub reports: Vec<SourceReport>,
    /// `离线副本 · 更新于 …` when a central source's cache is in use.
    pub banner: Option<String>,
    /// The errors of central sources whose offline copy is shown instead
    /// (the window shows the copy calmly; `huashu check` reports these).
    pub covered: Vec<Diagnostic>,
}

impl Sources {
    pub fn new(specs: Vec<SourceSpec>, cache_dir: PathBuf) -> Self {
        let n = specs.len();
        Self {
            specs,
            cache_dir,
            loaders: (0..n).map(|_| Loader::default()).collect(),
            parsed: crate::content::validate::ParseCache::default(),
            stamped: vec![false; n],
            problems: Vec::new(),
        }
    }

    /// Reports `problem` with every load (see [`Setup::resolve_or_default`]).
    #[must_use]
    pub fn with_problem(mut self, problem: Option<Diagnostic>) -> Self {
        self.problems.extend(problem);
        self
    }

    pub fn specs(&self) -> &[SourceSpec] {
        &self.specs
    }

    /// Directories to watch for changes, and the central ones to re-check.
    pub fn watch_paths(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut local = Vec::new();
        let mut central = Vec::new();
        for spec in &self.specs {
            match spec {
                SourceSpec::Builtin => {}
                SourceSpec::Local(p) => local.push(p.clone()),
                SourceSpec::Data(dirs) => local.extend(dirs.iter().cloned()),
                SourceSpec::Central(p) => central.push(p.clone()),
            }
        }
        (local, central)
    }

    pub fn load(&mut self) -> SourcesLoaded {
        let caches: Vec<Option<Cache>> = self
            .specs
            .iter()
            .map(|spec| match spec {
                SourceSpec::Central(dir) => Some(Cache::new(&self.cache_dir, dir)),
                _ => None,
            })
            .collect();
        let mut inputs = Vec::with_capacity(self.specs.len());
        for ((spec, loader), cache) in self.specs.iter().zip(&mut self.loaders).zip(&caches) {
            let dirs = spec.dirs().to_vec();
            let input = match (spec, cache) {
                (SourceSpec::Builtin, _) => LayerInput {
                    read: read_builtin(),
                    dirs,
                    fallback: Fallback::None,
                },
                (SourceSpec::Central(_), Some(cache)) => LayerInput {
                    read: read_dirs(&dirs),
                    dirs,
                    // The cache, and when it was taken.
                    fallback: Fallback::Whole(Box::new(|| cache.read())),
                },
                _ => LayerInput {
                    read: read_dirs(&dirs),
                    dirs,
                    fallback: Fallback::PerFile(loader),
                },
            };
            inputs.push(input);
        }
        let (library, mut diagnostics, outputs) = load_layers(inputs, &mut self.parsed);

        let mut notes = Vec::new();
        let mut reports = Vec::with_capacity(outputs.len());
        for (n, out) in outputs.iter().enumerate() {
            reports.push(self.report(n, out, caches[n].as_ref(), &mut notes));
        }
        diagnostics.splice(0..0, self.problems.iter().cloned().chain(notes));
        // Cards each source contributed (after overrides and withdrawals).
        for card in &library.cards {
            if let Some(path) = library.files.get(card.origin.file)
                && let Some(layer) = outputs
                    .iter()
                    .position(|o| o.files.iter().any(|(p, _)| p == path))
            {
                reports[layer].cards += 1;
            }
        }
        let banner = reports
            .iter()
            .filter_map(|r| r.using_cache.as_deref())
            .min()
            .map(|when| format!("离线副本 · 更新于 {when}"));
        let covered = outputs
            .iter()
            .zip(&reports)
            .flat_map(|(o, r)| {
                let when = r.using_cache.clone().unwrap_or_default();
                o.covered.iter().map(move |d| {
                    d.clone().with_help(format!(
                        "柜台的窗口不受影响：这个中心目录有错误时使用 {when} 的离线副本"
                    ))
                })
            })
            .collect();
        SourcesLoaded {
            loaded: Loaded {
                library,
                diagnostics,
                file_count: outputs.iter().map(|o| o.file_count).sum(),
                origin: Origin::Dirs(
                    self.specs
                        .iter()
                        .flat_map(|s| s.dirs().iter().cloned())
                        .collect(),
                ),
                kept: outputs.into_iter().flat_map(|o| o.kept).collect(),
            },
            reports,
            banner,
            covered,
        }
    }
}

impl Sources {
    /// How source `n` did; refreshes its cache when it is a central source
    /// that loaded cleanly.
    fn report(
        &mut self,
        n: usize,
        out: &LayerOutput,
        cache: Option<&Cache>,
        notes: &mut Vec<Diagnostic>,
    ) -> SourceReport {
        let spec = &self.specs[n];
        let state = if let Some(why) = &out.unreachable {
            SourceState::Unreachable(why.clone())
        } else if out.clean {
            SourceState::Ok
        } else {
            SourceState::Broken(out.errors.max(1))
        };
        let mut report = SourceReport {
            spec: spec.clone(),
            state: state.clone(),
            cards: 0,
            files: out.files.len(),
            using_cache: None,
            cache_refreshed: false,
        };
        let (SourceSpec::Central(dir), Some(cache)) = (spec, cache) else {
            return report;
        };
        if let Some(taken) = &out.replaced {
            let what = match &state {
                SourceState::Unreachable(why) => format!("中心内容目录无法访问（{why}）"),
                _ => format!("中心内容目录有 {} 个错误（可能正在复制）", out.errors),
            };
            notes.push(
                Diagnostic::warning(dir, None, format!("{what}，正在使用 {taken} 的离线副本"))
                    .with_help("恢复后会自动切换回中心内容"),
            );
            report.using_cache = Some(taken.clone());
        } else if state == SourceState::Ok {
            match cache.refresh(dir, &out.files, !self.stamped[n]) {
                Ok(refreshed) => {
                    report.cache_refreshed = refreshed;
                    self.stamped[n] = true;
                }
                Err(e) => notes.push(
                    Diagnostic::warning(&cache.root, None, format!("无法更新离线副本：{e}"))
                        .with_help("中心内容照常使用；检查这个目录是否可写"),
                ),
            }
        }
        report
    }
}

/// A local copy of one central source:
/// `<cache>/central-<hash>/{current,next,previous}/`, each a copy of the
/// source's files plus `.stamp` (written last: a copy without it is
/// incomplete). Refreshing writes `next`, then renames `current` →
/// `previous`, `next` → `current`, and removes `previous`; reading takes
/// the first complete copy of `current`, `next`, `previous`, so a crash at
/// any step leaves the old copy or the new one.
#[derive(Debug)]
pub struct Cache {
    pub root: PathBuf,
    /// Test hook: fail at this step of a refresh.
    fail_at: Option<CacheStep>,
}

/// The steps of a cache refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheStep {
    WriteFiles,
    WriteStamp,
    MoveCurrentAway,
    MoveNextIn,
    RemovePrevious,
}

/// Hidden, so the loader does not take it for content.
const STAMP: &str = ".stamp";

#[derive(Debug, serde::Serialize, Deserialize)]
struct Stamp {
    /// Local time, `YYYY-MM-DD HH:MM`.
    updated: String,
    source: String,
}

impl Cache {
    pub fn new(cache_dir: &Path, source: &Path) -> Self {
        // One cache per central source.
        let key = central_key(source, cfg!(windows));
        let hash = fnv1a(FNV_START, key.as_bytes());
        Self {
            root: cache_dir.join(format!("central-{hash:016x}")),
            fail_at: None,
        }
    }

    /// Makes a refresh fail at `step` (tests).
    #[must_use]
    pub fn failing_at(mut self, step: CacheStep) -> Self {
        self.fail_at = Some(step);
        self
    }

    fn step(&self, step: CacheStep) -> std::io::Result<()> {
        if self.fail_at == Some(step) {
            Err(std::io::Error::other(format!(
                "simulated failure at {step:?}"
            )))
        } else {
            Ok(())
        }
    }

    /// The newest complete copy: its files (paths inside the copy) and when
    /// it was taken.
    pub fn read(&self) -> Option<(Files, String)> {
        ["current", "next", "previous"].iter().find_map(|name| {
            let dir = self.root.join(name);
            let stamp: Stamp =
                ron::from_str(&std::fs::read_to_string(dir.join(STAMP)).ok()?).ok()?;
            Some((read_dirs(&[dir]).files, stamp.updated))
        })
    }

    /// Makes the copy equal to `files` (read from `source`); when they are
    /// equal already, only rewrites the stamp if `stamp` (once per run).
    /// Returns whether the files were copied.
    pub fn refresh(
        &self,
        source: &Path,
        files: &[(PathBuf, Vec<u8>)],
        stamp: bool,
    ) -> std::io::Result<bool> {
        let relative: BTreeMap<PathBuf, &[u8]> = files
            .iter()
            .filter_map(|(p, b)| Some((p.strip_prefix(source).ok()?.to_path_buf(), b.as_slice())))
            .collect();
        let current = self.root.join("current");
        let unchanged = self.read_current().is_some_and(|have| {
            have.len() == relative.len()
                && have
                    .iter()
                    .all(|(p, b)| relative.get(p).is_some_and(|r| *r == b.as_slice()))
        });
        if unchanged {
            if stamp {
                // Same content: only note that it was seen now.
                crate::atomic::write(&current.join(STAMP), Self::stamp_text(source)?.as_bytes())?;
            }
            return Ok(false);
        }
        let next = self.root.join("next");
        let previous = self.root.join("previous");
        let _ = std::fs::remove_dir_all(&next);
        std::fs::create_dir_all(&next)?;
        self.step(CacheStep::WriteFiles)?;
        for (rel, bytes) in &relative {
            let path = next.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        self.step(CacheStep::WriteStamp)?;
        let text = Self::stamp_text(source)?;
        let mut file = std::fs::File::create(next.join(STAMP))?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        let _ = std::fs::remove_dir_all(&previous);
        self.step(CacheStep::MoveCurrentAway)?;
        if current.exists() {
            std::fs::rename(&current, &previous)?;
        }
        self.step(CacheStep::MoveNextIn)?;
        std::fs::rename(&next, &current)?;
        self.step(CacheStep::RemovePrevious)?;
        let _ = std::fs::remove_dir_all(&previous);
        Ok(true)
    }

    fn stamp_text(source: &Path) -> std::io::Result<String> {
        let stamp = Stamp {
            updated: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
            source: source.display().to_string(),
        };
        ron::ser::to_string_pretty(&stamp, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)
    }

    fn read_current(&self) -> Option<BTreeMap<PathBuf, Vec<u8>>> {
        let dir = self.root.join("current");
        std::fs::metadata(dir.join(STAMP)).ok()?;
        Some(
            read_dirs(std::slice::from_ref(&dir))
                .files
                .into_iter()
                .filter_map(|(p, b)| Some((p.strip_prefix(&dir).ok()?.to_path_buf(), b)))
                .collect(),
        )
    }
}

/// FNV-1a's starting value.
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `bytes`, continuing from `h`.
fn fnv1a(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// A cheap fingerprint of a directory tree (names, sizes, modification
/// times; `0` when missing), to notice changes where no notification comes.
pub fn fingerprint(dir: &Path) -> u64 {
    fn walk(dir: &Path, depth: usize, h: &mut u64) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(meta) = entry.metadata() else { continue };
            *h = fnv1a(*h, entry.file_name().to_string_lossy().as_bytes());
            *h = fnv1a(*h, &meta.len().to_le_bytes());
            if let Ok(modified) = meta.modified()
                && let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH)
            {
                *h = fnv1a(*h, &since.as_nanos().to_le_bytes());
            }
            if meta.is_dir() && depth < 8 {
                walk(&entry.path(), depth + 1, h);
            }
        }
    }
    let mut h = FNV_START;
    if dir.is_dir() {
        h ^= 1;
        walk(dir, 0, &mut h);
    } else {
        h = 0;
    }
    h
}
