//! Content sources in layers: override and withdraw rules, the central
//! source's offline cache (unreachable, broken, back again, atomic swap),
//! the config file, `huashu sources`, and that no source is ever written.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use huashu::content::central::fingerprint;
use huashu::content::sources::{Config, SourceSpec, SourceState, Sources};
use predicates::prelude::*;

/// Writes `files` (name, text) into `dir`.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A chapter file with cards `(id, title)`.
fn chapter(cards: &[(&str, &str)]) -> String {
    let mut out = String::from("Chapter(sections: [Section(cards: [\n");
    for (id, title) in cards {
        let _ = writeln!(
            out,
            "Card(id: \"{id}\", title: \"{title}\", steps: [Step(action: \"{title}的第一步。\")]),"
        );
    }
    out.push_str("])])\n");
    out
}

fn titles(sources: &mut Sources) -> Vec<String> {
    sources
        .load()
        .loaded
        .library
        .cards
        .iter()
        .map(|c| c.title.clone())
        .collect()
}

/// Every file under `dir` with its bytes, to prove nothing was written.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// Makes every file and directory under `dir` read-only (or writable).
fn set_read_only(dir: &Path, read_only: bool) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            set_read_only(&path, read_only);
        }
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        perms.set_readonly(read_only);
        std::fs::set_permissions(&path, perms).unwrap();
    }
    let mut perms = std::fs::metadata(dir).unwrap().permissions();
    perms.set_readonly(read_only);
    std::fs::set_permissions(dir, perms).unwrap();
}

#[test]
fn later_layers_override_in_place_add_and_withdraw() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let local = tmp.path().join("local");
    write_files(
        &central,
        &[("01.ron", &chapter(&[("a", "甲"), ("b", "乙"), ("c", "丙")]))],
    );
    write_files(
        &local,
        &[
            ("01.ron", &chapter(&[("b", "乙（本行修订）"), ("d", "丁")])),
            (
                "02.ron",
                "Chapter(withdraw: [\"c\", \"nothing\"], sections: [Section(cards: [Card(id: \"e\", title: \"戊\", steps: [], links: [Link(to: \"a\", why: \"中心的卡片\")])])])",
            ),
        ],
    );
    let mut sources = Sources::new(
        vec![
            SourceSpec::Central(central.clone()),
            SourceSpec::Local(local.clone()),
        ],
        tmp.path().join("cache"),
    );
    let loaded = sources.load();
    let library = &loaded.loaded.library;
    let got: Vec<(&str, &str)> = library
        .cards
        .iter()
        .map(|c| (c.id.as_str(), c.title.as_str()))
        .collect();
    // b is replaced where it was; c is withdrawn; d and e are added.
    assert_eq!(
        got,
        vec![
            ("a", "甲"),
            ("b", "乙（本行修订）"),
            ("d", "丁"),
            ("e", "戊")
        ]
    );
    // A link from the local layer to a central card works.
    assert_eq!(library.cards[3].links.len(), 1);
    let messages: Vec<String> = loaded
        .loaded
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("要撤下的卡片 `nothing` 不存在")),
        "{messages:?}"
    );
    assert!(loaded.loaded.diagnostics.iter().all(|d| !d.is_error()));
    // Cards counted where they come from.
    let counts: Vec<usize> = loaded.reports.iter().map(|r| r.cards).collect();
    assert_eq!(counts, vec![1, 3]);
    assert!(loaded.banner.is_none());
}

#[test]
fn duplicate_ids_within_one_layer_are_still_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let local = tmp.path().join("local");
    write_files(
        &local,
        &[
            ("01.ron", &chapter(&[("a", "甲")])),
            ("02.ron", &chapter(&[("a", "甲二")])),
        ],
    );
    let mut sources = Sources::new(vec![SourceSpec::Local(local)], tmp.path().join("cache"));
    let loaded = sources.load();
    assert_eq!(loaded.loaded.error_count(), 1);
    assert_eq!(loaded.loaded.library.cards.len(), 1);
}

