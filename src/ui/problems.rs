//! Content problems: the indicator in the status bar and the panel that
//! lists each problem (file, line:col, message, the line with a marker) —
//! the same diagnostics as `huashu check`.

use egui::{Color32, RichText, TextStyle};

use crate::app::{AppState, Command};
use crate::content::{Diagnostic, Severity};

/// Shortcut that opens and closes the panel.
pub const KEY_HINT: &str = "F8";

/// The status-bar indicator, when there is anything to show.
pub fn indicator_ui(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let (errors, warnings) = state.content_problems();
    if errors + warnings == 0 {
        return Vec::new();
    }
    let text = if errors > 0 {
        RichText::new(format!("⚠ 内容有 {} 个问题", errors + warnings))
            .color(ui.visuals().warn_fg_color)
            .strong()
    } else {
        RichText::new(format!("内容有 {warnings} 条提示")).weak()
    };
    let verb = if state.problems_open() {
        "关闭"
    } else {
        "查看"
    };
    let button = ui
        .add(egui::Button::new(text).frame(errors > 0))
        .on_hover_text(format!("{verb}内容问题列表 ({KEY_HINT})"));
    if button.clicked() {
        vec![Command::ToggleProblems]
    } else {
        Vec::new()
    }
}

/// The list of problems.
pub fn problems_ui(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let mut out = Vec::new();
    let (errors, warnings) = state.content_problems();
    ui.horizontal(|ui| {
        ui.heading(format!("内容问题：{errors} 个错误，{warnings} 条提示"));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(format!("关闭 ({KEY_HINT})")).clicked() {
                out.push(Command::ToggleProblems);
            }
        });
    });
    ui.label(
        RichText::new("保存文件后这里会自动更新；有错误的文件，窗口仍使用它上次没有错误的版本。")
            .weak(),
    );
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            // Errors first: they are what keeps cards off the screen.
            let errors = state.diagnostics().iter().filter(|d| d.is_error());
            let warnings = state.diagnostics().iter().filter(|d| !d.is_error());
            for d in errors.chain(warnings) {
                diagnostic_ui(ui, d);
                ui.add_space(6.0);
            }
        });
    out
}

fn diagnostic_ui(ui: &mut egui::Ui, d: &Diagnostic) {
    let (tag, color) = match d.severity {
        Severity::Error => ("错误", ui.visuals().error_fg_color),
        Severity::Warning => ("提示", ui.visuals().warn_fg_color),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tag).strong().color(color));
        ui.label(RichText::new(d.location()).monospace());
    });
    ui.label(d.text());
    if let (Some(pos), Some(line)) = (d.pos, d.excerpt.as_deref()) {
        excerpt_ui(ui, pos.line, pos.col, line, color);
    }
}

/// The offending line, with the character at `col` marked.
fn excerpt_ui(ui: &mut egui::Ui, line_no: u32, col: u32, line: &str, color: Color32) {
    let font = TextStyle::Monospace.resolve(ui.style());
    let at = line
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    // Leave out the indentation (unless the marker is in it).
    let indent = (line.len() - line.trim_start().len()).min(at);
    let (line, at) = (&line[indent..], at - indent);
    let end = line[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let plain = egui::TextFormat::simple(font.clone(), ui.visuals().text_color());
    let mut job = egui::text::LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    job.append(
        &format!("{line_no:>4} │ "),
        0.0,
        egui::TextFormat::simple(font.clone(), ui.visuals().weak_text_color()),
    );
    job.append(&line[..at], 0.0, plain.clone());
    let marked = egui::TextFormat {
        background: color.gamma_multiply(0.35),
        underline: egui::Stroke::new(2.0, color),
        ..plain.clone()
    };
    // A marker even when the position is at the end of the line.
    job.append(if end > at { &line[at..end] } else { " " }, 0.0, marked);
    job.append(&line[end..], 0.0, plain);
    ui.label(job);
}
