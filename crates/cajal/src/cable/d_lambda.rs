//! NEURON's d_lambda rule for choosing the number of compartments of a section.
//!
//! The DC length constant overstates how far fast signals spread: at frequency `f` the
//! membrane's capacitive current dominates its leak and the relevant scale is the AC length
//! constant
//!
//! ```text
//! λ_f = 1e5 · sqrt(d / (4π f R_a c_m))   µm   (d in µm, R_a in Ω·cm, c_m in µF/cm², f in Hz),
//! ```
//!
//! independent of the leak. NEURON's rule makes every compartment shorter than a fraction
//! `d_lambda` (0.1 by default) of `λ_100`, the AC length constant at 100 Hz — a frequency
//! above which little of a neuron's signalling lies — and keeps the count odd so that a
//! section's midpoint is a compartment centre (Hines & Carnevale, *The NEURON Book*, ch. 5;
//! `fixnseg.hoc` in NEURON's standard library).

use std::f64::consts::PI;

use super::morphology::{Morphology, PathPoint, Section};
use super::tree::PassiveMembrane;

/// The frequency at which NEURON's rule evaluates the AC length constant, Hz.
const RULE_FREQUENCY_HZ: f64 = 100.0;

/// The AC length constant `λ_f = 1e5 · sqrt(d / (4π f R_a c_m))` of a cylinder of diameter
/// `diameter_um` at `frequency_hz`, in µm (uses `membrane.r_a` and `membrane.c_m`; the leak
/// does not enter).
pub fn ac_length_constant_um(
    diameter_um: f64,
    membrane: &PassiveMembrane,
    frequency_hz: f64,
) -> f64 {
    // The 1e5 turns sqrt(µm / (Hz · Ω·cm · µF/cm²)) = sqrt(µm · cm / s⁻¹·s) into µm:
    // sqrt(µm · 1e4 µm) · sqrt(1e6) = 1e5 µm.
    1e5 * (diameter_um / (4.0 * PI * frequency_hz * membrane.r_a * membrane.c_m)).sqrt()
}

/// NEURON's rule: nseg = int((L/(d_lambda·λ_100) + 0.9)/2)*2 + 1 (odd, ≥ 1).
///
/// Compartments then stay shorter than about `d_lambda` of the AC length constant at 100 Hz
/// (little of a neuron's signalling is faster), and the odd count puts a compartment centre
/// at the section's midpoint (Hines & Carnevale, *The NEURON Book*, ch. 5).
///
/// `length_um` and `diameter_um` describe the section as a cylinder; `d_lambda` is the largest
/// compartment length as a fraction of `λ_100` ([`ac_length_constant_um`] at 100 Hz). Inputs
/// for which the rule means nothing (a length, diameter or constant that is not positive and
/// finite) give 1; an absurdly fine request saturates at `usize::MAX` instead of overflowing.
pub fn d_lambda_compartments(
    length_um: f64,
    diameter_um: f64,
    membrane: &PassiveMembrane,
    d_lambda: f64,
) -> usize {
    let lambda = ac_length_constant_um(diameter_um, membrane, RULE_FREQUENCY_HZ);
    let ratio = length_um / (d_lambda * lambda);
    if !(ratio.is_finite() && ratio > 0.0) {
        return 1;
    }
    // `as` saturates for floats too large for usize, and the arithmetic saturates after it.
    let half = ((ratio + 0.9) / 2.0).floor() as usize;
    half.saturating_mul(2).saturating_add(1)
}

/// The mean diameter of a path weighted by length (each piece counted at the mean of its two
/// end diameters), µm; `None` for a path of no length.
fn length_weighted_diameter(points: &[PathPoint]) -> Option<f64> {
    let mut length = 0.0;
    let mut weighted = 0.0;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let piece = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2) + (b.z - a.z).powi(2)).sqrt();
        length += piece;
        weighted += piece * 0.5 * (a.diameter_um + b.diameter_um);
    }
    (length > 0.0).then(|| weighted / length)
}

/// The diameter the rule sees for a section: its own for a cylinder, the length-weighted mean
/// of its path otherwise.
fn effective_diameter(section: &Section) -> f64 {
    length_weighted_diameter(&section.points).unwrap_or(section.diameter_um)
}

/// The hint for one section, if its compartments are too coarse.
fn section_hint(section: &Section, d_lambda: f64) -> Option<String> {
    let diameter = effective_diameter(section);
    let lambda = ac_length_constant_um(diameter, &section.membrane, RULE_FREQUENCY_HZ);
    let compartments = section.compartments.max(1);
    let piece = section.length_um / compartments as f64;
    let rule = d_lambda_compartments(section.length_um, diameter, &section.membrane, d_lambda);
    // The rule's rounding tolerates compartments up to about 1.1 d_lambda·λ_100, so a length
    // just over the limit can come with a count the rule would not raise; a hint that says
    // "use as many as you have" is noise, hence both conditions.
    (piece > d_lambda * lambda && rule > compartments).then(|| {
        format!(
            "section {}: compartments of {piece:.4} um are longer than d_lambda = {d_lambda} \
             of lambda_100 = {lambda:.4} um; the d_lambda rule gives {rule} compartments \
             instead of {compartments}",
            section.name
        )
    })
}

