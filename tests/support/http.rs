//! A small web server for tests: serves a folder at
//! `http(s)://127.0.0.1:<port>/huashu/`, answers `If-None-Match` with 304,
//! counts what it sends, and misbehaves on request (slow, a dropped
//! connection, an error status, an endless body). Started and stopped by
//! the test itself; binds 127.0.0.1 only.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test uses part of it; in tests a panic is a failed test"
)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the server misbehaves for one file.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers with this status and no file.
    Status(u16),
    /// Waits this long before answering.
    Slow(Duration),
    /// Promises the whole file, sends this many bytes, closes.
    DropAfter(usize),
    /// Sends bytes until the client stops reading.
    Endless,
}

/// One request: the path asked for, the status answered, body bytes sent.
#[derive(Clone, Debug)]
pub struct Served {
    pub path: String,
    pub status: u16,
    pub bytes: u64,
}

#[derive(Default)]
struct State {
    faults: HashMap<String, Fault>,
    served: Vec<Served>,
    /// Files are sent gzip-compressed to clients that accept it.
    gzip: bool,
}

pub struct Server {
    addr: SocketAddr,
    scheme: &'static str,
    stop: Arc<AtomicBool>,
    state: Arc<Mutex<State>>,
    thread: Option<JoinHandle<()>>,
}

/// A TLS identity for the server: its certificate chain and key (DER).
pub struct Identity {
    pub chain: Vec<Vec<u8>>,
    pub key: Vec<u8>,
}

impl Server {
    /// Serves `root` over plain HTTP.
    pub fn start(root: &Path) -> Self {
        Self::start_with(root, None)
    }

    /// Serves `root` over HTTPS with `identity`.
    pub fn start_tls(root: &Path, identity: &Identity) -> Self {
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                identity
                    .chain
                    .iter()
                    .map(|c| rustls::pki_types::CertificateDer::from(c.clone()))
                    .collect(),
                rustls::pki_types::PrivateKeyDer::Pkcs8(identity.key.clone().into()),
            )
            .unwrap();
        Self::start_with(root, Some(Arc::new(config)))
    }

    fn start_with(root: &Path, tls: Option<Arc<rustls::ServerConfig>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(Mutex::new(State::default()));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let root = root.to_path_buf();
        let thread = {
            let stop = Arc::clone(&stop);
            let state = Arc::clone(&state);
            std::thread::Builder::new()
                .name("test-http".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        let root = root.clone();
                        let state = Arc::clone(&state);
                        let tls = tls.clone();
                        let _ = std::thread::Builder::new()
                            .name("test-http-conn".into())
                            .spawn(move || match tls {
                                None => serve(stream, &root, &state),
                                Some(config) => {
                                    let Ok(conn) = rustls::ServerConnection::new(config) else {
                                        return;
                                    };
                                    serve(rustls::StreamOwned::new(conn, stream), &root, &state);
                                }
                            });
                    }
                })
                .unwrap()
        };
        Self {
            addr,
            scheme,
            stop,
            state,
            thread: Some(thread),
        }
    }

    /// The base address counters are configured with.
    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}/huashu/", self.scheme, self.addr.port())
    }

    /// Misbehaves for every path ending with `suffix`.
    pub fn fault(&self, suffix: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .insert(suffix.to_owned(), fault);
    }

    /// Sends files gzip-compressed to clients that accept it (as an
    /// intranet server with compression on).
    pub fn compress(&self, on: bool) {
        self.state.lock().unwrap().gzip = on;
    }

    pub fn clear_faults(&self) {
        self.state.lock().unwrap().faults.clear();
    }

    /// The requests answered since the last call.
    pub fn take_served(&self) -> Vec<Served> {
        std::mem::take(&mut self.state.lock().unwrap().served)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn etag_of(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{h:016x}\"")
}

/// The path a request asks for, and its headers (names in lower case).
fn read_request(stream: &mut impl Read) -> Option<(String, HashMap<String, String>)> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_lowercase(), value.trim().to_owned());
        }
    }
    let path = request_line.split_whitespace().nth(1)?.to_owned();
    Some((path, headers))
}

fn serve(mut stream: impl Read + Write, root: &Path, state: &Mutex<State>) {
    let Some((path, headers)) = read_request(&mut stream) else {
        return;
    };
    let (fault, gzip) = {
        let state = state.lock().unwrap();
        let fault = state
            .faults
            .iter()
            .find(|(suffix, _)| path.ends_with(suffix.as_str()))
            .map(|(_, f)| f.clone());
        let accepts = headers
            .get("accept-encoding")
            .is_some_and(|v| v.contains("gzip"));
        (fault, state.gzip && accepts)
    };
    let file: Option<PathBuf> = path
        .strip_prefix("/huashu/")
        .filter(|rel| !rel.split('/').any(|c| c == ".."))
        .map(|rel| root.join(rel));
    let bytes = file.and_then(|f| std::fs::read(f).ok());
    let record = |status: u16, sent: u64| {
        state.lock().unwrap().served.push(Served {
            path: path.clone(),
            status,
            bytes: sent,
        });
    };
    match fault {
        Some(Fault::Status(status)) => {
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            record(status, 0);
            return;
        }
        Some(Fault::Slow(wait)) => std::thread::sleep(wait),
        Some(Fault::Endless) => {
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0u64;
            while sent < 1024 * 1024 * 1024 && stream.write_all(&chunk).is_ok() {
                sent += chunk.len() as u64;
            }
            record(200, sent);
            return;
        }
        _ => {}
    }
    let Some(bytes) = bytes else {
        let _ = write!(
            stream,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        record(404, 0);
        return;
    };
    let etag = etag_of(&bytes);
    if headers.get("if-none-match") == Some(&etag) {
        let _ = write!(
            stream,
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
        );
        record(304, 0);
        return;
    }
    let (bytes, encoding) = if gzip {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&bytes).unwrap();
        (encoder.finish().unwrap(), "Content-Encoding: gzip\r\n")
    } else {
        (bytes, "")
    };
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\n{encoding}Connection: close\r\n\r\n",
        bytes.len()
    );
    let body = match fault {
        Some(Fault::DropAfter(n)) => &bytes[..n.min(bytes.len())],
        _ => &bytes[..],
    };
    let _ = stream.write_all(body);
    let _ = stream.flush();
    record(200, body.len() as u64);
}
