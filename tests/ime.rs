//! The search box under an input method, in `egui_kittest`: the event
//! sequences Microsoft Pinyin, Sogou and fcitx5 (on-the-spot) send
//! (egui-winit's `on_ime` turns them into `Event::Ime`). The list follows
//! a composition without losing the selection or the open card and never
//! flashes 没有找到卡片; keys the input method uses do nothing else; the
//! app never ends a composition or re-focuses the box it already has.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::PathBuf;

use egui::accesskit::Role;
use egui::{Event, ImeEvent, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use huashu::app::{AppState, Focus, Settings};
use huashu::content;
use huashu::ui::HuashuApp;

fn harness() -> Harness<'static, HuashuApp> {
    harness_over(&["tests/fixtures/ui"])
}

/// The window over the content of `dirs`.
fn harness_over(dirs: &[&str]) -> Harness<'static, HuashuApp> {
    let loaded = content::load_dirs(&dirs.iter().map(PathBuf::from).collect::<Vec<_>>());
    assert_eq!(loaded.error_count(), 0);
    let app = HuashuApp::new(AppState::new(loaded, Settings::default()));
    let mut harness = Harness::builder()
        .with_size([1000.0, 760.0])
        .build_ui_state(
            |ui, app: &mut HuashuApp| {
                outputs::record(ui.ctx());
                app.show(ui);
            },
            app,
        );
    harness.run();
    harness
}

fn preedit(harness: &mut Harness<'_, HuashuApp>, text: &str) {
    harness.event(Event::Ime(ImeEvent::Preedit {
        text: text.into(),
        active_range_chars: Some(text.chars().count()..text.chars().count()),
    }));
    harness.run();
    assert!(
        harness.query_by_label("没有找到卡片").is_none(),
        "no flash of 没有找到卡片 while composing {text:?}"
    );
}

fn commit(harness: &mut Harness<'_, HuashuApp>, text: &str) {
    harness.event(Event::Ime(ImeEvent::Commit(text.into())));
    harness.run();
}

/// Microsoft Pinyin: `Preedit(…)` per letter, then `Preedit("")` and
/// `Commit(phrase)`.
fn ms_pinyin(harness: &mut Harness<'_, HuashuApp>, letters: &[&str], phrase: &str) {
    for l in letters {
        preedit(harness, l);
    }
    preedit(harness, "");
    commit(harness, phrase);
}

/// Text typed without an input method (or in its English mode).
fn type_text(harness: &mut Harness<'_, HuashuApp>, text: &str) {
    harness.get_by_role(Role::TextInput).type_text(text);
    harness.run();
}

#[path = "support/outputs.rs"]
mod outputs;

fn copied(harness: &Harness<'_, HuashuApp>) -> Vec<String> {
    outputs::copied(&harness.ctx)
}

fn query(harness: &Harness<'_, HuashuApp>) -> String {
    harness.state().state().query().to_owned()
}

fn shown_title(harness: &Harness<'_, HuashuApp>) -> String {
    harness.state().state().shown_card().unwrap().title.clone()
}

fn interrupted(harness: &Harness<'_, HuashuApp>) -> bool {
    harness
        .output()
        .platform_output
        .ime
        .as_ref()
        .is_some_and(|ime| ime.should_interrupt_composition)
}

