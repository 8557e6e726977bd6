//! Keystroke → frame: the real window (`HuashuApp`, its fonts and theme)
//! driven headless through `egui::Context::run_ui`, typing the benchmark
//! queries into the search box one key a frame, with the top hit's card
//! shown. Each frame's CPU time is input → search → result list and card
//! (with highlights) → egui layout → tessellation; no GPU.
//!
//!     cargo run --release --example frame_bench -- --cards 0,1000,10000
//!
//! (0: the bundled cards.) Prints a table, then one JSON object as the last
//! line.

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a benchmark report: float arithmetic on counts and times"
)]

mod corpus;
mod queries;
mod stats;

use std::time::{Duration, Instant};

use clap::Parser;
use egui::{Event, Key, Modifiers, RawInput};
use huashu::app::{AppState, Settings};
use huashu::content::{self, Loaded};
use huashu::ui::HuashuApp;

#[derive(Parser)]
struct Args {
    /// Corpus sizes (generated cards; 0 = the bundled cards).
    #[arg(long, value_delimiter = ',', default_value = "0,1000,10000")]
    cards: Vec<usize>,
    /// How many times the query list is typed.
    #[arg(long, default_value_t = 10)]
    rounds: usize,
    /// The window's size in points (as it opens).
    #[arg(long, default_value_t = huashu::ui::WINDOW_SIZE[0])]
    width: f32,
    #[arg(long, default_value_t = huashu::ui::WINDOW_SIZE[1])]
    height: f32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

// The same allocator as the app (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The `p`-th quantile of `samples` in ms.
fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    stats::percentile(samples, p).as_secs_f64() * 1e3
}

/// The window over some content, and how to give it one frame.
struct Window {
    ctx: egui::Context,
    app: HuashuApp,
    screen: egui::Rect,
    time: f64,
    /// Vertices of the last frame (what was drawn).
    vertices: usize,
}

impl Window {
    fn new(loaded: Loaded, width: f32, height: f32) -> Self {
        let mut window = Self {
            ctx: egui::Context::default(),
            app: HuashuApp::new(AppState::new(loaded, Settings::default())),
            screen: egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(width, height)),
            time: 0.0,
            vertices: 0,
        };
        // Fonts, theme, the search box's focus.
        for _ in 0..3 {
            window.frame(Vec::new());
        }
        window
    }

    /// One frame with `events`, tessellated as eframe does; its CPU time.
    fn frame(&mut self, events: Vec<Event>) -> Duration {
        self.time += 1.0 / 60.0;
        let input = RawInput {
            screen_rect: Some(self.screen),
            time: Some(self.time),
            focused: true,
            events,
            ..RawInput::default()
        };
        let t = Instant::now();
        let app = &mut self.app;
        let output = self.ctx.run_ui(input, |ui| app.show(ui));
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let took = t.elapsed();
        self.vertices = primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        took
    }

    /// Types each query a key a frame (the box's text selected first, so
    /// the query replaces it); the keystrokes' frame times.
    fn type_queries(&mut self, queries: &[&str]) -> Vec<Duration> {
        let mut times = Vec::new();
        for query in queries {
            self.frame(vec![Event::Key {
                key: Key::A,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: Modifiers::COMMAND,
            }]);
            for c in query.chars() {
                times.push(self.frame(vec![Event::Text(c.to_string())]));
            }
        }
        times
    }
}

fn main() {
    let args = Args::parse();
    let queries: Vec<&str> = queries::CHINESE
        .iter()
        .chain(queries::PINYIN)
        .copied()
        .collect();
    let mut results = Vec::new();
    println!(
        "| cards | keystrokes | frame p50 ms | frame p99 ms | max ms | first round p99 ms | last frame: shown card, vertices |"
    );
    println!("|---|---|---|---|---|---|---|");
    for &n in &args.cards {
        let loaded = if n == 0 {
            content::load_builtin()
        } else {
            Loaded {
                library: corpus::generate(n, args.seed),
                ..Loaded::empty()
            }
        };
        let cards = loaded.library.cards.len();
        let mut window = Window::new(loaded, args.width, args.height);
        // The first round draws every glyph for the first time (the font
        // atlas fills): reported on its own.
        let mut cold = window.type_queries(&queries);
        let cold_p99 = percentile(&mut cold, 0.99);
        let mut times = Vec::new();
        for _ in 0..args.rounds {
            times.extend(window.type_queries(&queries));
        }
        let shown = window.app.state().shown_card().map(|c| c.title.clone());
        let (p50, p99) = (percentile(&mut times, 0.5), percentile(&mut times, 0.99));
        let max = percentile(&mut times, 1.0);
        println!(
            "| {cards} | {} | {p50:.2} | {p99:.2} | {max:.2} | {cold_p99:.2} | {} , {} |",
            times.len(),
            shown.as_deref().unwrap_or("none"),
            window.vertices
        );
        assert!(shown.is_some(), "the last query shows a card");
        results.push(format!(
            "{{\"cards\":{cards},\"p50_ms\":{p50:.3},\"p99_ms\":{p99:.3},\"first_round_p99_ms\":{cold_p99:.3}}}"
        ));
    }
    println!("{{\"frames\":[{}]}}", results.join(","));
}
