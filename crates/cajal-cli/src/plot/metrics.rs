//! Horizontal glyph metrics of the embedded TrueType font, read directly from its `cmap`,
//! `hhea`, `hmtx` and `kern` tables.
//!
//! plotters' ab_glyph text path places every glyph's bounding box at the pen position
//! (ignoring the left side bearing) and truncates the pen to whole pixels, which makes
//! words like "time (ms)" visibly unevenly spaced in the PNG. With these metrics the
//! bitmap output positions each glyph itself; they also give exact text widths for layout.

use std::sync::OnceLock;

/// Parsed tables of one font (offsets into the font bytes).
pub(crate) struct FontMetrics {
    data: &'static [u8],
    /// Offset of the format-4 (Unicode BMP) `cmap` subtable.
    cmap4: usize,
    /// Offset of the `hmtx` table.
    hmtx: usize,
    num_h_metrics: u16,
    /// Offset and count of the format-0 `kern` pairs, when present.
    kern: Option<(usize, usize)>,
    /// Ascender minus descender (font units): ab_glyph's pixel scale is `size / height`.
    height: f64,
    /// Font units per em.
    units_per_em: f64,
}

fn u16_at(d: &[u8], off: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(off)?, *d.get(off + 1)?]))
}

fn i16_at(d: &[u8], off: usize) -> Option<i16> {
    u16_at(d, off).map(|v| v as i16)
}

fn u32_at(d: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *d.get(off)?,
        *d.get(off + 1)?,
        *d.get(off + 2)?,
        *d.get(off + 3)?,
    ]))
}

impl FontMetrics {
    /// Parses the tables needed; `None` if the font lacks them or is malformed.
    pub fn parse(data: &'static [u8]) -> Option<Self> {
        let num_tables = u16_at(data, 4)? as usize;
        let table = |tag: &[u8; 4]| -> Option<usize> {
            (0..num_tables).find_map(|i| {
                let rec = 12 + 16 * i;
                (data.get(rec..rec + 4)? == tag)
                    .then(|| u32_at(data, rec + 8).map(|o| o as usize))?
            })
        };
        let units_per_em = f64::from(u16_at(data, table(b"head")? + 18)?);
        let hhea = table(b"hhea")?;
        let ascender = f64::from(i16_at(data, hhea + 4)?);
        let descender = f64::from(i16_at(data, hhea + 6)?);
        let num_h_metrics = u16_at(data, hhea + 34)?;
        let hmtx = table(b"hmtx")?;
        let cmap = table(b"cmap")?;
        let n_sub = u16_at(data, cmap + 2)? as usize;
        let cmap4 = (0..n_sub).find_map(|i| {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (u16_at(data, rec)?, u16_at(data, rec + 2)?);
            let off = cmap + u32_at(data, rec + 4)? as usize;
            let unicode = platform == 0 || (platform == 3 && encoding == 1);
            (unicode && u16_at(data, off)? == 4).then_some(off)
        })?;
        let kern = table(b"kern").and_then(|k| {
            // version 0 table, first subtable: format 0, horizontal kerning values
            let coverage = u16_at(data, k + 8)?;
            let format = coverage >> 8;
            let horizontal = coverage & 1 == 1 && coverage & 0b110 == 0;
            (u16_at(data, k)? == 0 && format == 0 && horizontal)
                .then(|| Some((k + 18, u16_at(data, k + 10)? as usize)))?
        });
        let height = ascender - descender;
        (height > 0.0 && units_per_em > 0.0 && num_h_metrics > 0).then_some(Self {
            data,
            cmap4,
            hmtx,
            num_h_metrics,
            kern,
            height,
            units_per_em,
        })
    }

    /// The em size, in pixels, of text drawn at ab_glyph scale `size`.
    pub fn em(&self, size: f64) -> f64 {
        size * self.units_per_em / self.height
    }

    /// Glyph index of a character (0, the missing glyph, when unmapped).
    pub fn glyph_id(&self, c: char) -> u16 {
        self.lookup(c).unwrap_or(0)
    }

