//! The command line: `check`, `list`, `search`, `sources`, `import`,
//! `publish`, `keygen`, …; no
//! subcommand opens the window.

mod check;
pub mod eval;
mod export;
mod import;
mod list;
mod output;
mod publish;
mod report;
mod search;
mod show;
mod sources;
mod usage;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::content::sources::Setup;

pub use output::Painter;

/// 话术助手 — speech scripts for bank lobby managers.
///
/// Without a subcommand, opens the counter window.
/// 不带子命令时打开窗口。
#[derive(Debug, Parser)]
#[command(name = "huashu", version, about, long_about = None)]
pub struct Cli {
    /// Content directory; repeat for several. Default: ./data if it exists,
    /// else the built-in cards. 内容目录，可重复。
    #[arg(long = "data", value_name = "DIR", global = true)]
    pub data: Vec<PathBuf>,

    /// Config file listing the content sources (default: the platform's
    /// config directory; also `HUASHU_CONFIG`). 配置文件。
    #[arg(long = "config", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// A directory layered on top of the other sources, card by card (a
    /// branch's own cards over the central ones); repeatable.
    /// 叠加在其他内容之上的目录（例如本网点的卡片）。
    #[arg(long = "local", value_name = "DIR", global = true)]
    pub local: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check content files and report every problem. 检查内容文件。
    ///
    /// Prints `path:line:col: error|warning: message` lines and a summary.
    /// Exit status: 0 without errors, 1 with errors, 2 on usage errors.
    Check,
    /// List every card in chapter order. 列出所有卡片。
    List {
        /// One JSON object per line. 每行输出一个 JSON 对象。
        #[arg(long)]
        json: bool,
    },
    /// Print one card, as the window shows it. 显示一张卡片。
    ///
    /// By id (`wrong-queue-ticket`) or, failing that, the first card a
    /// search for the words finds (`取号错了`, `qhcw`).
    Show {
        /// The card as one JSON object. 输出 JSON。
        #[arg(long)]
        json: bool,
        /// A card id or what the lobby manager would type. 卡片 id 或搜索词。
        #[arg(required = true)]
        card: Vec<String>,
    },
    /// Rank the cards for a query, as the window does. 搜索卡片。
    ///
    /// Chinese phrases, pinyin (full, initials or mixed: qhcw, qu'hao) or
    /// both; cards matching every word first, then partial matches.
    Search {
        /// How many cards to show. 显示多少张卡片。
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// One JSON object per line, with matched character ranges.
        /// 每行输出一个 JSON 对象。
        #[arg(long)]
        json: bool,
        /// What the lobby manager would type. 搜索词。
        #[arg(required = true)]
        query: Vec<String>,
    },
    /// How well the search finds the intended cards. 评估搜索效果。
    ///
    /// Reads `query<TAB>expected card id` lines (`#` comments) and prints
    /// every query whose card did not rank first, then top-1, top-3 and the
    /// mean reciprocal rank. Exit status 1 when top-1 is below --min-top1.
    Eval {
        /// The queries file. 查询文件。
        queries: PathBuf,
        /// Least acceptable top-1, in percent. 首位命中率下限（百分比）。
        #[arg(long, value_name = "PERCENT")]
        min_top1: Option<f64>,
    },
    /// Show each content source, its state and card count. 显示内容来源。
    ///
    /// Loading refreshes the offline copy of a central source that loads
    /// without errors, as the window does.
    Sources,
    /// Usage counts for trainers: cards opened, scripts copied, per day.
    /// 使用次数统计。
    ///
    /// Kept in the app's data directory; nothing about customers and no
    /// search text. Turn counting off with `count_usage: false` in the config.
    Usage {
        /// Queries typed and not found directly, most frequent first, with
        /// the card opened after them (needs `log_searches: true`). 搜索缺口。
        #[arg(long, conflicts_with = "flags")]
        misses: bool,
        /// Cards flagged at the counter as wrong or outdated. 被标记的卡片。
        #[arg(long)]
        flags: bool,
        /// CSV rows. 输出 CSV。
        #[arg(long)]
        csv: bool,
        /// Write the CSV to this file, UTF-8 with BOM (for Excel). 写入文件。
        #[arg(short, long, value_name = "FILE.csv", requires = "csv")]
        output: Option<PathBuf>,
        /// Only days from this one on (YYYY-MM-DD). 起始日期。
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Every counter's reports in these folders (the `reports:` share)
        /// instead of this computer's. 汇总全行柜台的报告。
        #[arg(long, value_name = "DIR", num_args = 1..)]
        from: Vec<PathBuf>,
        /// Only this counter (with --from). 只看这个柜台。
        #[arg(long, requires = "from")]
        counter: Option<String>,
        /// Only this branch (with --from). 只看这个网点。
        #[arg(long, requires = "from")]
        branch: Option<String>,
    },
    /// Turn a plain-text manual into content files. 从纯文本手册导入卡片。
    ///
    /// Reads `第X章` / `第X节` headings, scenarios `一、…` with 场景再现,
    /// 解决方案 (steps `(1)` `（1）` `1.` `①`, scripts after 演讲/脚本/文字/
    /// 话术/台词 and a colon) and 作者观点. UTF-8 (with or without BOM),
    /// UTF-16 or GBK. Damaged text is reported with its position and the
    /// card is marked Draft. Without -o a one-chapter result is printed.
    Import {
        /// The text file. 纯文本文件。
        input: PathBuf,
        /// Output: a `.ron` file (one chapter), or a directory (one file per
        /// chapter). 输出文件或目录。
        #[arg(short, long, value_name = "OUTPUT")]
        output: Option<PathBuf>,
        /// Replace existing files. 覆盖已有文件。
        #[arg(long)]
        force: bool,
    },
    /// Make the training team's signing key (once). 生成签名密钥。
    ///
    /// The secret key file is readable by its owner only and never printed;
    /// the public key is printed as one line for the counters' config.
    Keygen {
        /// Where to write the secret key (must not exist). 密钥文件。
        #[arg(short, long, value_name = "KEYFILE")]
        output: PathBuf,
    },
    /// Publish content to a central folder as a new, signed version.
    /// 发布新版本到中心目录。
    ///
    /// Refuses content with errors. Writes the version beside the earlier
    /// ones, then switches the pointer counters read; old versions beyond
    /// --keep are removed. --list shows the versions; --rollback publishes
    /// an earlier version again as a new, higher one.
    Publish {
        /// The content to publish. 要发布的内容目录。
        #[arg(long, value_name = "DIR", required_unless_present_any = ["list", "rollback"])]
        from: Option<PathBuf>,
        /// The central folder counters read. 中心目录。
        #[arg(long, value_name = "CENTRAL")]
        to: PathBuf,
        /// The signing key (from huashu keygen). 签名密钥文件。
        #[arg(long, value_name = "KEYFILE")]
        key: Option<PathBuf>,
        /// Who publishes (default: the user name). 发布者。
        #[arg(long, value_name = "NAME")]
        publisher: Option<String>,
        /// Versions kept besides the current one. 保留的旧版本数。
        #[arg(long, default_value_t = crate::content::publish::DEFAULT_KEEP)]
        keep: usize,
        /// Days a version stays valid at the counters. 有效天数。
        #[arg(long, value_name = "DAYS", default_value_t = crate::content::publish::DEFAULT_EXPIRES_DAYS)]
        expires_days: i64,
        /// List the versions kept. 列出版本。
        #[arg(long, conflicts_with_all = ["from", "rollback"])]
        list: bool,
        /// Publish this earlier version again. 回滚到这个版本。
        #[arg(long, value_name = "VERSION", conflicts_with = "from")]
        rollback: Option<u64>,
    },
    /// Printable handouts: an index and one HTML page per chapter, styled
    /// for A4, self-contained (font beside, no script). 导出打印版。
    Export {
        /// The directory to write (created if missing; only the export's own
        /// files are replaced). 输出目录。
        #[arg(long, value_name = "OUT_DIR")]
        html: PathBuf,
    },
    /// One offline page for the trainers: the most used cards, cards never
    /// opened, the top search gaps, the flags, each branch. 全行报告页。
    Report {
        /// The directory to write `index.html` in. 输出目录。
        #[arg(long, value_name = "OUT_DIR")]
        html: PathBuf,
        /// Every counter's reports in these folders (the `reports:` share);
        /// without it, this computer's own counts. 各柜台报告所在的目录。
        #[arg(long, value_name = "DIR", num_args = 1..)]
        from: Vec<PathBuf>,
        /// Only days from this one on (YYYY-MM-DD). 起始日期。
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only this branch. 只看这个网点。
        #[arg(long, requires = "from")]
        branch: Option<String>,
    },
}

