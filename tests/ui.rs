//! The counter window in an `egui_kittest` harness: no display, no system
//! fonts (so a missing glyph panics: the bundled CJK font must be used).

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::PathBuf;
use std::sync::mpsc;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui::{ViewportCommand, WindowLevel};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use huashu::app::{AppState, Content, Event, Focus, Group, Settings};
use huashu::content;
use huashu::ui::HuashuApp;

/// The window on the fixture cards (a copy of the seed content).
fn harness_with(settings: Settings, width: f32) -> Harness<'static, HuashuApp> {
    harness_fed(settings, width, mpsc::channel().1)
}

/// The same, taking new content from `reloads` between frames, as from the
/// watch thread.
fn harness_fed(
    settings: Settings,
    width: f32,
    reloads: mpsc::Receiver<Content>,
) -> Harness<'static, HuashuApp> {
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    assert_eq!(loaded.error_count(), 0);
    let app = HuashuApp::new(AppState::new(loaded, settings));
    let mut harness = Harness::builder().with_size([width, 760.0]).build_ui_state(
        move |ui, app: &mut HuashuApp| {
            outputs::record(ui.ctx());
            for content in reloads.try_iter() {
                app.runtime_mut()
                    .handle(Event::ContentLoaded(Box::new(content)));
            }
            app.show(ui);
        },
        app,
    );
    // A character no font has fails the test instead of drawing a box.
    harness
        .ctx
        .set_missing_glyph_policy(egui::MissingGlyphPolicy::Panic);
    harness.run();
    harness
}

fn harness() -> Harness<'static, HuashuApp> {
    harness_with(Settings::default(), 1000.0)
}

fn type_query(harness: &mut Harness<'_, HuashuApp>, text: &str) {
    harness.get_by_role(Role::TextInput).type_text(text);
    harness.run();
}

fn shown_title(harness: &Harness<'_, HuashuApp>) -> String {
    harness.state().state().shown_card().unwrap().title.clone()
}

#[path = "support/outputs.rs"]
mod outputs;

fn copied(harness: &Harness<'_, HuashuApp>) -> Vec<String> {
    outputs::copied(&harness.ctx)
}

/// Whether the window asked the system for `command`.
fn asked_for(harness: &Harness<'_, HuashuApp>, command: &ViewportCommand) -> bool {
    outputs::viewport(&harness.ctx).contains(command)
}

#[test]
fn starts_with_the_search_box_focused_and_a_placeholder() {
    let harness = harness();
    let search = harness.get_by_role(Role::TextInput);
    assert!(search.is_focused());
    assert_eq!(
        search.accesskit_node().placeholder(),
        Some(huashu::ui::PLACEHOLDER)
    );
}

#[test]
fn typing_pinyin_initials_selects_the_card() {
    let mut harness = harness();
    type_query(&mut harness, "qhcw");
    let state = harness.state().state();
    assert_eq!(state.query(), "qhcw");
    assert_eq!(state.selected(), Some(0));
    assert_eq!(shown_title(&harness), "客户取号错误");
    // The card is on screen: title, steps, scripts.
    harness.get_by_label("复制 (Alt+1)");
    harness.get_by_label("复制 (Alt+2)");
}

#[test]
fn down_then_enter_opens_the_next_hit() {
    let mut harness = harness();
    type_query(&mut harness, "柜员");
    let second = harness.state().state().rows()[1].card;
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::Enter);
    harness.run();
    let state = harness.state().state();
    assert_eq!(state.shown(), Some(second));
    assert_eq!(state.focus(), Focus::Card);
    let id = &state.library().cards[second].id;
    assert_eq!(state.settings.recents.first(), Some(id));
    // The search box keeps the keyboard: typing goes on searching.
    assert!(harness.get_by_role(Role::TextInput).is_focused());
}

