//! External inputs to the populations of a rate model, I_i^ext(x, t) in
//! τ_i ∂r_i/∂t = −r_i + Φ_i(I_i + I_i^ext(x, t) + Σ_j (J_ij ⋆ r_j)(x, t − D_ij)).
//!
//! - [`RateInputKind::Waveform`]: any current input of [`crate::input`] (constant, steps,
//!   pulse train, ramp, time series, white noise, Ornstein–Uhlenbeck noise), the same waveform
//!   at every point of a field. It is delivered by [`crate::input::Input`] with the points of
//!   the population as its "neurons": the exact mean of a deterministic waveform over each
//!   step, white noise as μ + σ√(τ/dt)·N(0, 1) per step, and noise independent between
//!   points, each point drawing from its own stream (seed, input index, point), so a point's
//!   noise does not depend on the size of the field.
//! - [`RateInputKind::Bump`]: a stimulus with a shape on a field, centred at
//!   x₀(t) = center + velocity·(t − start), wrapped onto the ring or torus (a moving stimulus):
//!   - cosine: A·[(1 − ε) + ε cos(2π(x − x₀)/L)] on a ring, the tuned input
//!     h(θ) = c[(1 − ε) + ε cos 2(θ − θ₀)] of the ring model (Ben-Yishai, Bar-Or & Sompolinsky
//!     1995, PNAS 92:3844) on a ring of length 180°; on a torus the mean of the cosines in x
//!     and y, A·[(1 − ε) + ε (cos(2π(x − x₀)/L_x) + cos(2π(y − y₀)/L_y))/2];
//!   - Gaussian: A·exp(−d(x, x₀)²/(2w²)) with d the shortest distance on the ring or torus.
//!
//!   Over a step the bump delivers its value at the midpoint of the part of the step inside
//!   the window [start, stop), times the fraction of the step covered. This is the mean over
//!   the step to second order in dt (exact for a bump at rest), which is the order of the
//!   integration scheme.
//!
//! Every input acts only inside its window [start, stop) (stop may be infinite).

use std::f64::consts::PI;

use crate::input::{Input, InputKind, InputSink};
use crate::neuron::StepClock;

use super::model::{Geometry, RateError, RateModel};

/// What an input to a rate population delivers.
#[derive(Clone, Debug, PartialEq)]
pub enum RateInputKind {
    /// Any of the current inputs of [`crate::input`] (constant, steps, pulse train, ramp, time
    /// series, white noise, Ornstein–Uhlenbeck noise), the same at every point of a field;
    /// noise is independent between points. Poisson spike inputs are refused.
    Waveform(InputKind),
    /// A structured input on a field, centred at x₀(t) = `center` + `velocity_per_ms`·(t −
    /// start) wrapped onto the field; the second components are ignored on a ring.
    Bump {
        /// Cosine or Gaussian profile.
        shape: BumpShape,
        /// A (Φ's input unit).
        amplitude: f64,
        /// x₀ at the start of the window, in the unit of space of the field.
        center: (f64, f64),
        /// dx₀/dt (unit of space per ms); (0, 0) for a stimulus at rest.
        velocity_per_ms: (f64, f64),
    },
}

/// The profile of a [`RateInputKind::Bump`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BumpShape {
    /// A·[(1 − ε) + ε cos(2π(x − x₀)/L)] (on a torus, the mean of the cosines in x and y).
    Cosine {
        /// ε in [0, 1]: the tuned fraction of the input.
        contrast: f64,
    },
    /// A·exp(−d(x, x₀)²/(2w²)).
    Gaussian {
        /// w > 0, in the unit of space.
        width: f64,
    },
}

/// An external input to one population of a rate model, acting in [`start_ms`, `stop_ms`).
///
/// [`start_ms`]: RateInput::start_ms
/// [`stop_ms`]: RateInput::stop_ms
#[derive(Clone, Debug, PartialEq)]
pub struct RateInput {
    /// Index of the population it drives (into [`RateModel::populations`]).
    pub target: usize,
    /// What it delivers.
    pub kind: RateInputKind,
    /// Start of the window (ms).
    pub start_ms: f64,
    /// End of the window (ms), after its start; may be `f64::INFINITY`.
    pub stop_ms: f64,
}

/// An input ready to deliver, built from a [`RateInput`].
#[derive(Clone, Debug)]
pub(crate) enum Delivery {
    /// A constant acting over the whole run: folded into the population's constant input.
    Constant(f64),
    /// A waveform or noise from [`crate::input`].
    Waveform(Input),
    /// A bump.
    Bump(Box<Bump>),
}

/// A built input: its target and what it delivers.
#[derive(Clone, Debug)]
pub(crate) struct BuiltInput {
    pub(crate) target: usize,
    pub(crate) delivery: Delivery,
}

