//! The window's state and everything it can be told to do, without egui:
//! the UI reads an [`AppState`] and returns [`Command`]s; [`AppState::handle`]
//! applies them and returns [`Effect`]s for the shell (clipboard, window
//! level, focus, zoom). Tests drive it without a window.

pub mod editor;
pub mod runtime;
pub mod settings;

use std::collections::HashMap;
use std::sync::Arc;

use crate::content::sources::{Chosen, SourcesLoaded};
use crate::content::{Diagnostic, Loaded};
use crate::model::{Card, CardId, Library};
use crate::search::{Highlight, Searcher};
use crate::usage::UsageEvent;
pub use runtime::{Event, Runtime};
pub use settings::{Settings, Theme};

/// Hits shown in the list for a query.
pub const RESULT_LIMIT: usize = 50;
/// One zoom step.
pub const ZOOM_STEP: f32 = 0.1;

/// Why a row is in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Ranked hit of the query.
    Hit,
    Favourite,
    Recent,
    /// The rest, by chapter/section (index into `Library::sections`).
    Section(usize),
}

/// One row of the result list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Index into `Library::cards`.
    pub card: usize,
    pub group: Group,
    /// Matches in the title and aliases.
    pub highlights: Vec<Highlight>,
    /// A hit matching only some of the query's words.
    pub partial: bool,
}

/// Where the arrow keys go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus {
    /// ↑/↓ move the selection.
    #[default]
    List,
    /// A card was opened: ↑/↓ scroll it, Esc goes back to the list.
    Card,
}

/// Window stacking, as the shell should set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Normal,
    AlwaysOnTop,
}

/// Zoom requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    In,
    Out,
    Reset,
}

/// What the UI asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    SetQuery(String),
    /// The box's text while an input method composes (committed text plus
    /// the preedit): the list follows it when it finds cards, the
    /// selection and an open card stay.
    Compose(String),
    /// ↑ (−1) / ↓ (+1), or a page (±5).
    Move(i32),
    /// A row was clicked: select and open it.
    Choose(usize),
    /// Enter: open the selected row.
    OpenSelected,
    /// A link to another card.
    OpenCard(CardId),
    /// Esc.
    Back,
    /// Copy script `n` (0-based, reading order) of the shown card.
    CopyScript(usize),
    /// Choose the value of a fill-in field of the shown card.
    SetFill {
        field: String,
        value: String,
    },
    ToggleFavourite,
    TogglePin,
    /// Show or hide the list of content problems.
    ToggleProblems,
    SetTheme(Theme),
    Zoom(Zoom),
    FocusSearch,
    /// The window was called from another program (the global hotkey, or
    /// the program started again): forward, with the search box's text
    /// selected so typing replaces it.
    Summon,
    /// "This card is wrong or outdated": open the one-line reason field
    /// for the shown card.
    Flag,
    /// The reason typed so far.
    SetFlagReason(String),
    /// Record the flag (with the reason, which may be empty).
    SubmitFlag,
    /// F2: edit the shown card in the form.
    Edit,
    /// A change in the form.
    EditForm(editor::FormEdit),
    /// Ctrl+S in the form: write the card into its file.
    SaveEdit,
    /// Ctrl+N: a new card in the shown card's section, in the form.
    NewCard,
    /// F5 in the form: read its file again (changed by someone else),
    /// keeping the form's changes.
    ReloadEdit,
}

impl Command {
    /// The command as the log may show it: never what was typed (a query,
    /// a reason, a fill-in value, the form's text).
    pub fn loggable(&self) -> Option<String> {
        match self {
            Self::SetQuery(_)
            | Self::Compose(_)
            | Self::SetFill { .. }
            | Self::SetFlagReason(_)
            | Self::EditForm(_) => None,
            other => Some(format!("{other:?}")),
        }
    }
}

/// What the shell must do after a command.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    CopyText(String),
    SetWindowLevel(Level),
    FocusSearch,
    /// Show, restore and focus the window.
    RaiseWindow,
    /// Focus the search box with its text selected.
    SelectSearch,
    /// Open the form for card `n` (the [`Runtime`] reads its file and
    /// checks it may be written).
    OpenEditor(usize),
    /// Open the form for a new card in card `n`'s section.
    OpenNewEditor(usize),
    /// The form opened: its first field takes the keyboard, and it shows
    /// from its top (from the [`Runtime`]).
    FormOpened,
    /// Write `text` to `path` if it still holds `read` (the [`Runtime`]).
    WriteCard {
        path: std::path::PathBuf,
        read: Vec<u8>,
        text: String,
    },
    /// Read the form's file again (the [`Runtime`]).
    ReadEditFile(std::path::PathBuf),
    SetZoom(f32),
    /// Scroll the shown card by this many lines (pages are 8 lines).
    ScrollCard(i32),
    /// The settings or the counts changed: save them soon.
    SaveSettings,
    /// For the usage counts (if counting is on; the [`Runtime`]).
    Count(UsageEvent),
}