/// Runs frame by frame and checks that in every frame the box keeps the
/// input method: allowed (egui-winit disallows it for a frame without an
/// IME output, which on X11 recreates the input context) and not told to
/// end a composition.
fn keeps_the_input_method(harness: &mut Harness<'_, HuashuApp>) -> Result<(), String> {
    for frame in 0..6 {
        harness.step();
        match &harness.output().platform_output.ime {
            None => return Err(format!("frame {frame}: the input method was switched off")),
            Some(ime) if ime.should_interrupt_composition => {
                return Err(format!("frame {frame}: the composition was interrupted"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[test]
fn a_whole_phrase_committed_by_microsoft_pinyin_finds_the_card() {
    let mut harness = harness();
    ms_pinyin(
        &mut harness,
        &["x", "xin", "xin'yuan", "xin'yuan'gong"],
        "新员工",
    );
    ms_pinyin(&mut harness, &["c", "cha", "cha'p", "cha'ping"], "差评");
    assert_eq!(query(&harness), "新员工差评");
    assert_eq!(shown_title(&harness), "客户给柜员差评");
    assert!(!interrupted(&harness));
}

#[test]
fn sogou_apostrophes_in_the_preedit_search_as_pinyin() {
    let mut harness = harness();
    // Sogou shows the letters with ' between syllables while composing;
    // the list follows them.
    for p in ["q", "qu", "qu'h", "qu'hao"] {
        preedit(&mut harness, p);
    }
    assert_eq!(query(&harness), "qu'hao");
    assert_eq!(shown_title(&harness), "客户取号错误");
    // The manager picks the wrong homophone: 区号.
    preedit(&mut harness, "");
    commit(&mut harness, "区号");
    assert_eq!(query(&harness), "区号");
    assert_eq!(shown_title(&harness), "客户取号错误");
}

#[test]
fn composing_keeps_the_selection_and_the_open_card() {
    let mut harness = harness();
    type_text(&mut harness, "柜员");
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::Enter);
    harness.run();
    let opened = harness.state().state().shown();
    assert_eq!(harness.state().state().focus(), Focus::Card);
    // fcitx5 on the spot: the preedit goes into the box letter by letter;
    // `cha` finds cards, `chaq` finds none: the list stays as it was.
    for p in ["c", "ch", "cha", "chaq"] {
        preedit(&mut harness, p);
        let state = harness.state().state();
        assert_eq!(state.shown(), opened, "preedit {p}");
        assert_eq!(state.focus(), Focus::Card, "preedit {p}");
        assert!(!state.rows().is_empty());
    }
    assert_eq!(query(&harness), "柜员chaq");
}

#[test]
fn enter_and_arrows_during_a_composition_belong_to_the_input_method() {
    let mut harness = harness();
    preedit(&mut harness, "qu'hao");
    let before = harness.state().state().selected();
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::Enter);
    harness.run();
    let state = harness.state().state();
    assert_eq!(state.focus(), Focus::List, "Enter did not open a card");
    assert_eq!(state.selected(), before, "↓ did not move");
    assert!(state.settings.recents.is_empty());
    // Enter commits the letters as typed (fcitx5, Sogou).
    preedit(&mut harness, "");
    commit(&mut harness, "quhao");
    assert_eq!(query(&harness), "quhao");
    assert_eq!(shown_title(&harness), "客户取号错误");
}

#[test]
fn esc_during_a_composition_cancels_only_the_composition() {
    let mut harness = harness();
    type_text(&mut harness, "柜员");
    preedit(&mut harness, "cuo");
    // The input method takes Esc and clears its preedit.
    harness.key_press(Key::Escape);
    preedit(&mut harness, "");
    assert_eq!(
        query(&harness),
        "柜员",
        "the app's Esc did not clear the box"
    );
    assert!(!interrupted(&harness));
}

#[test]
fn esc_and_ctrl_f_do_not_reset_the_input_method() {
    let mut harness = harness();
    type_text(&mut harness, "qhcw");
    // Esc clears the box, which keeps the keyboard: egui must not be told
    // to end a composition (on X11 that recreates the input context).
    harness.key_press(Key::Escape);
    keeps_the_input_method(&mut harness).unwrap();
    assert_eq!(query(&harness), "");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::F);
    keeps_the_input_method(&mut harness).unwrap();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::L);
    keeps_the_input_method(&mut harness).unwrap();
    assert!(harness.get_by_role(Role::TextInput).is_focused());
    // Enter opens the card and the box keeps the keyboard too.
    type_text(&mut harness, "qhcw");
    harness.key_press(Key::Enter);
    keeps_the_input_method(&mut harness).unwrap();
    assert_eq!(harness.state().state().focus(), Focus::Card);
    harness.key_press(Key::Escape);
    keeps_the_input_method(&mut harness).unwrap();
    // The next composition goes into the box as usual.
    ms_pinyin(&mut harness, &["k", "kou", "kou'zhao"], "口罩");
    assert_eq!(shown_title(&harness), "客户不配合证件核实");
}

#[test]
fn alt_2_during_an_on_the_spot_composition_copies_and_keeps_the_preedit() {
    let expected = "等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?";
    let mut harness = harness();
    type_text(&mut harness, "qhcw");
    harness.key_press(Key::Enter);
    harness.run();
    preedit(&mut harness, "cuo");
    outputs::clear(&harness.ctx);
    harness.key_down_modifiers(Modifiers::ALT, Key::Num2);
    harness.event_modifiers(Event::Text("2".into()), Modifiers::ALT);
    harness.key_up_modifiers(Modifiers::ALT, Key::Num2);
    harness.run();
    assert_eq!(copied(&harness), [expected]);
    assert_eq!(query(&harness), "qhcwcuo", "the preedit is left alone");
    assert_eq!(shown_title(&harness), "客户取号错误");
}

/// 取号 committed, its card opened, then `cuo` being composed on the spot.
fn composing_on_an_open_card() -> Harness<'static, HuashuApp> {
    let mut harness = harness();
    ms_pinyin(&mut harness, &["q", "qu", "qu hao"], "取号");
    harness.key_press(Key::Enter);
    harness.run();
    preedit(&mut harness, "cuo");
    outputs::clear(&harness.ctx);
    harness
}

/// fcitx5 on the spot (X11) does not pass Alt+2 on during a composition:
/// it clears the preedit and commits "2", with Alt held, and only the key
/// release arrives.
#[test]
fn alt_2_as_fcitx5_sends_it_copies_and_types_nothing() {
    let expected = "等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?";
    let mut harness = composing_on_an_open_card();
    harness.event_modifiers(
        Event::Ime(ImeEvent::Preedit {
            text: String::new(),
            active_range_chars: None,
        }),
        Modifiers::ALT,
    );
    harness.event_modifiers(Event::Ime(ImeEvent::Commit("2".into())), Modifiers::ALT);
    harness.key_up_modifiers(Modifiers::ALT, Key::Num2);
    harness.run();
    assert_eq!(copied(&harness), [expected]);
    assert_eq!(query(&harness), "取号cuo", "no digit; the preedit stays");
    // Esc cancels the composition in the input method.
    preedit(&mut harness, "");
    assert_eq!(query(&harness), "取号");
}

/// The same when the events come one frame each and Alt is already
/// released by the commit (a busy machine): the copy still happens and no
/// digit is typed; the box shows the preedit again at the next key.
#[test]
fn alt_2_as_fcitx5_sends_it_to_a_busy_window_still_copies() {
    let expected = "等这里VIP窗口的客户完成业务后会立即为您做。你能看到吗?";
    let mut harness = composing_on_an_open_card();
    harness.event(Event::Ime(ImeEvent::Preedit {
        text: String::new(),
        active_range_chars: None,
    }));
    harness.event(Event::Ime(ImeEvent::Commit("2".into())));
    harness.key_up(Key::Num2);
    harness.run();
    assert_eq!(copied(&harness), [expected]);
    assert_eq!(query(&harness), "取号", "no digit typed");
}

#[test]
fn backspacing_the_whole_preedit_leaves_the_committed_text() {
    let mut harness = harness();
    type_text(&mut harness, "差评");
    for p in ["q", "qu", "q", ""] {
        preedit(&mut harness, p);
    }
    assert_eq!(query(&harness), "差评");
    assert_eq!(shown_title(&harness), "客户给柜员差评");
}

/// The customer's word for the card's: 取款机, committed by Microsoft
/// Pinyin over the bundled cards, the second content set and the bundled
/// synonyms, lists ATM吞卡 first (the synonym ATM), and Enter opens it;
/// typing on with fcitx5 on the spot (`ba'ka'chi'le` → 把卡吃了) keeps it.
#[test]
fn a_customers_word_committed_through_an_input_method_finds_the_cards_word() {
    let mut harness = harness_over(&["data", "tests/fixtures/bank"]);
    ms_pinyin(
        &mut harness,
        &["q", "qu", "qu'k", "qu'kuan", "qu'kuan'j", "qu'kuan'ji"],
        "取款机",
    );
    assert_eq!(query(&harness), "取款机");
    let first = |harness: &Harness<'_, HuashuApp>| {
        let state = harness.state().state();
        let row = state.rows().first().unwrap();
        state.library().cards[row.card].title.clone()
    };
    assert_eq!(first(&harness), "ATM吞卡");
    assert!(
        harness
            .query_all_by_label_contains("ATM吞卡")
            .next()
            .is_some()
    );
    for p in [
        "b",
        "ba",
        "ba'k",
        "ba'ka",
        "ba'ka'c",
        "ba'ka'chi",
        "ba'ka'chi'le",
    ] {
        preedit(&mut harness, p);
    }
    preedit(&mut harness, "");
    commit(&mut harness, "把卡吃了");
    assert_eq!(query(&harness), "取款机把卡吃了");
    assert_eq!(first(&harness), "ATM吞卡");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(shown_title(&harness), "ATM吞卡");
    assert!(!interrupted(&harness));
}