impl BuiltInput {
    /// Checks input `index` against `model` and builds it for steps of `dt_ms`.
    pub(crate) fn new(
        index: usize,
        input: &RateInput,
        model: &RateModel,
        seed: u64,
        dt_ms: f64,
    ) -> Result<BuiltInput, RateError> {
        let populations = model.populations();
        let Some(population) = populations.get(input.target) else {
            return Err(RateError::Invalid(format!(
                "input {index} targets population {}, but there are {}",
                input.target,
                populations.len()
            )));
        };
        let invalid = |what: String| {
            RateError::Invalid(format!(
                "input {index} (onto `{}`): {what}",
                population.name
            ))
        };
        if !input.start_ms.is_finite() {
            return Err(invalid(format!(
                "the window starts at {} ms; it must be finite",
                input.start_ms
            )));
        }
        if input.stop_ms.is_nan() || input.stop_ms <= input.start_ms {
            return Err(invalid(format!(
                "the window [{} ms, {} ms) is empty; stop must come after start",
                input.start_ms, input.stop_ms
            )));
        }
        let delivery = match &input.kind {
            RateInputKind::Waveform(kind) => {
                if matches!(
                    kind,
                    InputKind::Poisson { .. } | InputKind::PoissonProfile { .. }
                ) {
                    return Err(invalid(
                        "Poisson spike trains drive spiking neurons; a rate population takes \
                         a current (constant, steps, pulse train, ramp, time series, white or \
                         Ornstein–Uhlenbeck noise)"
                            .into(),
                    ));
                }
                let size = population.geometry.size();
                let points = u32::try_from(size)
                    .map_err(|_| invalid(format!("the field has {size} points, too many")))?;
                let waveform = Input::new(
                    kind.clone(),
                    (0..points).collect(),
                    input.start_ms,
                    input.stop_ms,
                    seed,
                    index as u64,
                    dt_ms,
                )
                .map_err(|e| invalid(e.to_string()))?;
                match waveform.constant_current() {
                    Some(amplitude) => Delivery::Constant(amplitude),
                    None => Delivery::Waveform(waveform),
                }
            }
            RateInputKind::Bump {
                shape,
                amplitude,
                center,
                velocity_per_ms,
            } => Delivery::Bump(Box::new(
                Bump::new(
                    *shape,
                    *amplitude,
                    *center,
                    *velocity_per_ms,
                    (input.start_ms, input.stop_ms),
                    &population.geometry,
                )
                .map_err(invalid)?,
            )),
        };
        Ok(BuiltInput {
            target: input.target,
            delivery,
        })
    }

    /// Adds the input over the step [t, t + dt) of `clock` to `current` (one value per point).
    /// A [`Delivery::Constant`] is folded into the population and adds nothing here.
    pub(crate) fn deliver(&mut self, clock: StepClock, current: &mut [f64]) {
        match &mut self.delivery {
            Delivery::Constant(_) => {}
            Delivery::Waveform(waveform) => waveform.deliver(
                clock,
                &mut InputSink {
                    current,
                    voltage_jumps: &mut [],
                    receptors: &mut [],
                    alpha_receptors: &mut [],
                },
            ),
            Delivery::Bump(bump) => bump.deliver(clock, current),
        }
    }
}

/// One axis of a field: its points x_k = k·L/N and cos, sin of 2πx_k/L.
#[derive(Clone, Debug)]
struct Axis {
    length: f64,
    positions: Vec<f64>,
    cos: Vec<f64>,
    sin: Vec<f64>,
    /// The bump's factor along this axis at each point, for the current centre.
    factor: Vec<f64>,
}

impl Axis {
    fn new(points: usize, length: f64) -> Axis {
        let positions: Vec<f64> = (0..points)
            .map(|k| k as f64 * length / points as f64)
            .collect();
        let angle = |k: usize| 2.0 * PI * k as f64 / points as f64;
        Axis {
            length,
            positions,
            cos: (0..points).map(|k| angle(k).cos()).collect(),
            sin: (0..points).map(|k| angle(k).sin()).collect(),
            factor: vec![0.0; points],
        }
    }

    /// `factor` = cos(2π(x − x₀)/L) or exp(−d(x, x₀)²/(2w²)) along this axis.
    fn set_center(&mut self, shape: BumpShape, center: f64) {
        match shape {
            BumpShape::Cosine { .. } => {
                // cos(a − b) = cos a cos b + sin a sin b, with cos a, sin a tabulated.
                let phase = 2.0 * PI * center / self.length;
                let (s0, c0) = phase.sin_cos();
                for ((f, &c), &s) in self.factor.iter_mut().zip(&self.cos).zip(&self.sin) {
                    *f = c * c0 + s * s0;
                }
            }
            BumpShape::Gaussian { width } => {
                let scale = -0.5 / (width * width);
                for (f, &x) in self.factor.iter_mut().zip(&self.positions) {
                    let d = (x - center).rem_euclid(self.length);
                    let d = d.min(self.length - d);
                    *f = (scale * d * d).exp();
                }
            }
        }
    }
}

