//! Lays a [`Figure`] out into a pixel-space [`Scene`]: panel geometry, axes, ticks, grid,
//! series, annotations, legend and titles.

use super::colormap;
use super::geom::{self, AxisMap, FillRect, PixelRect};
use super::heatmap;
use super::metrics;
use super::scene::{Anchor, Label, Prim, Rgba, Scene, font};
use super::segments;
use super::ticks::{self, Tick};
use super::{Figure, Panel, Series, SeriesStyle};

const MIN_WIDTH: u32 = 240;
const MIN_PANEL_HEIGHT: u32 = 140;
const MAX_DIMENSION: u32 = 32_768;
/// Largest canvas rasterised (about 120 MB of RGB pixels).
const MAX_PIXELS: u64 = 40_000_000;

const FS_TITLE: f64 = 22.0;
const FS_PANEL_TITLE: f64 = 18.0;
const FS_AXIS: f64 = 17.0;
const FS_TICK: f64 = 15.0;
const FS_LEGEND: f64 = 15.0;
const FS_ANNOTATION: f64 = 14.0;
/// Height of capital letters and digits relative to the font size (DejaVu Sans).
const CAP_HEIGHT: f64 = 0.61;

const TEXT: Rgba = Rgba(33, 33, 33, 1.0);
const AXIS: Rgba = Rgba(80, 80, 80, 1.0);
const GRID: Rgba = Rgba(230, 230, 230, 1.0);
const MARKER_LINE: Rgba = Rgba(125, 125, 125, 1.0);
const LEGEND_BG: Rgba = Rgba(255, 255, 255, 0.88);
const LEGEND_BORDER: Rgba = Rgba(200, 200, 200, 1.0);

const TICK_LEN: i32 = 5;
const MINOR_TICK_LEN: i32 = 3;
/// Lines with more samples than this many per pixel column are min/max decimated.
const DECIMATE_PER_COLUMN: usize = 4;
/// Tick series up to this size are drawn 2 px wide (spike markers); larger ones 1 px (rasters).
const WIDE_TICKS_MAX: usize = 2000;
/// Marker sizes (diameter, tick height) are limited to this many pixels.
const MAX_MARKER: u32 = 200;
const DASH_ON: f64 = 9.0;
const DASH_OFF: f64 = 6.0;
const HISTOGRAM_ALPHA: f64 = 0.35;

/// Text width in pixels as rendered with the embedded font.
fn text_width(text: &str, size: f64) -> Result<i32, String> {
    if text.is_empty() {
        return Ok(0);
    }
    if let Some(m) = metrics::embedded() {
        return Ok(m.layout(text, size).1.ceil() as i32);
    }
    font(size)
        .box_size(text)
        .map(|(w, _)| w as i32)
        .map_err(|e| format!("text layout failed: {e:?}"))
}

fn label(text: &str, x: i32, y: i32, size: f64, anchor: Anchor) -> Prim {
    Prim::Text(Label {
        text: text.to_string(),
        x,
        y,
        size,
        anchor,
        vertical: false,
        color: TEXT,
    })
}

fn polyline(pts: Vec<(i32, i32)>, color: Rgba, width: u32) -> Prim {
    Prim::Polyline { pts, color, width }
}

/// Lays out the whole figure.
pub(crate) fn build_scene(figure: &Figure) -> Result<Scene, String> {
    let width = figure.width.clamp(MIN_WIDTH, MAX_DIMENSION);
    let panel_h = figure
        .height_per_panel
        .clamp(MIN_PANEL_HEIGHT, MAX_DIMENSION);
    let title = figure.title.trim();
    let title_h: u32 = if title.is_empty() { 6 } else { 44 };
    let n = figure.panels.len() as u64;
    let height64 = if n == 0 {
        u64::from(title_h) + 40
    } else {
        u64::from(title_h) + n * u64::from(panel_h)
    };
    if height64 > u64::from(MAX_DIMENSION) || u64::from(width) * height64 > MAX_PIXELS {
        return Err(format!(
            "figure of {width} x {height64} pixels is too large (at most {MAX_PIXELS} pixels, \
             {MAX_DIMENSION} per side)"
        ));
    }
    let height = height64 as u32;
    let mut prims = Vec::new();
    if !title.is_empty() {
        prims.push(label(title, width as i32 / 2, 12, FS_TITLE, Anchor::Center));
    }
    for (i, panel) in figure.panels.iter().enumerate() {
        let top = title_h as i32 + i as i32 * panel_h as i32;
        layout_panel(panel, top, width as i32, panel_h as i32, &mut prims)?;
    }
    Ok(Scene {
        width,
        height,
        prims,
    })
}