/// What reading or writing a file, a load or the hotkey's registration
/// came to, for the state to show (see [`Runtime`]).
pub(crate) enum Outcome {
    EditorOpened(Result<Box<editor::Editor>, editor::OpenError>),
    /// The form's file read again (F5).
    EditFileRead(std::io::Result<Vec<u8>>),
    CardWritten(Result<(), crate::content::edit::EditError>),
    Content(Box<Content>),
    Hotkey(Result<crate::hotkey::HotKey, crate::hotkey::HotkeyError>),
    /// A message to show once.
    Report(String),
}

/// A confirmation shown briefly (e.g. after copying).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// Increases with each notice, so the UI can time each one.
    pub serial: u64,
}

/// Loaded content with its search index, ready to show. Built off the UI
/// thread when the content changes (see [`AppState::replace_content`]).
pub struct Content {
    searcher: Searcher,
    diagnostics: Vec<Diagnostic>,
    /// E.g. `离线副本 · 更新于 …` when a central source is offline.
    banner: Option<String>,
    /// Chinese characters of the content the bundled font lacks (found
    /// here, with the index, not on the UI thread).
    missing_glyphs: Vec<char>,
    /// What runs, for the status bar: `内容版本 42 · 培训部 · 2026-12-06
    /// 09:00`, and whether its signature was checked.
    release: Option<(String, bool)>,
}

impl Content {
    pub fn new(loaded: Loaded) -> Self {
        Self {
            missing_glyphs: missing_glyphs(&loaded.library),
            searcher: Searcher::new(Arc::new(loaded.library)),
            diagnostics: loaded.diagnostics,
            banner: None,
            release: None,
        }
    }

    #[must_use]
    pub fn with_banner(mut self, banner: Option<String>) -> Self {
        self.banner = banner;
        self
    }

    /// A layered load, with its offline banner and the published version
    /// of its central source.
    pub fn from_sources(loaded: SourcesLoaded) -> Self {
        let release = loaded.reports.iter().find_map(|r| {
            let v = r.release.as_ref()?;
            Some((
                format!("内容版本 {} · {} · {}", v.version, v.publisher, v.published),
                v.signed,
            ))
        });
        let mut content = Self::new(loaded.loaded).with_banner(loaded.banner);
        content.release = release;
        content
    }

    pub fn library(&self) -> &Library {
        self.searcher.library()
    }
}

/// How many cards the link chooser offers.
const LINK_CHOICES: usize = 8;

/// The cards the link chooser offers for `query` (searched as the search
/// box does): not the edited card, not one already linked.
fn link_targets(
    searcher: &mut Searcher,
    editor: &editor::Editor,
    query: &str,
) -> Vec<editor::LinkTarget> {
    if query.trim().is_empty() {
        return Vec::new();
    }
    let own = editor.card.id.as_str();
    let library_hits = searcher.search(query, LINK_CHOICES + 1 + editor.fields.links.len());
    let library = searcher.library();
    library_hits
        .hits
        .iter()
        .filter_map(|h| library.cards.get(h.card))
        .filter(|c| {
            c.id.as_str() != own && !editor.fields.links.iter().any(|l| l.to == c.id.as_str())
        })
        .take(LINK_CHOICES)
        .map(|c| editor::LinkTarget {
            id: c.id.as_str().to_owned(),
            title: c.title.clone(),
        })
        .collect()
}

/// Every Chinese character of a library's shown text that the bundled
/// font lacks.
fn missing_glyphs(library: &Library) -> Vec<char> {
    let scripts: Vec<String> = library
        .cards
        .iter()
        .flat_map(|c| c.scripts().map(|s| s.template.source()))
        .collect();
    let mut texts: Vec<&str> = scripts.iter().map(String::as_str).collect();
    for card in &library.cards {
        texts.push(&card.title);
        texts.extend(card.aliases.iter().map(String::as_str));
        texts.extend(card.scene.iter().map(String::as_str));
        texts.extend(card.view.iter().map(String::as_str));
        texts.extend(card.steps.iter().map(|s| s.action.as_str()));
        texts.extend(
            card.fields
                .values()
                .flat_map(|f| f.choices.iter().map(String::as_str)),
        );
        texts.extend(card.links.iter().map(|l| l.why.as_str()));
    }
    for chapter in &library.chapters {
        texts.extend(chapter.title.as_deref());
    }
    for section in &library.sections {
        texts.extend(section.title.as_deref());
    }
    crate::glyphs::missing_in(texts)
}

