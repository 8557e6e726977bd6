//! The trainers' view of a whole network: generates the day reports of
//! many counters (default 2,000 counters × 90 days, each day a few dozen
//! cards opened, scripts copied, searches, now and then a flag, over the
//! bundled cards' ids and the managers' words of the test fixtures), then
//! times `huashu usage --from` as a whole process (counts, flags, misses).
//!
//!     cargo build --release && cargo run --release --example reports_bench -- --counters 2000 --days 90

#![allow(
    clippy::cast_precision_loss,
    reason = "a benchmark report: float arithmetic on counts and times"
)]

mod stats;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use huashu::model::CardId;
use huashu::persist::report::{DayReport, FORMAT};
use huashu::usage::{Counts, Flag, Searched};
use stats::{median, ms};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 2000)]
    counters: usize,
    #[arg(long, default_value_t = 90)]
    days: usize,
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Keep the generated reports in this folder (for a profiler) instead
    /// of a temporary one that is removed.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).unwrap_or(0)
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = Path::new("target/release/huashu");
    anyhow::ensure!(binary.exists(), "build it first: cargo build --release");
    // Run from elsewhere (no data/ there): absolute.
    let binary = &std::fs::canonicalize(binary)?;
    let library = huashu::content::load_builtin().library;
    let ids: Vec<CardId> = library.cards.iter().map(|c| c.id.clone()).collect();
    let queries: Vec<String> = std::fs::read_to_string("tests/fixtures/bank-queries.tsv")
        .context("tests/fixtures/bank-queries.tsv")?
        .lines()
        .filter_map(|l| l.split('\t').next())
        .filter(|q| !q.is_empty() && !q.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let tmp = args.keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("huashu-reports-bench-{}", std::process::id()))
    });
    let share = tmp.join("share");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let t = Instant::now();
    let mut bytes = 0u64;
    for counter in 0..args.counters {
        let name = format!("网点{:03}-{}", counter / 7, counter % 7);
        let dir = share.join(&name);
        std::fs::create_dir_all(&dir)?;
        for day in 0..args.days {
            let date = chrono::NaiveDate::from_ymd_opt(2026, 9, 1)
                .context("date")?
                .checked_add_days(chrono::Days::new(day as u64))
                .context("date")?;
            let report = day_report(&mut rng, &name, counter, date, &ids, &queries);
            let json = serde_json::to_vec(&report)?;
            bytes += json.len() as u64;
            std::fs::write(dir.join(format!("{}.json", report.day)), json)?;
        }
    }
    let files = args.counters * args.days;
    println!(
        "{} counters × {} days = {files} files, {:.1} MB ({:.0} bytes per counter-day), written in {:.1} s",
        args.counters,
        args.days,
        bytes as f64 / 1e6,
        bytes as f64 / files as f64,
        t.elapsed().as_secs_f64()
    );
    for (what, extra) in [
        ("counts (usage --from --csv)", &["--csv"][..]),
        ("flags (usage --from --flags)", &["--flags"][..]),
        ("gaps (usage --from --misses)", &["--misses"][..]),
    ] {
        let mut times = Vec::new();
        for _ in 0..args.runs {
            let t = Instant::now();
            let out = Command::new(binary)
                .arg("usage")
                .args(extra)
                .arg("--from")
                .arg(&share)
                .env_remove("HUASHU_CONFIG")
                .current_dir(&tmp)
                .output()
                .context("running huashu usage")?;
            times.push(ms(t.elapsed()));
            anyhow::ensure!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        println!(
            "{what}, whole process: median {:.0} ms of {} ({times:.0?})",
            median(times.clone()),
            args.runs
        );
    }
    if args.keep.is_none() {
        std::fs::remove_dir_all(&tmp)?;
    }
    Ok(())
}

/// One counter's day: a few dozen cards opened, some scripts copied, some
/// searches, now and then a flag.
fn day_report(
    rng: &mut Rng,
    name: &str,
    counter: usize,
    date: chrono::NaiveDate,
    ids: &[CardId],
    queries: &[String],
) -> DayReport {
    let mut cards: BTreeMap<CardId, Counts> = BTreeMap::new();
    for _ in 0..(10 + rng.next(30)) {
        let c = cards.entry(ids[rng.next(ids.len())].clone()).or_default();
        c.opened += 1;
        if rng.next(3) == 0 {
            *c.copied.entry(rng.next(3)).or_default() += 1;
        }
    }
    let searches = (0..(5 + rng.next(15)))
        .map(|_| Searched {
            query: queries[rng.next(queries.len())].clone(),
            card: (rng.next(4) > 0).then(|| ids[rng.next(ids.len())].clone()),
            count: 1 + u32::try_from(rng.next(2)).unwrap_or(0),
        })
        .collect();
    let flags = if rng.next(20) == 0 {
        vec![Flag {
            card: ids[rng.next(ids.len())].clone(),
            reason: "利率已经调整，话术要更新".into(),
        }]
    } else {
        Vec::new()
    };
    DayReport {
        format: FORMAT,
        counter: name.to_owned(),
        branch: Some(format!("网点{:03}", counter / 7)),
        day: date.format("%Y-%m-%d").to_string(),
        cards,
        flags,
        searches,
    }
}
