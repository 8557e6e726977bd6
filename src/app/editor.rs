//! The card form (F2): the card being edited as the form shows it, turned
//! back into a [`Card`] and into the new text of its file on save. Pure:
//! the shell reads the file when the form opens and writes the text it is
//! given (see `content::edit`).

use std::path::PathBuf;

use crate::content::edit::{self, CardSpan};
use crate::content::write;
use crate::model::{Card, Status, Step};

/// Why the form did not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("没有这张卡片")]
    NoCard,
    #[error(
        "这张卡片来自程序内置的卡片，不能在这里改：表单只改 --data 或本网点（Local）目录里的卡片"
    )]
    Builtin,
    #[error("这张卡片来自 {}，不能在这里改：表单只改 --data 或本网点（Local）目录里的卡片", .0.display())]
    NotWritable(PathBuf),
    #[error("这张卡片是总行锁定的合规话术，本网点不能修改；要改请联系培训部")]
    Locked,
    #[error("无法读取 {}：{source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("这个文件不是 UTF-8（可能是 GBK），表单不能改它；请先用记事本另存为 UTF-8")]
    NotUtf8,
    #[error("这张卡片在文件里找不到了")]
    Gone,
}

/// One step as the form shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepDraft {
    pub action: String,
    /// One script a line.
    pub scripts: String,
}

/// One link as the form shows it: the card it goes to and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LinkDraft {
    /// The linked card's id (chosen from the cards, see
    /// [`Editor::link_hits`]).
    pub to: String,
    #[serde(default)]
    pub why: String,
}

/// A card the link chooser offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkTarget {
    pub id: String,
    pub title: String,
}

/// The form's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fields {
    /// Only a new card's id can be written (empty: made from the title's
    /// pinyin); an existing card keeps its id (stars, counts and links use
    /// it).
    #[serde(default)]
    pub id: String,
    pub title: String,
    /// Separated by `、`, `,` or `，`.
    pub aliases: String,
    /// One paragraph a line.
    pub scene: String,
    pub steps: Vec<StepDraft>,
    /// One paragraph a line.
    pub view: String,
    /// Fill-ins, one a line: `称呼：先生/女士` (no choices: typed at the
    /// counter).
    #[serde(default)]
    pub fills: String,
    /// Links to other cards, chosen from them.
    #[serde(default)]
    pub links: Vec<LinkDraft>,
    /// `Some(true)` draft, `Some(false)` reviewed, `None` not said.
    #[serde(default)]
    pub draft: Option<bool>,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub reviewed_by: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub updated: String,
}

