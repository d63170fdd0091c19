//! Closed forms of linear cable theory for a uniform passive cylinder, to put beside
//! simulations (Rall 1969; Tuckwell, *Introduction to Theoretical Neurobiology* vol. 1,
//! ch. 4; Koch, *Biophysics of Computation*, ch. 2).
//!
//! Potentials are deviations from the leak reversal potential; `x` is the distance from the
//! end where the cable is driven, in µm.

use std::f64::consts::PI;

use super::tree::PassiveMembrane;

/// How the far end of a finite cable is terminated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FarEnd {
    /// No axial current leaves (`∂V/∂x = 0`).
    Sealed,
    /// Held at rest (`V = 0`).
    Killed,
}

/// A uniform passive cylinder of finite length, sealed at `x = 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UniformCable {
    /// Membrane and cytoplasm constants.
    pub membrane: PassiveMembrane,
    /// Diameter, µm.
    pub diameter_um: f64,
    /// Length, µm.
    pub length_um: f64,
    /// Termination at `x = L`.
    pub far_end: FarEnd,
}

impl UniformCable {
    /// The length constant λ, µm.
    pub fn length_constant_um(&self) -> f64 {
        self.membrane.length_constant_um(self.diameter_um)
    }

    /// The input resistance at `x = 0`, MΩ: `r_a λ coth(L/λ)` (sealed) or `r_a λ tanh(L/λ)`
    /// (killed).
    pub fn input_resistance_mohm(&self) -> f64 {
        let lambda = self.length_constant_um();
        let electrotonic = self.length_um / lambda;
        let r_a = self.membrane.axial_resistance_per_um(self.diameter_um);
        match self.far_end {
            FarEnd::Sealed => r_a * lambda / electrotonic.tanh(),
            FarEnd::Killed => r_a * lambda * electrotonic.tanh(),
        }
    }

    /// The steady potential at `x` (mV above rest) under a constant current `current_na`
    /// injected at `x = 0`: `V0 cosh((L − x)/λ)/cosh(L/λ)` (sealed) or
    /// `V0 sinh((L − x)/λ)/sinh(L/λ)` (killed), `V0 = I R_in`.
    pub fn steady_potential_mv(&self, current_na: f64, x_um: f64) -> f64 {
        let lambda = self.length_constant_um();
        let v0 = current_na * self.input_resistance_mohm();
        let (l, x) = (self.length_um / lambda, x_um / lambda);
        match self.far_end {
            FarEnd::Sealed => v0 * (l - x).cosh() / l.cosh(),
            FarEnd::Killed => v0 * (l - x).sinh() / l.sinh(),
        }
    }

    /// The potential at `x` and time `t_ms` after a charge `charge_pc` injected at `x0` at
    /// `t = 0`, by the method of images: the infinite-cable Green's function
    /// [`infinite_cable_green_mv`] reflected at both ends (with the same sign at a sealed
    /// end, the opposite sign at a killed one), summed until the terms are negligible.
    pub fn pulse_potential_mv(&self, charge_pc: f64, x0_um: f64, x_um: f64, t_ms: f64) -> f64 {
        if t_ms <= 0.0 {
            return 0.0;
        }
        let green =
            |y: f64| infinite_cable_green_mv(&self.membrane, self.diameter_um, charge_pc, y, t_ms);
        let l = self.length_um;
        let far_sign = match self.far_end {
            FarEnd::Sealed => 1.0,
            FarEnd::Killed => -1.0,
        };
        // Images at ±x0 + 2kL with sign far_sign^|k|: even about the sealed x = 0, even
        // (sealed) or odd (killed) about x = L.
        let spread = (4.0 * self.membrane.length_constant_um(self.diameter_um).powi(2)
            / self.membrane.time_constant_ms()
            * t_ms)
            .sqrt();
        let terms = (10.0 * spread / (2.0 * l)).ceil() as i64 + 2;
        let mut total = 0.0;
        for k in -terms..=terms {
            let sign = if k % 2 == 0 { 1.0 } else { far_sign };
            let shift = 2.0 * k as f64 * l;
            total += sign * (green(x_um - x0_um - shift) + green(x_um + x0_um - shift));
        }
        total
    }
}

/// The potential (mV) at distance `x_um` and time `t_ms` after a charge `charge_pc` is
/// injected at one point of an infinite passive cable:
/// `V = q / (c_l sqrt(4π D t)) exp(−x²/(4 D t) − t/τ)`, with `c_l = c_m π d` the capacitance
/// per unit length, `τ` the membrane time constant and `D = λ²/τ`.
pub fn infinite_cable_green_mv(
    membrane: &PassiveMembrane,
    diameter_um: f64,
    charge_pc: f64,
    x_um: f64,
    t_ms: f64,
) -> f64 {
    if t_ms <= 0.0 {
        return 0.0;
    }
    let lambda = membrane.length_constant_um(diameter_um);
    let tau = membrane.time_constant_ms();
    let diffusion = lambda * lambda / tau;
    // nF per µm: µF/cm² · π d · 1 µm · 1e-8 cm²/µm² · 1e3 nF/µF; pC/nF = mV.
    let capacitance_per_um = membrane.c_m * PI * diameter_um * 1e-5;
    charge_pc / (capacitance_per_um * (4.0 * PI * diffusion * t_ms).sqrt())
        * (-x_um * x_um / (4.0 * diffusion * t_ms) - t_ms / tau).exp()
}
