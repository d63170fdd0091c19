//! `[projection.plasticity]`: spike-timing-dependent plasticity of a projection's weights.
//!
//! ```toml
//! [projection.plasticity]
//! rule = "stdp"                  # pair-based; or "triplet" (Pfister & Gerstner 2006)
//! pairing = "all_to_all"         # or "nearest": traces reset to 1 instead of adding 1
//! weight_dependence = "additive" # or "multiplicative" (soft bounds)
//! tau_plus = "20 ms"             # pre trace x
//! tau_minus = "20 ms"            # post trace y
//! a_plus = 0.005                 # fraction of w_max
//! a_minus = 0.00525
//! w_min = "0 mV"                 # in the unit of the projection's weight
//! w_max = "1 mV"                 # required
//! ```
//!
//! Defaults of the pair rule: Song, Miller & Abbott (2000), Nat. Neurosci. 3:919, Fig. 1:
//! τ₊ = τ₋ = 20 ms, A₊ = 0.005, A₋/A₊ = 1.05. The triplet rule reads `tau_x`, `tau_y`,
//! `a2_plus`, `a3_plus`, `a2_minus`, `a3_minus` instead of `a_plus`/`a_minus`; its defaults are
//! the full visual-cortex models of Pfister & Gerstner (2006), J. Neurosci. 26:9673, Table 4
//! (fits to Sjöström et al. 2001): all-to-all τ₊ = 16.8 ms, τ₋ = 33.7 ms, τ_x = 101 ms,
//! τ_y = 125 ms, A₂⁺ = 5·10⁻¹⁰, A₃⁺ = 6.2·10⁻³, A₂⁻ = 7·10⁻³, A₃⁻ = 2.3·10⁻⁴; nearest spike
//! τ_x = 714 ms, τ_y = 40 ms, A₂⁺ = 8.8·10⁻¹¹, A₃⁺ = 5.3·10⁻², A₂⁻ = 6.6·10⁻³, A₃⁻ = 3.1·10⁻³
//! (τ₊ and τ₋ are the data's window time constants in both). The paper's minimal models set
//! A₂⁺ = A₃⁻ = 0; give those keys to use them.
//! The equations are in [`crate::synapse::plasticity`].

use super::Context;
use crate::distribution::Distribution;
use crate::spec::error::SpecError;
use crate::spec::reader::{Located, TableReader};
use crate::units::Dimension;

/// How pre- and postsynaptic spikes are paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// Every pair counts: a spike adds 1 to its trace.
    AllToAll,
    /// Symmetric nearest neighbour: a spike resets its trace to 1.
    Nearest,
}

/// How the size of a change depends on the weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightDependence {
    /// Δw ∝ w_max, whatever w (hard bounds only).
    Additive,
    /// Potentiation ∝ (w_max − w), depression ∝ (w − w_min): soft bounds.
    Multiplicative,
}

/// The slow traces and third-order amplitudes of the triplet rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TripletSpec {
    /// τ_x (ms), the slow presynaptic trace.
    pub tau_x_ms: f64,
    /// τ_y (ms), the slow postsynaptic trace.
    pub tau_y_ms: f64,
    /// A₃⁺, fraction of w_max.
    pub a3_plus: f64,
    /// A₃⁻, fraction of w_max.
    pub a3_minus: f64,
}

/// A projection's plasticity, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlasticitySpec {
    /// Pairing scheme.
    pub pairing: Pairing,
    /// Weight dependence.
    pub weight_dependence: WeightDependence,
    /// τ₊ (ms), the presynaptic trace x.
    pub tau_plus_ms: f64,
    /// τ₋ (ms), the postsynaptic trace y.
    pub tau_minus_ms: f64,
    /// A₊ (A₂⁺ of the triplet rule), fraction of w_max.
    pub a_plus: f64,
    /// A₋ (A₂⁻ of the triplet rule), fraction of w_max.
    pub a_minus: f64,
    /// Lower bound of the weights (weight unit).
    pub w_min: f64,
    /// Upper bound of the weights (weight unit).
    pub w_max: f64,
    /// The triplet terms, for `rule = "triplet"`.
    pub triplet: Option<TripletSpec>,
}

/// What [`read_plasticity`] needs to know of the projection.
pub(super) struct ProjectionFacts<'a> {
    /// The dimension of its weights.
    pub weight_dimension: Dimension,
    /// Whether its synapses act through conductances.
    pub conductance: bool,
    /// Its (mean) weight, and the distribution per synapse if any.
    pub weight: f64,
    /// The distribution of initial weights, if they vary.
    pub weight_distribution: Option<&'a Distribution>,
    /// Whether delays vary per synapse.
    pub varying_delays: bool,
}

