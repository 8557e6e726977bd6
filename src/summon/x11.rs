//! X11: the hotkey is a passive grab of the key on the root window (with
//! and without Caps Lock and Num Lock), read by a thread blocked in
//! `wait_for_event` (Alt+1…9 likewise, grabbed on the window itself); raising asks the window manager (`_NET_ACTIVE_WINDOW`,
//! as a pager would, with the key's timestamp so focus-stealing prevention
//! lets it through) or, with no window manager, maps, raises and focuses
//! the window itself.

use x11rb::connection::Connection;
use x11rb::errors::ReplyError;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConfigureWindowAux, ConnectionExt as _, EventMask, GrabMode,
    InputFocus, ModMask, StackMode,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

use super::{Bell, Summon};
use crate::hotkey::{HotKey, Key, Mods};

/// X11 keysyms of the keys a hotkey can use.
fn keysym(key: Key) -> u32 {
    match key {
        // Lower case: the first keysym of a letter's keycode.
        Key::Letter(c) => u32::from(c.to_ascii_lowercase()),
        Key::Digit(c) => u32::from(c),
        Key::Function(n) => 0xffbe + u32::from(n) - 1,
        Key::Space => 0x20,
    }
}

fn mod_mask(mods: Mods) -> ModMask {
    let mut mask = ModMask::from(0u16);
    for (m, x) in [
        (Mods::CTRL, ModMask::CONTROL),
        (Mods::ALT, ModMask::M1),
        (Mods::SHIFT, ModMask::SHIFT),
        (Mods::WIN, ModMask::M4),
    ] {
        if mods.has(m) {
            mask |= x;
        }
    }
    mask
}

/// The keycode that types `sym` on the current keyboard map.
fn keycode(conn: &RustConnection, sym: u32) -> Result<u8, String> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max - min + 1)
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let per = usize::from(map.keysyms_per_keycode.max(1));
    map.keysyms
        .chunks(per)
        .position(|syms| syms.contains(&sym))
        .and_then(|n| u8::try_from(n).ok())
        .map(|n| min + n)
        .ok_or_else(|| "键盘上没有这个键".to_owned())
}

/// A passive grab of `code` with `mods` on `window`, with and without Caps
/// Lock and Num Lock (Mod2).
fn grab(conn: &RustConnection, window: u32, mods: ModMask, code: u8) -> Result<(), ReplyError> {
    for locks in [0u16, ModMask::LOCK.into(), ModMask::M2.into()]
        .into_iter()
        .chain([u16::from(ModMask::LOCK) | u16::from(ModMask::M2)])
    {
        conn.grab_key(
            false,
            window,
            mods | ModMask::from(locks),
            code,
            GrabMode::ASYNC,
            GrabMode::ASYNC,
        )?
        .check()?;
    }
    Ok(())
}

/// The modifiers a grab is told apart by (not the locks).
fn relevant(state: impl Into<u16>) -> u16 {
    state.into() & u16::from(ModMask::CONTROL | ModMask::M1 | ModMask::SHIFT | ModMask::M4)
}

pub fn register(hotkey: HotKey, bell: Bell) -> Result<(), String> {
    let (conn, screen) =
        RustConnection::connect(None).map_err(|e| format!("连不上 X 显示：{e}"))?;
    let root = conn.setup().roots[screen].root;
    let code = keycode(&conn, keysym(hotkey.key))?;
    let mods = mod_mask(hotkey.mods);
    match grab(&conn, root, mods, code) {
        Ok(()) => {}
        Err(ReplyError::X11Error(e)) if e.error_kind == x11rb::protocol::ErrorKind::Access => {
            return Err(format!("{hotkey} 已经被其他程序占用"));
        }
        Err(e) => return Err(e.to_string()),
    }
    conn.flush().map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("huashu-hotkey".into())
        .spawn(move || {
            let mut down = false;
            // Blocked until the X server sends something.
            while let Ok(event) = conn.wait_for_event() {
                match event {
                    // Held down, the key repeats: once per press.
                    Event::KeyPress(e)
                        if e.detail == code && relevant(e.state) == u16::from(mods) && !down =>
                    {
                        down = true;
                        bell.ring(Summon::Hotkey, e.time);
                    }
                    Event::KeyRelease(e) if e.detail == code => down = false,
                    _ => {}
                }
            }
            log::warn!("the X connection of the hotkey closed");
        })
        .map_err(|e| e.to_string())?;
    log::info!("hotkey {hotkey} registered (X11)");
    Ok(())
}

