//! Heatmaps: a grid of values drawn in colour behind a panel's series, with a colour bar.
//!
//! The colour map is viridis (van der Walt & Smith, matplotlib 1.5, 2015), perceptually
//! uniform and readable in grey and by colour-blind readers, interpolated linearly between
//! five of its anchor colours and quantised to [`LEVELS`] levels, so that equal colours can be
//! merged into few rectangles and the SVG stays small.

use std::collections::HashMap;

use super::Heatmap;
use super::geom::{FillRect, PixelRect};
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

/// The colour of level `level` (0 = lowest value).
pub(crate) fn level_color(level: usize) -> Rgba {
    let t = level as f64 / (LEVELS - 1) as f64 * (ANCHORS.len() - 1) as f64;
    let i = (t.floor() as usize).min(ANCHORS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + f * (f64::from(b) - f64::from(a))).round() as u8;
    let (a, b) = (ANCHORS[i], ANCHORS[i + 1]);
    Rgba(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2), 1.0)
}

/// The value range shown: the heatmap's own, or the finite values' minimum and maximum (a
/// constant map gets a unit-wide range so that it still has a colour).
pub(crate) fn value_range(map: &Heatmap) -> (f64, f64) {
    if let Some((lo, hi)) = map.value_range
        && lo.is_finite()
        && hi.is_finite()
        && hi > lo
    {
        return (lo, hi);
    }
    let (lo, hi) = map
        .values
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

fn level_of(value: f64, (lo, hi): (f64, f64)) -> usize {
    let t = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
    ((t * LEVELS as f64) as usize).min(LEVELS - 1)
}

/// The cells of `map` inside `rect`, the panel's data window being `x` × `y` (data units):
/// every pixel takes the value of the cell under its centre (non-finite values stay blank),
/// and runs of a colour are merged along rows and then down identical rows.
pub(crate) fn heatmap_prims(
    map: &Heatmap,
    rect: PixelRect,
    x: (f64, f64),
    y: (f64, f64),
) -> Vec<Prim> {
    if map.columns == 0 || map.rows == 0 || map.values.len() < map.columns * map.rows {
        return Vec::new();
    }
    let range = value_range(map);
    let (width, height) = (
        f64::from(rect.width().max(1)),
        f64::from(rect.height().max(1)),
    );
    let cell = |value: f64, lo: f64, hi: f64, count: usize| {
        let t = (value - lo) / (hi - lo);
        (t.is_finite() && (0.0..1.0).contains(&t))
            .then(|| ((t * count as f64) as usize).min(count - 1))
    };
    let columns: Vec<Option<usize>> = (rect.left..=rect.right)
        .map(|px| {
            let value = x.0 + (f64::from(px - rect.left) + 0.5) / width * (x.1 - x.0);
            cell(value, map.x_range.0, map.x_range.1, map.columns)
        })
        .collect();
    let mut by_level: Vec<Vec<FillRect>> = vec![Vec::new(); LEVELS];
    let mut open: HashMap<(i32, i32, usize), usize> = HashMap::new();
    for py in rect.top..=rect.bottom {
        let value = y.1 - (f64::from(py - rect.top) + 0.5) / height * (y.1 - y.0);
        let row = cell(value, map.y_range.0, map.y_range.1, map.rows);
        let mut next_open = HashMap::new();
        let mut px = rect.left;
        let mut runs = Vec::new();
        while px <= rect.right {
            let level = row.and_then(|row| {
                let column = columns[(px - rect.left) as usize]?;
                let v = map.values[row * map.columns + column];
                v.is_finite().then(|| level_of(v, range))
            });
            let start = px;
            px += 1;
            while px <= rect.right {
                let same = row.and_then(|row| {
                    let column = columns[(px - rect.left) as usize]?;
                    let v = map.values[row * map.columns + column];
                    v.is_finite().then(|| level_of(v, range))
                });
                if same != level {
                    break;
                }
                px += 1;
            }
            if let Some(level) = level {
                runs.push((start, px, level));
            }
        }
        for (x0, x1, level) in runs {
            match open.get(&(x0, x1, level)) {
                Some(&index) => {
                    by_level[level][index].y1 = py + 1;
                    next_open.insert((x0, x1, level), index);
                }
                None => {
                    by_level[level].push(FillRect {
                        x0,
                        y0: py,
                        x1,
                        y1: py + 1,
                    });
                    next_open.insert((x0, x1, level), by_level[level].len() - 1);
                }
            }
        }
        open = next_open;
    }
    by_level
        .into_iter()
        .enumerate()
        .filter(|(_, rects)| !rects.is_empty())
        .map(|(level, rects)| Prim::Fills {
            rects,
            color: level_color(level),
        })
        .collect()
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
