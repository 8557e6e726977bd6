//! The card form (F2) in an `egui_kittest` harness, on a copy of the
//! bundled chapter files: what a save writes, byte for byte.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use huashu::app::{AppState, Settings};
use huashu::content;
use huashu::ui::HuashuApp;

const FILE: &str = "04-business-area.ron";

/// The window's app on a copy of `data/` in `dir`, allowed to write there.
fn app_on(dir: &Path) -> HuashuApp {
    for name in ["00-earlier-chapter.ron", FILE] {
        std::fs::copy(Path::new("data").join(name), dir.join(name)).unwrap();
    }
    app_in(dir)
}

/// The window's app on the content in `dir`, allowed to write there.
fn app_in(dir: &Path) -> HuashuApp {
    let loaded = content::load_dirs(&[dir.to_path_buf()]);
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut().edit_in(vec![dir.to_path_buf()]);
    app
}

/// The window on a copy of `data/`, allowed to write there, with `query`
/// typed and the card form open (F2).
fn form_on(dir: &Path, query: &str) -> Harness<'static, HuashuApp> {
    let mut harness = window(app_on(dir));
    harness.get_by_role(Role::TextInput).type_text(query);
    harness.run();
    harness.key_press(Key::F2);
    harness.run();
    harness.get_by_label("解决方案");
    harness
}

/// Replaces the text of the form field now holding `old` with `new`.
fn retype(harness: &mut Harness<'_, HuashuApp>, old: &str, new: &str) {
    harness
        .get_all_by_role(Role::TextInput)
        .chain(harness.get_all_by_role(Role::MultilineTextInput))
        .find(|n| n.accesskit_node().value().unwrap_or_default() == old)
        .unwrap_or_else(|| panic!("no field holds {old:?}"))
        .focus();
    harness.run();
    // Select it all, then type over it (events queued in order).
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    if new.is_empty() {
        harness.key_press(Key::Backspace);
    } else {
        harness.event(egui::Event::Text(new.into()));
    }
    harness.run();
}

/// Types `text` into the empty form field whose hint starts with `hint`.
fn type_into(harness: &mut Harness<'_, HuashuApp>, hint: &str, text: &str) {
    harness
        .get_all_by_role(Role::TextInput)
        .chain(harness.get_all_by_role(Role::MultilineTextInput))
        .find(|n| {
            n.accesskit_node()
                .placeholder()
                .is_some_and(|p| p.starts_with(hint))
        })
        .unwrap_or_else(|| panic!("no field hinted {hint:?}"))
        .focus();
    harness.run();
    harness.event(egui::Event::Text(text.into()));
    harness.run();
}

/// The copy of a bundled file in `dir` is as bundled.
fn assert_unchanged(dir: &Path, name: &str) {
    assert_eq!(
        std::fs::read(dir.join(name)).unwrap(),
        std::fs::read(Path::new("data").join(name)).unwrap()
    );
}

/// The window of `app`, tall enough for the whole form (clicks land on
/// what is on screen).
fn window(app: HuashuApp) -> Harness<'static, HuashuApp> {
    let mut harness = Harness::builder()
        .with_size([1000.0, 2400.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app);
    harness.run();
    harness
}

/// Another program saves `path` with another card changed; returns what
/// it wrote.
fn someone_else_saves(path: &Path) -> String {
    let theirs = std::fs::read_to_string(path)
        .unwrap()
        .replace("柜员业务不熟练", "柜员业务不熟练（别人改的）");
    std::fs::write(path, &theirs).unwrap();
    theirs
}

/// What the form says (it must say something).
fn form_message(harness: &Harness<'_, HuashuApp>) -> String {
    let editor = harness.state().state().editor().unwrap();
    editor.message.clone().unwrap()
}

fn save(harness: &mut Harness<'_, HuashuApp>) {
    harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    harness.run();
}

