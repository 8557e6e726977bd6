//! Text with matched characters highlighted.

use std::ops::Range;

use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, FontId};

/// `text` laid out in `font`, with `ranges` (byte ranges) on a highlight
/// background, wrapping at the available width.
pub fn highlighted(
    ui: &egui::Ui,
    text: &str,
    ranges: &[Range<usize>],
    font: &FontId,
    color: Color32,
) -> LayoutJob {
    let plain = TextFormat {
        font_id: font.clone(),
        color,
        line_height: Some(font.size * 1.5),
        ..TextFormat::default()
    };
    let marked = TextFormat {
        background: super::theme::highlight(ui.visuals()),
        ..plain.clone()
    };
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    let mut at = 0;
    for r in ranges {
        let (Some(before), Some(inside)) = (text.get(at..r.start), text.get(r.clone())) else {
            continue;
        };
        job.append(before, 0.0, plain.clone());
        job.append(inside, 0.0, marked.clone());
        at = r.end;
    }
    job.append(text.get(at..).unwrap_or(""), 0.0, plain);
    job
}
