//! Publishing to the branch network: versions, the pointer, signatures,
//! and what a counter does with every attack and accident — each keeps
//! the last good content and names the reason.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use huashu::content::publish::{self, PublicKey, Rejected};
use huashu::content::sources::{SourceSpec, SourceState, Sources, SourcesLoaded};

fn huashu() -> Command {
    let mut cmd = Command::cargo_bin("huashu").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("HUASHU_CONFIG");
    cmd
}

/// A trainer's content: the bundled chapters, the first card's title
/// marked with `mark`.
fn content(dir: &Path, mark: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for name in [
        "00-earlier-chapter.ron",
        "04-business-area.ron",
        "synonyms.ron",
    ] {
        let text = std::fs::read_to_string(Path::new("data").join(name)).unwrap();
        let text = text.replacen("\"客户取号错误\"", &format!("\"客户取号错误{mark}\""), 1);
        std::fs::write(dir.join(name), text).unwrap();
    }
}

struct Team {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    key: PathBuf,
    public: PublicKey,
    central: PathBuf,
}

fn team() -> Team {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let key = root.join("training.key");
    let (public, _) = publish::keygen(&key).unwrap();
    Team {
        central: root.join("central"),
        _tmp: tmp,
        root,
        key,
        public,
    }
}

impl Team {
    /// `huashu publish` of content marked `mark`, signed unless `unsigned`.
    fn publish(&self, mark: &str, signed: bool) {
        let from = self.root.join(format!("from-{mark}"));
        content(&from, mark);
        let mut cmd = huashu();
        cmd.args(["publish", "--publisher", "培训部", "--from"])
            .arg(&from)
            .arg("--to")
            .arg(&self.central);
        if signed {
            cmd.arg("--key").arg(&self.key);
        }
        cmd.assert().success();
    }

    fn counter(&self, trust: Option<Vec<PublicKey>>) -> Sources {
        self.counter_in("cache", trust)
    }

    /// A counter keeping its offline copy in `cache`.
    fn counter_in(&self, cache: &str, trust: Option<Vec<PublicKey>>) -> Sources {
        Sources::new(
            vec![SourceSpec::Central(self.central.clone())],
            self.root.join(cache),
        )
        .with_trust(trust)
    }
}

fn marked_title(loaded: &SourcesLoaded) -> String {
    loaded
        .loaded
        .library
        .cards
        .iter()
        .find(|c| c.title.starts_with("客户取号错误"))
        .map(|c| c.title.clone())
        .unwrap_or_default()
}

fn rejected(loaded: &SourcesLoaded) -> String {
    why_not_taken(loaded, true)
}

/// Why the first source was not taken: it was rejected (a check failed),
/// or not reached (`rejected` false).
fn why_not_taken(loaded: &SourcesLoaded, rejected: bool) -> String {
    match (&loaded.reports[0].state, rejected) {
        (SourceState::Rejected(why), true) | (SourceState::Unreachable(why), false) => why.clone(),
        (other, _) => panic!(
            "not {}: {other:?}",
            if rejected { "rejected" } else { "unreachable" }
        ),
    }
}

#[test]
fn a_signed_version_is_taken_and_said() {
    let team = team();
    team.publish("（一）", true);
    let mut counter = team.counter(Some(vec![team.public]));
    let loaded = counter.load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    assert!(
        loaded
            .loaded
            .diagnostics
            .iter()
            .all(|d| !d.message.contains("不在发布清单里")),
        "the manifest itself is no stray file"
    );
    let release = loaded.reports[0].release.clone().unwrap();
    assert_eq!(release.version, 1);
    assert_eq!(release.publisher, "培训部");
    assert!(release.signed);
    assert!(loaded.reports[0].cache_refreshed, "taken at once");
    // A new version: taken at the next look.
    team.publish("（二）", true);
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（二）");
    assert_eq!(loaded.reports[0].release.as_ref().unwrap().version, 2);
}

