//! A web server as a central source: an intranet server serving the
//! published layout (see [`crate::content::publish`]) at a base address.
//!
//! A [`Mirror`] copies the version the server's pointer names into a local
//! folder with the same layout, and the counter then reads and verifies
//! that folder exactly as it would a share: nothing from the network is
//! trusted before the same checks pass. Each sync asks for the pointer
//! with the validators of the last answer (`If-None-Match`,
//! `If-Modified-Since`: an unchanged server answers 304 with no body);
//! only for a new version does it fetch the manifest and its signature
//! (checked first when keys are trusted) and then only the files whose
//! hashes it does not hold already. Every answer has a size limit and
//! every request timeouts; the proxy is the system's (environment, and
//! Internet Settings on Windows) and TLS trusts the machine's own
//! certificate store (a bank's own CA included).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::content::load::MAX_FILE_BYTES;
use crate::content::publish::{
    self, MANIFEST, Manifest, POINTER, Pointer, PublicKey, Rejected, SIGNATURE,
};

/// Default seconds to wait for a connection, an answer or a file.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;
/// The pointer is one short line.
const POINTER_LIMIT: u64 = 64 * 1024;
/// The validators of the pointer's last answer.
const VALIDATORS: &str = "validators.ron";

/// Whether a configured central source is a web address.
pub fn is_web(source: &Path) -> bool {
    let text = source.to_string_lossy();
    text.starts_with("https://") || text.starts_with("http://")
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No connection, a timeout, TLS refused, the connection dropped.
    #[error("{url}：{why}")]
    Transport { url: String, why: String },
    #[error("{url}：服务器回答 {status}")]
    Status { url: String, status: u16 },
    #[error("{url}：超过 {limit} 字节，没有下载")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}：{why}")]
    Broken { url: String, why: String },
    /// The version did not pass a check that is made before its files are
    /// downloaded (signature, paths) or after (each file's size and hash).
    #[error("{0}")]
    Rejected(Rejected),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl WebError {
    fn transport(url: &str, e: &ureq::Error) -> Self {
        let why = match e {
            ureq::Error::Timeout(_) => "服务器在规定时间内没有回答（超时）".to_owned(),
            ureq::Error::HostNotFound => "找不到这个服务器（域名解析失败）".to_owned(),
            ureq::Error::ConnectionFailed => "连不上服务器".to_owned(),
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => format!("连不上服务器（{io}）"),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                    "服务器在规定时间内没有回答（超时）".to_owned()
                }
                _ => format!("连接中断（{io}）"),
            },
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
                format!("安全连接失败，服务器证书不被这台电脑信任（{e}）")
            }
            other => other.to_string(),
        };
        Self::Transport {
            url: url.to_owned(),
            why,
        }
    }
}

/// What a sync did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Synced {
    /// The server's pointer is unchanged since the last sync.
    NotModified,
    /// The server points at a version the mirror already holds.
    Held(u64),
    /// A new version was mirrored: its number, and the files and body
    /// bytes downloaded for it (pointer, manifest and signature included).
    Fetched {
        version: u64,
        files: usize,
        bytes: u64,
    },
}

/// The validators of the pointer's last answer.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Validators {
    etag: Option<String>,
    last_modified: Option<String>,
}

/// A version's files: path in the version, bytes.
type VersionFiles<'m> = Vec<(&'m str, Vec<u8>)>;

/// A local copy of what a web source publishes.
pub struct Mirror {
    /// The base address, ending with `/`.
    base: String,
    dir: PathBuf,
    agent: ureq::Agent,
    trust: Option<Vec<PublicKey>>,
}

impl std::fmt::Debug for Mirror {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mirror")
            .field("base", &self.base)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WebError + '_ {
    move |source| WebError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Mirror {
    /// The mirror of `url` in `cache_dir`; `timeout` bounds the connection,
    /// waiting for an answer, and receiving each body.
    pub fn new(
        url: &Path,
        cache_dir: &Path,
        timeout: Duration,
        trust: Option<Vec<PublicKey>>,
    ) -> Self {
        let mut base = url.to_string_lossy().into_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        let key = crate::hash::fnv1a_hex(base.as_bytes());
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout))
            .timeout_recv_response(Some(timeout))
            .timeout_recv_body(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!("huashu/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        Self {
            base,
            dir: cache_dir.join(format!("web-{key}")),
            agent: config.new_agent(),
            trust,
        }
    }