#[test]
fn copy_button_and_alt_2_copy_the_exact_second_script() {
    let expected = "等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?";
    let mut harness = harness();
    type_query(&mut harness, "qhcw");
    harness.get_by_label("复制 (Alt+2)").click();
    harness.run();
    assert_eq!(copied(&harness), [expected]);
    assert!(harness.query_by_label_contains("已复制 话术 2").is_some());

    outputs::clear(&harness.ctx);
    // As X11 delivers it: the key, and the digit as text.
    harness.key_down_modifiers(Modifiers::ALT, Key::Num2);
    harness.event_modifiers(egui::Event::Text("2".into()), Modifiers::ALT);
    harness.key_up_modifiers(Modifiers::ALT, Key::Num2);
    harness.run();
    assert_eq!(copied(&harness), [expected]);
    assert_eq!(
        harness.state().state().query(),
        "qhcw",
        "the digit is not typed"
    );
}

#[test]
fn theme_button_cycles_the_themes() {
    let mut harness = harness();
    harness.get_by_label("主题：浅色").click();
    harness.run();
    assert_eq!(
        harness.state().state().settings.theme,
        huashu::app::Theme::Dark
    );
    harness.get_by_label("主题：深色").click();
    harness.run();
    assert_eq!(
        harness.state().state().settings.theme,
        huashu::app::Theme::HighContrast
    );
}

#[test]
fn fill_in_choice_is_copied() {
    let mut harness = harness();
    type_query(&mut harness, "冒用");
    assert_eq!(shown_title(&harness), "客户冒用他人证件");
    // The choices are inline; the default is chosen; pick the other.
    let card = harness.state().state().shown().unwrap();
    assert_eq!(harness.state().state().fill(card, "称呼"), Some("先生"));
    harness.get_by_label("女士").scroll_to_me();
    harness.run();
    harness.get_by_label("女士").click();
    harness.run();
    harness.key_press_modifiers(Modifiers::ALT, Key::Num3);
    harness.run();
    assert_eq!(
        copied(&harness),
        ["女士,你是我们的贵宾卡。请和我一起去贵宾区。我给你倒杯水,给你一些零食。"]
    );
}

#[test]
fn pin_toggle_sets_the_window_level() {
    let mut harness = harness();
    harness.get_by_label("○ 置顶").click();
    harness.run();
    assert!(harness.state().state().settings.pinned);
    assert!(asked_for(
        &harness,
        &ViewportCommand::WindowLevel(WindowLevel::AlwaysOnTop)
    ));
    outputs::clear(&harness.ctx);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::T);
    harness.run();
    assert!(!harness.state().state().settings.pinned);
    assert!(asked_for(
        &harness,
        &ViewportCommand::WindowLevel(WindowLevel::Normal)
    ));
}

#[test]
fn pinned_at_start_is_applied_after_the_first_frame() {
    let settings = Settings {
        pinned: true,
        ..Settings::default()
    };
    let harness = harness_with(settings, 1000.0);
    assert!(asked_for(
        &harness,
        &ViewportCommand::WindowLevel(WindowLevel::AlwaysOnTop)
    ));
}

#[test]
fn esc_clears_the_query_then_returns_to_the_list() {
    let mut harness = harness();
    type_query(&mut harness, "差评");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().state().focus(), Focus::Card);
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().state().query(), "");
    assert_eq!(harness.state().state().focus(), Focus::List);
    assert!(harness.get_by_role(Role::TextInput).is_focused());
}

#[test]
fn starred_card_comes_first_on_the_empty_query() {
    let mut harness = harness();
    type_query(&mut harness, "口罩");
    harness.get_by_label("☆ 收藏").click();
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    let state = harness.state().state();
    assert_eq!(state.rows()[0].group, Group::Favourite);
    assert_eq!(
        state.library().cards[state.rows()[0].card].title,
        "客户不配合证件核实"
    );
    harness.get_by_label("★ 收藏");
}

#[test]
fn draft_card_shows_its_badge_and_note() {
    let mut harness = harness();
    type_query(&mut harness, "zjhs");
    assert_eq!(shown_title(&harness), "客户不配合证件核实");
    harness.get_by_label("草稿 · 未审核");
    assert!(harness.query_by_label_contains("不摘也可以核对").is_some());
}