#[test]
fn every_attack_keeps_the_last_good_content_and_names_the_reason() {
    let team = team();
    team.publish("（一）", true);
    let trust = Some(vec![team.public]);
    let mut counter = team.counter(trust.clone());
    assert_eq!(marked_title(&counter.load()), "客户取号错误（一）");
    let v2 = publish::version_dir(&team.central, 2);

    // A file changed after publishing.
    team.publish("（二）", true);
    let file = v2.join("04-business-area.ron");
    let good = std::fs::read(&file).unwrap();
    let mut bad = good.clone();
    bad.extend_from_slice("// 转到安全账户\n".as_bytes());
    std::fs::write(&file, &bad).unwrap();
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（一）", "the last good");
    assert!(rejected(&loaded).contains("04-business-area.ron 和清单不符"));
    assert!(loaded.banner.is_some());
    std::fs::write(&file, &good).unwrap();

    // The manifest edited after signing.
    let manifest = v2.join("manifest.ron");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("培训部", "别人")).unwrap();
    assert!(rejected(&counter.load()).contains("签名不对"));
    std::fs::write(&manifest, &text).unwrap();

    // Half a manifest.
    std::fs::write(&manifest, &text[..text.len() / 2]).unwrap();
    assert!(rejected(&counter.load()).contains("签名不对"));
    std::fs::write(&manifest, &text).unwrap();

    // No signature.
    let signature = v2.join("manifest.sig");
    let sig = std::fs::read(&signature).unwrap();
    std::fs::remove_file(&signature).unwrap();
    assert!(rejected(&counter.load()).contains("没有签名"));

    // Signed by a key the counter does not trust.
    let other = team.root.join("other.key");
    let (stranger, _) = publish::keygen(&other).unwrap();
    let key = publish::SecretKey::read(&other).unwrap();
    assert_eq!(key.public(), stranger);
    std::fs::write(&signature, &sig).unwrap();
    assert_eq!(
        marked_title(&counter.load()),
        "客户取号错误（二）",
        "restored"
    );
    let mut untrusting = team.counter_in("cache-2", Some(vec![stranger]));
    let loaded = untrusting.load();
    assert!(rejected(&loaded).contains("不在这台柜台信任的密钥里"));
    assert!(
        loaded.loaded.error_count() > 0,
        "no offline copy: said as an error"
    );

    // An older version put back (a stale backup restored over the pointer).
    std::fs::write(team.central.join(publish::POINTER), "Published(version: 1)").unwrap();
    let loaded = counter.load();
    assert!(rejected(&loaded).contains("比这台柜台已经用过的第 2 版旧"));
    assert_eq!(marked_title(&loaded), "客户取号错误（二）");

    // A pointer to a version that is not there.
    std::fs::write(team.central.join(publish::POINTER), "Published(version: 9)").unwrap();
    assert!(rejected(&counter.load()).contains("第 9 版"));
    // A half-written pointer.
    std::fs::write(team.central.join(publish::POINTER), "Published(vers").unwrap();
    assert!(rejected(&counter.load()).contains("读不出来"));
    std::fs::write(team.central.join(publish::POINTER), "Published(version: 2)").unwrap();

    // A file too large.
    let big = vec![b' '; usize::try_from(huashu::content::MAX_FILE_BYTES).unwrap() + 1];
    std::fs::write(&file, &big).unwrap();
    assert!(rejected(&counter.load()).contains("超过 16 MiB"));
    std::fs::write(&file, &good).unwrap();
    assert_eq!(marked_title(&counter.load()), "客户取号错误（二）");

    // A file the manifest does not list is ignored, and said.
    std::fs::write(v2.join("99-extra.ron"), "Chapter(sections: [])").unwrap();
    let loaded = counter.load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert!(
        loaded
            .loaded
            .diagnostics
            .iter()
            .any(|d| d.path.ends_with("99-extra.ron") && d.message.contains("不在发布清单里"))
    );
}

