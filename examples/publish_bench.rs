//! Publishing at a bank's size: `huashu publish` of a generated corpus
//! (the whole process: check, write the version, sign, switch), and a
//! counter taking the next version (verify the signature and every file's
//! hash, load, index-free build, refresh the offline copy).
//!
//!     cargo build --release && cargo run --release --example publish_bench -- --cards 10000

#![allow(
    clippy::cast_precision_loss,
    reason = "a benchmark report: float arithmetic on counts and times"
)]

mod corpus;
mod stats;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use huashu::content::publish::{self, PublicKey};
use huashu::content::sources::{SourceSpec, Sources};
use stats::{median, ms};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 10_000)]
    cards: usize,
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = Path::new("target/release/huashu");
    anyhow::ensure!(binary.exists(), "build it first: cargo build --release");
    let tmp = std::env::temp_dir().join(format!("huashu-publish-bench-{}", std::process::id()));
    let from = tmp.join("cards");
    std::fs::create_dir_all(&from)?;
    let library = corpus::generate(args.cards, 42);
    let bytes = corpus::write_chapters(&library, &from)?;
    let key = tmp.join("key");
    let public: PublicKey = publish::keygen(&key)?;
    let central = tmp.join("central");
    let mut publishes = Vec::new();
    let mut takes = Vec::new();
    for run in 0..args.runs {
        // One card changed between versions.
        let first = from.join("01.ron");
        let text = std::fs::read_to_string(&first)?;
        std::fs::write(
            &first,
            text.replacen("title: \"", &format!("title: \"{run}"), 1),
        )?;
        let counter_cache = tmp.join(format!("cache-{run}"));
        let mut counter = Sources::new(vec![SourceSpec::Central(central.clone())], counter_cache)
            .with_trust(Some(vec![public]));
        if run > 0 {
            counter.load();
        }
        let t = Instant::now();
        let status = Command::new(binary)
            .args(["publish", "--publisher", "bench", "--from"])
            .arg(&from)
            .arg("--to")
            .arg(&central)
            .arg("--key")
            .arg(&key)
            .stdout(std::process::Stdio::null())
            .status()
            .context("running huashu publish")?;
        publishes.push(ms(t.elapsed()));
        anyhow::ensure!(status.success(), "huashu publish failed");
        let t = Instant::now();
        let loaded = counter.load();
        takes.push(ms(t.elapsed()));
        anyhow::ensure!(
            loaded.reports[0].cache_refreshed,
            "the counter did not take the version"
        );
    }
    println!(
        "{} cards, {:.1} MB of RON in {} files",
        library.cards.len(),
        bytes as f64 / 1e6,
        library.chapters.len()
    );
    println!(
        "huashu publish (check, write, sign, switch), whole process: median {:.0} ms of {} ({publishes:.0?})",
        median(publishes.clone()),
        args.runs
    );
    println!(
        "counter takes the next version (verify signature and hashes, load, refresh the offline copy): median {:.0} ms ({takes:.0?})",
        median(takes.clone())
    );
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}
