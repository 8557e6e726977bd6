//! Normalising text for matching: full-width forms become half-width
//! (`ＡＴＭ` → `atm`, `（1）` → `(1)`), ASCII is lower-cased. One character
//! maps to one character, so character positions survive folding.

pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Folds what was typed: also traditional characters to simplified
/// (`取號` → `取号`; one character to one character).
pub fn fold_query(text: &str) -> String {
    fold(&fast2s::convert(text))
}

pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(&mut out, text);
    out
}

/// Appends the folded `text` to `out`; runs that need no folding are
/// copied as they are.
pub fn fold_into(out: &mut String, text: &str) {
    let mut copied = 0;
    for (at, c) in text.char_indices() {
        let folded = fold_char(c);
        if folded != c {
            out.push_str(&text[copied..at]);
            out.push(folded);
            copied = at + c.len_utf8();
        }
    }
    out.push_str(&text[copied..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_into_appends() {
        let mut out = String::from("前：");
        fold_into(&mut out, "取号ＶＩＰ窗口Ａ");
        assert_eq!(out, "前：取号vip窗口a");
    }

    #[test]
    fn queries_fold_traditional_characters() {
        assert_eq!(fold_query("取號 櫃員ＡＢ"), "取号 柜员ab");
        assert_eq!(fold_query("差评"), "差评");
    }

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(fold("ＡＴＭ（1）ＶＩＰ　取号"), "atm(1)vip 取号");
        assert_eq!(fold("Qhcw"), "qhcw");
    }
}
