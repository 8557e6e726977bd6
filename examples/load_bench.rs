//! Content load at scale: a generated corpus written as content files (~1.2
//! KB of RON a card), loaded, validated and indexed as the window does, with
//! where the time goes; then a reload after one file is edited; then the
//! index's memory against the content's text.
//!
//!     cargo run --release --example load_bench -- --cards 10000
//!
//! Prints a table, then one JSON object as the last line.

#![allow(
    clippy::cast_precision_loss,
    reason = "a benchmark report: float arithmetic on counts and times"
)]

mod corpus;
mod stats;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser;
use huashu::content::{self, Loader, decode, raw};
use huashu::search::Searcher;
use stats::{median, ms};

#[derive(Parser)]
struct Args {
    /// Number of generated cards.
    #[arg(long, default_value_t = 10_000)]
    cards: usize,
    /// Runs of each measurement (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

// The same allocator as the app (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Writes the corpus as one file a chapter, as `gen_cards` does.
fn write_corpus(dir: &Path, cards: usize, seed: u64) -> anyhow::Result<(usize, usize)> {
    let library = corpus::generate(cards, seed);
    let bytes = corpus::write_chapters(&library, dir)
        .with_context(|| format!("writing into {}", dir.display()))?;
    let text: usize = library
        .cards
        .iter()
        .map(|c| corpus::whole_text(c).len())
        .sum();
    Ok((bytes, text))
}

/// The stages one at a time (each a step of what `Loader::load` does):
/// read, decode, parse (RON into the raw types, on one thread), and the
/// whole build (parse again + validate, on the threads `validate` uses),
/// then the index.
struct Stages {
    read: f64,
    decode: f64,
    parse: f64,
    build: f64,
    index: f64,
}

fn stages(dir: &Path) -> anyhow::Result<Stages> {
    let t = Instant::now();
    let (paths, _) = content::walk::walk(dir).map_err(anyhow::Error::msg)?;
    let files: Vec<(PathBuf, Vec<u8>)> = paths
        .into_iter()
        .map(|p| std::fs::read(&p).map(|b| (p, b)))
        .collect::<Result<_, _>>()?;
    let read = ms(t.elapsed());
    let t = Instant::now();
    let texts: Vec<String> = files
        .iter()
        .filter_map(|(_, b)| decode::decode(b).ok().map(|d| d.text))
        .collect();
    let decode = ms(t.elapsed());
    // As `validate` reads a good file: the chapter with its sections in
    // one pass, then each card.
    let t = Instant::now();
    for text in &texts {
        let chapter: Result<raw::RawChapterInOnePass<'_>, _> = raw::ron_options().from_str(text);
        for section in chapter.iter().flat_map(|c| &c.sections) {
            for card in &section.cards {
                let card: Result<raw::RawCard<'_>, _> = raw::ron_options().from_str(card.get_ron());
                std::hint::black_box(&card);
            }
        }
    }
    let parse = ms(t.elapsed());
    let t = Instant::now();
    let mut diagnostics = Vec::new();
    let library = content::build(&files, &mut diagnostics);
    let build = ms(t.elapsed());
    let t = Instant::now();
    let searcher = Searcher::new(Arc::new(library));
    let index = ms(t.elapsed());
    std::hint::black_box(&searcher);
    Ok(Stages {
        read,
        decode,
        parse,
        build,
        index,
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (ron_bytes, text_bytes) = write_corpus(dir.path(), args.cards, args.seed)?;
    let dirs = vec![dir.path().to_path_buf()];

    // The first load in this process (the files are in the page cache, as
    // at a counter's second start), then more.
    let mut loads = Vec::new();
    let mut first = None;
    for _ in 0..args.runs {
        let t = Instant::now();
        let loaded = Loader::default().load(&dirs);
        let load = t.elapsed();
        let searcher = Searcher::new(Arc::new(loaded.library));
        let total = ms(t.elapsed());
        std::hint::black_box(&searcher);
        first.get_or_insert((ms(load), total));
        loads.push(total);
    }
    let (first_load, first_total) = first.unwrap_or_default();

    let mut runs: Vec<Stages> = Vec::new();
    for _ in 0..args.runs {
        runs.push(stages(dir.path())?);
    }
    let stage = |f: fn(&Stages) -> f64| median(runs.iter().map(f).collect());

    // Live reload after one edit: the watcher's loader has seen the files;
    // one file changes; load + index again.
    let mut watcher = Loader::default();
    std::hint::black_box(watcher.load(&dirs));
    let edited = dir.path().join("01.ron");
    let original = std::fs::read_to_string(&edited)?;
    let mut reloads = Vec::new();
    for n in 0..args.runs {
        let text = original.replacen("title: \"", &format!("title: \"改{n}"), 1);
        std::fs::write(&edited, text)?;
        let t = Instant::now();
        let reloaded = watcher.load(&dirs);
        let searcher = Searcher::new(Arc::new(reloaded.library));
        reloads.push(ms(t.elapsed()));
        std::hint::black_box(&searcher);
    }

    let parts = Searcher::new(Arc::new(Loader::default().load(&dirs).library))
        .index()
        .memory_parts();
    let index_bytes: usize = parts.iter().map(|(_, b)| b).sum();
    let load_ms = median(loads);
    let reload_ms = median(reloads);
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    println!(
        "{} cards: {:.1} MiB of RON in {} files, {:.1} MiB of card text",
        args.cards,
        mib(ron_bytes),
        std::fs::read_dir(dir.path())?.count(),
        mib(text_bytes)
    );
    println!();
    println!("| load + validate + index | ms |");
    println!("|---|---|");
    println!("| first in the process | {first_total:.0} (load {first_load:.0}) |");
    println!("| median of {} | {load_ms:.0} |", args.runs);
    println!("| reload after one file edited | {reload_ms:.0} |");
    println!();
    println!("| stage (median of {}) | ms |", args.runs);
    println!("|---|---|");
    println!("| read | {:.1} |", stage(|s| s.read));
    println!("| decode | {:.1} |", stage(|s| s.decode));
    println!(
        "| parse (RON → raw types, one thread) | {:.1} |",
        stage(|s| s.parse)
    );
    println!(
        "| parse + validate (content::build, {} threads) | {:.1} |",
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(4),
        stage(|s| s.build)
    );
    println!("| index | {:.1} |", stage(|s| s.index));
    println!();
    println!(
        "index memory {:.1} MiB = {:.2}× the card text ({:.1} MiB): {}",
        mib(index_bytes),
        index_bytes as f64 / text_bytes.max(1) as f64,
        mib(text_bytes),
        parts
            .iter()
            .map(|(name, b)| format!("{name} {:.1} MiB", mib(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "{{\"cards\":{},\"ron_mib\":{:.2},\"first_ms\":{first_total:.1},\"load_ms\":{load_ms:.1},\"reload_ms\":{reload_ms:.1},\"read_ms\":{:.1},\"decode_ms\":{:.1},\"parse_ms\":{:.1},\"build_ms\":{:.1},\"index_ms\":{:.1},\"index_mib\":{:.2},\"text_mib\":{:.2}}}",
        args.cards,
        mib(ron_bytes),
        stage(|s| s.read),
        stage(|s| s.decode),
        stage(|s| s.parse),
        stage(|s| s.build),
        stage(|s| s.index),
        mib(index_bytes),
        mib(text_bytes)
    );
    Ok(())
}
