//! A value kept on disk between runs so that a start need not redo work
//! (the parsed content files, see `assemble::ParseCache`): written whole
//! (a temporary name, then renamed), read back only when it is exactly
//! what this program wrote — its magic, format, program version, length
//! and checksum all agree. Anything else (damaged, cut short, another
//! version's, not a snapshot) is an error the caller answers by doing the
//! work again; reading never trusts a length it has not checked.

use std::path::Path;

use bincode::Options as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

const MAGIC: &[u8; 8] = b"HUASHU\x00S";
/// Bumped whenever what is kept changes meaning (parsing, checks, messages
/// between releases); the program's version is checked as well.
pub const FORMAT: u32 = 1;
/// Larger files are not read (a 100,000-card library's is ~150 MB).
const MAX_BYTES: u64 = 1 << 30;

/// Why a snapshot was not used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("没有快照：{0}")]
    Io(#[from] std::io::Error),
    #[error("快照已损坏（{0}）")]
    Damaged(&'static str),
    #[error("快照是另一个版本的程序写的（{0}）")]
    OtherVersion(String),
}

/// Magic, format, version, payload length, payload, checksum.
fn header(version: &str, payload: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + version.len() + payload + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(
        &u32::try_from(version.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(version.as_bytes());
    out.extend_from_slice(&(payload as u64).to_le_bytes());
    out
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// `value` as the bytes of a snapshot.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, SnapshotError> {
    let payload = bincode::serialize(value).map_err(|_| SnapshotError::Damaged("无法编码"))?;
    let mut out = header(version(), payload.len());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&crate::hash::text_hash(&payload).to_le_bytes());
    Ok(out)
}

/// Writes `value` to `path` whole or not at all.
pub fn write<T: Serialize>(path: &Path, value: &T) -> Result<(), SnapshotError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic::write(path, &encode(value)?)?;
    Ok(())
}

/// The value of a snapshot's bytes, when they are exactly a snapshot this
/// program wrote.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SnapshotError> {
    let take = |at: &mut usize, n: usize| -> Result<&[u8], SnapshotError> {
        let end = at.checked_add(n).filter(|&e| e <= bytes.len());
        let end = end.ok_or(SnapshotError::Damaged("文件不完整"))?;
        let part = &bytes[*at..end];
        *at = end;
        Ok(part)
    };
    let mut at = 0;
    if take(&mut at, MAGIC.len())? != MAGIC {
        return Err(SnapshotError::Damaged("不是快照文件"));
    }
    let u32_at = |at: &mut usize| -> Result<u32, SnapshotError> {
        let b = take(at, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let format = u32_at(&mut at)?;
    let version_len = usize::try_from(u32_at(&mut at)?).unwrap_or(usize::MAX);
    let written_by = String::from_utf8_lossy(take(&mut at, version_len)?).into_owned();
    if format != FORMAT || written_by != version() {
        return Err(SnapshotError::OtherVersion(format!(
            "{written_by}，格式 {format}"
        )));
    }
    let len = take(&mut at, 8)?;
    let len = u64::from_le_bytes([
        len[0], len[1], len[2], len[3], len[4], len[5], len[6], len[7],
    ]);
    let payload = take(&mut at, usize::try_from(len).unwrap_or(usize::MAX))?;
    let sum = take(&mut at, 8)?;
    if at != bytes.len() {
        return Err(SnapshotError::Damaged("结尾多了内容"));
    }
    let sum = u64::from_le_bytes([
        sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7],
    ]);
    if sum != crate::hash::text_hash(payload) {
        return Err(SnapshotError::Damaged("校验和不对"));
    }
    // Lengths inside are bounded by the payload itself: a damaged length
    // cannot ask for more memory than the file holds.
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_limit(payload.len() as u64 * 4 + 1024)
        .deserialize(payload)
        .map_err(|_| SnapshotError::Damaged("内容读不出来"))
}

/// The value kept at `path` (see [`decode`]).
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, SnapshotError> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > MAX_BYTES {
        return Err(SnapshotError::Damaged("文件太大"));
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_BYTES), &mut bytes)?;
    decode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_comes_back_and_nothing_else_is_taken() {
        let value = (vec!["话术".to_owned(); 3], 42u64, Some(7u32));
        let bytes = encode(&value).unwrap();
        assert_eq!(
            decode::<(Vec<String>, u64, Option<u32>)>(&bytes).unwrap(),
            value
        );
        // Cut anywhere, or one bit flipped anywhere: refused.
        for cut in 0..bytes.len() {
            assert!(
                decode::<(Vec<String>, u64, Option<u32>)>(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        for at in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x10;
            assert!(
                decode::<(Vec<String>, u64, Option<u32>)>(&flipped).is_err(),
                "flipped at {at}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode::<(Vec<String>, u64, Option<u32>)>(&longer).is_err());
    }
}
