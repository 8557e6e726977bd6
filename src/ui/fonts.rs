//! The bundled CJK font, always installed so Chinese renders on any machine.

use egui::FontFamily;
use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};

/// Noto Sans SC, subset to GB2312 + punctuation (see `assets/fonts/README.md`).
pub const CJK_FONT: &[u8] = crate::glyphs::BUNDLED_FONT;
const CJK_FONT_NAME: &str = "NotoSansSC-subset";
const FALLBACK_NAME: &str = "system-cjk";

/// Makes the bundled font the first choice for proportional text (its Latin
/// is clearer at a distance than egui's default) and a fallback for monospace.
pub fn install(ctx: &egui::Context) {
    ctx.add_font(FontInsert::new(
        CJK_FONT_NAME,
        FontData::from_static(CJK_FONT),
        vec![
            InsertFontFamily {
                family: FontFamily::Proportional,
                priority: FontPriority::Highest,
            },
            InsertFontFamily {
                family: FontFamily::Monospace,
                priority: FontPriority::Lowest,
            },
        ],
    ));
}

/// Adds a system CJK font (see `glyphs`) after the bundled one, for the
/// characters it lacks.
pub fn install_fallback(ctx: &egui::Context, font: Vec<u8>) {
    ctx.add_font(FontInsert::new(
        FALLBACK_NAME,
        FontData::from_owned(font),
        vec![
            InsertFontFamily {
                family: FontFamily::Proportional,
                priority: FontPriority::Lowest,
            },
            InsertFontFamily {
                family: FontFamily::Monospace,
                priority: FontPriority::Lowest,
            },
        ],
    ));
}
