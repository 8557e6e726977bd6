//! Publishing content to the branch network: numbered, immutable versions
//! in the central folder, a pointer switched last, and a manifest (every
//! file's size and SHA-256, who published it, when, until when it is
//! valid) signed with the training team's Ed25519 key.
//!
//! ```text
//! CENTRAL/huashu-published.ron        Published(version: 7)   (written last)
//! CENTRAL/versions/7/*.ron            the content files
//! CENTRAL/versions/7/manifest.ron     Manifest(version: 7, files: [...], ...)
//! CENTRAL/versions/7/manifest.sig     huashu-ed25519:<public key>\n<signature>
//! ```
//!
//! A version is written under a temporary name and renamed into place,
//! then the pointer is replaced atomically: a counter reading at any
//! moment sees the old version or the new one. A counter verifies the
//! signature against the keys it trusts, each file's size and hash, that
//! the version is not older than the one it accepted (rollback) and that
//! the manifest has not expired (a stale mirror); files the manifest does
//! not list are ignored.

use std::fmt;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::content::load::{Files, MAX_FILE_BYTES};
use crate::hash::{from_hex, sha256_hex, to_hex};

/// The pointer to the version counters load.
pub const POINTER: &str = "huashu-published.ron";
/// Where the versions are.
pub const VERSIONS: &str = "versions";
pub(crate) const MANIFEST: &str = "manifest.ron";
pub(crate) const SIGNATURE: &str = "manifest.sig";
/// How public keys are written (in the config's `trust`).
const PUBLIC_PREFIX: &str = "huashu-ed25519:";
/// How the secret key file starts.
const SECRET_PREFIX: &str = "huashu-ed25519-secret:";
/// Versions kept by default besides the current one.
pub const DEFAULT_KEEP: usize = 20;
/// How long a published version is valid by default.
pub const DEFAULT_EXPIRES_DAYS: i64 = 90;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} 已经存在，没有覆盖（签名密钥只生成一次；要换新密钥请先把旧文件移走）")]
    KeyExists(PathBuf),
    #[error("{0} 不是签名密钥文件（应以 {SECRET_PREFIX} 开头，由 huashu keygen 生成）")]
    NotAKey(PathBuf),
    #[error("无法取得随机数来生成密钥：{0}")]
    Random(String),
    #[error("{path}: 发布记录坏了：{why}")]
    Broken { path: PathBuf, why: String },
    #[error("没有第 {0} 版（用 huashu publish --to 目录 --list 查看有哪些版本）")]
    NoSuchVersion(u64),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A public key counters trust (`huashu-ed25519:<64 hex digits>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn parse(text: &str) -> Result<Self, String> {
        let hex = text
            .trim()
            .strip_prefix(PUBLIC_PREFIX)
            .ok_or_else(|| format!("公钥应以 {PUBLIC_PREFIX} 开头"))?;
        let bytes: [u8; 32] = from_hex(hex)
            .and_then(|b| b.try_into().ok())
            .ok_or("公钥应是 64 位十六进制数字（huashu keygen 打印的那一行）")?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self)
            .map_err(|_| "这不是一个有效的公钥".to_owned())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_PREFIX}{}", to_hex(self.0.as_bytes()))
    }
}

/// The training team's signing key, read from its file.
pub struct SecretKey(SigningKey);

impl SecretKey {
    pub fn read(path: &Path) -> Result<Self, PublishError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        let bytes: [u8; 32] = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .and_then(from_hex)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| PublishError::NotAKey(path.to_path_buf()))?;
        Ok(Self(SigningKey::from_bytes(&bytes)))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// Makes a new signing key in `path` (which must not exist), readable by
/// its owner only; returns its public key, and on Windows what stopped the
/// file being made so (then the user is told to do it).
pub fn keygen(path: &Path) -> Result<(PublicKey, Option<String>), PublishError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| PublishError::Random(e.to_string()))?;
    let key = SigningKey::from_bytes(&bytes);
    let text = format!("{SECRET_PREFIX}{}\n", to_hex(&bytes));
    bytes.fill(0);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            PublishError::KeyExists(path.to_path_buf())
        } else {
            io(path)(e)
        }
    })?;
    // Still empty: its permissions are set before the secret is written.
    let unrestricted = restrict_to_owner(path).err();
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    Ok((PublicKey(key.verifying_key()), unrestricted))
}

/// Makes `path` readable by the current user only. On Unix the file is
/// created so (mode 0600); on Windows its inherited permissions are
/// removed and the user is given full control (`icacls`).
#[cfg(windows)]
fn restrict_to_owner(path: &Path) -> Result<(), String> {
    let user = std::env::var("USERNAME").map_err(|e| format!("不知道当前用户（{e}）"))?;
    let output = std::process::Command::new("icacls")
        .arg(path)
        .args(["/inheritance:r", "/grant:r", &format!("{user}:F")])
        .output()
        .map_err(|e| format!("无法运行 icacls（{e}）"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "icacls 没有成功：{}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[cfg(not(windows))]
#[expect(
    clippy::unnecessary_wraps,
    reason = "the Windows version can fail; here the file is created 0600"
)]
fn restrict_to_owner(_path: &Path) -> Result<(), String> {
    Ok(())
}

/// The pointer file's content.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "Published", deny_unknown_fields)]
pub struct Pointer {
    pub version: u64,
}

/// What one version holds, signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Manifest", deny_unknown_fields)]
pub struct Manifest {
    pub version: u64,
    /// Local time, `YYYY-MM-DD HH:MM`.
    pub published: String,
    pub published_unix: i64,
    pub publisher: String,
    /// After this a counter does not take the version (a stale mirror).
    pub expires_unix: i64,
    /// An earlier version published again.
    #[serde(default)]
    pub rollback_of: Option<u64>,
    pub files: Vec<Entry>,
}

/// One file of a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "File", deny_unknown_fields)]
pub struct Entry {
    /// Relative to the version's folder, with `/`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

impl Entry {
    /// Whether `bytes` are this file as published (its size and hash).
    pub(crate) fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() as u64 == self.size && sha256_hex(bytes) == self.sha256
    }
}

/// The version folder of `version` in `central`.
pub fn version_dir(central: &Path, version: u64) -> PathBuf {
    central.join(VERSIONS).join(version.to_string())
}

/// Whether `central` has the published layout.
pub fn is_published(central: &Path) -> bool {
    central.join(POINTER).is_file()
}

/// The versions present, ascending.
pub fn versions(central: &Path) -> Vec<u64> {
    let mut found: Vec<u64> = std::fs::read_dir(central.join(VERSIONS))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    found.sort_unstable();
    found
}

/// The manifest of `version`, as published (not verified).
pub fn manifest_of(central: &Path, version: u64) -> Result<Manifest, PublishError> {
    let path = version_dir(central, version).join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    ron::from_str(&text).map_err(|e| PublishError::Broken {
        path,
        why: e.to_string(),
    })
}

/// Who publishes, how long a version is valid, how many are kept.
pub struct Publication<'a> {
    pub publisher: &'a str,
    pub key: Option<&'a SecretKey>,
    pub expires_days: i64,
    pub keep: usize,
    pub rollback_of: Option<u64>,
}

/// Writes `files` (paths relative to the version, with `/`) as the next
/// version of `central` and points counters at it; prunes old versions.
pub fn publish(
    central: &Path,
    files: &[(String, Vec<u8>)],
    how: &Publication<'_>,
) -> Result<Manifest, PublishError> {
    let versions_dir = central.join(VERSIONS);
    std::fs::create_dir_all(&versions_dir).map_err(io(&versions_dir))?;
    remove_unfinished(&versions_dir);
    let version = versions(central).last().copied().unwrap_or(0) + 1;
    let now = chrono::Local::now();
    let manifest = Manifest {
        version,
        published: now.format("%Y-%m-%d %H:%M").to_string(),
        published_unix: now.timestamp(),
        publisher: how.publisher.to_owned(),
        expires_unix: now.timestamp() + how.expires_days.max(1) * 24 * 3600,
        rollback_of: how.rollback_of,
        files: files
            .iter()
            .map(|(path, bytes)| Entry {
                path: path.clone(),
                size: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            })
            .collect(),
    };
    let manifest_text = ron::ser::to_string_pretty(&manifest, ron::ser::PrettyConfig::default())
        .map_err(|e| PublishError::Broken {
            path: versions_dir.clone(),
            why: e.to_string(),
        })?;
    // Written under a name no counter reads, then renamed into place.
    let unfinished = versions_dir.join(format!(".{version}.{}.partial", std::process::id()));
    let write = |rel: &str, bytes: &[u8]| -> Result<(), PublishError> {
        let path = unfinished.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))
    };
    for (path, bytes) in files {
        write(path, bytes)?;
    }
    write(MANIFEST, manifest_text.as_bytes())?;
    if let Some(key) = how.key {
        let signature = key.0.sign(manifest_text.as_bytes());
        let text = format!("{}\n{}\n", key.public(), to_hex(&signature.to_bytes()));
        write(SIGNATURE, text.as_bytes())?;
    }
    let target = version_dir(central, version);
    std::fs::rename(&unfinished, &target).map_err(io(&target))?;
    let pointer = ron::to_string(&Pointer { version }).map_err(|e| PublishError::Broken {
        path: central.join(POINTER),
        why: e.to_string(),
    })?;
    switch_pointer(&central.join(POINTER), pointer.as_bytes())?;
    prune(central, version, how.keep);
    Ok(manifest)
}

/// Replaces the pointer atomically. On Windows a counter that has it open
/// at that instant (without delete sharing: an older huashu, or another
/// program) makes the replacement fail with access denied: tried again
/// for up to two seconds.
fn switch_pointer(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let mut tries = 0;
    loop {
        match crate::atomic::write(path, bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            result => return result.map_err(io(path)),
        }
    }
}

/// Reads `path` so that a publisher may replace it meanwhile (on Windows,
/// shared for deletion, which a rename over it needs).
fn read_shared(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
        std::os::windows::fs::OpenOptionsExt::share_mode(&mut options, 7);
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut options.open(path)?, &mut bytes)?;
    Ok(bytes)
}

/// Removes what an interrupted publish left.
fn remove_unfinished(versions_dir: &Path) {
    for entry in std::fs::read_dir(versions_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().ends_with(".partial") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Keeps the `keep` newest versions before `current`, and `current`.
fn prune(central: &Path, current: u64, keep: usize) {
    let older: Vec<u64> = versions(central)
        .into_iter()
        .filter(|v| *v < current)
        .collect();
    let drop = older.len().saturating_sub(keep);
    for v in &older[..drop] {
        let _ = std::fs::remove_dir_all(version_dir(central, *v));
    }
}

/// The files of a published version (paths relative to it), as written.
pub fn files_of(central: &Path, version: u64) -> Result<Vec<(String, Vec<u8>)>, PublishError> {
    if !version_dir(central, version).is_dir() {
        return Err(PublishError::NoSuchVersion(version));
    }
    let manifest = manifest_of(central, version)?;
    let dir = version_dir(central, version);
    manifest
        .files
        .iter()
        .map(|e| {
            let path = dir.join(&e.path);
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            Ok((e.path.clone(), bytes))
        })
        .collect()
}

/// Why a counter did not take a published version; each says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("发布记录 {POINTER} 读不出来（{0}）：可能正在发布或被改坏了；请重新发布")]
    Pointer(String),
    #[error("发布记录指向第 {0} 版，但这个版本不在 versions 目录里：请重新发布或回滚")]
    MissingVersion(u64),
    #[error("第 {version} 版的清单读不出来（{why}）：可能没有写完；请重新发布")]
    Manifest { version: u64, why: String },
    #[error("第 {0} 版没有签名，而这台柜台只接受培训部签名的内容：请用 huashu publish --key 发布")]
    Unsigned(u64),
    #[error(
        "第 {version} 版的签名密钥 {key} 不在这台柜台信任的密钥里：请确认是培训部发布的，或在配置文件的 trust 里加上这把公钥"
    )]
    Untrusted { version: u64, key: String },
    #[error("第 {0} 版的签名不对：清单在签名之后被改过；请重新发布")]
    BadSignature(u64),
    #[error(
        "第 {got} 版比这台柜台已经用过的第 {have} 版旧（可能是旧备份被放回了共享目录）；要回到旧内容请用 huashu publish --rollback"
    )]
    Older { have: u64, got: u64 },
    #[error("第 {version} 版已在 {when} 过期（共享目录可能是停止同步的旧副本）：请重新发布")]
    Expired { version: u64, when: String },
    #[error("第 {version} 版的文件 {path} 缺失：请重新发布")]
    FileMissing { version: u64, path: String },
    #[error(
        "第 {version} 版的文件 {path} 和清单不符（大小或内容在发布后被改过）：请重新发布，不要直接改共享目录里的文件"
    )]
    FileChanged { version: u64, path: String },
    #[error("第 {version} 版的文件 {path} 超过 {} MiB", MAX_FILE_BYTES / 1024 / 1024)]
    FileTooLarge { version: u64, path: String },
    #[error(
        "网络来源的内容必须有签名，而这台柜台的配置里没有 trust（培训部的公钥）：请在配置里加上 trust；只在测试时才可以写 allow_unsigned: true"
    )]
    WebUnsigned,
    #[error("清单里的文件路径 {path} 不在版本目录里")]
    BadPath { version: u64, path: String },
}

/// A published version that passed every check.
#[derive(Debug)]
pub struct Verified {
    pub manifest: Manifest,
    /// Its files, paths inside the version's folder.
    pub files: Files,
    /// Signed by this trusted key (`None`: no `trust` configured).
    pub signed_by: Option<PublicKey>,
    /// Files in the version's folder the manifest does not list (ignored).
    pub unlisted: Vec<PathBuf>,
}

/// Reads and verifies the version `central`'s pointer names. Without
/// `trust` (none configured) the signature is not checked (unsigned
/// content, as before); `accepted`: the version this counter accepted last.
pub fn read_verified(
    central: &Path,
    trust: Option<&[PublicKey]>,
    accepted: Option<u64>,
    now_unix: i64,
) -> Result<Verified, Rejected> {
    let pointer_text = read_shared(&central.join(POINTER))
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
        .map_err(Rejected::Pointer)?;
    let pointer: Pointer =
        ron::from_str(&pointer_text).map_err(|e| Rejected::Pointer(e.to_string()))?;
    let version = pointer.version;
    let dir = version_dir(central, version);
    if !dir.is_dir() {
        return Err(Rejected::MissingVersion(version));
    }
    let manifest_bytes = std::fs::read(dir.join(MANIFEST)).map_err(|e| Rejected::Manifest {
        version,
        why: e.to_string(),
    })?;
    let signed_by = match trust {
        None => None,
        Some(trust) => Some(check_signature(&dir, version, &manifest_bytes, trust)?),
    };
    let manifest: Manifest = std::str::from_utf8(&manifest_bytes)
        .map_err(|e| e.to_string())
        .and_then(|t| ron::from_str(t).map_err(|e| e.to_string()))
        .map_err(|why| Rejected::Manifest { version, why })?;
    if manifest.version != version {
        return Err(Rejected::Manifest {
            version,
            why: format!("清单写的是第 {} 版", manifest.version),
        });
    }
    if let Some(have) = accepted
        && version < have
    {
        return Err(Rejected::Older { have, got: version });
    }
    if manifest.expires_unix < now_unix {
        let when = chrono::DateTime::from_timestamp(manifest.expires_unix, 0)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        return Err(Rejected::Expired { version, when });
    }
    let mut files = Vec::with_capacity(manifest.files.len());
    for entry in &manifest.files {
        if !safe_path(&entry.path) {
            return Err(Rejected::BadPath {
                version,
                path: entry.path.clone(),
            });
        }
        let path = dir.join(&entry.path);
        let missing = || Rejected::FileMissing {
            version,
            path: entry.path.clone(),
        };
        let len = std::fs::metadata(&path).map_err(|_| missing())?.len();
        if len > MAX_FILE_BYTES {
            return Err(Rejected::FileTooLarge {
                version,
                path: entry.path.clone(),
            });
        }
        let bytes = std::fs::read(&path).map_err(|_| missing())?;
        if !entry.matches(&bytes) {
            return Err(Rejected::FileChanged {
                version,
                path: entry.path.clone(),
            });
        }
        files.push((path, bytes));
    }
    let mut listed: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    listed.push(dir.join(MANIFEST));
    let unlisted = crate::content::walk::walk(&dir)
        .map(|(found, _)| found)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !listed.contains(p))
        .collect();
    Ok(Verified {
        manifest,
        files,
        signed_by,
        unlisted,
    })
}

/// Whether a path a manifest lists stays inside its version's folder.
pub(crate) fn safe_path(path: &str) -> bool {
    !(path.split('/').any(|c| c.is_empty() || c == "..")
        || path.contains('\\')
        || path.contains(':')
        || Path::new(path).is_absolute())
}

/// The trusted key that signed `manifest`, or why none did.
fn check_signature(
    dir: &Path,
    version: u64,
    manifest: &[u8],
    trust: &[PublicKey],
) -> Result<PublicKey, Rejected> {
    let text = std::fs::read_to_string(dir.join(SIGNATURE)).ok();
    check_signature_text(text.as_deref(), version, manifest, trust)
}

/// The trusted key whose signature `text` (the `manifest.sig` file, if
/// any) holds for `manifest`, or why none does.
pub(crate) fn check_signature_text(
    text: Option<&str>,
    version: u64,
    manifest: &[u8],
    trust: &[PublicKey],
) -> Result<PublicKey, Rejected> {
    let text = text.ok_or(Rejected::Unsigned(version))?;
    let mut lines = text.lines();
    let key = lines
        .next()
        .and_then(|l| PublicKey::parse(l).ok())
        .ok_or(Rejected::BadSignature(version))?;
    if !trust.contains(&key) {
        return Err(Rejected::Untrusted {
            version,
            key: key.to_string(),
        });
    }
    let signature: [u8; 64] = lines
        .next()
        .and_then(|l| from_hex(l.trim()))
        .and_then(|b| b.try_into().ok())
        .ok_or(Rejected::BadSignature(version))?;
    key.0
        .verify_strict(manifest, &Signature::from_bytes(&signature))
        .map_err(|_| Rejected::BadSignature(version))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("key");
        let (public, unrestricted) = keygen(&path).unwrap();
        assert_eq!(unrestricted, None);
        assert!(matches!(keygen(&path), Err(PublishError::KeyExists(_))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let secret = SecretKey::read(&path).unwrap();
        assert_eq!(secret.public(), public);
        assert_eq!(PublicKey::parse(&public.to_string()).unwrap(), public);
        assert!(PublicKey::parse("huashu-ed25519:00").is_err());
        assert!(PublicKey::parse("abc").is_err());
        std::fs::write(tmp.path().join("not"), "hello").unwrap();
        assert!(matches!(
            SecretKey::read(&tmp.path().join("not")),
            Err(PublishError::NotAKey(_))
        ));
    }
}
