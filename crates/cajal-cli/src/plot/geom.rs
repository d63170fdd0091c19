//! Pixel-space geometry: data-to-pixel mapping, clipping, decimation, dashing and the
//! pixel-exact merging used to keep huge series cheap to draw.
//!
//! Everything here is pure and deterministic; the same input always yields the same
//! primitives, which is what makes the SVG and PNG output byte-identical between runs.

/// Pixel coordinates larger than this (in magnitude) are clamped before clipping, so that
/// absurd data values cannot overflow the integer conversion later on.
const COORD_LIMIT: f64 = 1e9;

/// An inclusive pixel rectangle: the plot area of one panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelRect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl PixelRect {
    /// Width in pixels (inclusive edges).
    pub fn width(&self) -> i32 {
        self.right - self.left + 1
    }

    /// Height in pixels (inclusive edges).
    pub fn height(&self) -> i32 {
        self.bottom - self.top + 1
    }

    /// Whether the (rounded) pixel lies inside the rectangle.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.left && x <= self.right && y >= self.top && y <= self.bottom
    }
}

/// One axis: a data interval mapped linearly (or logarithmically) onto a pixel interval.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AxisMap {
    lo: f64,
    hi: f64,
    p_lo: f64,
    p_hi: f64,
    log: bool,
}

impl AxisMap {
    /// `lo`/`hi` are data values (positive when `log`), mapped to pixels `p_lo`/`p_hi`.
    pub fn new(lo: f64, hi: f64, p_lo: f64, p_hi: f64, log: bool) -> Self {
        if log {
            Self {
                lo: lo.ln(),
                hi: hi.ln(),
                p_lo,
                p_hi,
                log,
            }
        } else {
            Self {
                lo,
                hi,
                p_lo,
                p_hi,
                log,
            }
        }
    }

    /// Whether `v` can be placed on this axis at all (finite, and positive on a log axis).
    pub fn accepts(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }

    /// Pixel coordinate of `v`, or `None` when the value cannot be shown on this axis.
    pub fn map(&self, v: f64) -> Option<f64> {
        if !self.accepts(v) {
            return None;
        }
        let u = if self.log { v.ln() } else { v };
        let t = (u - self.lo) / (self.hi - self.lo);
        let p = self.p_lo + t * (self.p_hi - self.p_lo);
        if p.is_finite() {
            Some(p.clamp(-COORD_LIMIT, COORD_LIMIT))
        } else if p.is_nan() {
            None
        } else {
            Some(p.signum() * COORD_LIMIT)
        }
    }
}