#[test]
fn no_results_says_so_and_suggests_pinyin() {
    let mut harness = harness();
    type_query(&mut harness, "飞机");
    assert!(harness.query_by_label_contains("没有找到卡片").is_some());
    assert!(harness.query_by_label_contains("拼音首字母").is_some());
}

#[test]
fn every_card_renders_without_missing_glyphs() {
    // The harness panics on a glyph no loaded font has.
    let mut harness = harness();
    let cards = harness.state().state().rows().len();
    for _ in 0..cards {
        harness.key_press(Key::ArrowDown);
        harness.run();
    }
    assert_eq!(harness.state().state().selected(), Some(cards - 1));
}

#[test]
fn narrow_window_shows_search_and_card_only() {
    let mut harness = harness_with(Settings::default(), 480.0);
    type_query(&mut harness, "柜员");
    let hits = harness.state().state().rows().len();
    assert!(hits > 2);
    assert!(
        harness
            .query_by_label_contains(&format!("1 / {hits}"))
            .is_some()
    );
    // No result list: the other hits' titles are not on screen.
    assert!(harness.query_by_label("柜员未办理相关业务").is_none());
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert!(
        harness
            .query_by_label_contains(&format!("2 / {hits}"))
            .is_some()
    );
    assert_eq!(shown_title(&harness), "柜员未办理相关业务");
}

#[test]
fn zoom_keys_change_and_remember_the_text_size() {
    let mut harness = harness();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Equals);
    harness.run();
    let zoom = harness.state().state().settings.zoom;
    assert!((zoom - 1.1).abs() < 1e-6, "{zoom}");
    assert!((harness.ctx.zoom_factor() - 1.1).abs() < 1e-6);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    harness.run();
    assert!((harness.state().state().settings.zoom - 1.0).abs() < 1e-6);
}

#[test]
fn idle_window_asks_for_no_repaint() {
    let mut harness = harness();
    type_query(&mut harness, "qhcw");
    // Focused search box, nothing happening: no timer (no cursor blink).
    harness.run();
    let delay = harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .map(|v| v.repaint_delay);
    assert_eq!(delay, Some(std::time::Duration::MAX));
    assert!(harness.get_by_role(Role::TextInput).is_focused());
}

#[test]
fn after_clicking_a_row_typing_still_searches() {
    let mut harness = harness();
    harness.get_by_label("柜员业务不熟练").click();
    harness.run();
    assert_eq!(shown_title(&harness), "柜员业务不熟练");
    assert_eq!(harness.state().state().focus(), Focus::Card);
    harness.get_by_role(Role::TextInput).type_text("zjhs");
    harness.run();
    assert_eq!(harness.state().state().query(), "zjhs");
    assert_eq!(shown_title(&harness), "客户不配合证件核实");
}

#[test]
fn links_open_the_related_card() {
    let mut harness = harness();
    type_query(&mut harness, "zjhs");
    harness.get_by_label("→ 客户冒用他人证件").scroll_to_me();
    harness.run();
    harness.get_by_label("→ 客户冒用他人证件").click();
    harness.run();
    assert_eq!(shown_title(&harness), "客户冒用他人证件");
    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(harness.state().state().query(), "");
}

/// A copy of the fixture cards that a test can edit, and a loader on it.
struct Editable {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    loader: content::Loader,
}

impl Editable {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir("tests/fixtures/ui").unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, tmp.path().join(path.file_name().unwrap())).unwrap();
        }
        let dir = tmp.path().to_path_buf();
        let mut loader = content::Loader::default();
        loader.load(std::slice::from_ref(&dir));
        Self {
            _tmp: tmp,
            dir,
            loader,
        }
    }

    fn edit(&mut self, file: &str, from: &str, to: &str) -> Content {
        let path = self.dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from));
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        Content::new(self.loader.load(std::slice::from_ref(&self.dir)))
    }

    fn remove(&mut self, file: &str) -> Content {
        std::fs::remove_file(self.dir.join(file)).unwrap();
        Content::new(self.loader.load(std::slice::from_ref(&self.dir)))
    }
}