#[test]
fn an_expired_version_is_refused() {
    let team = team();
    team.publish("（一）", true);
    let far = chrono::Local::now().timestamp() + 365 * 24 * 3600;
    let err = publish::read_verified(&team.central, Some(&[team.public]), None, far).unwrap_err();
    assert!(
        matches!(err, Rejected::Expired { version: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("过期"));
}

#[test]
fn unsigned_content_is_taken_without_trust_and_refused_with_it() {
    let team = team();
    team.publish("（一）", false);
    let loaded = team.counter(None).load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert!(!loaded.reports[0].release.as_ref().unwrap().signed);
    let loaded = team.counter(Some(vec![team.public])).load();
    assert!(rejected(&loaded).contains("没有签名"));
}

#[test]
fn rollback_publishes_an_earlier_version_as_a_higher_one() {
    let team = team();
    team.publish("（一）", true);
    team.publish("（二）", true);
    let mut counter = team.counter(Some(vec![team.public]));
    assert_eq!(marked_title(&counter.load()), "客户取号错误（二）");
    team.rollback(1)
        .stdout(predicates::str::contains("把第 1 版重新发布为第 3 版"));
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    assert_eq!(loaded.reports[0].release.as_ref().unwrap().version, 3);
    let list = huashu()
        .args(["publish", "--list", "--to"])
        .arg(&team.central)
        .output()
        .unwrap();
    let text = String::from_utf8(list.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("第 3 版  "), "{text}");
    assert!(
        lines[0].contains("培训部  （重新发布第 1 版），1 张卡片有变化  ← 柜台正在用"),
        "{text}"
    );
    assert!(lines[1].contains("1 张卡片有变化"), "{text}");
    assert!(lines[2].contains("7 张卡片"), "{text}");
}

#[test]
fn old_versions_are_pruned_beyond_keep() {
    let team = team();
    for n in 1..=4 {
        let from = team.root.join(format!("v{n}"));
        content(&from, &format!("（{n}）"));
        huashu()
            .args(["publish", "--keep", "2", "--from"])
            .arg(&from)
            .arg("--to")
            .arg(&team.central)
            .assert()
            .success();
    }
    assert_eq!(publish::versions(&team.central), [2, 3, 4]);
    // A pruned version cannot be rolled back to, and says so.
    huashu()
        .args(["publish", "--rollback", "1", "--to"])
        .arg(&team.central)
        .assert()
        .failure()
        .stderr(predicates::str::contains("没有第 1 版"));
}

#[test]
fn content_with_errors_is_not_published() {
    let team = team();
    let from = team.root.join("broken");
    content(&from, "（一）");
    std::fs::write(
        from.join("05-half.ron"),
        "Chapter(sections: [Section(cards: [",
    )
    .unwrap();
    huashu()
        .args(["publish", "--from"])
        .arg(&from)
        .arg("--to")
        .arg(&team.central)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "内容有错误，没有发布（什么也没有写）",
        ));
    assert!(!team.central.join(publish::POINTER).exists());
    assert!(publish::versions(&team.central).is_empty());
}

#[test]
fn keygen_prints_the_trust_line_never_the_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("k");
    let out = huashu().args(["keygen", "-o"]).arg(&key).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret_hex = secret.trim().rsplit(':').next().unwrap();
    assert!(!text.contains(secret_hex));
    let public = publish::SecretKey::read(&key).unwrap().public();
    assert!(text.contains(&format!("trust: [\"{public}\"],")), "{text}");
    huashu().args(["keygen", "-o"]).arg(&key).assert().failure();
}

