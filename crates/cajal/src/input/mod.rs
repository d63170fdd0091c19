//! External inputs: currents injected into neurons, current noise, and Poisson spike trains
//! from outside the network.
//!
//! # Conventions
//!
//! - Times are in ms. A current is in the input unit of the target model (pA for the
//!   integrate-and-fire models, µA/cm² for Hodgkin–Huxley, the input unit of a rate unit);
//!   a Poisson weight is a voltage (mV) for a delta synapse and a current for an exponential
//!   or alpha synapse (for alpha, the peak of the synaptic current).
//! - An input acts on a list of neurons of one population during a window
//!   [start, stop) (stop may be infinite): the window multiplies the input, so nothing is
//!   delivered outside it.
//! - The neuron models hold the external current constant over a step [t, t + dt). A
//!   deterministic waveform I(t) therefore delivers its exact mean over the step,
//!   (1/dt) ∫ₜ^(t+dt) W(s) I(s) ds with W the window's indicator: this injects exactly the
//!   charge of the waveform, whatever dt, so a ramp gives its value at the step's midpoint, a
//!   pulse covering a fraction f of a step gives f × amplitude, and a change aligned to the
//!   grid takes effect in the step that starts there.
//!
//! # The inputs
//!
//! | kind | I(t) |
//! |---|---|
//! | [`InputKind::Constant`] | A |
//! | [`InputKind::Steps`] | Aᵢ for tᵢ ≤ t < tᵢ₊₁; 0 before t₀; the last amplitude holds forever |
//! | [`InputKind::PulseTrain`] | A for t₀ + kT ≤ t < t₀ + kT + w, k = 0, 1, … (count pulses or forever); 0 otherwise |
//! | [`InputKind::Ramp`] | `from` before t_a, `from` + (`to` − `from`)(t − t_a)/(t_b − t_a) between, `to` after t_b |
//! | [`InputKind::TimeSeries`] | the samples, stepped or linearly interpolated; 0 before the first, the last held after the last |
//! | [`InputKind::WhiteNoise`] | μ + σ √τ ξ(t), ⟨ξ(t)ξ(t′)⟩ = δ(t − t′) |
//! | [`InputKind::OrnsteinUhlenbeck`] | τ_c dI/dt = μ − I + σ √(2τ_c) ξ(t) |
//! | [`InputKind::Poisson`] | K independent Poisson trains of rate ν through a delta, exponential or alpha synapse |
//! | [`InputKind::PoissonProfile`] | K Poisson trains of rate ν(t) (a [`RateProfile`]), independent per neuron or one train shared by all |
//!
//! **White noise.** Over a step the mean of μ + σ√τ ξ is μ + σ √(τ/dt) N(0, 1), independent
//! between steps and neurons; this is exact, so statistics of the simulated neuron converge as
//! dt → 0 instead of depending on dt. σ is the standard deviation of the current averaged over
//! the time scale τ. A step only partly inside the window receives, exactly, the mean over
//! the step of the windowed noise: f μ + σ √(τ/dt) √f N(0, 1) for a covered fraction f.
//!
//! **Ornstein–Uhlenbeck noise.** The update over a step is exact (Gillespie 1996, Phys. Rev.
//! E 54:2084): I ← μ + (I − μ) e^(−dt/τ_c) + σ √(1 − e^(−2dt/τ_c)) N(0, 1). The initial value
//! is drawn from the stationary distribution N(μ, σ²), so the process is stationary from the
//! start: standard deviation σ, autocorrelation e^(−|s|/τ_c). A step receives the value at
//! its start (times the covered fraction of the window). The process keeps evolving outside
//! the window, so it is stationary when the window opens.
//!
//! **Poisson input.** The superposition of K independent Poisson trains of rate ν is a
//! Poisson train of rate Kν, so the number of spikes arriving in a step is drawn exactly as
//! k ~ Poisson(Kν dt) (inside the window; the mean scales with the covered fraction). A delta
//! synapse makes the membrane potential jump by k·w at the end of the step; an exponential or
//! alpha synapse adds k·w to the receptor's arriving weights, taken up at the end of the step
//! (see [`crate::synapse`]).
//!
//! **Poisson input with a rate profile.** For a rate ν(t) the count in the covered part
//! [a, b) of a step is drawn as k ~ Poisson(K ∫ₐᵇ ν dt), which is exact for an inhomogeneous
//! Poisson process (see [`RateProfile`]); the integral is exact too. With `shared` set, the
//! input is *one* process (K superposed sources) whose count is added to every target in the
//! step: common input, as from a single `poisson_generator` in NEST connected to all of them.
//! Without it every neuron has its own process, as for [`InputKind::Poisson`].
//!
//! # Random numbers
//!
//! Every random input draws, for each of its neurons, from its own stream
//! `stream(seed, Purpose::Input, input_index, neuron)` (see [`crate::rng`]): a neuron's noise
//! does not depend on which other neurons the input drives, on the order of updates, or on
//! the number of threads. Deterministic inputs hold no per-neuron state. Poisson counts are
//! counter-based: word `step` of the key `key(seed, Purpose::InputCounter, input_index,
//! neuron)`; a shared input's one train uses the key of a neuron number no population has
//! ([`SHARED_TRAIN`]), so every thread that holds some of its targets draws the same count.

