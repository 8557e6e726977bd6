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

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::content::central::{Central, Release, Verdict};
pub use crate::content::config::{
    CONFIG_ENV, Chosen, Config, ConfigError, DEFAULT_RECHECK_SECONDS, Places, SourceSpec,
    WebSettings, system_config_file,
};
use crate::content::diagnostic::{Diagnostic, Pos};
use crate::content::load::{
    Empty, Fallback, FirstLook, LayerInput, LayerOutput, Loaded, LoadedFrom, Loader, load_layers,
    read_builtin, read_dirs_where,
};
use crate::content::publish::PublicKey;
use crate::content::web::{Mirror, is_web};

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
        let (trust, problems) = self.config.trust();
        let path = self.config_file.clone().unwrap_or_default();
        // One snapshot per set of sources (a preview with other content
        // does not overwrite the counter's).
        let key = format!("{:?}", self.sources);
        let snapshot = self.places.cache_dir.join(format!(
            "parsed-{}.bin",
            crate::hash::fnv1a_hex(key.as_bytes())
        ));
        let mut sources = Sources::new(self.sources.clone(), self.places.cache_dir.clone())
            .with_snapshot(snapshot)
            .with_settle(self.config.settle())
            .with_web(self.config.web())
            .with_trust(trust);
        for problem in problems {
            sources = sources
                .with_problem(Some(Diagnostic::error(&path, None, problem).with_help(
                    "公钥是 huashu keygen 打印的那一行（huashu-ed25519: 开头）",
                )));
        }
        sources
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

/// Cards each source contributed (after overrides and withdrawals), those
/// it lost to a later source's, and its overrides made from an older
/// version of the card they replace.
fn count_cards(
    library: &crate::model::Library,
    outputs: &[LayerOutput],
    reports: &mut [SourceReport],
) {
    let layer_of = |card: &crate::model::Card| {
        let path = library.files.get(card.origin.file)?;
        outputs
            .iter()
            .position(|o| o.files.iter().any(|(p, _)| p == path))
    };
    for card in &library.cards {
        if let Some(layer) = layer_of(card) {
            reports[layer].cards += 1;
            if let Some(earlier) = library.shadowed.get(&card.id)
                && crate::content::write::made_from_older(card, earlier)
            {
                reports[layer].stale.push(earlier.title.clone());
            }
        }
    }
    for earlier in library.shadowed.values() {
        if let Some(layer) = layer_of(earlier) {
            reports[layer].replaced += 1;
        }
    }
}