/// The span of `id`'s card in `text`: (start, bytes after it).
fn span(text: &str, id: &str) -> (usize, usize) {
    let lib = content::edit::validate(Path::new(FILE), text).unwrap();
    let card = lib.cards.iter().find(|c| c.id.as_str() == id).unwrap();
    let pos = content::Pos::new(card.origin.line as usize, card.origin.col as usize);
    let s = content::edit::card_span(text, pos).unwrap();
    (s.range.start, text.len() - s.range.end)
}

#[test]
fn editing_a_script_changes_only_that_cards_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "工作失误");
    let before = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
    retype(
        &mut harness,
        "很抱歉给你带来不便,我们的心情和你一样。",
        "很抱歉给您带来不便，我们理解您的心情。",
    );
    save(&mut harness);
    assert!(
        harness.state().state().editor().is_none(),
        "the form closed"
    );
    let after = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
    let (start, tail) = span(&before, "teller-error-complaint");
    assert_eq!(after.as_bytes()[..start], before.as_bytes()[..start]);
    assert_eq!(
        after.as_bytes()[after.len() - tail..],
        before.as_bytes()[before.len() - tail..]
    );
    // Inside the card too, only the edited field's line changed.
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(b, a)| b != a)
        .collect();
    assert_eq!(
        changed,
        [(
            "                            scripts: [\"很抱歉给你带来不便,我们的心情和你一样。\"],",
            "                            scripts: [\"很抱歉给您带来不便，我们理解您的心情。\"],"
        )]
    );
    assert_eq!(before.lines().count(), after.lines().count());
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    assert_eq!(loaded.error_count(), 0);
}

#[test]
fn a_step_added_and_moved_up_is_saved_in_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "qhcw");
    harness.get_by_label("添加一步").click();
    harness.run();
    // The new step's action: the first empty field of several lines.
    harness
        .get_all_by_role(Role::MultilineTextInput)
        .find(|n| n.accesskit_node().value().unwrap_or_default().is_empty())
        .unwrap()
        .focus();
    harness.run();
    harness.event(egui::Event::Text("先请客户坐下。".into()));
    harness.run();
    // The new third step, moved up twice.
    harness.get_all_by_label("上移").nth(2).unwrap().click();
    harness.run();
    harness.get_all_by_label("上移").nth(1).unwrap().click();
    harness.run();
    save(&mut harness);
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    let card = loaded
        .library
        .cards
        .iter()
        .find(|c| c.id.as_str() == "wrong-queue-ticket")
        .unwrap();
    let actions: Vec<&str> = card.steps.iter().map(|s| s.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "先请客户坐下。",
            "向客户道歉,请求客户理解。",
            "积极协调窗口优先办理。"
        ]
    );
    assert_eq!(
        card.steps[1].scripts.len(),
        1,
        "scripts stay with their step"
    );
}

#[test]
fn a_file_changed_on_disk_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "工作失误");
    retype(
        &mut harness,
        "工作失误导致客户不满",
        "工作失误导致客户不满意",
    );
    let path = dir.path().join(FILE);
    let theirs = someone_else_saves(&path);
    save(&mut harness);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    let editor = harness.state().state().editor().unwrap();
    assert!(
        editor.message.as_deref().unwrap().contains("没有覆盖"),
        "{:?}",
        editor.message
    );
    assert_eq!(
        editor.fields.title, "工作失误导致客户不满意",
        "the edit is kept"
    );
    // F5 reads their file; saving then writes this card into it, keeping
    // their change to the other card.
    harness.get_by_label("重新载入文件，保留我的改动 (F5)");
    harness.key_press(Key::F5);
    harness.run();
    assert!(form_message(&harness).contains("已重新载入文件"));
    save(&mut harness);
    assert!(harness.state().state().editor().is_none(), "saved");
    let ours = std::fs::read_to_string(&path).unwrap();
    assert!(ours.contains("柜员业务不熟练（别人改的）"));
    assert!(ours.contains("工作失误导致客户不满意"));
    let (start, after) = span(&theirs, "teller-error-complaint");
    assert_eq!(ours[..start], theirs[..start]);
    assert_eq!(ours[ours.len() - after..], theirs[theirs.len() - after..]);
}