pub(crate) mod file;
mod poisson_table;
mod rate_profile;
mod waveform;

pub use poisson_table::{MAX_TABLE_MEAN, PoissonTable, VaryingPoisson};
pub use rate_profile::RateProfile;

pub(crate) use file::read_npy_numbers;
pub use file::read_time_series;

use std::path::PathBuf;

use rand_distr::{Distribution, Poisson, StandardNormal};

use crate::neuron::StepClock;
use crate::rng::{Purpose, Stream, counter_word, key, stream};
use crate::synapse::{AlphaReceptor, ExponentialReceptor};

/// Where an input puts what it delivers during a step: the buffers of the target population.
/// Every input *adds* to them.
#[derive(Debug)]
pub struct InputSink<'a> {
    /// External current of each neuron of the population over the step (model input unit).
    pub current: &'a mut [f64],
    /// Voltage jumps (mV) of each neuron from delta synapses, applied at the end of the step.
    pub voltage_jumps: &'a mut [f64],
    /// The population's exponential receptors; inputs add spike weights to
    /// `receptors[k].arriving[neuron]`.
    pub receptors: &'a mut [ExponentialReceptor],
    /// The population's alpha receptors; inputs add spike weights to
    /// `alpha_receptors[k].arriving[neuron]`.
    pub alpha_receptors: &'a mut [AlphaReceptor],
}

/// How a [`TimeSeries`] is read between its samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// Sample i holds from its time until the next sample's time (zero-order hold).
    Step,
    /// Straight line between consecutive samples.
    Linear,
}

/// A sampled waveform: values at strictly increasing times.
///
/// The waveform is 0 before the first time and holds the last value after the last time.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSeries {
    /// Sample times (ms), strictly increasing.
    pub times_ms: Vec<f64>,
    /// Sample values (model input unit), one per time.
    pub values: Vec<f64>,
    /// How to read the waveform between samples.
    pub interpolation: Interpolation,
}

/// Which synapse a Poisson input's spikes arrive through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoissonSynapse {
    /// The membrane potential jumps by the weight (mV) at the end of the step.
    Delta,
    /// The weight (a current) is added to an exponentially decaying synaptic current.
    Exponential {
        /// Index into [`InputSink::receptors`], assigned by the engine builder.
        receptor: usize,
    },
    /// The weight (a current) is the peak of an alpha-shaped synaptic current.
    Alpha {
        /// Index into [`InputSink::alpha_receptors`], assigned by the engine builder.
        receptor: usize,
    },
}

/// What an input delivers; the module documentation gives the equations.
#[derive(Clone, Debug, PartialEq)]
pub enum InputKind {
    /// A constant current.
    Constant {
        /// The current (model input unit).
        amplitude: f64,
    },
    /// A piecewise-constant current: `amplitudes[i]` from `times_ms[i]` until
    /// `times_ms[i + 1]` (the last one forever); 0 before `times_ms[0]`.
    Steps {
        /// Times (ms) at which the current changes, strictly increasing.
        times_ms: Vec<f64>,
        /// The current from each time on.
        amplitudes: Vec<f64>,
    },
    /// Rectangular pulses of `amplitude` and width `width_ms`, starting at `first_ms` and
    /// every `period_ms` after it; `count` pulses, or forever if `None`.
    PulseTrain {
        /// Current during a pulse.
        amplitude: f64,
        /// Duration of a pulse (ms), 0 < width ≤ period.
        width_ms: f64,
        /// Time between pulse onsets (ms).
        period_ms: f64,
        /// Onset of the first pulse (ms).
        first_ms: f64,
        /// Number of pulses (at least 1), or `None` for an endless train.
        count: Option<u64>,
    },
    /// `from` before `start_ms`, a linear change from `from` to `to` between `start_ms` and
    /// `stop_ms`, and `to` after `stop_ms`.
    Ramp {
        /// Current before the ramp.
        from: f64,
        /// Current after the ramp.
        to: f64,
        /// Start of the ramp (ms).
        start_ms: f64,
        /// End of the ramp (ms), after its start.
        stop_ms: f64,
    },
    /// A sampled waveform.
    TimeSeries(TimeSeries),
    /// Gaussian white noise μ + σ√τ ξ(t), independent between neurons.
    WhiteNoise {
        /// μ: mean current.
        mean: f64,
        /// σ: standard deviation of the current averaged over `time_scale_ms`.
        std: f64,
        /// τ: the averaging time that defines σ (ms).
        time_scale_ms: f64,
    },
    /// Ornstein–Uhlenbeck (exponentially correlated) noise, independent between neurons.
    OrnsteinUhlenbeck {
        /// μ: mean current.
        mean: f64,
        /// σ: stationary standard deviation.
        std: f64,
        /// τ_c: correlation time (ms).
        correlation_time_ms: f64,
    },
    /// Spikes from `sources` independent Poisson sources of rate `rate_hz` per neuron.
    Poisson {
        /// Rate of each source (Hz).
        rate_hz: f64,
        /// Effect of one spike: a voltage jump (mV, delta synapse) or a current (exponential).
        weight: f64,
        /// Number of independent sources per neuron (at least 1).
        sources: u32,
        /// How the spikes act on the neuron.
        synapse: PoissonSynapse,
    },
    /// Spikes from `sources` Poisson sources whose rate follows `rate`: independent trains
    /// per neuron, or with `shared` one train delivered identically to every target.
    PoissonProfile {
        /// ν(t) of each source.
        rate: RateProfile,
        /// Effect of one spike: a voltage jump (mV, delta synapse) or a current (exponential).
        weight: f64,
        /// Number of sources superposed in a train (at least 1).
        sources: u32,
        /// How the spikes act on the neuron.
        synapse: PoissonSynapse,
        /// One train for all targets (common input) rather than one per target.
        shared: bool,
    },
}

