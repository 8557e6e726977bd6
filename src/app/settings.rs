//! What the window remembers between runs: a small serde struct, saved by
//! eframe's storage apart from the app (window size and position are
//! eframe's own).

use ron::value::RawValue;
use serde::{Deserialize, Serialize};

use crate::model::CardId;

/// How many recently opened cards are kept.
pub const MAX_RECENTS: usize = 12;
pub const MIN_ZOOM: f32 = 0.6;
pub const MAX_ZOOM: f32 = 3.0;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    Light,
    Dark,
    /// Black on white with strong outlines, for glare and poor eyesight.
    HighContrast,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::HighContrast];

    /// The theme after this one, round the three.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Light => Self::Dark,
            Self::Dark => Self::HighContrast,
            Self::HighContrast => Self::Light,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Light => "浅色",
            Self::Dark => "深色",
            Self::HighContrast => "高对比",
        }
    }
}

/// The settings file's format version. Bump it when a value changes
/// meaning; an older program reading a newer file keeps what it knows.
pub const SETTINGS_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The format version the file was written with.
    pub version: u32,
    /// Text and layout scale on top of the base sizes.
    pub zoom: f32,
    pub theme: Theme,
    /// Keep the window above others.
    pub pinned: bool,
    /// Starred cards, most recently starred first.
    pub favourites: Vec<CardId>,
    /// Recently opened cards, newest first.
    pub recents: Vec<CardId>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: SETTINGS_VERSION,
            zoom: 1.0,
            theme: Theme::default(),
            pinned: false,
            favourites: Vec::new(),
            recents: Vec::new(),
        }
    }
}

impl Settings {
    /// Repairs values a hand-edited or old settings file may carry.
    #[must_use]
    pub fn sanitized(mut self) -> Self {
        if !self.zoom.is_finite() {
            self.zoom = 1.0;
        }
        self.zoom = self.zoom.clamp(MIN_ZOOM, MAX_ZOOM);
        dedup(&mut self.favourites);
        dedup(&mut self.recents);
        self.recents.truncate(MAX_RECENTS);
        self
    }

    pub fn is_favourite(&self, id: &CardId) -> bool {
        self.favourites.contains(id)
    }

    pub fn toggle_favourite(&mut self, id: &CardId) {
        if let Some(at) = self.favourites.iter().position(|f| f == id) {
            self.favourites.remove(at);
        } else {
            self.favourites.insert(0, id.clone());
        }
    }

    pub fn opened(&mut self, id: &CardId) {
        self.recents.retain(|r| r != id);
        self.recents.insert(0, id.clone());
        self.recents.truncate(MAX_RECENTS);
    }
}

/// The settings file as written, each value kept as its text so that one
/// value this version cannot read costs only that value.
#[derive(Deserialize)]
#[serde(rename = "Settings")]
struct RawSettings<'a> {
    #[serde(default, borrow)]
    version: Option<&'a RawValue>,
    #[serde(default, borrow)]
    zoom: Option<&'a RawValue>,
    #[serde(default, borrow)]
    theme: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pinned: Option<&'a RawValue>,
    #[serde(default, borrow)]
    favourites: Option<&'a RawValue>,
    #[serde(default, borrow)]
    recents: Option<&'a RawValue>,
}

impl Settings {
    /// Reads a settings file's text. Each value that cannot be read (a
    /// newer version's theme, a mistyped number) takes its default and is
    /// named in the notes; a card id that cannot be read leaves the others.
    /// `Err` only when the text is not a settings file at all.
    pub fn parse(text: &str) -> Result<(Self, Vec<String>), String> {
        let raw: RawSettings<'_> = crate::content::raw::ron_options()
            .from_str(text)
            .map_err(|e| e.to_string())?;
        let mut notes = Vec::new();
        let mut out = Self::default();
        let version: u32 = value(raw.version, "version", &mut notes).unwrap_or(SETTINGS_VERSION);
        if version > SETTINGS_VERSION {
            notes.push(format!(
                "设置文件是更新的版本（{version}）写的，这个版本只认识其中的一部分"
            ));
        }
        if let Some(zoom) = value(raw.zoom, "zoom（字号）", &mut notes) {
            out.zoom = zoom;
        }
        if let Some(theme) = value(raw.theme, "theme（主题）", &mut notes) {
            out.theme = theme;
        }
        if let Some(pinned) = value(raw.pinned, "pinned（置顶）", &mut notes) {
            out.pinned = pinned;
        }
        let ids = |raw: Option<&RawValue>, name: &str, notes: &mut Vec<String>| -> Vec<CardId> {
            let items: Vec<&RawValue> =
                match raw.map(|r| ron::from_str::<Vec<&RawValue>>(r.get_ron())) {
                    None => Vec::new(),
                    Some(Ok(items)) => items,
                    Some(Err(_)) => {
                        notes.push(format!("{name} 不是一个列表，用了默认值"));
                        Vec::new()
                    }
                };
            items
                .into_iter()
                .filter_map(|item| {
                    let id = item.into_rust::<CardId>().ok();
                    if id.is_none() {
                        notes.push(format!(
                            "{name} 里的 {} 读不懂，略过",
                            item.get_ron().trim()
                        ));
                    }
                    id
                })
                .collect()
        };
        out.favourites = ids(raw.favourites, "favourites（收藏）", &mut notes);
        out.recents = ids(raw.recents, "recents（最近打开）", &mut notes);
        Ok((out.sanitized(), notes))
    }
}

