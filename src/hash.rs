//! The hashes huashu keeps: FNV-1a where a name or a fingerprint must be
//! the same number from every build (cache folders, the instance socket,
//! a folder's fingerprint), SHA-256 where content is verified (published
//! files, a card's content), and hex to write them.

use std::fmt::Write as _;

use sha2::{Digest as _, Sha256};

/// FNV-1a's starting value.
pub const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `bytes`, continuing from `h`. Names on disk are made with it,
/// so it must not change.
pub fn fnv1a(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// FNV-1a of `bytes` as 16 hex digits (a name in a cache folder).
pub fn fnv1a_hex(bytes: &[u8]) -> String {
    format!("{:016x}", fnv1a(FNV_START, bytes))
}

/// A fast 64-bit hash of a file's text (eight bytes at a time), to tell
/// whether it changed since it was parsed (and, over a central folder's
/// files, whether its state changed); it runs over all content at
/// every load, where `SipHash` cost ~10 ms for 16 MB.
pub fn text_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let (words, rest) = bytes.as_chunks::<8>();
    let h = words
        .iter()
        .fold(FNV_START, |h, w| mix(h, u64::from_le_bytes(*w)));
    rest.iter().fold(h, |h, &b| mix(h, u64::from(b)))
}

/// FNV-1a as a `HashMap` hasher: for maps counting millions of short keys
/// that no one outside chooses (a network's search log), where `SipHash`
/// was a third of the time.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(FNV_START)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a(self.0, bytes);
    }
}

/// A `HashMap` with [`Fnv`].
pub type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The bytes `text` (hex digits) stands for; `None` when it is not hex.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        assert_eq!(
            from_hex(&to_hex(&[0, 1, 254, 255])),
            Some(vec![0, 1, 254, 255])
        );
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn names_do_not_change_between_builds() {
        assert_eq!(fnv1a_hex(b""), "cbf29ce484222325");
        assert_eq!(
            fnv1a_hex(b"huashu"),
            format!("{:016x}", fnv1a(FNV_START, b"huashu"))
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