/// Runs a subcommand and returns the process exit code.
pub fn run(command: &Command, args: &Cli) -> anyhow::Result<ExitCode> {
    let painter = Painter::for_stream(&std::io::stdout());
    let setup =
        || Setup::resolve(&args.data, args.config.as_deref()).map(|s| s.with_local(&args.local));
    let load = || {
        let loaded = setup()?.sources().load();
        sources::say_offline(&loaded.reports);
        anyhow::Ok(loaded.loaded)
    };
    match command {
        Command::Check => {
            // Content files named one by one are checked in their folders
            // (links to the other files, the folder's rules and synonyms).
            let files = check::files_alone(&args.data, args.config.as_deref());
            let setup = match &files {
                Some(files) => {
                    Setup::resolve(&check::folders_of(files), None)?.with_local(&args.local)
                }
                None => setup()?,
            };
            // What a counter shows, and also the errors an offline copy covers.
            let loaded = setup.sources().load();
            let mut checked = loaded.loaded;
            checked.diagnostics.extend(loaded.covered);
            check::run(
                &checked,
                files.as_deref(),
                &mut std::io::stdout().lock(),
                painter,
            )
        }
        Command::List { json } => list::run(&load()?, *json, &mut std::io::stdout().lock()),
        Command::Show { json, card } => show::run(
            load()?,
            &card.join(" "),
            *json,
            &mut std::io::stdout().lock(),
        ),
        Command::Eval { queries, min_top1 } => {
            eval::run(load()?, queries, *min_top1, &mut std::io::stdout().lock())
        }
        Command::Sources => sources::run(&setup()?, &mut std::io::stdout().lock()),
        Command::Export { html } => export::run(&load()?, html),
        Command::Report { .. } | Command::Usage { .. } => reports(&setup()?, command),
        Command::Search { limit, json, query } => search::run(
            load()?,
            &query.join(" "),
            *limit,
            *json,
            &mut std::io::stdout().lock(),
        ),
        Command::Keygen { output } => publish::keygen(output, &mut std::io::stdout().lock()),
        Command::Publish {
            from,
            to,
            key,
            publisher,
            keep,
            expires_days,
            list,
            rollback,
        } => publish::run(
            &publish::Args {
                from: from.as_deref(),
                to,
                key: key.as_deref(),
                publisher: publisher.as_deref(),
                keep: *keep,
                expires_days: *expires_days,
                list: *list,
                rollback: *rollback,
            },
            painter,
            &mut std::io::stdout().lock(),
        ),
        Command::Import {
            input,
            output,
            force,
        } => import::run(
            input,
            output.as_deref(),
            *force,
            &mut std::io::stdout().lock(),
        ),
    }
}

/// `usage` and `report`: what the counters learned.
fn reports(setup: &Setup, command: &Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Report {
            html,
            from,
            since,
            branch,
        } => report::run(
            setup,
            html,
            &usage::Scope {
                since: since.as_deref(),
                from,
                counter: None,
                branch: branch.as_deref(),
            },
        ),
        Command::Usage {
            misses,
            flags,
            csv,
            output,
            since,
            from,
            counter,
            branch,
        } => usage::run(
            setup,
            if *misses {
                usage::Report::Misses
            } else if *flags {
                usage::Report::Flags
            } else {
                usage::Report::Counts
            },
            &usage::Output {
                csv: *csv,
                file: output.as_deref(),
            },
            &usage::Scope {
                since: since.as_deref(),
                from,
                counter: counter.as_deref(),
                branch: branch.as_deref(),
            },
            &mut std::io::stdout().lock(),
        ),
        _ => Ok(ExitCode::SUCCESS),
    }
}
