//! The scenario card: what happened, what to do, what to say.

use egui::{Frame, RichText, TextStyle};

use crate::app::{AppState, Command};
use crate::model::{Card, Segment, Status};
use crate::search::{Field, Highlight};

fn ranges(highlights: &[Highlight], field: Field) -> &[std::ops::Range<usize>] {
    highlights
        .iter()
        .find(|h| h.field == field)
        .map_or(&[], |h| h.ranges.as_slice())
}

/// A paragraph with its matches highlighted.
fn paragraph(ui: &mut egui::Ui, text: &str, marks: &[std::ops::Range<usize>]) {
    let color = ui.visuals().text_color();
    let font = TextStyle::Body.resolve(ui.style());
    let job = super::text::highlighted(ui, text, marks, &font, color);
    ui.label(job);
}

/// The shown card; `scroll` lines of keyboard scrolling to apply.
pub fn card_view_ui(ui: &mut egui::Ui, state: &AppState, scroll: i32) -> Vec<Command> {
    let mut out = Vec::new();
    let Some(index) = state.shown() else {
        return out;
    };
    let card = &state.library().cards[index];
    let marks = state.card_highlights();
    egui::ScrollArea::vertical()
        .id_salt(("card", index))
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if scroll != 0 {
                let line = TextStyle::Body.resolve(ui.style()).size * 1.5;
                #[allow(clippy::cast_precision_loss, reason = "a few lines")]
                ui.scroll_with_delta(egui::vec2(0.0, -line * scroll as f32));
            }
            header_ui(ui, state, card, marks, &mut out);
            if !card.scene.is_empty() {
                section_title(ui, "场景再现");
                for (i, p) in card.scene.iter().enumerate() {
                    paragraph(ui, p, ranges(marks, Field::Scene { index: i }));
                }
            }
            section_title(ui, "解决方案");
            steps_ui(ui, state, index, card, marks, &mut out);
            if !card.view.is_empty() {
                ui.add_space(8.0);
                egui::CollapsingHeader::new(RichText::new("作者观点").heading())
                    .id_salt(("view", index))
                    .default_open(false)
                    .show(ui, |ui| {
                        for (i, p) in card.view.iter().enumerate() {
                            paragraph(ui, p, ranges(marks, Field::View { index: i }));
                        }
                    });
            }
            links_ui(ui, state, card, &mut out);
            ui.add_space(24.0);
        });
    out
}

fn section_title(ui: &mut egui::Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text).heading().strong());
}

fn header_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    card: &Card,
    marks: &[Highlight],
    out: &mut Vec<Command>,
) {
    let library = state.library();
    ui.horizontal_wrapped(|ui| {
        let color = ui.visuals().strong_text_color();
        let job = super::text::highlighted(
            ui,
            &card.title,
            ranges(marks, Field::Title),
            &super::theme::title_font(),
            color,
        );
        ui.label(job);
        let starred = state.settings.is_favourite(&card.id);
        let star = ui
            .add(egui::Button::selectable(
                starred,
                if starred {
                    "★ 已收藏"
                } else {
                    "☆ 收藏"
                },
            ))
            .on_hover_text("收藏后，搜索框为空时排在最前 (Ctrl+D)");
        if star.clicked() {
            out.push(Command::ToggleFavourite);
        }
        let flag = ui
            .button("报告有误")
            .on_hover_text("告诉培训老师这张卡片有误或过时 (Ctrl+R)");
        if flag.clicked() {
            out.push(Command::Flag);
        }
        let new = ui
            .button("新建卡片")
            .on_hover_text("在这张卡片所在的节里新建一张（内容编辑用）(Ctrl+N)");
        if new.clicked() {
            out.push(Command::NewCard);
        }
    });
    if state.flagging().is_some() {
        flag_ui(ui, out);
    }
    if let Some(place) = library.place(card) {
        ui.label(RichText::new(place).weak());
    }
    let meta = &card.meta;
    let has_meta = meta.status.is_some()
        || meta.version.is_some()
        || meta.reviewed_by.is_some()
        || meta.updated.is_some();
    if has_meta {
        meta_ui(ui, meta);
    }
    if meta.status == Some(Status::Draft)
        && let Some(note) = &meta.note
    {
        let (fill, _) = super::theme::draft_colours();
        Frame::new()
            .stroke(egui::Stroke::new(2.0, fill))
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.label(RichText::new(note).small());
            });
    }
}

fn meta_ui(ui: &mut egui::Ui, meta: &crate::model::Meta) {
    ui.horizontal_wrapped(|ui| {
        match meta.status {
            Some(Status::Draft) => badge(ui, "草稿 · 未审核", super::theme::draft_colours()),
            Some(Status::Reviewed) => badge(ui, "已审核", super::theme::reviewed_colours()),
            None => {}
        }
        let mut parts = Vec::new();
        if let Some(v) = meta.version {
            parts.push(format!("第 {v} 版"));
        }
        if let Some(who) = &meta.reviewed_by {
            parts.push(format!("审核：{who}"));
        }
        if let Some(date) = meta.updated {
            parts.push(format!("更新：{date}"));
        }
        if !parts.is_empty() {
            ui.label(RichText::new(parts.join(" · ")).small().weak());
        }
    });
}