    /// The local folder with the published layout.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The base address (ending with `/`).
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Brings the mirror to the version the server points at. On any error
    /// the mirror keeps what it held.
    pub fn sync(&self) -> Result<Synced, WebError> {
        let Some((pointer_bytes, validators, version)) = self.fetch_pointer()? else {
            return Ok(Synced::NotModified);
        };
        if publish::version_dir(&self.dir, version).is_dir() {
            self.point_at(&pointer_bytes, &validators)?;
            return Ok(Synced::Held(version));
        }
        let version_url = format!("{}{}/{version}/", self.base, publish::VERSIONS);
        let manifest_bytes = self
            .get(&format!("{version_url}{MANIFEST}"), MAX_FILE_BYTES)?
            .ok_or(WebError::Rejected(Rejected::MissingVersion(version)))?;
        let signature = self.get(&format!("{version_url}{SIGNATURE}"), POINTER_LIMIT)?;
        // Before any file is downloaded: a manifest nobody trusted signed
        // makes this counter fetch nothing it names.
        if let Some(trust) = &self.trust {
            let text = signature
                .as_deref()
                .map(|s| String::from_utf8_lossy(s).into_owned());
            publish::check_signature_text(text.as_deref(), version, &manifest_bytes, trust)
                .map_err(WebError::Rejected)?;
        }
        let manifest: Manifest = std::str::from_utf8(&manifest_bytes)
            .map_err(|e| e.to_string())
            .and_then(|t| ron::from_str(t).map_err(|e| e.to_string()))
            .map_err(|why| WebError::Rejected(Rejected::Manifest { version, why }))?;
        let (files, fetched, bytes) = self.fetch_files(&version_url, &manifest)?;
        self.store(version, &manifest_bytes, signature.as_deref(), &files)?;
        self.point_at(&pointer_bytes, &validators)?;
        self.prune(version);
        let listed = pointer_bytes.len() + manifest_bytes.len() + signature.map_or(0, |s| s.len());
        Ok(Synced::Fetched {
            version,
            files: fetched,
            bytes: bytes + listed as u64,
        })
    }

    /// The server's pointer, its validators and the version it names;
    /// `None` when unchanged since the last sync (304).
    fn fetch_pointer(&self) -> Result<Option<(Vec<u8>, Validators, u64)>, WebError> {
        let url = format!("{}{POINTER}", self.base);
        let validators: Validators = if self.dir.join(POINTER).is_file() {
            std::fs::read_to_string(self.dir.join(VALIDATORS))
                .ok()
                .and_then(|t| ron::from_str(&t).ok())
                .unwrap_or_default()
        } else {
            Validators::default()
        };
        let mut request = self.agent.get(&url);
        if let Some(etag) = &validators.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(when) = &validators.last_modified {
            request = request.header("If-Modified-Since", when);
        }
        let mut response = request.call().map_err(|e| WebError::transport(&url, &e))?;
        match response.status().as_u16() {
            304 => return Ok(None),
            200 => {}
            status => return Err(WebError::Status { url, status }),
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let fresh = Validators {
            etag: header("etag"),
            last_modified: header("last-modified"),
        };
        let bytes = read_body(&url, response.body_mut(), POINTER_LIMIT)?;
        let pointer: Pointer = std::str::from_utf8(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|t| ron::from_str(t).map_err(|e| e.to_string()))
            .map_err(|why| WebError::Broken {
                url,
                why: format!("发布记录读不出来（{why}）"),
            })?;
        Ok(Some((bytes, fresh, pointer.version)))
    }

    /// The files `manifest` lists, each checked against its size and hash:
    /// from the versions held when one has the same hash, else downloaded.
    /// Also how many were downloaded, and their bytes.
    fn fetch_files<'m>(
        &self,
        version_url: &str,
        manifest: &'m Manifest,
    ) -> Result<(VersionFiles<'m>, usize, u64), WebError> {
        let version = manifest.version;
        let held = self.held_files();
        let mut files = Vec::with_capacity(manifest.files.len());
        let (mut fetched, mut downloaded) = (0, 0);
        for entry in &manifest.files {
            let rejected = |why: fn(u64, String) -> Rejected| {
                WebError::Rejected(why(version, entry.path.clone()))
            };
            if !publish::safe_path(&entry.path) {
                return Err(rejected(|version, path| Rejected::BadPath {
                    version,
                    path,
                }));
            }
            if entry.size > MAX_FILE_BYTES {
                return Err(rejected(|version, path| Rejected::FileTooLarge {
                    version,
                    path,
                }));
            }
            let changed = || rejected(|version, path| Rejected::FileChanged { version, path });
            let local = held
                .get(&entry.sha256)
                .and_then(|p| std::fs::read(p).ok())
                .filter(|b| entry.matches(b));
            let bytes = if let Some(bytes) = local {
                bytes
            } else {
                // One byte over the listed size is enough to know it differs.
                let bytes = self
                    .get(&format!("{version_url}{}", entry.path), entry.size + 1)
                    .map_err(|e| match e {
                        WebError::TooLarge { .. } => changed(),
                        other => other,
                    })?
                    .ok_or_else(|| {
                        rejected(|version, path| Rejected::FileMissing { version, path })
                    })?;
                downloaded += bytes.len() as u64;
                fetched += 1;
                bytes
            };
            if !entry.matches(&bytes) {
                return Err(changed());
            }
            files.push((entry.path.as_str(), bytes));
        }
        Ok((files, fetched, downloaded))
    }

