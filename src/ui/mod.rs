//! The egui shell: draws the [`AppState`] a [`Runtime`] keeps with the
//! `*_ui` panels, turns keys and clicks into [`Command`]s for it, and
//! carries out the [`Effect`]s it returns that only a window can
//! (clipboard, focus, window level, zoom, input method, repaint). It opens
//! no file itself.

mod card_view;
mod editor;
pub mod fonts;
mod keys;
mod problems;
mod result_list;
mod search_bar;
mod start;
mod status;
mod text;
mod theme;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use egui::{RichText, ViewportCommand, WindowLevel};

use crate::app::{AppState, Command, Effect, Event, Level, Runtime, Theme};

pub use search_bar::PLACEHOLDER;
pub use start::{
    RENDERER_ENV, WINDOW_SIZE, first_renderer, load_settings, read_settings, run_window,
};

/// Where the settings live in eframe's storage.
pub const SETTINGS_KEY: &str = "huashu.settings";
/// Below this width (points) the window shows the search box and the card only.
pub const COMPACT_WIDTH: f32 = 640.0;
/// Settings are written at most this long after a change.
const AUTO_SAVE: std::time::Duration = std::time::Duration::from_secs(5);

/// The window: the runtime, and what only egui needs.
pub struct HuashuApp {
    runtime: Runtime,
    /// Fonts, options and zoom are set up in the first pass.
    set_up: bool,
    frames: u64,
    /// What the search box is asked for at the next frame.
    search_focus: search_bar::BoxFocus,
    /// What the input method is doing in the search box.
    ime: ImeState,
    scroll: i32,
    /// A form was opened: it shows from its top at the next frame (egui
    /// remembers, and eframe saves, the last form's scroll offset).
    form_opened: bool,
    applied_theme: Option<Theme>,
    /// The notice being shown and when it was first drawn.
    notice_since: Option<(u64, f64)>,
    last_selected: Option<(Option<usize>, String)>,
    /// Set at the first frame (the renderer works).
    started: Option<Arc<AtomicBool>>,
    /// System fonts to try for characters the bundled font lacks, and
    /// whether that was done (once: an installed font serves later content).
    fallback_fonts: &'static [&'static str],
    fallback_tried: bool,
    /// Effects that came before the window had a frame (a draft reopened).
    later: Vec<Effect>,
    /// Alt+1…9 as the system gave them (X11: taken before an input method
    /// could swallow them), the script numbers.
    copy_keys: Option<std::sync::mpsc::Receiver<usize>>,
}

/// What the input method is doing in the search box.
#[derive(Clone, Copy, Debug, Default)]
struct ImeState {
    /// Composing: a preedit is shown.
    composing: bool,
    /// The last input-method event ended a composition without a commit.
    cleared: bool,
}

impl HuashuApp {
    pub fn new(runtime: impl Into<Runtime>) -> Self {
        Self {
            runtime: runtime.into(),
            set_up: false,
            frames: 0,
            search_focus: search_bar::BoxFocus::Take,
            ime: ImeState::default(),
            scroll: 0,
            form_opened: false,
            applied_theme: None,
            notice_since: None,
            last_selected: None,
            started: None,
            fallback_fonts: crate::glyphs::system_cjk_fonts(),
            fallback_tried: false,
            later: Vec::new(),
            copy_keys: None,
        }
    }

    pub fn state(&self) -> &AppState {
        self.runtime.state()
    }

    pub fn runtime_mut(&mut self) -> &mut Runtime {
        &mut self.runtime
    }

    /// Keeps the form's unsaved changes in `path`; a draft left there is
    /// opened again (see [`Runtime::keep_drafts_in`]).
    pub fn keep_drafts_in(&mut self, path: std::path::PathBuf) {
        let reopened = self.runtime.keep_drafts_in(path);
        self.carry_out_later(reopened);
    }

    /// Takes Alt+1…9 from `keys` (script numbers) as well as from the
    /// window's own key events.
    pub fn copy_keys_from(&mut self, keys: std::sync::mpsc::Receiver<usize>) {
        self.copy_keys = Some(keys);
    }

    /// Carries out `effects` at the next frame.
    pub fn carry_out_later(&mut self, effects: Vec<Effect>) {
        self.later.extend(effects);
    }

    /// Gives `event` to the runtime and carries out what it returns.
    pub fn handle(&mut self, ctx: &egui::Context, event: Event) {
        for effect in self.runtime.handle(event) {
            self.carry_out(ctx, effect);
        }
    }

