//! The docs cannot drift from the program: every code block of `README.md`
//! and `docs/editing.md` is run here (a block no test knows how to run
//! fails), as are the commands of `docs/editing.md`'s five-minute first
//! edit and of `packaging/使用说明.txt`.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

mod support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("HUASHU_CONFIG");
    cmd
}

/// Standard output and standard error of a command that must succeed.
fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{cmd:?}\n{stdout}\n{stderr}");
    (support::forward_slashes(&stdout), stderr)
}

/// One fenced code block of a Markdown file.
struct Block {
    doc: &'static str,
    /// 1-based line of the opening fence.
    line: usize,
    lang: String,
    /// Its text, the fence's indentation removed.
    text: String,
}

impl Block {
    fn at(&self) -> String {
        format!("{}:{}", self.doc, self.line)
    }

    fn first_line(&self) -> &str {
        self.text.lines().next().unwrap_or("")
    }
}

fn blocks(doc: &'static str) -> Vec<Block> {
    let text = std::fs::read_to_string(doc).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, String, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(lang)) => open = Some((n + 1, indent, lang.trim().into(), String::new())),
            (Some(_), Some(_)) => {
                let (line, _, lang, text) = open.take().unwrap();
                out.push(Block {
                    doc,
                    line,
                    lang,
                    text,
                });
            }
            (Some((_, indent, _, text)), None) => {
                text.push_str(line.get(*indent..).unwrap_or(line.trim_start()));
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{doc}: a code block is not closed");
    out
}

/// A copy of the bundled `data/` in a temporary directory.
fn copy_of_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for entry in std::fs::read_dir("data").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            dir.path().join("data").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    dir
}

#[test]
fn every_code_block_of_the_docs_is_run() {
    let mut ran = 0;
    for block in blocks("README.md").iter().chain(&blocks("docs/editing.md")) {
        match (block.lang.as_str(), block.first_line()) {
            ("console", _) => console(block),
            ("ron", first) if first.starts_with("Config(") => config(block),
            ("ron", first) if first.starts_with("Rules(") => rules_example(block),
            ("ron", first) if first.starts_with("Synonyms(") => synonyms_example(block),
            ("ron", _) => content_example(block),
            ("sh", _) => synopsis(block),
            ("", first) if first.starts_with("Chapter(withdraw") => withdraw(block),
            ("", first) if first.starts_with("data/") => check_output(block),
            ("", first) if first.starts_with("scripts:") => fill_in(block),
            ("", first) if first.starts_with("huashu import") => imports(block),
            _ => panic!("{}: a code block no test runs", block.at()),
        }
        ran += 1;
    }
    assert!(ran >= 9, "{ran}");
}

/// `$ huashu …` lines, run from the repository on the bundled cards, must
/// print what follows them.
fn console(block: &Block) {
    let mut commands: Vec<(&str, String)> = Vec::new();
    for line in block.text.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            commands.push((command, String::new()));
        } else if let Some((_, expected)) = commands.last_mut() {
            expected.push_str(line);
            expected.push('\n');
        }
    }
    assert!(!commands.is_empty(), "{}", block.at());
    for (command, expected) in commands {
        let mut words = command.split_whitespace();
        assert_eq!(words.next(), Some("huashu"), "{}: {command}", block.at());
        let (stdout, _) = run(huashu().args(words));
        assert_eq!(stdout, expected, "{}: $ {command}", block.at());
    }
}

fn config(block: &Block) {
    let config = huashu::content::sources::Config::parse(Path::new(block.doc), &block.text)
        .unwrap_or_else(|e| panic!("{}: {e}", block.at()));
    assert!(!config.sources.is_empty(), "{}", block.at());
}

