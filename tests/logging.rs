//! The log file: every `warn!` lands in it; it is capped and rotated.
//! (One test: the logger is global to the process.)

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use huashu::persist::log;

#[test]
fn warnings_land_in_the_log_file_which_rotates_at_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let handle = log::to_file(dir.path()).unwrap();
    ::log::warn!("the renderer did not start (test)");
    ::log::info!("an info line");
    ::log::debug!("not kept");
    let text = std::fs::read_to_string(log::current_file(dir.path())).unwrap();
    assert!(
        text.contains("WARN") && text.contains("the renderer did not start (test)"),
        "{text}"
    );
    assert!(text.contains("an info line"));
    assert!(!text.contains("not kept"));

    // Far past the cap: rotated, and only the newest files kept.
    let line = "x".repeat(1000);
    for _ in 0..(5 * log::MAX_BYTES / 1000) {
        ::log::info!("{line}");
    }
    handle.flush();
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(files.len() <= log::KEEP + 1, "{files:?}");
    assert!(files.len() >= 2, "{files:?}");
    for f in &files {
        let size = std::fs::metadata(f).unwrap().len();
        assert!(size <= log::MAX_BYTES + 4096, "{f:?}: {size}");
    }
}
