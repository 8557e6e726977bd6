//! The command line: `check`, `list`; no subcommand opens the window.

mod check;
mod list;
mod output;
mod search;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Rank the cards for a query, as the window does. 搜索卡片。
    ///
    /// Chinese, pinyin (full, initials or mixed: qhcw) or both; words
    /// separated by spaces must all match.
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
}

/// Runs a subcommand and returns the process exit code.
pub fn run(command: &Command, data: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let painter = Painter::for_stream(&std::io::stdout());
    match command {
        Command::Check => check::run(data, &mut std::io::stdout().lock(), painter),
        Command::List { json } => list::run(data, *json, &mut std::io::stdout().lock()),
        Command::Search { limit, json, query } => search::run(
            data,
            &query.join(" "),
            *limit,
            *json,
            &mut std::io::stdout().lock(),
        ),
    }
}
