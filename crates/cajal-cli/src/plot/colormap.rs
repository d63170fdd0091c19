//! The viridis colour map shared by heatmaps and coloured segments, and its colour bar.
//!
//! Viridis (van der Walt & Smith, matplotlib 1.5, 2015) is perceptually uniform and readable
//! in grey and by colour-blind readers. It is interpolated linearly between five of its
//! anchor colours and quantised to [`LEVELS`] levels: equal colours can then be merged into
//! few shapes (which keeps heatmap SVGs small), and every colour drawn is one shown on the
//! colour bar.

use super::geom::FillRect;
use super::scene::{Prim, Rgba};

/// Colour levels of the map.
pub(crate) const LEVELS: usize = 48;

/// Viridis at 0, 1/4, 1/2, 3/4 and 1.
const ANCHORS: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// Viridis at `t` in `0.0..=1.0` (clamped; NaN gives the low end), unquantised.
pub(crate) fn viridis(t: f64) -> (u8, u8, u8) {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let t = t * (ANCHORS.len() - 1) as f64;
    let i = (t.floor() as usize).min(ANCHORS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The colour of level `level` (0 = lowest value).
pub(crate) fn level_color(level: usize) -> Rgba {
    Rgba::opaque(viridis(level as f64 / (LEVELS - 1) as f64))
}

/// The value range shown: `explicit` when it is a valid interval, otherwise the finite
/// values' minimum and maximum. Constant data get a unit-wide range around their value, so
/// that a cell at rest or a flat map still has a colour (the middle of the map).
pub(crate) fn value_range(explicit: Option<(f64, f64)>, values: &[f64]) -> (f64, f64) {
    if let Some((lo, hi)) = explicit
        && lo.is_finite()
        && hi.is_finite()
        && hi > lo
    {
        return (lo, hi);
    }
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

/// The level of a finite `value` in `(lo, hi)` (values outside take the end levels).
pub(crate) fn level_of(value: f64, (lo, hi): (f64, f64)) -> usize {
    let t = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
    ((t * LEVELS as f64) as usize).min(LEVELS - 1)
}

/// The colour bar: one rectangle per level, lowest at the bottom, between `x0` and `x1`.
pub(crate) fn colour_bar(x0: i32, x1: i32, top: i32, bottom: i32) -> Vec<Prim> {
    let height = f64::from(bottom - top + 1);
    (0..LEVELS)
        .map(|level| {
            let y1 = bottom + 1 - (level as f64 / LEVELS as f64 * height).round() as i32;
            let y0 = bottom + 1 - ((level + 1) as f64 / LEVELS as f64 * height).round() as i32;
            Prim::Fills {
                rects: vec![FillRect { x0, y0, x1, y1 }],
                color: level_color(level),
            }
        })
        .collect()
}