/// A colour-bar label: four significant digits, no trailing zeros.
fn short_number(value: f64) -> String {
    if value == 0.0 || (1e-3..1e5).contains(&value.abs()) {
        let decimals = if value == 0.0 {
            0
        } else {
            (3 - value.abs().log10().floor() as i32).clamp(0, 6) as usize
        };
        let text = format!("{value:.decimals$}");
        if !text.contains('.') {
            return text;
        }
        let text = text.trim_end_matches('0').trim_end_matches('.');
        if text == "-0" {
            "0".into()
        } else {
            text.to_string()
        }
    } else {
        format!("{value:.3e}")
    }
}

/// Grows an optional `(min, max)` interval to include `v`.
fn include(b: &mut Option<(f64, f64)>, v: f64) {
    *b = Some(match *b {
        Some((lo, hi)) => (lo.min(v), hi.max(v)),
        None => (v, v),
    });
}

/// Data bounds of the showable values of a panel.
fn data_bounds(panel: &Panel) -> [Option<(f64, f64)>; 2] {
    let log = panel.log_y;
    let ok_y = |v: f64| v.is_finite() && (!log || v > 0.0);
    let (mut xb, mut yb) = (None, None);
    if let Some(map) = &panel.heatmap {
        for v in [map.x_range.0, map.x_range.1] {
            include(&mut xb, v);
        }
        for v in [map.y_range.0, map.y_range.1] {
            include(&mut yb, v);
        }
    }
    if let Some(segments) = &panel.segments {
        for [xv, yv] in segments::drawable_points(segments) {
            if ok_y(yv) {
                include(&mut xb, xv);
                include(&mut yb, yv);
            }
        }
    }
    for s in &panel.series {
        if s.style == SeriesStyle::Steps {
            let nb = s.y.len().min(s.x.len().saturating_sub(1));
            for i in 0..nb {
                let (a, b, h) = (s.x[i], s.x[i + 1], s.y[i]);
                if a.is_finite() && b.is_finite() && ok_y(h) {
                    include(&mut xb, a);
                    include(&mut xb, b);
                    include(&mut yb, h);
                    if !log {
                        include(&mut yb, 0.0);
                    }
                }
            }
        } else {
            for (&xv, &yv) in s.x.iter().zip(&s.y) {
                if xv.is_finite() && ok_y(yv) {
                    include(&mut xb, xv);
                    include(&mut yb, yv);
                }
            }
        }
    }
    [xb, yb]
}

fn axis_ticks(lo: f64, hi: f64, log: bool, target: usize) -> Vec<Tick> {
    if log {
        ticks::log_ticks(lo, hi, target)
    } else {
        ticks::linear_ticks(lo, hi, target)
    }
}

/// Ink left by series primitives inside a box, used to pick the emptiest legend corner.
fn ink_in(prims: &[Prim], b: FillRect) -> f64 {
    let bounds = PixelRect {
        left: b.x0,
        top: b.y0,
        right: b.x1 - 1,
        bottom: b.y1 - 1,
    };
    let mut ink = 0.0;
    for prim in prims {
        match prim {
            Prim::Polyline { pts, .. } => {
                for w in pts.windows(2) {
                    let seg = [
                        (f64::from(w[0].0), f64::from(w[0].1)),
                        (f64::from(w[1].0), f64::from(w[1].1)),
                    ];
                    if !geom::clip_polyline(&seg, bounds).is_empty() {
                        ink += 1.0;
                    }
                }
            }
            Prim::Fills { rects, color } => {
                for r in rects {
                    let ox = (r.x1.min(b.x1) - r.x0.max(b.x0)).max(0);
                    let oy = (r.y1.min(b.y1) - r.y0.max(b.y0)).max(0);
                    ink += f64::from(ox * oy) * color.3 / 20.0;
                }
            }
            Prim::Circles { centres, .. } => {
                ink += centres
                    .iter()
                    .filter(|&&(x, y)| bounds.contains(x, y))
                    .count() as f64;
            }
            Prim::Lines(lines) => {
                for line in lines {
                    let seg = [
                        (f64::from(line.from.0), f64::from(line.from.1)),
                        (f64::from(line.to.0), f64::from(line.to.1)),
                    ];
                    if !geom::clip_polyline(&seg, bounds).is_empty() {
                        ink += f64::from(line.width);
                    }
                }
            }
            Prim::Text(_) => {}
        }
    }
    ink
}