#[test]
fn esc_with_changes_asks_before_dropping_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "qhcw");
    retype(&mut harness, "客户取号错误", "客户取错号");
    harness.key_press(Key::Escape);
    harness.run();
    let editor = harness.state().state().editor().unwrap();
    assert!(editor.message.as_deref().unwrap().contains("再按 Esc"));
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.state().state().editor().is_none());
    assert_unchanged(dir.path(), "00-earlier-chapter.ron");
}

#[test]
fn an_invalid_card_is_not_written_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "qhcw");
    retype(&mut harness, "客户取号错误", "");
    save(&mut harness);
    let editor = harness.state().state().editor().unwrap();
    assert_eq!(editor.message.as_deref(), Some("没有保存：标题不能是空的"));
    assert_unchanged(dir.path(), "00-earlier-chapter.ron");
}

#[test]
fn built_in_cards_are_not_edited_here() {
    let loaded = content::load_builtin();
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut().edit_in(vec![PathBuf::from("data")]);
    let mut harness = window(app);
    harness.get_by_role(Role::TextInput).type_text("qhcw");
    harness.run();
    harness.key_press(Key::F2);
    harness.run();
    assert!(harness.state().state().editor().is_none());
    let notice = harness.state().state().notice().unwrap().text.clone();
    assert!(notice.contains("程序内置的卡片"), "{notice}");
}

/// The window ends (a crash, a power cut) with unsaved changes in the
/// form: the next start opens the form again with them; saving them
/// removes the draft.
#[test]
fn unsaved_changes_come_back_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let draft = huashu::persist::draft_file::path_in(state.path());
    let mut harness = form_on(dir.path(), "qhcw");
    harness.state_mut().keep_drafts_in(draft.clone());
    retype(&mut harness, "客户取号错误", "客户拿错号");
    assert!(draft.exists(), "kept while the form has changes");
    // Gone without saving: no Drop runs after a crash.
    std::mem::forget(harness);

    let mut app = app_in(dir.path());
    app.keep_drafts_in(draft.clone());
    let mut harness = window(app);
    let editor = harness.state().state().editor().unwrap();
    assert_eq!(editor.fields.title, "客户拿错号");
    assert!(
        editor
            .message
            .as_deref()
            .unwrap()
            .contains("上次没有保存的改动")
    );
    save(&mut harness);
    assert!(!draft.exists(), "saved: no draft left");
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    assert!(loaded.library.cards.iter().any(|c| c.title == "客户拿错号"));
}

/// Ctrl+N on a card: a new card at the end of its section, its id made
/// from the title's pinyin; the rest of the file untouched.
#[test]
fn a_new_card_goes_at_the_end_of_the_section() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "工作失误");
    harness.key_press(Key::Escape);
    harness.run();
    let before = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    assert!(harness.state().state().editor().unwrap().is_new());
    // The title has the keyboard when the form opens.
    harness.event(egui::Event::Text("客户要求加急".into()));
    harness.run();
    save(&mut harness);
    assert!(
        harness.state().state().editor().is_none(),
        "{:?}",
        harness.state().state().editor().map(|e| e.message.clone())
    );
    let after = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    assert_eq!(loaded.error_count(), 0);
    let lib = &loaded.library;
    let new = lib
        .cards
        .iter()
        .find(|c| c.title == "客户要求加急")
        .unwrap();
    assert_eq!(new.id.as_str(), "ke-hu-yao-qiu-jia-ji");
    assert_eq!(
        lib.section_of(new).title.as_deref(),
        Some("第一节 客户对柜员不满意")
    );
    // The section's last card, and everything before and after untouched.
    let section: Vec<&str> = lib
        .cards
        .iter()
        .filter(|c| c.section == new.section)
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(section.last(), Some(&"客户要求加急"));
    let added = after.len() - before.len();
    let at = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    assert_eq!(after[at + added..], before[at..]);
}