fn badge(ui: &mut egui::Ui, text: &str, (fill, ink): (egui::Color32, egui::Color32)) {
    Frame::new()
        .fill(fill)
        .inner_margin(egui::Margin::symmetric(8, 2))
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.label(RichText::new(text).color(ink).strong());
        });
}

fn steps_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    index: usize,
    card: &Card,
    marks: &[Highlight],
    out: &mut Vec<Command>,
) {
    let mut script_no = 0;
    for (n, step) in card.steps.iter().enumerate() {
        ui.horizontal_top(|ui| {
            ui.label(RichText::new(format!("{}.", n + 1)).strong());
            ui.vertical(|ui| {
                // A step may be only a script.
                if !step.action.is_empty() {
                    paragraph(ui, &step.action, ranges(marks, Field::Step { index: n }));
                }
                for (k, script) in step.scripts.iter().enumerate() {
                    script_ui(ui, state, index, script, script_no, marks, (n, k), out);
                    script_no += 1;
                }
            });
        });
    }
    if card.steps.is_empty() {
        ui.label(RichText::new("（这张卡片还没有步骤）").weak());
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one script's place and its marks"
)]
fn script_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    card: usize,
    script: &crate::model::Script,
    number: usize,
    marks: &[Highlight],
    (step, k): (usize, usize),
    out: &mut Vec<Command>,
) {
    let (fill, accent) = super::theme::script_box(ui.visuals());
    Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.5, accent))
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(format!("话术 {}", number + 1))
                        .small()
                        .color(accent),
                );
                let label = if number < 9 {
                    format!("复制 (Alt+{})", number + 1)
                } else {
                    "复制".to_owned()
                };
                if ui
                    .button(label)
                    .on_hover_text(format!("复制话术 {} 到剪贴板", number + 1))
                    .clicked()
                {
                    out.push(Command::CopyScript(number));
                }
            });
            if script.template.has_fields() {
                fill_in_ui(ui, state, card, script, out);
            } else {
                let text = script.template.render(|_| None);
                let shown = format!("“{text}”");
                // Highlights are in the text; shift past the opening quote.
                let quote = "“".len();
                let marks: Vec<_> = ranges(marks, Field::Script { step, index: k })
                    .iter()
                    .map(|r| r.start + quote..r.end + quote)
                    .collect();
                paragraph(ui, &shown, &marks);
            }
        });
}

/// A script with fill-in fields: text and a chooser for each field.
fn fill_in_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    card: usize,
    script: &crate::model::Script,
    out: &mut Vec<Command>,
) {
    let fields = &state.library().cards[card].fields;
    ui.horizontal_wrapped(|ui| {
        ui.label("“");
        for segment in script.template.segments() {
            match segment {
                Segment::Text(text) => {
                    ui.label(text);
                }
                Segment::Field(name) => {
                    let current = state.fill(card, name).unwrap_or_default().to_owned();
                    let choices = fields.get(name).map_or(&[][..], |f| f.choices.as_slice());
                    if choices.is_empty() {
                        let mut value = current.clone();
                        let edit = ui.add(
                            egui::TextEdit::singleline(&mut value)
                                .hint_text(name.as_str())
                                .desired_width(80.0),
                        );
                        if edit.changed() {
                            out.push(Command::SetFill {
                                field: name.clone(),
                                value,
                            });
                        }
                    } else {
                        // Inline choices: one click or Tab+Space, no menu to open.
                        for choice in choices {
                            let chosen = *choice == current;
                            let text = if chosen {
                                RichText::new(choice).strong()
                            } else {
                                RichText::new(choice).weak()
                            };
                            if ui
                                .add(egui::Button::selectable(chosen, text))
                                .on_hover_text(format!("{name}：{choice}"))
                                .clicked()
                            {
                                out.push(Command::SetFill {
                                    field: name.clone(),
                                    value: choice.clone(),
                                });
                            }
                        }
                    }
                }
            }
        }
        ui.label("”");
    });
}

fn links_ui(ui: &mut egui::Ui, state: &AppState, card: &Card, out: &mut Vec<Command>) {
    if card.links.is_empty() {
        return;
    }
    section_title(ui, "相关卡片");
    for link in &card.links {
        let Some(target) = state.library().card(&link.to) else {
            continue;
        };
        ui.horizontal_wrapped(|ui| {
            if ui.link(format!("→ {}", target.title)).clicked() {
                out.push(Command::OpenCard(link.to.clone()));
            }
            if !link.why.is_empty() {
                ui.label(RichText::new(&link.why).weak());
            }
        });
    }
}

/// A flag being written: what the box above is for now, and the buttons.
fn flag_ui(ui: &mut egui::Ui, out: &mut Vec<Command>) {
    Frame::new()
        .stroke(egui::Stroke::new(1.0, ui.visuals().warn_fg_color))
        .inner_margin(8.0)
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.label("报告有误：在上面的框里写哪里不对（可以不写）");
                if ui.button("提交 (Enter)").clicked() {
                    out.push(Command::SubmitFlag);
                }
                if ui.button("取消 (Esc)").clicked() {
                    out.push(Command::Back);
                }
            });
        });
}