/// One value of the settings file, or `None` (noted) when it cannot be read.
fn value<T: serde::de::DeserializeOwned>(
    raw: Option<&RawValue>,
    name: &str,
    notes: &mut Vec<String>,
) -> Option<T> {
    let raw = raw?;
    if let Ok(v) = raw.into_rust::<T>() {
        Some(v)
    } else {
        notes.push(format!(
            "{name} 的值 {} 读不懂，用了默认值",
            raw.get_ron().trim()
        ));
        None
    }
}

impl crate::persist::settings_file::Settings for Settings {
    fn parse(text: &str) -> Result<(Self, Vec<String>), String> {
        Self::parse(text)
    }
}

fn dedup(ids: &mut Vec<CardId>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CardId {
        CardId::parse(s).unwrap()
    }

    #[test]
    fn old_or_partial_settings_fill_in_defaults() {
        let s: Settings = ron::from_str("(theme: Dark)").unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert!((s.zoom - 1.0).abs() < f32::EPSILON);
    }

    /// A newer version's theme, then a downgrade: only the theme is lost;
    /// the stars and recent cards stay.
    #[test]
    fn one_unknown_value_costs_only_that_value() {
        let text = "Settings(version: 2, zoom: 1.3, theme: Sepia, pinned: true, \
                    favourites: [\"a\", 3, \"b\"], recents: [\"c\"], future: (x: 1))";
        let (s, notes) = Settings::parse(text).unwrap();
        assert_eq!(s.theme, Theme::Light);
        assert!((s.zoom - 1.3).abs() < 1e-6);
        assert!(s.pinned);
        assert_eq!(s.favourites, vec![id("a"), id("b")]);
        assert_eq!(s.recents, vec![id("c")]);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("更新的版本（2）")));
        assert!(notes.iter().any(|n| n.contains("theme（主题） 的值 Sepia")));
        assert!(
            notes
                .iter()
                .any(|n| n.contains("favourites（收藏） 里的 3"))
        );
        // Not a settings file at all.
        assert!(Settings::parse("{{{").is_err());
        // What this version writes reads back without notes.
        let written = ron::to_string(&s).unwrap();
        assert_eq!(Settings::parse(&written).unwrap(), (s, vec![]));
    }

    #[test]
    fn sanitize_clamps_and_dedups() {
        let s = Settings {
            zoom: 40.0,
            favourites: vec![id("a"), id("a"), id("b")],
            recents: (0..30).map(|i| id(&format!("c{i}"))).collect(),
            ..Settings::default()
        }
        .sanitized();
        assert!((s.zoom - MAX_ZOOM).abs() < f32::EPSILON);
        assert_eq!(s.favourites, vec![id("a"), id("b")]);
        assert_eq!(s.recents.len(), MAX_RECENTS);
        let nan = Settings {
            zoom: f32::NAN,
            ..Settings::default()
        }
        .sanitized();
        assert!((nan.zoom - 1.0).abs() < f32::EPSILON);
    }

    #[test]
    fn recents_are_newest_first_without_repeats() {
        let mut s = Settings::default();
        s.opened(&id("a"));
        s.opened(&id("b"));
        s.opened(&id("a"));
        assert_eq!(s.recents, vec![id("a"), id("b")]);
        s.toggle_favourite(&id("b"));
        assert!(s.is_favourite(&id("b")));
        s.toggle_favourite(&id("b"));
        assert!(!s.is_favourite(&id("b")));
    }

    #[test]
    fn the_settings_file_missing_unknown_values_damage_and_unreadable() {
        use crate::persist::backup_path;
        use crate::persist::settings_file::{Found, load, save};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.ron");
        assert_eq!(load::<Settings>(&path), Found::Missing);

        let s = Settings {
            theme: Theme::Dark,
            ..Settings::default()
        };
        save(&path, &s).unwrap();
        assert_eq!(load(&path), Found::Read(s, None));

        std::fs::write(&path, "Settings(theme: Sepia, favourites: [\"a\"])").unwrap();
        let Found::Read(s, Some(message)) = load::<Settings>(&path) else {
            panic!("a message")
        };
        assert_eq!(s.favourites.len(), 1, "the stars stay");
        assert!(message.contains("theme（主题） 的值 Sepia"), "{message}");
        assert!(!message.contains(".bak"));
        assert!(path.exists(), "not moved aside");

        std::fs::write(&path, "not settings at all {{").unwrap();
        let Found::Read(s, Some(message)) = load::<Settings>(&path) else {
            panic!("a message")
        };
        assert_eq!(s, Settings::default());
        assert!(message.contains("settings.ron.bak"), "{message}");
        assert!(backup_path(&path).exists());

        // A directory where the file should be: unreadable, nothing moved.
        std::fs::create_dir(&path).unwrap();
        let Found::Read(_, Some(message)) = load::<Settings>(&path) else {
            panic!("a message")
        };
        assert!(message.starts_with("无法读取设置文件"), "{message}");
        assert!(path.is_dir());
    }
}