/// A new card's id already used elsewhere is refused with the reason.
#[test]
fn a_duplicate_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "工作失误");
    harness.key_press(Key::Escape);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    harness.run();
    // The title (which has the keyboard), then the id.
    harness.event(egui::Event::Text("假币".into()));
    harness.run();
    retype(&mut harness, "", "wrong-queue-ticket");
    save(&mut harness);
    let editor = harness.state().state().editor().unwrap();
    assert!(
        editor
            .message
            .as_deref()
            .unwrap()
            .contains("id `wrong-queue-ticket` 已经有卡片用了"),
        "{:?}",
        editor.message
    );
}

/// A card this counter may not write (here a built-in one; a central
/// share's alike), edited: saved as an override with the same id in the
/// `Local` directory, which then replaces it; nothing else is written.
#[test]
fn a_card_not_writable_here_is_saved_as_a_local_override() {
    let local = tempfile::tempdir().unwrap();
    let mut app = HuashuApp::new(AppState::new(content::load_builtin(), Settings::default()));
    app.runtime_mut().override_in(local.path().to_path_buf());
    let mut harness = window(app);
    harness.get_by_role(Role::TextInput).type_text("qhcw");
    harness.run();
    harness.key_press(Key::F2);
    harness.run();
    let editor = harness.state().state().editor().unwrap();
    assert!(editor.message.as_deref().unwrap().contains("本网点的修改"));
    retype(&mut harness, "客户取号错误", "客户取号错误（本行）");
    save(&mut harness);
    assert!(harness.state().state().editor().is_none());
    let file = local.path().join(content::edit::OVERRIDES_FILE);
    let names: Vec<_> = std::fs::read_dir(local.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        [std::ffi::OsString::from(content::edit::OVERRIDES_FILE)]
    );
    let loaded = content::load_dirs(&[local.path().to_path_buf()]);
    assert_eq!(loaded.error_count(), 0, "{:?}", loaded.diagnostics);
    let card = &loaded.library.cards[0];
    assert_eq!(
        (card.id.as_str(), card.title.as_str()),
        ("wrong-queue-ticket", "客户取号错误（本行）")
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("// 本网点对总行")
    );
}

/// The review fields: status, reviewer, version and date are written; a
/// date that is not one is refused with the reason.
#[test]
fn review_fields_are_written_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "证件核实");
    harness.get_by_label("已审核").click();
    harness.run();
    type_into(&mut harness, "例如 王老师", "王老师");
    type_into(&mut harness, "整数", "2");
    type_into(&mut harness, "YYYY-MM-DD", "2026-13-01");
    save(&mut harness);
    let message = form_message(&harness);
    assert!(
        message.contains("更新日期“2026-13-01”要写成 YYYY-MM-DD"),
        "{message}"
    );
    retype(&mut harness, "2026-13-01", "2026-11-30");
    save(&mut harness);
    assert!(harness.state().state().editor().is_none());
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    let card = loaded
        .library
        .cards
        .iter()
        .find(|c| c.id.as_str() == "refuses-id-check")
        .unwrap();
    assert_eq!(card.meta.status, Some(huashu::model::Status::Reviewed));
    assert_eq!(card.meta.reviewed_by.as_deref(), Some("王老师"));
    assert_eq!(card.meta.version, Some(2));
    assert_eq!(
        card.meta.updated.map(|d| d.to_string()).as_deref(),
        Some("2026-11-30")
    );
}

/// Alt+↓ in a step's field moves the step down, and the keyboard goes
/// with it: a second Alt+↓ cannot go further, Alt+↑ brings it back.
#[test]
fn alt_arrows_move_the_step_being_typed_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "qhcw");
    harness
        .get_all_by_role(Role::MultilineTextInput)
        .find(|n| n.accesskit_node().value().unwrap_or_default() == "向客户道歉,请求客户理解。")
        .unwrap()
        .focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    harness.run();
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowDown);
    harness.run();
    let actions = |h: &Harness<'_, HuashuApp>| -> Vec<String> {
        h.state()
            .state()
            .editor()
            .unwrap()
            .fields
            .steps
            .iter()
            .map(|s| s.action.clone())
            .collect()
    };
    assert_eq!(
        actions(&harness),
        ["积极协调窗口优先办理。", "向客户道歉,请求客户理解。"]
    );
    harness.key_press_modifiers(Modifiers::ALT, Key::ArrowUp);
    harness.run();
    assert_eq!(
        actions(&harness),
        ["向客户道歉,请求客户理解。", "积极协调窗口优先办理。"]
    );
}

