//! The egui shell: reads [`AppState`], draws it with the `*_ui` panels,
//! turns keys and clicks into [`Command`]s and carries out the
//! [`Effect`]s. No file I/O here besides eframe's own persistence.

mod card_view;
mod editor;
pub mod fonts;
mod keys;
mod problems;
mod result_list;
mod search_bar;
mod text;
mod theme;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;

use egui::{RichText, ViewportCommand, WindowLevel};

use crate::app::{AppState, Command, Content, Effect, Level, Settings, Theme};
use crate::content::Loaded;
use crate::content::sources::{Setup, Sources, SourcesLoaded};
use crate::content::watch::{Recheck, Watch};
use crate::persist::{settings_file, usage_file};
use crate::summon::instance::{self, Claim};
use crate::summon::{self, Bell, Summon};
use crate::usage::{Usage, UsageEvent};

pub use search_bar::PLACEHOLDER;

/// Where the settings live in eframe's storage.
pub const SETTINGS_KEY: &str = "huashu.settings";
/// Below this width (points) the window shows the search box and the card only.
pub const COMPACT_WIDTH: f32 = 640.0;
/// How long a confirmation stays visible.
const NOTICE_SECONDS: f64 = 2.5;
/// Settings are written at most this long after a change.
const AUTO_SAVE: std::time::Duration = std::time::Duration::from_secs(5);
/// Effects kept for inspection (tests, debugging).
const EFFECT_LOG: usize = 64;

/// Opens the counter window on the configured content sources (`--data`
/// replaces them; see `content::sources`), watched and reloaded.
///
/// Only a renderer that fails before the first frame is tried again with
/// the other one (in a fresh process: one event loop per process). A panic
/// later is not a relaunch: the window's drop saves the settings and usage
/// counts, the panic is logged with its place, and this returns the error.
pub fn run_window(
    data: &[PathBuf],
    local: &[PathBuf],
    config: Option<&Path>,
) -> anyhow::Result<()> {
    let chosen = std::env::var(RENDERER_ENV).ok();
    let first = Renderer::chosen(chosen.as_deref());
    log_panics();
    // One window: a start while one is open brings that one forward.
    let (bell, rings) = Bell::new();
    let instance = match instance::claim(&instance::name(data, local, config), bell.clone()) {
        Claim::Forwarded => {
            log::info!("a window is already open: brought it forward");
            return Ok(());
        }
        Claim::First(instance) => instance,
    };
    let started = Arc::new(AtomicBool::new(false));
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        open_window(data, local, config, first, started.clone(), (bell, rings))
    }));
    let next = after_attempt(attempt, started.load(Ordering::SeqCst), first);
    // The other renderer's process claims the window for itself.
    instance.release();
    let failure = match next {
        Next::Done => return Ok(()),
        Next::Fail(e) => return Err(e),
        Next::OtherRenderer(e) if chosen.is_some() => return Err(e),
        Next::OtherRenderer(e) => e,
    };
    let other = first.other();
    log::warn!(
        "the {} renderer did not start ({failure:#}); starting again with {}",
        first.name(),
        other.name()
    );
    let status = std::process::Command::new(std::env::current_exe().context("找不到程序文件本身")?)
        .args(std::env::args_os().skip(1))
        .env(RENDERER_ENV, other.name())
        .status()
        .with_context(|| format!("无法用 {} 绘图方式重新启动", other.name()))?;
    if status.success() {
        Ok(())
    } else {
        Err(failure.context("两种绘图方式（wgpu 和 OpenGL）都打不开窗口，可能是显卡驱动的问题"))
    }
}

/// What to do after the window's event loop returned (or panicked).
enum Next {
    Done,
    Fail(anyhow::Error),
    /// The renderer did not start: try the other one.
    OtherRenderer(anyhow::Error),
}

/// A failure or panic before the first frame is the renderer's; after it,
/// the program's — never a reason to start again.
fn after_attempt(
    attempt: std::thread::Result<anyhow::Result<()>>,
    showed_a_frame: bool,
    renderer: Renderer,
) -> Next {
    match attempt {
        Ok(Ok(())) => Next::Done,
        Ok(Err(e)) if showed_a_frame => Next::Fail(e),
        Err(_) if showed_a_frame => Next::Fail(anyhow::anyhow!(
            "话术助手遇到内部错误，已停止；设置和使用次数已保存，详情见日志"
        )),
        Ok(Err(e)) => Next::OtherRenderer(e),
        Err(_) => Next::OtherRenderer(anyhow::anyhow!("{} 绘图方式在启动时崩溃", renderer.name())),
    }
}

