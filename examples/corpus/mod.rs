//! A generated corpus for benchmarks and load tests: cards that recombine
//! the real phrases of the bundled seed cards, deterministically.

use std::collections::BTreeMap;

use huashu::content;
use huashu::model::{
    Card, CardId, Chapter, FillField, Library, Meta, Origin, Script, Section, Step, Template,
};

/// xorshift64*: deterministic and dependency-free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n.max(1)).unwrap_or(u64::MAX);
        usize::try_from(self.next() % n).unwrap_or(0)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Phrases of the seed cards, by kind.
pub struct Phrases {
    titles: Vec<Vec<char>>,
    aliases: Vec<String>,
    sentences: Vec<String>,
    scripts: Vec<String>,
}

impl Phrases {
    pub fn from_seed() -> Self {
        let library = content::load_builtin().library;
        let mut p = Self {
            titles: Vec::new(),
            aliases: Vec::new(),
            sentences: Vec::new(),
            scripts: Vec::new(),
        };
        for card in &library.cards {
            p.titles.push(card.title.chars().collect());
            p.aliases.extend(card.aliases.iter().cloned());
            for text in card
                .scene
                .iter()
                .chain(&card.view)
                .chain(card.steps.iter().map(|s| &s.action))
            {
                p.sentences.extend(split_sentences(text));
            }
            for script in card.scripts() {
                p.scripts
                    .extend(split_sentences(&script.default_text(&card.fields)));
            }
        }
        p
    }
}

fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        current.push(c);
        if matches!(c, '。' | '!' | '?' | '！' | '？' | ';') {
            if current.chars().count() >= 4 {
                out.push(std::mem::take(&mut current));
            } else {
                current.clear();
            }
        }
    }
    if current.chars().count() >= 4 {
        out.push(current);
    }
    out
}

fn sentences(rng: &mut Rng, pool: &[String], min_chars: usize) -> String {
    let mut out = String::new();
    while out.chars().count() < min_chars {
        out.push_str(rng.pick(pool).as_str());
    }
    out
}

/// `n` cards of ~350 characters (as the search issue specifies), in 10
/// chapters of 5 sections (more chapters past 20,000 cards, so that no
/// chapter's file passes the loader's 16 MiB limit).
pub fn generate(n: usize, seed: u64) -> Library {
    let chapters = (n / 2000).max(10);
    let phrases = Phrases::from_seed();
    let mut rng = Rng::new(seed);
    let mut library = Library {
        files: vec!["generated.ron".into()],
        ..Library::default()
    };
    for chapter in 0..chapters {
        library.chapters.push(Chapter {
            title: Some(format!("第{}章 生成", chapter + 1)),
            note: None,
            file: 0,
        });
        for section in 0..5 {
            library.sections.push(Section {
                chapter,
                title: Some(format!("第{}节", section + 1)),
            });
        }
    }
    for i in 0..n {
        let a = rng.pick(&phrases.titles);
        let b = rng.pick(&phrases.titles);
        let head = 2 + rng.below(3).min(a.len().saturating_sub(2));
        let tail = 2 + rng.below(3).min(b.len().saturating_sub(2));
        let title: String = a[..head].iter().chain(&b[b.len() - tail..]).collect();
        let aliases = (0..3 + rng.below(4))
            .map(|_| rng.pick(&phrases.aliases).clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let steps = (0..2 + rng.below(3))
            .map(|_| Step {
                action: sentences(&mut rng, &phrases.sentences, 12),
                scripts: (0..rng.below(2) + usize::from(rng.below(3) == 0))
                    .map(|_| Script {
                        template: Template::parse(&sentences(&mut rng, &phrases.scripts, 20))
                            .unwrap_or_else(|_| {
                                Template::parse("对不起。").unwrap_or_else(|_| unreachable!())
                            }),
                    })
                    .collect(),
            })
            .collect();
        library.cards.push(Card {
            id: CardId::parse(&format!("gen-{i}")).unwrap_or_else(|_| unreachable!()),
            title,
            aliases,
            section: (i * library.sections.len()) / n.max(1),
            scene: vec![
                sentences(&mut rng, &phrases.sentences, 45),
                sentences(&mut rng, &phrases.sentences, 20),
            ],
            steps,
            view: vec![sentences(&mut rng, &phrases.sentences, 45)],
            links: Vec::new(),
            fields: BTreeMap::<String, FillField>::new(),
            meta: Meta::default(),
            origin: Origin {
                file: 0,
                line: 1,
                col: 1,
            },
        });
    }
    library
}

/// All of a card's text in one string (what a naive search would scan).
#[allow(dead_code, reason = "used by search_bench, not by gen_cards")]
pub fn whole_text(card: &Card) -> String {
    let mut s = card.title.clone();
    for part in card
        .aliases
        .iter()
        .chain(&card.scene)
        .chain(card.steps.iter().map(|s| &s.action))
        .chain(&card.view)
    {
        s.push('\n');
        s.push_str(part);
    }
    for script in card.scripts() {
        s.push('\n');
        s.push_str(&script.default_text(&card.fields));
    }
    s
}

/// Writes `library` as content files in `dir`, one a chapter (`01.ron`,
/// …), as `gen_cards` does; returns the bytes of RON written.
#[allow(
    dead_code,
    reason = "used by load_bench and publish_bench, not by the others"
)]
pub fn write_chapters(library: &Library, dir: &std::path::Path) -> std::io::Result<usize> {
    let mut bytes = 0;
    for n in 0..library.chapters.len() {
        let text = huashu::content::write::chapter_file(library, n, &[], &|_| Vec::new());
        bytes += text.len();
        std::fs::write(dir.join(format!("{:02}.ron", n + 1)), text)?;
    }
    Ok(bytes)
}