/// Fill-ins, one a line: a choice added is written. Links are chosen
/// from the cards: typing part of a title in the chooser (as a manager
/// would, not an id) and Enter links the first card found, whose "why"
/// then takes the typing; a link removed is gone.
#[test]
fn fill_ins_are_lines_and_links_are_chosen_from_the_cards() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "冒用");
    retype(
        &mut harness,
        "夸赞：帅/漂亮\n称呼：先生/女士",
        "夸赞：帅/漂亮\n称呼：先生/女士/老师",
    );
    type_into(&mut harness, "添加链接", "柜员业务");
    harness.get_by_label("柜员业务不熟练（teller-unskilled）");
    harness.key_press(Key::Enter);
    harness.run();
    harness.event(egui::Event::Text("柜员会办但不熟练".into()));
    harness.run();
    harness.get_all_by_label("删除链接").next().unwrap().click();
    harness.run();
    save(&mut harness);
    assert!(harness.state().state().editor().is_none(), "saved");
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    assert_eq!(loaded.error_count(), 0);
    let card = loaded
        .library
        .cards
        .iter()
        .find(|c| c.id.as_str() == "impersonation-id")
        .unwrap();
    assert_eq!(card.fields["称呼"].choices, ["先生", "女士", "老师"]);
    let links: Vec<(&str, &str)> = card
        .links
        .iter()
        .map(|l| (l.to.as_str(), l.why.as_str()))
        .collect();
    assert_eq!(links, [("teller-unskilled", "柜员会办但不熟练")]);
}

/// Someone else saves the same file while the form is open: the window
/// reloads it (the other card's change shows), the form keeps the edit,
/// and saving does not overwrite their change.
#[test]
fn a_live_reload_of_the_same_file_keeps_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "工作失误");
    let setup =
        huashu::content::sources::Setup::resolve(&[dir.path().to_path_buf()], None).unwrap();
    let ctx = harness.ctx.clone();
    let runtime = harness.state_mut().runtime_mut();
    runtime.wake_with(std::sync::Arc::new(move || ctx.request_repaint()));
    runtime.watch(setup.sources(), std::time::Duration::from_secs(60), None);
    retype(
        &mut harness,
        "工作失误导致客户不满",
        "工作失误导致客户不满意",
    );
    let path = dir.path().join(FILE);
    let theirs = someone_else_saves(&path);
    let start = std::time::Instant::now();
    while !harness
        .state()
        .state()
        .library()
        .cards
        .iter()
        .any(|c| c.title == "柜员业务不熟练（别人改的）")
    {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "no reload"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        harness.run();
    }
    let editor = harness.state().state().editor().unwrap();
    assert_eq!(
        editor.fields.title, "工作失误导致客户不满意",
        "the edit survives the reload"
    );
    save(&mut harness);
    assert!(form_message(&harness).contains("没有覆盖"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
}

/// A form scrolled down and closed opens again at its top, with the
/// title (which has the keyboard) on screen: egui keeps, and eframe
/// saves, each scroll area's offset.
#[test]
fn the_form_opens_at_its_top() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = Harness::builder()
        .with_size([1000.0, 700.0])
        .build_ui_state(|ui, app: &mut HuashuApp| app.show(ui), app_on(dir.path()));
    harness.get_by_role(Role::TextInput).type_text("qhcw");
    harness.run();
    let title_top = |h: &Harness<'_, HuashuApp>| {
        h.get_all_by_value("客户取号错误")
            .find(|n| n.accesskit_node().role() == Role::TextInput)
            .map(|n| n.rect().min.y)
    };
    for _ in 0..2 {
        harness.key_press(Key::F2);
        harness.run();
        let top = title_top(&harness).unwrap();
        assert!((0.0..600.0).contains(&top), "title at {top}");
        harness.hover_at(egui::pos2(700.0, 400.0));
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Page,
            delta: egui::vec2(0.0, -10.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: Modifiers::NONE,
        });
        // The scroll is animated.
        harness.run_steps(30);
        let top = title_top(&harness).unwrap();
        assert!(top < 0.0, "scrolled down: title at {top}");
        harness.key_press(Key::Escape);
        harness.run();
        assert!(harness.state().state().editor().is_none());
    }
}

