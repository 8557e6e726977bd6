//! The card form (F2): every field of the shown card that the form edits,
//! keyboard-first (Tab between fields, Ctrl+S saves, Esc asks before
//! dropping changes). Reads `&AppState`, returns commands.

use egui::{RichText, TextEdit};

use crate::app::editor::{Editor, FormEdit, StepDraft};
use crate::app::{AppState, Command};

/// The title field, which takes the keyboard when the form opens.
pub fn title_id() -> egui::Id {
    egui::Id::unique("huashu-editor-title")
}

/// The form; `opened`: it was just opened, and shows from its top.
pub fn editor_ui(ui: &mut egui::Ui, state: &AppState, opened: bool) -> Vec<Command> {
    let mut out = Vec::new();
    let Some(editor) = state.editor() else {
        return out;
    };
    let mut area = egui::ScrollArea::vertical()
        .id_salt("editor")
        .auto_shrink([false, false]);
    if opened {
        area = area.vertical_scroll_offset(0.0);
    }
    area.show(ui, |ui| form(ui, state, editor, &mut out));
    out
}

fn form(ui: &mut egui::Ui, state: &AppState, editor: &Editor, out: &mut Vec<Command>) {
    let f = &editor.fields;
    ui.heading(if editor.is_new() {
        "新建卡片".to_owned()
    } else {
        format!("编辑卡片 {}", editor.card.id)
    });
    let saving = if editor.span.is_some() {
        format!(
            "保存时只改写 {} 里这张卡片改过的项目，文件的其他内容不变",
            editor.file.display()
        )
    } else if editor.is_override {
        format!(
            "保存时把这张卡片加在 {} 的末尾（没有这个文件就新建），文件的其他内容不变",
            editor.file.display()
        )
    } else {
        format!(
            "保存时把这张卡片加在 {} 里这一节的末尾，文件的其他内容不变",
            editor.file.display()
        )
    };
    ui.label(RichText::new(saving).small().weak());
    if let Some(message) = &editor.message {
        ui.label(RichText::new(message).color(ui.visuals().warn_fg_color));
    }
    if editor.stale && ui.button("重新载入文件，保留我的改动 (F5)").clicked() {
        out.push(Command::ReloadEdit);
    }
    if let Some(earlier) = editor.changed_since() {
        replaced_ui(ui, earlier, out);
    }
    let mut edit = |change: FormEdit| out.push(Command::EditForm(change));
    ui.add_space(6.0);
    if editor.is_new() {
        if let Some(t) = line(
            ui,
            "id（可以不写：按标题的拼音生成）",
            &f.id,
            "例如 fake-banknote",
        ) {
            edit(FormEdit::Id(t));
        }
    } else {
        ui.label(
            RichText::new(format!(
                "id：{}（不能改：收藏、统计和链接都靠它）",
                editor.card.id
            ))
            .small()
            .weak(),
        );
    }
    ui.label(RichText::new("标题").strong());
    if let (_, Some(title)) = id_line(ui, title_id(), &f.title, "卡片标题") {
        edit(FormEdit::Title(title));
    }
    if let Some(t) = line(ui, "别名（用、分开）", &f.aliases, "大堂经理会输入的说法")
    {
        edit(FormEdit::Aliases(t));
    }
    if let Some(t) = block(ui, "场景再现（一行一段）", &f.scene, "场景再现：一行一段")
    {
        edit(FormEdit::Scene(t));
    }
    ui.label(RichText::new("解决方案").strong());
    steps_form(ui, &f.steps, &mut edit);
    if ui.button("添加一步").clicked() {
        edit(FormEdit::AddStep);
    }
    if let Some(t) = block(ui, "作者观点（一行一段）", &f.view, "作者观点：一行一段")
    {
        edit(FormEdit::View(t));
    }
    if let Some(t) = block(
        ui,
        "填空（一行一个：名字：选项1/选项2）",
        &f.fills,
        "例如 称呼：先生/女士",
    ) {
        edit(FormEdit::Fills(t));
    }
    links_form(ui, state, editor, &mut edit);
    review_form(ui, f, &mut edit);
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("保存 (Ctrl+S)").clicked() {
            out.push(Command::SaveEdit);
        }
        if ui.button("取消 (Esc)").clicked() {
            out.push(Command::Back);
        }
    });
}