/// A publish killed at any point leaves counters the old version or the
/// new one, verified, never a mixture; the next publish cleans up.
#[test]
fn a_publish_killed_at_random_points_never_shows_a_mixture() {
    let team = team();
    // How long a whole publish takes here (~60 ms natively, several times
    // that under Wine): kills land before, during and after one.
    let t = std::time::Instant::now();
    team.publish("（0）", true);
    let whole = u64::try_from(t.elapsed().as_micros()).unwrap().max(1);
    let trust = [team.public];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut shown = 0u64;
    for n in 1..=50 {
        let from = team.root.join("next");
        let _ = std::fs::remove_dir_all(&from);
        content(&from, &format!("（{n}）"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
            .args(["publish", "--from"])
            .arg(&from)
            .arg("--to")
            .arg(&team.central)
            .arg("--key")
            .arg(&team.key)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % (2 * whole)));
        let _ = child.kill();
        let _ = child.wait();
        let verified = publish::read_verified(&team.central, Some(&trust), None, 0)
            .expect("the pointer always names a whole, signed version");
        assert!(verified.manifest.version >= shown);
        shown = verified.manifest.version;
    }
    assert!(shown > 1, "some publishes finished");
    team.publish("（last）", true);
    let leftovers = std::fs::read_dir(team.central.join(publish::VERSIONS))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(leftovers, 0);
}

impl Team {
    /// Publishes content with `mark` in a title of both chapters (a
    /// mixture of two versions would show).
    fn publish_marked(&self, mark: &str) {
        let from = self.root.join(format!("from-{mark}"));
        content(&from, mark);
        let file = from.join("04-business-area.ron");
        let text = std::fs::read_to_string(&file).unwrap();
        let marked = text.replacen(
            "\"柜员业务不熟练\"",
            &format!("\"柜员业务不熟练{mark}\""),
            1,
        );
        std::fs::write(&file, marked).unwrap();
        self.publish_signed(&from, "培训部", &self.key);
    }

    /// `huashu publish` of `from` as `publisher`, signed with `key`.
    fn publish_signed(&self, from: &Path, publisher: &str, key: &Path) {
        huashu()
            .args(["publish", "--publisher", publisher, "--from"])
            .arg(from)
            .arg("--to")
            .arg(&self.central)
            .arg("--key")
            .arg(key)
            .assert()
            .success();
    }

    fn rollback(&self, version: u64) -> assert_cmd::assert::Assert {
        huashu()
            .args([
                "publish",
                "--publisher",
                "培训部",
                "--rollback",
                &version.to_string(),
                "--to",
            ])
            .arg(&self.central)
            .arg("--key")
            .arg(&self.key)
            .assert()
            .success()
    }

    /// A counter's config: the central folder, its own state, the key.
    fn counter_config(&self, n: usize) -> PathBuf {
        let path = self.root.join(format!("counter-{n}.ron"));
        std::fs::write(
            &path,
            format!(
                "Config(sources: [Central(r\"{}\")], state_dir: r\"{}\", trust: [\"{}\"])",
                self.central.display(),
                self.root.join(format!("state-{n}")).display(),
                self.public
            ),
        )
        .unwrap();
        path
    }
}

