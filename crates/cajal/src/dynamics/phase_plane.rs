//! The phase plane of a network of two populations without delays: nullclines, the vector
//! field, trajectories and fixed points (Strogatz, *Nonlinear Dynamics and Chaos* (2015), §6;
//! Dayan & Abbott (2001), §7.5 for excitatory–inhibitory pairs).
//!
//! - **Nullclines.** dr_i/dt = 0 is the zero set of F_i(r) = −r_i + Φ_i(I_i + Σ_j J_ij r_j).
//!   F_i is sampled on a grid of [`PhasePlaneOptions::grid_points`]² nodes spanning `ranges`,
//!   and marching squares (Lorensen & Cline (1987), Comput. Graph. 21:163) finds the cells it
//!   crosses; each crossing point on a cell edge is then *solved* by bisection of F_i along the
//!   edge to the resolution of f64, not interpolated, so every vertex lies on the nullcline
//!   and only the chords between vertices (one cell apart) deviate from it, by O(h²·curvature).
//!   A node where F_i = 0 exactly counts as positive. A cell whose corners alternate in sign
//!   (a saddle of F_i) is resolved by the sign at its centre. Segments sharing a vertex are
//!   joined into polylines (closed ones end where they start).
//! - **Vector field.** (dr_1/dt, dr_2/dt) (per ms) at [`PhasePlaneOptions::arrows`]² points
//!   spanning `ranges`.
//! - **Trajectories.** From each of [`PhasePlaneOptions::starts`], the classical fourth-order
//!   Runge–Kutta scheme with a fixed step [`PhasePlaneOptions::dt_ms`] for
//!   [`PhasePlaneOptions::duration_ms`] (global error O(dt⁴); the rate equations have no
//!   stiffness beyond 1/τ, so dt = τ_min/100 is accurate to far better than plotting needs).
//! - **Fixed points.** [`super::fixed_points`] with [`PhasePlaneOptions::fixed_points`]; the
//!   nullclines cross at them.

use nalgebra::DVector;

use super::fixed_point::{FixedPoint, FixedPointOptions, fixed_points};
use super::network::{DynamicsError, RateNetwork};

/// What [`phase_plane`] computes; [`Default`] gives the values in the module documentation.
#[derive(Clone, Debug, PartialEq)]
pub struct PhasePlaneOptions {
    /// Grid nodes per axis for the nullclines (201).
    pub grid_points: usize,
    /// Arrows per axis of the vector field (21).
    pub arrows: usize,
    /// Initial rates (r_1, r_2) of the trajectories (none).
    pub starts: Vec<[f64; 2]>,
    /// The Runge–Kutta step (0.1 ms).
    pub dt_ms: f64,
    /// The length of each trajectory (200 ms).
    pub duration_ms: f64,
    /// The search for fixed points.
    pub fixed_points: FixedPointOptions,
}

impl Default for PhasePlaneOptions {
    fn default() -> Self {
        PhasePlaneOptions {
            grid_points: 201,
            arrows: 21,
            starts: Vec::new(),
            dt_ms: 0.1,
            duration_ms: 200.0,
            fixed_points: FixedPointOptions::default(),
        }
    }
}

/// One arrow of the vector field.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrow {
    /// (r_1, r_2).
    pub position: [f64; 2],
    /// (dr_1/dt, dr_2/dt) (per ms).
    pub derivative: [f64; 2],
}

/// A trajectory sampled every `dt_ms`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// 0, dt, 2 dt, … (ms).
    pub times_ms: Vec<f64>,
    /// (r_1, r_2) at each time.
    pub rates: Vec<[f64; 2]>,
}

/// The phase plane of a two-population network.
#[derive(Clone, Debug, PartialEq)]
pub struct PhasePlane {
    /// `nullclines[i]`: the polylines where dr_i/dt = 0, as points (r_1, r_2).
    pub nullclines: [Vec<Vec<[f64; 2]>>; 2],
    /// The vector field, row by row (r_2 outer, r_1 inner).
    pub vector_field: Vec<Arrow>,
    /// One per start, in the order of the starts.
    pub trajectories: Vec<Trajectory>,
    /// All fixed points found (also those outside `ranges`).
    pub fixed_points: Vec<FixedPoint>,
}