/// A bump input built for a ring or a torus.
#[derive(Clone, Debug)]
pub(crate) struct Bump {
    shape: BumpShape,
    amplitude: f64,
    center: (f64, f64),
    velocity: (f64, f64),
    window: (f64, f64),
    /// One axis on a ring, (x, y) on a torus (the point (i, j) at index i·N_y + j).
    axes: Vec<Axis>,
    /// The profile of a bump at rest, computed once.
    at_rest: Option<Vec<f64>>,
}

impl Bump {
    fn new(
        shape: BumpShape,
        amplitude: f64,
        center: (f64, f64),
        velocity: (f64, f64),
        window: (f64, f64),
        geometry: &Geometry,
    ) -> Result<Bump, String> {
        let axes = match *geometry {
            Geometry::Single => {
                return Err("a bump needs a field (a ring or a torus), not a single rate".into());
            }
            Geometry::Ring { points, length } => vec![Axis::new(points, length)],
            Geometry::Torus { points, lengths } => vec![
                Axis::new(points.0, lengths.0),
                Axis::new(points.1, lengths.1),
            ],
        };
        let components = axes.len();
        for (what, value) in [
            ("amplitude", amplitude),
            ("center", center.0),
            ("velocity", velocity.0),
            ("center's y", center.1),
            ("velocity's y", velocity.1),
        ]
        .into_iter()
        .take(3 + 2 * (components - 1))
        {
            if !value.is_finite() {
                return Err(format!("the bump's {what} is {value}"));
            }
        }
        match shape {
            BumpShape::Cosine { contrast } => {
                if !(0.0..=1.0).contains(&contrast) {
                    return Err(format!(
                        "the cosine bump's contrast is {contrast}; it must lie in [0, 1]"
                    ));
                }
            }
            BumpShape::Gaussian { width } => {
                if !(width.is_finite() && width > 0.0) {
                    return Err(format!(
                        "the Gaussian bump's width is {width}; it must be positive"
                    ));
                }
            }
        }
        let mut bump = Bump {
            shape,
            amplitude,
            center,
            velocity,
            window,
            axes,
            at_rest: None,
        };
        let moving = velocity.0 != 0.0 || (components == 2 && velocity.1 != 0.0);
        if !moving {
            let mut profile = vec![0.0; geometry.size()];
            bump.add_profile(window.0, 1.0, &mut profile);
            bump.at_rest = Some(profile);
        }
        Ok(bump)
    }

    /// Adds `weight` × the bump at time `time_ms` to `current`.
    fn add_profile(&mut self, time_ms: f64, weight: f64, current: &mut [f64]) {
        let elapsed = time_ms - self.window.0;
        let centers = [
            self.center.0 + self.velocity.0 * elapsed,
            self.center.1 + self.velocity.1 * elapsed,
        ];
        for (axis, &center) in self.axes.iter_mut().zip(&centers) {
            // Wrapping is done by the periodic profiles themselves (cos, and the shortest
            // distance for the Gaussian), so x₀ need not be reduced here.
            axis.set_center(self.shape, center);
        }
        let a = self.amplitude * weight;
        match (self.shape, self.axes.as_slice()) {
            (BumpShape::Cosine { contrast }, [x]) => {
                for (out, &f) in current.iter_mut().zip(&x.factor) {
                    *out += a * ((1.0 - contrast) + contrast * f);
                }
            }
            (BumpShape::Cosine { contrast }, [x, y]) => {
                for (row, &fx) in current.chunks_exact_mut(y.factor.len()).zip(&x.factor) {
                    for (out, &fy) in row.iter_mut().zip(&y.factor) {
                        *out += a * ((1.0 - contrast) + contrast * 0.5 * (fx + fy));
                    }
                }
            }
            (BumpShape::Gaussian { .. }, [x]) => {
                for (out, &f) in current.iter_mut().zip(&x.factor) {
                    *out += a * f;
                }
            }
            // exp(−(d_x² + d_y²)/2w²) is the product of the two axes' factors.
            (BumpShape::Gaussian { .. }, [x, y]) => {
                for (row, &fx) in current.chunks_exact_mut(y.factor.len()).zip(&x.factor) {
                    for (out, &fy) in row.iter_mut().zip(&y.factor) {
                        *out += a * fx * fy;
                    }
                }
            }
            _ => unreachable!("a ring has one axis, a torus two"),
        }
    }

    fn deliver(&mut self, clock: StepClock, current: &mut [f64]) {
        let step_end = clock.time_ms + clock.dt_ms;
        let begin = clock.time_ms.max(self.window.0);
        let end = step_end.min(self.window.1);
        if end <= begin {
            return;
        }
        // A step wholly inside the window is covered exactly once (not (end − begin)/dt,
        // which rounding can move off 1).
        let fraction = if begin == clock.time_ms && end == step_end {
            1.0
        } else {
            ((end - begin) / clock.dt_ms).min(1.0)
        };
        match &self.at_rest {
            Some(profile) => {
                for (out, &value) in current.iter_mut().zip(profile) {
                    *out += fraction * value;
                }
            }
            None => self.add_profile(0.5 * (begin + end), fraction, current),
        }
    }
}