/// Reads `plasticity` of a projection table, if present.
pub(super) fn read_plasticity(
    _context: &Context,
    projection: &mut TableReader,
    facts: &ProjectionFacts,
) -> Result<Option<PlasticitySpec>, SpecError> {
    let Some(mut reader) = projection.table("plasticity")? else {
        return Ok(None);
    };
    if facts.conductance {
        return Err(reader
            .error_here("plasticity acts on delta and current-based synapses only")
            .expected(
                "synapse = \"delta\", \"exponential\", \"alpha\" or \"difference_of_exponentials\"",
            )
            .found("a conductance synapse"));
    }
    if facts.varying_delays {
        return Err(reader
            .error_here("a plastic projection needs one delay for all its synapses")
            .with_hint(
                "plastic synapses are delivered when they arrive, from one queue of spikes per \
                 projection; give delay = \"<time>\" rather than a distribution or a delay column",
            ));
    }
    let rule = reader
        .choice("rule", &["stdp", "triplet"])?
        .map_or("stdp", |r| r.value);
    let pairing = match reader.choice("pairing", &["all_to_all", "nearest"])? {
        Some(Located {
            value: "nearest", ..
        }) => Pairing::Nearest,
        _ => Pairing::AllToAll,
    };
    let weight_dependence =
        match reader.choice("weight_dependence", &["additive", "multiplicative"])? {
            Some(Located {
                value: "multiplicative",
                ..
            }) => WeightDependence::Multiplicative,
            _ => WeightDependence::Additive,
        };
    let triplet = rule == "triplet";
    let nearest = pairing == Pairing::Nearest;
    // (τ₊, τ₋, A₊, A₋): Song et al. (2000) for the pair rule, Pfister & Gerstner (2006)'s
    // visual cortex fits for the triplet rule.
    let (tau_plus, tau_minus, a_plus, a_minus) = match (triplet, nearest) {
        (false, _) => (20.0, 20.0, 0.005, 0.00525),
        (true, false) => (16.8, 33.7, 5e-10, 7e-3),
        (true, true) => (16.8, 33.7, 8.8e-11, 6.6e-3),
    };
    let tau_plus_ms = time_constant(&mut reader, "tau_plus", tau_plus)?;
    let tau_minus_ms = time_constant(&mut reader, "tau_minus", tau_minus)?;
    let (plus_key, minus_key) = if triplet {
        ("a2_plus", "a2_minus")
    } else {
        ("a_plus", "a_minus")
    };
    let a_plus = amplitude(&mut reader, plus_key, a_plus)?;
    let a_minus = amplitude(&mut reader, minus_key, a_minus)?;
    let triplet = if triplet {
        let (tau_x, tau_y, a3_plus, a3_minus) = if nearest {
            (714.0, 40.0, 5.3e-2, 3.1e-3)
        } else {
            (101.0, 125.0, 6.2e-3, 2.3e-4)
        };
        Some(TripletSpec {
            tau_x_ms: time_constant(&mut reader, "tau_x", tau_x)?,
            tau_y_ms: time_constant(&mut reader, "tau_y", tau_y)?,
            a3_plus: amplitude(&mut reader, "a3_plus", a3_plus)?,
            a3_minus: amplitude(&mut reader, "a3_minus", a3_minus)?,
        })
    } else {
        None
    };
    let format = |value: f64| crate::units::format_working(value, facts.weight_dimension);
    let w_min = reader
        .quantity("w_min", facts.weight_dimension)?
        .map_or(0.0, |w| w.value);
    let w_max = reader.required_quantity("w_max", facts.weight_dimension)?;
    if w_min >= w_max.value || !w_max.value.is_finite() || !w_min.is_finite() {
        return Err(reader
            .error_at("w_max", w_max.span, "w_max must lie above w_min")
            .expected(format!("> w_min = {}", format(w_min)))
            .found(format(w_max.value)));
    }
    let (low, high) = match facts.weight_distribution {
        Some(distribution) => distribution.support(),
        None => (facts.weight, facts.weight),
    };
    if low < w_min || high > w_max.value {
        let what = if facts.weight_distribution.is_some() {
            "the distribution of initial weights can draw weights outside [w_min, w_max]"
        } else {
            "the initial weight lies outside [w_min, w_max]"
        };
        return Err(reader
            .error_here(what)
            .expected(format!(
                "weights from {} to {}",
                format(w_min),
                format(w_max.value)
            ))
            .found(format!("weights from {} to {}", format(low), format(high)))
            .with_hint(
                "use a uniform or clipped_normal distribution within the bounds, or widen them",
            ));
    }
    reader.finish()?;
    Ok(Some(PlasticitySpec {
        pairing,
        weight_dependence,
        tau_plus_ms,
        tau_minus_ms,
        a_plus,
        a_minus,
        w_min,
        w_max: w_max.value,
        triplet,
    }))
}

