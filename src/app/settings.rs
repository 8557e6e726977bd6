//! What the window remembers between runs: a small serde struct, saved by
//! eframe's storage apart from the app (window size and position are
//! eframe's own).

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
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
}