/// The neuron number whose counter-based key a shared Poisson train draws from: beyond any
/// neuron of any population part (they are below 2³³), so it is nobody's own stream.
pub const SHARED_TRAIN: u64 = u64::MAX;

/// A value with its unit, for error messages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quantity {
    /// The number.
    pub value: f64,
    /// Its unit ("" if none).
    pub unit: &'static str,
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unit.is_empty() {
            write!(f, "{}", self.value)
        } else {
            write!(f, "{} {}", self.value, self.unit)
        }
    }
}

/// An invalid input or an unreadable time-series file.
#[derive(thiserror::Error, Debug)]
pub enum InputError {
    /// A parameter is NaN or infinite.
    #[error("{name} must be a finite number, got {value}")]
    NotFinite {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A parameter that must not be negative is.
    #[error("negative {name} ({value})")]
    Negative {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: Quantity,
    },
    /// A sample of a profile that must not be negative is.
    #[error("{what}: negative value at index {index} ({value})")]
    NegativeAt {
        /// Which profile.
        what: &'static str,
        /// Index of the sample (from 0).
        index: usize,
        /// Its value.
        value: Quantity,
    },
    /// A parameter that must be positive is not.
    #[error("{name} must be positive, got {value}")]
    NotPositive {
        /// Which parameter.
        name: &'static str,
        /// Its value.
        value: Quantity,
    },
    /// A pulse is longer than the time between pulses.
    #[error("pulse width ({width_ms} ms) exceeds the period ({period_ms} ms)")]
    PulseWidthExceedsPeriod {
        /// Pulse width (ms).
        width_ms: f64,
        /// Period (ms).
        period_ms: f64,
    },
    /// A pulse train with `count = Some(0)`.
    #[error("a pulse train needs at least one pulse (count is 0)")]
    NoPulses,
    /// A Poisson input with no sources.
    #[error("a Poisson input needs at least one source (sources is 0)")]
    NoSources,
    /// The mean spike count per step is beyond what the Poisson sampler supports.
    #[error("Poisson input: mean spike count per step ({mean}) is too large")]
    PoissonMeanTooLarge {
        /// sources × rate × dt.
        mean: f64,
    },
    /// An interval whose end is not after its start.
    #[error("{what}: stop ({stop_ms} ms) is not after start ({start_ms} ms)")]
    EmptyInterval {
        /// Which interval (the input's window, a ramp).
        what: &'static str,
        /// Start (ms).
        start_ms: f64,
        /// Stop (ms).
        stop_ms: f64,
    },
    /// Times and values of different lengths.
    #[error("{what}: {times} times but {values} values")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Number of times.
        times: usize,
        /// Number of values.
        values: usize,
    },
    /// A waveform without samples.
    #[error("{what}: no samples")]
    NoSamples {
        /// Which input.
        what: &'static str,
    },
    /// A sample time or value is NaN or infinite.
    #[error("{what}: {name} at index {index} is not a finite number ({value})")]
    NotFiniteAt {
        /// Which input.
        what: &'static str,
        /// "time" or "value".
        name: &'static str,
        /// Index of the sample (from 0).
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Sample times that do not strictly increase.
    #[error("{what}: times not increasing at index {index} ({time} ms after {previous} ms)")]
    TimesNotIncreasing {
        /// Which input.
        what: &'static str,
        /// Index of the offending time (from 0).
        index: usize,
        /// The time before it (ms).
        previous: f64,
        /// The offending time (ms).
        time: f64,
    },
    /// The same neuron appears twice in an input's neuron list.
    #[error("neuron {0} is listed twice")]
    DuplicateNeuron(u32),
    /// A file could not be opened or read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A problem at a line of a CSV file.
    #[error("{}, line {line}: {message}", .path.display())]
    CsvLine {
        /// The file.
        path: PathBuf,
        /// One-based line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A problem with a file as a whole (or with an element of a .npy array).
    #[error("{}: {message}", .path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// An input bound to neurons of one population, with its window and random state.
#[derive(Clone, Debug)]
pub struct Input {
    kind: InputKind,
    neurons: Vec<u32>,
    start_ms: f64,
    stop_ms: f64,
    /// The step the derived constants below were computed for.
    dt_ms: f64,
    /// Streams and state of random inputs; `None` for deterministic waveforms.
    noise: Option<Noise>,
}

/// Per-neuron random state of a noise or Poisson input.
#[derive(Clone, Debug)]
struct Noise {
    /// One stream per entry of `Input::neurons`.
    streams: Vec<Stream>,
    /// One counter-based key per entry of `Input::neurons` (Poisson inputs): the count of a
    /// full step is drawn from word `step` of the key's stream, with no state to load.
    keys: Vec<u64>,
    process: Process,
}

/// A random input's parameters, the constants derived from them and dt, and its state.
#[derive(Clone, Debug)]
enum Process {
    White {
        mean: f64,
        std: f64,
        time_scale_ms: f64,
        /// σ √(τ/dt): standard deviation of the step mean.
        step_std: f64,
    },
    OrnsteinUhlenbeck {
        mean: f64,
        std: f64,
        correlation_time_ms: f64,
        /// Current value of each neuron, at the start of step `next_step`.
        values: Vec<f64>,
        /// The step at whose start `values` is; `None` before the first delivery.
        next_step: Option<u64>,
        /// e^(−dt/τ_c).
        decay: f64,
        /// σ √(1 − e^(−2dt/τ_c)).
        kick: f64,
    },
    Poisson {
        rate_hz: f64,
        sources: u32,
        weight: f64,
        synapse: PoissonSynapse,
        /// Mean count in a full step, K ν dt.
        mean_per_step: f64,
        /// Distribution of the count in a full step; `None` when the rate is 0.
        full_step: Option<Poisson<f64>>,
        /// The same as a lookup table (a few ns per draw), for means up to
        /// [`poisson_table::MAX_TABLE_MEAN`].
        table: Option<PoissonTable>,
    },
    Profile {
        rate: RateProfile,
        sources: u32,
        weight: f64,
        synapse: PoissonSynapse,
        shared: bool,
        /// The distribution of the current step's count.
        counts: VaryingPoisson,
    },
}

fn finite(name: &'static str, value: f64) -> Result<f64, InputError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(InputError::NotFinite { name, value })
    }
}

fn positive(name: &'static str, value: f64, unit: &'static str) -> Result<f64, InputError> {
    finite(name, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(InputError::NotPositive {
            name,
            value: Quantity { value, unit },
        })
    }
}

fn non_negative(name: &'static str, value: f64, unit: &'static str) -> Result<f64, InputError> {
    finite(name, value)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(InputError::Negative {
            name,
            value: Quantity { value, unit },
        })
    }
}

/// Checks that `times` and `values` describe a waveform: same non-zero length, finite,
/// times strictly increasing.
fn check_samples(what: &'static str, times: &[f64], values: &[f64]) -> Result<(), InputError> {
    if times.len() != values.len() {
        return Err(InputError::LengthMismatch {
            what,
            times: times.len(),
            values: values.len(),
        });
    }
    if times.is_empty() {
        return Err(InputError::NoSamples { what });
    }
    for (index, (&time, &value)) in times.iter().zip(values).enumerate() {
        for (name, number) in [("time", time), ("value", value)] {
            if !number.is_finite() {
                return Err(InputError::NotFiniteAt {
                    what,
                    name,
                    index,
                    value: number,
                });
            }
        }
        if index > 0 && time <= times[index - 1] {
            return Err(InputError::TimesNotIncreasing {
                what,
                index,
                previous: times[index - 1],
                time,
            });
        }
    }
    Ok(())
}

fn validate(kind: &InputKind) -> Result<(), InputError> {
    match kind {
        InputKind::Constant { amplitude } => {
            finite("amplitude", *amplitude)?;
        }
        InputKind::Steps {
            times_ms,
            amplitudes,
        } => check_samples("steps", times_ms, amplitudes)?,
        InputKind::PulseTrain {
            amplitude,
            width_ms,
            period_ms,
            first_ms,
            count,
        } => {
            finite("amplitude", *amplitude)?;
            positive("pulse width", *width_ms, "ms")?;
            positive("pulse period", *period_ms, "ms")?;
            finite("first pulse time", *first_ms)?;
            if width_ms > period_ms {
                return Err(InputError::PulseWidthExceedsPeriod {
                    width_ms: *width_ms,
                    period_ms: *period_ms,
                });
            }
            if *count == Some(0) {
                return Err(InputError::NoPulses);
            }
        }
        InputKind::Ramp {
            from,
            to,
            start_ms,
            stop_ms,
        } => {
            finite("ramp start value", *from)?;
            finite("ramp end value", *to)?;
            finite("ramp start time", *start_ms)?;
            finite("ramp stop time", *stop_ms)?;
            if stop_ms <= start_ms {
                return Err(InputError::EmptyInterval {
                    what: "ramp",
                    start_ms: *start_ms,
                    stop_ms: *stop_ms,
                });
            }
        }
        InputKind::TimeSeries(series) => {
            check_samples("time series", &series.times_ms, &series.values)?
        }
        InputKind::WhiteNoise {
            mean,
            std,
            time_scale_ms,
        } => {
            finite("noise mean", *mean)?;
            non_negative("noise standard deviation", *std, "")?;
            positive("noise time scale", *time_scale_ms, "ms")?;
        }
        InputKind::OrnsteinUhlenbeck {
            mean,
            std,
            correlation_time_ms,
        } => {
            finite("noise mean", *mean)?;
            non_negative("noise standard deviation", *std, "")?;
            positive("noise correlation time", *correlation_time_ms, "ms")?;
        }
        InputKind::Poisson {
            rate_hz,
            weight,
            sources,
            ..
        } => {
            non_negative("rate", *rate_hz, "Hz")?;
            finite("weight", *weight)?;
            if *sources == 0 {
                return Err(InputError::NoSources);
            }
        }
        InputKind::PoissonProfile {
            rate,
            weight,
            sources,
            ..
        } => {
            rate.validate()?;
            finite("weight", *weight)?;
            if *sources == 0 {
                return Err(InputError::NoSources);
            }
        }
    }
    Ok(())
}

/// Mean spike count per step of a Poisson input, K ν dt (ν in Hz, dt in ms).
fn poisson_mean(rate_hz: f64, sources: u32, dt_ms: f64) -> f64 {
    f64::from(sources) * rate_hz * dt_ms * 1e-3
}

/// The distribution of a count with mean `mean`; `None` for a mean of 0 (no spikes).
fn poisson_distribution(mean: f64) -> Result<Option<Poisson<f64>>, InputError> {
    if mean <= 0.0 {
        return Ok(None);
    }
    Poisson::new(mean)
        .map(Some)
        .map_err(|_| InputError::PoissonMeanTooLarge { mean })
}

/// e^(−Δ/τ_c) and σ √(1 − e^(−2Δ/τ_c)): the exact Ornstein–Uhlenbeck update over Δ.
fn ou_propagators(std: f64, correlation_time_ms: f64, interval_ms: f64) -> (f64, f64) {
    let ratio = interval_ms / correlation_time_ms;
    // 1 − e^(−2Δ/τ) through exp_m1, accurate for Δ ≪ τ.
    ((-ratio).exp(), std * (-(-2.0 * ratio).exp_m1()).sqrt())
}

impl Process {
    /// The process of a random input, with its initial state drawn from `streams`; `None`
    /// for a deterministic input.
    fn new(
        kind: &InputKind,
        dt_ms: f64,
        streams: &mut [Stream],
    ) -> Result<Option<Process>, InputError> {
        let mut process = match *kind {
            InputKind::WhiteNoise {
                mean,
                std,
                time_scale_ms,
            } => Process::White {
                mean,
                std,
                time_scale_ms,
                step_std: 0.0,
            },
            InputKind::OrnsteinUhlenbeck {
                mean,
                std,
                correlation_time_ms,
            } => Process::OrnsteinUhlenbeck {
                mean,
                std,
                correlation_time_ms,
                // Start in the stationary distribution N(μ, σ²).
                values: streams
                    .iter_mut()
                    .map(|rng| mean + std * standard_normal(rng))
                    .collect(),
                next_step: None,
                decay: 0.0,
                kick: 0.0,
            },
            InputKind::Poisson {
                rate_hz,
                weight,
                sources,
                synapse,
            } => Process::Poisson {
                rate_hz,
                sources,
                weight,
                synapse,
                mean_per_step: 0.0,
                full_step: None,
                table: None,
            },
            InputKind::PoissonProfile {
                ref rate,
                weight,
                sources,
                synapse,
                shared,
            } => Process::Profile {
                rate: rate.clone(),
                sources,
                weight,
                synapse,
                shared,
                counts: VaryingPoisson::default(),
            },
            _ => return Ok(None),
        };
        process.set_step(dt_ms)?;
        Ok(Some(process))
    }

