//! The figures of `cajal run` on cable (compartmental) models: the membrane potential along
//! the cell at several times, at several places over time, the steady state against cable
//! theory, and the morphology coloured by potential.
//!
//! Everything takes plain data (path distances, potentials, segments in µm and mV) so that
//! the figures can be built from a simulation's records or from a test's numbers alike.

use crate::plot::{Color, ColoredSegments, Figure, Panel, Series, viridis};

const X_LABEL: &str = "distance from the root (µm)";
const V_LABEL: &str = "membrane potential (mV)";
/// Markers of profiles drawn as points (branched cells), pixels.
const POINT_SIZE: u32 = 5;
/// Theory is drawn in dark grey so that it reads as a reference behind the simulation.
const THEORY: Color = Color::Rgb(80, 80, 80);
/// Stroke widths of the morphology's compartments, pixels: thin dendrites stay visible and
/// a thick soma does not swamp the drawing.
const MIN_WIDTH_PX: f64 = 1.0;
const MAX_WIDTH_PX: f64 = 8.0;
/// Pixels per √µm of diameter: 0.5 µm → 1.4 px, 1 µm → 2 px, 4 µm → 4 px, 16 µm and up → 8 px.
const WIDTH_PER_SQRT_UM: f64 = 2.0;
/// Horizontal room the morphology's plot area loses to the axes and colour bar, pixels
/// (an estimate used to size the figure; the layout keeps the aspect exact in any case).
const MORPHOLOGY_MARGINS_PX: f64 = 230.0;

/// `value` with at most `digits` significant digits, without trailing zeros: "0.1",
/// "1000", "12.35" (so that 0.30000000000000004 ms reads "0.3 ms").
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The pairs `(x[i], v[i])` sorted by x (a branched cell's compartments are numbered section
/// by section, not by distance), pairs with a non-finite x left out.
fn sorted_by_x(x_um: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut pairs: Vec<(f64, f64)> = x_um
        .iter()
        .zip(v)
        .filter(|(x, _)| x.is_finite())
        .map(|(&x, &v)| (x, v))
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    pairs.into_iter().unzip()
}

/// V against x: a line along an unbranched cable, points for a branched cell (where
/// compartments at the same distance on different branches would make a line zigzag).
fn profile_series(x_um: &[f64], v_mv: &[f64], unbranched: bool) -> Series {
    let (x, v) = sorted_by_x(x_um, v_mv);
    if unbranched {
        Series::line(x, v)
    } else {
        Series::points(x, v).with_marker_size(POINT_SIZE)
    }
}

/// V(x) at several times (e.g. 0.1, 0.2, … 1.0 ms after a brief pulse): one line per time,
/// labelled "t = 0.1 ms", coloured from dark to light with time. `x_um` is the path distance
/// of each compartment from the root; when `unbranched` is false the cell branches, so the
/// profiles are drawn as points, sorted by x.
pub fn profiles_figure(x_um: &[f64], profiles: &[(f64, Vec<f64>)], unbranched: bool) -> Figure {
    let mut panel = Panel::new(X_LABEL, V_LABEL);
    // Ten profiles would wrap the 8-colour palette; a sequential scale also shows the order
    // in time. Its light yellow end is left out, being hard to see on white.
    let last = profiles.len().saturating_sub(1).max(1) as f64;
    for (k, (t_ms, v_mv)) in profiles.iter().enumerate() {
        panel = panel.with_series(
            profile_series(x_um, v_mv, unbranched)
                .with_color(viridis(0.85 * k as f64 / last))
                .with_label(format!("t = {} ms", significant(*t_ms, 6))),
        );
    }
    // Room for a legend of ten entries beside the curves.
    let height = 320 + 22 * profiles.len().saturating_sub(6) as u32;
    Figure::new("membrane potential along the cell")
        .with_panel(panel)
        .with_size(crate::plot::DEFAULT_WIDTH, height.min(720))
}

/// V(t) at several locations, one line per trace, labelled with `labels[k]` ("trace k" where
/// a label is missing).
pub fn traces_figure(times_ms: &[f64], labels: &[String], traces_mv: &[Vec<f64>]) -> Figure {
    let mut panel = Panel::new("time (ms)", V_LABEL);
    for (k, trace) in traces_mv.iter().enumerate() {
        let label = labels
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("trace {k}"));
        panel = panel.with_series(
            Series::line(times_ms.to_vec(), trace.clone())
                .with_color(Color::Palette(k))
                .with_label(label),
        );
    }
    Figure::new("membrane potential at recorded locations").with_panel(panel)
}

