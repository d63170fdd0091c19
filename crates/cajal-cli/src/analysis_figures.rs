//! The figures of `cajal analyze`: the phase line of one population, the phase plane of two,
//! the bifurcation diagram of a sweep, and the growth rates of a field's modes.

use cajal::dynamics::{BifurcationKind, FixedPoint, PhasePlane, RateNetwork};

use crate::analysis::{FieldAnalysis, Sweep};
use crate::plot::{Color, Figure, Panel, Series};

/// Stable fixed points are drawn in black, unstable ones in vermillion.
const STABLE: Color = Color::Palette(6);
const UNSTABLE: Color = Color::Palette(1);

/// Adds the fixed points at (x, y) = `place(point)`, stable and unstable apart.
fn with_fixed_points(
    mut panel: Panel,
    points: &[FixedPoint],
    place: impl Fn(&FixedPoint) -> (f64, f64),
) -> Panel {
    for (stable, color, label) in [
        (true, STABLE, "stable fixed point"),
        (false, UNSTABLE, "unstable fixed point"),
    ] {
        let (x, y): (Vec<f64>, Vec<f64>) = points
            .iter()
            .filter(|p| p.is_stable() == stable)
            .map(&place)
            .unzip();
        if !x.is_empty() {
            panel = panel.with_series(
                Series::points(x, y)
                    .with_color(color)
                    .with_marker_size(11)
                    .with_label(label),
            );
        }
    }
    panel
}

/// dr/dt against r for one population over `range`, with its fixed points: the phase line.
pub fn phase_line(
    name: &str,
    network: &RateNetwork,
    points: &[FixedPoint],
    range: (f64, f64),
) -> Figure {
    const SAMPLES: usize = 400;
    let rates: Vec<f64> = (0..=SAMPLES)
        .map(|k| range.0 + (range.1 - range.0) * k as f64 / SAMPLES as f64)
        .collect();
    let derivative: Vec<f64> = rates
        .iter()
        .map(|&r| network.rate_of_change(&[r])[0] * 1000.0)
        .collect();
    let panel = Panel::new(format!("rate r of {name}"), "dr/dt (per s)")
        .with_series(Series::line(rates, derivative).with_label("τ dr/dt = −r + Φ(I + J r)"))
        .with_series(
            Series::dashed(vec![range.0, range.1], vec![0.0, 0.0])
                .with_color(Color::Rgb(120, 120, 120)),
        );
    let panel = with_fixed_points(panel, points, |p| (p.rates[0], 0.0));
    Figure::new(format!("phase line of {name}")).with_panel(panel)
}

/// The phase plane of two populations: nullclines, vector field, trajectories, fixed points.
pub fn phase_plane_figure(names: [&str; 2], plane: &PhasePlane, ranges: [(f64, f64); 2]) -> Figure {
    let mut panel = Panel::new(
        format!("rate of {}", names[0]),
        format!("rate of {}", names[1]),
    )
    .with_x_range(ranges[0].0, ranges[0].1)
    .with_y_range(ranges[1].0, ranges[1].1);
    // Arrows: segments of a common length (a fraction of the box), NaN between them.
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let scale = [ranges[0].1 - ranges[0].0, ranges[1].1 - ranges[1].0];
    for arrow in &plane.vector_field {
        let [dx, dy] = [
            arrow.derivative[0] / scale[0],
            arrow.derivative[1] / scale[1],
        ];
        let norm = dx.hypot(dy);
        if !(norm.is_finite() && norm > 0.0) {
            continue;
        }
        let length = 0.03;
        let [ux, uy] = [dx / norm * length, dy / norm * length];
        let [px, py] = arrow.position;
        let tip = (px + ux * scale[0], py + uy * scale[1]);
        // Shaft and a two-stroke head.
        let head = |angle: f64| {
            let (sin, cos) = angle.sin_cos();
            (
                tip.0 - 0.4 * (ux * cos - uy * sin) * scale[0],
                tip.1 - 0.4 * (ux * sin + uy * cos) * scale[1],
            )
        };
        let (left, right) = (head(0.5), head(-0.5));
        for (a, b) in [(px, py), tip, left, tip, right] {
            x.push(a);
            y.push(b);
        }
        x.push(f64::NAN);
        y.push(f64::NAN);
    }
    panel = panel.with_series(Series::line(x, y).with_color(Color::Rgb(170, 170, 170)));
    for (k, trajectory) in plane.trajectories.iter().enumerate() {
        let (x, y): (Vec<f64>, Vec<f64>) = trajectory.rates.iter().map(|r| (r[0], r[1])).unzip();
        let mut series = Series::line(x, y).with_color(Color::Palette(3));
        if k == 0 {
            series = series.with_label("trajectories");
        }
        panel = panel.with_series(series);
    }
    for (index, color) in [(0, Color::Palette(0)), (1, Color::Palette(2))] {
        let mut series_x = Vec::new();
        let mut series_y = Vec::new();
        for line in &plane.nullclines[index] {
            for point in line {
                series_x.push(point[0]);
                series_y.push(point[1]);
            }
            series_x.push(f64::NAN);
            series_y.push(f64::NAN);
        }
        panel = panel.with_series(
            Series::line(series_x, series_y)
                .with_color(color)
                .with_label(format!("d{}/dt = 0", names[index])),
        );
    }
    let panel = with_fixed_points(panel, &plane.fixed_points, |p| (p.rates[0], p.rates[1]));
    Figure::new(format!("phase plane of {} and {}", names[0], names[1]))
        .with_panel(panel)
        .with_size(820, 760)
}

