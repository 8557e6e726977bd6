//! Looks: large text, three themes, highlight colours.

use egui::{Color32, FontFamily, FontId, Stroke, TextStyle, Visuals};

use crate::app::Theme;

/// The card title's font.
pub fn title_font() -> FontId {
    FontId::new(30.0, FontFamily::Proportional)
}

/// Sizes (points at zoom 1): body text at least 18 px, as asked for a
/// window read at arm's length.
fn text_styles() -> Vec<(TextStyle, FontId)> {
    vec![
        (
            TextStyle::Small,
            FontId::new(15.0, FontFamily::Proportional),
        ),
        (TextStyle::Body, FontId::new(20.0, FontFamily::Proportional)),
        (
            TextStyle::Button,
            FontId::new(18.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Heading,
            FontId::new(24.0, FontFamily::Proportional),
        ),
        (
            TextStyle::Monospace,
            FontId::new(18.0, FontFamily::Monospace),
        ),
    ]
}

/// Applies sizes, spacing and the colours of `theme`.
pub fn apply(ctx: &egui::Context, theme: Theme) {
    let visuals = match theme {
        Theme::Light => {
            let mut v = Visuals::light();
            // Darker than egui's default grey: read from a distance.
            v.override_text_color = Some(Color32::from_gray(25));
            v.weak_text_color = Some(Color32::from_gray(95));
            v
        }
        Theme::Dark => {
            let mut v = Visuals::dark();
            v.override_text_color = Some(Color32::from_gray(225));
            v.weak_text_color = Some(Color32::from_gray(160));
            v
        }
        Theme::HighContrast => high_contrast(),
    };
    let mut visuals = visuals;
    // A blinking cursor repaints twice a second all day: idle must be free.
    visuals.text_cursor.blink = false;
    let egui_theme = if visuals.dark_mode {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    };
    ctx.set_theme(egui_theme);
    ctx.set_visuals_of(egui_theme, visuals);
    ctx.all_styles_mut(|style| {
        style.text_styles = text_styles().into_iter().collect();
        style.spacing.item_spacing = egui::vec2(10.0, 10.0);
        style.spacing.button_padding = egui::vec2(10.0, 5.0);
        style.spacing.interact_size.y = 32.0;
    });
}

/// White on black would glare at a bright counter; black on white with
/// strong strokes and a yellow selection reads best in daylight.
fn high_contrast() -> Visuals {
    let mut v = Visuals::light();
    v.override_text_color = Some(Color32::BLACK);
    v.weak_text_color = Some(Color32::from_gray(40));
    v.panel_fill = Color32::WHITE;
    v.window_fill = Color32::WHITE;
    v.extreme_bg_color = Color32::WHITE;
    v.faint_bg_color = Color32::from_gray(235);
    v.hyperlink_color = Color32::from_rgb(0, 0, 170);
    v.selection.bg_fill = Color32::from_rgb(255, 214, 0);
    v.selection.stroke = Stroke::new(2.0, Color32::BLACK);
    for w in [
        &mut v.widgets.inactive,
        &mut v.widgets.hovered,
        &mut v.widgets.active,
        &mut v.widgets.open,
    ] {
        w.bg_stroke = Stroke::new(2.0, Color32::BLACK);
        w.fg_stroke = Stroke::new(2.0, Color32::BLACK);
    }
    v.widgets.noninteractive.bg_stroke = Stroke::new(1.5, Color32::BLACK);
    v.widgets.noninteractive.fg_stroke = Stroke::new(1.5, Color32::BLACK);
    v.widgets.inactive.weak_bg_fill = Color32::from_gray(240);
    v.widgets.hovered.weak_bg_fill = Color32::from_rgb(255, 235, 120);
    v
}

/// Background of matched characters.
pub fn highlight(visuals: &Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(120, 90, 0)
    } else {
        Color32::from_rgb(255, 222, 110)
    }
}

/// Fill of a speech-script box, and its accent stroke.
pub fn script_box(visuals: &Visuals) -> (Color32, Color32) {
    if visuals.dark_mode {
        (
            Color32::from_rgb(30, 45, 60),
            Color32::from_rgb(90, 160, 230),
        )
    } else if visuals.override_text_color == Some(Color32::BLACK) {
        (Color32::WHITE, Color32::BLACK)
    } else {
        (
            Color32::from_rgb(236, 244, 252),
            Color32::from_rgb(40, 110, 190),
        )
    }
}

/// The offline banner: calm (a soft blue-grey strip), readable in every
/// theme. Fill and text.
pub fn banner_colours(visuals: &Visuals) -> (Color32, Color32) {
    if visuals.dark_mode {
        (Color32::from_rgb(35, 45, 60), Color32::from_gray(205))
    } else if visuals.override_text_color == Some(Color32::BLACK) {
        (Color32::from_gray(225), Color32::BLACK)
    } else {
        (Color32::from_rgb(228, 236, 246), Color32::from_gray(55))
    }
}

/// The draft badge: hard to miss in every theme.
pub fn draft_colours() -> (Color32, Color32) {
    (Color32::from_rgb(200, 60, 20), Color32::WHITE)
}

pub fn reviewed_colours() -> (Color32, Color32) {
    (Color32::from_rgb(30, 120, 60), Color32::WHITE)
}
