//! The status bar and the card's place in the list.

use egui::RichText;

use super::{keys, problems};
use crate::app::{AppState, Command};

/// How long a confirmation stays visible.
pub const NOTICE_SECONDS: f64 = 2.5;

pub fn position_ui(ui: &mut egui::Ui, state: &AppState) {
    if let Some(selected) = state.selected() {
        ui.label(
            RichText::new(format!(
                "{} / {}  ↑↓ 切换",
                selected + 1,
                state.rows().len()
            ))
            .small()
            .weak(),
        );
    }
}

pub fn status_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    notice_since: Option<(u64, f64)>,
    now: f64,
) -> Vec<Command> {
    let mut out = Vec::new();
    ui.horizontal_wrapped(|ui| {
        if let Some(notice) = state.notice()
            && notice_since.is_none_or(|(serial, since)| {
                serial != notice.serial || now - since < NOTICE_SECONDS
            })
        {
            ui.label(
                RichText::new(notice.text.as_str())
                    .strong()
                    .color(egui::Color32::from_rgb(20, 140, 60)),
            );
        }
        out.extend(problems::indicator_ui(ui, state));
        if let Some(chosen) = state.chosen() {
            ui.label(RichText::new(chosen.short()).small().weak())
                .on_hover_text(chosen.to_string());
        }
        if let Some((release, signed)) = state.release() {
            ui.label(RichText::new(release).small().weak())
                .on_hover_text(if signed {
                    "培训部发布的版本，签名已验证"
                } else {
                    "发布的版本没有签名（配置文件里没有 trust）"
                });
        }
        match state.hotkey() {
            Some(Ok(name)) => {
                ui.label(RichText::new(format!("{name} 呼出")).small().weak())
                    .on_hover_text(
                        "在任何程序里按下：窗口到最前面，搜索框里的字已选中，直接输入即可",
                    );
            }
            Some(Err(why)) => {
                ui.label(
                    RichText::new(format!("⚠ 全局快捷键不可用：{why}"))
                        .small()
                        .color(ui.visuals().warn_fg_color),
                )
                .on_hover_text(
                    "可以在配置文件里换一个，例如 hotkey: \"Ctrl+Alt+J\"（见 README）；\
                     其他程序窗口里仍然可以点一下这个窗口再输入",
                );
            }
            None => {}
        }
        ui.label(RichText::new(keys::HINT).small().weak());
    });
    out
}
