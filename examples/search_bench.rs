//! Search speed, per keystroke, over a generated corpus (plus the bundled
//! cards), against two baselines on the same keystrokes, in the same run,
//! the same number of times:
//! - skim: fuzzy-matcher's skim over each card's whole text, everything
//!   sorted (what the first version did);
//! - fair: the straightforward design with fuzzy-matcher doing huashu's
//!   work (title/alias and their pinyin, long fields by substring, terms
//!   joined by AND, top `limit` with indices; see `fair/mod.rs`).
//!
//! Also checks that each engine ranks first the bundled card a query names
//! (among the bundled cards).
//!
//!     cargo run --release --example search_bench -- --cards 10000
//!
//! Prints tables, then one JSON object as the last line.

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    reason = "a benchmark report: float arithmetic on counts and times, one long main"
)]

mod corpus;
mod fair;
mod queries;
mod stats;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use fuzzy_matcher::FuzzyMatcher as _;
use fuzzy_matcher::skim::SkimMatcherV2;
use huashu::search::Searcher;
use queries::{CHINESE, INTENDED, PINYIN, keystrokes};

#[derive(Parser)]
struct Args {
    /// Number of generated cards.
    #[arg(long, default_value_t = 10_000)]
    cards: usize,
    /// How many times the query list is typed, by each engine (raised so
    /// each engine has at least 1,000 samples).
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// Skip the baselines (for profiling huashu alone).
    #[arg(long)]
    no_baselines: bool,
    /// Hits asked for per keystroke (with highlights), as the window does.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also print the median time of each keystroke.
    #[arg(long)]
    verbose: bool,
    /// Time only these queries (comma-separated), e.g. for profiling.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// Index builds timed (the last one is searched).
const BUILDS: usize = 5;

/// The `p`-th quantile of `samples` in µs.
fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    stats::percentile(samples, p).as_secs_f64() * 1e6
}

/// Skim over each of `texts` (a card's whole text): the matches, best
/// first.
fn skim_ranked(matcher: &SkimMatcherV2, texts: &[String], key: &str) -> Vec<(i64, usize)> {
    let mut scored: Vec<(i64, usize)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, text)| matcher.fuzzy_match(text, key).map(|s| (s, i)))
        .collect();
    scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}

/// One engine's run over the keystrokes: every sample, and per keystroke
/// its times and hit count.
struct Run {
    samples: Vec<Duration>,
    per_key: Vec<(Vec<Duration>, usize)>,
}

impl Run {
    /// Types `keys` `rounds` times into `search`, which returns the hit
    /// count.
    fn time(keys: &[String], rounds: usize, mut search: impl FnMut(&str) -> usize) -> Self {
        let mut run = Self {
            samples: Vec::with_capacity(keys.len() * rounds),
            per_key: keys.iter().map(|_| (Vec::new(), 0)).collect(),
        };
        for _ in 0..rounds {
            for (n, key) in keys.iter().enumerate() {
                let t = Instant::now();
                let hits = search(key);
                let took = t.elapsed();
                run.samples.push(took);
                run.per_key[n].0.push(took);
                run.per_key[n].1 = hits;
            }
        }
        run
    }

    fn mean_hits(&self, range: std::ops::Range<usize>) -> f64 {
        let n = range.len().max(1) as f64;
        self.per_key[range]
            .iter()
            .map(|(_, h)| *h as f64)
            .sum::<f64>()
            / n
    }

    fn p(&self, range: std::ops::Range<usize>, p: f64) -> f64 {
        let mut all: Vec<Duration> = self.per_key[range]
            .iter()
            .flat_map(|(t, _)| t.iter().copied())
            .collect();
        percentile(&mut all, p)
    }
}

/// The rank (1-based) of `id` among `cards` (indices into `library`).
fn rank(library: &huashu::model::Library, cards: &[usize], id: &str) -> Option<usize> {
    cards
        .iter()
        .position(|&c| library.cards[c].id.as_str() == id)
        .map(|r| r + 1)
}

fn show_rank(r: Option<usize>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| r.to_string())
}