    /// Computes the constants that depend on the time step.
    fn set_step(&mut self, dt_ms: f64) -> Result<(), InputError> {
        match self {
            Process::White {
                std,
                time_scale_ms,
                step_std,
                ..
            } => *step_std = *std * (*time_scale_ms / dt_ms).sqrt(),
            Process::OrnsteinUhlenbeck {
                std,
                correlation_time_ms,
                decay,
                kick,
                ..
            } => (*decay, *kick) = ou_propagators(*std, *correlation_time_ms, dt_ms),
            Process::Poisson {
                rate_hz,
                sources,
                mean_per_step,
                full_step,
                table,
                ..
            } => {
                let mean = poisson_mean(*rate_hz, *sources, dt_ms);
                *full_step = poisson_distribution(mean)?;
                *table = (mean > 0.0 && mean <= poisson_table::MAX_TABLE_MEAN)
                    .then(|| PoissonTable::new(mean));
                *mean_per_step = mean;
            }
            Process::Profile { rate, sources, .. } => {
                // The largest count mean a step can have must be within the sampler's range.
                poisson_distribution(poisson_mean(rate.peak_hz(), *sources, dt_ms))?;
            }
        }
        Ok(())
    }
}

#[inline]
fn standard_normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

impl Input {
    /// An input of `kind` acting on `neurons` (indices into the target population; the
    /// builder checks their range) during the window [`start_ms`, `stop_ms`) (`stop_ms` may
    /// be `f64::INFINITY`). Outside the window the input delivers nothing; Ornstein–Uhlenbeck
    /// noise keeps evolving there, so it is stationary when the window opens.
    ///
    /// `seed` is the run's seed and `input_index` this input's index in the model: together
    /// with the neuron they select the neuron's random stream. `dt_ms` is the time step.
    ///
    /// # Errors
    /// Any non-finite parameter, a negative rate or standard deviation, a non-positive time
    /// constant, pulse width or period, a pulse wider than its period, an empty window or
    /// ramp, steps or samples whose times do not strictly increase or whose lengths differ,
    /// a Poisson input without sources, a neuron listed twice, or a non-positive `dt_ms`.
    pub fn new(
        kind: InputKind,
        neurons: Vec<u32>,
        start_ms: f64,
        stop_ms: f64,
        seed: u64,
        input_index: u64,
        dt_ms: f64,
    ) -> Result<Input, InputError> {
        Self::for_part(
            kind,
            neurons,
            0,
            start_ms,
            stop_ms,
            seed,
            input_index,
            dt_ms,
        )
    }