/// A harness that takes new content from the returned sender, as from the
/// watch thread.
fn reloadable() -> (Harness<'static, HuashuApp>, mpsc::Sender<Content>) {
    let (tx, rx) = mpsc::channel();
    (harness_fed(Settings::default(), 1000.0, rx), tx)
}

const BUSINESS: &str = "04-business-area.ron";

#[test]
fn new_content_replaces_the_card_on_screen() {
    let (mut harness, tx) = reloadable();
    let mut files = Editable::new();
    type_query(&mut harness, "gyb");
    assert_eq!(shown_title(&harness), "柜员业务不熟练");
    tx.send(files.edit(BUSINESS, "\"柜员业务不熟练\"", "\"柜员业务不熟练（新版）\""))
        .unwrap();
    harness.run();
    assert_eq!(shown_title(&harness), "柜员业务不熟练（新版）");
    // In the list and as the card's title.
    assert_eq!(
        harness.get_all_by_label("柜员业务不熟练（新版）").count(),
        2
    );
    assert_eq!(harness.state().state().query(), "gyb", "the query stays");
}

#[test]
fn a_card_that_disappears_falls_back_to_the_list() {
    let (mut harness, tx) = reloadable();
    let mut files = Editable::new();
    harness.get_by_label("柜员业务不熟练").click();
    harness.run();
    assert_eq!(harness.state().state().focus(), Focus::Card);
    tx.send(files.remove(BUSINESS)).unwrap();
    harness.run();
    let state = harness.state().state();
    assert_eq!(state.focus(), Focus::List);
    assert_eq!(state.library().cards.len(), 1);
    assert_eq!(shown_title(&harness), "客户取号错误");
}

#[test]
fn a_broken_file_shows_the_problems_and_keeps_the_old_card_until_fixed() {
    let (mut harness, tx) = reloadable();
    let mut files = Editable::new();
    harness.get_by_label("内容有 1 条提示");
    type_query(&mut harness, "gyb");

    tx.send(files.edit(
        BUSINESS,
        "\"柜员业务不熟练\",",
        "\"柜员业务不熟练（新版）\"，",
    ))
    .unwrap();
    harness.run();
    assert_eq!(
        shown_title(&harness),
        "柜员业务不熟练",
        "the old card stays"
    );
    harness.get_by_label("⚠ 内容有 2 个问题");

    // F8 opens the list: location, message, the line.
    harness.key_press(Key::F8);
    harness.run();
    assert!(harness.state().state().problems_open());
    harness.get_by_label("内容问题：1 个错误，1 条提示");
    let location = format!("{}:12:41", files.dir.join(BUSINESS).display());
    harness.get_by_label(&location);
    harness.get_by_label_contains("这里不能用中文标点");
    harness.get_by_label_contains("title: \"柜员业务不熟练（新版）\"，");

    // Esc closes it, F8 opens it again; the fix clears it by itself.
    harness.key_press(Key::Escape);
    harness.run();
    assert!(!harness.state().state().problems_open());
    assert_eq!(
        harness.state().state().query(),
        "gyb",
        "Esc only closed the list"
    );
    harness.key_press(Key::F8);
    harness.run();
    tx.send(files.edit(
        BUSINESS,
        "\"柜员业务不熟练（新版）\"，",
        "\"柜员业务不熟练（修好）\",",
    ))
    .unwrap();
    harness.run();
    assert_eq!(shown_title(&harness), "柜员业务不熟练（修好）");
    assert!(
        harness
            .query_by_label_contains("这里不能用中文标点")
            .is_none()
    );
    assert!(harness.query_by_label("⚠ 内容有 2 个问题").is_none());
    harness.get_by_label("内容问题：0 个错误，1 条提示");
}