impl Fields {
    pub fn of(card: &Card) -> Self {
        Self {
            id: card.id.as_str().to_owned(),
            title: card.title.clone(),
            aliases: card.aliases.join("、"),
            scene: card.scene.join("\n"),
            steps: card
                .steps
                .iter()
                .map(|s| StepDraft {
                    action: s.action.clone(),
                    scripts: s
                        .scripts
                        .iter()
                        .map(|x| x.template.source())
                        .collect::<Vec<_>>()
                        .join("\n"),
                })
                .collect(),
            view: card.view.join("\n"),
            fills: card
                .fields
                .iter()
                .map(|(name, f)| format!("{name}：{}", f.choices.join("/")))
                .collect::<Vec<_>>()
                .join("\n"),
            links: card
                .links
                .iter()
                .map(|l| LinkDraft {
                    to: l.to.as_str().to_owned(),
                    why: l.why.clone(),
                })
                .collect(),
            draft: card.meta.status.map(|s| s == Status::Draft),
            version: card.meta.version.map(|v| v.to_string()).unwrap_or_default(),
            reviewed_by: card.meta.reviewed_by.clone().unwrap_or_default(),
            updated: card.meta.updated.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// A card being edited: where it is written and what the form holds.
#[derive(Clone, Debug)]
pub struct Editor {
    pub card: Card,
    pub fields: Fields,
    /// Its file, the file's bytes when the form opened, and the card's span.
    pub file: PathBuf,
    pub read: Vec<u8>,
    /// Where the card is in the file; `None` for a new card, which goes at
    /// the end of the file's `section`-th list of cards.
    pub span: Option<CardSpan>,
    pub section: usize,
    /// A card of a source this counter may not write, saved as a local
    /// override with the same id.
    pub is_override: bool,
    /// Ids already used in the content (a new card's must differ; links
    /// must go to one).
    pub taken: Vec<String>,
    /// What is typed in the link chooser, and the cards it finds (set by
    /// the app, which searches the content).
    pub link_query: String,
    pub link_hits: Vec<LinkTarget>,
    /// Said in the form: why the last save did not happen, or that it did.
    pub message: Option<String>,
    /// Esc was pressed once with changes: a second Esc discards them.
    pub closing: bool,
    /// A save found the file changed on disk: F5 reads it again.
    pub stale: bool,
    /// An override: the card of an earlier source it replaces, as that is
    /// now (the override records its hash on save, see
    /// [`write::card_hash`](crate::content::write::card_hash)).
    pub replaces: Option<Card>,
}

/// What a change of the form is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormEdit {
    Id(String),
    Title(String),
    Aliases(String),
    Scene(String),
    View(String),
    Action(usize, String),
    Draft(Option<bool>),
    Fills(String),
    /// Typed in the link chooser.
    LinkQuery(String),
    /// A link to the card with this id, chosen in the chooser.
    AddLink(String),
    LinkWhy(usize, String),
    RemoveLink(usize),
    Version(String),
    ReviewedBy(String),
    Updated(String),
    Scripts(usize, String),
    AddStep,
    RemoveStep(usize),
    /// Step `n` one place up (−1) or down (+1).
    MoveStep(usize, i32),
    /// The form filled with the text of the card the override replaces,
    /// as it is now.
    TakeReplaced,
}

/// `名字：其余` (full- or half-width colon) → (名字, 其余).
fn split_label(line: &str) -> (&str, &str) {
    match line.split_once(['：', ':']) {
        Some((a, b)) => (a.trim(), b.trim()),
        None => (line.trim(), ""),
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The file's text as the loader reads it (no BOM, `\n` line breaks, so
/// the card's recorded place is right: the loader's own
/// [`decode::newlines_as_loaded`](crate::content::decode::newlines_as_loaded)),
/// and how to write it back the way it was: (text, had a BOM, its line
/// break).
fn as_loaded(read: &[u8]) -> Result<(String, bool, &'static str), String> {
    let text = std::str::from_utf8(read).map_err(|_| OpenError::NotUtf8.to_string())?;
    let bom = text.starts_with('\u{feff}');
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let newline = if text.contains("\r\n") {
        "\r\n"
    } else if text.contains('\r') {
        "\r"
    } else {
        "\n"
    };
    Ok((
        crate::content::decode::newlines_as_loaded(text),
        bom,
        newline,
    ))
}

/// The byte offset in `raw` (the file as read) of offset `k` of its text
/// as loaded (BOM dropped, CRLF read as LF, a lone CR as LF: one byte for
/// one).
fn raw_offset(raw: &str, k: usize) -> usize {
    let mut loaded = 0;
    let bom = if raw.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut chars = raw[bom..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if loaded >= k {
            return bom + i;
        }
        if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
            continue;
        }
        loaded += c.len_utf8();
    }
    raw.len()
}

impl Editor {
    /// A form on `card` as it is, written to `file` (whose bytes are
    /// `read`) at `span` (`None`: the end of the file's first list of
    /// cards).
    fn with(card: Card, file: PathBuf, read: Vec<u8>, span: Option<CardSpan>) -> Self {
        Self {
            fields: Fields::of(&card),
            card,
            file,
            read,
            span,
            section: 0,
            is_override: false,
            taken: Vec::new(),
            link_query: String::new(),
            link_hits: Vec::new(),
            message: None,
            closing: false,
            stale: false,
            replaces: None,
        }
    }

    /// The form of an override of `earlier` (an earlier source's card).
    #[must_use]
    pub fn replacing(mut self, earlier: Option<Card>) -> Self {
        self.replaces = earlier;
        self
    }

    /// The card this override replaces, when that changed after the
    /// override was made from it: the form shows it beside the branch's.
    pub fn changed_since(&self) -> Option<&Card> {
        self.replaces
            .as_ref()
            .filter(|earlier| write::made_from_older(&self.card, earlier))
    }

    /// The form for `card`, read from `file` (whose bytes are `read`).
    pub fn open(card: Card, file: PathBuf, read: Vec<u8>) -> Result<Self, OpenError> {
        let (text, _, _) = as_loaded(&read).map_err(|_| OpenError::NotUtf8)?;
        let pos = crate::content::Pos::new(card.origin.line as usize, card.origin.col as usize);
        let span = edit::card_span(&text, pos).ok_or(OpenError::Gone)?;
        // What is rewritten on save loses its comments: the changed fields,
        // or the whole card when it is not written one field a line.
        let message = edit::has_comment(&text, &span).then(|| {
            let own = &text[span.range.clone()];
            if edit::patch_card(own, &card, &card, span.indent).is_some() {
                "注意：这张卡片里写了注释（//）：保存时只重写改过的项目，改过的项目里的注释会去掉，其他注释不变"
            } else {
                "注意：这张卡片里写了注释（//），保存后卡片里的注释会去掉；文件里其他地方的注释不变"
            }
            .to_owned()
        });
        Ok(Self {
            message,
            ..Self::with(card, file, read, Some(span))
        })
    }

    /// The form for a new card at the end of the `section`-th list of
    /// cards of `file` (bytes `read`).
    pub fn new_card(file: PathBuf, read: Vec<u8>, section: usize) -> Self {
        let card = Card {
            id: crate::model::CardId::numbered(0),
            title: String::new(),
            aliases: Vec::new(),
            section: 0,
            scene: Vec::new(),
            steps: Vec::new(),
            view: Vec::new(),
            links: Vec::new(),
            fields: std::collections::BTreeMap::new(),
            meta: crate::model::Meta::default(),
            origin: crate::model::Origin {
                file: 0,
                line: 1,
                col: 1,
            },
        };
        let mut editor = Self::with(card, file, read, None);
        editor.section = section;
        editor.fields.id.clear();
        editor.fields.steps.push(StepDraft::default());
        editor
    }

    /// The form for `card`, which this counter may not write (a central or
    /// built-in card): saved as a card with the same id at the end of the
    /// `Local` directory's overrides file (`read`: its bytes, empty when it
    /// does not exist yet), which then replaces it on this counter.
    pub fn override_card(card: Card, file: PathBuf, read: Vec<u8>) -> Self {
        let message = format!(
            "这张卡片不能在原处改：保存后存为本网点的修改（{}），同 id，替换原来那张；删掉它就恢复原样",
            file.display()
        );
        Self {
            message: Some(message),
            is_override: true,
            replaces: Some(card.clone()),
            ..Self::with(card, file, read, None)
        }
    }

    /// Goes on from the file as it is now (`read`: its bytes; someone
    /// else changed it), keeping the form's changes: the next save replaces
    /// this card in the new text, keeping their other changes.
    pub fn reopen(&mut self, read: Vec<u8>) -> Result<(), String> {
        let (text, _, _) = as_loaded(&read)?;
        let mut said = "已重新载入文件；你的改动还在，Ctrl+S 保存";
        if self.span.is_some() {
            let lib = edit::validate(&self.file, &text).map_err(|errors| {
                format!(
                    "文件现在有错误（{}），先把它改好",
                    errors
                        .first()
                        .map(crate::content::Diagnostic::text)
                        .unwrap_or_default()
                )
            })?;
            let card = lib
                .cards
                .into_iter()
                .find(|c| c.id == self.card.id)
                .ok_or("文件里已经没有这张卡片了（可能被别人删了）")?;
            let pos = crate::content::Pos::new(card.origin.line as usize, card.origin.col as usize);
            let span =
                edit::card_span(&text, pos).ok_or_else(|| "这张卡片在文件里找不到了".to_owned())?;
            if Fields::of(&card) != Fields::of(&self.card) {
                said = "已重新载入文件：别人也改了这张卡片，保存会用表单里的内容替换它；你的改动还在，Ctrl+S 保存";
            }
            self.card = card;
            self.span = Some(span);
        }
        self.read = read;
        self.stale = false;
        self.message = Some(said.to_owned());
        Ok(())
    }

    /// A card not yet in any file (an override keeps its card's id).
    pub fn is_new(&self) -> bool {
        self.span.is_none() && !self.is_override
    }

    /// Continues from a form's unsaved fields (see `persist::draft_file`).
    pub fn restore(&mut self, fields: Fields) {
        self.fields = fields;
        self.message =
            Some("这是上次没有保存的改动（程序意外关闭了）：Ctrl+S 保存，连按两次 Esc 放弃".into());
    }

    pub fn changed(&self) -> bool {
        self.fields != Fields::of(&self.card)
    }

    pub fn apply(&mut self, edit: FormEdit) {
        self.closing = false;
        let f = &mut self.fields;
        match edit {
            FormEdit::Id(t) => f.id = t,
            FormEdit::Title(t) => f.title = t,
            FormEdit::Aliases(t) => f.aliases = t,
            FormEdit::Scene(t) => f.scene = t,
            FormEdit::View(t) => f.view = t,
            FormEdit::Draft(d) => f.draft = d,
            FormEdit::Fills(t) => f.fills = t,
            FormEdit::LinkQuery(t) => self.link_query = t,
            FormEdit::AddLink(to) => {
                if !f.links.iter().any(|l| l.to == to) {
                    f.links.push(LinkDraft {
                        to,
                        why: String::new(),
                    });
                }
                self.link_query.clear();
                self.link_hits.clear();
            }
            FormEdit::LinkWhy(n, t) => {
                if let Some(l) = f.links.get_mut(n) {
                    l.why = t;
                }
            }
            FormEdit::RemoveLink(n) => {
                if n < f.links.len() {
                    f.links.remove(n);
                }
            }
            FormEdit::Version(t) => f.version = t,
            FormEdit::ReviewedBy(t) => f.reviewed_by = t,
            FormEdit::Updated(t) => f.updated = t,
            FormEdit::Action(n, t) => {
                if let Some(s) = f.steps.get_mut(n) {
                    s.action = t;
                }
            }
            FormEdit::Scripts(n, t) => {
                if let Some(s) = f.steps.get_mut(n) {
                    s.scripts = t;
                }
            }
            FormEdit::AddStep => f.steps.push(StepDraft::default()),
            FormEdit::RemoveStep(n) => {
                if n < f.steps.len() {
                    f.steps.remove(n);
                }
            }
            FormEdit::TakeReplaced => {
                if let Some(earlier) = &self.replaces {
                    *f = Fields::of(earlier);
                }
            }
            FormEdit::MoveStep(n, by) => {
                let to = n.checked_add_signed(by as isize);
                if let Some(to) = to.filter(|&t| t < f.steps.len())
                    && n < f.steps.len()
                {
                    f.steps.swap(n, to);
                }
            }
        }
    }

    /// The card the form describes (fill-ins, links and review data as
    /// they were), or what is wrong with it.
    pub fn edited(&self) -> Result<Card, String> {
        let f = &self.fields;
        let title = f.title.trim();
        if title.is_empty() {
            return Err("标题不能是空的".into());
        }
        let mut card = self.card.clone();
        title.clone_into(&mut card.title);
        if self.is_new() {
            let mut taken: std::collections::HashSet<String> = self.taken.iter().cloned().collect();
            card.id = match f.id.trim() {
                "" => crate::content::import::unique_id(title, &mut taken),
                id => {
                    let id = crate::model::CardId::parse(id)
                        .map_err(|e| format!("id `{id}` 不能用：{e}"))?;
                    if taken.contains(id.as_str()) {
                        return Err(format!(
                            "id `{id}` 已经有卡片用了：换一个，或者留空让程序按标题生成"
                        ));
                    }
                    id
                }
            };
        }
        card.aliases = f
            .aliases
            .split(['、', ',', '，'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect();
        card.meta.status = f
            .draft
            .map(|d| if d { Status::Draft } else { Status::Reviewed });
        card.meta.version = match f.version.trim() {
            "" => None,
            v => Some(
                v.parse()
                    .map_err(|_| format!("版本“{v}”要写成一个整数，例如 2"))?,
            ),
        };
        card.meta.reviewed_by = Some(f.reviewed_by.trim().to_owned()).filter(|r| !r.is_empty());
        card.meta.updated = match f.updated.trim() {
            "" => None,
            d => Some(
                d.parse()
                    .map_err(|_| format!("更新日期“{d}”要写成 YYYY-MM-DD，例如 2026-11-30"))?,
            ),
        };
        card.fields = lines(&f.fills)
            .iter()
            .map(|line| {
                let (name, choices) = split_label(line);
                let choices = choices
                    .split(['/', '／', '、'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect();
                (name.to_owned(), crate::model::FillField { choices })
            })
            .collect();
        card.links = f
            .links
            .iter()
            .map(|l| {
                let to = crate::model::CardId::parse(&l.to)
                    .map_err(|e| format!("链接 `{}` 不能用：{e}", l.to))?;
                if !self.taken.iter().any(|t| t == to.as_str()) {
                    return Err(format!("链接的卡片 `{to}` 已经不在了：删掉这个链接"));
                }
                Ok(crate::model::Link {
                    to,
                    why: l.why.trim().to_owned(),
                })
            })
            .collect::<Result<_, String>>()?;
        card.scene = lines(&f.scene);
        card.view = lines(&f.view);
        card.steps = f
            .steps
            .iter()
            .filter(|s| !s.action.trim().is_empty() || !s.scripts.trim().is_empty())
            .map(|s| {
                let mut step = Step::plain(s.action.trim().to_owned(), &[]);
                for line in lines(&s.scripts) {
                    let template = crate::model::template::Template::parse(&line)
                        .map_err(|e| format!("话术“{line}”：{e}"))?;
                    step.scripts.push(crate::model::Script { template });
                }
                Ok(step)
            })
            .collect::<Result<_, String>>()?;
        // An override records what it was made from: saved now, it has
        // been looked at beside the card it replaces as that is now.
        if let Some(earlier) = &self.replaces {
            card.meta.based_on = Some(write::card_hash(earlier));
            card.meta.locked = false;
        }
        Ok(card)
    }

    /// The file's new text with the edited card in place of the old one:
    /// only its changed fields rewritten when that reads back as the edited
    /// card (see [`edit::patch_card`]), else the whole card written anew.
    pub fn new_text(&self) -> Result<String, String> {
        let card = self.edited()?;
        let (mut text, _, newline) = as_loaded(&self.read)?;
        if self.read.is_empty() {
            edit::OVERRIDES_SKELETON.clone_into(&mut text);
        }
        let (range, whole) = match &self.span {
            Some(span) => (span.range.clone(), edit::card_text(&card, span.indent)),
            None => edit::insertion(&text, self.section, &card)
                .ok_or("这个文件里没有这一节的卡片列表")?,
        };
        let patched = self.span.as_ref().and_then(|span| {
            edit::patch_card(&text[range.clone()], &self.card, &card, span.indent)
        });
        // The file's own bytes around the card, BOM and line breaks as
        // they were.
        let raw = if self.read.is_empty() {
            edit::OVERRIDES_SKELETON
        } else {
            std::str::from_utf8(&self.read).map_err(|e| e.to_string())?
        };
        let (start, end) = (raw_offset(raw, range.start), raw_offset(raw, range.end));
        let written = |card_text: &str| {
            let card_text = card_text.replace('\n', newline);
            edit::splice(raw, &(start..end), &card_text)
        };
        if let Some(patched) = patched {
            let new = written(&patched);
            let reads_back = edit::validate(&self.file, &new).is_ok_and(|lib| {
                lib.cards.into_iter().any(|mut c| {
                    c.section = card.section;
                    c.origin = card.origin;
                    c == card
                })
            });
            if reads_back {
                return Ok(new);
            }
        }
        let new = written(&whole);
        edit::validate(&self.file, &new).map_err(|errors| {
            errors
                .iter()
                .map(crate::content::Diagnostic::text)
                .collect::<Vec<_>>()
                .join("；")
        })?;
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\u{feff}// 注释\r\nChapter(\r\n    sections: [\r\n        Section(\r\n            cards: [\r\n                Card(id: \"a\", title: \"甲\", steps: [Step(action: \"做。\", scripts: [\"说。\"])]),\r\n                Card(id: \"b\", title: \"乙\", steps: [Step(action: \"做。\")]),\r\n            ],\r\n        ),\r\n    ],\r\n)\r\n";

    fn editor(n: usize) -> Editor {
        let lib = crate::content::edit::validate(std::path::Path::new("f.ron"), FILE).unwrap();
        Editor::open(
            lib.cards[n].clone(),
            "f.ron".into(),
            FILE.as_bytes().to_vec(),
        )
        .unwrap()
    }

    /// A file with lone CR line breaks (old Mac editors): the form finds the
    /// card at the line:col the loader gave it, and writes it back with CR.
    #[test]
    fn a_file_with_lone_cr_line_breaks_is_read_as_the_loader_reads_it() {
        let file = FILE.trim_start_matches('\u{feff}').replace("\r\n", "\r");
        let loaded = crate::content::decode::decode(file.as_bytes()).unwrap();
        let lib =
            crate::content::edit::validate(std::path::Path::new("f.ron"), &loaded.text).unwrap();
        let mut e = Editor::open(
            lib.cards[1].clone(),
            "f.ron".into(),
            file.as_bytes().to_vec(),
        )
        .unwrap();
        assert_eq!(e.fields.title, "乙");
        e.apply(FormEdit::Title("乙（改）".into()));
        let new = e.new_text().unwrap();
        assert!(!new.contains('\n'), "CR kept: {new:?}");
        assert!(new.contains("乙（改）") && new.contains("title: \"甲\""));
    }

    #[test]
    fn a_notepad_file_keeps_its_bom_and_crlf_around_the_card() {
        let mut e = editor(0);
        e.apply(FormEdit::Scripts(0, "说。\n再说一句。".into()));
        e.apply(FormEdit::AddStep);
        e.apply(FormEdit::Action(1, "第二步。".into()));
        e.apply(FormEdit::MoveStep(1, -1));
        assert!(e.changed());
        let new = e.new_text().unwrap();
        let start = FILE.find("Card(id: \"a\"").unwrap();
        assert_eq!(&new[..start], &FILE[..start]);
        let tail = &FILE[FILE.find("                Card(id: \"b\"").unwrap() - 3..];
        assert!(new.ends_with(tail), "{new:?}");
        assert!(
            !new.replace("\r\n", "").contains('\n'),
            "CRLF kept: {new:?}"
        );
        let lib = crate::content::edit::validate(std::path::Path::new("f.ron"), &new).unwrap();
        let steps: Vec<&str> = lib.cards[0]
            .steps
            .iter()
            .map(|s| s.action.as_str())
            .collect();
        assert_eq!(steps, ["第二步。", "做。"]);
        assert_eq!(lib.cards[0].steps[1].scripts.len(), 2);
    }

    #[test]
    fn reopening_a_changed_file_keeps_the_edit_and_says_what_changed() {
        let mut e = editor(0);
        e.apply(FormEdit::Title("甲二".into()));
        // Someone else changed card b, then card a, then deleted card a.
        let theirs = FILE.replace("title: \"乙\"", "title: \"乙二\"");
        e.reopen(theirs.as_bytes().to_vec()).unwrap();
        assert!(!e.message.as_deref().unwrap().contains("别人也改了这张卡片"));
        let new = e.new_text().unwrap();
        assert!(new.contains("乙二") && new.contains("甲二"), "{new}");
        let theirs = FILE.replace("说。", "说点别的。");
        e.reopen(theirs.as_bytes().to_vec()).unwrap();
        assert!(e.message.as_deref().unwrap().contains("别人也改了这张卡片"));
        assert_eq!(e.fields.title, "甲二", "the form keeps its edit");
        let gone = FILE.replace("id: \"a\"", "id: \"c\"");
        let why = e.reopen(gone.as_bytes().to_vec()).unwrap_err();
        assert!(why.contains("已经没有这张卡片"), "{why}");
        let broken = FILE.replace("title: \"乙\"", "title: \"乙");
        assert!(
            e.reopen(broken.into_bytes())
                .unwrap_err()
                .contains("文件现在有错误")
        );
    }

    /// The bundled chapter with a trainer's comments inside one card.
    fn commented() -> (String, Editor) {
        let file = include_str!("../../data/04-business-area.ron").replace(
            "title: \"工作失误导致客户不满\",",
            "title: \"工作失误导致客户不满\", // 培训重点\n                    // 场景来自分行案例",
        );
        let lib = crate::content::edit::validate(std::path::Path::new("f.ron"), &file).unwrap();
        let card = lib
            .cards
            .iter()
            .find(|c| c.id.as_str() == "teller-error-complaint")
            .unwrap()
            .clone();
        let e = Editor::open(card, "f.ron".into(), file.clone().into_bytes()).unwrap();
        (file, e)
    }

    #[test]
    fn only_the_changed_field_is_rewritten_and_comments_stay() {
        let (file, mut e) = commented();
        e.apply(FormEdit::Scripts(0, "很抱歉给你带来不便。".into()));
        let new = e.new_text().unwrap();
        assert!(new.contains("// 培训重点") && new.contains("// 场景来自分行案例"));
        // Everything but the first step's script line is as it was.
        let old_line = "scripts: [\"很抱歉给你带来不便,我们的心情和你一样。\"],";
        let new_line = "scripts: [\"很抱歉给你带来不便。\"],";
        assert_eq!(new, file.replace(old_line, new_line));
    }

    #[test]
    fn a_field_added_is_one_line_and_an_emptied_one_is_written_empty() {
        let (file, mut e) = commented();
        e.apply(FormEdit::ReviewedBy("王老师".into()));
        e.apply(FormEdit::Aliases(String::new()));
        let new = e.new_text().unwrap();
        let aliases = "                    aliases: [\"汇款错误\", \"汇款延误\", \"打错账号\", \"手误\", \"要求赔偿\", \"赔钱\", \"投诉柜员\"],\n";
        let view_end = "由于没有给客户的资金造成实际损失,我们不能同意客户的赔偿要求,但我们可以用礼物和真诚的态度来弥补。\",\n                    ],\n";
        let expected = file
            .replace(aliases, "                    aliases: [],\n")
            .replace(
                view_end,
                &format!("{view_end}                    reviewed_by: \"王老师\",\n"),
            );
        assert_eq!(new, expected);
        // Cleared again: the line goes.
        let lib = crate::content::edit::validate(std::path::Path::new("f.ron"), &new).unwrap();
        let card = lib.cards.into_iter().find(|c| c.id == e.card.id).unwrap();
        let mut e = Editor::open(card, "f.ron".into(), new.into_bytes()).unwrap();
        e.apply(FormEdit::ReviewedBy(String::new()));
        assert_eq!(
            e.new_text().unwrap(),
            expected.replace("                    reviewed_by: \"王老师\",\n", "")
        );
    }

    #[test]
    fn a_card_with_a_comment_inside_says_it_goes_on_save() {
        let file = "Chapter(sections: [Section(cards: [\nCard(id: \"a\", title: \"甲\", // 注释\n steps: [Step(action: \"做。\")]),\n])])\n";
        let lib = crate::content::edit::validate(std::path::Path::new("f.ron"), file).unwrap();
        let e = Editor::open(
            lib.cards[0].clone(),
            "f.ron".into(),
            file.as_bytes().to_vec(),
        )
        .unwrap();
        assert!(e.message.unwrap().contains("保存后卡片里的注释会去掉"));
        assert!(editor(0).message.is_none());
        let (_, e) = commented();
        assert!(e.message.unwrap().contains("改过的项目里的注释会去掉"));
    }

    #[test]
    fn an_empty_title_or_a_broken_fill_in_is_refused_with_the_reason() {
        let mut e = editor(1);
        e.apply(FormEdit::Title("  ".into()));
        assert_eq!(e.new_text().unwrap_err(), "标题不能是空的");
        e.apply(FormEdit::Title("乙".into()));
        e.apply(FormEdit::Scripts(0, "{称呼".into()));
        assert!(e.new_text().unwrap_err().contains("话术“{称呼”"));
    }
}
