//! Small files huashu keeps for itself (settings, usage counts): written
//! atomically; a damaged one is kept aside as `*.bak` (nothing is lost)
//! and replaced by defaults, with a message to show once.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads `path`; none yet → defaults. A file that is not valid is moved
/// to `<name>.bak` and defaults are returned with a message saying so.
pub fn load<T: DeserializeOwned + Default>(path: &Path) -> Result<(T, Option<String>), StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((T::default(), None)),
        Err(source) => {
            return Err(StoreError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let parsed = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            crate::content::raw::ron_options()
                .from_str::<T>(text)
                .map_err(|e| e.to_string())
        });
    match parsed {
        Ok(value) => Ok((value, None)),
        Err(why) => {
            let backup = backup_path(path);
            std::fs::rename(path, &backup).map_err(|source| StoreError::Write {
                path: backup.clone(),
                source,
            })?;
            Ok((
                T::default(),
                Some(format!(
                    "{} was damaged ({why}); kept it as {} and started from defaults",
                    path.display(),
                    backup.display()
                )),
            ))
        }
    }
}

/// `settings.ron` → `settings.ron.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".bak");
    path.with_file_name(name)
}

/// Writes `value` as pretty RON, atomically.
pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), StoreError> {
    let err = |source| StoreError::Write {
        path: path.to_owned(),
        source,
    };
    let text = text(value).map_err(|e| err(std::io::Error::other(e)))?;
    crate::atomic::write(path, text.as_bytes()).map_err(err)
}

/// `value` as these files hold it (pretty RON).
pub fn text<T: Serialize>(value: &T) -> Result<String, ron::Error> {
    ron::ser::to_string_pretty(value, ron::ser::PrettyConfig::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Thing {
        n: u32,
    }

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("thing.ron");
        assert_eq!(load::<Thing>(&path).unwrap(), (Thing::default(), None));
        save(&path, &Thing { n: 3 }).unwrap();
        assert_eq!(load::<Thing>(&path).unwrap(), (Thing { n: 3 }, None));
        std::fs::write(&path, [0xFF, b'(']).unwrap();
        let (thing, message) = load::<Thing>(&path).unwrap();
        assert_eq!(thing, Thing::default());
        assert!(message.unwrap().contains("thing.ron.bak"));
        assert_eq!(
            std::fs::read(dir.path().join("thing.ron.bak")).unwrap(),
            [0xFF, b'(']
        );
        // Reported once: the damaged file is out of the way.
        assert_eq!(load::<Thing>(&path).unwrap(), (Thing::default(), None));
    }
}
