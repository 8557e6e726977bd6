//! Shared by the integration tests (`mod support;`).

/// Text with Windows path separators written as `/`, so one snapshot
/// serves Linux and Windows: a backslash between two characters of a path
/// (letters, digits, `_ . - < >`), not one in an escape such as `\r`.
pub fn forward_slashes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let in_path =
        |c: Option<&char>| c.is_some_and(|&c| c.is_ascii_alphanumeric() || "_.-<>".contains(c));
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let between = i > 0 && in_path(chars.get(i - 1)) && in_path(chars.get(i + 1));
        // `\r` in a message is an escape, not a path: it follows a backquote.
        out.push(if c == '\\' && between { '/' } else { c });
    }
    out
}