/// The phase plane of `network` (two populations, no delays) over `ranges` = [(r_1 low,
/// r_1 high), (r_2 low, r_2 high)] (see the module documentation).
///
/// ```
/// use cajal::dynamics::{phase_plane, PhasePlaneOptions, RateNetwork};
/// use cajal::neuron::rate::TransferFunction;
/// let linear = TransferFunction::ThresholdLinear { threshold: 0.0, gain: 1.0 };
/// // Two uncoupled units with inputs 1 and 2: the nullclines are the lines r_1 = 1, r_2 = 2.
/// let network = RateNetwork::new(
///     vec![10.0, 10.0],
///     vec![vec![0.0, 0.0], vec![0.0, 0.0]],
///     vec![1.0, 2.0],
///     vec![linear, linear],
/// )
/// .unwrap();
/// let plane = phase_plane(&network, [(0.0, 3.0), (0.0, 3.0)], &PhasePlaneOptions::default())
///     .unwrap();
/// assert!(plane.nullclines[0].iter().flatten().all(|p| (p[0] - 1.0).abs() < 1e-12));
/// assert!(plane.nullclines[1].iter().flatten().all(|p| (p[1] - 2.0).abs() < 1e-12));
/// assert_eq!(plane.fixed_points.len(), 1);
/// ```
pub fn phase_plane(
    network: &RateNetwork,
    ranges: [(f64, f64); 2],
    options: &PhasePlaneOptions,
) -> Result<PhasePlane, DynamicsError> {
    check(network, &ranges, options)?;
    let nullclines = [
        nullcline(network, 0, ranges, options.grid_points),
        nullcline(network, 1, ranges, options.grid_points),
    ];
    let along = |axis: usize, k: usize, count: usize| {
        let (low, high) = ranges[axis];
        low + (high - low) * k as f64 / (count - 1) as f64
    };
    let vector_field = (0..options.arrows)
        .flat_map(|b| (0..options.arrows).map(move |a| (a, b)))
        .map(|(a, b)| {
            let position = [along(0, a, options.arrows), along(1, b, options.arrows)];
            let derivative = network.rate_of_change(&position);
            Arrow {
                position,
                derivative: [derivative[0], derivative[1]],
            }
        })
        .collect();
    let trajectories = options
        .starts
        .iter()
        .map(|start| trajectory(network, *start, options.dt_ms, options.duration_ms))
        .collect();
    Ok(PhasePlane {
        nullclines,
        vector_field,
        trajectories,
        fixed_points: fixed_points(network, &options.fixed_points)?,
    })
}

fn check(
    network: &RateNetwork,
    ranges: &[(f64, f64); 2],
    options: &PhasePlaneOptions,
) -> Result<(), DynamicsError> {
    if network.size() != 2 {
        return Err(DynamicsError::Populations {
            analysis: "the phase plane",
            expected: 2,
            found: network.size(),
        });
    }
    if network.has_delays() {
        return Err(DynamicsError::Delayed {
            analysis: "the phase plane",
        });
    }
    let problem = |option, message: &str| {
        Err(DynamicsError::Option {
            option,
            message: message.to_string(),
        })
    };
    if ranges
        .iter()
        .any(|&(low, high)| !(low.is_finite() && high.is_finite() && low < high))
    {
        return problem("ranges", "each range needs finite low < high");
    }
    if options.grid_points < 2 || options.arrows < 2 {
        return problem(
            "grid_points/arrows",
            "need at least 2 (the ends of the ranges)",
        );
    }
    if !(options.dt_ms.is_finite() && options.dt_ms > 0.0) {
        return problem("dt_ms", "must be positive and finite");
    }
    if !(options.duration_ms.is_finite() && options.duration_ms >= 0.0) {
        return problem("duration_ms", "must be finite and ≥ 0");
    }
    if options.starts.iter().flatten().any(|r| !r.is_finite()) {
        return problem("starts", "the initial rates must be finite");
    }
    Ok(())
}

