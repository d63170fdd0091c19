//! Integration of a rate model in time: delay differential equations on single rates and
//! fields.
//!
//! ```text
//! τ_i ∂r_i/∂t = −r_i + g_i(t),   g_i(t) = Φ_i( I_i + I_i^ext(x, t) + Σ_j (J_ij ⋆ r_j)(x, t − D_ij) )
//! ```
//!
//! # Scheme: exponential time differencing of second order (ETD2RK) with an interpolated past
//!
//! The leak −r/τ is integrated exactly and the drive g is taken linear over a step
//! [t_n, t_n + h]; the variation of constants gives
//!
//! ```text
//! r_{n+1} = E r_n + (1 − E − c) g_n + c g_{n+1},   E = e^(−h/τ),   c = 1 − τ(1 − E)/h,
//! ```
//!
//! the exponential trapezoidal rule (exact when g is constant or linear in time, so a
//! fixed point of the model is a fixed point of the scheme for every h). g_{n+1} needs the
//! delayed rates r_j(t_{n+1} − D_ij): for D ≥ h they lie in the past and are known; for
//! D < h (D = 0 included) they come from the predictor r̃_{n+1} = E r_n + (1 − E) g_n
//! (exponential Euler). Together this is ETD2RK of Cox & Matthews (2002), J. Comput. Phys.
//! 176:430, second order in h, unconditionally stable in the leak (any h/τ).
//!
//! **The past.** Every coupling keeps the last ⌈D/h⌉ + 2 values of its already-convolved
//! input c_ij(t_k) = (J_ij ⋆ r_j)(t_k) in a ring buffer (one convolution per step and
//! coupling, two for D < h) and reads c_ij(t − D) by linear interpolation between the two
//! steps around t − D, so the step need not divide the delay: linear interpolation is second
//! order too, which keeps the whole scheme second order (Bellen & Zennaro 2003, *Numerical
//! Methods for Delay Differential Equations*, ch. 4, on continuous extensions). Because the
//! convolution is linear, interpolating the convolved input equals convolving the
//! interpolated field. A delay within 10⁻⁹ of a whole number of steps is taken as that
//! number, so that rounding in D/h does not mix in a neighbouring step. For t ≤ 0 the buffer
//! holds the history sampled on the grid.
//!
//! **External input** enters g as its mean over the step [t_n, t_{n+1}) at both ends of the
//! step (see [`super::input`]): the step mean is within O(h²) of the midpoint value, and the
//! two ends' errors cancel to O(h³) in the trapezoid, so the order stays two. White noise
//! enters through that mean, μ + σ√(τ_noise/h) N(0, 1) per step; for a linear Φ the
//! stationary variance of r is then σ²(τ_noise/2τ)·(2τ/h)·tanh(h/2τ), the exact
//! Ornstein–Uhlenbeck value to O(h²/τ²).
//!
//! **Blow-up.** A rate that grows exponentially (J > 1 with a linear Φ, the "rate
//! instability") is integrated as such; a rate that stops being finite ends the run with
//! [`RateError::Invalid`] naming the population and the time.
//!
//! **Fields.** Convolutions use the kernel's spectrum, precomputed: a projection onto its
//! few Fourier modes when there are few (the cosine kernel), an FFT otherwise (see
//! [`super::convolution`]). Everything is single-threaded and deterministic: a seed gives
//! bit-identical rates.

use crate::input::{Interpolation, TimeSeries};
use crate::neuron::StepClock;
use crate::neuron::rate::TransferFunction;

use super::convolution::{Convolution, Method};
use super::input::{BuiltInput, Delivery, RateInput};
use super::model::{CouplingStrength, Geometry, RateError, RateModel};

/// The most values a [`RateRecording`] may hold (2³¹ numbers, 16 GiB).
pub const MAX_RECORDED_VALUES: u64 = 1 << 31;

/// How to integrate: the time step and the seed of the noise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSimulation {
    /// h (ms), > 0.
    pub dt_ms: f64,
    /// Seed of every random input (streams per input and point, see [`crate::rng`]).
    pub seed: u64,
}

/// The rates before t = 0, which delayed couplings read.
#[derive(Clone, Debug, PartialEq)]
pub enum History {
    /// r(t) = the population's `initial_rate` for every t ≤ 0 (every point of a field).
    Constant,
    /// One entry per population: r(t) for t ≤ 0 from samples at times ≤ 0 (read as their
    /// [`Interpolation`] says; linear is the usual choice), the first value held before the
    /// first sample and the last one from the last sample to 0; the value at 0 is the
    /// initial state, in place of `initial_rate`. `None`: constant, as [`History::Constant`].
    /// Only single-rate populations may have a history given (a field's is constant).
    Given(Vec<Option<TimeSeries>>),
}

