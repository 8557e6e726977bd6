//! `settings.ron` in the app's data directory: read value by value (one
//! value this version cannot read costs only that value), moved aside as
//! `settings.ron.bak` only when it is not a settings file at all, written
//! atomically. Every message says exactly what happened.

use std::path::Path;

use serde::Serialize;

use super::store::{self, StoreError, backup_path};

/// What was found.
#[derive(Debug, PartialEq)]
pub enum Found<S> {
    /// No file yet (a first run).
    Missing,
    /// The settings, and a message to show once when something was not
    /// as written.
    Read(S, Option<String>),
}

/// Settings as this file keeps them: parsed value by value.
pub trait Settings: Serialize + Default + Sized {
    /// The settings in `text`, and a note for each value that could not be
    /// read (it keeps its default); `Err` when `text` is not settings.
    fn parse(text: &str) -> Result<(Self, Vec<String>), String>;
}

pub fn load<S: Settings>(path: &Path) -> Found<S> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => {
            return Found::Read(
                S::default(),
                Some(format!(
                    "无法读取设置文件 {}（{e}）：这次使用默认设置，文件没有改动",
                    path.display()
                )),
            );
        }
    };
    let parsed = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(S::parse);
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
                S::default(),
                Some(format!(
                    "设置文件 {} 已损坏（{why}）：{kept}；这次使用默认设置",
                    path.display()
                )),
            )
        }
    }
}

pub fn save<S: Settings>(path: &Path, settings: &S) -> Result<(), StoreError> {
    store::save(path, settings)
}