/// The traces' deviations from their first sample, each divided by its largest deviation:
/// the shapes and timing of responses whose sizes differ by orders of magnitude (a pulse
/// seen near and far along a cable). Traces that never move are left out.
pub fn normalised_traces_figure(
    times_ms: &[f64],
    labels: &[String],
    traces_mv: &[Vec<f64>],
) -> Figure {
    let mut panel = Panel::new("time (ms)", "(V − V(0)) / its peak");
    for (k, trace) in traces_mv.iter().enumerate() {
        let Some(&start) = trace.first() else {
            continue;
        };
        let peak = trace.iter().map(|v| (v - start).abs()).fold(0.0, f64::max);
        if !(peak > 0.0 && peak.is_finite()) {
            continue;
        }
        let label = labels
            .get(k)
            .cloned()
            .unwrap_or_else(|| format!("trace {k}"));
        panel = panel.with_series(
            Series::line(
                times_ms.to_vec(),
                trace.iter().map(|v| (v - start) / peak).collect(),
            )
            .with_color(Color::Palette(k))
            .with_label(format!("{label} (peak {peak:.3e} mV)")),
        );
    }
    Figure::new("responses normalised to their peaks").with_panel(panel)
}

/// The final (steady-state) profile V(x) of the cell; the length constant marked by a
/// vertical line labelled "λ = 1000 µm" at x = λ (when given and positive) and the closed-form
/// cable-theory profile (`theory_mv[i]` at `x_um[i]`) as a dashed line labelled "cable
/// theory" (when given). A branched cell (`unbranched` false) is drawn as points sorted by x,
/// its theory too.
pub fn steady_profile_figure(
    x_um: &[f64],
    v_mv: &[f64],
    lambda_um: Option<f64>,
    theory_mv: Option<&[f64]>,
    unbranched: bool,
    title: &str,
) -> Figure {
    let mut panel = Panel::new(X_LABEL, V_LABEL)
        .with_series(profile_series(x_um, v_mv, unbranched).with_label("simulation"));
    if let Some(theory) = theory_mv {
        let (x, v) = sorted_by_x(x_um, theory);
        let series = if unbranched {
            Series::dashed(x, v)
        } else {
            Series::points(x, v).with_marker_size(POINT_SIZE - 2)
        };
        panel = panel.with_series(series.with_color(THEORY).with_label("cable theory"));
    }
    if let Some(lambda) = lambda_um.filter(|l| l.is_finite() && *l > 0.0) {
        panel = panel.with_vertical_line(lambda, format!("λ = {} µm", significant(lambda, 4)));
    }
    Figure::new(title).with_panel(panel)
}

/// The stroke width of a compartment of diameter `d` µm: √d scaled, clamped to 1–8 px.
fn width_px(diameter_um: f64) -> f64 {
    if diameter_um.is_finite() && diameter_um > 0.0 {
        (WIDTH_PER_SQRT_UM * diameter_um.sqrt()).clamp(MIN_WIDTH_PX, MAX_WIDTH_PX)
    } else {
        MIN_WIDTH_PX
    }
}

