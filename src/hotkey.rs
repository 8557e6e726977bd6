//! The global hotkey that brings the window forward from any program, as
//! written in the config (`hotkey: "Ctrl+Alt+H"`). Parsing and naming only;
//! registering it with the system is the window's (`summon`).

use std::fmt;

/// The default: free on Chinese Windows and its input methods. Win+Space,
/// Ctrl+Space, Shift, Ctrl+Shift, Shift+Space and Ctrl+. belong to the
/// input methods, Alt+Space to the window menu, Win+H to voice typing,
/// Ctrl+Alt+A/Z/W/O and Alt+A to QQ and `WeChat`, and the function keys to
/// the core-banking and queue clients; Ctrl+Alt+H is none of these
/// (H: 话术 huà).
pub const DEFAULT: HotKey = HotKey {
    mods: Mods(Mods::CTRL.0 | Mods::ALT.0),
    key: Key::Letter('H'),
};

/// The window's own keys (see the README's key table), with what each
/// does: a global hotkey on one of them would take it from the window.
/// Ctrl+Shift+F, Ctrl+Space, Ctrl+., Shift+Space, Ctrl+Shift and Shift
/// are the input methods' (simplified/traditional, on/off, punctuation,
/// width, next input method, Chinese/English) and none of these.
pub const WINDOW_KEYS: &[(&str, &str)] = &[
    ("Ctrl+R", "报告有误"),
    ("F2", "修改卡片"),
    ("Ctrl+N", "新建卡片"),
    ("Ctrl+S", "保存卡片"),
    ("F5", "重新读取卡片文件"),
    ("Ctrl+D", "收藏"),
    ("Ctrl+T", "置顶"),
    ("F8", "内容问题面板"),
    ("Ctrl+0", "恢复默认字号"),
    ("Ctrl+F", "回到搜索框"),
    ("Ctrl+L", "回到搜索框"),
    ("Alt+1", "复制话术 1"),
    ("Alt+2", "复制话术 2"),
    ("Alt+3", "复制话术 3"),
    ("Alt+4", "复制话术 4"),
    ("Alt+5", "复制话术 5"),
    ("Alt+6", "复制话术 6"),
    ("Alt+7", "复制话术 7"),
    ("Alt+8", "复制话术 8"),
    ("Alt+9", "复制话术 9"),
];

/// Why a configured hotkey is not a key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("“{0}”里有两个键；只能有一个键加上修饰键")]
    TwoKeys(String),
    #[error("“{0}”不是能用的键：用 A–Z、0–9、F1–F24 或 Space")]
    NotAKey(String),
    #[error("“{text}”里 {part} 写了两次")]
    Twice { text: String, part: String },
    #[error("“{0}”里没有键，例如 Ctrl+Alt+H")]
    NoKey(String),
    #[error("“{0}”会挡住打字：字母、数字和空格要和 Ctrl、Alt 或 Win 一起用")]
    BlocksTyping(String),
    #[error("Alt+Space 是窗口菜单，不能用")]
    WindowMenu,
    #[error("“{0}”是切换输入法的键，不能用")]
    InputMethod(String),
    #[error("“{key}”是话术助手窗口里的键（{what}），不能当呼出快捷键；换一个，例如 Ctrl+Alt+H")]
    WindowKey { key: String, what: &'static str },
}

/// Why the window has no global hotkey.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HotkeyError {
    /// The config's `hotkey` is not a key.
    #[error("配置文件里的 hotkey 写错了：{0}")]
    Config(ParseError),
    /// The system did not register it (another program has it, Wayland,
    /// …): in the system's words.
    #[error("{0}")]
    Refused(String),
}

/// A key with modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HotKey {
    pub mods: Mods,
    pub key: Key,
}

/// Modifier keys held with the key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mods(u8);

impl Mods {
    pub const CTRL: Self = Self(1);
    pub const ALT: Self = Self(2);
    pub const SHIFT: Self = Self(4);
    /// The Windows key (Super on Linux).
    pub const WIN: Self = Self(8);

    pub fn has(self, m: Self) -> bool {
        self.0 & m.0 == m.0
    }

    fn with(self, m: Self) -> Self {
        Self(self.0 | m.0)
    }
}

/// The key pressed with the modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// `A`–`Z`, upper case.
    Letter(char),
    /// `0`–`9` of the main keyboard.
    Digit(char),
    /// `F1`–`F24`.
    Function(u8),
    Space,
}

