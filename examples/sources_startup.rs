//! What a counter does at startup with a central source: load (and refresh
//! the offline copy), index; then the same offline (from the copy).
//!
//!     cargo run --release --example gen_cards -- --cards 2000 --out /tmp/central
//!     cargo run --release --example sources_startup -- --central /tmp/central

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use huashu::content::central::{Accepted, Cache};
use huashu::content::sources::{SourceSpec, Sources};
use huashu::search::Searcher;

#[derive(Parser)]
struct Args {
    /// The central content directory (read only).
    #[arg(long)]
    central: PathBuf,
}

// The same allocator as the app (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let state = tempfile_dir()?;
    let specs = vec![
        SourceSpec::Builtin,
        SourceSpec::Central(args.central.clone()),
    ];
    let run = |label: &str| {
        let t = Instant::now();
        let loaded = Sources::new(specs.clone(), state.clone())
            .with_settle(std::time::Duration::ZERO)
            .load();
        let load = t.elapsed();
        let t = Instant::now();
        let cards = loaded.loaded.library.cards.len();
        let searcher = Searcher::new(Arc::new(loaded.loaded.library));
        let index = t.elapsed();
        std::hint::black_box(&searcher);
        println!(
            "{label:<28} {cards} cards: load {} + index {} = {}{}{}",
            ms(load),
            ms(index),
            ms(load + index),
            if loaded.reports[1].cache_refreshed {
                "  (cache refreshed)"
            } else {
                ""
            },
            loaded
                .banner
                .map(|b| format!("  [{b}]"))
                .unwrap_or_default()
        );
    };
    run("first start (empty cache)");
    run("next start (cache current)");
    // The refresh alone: a copy of every file, then the swap.
    let files: Vec<(PathBuf, Vec<u8>)> = walk(&args.central)?;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let cache = Cache::new(&state.join("bench"), &args.central);
    let t = Instant::now();
    cache.refresh(&args.central, &files, &Accepted::default(), true)?;
    println!(
        "cache refresh alone           {} files, {:.1} MB: {}",
        files.len(),
        f64::from(u32::try_from(bytes).unwrap_or(u32::MAX)) / 1e6,
        ms(t.elapsed())
    );
    let away = args.central.with_extension("away");
    std::fs::rename(&args.central, &away).context("moving the central directory away")?;
    run("central unreachable");
    std::fs::rename(&away, &args.central).context("moving the central directory back")?;
    std::fs::remove_dir_all(&state).ok();
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("huashu-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn walk(dir: &std::path::Path) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            let bytes = std::fs::read(&path)?;
            out.push((path, bytes));
        }
    }
    out.sort();
    Ok(out)
}