/// The morphology drawn in 2-D: compartment `i` a line from `segments_um[i][0]` to
/// `segments_um[i][1]` (µm), its width growing with `diameters_um[i]` (√d, 1–8 px, so that a
/// soma does not swamp the plot), coloured by `v_mv[i]` on the viridis scale with a colour bar
/// labelled "V (mV)". Both axes have the same scale. Compartments without a finite potential
/// are drawn grey, those with non-finite coordinates left out.
pub fn morphology_figure(
    segments_um: &[[[f64; 2]; 2]],
    diameters_um: &[f64],
    v_mv: &[f64],
    title: &str,
) -> Figure {
    let widths_px = (0..segments_um.len())
        .map(|i| width_px(diameters_um.get(i).copied().unwrap_or(f64::NAN)))
        .collect();
    let panel = Panel::new("x (µm)", "y (µm)")
        .with_segments(ColoredSegments {
            segments: segments_um.to_vec(),
            values: v_mv.to_vec(),
            widths_px,
            value_label: "V (mV)".into(),
            value_range: None,
        })
        .with_equal_aspect(true)
        .with_legend(false);
    // A panel about as tall as the cell's shape needs, so that a long thin cable does not
    // sit in a tall empty box and a bushy cell is not squeezed into a strip.
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in segments_um.iter().flatten() {
        if p.iter().all(|v| v.is_finite()) {
            for axis in 0..2 {
                lo[axis] = lo[axis].min(p[axis]);
                hi[axis] = hi[axis].max(p[axis]);
            }
        }
    }
    let (span_x, span_y) = (hi[0] - lo[0], hi[1] - lo[1]);
    let plot_width = f64::from(crate::plot::DEFAULT_WIDTH) - MORPHOLOGY_MARGINS_PX;
    let height = if span_x > 0.0 && span_y.is_finite() {
        // plot area plus the panel's margins above (14 px) and below (62 px)
        (plot_width * span_y / span_x + 76.0).clamp(320.0, 900.0) as u32
    } else {
        600
    };
    Figure::new(title)
        .with_panel(panel)
        .with_size(crate::plot::DEFAULT_WIDTH, height)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::plot::render;
    use crate::plot::tests::svg_lines;

    /// A fresh directory under the system temp dir.
    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("cajal-cable-figures-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Renders `figure` and returns the SVG's text, after checking both files are there.
    fn render_svg(figure: &Figure, name: &str) -> String {
        let dir = temp_dir(name);
        let [svg, png] = render(figure, &dir.join(name)).expect("render");
        let text = std::fs::read_to_string(&svg).expect("svg");
        assert!(text.len() > 2_000, "{name}: svg of {} bytes", text.len());
        let png_bytes = std::fs::read(&png).expect("png");
        assert_eq!(&png_bytes[1..4], b"PNG");
        assert!(
            png_bytes.len() > 5_000,
            "{name}: png of {} bytes",
            png_bytes.len()
        );
        std::fs::remove_dir_all(&dir).ok();
        text
    }

    fn text_in(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">\n{text}\n<"))
    }

    /// A sealed-end cable 2 mm long with λ = 1 mm, at rest at −65 mV, 10 mV above it at 0.
    fn cable() -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..100).map(|i| 10.0 + 20.0 * f64::from(i)).collect();
        let v = x
            .iter()
            .map(|&x| -65.0 + 10.0 * ((2000.0 - x) / 1000.0).cosh() / 2f64.cosh())
            .collect();
        (x, v)
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(significant(0.1 + 0.2, 6), "0.3");
        assert_eq!(significant(1000.0, 4), "1000");
        assert_eq!(significant(1234.56, 4), "1235");
        assert_eq!(significant(12.345_6, 4), "12.35");
        assert_eq!(significant(0.0, 4), "0");
        assert_eq!(significant(-2.5, 4), "-2.5");
    }

    #[test]
    fn profiles_are_labelled_by_time() {
        let (x, v) = cable();
        let profiles: Vec<(f64, Vec<f64>)> = (1..=10)
            .map(|k| {
                let t = f64::from(k) * 0.1;
                (t, v.iter().map(|v| v - t).collect())
            })
            .collect();
        let figure = profiles_figure(&x, &profiles, true);
        let svg = render_svg(&figure, "profiles");
        for label in ["t = 0.1 ms", "t = 0.3 ms", "t = 1 ms", X_LABEL, V_LABEL] {
            assert!(text_in(&svg, label), "svg lacks {label:?}");
        }
        let colors: Vec<Color> = figure.panels[0].series.iter().map(|s| s.color).collect();
        assert_eq!(colors[0], viridis(0.0));
        assert!((1..10).all(|k| colors[k] != colors[k - 1]), "{colors:?}");
    }

    /// A branched cell's compartments come section by section: drawn as points sorted by x.
    #[test]
    fn branched_profiles_are_points_sorted_by_x() {
        let x = [0.0, 50.0, 100.0, 60.0, 120.0, 55.0];
        let v = [-60.0, -61.0, -62.0, -63.0, -64.0, -65.0];
        let figure = profiles_figure(&x, &[(0.5, v.to_vec())], false);
        let series = &figure.panels[0].series[0];
        assert_eq!(series.style, crate::plot::SeriesStyle::Points);
        assert_eq!(series.x, [0.0, 50.0, 55.0, 60.0, 100.0, 120.0]);
        assert_eq!(series.y, [-60.0, -61.0, -65.0, -63.0, -62.0, -64.0]);
        render_svg(&figure, "branched-profiles");
        let steady = steady_profile_figure(&x, &v, None, Some(&v), false, "steady");
        assert!(
            steady.panels[0]
                .series
                .iter()
                .all(|s| s.style == crate::plot::SeriesStyle::Points)
        );
        render_svg(&steady, "branched-steady");
    }

    #[test]
    fn traces_are_labelled() {
        let t: Vec<f64> = (0..500).map(|i| f64::from(i) * 0.02).collect();
        let labels = vec!["soma".to_string(), "dendrite 200 µm".to_string()];
        let traces = vec![
            t.iter().map(|t| -65.0 + 30.0 * (-t).exp()).collect(),
            t.iter().map(|t| -65.0 + 10.0 * t * (-t).exp()).collect(),
            vec![-65.0; t.len()],
        ];
        let svg = render_svg(&traces_figure(&t, &labels, &traces), "traces");
        for label in ["soma", "dendrite 200 µm", "trace 2", "time (ms)"] {
            assert!(text_in(&svg, label), "svg lacks {label:?}");
        }
    }

    #[test]
    fn steady_profile_marks_lambda_and_theory() {
        let (x, v) = cable();
        let figure = steady_profile_figure(&x, &v, Some(1000.0), Some(&v), true, "steady");
        let svg = render_svg(&figure, "steady");
        for label in ["λ = 1000 µm", "cable theory", "simulation"] {
            assert!(text_in(&svg, label), "svg lacks {label:?}");
        }
        let panel = &figure.panels[0];
        assert_eq!(panel.vertical_lines, [(1000.0, "λ = 1000 µm".to_string())]);
        assert_eq!(panel.series[1].style, crate::plot::SeriesStyle::Dashed);

        // neither λ nor theory: just the simulation
        let bare = steady_profile_figure(&x, &v, Some(f64::NAN), None, true, "steady");
        assert!(bare.panels[0].vertical_lines.is_empty());
        assert_eq!(bare.panels[0].series.len(), 1);
        render_svg(&bare, "steady-bare");
    }

    /// A soma and three dendrites: one `<line>` per compartment, the most depolarised in
    /// viridis(1), the least in viridis(0); the soma's width capped at 8 px, thin dendrites
    /// at least 1 px.
    #[test]
    fn morphology_is_coloured_by_potential() {
        let segments = [
            [[-10.0, 0.0], [10.0, 0.0]],
            [[10.0, 0.0], [200.0, 0.0]],
            [[10.0, 0.0], [150.0, 120.0]],
            [[-10.0, 0.0], [-150.0, -80.0]],
        ];
        let diameters = [20.0, 2.0, 0.5, 0.1];
        let v = [-40.0, -50.0, -60.0, -70.0];
        let figure = morphology_figure(&segments, &diameters, &v, "pyramidal cell");
        let svg = render_svg(&figure, "morphology");
        let lines = svg_lines(&svg);
        assert_eq!(lines.len(), 4, "one line per compartment");
        let mut widths: Vec<u32> = lines.iter().map(|l| l.1).collect();
        widths.sort_unstable();
        assert_eq!(
            widths,
            [1, 1, 3, 8],
            "0.1 and 0.5 µm: 1 px, 2 µm: 3 px, soma: 8 px"
        );
        // widest first: the soma, then the 2 µm dendrite, then the thin ones in input order
        assert_eq!(lines[0].0, "#FDE725", "soma: highest V");
        assert_eq!(lines[3].0, "#440154", "thinnest dendrite: lowest V");
        for label in ["V (mV)", "x (µm)", "y (µm)", "pyramidal cell", "-70", "-40"] {
            assert!(text_in(&svg, label), "svg lacks {label:?}");
        }
    }

    /// A 100 × 10 µm L keeps its 10:1 proportions on screen.
    #[test]
    fn morphology_has_equal_scales() {
        let segments = [[[0.0, 0.0], [100.0, 0.0]], [[100.0, 0.0], [100.0, 10.0]]];
        let figure = morphology_figure(&segments, &[1.0, 1.0], &[-65.0, -60.0], "L");
        let lines = svg_lines(&render_svg(&figure, "aspect"));
        let [ax1, _, ax2, _] = lines[0].2;
        let [_, by1, _, by2] = lines[1].2;
        let (h, v) = (f64::from((ax2 - ax1).abs()), f64::from((by2 - by1).abs()));
        assert!(
            (h / v - 10.0).abs() <= 20.0 / v,
            "{h} x {v} pixels for 100 x 10 µm"
        );
    }

    /// A cell at rest, NaN potentials and coordinates, mismatched lengths: no panic.
    #[test]
    fn morphology_tolerates_odd_input() {
        let segments = [
            [[0.0, 0.0], [50.0, 0.0]],
            [[50.0, 0.0], [90.0, 30.0]],
            [[50.0, 0.0], [f64::NAN, 1.0]],
        ];
        let at_rest = morphology_figure(&segments, &[1.0; 3], &[-65.0; 3], "at rest");
        let svg = render_svg(&at_rest, "rest");
        assert_eq!(svg_lines(&svg).len(), 2, "the NaN compartment is left out");
        let with_nan = morphology_figure(&segments, &[1.0], &[f64::NAN, -60.0], "NaN");
        assert_eq!(svg_lines(&render_svg(&with_nan, "nan")).len(), 2);
        let all_nan = morphology_figure(&segments, &[], &[f64::NAN; 3], "all NaN");
        render_svg(&all_nan, "all-nan");
        render_svg(&morphology_figure(&[], &[], &[], "empty"), "empty");
    }

    /// Writes the cable figures to `/tmp/cable_figures_*.{svg,png}` for review (run with
    /// `--ignored`).
    #[test]
    #[ignore]
    fn write_example_figures() {
        let (x, v) = cable();
        let profiles: Vec<(f64, Vec<f64>)> = (1..=10)
            .map(|k| {
                let t = f64::from(k) * 0.1;
                (
                    t,
                    x.iter()
                        .map(|x| -65.0 + 20.0 / t.sqrt() * (-(x * x) / (400_000.0 * t)).exp())
                        .collect(),
                )
            })
            .collect();
        let theory: Vec<f64> = v.iter().map(|v| v + 0.05).collect();
        // A fan of dendrites from a 20 µm soma, potential falling with distance.
        let mut segments = vec![[[-10.0, 0.0], [10.0, 0.0]]];
        let mut diameters = vec![20.0];
        let mut potentials = vec![-50.0];
        for branch in 0..6 {
            let angle = f64::from(branch) * std::f64::consts::PI / 3.0 + 0.3;
            let (s, c) = angle.sin_cos();
            // points along a gently curving branch
            let at = |k: u32| {
                let r = 10.0 + 10.0 * f64::from(k);
                let bend = 0.05 * f64::from(k * k);
                [c * r - s * bend, s * r + c * bend]
            };
            for k in 0..40 {
                segments.push([at(k), at(k + 1)]);
                diameters.push(3.0 - 0.06 * f64::from(k));
                potentials.push(-50.0 - 0.4 * f64::from(k) - f64::from(branch));
            }
        }
        let t: Vec<f64> = (0..1000).map(|i| f64::from(i) * 0.01).collect();
        let traces: Vec<Vec<f64>> = [0.0, 200.0, 400.0]
            .iter()
            .map(|d| {
                t.iter()
                    .map(|t| -65.0 + 30.0 * (-(t - d / 200.0).powi(2)).exp())
                    .collect()
            })
            .collect();
        let labels = ["soma", "200 µm", "400 µm"].map(String::from);
        for (name, figure) in [
            ("profiles", profiles_figure(&x, &profiles, true)),
            (
                "steady",
                steady_profile_figure(
                    &x,
                    &v,
                    Some(1000.0),
                    Some(&theory),
                    true,
                    "steady-state membrane potential",
                ),
            ),
            ("traces", traces_figure(&t, &labels, &traces)),
            (
                "morphology",
                morphology_figure(&segments, &diameters, &potentials, "a star-shaped cell"),
            ),
        ] {
            let paths = render(
                &figure,
                &PathBuf::from(format!("/tmp/cable_figures_{name}")),
            )
            .expect("render");
            eprintln!("wrote {paths:?}");
        }
    }
}
