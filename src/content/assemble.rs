//! Files → one library: each file parsed (in parallel when there is a lot
//! of text, files unchanged since the last build taken from the
//! [`ParseCache`]), then the work across files — ids, overrides (and the
//! locked cards they may not replace), withdrawals, links, same titles,
//! the rules and synonyms files. Each file's own checks are `validate`'s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::content::Diagnostic;
use crate::content::diagnostic::Pos;
use crate::content::ron_error;
use crate::content::rules::{self, Rule};
use crate::content::validate::{ParsedCard, ParsedFile, Source, parse_file};
use crate::model::{Card, CardId, Chapter, Library, Section};

/// One file's text, already decoded.
pub struct FileText {
    pub path: PathBuf,
    pub text: String,
    /// The source (layer) it comes from: a card of a later layer replaces
    /// the card with the same id of an earlier one, in place.
    pub layer: usize,
}

/// Where a card id was first defined.
struct Seen {
    file: usize,
    pos: Pos,
    layer: usize,
    card: usize,
}

/// Files parsed by an earlier build, taken again while their text and the
/// rules are the same: a live reload parses only the files that changed,
/// and a start only those that changed since the last run (the cache is
/// kept on disk, see [`ParseCache::save`]).
#[derive(Default)]
pub struct ParseCache {
    /// The rules the files were checked against.
    rules: Vec<Rule>,
    /// Per path: a hash and the length of the text, and what it gave.
    files: HashMap<PathBuf, (u64, usize, FileParse)>,
    /// Files were parsed (or forgotten) since it was read or saved.
    changed: bool,
}

/// A [`ParseCache`] as kept on disk.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    rules: Vec<Rule>,
    files: Vec<(PathBuf, u64, usize, FileParse)>,
}

impl ParseCache {
    /// The cache kept at `path` by an earlier run of this program version
    /// (see `content::snapshot`): a file's entry is used only while its
    /// text hashes the same, so a stale entry is never a wrong result.
    pub fn read(path: &Path) -> Result<Self, crate::content::snapshot::SnapshotError> {
        let stored: Stored = crate::content::snapshot::read(path)?;
        Ok(Self {
            rules: stored.rules,
            files: stored
                .files
                .into_iter()
                .map(|(path, hash, len, parse)| (path, (hash, len, parse)))
                .collect(),
            changed: false,
        })
    }