/// The value range and label of the panel's colour bar, if it has one: the heatmap's, else
/// the coloured segments'.
fn colour_scale(panel: &Panel) -> Option<((f64, f64), &str)> {
    if let Some(map) = &panel.heatmap {
        Some((heatmap::value_range(map), map.value_label.trim()))
    } else {
        panel
            .segments
            .as_ref()
            .map(|s| (segments::value_range(s), s.value_label.trim()))
    }
}

/// Width of the colour bar with its labels, pixels (0 without a colour scale).
fn colour_bar_room(scale: Option<((f64, f64), &str)>) -> Result<i32, String> {
    let Some(((lo, hi), _)) = scale else {
        return Ok(0);
    };
    let widest =
        text_width(&short_number(lo), FS_TICK)?.max(text_width(&short_number(hi), FS_TICK)?);
    Ok(36 + widest + (FS_AXIS * 1.4) as i32)
}

/// The colour bar right of `rect`, its extreme values and its label (written vertically at
/// the right edge of a figure `width` pixels wide).
fn colour_bar_prims((lo, hi): (f64, f64), text: &str, rect: PixelRect, width: i32) -> Vec<Prim> {
    let (x0, x1) = (rect.right + 14, rect.right + 30);
    let mut prims = colormap::colour_bar(x0, x1, rect.top, rect.bottom);
    let cap_height = (FS_TICK * CAP_HEIGHT).round() as i32;
    prims.push(label(
        &short_number(hi),
        x1 + 4,
        rect.top,
        FS_TICK,
        Anchor::Left,
    ));
    prims.push(label(
        &short_number(lo),
        x1 + 4,
        rect.bottom - cap_height,
        FS_TICK,
        Anchor::Left,
    ));
    prims.push(Prim::Text(Label {
        text: text.to_string(),
        x: width - 10 - (FS_AXIS * 1.1) as i32,
        y: (rect.top + rect.bottom) / 2,
        size: FS_AXIS,
        anchor: Anchor::Center,
        vertical: true,
        color: TEXT,
    }));
    prims
}

/// Widens one of the two data intervals so that a data unit spans as many pixels on x (over
/// `x_pixels`) as on y (over `y_pixels`), keeping both centred.
fn equalise(
    (xlo, xhi): (f64, f64),
    (ylo, yhi): (f64, f64),
    x_pixels: f64,
    y_pixels: f64,
) -> ((f64, f64), (f64, f64)) {
    let per_pixel = ((xhi - xlo) / x_pixels).max((yhi - ylo) / y_pixels);
    let widen = |lo: f64, hi: f64, pixels: f64| {
        let (mid, half) = (0.5 * lo + 0.5 * hi, 0.5 * per_pixel * pixels);
        let wide = (mid - half, mid + half);
        // (a range already wide enough, or arithmetic that went astray, is kept as is)
        if wide.0.is_finite() && wide.1.is_finite() && wide.1 - wide.0 > hi - lo {
            wide
        } else {
            (lo, hi)
        }
    };
    (widen(xlo, xhi, x_pixels), widen(ylo, yhi, y_pixels))
}

