//! eframe's hello world, as the baseline for huashu's first window and
//! memory: the same eframe build, window size and renderer (wgpu on Linux,
//! OpenGL on Windows; `HUASHU_RENDERER=glow|wgpu` as for huashu), one label
//! and a text box, egui's default fonts.
//!
//!     cargo run --release --example hello_window
//!     ../shared/tools/gui-shot -- target/release/examples/hello_window

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_inner_size(huashu::ui::WINDOW_SIZE),
        renderer: huashu::ui::first_renderer(),
        ..eframe::NativeOptions::default()
    };
    let mut text = String::new();
    eframe::run_ui_native("hello", options, move |ui, _frame| {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Hello");
            ui.text_edit_singleline(&mut text);
        });
    })
}