    /// Keeps the cache at `path` when files were parsed since it was read
    /// or last saved.
    pub fn save(&mut self, path: &Path) -> Result<(), crate::content::snapshot::SnapshotError> {
        if !self.changed {
            return Ok(());
        }
        let mut files: Vec<(PathBuf, u64, usize, FileParse)> = self
            .files
            .iter()
            .map(|(path, (hash, len, parse))| (path.clone(), *hash, *len, parse.clone()))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        crate::content::snapshot::write(
            path,
            &Stored {
                rules: self.rules.clone(),
                files,
            },
        )?;
        self.changed = false;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The cards `path` defines, as last parsed (whatever later sources
    /// replace or withdraw); 0 for a file that gave no chapter.
    pub fn cards_in(&self, path: &Path) -> Option<usize> {
        let (_, _, (parsed, _)) = self.files.get(path)?;
        Some(
            parsed
                .iter()
                .flat_map(|p| &p.sections)
                .map(|(_, cards)| cards.len())
                .sum(),
        )
    }
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ParseCache({} files)", self.files.len())
    }
}

/// Builds the library from files in load order (every problem in
/// `diagnostics`, sorted by file then position), taking files unchanged
/// since an earlier build from `cache` (and keeping this build's there).
pub fn build_library_with(
    files: &[FileText],
    diagnostics: &mut Vec<Diagnostic>,
    cache: &mut ParseCache,
) -> Library {
    let mut library = Library::default();
    let mut per_file: Vec<Vec<Diagnostic>> = Vec::new();
    let mut pending: Vec<PendingLinks> = Vec::new();
    let mut id_seen: HashMap<CardId, Seen> = HashMap::new();
    // (id, position, layer, file) of each `withdraw` entry.
    let mut withdrawals: Vec<(CardId, Pos, usize, usize)> = Vec::new();

    let (rules, mut rule_diags) = gather_rules(files);
    let synonyms = gather_synonyms(files);

    let parsed = parse_files_cached(files, &rules, cache);
    for ((file, FileText { path, layer, .. }), (parsed, parse_diags)) in
        files.iter().enumerate().zip(parsed)
    {
        let (path, layer) = (path.as_path(), *layer);
        let mut diags = rule_diags.remove(&file).unwrap_or_default();
        diags.extend(parse_diags);
        if let Some(parsed) = parsed {
            withdrawals.extend(
                parsed
                    .withdraw
                    .into_iter()
                    .map(|(id, pos)| (id, pos, layer, file)),
            );
            let chapter = library.chapters.len();
            library.chapters.push(Chapter {
                title: parsed.title,
                note: parsed.note,
                file,
            });
            for (title, cards) in parsed.sections {
                let section = library.sections.len();
                library.sections.push(Section { chapter, title });
                for mut pc in cards {
                    if let Some(seen) = id_seen.get_mut(&pc.card.id)
                        && seen.layer < layer
                    {
                        // A later source replaces the card where it was.
                        let at = seen.card;
                        if !may_override(&mut library, at, &mut pc, path, &mut diags) {
                            continue;
                        }
                        *seen = Seen {
                            file,
                            pos: pc.id_pos,
                            layer,
                            card: at,
                        };
                        library.cards[at] = pc.card;
                        pending[at].positions = pc.link_pos;
                        continue;
                    }
                    if let Some(seen) = id_seen.get(&pc.card.id) {
                        let (first_file, first_pos) = (seen.file, seen.pos);
                        let first_path =
                            library.files.get(first_file).map_or(path, PathBuf::as_path);
                        let where_ = if first_file == file {
                            format!("第 {} 行", first_pos.line)
                        } else {
                            format!("{}:{first_pos}", first_path.display())
                        };
                        let d = duplicate(&pc.card, pc.id_pos, path, first_path, &where_);
                        diags.push(d);
                        continue;
                    }
                    id_seen.insert(
                        pc.card.id.clone(),
                        Seen {
                            file,
                            pos: pc.id_pos,
                            layer,
                            card: library.cards.len(),
                        },
                    );
                    pc.card.section = section;
                    pending.push(PendingLinks {
                        card: library.cards.len(),
                        positions: pc.link_pos,
                    });
                    library.cards.push(pc.card);
                }
            }
        }
        library.files.push(path.to_path_buf());
        per_file.push(diags);
    }

    let pending = withdraw(&mut library, pending, &withdrawals, &id_seen, &mut per_file);
    check_links(&mut library, &pending, &mut per_file);
    same_titles(&library, &mut per_file);
    library.synonyms = synonyms.finish(&library.cards, &mut per_file);

    for mut diags in per_file {
        diags.sort_by_key(|d| d.pos);
        diagnostics.append(&mut diags);
    }
    library
}

/// The synonyms files of every source, in load order.
fn gather_synonyms(files: &[FileText]) -> crate::content::synonyms::Gathered {
    crate::content::synonyms::gather(
        &files
            .iter()
            .enumerate()
            .filter(|(_, f)| crate::content::synonyms::is_synonyms(&f.text))
            .map(|(file, f)| crate::content::synonyms::SynonymsFile {
                path: &f.path,
                text: &f.text,
                file,
                layer: f.layer,
            })
            .collect::<Vec<_>>(),
    )
}

/// The rules of every source, before any card is checked against them;
/// the problems of each rules file by its place.
fn gather_rules(files: &[FileText]) -> (Vec<Rule>, HashMap<usize, Vec<Diagnostic>>) {
    let mut rules = Vec::new();
    let mut rule_diags: HashMap<usize, Vec<Diagnostic>> = HashMap::new();
    for (file, f) in files.iter().enumerate() {
        if rules::is_rules(&f.text) {
            let diags = rule_diags.entry(file).or_default();
            rules.extend(rules::parse(&f.path, &f.text, diags));
        }
    }
    (rules, rule_diags)
}

/// One file as parsed, and its problems.
type FileParse = (Option<ParsedFile>, Vec<Diagnostic>);

/// [`parse_files`] for the files `cache` does not have as they are now;
/// the others taken from it (their cards' file number set to this build's).
fn parse_files_cached(
    files: &[FileText],
    rules: &[Rule],
    cache: &mut ParseCache,
) -> Vec<FileParse> {
    if cache.rules != rules {
        cache.files.clear();
        rules.clone_into(&mut cache.rules);
        cache.changed = true;
    }
    let keys: Vec<(u64, usize)> = files
        .iter()
        .map(|f| (crate::hash::text_hash(f.text.as_bytes()), f.text.len()))
        .collect();
    // The same text under another path (a published version's files move
    // to a new folder) parses the same, but for the path in its problems.
    let by_text: HashMap<(u64, usize), &PathBuf> = cache
        .files
        .iter()
        .map(|(path, (hash, len, _))| ((*hash, *len), path))
        .collect();
    let mut out: Vec<Option<FileParse>> = files
        .iter()
        .enumerate()
        .map(|(n, f)| {
            let same_path = cache
                .files
                .get(&f.path)
                .filter(|(hash, len, _)| (*hash, *len) == keys[n]);
            let (_, _, parse) = same_path.or_else(|| cache.files.get(*by_text.get(&keys[n])?))?;
            let (mut parsed, mut diags) = parse.clone();
            for card in parsed
                .iter_mut()
                .flat_map(|p| &mut p.sections)
                .flat_map(|s| &mut s.1)
            {
                card.card.origin.file = n;
            }
            for d in &mut diags {
                d.path.clone_from(&f.path);
            }
            Some((parsed, diags))
        })
        .collect();
    for (n, parse) in out.iter().enumerate() {
        if let Some(parse) = parse
            && !cache.files.contains_key(&files[n].path)
        {
            cache
                .files
                .insert(files[n].path.clone(), (keys[n].0, keys[n].1, parse.clone()));
            cache.changed = true;
        }
    }
    let missing: Vec<usize> = (0..files.len()).filter(|&n| out[n].is_none()).collect();
    cache.changed |= !missing.is_empty();
    let parsed = parse_files(files, &missing, rules);
    for (n, parse) in missing.into_iter().zip(parsed) {
        cache
            .files
            .insert(files[n].path.clone(), (keys[n].0, keys[n].1, parse.clone()));
        out[n] = Some(parse);
    }
    // Files no longer loaded are forgotten.
    let before = cache.files.len();
    cache
        .files
        .retain(|path, _| files.iter().any(|f| &f.path == path));
    cache.changed |= cache.files.len() != before;
    out.into_iter().flatten().collect()
}

/// Below this much text the files are parsed on the calling thread.
const PARALLEL_BYTES: usize = 512 * 1024;

/// Files `which` (numbers into `files`) each parsed and checked on its own
/// (`parse_file`), in that order: on a few named threads that take the
/// next file in turn when there is much text, else here.
fn parse_files(files: &[FileText], which: &[usize], rules: &[Rule]) -> Vec<FileParse> {
    let parse = |k: usize| {
        let file = which[k];
        let f = &files[file];
        let mut diags = Vec::new();
        let parsed = parse_file(&Source::new(&f.path, file, &f.text, rules), &mut diags);
        (parsed, diags)
    };
    let bytes: usize = which.iter().map(|&n| files[n].text.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(which.len())
        .min(4);
    if bytes < PARALLEL_BYTES || threads < 2 {
        return (0..which.len()).map(parse).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let file = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if file >= which.len() {
                return done;
            }
            done.push((file, parse(file)));
        }
    };
    let mut results: Vec<(usize, FileParse)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|k| {
                std::thread::Builder::new()
                    .name(format!("content-parse-{k}"))
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for helper in helpers {
            // A helper that panicked: its files are parsed again here.
            if let Ok(done) = helper.join() {
                all.extend(done);
            }
        }
        all
    });
    results.sort_by_key(|(file, _)| *file);
    let mut out = Vec::with_capacity(which.len());
    let mut results = results.into_iter().peekable();
    for file in 0..which.len() {
        match results.next_if(|(f, _)| *f == file) {
            Some((_, r)) => out.push(r),
            None => out.push(parse(file)),
        }
    }
    out
}