/// A rate model being integrated; see the [module documentation](self) for the scheme.
///
/// ```
/// use cajal::neuron::rate::TransferFunction;
/// use cajal::rate::{
///     CouplingStrength, Geometry, History, RateCoupling, RateModel, RatePopulation,
///     RateSimulation, RateSimulator,
/// };
///
/// // One inhibitory population with a delayed self-coupling.
/// let population = RatePopulation {
///     name: "I".into(),
///     time_constant_ms: 10.0,
///     transfer: TransferFunction::ThresholdLinear { threshold: 0.0, gain: 1.0 },
///     input: 1.0,
///     initial_rate: 0.0,
///     geometry: Geometry::Single,
/// };
/// let coupling = RateCoupling {
///     source: 0,
///     target: 0,
///     strength: CouplingStrength::Weight(-0.5),
///     delay_ms: 3.0,
/// };
/// let model = RateModel::new(vec![population], vec![coupling])?;
/// let options = RateSimulation { dt_ms: 0.1, seed: 1 };
/// let mut simulator = RateSimulator::new(&model, Vec::new(), History::Constant, options)?;
/// simulator.advance(5000)?;
/// // The fixed point r* = I/(1 − J) = 2/3.
/// assert!((simulator.rates(0)[0] - 2.0 / 3.0).abs() < 1e-9);
/// # Ok::<(), cajal::rate::RateError>(())
/// ```
#[derive(Debug)]
pub struct RateSimulator {
    dt_ms: f64,
    /// Steps done: the state is r at t = step·h.
    step: u64,
    populations: Vec<PopulationState>,
    couplings: Vec<CouplingState>,
    inputs: Vec<BuiltInput>,
    /// Whether some coupling has D < h and so reads the predicted rates.
    predicts: bool,
    /// Why the run stopped, if it did.
    failure: Option<RateError>,
}

/// A population's parameters, propagators and state (one value per point).
#[derive(Debug)]
struct PopulationState {
    name: String,
    transfer: TransferFunction,
    /// I, with the constant inputs acting over the whole run.
    bias: f64,
    propagator: Propagator,
    /// r(t_n).
    rate: Vec<f64>,
    /// r̃(t_{n+1}) of the predictor, then r_{n+1} before it replaces `rate`.
    predicted: Vec<f64>,
    /// The external input's mean over the step.
    external: Vec<f64>,
    /// Whether an input other than a constant acts on the population.
    driven: bool,
    /// The argument of Φ, then g = Φ(…), at t_n.
    drive_start: Vec<f64>,
    /// The same at t_{n+1}.
    drive_end: Vec<f64>,
}

/// E = e^(−h/τ) and the weights of the exponential Euler and trapezoidal rules; derived
/// once from τ and h.
#[derive(Clone, Copy, Debug)]
struct Propagator {
    decay: f64,
    /// 1 − E.
    euler: f64,
    /// 1 − E − c.
    start: f64,
    /// c = 1 − τ(1 − E)/h.
    end: f64,
}

impl Propagator {
    fn new(tau_ms: f64, dt_ms: f64) -> Propagator {
        let x = dt_ms / tau_ms;
        let euler = -(-x).exp_m1();
        // c = 1 − (1 − e^(−x))/x = Σ_{k≥1} (−1)^(k+1) x^k/(k + 1)!: for small x the closed
        // form cancels catastrophically (c ≈ x/2 from 1 − (1 − x/2)), so use the series,
        // whose first omitted term is below x⁷/8! < 10⁻¹⁸ x for x < 0.01.
        let end = if x < 0.01 {
            x * (1.0 / 2.0 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x * (1.0 / 120.0 - x / 720.0))))
        } else {
            1.0 - euler / x
        };
        Propagator {
            decay: (-x).exp(),
            euler,
            start: euler - end,
            end,
        }
    }
}

/// A coupling's convolution and the past of its convolved input.
#[derive(Debug)]
struct CouplingState {
    source: usize,
    target: usize,
    convolution: Convolution,
    past: DelayLine,
    /// J ⋆ r̃_{n+1}, for a coupling with D < h.
    predicted: Vec<f64>,
}

