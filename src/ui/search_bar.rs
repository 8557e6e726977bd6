//! The search box and the window controls beside it.

use egui::{Id, TextEdit};

use crate::app::{AppState, Command, Zoom};

/// Placeholder: tells what to type.
pub const PLACEHOLDER: &str = "输入关键词或拼音首字母，如 qhcw";

pub fn search_id() -> Id {
    Id::unique("huashu-search")
}

/// The box's hint while a flag's reason is written in it.
pub const FLAG_HINT: &str = "哪里不对？可以不写，例如：利率已经调整";

/// What this frame's input-method events leave the box in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ime {
    /// No input-method event this frame.
    None,
    /// The last event was a preedit: a composition going on (`shown`: it
    /// has text), or one ended without a commit (empty).
    Preedit { shown: bool },
    /// A commit, not followed by a new composition (an empty preedit after
    /// it, as fcitx5 on the spot sends in the same frame, still ends with
    /// the commit).
    Commit,
}

/// The input-method events of this frame, as [`Ime`].
pub fn ime_events(ctx: &egui::Context) -> Ime {
    ctx.input(|i| i.events.iter().fold(Ime::None, fold_ime))
}

fn fold_ime(last: Ime, event: &egui::Event) -> Ime {
    match event {
        egui::Event::Ime(egui::ImeEvent::Preedit { text, .. }) => {
            if text.is_empty() && last == Ime::Commit {
                Ime::Commit
            } else {
                Ime::Preedit {
                    shown: !text.is_empty(),
                }
            }
        }
        egui::Event::Ime(egui::ImeEvent::Commit(_)) => Ime::Commit,
        _ => last,
    }
}

/// What the search box is asked for this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoxFocus {
    /// Nothing: it keeps or lacks the keyboard as it is.
    Keep,
    /// The keyboard (only when the box lacks it: asking again would end an
    /// input method's composition and, on X11, reset the input method to
    /// its default mode).
    Take,
    /// The keyboard, with all its text selected: typing replaces it.
    SelectAll,
}

/// The search box; while a flag is written, its reason in the same box
/// (the keyboard stays where it is: moving it to another field would, on
/// X11, reset the input method to its default mode).
pub fn search_bar_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    focus: BoxFocus,
    ime: Ime,
) -> Vec<Command> {
    let mut out = Vec::new();
    let flagging = state.flagging();
    let mut query = flagging.unwrap_or(state.query()).to_owned();
    let hint = if flagging.is_some() {
        FLAG_HINT
    } else {
        PLACEHOLDER
    };
    let response = ui.add(
        TextEdit::singleline(&mut query)
            .id(search_id())
            .hint_text(hint)
            .font(egui::TextStyle::Heading)
            .desired_width(ui.available_width())
            .margin(egui::vec2(10.0, 6.0))
            // Enter opens a card and Esc clears the box: neither may take
            // the keyboard from it (re-focusing would end a composition).
            .return_key(None)
            .event_filter(egui::EventFilter {
                horizontal_arrows: true,
                vertical_arrows: true,
                escape: true,
                ..egui::EventFilter::default()
            }),
    );
    if response.has_focus() {
        candidates_below(ui, response.rect.bottom());
    }
    if focus != BoxFocus::Keep && !response.has_focus() {
        response.request_focus();
    }
    if focus == BoxFocus::SelectAll {
        let mut edit =
            egui::text_edit::TextEditState::load(ui.ctx(), response.id).unwrap_or_default();
        edit.cursor
            .set_char_range(Some(egui::text::CCursorRange::select_all_str(&query)));
        edit.store(ui.ctx(), response.id);
    }
    if flagging.is_some() {
        if response.changed() {
            out.push(Command::SetFlagReason(query));
        }
        return out;
    }
    if response.changed() {
        out.push(if matches!(ime, Ime::Preedit { .. }) {
            Command::Compose(query)
        } else {
            Command::SetQuery(query)
        });
    } else if ime == Ime::Commit {
        // A commit that leaves the text as the composition showed it (on
        // the spot): still the end of the composition.
        out.push(Command::SetQuery(query));
    }
    out
}

/// Puts the input method's candidate window below the box, not over the
/// text being typed: the area egui asks for is the cursor, and X11 input
/// methods (IBus, fcitx5) open their window under its top-left corner, over
/// the box's own text row; Windows' avoid the area given. So the area is
/// moved to the box's lower edge, at the cursor's x.
fn candidates_below(ui: &egui::Ui, bottom: f32) {
    ui.output_mut(|o| {
        if let Some(ime) = &mut o.ime {
            let at = egui::pos2(ime.cursor_rect.left(), bottom);
            ime.cursor_rect =
                egui::Rect::from_min_size(at, egui::vec2(ime.cursor_rect.width(), 1.0));
        }
    });
}

/// Pin, theme and text size, laid out right to left (as the window's
/// top-right corner is read).
pub fn controls_ui(ui: &mut egui::Ui, state: &AppState) -> Vec<Command> {
    let mut out = Vec::new();
    if ui.button("A+").on_hover_text("放大字号 (Ctrl +)").clicked() {
        out.push(Command::Zoom(Zoom::In));
    }
    if ui
        .button(format!("{:.0}%", state.settings.zoom * 100.0))
        .on_hover_text("恢复默认字号 (Ctrl 0)")
        .clicked()
    {
        out.push(Command::Zoom(Zoom::Reset));
    }
    if ui.button("A−").on_hover_text("缩小字号 (Ctrl −)").clicked() {
        out.push(Command::Zoom(Zoom::Out));
    }
    let theme = state.settings.theme;
    if ui
        .button(format!("主题：{}", theme.label()))
        .on_hover_text("切换 浅色 / 深色 / 高对比")
        .clicked()
    {
        out.push(Command::SetTheme(theme.next()));
    }
    let pinned = state.settings.pinned;
    let pin = ui
        .add(egui::Button::selectable(
            pinned,
            if pinned { "● 置顶" } else { "○ 置顶" },
        ))
        .on_hover_text("窗口保持在最上层 (Ctrl+T)");
    if pin.clicked() {
        out.push(Command::TogglePin);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preedit(text: &str) -> egui::Event {
        egui::Event::Ime(egui::ImeEvent::Preedit {
            text: text.into(),
            active_range_chars: None,
        })
    }

    #[test]
    fn a_commit_then_an_empty_preedit_is_a_commit() {
        let commit = egui::Event::Ime(egui::ImeEvent::Commit("差评".into()));
        let fold = |events: &[egui::Event]| events.iter().fold(Ime::None, fold_ime);
        assert_eq!(fold(&[commit.clone(), preedit("")]), Ime::Commit);
        assert_eq!(fold(&[preedit(""), commit.clone()]), Ime::Commit);
        assert_eq!(
            fold(&[commit, preedit("c")]),
            Ime::Preedit { shown: true },
            "a new composition after the commit"
        );
        assert_eq!(fold(&[preedit("")]), Ime::Preedit { shown: false });
    }
}
