//! The bundled CJK font, always installed so Chinese renders on any machine.

use egui::FontFamily;
use egui::epaint::text::{FontData, FontInsert, FontPriority, InsertFontFamily};

/// Noto Sans SC, subset to GB2312 + punctuation (see `assets/fonts/README.md`).
pub const CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.otf");
const CJK_FONT_NAME: &str = "NotoSansSC-subset";

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