/// A `rules.ron`: read without problems, and a script with its first
/// phrase is warned about.
fn rules_example(block: &Block) {
    let mut diagnostics = Vec::new();
    let rules =
        huashu::content::rules::parse(Path::new("rules.ron"), &block.text, &mut diagnostics);
    assert!(diagnostics.is_empty(), "{}: {diagnostics:#?}", block.at());
    let phrase = &rules.first().unwrap().phrase;
    let chapter = format!(
        "Chapter(sections: [Section(cards: [Card(id: \"x\", title: \"t\",\n\
         steps: [Step(action: \"a\", scripts: [\"您放心，{phrase}。\"])])])])"
    );
    huashu::content::build(
        &[
            ("rules.ron".into(), block.text.clone().into_bytes()),
            ("card.ron".into(), chapter.into_bytes()),
        ],
        &mut diagnostics,
    );
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.starts_with(&format!("话术里有“{phrase}”"))),
        "{}: {diagnostics:#?}",
        block.at()
    );
}

/// A branch's synonyms file over the bundled cards and synonyms: no
/// problem in it, its words find their cards, its withdrawal takes the
/// bundled group off.
fn synonyms_example(block: &Block) {
    let mut files: Vec<(PathBuf, Vec<u8>, usize)> = std::fs::read_dir("data")
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes, 0)
        })
        .collect();
    files.sort();
    files.push((
        "branch/synonyms.ron".into(),
        block.text.clone().into_bytes(),
        1,
    ));
    let mut diagnostics = Vec::new();
    let library = huashu::content::build_layers(
        files
            .iter()
            .map(|(p, b, l)| (p.as_path(), b.as_slice(), *l)),
        &mut diagnostics,
    );
    let own: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.path.starts_with("branch"))
        .collect();
    assert!(own.is_empty(), "{}: {own:#?}", block.at());
    let mut searcher = huashu::search::Searcher::new(std::sync::Arc::new(library));
    for (query, id) in [
        ("排队小票", "wrong-queue-ticket"),
        ("排错号", "wrong-queue-ticket"),
    ] {
        let results = searcher.search(query, 1);
        let first = results
            .hits
            .first()
            .map(|h| searcher.library().cards[h.card].id.as_str());
        assert_eq!(first, Some(id), "{}: {query}", block.at());
    }
    assert!(
        searcher
            .search("大客户", 1)
            .synonyms
            .iter()
            .all(Vec::is_empty),
        "{}: 大客户 withdrawn",
        block.at()
    );
}

/// A whole chapter file: loads without errors.
fn content_example(block: &Block) {
    let mut diagnostics = Vec::new();
    let library = huashu::content::build(
        &[("example.ron".into(), block.text.as_bytes().to_vec())],
        &mut diagnostics,
    );
    // The example may link to a card of the bundled chapters, which are
    // not loaded here.
    let unexpected: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error() || !d.message.starts_with("链接的卡片"))
        .map(ToString::to_string)
        .collect();
    assert!(unexpected.is_empty(), "{}: {unexpected:#?}", block.at());
    assert!(!library.cards.is_empty(), "{}", block.at());
}

/// Command lines: `cargo …` as CI runs it; `huashu SUBCOMMAND [--flag …]`
/// must name a subcommand whose help lists every flag shown.
fn synopsis(block: &Block) {
    for line in block.text.lines() {
        let command = line.split(" #").next().unwrap_or("").trim();
        if command.is_empty() || command.starts_with('#') {
            continue;
        }
        let mut words = command.split_whitespace();
        match words.next() {
            Some("cargo") => cargo_line(block, command),
            Some("huashu") => {
                let sub = words.next().unwrap();
                let (help, _) = run(huashu().args([sub, "--help"]));
                for flag in command
                    .split(|c: char| c.is_whitespace() || "[]".contains(c))
                    .filter(|w| w.starts_with('-'))
                {
                    assert!(
                        help.contains(flag),
                        "{}: `huashu {sub}` has no {flag}:\n{help}",
                        block.at()
                    );
                }
            }
            _ => panic!("{}: {command}: not a command this test knows", block.at()),
        }
    }
}

/// The README's two commands. `cargo test` is what `.ci/run` runs; `cargo
/// run --release` opens the window on `./data` of the repository, which is
/// what `huashu sources` reports from there.
fn cargo_line(block: &Block, command: &str) {
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    match command {
        "cargo test" => assert!(ci.lines().any(|l| l == "cargo test"), "{}", block.at()),
        "cargo run --release" => {
            let (stdout, _) = run(huashu().arg("sources"));
            assert!(
                stdout.starts_with("内容来源：当前目录下的 data 目录"),
                "{stdout}"
            );
        }
        _ => panic!("{}: {command}: not a command this test knows", block.at()),
    }
}