#[test]
fn central_unreachable_at_start_uses_the_cache_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let cache = tmp.path().join("cache");
    write_files(
        &central,
        &[("01.ron", &chapter(&[("a", "甲"), ("b", "乙")]))],
    );
    let specs = vec![SourceSpec::Builtin, SourceSpec::Central(central.clone())];

    // First run: online; the cache is filled.
    let first = Sources::new(specs.clone(), cache.clone())
        .with_settle(Duration::ZERO)
        .load();
    assert_eq!(first.reports[1].state, SourceState::Ok);
    assert!(first.reports[1].cache_refreshed);
    assert_eq!(first.loaded.library.cards.len(), 9);

    // Next start: the share is gone.
    let away = tmp.path().join("away");
    std::fs::rename(&central, &away).unwrap();
    let offline = Sources::new(specs.clone(), cache.clone())
        .with_settle(Duration::ZERO)
        .load();
    assert_eq!(
        offline.loaded.library.cards.len(),
        9,
        "never an empty window"
    );
    let report = &offline.reports[1];
    assert!(matches!(report.state, SourceState::Unreachable(_)));
    assert_eq!(report.cards, 2);
    let when = report.using_cache.clone().unwrap();
    assert_eq!(offline.banner, Some(format!("离线副本 · 更新于 {when}")));
    // `YYYY-MM-DD HH:MM`
    assert_eq!(when.len(), 16, "{when}");
    assert_eq!(
        offline.loaded.error_count(),
        0,
        "calm: a warning, not an error"
    );

    // No cache at all: the built-in cards and an error.
    let bare = Sources::new(specs, tmp.path().join("no-cache"))
        .with_settle(Duration::ZERO)
        .load();
    assert_eq!(bare.loaded.library.cards.len(), 7);
    assert!(bare.loaded.error_count() > 0);
    assert!(bare.banner.is_none());
}

#[test]
fn central_broken_mid_run_keeps_the_last_good_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    write_files(
        &central,
        &[
            ("01.ron", &chapter(&[("a", "甲")])),
            ("02.ron", &chapter(&[("b", "乙")])),
        ],
    );
    let mut sources = Sources::new(
        vec![SourceSpec::Central(central.clone())],
        tmp.path().join("cache"),
    )
    .with_settle(Duration::ZERO);
    assert_eq!(titles(&mut sources), vec!["甲", "乙"]);

    // IT's copy is half done: one file cut in the middle, one new file.
    let full = chapter(&[("b", "乙（新）")]);
    let half = (0..=full.len() / 2)
        .rev()
        .find(|&i| full.is_char_boundary(i))
        .unwrap();
    std::fs::write(central.join("02.ron"), &full[..half]).unwrap();
    std::fs::write(central.join("03.ron"), chapter(&[("c", "丙")])).unwrap();
    let loaded = sources.load();
    assert!(matches!(loaded.reports[0].state, SourceState::Broken(_)));
    let got: Vec<&str> = loaded
        .loaded
        .library
        .cards
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(got, vec!["甲", "乙"], "the last good copy, whole");
    assert!(loaded.banner.is_some());

    // The copy finishes: the new content, and the cache follows.
    std::fs::write(central.join("02.ron"), &full).unwrap();
    let loaded = sources.load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert!(loaded.reports[0].cache_refreshed);
    assert!(loaded.banner.is_none());
    assert_eq!(titles(&mut sources), vec!["甲", "乙（新）", "丙"]);
}

