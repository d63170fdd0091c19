//! Linear stability of a fixed point of a rate network.
//!
//! Near a fixed point r0, a perturbation δr evolves as dδr/dt = A δr with the Jacobian
//!
//! ```text
//! A_ij = (−δ_ij + Φ_i'(x_i) J_ij) / τ_i,   x = I + J r0   (per ms)
//! ```
//! (e.g. Strogatz, *Nonlinear Dynamics and Chaos* (2015), §6.3 and §5.2 for the classification
//! by eigenvalues). The eigenvalues λ of A come from nalgebra's real Schur decomposition
//! (Francis double-shift QR), which handles the non-symmetric A of excitatory–inhibitory
//! networks and returns complex pairs.
//!
//! Classification ([`Classification`]), with a tolerance ε on real and imaginary parts:
//! - n = 1: stable node (λ < −ε), unstable node (λ > ε), marginal (|λ| ≤ ε);
//! - n ≥ 2: marginal if some |Re λ| ≤ ε (not hyperbolic: linearization decides nothing);
//!   saddle if there are eigenvalues with Re λ > ε and with Re λ < −ε; otherwise stable (all
//!   Re λ < −ε) or unstable (all Re λ > ε), a *focus* when the leading eigenvalue — the one
//!   with the largest real part, which dominates the slowest decay or the fastest growth — has
//!   |Im λ| > ε (trajectories spiral), a *node* otherwise.

use nalgebra::{Complex, DMatrix, DVector};

use super::network::{DynamicsError, RateNetwork};

/// The type of a hyperbolic fixed point, or `Marginal` where linearization cannot tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Classification {
    /// All eigenvalues have negative real parts; the leading one is real.
    StableNode,
    /// All eigenvalues have negative real parts; the leading one is a complex pair.
    StableFocus,
    /// Eigenvalues with positive and with negative real parts (n ≥ 2).
    Saddle,
    /// All eigenvalues have positive real parts; the leading one is real.
    UnstableNode,
    /// All eigenvalues have positive real parts; the leading one is a complex pair.
    UnstableFocus,
    /// Some eigenvalue has a real part within the tolerance of 0.
    Marginal,
}

impl Classification {
    /// Whether small perturbations decay (stable node or focus).
    pub fn is_stable(self) -> bool {
        matches!(
            self,
            Classification::StableNode | Classification::StableFocus
        )
    }
}

/// The Jacobian A of dr/dt at rates `rates` (length n; any rates, not only fixed points).
pub fn jacobian(network: &RateNetwork, rates: &[f64]) -> DMatrix<f64> {
    jacobian_at(network, &DVector::from_column_slice(rates))
}

pub(crate) fn jacobian_at(network: &RateNetwork, rates: &DVector<f64>) -> DMatrix<f64> {
    let slopes = network.slopes(rates);
    let tau = network.time_constants_ms();
    let coupling = network.coupling();
    DMatrix::from_fn(network.size(), network.size(), |i, j| {
        let diagonal = if i == j { 1.0 } else { 0.0 };
        (slopes[i] * coupling[(i, j)] - diagonal) / tau[i]
    })
}

/// The eigenvalues of a square matrix, by decreasing real part (a complex pair: positive
/// imaginary part first).
pub fn eigenvalues(matrix: &DMatrix<f64>) -> Result<Vec<Complex<f64>>, DynamicsError> {
    if !matrix.is_square() || matrix.iter().any(|a| !a.is_finite()) {
        return Err(DynamicsError::Eigenvalues);
    }
    // A bounded iteration count turns a (rare) failure to converge into an error instead of
    // an endless loop; Francis QR needs a few iterations per eigenvalue.
    let max_iterations = 1000 * matrix.nrows().max(1);
    let schur = nalgebra::Schur::try_new(matrix.clone(), f64::EPSILON, max_iterations)
        .ok_or(DynamicsError::Eigenvalues)?;
    let mut values: Vec<Complex<f64>> = schur.complex_eigenvalues().iter().copied().collect();
    values.sort_by(|a, b| b.re.total_cmp(&a.re).then(b.im.total_cmp(&a.im)));
    Ok(values)
}

/// Classifies a fixed point by its eigenvalues (see the module documentation); `tolerance`
/// is ε, in the eigenvalues' unit (per ms). `eigenvalues` must be sorted as returned by
/// [`eigenvalues`]; an empty slice is `Marginal`.
pub fn classify(eigenvalues: &[Complex<f64>], tolerance: f64) -> Classification {
    let Some(leading) = eigenvalues.first() else {
        return Classification::Marginal;
    };
    if eigenvalues.iter().any(|l| l.re.abs() <= tolerance) {
        return Classification::Marginal;
    }
    let growing = eigenvalues.iter().any(|l| l.re > tolerance);
    let decaying = eigenvalues.iter().any(|l| l.re < -tolerance);
    let spiralling = leading.im.abs() > tolerance;
    match (growing, decaying, spiralling) {
        (true, true, _) => Classification::Saddle,
        (false, _, false) => Classification::StableNode,
        (false, _, true) => Classification::StableFocus,
        (true, false, false) => Classification::UnstableNode,
        (true, false, true) => Classification::UnstableFocus,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(re: f64, im: f64) -> Complex<f64> {
        Complex::new(re, im)
    }

    #[test]
    fn classification_by_eigenvalues() {
        let eps = 1e-9;
        assert_eq!(classify(&[c(-0.1, 0.0)], eps), Classification::StableNode);
        assert_eq!(classify(&[c(0.1, 0.0)], eps), Classification::UnstableNode);
        assert_eq!(classify(&[c(1e-12, 0.0)], eps), Classification::Marginal);
        assert_eq!(
            classify(&[c(-0.1, 0.2), c(-0.1, -0.2)], eps),
            Classification::StableFocus
        );
        assert_eq!(
            classify(&[c(0.1, 0.2), c(0.1, -0.2)], eps),
            Classification::UnstableFocus
        );
        assert_eq!(
            classify(&[c(0.1, 0.0), c(-0.3, 0.0)], eps),
            Classification::Saddle
        );
        // n = 3: a complex pair behind a slower real eigenvalue: the real one leads.
        assert_eq!(
            classify(&[c(-0.01, 0.0), c(-0.2, 1.0), c(-0.2, -1.0)], eps),
            Classification::StableNode
        );
        assert!(Classification::StableFocus.is_stable());
        assert!(!Classification::Saddle.is_stable());
    }

    #[test]
    fn eigenvalues_of_a_rotation_are_a_complex_pair() {
        // [[a, −b], [b, a]] has eigenvalues a ± i b.
        let m = DMatrix::from_row_slice(2, 2, &[-0.5, -2.0, 2.0, -0.5]);
        let values = eigenvalues(&m).unwrap();
        assert!((values[0] - c(-0.5, 2.0)).norm() < 1e-12, "{values:?}");
        assert!((values[1] - c(-0.5, -2.0)).norm() < 1e-12, "{values:?}");
        assert_eq!(
            eigenvalues(&DMatrix::from_element(1, 1, f64::NAN)),
            Err(DynamicsError::Eigenvalues)
        );
    }
}
