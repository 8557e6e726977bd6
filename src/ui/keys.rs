//! Keyboard shortcuts → commands. Everything works without a mouse.

use egui::{Key, Modifiers};

use crate::app::{Command, Zoom};

/// Shortcut help shown in the status bar.
pub const HINT: &str = "↑↓ 选择 · Enter 打开 · Esc 清空/返回 · Alt+1…9 复制话术 · Ctrl+D 收藏 · Ctrl+T 置顶 · Ctrl +/− 字号";

/// Alt+1…9 while an input method composes on the spot: fcitx5 (X11)
/// ends the preedit and commits the digit instead of passing the key on
/// (`Preedit("")`, `Commit("2")`, with Alt held — or already released when
/// a busy frame gets all of it at once). Takes those events out (the
/// preedit stays, as the input method still composes) and returns the copy
/// commands. A lone digit committed right after the preedit was cleared is
/// never a pinyin input method's own doing (its digits pick candidates);
/// `cleared` says the last input-method event of earlier frames was such a
/// clear (the events may come one frame each).
pub fn alt_digits_from_ime(ctx: &egui::Context, composing: bool, cleared: bool) -> Vec<Command> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        let alt = i.modifiers.alt && !i.modifiers.ctrl && !i.modifiers.command;
        if !alt && !composing && !cleared {
            return;
        }
        let first_ime = i.events.iter().position(|e| matches!(e, egui::Event::Ime(_)));
        let is_clear = |e: &egui::Event| {
            matches!(e, egui::Event::Ime(egui::ImeEvent::Preedit { text, .. }) if text.is_empty())
        };
        let mut keep = vec![true; i.events.len()];
        for (k, e) in i.events.iter().enumerate() {
            let egui::Event::Ime(egui::ImeEvent::Commit(t)) = e else {
                continue;
            };
            let [d @ b'1'..=b'9'] = t.as_bytes() else {
                continue;
            };
            let clear_here = k > 0 && is_clear(&i.events[k - 1]);
            let clear_before = cleared && first_ime == Some(k);
            if alt || (composing && clear_here) || clear_before {
                out.push(Command::CopyScript(usize::from(d - b'1')));
                keep[k] = false;
                if clear_here && composing {
                    keep[k - 1] = false;
                }
            }
        }
        // Alt held while composing: the preedit is not to be cleared.
        if alt && composing {
            for (k, e) in i.events.iter().enumerate() {
                if is_clear(e) {
                    keep[k] = false;
                }
            }
        }
        let mut k = 0;
        i.events.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    });
    out
}

/// A key with modifiers and the command it gives.
type Shortcut = (Modifiers, Key, fn() -> Command);

/// The window's shortcuts besides arrows, Enter, Esc, Alt+1…9 and Ctrl+=:
/// the keys `hotkey::WINDOW_KEYS` names (a test keeps the two the same).
/// None is an input method's (Ctrl+Shift+F is fcitx5's, Sogou's and
/// Microsoft Pinyin's simplified/traditional toggle: 报告有误 is Ctrl+R).
const WINDOW_KEYS: [Shortcut; 12] = [
    (Modifiers::COMMAND, Key::R, || Command::Flag),
    (Modifiers::NONE, Key::F2, || Command::Edit),
    (Modifiers::COMMAND, Key::N, || Command::NewCard),
    (Modifiers::COMMAND, Key::S, || Command::SaveEdit),
    (Modifiers::NONE, Key::F5, || Command::ReloadEdit),
    (Modifiers::COMMAND, Key::D, || Command::ToggleFavourite),
    (Modifiers::COMMAND, Key::T, || Command::TogglePin),
    (Modifiers::NONE, Key::F8, || Command::ToggleProblems),
    (Modifiers::COMMAND, Key::Minus, || Command::Zoom(Zoom::Out)),
    (Modifiers::COMMAND, Key::Num0, || Command::Zoom(Zoom::Reset)),
    (Modifiers::COMMAND, Key::F, || Command::FocusSearch),
    (Modifiers::COMMAND, Key::L, || Command::FocusSearch),
];

