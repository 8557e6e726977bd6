//! One window per user and content: the first start listens on a local
//! socket (a Unix abstract socket, gone with the process; a Windows named
//! pipe); a later start with the same content arguments connects, asks the
//! first to come forward, and exits.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;

use interprocess::local_socket::prelude::*;
use interprocess::local_socket::{GenericNamespaced, ListenerOptions, Stream};

use super::{Bell, Summon};

const SHOW: &str = "show";
const RELEASE: &str = "release";
const DONE: &str = "ok";

/// The outcome of starting.
pub enum Claim {
    /// No window is open: this start opens one, and takes the next starts'
    /// requests.
    First(Instance),
    /// A window is open and was asked to come forward.
    Forwarded,
}

/// This process's claim: its listener thread.
pub struct Instance {
    name: String,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The socket's name for this user, X display and these content
/// arguments: starts with other `--data`/`--local`/`--config` are other
/// windows (a trainer previewing a branch keeps the counter's window).
pub fn name(data: &[PathBuf], local: &[PathBuf], config: Option<&std::path::Path>) -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default();
    let absolute = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    // A window on another X display is not in front of this user.
    let display = std::env::var("DISPLAY").unwrap_or_default();
    let mut key = format!("{user}\0{display}");
    let tagged = data
        .iter()
        .map(|p| ('d', p.as_path()))
        .chain(local.iter().map(|p| ('l', p.as_path())))
        .chain(config.map(|p| ('c', p)));
    for (tag, path) in tagged {
        let _ = write!(key, "\0{tag}{}", absolute(path).display());
    }
    // The same name from every build of the program.
    let hash = crate::hash::fnv1a_hex(key.as_bytes());
    let user: String = user.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("huashu-{user}-{hash}.sock")
}

/// Asks a window already open under `name` to come forward, or becomes
/// the one that is asked. Anything that goes wrong makes this the first
/// (a second window is better than none).
pub fn claim(name: &str, bell: Bell) -> Claim {
    if ask(name, SHOW).is_ok() {
        return Claim::Forwarded;
    }
    match listen(name, bell) {
        Ok(instance) => Claim::First(instance),
        Err(e) => {
            log::warn!("single instance: cannot listen on {name}: {e}");
            Claim::First(Instance {
                name: name.to_owned(),
                thread: None,
            })
        }
    }
}

/// Sends `request` to the listener under `name` and waits for its answer.
fn ask(name: &str, request: &str) -> std::io::Result<()> {
    let stream = Stream::connect(name.to_ns_name::<GenericNamespaced>()?)?;
    if request == SHOW {
        // Windows lets the foreground process (this one, just started by
        // the user) pass the right to come forward to another.
        #[cfg(windows)]
        super::win32::allow_foreground();
    }
    let mut stream = BufReader::new(stream);
    stream
        .get_mut()
        .write_all(format!("{request}\n").as_bytes())?;
    let mut answer = String::new();
    stream.read_line(&mut answer)?;
    if answer.trim() == DONE {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "unexpected answer {answer:?}"
        )))
    }
}

fn listen(name: &str, bell: Bell) -> std::io::Result<Instance> {
    let listener = ListenerOptions::new()
        .name(name.to_ns_name::<GenericNamespaced>()?)
        .create_sync()?;
    let thread = std::thread::Builder::new()
        .name("huashu-instance".into())
        .spawn(move || {
            // Blocked in accept until another start connects.
            for stream in listener.incoming() {
                let stream = match stream {
                    Ok(s) => s,
                    Err(e) => {
                        log::warn!("single instance: {e}");
                        continue;
                    }
                };
                let mut stream = BufReader::new(stream);
                let mut request = String::new();
                if stream.read_line(&mut request).is_err() {
                    continue;
                }
                let request = request.trim();
                if request == SHOW {
                    bell.ring(Summon::SecondStart, 0);
                }
                let _ = stream.get_mut().write_all(format!("{DONE}\n").as_bytes());
                if request == RELEASE {
                    return;
                }
            }
        })?;
    Ok(Instance {
        name: name.to_owned(),
        thread: Some(thread),
    })
}

impl Instance {
    /// Gives the name up (before the program starts itself again with the
    /// other renderer, which must be able to claim it).
    pub fn release(mut self) {
        if let Some(thread) = self.thread.take()
            && ask(&self.name, RELEASE).is_ok()
        {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_follows_the_content_arguments_not_the_folder_started_in() {
        let none = name(&[], &[], None);
        assert_eq!(none, name(&[], &[], None));
        assert!(none.starts_with("huashu-"), "{none}");
        let other = name(&[PathBuf::from("branch")], &[], None);
        assert_ne!(none, other);
        assert_ne!(
            name(&[], &[PathBuf::from("x")], None),
            name(&[PathBuf::from("x")], &[], None)
        );
    }

    #[test]
    fn a_second_claim_is_forwarded_to_the_first_and_rings_its_bell() {
        let name = format!("huashu-test-{}.sock", std::process::id());
        let (bell, rings) = Bell::new();
        let Claim::First(first) = claim(&name, bell) else {
            panic!("nothing was listening");
        };
        let (other_bell, other_rings) = Bell::new();
        assert!(matches!(claim(&name, other_bell), Claim::Forwarded));
        assert_eq!(rings.try_recv(), Ok(Summon::SecondStart));
        assert!(other_rings.try_recv().is_err());
        // Released: the next start is the first again.
        first.release();
        let (bell, _) = Bell::new();
        let Claim::First(again) = claim(&name, bell) else {
            panic!("the name was not given up");
        };
        again.release();
    }
}