/// Everything the window shows.
pub struct AppState {
    searcher: Searcher,
    pub settings: Settings,
    query: String,
    rows: Vec<Row>,
    /// Matches for the query (more than `rows` when over the limit).
    total: usize,
    selected: usize,
    /// Since the last committed query: an input method composed in the
    /// box, the selection was moved by hand.
    composed: bool,
    moved: bool,
    /// A card opened through a link, shown instead of the selection.
    opened: Option<usize>,
    /// The card shown when an input method began composing: it stays on
    /// the right while the list follows the half-typed characters, until
    /// the text is committed.
    held: Option<usize>,
    focus: Focus,
    /// Chosen fill-in values: (card, field) → value.
    fills: HashMap<(usize, String), String>,
    notice: Option<Notice>,
    /// Where the query matches in every field of the shown card.
    card_highlights: Vec<Highlight>,
    /// Problems found while loading the content.
    diagnostics: Vec<Diagnostic>,
    problems_open: bool,
    banner: Option<String>,
    /// The published version that runs, and whether it was verified.
    release: Option<(String, bool)>,
    /// Why the content comes from where it does.
    chosen: Option<Chosen>,
    /// Chinese characters of the content the bundled font lacks.
    missing_glyphs: Vec<char>,
    /// The global hotkey once registered, or why it is not.
    hotkey: Option<Result<crate::hotkey::HotKey, crate::hotkey::HotkeyError>>,
    /// A flag being written: the card and the reason typed so far.
    flagging: Option<(CardId, String)>,
    /// The card form, when open.
    editor: Option<editor::Editor>,
}

impl AppState {
    pub fn new(loaded: Loaded, settings: Settings) -> Self {
        Self::with_content(Content::new(loaded), settings)
    }

    pub fn with_content(content: Content, settings: Settings) -> Self {
        let mut state = Self {
            searcher: content.searcher,
            settings: settings.sanitized(),
            query: String::new(),
            rows: Vec::new(),
            total: 0,
            selected: 0,
            composed: false,
            moved: false,
            opened: None,
            held: None,
            focus: Focus::List,
            fills: HashMap::new(),
            notice: None,
            card_highlights: Vec::new(),
            diagnostics: content.diagnostics,
            problems_open: false,
            banner: content.banner,
            release: content.release,
            chosen: None,
            missing_glyphs: content.missing_glyphs,
            hotkey: None,
            flagging: None,
            editor: None,
        };
        state.refresh();
        state.update_card_highlights();
        state
    }