    fn lookup(&self, c: char) -> Option<u16> {
        let code = u16::try_from(u32::from(c)).ok()?;
        let d = self.data;
        let t = self.cmap4;
        let seg_x2 = u16_at(d, t + 6)? as usize;
        let ends = t + 14;
        let starts = ends + seg_x2 + 2;
        let deltas = starts + seg_x2;
        let range_offsets = deltas + seg_x2;
        // binary search for the first segment whose end code is >= code
        let (mut lo, mut hi) = (0, seg_x2 / 2);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if u16_at(d, ends + 2 * mid)? < code {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let seg = lo;
        if seg >= seg_x2 / 2 || u16_at(d, starts + 2 * seg)? > code {
            return Some(0);
        }
        let start = u16_at(d, starts + 2 * seg)?;
        let delta = u16_at(d, deltas + 2 * seg)?;
        let ro_pos = range_offsets + 2 * seg;
        let ro = u16_at(d, ro_pos)? as usize;
        if ro == 0 {
            return Some(code.wrapping_add(delta));
        }
        let gid = u16_at(d, ro_pos + ro + 2 * (code - start) as usize)?;
        Some(if gid == 0 { 0 } else { gid.wrapping_add(delta) })
    }

    /// Advance width and left side bearing of a glyph, in font units.
    pub fn h_metrics(&self, gid: u16) -> (f64, f64) {
        let n = self.num_h_metrics;
        let d = self.data;
        let adv_index = gid.min(n - 1) as usize;
        let advance = u16_at(d, self.hmtx + 4 * adv_index).unwrap_or(0);
        let lsb = if gid < n {
            i16_at(d, self.hmtx + 4 * gid as usize + 2)
        } else {
            i16_at(d, self.hmtx + 4 * n as usize + 2 * (gid - n) as usize)
        }
        .unwrap_or(0);
        (f64::from(advance), f64::from(lsb))
    }

    /// Kerning adjustment between two glyphs, in font units.
    pub fn kern(&self, left: u16, right: u16) -> f64 {
        let Some((pairs, count)) = self.kern else {
            return 0.0;
        };
        let key = (u32::from(left) << 16) | u32::from(right);
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let Some(k) = u32_at(self.data, pairs + 6 * mid) else {
                return 0.0;
            };
            match k.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return f64::from(i16_at(self.data, pairs + 6 * mid + 4).unwrap_or(0));
                }
            }
        }
        0.0
    }

    /// Lays out `text` at pixel `size` (the ab_glyph scale): for each non-blank character,
    /// the x offset of its pixel bounding box from the start of the text; and the total
    /// advance width in pixels.
    pub fn layout(&self, text: &str, size: f64) -> (Vec<(char, f64)>, f64) {
        let scale = size / self.height;
        let mut pen = 0.0;
        let mut prev: Option<u16> = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let gid = self.glyph_id(c);
            if let Some(p) = prev {
                pen += self.kern(p, gid) * scale;
            }
            let (advance, lsb) = self.h_metrics(gid);
            if !c.is_whitespace() {
                glyphs.push((c, pen + (lsb * scale).floor()));
            }
            pen += advance * scale;
            prev = Some(gid);
        }
        (glyphs, pen)
    }
}

/// Metrics of the embedded font, parsed once (`None` if parsing failed).
pub(crate) fn embedded() -> Option<&'static FontMetrics> {
    static METRICS: OnceLock<Option<FontMetrics>> = OnceLock::new();
    METRICS
        .get_or_init(|| FontMetrics::parse(super::FONT_BYTES))
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dejavu_metrics() {
        let m = embedded().expect("font tables");
        assert_eq!(m.height, 2384.0);
        let a = m.glyph_id('a');
        assert_ne!(a, 0);
        assert_ne!(m.glyph_id('τ'), 0);
        assert_eq!(m.glyph_id('\u{e000}'), 0);
        let (adv_m, lsb_m) = m.h_metrics(m.glyph_id('m'));
        assert!(adv_m > 1500.0 && lsb_m > 100.0);
        // DejaVu kerns "AV" negatively
        assert!(m.kern(m.glyph_id('A'), m.glyph_id('V')) < 0.0);
        let (glyphs, width) = m.layout("time (ms)", 17.0);
        assert_eq!(glyphs.len(), 8);
        assert!(width > 60.0 && width < 90.0, "{width}");
        assert!(glyphs.windows(2).all(|w| w[1].1 > w[0].1));
    }
}
