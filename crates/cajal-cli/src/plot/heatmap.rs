//! Heatmaps: a grid of values drawn in colour behind a panel's series, with a colour bar.
//!
//! The colours come from the shared viridis map ([`super::colormap`]), quantised so that equal
//! colours can be merged into few rectangles and the SVG stays small.

use std::collections::HashMap;

use super::Heatmap;
use super::colormap::{self, LEVELS, level_color, level_of};
use super::geom::{FillRect, PixelRect};
use super::scene::Prim;

/// The value range shown: the heatmap's own, or the range of its finite values.
pub(crate) fn value_range(map: &Heatmap) -> (f64, f64) {
    colormap::value_range(map.value_range, &map.values)
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