/// Lays out one panel whose top edge is at `top`.
fn layout_panel(
    panel: &Panel,
    top: i32,
    width: i32,
    panel_h: i32,
    prims: &mut Vec<Prim>,
) -> Result<(), String> {
    let log = panel.log_y;
    let title = panel.title.as_deref().map(str::trim).unwrap_or("");
    let plot_top = top + if title.is_empty() { 14 } else { 38 };
    let plot_bottom = top + panel_h - 62;
    let ph = plot_bottom - plot_top + 1;

    // ranges
    let [xb, yb] = data_bounds(panel);
    let (mut xlo, mut xhi) = ticks::resolve_range(panel.x_range, xb, false, 0.02);
    let (mut ylo, mut yhi) = ticks::resolve_range(panel.y_range, yb, log, 0.05);

    // y ticks decide the left margin
    let y_label_left = 10;
    let y_ticks_and_left = |ylo: f64, yhi: f64| -> Result<(Vec<Tick>, i32), String> {
        let y_ticks = axis_ticks(ylo, yhi, log, (ph / 55).max(2) as usize);
        let mut max_label_w = 0;
        for t in &y_ticks {
            if let Some(l) = &t.label {
                max_label_w = max_label_w.max(text_width(l, FS_TICK)?);
            }
        }
        let left = y_label_left + (FS_AXIS * 1.1) as i32 + 10 + max_label_w + TICK_LEN + 5;
        Ok((y_ticks, left))
    };
    let (mut y_ticks, mut left) = y_ticks_and_left(ylo, yhi)?;
    let scale = colour_scale(panel);
    let right = width - 26 - colour_bar_room(scale)?;
    if panel.equal_aspect && !log {
        // Widening the y range changes the y tick labels and so the left margin and the
        // plot width; a few rounds settle it (labels rarely change width twice).
        let fitted = ((xlo, xhi), (ylo, yhi));
        for _ in 0..4 {
            let pixels_x = f64::from(right.max(left + 20) - left);
            let ((x0, x1), (y0, y1)) = equalise(fitted.0, fitted.1, pixels_x, f64::from(ph - 1));
            (xlo, xhi, ylo, yhi) = (x0, x1, y0, y1);
            let (t, l) = y_ticks_and_left(ylo, yhi)?;
            y_ticks = t;
            let settled = l == left;
            left = l;
            if settled {
                break;
            }
        }
    }
    let rect = PixelRect {
        left,
        top: plot_top,
        right: right.max(left + 20),
        bottom: plot_bottom,
    };
    let pw = rect.width();

    // x ticks: fewer when the labels would collide
    let mut target = (pw / 100).max(2) as usize;
    let x_ticks = loop {
        let mut t = axis_ticks(xlo, xhi, false, target);
        let labelled: Vec<f64> = t
            .iter()
            .filter(|t| t.label.is_some())
            .map(|t| t.value)
            .collect();
        let mut widest = 0;
        for l in t.iter().filter_map(|t| t.label.as_deref()) {
            widest = widest.max(text_width(l, FS_TICK)?);
        }
        let spacing = if labelled.len() > 1 {
            f64::from(pw) * (labelled[1] - labelled[0]) / (xhi - xlo)
        } else {
            f64::INFINITY
        };
        let needed = f64::from(widest + 14);
        if spacing >= needed {
            break t;
        }
        if target <= 2 {
            // still too crowded (long labels, narrow figure): label every k-th tick only
            let k = (needed / spacing.max(1.0)).ceil().max(1.0) as usize;
            for (i, tick) in t.iter_mut().filter(|t| t.label.is_some()).enumerate() {
                if i % k != 0 {
                    tick.label = None;
                }
            }
            break t;
        }
        target = (target / 2).max(2);
    };

    let xm = AxisMap::new(xlo, xhi, f64::from(rect.left), f64::from(rect.right), false);
    let ym = AxisMap::new(ylo, yhi, f64::from(rect.bottom), f64::from(rect.top), log);

    // grid
    for t in x_ticks.iter().filter(|t| t.label.is_some()) {
        if let Some(px) = xm.map(t.value) {
            let px = px.round() as i32;
            if px > rect.left && px < rect.right {
                prims.push(polyline(vec![(px, rect.top), (px, rect.bottom)], GRID, 1));
            }
        }
    }
    for t in y_ticks.iter().filter(|t| t.label.is_some()) {
        if let Some(py) = ym.map(t.value) {
            let py = py.round() as i32;
            if py > rect.top && py < rect.bottom {
                prims.push(polyline(vec![(rect.left, py), (rect.right, py)], GRID, 1));
            }
        }
    }

    // vertical marker lines (labels are added after the series, on top)
    let mut marker_labels = Vec::new();
    let mut avoid = Vec::new();
    for (j, (x, text)) in panel.vertical_lines.iter().enumerate() {
        let Some(px) = xm.map(*x) else { continue };
        if px < f64::from(rect.left) - 0.5 || px > f64::from(rect.right) + 0.5 {
            continue;
        }
        let px = px.round() as i32;
        let line = [
            (f64::from(px), f64::from(rect.top)),
            (f64::from(px), f64::from(rect.bottom)),
        ];
        for dash in geom::dash_polyline(&line, 6.0, 4.0) {
            prims.push(polyline(geom::round_polyline(&dash), MARKER_LINE, 2));
        }
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let tw = text_width(text, FS_ANNOTATION)?;
        let ty = rect.top + 8 + (j as i32 % 6) * 20;
        let (tx, anchor) = if px + 6 + tw <= rect.right - 4 {
            (px + 6, Anchor::Left)
        } else {
            (px - 6, Anchor::Right)
        };
        let x0 = if anchor == Anchor::Left { tx } else { tx - tw };
        let bg = FillRect {
            x0: x0 - 3,
            y0: ty - 4,
            x1: x0 + tw + 3,
            y1: ty + (FS_ANNOTATION * 0.9) as i32,
        };
        avoid.push(bg);
        marker_labels.push(Prim::Fills {
            rects: vec![bg],
            color: LEGEND_BG,
        });
        marker_labels.push(label(text, tx, ty, FS_ANNOTATION, anchor));
    }

    // heatmap and the colour bar
    if let Some(map) = &panel.heatmap {
        prims.extend(heatmap::heatmap_prims(map, rect, (xlo, xhi), (ylo, yhi)));
    }
    if let Some((range, text)) = scale {
        prims.extend(colour_bar_prims(range, text, rect, width));
    }

    // coloured segments, then the series (both count as ink for the legend's placement)
    let mut series_prims = Vec::new();
    if let Some(segments) = &panel.segments {
        series_prims.extend(segments::segment_prims(segments, &xm, &ym, rect));
    }
    for s in &panel.series {
        series_prims.extend(series_to_prims(s, &xm, &ym, log, rect));
    }

    // legend placement
    let legend = if panel.legend {
        legend_prims(panel, rect, &series_prims, &avoid)?
    } else {
        Vec::new()
    };
    prims.extend(series_prims);
    prims.extend(marker_labels);

    // frame
    prims.push(polyline(
        vec![
            (rect.left, rect.top),
            (rect.right, rect.top),
            (rect.right, rect.bottom),
            (rect.left, rect.bottom),
            (rect.left, rect.top),
        ],
        AXIS,
        1,
    ));

    // x ticks and labels
    let cap = |size: f64| (size * CAP_HEIGHT).round() as i32;
    for t in &x_ticks {
        let Some(px) = xm.map(t.value) else { continue };
        let px = px.round() as i32;
        if px < rect.left || px > rect.right {
            continue;
        }
        let len = if t.label.is_some() {
            TICK_LEN
        } else {
            MINOR_TICK_LEN
        };
        prims.push(polyline(
            vec![(px, rect.bottom + 1), (px, rect.bottom + len)],
            AXIS,
            1,
        ));
        if let Some(l) = &t.label {
            // keep the label inside the figure
            let half = text_width(l, FS_TICK)? / 2;
            let cx = px.clamp(half + 2, width - half - 2);
            prims.push(label(
                l,
                cx,
                rect.bottom + TICK_LEN + 6,
                FS_TICK,
                Anchor::Center,
            ));
        }
    }
    // y ticks and labels
    for t in &y_ticks {
        let Some(py) = ym.map(t.value) else { continue };
        let py = py.round() as i32;
        if py < rect.top || py > rect.bottom {
            continue;
        }
        let len = if t.label.is_some() {
            TICK_LEN
        } else {
            MINOR_TICK_LEN
        };
        prims.push(polyline(
            vec![(rect.left - len, py), (rect.left - 1, py)],
            AXIS,
            1,
        ));
        if let Some(l) = &t.label {
            prims.push(label(
                l,
                rect.left - TICK_LEN - 5,
                py - cap(FS_TICK) / 2,
                FS_TICK,
                Anchor::Right,
            ));
        }
    }

    // axis labels
    prims.push(label(
        panel.x_label.trim(),
        (rect.left + rect.right) / 2,
        rect.bottom + TICK_LEN + 6 + (FS_TICK * 1.35) as i32,
        FS_AXIS,
        Anchor::Center,
    ));
    prims.push(Prim::Text(Label {
        text: panel.y_label.trim().to_string(),
        x: y_label_left,
        y: (rect.top + rect.bottom) / 2,
        size: FS_AXIS,
        anchor: Anchor::Center,
        vertical: true,
        color: TEXT,
    }));
    if !title.is_empty() {
        prims.push(label(
            title,
            (rect.left + rect.right) / 2,
            top + 12,
            FS_PANEL_TITLE,
            Anchor::Center,
        ));
    }
    prims.extend(legend);
    Ok(())
}