/// The field of step `n` (`script`: its scripts, else its action).
fn step_id(n: usize, script: bool) -> egui::Id {
    egui::Id::unique(("huashu-editor-step", n, script))
}

/// Each step: its action and scripts, moved (its buttons, or Alt+↑/↓ in
/// its fields: the keyboard follows the step) or removed.
fn steps_form(ui: &mut egui::Ui, steps: &[StepDraft], edit: &mut impl FnMut(FormEdit)) {
    for (n, step) in steps.iter().enumerate() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("第 {} 步", n + 1));
                if ui.button("上移").clicked() {
                    edit(FormEdit::MoveStep(n, -1));
                }
                if ui.button("下移").clicked() {
                    edit(FormEdit::MoveStep(n, 1));
                }
                if ui.button("删除这一步").clicked() {
                    edit(FormEdit::RemoveStep(n));
                }
            });
            for (script, (label, hint, value)) in [
                (false, ("做什么", "这一步做什么", &step.action)),
                (
                    true,
                    (
                        "话术（一行一条）",
                        "话术：一行一条；填空写成 {称呼}",
                        &step.scripts,
                    ),
                ),
            ] {
                ui.label(RichText::new(label).small().weak());
                let mut text = value.clone();
                let field = ui.add(
                    TextEdit::multiline(&mut text)
                        .id(step_id(n, script))
                        .hint_text(hint)
                        .desired_rows(1)
                        .desired_width(f32::INFINITY),
                );
                if field.changed() {
                    edit(if script {
                        FormEdit::Scripts(n, text)
                    } else {
                        FormEdit::Action(n, text)
                    });
                }
                if field.has_focus() {
                    let up =
                        ui.input_mut(|i| i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowUp));
                    let down =
                        ui.input_mut(|i| i.consume_key(egui::Modifiers::ALT, egui::Key::ArrowDown));
                    let to = match (up, down) {
                        (true, _) if n > 0 => Some(n - 1),
                        (_, true) if n + 1 < steps.len() => Some(n + 1),
                        _ => None,
                    };
                    if let Some(to) = to {
                        edit(FormEdit::MoveStep(n, if to < n { -1 } else { 1 }));
                        ui.memory_mut(|m| m.request_focus(step_id(to, script)));
                    }
                }
            }
        });
    }
}

/// The link chooser's search field.
pub fn link_query_id() -> egui::Id {
    egui::Id::unique("huashu-editor-link-query")
}

/// The "why" field of link `n`.
fn link_why_id(n: usize) -> egui::Id {
    egui::Id::unique(("huashu-editor-link-why", n))
}

/// The links (each with its card's title, why, and a remove button), then
/// the chooser: typing finds cards as the search box does; Enter links the
/// first, Tab reaches the others; the new link's "why" takes the keyboard.
fn links_form(
    ui: &mut egui::Ui,
    state: &AppState,
    editor: &Editor,
    edit: &mut impl FnMut(FormEdit),
) {
    let links = &editor.fields.links;
    ui.label(RichText::new("相关卡片（链接）").strong());
    let library = state.library();
    for (n, link) in links.iter().enumerate() {
        let title = crate::model::CardId::parse(&link.to)
            .ok()
            .and_then(|id| library.card(&id))
            .map_or("（这张卡片已经不在了）", |c| c.title.as_str());
        ui.horizontal(|ui| {
            ui.label(format!("→ {title}"));
            ui.label(RichText::new(&link.to).small().weak());
            if ui.button("删除链接").clicked() {
                edit(FormEdit::RemoveLink(n));
            }
        });
        if let (_, Some(why)) = id_line(ui, link_why_id(n), &link.why, "为什么要看这张（可以不写）")
        {
            edit(FormEdit::LinkWhy(n, why));
        }
    }
    let (field, query) = id_line(
        ui,
        link_query_id(),
        &editor.link_query,
        "添加链接：输入标题、说法或拼音首字母找卡片，Enter 选第一张",
    );
    if let Some(query) = query {
        edit(FormEdit::LinkQuery(query));
    }
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let mut chosen = None;
    for (k, hit) in editor.link_hits.iter().enumerate() {
        let button = ui.button(format!("{}（{}）", hit.title, hit.id));
        if button.clicked() || (k == 0 && entered) {
            chosen = Some(hit.id.clone());
        }
    }
    if !editor.link_query.trim().is_empty() && editor.link_hits.is_empty() {
        ui.label(RichText::new("没有找到卡片").small().weak());
    }
    if let Some(id) = chosen {
        edit(FormEdit::AddLink(id));
        ui.memory_mut(|m| m.request_focus(link_why_id(links.len())));
    }
}