fn main() {
    let args = Args::parse();
    let library = Arc::new(corpus::generate(args.cards, args.seed));
    let n_cards = library.cards.len();
    let chars: usize = library
        .cards
        .iter()
        .map(|c| corpus::whole_text(c).chars().count())
        .sum();

    // The first build touches fresh memory; later ones (a reload) reuse it.
    let mut builds = Vec::new();
    let mut searcher = loop {
        let t = Instant::now();
        let searcher = Searcher::new(library.clone());
        builds.push(t.elapsed());
        if builds.len() == BUILDS {
            break searcher;
        }
    };
    let first_build_ms = builds[0].as_secs_f64() * 1e3;
    let index_mib = searcher.index().memory_bytes() as f64 / (1024.0 * 1024.0);

    let only: Vec<&str> = args.only.iter().map(String::as_str).collect();
    let (chinese, pinyin): (&[&str], &[&str]) = if only.is_empty() {
        (CHINESE, PINYIN)
    } else {
        (&only, &[])
    };
    let zh_keys = keystrokes(chinese);
    let py_keys = keystrokes(pinyin);
    let keys: Vec<String> = zh_keys.iter().chain(&py_keys).cloned().collect();
    let zh = 0..zh_keys.len();
    let py = zh_keys.len()..keys.len();
    let rounds = args.rounds.max(1000usize.div_ceil(keys.len().max(1)));

    let huashu = Run::time(&keys, rounds, |k| searcher.search(k, args.limit).total);
    // The same corpus with the vocabulary the program ships
    // (data/synonyms.ron), timed right after, in this run.
    let mut with_vocabulary = {
        let mut diagnostics = Vec::new();
        let synonyms = huashu::content::build(
            &[(
                "data/synonyms.ron".into(),
                std::fs::read("data/synonyms.ron").unwrap_or_default(),
            )],
            &mut diagnostics,
        )
        .synonyms;
        let mut library = (*library).clone();
        library.synonyms = synonyms;
        Searcher::new(Arc::new(library))
    };
    let vocabulary = Run::time(&keys, rounds, |k| {
        with_vocabulary.search(k, args.limit).total
    });
    let (fair, skim) = if args.no_baselines {
        (None, None)
    } else {
        let t = Instant::now();
        let engine = fair::Fair::new(&library);
        let fair_build_ms = t.elapsed().as_secs_f64() * 1e3;
        let fair = Run::time(&keys, rounds, |k| engine.search(k, args.limit).0);
        // Skim over each card's whole text, everything matching sorted.
        let texts: Vec<String> = library.cards.iter().map(corpus::whole_text).collect();
        let matcher = SkimMatcherV2::default();
        let skim = Run::time(&keys, rounds, |k| skim_ranked(&matcher, &texts, k).len());
        // Does each engine list the card a whole query names? On the
        // bundled cards: in the generated corpus each of their titles and
        // aliases recurs in hundreds of recombined cards, which tie.
        let bundled = Arc::new(huashu::content::load_builtin().library);
        let mut small = Searcher::new(bundled.clone());
        let small_fair = fair::Fair::new(&bundled);
        let small_texts: Vec<String> = bundled.cards.iter().map(corpus::whole_text).collect();
        println!(
            "Named card's rank among the {} bundled cards:",
            bundled.cards.len()
        );
        println!();
        println!("| query | names | huashu | fair | skim |");
        println!("|---|---|---|---|---|");
        let mut found = [0usize; 3];
        for (query, id) in INTENDED {
            let h: Vec<usize> = small
                .search(query, args.limit)
                .hits
                .iter()
                .map(|h| h.card)
                .collect();
            let f: Vec<usize> = small_fair
                .search(query, args.limit)
                .1
                .iter()
                .map(|h| h.card)
                .collect();
            let s: Vec<usize> = skim_ranked(&matcher, &small_texts, query)
                .iter()
                .map(|(_, c)| *c)
                .collect();
            let ranks = [
                rank(&bundled, &h, id),
                rank(&bundled, &f, id),
                rank(&bundled, &s, id),
            ];
            for (n, r) in ranks.iter().enumerate() {
                found[n] += usize::from(r == &Some(1));
            }
            println!(
                "| {query} | {id} | {} | {} | {} |",
                show_rank(ranks[0]),
                show_rank(ranks[1]),
                show_rank(ranks[2])
            );
        }
        println!();
        println!(
            "named card first: huashu {}/{n}, fair {}/{n}, skim {}/{n}; fair index build at {n_cards} cards: {fair_build_ms:.0} ms",
            found[0],
            found[1],
            found[2],
            n = INTENDED.len()
        );
        println!();
        (Some(fair), Some(skim))
    };

    if args.verbose {
        println!(
            "| keystroke | huashu median µs | with synonyms µs | huashu hits | fair hits | skim hits |"
        );
        println!("|---|---|---|---|---|---|");
        for (n, key) in keys.iter().enumerate() {
            let mut times = huashu.per_key[n].0.clone();
            let mut with = vocabulary.per_key[n].0.clone();
            let hits = |r: &Option<Run>| r.as_ref().map_or(0, |r| r.per_key[n].1);
            println!(
                "| {key} | {:.1} | {:.1} | {} | {} | {} |",
                percentile(&mut times, 0.5),
                percentile(&mut with, 0.5),
                huashu.per_key[n].1,
                hits(&fair),
                hits(&skim)
            );
        }
        println!();
    }
    let zh_p50 = huashu.p(zh.clone(), 0.50);
    let zh_p99 = huashu.p(zh.clone(), 0.99);
    let py_p50 = huashu.p(py.clone(), 0.50);
    let py_p99 = huashu.p(py.clone(), 0.99);
    let all = 0..keys.len();
    let stat = |r: &Option<Run>, range: std::ops::Range<usize>, p: f64| {
        r.as_ref().map_or(0.0, |r| r.p(range, p))
    };
    let (fair_p50, fair_p99) = (
        stat(&fair, all.clone(), 0.5),
        stat(&fair, all.clone(), 0.99),
    );
    let (naive_p50, naive_p99) = (
        stat(&skim, all.clone(), 0.5),
        stat(&skim, all.clone(), 0.99),
    );
    let build_ms = percentile(&mut builds, 0.5) / 1e3;

    println!(
        "corpus: {n_cards} generated cards, {:.0} chars/card on average",
        chars as f64 / n_cards.max(1) as f64
    );
    println!(
        "keystrokes: {} Chinese, {} pinyin; {rounds} rounds each engine ({} samples each); limit {}",
        zh.len(),
        py.len(),
        huashu.samples.len(),
        args.limit
    );
    let mean_hits = |r: &Option<Run>, range: std::ops::Range<usize>| {
        r.as_ref().map_or(0.0, |r| r.mean_hits(range))
    };
    println!();
    println!(
        "| per keystroke | Chinese p50 µs | Chinese p99 µs | pinyin p50 µs | pinyin p99 µs | mean hits zh / py |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| huashu | {zh_p50:.1} | {zh_p99:.1} | {py_p50:.1} | {py_p99:.1} | {:.0} / {:.0} |",
        huashu.mean_hits(zh.clone()),
        huashu.mean_hits(py.clone())
    );
    let (vzh_p99, vpy_p99) = (
        vocabulary.p(zh.clone(), 0.99),
        vocabulary.p(py.clone(), 0.99),
    );
    println!(
        "| huashu with the shipped synonyms | {:.1} | {vzh_p99:.1} | {:.1} | {vpy_p99:.1} | {:.0} / {:.0} |",
        vocabulary.p(zh.clone(), 0.50),
        vocabulary.p(py.clone(), 0.50),
        vocabulary.mean_hits(zh.clone()),
        vocabulary.mean_hits(py.clone())
    );
    for (name, run) in [
        ("fair (straightforward)", &fair),
        ("skim over whole text", &skim),
    ] {
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} / {:.0} |",
            stat(run, zh.clone(), 0.5),
            stat(run, zh.clone(), 0.99),
            stat(run, py.clone(), 0.5),
            stat(run, py.clone(), 0.99),
            mean_hits(run, zh.clone()),
            mean_hits(run, py.clone())
        );
    }
    println!();
    let mut all_huashu = huashu.samples.clone();
    let (h50, h99) = (
        percentile(&mut all_huashu.clone(), 0.5),
        percentile(&mut all_huashu, 0.99),
    );
    println!(
        "all keystrokes: huashu p50 {h50:.1} µs, p99 {h99:.1} µs; fair {fair_p50:.1} / {fair_p99:.1} µs ({:.0}× / {:.0}×); skim {naive_p50:.1} / {naive_p99:.1} µs ({:.0}× / {:.0}×)",
        fair_p50 / h50.max(0.001),
        fair_p99 / h99.max(0.001),
        naive_p50 / h50.max(0.001),
        naive_p99 / h99.max(0.001)
    );
    println!(
        "index build: {build_ms:.1} ms (median of {BUILDS}; first {first_build_ms:.1} ms), index memory: {index_mib:.1} MiB"
    );
    println!(
        "{{\"cards\":{},\"zh_p50_us\":{zh_p50:.1},\"zh_p99_us\":{zh_p99:.1},\"py_p50_us\":{py_p50:.1},\"py_p99_us\":{py_p99:.1},\"zh_p99_synonyms_us\":{vzh_p99:.1},\"py_p99_synonyms_us\":{vpy_p99:.1},\"naive_p50_us\":{naive_p50:.1},\"naive_p99_us\":{naive_p99:.1},\"fair_p50_us\":{fair_p50:.1},\"fair_p99_us\":{fair_p99:.1},\"build_ms\":{build_ms:.1},\"index_mib\":{index_mib:.2}}}",
        args.cards
    );
}

// The same allocator as the app (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
