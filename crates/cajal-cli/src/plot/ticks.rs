//! Axis ranges, "nice" tick positions and compact tick labels.

/// Values are clamped to this magnitude before computing ranges, so spans stay finite.
const VALUE_LIMIT: f64 = 1e300;

/// One tick on an axis: labelled ticks get a grid line, unlabelled ones are minor ticks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tick {
    pub value: f64,
    pub label: Option<String>,
}

/// Widens a degenerate (constant) range so that the value sits in the middle of the axis.
fn expand_constant(v: f64, log: bool) -> (f64, f64) {
    if log {
        (v / 2.0, v * 2.0)
    } else if v == 0.0 {
        (-1.0, 1.0)
    } else {
        let d = v.abs() * 0.1;
        (v - d, v + d)
    }
}

/// The final axis interval: an explicit (validated) range is used as is; otherwise the data
/// bounds are padded by `margin` (a fraction of the span, in log space for log axes).
/// Never returns an empty, inverted or non-finite interval (or a non-positive one on a log axis).
pub(crate) fn resolve_range(
    explicit: Option<(f64, f64)>,
    data: Option<(f64, f64)>,
    log: bool,
    margin: f64,
) -> (f64, f64) {
    let valid = |v: f64| v.is_finite() && (!log || v > 0.0);
    let clamp = |v: f64| v.clamp(-VALUE_LIMIT, VALUE_LIMIT);
    let degenerate = |lo: f64, hi: f64| {
        let mid = 0.5 * lo + 0.5 * hi;
        hi - lo <= mid.abs() * 1e-12 || (log && hi / lo < 1.0 + 1e-12)
    };
    if let Some((a, b)) = explicit
        && valid(a)
        && valid(b)
    {
        let (lo, hi) = (clamp(a.min(b)), clamp(a.max(b)));
        if degenerate(lo, hi) {
            return expand_constant(0.5 * lo + 0.5 * hi, log);
        }
        return (lo, hi);
    }
    let Some((lo, hi)) = data else {
        return if log { (1.0, 10.0) } else { (0.0, 1.0) };
    };
    let (lo, hi) = (clamp(lo), clamp(hi));
    if degenerate(lo, hi) {
        return expand_constant(0.5 * lo + 0.5 * hi, log);
    }
    if log {
        let (l, h) = (lo.log10(), hi.log10());
        let d = (h - l) * margin;
        (10f64.powf(l - d), 10f64.powf(h + d))
    } else {
        let d = (hi - lo) * margin;
        (clamp(lo - d), clamp(hi + d))
    }
}

/// Ticks at multiples of 1, 2 or 5 × 10^k, about `target` of them.
pub(crate) fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return Vec::new();
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm < 1.5 {
        1.0
    } else if norm < 3.0 {
        2.0
    } else if norm < 7.0 {
        5.0
    } else {
        10.0
    };
    let step = nice * mag;
    let k0 = (lo / step - 1e-9).ceil();
    let k1 = (hi / step + 1e-9).floor();
    if k1.is_nan() || k0.is_nan() || k1 < k0 || k1 - k0 > 1000.0 {
        return Vec::new();
    }
    let max_abs = lo.abs().max(hi.abs());
    let mut ticks = Vec::new();
    let mut k = k0;
    while k <= k1 {
        let mut v = k * step;
        if v.abs() < step * 1e-9 {
            v = 0.0;
        }
        ticks.push(Tick {
            value: v,
            label: Some(format_linear(v, step, max_abs)),
        });
        k += 1.0;
    }
    ticks
}

/// Formats a tick value with just enough decimals for the tick step.
fn format_linear(v: f64, step: f64, max_abs: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let step_exp = (step.log10() + 1e-9).floor();
    if (1e-3..1e5).contains(&max_abs) {
        let decimals = (-step_exp).max(0.0) as usize;
        let s = format!("{v:.decimals$}");
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "0".to_string()
        } else {
            s
        }
    } else {
        let v_exp = (v.abs().log10() + 1e-9).floor();
        let digits = (v_exp - step_exp).clamp(0.0, 15.0) as usize;
        format!("{v:.digits$e}")
    }
}

/// Label for `m × 10^e` on a log axis: plain decimals in a readable range, else `me±k`.
fn format_log(m: u32, e: i32) -> String {
    if (-3..5).contains(&e) {
        let v: f64 = format!("{m}e{e}").parse().unwrap_or(0.0);
        let decimals = (-e).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format!("{m}e{e}")
    }
}

