//! Neurons in space: positions on a ring or a 2-D grid, distances with or without periodic
//! boundaries, and the distance-dependent connection profiles.
//!
//! **Positions.** A population of N neurons on a ring of circumference L sits at
//! x_i = (i + ½)·L/N; on a grid of C columns and R rows (C·R = N, row-major) covering
//! W × H, neuron i sits at the centre of its cell, ((i mod C + ½)·W/C, (⌊i/C⌋ + ½)·H/R).
//! Cell centres make two populations of different densities on the same extent line up
//! (an 80 × 80 excitatory and a 40 × 40 inhibitory grid cover the same square), as in the
//! spatial networks of Rosenbaum et al. (2017, Nat. Neurosci. 20:107).
//!
//! **Distances.** On a ring the distance is the shorter arc, min(|Δx|, L − |Δx|); on a
//! torus (a periodic grid) the same along each axis, then Euclidean; on a plain grid the
//! Euclidean distance.
//!
//! **Profiles.** The probability that a source at distance d connects to a target is
//! p(d) = p₀·exp(−d²/(2σ²)) (Gaussian) or p₀·exp(−d/λ) (exponential), optionally zero
//! beyond a cutoff — the kernels NEST's spatial connection rules and Brian2's
//! distance-dependent `p` expressions are used with.

/// Where a population's neurons sit (lengths in µm).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Layout {
    /// Evenly spaced on a ring (1-D, periodic).
    Ring {
        /// L (µm).
        circumference_um: f64,
    },
    /// On a rows × columns grid, row-major; `periodic` makes it a torus.
    Grid {
        /// C.
        columns: usize,
        /// R.
        rows: usize,
        /// W (µm).
        width_um: f64,
        /// H (µm).
        height_um: f64,
        /// Whether opposite edges are joined (a torus).
        periodic: bool,
    },
}

impl Layout {
    /// The names of the layouts in model files.
    pub const NAMES: &'static [&'static str] = &["ring", "grid", "torus"];

    /// Position of neuron `neuron` of `size` (µm; the second coordinate is 0 on a ring).
    pub fn position(&self, neuron: usize, size: usize) -> [f64; 2] {
        match *self {
            Layout::Ring { circumference_um } => {
                [(neuron as f64 + 0.5) * circumference_um / size as f64, 0.0]
            }
            Layout::Grid {
                columns,
                rows,
                width_um,
                height_um,
                ..
            } => [
                ((neuron % columns) as f64 + 0.5) * width_um / columns as f64,
                ((neuron / columns) as f64 + 0.5) * height_um / rows as f64,
            ],
        }
    }

    /// The distance (µm) between two positions in this layout.
    #[inline]
    pub fn distance(&self, a: [f64; 2], b: [f64; 2]) -> f64 {
        let wrap = |delta: f64, period: f64| {
            let delta = delta.abs() % period;
            delta.min(period - delta)
        };
        match *self {
            Layout::Ring { circumference_um } => wrap(a[0] - b[0], circumference_um),
            Layout::Grid {
                width_um,
                height_um,
                periodic,
                ..
            } => {
                let (dx, dy) = if periodic {
                    (wrap(a[0] - b[0], width_um), wrap(a[1] - b[1], height_um))
                } else {
                    (a[0] - b[0], a[1] - b[1])
                };
                dx.hypot(dy)
            }
        }
    }

    /// The neurons of a population of `size` that may lie within `radius` (µm) of
    /// `position`, in increasing order: a superset found from the cells' indices alone (the
    /// caller still measures each distance), so that a rule with a cutoff need not visit
    /// every neuron.
    pub fn candidates_within(&self, position: [f64; 2], radius: f64, size: usize) -> Vec<usize> {
        /// Cell indices along one axis of `cells` cells over `extent` whose centres may lie
        /// within `radius` of `x`, wrapped when `periodic`, clipped otherwise.
        fn along(x: f64, radius: f64, cells: usize, extent: f64, periodic: bool) -> Vec<usize> {
            if periodic && 2.0 * radius >= extent {
                return (0..cells).collect();
            }
            let scale = cells as f64 / extent;
            let low = ((x - radius) * scale - 0.5).floor() as i64;
            let high = ((x + radius) * scale - 0.5).ceil() as i64;
            let mut indices: Vec<usize> = (low..=high)
                .filter_map(|i| {
                    if periodic {
                        Some(i.rem_euclid(cells as i64) as usize)
                    } else {
                        (0..cells as i64).contains(&i).then_some(i as usize)
                    }
                })
                .collect();
            indices.sort_unstable();
            indices.dedup();
            indices
        }
        match *self {
            Layout::Ring { circumference_um } => {
                along(position[0], radius, size, circumference_um, true)
            }
            Layout::Grid {
                columns,
                rows,
                width_um,
                height_um,
                periodic,
            } => {
                let columns_near = along(position[0], radius, columns, width_um, periodic);
                along(position[1], radius, rows, height_um, periodic)
                    .into_iter()
                    .flat_map(|row| {
                        columns_near
                            .iter()
                            .map(move |&column| row * columns + column)
                    })
                    .collect()
            }
        }
    }

    /// Whether two populations' layouts share one space (same kind and extent), so that
    /// distances between their neurons mean something; the reason if not.
    pub fn shares_space_with(&self, other: &Layout) -> Result<(), String> {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
        match (*self, *other) {
            (
                Layout::Ring {
                    circumference_um: a,
                },
                Layout::Ring {
                    circumference_um: b,
                },
            ) if close(a, b) => Ok(()),
            (
                Layout::Grid {
                    width_um: w1,
                    height_um: h1,
                    periodic: p1,
                    ..
                },
                Layout::Grid {
                    width_um: w2,
                    height_um: h2,
                    periodic: p2,
                    ..
                },
            ) if close(w1, w2) && close(h1, h2) && p1 == p2 => Ok(()),
            _ => Err(format!(
                "the source is laid out as {} and the target as {}: both need the same \
                 layout and extent",
                self.describe(),
                other.describe()
            )),
        }
    }

    /// A short description for messages.
    pub fn describe(&self) -> String {
        match *self {
            Layout::Ring { circumference_um } => format!("a ring of {circumference_um} um"),
            Layout::Grid {
                columns,
                rows,
                width_um,
                height_um,
                periodic,
            } => format!(
                "a {} of {columns} x {rows} over {width_um} x {height_um} um",
                if periodic { "torus" } else { "grid" }
            ),
        }
    }
}