#[test]
fn offline_copy_shows_a_calm_banner_until_the_source_is_back() {
    let (mut harness, tx) = reloadable();
    let loaded = || content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
    let banner = "离线副本 · 更新于 2026-11-28 09:14";
    tx.send(Content::new(loaded()).with_banner(Some(banner.into())))
        .unwrap();
    harness.run();
    harness.get_by_label(banner);
    assert_eq!(harness.state().state().library().cards.len(), 7);
    assert!(
        harness.query_by_label_contains("⚠").is_none(),
        "not an alarm"
    );
    tx.send(Content::new(loaded())).unwrap();
    harness.run();
    assert!(harness.query_by_label(banner).is_none());
}

#[test]
fn a_damaged_settings_file_is_kept_aside_and_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.ron");
    std::fs::write(&file, "(zoom: 1.5, theme: Purple").unwrap();
    let (settings, message) = huashu::ui::read_settings(&file, None);
    assert_eq!(settings, Settings::default());
    assert!(message.unwrap().contains("settings.ron.bak"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("settings.ron.bak")).unwrap(),
        "(zoom: 1.5, theme: Purple"
    );
    assert_eq!(huashu::ui::read_settings(&file, None).1, None, "once");

    // Saved atomically when they change, and read back.
    let mut app = HuashuApp::new(AppState::new(
        content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]),
        settings,
    ));
    app.runtime_mut().keep_settings_in(file.clone());
    let mut harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::T);
    harness.run();
    eframe::App::save(harness.state_mut(), &mut NoStorage);
    let (read, message) = huashu::ui::read_settings(&file, None);
    assert!(read.pinned);
    assert_eq!(message, None);
}

/// eframe's storage that must not be written to.
struct NoStorage;

impl eframe::Storage for NoStorage {
    fn get_string(&self, _: &str) -> Option<String> {
        None
    }
    fn set_string(&mut self, _: &str, _: String) {
        panic!("settings go to their own file");
    }
    fn remove_string(&mut self, _: &str) {}
    fn flush(&mut self) {}
}

#[test]
fn no_cards_at_all_says_so_rather_than_no_match() {
    let (mut harness, tx) = reloadable();
    tx.send(Content::new(content::Loaded::empty()).with_banner(Some("正在读取内容……".into())))
        .unwrap();
    harness.run();
    harness.get_by_label("还没有卡片");
    harness.get_by_label("正在读取内容……");
    assert!(harness.query_by_label("没有找到卡片").is_none());
}

/// The window on cards with names outside the bundled font (喆 堃 昇 玥 垚
/// 赟), with a candidate list of system fonts.
fn rare_names_harness(fonts: &'static [&'static str]) -> Harness<'static, HuashuApp> {
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/fonts")]);
    assert_eq!(loaded.error_count(), 0);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.fallback_fonts(fonts);
    let harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness
        .ctx
        .set_missing_glyph_policy(egui::MissingGlyphPolicy::Panic);
    harness
}

/// With a system Chinese font (Noto Sans CJK here; `.ci/run` installs it),
/// names outside the bundled font render; without one, the missing glyph
/// fails the test — so the fallback is what makes them render.
#[test]
fn characters_outside_the_bundled_font_use_a_system_font() {
    let without = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut harness = rare_names_harness(&[]);
        harness.run();
    }));
    assert!(
        without.is_err(),
        "without a fallback the glyphs are missing"
    );

    if !huashu::glyphs::system_cjk_fonts()
        .iter()
        .any(|f| std::path::Path::new(f).exists())
    {
        // `.ci/run` installs one, so CI always runs the rest.
        eprintln!(
            "SKIPPED the fallback half: no system Chinese font (apt-get install fonts-noto-cjk)"
        );
        return;
    }
    let mut harness = rare_names_harness(huashu::glyphs::system_cjk_fonts());
    harness.run();
    harness.get_by_role(Role::TextInput).type_text("王喆");
    harness.run();
    assert_eq!(
        harness.state().state().shown_card().unwrap().title,
        "客户王喆的证件核对"
    );
    assert_eq!(harness.state().state().missing_glyphs().len(), 6);
}