struct PendingLinks {
    card: usize,
    positions: Vec<Pos>,
}

/// Whether `pc` may replace card `at` (of an earlier source), in its
/// section; what is wrong with it goes to `diags`. Keeps the replaced card
/// in `library.shadowed`.
fn may_override(
    library: &mut Library,
    at: usize,
    pc: &mut ParsedCard,
    path: &Path,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let earlier = &library.cards[at];
    diags.extend(check_override(earlier, &library.files, pc, path));
    if earlier.meta.locked {
        return false;
    }
    pc.card.section = earlier.section;
    library.shadowed.insert(pc.card.id.clone(), earlier.clone());
    true
}

/// What is wrong with `pc` replacing `earlier` (a card of an earlier
/// source): refused when `earlier` is locked; said when `earlier` changed
/// since the override was made from it.
fn check_override(
    earlier: &Card,
    files: &[PathBuf],
    pc: &ParsedCard,
    path: &Path,
) -> Option<Diagnostic> {
    let whose = if files
        .get(earlier.origin.file)
        .is_some_and(|f| f.starts_with(crate::content::BUILTIN_PREFIX))
    {
        "程序内置"
    } else {
        "中心"
    };
    if earlier.meta.locked {
        return Some(
            Diagnostic::warning(
                path,
                Some(pc.id_pos),
                format!(
                    "“{}”是{whose}锁定的卡片（合规话术），本网点不能修改：这里的修改没有生效，柜台显示的是{whose}的原文",
                    earlier.title
                ),
            )
            .with_help("删掉这个文件里的这张卡片；要改这段话术，请联系培训部"),
        );
    }
    crate::content::write::made_from_older(&pc.card, earlier).then(|| {
        Diagnostic::warning(
            path,
            Some(pc.id_pos),
            format!(
                "本网点修改的“{}”是在{whose}旧版本上改的，{whose}已经更新",
                earlier.title
            ),
        )
        .with_help(format!(
            "在窗口里打开这张卡片的编辑表单，可以对照{whose}现在的版本；要改用{whose}的版本，删掉这个文件里的这张卡片"
        ))
    })
}

