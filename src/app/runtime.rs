//! Everything the window does that is not drawing, without egui: the
//! [`AppState`], where settings, usage counts, the search log and the
//! form's drafts are kept, which file the card form may write, new content
//! from the first load and the watcher, and the rings of the hotkey and of
//! later starts. One entry point: [`Runtime::handle`] takes an [`Event`]
//! (a command from a panel or a key, a frame beginning, new content, the
//! hotkey's registration) and returns the [`Effect`]s only the window can
//! carry out (clipboard, focus, window level, zoom, a later frame). Files
//! are read and written through [`Storage`], so every flow runs in tests
//! without a disk or a window.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use super::editor::{Editor, Fields, OpenError};
use super::{AppState, Command, Content, Effect, Outcome, Settings};
use crate::content::edit::{EditError, OVERRIDES_FILE};
use crate::content::sources::{Sources, SourcesLoaded};
use crate::content::watch::{Recheck, Watch};
use crate::hotkey::{HotKey, HotkeyError};
use crate::model::Card;
use crate::persist::draft_file::Draft;
use crate::persist::report::Courier;
use crate::persist::storage::{Counted, Storage};
use crate::usage::{SearchSession, Searches, Usage, UsageEvent};

/// How long a closing window waits for its last report to reach the share.
const CLOSING_SEND: Duration = Duration::from_secs(3);

/// Wakes the window from another thread (its repaint request).
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// What happens to the window's runtime.
pub enum Event {
    /// A panel or a key asked for this.
    Command(Command),
    /// A frame begins, at `now` seconds (the window's clock): new content
    /// and rings of the bells are taken.
    Frame { now: f64 },
    /// New content (a load, or a test's).
    ContentLoaded(Box<Content>),
    /// The global hotkey was registered, or why not.
    HotkeyRegistered(Result<HotKey, HotkeyError>),
    /// A message to show once (e.g. a damaged settings file replaced).
    Report(String),
    /// Time to write what changed (eframe's save).
    Save,
}

/// The search log (only with `log_searches: true`): the search going on,
/// what ended since the last save, and where it is added up.
struct SearchLog {
    path: PathBuf,
    session: SearchSession,
    pending: Searches,
}

/// Usage counts since the last save, and where they are added up.
struct Counts {
    path: PathBuf,
    pending: Usage,
}

/// The content still to come: a slow first load, then the watcher's.
#[derive(Default)]
struct Arrivals {
    /// The first load, and the central re-check interval for the watch
    /// started when it comes.
    first: Option<(Receiver<(Sources, SourcesLoaded)>, Duration)>,
    /// Each reload, indexed off the UI thread.
    reloads: Option<Receiver<Content>>,
    /// Kept alive while the window is open (dropping it stops watching).
    watching: Option<Watch>,
}

pub struct Runtime {
    state: AppState,
    storage: Box<dyn Storage>,
    /// The window's clock at the frame going on (seconds).
    now: f64,
    /// Where the settings are kept, and what was last written there.
    settings_file: Option<(PathBuf, Settings)>,
    counts: Option<Counts>,
    searches: Option<SearchLog>,
    /// Where the form's unsaved changes are kept, and what is there now.
    drafts: Option<(PathBuf, Option<Draft<Fields>>)>,
    /// Where the card form may write (`--data` and `Local` sources).
    writable: Vec<PathBuf>,
    /// The `Local` directory a central card's change is saved in.
    overrides: Option<PathBuf>,
    arrivals: Arrivals,
    /// How many times the bells rang since the last look.
    rings: Option<Box<dyn FnMut() -> usize + Send>>,
    wake: Option<Wake>,
    /// Sends the counts to the trainers' share (`reports:`).
    courier: Option<Courier>,
}

impl Runtime {
    pub fn new(state: AppState, storage: Box<dyn Storage>) -> Self {
        Self {
            state,
            storage,
            now: 0.0,
            settings_file: None,
            counts: None,
            searches: None,
            drafts: None,
            writable: Vec::new(),
            overrides: None,
            arrivals: Arrivals::default(),
            rings: None,
            wake: None,
            courier: None,
        }
    }

