//! Bringing the window forward from anywhere: a second start of the
//! program ([`instance`]) and the global hotkey (the platform's own
//! registration: X11 `GrabKey`, Win32 `RegisterHotKey`); and, on X11, the
//! window's Alt+1…9 taken before an input method sees them ([`copy_keys`]). Each waits on its
//! own named thread, blocked in the system until something happens — no
//! timer, no polling — and rings the [`Bell`]: the window is raised and
//! focused by the system call that only that moment allows (the key's
//! X11 timestamp; on Windows the foreground right a hotkey or the starting
//! process gives), then the UI is woken to select the search box.

pub mod instance;
#[cfg(windows)]
mod win32;
#[cfg(all(unix, not(target_os = "macos")))]
mod x11;

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};

use raw_window_handle::{HasWindowHandle, RawWindowHandle};

use crate::hotkey::{HotKey, HotkeyError};

/// Why the window was summoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Summon {
    Hotkey,
    /// The program was started again.
    SecondStart,
}

/// The window as the system knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    X11(u32),
    Win32(isize),
    /// Wayland, macOS: nothing here can raise it.
    Other,
}

impl Window {
    pub fn of(handle: &impl HasWindowHandle) -> Self {
        match handle.window_handle().map(|h| h.as_raw()) {
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(RawWindowHandle::Xlib(h)) => u32::try_from(h.window).map_or(Self::Other, Self::X11),
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(RawWindowHandle::Xcb(h)) => Self::X11(h.window.get()),
            Ok(RawWindowHandle::Win32(h)) => Self::Win32(h.hwnd.get()),
            _ => Self::Other,
        }
    }
}

/// Wakes the UI from another thread (the window's repaint request).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// What rings when the window is summoned: raises it (once it exists) and
/// tells the UI, waking it.
#[derive(Clone)]
pub struct Bell {
    tx: Sender<Summon>,
    wake: Arc<OnceLock<Wake>>,
    window: Arc<OnceLock<Window>>,
}

impl Bell {
    /// A bell and what the UI reads its rings from.
    pub fn new() -> (Self, Receiver<Summon>) {
        let (tx, rx) = mpsc::channel();
        let bell = Self {
            tx,
            wake: Arc::default(),
            window: Arc::default(),
        };
        (bell, rx)
    }

    /// The window exists: rings raise it and `wake` the UI from now on.
    pub fn attach(&self, wake: Wake, window: Window) {
        let _ = self.wake.set(wake);
        let _ = self.window.set(window);
    }

    /// `time`: the X11 timestamp of the key press (0: now).
    fn ring(&self, summon: Summon, time: u32) {
        log::info!("summoned ({summon:?})");
        if let Some(&window) = self.window.get() {
            raise(window, time);
        }
        // Before the window exists it is about to appear, focused anyway.
        if self.tx.send(summon).is_ok()
            && let Some(wake) = self.wake.get()
        {
            wake();
        }
    }
}

/// Brings `window` to the front with the keyboard focus.
fn raise(window: Window, time: u32) {
    match window {
        #[cfg(all(unix, not(target_os = "macos")))]
        Window::X11(id) => {
            if let Err(e) = x11::raise(id, time) {
                log::warn!("could not raise the window: {e}");
            }
        }
        #[cfg(windows)]
        Window::Win32(hwnd) => win32::raise(hwnd),
        _ => {
            let _ = time;
        }
    }
}

/// Alt+1…9 taken from the system for `window` while it has the keyboard
/// focus, before an input method composing in it can swallow them (X11;
/// elsewhere the window's own key events serve). The script numbers
/// (0-based) arrive on the receiver, each waking the UI.
pub fn copy_keys(window: Window, wake: Wake) -> Option<Receiver<usize>> {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Window::X11(id) = window {
        let (tx, rx) = mpsc::channel();
        let copy = Box::new(move |n: usize| {
            if tx.send(n).is_ok() {
                wake();
            }
        });
        return match x11::grab_copy_keys(id, copy) {
            Ok(()) => Some(rx),
            Err(e) => {
                log::warn!(
                    "Alt+1…9 not taken from the system ({e}): an input method may swallow them while composing"
                );
                None
            }
        };
    }
    let _ = (window, wake);
    None
}

/// Registers `hotkey` for the whole desktop; its presses ring `bell`.
/// What went wrong, in the system's words, when it cannot be.
pub fn register(hotkey: HotKey, window: Window, bell: Bell) -> Result<(), HotkeyError> {
    let registered = match window {
        #[cfg(all(unix, not(target_os = "macos")))]
        Window::X11(_) => x11::register(hotkey, bell),
        #[cfg(windows)]
        Window::Win32(_) => win32::register(hotkey, bell),
        _ => {
            let _ = (hotkey, bell);
            Err(if std::env::var_os("WAYLAND_DISPLAY").is_some() {
                "Wayland 不允许程序注册全局快捷键".to_owned()
            } else {
                "这个系统上不能注册全局快捷键".to_owned()
            })
        }
    };
    registered.map_err(HotkeyError::Refused)
}