/// The primitives of one series, clipped to the plot area.
fn series_to_prims(
    s: &Series,
    xm: &AxisMap,
    ym: &AxisMap,
    log: bool,
    rect: PixelRect,
) -> Vec<Prim> {
    let color = Rgba::opaque(s.color.rgb());
    let mut out = Vec::new();
    match s.style {
        SeriesStyle::Line | SeriesStyle::Dashed => {
            let mut runs = geom::mapped_runs(&s.x, &s.y, xm, ym);
            let total: usize = runs.iter().map(Vec::len).sum();
            let decimated = total > DECIMATE_PER_COLUMN * rect.width().max(1) as usize;
            if decimated {
                runs = runs.iter().map(|r| geom::decimate_columns(r)).collect();
            }
            let mut dots = Vec::new();
            for run in &runs {
                for clipped in geom::clip_polyline(run, rect) {
                    if clipped.len() == 1 {
                        let (x, y) = clipped[0];
                        dots.push((x.round() as i32, y.round() as i32));
                        continue;
                    }
                    if s.style == SeriesStyle::Dashed {
                        for dash in geom::dash_polyline(&clipped, DASH_ON, DASH_OFF) {
                            out.push(polyline(geom::round_polyline(&dash), color, 2));
                        }
                    } else {
                        let pts = geom::round_polyline(&clipped);
                        if pts.len() == 1 {
                            dots.push(pts[0]);
                        } else {
                            out.push(polyline(pts, color, 2));
                        }
                    }
                }
            }
            if !dots.is_empty() {
                out.push(Prim::Circles {
                    centres: dots,
                    radius: 2,
                    color,
                });
            }
        }
        SeriesStyle::Points => {
            let radius = (s.marker_size.min(MAX_MARKER) / 2).max(1);
            let centres = geom::point_centres(&s.x, &s.y, xm, ym, rect, radius);
            if !centres.is_empty() {
                out.push(Prim::Circles {
                    centres,
                    radius,
                    color,
                });
            }
        }
        SeriesStyle::Ticks => {
            let n = s.x.len().min(s.y.len());
            let w = if n <= WIDE_TICKS_MAX { 2 } else { 1 };
            let h = s.marker_size.clamp(1, MAX_MARKER);
            let rects = geom::tick_rects(&s.x, &s.y, xm, ym, rect, h, w);
            if !rects.is_empty() {
                out.push(Prim::Fills { rects, color });
            }
        }
        SeriesStyle::Steps => {
            let baseline = if log { None } else { Some(0.0) };
            let bars = geom::histogram_bars(&s.x, &s.y, xm, ym, baseline, rect);
            if !bars.fills.is_empty() {
                out.push(Prim::Fills {
                    rects: bars.fills,
                    color: Rgba(color.0, color.1, color.2, HISTOGRAM_ALPHA),
                });
            }
            for sep in bars.separators {
                out.push(polyline(sep, color, 1));
            }
            for line in bars.outline {
                out.push(polyline(line, color, 2));
            }
        }
    }
    out
}