/// An interrupted copy leaves a zero-byte file on the share: the counters
/// keep its cards (from the offline copy), and the offline copy is not
/// overwritten with the empty file — nor with a file that can no longer be
/// read.
#[test]
fn a_zero_byte_or_unreadable_file_on_the_share_loses_no_cards() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let cache = tmp.path().join("cache");
    write_files(
        &central,
        &[
            ("a.ron", &chapter(&[("a", "甲")])),
            (
                "b.ron",
                &chapter(&[("b1", "乙"), ("b2", "丙"), ("b3", "丁")]),
            ),
        ],
    );
    let specs = vec![SourceSpec::Central(central.clone())];
    let mut sources = Sources::new(specs.clone(), cache.clone()).with_settle(Duration::ZERO);
    assert_eq!(titles(&mut sources).len(), 4);

    std::fs::write(central.join("b.ron"), b"").unwrap();
    let loaded = sources.load();
    assert!(
        matches!(loaded.reports[0].state, SourceState::Broken(1)),
        "{:?}",
        loaded.reports[0].state
    );
    assert!(!loaded.reports[0].cache_refreshed);
    assert_eq!(loaded.loaded.library.cards.len(), 4, "no card lost");
    assert!(loaded.banner.is_some());

    // The share goes away: the offline copy still has all four.
    std::fs::rename(&central, tmp.path().join("away")).unwrap();
    let offline = Sources::new(specs.clone(), cache.clone())
        .with_settle(Duration::ZERO)
        .load();
    assert_eq!(offline.loaded.library.cards.len(), 4);
    std::fs::rename(tmp.path().join("away"), &central).unwrap();

    // A file that cannot be read any more (a link to nowhere).
    #[cfg(unix)]
    {
        std::fs::remove_file(central.join("b.ron")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("gone.ron"), central.join("b.ron")).unwrap();
        let loaded = Sources::new(specs, cache)
            .with_settle(Duration::ZERO)
            .load();
        assert!(matches!(loaded.reports[0].state, SourceState::Broken(_)));
        assert!(!loaded.reports[0].cache_refreshed);
        assert_eq!(loaded.loaded.library.cards.len(), 4);
    }
}

#[test]
fn nothing_is_ever_written_under_a_source() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let local = tmp.path().join("local");
    write_files(&central, &[("01.ron", &chapter(&[("a", "甲")]))]);
    write_files(&local, &[("01.ron", &chapter(&[("b", "乙")]))]);
    set_read_only(&central, true);
    set_read_only(&local, true);
    let before = (snapshot(&central), snapshot(&local));
    let prints = (fingerprint(&central), fingerprint(&local));
    let specs = vec![
        SourceSpec::Builtin,
        SourceSpec::Central(central.clone()),
        SourceSpec::Local(local.clone()),
    ];
    let mut sources = Sources::new(specs, tmp.path().join("cache"));
    for _ in 0..3 {
        assert_eq!(sources.load().loaded.library.cards.len(), 9);
    }
    huashu()
        .arg("--config")
        .arg(write_config(tmp.path(), &central, &local))
        .arg("sources")
        .assert()
        .success();
    assert_eq!((snapshot(&central), snapshot(&local)), before);
    assert_eq!((fingerprint(&central), fingerprint(&local)), prints);
    set_read_only(&central, false);
    set_read_only(&local, false);
}

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("HUASHU_CONFIG");
    cmd
}