/// RK4 from `start`; stops early if the rates stop being finite.
fn trajectory(network: &RateNetwork, start: [f64; 2], dt: f64, duration: f64) -> Trajectory {
    let steps = (duration / dt).round() as usize;
    let mut times_ms = Vec::with_capacity(steps + 1);
    let mut rates = Vec::with_capacity(steps + 1);
    let derivative = |r: &DVector<f64>| DVector::from_vec(network.rate_of_change(r.as_slice()));
    let mut r = DVector::from_column_slice(&start);
    times_ms.push(0.0);
    rates.push(start);
    for step in 1..=steps {
        let k1 = derivative(&r);
        let k2 = derivative(&(&r + &k1 * (0.5 * dt)));
        let k3 = derivative(&(&r + &k2 * (0.5 * dt)));
        let k4 = derivative(&(&r + &k3 * dt));
        r += (k1 + k2 * 2.0 + k3 * 2.0 + k4) * (dt / 6.0);
        if !r.iter().all(|x| x.is_finite()) {
            break;
        }
        times_ms.push(step as f64 * dt);
        rates.push([r[0], r[1]]);
    }
    Trajectory { times_ms, rates }
}

/// A vertex of the marching-squares mesh: on the horizontal edge from node (a, b) to (a + 1, b)
/// or the vertical one from (a, b) to (a, b + 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Edge {
    Horizontal(usize, usize),
    Vertical(usize, usize),
}

/// The polylines of F_i = 0 over the grid.
fn nullcline(
    network: &RateNetwork,
    i: usize,
    ranges: [(f64, f64); 2],
    points: usize,
) -> Vec<Vec<[f64; 2]>> {
    let node = |a: usize, b: usize| {
        let along =
            |(low, high): (f64, f64), k: usize| low + (high - low) * k as f64 / (points - 1) as f64;
        [along(ranges[0], a), along(ranges[1], b)]
    };
    let f = |r: [f64; 2]| {
        let x = network.inputs()[i]
            + network.coupling()[(i, 0)] * r[0]
            + network.coupling()[(i, 1)] * r[1];
        network.transfer_functions()[i].apply(x) - r[i]
    };
    let values: Vec<f64> = (0..points)
        .flat_map(|b| (0..points).map(move |a| (a, b)))
        .map(|(a, b)| f(node(a, b)))
        .collect();
    let positive = |a: usize, b: usize| values[b * points + a] >= 0.0;

    // Segments between edges, cell by cell (corners counterclockwise from (a, b)).
    let mut segments: Vec<(Edge, Edge)> = Vec::new();
    for b in 0..points - 1 {
        for a in 0..points - 1 {
            let corners = [
                positive(a, b),
                positive(a + 1, b),
                positive(a + 1, b + 1),
                positive(a, b + 1),
            ];
            // Edge k joins corner k to corner k + 1.
            let edges = [
                Edge::Horizontal(a, b),
                Edge::Vertical(a + 1, b),
                Edge::Horizontal(a, b + 1),
                Edge::Vertical(a, b),
            ];
            let crossed: Vec<usize> = (0..4)
                .filter(|&k| corners[k] != corners[(k + 1) % 4])
                .collect();
            match crossed.len() {
                2 => segments.push((edges[crossed[0]], edges[crossed[1]])),
                4 => {
                    // A saddle: the centre's sign says which corners are connected.
                    let [low, high] = [node(a, b), node(a + 1, b + 1)];
                    let centre = f([0.5 * (low[0] + high[0]), 0.5 * (low[1] + high[1])]) >= 0.0;
                    if centre == corners[0] {
                        // Corner 0's region reaches the centre: cut off corners 1 and 3.
                        segments.push((edges[0], edges[1]));
                        segments.push((edges[2], edges[3]));
                    } else {
                        segments.push((edges[3], edges[0]));
                        segments.push((edges[1], edges[2]));
                    }
                }
                _ => {}
            }
        }
    }

    // The crossing on each edge, solved by bisection of F_i along it.
    let vertex = |edge: Edge| {
        let (from, to) = match edge {
            Edge::Horizontal(a, b) => (node(a, b), node(a + 1, b)),
            Edge::Vertical(a, b) => (node(a, b), node(a, b + 1)),
        };
        let point = |t: f64| {
            [
                from[0] + t * (to[0] - from[0]),
                from[1] + t * (to[1] - from[1]),
            ]
        };
        let from_positive = f(from) >= 0.0;
        let (mut low, mut high) = (0.0, 1.0);
        // 60 halvings of [0, 1] reach below the spacing of f64 near 1.
        for _ in 0..60 {
            let middle = 0.5 * (low + high);
            if (f(point(middle)) >= 0.0) == from_positive {
                low = middle;
            } else {
                high = middle;
            }
        }
        point(0.5 * (low + high))
    };

    join(&segments)
        .into_iter()
        .map(|chain| {
            let mut polyline: Vec<[f64; 2]> = chain.into_iter().map(vertex).collect();
            // A nullcline through a grid node reaches it from the edges on both sides.
            polyline.dedup();
            polyline
        })
        .collect()
}

