//! What the window asked of the system, across frames: the text it put on
//! the clipboard and the commands it sent its viewport (window level,
//! focus, …), read from egui's own output by a plugin.

#![allow(dead_code, reason = "each test uses part of it")]

use egui::{FullOutput, OutputCommand, ViewportCommand};

#[derive(Default)]
struct Outputs {
    copied: Vec<String>,
    viewport: Vec<ViewportCommand>,
}

impl egui::plugin::Plugin for Outputs {
    fn debug_name(&self) -> &'static str {
        "test outputs"
    }

    fn output_hook(&mut self, _ctx: &egui::Context, output: &mut FullOutput) {
        for command in &output.platform_output.commands {
            if let OutputCommand::CopyText(text) = command {
                self.copied.push(text.clone());
            }
        }
        for viewport in output.viewport_output.values() {
            self.viewport.extend(viewport.commands.iter().cloned());
        }
    }
}

/// Starts recording (again and again is fine: once per context).
pub fn record(ctx: &egui::Context) {
    ctx.add_plugin(Outputs::default());
}

/// The texts copied since the last [`clear`].
pub fn copied(ctx: &egui::Context) -> Vec<String> {
    ctx.with_plugin(|o: &mut Outputs| o.copied.clone())
        .unwrap_or_default()
}

/// The viewport commands sent since the last [`clear`].
pub fn viewport(ctx: &egui::Context) -> Vec<ViewportCommand> {
    ctx.with_plugin(|o: &mut Outputs| o.viewport.clone())
        .unwrap_or_default()
}

pub fn clear(ctx: &egui::Context) {
    ctx.with_plugin(|o: &mut Outputs| *o = Outputs::default());
}