    /// Reports the counts (as kept in their files) to the trainers' share
    /// through `courier`, soon after each change and when closing.
    pub fn report_with(&mut self, courier: Courier) {
        self.courier = Some(courier);
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Keeps the settings in `path` (written atomically when they change).
    pub fn keep_settings_in(&mut self, path: PathBuf) {
        self.settings_file = Some((path, self.state.settings.clone()));
    }

    /// Whether the settings have a file of their own (else the window keeps
    /// them in eframe's storage).
    pub fn has_settings_file(&self) -> bool {
        self.settings_file.is_some()
    }

    /// Counts card openings and script copies, added to `path` (see
    /// `persist::usage_file`) at each save.
    pub fn count_usage(&mut self, path: PathBuf) {
        self.counts = Some(Counts {
            path,
            pending: Usage::default(),
        });
    }

    /// Keeps the queries typed and the card opened after each (digits
    /// masked), added to `path` (`searches.ron`) at each save.
    pub fn log_searches(&mut self, path: PathBuf) {
        self.searches = Some(SearchLog {
            path,
            session: SearchSession::default(),
            pending: Searches::default(),
        });
    }

    /// The card form may write to files in these directories.
    pub fn edit_in(&mut self, dirs: Vec<PathBuf>) {
        self.writable = dirs;
    }

    /// Cards the form may not write in place (central, built-in) are saved
    /// as overrides in this `Local` directory.
    pub fn override_in(&mut self, dir: PathBuf) {
        self.overrides = Some(dir);
    }

    /// Rings of the hotkey and of later starts: `rings` says how many came
    /// since it was last asked. Each brings the window forward.
    pub fn summoned_by(&mut self, rings: impl FnMut() -> usize + Send + 'static) {
        self.rings = Some(Box::new(rings));
    }

    /// How content arriving from other threads wakes the window.
    pub fn wake_with(&mut self, wake: Wake) {
        self.wake = Some(wake);
    }

    /// Keeps the form's unsaved changes in `path` while it has any; a
    /// draft left there by a run that ended without saving is opened again.
    /// Says whether the form opened.
    pub fn keep_drafts_in(&mut self, path: PathBuf) -> Vec<Effect> {
        let left: Option<Draft<Fields>> = match self.storage.read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                log::warn!("{}: {e}", path.display());
                None
            }
            Ok(bytes) => {
                if let Ok(Ok(draft)) =
                    std::str::from_utf8(&bytes).map(ron::from_str::<Draft<Fields>>)
                {
                    (!draft.card.is_empty()).then_some(draft)
                } else {
                    log::warn!(
                        "{}: not a draft of the card form; left as it is",
                        path.display()
                    );
                    None
                }
            }
        };
        let mut effects = Vec::new();
        if let Some(draft) = &left {
            let library = self.state.library();
            let found = library
                .cards
                .iter()
                .position(|c| c.id.as_str() == draft.card && library.file_of(c) == draft.file);
            match found.map(|n| self.open_editor(n)) {
                Some(Ok(mut editor)) => {
                    editor.restore(draft.fields.clone());
                    self.state.take(Outcome::EditorOpened(Ok(Box::new(editor))));
                    effects.push(Effect::FormOpened);
                }
                _ => log::warn!(
                    "an unsaved draft of card {} in {} could not be reopened; it stays in {}",
                    draft.card,
                    draft.file.display(),
                    path.display()
                ),
            }
        }
        self.drafts = Some((path, left));
        effects
    }

    /// Waits for the first load on its thread; when it comes, it is shown
    /// and the watch starts (central folders re-checked every `recheck`).
    pub fn await_first_load(
        &mut self,
        first: Receiver<(Sources, SourcesLoaded)>,
        recheck: Duration,
    ) {
        self.arrivals.first = Some((first, recheck));
    }

    /// Watches the sources' directories (and re-checks central ones every
    /// `recheck`): each change is loaded and indexed on the watch thread,
    /// then taken at the next frame, which it asks for. `soon`: the load
    /// made before settles after this long.
    pub fn watch(&mut self, mut sources: Sources, recheck: Duration, soon: Option<Duration>) {
        let (local, central, mirrors) = sources.watch_paths();
        if local.is_empty() && central.is_empty() {
            return;
        }
        let recheck = (!central.is_empty()).then_some(Recheck {
            every: recheck,
            dirs: central,
            soon,
            mirrors,
        });
        let (tx, rx) = mpsc::channel();
        let wake = self.wake.clone();
        let reload = move || {
            let loaded = sources.load();
            for d in &loaded.loaded.diagnostics {
                log::info!("{d}");
            }
            let again = loaded.again;
            let content = Content::from_sources(loaded);
            if tx.send(content).is_ok()
                && let Some(wake) = &wake
            {
                wake();
            }
            again
        };
        match Watch::start(&local, recheck, reload) {
            Ok((watch, failed)) => {
                for e in failed {
                    log::warn!("{e}; its edits will show after a restart");
                }
                self.arrivals.watching = Some(watch);
                self.arrivals.reloads = Some(rx);
            }
            Err(e) => log::warn!("{e}; edits will show after a restart"),
        }
    }

    /// Takes `event`; returns what the window must do.
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        match event {
            Event::Command(command) => self.command(command),
            Event::Frame { now } => {
                self.now = now;
                self.take_new_content();
                let rang = self.rings.as_mut().is_some_and(|rings| rings() > 0);
                if rang {
                    self.command(Command::Summon)
                } else {
                    Vec::new()
                }
            }
            Event::ContentLoaded(content) => {
                self.state.take(Outcome::Content(content));
                Vec::new()
            }
            Event::HotkeyRegistered(result) => {
                if let Err(why) = &result {
                    log::warn!("no global hotkey: {why}");
                }
                self.state.take(Outcome::Hotkey(result));
                Vec::new()
            }
            Event::Report(text) => {
                self.state.take(Outcome::Report(text));
                Vec::new()
            }
            Event::Save => {
                self.save();
                Vec::new()
            }
        }
    }

    /// Applies `command`, carries out the effects that read or write files
    /// (through [`Storage`]) and returns the window's.
    fn command(&mut self, command: Command) -> Vec<Effect> {
        if let Some(shown) = command.loggable() {
            log::debug!("command {shown}");
        }
        if let Some(log) = &mut self.searches {
            match &command {
                Command::SetQuery(query) => {
                    log.session
                        .queried(query, self.now, &crate::usage::today(), &mut log.pending);
                }
                // Called again: a new situation.
                Command::Summon => log.session.end(&crate::usage::today(), &mut log.pending),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for effect in self.state.handle(command) {
            match effect {
                Effect::OpenEditor(n) => {
                    let opened = self.open_editor(n);
                    if opened.is_ok() {
                        out.push(Effect::FormOpened);
                    }
                    self.state.take(Outcome::EditorOpened(opened.map(Box::new)));
                }
                Effect::OpenNewEditor(n) => {
                    let opened = self.open_new_editor(n);
                    if opened.is_ok() {
                        out.push(Effect::FormOpened);
                    }
                    self.state.take(Outcome::EditorOpened(opened.map(Box::new)));
                }
                Effect::WriteCard { path, read, text } => {
                    let written = self.write_card(&path, &read, &text);
                    if let Err(e) = &written {
                        log::warn!("card not saved: {e}");
                    }
                    self.state.take(Outcome::CardWritten(written));
                }
                Effect::ReadEditFile(path) => {
                    let read = self.storage.read(&path);
                    self.state.take(Outcome::EditFileRead(read));
                }
                Effect::Count(event) => self.count(&event),
                other => out.push(other),
            }
        }
        self.keep_draft();
        // On disk now, with no further input: a logoff or a kill a moment
        // later loses nothing counted.
        if self.save_counts()
            && let Some(courier) = &self.courier
        {
            courier.changed();
        }
        out
    }

    fn count(&mut self, event: &UsageEvent) {
        let today = crate::usage::today();
        if let Some(log) = &mut self.searches
            && let UsageEvent::Opened(card) | UsageEvent::Copied(card, _) = event
        {
            log.session.found(card, &today, &mut log.pending);
        }
        match &mut self.counts {
            Some(counts) => counts.pending.record(event, &today),
            None if matches!(event, UsageEvent::Flagged(..)) => {
                self.state.take(Outcome::Report(
                    "没有保存标记：这台电脑关闭了使用统计（count_usage: false）".into(),
                ));
            }
            None => {}
        }
    }

    /// Puts in what a slow first load or the watcher delivered.
    fn take_new_content(&mut self) {
        if let Some((rx, recheck)) = &self.arrivals.first
            && let Ok((sources, first)) = rx.try_recv()
        {
            let recheck = *recheck;
            self.arrivals.first = None;
            let soon = first.again;
            self.state
                .take(Outcome::Content(Box::new(Content::from_sources(first))));
            self.watch(sources, recheck, soon);
        }
        let newest = self
            .arrivals
            .reloads
            .as_ref()
            .and_then(|rx| rx.try_iter().last());
        if let Some(content) = newest {
            self.state.take(Outcome::Content(Box::new(content)));
        }
    }

    /// Writes `text` to `path` if it still holds `read` and `text` reads
    /// as content without errors.
    fn write_card(&self, path: &Path, read: &[u8], text: &str) -> Result<(), EditError> {
        let now = match self.storage.read(path) {
            Ok(bytes) => bytes,
            // A new file (an override's): nothing there yet, as when read.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(EditError::Write {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        if now != read {
            return Err(EditError::Changed);
        }
        crate::content::edit::validate(path, text).map_err(EditError::Invalid)?;
        self.storage
            .write(path, text.as_bytes())
            .map_err(|source| EditError::Write {
                path: path.display().to_string(),
                source,
            })
    }

    /// The file of `card`, if the form may write it.
    fn writable_file_of(&self, card: &Card) -> Result<PathBuf, OpenError> {
        let file = self.state.library().file_of(card);
        let builtin = file.starts_with(crate::content::BUILTIN_PREFIX);
        let writable = !builtin
            && self
                .writable
                .iter()
                .any(|d| file.starts_with(d) || file == d);
        if writable {
            Ok(file.to_path_buf())
        } else if builtin {
            Err(OpenError::Builtin)
        } else {
            Err(OpenError::NotWritable(file.to_path_buf()))
        }
    }

    fn read(&self, path: &Path) -> Result<Vec<u8>, OpenError> {
        self.storage.read(path).map_err(|source| OpenError::Read {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The form for card `n`, if its file may be written; else, with a
    /// `Local` directory, the form for an override of it there.
    fn open_editor(&self, n: usize) -> Result<Editor, OpenError> {
        let library = self.state.library();
        let card = library.cards.get(n).ok_or(OpenError::NoCard)?;
        let file = match (self.writable_file_of(card), &self.overrides) {
            (Ok(file), _) => file,
            (Err(_), Some(_)) if card.meta.locked => return Err(OpenError::Locked),
            (Err(_), Some(local)) => {
                let file = local.join(OVERRIDES_FILE);
                let read = match self.storage.read(&file) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                    Err(source) => return Err(OpenError::Read { path: file, source }),
                };
                return Ok(Editor::override_card(card.clone(), file, read));
            }
            (Err(why), None) => return Err(why),
        };
        let read = self.read(&file)?;
        Ok(Editor::open(card.clone(), file, read)?
            .replacing(library.shadowed.get(&card.id).cloned()))
    }

    /// The form for a new card in card `n`'s section, if its file may be
    /// written.
    fn open_new_editor(&self, n: usize) -> Result<Editor, OpenError> {
        let library = self.state.library();
        let card = library.cards.get(n).ok_or(OpenError::NoCard)?;
        let file = self.writable_file_of(card)?;
        // The section's place among the file's sections.
        let section = (0..card.section)
            .filter(|&s| library.files[library.chapters[library.sections[s].chapter].file] == file)
            .count();
        let read = self.read(&file)?;
        Ok(Editor::new_card(file, read, section))
    }

    /// Writes or removes the draft file as the form's changes stand.
    fn keep_draft(&mut self) {
        let Some((path, kept)) = &mut self.drafts else {
            return;
        };
        let now = self.state.editor().filter(|e| e.changed()).map(|e| Draft {
            file: e.file.clone(),
            card: e.card.id.as_str().to_owned(),
            fields: e.fields.clone(),
        });
        if now == *kept {
            return;
        }
        let done = match &now {
            Some(draft) => crate::persist::store::text(draft)
                .map_err(std::io::Error::other)
                .and_then(|text| self.storage.write(path, text.as_bytes())),
            None => self.storage.remove(path),
        };
        match done {
            Ok(()) => *kept = now,
            Err(e) => log::warn!("{}: {e}", path.display()),
        }
    }

    /// Writes what changed: the settings file, and this run's new usage
    /// counts and searches (added to their files).
    fn save(&mut self) {
        self.save_settings();
        self.save_counts();
    }

    fn save_settings(&mut self) {
        if let Some((path, saved)) = &mut self.settings_file
            && *saved != self.state.settings
        {
            let written = crate::persist::store::text(&self.state.settings)
                .map_err(std::io::Error::other)
                .and_then(|text| self.storage.write(path, text.as_bytes()));
            match written {
                Ok(()) => saved.clone_from(&self.state.settings),
                Err(e) => log::warn!("{}: {e}", path.display()),
            }
        }
    }

    /// Adds the usage counts and searches not written yet to their files;
    /// whether any were.
    fn save_counts(&mut self) -> bool {
        let mut any = false;
        if let Some(log) = &mut self.searches
            && !log.pending.days.is_empty()
            && added(self.storage.add(&log.path, Counted::Searches(&log.pending)))
        {
            log.pending = Searches::default();
            any = true;
        }
        if let Some(counts) = &mut self.counts
            && !counts.pending.is_empty()
            && added(
                self.storage
                    .add(&counts.path, Counted::Usage(&counts.pending)),
            )
        {
            counts.pending = Usage::default();
            any = true;
        }
        any
    }
}

/// The runtime of a window on this computer's files.
impl From<AppState> for Runtime {
    fn from(state: AppState) -> Self {
        Self::new(state, Box::new(crate::persist::Disk))
    }
}

/// Logs what adding counts to their file came to (a damaged file's
/// message, or why they were not added); whether they were added.
fn added(result: Result<Option<String>, crate::persist::StoreError>) -> bool {
    match result {
        Ok(message) => {
            if let Some(m) = message {
                log::warn!("{m}");
            }
            true
        }
        Err(e) => {
            log::warn!("{e}");
            false
        }
    }
}

/// A panic unwinding through the window, or the window closing: the
/// search going on ends, and what was not saved yet is saved now.
impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(log) = &mut self.searches {
            log.session.end(&crate::usage::today(), &mut log.pending);
        }
        self.save();
        if let Some(courier) = &self.courier {
            courier.flush(CLOSING_SEND);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::app::editor::FormEdit;
    use crate::content::{Loaded, LoadedFrom};

    /// Files in memory, shared with the test that looks at them.
    #[derive(Clone, Default)]
    struct Memory {
        files: Arc<Mutex<BTreeMap<PathBuf, Vec<u8>>>>,
        usage: Arc<Mutex<Usage>>,
        searches: Arc<Mutex<Searches>>,
    }

    impl Memory {
        fn with(path: &str, text: &str) -> Self {
            let memory = Self::default();
            memory.put(path, text);
            memory
        }

        fn put(&self, path: &str, text: &str) {
            self.files
                .lock()
                .unwrap()
                .insert(PathBuf::from(path), text.as_bytes().to_vec());
        }

        fn text(&self, path: &str) -> Option<String> {
            let files = self.files.lock().unwrap();
            let bytes = files.get(Path::new(path))?;
            Some(String::from_utf8(bytes.clone()).unwrap())
        }
    }

    impl Storage for Memory {
        fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
            self.files
                .lock()
                .unwrap()
                .get(path)
                .cloned()
                .ok_or_else(|| std::io::ErrorKind::NotFound.into())
        }

        fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
            self.files
                .lock()
                .unwrap()
                .insert(path.to_path_buf(), bytes.to_vec());
            Ok(())
        }

        fn remove(&self, path: &Path) -> std::io::Result<()> {
            self.files.lock().unwrap().remove(path);
            Ok(())
        }

        fn add(
            &self,
            _path: &Path,
            new: Counted<'_>,
        ) -> Result<Option<String>, crate::persist::StoreError> {
            use crate::usage::Tally as _;
            match new {
                Counted::Usage(usage) => self.usage.lock().unwrap().add(usage),
                Counted::Searches(searches) => self.searches.lock().unwrap().add(searches),
            }
            Ok(None)
        }
    }

    const CARDS: &str = "cards/01.ron";
    const CHAPTER: &str = "Chapter(sections: [Section(cards: [\n    Card(id: \"wrong-queue-ticket\", title: \"客户取号错误\", steps: [Step(action: \"道歉。\", scripts: [\"对不起，让您久等了。\"])]),\n    Card(id: \"teller-unskilled\", title: \"柜员业务不熟练\", steps: [Step(action: \"安抚。\")]),\n])])\n";

    /// `cards/01.ron` holding `text`, loaded.
    fn loaded(text: &[u8]) -> Loaded {
        let mut diagnostics = Vec::new();
        let library =
            crate::content::build(&[(PathBuf::from(CARDS), text.to_vec())], &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        Loaded {
            library,
            diagnostics,
            file_count: 1,
            origin: LoadedFrom::Dirs(vec![PathBuf::from("cards")]),
            kept: Vec::new(),
        }
    }

    /// A runtime over `storage`'s `cards/01.ron`.
    fn runtime(storage: &Memory) -> Runtime {
        let bytes = storage.read(Path::new(CARDS)).unwrap();
        Runtime::new(
            AppState::new(loaded(&bytes), Settings::default()),
            Box::new(storage.clone()),
        )
    }

    fn command(runtime: &mut Runtime, command: Command) -> Vec<Effect> {
        runtime.handle(Event::Command(command))
    }

    /// 客户取号错误 opened.
    fn opened(runtime: &mut Runtime) {
        command(runtime, Command::SetQuery("取号".into()));
        command(runtime, Command::OpenSelected);
        assert_eq!(runtime.state().shown_card().unwrap().title, "客户取号错误");
    }

    #[test]
    fn the_form_opens_edits_and_writes_the_card_through_storage() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        rt.edit_in(vec![PathBuf::from("cards")]);
        opened(&mut rt);
        assert_eq!(command(&mut rt, Command::Edit), [Effect::FormOpened]);
        command(
            &mut rt,
            Command::EditForm(FormEdit::Title("客户拿错号".into())),
        );
        assert!(command(&mut rt, Command::SaveEdit).is_empty());
        assert!(rt.state().editor().is_none(), "closed once written");
        let text = storage.text(CARDS).unwrap();
        assert!(text.contains("title: \"客户拿错号\""), "{text}");
        assert!(text.contains("teller-unskilled"), "the other card stays");
    }

    #[test]
    fn a_file_changed_meanwhile_is_not_overwritten_and_f5_goes_on_from_it() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        rt.edit_in(vec![PathBuf::from("cards")]);
        opened(&mut rt);
        command(&mut rt, Command::Edit);
        command(
            &mut rt,
            Command::EditForm(FormEdit::Title("客户拿错号".into())),
        );
        let theirs = CHAPTER.replace("安抚。", "先安抚客户。");
        storage.put(CARDS, &theirs);
        command(&mut rt, Command::SaveEdit);
        let editor = rt.state().editor().unwrap();
        assert!(editor.stale);
        assert_eq!(storage.text(CARDS).unwrap(), theirs, "theirs kept");
        command(&mut rt, Command::ReloadEdit);
        command(&mut rt, Command::SaveEdit);
        let text = storage.text(CARDS).unwrap();
        assert!(
            text.contains("客户拿错号") && text.contains("先安抚客户。"),
            "{text}"
        );
    }

    #[test]
    fn a_card_not_writable_here_opens_as_an_override_or_says_why() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        opened(&mut rt);
        assert!(command(&mut rt, Command::Edit).is_empty());
        let said = rt.state().notice().unwrap().text.clone();
        assert!(said.contains("不能在这里改"), "{said}");
        rt.override_in(PathBuf::from("branch"));
        assert_eq!(command(&mut rt, Command::Edit), [Effect::FormOpened]);
        command(
            &mut rt,
            Command::EditForm(FormEdit::Title("客户取号错误（本行）".into())),
        );
        command(&mut rt, Command::SaveEdit);
        let written = storage.text(&format!("branch/{OVERRIDES_FILE}")).unwrap();
        assert!(written.contains("客户取号错误（本行）"));
        assert!(written.contains("based_on: \""), "{written}");
        assert_eq!(
            storage.text(CARDS).unwrap(),
            CHAPTER,
            "the original untouched"
        );
    }

    #[test]
    fn unsaved_changes_are_kept_as_a_draft_and_come_back() {
        let storage = Memory::with(CARDS, CHAPTER);
        let draft = "state/draft.ron";
        let mut rt = runtime(&storage);
        rt.edit_in(vec![PathBuf::from("cards")]);
        assert!(rt.keep_drafts_in(PathBuf::from(draft)).is_empty());
        opened(&mut rt);
        command(&mut rt, Command::Edit);
        assert_eq!(storage.text(draft), None, "no changes, no draft");
        command(
            &mut rt,
            Command::EditForm(FormEdit::Title("客户拿错号".into())),
        );
        assert!(storage.text(draft).unwrap().contains("客户拿错号"));
        // Gone without saving (a crash: no drop), then started again.
        std::mem::forget(rt);
        let mut rt = runtime(&storage);
        rt.edit_in(vec![PathBuf::from("cards")]);
        assert_eq!(
            rt.keep_drafts_in(PathBuf::from(draft)),
            [Effect::FormOpened]
        );
        assert_eq!(rt.state().editor().unwrap().fields.title, "客户拿错号");
        command(&mut rt, Command::SaveEdit);
        assert_eq!(storage.text(draft), None, "saved: the draft goes");
        assert!(storage.text(CARDS).unwrap().contains("客户拿错号"));
    }

    /// Counted, and on disk at once: nothing waits for a save or a key.
    #[test]
    fn openings_and_copies_are_written_as_they_happen() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        rt.count_usage(PathBuf::from("state/usage.ron"));
        opened(&mut rt);
        let effects = command(&mut rt, Command::CopyScript(0));
        assert!(effects.contains(&Effect::CopyText("对不起，让您久等了。".into())));
        let usage = storage.usage.lock().unwrap().clone();
        let (_, cards) = usage.days.iter().next().unwrap();
        let counts = &cards[&crate::model::CardId::parse("wrong-queue-ticket").unwrap()];
        assert_eq!((counts.opened, counts.copied.get(&0)), (1, Some(&1)));
        // Saved once: a second save adds nothing.
        rt.handle(Event::Save);
        assert_eq!(*storage.usage.lock().unwrap(), usage);
    }

    #[test]
    fn the_search_log_keeps_the_query_with_the_card_found() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        rt.log_searches(PathBuf::from("state/searches.ron"));
        rt.handle(Event::Frame { now: 1.0 });
        command(&mut rt, Command::SetQuery("票不对".into()));
        rt.handle(Event::Frame { now: 3.0 });
        command(&mut rt, Command::SetQuery("取号".into()));
        command(&mut rt, Command::OpenSelected);
        drop(rt);
        let searches = storage.searches.lock().unwrap().clone();
        let kept: Vec<(&str, Option<&str>)> = searches
            .days
            .values()
            .flatten()
            .map(|s| {
                (
                    s.query.as_str(),
                    s.card.as_ref().map(crate::model::CardId::as_str),
                )
            })
            .collect();
        assert!(
            kept.contains(&("取号", Some("wrong-queue-ticket"))),
            "{kept:?}"
        );
        assert!(
            kept.contains(&("票不对", Some("wrong-queue-ticket"))),
            "{kept:?}"
        );
    }

    #[test]
    fn a_ring_of_the_bell_brings_the_window_forward_with_the_query_selected() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        let (tx, rx) = mpsc::channel::<()>();
        rt.summoned_by(move || rx.try_iter().count());
        assert!(rt.handle(Event::Frame { now: 0.0 }).is_empty(), "no ring");
        tx.send(()).unwrap();
        let effects = rt.handle(Event::Frame { now: 0.1 });
        assert!(effects.contains(&Effect::RaiseWindow), "{effects:?}");
        assert!(effects.contains(&Effect::SelectSearch), "{effects:?}");
    }

    #[test]
    fn content_from_the_watcher_is_taken_at_the_next_frame() {
        let storage = Memory::with(CARDS, CHAPTER);
        let mut rt = runtime(&storage);
        let (tx, rx) = mpsc::channel();
        rt.arrivals.reloads = Some(rx);
        let changed = CHAPTER.replace("柜员业务不熟练", "柜员业务不熟练（新版）");
        tx.send(Content::new(loaded(changed.as_bytes()))).unwrap();
        assert_eq!(rt.state().library().cards[1].title, "柜员业务不熟练");
        rt.handle(Event::Frame { now: 0.0 });
        assert_eq!(
            rt.state().library().cards[1].title,
            "柜员业务不熟练（新版）"
        );
    }
}
