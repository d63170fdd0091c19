//! A backend-independent list of pixel-space drawing primitives, and its emission onto a
//! plotters drawing backend (SVG or bitmap).
//!
//! The figure is laid out once into a [`Scene`]; the same scene is then emitted to both
//! outputs, so the SVG and the PNG always show the same thing.

use plotters::backend::DrawingBackend;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform, RGBAColor, ShapeStyle};

use super::geom::FillRect;
use super::metrics;

/// An RGB colour with an opacity in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgba(pub u8, pub u8, pub u8, pub f64);

impl Rgba {
    /// An opaque colour.
    pub const fn opaque((r, g, b): (u8, u8, u8)) -> Self {
        Self(r, g, b, 1.0)
    }

    fn plotters(self) -> RGBAColor {
        RGBAColor(self.0, self.1, self.2, self.3)
    }
}

/// Line/fill style handed to the backend.
fn stroke(color: Rgba, width: u32) -> ShapeStyle {
    ShapeStyle {
        color: color.plotters(),
        filled: false,
        stroke_width: width,
    }
}

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Left,
    Center,
    Right,
}

/// A text label. `(x, y)` is the anchor point on the left/centre/right of the *top of the
/// capital letters*; for vertical text (rotated 90° counter-clockwise) the same point is
/// on the left side of the glyphs, and the anchor refers to the (vertical) text direction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Label {
    pub text: String,
    pub x: i32,
    pub y: i32,
    pub size: f64,
    pub anchor: Anchor,
    pub vertical: bool,
    pub color: Rgba,
}

/// A straight line of its own colour and width (see [`Prim::Lines`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Line {
    pub from: (i32, i32),
    pub to: (i32, i32),
    pub color: Rgba,
    pub width: u32,
}

/// One drawing primitive in figure pixel coordinates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prim {
    /// A polyline of `width` pixels.
    Polyline {
        pts: Vec<(i32, i32)>,
        color: Rgba,
        width: u32,
    },
    /// Filled rectangles (exclusive right/bottom edges).
    Fills { rects: Vec<FillRect>, color: Rgba },
    /// Filled circles.
    Circles {
        centres: Vec<(i32, i32)>,
        radius: u32,
        color: Rgba,
    },
    /// Independent straight lines, each with its own colour and width, drawn in order: one
    /// SVG `<line>` each, so thousands of them stay compact. A line whose ends coincide is
    /// drawn as a dot of its width.
    Lines(Vec<Line>),
    /// Text.
    Text(Label),
}

/// A laid-out figure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub prims: Vec<Prim>,
}

/// Which kind of output a scene is emitted to (text placement and thick lines differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Svg,
    Bitmap,
}

/// The font used for every piece of text (registered once as "sans-serif").
pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, size, FontStyle::Normal)
}

/// Offset (in pixels, along the glyphs' downward direction) from a plotters "top" anchor
/// to the top of the capital letters, per backend: the ab_glyph rasteriser places glyphs
/// a little higher than SVG renderers do with `dy="0.76em"`.
fn cap_top_shift(size: f64, target: Target) -> i32 {
    match target {
        Target::Svg => -(0.027 * size).round() as i32,
        Target::Bitmap => (0.126 * size).round() as i32,
    }
}