/// Called from another program (the hotkey, or a second start) while a
/// card is open and the keyboard is on a button: the window is raised and
/// the search box gets the keyboard with its text selected, so what is
/// typed next replaces the old query.
#[test]
fn a_summons_selects_the_query_so_typing_replaces_it() {
    let mut harness = harness();
    type_query(&mut harness, "qhcw");
    harness.key_press(Key::Enter);
    harness.key_press(Key::Tab);
    harness.run();
    assert!(!harness.get_by_role(Role::TextInput).is_focused());
    let (tx, rings) = mpsc::channel();
    harness
        .state_mut()
        .runtime_mut()
        .summoned_by(move || rings.try_iter().count());
    outputs::clear(&harness.ctx);
    tx.send(huashu::summon::Summon::Hotkey).unwrap();
    harness.run();
    let asked = outputs::viewport(&harness.ctx);
    assert!(asked.contains(&ViewportCommand::Focus), "{asked:?}");
    assert!(harness.get_by_role(Role::TextInput).is_focused());
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("chaping".into()));
    harness.run();
    assert_eq!(harness.state().state().query(), "chaping");
    assert_eq!(shown_title(&harness), "客户给柜员差评");
}

/// Without a summons the same typing goes on after the old query: the
/// selection above is the summons' doing.
#[test]
fn without_a_summons_typing_adds_to_the_query() {
    let mut harness = harness();
    type_query(&mut harness, "qhcw");
    harness
        .input_mut()
        .events
        .push(egui::Event::Text("x".into()));
    harness.run();
    assert_eq!(harness.state().state().query(), "qhcwx");
}

/// The status bar names the hotkey, or says why there is none.
#[test]
fn the_status_bar_names_the_hotkey_or_why_there_is_none() {
    for (status, shown) in [
        (Ok(huashu::hotkey::DEFAULT), "Ctrl+Alt+H 呼出"),
        (
            Err(huashu::hotkey::HotkeyError::Refused(
                "Ctrl+Alt+H 已经被其他程序占用".to_owned(),
            )),
            "⚠ 全局快捷键不可用：Ctrl+Alt+H 已经被其他程序占用",
        ),
    ] {
        let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/ui")]);
        let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
        app.runtime_mut().handle(Event::HotkeyRegistered(status));
        let mut harness = Harness::builder()
            .with_size([1000.0, 760.0])
            .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
        harness.run();
        harness.get_by_label(shown);
    }
}

