//! Windows: the hotkey is `RegisterHotKey` for a message-only window of a
//! thread of its own, blocked in `GetMessageW` until the system posts
//! `WM_HOTKEY`; the process that
//! receives a hotkey may bring its window to the foreground, and a second
//! start (the foreground process) passes that right on before asking.
#![allow(
    unsafe_code,
    reason = "Win32 calls with plain values and a MSG the call fills in"
)]

use windows_sys::Win32::Foundation::{ERROR_HOTKEY_ALREADY_REGISTERED, GetLastError, HWND};
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{
    MOD_ALT, MOD_CONTROL, MOD_NOREPEAT, MOD_SHIFT, MOD_WIN, RegisterHotKey,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    ASFW_ANY, AllowSetForegroundWindow, CreateWindowExW, GetMessageW, HWND_MESSAGE, IsIconic, MSG,
    SW_RESTORE, SetForegroundWindow, ShowWindow, WM_HOTKEY,
};

use super::{Bell, Summon};
use crate::hotkey::{HotKey, Key, Mods};

fn virtual_key(key: Key) -> u32 {
    match key {
        Key::Letter(c) | Key::Digit(c) => u32::from(c),
        Key::Function(n) => 0x70 + u32::from(n) - 1,
        Key::Space => 0x20,
    }
}

fn modifiers(mods: Mods) -> u32 {
    [
        (Mods::CTRL, MOD_CONTROL),
        (Mods::ALT, MOD_ALT),
        (Mods::SHIFT, MOD_SHIFT),
        (Mods::WIN, MOD_WIN),
    ]
    .into_iter()
    .filter(|(m, _)| mods.has(*m))
    .fold(MOD_NOREPEAT, |all, (_, w)| all | w)
}

pub fn register(hotkey: HotKey, bell: Bell) -> Result<(), String> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("huashu-hotkey".into())
        .spawn(move || {
            // A message-only window of this thread receives `WM_HOTKEY`
            // (Wine's server crashes on hotkeys of a thread without one).
            let class: Vec<u16> = "STATIC\0".encode_utf16().collect();
            // SAFETY: a predefined class name, NUL-terminated; no other
            // pointers.
            let window = unsafe {
                CreateWindowExW(
                    0,
                    class.as_ptr(),
                    std::ptr::null(),
                    0,
                    0,
                    0,
                    0,
                    0,
                    HWND_MESSAGE,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null(),
                )
            };
            // SAFETY: the window above (or null: the thread's queue); id 1
            // is its only hotkey.
            let ok = unsafe {
                RegisterHotKey(window, 1, modifiers(hotkey.mods), virtual_key(hotkey.key))
            } != 0;
            if !ok {
                // SAFETY: reads this thread's last error.
                let code = unsafe { GetLastError() };
                let _ = tx.send(Err(if code == ERROR_HOTKEY_ALREADY_REGISTERED {
                    format!("{hotkey} 已经被其他程序占用")
                } else {
                    format!("{hotkey} 注册失败（错误 {code}）")
                }));
                return;
            }
            let _ = tx.send(Ok(()));
            // SAFETY: MSG is plain data; GetMessageW fills it in.
            let mut msg: MSG = unsafe { std::mem::zeroed() };
            // Blocked until a message is posted to this thread.
            // SAFETY: a valid MSG pointer; null window: this thread's messages.
            while unsafe { GetMessageW(&raw mut msg, std::ptr::null_mut(), 0, 0) } > 0 {
                if msg.message == WM_HOTKEY {
                    bell.ring(Summon::Hotkey, 0);
                }
            }
        })
        .map_err(|e| e.to_string())?;
    let result = rx.recv().map_err(|e| e.to_string())?;
    if result.is_ok() {
        log::info!("hotkey {hotkey} registered (Win32)");
    }
    result
}

/// Restores `hwnd` if minimised and brings it to the foreground.
pub fn raise(hwnd: isize) {
    let hwnd = hwnd as HWND;
    // SAFETY: a window handle of this process; the calls fail harmlessly
    // on a stale one.
    unsafe {
        if IsIconic(hwnd) != 0 {
            ShowWindow(hwnd, SW_RESTORE);
        }
        if SetForegroundWindow(hwnd) == 0 {
            log::warn!("Windows did not let the window come to the foreground");
        }
    }
}

/// Lets the window already open come to the foreground (this process was
/// just started by the user, so it may).
pub fn allow_foreground() {
    // SAFETY: no pointers.
    unsafe {
        AllowSetForegroundWindow(ASFW_ANY);
    }
}
