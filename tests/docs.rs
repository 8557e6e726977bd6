//! The example in `docs/editing.md` is valid content.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

#[test]
fn content_format_example_loads() {
    let doc = std::fs::read_to_string("docs/editing.md").unwrap();
    let start = doc.find("```ron\n").unwrap() + "```ron\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let example = &doc[start..end];
    let mut diagnostics = Vec::new();
    let library = huashu::content::build(
        &[("example.ron".into(), example.as_bytes().to_vec())],
        &mut diagnostics,
    );
    let problems: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    // The example links to a card of the real data, which is not loaded here.
    assert_eq!(
        problems,
        ["example.ron:34:52: warning: 链接的卡片 `refuses-id-check` 不存在，已忽略这个链接"]
    );
    assert_eq!(library.cards.len(), 1);
    assert_eq!(library.cards[0].steps.len(), 2);
}

#[test]
fn readme_config_example_parses() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("## Deploying to many counters").unwrap()..];
    let start = section.find("```ron\n").unwrap() + "```ron\n".len();
    let end = start + section[start..].find("```").unwrap();
    let config = huashu::content::sources::Config::parse(
        std::path::Path::new("README.md"),
        &section[start..end],
    )
    .unwrap();
    assert_eq!(config.sources.len(), 3);
    assert_eq!(config.recheck_seconds, 60);
}

/// Every `console` block of the README: each `$ huashu …` line is run (from
/// the repository, on the bundled cards) and must print what follows it.
#[test]
fn readme_console_examples_print_what_they_show() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let mut checked = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let mut commands: Vec<(&str, String)> = Vec::new();
        for line in block.lines() {
            if let Some(command) = line.strip_prefix("$ ") {
                commands.push((command, String::new()));
            } else if let Some((_, expected)) = commands.last_mut() {
                expected.push_str(line);
                expected.push('\n');
            }
        }
        for (command, expected) in commands {
            let mut words = command.split_whitespace();
            assert_eq!(words.next(), Some("huashu"), "{command}");
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
                .args(words)
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                expected,
                "$ {command}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 1);
}