/// A commit selects the best match for the committed text: what the
/// half-typed letters picked while composing does not stay chosen (fcitx5
/// on the spot over the bundled cards and synonyms: `新员工` + `chaping`
/// once left 柜员业务不熟练 — 新员工 ≈ 新手 — chosen after `差评` was
/// committed, and Alt+1 copied its script).
#[test]
fn a_commit_selects_the_best_match_not_what_composing_picked() {
    let mut harness = harness_over(&["data"]);
    ms_pinyin(
        &mut harness,
        &["x", "xin", "xin'yuan", "xin'yuan'gong"],
        "新员工",
    );
    for p in ["c", "ch", "cha", "chap", "chapi", "chapin", "chaping"] {
        preedit(&mut harness, p);
    }
    preedit(&mut harness, "");
    commit(&mut harness, "差评");
    assert_eq!(query(&harness), "新员工差评");
    assert_eq!(shown_title(&harness), "客户给柜员差评");
    // Moved by hand since the commit: a commit keeps that choice.
    harness.key_press(Key::ArrowDown);
    harness.run();
    let chosen = shown_title(&harness);
    assert_ne!(chosen, "客户给柜员差评");
    ms_pinyin(&mut harness, &["l", "le"], "了");
    assert_eq!(shown_title(&harness), chosen);
}