/// The last values of a convolved input, one per step, in a ring buffer, read at t − D by
/// linear interpolation.
#[derive(Debug)]
struct DelayLine {
    size: usize,
    slots: usize,
    /// `slots` × `size` values; step k at slot k mod `slots`.
    values: Vec<f64>,
    /// The last step stored.
    newest: i64,
    /// D = (whole + fraction)·h.
    whole: i64,
    fraction: f64,
}

impl DelayLine {
    fn new(size: usize, delay_ms: f64, dt_ms: f64) -> DelayLine {
        let mut steps = delay_ms / dt_ms;
        if (steps - steps.round()).abs() <= 1e-9 * steps.max(1.0) {
            steps = steps.round();
        }
        let whole = steps.floor();
        // Steps n − whole − 1 … n are read while stepping from n: whole + 2 slots.
        let slots = whole as usize + 2;
        DelayLine {
            size,
            slots,
            values: vec![0.0; slots * size],
            newest: 0,
            whole: whole as i64,
            fraction: steps - whole,
        }
    }

    fn slot(&self, step: i64) -> std::ops::Range<usize> {
        let slot = step.rem_euclid(self.slots as i64) as usize;
        slot * self.size..(slot + 1) * self.size
    }

    /// The storage for step `step` (to fill the past, or step newest + 1).
    fn slot_mut(&mut self, step: i64) -> &mut [f64] {
        let range = self.slot(step);
        &mut self.values[range]
    }

    /// Adds c(t_j − D) to `out`, with c(t_{newest + 1}) = `predicted`.
    fn add_delayed(&self, j: i64, predicted: &[f64], out: &mut [f64]) {
        let at = |step: i64| -> &[f64] {
            if step > self.newest {
                predicted
            } else {
                &self.values[self.slot(step)]
            }
        };
        let later = at(j - self.whole);
        if self.fraction == 0.0 {
            for (o, &c) in out.iter_mut().zip(later) {
                *o += c;
            }
        } else {
            let earlier = at(j - self.whole - 1);
            let (a, b) = (1.0 - self.fraction, self.fraction);
            for ((o, &c1), &c0) in out.iter_mut().zip(later).zip(earlier) {
                *o += a * c1 + b * c0;
            }
        }
    }
}

/// r(t) for t ≤ 0 of one population.
fn history_at(series: &TimeSeries, time_ms: f64) -> f64 {
    let times = &series.times_ms;
    let values = &series.values;
    let after = times.partition_point(|&t| t <= time_ms);
    if after == 0 {
        return values[0];
    }
    if after == times.len() {
        return values[after - 1];
    }
    match series.interpolation {
        Interpolation::Step => values[after - 1],
        Interpolation::Linear => {
            let (t0, t1) = (times[after - 1], times[after]);
            let (v0, v1) = (values[after - 1], values[after]);
            v0 + (v1 - v0) * (time_ms - t0) / (t1 - t0)
        }
    }
}

fn check_history(series: &TimeSeries) -> Result<(), String> {
    if series.times_ms.is_empty() {
        return Err("no samples".into());
    }
    if series.times_ms.len() != series.values.len() {
        return Err(format!(
            "{} times but {} values",
            series.times_ms.len(),
            series.values.len()
        ));
    }
    for (index, (&t, &v)) in series.times_ms.iter().zip(&series.values).enumerate() {
        if !t.is_finite() || !v.is_finite() {
            return Err(format!("sample {index} ({t} ms, {v}) is not finite"));
        }
        if t > 0.0 {
            return Err(format!(
                "sample {index} is at {t} ms; a history ends at t = 0"
            ));
        }
        if index > 0 && t <= series.times_ms[index - 1] {
            return Err(format!("the times do not increase at sample {index}"));
        }
    }
    Ok(())
}

impl RateSimulator {
    /// Builds the simulation of `model` driven by `inputs`, from `history`, with `options`.
    ///
    /// # Errors
    /// [`RateError::Invalid`] for a step that is not a positive finite number, an invalid
    /// input (naming its index: a target that does not exist, an empty window, a bump on a
    /// single rate or with a bad shape, a Poisson input, any parameter the input module
    /// refuses), or an invalid history (wrong length, a history for a field, samples that
    /// are not finite, not increasing or after 0).
    pub fn new(
        model: &RateModel,
        inputs: Vec<RateInput>,
        history: History,
        options: RateSimulation,
    ) -> Result<RateSimulator, RateError> {
        Self::with_method(model, inputs, history, options, Method::Automatic)
    }

