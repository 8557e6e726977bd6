//! Search speed, per keystroke, over a generated corpus; compared with
//! fuzzy-matcher's skim over whole card text on the same keystrokes.
//!
//!     cargo run --release --example search_bench -- --cards 10000
//!
//! Prints a table, then one JSON object as the last line.

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::too_many_lines,
    reason = "a benchmark report: float arithmetic on counts and times, one long main"
)]

mod corpus;

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use fuzzy_matcher::FuzzyMatcher as _;
use fuzzy_matcher::skim::SkimMatcherV2;
use huashu::search::Searcher;

#[derive(Parser)]
struct Args {
    /// Number of generated cards.
    #[arg(long, default_value_t = 10_000)]
    cards: usize,
    /// How many times the query list is typed.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Rounds for the naive baseline (default: as many as fit ~2M card scans).
    #[arg(long)]
    naive_rounds: Option<usize>,
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

/// Chinese queries and pinyin (or mixed) queries, typed key by key.
/// Index builds timed (the last one is searched).
const BUILDS: usize = 5;

const CHINESE: &[&str] = &[
    "证件",
    "柜员 不熟练",
    "汇款 错",
    "客户取号",
    "差评",
    "假证件",
    "大堂经理",
    "资金安全",
    "排错队",
    "客户 不满意",
    "转柜",
    "口罩",
    // Phrases as an input method commits them.
    "新员工差评",
    "客户生气投诉",
    "外籍客户购汇",
    "客户不肯摘口罩怎么办",
    "柜员太慢了客户要换柜台",
];
const PINYIN: &[&str] = &[
    "qhcw",
    "qhcuowu",
    "zjhs",
    "quhcw",
    "gybsl",
    "汇款 cuo",
    "cuowu",
    "jzj",
    "bzkz",
    "hk",
    "gyc",
    "zhuangui",
    // As input methods show a composition.
    "qu'hao'cuo'wu",
    "q'h'c'w",
];

/// Every prefix of every query, in typing order.
fn keystrokes(queries: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for q in queries {
        let mut typed = String::new();
        for c in q.chars() {
            typed.push(c);
            if c != ' ' {
                out.push(typed.clone());
            }
        }
    }
    out
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort_unstable();
    if samples.is_empty() {
        return 0.0;
    }
    let rank = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[rank].as_secs_f64() * 1e6
}

fn main() {
    let args = Args::parse();
    let library = Arc::new(corpus::generate(args.cards, args.seed));
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

    let mut per_key: Vec<(String, Vec<Duration>, usize)> = Vec::new();
    let mut time_queries = |queries: &[&str]| {
        let keys = keystrokes(queries);
        let mut samples = Vec::with_capacity(keys.len() * args.rounds);
        let mut hits = 0usize;
        let first = per_key.len();
        per_key.extend(keys.iter().map(|k| (k.clone(), Vec::new(), 0)));
        for _ in 0..args.rounds {
            for (n, key) in keys.iter().enumerate() {
                let t = Instant::now();
                let r = searcher.search(key, args.limit);
                let took = t.elapsed();
                samples.push(took);
                per_key[first + n].1.push(took);
                per_key[first + n].2 = r.total;
                hits += r.total;
            }
        }
        (samples, hits, keys.len())
    };
    let only: Vec<&str> = args.only.iter().map(String::as_str).collect();
    let (chinese, pinyin): (&[&str], &[&str]) = if only.is_empty() {
        (CHINESE, PINYIN)
    } else {
        (&only, &[])
    };
    let (mut zh, zh_hits, zh_keys) = time_queries(chinese);
    let (mut py, py_hits, py_keys) = time_queries(pinyin);

    // Naive: skim over each card's whole text, collect matches, sort.
    let texts: Vec<String> = library.cards.iter().map(corpus::whole_text).collect();
    let matcher = SkimMatcherV2::default();
    let naive_rounds = args.naive_rounds.unwrap_or_else(|| {
        (2_000_000 / (args.cards.max(1) * (zh_keys + py_keys))).clamp(1, args.rounds)
    });
    // `--naive-rounds 0` skips the baseline (for profiling).
    let naive_rounds = naive_rounds.min(args.rounds);
    let mut naive = Vec::new();
    for _ in 0..naive_rounds {
        for key in keystrokes(chinese).iter().chain(&keystrokes(pinyin)) {
            let t = Instant::now();
            let mut scored: Vec<(i64, usize)> = texts
                .iter()
                .enumerate()
                .filter_map(|(i, text)| matcher.fuzzy_match(text, key).map(|s| (s, i)))
                .collect();
            scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            std::hint::black_box(&scored);
            naive.push(t.elapsed());
        }
    }

    if args.verbose {
        println!("| keystroke | median µs | hits |");
        for (key, mut times, total) in per_key {
            println!("| {key} | {:.1} | {total} |", percentile(&mut times, 0.5));
        }
        println!();
    }
    let zh_p50 = percentile(&mut zh, 0.50);
    let zh_p99 = percentile(&mut zh, 0.99);
    let py_p50 = percentile(&mut py, 0.50);
    let py_p99 = percentile(&mut py, 0.99);
    let naive_p50 = percentile(&mut naive, 0.50);
    let naive_p99 = percentile(&mut naive, 0.99);
    let build_ms = percentile(&mut builds, 0.5) / 1e3;

    println!(
        "corpus: {} cards, {:.0} chars/card on average",
        args.cards,
        chars as f64 / args.cards.max(1) as f64
    );
    println!(
        "keystrokes: {zh_keys} Chinese, {py_keys} pinyin; {} rounds ({naive_rounds} for naive); limit {}",
        args.rounds, args.limit
    );
    println!(
        "mean hits per keystroke: Chinese {:.0}, pinyin {:.0}",
        zh_hits as f64 / zh.len().max(1) as f64,
        py_hits as f64 / py.len().max(1) as f64
    );
    println!();
    println!("| per keystroke          |    p50 µs |    p99 µs |");
    println!("|------------------------|-----------|-----------|");
    println!("| huashu, Chinese        | {zh_p50:>9.1} | {zh_p99:>9.1} |");
    println!("| huashu, pinyin         | {py_p50:>9.1} | {py_p99:>9.1} |");
    println!("| skim over whole text   | {naive_p50:>9.1} | {naive_p99:>9.1} |");
    println!();
    println!(
        "speed-up vs skim at p50: Chinese {:.0}×, pinyin {:.0}×; at p99: Chinese {:.0}×, pinyin {:.0}×",
        naive_p50 / zh_p50.max(0.001),
        naive_p50 / py_p50.max(0.001),
        naive_p99 / zh_p99.max(0.001),
        naive_p99 / py_p99.max(0.001)
    );
    println!(
        "index build: {build_ms:.1} ms (median of {BUILDS}; first {first_build_ms:.1} ms), index memory: {index_mib:.1} MiB"
    );
    println!(
        "{{\"cards\":{},\"zh_p50_us\":{zh_p50:.1},\"zh_p99_us\":{zh_p99:.1},\"py_p50_us\":{py_p50:.1},\"py_p99_us\":{py_p99:.1},\"naive_p50_us\":{naive_p50:.1},\"naive_p99_us\":{naive_p99:.1},\"build_ms\":{build_ms:.1},\"index_mib\":{index_mib:.2}}}",
        args.cards
    );
}

// The same allocator as the app (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
