//! The ranked (or browsed) cards.

use egui::{RichText, TextStyle};

use crate::app::{AppState, Command, Group, Row};
use crate::search::Field;

/// Header shown above a run of rows of one group.
fn group_title(state: &AppState, group: Group) -> Option<String> {
    let library = state.library();
    match group {
        Group::Hit => None,
        Group::Favourite => Some("★ 收藏".into()),
        Group::Recent => Some("最近打开".into()),
        Group::Section(s) => Some(
            library
                .section_place(s)
                .unwrap_or_else(|| crate::model::OTHER_CARDS.to_owned()),
        ),
    }
}

pub fn result_list_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    scroll_to_selected: bool,
) -> Vec<Command> {
    let mut out = Vec::new();
    if state.library().cards.is_empty() {
        // Not a search without hits: there are no cards (yet).
        ui.add_space(12.0);
        ui.label(RichText::new("还没有卡片").heading());
        ui.label("内容还在读取，或内容目录里没有卡片；状态栏会显示内容问题。");
        return out;
    }
    if state.rows().is_empty() {
        ui.add_space(12.0);
        ui.label(RichText::new("没有找到卡片").heading());
        ui.label("试试换个说法，或用拼音首字母：例如“取号错误”输入 qhcw，“证件核实”输入 zjhs。");
        return out;
    }
    if state.rows().first().is_some_and(|r| r.partial) {
        ui.label(
            RichText::new("没有卡片包含全部的词；下面的卡片包含其中一部分")
                .small()
                .weak(),
        );
    }
    if state.total() > state.rows().len() {
        ui.label(
            RichText::new(format!(
                "前 {} 张，共 {} 张",
                state.rows().len(),
                state.total()
            ))
            .small()
            .weak(),
        );
    }
    egui::ScrollArea::vertical()
        .id_salt("results")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut last_group = None;
            for (n, row) in state.rows().iter().enumerate() {
                let same = match (last_group, row.group) {
                    (Some(Group::Section(a)), Group::Section(b)) => a == b,
                    (Some(a), b) => a == b,
                    (None, _) => false,
                };
                if !same && let Some(title) = group_title(state, row.group) {
                    ui.add_space(4.0);
                    ui.label(RichText::new(title).small().strong());
                }
                last_group = Some(row.group);
                let selected = state.selected() == Some(n);
                let response = row_ui(ui, state, row, selected);
                if selected && scroll_to_selected {
                    response.scroll_to_me(None);
                }
                if response.clicked() {
                    out.push(Command::Choose(n));
                }
            }
        });
    out
}

fn row_ui(ui: &mut egui::Ui, state: &AppState, row: &Row, selected: bool) -> egui::Response {
    let card = &state.library().cards[row.card];
    let color = ui.visuals().text_color();
    let title_ranges = row
        .highlights
        .iter()
        .find(|h| h.field == Field::Title)
        .map_or(&[][..], |h| h.ranges.as_slice());
    let body = TextStyle::Body.resolve(ui.style());
    let mut job = super::text::highlighted(ui, &card.title, title_ranges, &body, color);
    // The alias that matched, when the title did not.
    if title_ranges.is_empty()
        && let Some((index, ranges)) = row.highlights.iter().find_map(|h| match h.field {
            Field::Alias { index } => Some((index, &h.ranges)),
            _ => None,
        })
        && let Some(alias) = card.aliases.get(index)
    {
        let font = TextStyle::Small.resolve(ui.style());
        let small =
            super::text::highlighted(ui, alias, ranges, &font, ui.visuals().weak_text_color());
        job.append("  ", 0.0, egui::TextFormat::default());
        for section in small.sections {
            let range = usize::from(section.byte_range.start)..usize::from(section.byte_range.end);
            let text = small.text.get(range).unwrap_or("");
            job.append(text, 0.0, section.format);
        }
    }
    if row.partial {
        job.append(
            "  部分匹配",
            0.0,
            egui::TextFormat::simple(
                TextStyle::Small.resolve(ui.style()),
                ui.visuals().weak_text_color(),
            ),
        );
    }
    if state.settings.is_favourite(&card.id) {
        job.append(
            " ★",
            0.0,
            egui::TextFormat::simple(TextStyle::Small.resolve(ui.style()), color),
        );
    }
    row_button(ui, job, &card.title, selected)
}

/// A full-width, left-aligned, selectable row.
fn row_button(
    ui: &mut egui::Ui,
    mut job: egui::text::LayoutJob,
    label: &str,
    selected: bool,
) -> egui::Response {
    let padding = egui::vec2(8.0, 6.0);
    let width = ui.available_width();
    job.wrap.max_width = width - 2.0 * padding.x;
    let galley = ui.fonts_mut(|f| f.layout_job(job));
    let size = egui::vec2(width, galley.size().y + 2.0 * padding.y);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    response.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::Button, ui.is_enabled(), selected, label)
    });
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact_selectable(&response, selected);
        if selected || response.hovered() || response.has_focus() {
            ui.painter().rect(
                rect,
                4.0,
                visuals.weak_bg_fill,
                visuals.bg_stroke,
                egui::StrokeKind::Inside,
            );
        }
        let text_color = if selected {
            visuals.text_color()
        } else {
            ui.visuals().text_color()
        };
        ui.painter().galley(rect.min + padding, galley, text_color);
    }
    response
}