/// Alt+1…9 grabbed on window `id` itself: while it has the keyboard focus
/// the X server sends them to this connection instead of the window's, so
/// an input method composing in it never sees them (IBus swallows Alt+digit
/// during a composition; fcitx5 turns it into a commit of the digit).
/// Each press calls `copy` with the script's number (0-based).
pub fn grab_copy_keys(id: u32, copy: Box<dyn Fn(usize) + Send>) -> Result<(), String> {
    let (conn, _) = RustConnection::connect(None).map_err(|e| format!("连不上 X 显示：{e}"))?;
    let mut codes = Vec::new();
    for digit in b'1'..=b'9' {
        let code = keycode(&conn, keysym(Key::Digit(char::from(digit))))?;
        grab(&conn, id, ModMask::M1, code).map_err(|e| e.to_string())?;
        codes.push(code);
    }
    conn.flush().map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name("huashu-copy-keys".into())
        .spawn(move || {
            while let Ok(event) = conn.wait_for_event() {
                if let Event::KeyPress(e) = event
                    && relevant(e.state) == u16::from(ModMask::M1)
                    && let Some(n) = codes.iter().position(|c| *c == e.detail)
                {
                    copy(n);
                }
            }
            log::debug!("the X connection of Alt+1…9 closed");
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Brings window `id` forward with the focus; `time` is the key press's
/// timestamp (0: now).
pub fn raise(id: u32, time: u32) -> Result<(), String> {
    let (conn, screen) = RustConnection::connect(None).map_err(|e| e.to_string())?;
    let root = conn.setup().roots[screen].root;
    let atom = |name: &str| -> Result<u32, String> {
        Ok(conn
            .intern_atom(false, name.as_bytes())
            .map_err(|e| e.to_string())?
            .reply()
            .map_err(|e| e.to_string())?
            .atom)
    };
    let active = atom("_NET_ACTIVE_WINDOW")?;
    if window_manager_activates(&conn, root, active, &atom)? {
        // Source 2: a pager, i.e. the user asked for it.
        let event = ClientMessageEvent::new(32, id, active, [2, time, 0, 0, 0]);
        conn.send_event(
            false,
            root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )
        .map_err(|e| e.to_string())?;
    } else {
        conn.map_window(id).map_err(|e| e.to_string())?;
        conn.configure_window(id, &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE))
            .map_err(|e| e.to_string())?;
        conn.set_input_focus(InputFocus::PARENT, id, time)
            .map_err(|e| e.to_string())?;
    }
    conn.sync().map_err(|e| e.to_string())?;
    Ok(())
}

/// Whether a running window manager supports `_NET_ACTIVE_WINDOW` (its
/// check window exists and it lists the atom).
fn window_manager_activates(
    conn: &RustConnection,
    root: u32,
    active: u32,
    atom: &dyn Fn(&str) -> Result<u32, String>,
) -> Result<bool, String> {
    let check = conn
        .get_property(
            false,
            root,
            atom("_NET_SUPPORTING_WM_CHECK")?,
            AtomEnum::WINDOW,
            0,
            1,
        )
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    let Some(wm) = check.value32().and_then(|mut v| v.next()) else {
        return Ok(false);
    };
    // A window manager that quit may leave the property behind.
    if conn
        .get_window_attributes(wm)
        .map_err(|e| e.to_string())?
        .reply()
        .is_err()
    {
        return Ok(false);
    }
    let supported = conn
        .get_property(
            false,
            root,
            atom("_NET_SUPPORTED")?,
            AtomEnum::ATOM,
            0,
            1024,
        )
        .map_err(|e| e.to_string())?
        .reply()
        .map_err(|e| e.to_string())?;
    Ok(supported
        .value32()
        .is_some_and(|mut atoms| atoms.any(|a| a == active)))
}