/// A central file is truncated, rewritten in 2 KB chunks, and deleted then
/// restored while the window watches the folder: no frame shows fewer
/// cards, a problem or the offline banner; the new text shows once the
/// folder has settled.
#[test]
fn a_central_folder_being_rewritten_never_shows_fewer_cards() {
    use huashu::content::sources::{SourceSpec, Sources};
    use std::time::{Duration, Instant};

    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    std::fs::create_dir_all(&central).unwrap();
    for name in ["00-earlier-chapter.ron", "04-business-area.ron"] {
        std::fs::copy(PathBuf::from("data").join(name), central.join(name)).unwrap();
    }
    let settle = Duration::from_millis(300);
    let mut sources = Sources::new(
        vec![SourceSpec::Central(central.clone())],
        tmp.path().join("cache"),
    )
    .with_settle(settle);
    sources.load();
    std::thread::sleep(settle);
    let first = sources.load();
    assert!(first.reports[0].cache_refreshed, "accepted");
    let app = HuashuApp::new(AppState::with_content(
        Content::from_sources(first),
        Settings::default(),
    ));
    let mut harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness.run();
    let ctx = harness.ctx.clone();
    let runtime = harness.state_mut().runtime_mut();
    runtime.wake_with(std::sync::Arc::new(move || ctx.request_repaint()));
    runtime.watch(sources, Duration::from_millis(100), None);
    type_query(&mut harness, "bsl");
    assert_eq!(shown_title(&harness), "柜员业务不熟练");
    // The bundled cards' own (a draft's note).
    let problems = harness.state().state().content_problems();

    // Frames for `how_long`, each checked.
    let frames = |harness: &mut Harness<'_, HuashuApp>, how_long: Duration| {
        let start = Instant::now();
        while start.elapsed() < how_long {
            harness.run();
            let state = harness.state().state();
            assert_eq!(state.library().cards.len(), 7, "a frame lost cards");
            assert_eq!(state.content_problems(), problems, "a problem flashed");
            assert_eq!(state.banner(), None, "the offline banner flashed");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let file = central.join("04-business-area.ron");
    let original = std::fs::read_to_string(&file).unwrap();
    let version = |n: usize| {
        original.replacen(
            "\"柜员业务不熟练\"",
            &format!("\"柜员业务不熟练（第{n}版）\""),
            1,
        )
    };

    // Truncated, then written.
    std::fs::File::create(&file).unwrap();
    frames(&mut harness, Duration::from_millis(150));
    std::fs::write(&file, version(1)).unwrap();
    frames(&mut harness, Duration::from_millis(100));
    // Written again in 2 KB chunks, a pause after each.
    let mut out = std::fs::File::create(&file).unwrap();
    for chunk in version(2).as_bytes().chunks(2048) {
        std::io::Write::write_all(&mut out, chunk).unwrap();
        frames(&mut harness, Duration::from_millis(60));
    }
    drop(out);
    frames(&mut harness, Duration::from_millis(100));
    // Deleted, then restored.
    std::fs::remove_file(&file).unwrap();
    frames(&mut harness, Duration::from_millis(200));
    std::fs::write(&file, version(3)).unwrap();

    // Settled: the new text shows, on the card still open.
    let start = Instant::now();
    while shown_title(&harness) != "柜员业务不熟练（第3版）" {
        assert!(start.elapsed() < Duration::from_secs(10), "never settled");
        frames(&mut harness, Duration::from_millis(50));
    }
}

/// The status bar says which published version runs and who published it.
#[test]
fn the_status_bar_shows_the_published_version_that_runs() {
    use huashu::content::publish::{self, Publication, SecretKey};
    use huashu::content::sources::{SourceSpec, Sources};

    let tmp = tempfile::tempdir().unwrap();
    let key_file = tmp.path().join("key");
    let (public, _) = publish::keygen(&key_file).unwrap();
    let key = SecretKey::read(&key_file).unwrap();
    let files: Vec<(String, Vec<u8>)> = ["00-earlier-chapter.ron", "04-business-area.ron"]
        .iter()
        .map(|n| {
            (
                (*n).to_owned(),
                std::fs::read(PathBuf::from("data").join(n)).unwrap(),
            )
        })
        .collect();
    let central = tmp.path().join("central");
    let how = Publication {
        publisher: "培训部",
        key: Some(&key),
        expires_days: 30,
        keep: 20,
        rollback_of: None,
    };
    publish::publish(&central, &files, &how).unwrap();
    let manifest = publish::publish(&central, &files, &how).unwrap();
    let loaded = Sources::new(vec![SourceSpec::Central(central)], tmp.path().join("cache"))
        .with_trust(Some(vec![public]))
        .load();
    let app = HuashuApp::new(AppState::with_content(
        Content::from_sources(loaded),
        Settings::default(),
    ));
    let mut harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness.run();
    let text = format!("内容版本 2 · 培训部 · {}", manifest.published);
    assert!(harness.query_by_label(&text).is_some(), "{text}");
}

/// A card whose manual names no chapter or section (the bundled excerpt
/// starts mid-chapter) shows no placeholder for them: no 缺失 on the card
/// or in the list.
#[test]
fn missing_chapter_and_section_names_are_not_shown() {
    let mut harness = harness();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(
        harness.state().state().shown_card().unwrap().title,
        "客户取号错误"
    );
    assert!(harness.query_by_label_contains("缺失").is_none());
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label_contains("缺失").is_none());
    harness.get_by_label("其他卡片");
}