    /// [`Self::new`] choosing how fields are convolved.
    pub(crate) fn with_method(
        model: &RateModel,
        inputs: Vec<RateInput>,
        history: History,
        options: RateSimulation,
        method: Method,
    ) -> Result<RateSimulator, RateError> {
        let dt_ms = options.dt_ms;
        if !(dt_ms.is_finite() && dt_ms > 0.0) {
            return Err(RateError::Invalid(format!(
                "the time step is {dt_ms} ms; it must be a positive number"
            )));
        }
        let count = model.populations().len();
        let histories: Vec<Option<TimeSeries>> = match history {
            History::Constant => vec![None; count],
            History::Given(histories) => {
                if histories.len() != count {
                    return Err(RateError::Invalid(format!(
                        "the history has {} entries; the model has {count} populations",
                        histories.len()
                    )));
                }
                for (population, series) in model.populations().iter().zip(&histories) {
                    let Some(series) = series else { continue };
                    let name = &population.name;
                    if population.geometry != Geometry::Single {
                        return Err(RateError::Invalid(format!(
                            "population `{name}` is a field; its history is constant (its \
                             initial rate), only single rates take a given history"
                        )));
                    }
                    check_history(series).map_err(|m| {
                        RateError::Invalid(format!("the history of population `{name}`: {m}"))
                    })?;
                }
                histories
            }
        };

        let built: Vec<BuiltInput> = inputs
            .iter()
            .enumerate()
            .map(|(index, input)| BuiltInput::new(index, input, model, options.seed, dt_ms))
            .collect::<Result<_, _>>()?;

        let mut populations: Vec<PopulationState> = model
            .populations()
            .iter()
            .zip(&histories)
            .map(|(p, history)| {
                let size = p.geometry.size();
                let initial = history
                    .as_ref()
                    .map_or(p.initial_rate, |h| history_at(h, 0.0));
                PopulationState {
                    name: p.name.clone(),
                    transfer: p.transfer,
                    bias: p.input,
                    propagator: Propagator::new(p.time_constant_ms, dt_ms),
                    rate: vec![initial; size],
                    predicted: vec![initial; size],
                    external: vec![0.0; size],
                    driven: false,
                    drive_start: vec![0.0; size],
                    drive_end: vec![0.0; size],
                }
            })
            .collect();
        for input in &built {
            let population = &mut populations[input.target];
            match input.delivery {
                Delivery::Constant(amplitude) => population.bias += amplitude,
                _ => population.driven = true,
            }
        }
        let inputs = built
            .into_iter()
            .filter(|input| !matches!(input.delivery, Delivery::Constant(_)))
            .collect();

        let mut couplings = Vec::with_capacity(model.couplings().len());
        for coupling in model.couplings() {
            let source = &model.populations()[coupling.source];
            let size = source.geometry.size();
            let mut convolution = match &coupling.strength {
                CouplingStrength::Weight(weight) => Convolution::Weight(*weight),
                CouplingStrength::Kernel(kernel) => Convolution::new(
                    &kernel.values_on(&source.geometry),
                    &source.geometry,
                    method,
                ),
            };
            let mut past = DelayLine::new(size, coupling.delay_ms, dt_ms);
            // The past of the convolved input, c(t_k) = J ⋆ r(t_k) for k = −(slots − 1) … 0.
            let oldest = -(past.slots as i64 - 1);
            match &histories[coupling.source] {
                None => {
                    let rate = &populations[coupling.source].rate;
                    convolution.apply(rate, past.slot_mut(0));
                    let first = past.slot(0);
                    for k in oldest..0 {
                        let range = past.slot(k);
                        past.values.copy_within(first.clone(), range.start);
                    }
                }
                Some(series) => {
                    for k in oldest..=0 {
                        let rate = [history_at(series, k as f64 * dt_ms)];
                        convolution.apply(&rate, past.slot_mut(k));
                    }
                }
            }
            couplings.push(CouplingState {
                source: coupling.source,
                target: coupling.target,
                convolution,
                predicted: vec![0.0; if past.whole == 0 { size } else { 0 }],
                past,
            });
        }
        let predicts = couplings.iter().any(|c| c.past.whole == 0);
        Ok(RateSimulator {
            dt_ms,
            step: 0,
            populations,
            couplings,
            inputs,
            predicts,
            failure: None,
        })
    }

