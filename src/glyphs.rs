//! The characters the bundled font can draw, and the system fonts that
//! draw the rest.
//!
//! The bundled font (Noto Sans SC, subset to GB2312 and punctuation, see
//! `assets/fonts/README.md`) has 6,763 hanzi; names such as 喆 堃 昇 玥 垚
//! 赟 are outside it. `huashu check` names each such character with its
//! place; the window, when its content has any, adds a system CJK font as
//! a fallback: Microsoft `YaHei` or `SimSun` on Windows, Noto Sans CJK or
//! `WenQuanYi` on Linux. Without one they would show as boxes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Noto Sans SC, subset to GB2312 + punctuation.
pub const BUNDLED_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSansSC-Regular-subset.otf");

static COVERED: LazyLock<HashSet<u32>> = LazyLock::new(|| {
    let mut set = HashSet::new();
    if let Ok(face) = ttf_parser::Face::parse(BUNDLED_FONT, 0)
        && let Some(cmap) = face.tables().cmap
    {
        for table in cmap.subtables {
            if table.is_unicode() {
                table.codepoints(|cp| {
                    set.insert(cp);
                });
            }
        }
    }
    set
});

/// The bundled font has a glyph for `c`.
pub fn bundled_has(c: char) -> bool {
    COVERED.contains(&u32::from(c))
}

/// Chinese and full-width characters: shown as a box when no font has
/// them (Latin and symbols also have egui's own fonts).
pub fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x2_0000..=0x3_FFFF)
}

/// A Chinese character the bundled font cannot draw.
pub fn needs_system_font(c: char) -> bool {
    is_cjk(c) && !bundled_has(c)
}

/// The characters of `text` that need a system font, each once, in order.
pub fn missing_in<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<char> {
    let mut seen = HashSet::new();
    texts
        .into_iter()
        .flat_map(str::chars)
        .filter(|&c| needs_system_font(c) && seen.insert(c))
        .collect()
}

/// System fonts with the common Chinese characters, most wanted first.
pub fn system_cjk_fonts() -> &'static [&'static str] {
    if cfg!(windows) {
        &[
            r"C:\Windows\Fonts\msyh.ttc",
            r"C:\Windows\Fonts\msyh.ttf",
            r"C:\Windows\Fonts\simsun.ttc",
            r"C:\Windows\Fonts\simhei.ttf",
        ]
    } else {
        &[
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
        ]
    }
}

/// The first system CJK font of `candidates` that exists and is a font
/// with at least one of `wanted` (its path and bytes).
pub fn load_fallback(candidates: &[&str], wanted: &[char]) -> Option<(PathBuf, Vec<u8>)> {
    candidates.iter().map(Path::new).find_map(|path| {
        let bytes = std::fs::read(path).ok()?;
        let face = ttf_parser::Face::parse(&bytes, 0).ok()?;
        wanted
            .iter()
            .any(|&c| face.glyph_index(c).is_some())
            .then(|| (path.to_path_buf(), bytes))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_font_has_gb2312_and_punctuation_not_rare_names() {
        for c in "客户取号错误，。“”（）ATM证件喜".chars() {
            assert!(bundled_has(c), "{c}");
        }
        for c in "喆堃昇玥垚赟".chars() {
            assert!(needs_system_font(c), "{c}");
        }
        assert!(!needs_system_font('😀'), "not Chinese: egui's own fonts");
        assert_eq!(missing_in(["王喆先生", "喆堃"]), ['喆', '堃']);
    }
}