/// How the connection probability falls off with distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Profile {
    /// exp(−d²/(2σ²)).
    Gaussian {
        /// σ (µm).
        width_um: f64,
    },
    /// exp(−d/λ).
    Exponential {
        /// λ (µm).
        length_um: f64,
    },
}

impl Profile {
    /// The names of the profiles in model files.
    pub const NAMES: &'static [&'static str] = &["gaussian", "exponential"];

    /// The profile at distance `d` (µm), 1 at d = 0.
    #[inline]
    pub fn at(&self, d: f64) -> f64 {
        match *self {
            Profile::Gaussian { width_um } => (-0.5 * (d / width_um).powi(2)).exp(),
            Profile::Exponential { length_um } => (-d / length_um).exp(),
        }
    }
}

/// A distance-dependent rule: each (source, target) pair connects independently with
/// probability p₀·profile(d), and not at all beyond the cutoff.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistanceRule {
    /// p₀, the probability at distance 0.
    pub peak_probability: f64,
    /// The profile.
    pub profile: Profile,
    /// No synapse beyond this distance (µm).
    pub cutoff_um: Option<f64>,
    /// Where the source neurons sit.
    pub source_layout: Layout,
    /// Where the target neurons sit.
    pub target_layout: Layout,
}

impl DistanceRule {
    /// The connection probability at distance `d` (µm).
    #[inline]
    pub fn probability(&self, d: f64) -> f64 {
        if self.cutoff_um.is_some_and(|cutoff| d > cutoff) {
            0.0
        } else {
            self.peak_probability * self.profile.at(d)
        }
    }