/// Joins segments that share an edge into chains of edges.
fn join(segments: &[(Edge, Edge)]) -> Vec<Vec<Edge>> {
    use std::collections::BTreeMap;
    // Each edge touches at most two segments (the cells on either side).
    let mut touching: BTreeMap<Edge, Vec<usize>> = BTreeMap::new();
    for (s, &(a, b)) in segments.iter().enumerate() {
        touching.entry(a).or_default().push(s);
        touching.entry(b).or_default().push(s);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    // Open chains first, from their ends (edges with one segment), then the closed loops.
    let ends: Vec<Edge> = touching
        .iter()
        .filter(|(_, s)| s.len() == 1)
        .map(|(e, _)| *e)
        .collect();
    let starts = ends
        .into_iter()
        .chain(segments.iter().map(|s| s.0))
        .collect::<Vec<_>>();
    for start in starts {
        let Some(&first) = touching[&start].iter().find(|&&s| !used[s]) else {
            continue;
        };
        let mut chain = vec![start];
        let mut at = start;
        let mut segment = first;
        loop {
            used[segment] = true;
            let (a, b) = segments[segment];
            let next = if a == at { b } else { a };
            chain.push(next);
            at = next;
            match touching[&at].iter().find(|&&s| !used[s]) {
                Some(&s) => segment = s,
                None => break,
            }
        }
        chains.push(chain);
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::rate::TransferFunction;

    #[test]
    fn a_straight_nullcline_through_grid_nodes_is_one_polyline() {
        // Threshold −10, input −10, J_12 = 1: F_1 = −r_1 + [r_2]₊ = r_2 − r_1 on the box, so
        // dr_1/dt = 0 on the diagonal, which runs through grid nodes (where F_1 = 0 exactly).
        let linear = TransferFunction::ThresholdLinear {
            threshold: -10.0,
            gain: 1.0,
        };
        let network = RateNetwork::new(
            vec![1.0, 1.0],
            vec![vec![0.0, 1.0], vec![1.0, 0.0]],
            vec![-10.0, -10.0],
            vec![linear, linear],
        )
        .unwrap();
        let plane = phase_plane(
            &network,
            [(0.0, 1.0), (0.0, 1.0)],
            &PhasePlaneOptions {
                grid_points: 11,
                ..PhasePlaneOptions::default()
            },
        )
        .unwrap();
        assert_eq!(plane.nullclines[0].len(), 1);
        for p in &plane.nullclines[0][0] {
            assert!((p[0] - p[1]).abs() < 1e-12, "{p:?}");
        }
    }

    #[test]
    fn joins_segments_into_chains() {
        let e = |a| Edge::Vertical(a, 0);
        let chains = join(&[(e(1), e(2)), (e(0), e(1)), (e(5), e(6))]);
        assert_eq!(chains, vec![vec![e(0), e(1), e(2)], vec![e(5), e(6)]]);
    }
}