/// What `huashu --config CONFIG ARGS…` prints.
fn run_counter(config: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_huashu"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// A counter process reading again and again until `done` and the last
/// version shows: every read verified, never a lower version, never cards
/// of two versions. Returns how many reads it made.
fn poll_counter(
    config: &Path,
    done: &std::sync::atomic::AtomicBool,
    last: &std::sync::atomic::AtomicU64,
) -> usize {
    use std::sync::atomic::Ordering;
    let mut seen = 0u64;
    let mut reads = 0;
    loop {
        let finished = done.load(Ordering::SeqCst);
        let sources = run_counter(config, &["sources"]);
        let line = sources
            .lines()
            .find(|l| l.contains("内容版本"))
            .unwrap_or_default();
        assert!(line.ends_with("签名已验证"), "{sources}");
        let version: u64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{sources}"));
        assert!(version >= seen, "went back from {seen} to {version}");
        seen = version;
        let cards = run_counter(config, &["list", "--json"]);
        let marks: Vec<&str> = cards
            .lines()
            .filter_map(|l| {
                let t = l.split("\"title\":\"").nth(1)?.split('"').next()?;
                t.strip_prefix("客户取号错误")
                    .or_else(|| t.strip_prefix("柜员业务不熟练"))
            })
            .collect();
        assert_eq!(marks.len(), 2, "{cards}");
        assert_eq!(marks[0], marks[1], "cards of two versions at once");
        reads += 1;
        if finished && seen == last.load(Ordering::SeqCst) {
            return reads;
        }
    }
}

/// Three counters (separate processes, each its own offline copy) poll
/// while a trainer publishes 20 versions and rolls back twice: no read
/// shows an unverified version, a lower version than before, or cards of
/// two versions at once; each ends on the last version.
#[test]
fn three_counters_polling_while_versions_are_published_and_rolled_back() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    let team = team();
    team.publish_marked("（1）");
    let done = Arc::new(AtomicBool::new(false));
    let last = Arc::new(AtomicU64::new(1));
    let counters: Vec<_> = (0..3)
        .map(|n| {
            let config = team.counter_config(n);
            let (done, last) = (done.clone(), last.clone());
            std::thread::spawn(move || poll_counter(&config, &done, &last))
        })
        .collect();
    for n in 2..=20u64 {
        team.publish_marked(&format!("（{n}）"));
        if n == 10 || n == 15 {
            team.rollback(n - 3);
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    last.store(
        *publish::versions(&team.central).last().unwrap(),
        Ordering::SeqCst,
    );
    done.store(true, Ordering::SeqCst);
    for counter in counters {
        assert!(counter.join().unwrap() > 0);
    }
    assert_eq!(
        last.load(Ordering::SeqCst),
        22,
        "20 published + 2 rollbacks"
    );
}

// A web server as the source: the same published layout over HTTP(S).

#[path = "support/http.rs"]
mod http;

use http::{Fault, Server};
use huashu::content::sources::WebSettings;

impl Team {
    /// A counter reading `url` (timeouts of one second).
    fn web_counter(&self, url: &str, trust: Option<Vec<PublicKey>>) -> Sources {
        Sources::new(
            vec![SourceSpec::Central(PathBuf::from(url))],
            self.root.join("web-cache"),
        )
        .with_web(WebSettings {
            timeout: Duration::from_secs(1),
            allow_unsigned: false,
        })
        .with_trust(trust)
    }
}

/// The paths a sync asked for, each with its status.
fn asked(server: &Server) -> Vec<String> {
    server
        .take_served()
        .into_iter()
        .map(|s| {
            let name = s.path.rsplit('/').next().unwrap_or_default().to_owned();
            format!("{name} {}", s.status)
        })
        .collect()
}

/// Version （一） published, served, and taken by a counter trusting it.
fn web_team() -> (Team, Server, Sources) {
    let team = team();
    team.publish("（一）", true);
    let server = Server::start(&team.central);
    let mut counter = team.web_counter(&server.url(), Some(vec![team.public]));
    assert_eq!(marked_title(&counter.load()), "客户取号错误（一）");
    (team, server, counter)
}

fn unreachable(loaded: &SourcesLoaded) -> String {
    why_not_taken(loaded, false)
}

#[test]
fn a_web_counter_downloads_only_what_changed_and_asks_conditionally() {
    let team = team();
    team.publish("（一）", true);
    let server = Server::start(&team.central);
    let mut counter = team.web_counter(&server.url(), Some(vec![team.public]));
    let loaded = counter.load();
    assert_eq!(loaded.reports[0].state, SourceState::Ok);
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    let release = loaded.reports[0].release.clone().unwrap();
    assert_eq!((release.version, release.signed), (1, true));
    let first = asked(&server);
    assert_eq!(
        first.len(),
        6,
        "pointer, manifest, signature, 3 files: {first:?}"
    );

    // Nothing new: one conditional request, answered with no body.
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    assert_eq!(asked(&server), ["huashu-published.ron 304"]);

    // One chapter changed: only that file is downloaded.
    team.publish("（二）", true);
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（二）");
    assert_eq!(
        asked(&server),
        [
            "huashu-published.ron 200",
            "manifest.ron 200",
            "manifest.sig 200",
            "00-earlier-chapter.ron 200"
        ]
    );

    // The server away: the offline copy, and why.
    drop(server);
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（二）");
    assert!(unreachable(&loaded).contains("连不上服务器"), "{loaded:?}");
    assert!(loaded.reports[0].using_cache.is_some());
}

#[test]
fn every_web_failure_keeps_the_last_good_content_and_names_the_reason() {
    let (team, server, mut counter) = web_team();
    team.publish("（二）", true);
    let chapter = "00-earlier-chapter.ron";
    let cases = [
        (Fault::Slow(Duration::from_secs(3)), "超时"),
        (Fault::DropAfter(500), "连接中断"),
        (Fault::Status(404), "00-earlier-chapter.ron 缺失"),
        (Fault::Status(500), "服务器回答 500"),
        (Fault::Endless, "00-earlier-chapter.ron 和清单不符"),
    ];
    for (fault, reason) in cases {
        server.fault(chapter, fault.clone());
        let loaded = counter.load();
        assert_eq!(marked_title(&loaded), "客户取号错误（一）", "{fault:?}");
        let why = match &loaded.reports[0].state {
            SourceState::Unreachable(why) | SourceState::Rejected(why) => why.clone(),
            other => panic!("{fault:?}: {other:?}"),
        };
        assert!(why.contains(reason), "{fault:?}: {why}");
        assert!(loaded.reports[0].using_cache.is_some(), "{fault:?}");
        server.clear_faults();
    }
    // A manifest without end is cut at the size limit.
    server.fault("manifest.ron", Fault::Endless);
    assert!(unreachable(&counter.load()).contains("超过"));
    server.clear_faults();
    // The pointer slow: a timeout, not a hang.
    server.fault("huashu-published.ron", Fault::Slow(Duration::from_secs(3)));
    let started = std::time::Instant::now();
    assert!(unreachable(&counter.load()).contains("超时"));
    assert!(started.elapsed() < Duration::from_secs(3));
    server.clear_faults();
    // The server well again: the new version.
    assert_eq!(marked_title(&counter.load()), "客户取号错误（二）");
}

#[test]
fn a_web_version_nobody_trusted_signed_downloads_no_file() {
    let (team, server, mut counter) = web_team();
    asked(&server);
    // Someone else's key publishes to the server.
    let stranger = team.root.join("stranger.key");
    publish::keygen(&stranger).unwrap();
    let from = team.root.join("from-evil");
    content(&from, "（转到安全账户）");
    team.publish_signed(&from, "别人", &stranger);
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    assert!(rejected(&loaded).contains("不在这台柜台信任的密钥里"));
    assert_eq!(
        asked(&server),
        [
            "huashu-published.ron 200",
            "manifest.ron 200",
            "manifest.sig 200"
        ]
    );
    // A file changed on the server after publishing.
    team.publish("（三）", true);
    let file = publish::version_dir(&team.central, 3).join("00-earlier-chapter.ron");
    let good = std::fs::read(&file).unwrap();
    let mut bad = good.clone();
    bad.extend_from_slice("// 转到安全账户\n".as_bytes());
    std::fs::write(&file, &bad).unwrap();
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    assert!(rejected(&loaded).contains("00-earlier-chapter.ron 和清单不符"));
    std::fs::write(&file, &good).unwrap();
    assert_eq!(marked_title(&counter.load()), "客户取号错误（三）");
    // An older version put back on the server.
    std::fs::write(team.central.join(publish::POINTER), "Published(version: 1)").unwrap();
    let loaded = counter.load();
    assert_eq!(marked_title(&loaded), "客户取号错误（三）");
    assert!(rejected(&loaded).contains("比这台柜台已经用过的第 3 版旧"));
}

#[test]
fn a_web_source_needs_trust_unless_unsigned_is_allowed() {
    let team = team();
    team.publish("（一）", false);
    let server = Server::start(&team.central);
    let loaded = team.web_counter(&server.url(), None).load();
    assert!(rejected(&loaded).contains("allow_unsigned"));
    assert!(
        asked(&server).is_empty(),
        "nothing asked before it is allowed"
    );
    let loaded = team
        .web_counter(&server.url(), None)
        .with_web(WebSettings {
            timeout: Duration::from_secs(1),
            allow_unsigned: true,
        })
        .load();
    assert_eq!(marked_title(&loaded), "客户取号错误（一）");
    assert!(
        loaded
            .loaded
            .diagnostics
            .iter()
            .any(|d| d.message.contains("没有签名验证")),
        "{:?}",
        loaded.loaded.diagnostics
    );
}

#[cfg(not(windows))]
/// A bank's own CA, as IT installs it in the machine's certificate store,
/// and a server certificate it signed for 127.0.0.1.
fn bank_ca(dir: &Path) -> (http::Identity, PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "某银行内部根证书（测试）");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    let store = dir.join("machine-store.pem");
    std::fs::write(&store, ca_cert.pem()).unwrap();
    (
        http::Identity {
            chain: vec![server_cert.der().to_vec(), ca_cert.der().to_vec()],
            key: server_key.serialize_der(),
        },
        store,
    )
}

/// HTTPS to a server whose certificate the bank's own CA signed: taken
/// when the machine's store holds that CA, refused (and said) when not.
/// On Linux the store is the system bundle, or `SSL_CERT_FILE`; on Windows
/// it is the machine's certificate store, which a test cannot fill.
#[cfg(not(windows))]
#[test]
fn https_trusts_the_machines_certificate_store() {
    let team = team();
    team.publish("（一）", true);
    let (identity, store) = bank_ca(&team.root);
    let server = Server::start_tls(&team.central, &identity);
    let config = team.root.join("counter.ron");
    std::fs::write(
        &config,
        format!(
            "Config(sources: [Central(\"{}\")], state_dir: r\"{}\", trust: [\"{}\"], web_timeout_seconds: 5)",
            server.url(),
            team.root.join("state").display(),
            team.public
        ),
    )
    .unwrap();
    let sources = |store: &Path| {
        let out = huashu()
            .env("SSL_CERT_FILE", store)
            .env_remove("SSL_CERT_DIR")
            .arg("--config")
            .arg(&config)
            .arg("sources")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    // A machine without the bank's CA: refused, and said why.
    let empty = team.root.join("public-roots-only.pem");
    std::fs::write(&empty, "").unwrap();
    let out = sources(&empty);
    assert!(out.contains("证书不被这台电脑信任"), "{out}");
    // With it: the signed version.
    let out = sources(&store);
    assert!(out.contains("内容版本 1 · 培训部"), "{out}");
    assert!(out.contains("签名已验证"), "{out}");
    assert!(
        server.take_served().iter().any(|s| s.status == 200),
        "served over TLS"
    );
}

/// The window's watcher asks a web source every re-check: a new version
/// is loaded once, and while nothing changes only the pointer is asked
/// for (answered 304) and nothing is loaded.
#[test]
fn the_watcher_takes_a_new_web_version_and_otherwise_only_asks() {
    use huashu::content::watch::{Recheck, Watch};
    use std::sync::mpsc;

    let (team, server, mut counter) = web_team();
    let (_, central, mirrors) = counter.watch_paths();
    assert_eq!(mirrors.len(), 1);
    asked(&server);
    let (tx, rx) = mpsc::channel();
    let recheck = Recheck {
        every: Duration::from_millis(100),
        dirs: central,
        soon: None,
        mirrors,
    };
    let (watch, _) = Watch::start(&[], Some(recheck), move || {
        let _ = tx.send(marked_title(&counter.load()));
        None
    })
    .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    assert!(rx.try_recv().is_err(), "nothing new, nothing loaded");
    let quiet = asked(&server);
    assert!(
        !quiet.is_empty() && quiet.iter().all(|a| a == "huashu-published.ron 304"),
        "{quiet:?}"
    );
    team.publish("（二）", true);
    let title = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(title, "客户取号错误（二）");
    drop(watch);
}
