//! Bytes of a plain-text manual → cards and warnings, never a panic; and
//! the files `huashu import` would write always load without errors.

#![no_main]

use std::path::PathBuf;

use huashu::content::{build, decode, import, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = decode::decode(data) else {
        return;
    };
    let imported = import::import(&decoded.text);
    for w in &imported.warnings {
        let _ = w.message.len();
    }
    let names = import::file_names(&imported);
    assert_eq!(names.len(), imported.library.chapters.len());
    let files: Vec<(PathBuf, Vec<u8>)> = (0..imported.library.chapters.len())
        .map(|c| {
            let comments = |card: usize| imported.problems.get(card).cloned().unwrap_or_default();
            let text = write::chapter_file(&imported.library, c, &["fuzz".into()], &comments);
            (PathBuf::from(&names[c]), text.into_bytes())
        })
        .collect();
    let mut diagnostics = Vec::new();
    let library = build(&files, &mut diagnostics);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert!(
        errors.is_empty(),
        "imported cards would not load: {errors:?}\n{}",
        files
            .iter()
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(library.cards.len(), imported.library.cards.len());
});