/// Consumes the window's shortcuts from this frame's input. Arrow keys,
/// Enter and Esc are taken only when `navigating` (the search box or nothing
/// has focus), so a focused chooser keeps them; and never while an input
/// method `composing`: they are its keys (choose, commit, cancel).
pub fn shortcuts(ctx: &egui::Context, navigating: bool, composing: bool) -> Vec<Command> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        let mut key = |m: Modifiers, k: Key| i.consume_key(m, k);
        if navigating && !composing {
            if key(Modifiers::NONE, Key::ArrowDown) {
                out.push(Command::Move(1));
            }
            if key(Modifiers::NONE, Key::ArrowUp) {
                out.push(Command::Move(-1));
            }
            if key(Modifiers::NONE, Key::PageDown) {
                out.push(Command::Move(5));
            }
            if key(Modifiers::NONE, Key::PageUp) {
                out.push(Command::Move(-5));
            }
            if key(Modifiers::NONE, Key::Enter) {
                out.push(Command::OpenSelected);
            }
        }
        if !composing && key(Modifiers::NONE, Key::Escape) {
            out.push(Command::Back);
        }
        for (m, k, command) in WINDOW_KEYS {
            if key(m, k) {
                out.push(command());
            }
        }
        if key(Modifiers::COMMAND, Key::Plus) || key(Modifiers::COMMAND, Key::Equals) {
            out.push(Command::Zoom(Zoom::In));
        }
        let digits = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
        ];
        let mut copied = Vec::new();
        for (n, k) in digits.into_iter().enumerate() {
            if key(Modifiers::ALT, k) {
                out.push(Command::CopyScript(n));
                copied.push((n + 1).to_string());
            }
        }
        // Keys an input method uses while composing (choose, commit,
        // cancel, edit the preedit) reach the app on some platforms too:
        // they must not also move, open, clear or edit the box.
        if composing {
            i.events.retain(|e| {
                !matches!(
                    e,
                    egui::Event::Key {
                        key: Key::Enter
                            | Key::Escape
                            | Key::Tab
                            | Key::Space
                            | Key::Backspace
                            | Key::Delete
                            | Key::ArrowUp
                            | Key::ArrowDown
                            | Key::ArrowLeft
                            | Key::ArrowRight
                            | Key::PageUp
                            | Key::PageDown
                            | Key::Home
                            | Key::End,
                        ..
                    }
                )
            });
        }
        // X11 also sends Alt+digit's digit as text, in the same frame or
        // while Alt is still held: keep it out of the search box. (Ctrl+Alt
        // is AltGr on Windows and may type characters.)
        let alt = i.modifiers.alt && !i.modifiers.ctrl && !i.modifiers.command;
        i.events.retain(|e| match e {
            egui::Event::Text(t) => {
                let digit = t.len() == 1 && t.as_bytes()[0].is_ascii_digit();
                !(copied.contains(t) || (alt && digit))
            }
            _ => true,
        });
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ctrl+R`, `F2`, …: as the config and the README write them (`None`
    /// for a key a hotkey cannot be, such as Ctrl+−).
    fn written(m: Modifiers, k: Key) -> Option<String> {
        let mods = if m == Modifiers::COMMAND {
            "Ctrl+"
        } else if m == Modifiers::NONE {
            ""
        } else {
            return None;
        };
        let text = format!("{mods}{}", k.name());
        crate::hotkey::HotKey::read(&text).is_ok().then_some(text)
    }

    #[test]
    fn the_window_keys_are_the_ones_the_hotkey_check_refuses() {
        let here: Vec<String> = WINDOW_KEYS
            .iter()
            .filter_map(|(m, k, _)| written(*m, *k))
            .collect();
        let refused: Vec<&str> = crate::hotkey::WINDOW_KEYS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| !k.starts_with("Alt+"))
            .collect();
        assert_eq!(here, refused);
    }
}