    /// The system fonts tried for characters the bundled font lacks
    /// (default: the platform's usual Chinese fonts, see `glyphs`).
    pub fn fallback_fonts(&mut self, candidates: &'static [&'static str]) {
        self.fallback_fonts = candidates;
    }

    /// The first time the content has characters the bundled font lacks:
    /// adds a system Chinese font for them, or logs that none was found.
    fn ensure_fallback_font(&mut self, ctx: &egui::Context) {
        let missing = self.runtime.state().missing_glyphs();
        if missing.is_empty() || self.fallback_tried {
            return;
        }
        self.fallback_tried = true;
        match crate::glyphs::load_fallback(self.fallback_fonts, missing) {
            Some((path, bytes)) => {
                log::info!(
                    "content has {} characters outside the bundled font; using {}",
                    missing.len(),
                    path.display()
                );
                fonts::install_fallback(ctx, bytes);
                // Fonts take effect in the next pass: run it now.
                ctx.request_discard("fallback font");
            }
            None => log::warn!(
                "content has characters outside the bundled font ({}) and no system Chinese font was found; they show as boxes",
                missing.iter().collect::<String>()
            ),
        }
    }

    /// Before drawing: first-frame set-up, theme, window level, new
    /// content, fonts, and rings from the hotkey or a later start.
    fn begin_frame(&mut self, ctx: &egui::Context) {
        if !self.set_up {
            fonts::install(ctx);
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            ctx.set_zoom_factor(self.runtime.state().settings.zoom);
            self.set_up = true;
        }
        if self.applied_theme != Some(self.runtime.state().settings.theme) {
            theme::apply(ctx, self.runtime.state().settings.theme);
            self.applied_theme = Some(self.runtime.state().settings.theme);
            // Styles take effect in the next pass: run it now, without a flash.
            ctx.request_discard("theme and text sizes");
        }
        // Window managers ignore "always on top" before the window is mapped.
        if self.frames == 1 && self.runtime.state().settings.pinned {
            self.carry_out(ctx, Effect::SetWindowLevel(Level::AlwaysOnTop));
        }
        self.frames += 1;
        if let Some(started) = &self.started {
            started.store(true, Ordering::SeqCst);
        }
        let now = ctx.input(|i| i.time);
        self.handle(ctx, Event::Frame { now });
        for effect in std::mem::take(&mut self.later) {
            self.carry_out(ctx, effect);
        }
        self.ensure_fallback_font(ctx);
    }

    /// Draws one frame and carries out what it asked for.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.begin_frame(&ctx);
        let focused = ctx.memory(egui::Memory::focused);
        let navigating = focused.is_none() || focused == Some(search_bar::search_id());
        let (ime, mut commands) = self.read_keys(&ctx, navigating);
        if let Some(keys) = &self.copy_keys {
            commands.extend(keys.try_iter().map(Command::CopyScript));
        }
        let focus_now = match std::mem::replace(&mut self.search_focus, search_bar::BoxFocus::Keep)
        {
            search_bar::BoxFocus::Keep if focused.is_none() => search_bar::BoxFocus::Take,
            asked => asked,
        };
        let scroll = std::mem::take(&mut self.scroll);
        let form_opened = std::mem::take(&mut self.form_opened);
        let key = (
            self.runtime.state().selected(),
            self.runtime.state().query().to_owned(),
        );
        let selection_moved = self.last_selected.as_ref() != Some(&key);
        self.last_selected = Some(key);

        let compact = ui.available_width() < COMPACT_WIDTH;
        let state = self.runtime.state();
        egui::Panel::top("search")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(8.0))
            .show(ui, |ui| {
                if compact {
                    commands.extend(search_bar::search_bar_ui(ui, state, focus_now, ime));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        commands.extend(search_bar::controls_ui(ui, state));
                    });
                } else {
                    // Right to left: the controls, then the box takes the rest.
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        commands.extend(search_bar::controls_ui(ui, state));
                        commands.extend(search_bar::search_bar_ui(ui, state, focus_now, ime));
                    });
                }
            });
        if let Some(banner) = state.banner() {
            // Calm: the cards are there, only not the newest.
            let (fill, text) = theme::banner_colours(ui.visuals());
            egui::Panel::top("banner")
                .frame(
                    egui::Frame::new()
                        .fill(fill)
                        .inner_margin(egui::Margin::symmetric(10, 4)),
                )
                .show(ui, |ui| {
                    ui.label(RichText::new(banner).color(text)).on_hover_text(
                        "中心内容目录暂时无法访问，显示的是本机保存的副本；恢复后自动更新",
                    );
                });
        }
        let now = ctx.input(|i| i.time);
        egui::Panel::bottom("status")
            .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(6.0))
            .show(ui, |ui| {
                commands.extend(status::status_ui(ui, state, self.notice_since, now));
            });
        if state.problems_open() {
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(340.0)
                .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(8.0))
                .show(ui, |ui| commands.extend(problems::problems_ui(ui, state)));
        }
        if compact {
            egui::CentralPanel::default().show(ui, |ui| {
                if state.rows().is_empty() {
                    commands.extend(result_list::result_list_ui(ui, state, false));
                } else {
                    status::position_ui(ui, state);
                    commands.extend(card_view::card_view_ui(ui, state, scroll));
                }
            });
        } else {
            egui::Panel::left("results")
                .resizable(true)
                .default_size(360.0)
                .show(ui, |ui| {
                    commands.extend(result_list::result_list_ui(ui, state, selection_moved));
                });
            egui::CentralPanel::default().show(ui, |ui| {
                if state.editor().is_some() {
                    commands.extend(editor::editor_ui(ui, state, form_opened));
                } else {
                    commands.extend(card_view::card_view_ui(ui, state, scroll));
                }
            });
        }

        self.track_notice(&ctx, now);
        if !commands.is_empty() {
            self.handle_all(&ctx, commands);
            // Show the new state now rather than at the next input.
            ctx.request_repaint();
        }
    }

    /// Applies this frame's commands.
    fn handle_all(&mut self, ctx: &egui::Context, commands: Vec<Command>) {
        for command in commands {
            let typed = matches!(command, Command::SetQuery(_) | Command::Compose(_));
            let before = (!typed && self.ime.composing).then(|| self.state().query().to_owned());
            self.handle(ctx, Event::Command(command));
            // The box's text changed from code under a composition: end it,
            // or the input method would go on composing into it.
            if before.is_some_and(|b| b != self.state().query()) {
                ctx.memory_mut(egui::Memory::interrupt_ime);
                self.ime.composing = false;
            }
        }
    }

    /// This frame's shortcuts, input-method state and Alt+digit commits.
    fn read_keys(
        &mut self,
        ctx: &egui::Context,
        navigating: bool,
    ) -> (search_bar::Ime, Vec<Command>) {
        let was_composing = self.ime.composing;
        let mut commands = keys::alt_digits_from_ime(ctx, was_composing, self.ime.cleared);
        let ime = self.track_ime(ctx);
        if ime != search_bar::Ime::None {
            self.ime.cleared = ime == search_bar::Ime::Preedit { shown: false } && was_composing;
        }
        let composing = was_composing || self.ime.composing;
        commands.extend(keys::shortcuts(ctx, navigating, composing));
        (ime, commands)
    }

    /// Follows this frame's input-method events: is a composition going on?
    fn track_ime(&mut self, ctx: &egui::Context) -> search_bar::Ime {
        let ime = search_bar::ime_events(ctx);
        match ime {
            search_bar::Ime::Preedit { shown } => self.ime.composing = shown,
            search_bar::Ime::Commit => self.ime.composing = false,
            search_bar::Ime::None => {}
        }
        ime
    }

    /// Does what only the window can.
    fn carry_out(&mut self, ctx: &egui::Context, effect: Effect) {
        match effect {
            Effect::CopyText(text) => ctx.copy_text(text),
            Effect::SetWindowLevel(level) => {
                ctx.send_viewport_cmd(ViewportCommand::WindowLevel(match level {
                    Level::AlwaysOnTop => WindowLevel::AlwaysOnTop,
                    Level::Normal => WindowLevel::Normal,
                }));
            }
            Effect::FocusSearch => {
                if self.search_focus == search_bar::BoxFocus::Keep {
                    self.search_focus = search_bar::BoxFocus::Take;
                }
            }
            Effect::SelectSearch => self.search_focus = search_bar::BoxFocus::SelectAll,
            Effect::FormOpened => {
                ctx.memory_mut(|m| m.request_focus(editor::title_id()));
                self.form_opened = true;
            }
            Effect::RaiseWindow => {
                // The system call that raises it was made where the summons
                // came from (see `summon`); this restores a minimised window
                // and tells egui it has the focus.
                ctx.send_viewport_cmd(ViewportCommand::Minimized(false));
                ctx.send_viewport_cmd(ViewportCommand::Visible(true));
                ctx.send_viewport_cmd(ViewportCommand::Focus);
            }
            Effect::SetZoom(z) => ctx.set_zoom_factor(z),
            Effect::ScrollCard(lines) => self.scroll += lines,
            // eframe saves through `App::save` at a frame after
            // `auto_save_interval`: make sure there is one.
            Effect::SaveSettings => {
                ctx.request_repaint_after(AUTO_SAVE + std::time::Duration::from_millis(200));
            }
            // The runtime's own (files); never returned to the window.
            Effect::OpenEditor(_)
            | Effect::OpenNewEditor(_)
            | Effect::WriteCard { .. }
            | Effect::ReadEditFile(_)
            | Effect::Count(_) => {}
        }
    }

    /// Times the current notice; asks for one repaint to hide it.
    fn track_notice(&mut self, ctx: &egui::Context, now: f64) {
        let Some(notice) = self.runtime.state().notice() else {
            return;
        };
        let since = match self.notice_since {
            Some((serial, since)) if serial == notice.serial => since,
            _ => {
                self.notice_since = Some((notice.serial, now));
                now
            }
        };
        let left = status::NOTICE_SECONDS - (now - since);
        if left > 0.0 {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(left));
        }
    }
}

/// "2 / 5" above the card in the compact layout.
impl eframe::App for HuashuApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if !self.runtime.has_settings_file() {
            eframe::set_value(storage, SETTINGS_KEY, &self.state().settings);
        }
        self.runtime.handle(Event::Save);
    }

    fn auto_save_interval(&self) -> std::time::Duration {
        AUTO_SAVE
    }
}