    /// An input to a part of a population that starts at neuron `first_neuron`: `neurons`
    /// index the part's arrays, and neuron `k` of the part draws from the random stream of
    /// neuron `first_neuron + k` of the population — so splitting a population among
    /// threads does not change a single draw.
    #[allow(clippy::too_many_arguments)]
    pub fn for_part(
        kind: InputKind,
        neurons: Vec<u32>,
        first_neuron: u32,
        start_ms: f64,
        stop_ms: f64,
        seed: u64,
        input_index: u64,
        dt_ms: f64,
    ) -> Result<Input, InputError> {
        validate(&kind)?;
        positive("time step", dt_ms, "ms")?;
        finite("window start", start_ms)?;
        if stop_ms.is_nan() || stop_ms == f64::NEG_INFINITY {
            return Err(InputError::NotFinite {
                name: "window stop",
                value: stop_ms,
            });
        }
        if stop_ms <= start_ms {
            return Err(InputError::EmptyInterval {
                what: "input window",
                start_ms,
                stop_ms,
            });
        }
        let mut sorted = neurons.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(InputError::DuplicateNeuron(pair[0]));
        }
        drop(sorted);

        // Deterministic inputs hold no per-neuron state, and rate profiles need only the
        // counter-based keys below.
        let random = matches!(
            kind,
            InputKind::WhiteNoise { .. }
                | InputKind::OrnsteinUhlenbeck { .. }
                | InputKind::Poisson { .. }
        );
        let mut streams: Vec<Stream> = if random {
            neurons
                .iter()
                .map(|&neuron| {
                    let id = u64::from(neuron) + u64::from(first_neuron);
                    stream(seed, Purpose::Input, input_index, id)
                })
                .collect()
        } else {
            Vec::new()
        };
        let keys = match kind {
            InputKind::PoissonProfile { shared: true, .. } => {
                vec![key(seed, Purpose::InputCounter, input_index, SHARED_TRAIN)]
            }
            InputKind::Poisson { .. } | InputKind::PoissonProfile { .. } => neurons
                .iter()
                .map(|&neuron| {
                    let id = u64::from(neuron) + u64::from(first_neuron);
                    key(seed, Purpose::InputCounter, input_index, id)
                })
                .collect(),
            _ => Vec::new(),
        };
        let noise = Process::new(&kind, dt_ms, &mut streams)?.map(|process| Noise {
            streams,
            keys,
            process,
        });
        Ok(Input {
            kind,
            neurons,
            start_ms,
            stop_ms,
            dt_ms,
            noise,
        })
    }

