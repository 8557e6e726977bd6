//! X11: the hotkey is a passive grab of the key on the root window (with
//! and without Caps Lock and Num Lock), read by a thread blocked in
//! `wait_for_event`; raising asks the window manager (`_NET_ACTIVE_WINDOW`,
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

pub fn register(hotkey: HotKey, bell: Bell) -> Result<(), String> {
    let (conn, screen) =
        RustConnection::connect(None).map_err(|e| format!("连不上 X 显示：{e}"))?;
    let root = conn.setup().roots[screen].root;
    let code = keycode(&conn, keysym(hotkey.key))?;
    let mods = mod_mask(hotkey.mods);
    // The same key with Caps Lock, Num Lock (Mod2) or both on.
    for locks in [0u16, ModMask::LOCK.into(), ModMask::M2.into()]
        .into_iter()
        .chain([u16::from(ModMask::LOCK) | u16::from(ModMask::M2)])
    {
        let grab = conn
            .grab_key(
                false,
                root,
                mods | ModMask::from(locks),
                code,
                GrabMode::ASYNC,
                GrabMode::ASYNC,
            )
            .map_err(|e| e.to_string())?
            .check();
        match grab {
            Ok(()) => {}
            Err(ReplyError::X11Error(e)) if e.error_kind == x11rb::protocol::ErrorKind::Access => {
                return Err(format!("{hotkey} 已经被其他程序占用"));
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    conn.flush().map_err(|e| e.to_string())?;
    let relevant = u16::from(ModMask::CONTROL | ModMask::M1 | ModMask::SHIFT | ModMask::M4);
    std::thread::Builder::new()
        .name("huashu-hotkey".into())
        .spawn(move || {
            let mut down = false;
            // Blocked until the X server sends something.
            while let Ok(event) = conn.wait_for_event() {
                match event {
                    // Held down, the key repeats: once per press.
                    Event::KeyPress(e)
                        if e.detail == code
                            && u16::from(e.state) & relevant == u16::from(mods)
                            && !down =>
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