/// A positive time constant (ms), `default` when absent.
fn time_constant(
    reader: &mut TableReader,
    key: &'static str,
    default: f64,
) -> Result<f64, SpecError> {
    let Some(time) = reader.quantity(key, Dimension::TIME)? else {
        return Ok(default);
    };
    if !(time.value > 0.0 && time.value.is_finite()) {
        return Err(reader
            .error_at(key, time.span, "a time constant must be positive")
            .expected("> 0 ms")
            .found(format!("{} ms", time.value)));
    }
    Ok(time.value)
}

/// A non-negative dimensionless amplitude, `default` when absent.
fn amplitude(reader: &mut TableReader, key: &'static str, default: f64) -> Result<f64, SpecError> {
    let Some(value) = reader.quantity(key, Dimension::DIMENSIONLESS)? else {
        return Ok(default);
    };
    if !(value.value >= 0.0 && value.value.is_finite()) {
        return Err(reader
            .error_at(key, value.span, "an amplitude cannot be negative")
            .expected(">= 0 (a fraction of w_max)")
            .found(value.value.to_string()));
    }
    Ok(value.value)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::Source;
    use crate::spec::model::{PlasticitySpec, read_model};

    /// The plasticity of a one-projection model with `table` as its plasticity sub-table.
    fn plasticity(table: &str) -> PlasticitySpec {
        let text = format!(
            "[simulation]\nduration = \"10 ms\"\ndt = \"0.1 ms\"\nseed = 1\n\
             [population.E]\nmodel = \"lif\"\nsize = 2\n\
             [[projection]]\nsource = \"E\"\ntarget = \"E\"\nrule = \"all_to_all\"\n\
             weight = \"0.1 mV\"\ndelay = \"1 ms\"\n[projection.plasticity]\n{table}\n"
        );
        let model = read_model(Source::new("model.toml", text), Path::new(".")).expect("valid");
        model.projections[0].plasticity.expect("plastic")
    }

    #[test]
    fn defaults_are_the_published_fits() {
        // Song, Miller & Abbott (2000).
        let pair = plasticity("rule = \"stdp\"\nw_max = \"1 mV\"");
        assert_eq!(
            (
                pair.tau_plus_ms,
                pair.tau_minus_ms,
                pair.a_plus,
                pair.a_minus
            ),
            (20.0, 20.0, 0.005, 0.00525)
        );
        assert!(pair.triplet.is_none());
        // Pfister & Gerstner (2006), Table 4, visual cortex, full models.
        let all_to_all = plasticity("rule = \"triplet\"\nw_max = \"1 mV\"");
        let slow = all_to_all.triplet.expect("triplet terms");
        assert_eq!(
            (
                all_to_all.tau_plus_ms,
                all_to_all.tau_minus_ms,
                slow.tau_x_ms,
                slow.tau_y_ms
            ),
            (16.8, 33.7, 101.0, 125.0)
        );
        assert_eq!(
            (
                all_to_all.a_plus,
                slow.a3_plus,
                all_to_all.a_minus,
                slow.a3_minus
            ),
            (5e-10, 6.2e-3, 7e-3, 2.3e-4)
        );
        let nearest = plasticity("rule = \"triplet\"\npairing = \"nearest\"\nw_max = \"1 mV\"");
        let slow = nearest.triplet.expect("triplet terms");
        assert_eq!((slow.tau_x_ms, slow.tau_y_ms), (714.0, 40.0));
        assert_eq!(
            (nearest.a_plus, slow.a3_plus, nearest.a_minus, slow.a3_minus),
            (8.8e-11, 5.3e-2, 6.6e-3, 3.1e-3)
        );
        // The minimal models: the keys given override the full model's.
        let minimal = plasticity("rule = \"triplet\"\na2_plus = 0\na3_minus = 0\nw_max = \"1 mV\"");
        assert_eq!(
            (minimal.a_plus, minimal.triplet.expect("triplet").a3_minus),
            (0.0, 0.0)
        );
    }
}