    /// What the input delivers.
    pub fn kind(&self) -> &InputKind {
        &self.kind
    }

    /// The neurons it acts on (indices into the target population).
    pub fn neurons(&self) -> &[u32] {
        &self.neurons
    }

    /// The window [start, stop) (ms) during which the input acts.
    pub fn window_ms(&self) -> (f64, f64) {
        (self.start_ms, self.stop_ms)
    }

    /// `Some(amplitude)` if the input is a constant current acting over the whole run (its
    /// window starts at or before 0 and never ends): the engine can fold it into a bias
    /// current and never call [`Self::deliver`] for it.
    pub fn constant_current(&self) -> Option<f64> {
        match self.kind {
            InputKind::Constant { amplitude }
                if self.start_ms <= 0.0 && self.stop_ms == f64::INFINITY =>
            {
                Some(amplitude)
            }
            _ => None,
        }
    }

    /// The fraction of the step [t, t + dt) inside the window, and the covered interval.
    /// A step wholly inside the window has fraction exactly 1 (not (t + dt − t)/dt, which
    /// can differ from 1 by rounding).
    fn covered(&self, clock: StepClock) -> (f64, f64, f64) {
        let step_end = clock.time_ms + clock.dt_ms;
        if clock.time_ms >= self.start_ms && step_end <= self.stop_ms {
            return (1.0, clock.time_ms, step_end);
        }
        let begin = clock.time_ms.max(self.start_ms);
        let end = step_end.min(self.stop_ms);
        if end > begin {
            (((end - begin) / clock.dt_ms).min(1.0), begin, end)
        } else {
            (0.0, begin, begin)
        }
    }