    /// GETs `url`, at most `limit` bytes; `None` when the server has no
    /// such file (404).
    fn get(&self, url: &str, limit: u64) -> Result<Option<Vec<u8>>, WebError> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| WebError::transport(url, &e))?;
        match response.status().as_u16() {
            200 => read_body(url, response.body_mut(), limit).map(Some),
            404 | 410 => Ok(None),
            status => Err(WebError::Status {
                url: url.to_owned(),
                status,
            }),
        }
    }

    /// The files of the versions the mirror holds, by hash.
    fn held_files(&self) -> HashMap<String, PathBuf> {
        let mut held = HashMap::new();
        for version in publish::versions(&self.dir) {
            if let Ok(manifest) = publish::manifest_of(&self.dir, version) {
                let dir = publish::version_dir(&self.dir, version);
                for entry in manifest.files {
                    if publish::safe_path(&entry.path) {
                        held.insert(entry.sha256, dir.join(&entry.path));
                    }
                }
            }
        }
        held
    }

    /// Writes a version under a name no reader takes, then renames it into
    /// place (another process may have done so meanwhile: then its copy is
    /// kept).
    fn store(
        &self,
        version: u64,
        manifest: &[u8],
        signature: Option<&[u8]>,
        files: &VersionFiles<'_>,
    ) -> Result<(), WebError> {
        let versions = self.dir.join(publish::VERSIONS);
        let unfinished = versions.join(format!(
            ".{version}.{}.partial",
            crate::atomic::unique_tag()
        ));
        let write = |rel: &str, bytes: &[u8]| -> Result<(), WebError> {
            let path = unfinished.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&path, bytes).map_err(io(&path))
        };
        let result = (|| {
            for (rel, bytes) in files {
                write(rel, bytes)?;
            }
            if let Some(signature) = signature {
                write(SIGNATURE, signature)?;
            }
            write(MANIFEST, manifest)?;
            let target = publish::version_dir(&self.dir, version);
            match std::fs::rename(&unfinished, &target) {
                Err(_) if target.is_dir() => Ok(()),
                other => other.map_err(io(&target)),
            }
        })();
        if unfinished.exists() {
            let _ = std::fs::remove_dir_all(&unfinished);
        }
        result
    }

    /// Points the mirror at the version `pointer` names (written last).
    fn point_at(&self, pointer: &[u8], validators: &Validators) -> Result<(), WebError> {
        let path = self.dir.join(POINTER);
        crate::atomic::write(&path, pointer).map_err(io(&path))?;
        if let Ok(text) = ron::to_string(validators) {
            // Without them the next sync asks for the whole pointer again.
            let _ = crate::atomic::write(&self.dir.join(VALIDATORS), text.as_bytes());
        }
        Ok(())
    }

    /// Keeps `current` and the version before it (a counter that has not
    /// reloaded yet may still be reading it).
    fn prune(&self, current: u64) {
        let older: Vec<u64> = publish::versions(&self.dir)
            .into_iter()
            .filter(|v| *v != current)
            .collect();
        for v in older.iter().rev().skip(1) {
            let _ = std::fs::remove_dir_all(publish::version_dir(&self.dir, *v));
        }
    }
}

fn read_body(url: &str, body: &mut ureq::Body, limit: u64) -> Result<Vec<u8>, WebError> {
    body.with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => WebError::TooLarge {
                url: url.to_owned(),
                limit,
            },
            other => WebError::transport(url, &other),
        })
}