/// Every panic is logged with where it happened (then reported as usual).
fn log_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let place = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let thread = std::thread::current();
        log::error!(
            "panic in thread {}{place}: {message}",
            thread.name().unwrap_or("<unnamed>")
        );
        default(info);
    }));
}

/// How long the window waits for the first load before opening without it.
const FIRST_LOAD_WAIT: Duration = Duration::from_secs(2);
/// Shown while a slow first load is still going on.
const SLOW_LOAD: &str = "正在读取内容……（内容目录响应较慢）";

/// `HUASHU_RENDERER=glow` (OpenGL) or `wgpu` chooses the renderer.
pub const RENDERER_ENV: &str = "HUASHU_RENDERER";

/// What draws the window. The first choice depends on the platform and the
/// other is tried when it does not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Renderer {
    Wgpu,
    Glow,
}

/// The renderer the window starts with (see [`RENDERER_ENV`]); also what
/// `examples/hello_window.rs`, the memory baseline, uses.
pub fn first_renderer() -> eframe::Renderer {
    Renderer::chosen(std::env::var(RENDERER_ENV).ok().as_deref()).into()
}

/// The window's size when it opens, in points.
pub const WINDOW_SIZE: [f32; 2] = [1000.0, 760.0];

impl From<Renderer> for eframe::Renderer {
    fn from(r: Renderer) -> Self {
        match r {
            Renderer::Glow => Self::Glow,
            Renderer::Wgpu => Self::Wgpu,
        }
    }
}

impl Renderer {
    /// The one `env` (the value of [`RENDERER_ENV`]) names, else the
    /// platform's first choice.
    fn chosen(env: Option<&str>) -> Self {
        match env {
            Some(r) if r.eq_ignore_ascii_case("glow") => Self::Glow,
            Some(r) if r.eq_ignore_ascii_case("wgpu") => Self::Wgpu,
            _ => Self::platform_default(),
        }
    }

    /// Windows: OpenGL first — it works with ordinary drivers and under
    /// Wine, where wgpu picks a Direct3D 12 device that cannot compile its
    /// shaders and shows nothing (without failing); where OpenGL is too old
    /// (remote desktop, basic display driver) it fails to start and wgpu's
    /// Direct3D 12 (WARP) takes over. Elsewhere wgpu first (Vulkan/GL on
    /// Mesa), OpenGL second.
    fn platform_default() -> Self {
        if cfg!(windows) {
            Self::Glow
        } else {
            Self::Wgpu
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Wgpu => Self::Glow,
            Self::Glow => Self::Wgpu,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Wgpu => "wgpu",
            Self::Glow => "glow",
        }
    }
}

/// The window icon (also the desktop entry's).
const ICON: &[u8] = include_bytes!("../../assets/icon.png");

/// The window: its title, size and icon, drawn by `renderer`.
fn native_options(renderer: Renderer) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("话术助手")
        .with_app_id("huashu")
        .with_inner_size(WINDOW_SIZE)
        .with_min_inner_size([360.0, 320.0]);
    match eframe::icon_data::from_png_bytes(ICON) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => log::warn!("window icon: {e}"),
    }
    eframe::NativeOptions {
        viewport,
        renderer: renderer.into(),
        ..Default::default()
    }
}