/// Takes withdrawn cards out (only cards of earlier layers can be
/// withdrawn); returns the pending links of the cards that stay.
fn withdraw(
    library: &mut Library,
    pending: Vec<PendingLinks>,
    withdrawals: &[(CardId, Pos, usize, usize)],
    id_seen: &HashMap<CardId, Seen>,
    per_file: &mut [Vec<Diagnostic>],
) -> Vec<PendingLinks> {
    let mut gone = vec![false; library.cards.len()];
    for (id, pos, layer, file) in withdrawals {
        let path = library.files[*file].clone();
        match id_seen.get(id) {
            Some(seen) if seen.layer < *layer => gone[seen.card] = true,
            Some(_) => per_file[*file].push(
                Diagnostic::warning(
                    &path,
                    Some(*pos),
                    format!("卡片 `{id}` 在同一个内容来源里，不能撤下，已忽略"),
                )
                .with_help("`withdraw` 只撤下前面来源（内置、中心目录）里的卡片；同一来源里的卡片直接删掉即可"),
            ),
            None => per_file[*file].push(Diagnostic::warning(
                &path,
                Some(*pos),
                format!("要撤下的卡片 `{id}` 不存在，已忽略"),
            )),
        }
    }
    if !gone.contains(&true) {
        return pending;
    }
    let mut new_index = vec![usize::MAX; gone.len()];
    let mut kept = Vec::with_capacity(library.cards.len());
    for (i, card) in std::mem::take(&mut library.cards).into_iter().enumerate() {
        if !gone[i] {
            new_index[i] = kept.len();
            kept.push(card);
        }
    }
    library.cards = kept;
    pending
        .into_iter()
        .filter(|p| !gone[p.card])
        .map(|p| PendingLinks {
            card: new_index[p.card],
            positions: p.positions,
        })
        .collect()
}

/// Drops links to cards that do not exist (with a warning naming the closest id).
fn check_links(library: &mut Library, pending: &[PendingLinks], per_file: &mut [Vec<Diagnostic>]) {
    let ids: Vec<String> = library.cards.iter().map(|c| c.id.to_string()).collect();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for p in pending {
        let file = library.cards[p.card].origin.file;
        let path = library.files[file].clone();
        let own_id = library.cards[p.card].id.clone();
        let links = std::mem::take(&mut library.cards[p.card].links);
        let mut kept = Vec::with_capacity(links.len());
        for (link, &pos) in links.into_iter().zip(&p.positions) {
            if link.to == own_id {
                per_file[file].push(Diagnostic::warning(
                    &path,
                    Some(pos),
                    format!("卡片链接到了它自己（`{}`），已忽略", link.to),
                ));
            } else if ids.iter().any(|id| id == link.to.as_str()) {
                kept.push(link);
            } else {
                let mut d = Diagnostic::warning(
                    &path,
                    Some(pos),
                    format!("链接的卡片 `{}` 不存在，已忽略这个链接", link.to),
                );
                if let Some(best) = ron_error::closest(link.to.as_str(), &id_refs) {
                    d = d.with_help(format!("是不是 `{best}`？"));
                }
                per_file[file].push(d);
            }
        }
        library.cards[p.card].links = kept;
    }
}

