//! Stability of the homogeneous state of a neural field on a ring or a torus, mode by mode.
//!
//! ```text
//! τ dr_x/dt = −r_x + Φ(I + (1/N) Σ_y J_{x−y} r_y),   x = 0..N
//! ```
//! with J_m = [`Kernel::values_on`] (J at a displacement of m grid points) and the coupling the
//! mean over the field, as in [`crate::rate::model`]. Because the coupling is a circular
//! convolution, the Fourier modes e^{2πikx/N} are its eigenvectors, with eigenvalues
//!
//! ```text
//! Ĵ_k = (1/N) Σ_m J_m e^{−2πikm/N}
//! ```
//! (on a torus the two-dimensional transform, k = (k_x, k_y)); Ĵ_k is real for a symmetric
//! kernel (J_m = J_{−m}, which every kernel of a distance is). Hence:
//! - **The homogeneous state** r_x = r0 solves r0 = Φ(I + Ĵ_0 r0): the fixed points of one
//!   population with self-coupling Ĵ_0, the mean of the kernel ([`super::fixed_points`];
//!   there can be several).
//! - **Its modes** grow or decay as e^{λ_k t}, λ_k = (−1 + Φ'(x0) Ĵ_k)/τ, x0 = I + Ĵ_0 r0
//!   (Ermentrout, Rep. Prog. Phys. 61:353 (1998), §3; Bressloff, J. Phys. A 45:033001 (2012),
//!   §3.1). The homogeneous state is stable when every Re λ_k < 0. When a mode k ≠ 0 is the
//!   most unstable, the state breaks into a pattern of its wavelength (a Turing-type
//!   instability; for the cosine kernel J = J_0 + J_1 cos(2πd/L), Ĵ_{±1} = J_1/2 and the ring
//!   forms a bump when Φ'·J_1/2 > 1: Ben-Yishai, Bar-Or & Sompolinsky (1995), PNAS 92:3844).
//!
//! Wavenumbers are signed integers (cycles per field length along each axis):
//! k ∈ (−N/2, N/2], listed in the order of the discrete Fourier transform (0, 1, …, then the
//! negative ones). The wavelength of (k_x, k_y) is 1/√((k_x/L_x)² + (k_y/L_y)²) in the unit of
//! space (L/|k| on a ring), infinite for k = 0.

use nalgebra::Complex;
use rustfft::FftPlanner;

use super::fixed_point::{FixedPointOptions, fixed_points};
use super::network::{DynamicsError, RateNetwork, transfer_slope};
use crate::neuron::rate::TransferFunction;
use crate::rate::model::{Geometry, Kernel};

/// One Fourier mode of a perturbation of the homogeneous state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldMode {
    /// (k_x, k_y), cycles per field length; (k, 0) on a ring.
    pub wavenumber: [i64; 2],
    /// In the unit of space; `f64::INFINITY` for k = 0.
    pub wavelength: f64,
    /// Ĵ_k.
    pub coupling: Complex<f64>,
    /// λ_k = (−1 + Φ'(x0) Ĵ_k)/τ (per ms); Im λ_k ≠ 0 (asymmetric kernels) is a travelling
    /// wave.
    pub growth_rate_per_ms: Complex<f64>,
}

/// A homogeneous fixed point of the field and the growth of each mode around it.
#[derive(Clone, Debug, PartialEq)]
pub struct HomogeneousState {
    /// r0 = Φ(I + Ĵ_0 r0).
    pub rate: f64,
    /// Φ'(x0).
    pub slope: f64,
    /// Every mode, in the order of the discrete Fourier transform.
    pub modes: Vec<FieldMode>,
    /// The mode with the largest Re λ_k (of ±k, the first listed).
    pub most_unstable: FieldMode,
    /// Whether every Re λ_k < 0.
    pub stable: bool,
}

impl HomogeneousState {
    /// Whether the state is unstable and a mode k ≠ 0 grows fastest (a pattern forms).
    pub fn forms_pattern(&self) -> bool {
        !self.stable && self.most_unstable.wavenumber != [0, 0]
    }
}