impl HotKey {
    /// Reads `Ctrl+Alt+H`, `ctrl + shift + f9`, `Win+Alt+1`: modifiers and
    /// one key joined by `+`, in any case and order.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let key = Self::read(text)?;
        if let Some((_, what)) = WINDOW_KEYS
            .iter()
            .find(|(k, _)| Self::read(k).is_ok_and(|k| k == key))
        {
            return Err(ParseError::WindowKey {
                key: key.to_string(),
                what,
            });
        }
        Ok(key)
    }

    /// [`parse`](Self::parse), the window's own keys allowed.
    pub fn read(text: &str) -> Result<Self, ParseError> {
        let mut mods = Mods::default();
        let mut key = None;
        for part in text.split('+').map(str::trim) {
            let m = match part.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => Mods::CTRL,
                "alt" => Mods::ALT,
                "shift" => Mods::SHIFT,
                "win" | "super" | "meta" => Mods::WIN,
                _ => {
                    if key.is_some() {
                        return Err(ParseError::TwoKeys(text.to_owned()));
                    }
                    key =
                        Some(parse_key(part).ok_or_else(|| ParseError::NotAKey(part.to_owned()))?);
                    continue;
                }
            };
            if mods.has(m) {
                return Err(ParseError::Twice {
                    text: text.to_owned(),
                    part: part.to_owned(),
                });
            }
            mods = mods.with(m);
        }
        let key = key.ok_or_else(|| ParseError::NoKey(text.to_owned()))?;
        let typing = mods.has(Mods::CTRL) || mods.has(Mods::ALT) || mods.has(Mods::WIN);
        if !matches!(key, Key::Function(_)) && !typing {
            return Err(ParseError::BlocksTyping(text.to_owned()));
        }
        if key == Key::Space && mods == Mods::ALT {
            return Err(ParseError::WindowMenu);
        }
        if key == Key::Space && !mods.has(Mods::ALT) {
            return Err(ParseError::InputMethod(text.to_owned()));
        }
        Ok(Self { mods, key })
    }
}

fn parse_key(part: &str) -> Option<Key> {
    let upper = part.to_ascii_uppercase();
    let mut chars = upper.chars();
    match (chars.next(), chars.next()) {
        (Some(c @ 'A'..='Z'), None) => Some(Key::Letter(c)),
        (Some(c @ '0'..='9'), None) => Some(Key::Digit(c)),
        _ if upper == "SPACE" => Some(Key::Space),
        _ => upper
            .strip_prefix('F')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=24).contains(n))
            .map(Key::Function),
    }
}

impl fmt::Display for HotKey {
    /// `Ctrl+Alt+H`: modifiers in the order Windows names them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (m, name) in [
            (Mods::CTRL, "Ctrl"),
            (Mods::ALT, "Alt"),
            (Mods::SHIFT, "Shift"),
            (Mods::WIN, "Win"),
        ] {
            if self.mods.has(m) {
                write!(f, "{name}+")?;
            }
        }
        match self.key {
            Key::Letter(c) | Key::Digit(c) => write!(f, "{c}"),
            Key::Function(n) => write!(f, "F{n}"),
            Key::Space => f.write_str("Space"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_reads_and_writes_as_documented() {
        assert_eq!(DEFAULT.to_string(), "Ctrl+Alt+H");
        assert_eq!(HotKey::parse("Ctrl+Alt+H"), Ok(DEFAULT));
        assert_eq!(HotKey::parse(" alt + CTRL + h "), Ok(DEFAULT));
    }

    #[test]
    fn other_keys_parse() {
        assert_eq!(
            HotKey::parse("Win+Shift+F9").map(|k| k.to_string()),
            Ok("Shift+Win+F9".into())
        );
        assert_eq!(
            HotKey::parse("F10").map(|k| k.key),
            Ok(Key::Function(10)),
            "a function key alone is allowed"
        );
        assert_eq!(
            HotKey::parse("Ctrl+Alt+Space").map(|k| k.to_string()),
            Ok("Ctrl+Alt+Space".into())
        );
    }

    #[test]
    fn the_windows_own_keys_are_refused_by_name() {
        assert_eq!(
            HotKey::parse("f8").unwrap_err().to_string(),
            "“F8”是话术助手窗口里的键（内容问题面板），不能当呼出快捷键；换一个，例如 Ctrl+Alt+H"
        );
        for (key, _) in WINDOW_KEYS {
            assert!(HotKey::read(key).is_ok(), "{key} is a key");
        }
    }

    #[test]
    fn keys_that_would_break_typing_or_the_input_method_are_refused() {
        for bad in [
            "H",
            "Shift+H",
            "Ctrl+Space",
            "Win+Space",
            "Alt+Space",
            "Ctrl+Alt",
            "Ctrl+Alt+H+J",
            "Ctrl+Ctrl+H",
            "Ctrl+Alt+F25",
            "Ctrl+Alt+回车",
            "F8",
            "ctrl+r",
            "Alt+2",
        ] {
            let e = HotKey::parse(bad).unwrap_err();
            assert!(!e.to_string().is_empty(), "{bad}");
        }
    }
}
