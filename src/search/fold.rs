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

pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(&mut out, text);
    out
}

/// Appends the folded `text` to `out`.
pub fn fold_into(out: &mut String, text: &str) {
    out.extend(text.chars().map(fold_char));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_case() {
        assert_eq!(fold("ＡＴＭ（1）ＶＩＰ　取号"), "atm(1)vip 取号");
        assert_eq!(fold("Qhcw"), "qhcw");
    }
}
