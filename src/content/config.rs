//! The config file (`config.ron`): the content sources in layers and how
//! they are read (re-check and settle intervals, trusted keys, web
//! timeouts), the hotkey, counting; where huashu keeps its files
//! ([`Places`]); and why the sources loaded are the ones they are
//! ([`Chosen`]). Read value by value with positions, like content.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::content::diagnostic::LineIndex;
use crate::content::publish::PublicKey;
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
    /// How long a new state of a central source must stay unchanged (same
    /// files, same bytes) before counters show it: a copy in progress is
    /// never shown half done.
    #[serde(default = "default_settle")]
    pub settle_seconds: u64,
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
    /// Keep the queries typed, with the card opened after each (digits
    /// masked), for `huashu usage --misses`. Off unless set.
    #[serde(default)]
    pub log_searches: bool,
    /// The training team's public keys (`huashu keygen` prints one): a
    /// published central version is taken only if one of them signed it.
    /// Empty: content is taken unsigned.
    #[serde(default)]
    pub trust: Vec<String>,
    /// A web source (`Central("https://…")`) is taken without `trust`
    /// (for a test server only; said at every load).
    #[serde(default)]
    pub allow_unsigned: bool,
    /// The trainers' share each counter reports its usage counts, search
    /// log and flags to (its own files only; see `persist::report`).
    #[serde(default)]
    pub reports: Option<PathBuf>,
    /// This counter's name in the reports (default: the machine's name).
    #[serde(default)]
    pub counter: Option<String>,
    /// Its branch, for the trainers' per-branch view.
    #[serde(default)]
    pub branch: Option<String>,
    /// How long a web source may take to connect, to answer, and to send
    /// each file.
    #[serde(default = "default_web_timeout")]
    pub web_timeout_seconds: u64,
}

fn default_web_timeout() -> u64 {
    crate::content::web::DEFAULT_TIMEOUT_SECONDS
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

fn default_settle() -> u64 {
    crate::content::central::DEFAULT_SETTLE_SECONDS
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Self {
            sources: default_sources(),
            recheck_seconds: DEFAULT_RECHECK_SECONDS,
            settle_seconds: default_settle(),
            state_dir: None,
            count_usage: true,
            hotkey: default_hotkey(),
            log_searches: false,
            trust: Vec::new(),
            allow_unsigned: false,
            reports: None,
            counter: None,
            branch: None,
            web_timeout_seconds: default_web_timeout(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The system's error said once, with a Chinese reason (not chained
    /// as a source: it would be printed twice).
    #[error("无法读取配置文件 {path}：{}", crate::content::load::io_reason(.cause))]
    Read {
        path: PathBuf,
        cause: std::io::Error,
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
            Err(cause) => Err(ConfigError::Read {
                path: path.to_owned(),
                cause,
            }),
        }
    }

    /// The hotkey to register, `None` when turned off, or what is wrong
    /// with it.
    pub fn hotkey(&self) -> Result<Option<HotKey>, crate::hotkey::ParseError> {
        self.hotkey.as_deref().map(HotKey::parse).transpose()
    }

    /// The trusted keys (`None` when none are configured), and what is
    /// wrong with entries that are not keys (they trust nothing: a
    /// mistyped key never lets unsigned content in).
    pub fn trust(&self) -> (Option<Vec<PublicKey>>, Vec<String>) {
        if self.trust.is_empty() {
            return (None, Vec::new());
        }
        let mut keys = Vec::new();
        let mut problems = Vec::new();
        for entry in &self.trust {
            match PublicKey::parse(entry) {
                Ok(key) => keys.push(key),
                Err(why) => problems.push(format!("trust 里的“{entry}”不能用：{why}")),
            }
        }
        (Some(keys), problems)
    }

    pub fn recheck(&self) -> Duration {
        Duration::from_secs(self.recheck_seconds.clamp(5, 24 * 3600))
    }

    /// At most ten minutes; 0 shows a new state at the first look that
    /// loads cleanly (only for a folder nothing copies into while it is
    /// read).
    pub fn settle(&self) -> Duration {
        Duration::from_secs(self.settle_seconds.min(600))
    }

    /// How web sources are read.
    pub fn web(&self) -> WebSettings {
        WebSettings {
            timeout: Duration::from_secs(self.web_timeout_seconds.clamp(1, 600)),
            allow_unsigned: self.allow_unsigned,
        }
    }
}

/// How web sources are read (see [`crate::content::web`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebSettings {
    pub timeout: Duration,
    pub allow_unsigned: bool,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(crate::content::web::DEFAULT_TIMEOUT_SECONDS),
            allow_unsigned: false,
        }
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
