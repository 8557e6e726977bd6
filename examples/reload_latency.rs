//! Edit-to-content latency of live reload: edits a title in a content file
//! again and again and times how long until the window's new content (loaded
//! and indexed, as the app's watch thread builds it) is ready.
//!
//!     cargo run --release --example gen_cards -- --cards 1000 --out /tmp/cards
//!     cargo run --release --example reload_latency -- --data /tmp/cards
//!
//! The window shows it at the next frame (a few ms more).

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Parser;
use huashu::app::Content;
use huashu::content::Loader;
use huashu::content::watch::Watch;

#[derive(Parser)]
struct Args {
    /// A content directory (it is edited, then restored).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value_t = 10)]
    edits: usize,
}

// The same allocator as the app (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    let file = files.first().context("no .ron file")?.clone();
    let original = std::fs::read_to_string(&file)?;
    let marker = "title: \"";
    let at = original.find(marker).context("no title")? + marker.len();

    let dirs = vec![args.data.clone()];
    let mut loader = Loader::default();
    let first = loader.load(&dirs);
    println!(
        "{} cards in {} files",
        first.library.cards.len(),
        first.file_count
    );
    let (tx, rx) = mpsc::channel();
    let (watch, _) = Watch::start(&dirs.clone(), None, move || {
        let content = Content::new(loader.load(&dirs));
        let _ = tx.send((Instant::now(), content.library().cards.len()));
        None
    })?;

    let mut times = Vec::new();
    for n in 0..args.edits {
        let edited = format!("{}{n}号", &original[..at]) + &original[at..];
        let t = Instant::now();
        std::fs::write(&file, edited)?;
        let (ready, _) = rx
            .recv_timeout(Duration::from_secs(10))
            .context("no reload within 10 s")?;
        times.push(ready - t);
        // Let the watcher settle before the next edit.
        std::thread::sleep(Duration::from_millis(300));
        while rx.try_recv().is_ok() {}
    }
    std::fs::write(&file, &original)?;
    drop(watch);

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "edit → content ready over {} edits: min {:.0} ms, median {:.0} ms, max {:.0} ms (debounce {} ms)",
        times.len(),
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        huashu::content::watch::DEBOUNCE.as_millis()
    );
    Ok(())
}
