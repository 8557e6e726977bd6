//! The layering in ARCHITECTURE.md, checked: every `crate::…` path in
//! `src/` must be one the table "Layers the build checks" allows, and only
//! `src/ui/` may name egui or eframe.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests a panic is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The table: layer → the layers it may use.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string("ARCHITECTURE.md").unwrap();
    let table = text
        .split("## Layers the build checks")
        .nth(1)
        .expect("ARCHITECTURE.md has the section")
        .split("\n## ")
        .next()
        .unwrap();
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.trim().strip_prefix('|')?.split('|').collect();
            let (layer, uses) = (cells.first()?.trim(), cells.get(1)?.trim());
            let known = !layer.is_empty() && layer != "layer" && !layer.starts_with('-');
            known.then(|| {
                let uses = uses
                    .split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect();
                (layer.to_owned(), uses)
            })
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer of a file under `src/`: its folder, or its own name.
fn layer_of(path: &Path) -> String {
    let rel = path.strip_prefix("src").unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The code of `text` without its comments (line comments, doc comments;
/// a `//` inside a string is taken for one, which only hides code).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| line.find("//").map_or(line, |at| &line[..at]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each `crate::NAME` in `code`, with its line.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push((n + 1, name));
        }
    }
    found
}

/// Where `code` names egui or eframe.
fn egui_lines(code: &str) -> Vec<usize> {
    code.lines()
        .enumerate()
        .filter(|(_, l)| {
            ["egui::", "eframe::", "use egui", "use eframe"]
                .iter()
                .any(|w| l.contains(w))
        })
        .map(|(n, _)| n + 1)
        .collect()
}

/// What `files` break of `table`, one line each.
fn breaches(
    files: &[(PathBuf, String)],
    table: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files {
        let layer = layer_of(path);
        if layer == "main" || layer == "lib" {
            continue;
        }
        let Some(uses) = table.get(&layer) else {
            found.push(format!(
                "{}: layer `{layer}` is not in the table",
                path.display()
            ));
            continue;
        };
        let code = code_of(text);
        for (line, used) in crate_paths(&code) {
            if used != layer && !uses.contains(&used) {
                found.push(format!(
                    "{}:{line}: `{layer}` may not use `crate::{used}`",
                    path.display()
                ));
            }
        }
        if layer != "ui" {
            for line in egui_lines(&code) {
                found.push(format!("{}:{line}: egui outside `ui`", path.display()));
            }
        }
    }
    found
}

fn sources() -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    rust_files(Path::new("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn every_import_follows_the_layers_in_architecture_md() {
    let table = allowed();
    assert!(table.len() >= 14, "{table:?}");
    let found = breaches(&sources(), &table);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The check itself: an arrow the wrong way, an import hidden in a
/// function, and egui in the core are each found; a comment is not.
#[test]
fn a_wrong_import_is_found() {
    let table = allowed();
    let file = |path: &str, text: &str| (PathBuf::from(path), text.to_owned());
    let found = breaches(
        &[
            file("src/search/mod.rs", "use crate::ui::HuashuApp;\n"),
            file(
                "src/content/load.rs",
                "fn f() { let _ = crate::app::AppState::default(); }\n",
            ),
            file("src/app/mod.rs", "fn g(ctx: &egui::Context) {}\n"),
            file("src/model/mod.rs", "// see crate::ui for the window\n"),
        ],
        &table,
    );
    assert_eq!(
        found,
        [
            "src/search/mod.rs:1: `search` may not use `crate::ui`",
            "src/content/load.rs:1: `content` may not use `crate::app`",
            "src/app/mod.rs:1: egui outside `ui`",
        ]
    );
}