/// The legend box (in the emptiest corner of the plot area), or nothing when no series is
/// labelled.
fn legend_prims(
    panel: &Panel,
    rect: PixelRect,
    series_prims: &[Prim],
    avoid: &[FillRect],
) -> Result<Vec<Prim>, String> {
    let entries: Vec<(&Series, &str)> = panel
        .series
        .iter()
        .filter_map(|s| {
            let l = s.label.as_deref()?.trim();
            (!l.is_empty()).then_some((s, l))
        })
        .collect();
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    const PAD: i32 = 8;
    const ROW: i32 = 22;
    const SWATCH: i32 = 30;
    let mut max_w = 0;
    for (_, l) in &entries {
        max_w = max_w.max(text_width(l, FS_LEGEND)?);
    }
    let box_w = PAD + SWATCH + 8 + max_w + PAD + 2;
    let box_h = 2 * PAD + entries.len() as i32 * ROW - 4;
    let inset = 10;
    let candidates = [
        (rect.right - inset - box_w + 1, rect.top + inset),
        (rect.left + inset, rect.top + inset),
        (
            rect.right - inset - box_w + 1,
            rect.bottom - inset - box_h + 1,
        ),
        (rect.left + inset, rect.bottom - inset - box_h + 1),
    ];
    let mut best = candidates[0];
    let mut best_ink = f64::INFINITY;
    for &(x0, y0) in &candidates {
        let b = FillRect {
            x0,
            y0,
            x1: x0 + box_w,
            y1: y0 + box_h,
        };
        let mut ink = ink_in(series_prims, b);
        for a in avoid {
            if a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 {
                ink += 1e6;
            }
        }
        if ink < best_ink {
            best_ink = ink;
            best = (x0, y0);
        }
    }
    let (bx, by) = best;
    let mut out = vec![
        Prim::Fills {
            rects: vec![FillRect {
                x0: bx,
                y0: by,
                x1: bx + box_w,
                y1: by + box_h,
            }],
            color: LEGEND_BG,
        },
        polyline(
            vec![
                (bx, by),
                (bx + box_w - 1, by),
                (bx + box_w - 1, by + box_h - 1),
                (bx, by + box_h - 1),
                (bx, by),
            ],
            LEGEND_BORDER,
            1,
        ),
    ];
    for (k, (s, text)) in entries.iter().enumerate() {
        let yc = by + PAD + k as i32 * ROW + (ROW - 4) / 2;
        let x = bx + PAD;
        let color = Rgba::opaque(s.color.rgb());
        match s.style {
            SeriesStyle::Line => out.push(polyline(vec![(x, yc), (x + SWATCH, yc)], color, 2)),
            SeriesStyle::Dashed => {
                let line = [
                    (f64::from(x), f64::from(yc)),
                    (f64::from(x + SWATCH), f64::from(yc)),
                ];
                for dash in geom::dash_polyline(&line, DASH_ON, DASH_OFF) {
                    out.push(polyline(geom::round_polyline(&dash), color, 2));
                }
            }
            SeriesStyle::Points => out.push(Prim::Circles {
                centres: vec![(x + SWATCH / 2, yc)],
                radius: (s.marker_size / 2).clamp(2, 7),
                color,
            }),
            SeriesStyle::Ticks => {
                let h = (s.marker_size as i32).clamp(6, 16);
                out.push(Prim::Fills {
                    rects: vec![FillRect {
                        x0: x + SWATCH / 2 - 1,
                        y0: yc - h / 2,
                        x1: x + SWATCH / 2 + 1,
                        y1: yc - h / 2 + h,
                    }],
                    color,
                });
            }
            SeriesStyle::Steps => {
                let (x0, y0, x1, y1) = (x + 3, yc - 7, x + SWATCH - 3, yc + 8);
                out.push(Prim::Fills {
                    rects: vec![FillRect { x0, y0, x1, y1 }],
                    color: Rgba(color.0, color.1, color.2, HISTOGRAM_ALPHA),
                });
                out.push(polyline(
                    vec![(x0, y1 - 1), (x0, y0), (x1, y0), (x1, y1 - 1)],
                    color,
                    2,
                ));
            }
        }
        out.push(label(
            text,
            x + SWATCH + 8,
            yc - (FS_LEGEND * CAP_HEIGHT / 2.0).round() as i32,
            FS_LEGEND,
            Anchor::Left,
        ));
    }
    Ok(out)
}
