//! `settings.ron` in the app's data directory: read value by value (one
//! value this version cannot read costs only that value), moved aside as
//! `settings.ron.bak` only when it is not a settings file at all, written
//! atomically. Every message says exactly what happened.

use std::path::Path;

use super::store::{self, StoreError, backup_path};
use crate::app::Settings;

/// What was found.
#[derive(Debug, PartialEq)]
pub enum Found {
    /// No file yet (a first run).
    Missing,
    /// The settings, and a message to show once when something was not
    /// as written.
    Read(Settings, Option<String>),
}

pub fn load(path: &Path) -> Found {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => {
            return Found::Read(
                Settings::default(),
                Some(format!(
                    "无法读取设置文件 {}（{e}）：这次使用默认设置，文件没有改动",
                    path.display()
                )),
            );
        }
    };
    let parsed = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(Settings::parse);
    match parsed {
        Ok((settings, notes)) if notes.is_empty() => Found::Read(settings, None),
        Ok((settings, notes)) => Found::Read(
            settings,
            Some(format!(
                "设置文件 {} 里有读不懂的值：{}；其余设置照旧",
                path.display(),
                notes.join("；")
            )),
        ),
        Err(why) => {
            let backup = backup_path(path);
            let kept = match std::fs::rename(path, &backup) {
                Ok(()) => format!("原文件已另存为 {}", backup.display()),
                Err(e) => format!("原文件没能另存（{e}），留在原处"),
            };
            Found::Read(
                Settings::default(),
                Some(format!(
                    "设置文件 {} 已损坏（{why}）：{kept}；这次使用默认设置",
                    path.display()
                )),
            )
        }
    }
}

pub fn save(path: &Path, settings: &Settings) -> Result<(), StoreError> {
    store::save(path, settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Theme;

    #[test]
    fn missing_unknown_values_damage_and_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        assert_eq!(load(&path), Found::Missing);

        let s = Settings {
            theme: Theme::Dark,
            ..Settings::default()
        };
        save(&path, &s).unwrap();
        assert_eq!(load(&path), Found::Read(s, None));

        std::fs::write(&path, "Settings(theme: Sepia, favourites: [\"a\"])").unwrap();
        let Found::Read(s, Some(message)) = load(&path) else {
            panic!("a message")
        };
        assert_eq!(s.favourites.len(), 1, "the stars stay");
        assert!(message.contains("theme（主题） 的值 Sepia"), "{message}");
        assert!(!message.contains(".bak"));
        assert!(path.exists(), "not moved aside");

        std::fs::write(&path, "not settings at all {{").unwrap();
        let Found::Read(s, Some(message)) = load(&path) else {
            panic!("a message")
        };
        assert_eq!(s, Settings::default());
        assert!(message.contains("settings.ron.bak"), "{message}");
        assert!(backup_path(&path).exists());

        // A directory where the file should be: unreadable, nothing moved.
        std::fs::create_dir(&path).unwrap();
        let Found::Read(_, Some(message)) = load(&path) else {
            panic!("a message")
        };
        assert!(message.starts_with("无法读取设置文件"), "{message}");
        assert!(path.is_dir());
    }
}