    /// Integrates `steps` steps of h.
    ///
    /// # Errors
    /// [`RateError::Invalid`] if a rate stops being finite (the model diverged); the state
    /// then stays at the last finite step, and every later call returns the same error.
    pub fn advance(&mut self, steps: u64) -> Result<(), RateError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        for _ in 0..steps {
            if let Err(failure) = self.step() {
                self.failure = Some(failure.clone());
                return Err(failure);
            }
        }
        Ok(())
    }

    /// t (ms) of the current state: steps done × h.
    pub fn time_ms(&self) -> f64 {
        self.step as f64 * self.dt_ms
    }

    /// The current rates of population `population` (index into
    /// [`RateModel::populations`]): one value for a single rate, one per point of a field
    /// (a torus point (i, j) at index i·N_y + j).
    ///
    /// # Panics
    /// If `population` is not an index of the model's populations.
    pub fn rates(&self, population: usize) -> &[f64] {
        &self.populations[population].rate
    }

    /// Whether the coupling `index` convolves by projection onto Fourier modes.
    #[cfg(test)]
    pub(crate) fn uses_modes(&self, index: usize) -> bool {
        self.couplings[index].convolution.is_modes()
    }

    /// One step from t_n to t_{n+1}, in the order of its phases.
    fn step(&mut self) -> Result<(), RateError> {
        let n = self.step as i64;
        self.deliver_inputs();
        self.evaluate_drive(n);
        if self.predicts {
            self.predict();
        }
        self.evaluate_drive(n + 1);
        self.correct()?;
        self.store_past();
        self.step += 1;
        Ok(())
    }

    /// The external inputs' means over [t_n, t_{n+1}).
    fn deliver_inputs(&mut self) {
        for population in &mut self.populations {
            if population.driven {
                population.external.fill(0.0);
            }
        }
        let clock = StepClock {
            step: self.step,
            time_ms: self.time_ms(),
            dt_ms: self.dt_ms,
        };
        for input in &mut self.inputs {
            input.deliver(clock, &mut self.populations[input.target].external);
        }
    }

    /// g = Φ(I + I_ext + Σ_j c_ij(t_j − D_ij)) at step `j` (n: start of the step, n + 1: end).
    fn evaluate_drive(&mut self, j: i64) {
        let at_start = j == self.step as i64;
        for population in &mut self.populations {
            let bias = population.bias;
            let drive = if at_start {
                &mut population.drive_start
            } else {
                &mut population.drive_end
            };
            if population.driven {
                for (d, &e) in drive.iter_mut().zip(&population.external) {
                    *d = bias + e;
                }
            } else {
                drive.fill(bias);
            }
        }
        for coupling in &self.couplings {
            let target = &mut self.populations[coupling.target];
            let drive = if at_start {
                &mut target.drive_start
            } else {
                &mut target.drive_end
            };
            coupling.past.add_delayed(j, &coupling.predicted, drive);
        }
        for population in &mut self.populations {
            let transfer = population.transfer;
            let drive = if at_start {
                &mut population.drive_start
            } else {
                &mut population.drive_end
            };
            for d in drive.iter_mut() {
                *d = transfer.apply(*d);
            }
        }
    }

    /// Exponential Euler r̃_{n+1} = E r_n + (1 − E) g_n, and J ⋆ r̃ for couplings with D < h.
    fn predict(&mut self) {
        for population in &mut self.populations {
            let Propagator { decay, euler, .. } = population.propagator;
            for ((p, &r), &g) in population
                .predicted
                .iter_mut()
                .zip(&population.rate)
                .zip(&population.drive_start)
            {
                *p = decay * r + euler * g;
            }
        }
        for coupling in &mut self.couplings {
            if coupling.past.whole == 0 {
                let source = &self.populations[coupling.source].predicted;
                coupling.convolution.apply(source, &mut coupling.predicted);
            }
        }
    }

    /// r_{n+1} = E r_n + (1 − E − c) g_n + c g_{n+1}; a rate that is no longer finite ends
    /// the run, leaving r_n in place.
    fn correct(&mut self) -> Result<(), RateError> {
        // r_{n+1} goes into the predictor's buffer, free once g_{n+1} is known, and replaces
        // r_n only if every population stayed finite.
        for population in &mut self.populations {
            let Propagator {
                decay, start, end, ..
            } = population.propagator;
            let mut finite = true;
            for (((next, &r), &g0), &g1) in population
                .predicted
                .iter_mut()
                .zip(&population.rate)
                .zip(&population.drive_start)
                .zip(&population.drive_end)
            {
                *next = decay * r + start * g0 + end * g1;
                finite &= next.is_finite();
            }
            if !finite {
                return Err(RateError::Invalid(format!(
                    "population `{}` diverged at t = {} ms (rate instability? J > 1 with \
                     linear Φ grows without bound)",
                    population.name,
                    (self.step + 1) as f64 * self.dt_ms
                )));
            }
        }
        for population in &mut self.populations {
            std::mem::swap(&mut population.rate, &mut population.predicted);
        }
        Ok(())
    }

    /// c_{n+1} = J ⋆ r_{n+1} into every coupling's past.
    fn store_past(&mut self) {
        let next = self.step as i64 + 1;
        for coupling in &mut self.couplings {
            let source = &self.populations[coupling.source].rate;
            coupling
                .convolution
                .apply(source, coupling.past.slot_mut(next));
            coupling.past.newest = next;
        }
    }
}

