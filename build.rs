//! Embeds every content file of `data/` into the binary, so a copy of the
//! exe alone on a counter PC has the content. The files are the ones the
//! loader reads from `data/`: the same walker (`src/content/walk.rs`,
//! included here), so the same rules (`FOO.RON` too, backups skipped), in
//! the same order.

use std::fmt::Write as _;
use std::path::PathBuf;

#[allow(dead_code, reason = "the loader uses the rest of the walker")]
mod walk {
    include!("src/content/walk.rs");
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let data = root.join("data");
    println!("cargo:rerun-if-changed=data");
    println!("cargo:rerun-if-changed=src/content/walk.rs");

    let files = match walk::walk(&data) {
        Ok((files, _)) => files,
        Err(e) => panic!("cannot list {}: {e}", data.display()),
    };
    // New files in sub-directories are noticed too.
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.parent().map(PathBuf::from))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
    }

    let mut out = String::from("/// `(path relative to data/, contents)`, sorted by path.\n");
    out.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let rel = file
            .strip_prefix(&data)
            .unwrap_or(file)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        println!("cargo:rerun-if-changed={}", file.display());
        let _ = writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?})),",
            file.display().to_string()
        );
    }
    out.push_str("];\n");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(out_dir.join("builtin_data.rs"), out) {
        panic!("cannot write builtin_data.rs: {e}");
    }
}