/// fcitx5 on the spot ends a phrase with `Commit(…)` then `Preedit("")`
/// in one frame: still a commit, and the best match is chosen.
#[test]
fn an_on_the_spot_commit_followed_by_an_empty_preedit_selects_the_best_match() {
    let mut harness = harness_over(&["data"]);
    ms_pinyin(
        &mut harness,
        &["x", "xin", "xin'yuan", "xin'yuan'gong"],
        "新员工",
    );
    for p in [
        "c", "ch", "cha", "chap", "chapi", "chapin", "chaping", "差评",
    ] {
        preedit(&mut harness, p);
    }
    harness.event(Event::Ime(ImeEvent::Commit("差评".into())));
    harness.event(Event::Ime(ImeEvent::Preedit {
        text: String::new(),
        active_range_chars: None,
    }));
    harness.run();
    assert_eq!(query(&harness), "新员工差评");
    assert_eq!(shown_title(&harness), "客户给柜员差评");
}

/// IBus (libpinyin) over XIM, as winit on X11 passes it on: the preedit is
/// Chinese characters from the first letter (`h` → 和, `ha` → 哈), and a
/// commit comes as `Preedit("")`, `Commit(…)`, `Preedit("")`.
fn ibus(harness: &mut Harness<'_, HuashuApp>, preedits: &[&str], committed: &str) {
    preedit(harness, "");
    for p in preedits {
        preedit(harness, p);
    }
    for event in [
        ImeEvent::Preedit {
            text: String::new(),
            active_range_chars: None,
        },
        ImeEvent::Commit(committed.into()),
        ImeEvent::Preedit {
            text: String::new(),
            active_range_chars: None,
        },
    ] {
        harness.event(Event::Ime(event));
    }
    harness.run();
}