/// A one-line field the width of the form, with `id`: its response, and
/// its new text when changed.
fn id_line(
    ui: &mut egui::Ui,
    id: egui::Id,
    value: &str,
    hint: &str,
) -> (egui::Response, Option<String>) {
    let mut text = value.to_owned();
    let r = ui.add(
        TextEdit::singleline(&mut text)
            .id(id)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    );
    let changed = r.changed();
    (r, changed.then_some(text))
}

/// A labelled one-line field; its new text when changed.
fn line(ui: &mut egui::Ui, label: &str, value: &str, hint: &str) -> Option<String> {
    ui.label(RichText::new(label).strong());
    let id = ui.next_auto_id();
    id_line(ui, id, value, hint).1
}

/// A labelled field of several lines; its new text when changed.
fn block(ui: &mut egui::Ui, label: &str, value: &str, hint: &str) -> Option<String> {
    ui.label(RichText::new(label).strong());
    let mut text = value.to_owned();
    let r = ui.add(
        TextEdit::multiline(&mut text)
            .hint_text(hint)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    );
    r.changed().then_some(text)
}

/// Status, reviewer, version and date.
fn review_form(ui: &mut egui::Ui, f: &crate::app::editor::Fields, edit: &mut impl FnMut(FormEdit)) {
    ui.label(RichText::new("审核").strong());
    ui.horizontal(|ui| {
        for (value, label) in [
            (None, "不写"),
            (Some(true), "草稿"),
            (Some(false), "已审核"),
        ] {
            if ui.selectable_label(f.draft == value, label).clicked() {
                edit(FormEdit::Draft(value));
            }
        }
    });
    if let Some(t) = line(ui, "审核人", &f.reviewed_by, "例如 王老师") {
        edit(FormEdit::ReviewedBy(t));
    }
    if let Some(t) = line(ui, "版本", &f.version, "整数，例如 2") {
        edit(FormEdit::Version(t));
    }
    if let Some(t) = line(ui, "更新日期", &f.updated, "YYYY-MM-DD") {
        edit(FormEdit::Updated(t));
    }
}

/// The card an override replaces, as it is now (it changed after the
/// override was made): its steps and scripts beside the form, and a button
/// to start again from it.
fn replaced_ui(ui: &mut egui::Ui, earlier: &crate::model::Card, out: &mut Vec<Command>) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new("这张卡片在原来的来源（中心）已经更新，本网点的修改是在旧版本上做的。原来的卡片现在是：")
                .color(ui.visuals().warn_fg_color),
        );
        ui.label(RichText::new(&earlier.title).strong());
        for (n, step) in earlier.steps.iter().enumerate() {
            ui.label(format!("{}. {}", n + 1, step.action));
            for script in &step.scripts {
                ui.label(RichText::new(format!("    “{}”", script.template.source())).weak());
            }
        }
        if ui.button("改用这个版本（表单换成上面的内容）").clicked() {
            out.push(Command::EditForm(FormEdit::TakeReplaced));
        }
        ui.label(
            RichText::new("看过之后保存，就不再提示；要完全恢复原来的卡片，删掉本网点修改文件里的这张卡片")
                .small()
                .weak(),
        );
    });
}
