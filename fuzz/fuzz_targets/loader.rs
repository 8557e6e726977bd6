//! Bytes of a content file → diagnostics, never a panic; and whatever
//! loads without errors is written back (`content::write`) and loads to
//! the same cards.

#![no_main]

use std::path::PathBuf;

use huashu::content::{build, write};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut diagnostics = Vec::new();
    let library = build(&[(PathBuf::from("fuzz.ron"), data.to_vec())], &mut diagnostics);
    for d in &diagnostics {
        // Every message can be shown.
        let _ = d.to_string();
    }
    if diagnostics.iter().any(|d| d.is_error()) || library.chapters.len() != 1 {
        return;
    }
    let text = write::chapter_file(&library, 0, &[], &|_| Vec::new());
    let mut again_diagnostics = Vec::new();
    let again = build(
        &[(PathBuf::from("again.ron"), text.clone().into_bytes())],
        &mut again_diagnostics,
    );
    assert!(
        again_diagnostics.iter().all(|d| !d.is_error()),
        "written back, it does not load: {again_diagnostics:?}\n{text}"
    );
    assert_eq!(again.cards.len(), library.cards.len(), "{text}");
    for (a, b) in again.cards.iter().zip(&library.cards) {
        assert_eq!((&a.id, &a.title, &a.aliases), (&b.id, &b.title, &b.aliases));
        assert_eq!((&a.scene, &a.steps, &a.view), (&b.scene, &b.steps, &b.view));
        assert_eq!((&a.fields, &a.links, &a.meta), (&b.fields, &b.links, &b.meta));
    }
});