/// A branch file that takes a card of the central cards off the counter.
fn withdraw(block: &Block) {
    let branch = tempfile::tempdir().unwrap();
    std::fs::write(branch.path().join("withdraw.ron"), &block.text).unwrap();
    let (before, _) = run(huashu().args(["--data", "data", "list"]));
    let (after, _) = run(huashu()
        .args(["--data", "data", "--local"])
        .arg(branch.path())
        .arg("list"));
    let id = "wrong-queue-ticket";
    assert!(block.text.contains(id));
    assert!(before.contains(id) && !after.contains(id), "{after}");
}

/// The sample output of `huashu check`: the mistake it describes (the
/// position's character typed as a full-width comma), made in a copy of
/// `data/`, prints exactly that.
fn check_output(block: &Block) {
    let first = block.first_line();
    let mut location = first.split(':');
    let (file, line, col) = (
        location.next().unwrap(),
        location.next().unwrap().parse::<usize>().unwrap(),
        location.next().unwrap().parse::<usize>().unwrap(),
    );
    let dir = copy_of_data();
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let target = &mut lines[line - 1];
    let (at, c) = target.char_indices().nth(col - 1).unwrap();
    assert_eq!(
        c,
        ',',
        "{}: the sample's position is not a comma",
        block.at()
    );
    target.replace_range(at..=at, "，");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = huashu()
        .current_dir(dir.path())
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = support::forward_slashes(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(stdout, block.text, "{}", block.at());
}

/// A fill-in (`{称呼}`) with its choices: no problem at all in a card.
fn fill_in(block: &Block) {
    let mut parts = block.text.lines();
    let (scripts, fields) = (parts.next().unwrap(), parts.next().unwrap());
    let chapter = format!(
        "Chapter(sections: [Section(cards: [Card(id: \"x\", title: \"t\",\n\
         steps: [Step(action: \"a\", {scripts})],\n{fields})])])"
    );
    let mut diagnostics = Vec::new();
    let library = huashu::content::build(
        &[("fill.ron".into(), chapter.into_bytes())],
        &mut diagnostics,
    );
    assert!(diagnostics.is_empty(), "{}: {diagnostics:#?}", block.at());
    assert_eq!(library.cards[0].fields.len(), 1);
}

/// Each `huashu import` line, in a folder with a whole manual (`手册.txt`,
/// the seed excerpt) and one chapter of it (`一章.txt`).
fn imports(block: &Block) {
    let manual = std::fs::read_to_string("tests/fixtures/manual-excerpt.txt").unwrap();
    let chapter = &manual[manual.find("第四章").unwrap()..];
    for line in block.text.lines() {
        let command = line.split(" #").next().unwrap().trim();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("手册.txt"), &manual).unwrap();
        std::fs::write(dir.path().join("一章.txt"), chapter).unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let (stdout, _) = run(huashu().current_dir(dir.path()).args(&args));
        let output = args
            .iter()
            .position(|a| *a == "-o")
            .map(|k| dir.path().join(args[k + 1]));
        match output {
            None => assert!(stdout.contains("Chapter("), "{}: {command}", block.at()),
            Some(out) => {
                assert!(
                    out.exists(),
                    "{}: {command}: no {}",
                    block.at(),
                    out.display()
                );
                let out = huashu()
                    .arg("check")
                    .arg("--data")
                    .arg(&out)
                    .output()
                    .unwrap();
                assert_eq!(out.status.code(), Some(0), "{}: {command}", block.at());
            }
        }
    }
}