/// A config file with built-in, central and local sources and its state
/// under the temporary directory.
fn write_config(dir: &Path, central: &Path, local: &Path) -> PathBuf {
    let path = dir.join("config.ron");
    let text = format!(
        "// 话术助手配置\nConfig(\n    sources: [Builtin, Central(r\"{}\"), Local(r\"{}\")],\n    recheck_seconds: 30,\n    settle_seconds: 1,\n    state_dir: r\"{}\",\n)\n",
        central.display(),
        local.display(),
        dir.join("state").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn config_file_parses_and_reports_positions() {
    let config = Config::parse(
        Path::new("c.ron"),
        "\u{feff}Config(sources: [Builtin, Central(r\"\\\\server\\share\\huashu\")], count_usage: false)",
    )
    .unwrap();
    assert_eq!(
        config.sources,
        vec![
            SourceSpec::Builtin,
            SourceSpec::Central(PathBuf::from(r"\\server\share\huashu"))
        ]
    );
    assert!(!config.count_usage);
    assert_eq!(config.recheck_seconds, 60);
    let err = Config::parse(Path::new("c.ron"), "Config(\n  sourcs: [],\n)").unwrap_err();
    assert!(err.to_string().starts_with("c.ron:2:3: "), "{err}");
}

#[test]
fn sources_command_lists_each_source_and_the_cache_in_use() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let local = tmp.path().join("local");
    write_files(
        &central,
        &[("01.ron", &chapter(&[("a", "甲"), ("b", "乙")]))],
    );
    write_files(&local, &[("01.ron", &chapter(&[("b", "乙（本行）")]))]);
    let config = write_config(tmp.path(), &central, &local);
    let run = |cmd: &mut Command| {
        let out = cmd.arg("sources").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        (
            out.status.code(),
            support::forward_slashes(&text.replace(&tmp.path().display().to_string(), "<tmp>"))
                // The system's own words for a missing folder.
                .replace(
                    "File not found. (os error 2)",
                    "No such file or directory (os error 2)",
                ),
        )
    };
    // A new counter: the central folder is shown, but taken (and copied
    // for offline use) only once seen unchanged a second later.
    let (code, settling) = run(huashu().arg("--config").arg(&config));
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("sources_settling", settling);
    std::thread::sleep(Duration::from_millis(1100));
    let (code, online) = run(huashu().arg("--config").arg(&config));
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("sources_online", online);

    std::fs::rename(&central, tmp.path().join("gone")).unwrap();
    // Through the environment variable this time.
    let (code, offline) = run(huashu().env("HUASHU_CONFIG", &config));
    assert_eq!(code, Some(0), "a cache covers it");
    let offline = offline
        .lines()
        .map(|l| match l.find("；使用 ") {
            // `；使用 YYYY-MM-DD HH:MM 的离线副本`
            Some(at) => {
                let time = at + "；使用 ".len();
                format!("{}<time>{}", &l[..time], &l[time + 16..])
            }
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("sources_offline", offline);

    // An explicit config that does not exist is an error.
    huashu()
        .arg("--config")
        .arg(tmp.path().join("missing.ron"))
        .arg("sources")
        .assert()
        .failure()
        .stderr(predicate::str::contains("无法读取配置文件"));
}

#[test]
fn a_running_counter_survives_the_share_going_away_and_picks_up_its_return() {
    use huashu::content::watch::{Recheck, Watch};
    use std::sync::mpsc;

    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    write_files(&central, &[("01.ron", &chapter(&[("a", "甲")]))]);
    let mut sources = Sources::new(
        vec![SourceSpec::Central(central.clone())],
        tmp.path().join("cache"),
    )
    .with_settle(Duration::ZERO);
    sources.load();
    let (tx, rx) = mpsc::channel();
    let recheck = Recheck {
        every: Duration::from_millis(100),
        dirs: vec![central.clone()],
        soon: None,
        mirrors: Vec::new(),
    };
    let (_watch, _) = Watch::start(&[], Some(recheck), move || {
        let loaded = sources.load();
        let titles: Vec<String> = loaded
            .loaded
            .library
            .cards
            .iter()
            .map(|c| c.title.clone())
            .collect();
        let _ = tx.send((titles, loaded.banner));
        loaded.again
    })
    .unwrap();
    let next = || rx.recv_timeout(Duration::from_secs(10)).unwrap();

    // The share goes away (a rename, as an unmount looks from here).
    let away = tmp.path().join("away");
    std::fs::rename(&central, &away).unwrap();
    let (titles, banner) = next();
    assert_eq!(titles, vec!["甲"]);
    assert!(banner.unwrap().starts_with("离线副本 · 更新于 "));

    // It comes back with new content.
    write_files(&away, &[("02.ron", &chapter(&[("b", "乙")]))]);
    std::fs::rename(&away, &central).unwrap();
    let (mut titles, mut banner) = next();
    while titles.len() < 2 {
        (titles, banner) = next();
    }
    assert_eq!(titles, vec!["甲", "乙"]);
    assert_eq!(banner, None);
}

fn lookup(tmp: &Path) -> huashu::content::sources::Lookup {
    huashu::content::sources::Lookup {
        env_config: None,
        places: huashu::content::sources::Places {
            config_file: tmp.join("user/config.ron"),
            cache_dir: tmp.join("cache"),
            data_dir: tmp.join("state"),
        },
        system_config: Some(tmp.join("etc/huashu/config.ron")),
        working_dir: Some(tmp.join("cwd")),
        program_dir: Some(tmp.join("program")),
    }
}

/// Started from a shortcut in another folder: `data/` beside the program
/// is used, and said; the working directory's `data/` comes first; a
/// machine-wide config applies when the user has none.
#[test]
fn content_is_found_beside_the_program_and_the_machine_config_applies() {
    use huashu::content::sources::{Chosen, Setup};
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::create_dir_all(t.join("cwd")).unwrap();
    let setup = Setup::resolve_in(&[], None, lookup(t)).unwrap();
    assert_eq!(setup.chosen, Chosen::Builtin);
    assert_eq!(setup.sources, vec![SourceSpec::Builtin]);

    write_files(
        &t.join("program/data"),
        &[("a.ron", &chapter(&[("a", "甲")]))],
    );
    let setup = Setup::resolve_in(&[], None, lookup(t)).unwrap();
    assert_eq!(setup.chosen, Chosen::BesideProgram(t.join("program/data")));
    assert_eq!(
        setup.sources,
        vec![SourceSpec::Data(vec![t.join("program/data")])]
    );
    assert!(setup.chosen.to_string().starts_with("程序旁边的 data 目录"));

    write_files(&t.join("cwd/data"), &[("b.ron", &chapter(&[("b", "乙")]))]);
    let setup = Setup::resolve_in(&[], None, lookup(t)).unwrap();
    assert_eq!(setup.chosen, Chosen::WorkingDir(t.join("cwd/data")));

    // IT's machine-wide config, then the user's own on top of it.
    let system = t.join("etc/huashu/config.ron");
    std::fs::create_dir_all(system.parent().unwrap()).unwrap();
    std::fs::write(&system, "Config(sources: [Builtin], recheck_seconds: 30)").unwrap();
    let setup = Setup::resolve_in(&[], None, lookup(t)).unwrap();
    assert_eq!(setup.chosen, Chosen::Config(system.clone()));
    assert_eq!(setup.config.recheck_seconds, 30);
    let user = t.join("user/config.ron");
    std::fs::create_dir_all(user.parent().unwrap()).unwrap();
    std::fs::write(&user, "Config(recheck_seconds: 90)").unwrap();
    let setup = Setup::resolve_in(&[], None, lookup(t)).unwrap();
    assert_eq!(setup.chosen, Chosen::Config(user));
    assert_eq!(setup.config.recheck_seconds, 90);
}

/// The cache of a central folder does not depend on how its path is
/// written: case (on Windows) and a trailing separator.
#[test]
fn one_share_one_cache_however_its_path_is_written() {
    use huashu::content::central::central_key;
    let win = |p: &str| central_key(Path::new(p), true);
    assert_eq!(
        win(r"\\SERVER\share\huashu"),
        win(r"\\server\share\huashu\")
    );
    assert_eq!(win(r"\\server\share\huashu"), win("//server/share/huashu/"));
    assert_eq!(win(r"Z:\"), r"z:\");
    assert_ne!(win(r"\\server\share\a"), win(r"\\server\share\b"));
    let unix = |p: &str| central_key(Path::new(p), false);
    assert_eq!(unix("/mnt/share/huashu/"), unix("/mnt/share/huashu"));
    assert_ne!(
        unix("/mnt/Share"),
        unix("/mnt/share"),
        "case matters on Linux"
    );
    assert_eq!(unix("/"), "/");
}

/// The real program, copied into a folder with `data/` beside it and
/// started from elsewhere (as a desktop shortcut does).
#[test]
fn the_program_started_from_elsewhere_reads_the_data_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let program = tmp.path().join("huashu-folder");
    std::fs::create_dir_all(&program).unwrap();
    let exe = program.join("huashu");
    std::fs::copy(env!("CARGO_BIN_EXE_huashu"), &exe).unwrap();
    write_files(
        &program.join("data"),
        &[("a.ron", &chapter(&[("beside", "程序旁边的卡片")]))],
    );
    let elsewhere = tmp.path().join("desktop");
    std::fs::create_dir_all(&elsewhere).unwrap();
    // Started from the desktop, with a home of its own (no user config).
    let run = |command: &str| {
        let out = std::process::Command::new(&exe)
            .current_dir(&elsewhere)
            .env_remove("HUASHU_CONFIG")
            .env("HOME", tmp.path().join("home"))
            .env("XDG_CONFIG_HOME", tmp.path().join("home/.config"))
            .env("XDG_CACHE_HOME", tmp.path().join("home/.cache"))
            .arg(command)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = run("list");
    assert!(text.contains("程序旁边的卡片"), "{text}");
    let text = run("sources");
    assert!(text.starts_with("内容来源：程序旁边的 data 目录"), "{text}");
}

/// A typo in the config file never keeps the window closed: the window's
/// setup leaves it out and lists it, with its line:col, as a problem of
/// every load.
#[test]
fn a_broken_config_is_a_listed_problem_not_a_closed_window() {
    use huashu::content::sources::{Chosen, Setup};
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.ron");
    std::fs::write(
        &config,
        "Config(\n    sources: [Builtin,\n    recheck_seconds: 60,\n)",
    )
    .unwrap();
    assert!(Setup::resolve_in(&[], Some(&config), lookup(tmp.path())).is_err());
    let (setup, problem) = Setup::resolve_or_default_in(&[], Some(&config), lookup(tmp.path()));
    assert_eq!(setup.chosen, Chosen::Builtin);
    let problem = problem.unwrap();
    let text = problem.to_string();
    // Where the `]` belongs, naming the list it closes.
    assert!(text.contains("config.ron:2:22:"), "{text}");
    assert!(text.contains("`sources: [`没有关闭"), "{text}");
    assert!(text.contains("配置文件有错误"), "{text}");
    let loaded = setup.sources().with_problem(Some(problem)).load();
    assert_eq!(loaded.loaded.library.cards.len(), 7, "the built-in cards");
    assert!(
        loaded.loaded.diagnostics[0]
            .to_string()
            .contains("配置文件有错误")
    );
    let state = huashu::app::AppState::new(loaded.loaded, huashu::app::Settings::default());
    assert_eq!(state.content_problems().0, 1, "shown in the problems panel");
}

/// Previewing what a counter shows: `check --config` with a half-copied
/// central file names the file and line, says that the offline copy covers
/// it at the counters, and exits 1.
#[test]
fn check_with_the_config_names_a_broken_central_file_and_the_copy_covering_it() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let local = tmp.path().join("local");
    write_files(&central, &[("01.ron", &chapter(&[("a", "甲")]))]);
    write_files(&local, &[("01.ron", &chapter(&[("b", "乙")]))]);
    let config = write_config(tmp.path(), &central, &local);
    settle(&config);
    let full = chapter(&[("a", "甲（新）")]);
    std::fs::write(central.join("01.ron"), &full.as_bytes()[..40]).unwrap();
    let out = huashu()
        .arg("--config")
        .arg(&config)
        .arg("check")
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let text = support::forward_slashes(&text.replace(&tmp.path().display().to_string(), "<tmp>"));
    assert!(text.contains("<tmp>/central/01.ron:"), "{text}");
    assert!(text.contains(": error: "), "{text}");
    assert!(text.contains("的离线副本"), "{text}");
}

/// Previewing a branch's override without a config: `--data central
/// --local branch` layers the branch over the central cards, as a counter
/// configured that way does (same id: replaced, not a duplicate).
#[test]
fn data_and_local_layer_without_a_config() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let branch = tmp.path().join("branch");
    write_files(
        &central,
        &[("01.ron", &chapter(&[("a", "甲"), ("b", "乙")]))],
    );
    write_files(&branch, &[("01.ron", &chapter(&[("a", "甲（本行）")]))]);
    huashu()
        .arg("--data")
        .arg(&central)
        .arg("--local")
        .arg(&branch)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 个错误"));
    let out = huashu()
        .arg("--data")
        .arg(&central)
        .arg("--local")
        .arg(&branch)
        .arg("list")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("甲（本行）") && text.contains("乙"), "{text}");
    assert!(!text.contains("甲 "), "{text}");
}

/// The bundled chapters as a central folder.
fn bundled_central(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for name in ["00-earlier-chapter.ron", "04-business-area.ron"] {
        std::fs::copy(Path::new("data").join(name), dir.join(name)).unwrap();
    }
}

/// Two `check --config` runs a second apart (the settle time of
/// `write_config`'s config): the central folder is taken and its offline
/// copy filled. What the second run printed.
fn settle(config: &Path) -> String {
    let mut printed = String::new();
    for wait in [1100, 0] {
        let out = huashu()
            .arg("--config")
            .arg(config)
            .arg("check")
            .assert()
            .success();
        printed = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        std::thread::sleep(Duration::from_millis(wait));
    }
    printed
}

/// A counter over `dir`: the bundled chapters as its central folder, an
/// empty local one, and the config naming both; (central, config).
fn bundled_counter(dir: &Path) -> (PathBuf, PathBuf) {
    let (central, local) = (dir.join("central"), dir.join("local"));
    bundled_central(&central);
    std::fs::create_dir_all(&local).unwrap();
    let config = write_config(dir, &central, &local);
    (central, config)
}

/// A copy of `04-business-area.ron` stopped inside its header comments
/// leaves a file with comments only, which reads as a chapter with no
/// cards; so does a chapter emptied by hand. On a central folder both keep
/// the accepted state — cards shown, offline copy untouched — for as long
/// as they stay so, and say which file and what to do; deleting the file
/// is the way to withdraw a chapter.
#[test]
fn a_central_file_that_lost_all_its_cards_keeps_them_and_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let central = tmp.path().join("central");
    let cache = tmp.path().join("cache");
    bundled_central(&central);
    let specs = vec![SourceSpec::Central(central.clone())];
    let mut sources = Sources::new(specs.clone(), cache.clone()).with_settle(Duration::ZERO);
    let loaded = sources.load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert_eq!(loaded.loaded.library.cards.len(), 7);

    let file = central.join("04-business-area.ron");
    let full = std::fs::read(&file).unwrap();
    let emptied = [
        // The first 97 bytes: inside the header comments.
        full[..97].to_vec(),
        b"// \xe8\xaf\x9d\xe6\x9c\xaf\n".to_vec(),
        "Chapter(title: \"第四章 业务处理区\", sections: [])"
            .as_bytes()
            .to_vec(),
        "Chapter(title: \"第四章 业务处理区\", sections: [Section(title: \"第一节\", cards: [])])"
            .as_bytes()
            .to_vec(),
    ];
    for bytes in emptied {
        std::fs::write(&file, &bytes).unwrap();
        for _ in 0..2 {
            let loaded = sources.load();
            let report = &loaded.reports[0];
            assert_eq!(
                report.state,
                SourceState::Emptied(vec![(file.clone(), 6)]),
                "{}",
                String::from_utf8_lossy(&bytes)
            );
            assert_eq!(loaded.loaded.library.cards.len(), 7, "no card lost");
            assert!(report.using_cache.is_some());
            let warning = loaded
                .loaded
                .diagnostics
                .iter()
                .find(|d| d.path == file)
                .expect("the file is named");
            assert!(
                warning
                    .message
                    .contains("这个文件里的卡片全部不见了（上次有 6 张）"),
                "{warning}"
            );
            assert!(
                warning.help.as_deref().unwrap().contains("请删除这个文件"),
                "{warning}"
            );
            assert!(!report.cache_refreshed);
        }
        // The share goes away: the offline copy still has every card.
        let away = tmp.path().join("away");
        std::fs::rename(&central, &away).unwrap();
        let offline = Sources::new(specs.clone(), cache.clone())
            .with_settle(Duration::ZERO)
            .load();
        assert_eq!(offline.loaded.library.cards.len(), 7);
        std::fs::rename(&away, &central).unwrap();
    }

    // Withdrawing the chapter on purpose: the file is deleted.
    std::fs::remove_file(&file).unwrap();
    let loaded = sources.load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert_eq!(loaded.loaded.library.cards.len(), 1);
    assert!(loaded.reports[0].cache_refreshed);
}

/// What `sources` and `check --config` say while a central file is empty
/// and while a new state settles.
#[test]
fn sources_and_check_say_what_is_held_and_why() {
    let tmp = tempfile::tempdir().unwrap();
    let (central, config) = bundled_counter(tmp.path());
    let run = |what: &str| {
        let out = huashu()
            .arg("--config")
            .arg(&config)
            .arg(what)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    run("sources");
    std::thread::sleep(Duration::from_millis(1100));
    assert!(run("sources").contains("离线副本已更新"));
    let file = central.join("04-business-area.ron");
    let full = std::fs::read(&file).unwrap();
    std::fs::write(&file, &full[..97]).unwrap();
    let settling = run("sources");
    assert!(
        settling.contains("正在更新（等待文件写完），暂时显示 "),
        "{settling}"
    );
    assert!(settling.contains("窗口显示 7 张卡片"), "{settling}");
    let check = run("check");
    assert!(
        check.contains("中心内容目录正在更新（等待文件写完）：文件 1 秒内不再变化后"),
        "{check}"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let emptied = run("sources");
    assert!(
        emptied.contains("04-business-area.ron（原有 6 张）的卡片全部不见了（可能是复制没有完成）"),
        "{emptied}"
    );
    assert!(emptied.contains("窗口显示 7 张卡片"), "{emptied}");
    let check = run("check");
    assert!(
        check.contains("04-business-area.ron: warning: 这个文件里的卡片全部不见了（上次有 6 张）"),
        "{check}"
    );
}

/// What IT reads the second day (issue 27 item 7): a central folder holding
/// the built-in cards says the built-in ones are replaced (not `0 张卡片`);
/// an empty `Local` folder is normal; `list` and `search` say on stderr
/// that they show an offline copy; a missing config file's error is said
/// once, in Chinese; `--data missing.ron` is a missing file.
#[test]
fn what_it_reads_says_what_happened() {
    let tmp = tempfile::tempdir().unwrap();
    let (central, config) = bundled_counter(tmp.path());
    // An empty `Local` folder is no problem.
    let checked = settle(&config);
    assert!(!checked.contains("local"), "{checked}");
    huashu()
        .arg("--config")
        .arg(&config)
        .arg("sources")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "内置  （程序内置）  正常，7 张卡片，都被后面的来源里同 id 的卡片替换",
        ));
    let file = central.join("04-business-area.ron");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nbroken (")).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    for args in [&["list"][..], &["search", "取号"]] {
        huashu()
            .arg("--config")
            .arg(&config)
            .args(args)
            .assert()
            .success()
            .stdout(predicate::str::contains("wrong-queue-ticket"))
            .stderr(
                predicate::str::contains("注意：中心").and(predicate::str::contains("的离线副本")),
            );
    }
    let missing = tmp.path().join("missing.ron");
    let out = huashu()
        .arg("--config")
        .arg(&missing)
        .arg("list")
        .assert()
        .failure();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("无法读取配置文件") && err.contains("不存在"),
        "{err}"
    );
    assert_eq!(err.matches("os error").count(), 1, "said once: {err}");
    huashu()
        .arg("--data")
        .arg(&missing)
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("找不到文件"));
}