/// A config error as a problem the window lists.
fn config_problem(e: &ConfigError) -> Diagnostic {
    let help = "窗口这次没有使用这个配置文件（用的是当前目录或程序旁边的 data，或者内置的卡片）；改正后重新打开窗口";
    match e {
        ConfigError::Read { path, cause } => Diagnostic::error(
            path,
            None,
            format!(
                "无法读取配置文件：{}",
                crate::content::load::io_reason(cause)
            ),
        )
        .with_help(help),
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

/// How a source did in the last load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceState {
    Ok,
    /// Missing or unreadable; the reason.
    Unreachable(String),
    /// Readable but with errors (e.g. half-copied); how many.
    Broken(usize),
    /// A central source with a new state that has not settled yet (files
    /// still being written): the last accepted state is shown — the
    /// offline copy taken at this time —, or with none yet, what was read.
    Settling(Option<String>),
    /// A central source whose files lost every card (probably an
    /// interrupted copy): `(file, cards it had)`; the last accepted state is
    /// shown.
    Emptied(Vec<(PathBuf, usize)>),
    /// A published version that failed a check (signature, hashes,
    /// version, expiry): why, and what to do; the last accepted state is
    /// shown.
    Rejected(String),
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
    /// A published central source: the version read and verified.
    pub release: Option<Release>,
    /// Its cards a later source replaced (an override by the same id).
    pub replaced: usize,
    /// Its overrides made from an earlier version of the card they replace
    /// (that card changed since): the titles.
    pub stale: Vec<String>,
}

/// Loads layered sources again and again (live reload).
#[derive(Debug)]
pub struct Sources {
    specs: Vec<SourceSpec>,
    cache_dir: PathBuf,
    settle: Duration,
    trust: Option<Vec<PublicKey>>,
    web: WebSettings,
    /// Per local source: last good version of each file.
    loaders: Vec<Loader>,
    /// Per central source: its accepted state and offline copy.
    centrals: Vec<Option<Central>>,
    /// The files as last parsed: a reload parses only those that changed.
    parsed: crate::content::assemble::ParseCache,
    /// Where `parsed` is kept between runs (a start parses only the files
    /// that changed since), whether it was read yet, and whether keeping
    /// it failed (said once).
    snapshot: Option<PathBuf>,
    snapshot_read: bool,
    snapshot_failed: bool,
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
    /// (the window shows the copy calmly; `huashu check` reports these),
    /// and a word on a central source whose new state is settling.
    pub covered: Vec<Diagnostic>,
    /// A central source is settling: load again after this long.
    pub again: Option<Duration>,
}

impl Sources {
    pub fn new(specs: Vec<SourceSpec>, cache_dir: PathBuf) -> Self {
        let n = specs.len();
        let mut sources = Self {
            specs,
            cache_dir,
            settle: Duration::from_secs(crate::content::central::DEFAULT_SETTLE_SECONDS),
            trust: None,
            web: WebSettings::default(),
            loaders: (0..n).map(|_| Loader::default()).collect(),
            centrals: Vec::new(),
            parsed: crate::content::assemble::ParseCache::default(),
            snapshot: None,
            snapshot_read: false,
            snapshot_failed: false,
            problems: Vec::new(),
        };
        sources.centrals = sources.make_centrals();
        sources
    }

    fn make_centrals(&self) -> Vec<Option<Central>> {
        self.specs
            .iter()
            .map(|spec| match spec {
                SourceSpec::Central(dir) => {
                    let central = Central::new(dir.clone(), &self.cache_dir, self.settle)
                        .with_trust(self.trust.clone());
                    Some(match self.mirror(dir) {
                        Some(mirror) => central.with_web(mirror, self.web.allow_unsigned),
                        None => central,
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// The mirror of a web source (`None`: `source` is a folder).
    fn mirror(&self, source: &Path) -> Option<Mirror> {
        is_web(source).then(|| {
            Mirror::new(
                source,
                &self.cache_dir,
                self.web.timeout,
                self.trust.clone(),
            )
        })
    }

    /// How web sources are read.
    #[must_use]
    pub fn with_web(mut self, web: WebSettings) -> Self {
        self.web = web;
        self.centrals = self.make_centrals();
        self
    }

    /// How long a new state of a central source must stay unchanged before
    /// it is shown (see [`crate::content::central`]).
    #[must_use]
    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self.centrals = self.make_centrals();
        self
    }

    /// Keeps the parsed files at `path` between runs: the first load reads
    /// them back and parses only the files whose text changed since; each
    /// load that parsed something writes them again.
    #[must_use]
    pub fn with_snapshot(mut self, path: PathBuf) -> Self {
        self.snapshot = Some(path);
        self
    }

    /// At the first load: the parsed files an earlier run kept.
    fn read_snapshot(&mut self) {
        if std::mem::replace(&mut self.snapshot_read, true) {
            return;
        }
        if let Some(path) = &self.snapshot
            && self.parsed.is_empty()
        {
            match crate::content::assemble::ParseCache::read(path) {
                Ok(kept) => self.parsed = kept,
                // Parsed again, and kept anew.
                Err(e) => log::debug!("{}: {e}", path.display()),
            }
        }
    }

    /// After a load that parsed files: kept for the next run.
    fn keep_snapshot(&mut self) {
        if let Some(path) = &self.snapshot
            && let Err(e) = self.parsed.save(path)
            && !std::mem::replace(&mut self.snapshot_failed, true)
        {
            log::warn!(
                "{}: {e}; the next start parses every file again",
                path.display()
            );
        }
    }

    /// Published central versions must be signed by one of `trust`
    /// (`None`: no keys configured, unsigned content is taken).
    #[must_use]
    pub fn with_trust(mut self, trust: Option<Vec<PublicKey>>) -> Self {
        self.trust = trust;
        self.centrals = self.make_centrals();
        self
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

    /// Directories to watch for changes, the central ones to re-check, and
    /// the mirrors of web sources to bring up to date before each re-check
    /// (their folders are among the central ones).
    pub fn watch_paths(&self) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<Mirror>) {
        let mut local = Vec::new();
        let mut central = Vec::new();
        let mut mirrors = Vec::new();
        for spec in &self.specs {
            match spec {
                SourceSpec::Builtin => {}
                SourceSpec::Local(p) => local.push(p.clone()),
                SourceSpec::Data(dirs) => local.extend(dirs.iter().cloned()),
                SourceSpec::Central(p) => match self.mirror(p) {
                    Some(mirror) => {
                        central.push(mirror.dir().to_path_buf());
                        mirrors.push(mirror);
                    }
                    None => central.push(p.clone()),
                },
            }
        }
        (local, central, mirrors)
    }

    pub fn load(&mut self) -> SourcesLoaded {
        self.read_snapshot();
        let now = std::time::SystemTime::now();
        let mut verdicts: Vec<Option<Verdict>> = Vec::with_capacity(self.specs.len());
        let mut inputs = Vec::with_capacity(self.specs.len());
        for ((spec, loader), central) in self
            .specs
            .iter()
            .zip(&mut self.loaders)
            .zip(&mut self.centrals)
        {
            let dirs = spec.dirs().to_vec();
            let mut verdict = None;
            let input = match (spec, central) {
                (SourceSpec::Builtin, _) => LayerInput {
                    read: read_builtin(),
                    dirs,
                    fallback: Fallback::None,
                },
                (SourceSpec::Central(_), Some(central)) => {
                    let (read, judged) = central.look(now);
                    verdict = Some(judged);
                    let central = &*central;
                    LayerInput {
                        read,
                        dirs,
                        // The accepted state (the offline copy), when the
                        // read is not to be shown.
                        fallback: Fallback::Whole(Box::new(move |first: &FirstLook<'_>| {
                            let emptied = !central.emptied(first.cards).is_empty();
                            if judged.holds(first.clean, emptied) {
                                central.cache().read()
                            } else {
                                None
                            }
                        })),
                    }
                }
                _ => LayerInput {
                    read: read_dirs_where(
                        &dirs,
                        if matches!(spec, SourceSpec::Local(_)) {
                            Empty::Fine
                        } else {
                            Empty::Warn
                        },
                    ),
                    dirs,
                    fallback: Fallback::PerFile(loader),
                },
            };
            verdicts.push(verdict);
            inputs.push(input);
        }
        let (library, mut diagnostics, outputs) = load_layers(inputs, &mut self.parsed);
        self.keep_snapshot();

        let mut notes = Vec::new();
        let mut covered = Vec::new();
        let (mut reports, again) = self.reports(&outputs, &verdicts, &mut notes, &mut covered);
        diagnostics.splice(0..0, self.problems.iter().cloned().chain(notes));
        count_cards(&library, &outputs, &mut reports);
        let banner = reports
            .iter()
            .filter_map(|r| r.using_cache.as_deref())
            .min()
            .map(|when| format!("离线副本 · 更新于 {when}"));
        SourcesLoaded {
            loaded: Loaded {
                library,
                diagnostics,
                file_count: outputs.iter().map(|o| o.file_count).sum(),
                origin: LoadedFrom::Dirs(
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
            again,
        }
    }
}

impl Sources {
    /// How each source did (`verdicts`: each central one's); central
    /// sources' notes and covered problems go to `notes` and `covered`;
    /// and when to look again while one settles.
    fn reports(
        &mut self,
        outputs: &[LayerOutput],
        verdicts: &[Option<Verdict>],
        notes: &mut Vec<Diagnostic>,
        covered: &mut Vec<Diagnostic>,
    ) -> (Vec<SourceReport>, Option<Duration>) {
        let mut again = None;
        let mut reports = Vec::with_capacity(outputs.len());
        for (n, out) in outputs.iter().enumerate() {
            let report = match (&mut self.centrals[n], verdicts[n]) {
                (Some(central), Some(verdict)) => {
                    if let Verdict::Settling(wait) = verdict {
                        again = Some(again.map_or(wait, |a: Duration| a.min(wait)));
                    }
                    central_report(central, verdict, out, notes, covered)
                }
                _ => SourceReport {
                    spec: self.specs[n].clone(),
                    state: plain_state(out),
                    cards: 0,
                    files: out.files.len(),
                    using_cache: None,
                    cache_refreshed: false,
                    release: None,
                    replaced: 0,
                    stale: Vec::new(),
                },
            };
            reports.push(report);
        }
        (reports, again)
    }
}

/// Says that a central source is away, broken or not taken, and what is
/// shown instead; returns when the offline copy in use was taken.
fn offline_note(
    dir: &Path,
    state: &SourceState,
    out: &LayerOutput,
    notes: &mut Vec<Diagnostic>,
) -> Option<String> {
    if let SourceState::Rejected(why) = state {
        log::warn!(
            "{}: the published content was not taken: {why}",
            dir.display()
        );
    }
    let what = match state {
        SourceState::Unreachable(why) => format!("中心内容目录无法访问（{why}）"),
        SourceState::Rejected(why) => format!("中心内容没有通过验证：{why}"),
        _ => format!("中心内容目录有 {} 个错误（可能正在复制）", out.errors),
    };
    if let Some(taken) = &out.replaced {
        notes.push(
            Diagnostic::warning(dir, None, format!("{what}，正在使用 {taken} 的离线副本"))
                .with_help("恢复后会自动切换回中心内容"),
        );
        return Some(taken.clone());
    }
    if matches!(state, SourceState::Rejected(_)) {
        notes.push(
            Diagnostic::error(dir, None, what)
                .with_help("这台柜台还没有离线副本，中心的卡片都没有显示"),
        );
    }
    None
}

/// The state of a source that is not central.
fn plain_state(out: &LayerOutput) -> SourceState {
    if let Some(why) = &out.unreachable {
        SourceState::Unreachable(why.clone())
    } else if out.clean {
        SourceState::Ok
    } else {
        SourceState::Broken(out.errors.max(1))
    }
}

/// How a central source did; takes its read as the accepted state when it
/// settled and loaded cleanly (refreshing the offline copy).
fn central_report(
    central: &mut Central,
    verdict: Verdict,
    out: &LayerOutput,
    notes: &mut Vec<Diagnostic>,
    covered: &mut Vec<Diagnostic>,
) -> SourceReport {
    let dir = central.dir().to_path_buf();
    if central.unsigned_web() {
        notes.push(
            Diagnostic::warning(
                &dir,
                None,
                "网络来源的内容没有签名验证（配置里写了 allow_unsigned: true）：能改这个服务器的人就能改柜台显示的话术",
            )
            .with_help("正式使用时请发布签名的内容，并在配置里写上 trust（培训部的公钥）"),
        );
    }
    let emptied = central.emptied(&out.cards);
    let state = match verdict {
        Verdict::Unreachable => plain_state(out),
        Verdict::Rejected => SourceState::Rejected(
            central
                .rejected()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
        Verdict::Settling(_) => SourceState::Settling(out.replaced.clone()),
        Verdict::Same | Verdict::Settled | Verdict::Verified if !out.clean => plain_state(out),
        Verdict::Settled if !emptied.is_empty() => SourceState::Emptied(emptied.clone()),
        Verdict::Same | Verdict::Settled | Verdict::Verified => SourceState::Ok,
    };
    let mut report = SourceReport {
        spec: SourceSpec::Central(dir.clone()),
        state: state.clone(),
        cards: 0,
        files: out.files.len(),
        using_cache: None,
        cache_refreshed: false,
        release: central.release().cloned(),
        replaced: 0,
        stale: Vec::new(),
    };
    let when = out.replaced.clone().unwrap_or_default();
    let shown = if out.replaced.is_some() {
        format!("柜台的窗口不受影响：显示的是 {when} 的离线副本")
    } else {
        "柜台的窗口不受影响".to_owned()
    };
    covered.extend(
        out.covered
            .iter()
            .map(|d| d.clone().with_help(shown.clone())),
    );
    match &state {
        SourceState::Ok => match central.accept(&out.files, &out.cards) {
            Ok(refreshed) => report.cache_refreshed = refreshed,
            Err(e) => notes.push(
                Diagnostic::warning(
                    &central.cache().root,
                    None,
                    format!("无法更新离线副本：{e}"),
                )
                .with_help("中心内容照常使用；检查这个目录是否可写"),
            ),
        },
        SourceState::Settling(_) => {
            log::info!("{}: a new state is settling", dir.display());
            covered.push(
                Diagnostic::warning(
                    &dir,
                    None,
                    format!(
                        "中心内容目录正在更新（等待文件写完）：文件 {} 秒内不再变化后，柜台才会显示新内容",
                        central.settle().as_secs()
                    ),
                )
                .with_help(shown),
            );
        }
        SourceState::Emptied(files) => {
            for (path, had) in files {
                notes.push(
                    Diagnostic::warning(
                        path,
                        None,
                        format!(
                            "这个文件里的卡片全部不见了（上次有 {had} 张），可能是复制没有完成；柜台仍在显示 {when} 的离线副本"
                        ),
                    )
                    .with_help(
                        "如果是复制中断，重新复制这个文件；如果确实要撤下这一章，请删除这个文件，不要只删掉里面的卡片",
                    ),
                );
            }
            report.using_cache.clone_from(&out.replaced);
        }
        SourceState::Unreachable(_) | SourceState::Broken(_) | SourceState::Rejected(_) => {
            report.using_cache = offline_note(&dir, &state, out, notes);
        }
    }
    report
}