/// The link chooser through an input method as Microsoft Pinyin sends it
/// on the spot (the preedit in the field, cleared, then the words
/// committed): the committed words find the card and Enter links it.
#[test]
fn a_link_is_chosen_through_an_input_method() {
    let dir = tempfile::tempdir().unwrap();
    let mut harness = form_on(dir.path(), "工作失误");
    type_into(&mut harness, "添加链接", "");
    for event in [
        egui::ImeEvent::Preedit {
            text: "gui'yuan'ye'wu".into(),
            active_range_chars: Some(14..14),
        },
        egui::ImeEvent::Preedit {
            text: String::new(),
            active_range_chars: None,
        },
        egui::ImeEvent::Commit("柜员业务".into()),
    ] {
        harness.event(egui::Event::Ime(event));
        harness.run();
    }
    harness.get_by_label("柜员业务不熟练（teller-unskilled）");
    harness.key_press(Key::Enter);
    harness.run();
    let links: Vec<String> = harness
        .state()
        .state()
        .editor()
        .unwrap()
        .fields
        .links
        .iter()
        .map(|l| l.to.clone())
        .collect();
    assert_eq!(links, ["teller-unskilled"]);
}

/// The window on `loaded`, a branch's `local` folder writable and taking
/// overrides, with F2 pressed on 客户取号错误.
fn queue_card_form(loaded: content::Loaded, local: &Path) -> Harness<'static, HuashuApp> {
    let mut app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    app.runtime_mut().edit_in(vec![local.to_path_buf()]);
    app.runtime_mut().override_in(local.to_path_buf());
    let mut harness = window(app);
    harness.get_by_role(Role::TextInput).type_text("取错号");
    harness.run();
    harness.key_press(Key::F2);
    harness.run();
    harness
}

/// 客户取号错误 as loaded.
fn queue_card(library: &huashu::model::Library) -> &huashu::model::Card {
    library
        .cards
        .iter()
        .find(|c| c.id.as_str() == "wrong-queue-ticket")
        .unwrap()
}

/// Empty `central` and `local` folders in `dir`, and the bundled chapter
/// that holds 客户取号错误.
fn central_and_local(dir: &Path) -> (PathBuf, PathBuf, String) {
    let (central, local) = (dir.join("central"), dir.join("local"));
    std::fs::create_dir_all(&central).unwrap();
    std::fs::create_dir_all(&local).unwrap();
    let chapter = std::fs::read_to_string("data/00-earlier-chapter.ron").unwrap();
    (central, local, chapter)
}