/// The value `m × 10^e`, correctly rounded.
fn pow_value(m: u32, e: i32) -> f64 {
    format!("{m}e{e}").parse().unwrap_or(f64::NAN)
}

/// Ticks for a log axis: labelled decades (thinned to about `target`), with unlabelled
/// minor ticks at 2..9 × 10^k; for ranges under two decades, labels at 1, 2 and 5 × 10^k.
pub(crate) fn log_ticks(lo: f64, hi: f64, target: usize) -> Vec<Tick> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return Vec::new();
    }
    let inside = |v: f64| v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12);
    let e0 = (lo.log10() - 1e-9).ceil() as i32;
    let e1 = (hi.log10() + 1e-9).floor() as i32;
    let decades = e1 - e0 + 1;
    let mut ticks = Vec::new();
    if decades >= 2 {
        let stride = (decades as usize).div_ceil(target.max(1)).max(1) as i32;
        let minors = decades <= 8;
        for e in (e0 - 1)..=e1 {
            for m in 1..=9u32 {
                let v = pow_value(m, e);
                if !inside(v) {
                    continue;
                }
                if m == 1 && (e - e0) % stride == 0 {
                    ticks.push(Tick {
                        value: v,
                        label: Some(format_log(1, e)),
                    });
                } else if m == 1 || minors {
                    ticks.push(Tick {
                        value: v,
                        label: None,
                    });
                }
            }
        }
        return ticks;
    }
    for e in (e0 - 2)..=(e1 + 1) {
        for m in 1..=9u32 {
            let v = pow_value(m, e);
            if inside(v) {
                let label = matches!(m, 1 | 2 | 5).then(|| format_log(m, e));
                ticks.push(Tick { value: v, label });
            }
        }
    }
    if ticks.iter().filter(|t| t.label.is_some()).count() < 2 {
        return linear_ticks(lo, hi, target)
            .into_iter()
            .filter(|t| t.value > 0.0)
            .collect();
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().filter_map(|t| t.label.as_deref()).collect()
    }

    #[test]
    fn nice_linear_ticks() {
        let t = linear_ticks(-80.0, 40.0, 5);
        assert_eq!(labels(&t), ["-80", "-60", "-40", "-20", "0", "20", "40"]);
        let t = linear_ticks(0.0, 1.0, 5);
        assert_eq!(labels(&t), ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let t = linear_ticks(-0.35, 0.35, 7);
        assert!(labels(&t).contains(&"0"));
        let t = linear_ticks(0.0, 3e6, 4);
        assert_eq!(labels(&t), ["0", "1e6", "2e6", "3e6"]);
        let t = linear_ticks(0.0, 2.5e-4, 5);
        assert_eq!(labels(&t)[1], "5e-5");
    }

    #[test]
    fn log_axis_ticks() {
        let t = log_ticks(0.01, 1000.0, 6);
        assert_eq!(labels(&t), ["0.01", "0.1", "1", "10", "100", "1000"]);
        assert!(t.len() > 30);
        let t = log_ticks(1e-9, 1e9, 6);
        assert_eq!(labels(&t), ["1e-9", "1e-5", "0.1", "1000", "1e7"]);
        let t = log_ticks(3.0, 40.0, 5);
        assert_eq!(labels(&t), ["5", "10", "20"]);
        let t = log_ticks(3.1, 3.3, 5);
        assert!(labels(&t).len() >= 2);
    }

    #[test]
    fn ranges_are_never_degenerate() {
        assert_eq!(resolve_range(None, None, false, 0.05), (0.0, 1.0));
        assert_eq!(
            resolve_range(None, Some((5.0, 5.0)), false, 0.05),
            (4.5, 5.5)
        );
        assert_eq!(
            resolve_range(None, Some((0.0, 0.0)), false, 0.05),
            (-1.0, 1.0)
        );
        assert_eq!(
            resolve_range(None, Some((2.0, 2.0)), true, 0.05),
            (1.0, 4.0)
        );
        assert_eq!(
            resolve_range(Some((3.0, 1.0)), None, false, 0.05),
            (1.0, 3.0)
        );
        assert_eq!(
            resolve_range(Some((-1.0, 1.0)), Some((1.0, 100.0)), true, 0.0),
            (1.0, 100.0)
        );
        let (lo, hi) = resolve_range(None, Some((-1e308, 1e308)), false, 0.05);
        assert!((hi - lo).is_finite() && hi > lo);
        let (lo, hi) = resolve_range(Some((f64::NAN, 1.0)), Some((0.0, 10.0)), false, 0.0);
        assert_eq!((lo, hi), (0.0, 10.0));
    }
}
