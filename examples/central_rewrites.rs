//! Measures what a counter shows while a central folder is rewritten the
//! ways real tools do: for each way, a writer rewrites both bundled
//! chapters again and again while `huashu list --json --config …` runs in a
//! loop (a new process per read, as a script or a trainer would), and
//! counts the reads that show fewer than the 7 cards. Then a copy cut
//! inside the header comments is left for a while, and the share taken
//! away: the offline copy must still have the 7.
//!
//! `cargo build --release && cargo run --release --example central_rewrites -- [SECONDS_PER_WAY] [SETTLE_SECONDS]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;

const FILES: [&str; 2] = ["00-earlier-chapter.ron", "04-business-area.ron"];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map_or(Ok(60), |s| s.parse())?;
    let settle: Option<u64> = args.next().map(|s| s.parse()).transpose()?;
    let binary = PathBuf::from("target/release/huashu");
    anyhow::ensure!(binary.exists(), "build it first: cargo build --release");
    let tmp = std::env::temp_dir().join(format!("huashu-rewrites-{}", std::process::id()));
    let central = tmp.join("central");
    std::fs::create_dir_all(&central)?;
    let originals: Vec<Vec<u8>> = FILES
        .iter()
        .map(|f| std::fs::read(Path::new("data").join(f)))
        .collect::<Result<_, _>>()
        .context("run it from the repository's top folder")?;
    for (file, bytes) in FILES.iter().zip(&originals) {
        std::fs::write(central.join(file), bytes)?;
    }
    let config = tmp.join("config.ron");
    let settle_line = settle.map_or_else(String::new, |s| format!("settle_seconds: {s}, "));
    std::fs::write(
        &config,
        format!(
            "Config(sources: [Central(r\"{}\")], {settle_line}state_dir: r\"{}\")",
            central.display(),
            tmp.join("state").display()
        ),
    )?;
    let read = || -> anyhow::Result<usize> {
        let out = Command::new(&binary)
            .arg("--config")
            .arg(&config)
            .args(["list", "--json"])
            .output()?;
        Ok(out
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count())
    };
    // Accepted once: seen, and seen again after the settle time.
    read()?;
    std::thread::sleep(Duration::from_secs(settle.unwrap_or(10) + 1));
    anyhow::ensure!(read()? == 7, "the folder was not taken");

    println!("| how the files were rewritten | reads | reads showing fewer than 7 cards |");
    println!("|---|---|---|");
    for way in ["delete", "chunks", "truncate", "garbage", "rename"] {
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (stop, central, originals) = (stop.clone(), central.clone(), originals.clone());
            std::thread::Builder::new().name("writer".into()).spawn(
                move || -> std::io::Result<()> {
                    while !stop.load(Ordering::Relaxed) {
                        for (file, bytes) in FILES.iter().zip(&originals) {
                            rewrite(&central.join(file), bytes, way)?;
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Ok(())
                },
            )?
        };
        let (reads, fewer) = count_reads(seconds, &read)?;
        stop.store(true, Ordering::Relaxed);
        writer
            .join()
            .map_err(|_| anyhow::anyhow!("the writer panicked"))??;
        println!("| {way} | {reads} | {fewer} |");
    }

    // A copy stopped after 97 bytes of 04-business-area.ron (inside its
    // header comments) and left so; then the share goes away.
    let cut = central.join(FILES[1]);
    std::fs::write(&cut, &originals[1][..97])?;
    let (reads, fewer) = count_reads(seconds, &read)?;
    println!("| cut after 97 bytes and left | {reads} | {fewer} |");
    let away = tmp.join("away");
    std::fs::rename(&central, &away)?;
    println!("share away after that: {} cards", read()?);
    std::fs::remove_dir_all(&tmp)?;
    Ok(())
}

/// Reads for `seconds`, one every 20 ms: how many, and how many showed
/// fewer than the 7 cards.
fn count_reads(
    seconds: u64,
    read: &impl Fn() -> anyhow::Result<usize>,
) -> anyhow::Result<(usize, usize)> {
    let (mut reads, mut fewer) = (0, 0);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(seconds) {
        reads += 1;
        if read()? < 7 {
            fewer += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((reads, fewer))
}

fn rewrite(path: &Path, bytes: &[u8], way: &str) -> std::io::Result<()> {
    match way {
        "delete" => {
            std::fs::remove_file(path)?;
            std::thread::sleep(Duration::from_millis(50));
            std::fs::write(path, bytes)
        }
        "chunks" => {
            let mut out = std::fs::File::create(path)?;
            for chunk in bytes.chunks(2048) {
                std::io::Write::write_all(&mut out, chunk)?;
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok(())
        }
        "truncate" => {
            std::fs::File::create(path)?;
            std::thread::sleep(Duration::from_millis(20));
            std::fs::write(path, bytes)
        }
        "garbage" => {
            let mut half = bytes[..bytes.len() / 2].to_vec();
            half.extend_from_slice(b"\xff\xfe garbage");
            std::fs::write(path, &half)?;
            std::thread::sleep(Duration::from_millis(20));
            std::fs::write(path, bytes)
        }
        _ => {
            let tmp = path.with_extension("part");
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, path)
        }
    }
}