/// The story: a branch saved its own 客户取号错误, then the
/// training team corrected the central card (积极协调窗口优先办理 →
/// 按规定协调窗口，不得插队办理). The load says so by name, `sources`
/// counts the replaced card, and the form shows the central text beside
/// the branch's and takes it on request; saved, nothing is said any more.
#[test]
fn a_branch_override_made_before_a_central_correction_is_said_and_offered() {
    use huashu::content::sources::{SourceSpec, Sources};
    let tmp = tempfile::tempdir().unwrap();
    let (central, local, chapter) = central_and_local(tmp.path());
    std::fs::write(central.join("00-earlier-chapter.ron"), &chapter).unwrap();
    let sources = || {
        Sources::new(
            vec![
                SourceSpec::Central(central.clone()),
                SourceSpec::Local(local.clone()),
            ],
            tmp.path().join("cache"),
        )
        .with_settle(std::time::Duration::ZERO)
    };
    let says_nothing_stale = |loaded: &huashu::content::sources::SourcesLoaded| {
        let stale: Vec<_> = loaded
            .loaded
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("旧版本"))
            .collect();
        assert!(stale.is_empty(), "{stale:?}");
    };
    let window_on = |loaded: content::Loaded| queue_card_form(loaded, &local);

    // The branch's own version.
    let mut harness = window_on(sources().load().loaded);
    retype(&mut harness, "客户取号错误", "客户取号错误（本行）");
    save(&mut harness);
    drop(harness);
    let saved = std::fs::read_to_string(local.join(content::edit::OVERRIDES_FILE)).unwrap();
    assert!(saved.contains("based_on: \""), "{saved}");
    let loaded = sources().load();
    says_nothing_stale(&loaded);
    assert_eq!(loaded.reports[0].replaced, 1);

    // The central card corrected.
    std::fs::write(
        central.join("00-earlier-chapter.ron"),
        chapter.replace("积极协调窗口优先办理。", "按规定协调窗口，不得插队办理。"),
    )
    .unwrap();
    let loaded = sources().load();
    let said: Vec<&str> = loaded
        .loaded
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .filter(|m| m.contains("旧版本"))
        .collect();
    assert_eq!(
        said,
        ["本网点修改的“客户取号错误”是在中心旧版本上改的，中心已经更新"]
    );
    assert_eq!(loaded.reports[1].stale, ["客户取号错误"]);

    // The form shows the central text and takes it.
    let mut harness = window_on(loaded.loaded);
    harness.get_by_label_contains("原来的卡片现在是");
    harness.get_by_label("2. 按规定协调窗口，不得插队办理。");
    harness.get_by_label_contains("改用这个版本").click();
    harness.run();
    let editor = harness.state().state().editor().unwrap();
    assert_eq!(editor.fields.title, "客户取号错误");
    assert_eq!(
        editor.fields.steps[1].action,
        "按规定协调窗口，不得插队办理。"
    );
    save(&mut harness);
    drop(harness);
    let loaded = sources().load();
    says_nothing_stale(&loaded);
    let card = queue_card(&loaded.loaded.library);
    assert_eq!(card.steps[1].action, "按规定协调窗口，不得插队办理。");
    // In the central card's place, not in the branch file's section.
    let library = &loaded.loaded.library;
    let chapter = &library.chapters[library.sections[card.section].chapter];
    assert!(library.files[chapter.file].starts_with(&central));
}

/// A central card marked `locked: true` (compliance wording): a branch's
/// override of it is refused with the reason, the central text stays, and
/// the form does not open an override of it.
#[test]
fn a_locked_central_card_cannot_be_overridden() {
    use huashu::content::sources::{SourceSpec, Sources};
    let tmp = tempfile::tempdir().unwrap();
    let (central, local, chapter) = central_and_local(tmp.path());
    std::fs::write(
        central.join("00-earlier-chapter.ron"),
        chapter.replacen(
            "title: \"客户取号错误\",",
            "title: \"客户取号错误\",\n                    locked: true,",
            1,
        ),
    )
    .unwrap();
    std::fs::write(
        local.join(content::edit::OVERRIDES_FILE),
        "Chapter(sections: [Section(cards: [Card(id: \"wrong-queue-ticket\", title: \"客户取号错误（本行）\", steps: [Step(action: \"先给他办。\")])])])",
    )
    .unwrap();
    let loaded = Sources::new(
        vec![
            SourceSpec::Central(central),
            SourceSpec::Local(local.clone()),
        ],
        tmp.path().join("cache"),
    )
    .with_settle(std::time::Duration::ZERO)
    .load();
    let card = queue_card(&loaded.loaded.library);
    assert_eq!(card.title, "客户取号错误");
    assert!(card.meta.locked);
    assert!(
        loaded.loaded.diagnostics.iter().any(|d| d
            .message
            .starts_with("“客户取号错误”是中心锁定的卡片（合规话术），本网点不能修改")),
        "{:?}",
        loaded.loaded.diagnostics
    );
    // The form: no override of it.
    std::fs::remove_file(local.join(content::edit::OVERRIDES_FILE)).unwrap();
    let harness = queue_card_form(loaded.loaded, &local);
    assert!(harness.state().state().editor().is_none());
    assert!(std::fs::read_dir(&local).unwrap().next().is_none());
}