fn open_window(
    data: &[PathBuf],
    local: &[PathBuf],
    config: Option<&Path>,
    renderer: Renderer,
    started: Arc<AtomicBool>,
    (bell, rings): (Bell, Receiver<Summon>),
) -> anyhow::Result<()> {
    // A config that cannot be used never keeps the window closed: it is
    // listed as a content problem (F8) and logged.
    let (setup, config_problem) = Setup::resolve_or_default(data, config);
    let setup = setup.with_local(local);
    if let Some(problem) = &config_problem {
        log::error!("{problem}");
    }
    // The first load on its own thread: a network share that hangs must
    // not keep the window from opening. Wait a little for it (the usual
    // case: milliseconds), else open with a note and take it when it comes.
    let (loaded_tx, loaded_rx) = mpsc::channel();
    // The window's context, once it exists, to ask for a frame when a slow
    // load arrives (before that, the first frame looks for it anyway).
    let waker: Arc<OnceLock<egui::Context>> = Arc::default();
    let mut sources = setup.sources().with_problem(config_problem);
    let wake = waker.clone();
    std::thread::Builder::new()
        .name("content-load".into())
        .spawn(move || {
            let first = sources.load();
            for d in &first.loaded.diagnostics {
                log::warn!("{d}");
            }
            if loaded_tx.send((sources, first)).is_ok()
                && let Some(ctx) = wake.get()
            {
                ctx.request_repaint();
            }
        })
        .context("无法启动读取内容的线程")?;
    let first = loaded_rx.recv_timeout(FIRST_LOAD_WAIT).ok();
    let chosen = setup.chosen.clone();
    let recheck = setup.config.recheck();
    let count_usage = setup.config.count_usage;
    let hotkey = setup.config.hotkey();
    let usage_file = usage_file::path_in(&setup.places.data_dir);
    let log_searches = setup.config.log_searches;
    let writable = setup.writable_dirs();
    let local_source = setup.sources.iter().find_map(|s| match s {
        crate::content::sources::SourceSpec::Local(dir) => Some(dir.clone()),
        _ => None,
    });
    let draft_file = crate::persist::draft_file::path_in(&setup.places.data_dir);
    let searches_file = usage_file::searches_in(&setup.places.data_dir);
    let settings_file = setup.places.data_dir.join("settings.ron");
    eframe::run_native(
        "huashu",
        native_options(renderer),
        Box::new(move |cc| {
            let (settings, damaged) = read_settings(&settings_file, cc.storage);
            let (content, sources) = match first {
                Some((sources, first)) => {
                    let soon = first.again;
                    (Content::from_sources(first), Some((sources, soon)))
                }
                None => (
                    Content::new(Loaded::empty()).with_banner(Some(SLOW_LOAD.into())),
                    None,
                ),
            };
            let mut state = AppState::with_content(content, settings).with_chosen(chosen);
            if let Some(message) = damaged {
                log::warn!("{message}");
                state.report(message);
            }
            let window = summon::Window::of(cc);
            let ctx = cc.egui_ctx.clone();
            bell.attach(std::sync::Arc::new(move || ctx.request_repaint()), window);
            register_hotkey(&mut state, hotkey, window, bell);
            let mut app = HuashuApp::new(state);
            app.summoned_by(rings);
            app.started = Some(started);
            app.keep_settings_in(settings_file);
            if let Some((sources, soon)) = sources {
                app.watch(sources, recheck, soon, cc.egui_ctx.clone());
            } else {
                let _ = waker.set(cc.egui_ctx.clone());
                app.first_load = Some((loaded_rx, recheck));
            }
            if count_usage {
                app.count_usage(usage_file);
            }
            app.edit_in(writable);
            if let Some(local) = local_source {
                app.override_in(local);
            }
            app.keep_drafts_in(draft_file);
            if log_searches {
                app.log_searches(searches_file);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Registers the configured hotkey for `window`; the state shows which key,
/// or why there is none (also logged).
fn register_hotkey(
    state: &mut AppState,
    hotkey: Result<Option<crate::hotkey::HotKey>, String>,
    window: summon::Window,
    bell: Bell,
) {
    let status = match hotkey {
        Ok(Some(key)) => summon::register(key, window, bell).map(|()| key.to_string()),
        Ok(None) => return,
        Err(e) => Err(format!("配置文件里的 hotkey 写错了：{e}")),
    };
    if let Err(why) = &status {
        log::warn!("no global hotkey: {why}");
    }
    state.set_hotkey(status);
}

/// Reads the settings file (see `persist::settings_file`); without one,
/// the settings earlier versions kept in eframe's storage. The message, to
/// show once, says exactly what was not as written.
pub fn read_settings(
    file: &Path,
    storage: Option<&dyn eframe::Storage>,
) -> (Settings, Option<String>) {
    match settings_file::load(file) {
        settings_file::Found::Missing => (load_settings(storage), None),
        settings_file::Found::Read(settings, message) => (settings, message),
    }
}

/// Reads settings saved by an earlier run; a damaged value is reported
/// and replaced by defaults, never a failure.
pub fn load_settings(storage: Option<&dyn eframe::Storage>) -> Settings {
    let Some(text) = storage.and_then(|s| s.get_string(SETTINGS_KEY)) else {
        return Settings::default();
    };
    match ron::from_str::<Settings>(&text) {
        Ok(settings) => settings,
        Err(e) => {
            log::warn!("saved settings are damaged ({e}); starting from defaults");
            Settings::default()
        }
    }
}

/// The window.
pub struct HuashuApp {
    state: AppState,
    /// Fonts, options and zoom are set up in the first pass.
    set_up: bool,
    frames: u64,
    /// What the search box is asked for at the next frame.
    search_focus: search_bar::Focus,
    /// Rings from the hotkey and from later starts of the program.
    summons: Option<Receiver<Summon>>,
    /// What the input method is doing in the search box.
    ime: ImeState,
    scroll: i32,
    /// A form was opened: it shows from its top at the next frame (egui
    /// remembers, and eframe saves, the last form's scroll offset).
    form_opened: bool,
    applied_theme: Option<Theme>,
    effects: Vec<Effect>,
    /// The notice being shown and when it was first drawn.
    notice_since: Option<(u64, f64)>,
    last_selected: Option<(Option<usize>, String)>,
    /// New content from the watcher, indexed off the UI thread.
    reloads: Option<Receiver<Content>>,
    /// Kept alive while the window is open (dropping it stops watching).
    watching: Option<Watch>,
    /// Usage counts, when counting is on.
    usage: Option<UsageStore>,
    /// The search log, when it is on.
    searches: Option<SearchStore>,
    /// Where the card form may write.
    writable: Vec<PathBuf>,
    /// The `Local` directory a central card's change is saved in.
    overrides: Option<PathBuf>,
    /// Where the form's unsaved changes are kept, and what is there now.
    drafts: Option<(
        PathBuf,
        Option<crate::persist::draft_file::Draft<crate::app::editor::Fields>>,
    )>,
    /// Where the settings are kept (else in eframe's storage), and what
    /// was last written there.
    settings_file: Option<(PathBuf, Settings)>,
    /// Set at the first frame (the renderer works).
    started: Option<Arc<AtomicBool>>,
    /// System fonts to try for characters the bundled font lacks, and
    /// whether that was done (once: an installed font serves later content).
    fallback_fonts: &'static [&'static str],
    fallback_tried: bool,
    /// A slow first load still to come, and the central re-check interval.
    first_load: Option<(Receiver<(Sources, SourcesLoaded)>, Duration)>,
}

/// What the input method is doing in the search box.
#[derive(Clone, Copy, Debug, Default)]
struct ImeState {
    /// Composing: a preedit is shown.
    composing: bool,
    /// The last input-method event ended a composition without a commit.
    cleared: bool,
}

/// The search log (only with `log_searches: true`): the search going on,
/// what ended since the last save, and where it is added up.
struct SearchStore {
    path: PathBuf,
    session: crate::usage::SearchSession,
    pending: crate::usage::Searches,
}

/// Usage counts of this run and where they are added up.
struct UsageStore {
    path: PathBuf,
    /// Everything counted in this run.
    recorded: Usage,
    /// Counted since the last save (added to the file at the next).
    pending: Usage,
}

impl HuashuApp {
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            set_up: false,
            frames: 0,
            search_focus: search_bar::Focus::Take,
            summons: None,
            ime: ImeState::default(),
            scroll: 0,
            form_opened: false,
            applied_theme: None,
            effects: Vec::new(),
            notice_since: None,
            last_selected: None,
            reloads: None,
            watching: None,
            usage: None,
            searches: None,
            writable: Vec::new(),
            overrides: None,
            drafts: None,
            settings_file: None,
            started: None,
            fallback_fonts: crate::glyphs::system_cjk_fonts(),
            fallback_tried: false,
            first_load: None,
        }
    }

    /// Rings from the global hotkey and later starts (see `summon`) bring
    /// the window forward with the search text selected.
    pub fn summoned_by(&mut self, rings: Receiver<Summon>) {
        self.summons = Some(rings);
    }

    /// The system fonts tried for characters the bundled font lacks
    /// (default: the platform's usual Chinese fonts, see `glyphs`).
    pub fn fallback_fonts(&mut self, candidates: &'static [&'static str]) {
        self.fallback_fonts = candidates;
    }

    /// The first time the content has characters the bundled font lacks:
    /// adds a system Chinese font for them, or logs that none was found.
    fn ensure_fallback_font(&mut self, ctx: &egui::Context) {
        let missing = self.state.missing_glyphs();
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

    /// Keeps the settings in `path` (written atomically when they change)
    /// instead of eframe's storage.
    pub fn keep_settings_in(&mut self, path: PathBuf) {
        self.settings_file = Some((path, self.state.settings.clone()));
    }

    /// Counts card openings and script copies, added to `path` (see
    /// `persist::usage_file`) at each save.
    pub fn count_usage(&mut self, path: PathBuf) {
        self.usage = Some(UsageStore {
            path,
            recorded: Usage::default(),
            pending: Usage::default(),
        });
    }

    /// The card form may write to files in these directories (`--data`
    /// and `Local` sources).
    pub fn edit_in(&mut self, dirs: Vec<PathBuf>) {
        self.writable = dirs;
    }

    /// Cards the form may not write in place (central, built-in) are saved
    /// as overrides in this `Local` directory.
    pub fn override_in(&mut self, dir: PathBuf) {
        self.overrides = Some(dir);
    }

    /// Keeps the form's unsaved changes in `path` while it has any; a
    /// draft left there by a run that ended without saving is opened again.
    pub fn keep_drafts_in(&mut self, path: PathBuf) {
        let left = match crate::persist::draft_file::load::<crate::app::editor::Fields>(&path) {
            Ok((draft, message)) => {
                if let Some(m) = message {
                    log::warn!("{m}");
                }
                draft
            }
            Err(e) => {
                log::warn!("{e}");
                None
            }
        };
        if let Some(draft) = &left {
            let library = self.state.library();
            let found = library
                .cards
                .iter()
                .position(|c| c.id.as_str() == draft.card && library.file_of(c) == draft.file);
            match found.map(|n| self.open_editor(n)) {
                Some(Ok(mut editor)) => {
                    editor.restore(draft.fields.clone());
                    self.state.set_editor(Ok(editor));
                    self.form_opened = true;
                }
                _ => log::warn!(
                    "an unsaved draft of card {} in {} could not be reopened; it stays in {}",
                    draft.card,
                    draft.file.display(),
                    path.display()
                ),
            }
        }
        self.drafts = Some((path, left));
    }

    /// Writes or removes the draft file as the form's changes stand.
    fn keep_draft(&mut self) {
        let Some((path, kept)) = &mut self.drafts else {
            return;
        };
        let now = self.state.editor().filter(|e| e.changed()).map(|e| {
            crate::persist::draft_file::Draft {
                file: e.file.clone(),
                card: e.card.id.as_str().to_owned(),
                fields: e.fields.clone(),
            }
        });
        if now == *kept {
            return;
        }
        match &now {
            Some(draft) => {
                if let Err(e) = crate::persist::draft_file::save(path, draft) {
                    log::warn!("{e}");
                }
            }
            None => crate::persist::draft_file::remove(path),
        }
        *kept = now;
    }

    /// The form for a new card in card `n`'s section, if its file may be
    /// written.
    fn open_new_editor(&self, n: usize) -> Result<crate::app::editor::Editor, String> {
        let library = self.state.library();
        let card = library.cards.get(n).ok_or("没有这张卡片")?;
        let file = self.writable_file_of(card)?;
        // The section's place among the file's sections.
        let section = (0..card.section)
            .filter(|&s| library.files[library.chapters[library.sections[s].chapter].file] == file)
            .count();
        let read = crate::content::edit::read(&file)
            .map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
        Ok(crate::app::editor::Editor::new_card(file, read, section))
    }

    /// The file of `card`, if the form may write it.
    fn writable_file_of(&self, card: &crate::model::Card) -> Result<PathBuf, String> {
        let file = self.state.library().file_of(card);
        let writable = !file.starts_with(crate::content::BUILTIN_PREFIX)
            && self
                .writable
                .iter()
                .any(|d| file.starts_with(d) || file == d);
        if !writable {
            return Err(format!(
                "这张卡片来自{}，不能在这里改：表单只改 --data 或本网点（Local）目录里的卡片",
                if file.starts_with(crate::content::BUILTIN_PREFIX) {
                    "程序内置的卡片".to_owned()
                } else {
                    format!(" {}", file.display())
                }
            ));
        }
        Ok(file.to_path_buf())
    }

    /// The form for card `n`, if its file may be written.
    fn open_editor(&self, n: usize) -> Result<crate::app::editor::Editor, String> {
        let library = self.state.library();
        let card = library.cards.get(n).ok_or("没有这张卡片")?;
        let file = match (self.writable_file_of(card), &self.overrides) {
            (Ok(file), _) => file,
            (Err(_), Some(_)) if card.meta.locked => {
                return Err(
                    "这张卡片是总行锁定的合规话术，本网点不能修改；要改请联系培训部".to_owned(),
                );
            }
            (Err(_), Some(local)) => {
                let file = local.join(crate::content::edit::OVERRIDES_FILE);
                let read = match crate::content::edit::read(&file) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                    Err(e) => return Err(format!("无法读取 {}：{e}", file.display())),
                };
                return Ok(crate::app::editor::Editor::override_card(
                    card.clone(),
                    file,
                    read,
                ));
            }
            (Err(why), None) => return Err(why),
        };
        let read = crate::content::edit::read(&file)
            .map_err(|e| format!("无法读取 {}：{e}", file.display()))?;
        crate::app::editor::Editor::open(card.clone(), file, read)
            .map(|e| e.replacing(library.shadowed.get(&card.id).cloned()))
    }

    /// Keeps the queries typed and the card opened after each (digit runs
    /// masked), added to `path` (`searches.ron`) with the usage counts.
    pub fn log_searches(&mut self, path: PathBuf) {
        self.searches = Some(SearchStore {
            path,
            session: crate::usage::SearchSession::default(),
            pending: crate::usage::Searches::default(),
        });
    }

    /// The counts of this run (tests).
    pub fn usage(&self) -> Option<&Usage> {
        self.usage.as_ref().map(|u| &u.recorded)
    }

    /// Watches the sources' directories (and re-checks central ones every
    /// `recheck`): each change is loaded and indexed on the watch thread,
    /// then shown at the next frame (which it asks for).
    /// `soon`: the load made before settles after this long.
    pub fn watch(
        &mut self,
        mut sources: Sources,
        recheck: Duration,
        soon: Option<Duration>,
        ctx: egui::Context,
    ) {
        let (local, central, mirrors) = sources.watch_paths();
        if local.is_empty() && central.is_empty() {
            return;
        }
        let recheck = (!central.is_empty()).then_some(Recheck {
            every: recheck,
            dirs: central,
            soon,
            mirrors,
        });
        let (tx, rx) = mpsc::channel();
        let reload = move || {
            let loaded = sources.load();
            for d in &loaded.loaded.diagnostics {
                log::info!("{d}");
            }
            let again = loaded.again;
            let content = Content::from_sources(loaded);
            if tx.send(content).is_ok() {
                ctx.request_repaint();
            }
            again
        };
        match Watch::start(&local, recheck, reload) {
            Ok((watch, failed)) => {
                for e in failed {
                    log::warn!("{e}; its edits will show after a restart");
                }
                self.watching = Some(watch);
                self.reloads = Some(rx);
            }
            Err(e) => log::warn!("{e}; edits will show after a restart"),
        }
    }

    /// Puts in what a slow first load or the watcher delivered.
    fn take_new_content(&mut self, ctx: &egui::Context) {
        if let Some((rx, recheck)) = &self.first_load
            && let Ok((sources, first)) = rx.try_recv()
        {
            let recheck = *recheck;
            self.first_load = None;
            let soon = first.again;
            let content = Content::from_sources(first);
            self.state.replace_content(content);
            self.watch(sources, recheck, soon, ctx.clone());
        }
        if let Some(content) = self.reloads.as_ref().and_then(|rx| rx.try_iter().last()) {
            self.state.replace_content(content);
        }
    }

    /// Takes new content from `reloads` at each frame (tests send their own).
    pub fn receive_content(&mut self, reloads: Receiver<Content>) {
        self.reloads = Some(reloads);
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The latest effects carried out, oldest first.
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    pub fn clear_effects(&mut self) {
        self.effects.clear();
    }

    /// Before drawing: first-frame set-up, theme, window level, new
    /// content, fonts, and rings from the hotkey or a later start.
    fn begin_frame(&mut self, ctx: &egui::Context) {
        if !self.set_up {
            fonts::install(ctx);
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            ctx.set_zoom_factor(self.state.settings.zoom);
            self.set_up = true;
        }
        if self.applied_theme != Some(self.state.settings.theme) {
            theme::apply(ctx, self.state.settings.theme);
            self.applied_theme = Some(self.state.settings.theme);
            // Styles take effect in the next pass: run it now, without a flash.
            ctx.request_discard("theme and text sizes");
        }
        // Window managers ignore "always on top" before the window is mapped.
        if self.frames == 1 && self.state.settings.pinned {
            self.carry_out(ctx, Effect::SetWindowLevel(Level::AlwaysOnTop));
        }
        self.frames += 1;
        if let Some(started) = &self.started {
            started.store(true, Ordering::SeqCst);
        }
        self.take_new_content(ctx);
        self.ensure_fallback_font(ctx);
        if self
            .summons
            .as_ref()
            .is_some_and(|rx| rx.try_iter().count() > 0)
        {
            self.handle(ctx, Command::Summon);
        }
    }

    /// Draws one frame and carries out what it asked for.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.begin_frame(&ctx);
        let focused = ctx.memory(egui::Memory::focused);
        let navigating = focused.is_none() || focused == Some(search_bar::search_id());
        let (ime, mut commands) = self.read_keys(&ctx, navigating);
        let focus_now = match std::mem::replace(&mut self.search_focus, search_bar::Focus::Keep) {
            search_bar::Focus::Keep if focused.is_none() => search_bar::Focus::Take,
            asked => asked,
        };
        let scroll = std::mem::take(&mut self.scroll);
        let form_opened = std::mem::take(&mut self.form_opened);
        let key = (self.state.selected(), self.state.query().to_owned());
        let selection_moved = self.last_selected.as_ref() != Some(&key);
        self.last_selected = Some(key);

        let compact = ui.available_width() < COMPACT_WIDTH;
        let state = &self.state;
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
                commands.extend(status_ui(ui, state, self.notice_since, now));
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
                    position_ui(ui, state);
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
            self.keep_draft();
            // Show the new state now rather than at the next input.
            ctx.request_repaint();
        }
    }

    /// Applies this frame's commands.
    fn handle_all(&mut self, ctx: &egui::Context, commands: Vec<Command>) {
        for command in commands {
            let typed = matches!(command, Command::SetQuery(_) | Command::Compose(_));
            let before = (!typed && self.ime.composing).then(|| self.state.query().to_owned());
            self.handle(ctx, command);
            // The box's text changed from code under a composition: end it,
            // or the input method would go on composing into it.
            if before.is_some_and(|b| b != self.state.query()) {
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

    fn carry_out(&mut self, ctx: &egui::Context, effect: Effect) {
        match &effect {
            Effect::CopyText(text) => ctx.copy_text(text.clone()),
            Effect::SetWindowLevel(level) => {
                ctx.send_viewport_cmd(ViewportCommand::WindowLevel(match level {
                    Level::AlwaysOnTop => WindowLevel::AlwaysOnTop,
                    Level::Normal => WindowLevel::Normal,
                }));
            }
            Effect::FocusSearch => {
                if self.search_focus == search_bar::Focus::Keep {
                    self.search_focus = search_bar::Focus::Take;
                }
            }
            Effect::SelectSearch => self.search_focus = search_bar::Focus::SelectAll,
            Effect::FocusFlag => ctx.memory_mut(|m| m.request_focus(card_view::flag_id())),
            Effect::OpenEditor(_) | Effect::OpenNewEditor(_) => {
                let opened = match effect {
                    Effect::OpenEditor(n) => self.open_editor(n),
                    _ => self.open_new_editor(match effect {
                        Effect::OpenNewEditor(n) => n,
                        _ => 0,
                    }),
                };
                if opened.is_ok() {
                    ctx.memory_mut(|m| m.request_focus(editor::title_id()));
                    self.form_opened = true;
                }
                self.state.set_editor(opened);
            }
            Effect::WriteCard { path, read, text } => {
                let written = crate::content::edit::save(path, read, text);
                if let Err(e) = &written {
                    log::warn!("card not saved: {e}");
                }
                self.state.edit_written(written);
            }
            Effect::ReadEditFile(path) => {
                self.state.edit_file_read(crate::content::edit::read(path));
            }
            Effect::RaiseWindow => {
                // The system call that raises it was made where the summons
                // came from (see `summon`); this restores a minimised window
                // and tells egui it has the focus.
                ctx.send_viewport_cmd(ViewportCommand::Minimized(false));
                ctx.send_viewport_cmd(ViewportCommand::Visible(true));
                ctx.send_viewport_cmd(ViewportCommand::Focus);
            }
            Effect::SetZoom(z) => ctx.set_zoom_factor(*z),
            Effect::ScrollCard(lines) => self.scroll += lines,
            // eframe saves through `App::save` at a frame after
            // `auto_save_interval`: make sure there is one.
            Effect::SaveSettings => {
                ctx.request_repaint_after(AUTO_SAVE + std::time::Duration::from_millis(200));
            }
            Effect::Count(event) => {
                let today = crate::usage::today();
                if let Some(log) = &mut self.searches
                    && let UsageEvent::Opened(card) | UsageEvent::Copied(card, _) = event
                {
                    log.session.found(card, &today, &mut log.pending);
                }
                match &mut self.usage {
                    Some(store) => {
                        store.recorded.record(event, &today);
                        store.pending.record(event, &today);
                    }
                    None if matches!(event, UsageEvent::Flagged(..)) => {
                        self.state.report(
                            "没有保存标记：这台电脑关闭了使用统计（count_usage: false）".into(),
                        );
                    }
                    None => {}
                }
                ctx.request_repaint_after(AUTO_SAVE + std::time::Duration::from_millis(200));
            }
        }
        if self.effects.len() == EFFECT_LOG {
            self.effects.remove(0);
        }
        self.effects.push(effect);
    }

    /// Times the current notice; asks for one repaint to hide it.
    fn track_notice(&mut self, ctx: &egui::Context, now: f64) {
        let Some(notice) = self.state.notice() else {
            return;
        };
        let since = match self.notice_since {
            Some((serial, since)) if serial == notice.serial => since,
            _ => {
                self.notice_since = Some((notice.serial, now));
                now
            }
        };
        let left = NOTICE_SECONDS - (now - since);
        if left > 0.0 {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(left));
        }
    }
}

/// "2 / 5" above the card in the compact layout.
fn position_ui(ui: &mut egui::Ui, state: &AppState) {
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

fn status_ui(
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

/// A panic unwinding through the window, or the window closing: what was
/// not saved yet is saved now.
impl Drop for HuashuApp {
    fn drop(&mut self) {
        // The search going on ends with the window.
        if let Some(log) = &mut self.searches {
            log.session.end(&crate::usage::today(), &mut log.pending);
        }
        self.persist();
    }
}

impl eframe::App for HuashuApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.settings_file.is_none() {
            eframe::set_value(storage, SETTINGS_KEY, &self.state.settings);
        }
        self.persist();
    }

    fn auto_save_interval(&self) -> std::time::Duration {
        AUTO_SAVE
    }
}

impl HuashuApp {
    /// Writes what changed: the settings file, and this run's new usage
    /// counts (added to the file). Also on the way out after a panic.
    pub fn persist(&mut self) {
        if let Some((path, saved)) = &mut self.settings_file
            && *saved != self.state.settings
        {
            match settings_file::save(path, &self.state.settings) {
                Ok(()) => saved.clone_from(&self.state.settings),
                Err(e) => log::warn!("{e}"),
            }
        }
        if let Some(log) = &mut self.searches
            && !log.pending.days.is_empty()
        {
            match usage_file::add(&log.path, &log.pending) {
                Ok(message) => {
                    if let Some(m) = message {
                        log::warn!("{m}");
                    }
                    log.pending = crate::usage::Searches::default();
                }
                Err(e) => log::warn!("{e}"),
            }
        }
        if let Some(store) = &mut self.usage
            && !store.pending.is_empty()
        {
            match usage_file::add(&store.path, &store.pending) {
                Ok(message) => {
                    if let Some(m) = message {
                        log::warn!("{m}");
                    }
                    store.pending = Usage::default();
                }
                Err(e) => log::warn!("{e}"),
            }
        }
    }

    /// Applies a command and carries out its effects (also for tests and
    /// tools that drive the app without input).
    pub fn handle(&mut self, ctx: &egui::Context, command: Command) {
        if let Some(log) = &mut self.searches {
            match &command {
                Command::SetQuery(query) => {
                    let now = ctx.input(|i| i.time);
                    log.session
                        .queried(query, now, &crate::usage::today(), &mut log.pending);
                }
                // Called again: a new situation.
                Command::Summon => log.session.end(&crate::usage::today(), &mut log.pending),
                _ => {}
            }
        }
        for effect in self.state.handle(command) {
            self.carry_out(ctx, effect);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panic_payload() -> Box<dyn std::any::Any + Send> {
        Box::new("boom")
    }

    #[test]
    fn only_a_renderer_that_never_showed_a_frame_is_retried() {
        let r = Renderer::Wgpu;
        assert!(matches!(after_attempt(Ok(Ok(())), true, r), Next::Done));
        assert!(matches!(
            after_attempt(Err(panic_payload()), false, r),
            Next::OtherRenderer(_)
        ));
        assert!(matches!(
            after_attempt(Ok(Err(anyhow::anyhow!("no adapter"))), false, r),
            Next::OtherRenderer(_)
        ));
        // After the first frame: the program's own failure, no relaunch.
        assert!(matches!(
            after_attempt(Err(panic_payload()), true, r),
            Next::Fail(_)
        ));
        assert!(matches!(
            after_attempt(Ok(Err(anyhow::anyhow!("lost"))), true, r),
            Next::Fail(_)
        ));
    }
}
