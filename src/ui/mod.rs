//! The egui shell: draws state, returns commands. No file I/O here besides
//! what eframe does for window persistence.

pub mod fonts;

use std::path::PathBuf;

use crate::content;
use crate::model::Library;

/// Opens the counter window on the content in `data` (see `content::load`).
pub fn run_window(data: &[PathBuf]) -> anyhow::Result<()> {
    let loaded = content::load(data);
    for d in &loaded.diagnostics {
        log::warn!("{d}");
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("话术助手")
            .with_inner_size([720.0, 800.0]),
        ..Default::default()
    };
    let library = loaded.library;
    eframe::run_native(
        "huashu",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            Ok(Box::new(ListApp { library }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A first window: every card with its steps and scripts.
struct ListApp {
    library: Library,
}

impl eframe::App for ListApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                for card in &self.library.cards {
                    ui.heading(&card.title);
                    for (n, step) in card.steps.iter().enumerate() {
                        ui.label(format!("{}. {}", n + 1, step.action));
                        for script in &step.scripts {
                            ui.label(format!("“{}”", script.default_text(&card.fields)));
                        }
                    }
                    ui.separator();
                }
            });
        });
    }
}
