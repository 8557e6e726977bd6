//! `huashu export --html`: printable handouts, checked card by card, and
//! card text that looks like HTML printed as text.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use assert_cmd::Command;
use huashu::content;

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("HUASHU_CONFIG");
    cmd
}

/// The `<article>` of card `id` in `page`.
fn article<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<article class=\"card\" id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no card {id}"));
    let end = start + page[start..].find("</article>").unwrap();
    &page[start..end]
}

#[test]
fn every_card_is_in_its_chapter_page_with_its_steps_and_scripts() {
    let out = tempfile::tempdir().unwrap();
    huashu()
        .args(["--data", "data", "export", "--html"])
        .arg(out.path())
        .assert()
        .success();
    let loaded = content::load_dirs(&[std::path::PathBuf::from("data")]);
    let library = &loaded.library;
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    for card in &library.cards {
        let chapter = library.sections[card.section].chapter;
        let name = content::export::chapter_file_name(chapter);
        let page = std::fs::read_to_string(out.path().join(&name)).unwrap();
        let html = article(&page, card.id.as_str());
        let title = content::export::escape(&card.title);
        assert!(html.contains(&format!("<h3>{title}</h3>")), "{}", card.id);
        let steps = &html[html.find("<ol class=\"steps\">").unwrap()..];
        let steps = &steps[..steps.find("</ol>").unwrap()];
        assert_eq!(
            steps.matches("<li>").count(),
            card.steps.len(),
            "{}",
            card.id
        );
        assert_eq!(
            html.matches("<div class=\"script\">").count(),
            card.script_count(),
            "{}",
            card.id
        );
        assert!(
            index.contains(&format!("{name}#{}", card.id)),
            "{}",
            card.id
        );
    }
    // Fill-ins print as their choices; a draft says so.
    let page = std::fs::read_to_string(out.path().join("chapter-02.html")).unwrap();
    assert!(article(&page, "impersonation-id").contains("<span class=\"fill\">先生/女士</span>"));
    assert!(article(&page, "refuses-id-check").contains("<span class=\"draft\">草稿</span>"));
    // Self-contained: the font is beside the pages; nothing is fetched and
    // nothing runs.
    assert!(
        out.path()
            .join("fonts/NotoSansSC-Regular-subset.otf")
            .exists()
    );
    for entry in std::fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html" || e == "css") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("http:") && !text.contains("https:"),
                "{}",
                path.display()
            );
            assert!(
                !text.to_lowercase().contains("<script"),
                "{}",
                path.display()
            );
        }
    }
}

/// A card whose text is HTML (`<script>`, `<img onerror=…>`) prints it as
/// text: every piece of card text is escaped.
#[test]
fn card_text_that_looks_like_html_prints_as_text() {
    let chapter = r#"Chapter(title: "第<b>九</b>章", sections: [Section(title: "x&y", cards: [Card(
        id: "html", title: "<script>alert(1)</script>",
        scene: ["<img src=x onerror=alert(1)>"],
        steps: [Step(action: "\"quoted\" & 'single'", scripts: ["<a href='javascript:alert(1)'>点我</a>"])],
    )])])"#;
    let mut diagnostics = Vec::new();
    let library = content::build(
        &[("x.ron".into(), chapter.as_bytes().to_vec())],
        &mut diagnostics,
    );
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    let files = content::export::html(&library, "2026-11-30");
    let page = String::from_utf8(files[1].bytes.clone()).unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;a href=&#39;javascript:alert(1)&#39;&gt;"));
    assert!(page.contains("<h1>第&lt;b&gt;九&lt;/b&gt;章</h1>"));
    for tag in ["<script", "<img", "<a href", "<b>"] {
        assert!(!page.contains(tag), "{tag} in {page}");
    }
    let index = String::from_utf8(files[0].bytes.clone()).unwrap();
    assert!(!index.contains("<script") && index.contains("&lt;script&gt;"));
}