/// The hints for a list of sections (what [`d_lambda_hints`] does, for any list of
/// sections, so that it can be checked without building a whole [`Morphology`]).
fn hints_for_sections(sections: &[Section], d_lambda: f64) -> Vec<String> {
    sections
        .iter()
        .filter_map(|s| section_hint(s, d_lambda))
        .collect()
}

/// One line per section whose compartments are longer than d_lambda·λ_100 (name, compartment
/// length, λ_100, the count the rule would give).
///
/// Only sections for which the rule would also give more compartments than they have are
/// listed (see [`d_lambda_compartments`]); a section with a 3-D path is judged by its
/// length-weighted mean diameter. Meant for the warnings of a run whose sections were given
/// explicit compartment counts.
pub fn d_lambda_hints(morphology: &Morphology, d_lambda: f64) -> Vec<String> {
    hints_for_sections(morphology.sections(), d_lambda)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membrane() -> PassiveMembrane {
        PassiveMembrane {
            c_m: 1.0,
            r_a: 100.0,
            g_leak: 1e-4,
            e_leak: -65.0,
        }
    }

    fn rel_err(got: f64, want: f64) -> f64 {
        ((got - want) / want).abs()
    }

    /// NEURON's formula written out independently, from `fixnseg.hoc`:
    /// `nseg = int((L/(d_lambda*lambda_f(100)) + 0.9)/2)*2 + 1`.
    fn neuron_nseg(length: f64, lambda_100: f64, d_lambda: f64) -> usize {
        let x = length / (d_lambda * lambda_100) + 0.9;
        2 * ((x / 2.0) as usize) + 1
    }

    #[test]
    fn lambda_100_for_one_micron() {
        // d = 1 µm = 1e-4 cm, R_a = 100 Ω·cm, c_m = 1e-6 F/cm², f = 100 Hz, in SI-cm units:
        // λ = sqrt(d / (4π f R_a c_m)) = sqrt(1e-4 / (4π · 100 · 100 · 1e-6)) cm
        //   = sqrt(1e-4 / 0.12566371) cm = sqrt(7.9577472e-4) cm = 0.028209479 cm
        //   = 282.09479 µm.
        let by_hand_cm = (1e-4 / (4.0 * PI * 100.0 * 100.0 * 1e-6)).sqrt();
        let lambda = ac_length_constant_um(1.0, &membrane(), 100.0);
        assert!(rel_err(lambda, by_hand_cm * 1e4) < 1e-12, "{lambda}");
        assert!((lambda - 282.094_79).abs() < 1e-4, "{lambda}");
        // λ_f ∝ sqrt(d / f): four times the diameter or a quarter of the frequency doubles it.
        assert!(rel_err(ac_length_constant_um(4.0, &membrane(), 100.0), 2.0 * lambda) < 1e-12);
        assert!(rel_err(ac_length_constant_um(1.0, &membrane(), 25.0), 2.0 * lambda) < 1e-12);
        // and the leak does not enter.
        let leaky = PassiveMembrane {
            g_leak: 1.0,
            ..membrane()
        };
        assert_eq!(ac_length_constant_um(1.0, &leaky, 100.0), lambda);
    }

    #[test]
    fn compartment_counts_match_neuron() {
        let m = membrane();
        let lambda = 282.094_791_773_878_1; // d = 1 µm, as above
        // d_lambda = 0.1: compartments of at most ~28.2 µm.
        let cases = [
            // (length, expected nseg worked out by hand)
            (1.0, 1),     // 0.0354 + 0.9 → int(0.468) = 0 → 1
            (30.0, 1),    // 1.063 + 0.9 = 1.963 → int(0.98) = 0 → 1
            (31.0, 1),    // 1.099 + 0.9 = 1.999 → int(0.9995) = 0 → 1
            (32.0, 3),    // 1.134 + 0.9 = 2.034 → int(1.017) = 1 → 3
            (40.0, 3),    // 1.418 + 0.9 = 2.318 → int(1.159) = 1 → 3
            (100.0, 5),   // 3.545 + 0.9 = 4.445 → 2 → 5
            (282.1, 11),  // 10.0 + 0.9 → int(5.45) = 5 → 11
            (1000.0, 37), // 35.45 + 0.9 = 36.35 → 18 → 37
        ];
        for (length, want) in cases {
            let got = d_lambda_compartments(length, 1.0, &m, 0.1);
            assert_eq!(got, neuron_nseg(length, lambda, 0.1), "L = {length}");
            assert_eq!(got, want, "L = {length}");
            assert_eq!(got % 2, 1);
        }
        // A coarser d_lambda gives fewer, a thicker cable (longer λ) fewer too.
        assert_eq!(
            d_lambda_compartments(1000.0, 1.0, &m, 0.3),
            neuron_nseg(1000.0, lambda, 0.3)
        );
        assert_eq!(d_lambda_compartments(1000.0, 1.0, &m, 0.3), 13);
        assert_eq!(d_lambda_compartments(1000.0, 4.0, &m, 0.1), 19);
        // Nonsense in, one compartment out, never a panic.
        assert_eq!(d_lambda_compartments(0.0, 1.0, &m, 0.1), 1);
        assert_eq!(d_lambda_compartments(f64::NAN, 1.0, &m, 0.1), 1);
        assert_eq!(d_lambda_compartments(100.0, -1.0, &m, 0.1), 1);
        assert_eq!(d_lambda_compartments(100.0, 1.0, &m, 0.0), 1);
        assert_eq!(d_lambda_compartments(1e300, 1.0, &m, 1e-300), 1);
        assert_eq!(d_lambda_compartments(1e30, 1.0, &m, 1e-10), usize::MAX);
    }

    fn cylinder(name: &str, length_um: f64, diameter_um: f64, compartments: usize) -> Section {
        Section {
            name: name.to_string(),
            parent: None,
            length_um,
            diameter_um,
            points: Vec::new(),
            compartments,
            membrane: membrane(),
            hh: None,
        }
    }

    #[test]
    fn hints_list_exactly_the_coarse_sections() {
        // λ_100 = 282.09 µm at d = 1 µm, 564.19 µm at d = 4 µm; d_lambda = 0.1.
        let sections = vec![
            // 1000/37 = 27.0 µm < 28.2: fine.
            cylinder("fine", 1000.0, 1.0, 37),
            // 1000/11 = 90.9 µm: too coarse, the rule gives 37.
            cylinder("coarse", 1000.0, 1.0, 11),
            // 1000/19 = 52.6 µm < 56.4: fine for the thick one.
            cylinder("thick", 1000.0, 4.0, 19),
            // 30 µm > 28.2 µm, but the rule itself gives 1: not worth a hint.
            cylinder("borderline", 30.0, 1.0, 1),
            // 40 µm in one piece: the rule gives 3.
            cylinder("short", 40.0, 1.0, 1),
        ];
        let hints = hints_for_sections(&sections, 0.1);
        assert_eq!(hints.len(), 2, "{hints:#?}");
        assert!(hints[0].starts_with("section coarse:"), "{}", hints[0]);
        assert!(hints[0].contains("90.9091 um"), "{}", hints[0]);
        assert!(
            hints[0].contains("lambda_100 = 282.0948 um"),
            "{}",
            hints[0]
        );
        assert!(
            hints[0].contains("gives 37 compartments instead of 11"),
            "{}",
            hints[0]
        );
        assert!(hints[1].starts_with("section short:"), "{}", hints[1]);
        assert!(
            hints[1].contains("gives 3 compartments instead of 1"),
            "{}",
            hints[1]
        );
        // A finer d_lambda flags the borderline one too; a coarse one flags nothing.
        assert_eq!(hints_for_sections(&sections, 0.05).len(), 5);
        assert!(hints_for_sections(&sections, 1.0).is_empty());
    }

    #[test]
    fn paths_use_the_length_weighted_diameter() {
        // 300 µm at d = 4 µm, then 100 µm tapering from 4 to 0 µm (mean 2 µm): the
        // length-weighted diameter is (300·4 + 100·2) / 400 = 3.5 µm.
        let p = |x: f64, d: f64| PathPoint {
            x,
            y: 0.0,
            z: 0.0,
            diameter_um: d,
        };
        let mut s = cylinder("path", 400.0, 99.0, 1);
        s.points = vec![p(0.0, 4.0), p(300.0, 4.0), p(400.0, 0.0)];
        assert!(rel_err(effective_diameter(&s), 3.5) < 1e-12);
        let want = d_lambda_compartments(400.0, 3.5, &membrane(), 0.1);
        let hint = section_hint(&s, 0.1).expect("one compartment of 400 µm is too coarse");
        assert!(
            hint.contains(&format!("gives {want} compartments")),
            "{hint}"
        );
        // A path of no length falls back to the section's diameter.
        s.points = vec![p(0.0, 4.0)];
        assert_eq!(effective_diameter(&s), 99.0);
    }
}