/// Rates sampled at regular times.
#[derive(Clone, Debug, PartialEq)]
pub struct RateRecording {
    /// The sample times (ms): 0, interval, 2·interval, … ≤ duration.
    pub times_ms: Vec<f64>,
    /// Per population, the samples one after the other: sample s of population p, of size
    /// N_p, is `rates[p][s·N_p..(s + 1)·N_p]`.
    pub rates: Vec<Vec<f64>>,
}

/// Integrates `model` for `duration_ms` and records every population at t = 0,
/// `record_interval_ms`, 2·`record_interval_ms`, … ≤ `duration_ms` (the run stops at the last
/// of these times).
///
/// # Errors
/// Those of [`RateSimulator::new`] and [`RateSimulator::advance`]; [`RateError::Invalid`]
/// for a duration that is negative or not finite, a record interval that is not a whole
/// number (≥ 1) of steps, or a recording of more than [`MAX_RECORDED_VALUES`] values.
pub fn simulate(
    model: &RateModel,
    inputs: Vec<RateInput>,
    history: History,
    options: RateSimulation,
    duration_ms: f64,
    record_interval_ms: f64,
) -> Result<RateRecording, RateError> {
    let invalid = |message: String| Err(RateError::Invalid(message));
    if !(duration_ms.is_finite() && duration_ms >= 0.0) {
        return invalid(format!(
            "the duration is {duration_ms} ms; it must be a finite number >= 0"
        ));
    }
    let dt_ms = options.dt_ms;
    let ratio = record_interval_ms / dt_ms;
    let steps_per_sample = ratio.round();
    if !(ratio.is_finite()
        && steps_per_sample >= 1.0
        && (ratio - steps_per_sample).abs() <= 1e-9 * steps_per_sample)
    {
        return invalid(format!(
            "the record interval ({record_interval_ms} ms) must be a whole number of time \
             steps ({dt_ms} ms)"
        ));
    }
    let interval_ms = steps_per_sample * dt_ms;
    // Samples after t = 0; a duration a whole number of intervals up to rounding counts it.
    let later = (duration_ms / interval_ms * (1.0 + 1e-12)).floor() as u64;
    let samples = later + 1;
    let total: u128 = model
        .populations()
        .iter()
        .map(|p| u128::from(samples) * p.geometry.size() as u128)
        .sum();
    if total > u128::from(MAX_RECORDED_VALUES) {
        let largest = model
            .populations()
            .iter()
            .max_by_key(|p| p.geometry.size())
            .expect("a model has a population");
        return invalid(format!(
            "the recording would hold {total} values ({samples} samples; population `{}` has \
             {} points), more than {MAX_RECORDED_VALUES}: record less often (a longer record \
             interval) or a shorter run",
            largest.name,
            largest.geometry.size()
        ));
    }
    let mut simulator = RateSimulator::new(model, inputs, history, options)?;
    let mut rates: Vec<Vec<f64>> = model
        .populations()
        .iter()
        .map(|p| Vec::with_capacity(samples as usize * p.geometry.size()))
        .collect();
    let mut times_ms = Vec::with_capacity(samples as usize);
    for sample in 0..samples {
        if sample > 0 {
            simulator.advance(steps_per_sample as u64)?;
        }
        times_ms.push(simulator.time_ms());
        for (p, recorded) in rates.iter_mut().enumerate() {
            recorded.extend_from_slice(simulator.rates(p));
        }
    }
    Ok(RateRecording { times_ms, rates })
}
