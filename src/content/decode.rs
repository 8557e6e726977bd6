//! Bytes of a content file → text, the way Windows Notepad may have saved it.
//!
//! UTF-8 with or without BOM is the normal case. UTF-16 (Notepad's "Unicode")
//! and GB18030/GBK (the ANSI code page of Chinese Windows) are decoded too and
//! reported as a warning. Line endings become `\n`, so positions match what
//! an editor shows.

use encoding_rs::{Encoding, GB18030};

#[derive(Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Set when the file was not UTF-8: the encoding's name.
    pub encoding: Option<&'static str>,
}

/// The file is not text in any encoding we accept.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the first invalid byte.
    pub offset: usize,
    /// 1-based line and character column of that byte, counting the valid
    /// UTF-8 before it.
    pub line: usize,
    pub col: usize,
    /// The byte is a NUL: a binary file (or UTF-16 without a BOM).
    pub nul: bool,
}

pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if encoding == encoding_rs::UTF_8 {
            return utf8(body).map(|text| Decoded {
                text,
                encoding: None,
            });
        }
        // UTF-16 LE/BE with BOM.
        let (text, had_errors) = encoding.decode_without_bom_handling(body);
        if had_errors {
            return Err(locate(bytes, bom_len + first_utf16_error(encoding, body)));
        }
        return Ok(Decoded {
            text: newlines_as_loaded(&text),
            encoding: Some(encoding.name()),
        });
    }
    // Text has no NUL bytes; binary files and BOM-less UTF-16 do.
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(locate(bytes, at));
    }
    match utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            encoding: None,
        }),
        Err(err) => {
            if looks_like_broken_utf8(bytes) {
                return Err(err);
            }
            let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                return Err(err);
            }
            Ok(Decoded {
                text: newlines_as_loaded(&text),
                encoding: Some(GB18030.name()),
            })
        }
    }
}

fn utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(newlines_as_loaded(text)),
        Err(e) => Err(locate(bytes, e.valid_up_to())),
    }
}

/// UTF-8 text with a few bad bytes (a truncated copy, a stray byte) has many
/// valid multi-byte sequences; GBK text almost never does.
fn looks_like_broken_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| c.len_utf8() > 1).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multibyte > invalid
}

fn first_utf16_error(encoding: &'static Encoding, body: &[u8]) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len() * 2);
    let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, extra) => {
            read.saturating_sub(usize::from(bad) + usize::from(extra))
        }
        _ => 0,
    }
}

/// Line and column of byte `offset`, counting what decodes before it.
fn locate(bytes: &[u8], offset: usize) -> DecodeError {
    let before = String::from_utf8_lossy(&bytes[..offset.min(bytes.len())]);
    let before = newlines_as_loaded(&before);
    let line = 1 + before.matches('\n').count();
    let col = 1 + before.rsplit('\n').next().map_or(0, |l| l.chars().count());
    DecodeError {
        offset,
        line,
        col,
        nul: bytes.get(offset) == Some(&0),
    }
}

/// `\r\n` and lone `\r` become `\n`: the text as loaded, whose line:col
/// every diagnostic and the card form use.
pub fn newlines_as_loaded(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        let d = decode("\u{feff}Card(\r\n  title: \"取号\",\r\n)".as_bytes()).unwrap();
        assert_eq!(d.text, "Card(\n  title: \"取号\",\n)");
        assert_eq!(d.encoding, None);
    }

    #[test]
    fn gbk_is_decoded_and_named() {
        let (bytes, _, _) = GB18030.encode("title: \"客户取号错误\",\r\n");
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "title: \"客户取号错误\",\n");
        assert_eq!(d.encoding, Some("gb18030"));
    }

    #[test]
    fn utf16le_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "标题\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "标题\n");
        assert_eq!(d.encoding, Some("UTF-16LE"));
    }

    #[test]
    fn broken_utf8_names_the_line() {
        let mut bytes = "第一行\n第二行 ".as_bytes().to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice("\n第三行".as_bytes());
        let e = decode(&bytes).unwrap_err();
        assert_eq!((e.line, e.col), (2, 5));
        assert_eq!(e.offset, "第一行\n第二行 ".len());
    }

    #[test]
    fn binary_garbage_is_rejected() {
        let bytes = [0x00, 0x80, 0xFF, 0xFE, 0x80, 0x81];
        // Starts with no BOM (0xFF 0xFE is not at the start).
        assert!(decode(&bytes).is_err());
    }
}