/// Two cards with the same title (often a manual imported twice, under new
/// ids): a warning at the later one, naming the first.
fn same_titles(library: &Library, per_file: &mut [Vec<Diagnostic>]) {
    let mut first: std::collections::HashMap<&str, &Card> = std::collections::HashMap::new();
    for card in &library.cards {
        let title = card.title.trim();
        let Some(earlier) = first.get(title).copied() else {
            first.insert(title, card);
            continue;
        };
        let here = library.file_of(card);
        let there = library.file_of(earlier);
        let where_ = if here == there {
            format!("第 {} 行", earlier.origin.line)
        } else {
            format!("{}:{}", there.display(), earlier.origin.line)
        };
        if let Some(diags) = per_file.get_mut(card.origin.file) {
            diags.push(
                Diagnostic::warning(
                    here,
                    Some(Pos {
                        line: card.origin.line,
                        col: card.origin.col,
                    }),
                    format!(
                        "卡片“{}”（{}）和{where_}的卡片（{}）标题相同：窗口里会列出两张同名的卡片",
                        card.title, card.id, earlier.id
                    ),
                )
                .with_help("可能是同一份手册导入了两次；删掉多余的一张，或者改一个能区分的标题"),
            );
        }
    }
}

/// A card whose id an earlier card of the same source has: named as an
/// Explorer copy's when one file is a copy of the other (`where_`: where
/// the id was first used).
fn duplicate(card: &Card, at: Pos, path: &Path, first_path: &Path, where_: &str) -> Diagnostic {
    match copy_pair(first_path, path) {
        // `04 - 副本.ron` beside `04.ron`: the copy is the cause, not the
        // ids.
        Some((copy, original)) => Diagnostic::error(
            path,
            Some(at),
            format!(
                "id `{}` 重复：{} 看起来是 {} 的副本（资源管理器里复制粘贴出来的），两个文件里是同样的卡片",
                card.id,
                shown_beside(copy, original),
                shown_beside(original, copy)
            ),
        )
        .with_help(format!(
            "把副本 {} 移出内容目录或删掉；不要改卡片的 id",
            copy.file_name().unwrap_or_default().to_string_lossy()
        )),
        None => Diagnostic::error(
            path,
            Some(at),
            format!(
                "id `{}` 重复：{where_} 已经用过；这张卡片（{}）没有加载",
                card.id, card.title
            ),
        )
        .with_help("每张卡片的 id 在所有文件里必须唯一，换一个 id"),
    }
}

/// `path`'s file name when `other` is in the same folder, else the path.
fn shown_beside(path: &Path, other: &Path) -> String {
    match path.file_name() {
        Some(name) if path.parent() == other.parent() => name.to_string_lossy().into_owned(),
        _ => path.display().to_string(),
    }
}

/// Of two files, the copy and the original when one is named as Windows
/// Explorer (or a person) names a copy of the other: `04 - 副本.ron`,
/// `04 - 副本 (2).ron`, `04 - Copy.ron`, `04 (2).ron`, `复件 04.ron`,
/// `Copy of 04.ron`.
fn copy_pair<'a>(a: &'a Path, b: &'a Path) -> Option<(&'a Path, &'a Path)> {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let (sa, sb) = (stem(a)?, stem(b)?);
    let copy_of = |copy: &str, original: &str| -> bool {
        if let Some(rest) = copy.strip_prefix(original) {
            let rest = rest.trim();
            let rest = rest.strip_prefix('-').map_or(rest, str::trim);
            let numbered = |r: &str| {
                r.is_empty()
                    || r.strip_prefix('(')
                        .and_then(|r| r.strip_suffix(')'))
                        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            };
            return ["副本", "复件", "Copy", "copy"]
                .iter()
                .any(|w| rest.strip_prefix(w).is_some_and(|r| numbered(r.trim())))
                || (!rest.is_empty() && numbered(rest));
        }
        ["复件 ", "Copy of ", "副本 "]
            .iter()
            .any(|p| copy.strip_prefix(p) == Some(original))
    };
    if copy_of(&sa, &sb) {
        Some((a, b))
    } else if copy_of(&sb, &sa) {
        Some((b, a))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn explorers_copies_are_told_from_other_files() {
        let original = Path::new("d/04-business-area.ron");
        for copy in [
            "d/04-business-area - 副本.ron",
            "d/04-business-area - 副本 (2).ron",
            "d/04-business-area - Copy.ron",
            "d/04-business-area (2).ron",
            "d/复件 04-business-area.ron",
        ] {
            assert_eq!(
                super::copy_pair(original, Path::new(copy)),
                Some((Path::new(copy), original)),
                "{copy}"
            );
        }
        assert_eq!(
            super::copy_pair(original, Path::new("d/04-business-area-2.ron")),
            None
        );
        assert_eq!(super::copy_pair(original, Path::new("d/05-cash.ron")), None);
    }
}
