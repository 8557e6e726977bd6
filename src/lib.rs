//! 话术助手 (huashu): a desktop quick-reference of speech scripts for bank
//! lobby managers. See `ARCHITECTURE.md` for the layers.

pub mod app;
pub mod atomic;
pub mod cli;
pub mod console;
pub mod content;
pub mod glyphs;
pub mod hash;
pub mod hotkey;
pub mod model;
pub mod persist;
pub mod search;
#[cfg(feature = "gui")]
pub mod summon;
#[cfg(feature = "gui")]
pub mod ui;
pub mod usage;
