//! Starting the window: one per user (a later start brings it forward),
//! the renderer (wgpu, or OpenGL when that does not start), the first load
//! on its own thread, the [`Runtime`] with everything it keeps, and the
//! global hotkey.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;

use super::{HuashuApp, SETTINGS_KEY};
use crate::app::runtime::Wake;
use crate::app::{AppState, Content, Event, Runtime, Settings};
use crate::content::Loaded;
use crate::content::sources::Setup;
use crate::hotkey::{HotKey, HotkeyError};
use crate::persist::report::{Courier, Reporter};
use crate::persist::{Disk, settings_file, usage_file};
use crate::summon::instance::{self, Claim};
use crate::summon::{self, Bell, Summon};

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
    let hotkey = setup.config.hotkey();
    let keeping = Keeping::of(&setup);
    let draft_file = crate::persist::draft_file::path_in(&setup.places.data_dir);
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
            let state = AppState::with_content(content, settings).with_chosen(chosen);
            let window = summon::Window::of(cc);
            let ctx = cc.egui_ctx.clone();
            let wake: Wake = Arc::new(move || ctx.request_repaint());
            bell.attach(wake.clone(), window);
            let mut runtime = Runtime::new(state, Box::new(Disk));
            runtime.wake_with(wake.clone());
            if let Some(message) = damaged {
                log::warn!("{message}");
                runtime.handle(Event::Report(message));
            }
            if let Some(registered) = register_hotkey(hotkey, window, bell) {
                runtime.handle(Event::HotkeyRegistered(registered));
            }
            runtime.summoned_by(move || rings.try_iter().count());
            runtime.keep_settings_in(settings_file);
            if let Some((sources, soon)) = sources {
                runtime.watch(sources, recheck, soon);
            } else {
                let _ = waker.set(cc.egui_ctx.clone());
                runtime.await_first_load(loaded_rx, recheck);
            }
            keeping.configure(&mut runtime);
            #[cfg(unix)]
            close_on_signals(cc.egui_ctx.clone());
            let mut app = HuashuApp::new(runtime);
            if let Some(keys) = summon::copy_keys(window, wake) {
                app.copy_keys_from(keys);
            }
            app.keep_drafts_in(draft_file);
            app.started = Some(started);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// What the runtime keeps and where, and what the card form may write, as
/// the config and the places say.
struct Keeping {
    usage_file: Option<PathBuf>,
    searches_file: Option<PathBuf>,
    /// The trainers' share, who reports, and the data directory.
    reports: Option<(PathBuf, Reporter, PathBuf)>,
    writable: Vec<PathBuf>,
    local_source: Option<PathBuf>,
}

impl Keeping {
    fn of(setup: &Setup) -> Self {
        let config = &setup.config;
        let data_dir = &setup.places.data_dir;
        // `count_usage: false`: nothing is counted, nothing is reported.
        let count = config.count_usage;
        Self {
            usage_file: count.then(|| usage_file::path_in(data_dir)),
            searches_file: config
                .log_searches
                .then(|| usage_file::searches_in(data_dir)),
            reports: config.reports.clone().filter(|_| count).map(|share| {
                let reporter = Reporter::new(config.counter.as_deref(), config.branch.as_deref());
                (share, reporter, data_dir.clone())
            }),
            writable: setup.writable_dirs(),
            local_source: setup.sources.iter().find_map(|s| match s {
                crate::content::sources::SourceSpec::Local(dir) => Some(dir.clone()),
                _ => None,
            }),
        }
    }

    fn configure(self, runtime: &mut Runtime) {
        if let Some(path) = self.usage_file {
            runtime.count_usage(path);
        }
        if let Some((share, reporter, data_dir)) = self.reports {
            match Courier::start(share, reporter, data_dir) {
                Ok(courier) => runtime.report_with(courier),
                Err(e) => {
                    log::warn!(
                        "cannot start the report thread ({e}); counts stay on this computer"
                    );
                }
            }
        }
        runtime.edit_in(self.writable);
        if let Some(local) = self.local_source {
            runtime.override_in(local);
        }
        if let Some(path) = self.searches_file {
            runtime.log_searches(path);
        }
    }
}

/// How long after a signal the program may take to close before it is
/// ended (the runtime's last report waits at most 3 s).
#[cfg(unix)]
const SIGNAL_GRACE: Duration = Duration::from_secs(6);

/// SIGTERM, SIGHUP, SIGINT (a logout, `kill`, a service manager): the
/// window closes as by its close button, so the runtime saves on the way
/// out. Its thread sleeps in the system until a signal comes.
#[cfg(unix)]
fn close_on_signals(ctx: egui::Context) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = match signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) {
        Ok(signals) => signals,
        Err(e) => {
            log::warn!("cannot catch SIGTERM ({e}): a kill ends the window without saving");
            return;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("huashu-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                log::info!("signal {signal}: closing the window");
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx.request_repaint();
                // What was not saved is saved as the window closes. Past
                // that, the exit may hang in the system's input-method
                // library (X11's XDestroyIC spins when the input method
                // went away at the same moment, as at a logout): end here.
                std::thread::sleep(SIGNAL_GRACE);
                log::warn!("still running {SIGNAL_GRACE:?} after signal {signal}: ending now");
                std::process::exit(0);
            }
        });
    if let Err(e) = spawned {
        log::warn!("cannot start the signal thread ({e}): a kill ends the window without saving");
    }
}

/// Registers the configured hotkey for `window`: which key, or why there
/// is none (`None`: the config turned it off).
fn register_hotkey(
    hotkey: Result<Option<HotKey>, crate::hotkey::ParseError>,
    window: summon::Window,
    bell: Bell,
) -> Option<Result<HotKey, HotkeyError>> {
    match hotkey {
        Ok(Some(key)) => Some(summon::register(key, window, bell).map(|()| key)),
        Ok(None) => None,
        Err(e) => Some(Err(HotkeyError::Config(e))),
    }
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