    /// The expected number of synapses, from the sources' probabilities summed for up to 64
    /// evenly spaced targets (exact on a ring or torus when every target sees the same
    /// distances).
    pub fn expected_synapses(&self, sources: usize, targets: usize) -> f64 {
        if sources == 0 || targets == 0 {
            return 0.0;
        }
        let samples = targets.min(64);
        let mut total = 0.0;
        for k in 0..samples {
            let target = k * targets / samples;
            let here = self.target_layout.position(target, targets);
            total += (0..sources)
                .map(|s| {
                    let there = self.source_layout.position(s, sources);
                    self.probability(self.target_layout.distance(here, there))
                })
                .sum::<f64>();
        }
        total * targets as f64 / samples as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_positions_and_shorter_arc() {
        let ring = Layout::Ring {
            circumference_um: 1000.0,
        };
        assert_eq!(ring.position(0, 10), [50.0, 0.0]);
        assert_eq!(ring.position(9, 10), [950.0, 0.0]);
        let d = ring.distance(ring.position(0, 10), ring.position(9, 10));
        assert!((d - 100.0).abs() < 1e-12, "{d}");
        let d = ring.distance(ring.position(0, 10), ring.position(5, 10));
        assert!((d - 500.0).abs() < 1e-12, "{d}");
    }

    #[test]
    fn grid_and_torus_distances() {
        let grid = |periodic| Layout::Grid {
            columns: 10,
            rows: 5,
            width_um: 100.0,
            height_um: 50.0,
            periodic,
        };
        let (a, b) = (grid(false).position(0, 50), grid(false).position(49, 50));
        assert_eq!(a, [5.0, 5.0]);
        assert_eq!(b, [95.0, 45.0]);
        assert!((grid(false).distance(a, b) - 90.0f64.hypot(40.0)).abs() < 1e-12);
        // On the torus the corners are neighbours: one cell apart along each axis.
        assert!((grid(true).distance(a, b) - 10.0f64.hypot(10.0)).abs() < 1e-12);
    }

    #[test]
    fn profiles_and_cutoff() {
        let rule = DistanceRule {
            peak_probability: 0.5,
            profile: Profile::Gaussian { width_um: 100.0 },
            cutoff_um: Some(250.0),
            source_layout: Layout::Ring {
                circumference_um: 1000.0,
            },
            target_layout: Layout::Ring {
                circumference_um: 1000.0,
            },
        };
        assert!((rule.probability(100.0) - 0.5 * (-0.5f64).exp()).abs() < 1e-15);
        assert_eq!(rule.probability(251.0), 0.0);
        let exponential = Profile::Exponential { length_um: 50.0 };
        assert!((exponential.at(100.0) - (-2.0f64).exp()).abs() < 1e-15);
    }

    #[test]
    fn candidates_within_a_radius_include_every_neuron_that_is() {
        let layouts = [
            (
                Layout::Ring {
                    circumference_um: 1000.0,
                },
                97,
            ),
            (
                Layout::Grid {
                    columns: 13,
                    rows: 7,
                    width_um: 400.0,
                    height_um: 300.0,
                    periodic: true,
                },
                91,
            ),
            (
                Layout::Grid {
                    columns: 13,
                    rows: 7,
                    width_um: 400.0,
                    height_um: 300.0,
                    periodic: false,
                },
                91,
            ),
        ];
        for (layout, size) in layouts {
            for radius in [0.0, 10.0, 33.0, 120.0, 260.0, 900.0] {
                for centre in [0, 5, size / 2, size - 1] {
                    let here = layout.position(centre, size);
                    let candidates = layout.candidates_within(here, radius, size);
                    assert!(candidates.is_sorted());
                    let within: Vec<usize> = (0..size)
                        .filter(|&n| layout.distance(here, layout.position(n, size)) <= radius)
                        .collect();
                    for n in &within {
                        assert!(
                            candidates.binary_search(n).is_ok(),
                            "{layout:?}: neuron {n} within {radius} of {centre} missed"
                        );
                    }
                    // A superset, but a tight one: at most the cells of the bounding box of
                    // the circle, plus one on each side for the rounding.
                    let span = |cells: usize, extent: f64| {
                        ((2.0 * radius * cells as f64 / extent).floor() as usize + 3).min(cells)
                    };
                    let bound = match layout {
                        Layout::Ring { circumference_um } => span(size, circumference_um),
                        Layout::Grid {
                            columns,
                            rows,
                            width_um,
                            height_um,
                            ..
                        } => span(columns, width_um) * span(rows, height_um),
                    };
                    assert!(
                        candidates.len() <= bound,
                        "{layout:?}: {} > {bound}",
                        candidates.len()
                    );
                }
            }
        }
    }

    #[test]
    fn layouts_must_share_a_space() {
        let ring = Layout::Ring {
            circumference_um: 1000.0,
        };
        let small = Layout::Ring {
            circumference_um: 500.0,
        };
        assert!(ring.shares_space_with(&ring).is_ok());
        assert!(ring.shares_space_with(&small).is_err());
    }
}