/// Draws the scene onto a backend (white background first) and presents it (which writes
/// the file for file-backed backends).
pub(crate) fn emit<DB: DrawingBackend>(
    db: &mut DB,
    scene: &Scene,
    target: Target,
) -> Result<(), String> {
    // plotters does not re-export the backend error type; report it as text
    fn ck<E: std::fmt::Display>(r: Result<(), E>) -> Result<(), String> {
        r.map_err(|e| e.to_string())
    }
    ck(db.ensure_prepared())?;
    let white = stroke(Rgba::opaque((255, 255, 255)), 1);
    ck(db.draw_rect(
        (0, 0),
        (scene.width as i32, scene.height as i32),
        &white,
        true,
    ))?;
    for prim in &scene.prims {
        match prim {
            Prim::Polyline { pts, color, width } => {
                if pts.len() < 2 {
                    continue;
                }
                let width = (*width).max(1);
                match target {
                    Target::Svg => {
                        let style = stroke(*color, width);
                        ck(db.draw_path(pts.iter().copied(), &style))?;
                    }
                    Target::Bitmap => {
                        // The rasteriser's wide-line polygons break on sharp turns; a few
                        // offset 1-px copies give a robust thick line instead.
                        let style = stroke(*color, 1);
                        let w = width as i32;
                        let offsets = (0..w).map(|d| (d, 0)).chain((1..w).map(|d| (0, d)));
                        for (dx, dy) in offsets {
                            ck(db.draw_path(pts.iter().map(|&(x, y)| (x + dx, y + dy)), &style))?;
                        }
                    }
                }
            }
            Prim::Fills { rects, color } => {
                let style = stroke(*color, 1);
                for r in rects {
                    if r.x1 > r.x0 && r.y1 > r.y0 {
                        ck(db.draw_rect((r.x0, r.y0), (r.x1, r.y1), &style, true))?;
                    }
                }
            }
            Prim::Circles {
                centres,
                radius,
                color,
            } => {
                let style = stroke(*color, 1);
                for &c in centres {
                    ck(db.draw_circle(c, *radius, &style, true))?;
                }
            }
            Prim::Lines(lines) => {
                for line in lines {
                    let width = line.width.max(1);
                    if line.from == line.to {
                        // Both backends draw nothing for a zero-length line.
                        let fill = stroke(line.color, 1);
                        ck(db.draw_circle(line.from, (width / 2).max(1), &fill, true))?;
                    } else {
                        let style = stroke(line.color, width);
                        // Unlike a polyline, one straight segment has no turns, so the
                        // bitmap rasteriser's wide-line polygon is exact here.
                        ck(db.draw_line(line.from, line.to, &style))?;
                    }
                }
            }
            Prim::Text(label) => {
                if label.text.is_empty() {
                    continue;
                }
                let shift = cap_top_shift(label.size, target);
                let rgba = label.color.plotters();
                let metrics = metrics::embedded();
                if let (Target::Bitmap, Some(m)) = (target, metrics) {
                    // Place every glyph at its exact pen position (see `metrics`).
                    let (glyphs, width) = m.layout(&label.text, label.size);
                    let start = match label.anchor {
                        Anchor::Left => 0.0,
                        Anchor::Center => -width / 2.0,
                        Anchor::Right => -width,
                    };
                    let mut desc = font(label.size);
                    if label.vertical {
                        desc = desc.transform(FontTransform::Rotate270);
                    }
                    let style = desc.color(&rgba).pos(Pos::new(HPos::Left, VPos::Top));
                    let mut utf8 = [0u8; 4];
                    for (c, offset) in glyphs {
                        let along = (start + offset).round() as i32;
                        let pos = if label.vertical {
                            (label.x + shift, label.y - along)
                        } else {
                            (label.x + along, label.y + shift)
                        };
                        ck(db.draw_text(c.encode_utf8(&mut utf8), &style, pos))?;
                    }
                    continue;
                }
                // SVG: the viewer lays the text out; size it so that its em matches the
                // bitmap text (plotters writes `font-size` as size / 1.24).
                let size = match (target, metrics) {
                    // (rounded to 0.1 px so that the SVG attribute stays short)
                    (Target::Svg, Some(m)) => 1.24 * (m.em(label.size) * 10.0).round() / 10.0,
                    _ => label.size,
                };
                let mut desc = font(size);
                if label.vertical {
                    desc = desc.transform(FontTransform::Rotate270);
                }
                let hpos = match label.anchor {
                    Anchor::Left => HPos::Left,
                    Anchor::Center => HPos::Center,
                    Anchor::Right => HPos::Right,
                };
                let style = desc.color(&rgba).pos(Pos::new(hpos, VPos::Top));
                let pos = if label.vertical {
                    (label.x + shift, label.y)
                } else {
                    (label.x, label.y + shift)
                };
                ck(db.draw_text(&label.text, &style, pos))?;
            }
        }
    }
    ck(db.present())
}