    /// Adds this input's contribution over the step [`clock.time_ms`,
    /// `clock.time_ms + clock.dt_ms`) to `sink`.
    ///
    /// The engine calls it every step (Ornstein–Uhlenbeck noise also evolves outside the
    /// window; should steps be skipped, the process is advanced exactly over the gap).
    ///
    /// # Panics
    /// If a neuron index is outside the sink's arrays or a synapse's receptor index is
    /// outside `sink.receptors` (`sink.alpha_receptors`): the engine builder guarantees both.
    pub fn deliver(&mut self, clock: StepClock, sink: &mut InputSink) {
        let (fraction, begin, end) = self.covered(clock);
        let Some(noise) = self.noise.as_mut() else {
            if fraction > 0.0
                && let Some(integral) = waveform::integral(&self.kind, begin, end)
            {
                // The waveform's mean over the covered part, times the covered fraction:
                // (1/dt) ∫ over the covered part, without rounding of the step's length.
                let current = integral / (end - begin) * fraction;
                if current != 0.0 {
                    for &neuron in &self.neurons {
                        sink.current[neuron as usize] += current;
                    }
                }
            }
            return;
        };
        if clock.dt_ms != self.dt_ms {
            // The parameters were validated in `new`; only a Poisson mean count beyond what
            // the sampler supports (≈ 1.8·10¹⁹ per step) can fail, and then the constants
            // of the old step are kept.
            if noise.process.set_step(clock.dt_ms).is_ok() {
                self.dt_ms = clock.dt_ms;
            }
        }
        let streams = &mut noise.streams;
        let keys = &noise.keys;
        match &mut noise.process {
            Process::White { mean, step_std, .. } => {
                if fraction == 0.0 {
                    return;
                }
                // Mean over the step of the windowed noise: the integral of σ√τ ξ over the
                // covered time f·dt has variance σ²τ f dt; dividing by dt gives the factor √f.
                let offset = *mean * fraction;
                let scale = *step_std * fraction.sqrt();
                for (&neuron, rng) in self.neurons.iter().zip(streams.iter_mut()) {
                    sink.current[neuron as usize] += offset + scale * standard_normal(rng);
                }
            }
            Process::OrnsteinUhlenbeck {
                mean,
                std,
                correlation_time_ms,
                values,
                next_step,
                decay,
                kick,
            } => {
                let mean = *mean;
                let expected = next_step.unwrap_or(clock.step);
                if clock.step > expected {
                    // Skipped steps: the exact update over the whole gap.
                    let gap_ms = (clock.step - expected) as f64 * clock.dt_ms;
                    let (gap_decay, gap_kick) = ou_propagators(*std, *correlation_time_ms, gap_ms);
                    for (value, rng) in values.iter_mut().zip(streams.iter_mut()) {
                        *value =
                            mean + (*value - mean) * gap_decay + gap_kick * standard_normal(rng);
                    }
                }
                if fraction > 0.0 {
                    for (&neuron, value) in self.neurons.iter().zip(values.iter()) {
                        sink.current[neuron as usize] += fraction * value;
                    }
                }
                for (value, rng) in values.iter_mut().zip(streams.iter_mut()) {
                    *value = mean + (*value - mean) * *decay + *kick * standard_normal(rng);
                }
                *next_step = Some(clock.step + 1);
            }
            Process::Poisson {
                weight,
                synapse,
                mean_per_step,
                full_step,
                table,
                ..
            } => {
                if fraction == 0.0 {
                    return;
                }
                let target: &mut [f64] = match *synapse {
                    PoissonSynapse::Delta => sink.voltage_jumps,
                    PoissonSynapse::Exponential { receptor } => {
                        &mut sink.receptors[receptor].arriving
                    }
                    PoissonSynapse::Alpha { receptor } => {
                        &mut sink.alpha_receptors[receptor].arriving
                    }
                };
                if fraction >= 1.0
                    && let Some(table) = table
                {
                    let weight = *weight;
                    for (&neuron, &key) in self.neurons.iter().zip(keys.iter()) {
                        let count = table.sample_word(counter_word(key, clock.step));
                        if count > 0 {
                            target[neuron as usize] += count as f64 * weight;
                        }
                    }
                    return;
                }
                let partial;
                let distribution = if fraction >= 1.0 {
                    full_step.as_ref()
                } else {
                    // A step at the window's edge: the mean scales with the covered time.
                    partial = poisson_distribution(*mean_per_step * fraction)
                        .ok()
                        .flatten();
                    partial.as_ref()
                };
                let Some(distribution) = distribution else {
                    return;
                };
                let weight = *weight;
                for (&neuron, rng) in self.neurons.iter().zip(streams.iter_mut()) {
                    let count: f64 = distribution.sample(rng);
                    if count > 0.0 {
                        target[neuron as usize] += count * weight;
                    }
                }
            }
            Process::Profile {
                rate,
                sources,
                weight,
                synapse,
                shared,
                counts,
            } => {
                if fraction == 0.0 {
                    return;
                }
                let mean = match rate {
                    // As for a homogeneous input: the step's mean times the covered fraction,
                    // the same in every full step, so the distribution is built once.
                    RateProfile::Constant { rate_hz } => {
                        poisson_mean(*rate_hz, *sources, clock.dt_ms) * fraction
                    }
                    _ => f64::from(*sources) * rate.expected_count(begin, end),
                };
                if mean <= 0.0 {
                    return;
                }
                counts.set_mean(mean);
                let target: &mut [f64] = match *synapse {
                    PoissonSynapse::Delta => sink.voltage_jumps,
                    PoissonSynapse::Exponential { receptor } => {
                        &mut sink.receptors[receptor].arriving
                    }
                    PoissonSynapse::Alpha { receptor } => {
                        &mut sink.alpha_receptors[receptor].arriving
                    }
                };
                let weight = *weight;
                if *shared {
                    let count = counts.sample_word(counter_word(keys[0], clock.step));
                    if count > 0 {
                        let jump = count as f64 * weight;
                        for &neuron in &self.neurons {
                            target[neuron as usize] += jump;
                        }
                    }
                    return;
                }
                for (&neuron, &key) in self.neurons.iter().zip(keys.iter()) {
                    let count = counts.sample_word(counter_word(key, clock.step));
                    if count > 0 {
                        target[neuron as usize] += count as f64 * weight;
                    }
                }
            }
        }
    }

    /// The deterministic waveform at `time_ms` (for plotting the stimulus): the value the
    /// input would have at that instant, 0 outside the window; right-continuous at jumps.
    /// `None` for noise and Poisson inputs.
    pub fn waveform_at(&self, time_ms: f64) -> Option<f64> {
        let value = waveform::value(&self.kind, time_ms)?;
        Some(if time_ms >= self.start_ms && time_ms < self.stop_ms {
            value
        } else {
            0.0
        })
    }
}

#[cfg(test)]
mod tests;