/// Maps finite `(x, y)` pairs to pixels; pairs that cannot be shown split the result into
/// separate runs (a gap in the line). Only the first `min(x.len(), y.len())` pairs are used.
pub(crate) fn mapped_runs(
    x: &[f64],
    y: &[f64],
    xm: &AxisMap,
    ym: &AxisMap,
) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for (&xv, &yv) in x.iter().zip(y) {
        match (xm.map(xv), ym.map(yv)) {
            (Some(px), Some(py)) => cur.push((px, py)),
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// Min/max decimation: consecutive points that fall into the same pixel column are reduced
/// to (at most) the first, the lowest, the highest and the last of them, in their original
/// order. The visible envelope, including single-sample spikes, is preserved exactly.
pub(crate) fn decimate_columns(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(pts.len().min(4096));
    let mut start = 0;
    while start < pts.len() {
        let col = pts[start].0.floor();
        let mut end = start + 1;
        while end < pts.len() && pts[end].0.floor() == col {
            end += 1;
        }
        let (mut imin, mut imax) = (start, start);
        for i in start..end {
            if pts[i].1 < pts[imin].1 {
                imin = i;
            }
            if pts[i].1 > pts[imax].1 {
                imax = i;
            }
        }
        let mut idx = [start, imin.min(imax), imin.max(imax), end - 1];
        idx.sort_unstable();
        let mut last = usize::MAX;
        for i in idx {
            if i != last {
                out.push(pts[i]);
                last = i;
            }
        }
        start = end;
    }
    out
}

/// Liang–Barsky clipping of the segment `p`–`q` to `[x0, x1] × [y0, y1]`.
fn clip_segment(
    p: (f64, f64),
    q: (f64, f64),
    (x0, y0, x1, y1): (f64, f64, f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pk, qk) in [
        (-dx, p.0 - x0),
        (dx, x1 - p.0),
        (-dy, p.1 - y0),
        (dy, y1 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None;
            }
        } else {
            let r = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let a = if t0 == 0.0 {
        p
    } else {
        (p.0 + t0 * dx, p.1 + t0 * dy)
    };
    let b = if t1 == 1.0 {
        q
    } else {
        (p.0 + t1 * dx, p.1 + t1 * dy)
    };
    Some((a, b))
}

/// Clips a polyline to the rectangle (with half a pixel of slack), splitting it where it
/// leaves and re-enters. A single-point run survives when the point is inside.
pub(crate) fn clip_polyline(pts: &[(f64, f64)], rect: PixelRect) -> Vec<Vec<(f64, f64)>> {
    let bounds = (
        rect.left as f64 - 0.5,
        rect.top as f64 - 0.5,
        rect.right as f64 + 0.5,
        rect.bottom as f64 + 0.5,
    );
    let mut out = Vec::new();
    if pts.len() == 1 {
        let p = pts[0];
        if p.0 >= bounds.0 && p.0 <= bounds.2 && p.1 >= bounds.1 && p.1 <= bounds.3 {
            out.push(vec![p]);
        }
        return out;
    }
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for w in pts.windows(2) {
        match clip_segment(w[0], w[1], bounds) {
            Some((a, b)) => {
                if cur.last() != Some(&a) {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.push(a);
                }
                cur.push(b);
            }
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Cuts polylines into dashes of `on` pixels separated by gaps of `off` pixels. The dash
/// phase continues around corners so that dense polylines still look dashed.
pub(crate) fn dash_polyline(pts: &[(f64, f64)], on: f64, off: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    if pts.len() < 2 {
        if !pts.is_empty() {
            out.push(pts.to_vec());
        }
        return out;
    }
    let period = on + off;
    let mut phase = 0.0_f64; // distance walked into the current dash period
    let mut cur: Vec<(f64, f64)> = vec![pts[0]];
    for w in pts.windows(2) {
        let (p, q) = (w[0], w[1]);
        let len = ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt();
        if len == 0.0 || !len.is_finite() {
            continue;
        }
        let at = |s: f64| {
            let t = s / len;
            (p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1))
        };
        let mut s = 0.0_f64; // distance walked along this segment
        while len - s > 1e-9 {
            if phase < on {
                let step = (on - phase).min(len - s);
                s += step;
                phase += step;
                cur.push(at(s));
                if on - phase <= 1e-9 {
                    if cur.len() >= 2 {
                        out.push(std::mem::take(&mut cur));
                    } else {
                        cur.clear();
                    }
                }
            } else {
                let step = (period - phase).min(len - s);
                s += step;
                phase += step;
                if period - phase <= 1e-9 {
                    phase = 0.0;
                    cur = vec![at(s)];
                }
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

/// Rounds a polyline to integer pixels, dropping consecutive duplicates.
pub(crate) fn round_polyline(pts: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(pts.len());
    for &(x, y) in pts {
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// A set of pixels of the plot area, used to merge markers that land on the same pixel.
pub(crate) struct PixelMask {
    rect: PixelRect,
    bits: Vec<u64>,
}

impl PixelMask {
    /// An empty mask covering `rect`.
    pub fn new(rect: PixelRect) -> Self {
        let n = (rect.width().max(0) as usize) * (rect.height().max(0) as usize);
        Self {
            rect,
            bits: vec![0; n.div_ceil(64)],
        }
    }

    fn index(&self, x: i32, y: i32) -> Option<usize> {
        if !self.rect.contains(x, y) {
            return None;
        }
        let w = self.rect.width() as usize;
        Some((y - self.rect.top) as usize * w + (x - self.rect.left) as usize)
    }

    /// Marks a pixel; returns `true` when it was not marked before (and is inside).
    pub fn insert(&mut self, x: i32, y: i32) -> bool {
        match self.index(x, y) {
            Some(i) => {
                let (word, bit) = (i / 64, 1u64 << (i % 64));
                let fresh = self.bits[word] & bit == 0;
                self.bits[word] |= bit;
                fresh
            }
            None => false,
        }
    }

    /// Whether the pixel with linear index `i` (row-major within the rectangle) is marked.
    fn get_index(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|word| word & (1u64 << (i % 64)) != 0)
    }

    /// Whether a pixel is marked.
    pub fn get(&self, x: i32, y: i32) -> bool {
        match self.index(x, y) {
            Some(i) => self.bits[i / 64] & (1u64 << (i % 64)) != 0,
            None => false,
        }
    }
}

/// Marker centres (rounded to pixels) inside the plot area, in input order, leaving out
/// markers that would be completely hidden under earlier markers of the same series.
///
/// Coverage is tracked in a pixel mask of the disks drawn so far (parts outside the plot
/// area count as covered). For radii above 6 pixels the disk is tested on a grid of about
/// 13 × 13 samples, so a hidden marker is then found approximately; the result is always
/// deterministic. A dense cloud of 10^6 points thus reduces to the few thousand markers
/// that are actually visible.
pub(crate) fn point_centres(
    x: &[f64],
    y: &[f64],
    xm: &AxisMap,
    ym: &AxisMap,
    rect: PixelRect,
    radius: u32,
) -> Vec<(i32, i32)> {
    let r = radius.min(10_000) as i32;
    let step = (r / 6).max(1);
    // disk offsets: all pixels, and the (possibly thinned) samples used for the test
    let mut disk = Vec::new();
    let mut samples = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            if dx * dx + dy * dy <= r * r {
                disk.push((dx, dy));
                if dx % step == 0 && dy % step == 0 {
                    samples.push((dx, dy));
                }
            }
        }
    }
    let mut mask = PixelMask::new(rect);
    let w = rect.width() as isize;
    let sample_offsets: Vec<isize> = samples
        .iter()
        .map(|&(dx, dy)| dy as isize * w + dx as isize)
        .collect();
    let mut out = Vec::new();
    for (&xv, &yv) in x.iter().zip(y) {
        let (Some(px), Some(py)) = (xm.map(xv), ym.map(yv)) else {
            continue;
        };
        let (cx, cy) = (px.round() as i32, py.round() as i32);
        if !rect.contains(cx, cy) {
            continue;
        }
        let inside = cx - r >= rect.left
            && cx + r <= rect.right
            && cy - r >= rect.top
            && cy + r <= rect.bottom;
        let visible = if inside {
            // fast path: plain index arithmetic, no bounds tests per sample
            let base = mask.index(cx, cy).unwrap_or(0) as isize;
            sample_offsets
                .iter()
                .any(|&o| !mask.get_index((base + o) as usize))
        } else {
            samples.iter().any(|&(dx, dy)| {
                let (qx, qy) = (cx + dx, cy + dy);
                rect.contains(qx, qy) && !mask.get(qx, qy)
            })
        };
        if visible {
            for &(dx, dy) in &disk {
                mask.insert(cx + dx, cy + dy);
            }
            out.push((cx, cy));
        }
    }
    out
}

/// A filled pixel rectangle, `x0..x1` × `y0..y1` (exclusive ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FillRect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

/// Vertical tick marks of `height` pixels and `width` pixels centred on each point.
/// The ticks are rasterised into a pixel mask and turned back into as few rectangles as
/// possible (vertical runs per column, then merged across identical neighbouring
/// columns), so a 10^6-spike raster costs at most one rectangle per covered pixel run.
pub(crate) fn tick_rects(
    x: &[f64],
    y: &[f64],
    xm: &AxisMap,
    ym: &AxisMap,
    rect: PixelRect,
    height: u32,
    width: u32,
) -> Vec<FillRect> {
    let h = height.max(1) as i32;
    let w = width.max(1) as i32;
    let mut mask = PixelMask::new(rect);
    let mut any = false;
    for (&xv, &yv) in x.iter().zip(y) {
        if let (Some(px), Some(py)) = (xm.map(xv), ym.map(yv)) {
            let cx = px.round() as i32;
            if cx < rect.left || cx > rect.right {
                continue;
            }
            let y0 = (py - h as f64 / 2.0).round() as i32;
            let (ya, yb) = (y0.max(rect.top), (y0 + h).min(rect.bottom + 1));
            let xa = (cx - w / 2).max(rect.left);
            let xb = (cx - w / 2 + w).min(rect.right + 1);
            for xx in xa..xb {
                for yy in ya..yb {
                    mask.insert(xx, yy);
                    any = true;
                }
            }
        }
    }
    if !any {
        return Vec::new();
    }
    // vertical runs per column
    let mut runs: Vec<(i32, i32, i32)> = Vec::new(); // (y0, y1, x)
    for xx in rect.left..=rect.right {
        let mut yy = rect.top;
        while yy <= rect.bottom {
            if mask.get(xx, yy) {
                let start = yy;
                while yy <= rect.bottom && mask.get(xx, yy) {
                    yy += 1;
                }
                runs.push((start, yy, xx));
            } else {
                yy += 1;
            }
        }
    }
    // merge identical runs in neighbouring columns into wider rectangles
    runs.sort_unstable();
    let mut out: Vec<FillRect> = Vec::with_capacity(runs.len());
    for (y0, y1, xx) in runs {
        if let Some(last) = out.last_mut()
            && last.y0 == y0
            && last.y1 == y1
            && last.x1 == xx
        {
            last.x1 = xx + 1;
            continue;
        }
        out.push(FillRect {
            x0: xx,
            y0,
            x1: xx + 1,
            y1,
        });
    }
    out
}

/// Histogram geometry in pixels.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Bars {
    /// Filled areas (non-overlapping, so alpha blending is uniform).
    pub fills: Vec<FillRect>,
    /// Outline polylines (the step curve, dropping to the baseline at gaps and ends).
    pub outline: Vec<Vec<(i32, i32)>>,
    /// Separators between neighbouring bars (only when bars are wide enough to need them).
    pub separators: Vec<Vec<(i32, i32)>>,
}

/// Builds histogram bars: `edges` are bin edges (`heights.len() + 1` of them), bars rise
/// from `baseline` (a data value on the y axis, or the bottom of the plot when `None`).
/// Bars narrower than a pixel are merged per pixel column (the column shows the union).
pub(crate) fn histogram_bars(
    edges: &[f64],
    heights: &[f64],
    xm: &AxisMap,
    ym: &AxisMap,
    baseline: Option<f64>,
    rect: PixelRect,
) -> Bars {
    let base_px = baseline
        .and_then(|b| ym.map(b))
        .unwrap_or(rect.bottom as f64 + 1.0)
        .clamp(rect.top as f64, rect.bottom as f64 + 1.0)
        .round() as i32;
    let ncols = rect.width().max(0) as usize;
    // per column: (y0, y1) exclusive interval of covered rows
    let mut cols: Vec<Option<(i32, i32)>> = vec![None; ncols];
    // per original bar: (c0, c1, outer edge) for separators
    let mut bar_cols: Vec<(i32, i32, i32)> = Vec::new();
    let nbars = heights.len().min(edges.len().saturating_sub(1));
    for i in 0..nbars {
        let (Some(xa), Some(xb)) = (xm.map(edges[i]), xm.map(edges[i + 1])) else {
            continue;
        };
        let hv = heights[i];
        let Some(top) = ym.map(hv) else {
            continue;
        };
        let (xa, xb) = if xa <= xb { (xa, xb) } else { (xb, xa) };
        let mut c0 = xa.round() as i32;
        let mut c1 = xb.round() as i32;
        if c1 <= c0 {
            c1 = c0 + 1;
        }
        c0 = c0.max(rect.left);
        c1 = c1.min(rect.right + 1);
        if c1 <= c0 {
            continue;
        }
        let top = top.clamp(rect.top as f64, rect.bottom as f64 + 1.0).round() as i32;
        let (y0, y1) = (top.min(base_px), top.max(base_px));
        if y1 <= y0 {
            continue;
        }
        bar_cols.push((c0, c1, top));
        for c in c0..c1 {
            let slot = &mut cols[(c - rect.left) as usize];
            *slot = Some(match *slot {
                Some((a, b)) => (a.min(y0), b.max(y1)),
                None => (y0, y1),
            });
        }
    }
    let mut bars = Bars::default();
    // runs of identical columns
    let mut runs: Vec<(i32, i32, i32, i32)> = Vec::new(); // (c0, c1, y0, y1)
    for (k, slot) in cols.iter().enumerate() {
        let c = rect.left + k as i32;
        if let Some((y0, y1)) = *slot {
            if let Some(last) = runs.last_mut()
                && last.1 == c
                && last.2 == y0
                && last.3 == y1
            {
                last.1 = c + 1;
                continue;
            }
            runs.push((c, c + 1, y0, y1));
        }
    }
    for &(c0, c1, y0, y1) in &runs {
        bars.fills.push(FillRect {
            x0: c0,
            y0,
            x1: c1,
            y1,
        });
    }
    // outline: step curve along the outer edges
    let outer = |y0: i32, y1: i32| if y0 < base_px { y0 } else { y1 };
    let mut path: Vec<(i32, i32)> = Vec::new();
    let mut prev_end: Option<i32> = None;
    for &(c0, c1, y0, y1) in &runs {
        let o = outer(y0, y1);
        if prev_end != Some(c0) {
            if let Some(end) = prev_end {
                path.push((end, base_px));
                bars.outline.push(std::mem::take(&mut path));
            }
            path.push((c0, base_px));
        }
        path.push((c0, o));
        path.push((c1, o));
        prev_end = Some(c1);
    }
    if let Some(end) = prev_end {
        path.push((end, base_px));
        bars.outline.push(path);
    }
    for polyline in &mut bars.outline {
        polyline.dedup();
    }
    // separators between neighbouring bars when bars are wide
    let wide = !bar_cols.is_empty()
        && bar_cols.iter().map(|b| (b.1 - b.0) as i64).sum::<i64>() >= 5 * bar_cols.len() as i64;
    if wide {
        for w in bar_cols.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a.1 == b.0 {
                let da = (a.2 - base_px).abs();
                let db = (b.2 - base_px).abs();
                let inner = if da <= db { a.2 } else { b.2 };
                if inner != base_px && (a.2 - base_px).signum() == (b.2 - base_px).signum() {
                    bars.separators.push(vec![(a.1, base_px), (a.1, inner)]);
                }
            }
        }
    }
    bars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect() -> PixelRect {
        PixelRect {
            left: 10,
            top: 5,
            right: 109,
            bottom: 54,
        }
    }

    #[test]
    fn mapping_hits_the_corners() {
        let r = rect();
        let xm = AxisMap::new(0.0, 1.0, r.left as f64, r.right as f64, false);
        let ym = AxisMap::new(1.0, 100.0, r.bottom as f64, r.top as f64, true);
        assert_eq!(xm.map(0.0), Some(10.0));
        assert_eq!(xm.map(1.0), Some(109.0));
        assert!((ym.map(10.0).unwrap() - 29.5).abs() < 1e-9);
        assert_eq!(ym.map(0.0), None);
        assert_eq!(xm.map(f64::NAN), None);
        assert_eq!(xm.map(1e300), Some(COORD_LIMIT));
    }

    #[test]
    fn runs_split_at_invalid_values() {
        let r = rect();
        let xm = AxisMap::new(0.0, 10.0, r.left as f64, r.right as f64, false);
        let ym = AxisMap::new(0.0, 10.0, r.bottom as f64, r.top as f64, false);
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0];
        let runs = mapped_runs(&x, &y, &xm, &ym);
        assert_eq!(runs.iter().map(Vec::len).collect::<Vec<_>>(), vec![1, 2, 1]);
    }

    #[test]
    fn decimation_keeps_extremes() {
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|i| {
                (
                    i as f64 / 100.0,
                    if i == 537 { -50.0 } else { (i % 7) as f64 },
                )
            })
            .collect();
        let d = decimate_columns(&pts);
        assert!(d.len() <= 40);
        assert!(d.contains(&(5.37, -50.0)));
        assert_eq!(d.first(), pts.first());
        assert_eq!(d.last(), pts.last());
    }

    #[test]
    fn clipping_splits_and_trims() {
        let r = rect();
        let pts = [(0.0, 20.0), (50.0, 20.0), (50.0, 100.0), (60.0, 20.0)];
        let runs = clip_polyline(&pts, r);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0][0], (9.5, 20.0));
        assert_eq!(runs[0][1], (50.0, 20.0));
        assert_eq!(runs[0][2], (50.0, 54.5));
        assert!(clip_polyline(&[(0.0, 0.0)], r).is_empty());
        assert_eq!(clip_polyline(&[(20.0, 20.0)], r).len(), 1);
    }

    #[test]
    fn dashes_alternate() {
        let d = dash_polyline(&[(0.0, 0.0), (100.0, 0.0)], 8.0, 5.0);
        assert_eq!(d.len(), 8);
        for dash in &d {
            let len = dash.last().unwrap().0 - dash[0].0;
            assert!(len <= 8.0 + 1e-9, "{dash:?}");
        }
        assert_eq!(d[1][0].0, 13.0);
        // phase continues around a corner
        let d2 = dash_polyline(&[(0.0, 0.0), (4.0, 0.0), (4.0, 30.0)], 8.0, 5.0);
        assert_eq!(d2[0].len(), 3);
    }

    #[test]
    fn hidden_points_are_culled() {
        let r = rect();
        let xm = AxisMap::new(0.0, 1.0, r.left as f64, r.right as f64, false);
        let ym = AxisMap::new(0.0, 1.0, r.bottom as f64, r.top as f64, false);
        // the same point many times, plus one separate point
        let mut x = vec![0.5; 1000];
        let mut y = vec![0.5; 1000];
        x.push(0.1);
        y.push(0.9);
        let c = point_centres(&x, &y, &xm, &ym, r, 3);
        assert_eq!(c.len(), 2);
        // a dense cloud keeps only a small visible subset, deterministically
        let n: u64 = 100_000;
        let x: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
            .collect();
        let y: Vec<f64> = (0..n)
            .map(|i| ((i * 104_729) % 997) as f64 / 997.0)
            .collect();
        let c = point_centres(&x, &y, &xm, &ym, r, 3);
        assert!(c.len() < 2000, "{}", c.len());
        assert_eq!(c, point_centres(&x, &y, &xm, &ym, r, 3));
    }

    #[test]
    fn ticks_merge_into_few_rects() {
        let r = rect();
        let xm = AxisMap::new(0.0, 99.0, r.left as f64, r.right as f64, false);
        let ym = AxisMap::new(0.0, 1.0, r.bottom as f64, r.top as f64, false);
        // a full row of ticks at the same height becomes a single rectangle
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let y = vec![0.5; 100];
        let rects = tick_rects(&x, &y, &xm, &ym, r, 8, 1);
        assert_eq!(rects.len(), 1);
        assert_eq!(rects[0].x1 - rects[0].x0, 100);
        assert_eq!(rects[0].y1 - rects[0].y0, 8);
    }

    #[test]
    fn histogram_columns() {
        let r = rect();
        let xm = AxisMap::new(0.0, 10.0, r.left as f64, r.right as f64, false);
        let ym = AxisMap::new(0.0, 10.0, r.bottom as f64, r.top as f64, false);
        let edges: Vec<f64> = (0..=10).map(f64::from).collect();
        let heights = [1.0, 2.0, 3.0, 0.0, 0.0, 5.0, 5.0, f64::NAN, 1.0, 2.0];
        let bars = histogram_bars(&edges, &heights, &xm, &ym, Some(0.0), r);
        assert_eq!(bars.fills.len(), 6);
        assert_eq!(bars.outline.len(), 3);
        assert!(!bars.separators.is_empty());
        // many more bins than pixels: at most one fill per column
        let edges: Vec<f64> = (0..=100_000).map(|i| i as f64 / 10_000.0).collect();
        let heights: Vec<f64> = (0..100_000).map(|i| (i % 10) as f64).collect();
        let bars = histogram_bars(&edges, &heights, &xm, &ym, Some(0.0), r);
        assert!(bars.fills.len() <= r.width() as usize);
        assert!(bars.separators.is_empty());
    }
}