/// The homogeneous states of one field (τ in ms, uniform input I, transfer function Φ,
/// kernel J on `geometry`, a ring or a torus) and the growth rates of its modes (see the
/// module documentation).
///
/// ```
/// use cajal::dynamics::field_modes;
/// use cajal::neuron::rate::TransferFunction;
/// use cajal::rate::{Geometry, Kernel};
/// // A linear ring with uniform inhibition and a tuned modulation: Φ' = 1, Ĵ_1 = 2.4/2 > 1.
/// let linear = TransferFunction::ThresholdLinear { threshold: 0.0, gain: 1.0 };
/// let ring = Geometry::Ring { points: 64, length: 180.0 };
/// let kernel = Kernel::Cosine { mean: -2.0, modulation: 2.4 };
/// let states = field_modes(&kernel, &ring, 10.0, 1.0, &linear).unwrap();
/// assert_eq!(states.len(), 1);
/// assert!((states[0].rate - 1.0 / 3.0).abs() < 1e-12);
/// assert!(states[0].forms_pattern());
/// assert_eq!(states[0].most_unstable.wavenumber, [1, 0]);
/// assert!((states[0].most_unstable.wavelength - 180.0).abs() < 1e-9);
/// ```
pub fn field_modes(
    kernel: &Kernel,
    geometry: &Geometry,
    time_constant_ms: f64,
    input: f64,
    transfer: &TransferFunction,
) -> Result<Vec<HomogeneousState>, DynamicsError> {
    let field = |message: String| Err(DynamicsError::Field { message });
    let (shape, lengths) = match *geometry {
        Geometry::Single => {
            return field("a single population is not a field".to_string());
        }
        Geometry::Ring { points, length } => ((points, 1), (length, f64::NAN)),
        Geometry::Torus { points, lengths } => (points, lengths),
    };
    let is_ring = matches!(geometry, Geometry::Ring { .. });
    let lengths_valid = lengths.0.is_finite()
        && lengths.0 > 0.0
        && (is_ring || (lengths.1.is_finite() && lengths.1 > 0.0));
    if shape.0 < 2 || (!is_ring && shape.1 < 2) || !lengths_valid {
        return field(format!(
            "{geometry:?} needs at least 2 points and a positive length per axis"
        ));
    }
    let values = kernel.values_on(geometry);
    let size = shape.0 * shape.1;
    if values.len() != size {
        return field(format!(
            "the kernel has {} values; the grid has {size} points",
            values.len()
        ));
    }
    if let Some(value) = values.iter().find(|v| !v.is_finite()) {
        return field(format!("the kernel has the value {value}"));
    }
    let coefficients = fourier_coefficients(&values, shape);
    let mean = values.iter().sum::<f64>() / size as f64;
    let network = RateNetwork::single(time_constant_ms, mean, input, *transfer)?;
    let signed = |k: usize, n: usize| {
        if 2 * k > n {
            k as i64 - n as i64
        } else {
            k as i64
        }
    };
    let homogeneous = fixed_points(&network, &FixedPointOptions::default())?;
    Ok(homogeneous
        .into_iter()
        .map(|point| {
            let rate = point.rates[0];
            let slope = transfer_slope(transfer, input + mean * rate);
            let modes: Vec<FieldMode> = coefficients
                .iter()
                .enumerate()
                .map(|(index, &coupling)| {
                    let kx = signed(index / shape.1, shape.0);
                    let ky = if is_ring {
                        0
                    } else {
                        signed(index % shape.1, shape.1)
                    };
                    let frequency = if is_ring {
                        (kx as f64 / lengths.0).abs()
                    } else {
                        (kx as f64 / lengths.0).hypot(ky as f64 / lengths.1)
                    };
                    FieldMode {
                        wavenumber: [kx, ky],
                        wavelength: 1.0 / frequency,
                        coupling,
                        growth_rate_per_ms: (coupling * slope - 1.0) / time_constant_ms,
                    }
                })
                .collect();
            // The first of the largest: of a degenerate pair ±k, +k (listed first); rates
            // that differ by rounding only (10⁻¹²/τ) are a tie.
            let tie = 1e-12 / time_constant_ms;
            let most_unstable = modes.iter().fold(modes[0], |best, mode| {
                if mode.growth_rate_per_ms.re > best.growth_rate_per_ms.re + tie {
                    *mode
                } else {
                    best
                }
            });
            HomogeneousState {
                rate,
                slope,
                stable: modes.iter().all(|m| m.growth_rate_per_ms.re < 0.0),
                modes,
                most_unstable,
            }
        })
        .collect())
}

/// Ĵ_k = (1/N) Σ_m J_m e^{−2πikm/N} on an (N_x, N_y) grid stored row by row (N_y = 1 for a
/// ring), by the fast Fourier transform along each axis.
fn fourier_coefficients(values: &[f64], (nx, ny): (usize, usize)) -> Vec<Complex<f64>> {
    let mut data: Vec<rustfft::num_complex::Complex<f64>> = values
        .iter()
        .map(|&v| rustfft::num_complex::Complex::new(v, 0.0))
        .collect();
    let mut planner = FftPlanner::new();
    if ny > 1 {
        // Each row (fixed i) along j.
        planner.plan_fft_forward(ny).process(&mut data);
    }
    // Each column (fixed j) along i: gathered, transformed, scattered back.
    let column_fft = planner.plan_fft_forward(nx);
    let mut column = vec![rustfft::num_complex::Complex::new(0.0, 0.0); nx];
    for j in 0..ny {
        for i in 0..nx {
            column[i] = data[i * ny + j];
        }
        column_fft.process(&mut column);
        for i in 0..nx {
            data[i * ny + j] = column[i];
        }
    }
    let size = (nx * ny) as f64;
    data.into_iter()
        .map(|c| Complex::new(c.re / size, c.im / size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourier_coefficients_match_the_direct_sum() {
        // An asymmetric sequence on a 3×4 torus grid: the FFT against the definition.
        let (nx, ny) = (3, 4);
        let values: Vec<f64> = (0..nx * ny).map(|m| (m as f64 * 0.7).sin() + 0.1).collect();
        let fast = fourier_coefficients(&values, (nx, ny));
        for kx in 0..nx {
            for ky in 0..ny {
                let mut direct = Complex::new(0.0, 0.0);
                for i in 0..nx {
                    for j in 0..ny {
                        let angle = -std::f64::consts::TAU
                            * (kx as f64 * i as f64 / nx as f64 + ky as f64 * j as f64 / ny as f64);
                        direct += Complex::from_polar(values[i * ny + j], angle);
                    }
                }
                direct /= (nx * ny) as f64;
                assert!((fast[kx * ny + ky] - direct).norm() < 1e-14, "{kx} {ky}");
            }
        }
    }

    #[test]
    fn single_populations_and_wrong_kernels_are_errors() {
        let linear = TransferFunction::ThresholdLinear {
            threshold: 0.0,
            gain: 1.0,
        };
        let kernel = Kernel::Sampled {
            values: vec![1.0; 3],
        };
        let ring = Geometry::Ring {
            points: 4,
            length: 1.0,
        };
        assert!(field_modes(&kernel, &Geometry::Single, 10.0, 1.0, &linear).is_err());
        assert!(field_modes(&kernel, &ring, 10.0, 1.0, &linear).is_err());
    }
}
