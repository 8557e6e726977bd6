//! Publishing at a bank's size: `huashu publish` of a generated corpus
//! (the whole process: check, write the version, sign, switch), and a
//! counter taking the next version (verify the signature and every file's
//! hash, load, index-free build, refresh the offline copy), on a share and
//! from a web server on 127.0.0.1 (the tests' server): its time and the
//! bytes it downloads for the first version and for a one-card change.
//!
//!     cargo build --release && cargo run --release --example publish_bench -- --cards 10000

#![allow(
    clippy::cast_precision_loss,
    reason = "a benchmark report: float arithmetic on counts and times"
)]

mod corpus;
#[path = "../tests/support/http.rs"]
mod http;
mod stats;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use huashu::content::publish::{self, PublicKey};
use huashu::content::sources::{SourceSpec, Sources, WebSettings};
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
    let (public, _): (PublicKey, _) = publish::keygen(&key)?;
    let central = tmp.join("central");
    let mut publishes = Vec::new();
    let mut takes = Vec::new();
    let mut web_takes = Vec::new();
    let mut web_bytes = Vec::new();
    std::fs::create_dir_all(&central)?;
    let web_server = http::Server::start(&central);
    let mut web_counter = Sources::new(
        vec![SourceSpec::Central(web_server.url().into())],
        tmp.join("web-cache"),
    )
    .with_web(WebSettings::default())
    .with_trust(Some(vec![public]));
    let trainer = Trainer {
        binary,
        from: &from,
        central: &central,
        key: &key,
    };
    for run in 0..args.runs {
        let counter_cache = tmp.join(format!("cache-{run}"));
        let mut counter = Sources::new(vec![SourceSpec::Central(central.clone())], counter_cache)
            .with_trust(Some(vec![public]));
        if run > 0 {
            counter.load();
        }
        let t = Instant::now();
        trainer.publish_a_change(&run.to_string())?;
        publishes.push(ms(t.elapsed()));
        let t = Instant::now();
        let loaded = counter.load();
        takes.push(ms(t.elapsed()));
        anyhow::ensure!(
            loaded.reports[0].cache_refreshed,
            "the counter did not take the version"
        );
        web_server.take_served();
        let t = Instant::now();
        let loaded = web_counter.load();
        web_takes.push(ms(t.elapsed()));
        anyhow::ensure!(
            loaded.reports[0].cache_refreshed,
            "the web counter did not take the version: {:?}",
            loaded.reports[0].state
        );
        web_bytes.push(downloads(&web_server));
    }
    // The same change once more, from a server that compresses.
    web_server.compress(true);
    let gzipped = [downloads_of_a_new_counter(&web_server, &tmp, public)?, {
        trainer.publish_a_change("z")?;
        downloads_of_a_new_counter(&web_server, &tmp, public)?
    }];
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
    println!(
        "web counter takes the next version (download what changed, verify, load, refresh): median {:.0} ms ({web_takes:.0?})",
        median(web_takes.clone())
    );
    print_downloads(&web_bytes, &gzipped);
    drop(web_server);
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}

/// Publishes the corpus with one card changed (its title marked `mark`).
struct Trainer<'a> {
    binary: &'a Path,
    from: &'a Path,
    central: &'a Path,
    key: &'a Path,
}

impl Trainer<'_> {
    fn publish_a_change(&self, mark: &str) -> anyhow::Result<()> {
        let first = self.from.join("01.ron");
        let text = std::fs::read_to_string(&first)?;
        std::fs::write(
            &first,
            text.replacen("title: \"", &format!("title: \"{mark}"), 1),
        )?;
        let status = Command::new(self.binary)
            .args(["publish", "--publisher", "bench", "--from"])
            .arg(self.from)
            .arg("--to")
            .arg(self.central)
            .arg("--key")
            .arg(self.key)
            .stdout(std::process::Stdio::null())
            .status()
            .context("running huashu publish")?;
        anyhow::ensure!(status.success(), "huashu publish failed");
        Ok(())
    }
}

/// What a counter keeping its mirror in `tmp` downloads to be up to date:
/// after a publish, the changed files only.
fn downloads_of_a_new_counter(
    server: &http::Server,
    tmp: &Path,
    public: PublicKey,
) -> anyhow::Result<(usize, u64)> {
    let mut counter = Sources::new(
        vec![SourceSpec::Central(server.url().into())],
        tmp.join("web-cache-gzip"),
    )
    .with_web(WebSettings::default())
    .with_trust(Some(vec![public]));
    server.take_served();
    let loaded = counter.load();
    anyhow::ensure!(
        loaded.reports[0].cache_refreshed,
        "not taken: {:?}",
        loaded.reports[0].state
    );
    Ok(downloads(server))
}

/// The requests a web server answered since the last call, and the body
/// bytes it sent.
fn downloads(server: &http::Server) -> (usize, u64) {
    let answered = server.take_served();
    (answered.len(), answered.iter().map(|s| s.bytes).sum())
}

/// Each web download: requests and bytes (the first version, then one
/// card changed each time).
fn print_downloads(plain: &[(usize, u64)], gzipped: &[(usize, u64)]) {
    for (run, (requests, bytes)) in plain.iter().enumerate() {
        let what = if run == 0 {
            "first version"
        } else {
            "one card changed"
        };
        println!("web counter, {what}: {requests} requests, {bytes} body bytes");
    }
    for (run, (requests, bytes)) in gzipped.iter().enumerate() {
        let what = if run == 0 {
            "first version"
        } else {
            "one card changed"
        };
        println!(
            "web counter, server compressing (gzip), {what}: {requests} requests, {bytes} bytes on the wire"
        );
    }
}