/// The bifurcation diagram: one panel per population, branches solid where stable and
/// dashed where not, the limit cycles' minimum and maximum as points, the bifurcations
/// marked.
pub fn bifurcation_figure(names: &[String], sweep: &Sweep) -> Figure {
    let mut figure = Figure::new(format!("bifurcation diagram along {}", sweep.parameter));
    for (population, name) in names.iter().enumerate() {
        let mut panel = Panel::new(sweep.parameter.clone(), format!("rate of {name}"));
        let (mut stable, mut unstable) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
        for branch in &sweep.diagram.branches {
            // Runs of equal stability as unbroken polylines; a run ends where stability
            // changes, and the next starts at the same point so that the branch is continuous.
            let mut previous: Option<bool> = None;
            for pair in branch.points.windows(2) {
                let stability = pair[0].stable && pair[1].stable;
                let target = if stability {
                    &mut stable
                } else {
                    &mut unstable
                };
                if previous != Some(stability) {
                    target.0.extend([f64::NAN, pair[0].value]);
                    target.1.extend([f64::NAN, pair[0].rates[population]]);
                }
                target.0.push(pair[1].value);
                target.1.push(pair[1].rates[population]);
                previous = Some(stability);
            }
            if let [only] = branch.points.as_slice() {
                let target = if only.stable {
                    &mut stable
                } else {
                    &mut unstable
                };
                target.0.extend([f64::NAN, only.value]);
                target.1.extend([f64::NAN, only.rates[population]]);
            }
        }
        panel = panel
            .with_series(
                Series::line(stable.0, stable.1)
                    .with_color(STABLE)
                    .with_label("stable"),
            )
            .with_series(
                Series::dashed(unstable.0, unstable.1)
                    .with_color(UNSTABLE)
                    .with_label("unstable"),
            );
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for cycle in &sweep.limit_cycles {
            if let Some(Some(oscillation)) = cycle.oscillations.get(population) {
                x.extend([cycle.value, cycle.value]);
                y.extend([oscillation.minimum, oscillation.maximum]);
            }
        }
        if !x.is_empty() {
            panel = panel.with_series(
                Series::points(x, y)
                    .with_color(Color::Palette(0))
                    .with_marker_size(5)
                    .with_label("limit cycle (min, max)"),
            );
        }
        for bifurcation in &sweep.diagram.bifurcations {
            let text = match (bifurcation.kind, bifurcation.frequency_hz) {
                (BifurcationKind::Hopf, Some(f)) => format!("Hopf {f:.3} Hz"),
                (BifurcationKind::Hopf, None) => "Hopf".to_string(),
                (BifurcationKind::SaddleNode, _) => "saddle-node".to_string(),
            };
            panel = panel.with_vertical_line(bifurcation.value, text);
        }
        figure = figure.with_panel(panel);
    }
    figure
}

/// Re λ_k against the wavenumber k for each homogeneous state of a field.
pub fn field_modes_figure(field: &FieldAnalysis) -> Figure {
    let mut panel = Panel::new(
        "wavenumber k (cycles per field length)",
        "growth rate Re λ_k (per ms)",
    );
    for (index, state) in field.states.iter().enumerate() {
        let mut modes: Vec<(f64, f64)> = state
            .modes
            .iter()
            .filter(|m| m.wavenumber[1] == 0 && m.wavenumber[0] >= 0)
            .map(|m| (m.wavenumber[0] as f64, m.growth_rate_per_ms.re))
            .take_while(|&(k, _)| k <= 32.0)
            .collect();
        modes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (k, growth): (Vec<f64>, Vec<f64>) = modes.into_iter().unzip();
        panel = panel.with_series(
            Series::points(k, growth)
                .with_color(Color::Palette(index))
                .with_label(format!("homogeneous state r0 = {:.4}", state.rate)),
        );
    }
    panel = panel.with_series(
        Series::dashed(vec![0.0, 32.0], vec![0.0, 0.0]).with_color(Color::Rgb(120, 120, 120)),
    );
    Figure::new(format!(
        "modes of the field {} around its homogeneous states",
        field.name
    ))
    .with_panel(panel)
}