/// Seen with IBus: `hao` + space left the card 和 had picked chosen, and
/// Enter opened 工作失误导致客户不满 although 客户取号错误 ranks first for 号.
#[test]
fn an_ibus_commit_selects_the_best_match_for_the_committed_text() {
    let mut harness = harness_over(&["data"]);
    ibus(&mut harness, &["和", "哈", "号"], "号");
    assert_eq!(query(&harness), "号");
    assert_eq!(shown_title(&harness), "客户取号错误");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(harness.state().state().focus(), Focus::Card);
    assert_eq!(shown_title(&harness), "客户取号错误");
    // The same typed as `cuo`: 从, 粗, 错.
    harness.key_press(Key::Escape);
    harness.key_press(Key::Escape);
    harness.run();
    ibus(&mut harness, &["从", "粗", "错"], "错");
    assert_eq!(query(&harness), "错");
    assert_eq!(shown_title(&harness), "客户取号错误");
}

/// While IBus composes, the card on the right stays the one shown before
/// the composition began; the list follows the characters; the commit then
/// shows the best match.
#[test]
fn the_card_on_the_right_does_not_follow_half_typed_characters() {
    let mut harness = harness_over(&["data"]);
    let before = shown_title(&harness);
    preedit(&mut harness, "");
    // 和 lists other cards than the one shown; 从 one card.
    for p in ["和", "哈", "号", "从"] {
        preedit(&mut harness, p);
        assert_eq!(shown_title(&harness), before, "preedit {p}");
        // Marked in the list only where it is listed.
        let state = harness.state().state();
        if let Some(row) = state.selected() {
            assert_eq!(Some(state.rows()[row].card), state.shown(), "preedit {p}");
        }
    }
    preedit(&mut harness, "");
    harness.event(Event::Ime(ImeEvent::Commit("从".into())));
    harness.run();
    assert_eq!(shown_title(&harness), "柜员未办理相关业务");
}

/// Typing 新员工差评 through IBus: no half-typed character makes the
/// partial-match notice flash on and off.
#[test]
fn the_partial_match_notice_does_not_flicker_while_composing() {
    let mut harness = harness_over(&["data"]);
    let notice = "没有卡片包含全部的词；下面的卡片包含其中一部分";
    let shown = |harness: &Harness<'_, HuashuApp>| harness.query_by_label(notice).is_some();
    ibus(&mut harness, &["新", "心源", "新员工"], "新员工");
    let mut seen = vec![shown(&harness)];
    preedit(&mut harness, "");
    for p in ["从", "差", "茶品", "差评"] {
        preedit(&mut harness, p);
        seen.push(shown(&harness));
    }
    let changes = seen.windows(2).filter(|w| w[0] != w[1]).count();
    assert_eq!(changes, 0, "notice shown per step: {seen:?}");
}

/// Alt+1…9 that the system gave the window directly (X11 grabs them so
/// IBus cannot swallow them during a composition) copy the shown card's
/// script and leave the composition alone.
#[test]
fn alt_digits_from_the_system_copy_while_composing() {
    let mut harness = harness_over(&["data"]);
    ibus(&mut harness, &["号"], "号");
    let (tx, rx) = std::sync::mpsc::channel();
    harness.state_mut().copy_keys_from(rx);
    preedit(&mut harness, "错");
    tx.send(0).unwrap();
    harness.run();
    assert_eq!(copied(&harness).len(), 1);
    assert!(
        copied(&harness)[0].contains("取号"),
        "{:?}",
        copied(&harness)
    );
    assert!(harness.query_by_label("已复制 话术 1").is_some());
    assert_eq!(query(&harness), "号错", "the preedit stays");
    assert!(!interrupted(&harness));
}
