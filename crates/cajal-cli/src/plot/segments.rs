//! Coloured segments: straight lines in data coordinates, each coloured by its value on the
//! viridis map and drawn with its own width (a neuron's compartments coloured by potential).

use super::ColoredSegments;
use super::colormap::{self, level_color, level_of};
use super::geom::{self, AxisMap, PixelRect};
use super::scene::{Line, Prim, Rgba};

/// Segments without a finite value are drawn in this grey.
const NO_VALUE: Rgba = Rgba(190, 190, 190, 1.0);
/// Stroke width of segments without a usable width, pixels.
const DEFAULT_WIDTH: u32 = 2;
/// Widest stroke drawn, pixels.
const MAX_WIDTH: u32 = 64;

/// The value range of the colour map: the explicit one, or that of the segments' finite
/// values (padded when constant).
pub(crate) fn value_range(segments: &ColoredSegments) -> (f64, f64) {
    let n = segments.segments.len().min(segments.values.len());
    colormap::value_range(segments.value_range, &segments.values[..n])
}

/// The ends of the segments that can be drawn (both ends finite).
pub(crate) fn drawable_points(segments: &ColoredSegments) -> impl Iterator<Item = [f64; 2]> + '_ {
    segments
        .segments
        .iter()
        .filter(|s| s.iter().flatten().all(|v| v.is_finite()))
        .flatten()
        .copied()
}

/// The stroke width of segment `i` in whole pixels (SVG and the rasteriser take integers).
fn width_of(segments: &ColoredSegments, i: usize) -> u32 {
    match segments.widths_px.get(i) {
        Some(&w) if w.is_finite() => (w.round().max(1.0) as u32).min(MAX_WIDTH),
        _ => DEFAULT_WIDTH,
    }
}

/// The segments as one [`Prim::Lines`], clipped to `rect`, widest first (a stable order, so
/// equal widths keep their input order and the output stays deterministic).
pub(crate) fn segment_prims(
    segments: &ColoredSegments,
    xm: &AxisMap,
    ym: &AxisMap,
    rect: PixelRect,
) -> Vec<Prim> {
    let range = value_range(segments);
    let mut lines = Vec::with_capacity(segments.segments.len());
    for (i, [a, b]) in segments.segments.iter().enumerate() {
        let (Some(ax), Some(ay), Some(bx), Some(by)) =
            (xm.map(a[0]), ym.map(a[1]), xm.map(b[0]), ym.map(b[1]))
        else {
            continue;
        };
        let color = match segments.values.get(i) {
            Some(&v) if v.is_finite() => level_color(level_of(v, range)),
            _ => NO_VALUE,
        };
        let width = width_of(segments, i);
        for piece in geom::clip_polyline(&[(ax, ay), (bx, by)], rect) {
            let pts = geom::round_polyline(&piece);
            let (from, to) = (pts[0], *pts.last().unwrap_or(&pts[0]));
            lines.push(Line {
                from,
                to,
                color,
                width,
            });
        }
    }
    lines.sort_by_key(|line| std::cmp::Reverse(line.width));
    if lines.is_empty() {
        Vec::new()
    } else {
        vec![Prim::Lines(lines)]
    }
}