    pub fn library(&self) -> &Library {
        self.searcher.library()
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Matches of the current query (0 with an empty query).
    pub fn total(&self) -> usize {
        self.total
    }

    pub fn selected(&self) -> Option<usize> {
        let row = self.rows.get(self.selected)?;
        // A card held through a composition is marked only where listed.
        self.held
            .is_none_or(|held| held == row.card)
            .then_some(self.selected)
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    /// Errors and warnings found while loading the content.
    pub fn content_problems(&self) -> (usize, usize) {
        crate::content::diagnostic::count(&self.diagnostics)
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn problems_open(&self) -> bool {
        self.problems_open
    }

    /// Says why the content comes from where it does (status bar).
    #[must_use]
    pub fn with_chosen(mut self, chosen: Chosen) -> Self {
        self.chosen = Some(chosen);
        self
    }

    pub fn chosen(&self) -> Option<&Chosen> {
        self.chosen.as_ref()
    }

    /// The global hotkey: registered, or why not (`None`: none asked for).
    pub fn hotkey(&self) -> Option<&Result<crate::hotkey::HotKey, crate::hotkey::HotkeyError>> {
        self.hotkey.as_ref()
    }

    /// Takes what the [`Runtime`] read, wrote or was told.
    pub(crate) fn take(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::EditorOpened(opened) => self.set_editor(opened.map(|e| *e)),
            Outcome::EditFileRead(read) => self.edit_file_read(read),
            Outcome::CardWritten(written) => self.edit_written(written),
            Outcome::Content(content) => self.replace_content(*content),
            Outcome::Hotkey(status) => self.hotkey = Some(status),
            Outcome::Report(text) => self.notify(text),
        }
    }

    /// The reason being typed for a flag on the shown card, if one is.
    pub fn flagging(&self) -> Option<&str> {
        let (card, reason) = self.flagging.as_ref()?;
        (self.shown_card().map(|c| &c.id) == Some(card)).then_some(reason.as_str())
    }

    /// Chinese characters of the content that need a system font (see
    /// `glyphs`), each once.
    pub fn missing_glyphs(&self) -> &[char] {
        &self.missing_glyphs
    }

    /// A calm note about where the content comes from (offline copy).
    pub fn banner(&self) -> Option<&str> {
        self.banner.as_deref()
    }

    /// The published version that runs (`内容版本 42 · 培训部 · …`), and
    /// whether its signature was verified.
    pub fn release(&self) -> Option<(&str, bool)> {
        self.release
            .as_ref()
            .map(|(text, signed)| (text.as_str(), *signed))
    }

    /// Puts new content in place of the old (live reload): the query is run
    /// again, the shown card stays shown if it still exists (found by id),
    /// else the selection falls back to the nearest row.
    fn replace_content(&mut self, content: Content) {
        let id_of = |state: &Self, card: Option<usize>| {
            card.and_then(|c| state.library().cards.get(c))
                .map(|c| c.id.clone())
        };
        let selected_id = id_of(self, self.rows.get(self.selected).map(|r| r.card));
        let opened_id = id_of(self, self.opened);
        let old_fills = std::mem::take(&mut self.fills);
        let fills: Vec<(CardId, String, String)> = old_fills
            .into_iter()
            .filter_map(|((card, field), value)| {
                Some((self.library().cards.get(card)?.id.clone(), field, value))
            })
            .collect();
        let old_selected = self.selected;
        self.held = None;

        self.searcher = content.searcher;
        self.missing_glyphs = content.missing_glyphs;
        self.diagnostics = content.diagnostics;
        self.banner = content.banner;
        self.release = content.release;
        if self.diagnostics.is_empty() {
            self.problems_open = false;
        }
        let library = self.searcher.library();
        self.fills = fills
            .into_iter()
            .filter_map(|(id, field, value)| Some(((library.index_of(&id)?, field), value)))
            .collect();
        let opened = opened_id.map(|id| library.index_of(&id));
        self.opened = opened.flatten();
        self.refresh();
        let selected_card = selected_id.and_then(|id| self.library().index_of(&id));
        self.selected = match selected_card.and_then(|c| self.rows.iter().position(|r| r.card == c))
        {
            Some(at) => at,
            None => old_selected.min(self.rows.len().saturating_sub(1)),
        };
        let still_shown = match opened {
            Some(card) => card.is_some(),
            None => selected_card.is_some(),
        };
        if !still_shown {
            // The card being read is gone: back to the list.
            self.focus = Focus::List;
        }
        self.update_card_highlights();
    }

    /// The card shown: one opened by a link, else the selected row's.
    pub fn shown(&self) -> Option<usize> {
        self.opened
            .or(self.held)
            .or_else(|| self.rows.get(self.selected).map(|r| r.card))
    }

    pub fn shown_card(&self) -> Option<&Card> {
        self.shown().and_then(|i| self.library().cards.get(i))
    }

    /// Where the query matches in every field of the shown card.
    pub fn card_highlights(&self) -> &[Highlight] {
        &self.card_highlights
    }

    fn update_card_highlights(&mut self) {
        self.card_highlights = match self.shown() {
            Some(card) if !self.query.trim().is_empty() => {
                let query = self.query.clone();
                self.searcher.highlights(card, &query)
            }
            _ => Vec::new(),
        };
    }

    /// The value shown and copied for a fill-in field of a card.
    pub fn fill(&self, card: usize, field: &str) -> Option<&str> {
        if let Some(v) = self.fills.get(&(card, field.to_owned())) {
            return Some(v);
        }
        self.library()
            .cards
            .get(card)?
            .fields
            .get(field)?
            .default_value()
    }

    /// The text copied for script `n` (reading order) of a card.
    pub fn script_text(&self, card: usize, n: usize) -> Option<String> {
        let c = self.library().cards.get(card)?;
        let script = c.scripts().nth(n)?;
        Some(script.template.render(|field| self.fill(card, field)))
    }

    /// Applies a command; returns what the shell must do.
    pub fn handle(&mut self, command: Command) -> Vec<Effect> {
        let before = (self.shown(), self.query.clone());
        let effects = self.apply(command);
        if (self.shown(), &self.query) != (before.0, &before.1) {
            self.update_card_highlights();
        }
        effects
    }

    fn apply(&mut self, command: Command) -> Vec<Effect> {
        let mut effects = Vec::new();
        match command {
            Command::SetQuery(query) => self.set_query(query),
            Command::Compose(text) => self.compose(text),
            Command::Move(delta) => {
                self.moved = true;
                self.held = None;
                effects.extend(self.move_by(delta));
            }
            Command::Choose(row) => {
                if row < self.rows.len() {
                    self.held = None;
                    self.selected = row;
                    self.open_shown(&mut effects);
                }
            }
            // Enter in the box while it holds a flag's reason records it.
            Command::OpenSelected if self.flagging().is_some() => {
                effects.extend(self.flag(Command::SubmitFlag));
            }
            Command::OpenSelected => self.open_shown(&mut effects),
            Command::OpenCard(id) => {
                if let Some(card) = self.library().index_of(&id) {
                    self.opened = Some(card);
                    self.open_shown(&mut effects);
                }
            }
            Command::Back => {
                self.back();
                effects.push(Effect::FocusSearch);
            }
            Command::CopyScript(n) => {
                if let Some(card) = self.shown()
                    && let Some(text) = self.script_text(card, n)
                {
                    effects.push(Effect::CopyText(text));
                    if let Some(c) = self.library().cards.get(card) {
                        effects.push(Effect::Count(UsageEvent::Copied(c.id.clone(), n)));
                    }
                    self.notify(format!("已复制 话术 {}", n + 1));
                }
            }
            Command::SetFill { field, value } => {
                if let Some(card) = self.shown() {
                    self.fills.insert((card, field), value);
                }
            }
            Command::ToggleFavourite => effects.extend(self.toggle_favourite()),
            Command::TogglePin => {
                self.settings.pinned = !self.settings.pinned;
                effects.push(Effect::SetWindowLevel(self.level()));
                effects.push(Effect::SaveSettings);
            }
            Command::SetTheme(theme) => {
                self.settings.theme = theme;
                effects.push(Effect::SaveSettings);
            }
            Command::Zoom(zoom) => {
                self.zoom(zoom);
                effects.push(Effect::SetZoom(self.settings.zoom));
                effects.push(Effect::SaveSettings);
            }
            Command::FocusSearch => {
                self.focus = Focus::List;
                effects.push(Effect::FocusSearch);
            }
            Command::Summon => {
                self.focus = Focus::List;
                self.flagging = None;
                effects.push(Effect::RaiseWindow);
                effects.push(Effect::SelectSearch);
            }
            Command::Flag | Command::SetFlagReason(_) | Command::SubmitFlag => {
                effects.extend(self.flag(command));
            }
            Command::Edit
            | Command::EditForm(_)
            | Command::SaveEdit
            | Command::NewCard
            | Command::ReloadEdit => {
                effects.extend(self.edit(command));
            }
            Command::ToggleProblems => {
                self.problems_open = !self.problems_open && !self.diagnostics.is_empty();
            }
        }
        effects
    }

    /// Ctrl+D: star or unstar the shown card.
    fn toggle_favourite(&mut self) -> Option<Effect> {
        let id = self.shown_card()?.id.clone();
        self.settings.toggle_favourite(&id);
        let starred = self.settings.is_favourite(&id);
        self.notify(
            if starred {
                "已收藏"
            } else {
                "已取消收藏"
            }
            .into(),
        );
        if self.query.trim().is_empty() {
            self.refresh_keeping_shown();
        }
        Some(Effect::SaveSettings)
    }

    /// The card form: open it, change it, save it.
    fn edit(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Edit => {
                if self.editor.is_none()
                    && let Some(n) = self.shown()
                {
                    return vec![Effect::OpenEditor(n)];
                }
            }
            Command::NewCard => {
                if self.editor.is_none()
                    && let Some(n) = self.shown()
                {
                    return vec![Effect::OpenNewEditor(n)];
                }
            }
            Command::EditForm(change) => {
                if let Some(editor) = &mut self.editor {
                    let query = match &change {
                        editor::FormEdit::LinkQuery(q) => Some(q.clone()),
                        _ => None,
                    };
                    editor.apply(change);
                    if let Some(query) = query {
                        editor.link_hits = link_targets(&mut self.searcher, editor, &query);
                    }
                }
            }
            Command::SaveEdit => {
                if let Some(editor) = &mut self.editor {
                    match editor.new_text() {
                        Ok(text) => {
                            return vec![Effect::WriteCard {
                                path: editor.file.clone(),
                                read: editor.read.clone(),
                                text,
                            }];
                        }
                        Err(why) => editor.message = Some(format!("没有保存：{why}")),
                    }
                }
            }
            Command::ReloadEdit => {
                if let Some(editor) = &self.editor {
                    return vec![Effect::ReadEditFile(editor.file.clone())];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// The form opened for a card, or why it could not.
    fn set_editor(&mut self, editor: Result<editor::Editor, editor::OpenError>) {
        match editor {
            Ok(mut e) => {
                // A new card's id must differ from these; links go to one.
                e.taken = self
                    .library()
                    .cards
                    .iter()
                    .map(|c| c.id.as_str().to_owned())
                    .collect();
                self.editor = Some(e);
            }
            Err(why) => self.notify(why.to_string()),
        }
    }

    pub fn editor(&self) -> Option<&editor::Editor> {
        self.editor.as_ref()
    }

    /// The form's file as read again (F5): the form goes on from it with
    /// its changes, or says why it cannot.
    fn edit_file_read(&mut self, read: std::io::Result<Vec<u8>>) {
        if let Some(e) = &mut self.editor {
            let reopened = match read {
                Ok(bytes) => e.reopen(bytes),
                Err(err) => Err(format!("无法读取 {}：{err}", e.file.display())),
            };
            if let Err(why) = reopened {
                e.message = Some(format!("没有重新载入：{why}"));
            }
        }
    }

    /// What writing the card came to: the form closes, or says why not.
    fn edit_written(&mut self, result: Result<(), crate::content::edit::EditError>) {
        match result {
            Ok(()) => {
                if let Some(e) = self.editor.take() {
                    self.notify(format!(
                        "已保存“{}”到 {}",
                        e.fields.title.trim(),
                        e.file.display()
                    ));
                }
            }
            Err(why) => {
                if let Some(e) = &mut self.editor {
                    e.stale = matches!(why, crate::content::edit::EditError::Changed);
                    e.message = Some(why.to_string());
                }
            }
        }
    }

    /// "This card is wrong or outdated": open the reason field, type into
    /// it, record the flag.
    fn flag(&mut self, command: Command) -> Vec<Effect> {
        match command {
            Command::Flag => {
                if let Some(card) = self.shown_card() {
                    self.flagging = Some((card.id.clone(), String::new()));
                    return vec![Effect::FocusSearch];
                }
            }
            Command::SetFlagReason(reason) => {
                if let Some((_, r)) = &mut self.flagging {
                    *r = reason;
                }
            }
            Command::SubmitFlag => {
                if let Some((card, reason)) = self.flagging.take() {
                    self.notify("已标记：培训老师会看到这张卡片有误或过时".into());
                    return vec![
                        Effect::Count(UsageEvent::Flagged(card, reason)),
                        Effect::FocusSearch,
                    ];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// ↑/↓: move the selection, or scroll an open card.
    fn move_by(&mut self, delta: i32) -> Option<Effect> {
        match self.focus {
            Focus::Card => Some(Effect::ScrollCard(if delta.abs() > 1 {
                delta.signum() * 8
            } else {
                delta
            })),
            Focus::List => {
                if !self.rows.is_empty() {
                    let last = i64::try_from(self.rows.len() - 1).unwrap_or(0);
                    let at = i64::try_from(self.selected).unwrap_or(0) + i64::from(delta);
                    self.selected = usize::try_from(at.clamp(0, last)).unwrap_or(0);
                    self.opened = None;
                }
                None
            }
        }
    }

    /// Esc: close the problems list; else clear the query; with none,
    /// leave the opened card.
    fn back(&mut self) {
        if self.flagging.take().is_some() {
            return;
        }
        if let Some(editor) = &mut self.editor {
            // Unsaved changes are not lost to one Esc.
            if editor.changed() && !editor.closing {
                editor.closing = true;
                editor.message = Some("有没有保存的改动：再按 Esc 放弃改动，按 Ctrl+S 保存".into());
            } else {
                self.editor = None;
            }
            return;
        }
        if self.problems_open {
            self.problems_open = false;
            return;
        }
        self.opened = None;
        self.focus = Focus::List;
        if !self.query.is_empty() {
            self.query.clear();
            self.refresh();
        }
    }

    fn zoom(&mut self, zoom: Zoom) {
        let z = match zoom {
            Zoom::In => self.settings.zoom + ZOOM_STEP,
            Zoom::Out => self.settings.zoom - ZOOM_STEP,
            Zoom::Reset => 1.0,
        };
        self.settings.zoom = (z * 10.0).round() / 10.0;
        self.settings = std::mem::take(&mut self.settings).sanitized();
    }

    /// The window level the settings ask for.
    pub fn level(&self) -> Level {
        if self.settings.pinned {
            Level::AlwaysOnTop
        } else {
            Level::Normal
        }
    }

    fn notify(&mut self, text: String) {
        let serial = self.notice.as_ref().map_or(1, |n| n.serial + 1);
        self.notice = Some(Notice { text, serial });
    }

    fn open_shown(&mut self, effects: &mut Vec<Effect>) {
        if let Some(card) = self.shown_card() {
            let id = card.id.clone();
            self.settings.opened(&id);
            self.focus = Focus::Card;
            effects.push(Effect::SaveSettings);
            effects.push(Effect::Count(UsageEvent::Opened(id)));
        }
    }

    /// The box's text, typed or committed by an input method. A commit ends
    /// a composition: the best match is chosen (what the half-typed
    /// characters picked is not), unless the manager moved the selection
    /// by hand meanwhile.
    fn set_query(&mut self, query: String) {
        self.held = None;
        if query != self.query || self.composed {
            self.query = query;
            self.opened = None;
            self.focus = Focus::List;
            if self.moved {
                self.refresh_keeping_shown();
            } else {
                self.refresh();
            }
        }
        self.composed = false;
        self.moved = false;
    }

    /// The box's text while an input method composes: the card shown when
    /// it began stays shown.
    fn compose(&mut self, text: String) {
        if !self.composed && self.opened.is_none() {
            self.held = self.shown();
        }
        self.composed = true;
        if text != self.query {
            self.query = text;
            self.refresh_composing();
        }
    }

    /// Recomputes the rows for the query; selects the top row.
    fn refresh(&mut self) {
        self.selected = 0;
        if self.query.trim().is_empty() {
            self.rows = self.browse_rows();
            self.total = 0;
            return;
        }
        let results = self.searcher.search(&self.query, RESULT_LIMIT);
        self.total = results.total;
        self.rows = results
            .hits
            .into_iter()
            .map(|h| Row {
                card: h.card,
                group: Group::Hit,
                highlights: h.highlights,
                partial: h.partial,
            })
            .collect();
    }

    /// While composing: the rows follow the text only when it finds cards
    /// with all its words, or the rows already were partial matches (never
    /// a flash of 没有找到卡片, nor of 没有卡片包含全部的词, for a half-typed
    /// character); the shown card stays selected if it is listed; an opened
    /// card and the focus stay.
    fn refresh_composing(&mut self) {
        let shown = self.shown();
        let was_partial = self.rows.first().is_some_and(|r| r.partial);
        let old = (std::mem::take(&mut self.rows), self.total, self.selected);
        self.refresh();
        let partial = self.rows.first().is_some_and(|r| r.partial);
        if self.rows.is_empty() || (partial && !was_partial) {
            (self.rows, self.total, self.selected) = old;
            return;
        }
        if let Some(at) = shown.and_then(|card| self.rows.iter().position(|r| r.card == card)) {
            self.selected = at;
        }
    }

    /// Like `refresh`, keeping the same card selected if it is still listed.
    fn refresh_keeping_shown(&mut self) {
        let shown = self.shown();
        self.refresh();
        if let Some(card) = shown
            && self.opened.is_none()
            && let Some(at) = self.rows.iter().position(|r| r.card == card)
        {
            self.selected = at;
        }
    }

    /// Favourites, then recent cards, then every other card in chapter order.
    fn browse_rows(&self) -> Vec<Row> {
        let library = self.library();
        let mut listed = vec![false; library.cards.len()];
        let mut rows = Vec::with_capacity(library.cards.len());
        let mut add = |card: usize, group: Group, rows: &mut Vec<Row>| {
            if !listed[card] {
                listed[card] = true;
                rows.push(Row {
                    card,
                    group,
                    highlights: Vec::new(),
                    partial: false,
                });
            }
        };
        for id in &self.settings.favourites {
            if let Some(card) = library.index_of(id) {
                add(card, Group::Favourite, &mut rows);
            }
        }
        for id in &self.settings.recents {
            if let Some(card) = library.index_of(id) {
                add(card, Group::Recent, &mut rows);
            }
        }
        for (card, c) in library.cards.iter().enumerate() {
            add(card, Group::Section(c.section), &mut rows);
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AppState {
        AppState::new(crate::content::load_builtin(), Settings::default())
    }

    fn shown_title(s: &AppState) -> &str {
        &s.shown_card().unwrap().title
    }

    #[test]
    fn typing_selects_the_top_hit() {
        let mut s = state();
        s.handle(Command::SetQuery("qhcw".into()));
        assert_eq!(s.selected(), Some(0));
        assert_eq!(shown_title(&s), "客户取号错误");
        assert_eq!(s.rows()[0].group, Group::Hit);
    }

    #[test]
    fn arrows_move_and_stop_at_the_ends() {
        let mut s = state();
        s.handle(Command::Move(-1));
        assert_eq!(s.selected(), Some(0));
        s.handle(Command::Move(1));
        assert_eq!(s.selected(), Some(1));
        s.handle(Command::Move(100));
        assert_eq!(s.selected(), Some(s.rows().len() - 1));
    }

    #[test]
    fn enter_opens_and_remembers_then_arrows_scroll_and_esc_returns() {
        let mut s = state();
        s.handle(Command::SetQuery("柜员".into()));
        s.handle(Command::Move(1));
        let second = s.shown().unwrap();
        let effects = s.handle(Command::OpenSelected);
        let id = s.library().cards[second].id.clone();
        assert_eq!(
            effects,
            vec![
                Effect::SaveSettings,
                Effect::Count(UsageEvent::Opened(id.clone()))
            ]
        );
        assert_eq!(s.focus(), Focus::Card);
        assert_eq!(s.settings.recents, vec![id]);
        assert_eq!(s.handle(Command::Move(1)), vec![Effect::ScrollCard(1)]);
        assert_eq!(s.selected(), Some(1), "the selection stays");
        // Esc: clears the query first, then back to the list.
        s.handle(Command::Back);
        assert_eq!(s.query(), "");
        assert_eq!(s.focus(), Focus::List);
    }

    #[test]
    fn esc_with_empty_query_leaves_an_opened_link() {
        let mut s = state();
        s.handle(Command::OpenCard(
            CardId::parse("refuses-id-check").unwrap(),
        ));
        assert_eq!(shown_title(&s), "客户不配合证件核实");
        s.handle(Command::Back);
        assert_eq!(s.focus(), Focus::List);
        assert_eq!(s.shown(), Some(0), "back to the selected row");
    }

    #[test]
    fn copy_gives_the_exact_script_and_a_notice() {
        let mut s = state();
        s.handle(Command::SetQuery("qhcw".into()));
        let effects = s.handle(Command::CopyScript(1));
        let id = s.shown_card().unwrap().id.clone();
        assert_eq!(
            effects,
            vec![
                Effect::CopyText("等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?".into()),
                Effect::Count(UsageEvent::Copied(id, 1)),
            ]
        );
        assert_eq!(s.notice().unwrap().text, "已复制 话术 2");
        assert!(
            s.handle(Command::CopyScript(9)).is_empty(),
            "no such script"
        );
    }

    #[test]
    fn fill_in_fields_default_and_change() {
        let mut s = state();
        s.handle(Command::SetQuery("冒用".into()));
        let card = s.shown().unwrap();
        assert_eq!(
            s.script_text(card, 2).unwrap(),
            "先生,你是我们的贵宾卡。请和我一起去贵宾区。我给你倒杯水,给你一些零食。"
        );
        s.handle(Command::SetFill {
            field: "称呼".into(),
            value: "女士".into(),
        });
        let effects = s.handle(Command::CopyScript(2));
        assert_eq!(
            effects[0],
            Effect::CopyText(
                "女士,你是我们的贵宾卡。请和我一起去贵宾区。我给你倒杯水,给你一些零食。".into()
            )
        );
    }

    #[test]
    fn empty_query_lists_favourites_then_recents_then_chapters() {
        let mut s = state();
        s.handle(Command::SetQuery("差评".into()));
        s.handle(Command::OpenSelected);
        s.handle(Command::SetQuery("口罩".into()));
        s.handle(Command::ToggleFavourite);
        s.handle(Command::Back);
        let rows = s.rows();
        assert_eq!(rows[0].group, Group::Favourite);
        assert_eq!(s.library().cards[rows[0].card].title, "客户不配合证件核实");
        assert_eq!(rows[1].group, Group::Recent);
        assert_eq!(s.library().cards[rows[1].card].title, "客户给柜员差评");
        assert!(matches!(rows[2].group, Group::Section(_)));
        assert_eq!(rows.len(), s.library().cards.len(), "each card once");
    }

    #[test]
    fn pin_and_zoom_and_theme_change_settings() {
        let mut s = state();
        assert_eq!(
            s.handle(Command::TogglePin),
            vec![
                Effect::SetWindowLevel(Level::AlwaysOnTop),
                Effect::SaveSettings
            ]
        );
        assert_eq!(
            s.handle(Command::TogglePin)[0],
            Effect::SetWindowLevel(Level::Normal)
        );
        s.handle(Command::Zoom(Zoom::In));
        assert_eq!(s.handle(Command::Zoom(Zoom::In))[0], Effect::SetZoom(1.2));
        assert_eq!(
            s.handle(Command::Zoom(Zoom::Reset))[0],
            Effect::SetZoom(1.0)
        );
        for _ in 0..50 {
            s.handle(Command::Zoom(Zoom::Out));
        }
        assert!((s.settings.zoom - settings::MIN_ZOOM).abs() < 1e-6);
        s.handle(Command::SetTheme(Theme::HighContrast));
        assert_eq!(s.settings.theme, Theme::HighContrast);
    }

    #[test]
    fn no_results() {
        let mut s = state();
        s.handle(Command::SetQuery("xqzv".into()));
        assert!(s.rows().is_empty());
        assert_eq!(s.selected(), None);
        assert!(s.shown().is_none());
        assert!(s.handle(Command::OpenSelected).is_empty());
    }
}