/// `docs/editing.md` from the top, as a newcomer follows it: copy a card in
/// its file, give it a new id and title, check from the `data` folder,
/// see it listed; a Notepad `.ron.txt` is named by `check`; and the two
/// ways to preview what a counter shows.
#[test]
fn the_five_minute_first_edit_works() {
    let guide = std::fs::read_to_string("docs/editing.md").unwrap();
    let five = &guide[guide.find("## 五分钟").unwrap()..guide.find("## 文件在哪里").unwrap()];
    for shown in [
        "`04-business-area.ron`",
        "`..\\huashu.exe check --data .`",
        "`… 张卡片，… 个文件，0 个错误，… 个提示`",
        "`huashu.exe check --config 配置文件`",
        "`huashu.exe --data 中心目录 --local 本网点目录 check`",
    ] {
        assert!(five.contains(shown), "the guide no longer shows {shown}");
    }

    // Steps 1-4: copy the first card (from `Card(` to its aligned `),`).
    let dir = copy_of_data();
    let data = dir.path().join("data");
    let path = data.join("04-business-area.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("                Card(").unwrap();
    let end = start
        + text[start..].find("\n                ),\n").unwrap()
        + "\n                ),\n".len();
    let copy = text[start..end]
        .replace("\"teller-unskilled\"", "\"my-first-card\"")
        .replace("\"柜员业务不熟练\"", "\"我的第一张卡片\"");
    let edited = format!("{}{copy}{}", &text[..end], &text[end..]);
    std::fs::write(&path, edited).unwrap();

    // Step 5: `..\huashu.exe check --data .` from the data folder.
    let (stdout, _) = run(huashu().current_dir(&data).args(["check", "--data", "."]));
    let summary = stdout.lines().last().unwrap();
    assert!(
        summary.contains("张卡片，") && summary.contains("个文件，0 个错误，"),
        "{stdout}"
    );
    // Step 6: the window's list.
    let (list, _) = run(huashu().current_dir(&data).args(["list", "--data", "."]));
    assert!(list.contains("我的第一张卡片"), "{list}");

    // Step 4's warning: Notepad's `.ron.txt` is not read, and `check` says
    // so and fails (its cards are missing).
    std::fs::write(data.join("05-新卡片.ron.txt"), &copy).unwrap();
    let out = huashu()
        .current_dir(&data)
        .args(["check", "--data", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("05-新卡片.ron.txt"), "{stdout}");
    assert!(stdout.contains("1 个文件没有读取"), "{stdout}");
    assert!(
        five.contains("个文件没有读取"),
        "the guide says what it means"
    );
    std::fs::remove_file(data.join("05-新卡片.ron.txt")).unwrap();

    // Previewing a counter: a branch folder layered on the central one,
    // with `--local` and with a config file.
    let branch = tempfile::tempdir().unwrap();
    std::fs::write(
        branch.path().join("override.ron"),
        text[..start].to_owned()
            + &text[start..end].replace("柜员业务不熟练", "本行改过的标题")
            + "            ],\n        ),\n    ],\n)\n",
    )
    .unwrap();
    let (layered, _) = run(huashu()
        .args(["--data"])
        .arg(&data)
        .arg("--local")
        .arg(branch.path())
        .arg("list"));
    assert!(
        layered.contains("本行改过的标题") && !layered.contains("柜员业务不熟练"),
        "{layered}"
    );
    let config = branch.path().join("配置文件.ron");
    std::fs::write(
        &config,
        format!(
            "Config(sources: [Central(r\"{}\"), Local(r\"{}\")])",
            data.display(),
            branch.path().display()
        ),
    )
    .unwrap();
    let (stdout, _) = run(huashu().arg("check").arg("--config").arg(&config));
    assert!(
        stdout.lines().last().unwrap().contains("0 个错误"),
        "{stdout}"
    );
}

/// The commands and the config example of the counter's `使用说明.txt`.
#[test]
fn the_counter_leaflet_commands_run() {
    let leaflet = std::fs::read_to_string("packaging/使用说明.txt").unwrap();
    let mut ran = 0;
    for line in leaflet.lines() {
        let line = line.trim();
        if line.starts_with("Config(") {
            huashu::content::sources::Config::parse(Path::new("使用说明.txt"), line).unwrap();
            ran += 1;
        }
        for command in line.split("  ").filter(|w| w.starts_with("huashu.exe ")) {
            let dir = copy_of_data();
            let args: Vec<&str> = command.split_whitespace().skip(1).collect();
            let (stdout, _) = run(huashu().current_dir(dir.path()).args(&args));
            assert!(!stdout.is_empty(), "{command}");
            ran += 1;
        }
    }
    assert!(ran >= 3, "{ran}");
}

/// The README's config example is the one the deployment section explains.
#[test]
fn readme_config_example_is_the_deployment_one() {
    let block = blocks("README.md")
        .into_iter()
        .find(|b| b.lang == "ron")
        .unwrap();
    let config =
        huashu::content::sources::Config::parse(&PathBuf::from("README.md"), &block.text).unwrap();
    assert_eq!(config.sources.len(), 3);
    assert_eq!(config.recheck_seconds, 60);
}

/// The Windows zip's layout as `packaging/windows-files.txt` lists it:
/// every file it holds, by its path inside the zip.
fn zip_layout() -> Vec<(PathBuf, PathBuf)> {
    let list = std::fs::read_to_string("packaging/windows-files.txt").unwrap();
    let mut files = Vec::new();
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut parts = line.split_whitespace();
        let (from, to) = (parts.next().unwrap(), parts.next().unwrap());
        let from = Path::new(from);
        let sources: Vec<PathBuf> = match from.file_name().unwrap().to_str().unwrap() {
            name if name.contains('*') => {
                let (prefix, suffix) = name.split_once('*').unwrap();
                let mut found: Vec<PathBuf> = std::fs::read_dir(from.parent().unwrap())
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| {
                        let n = p.file_name().unwrap().to_string_lossy();
                        n.starts_with(prefix) && n.ends_with(suffix)
                    })
                    .collect();
                found.sort();
                assert!(!found.is_empty(), "{line}: matches nothing");
                found
            }
            _ => vec![from.to_path_buf()],
        };
        for source in sources {
            assert!(
                source.is_file(),
                "{line}: {} is not a file",
                source.display()
            );
            let inside = if to.ends_with('/') {
                Path::new(to).join(source.file_name().unwrap())
            } else {
                PathBuf::from(to)
            };
            files.push((source, inside));
        }
    }
    files
}

/// What the trainer reads in the zip matches what they get: every link of
/// the shipped Markdown documents (the guide, the README) and every
/// `docs/…` file the guide names leads to a file the zip holds, and the
/// counter's leaflet names the guide where the zip has it.
#[test]
fn every_link_of_the_shipped_documents_is_in_the_zip() {
    let layout = zip_layout();
    let inside: Vec<&Path> = layout.iter().map(|(_, to)| to.as_path()).collect();
    let mut followed = 0;
    for (source, at) in layout
        .iter()
        .filter(|(s, _)| s.extension().is_some_and(|e| e == "md"))
    {
        let text = std::fs::read_to_string(source).unwrap();
        let dir = at.parent().unwrap();
        let mut links: Vec<String> = text
            .split("](")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap().to_owned())
            .filter(|l| !l.starts_with("http") && !l.starts_with('#'))
            .map(|l| l.split('#').next().unwrap().to_owned())
            .map(|l| dir.join(l).to_string_lossy().into_owned())
            .collect();
        // Files the text names by their path in the repository.
        links.extend(
            text.split('`')
                .filter(|s| s.starts_with("docs/") && !s.contains(' '))
                .map(str::to_owned),
        );
        for link in links {
            let link = Path::new(&link)
                .components()
                .fold(PathBuf::new(), |mut p, c| {
                    match c {
                        std::path::Component::ParentDir => {
                            p.pop();
                        }
                        std::path::Component::CurDir => {}
                        c => p.push(c),
                    }
                    p
                });
            assert!(
                inside.contains(&link.as_path()),
                "{} links to {} which the zip does not hold",
                source.display(),
                link.display()
            );
            followed += 1;
        }
    }
    assert!(followed >= 15, "only {followed} links followed");
    let leaflet = std::fs::read_to_string("packaging/使用说明.txt").unwrap();
    assert!(
        leaflet.contains("docs\\editing.md"),
        "the leaflet names the guide where it is"
    );
    assert!(inside.contains(&Path::new("docs/editing.md")));
}
