// The one directory walker: which files under a content directory are
// content. Shared by the loader (`load.rs`) and by `build.rs`, which
// `include!`s this file to embed `data/` — so it uses only `std` and has
// no inner doc comments (see `content::walk` for the module's docs).

/// At most this many directory levels below a content directory.
pub const MAX_DEPTH: usize = 8;

/// Hidden files, editor backups (`~…`, `#…#`) and lock files are not
/// content.
pub fn is_skipped_name(name: &str) -> bool {
    name.starts_with(['.', '~', '#'])
}

/// `.ron` in any letter case (`FOO.RON` from a Windows editor).
pub fn has_ron_extension(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
}

/// What the walk found that is not a content file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// The directory could not be listed (the error).
    Unlisted(std::path::PathBuf, String),
    /// A link back to a directory already walked.
    Loop(std::path::PathBuf),
    /// Deeper than `MAX_DEPTH`.
    TooDeep(std::path::PathBuf),
    /// A `.ron` that is not a regular file (a pipe, a device).
    NotAFile(std::path::PathBuf),
    /// Meant as content, it seems, but not read: Notepad's `x.ron.txt`, or
    /// a file with another extension that starts like a content file.
    LooksLikeContent(std::path::PathBuf),
    /// A directory whose name ends in `.ron` (walked like any other).
    RonDirectory(std::path::PathBuf),
}

impl Skipped {
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Unlisted(p, _)
            | Self::Loop(p)
            | Self::TooDeep(p)
            | Self::NotAFile(p)
            | Self::LooksLikeContent(p)
            | Self::RonDirectory(p) => p,
        }
    }
}

/// How much of a file with another extension is looked at for `Chapter(`.
const SNIFF_BYTES: u64 = 4096;

/// Whether a file that is not `.ron` looks like one: `x.ron.txt`, or text
/// whose first non-comment token is `Chapter(`.
fn looks_like_content(path: &std::path::Path) -> bool {
    use std::io::Read as _;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".ron.txt") {
        return true;
    }
    if name.ends_with(".ron.bak") {
        return false; // a backup copy, kept aside on purpose
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(SNIFF_BYTES).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}');
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .is_some_and(|l| l.starts_with("Chapter(") || l.starts_with("Chapter ("))
}

/// The content files under `dir` (links to directories followed, each
/// real directory once), sorted, and what was skipped and why. `Err` when
/// `dir` itself cannot be listed.
pub fn walk(dir: &std::path::Path) -> Result<(Vec<std::path::PathBuf>, Vec<Skipped>), String> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    if let Ok(real) = std::fs::canonicalize(dir) {
        seen.insert(real);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    visit(entries, 0, &mut files, &mut skipped, &mut seen);
    files.sort();
    skipped.sort_by(|a, b| a.path().cmp(b.path()));
    Ok((files, skipped))
}

fn visit(
    entries: std::fs::ReadDir,
    depth: usize,
    files: &mut Vec<std::path::PathBuf>,
    skipped: &mut Vec<Skipped>,
    seen: &mut std::collections::BTreeSet<std::path::PathBuf>,
) {
    for entry in entries.flatten() {
        let path = entry.path();
        if is_skipped_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // A link to a directory is followed (a share mounted into the
        // content directory); a loop is found by the real path.
        let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
        if is_dir {
            if has_ron_extension(&path) {
                skipped.push(Skipped::RonDirectory(path.clone()));
            }
            if let Ok(real) = std::fs::canonicalize(&path)
                && !seen.insert(real)
            {
                skipped.push(Skipped::Loop(path));
                continue;
            }
            if depth + 1 > MAX_DEPTH {
                skipped.push(Skipped::TooDeep(path));
                continue;
            }
            match std::fs::read_dir(&path) {
                Ok(inner) => visit(inner, depth + 1, files, skipped, seen),
                Err(e) => skipped.push(Skipped::Unlisted(path, e.to_string())),
            }
        } else if has_ron_extension(&path) {
            // A pipe, socket or device would block or never end: only
            // regular files (or links that do not resolve: reading them
            // reports why).
            let regular = kind.is_file()
                || (kind.is_symlink() && std::fs::metadata(&path).map_or(true, |m| m.is_file()));
            if regular {
                files.push(path);
            } else {
                skipped.push(Skipped::NotAFile(path));
            }
        } else if kind.is_file() && looks_like_content(&path) {
            skipped.push(Skipped::LooksLikeContent(path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_files_by_the_same_rules_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for name in [
            "a.ron",
            "B.RON",
            "~a.ron",
            ".hidden.ron",
            "#a.ron#",
            "notes.txt",
        ] {
            std::fs::write(d.join(name), "").unwrap();
        }
        std::fs::create_dir_all(d.join("sub/.git")).unwrap();
        std::fs::write(d.join("sub/c.Ron"), "").unwrap();
        std::fs::write(d.join("sub/.git/x.ron"), "").unwrap();
        let (files, skipped) = walk(d).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                f.strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(names, ["B.RON", "a.ron", "sub/c.Ron"]);
        assert!(skipped.is_empty());
        assert!(walk(&d.join("missing")).is_err());

        // Meant as content, not read: said.
        std::fs::write(d.join("05-新卡片.ron.txt"), "Chapter(sections: [])").unwrap();
        std::fs::write(
            d.join("06.txt"),
            "\u{feff}// 注释\n\nChapter(\n  sections: [])",
        )
        .unwrap();
        std::fs::write(d.join("README.txt"), "说明").unwrap();
        std::fs::create_dir(d.join("cards.ron")).unwrap();
        let (_, skipped) = walk(d).unwrap();
        assert_eq!(
            skipped,
            [
                Skipped::LooksLikeContent(d.join("05-新卡片.ron.txt")),
                Skipped::LooksLikeContent(d.join("06.txt")),
                Skipped::RonDirectory(d.join("cards.ron")),
            ]
        );
    }
}
