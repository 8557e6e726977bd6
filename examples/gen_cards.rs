//! Writes a generated corpus as content files, to load-test the window:
//!
//!     cargo run --release --example gen_cards -- --cards 1000 --out /tmp/cards
//!     cargo run --release -- --data /tmp/cards

mod corpus;

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use huashu::model::{Library, Segment};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 1000)]
    cards: usize,
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// A RON string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let library = corpus::generate(args.cards, args.seed);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    for (n, chapter) in library.chapters.iter().enumerate() {
        let text = chapter_ron(&library, n, chapter.title.as_deref().unwrap_or(""));
        let path = args.out.join(format!("{:02}.ron", n + 1));
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "{} cards in {} files under {}",
        library.cards.len(),
        library.chapters.len(),
        args.out.display()
    );
    Ok(())
}

fn chapter_ron(library: &Library, chapter: usize, title: &str) -> String {
    let mut out = format!("Chapter(\n    title: {},\n    sections: [\n", lit(title));
    for (s, section) in library
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.chapter == chapter)
    {
        let _ = writeln!(
            out,
            "        Section(title: {}, cards: [",
            lit(section.title.as_deref().unwrap_or(""))
        );
        for card in library.cards.iter().filter(|c| c.section == s) {
            let aliases: Vec<String> = card.aliases.iter().map(|a| lit(a)).collect();
            let scene: Vec<String> = card.scene.iter().map(|p| lit(p)).collect();
            let view: Vec<String> = card.view.iter().map(|p| lit(p)).collect();
            let steps: Vec<String> = card
                .steps
                .iter()
                .map(|step| {
                    let scripts: Vec<String> = step
                        .scripts
                        .iter()
                        .map(|script| {
                            let text: String = script
                                .template
                                .segments()
                                .iter()
                                .map(|seg| match seg {
                                    Segment::Text(t) => t.replace('{', "{{").replace('}', "}}"),
                                    Segment::Field(f) => format!("{{{f}}}"),
                                })
                                .collect();
                            lit(&text)
                        })
                        .collect();
                    format!(
                        "Step(action: {}, scripts: [{}])",
                        lit(&step.action),
                        scripts.join(", ")
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "            Card(id: {}, title: {}, aliases: [{}], scene: [{}], steps: [{}], view: [{}]),",
                lit(card.id.as_str()),
                lit(&card.title),
                aliases.join(", "),
                scene.join(", "),
                steps.join(", "),
                view.join(", ")
            );
        }
        out.push_str("        ]),\n");
    }
    out.push_str("    ],\n)\n");
    out
}
