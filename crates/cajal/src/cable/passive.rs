//! Time stepping and steady states of passive trees.

use super::hines::hines_solve;
use super::tree::{CableError, Tree};

/// The implicit scheme of [`PassiveCable::step`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Backward Euler: first order in `Δt`, L-stable (no ringing of stiff modes).
    BackwardEuler,
    /// Crank–Nicolson: second order in `Δt`, A-stable (stiff modes decay slowly, alternating
    /// in sign, when `Δt` is large next to the compartments' own time scales).
    CrankNicolson,
}

/// The matrix `cap_scale · C + k_scale · K` in Hines' form, with clamped rows replaced by
/// the identity.
fn fill_matrix(
    tree: &Tree,
    cap_scale: f64,
    k_scale: f64,
    clamps: &[Option<f64>],
    diag: &mut [f64],
    upper: &mut [f64],
    lower: &mut [f64],
) {
    let parent = tree.parents();
    let g = tree.axial_conductances_us();
    for i in 0..tree.len() {
        diag[i] = cap_scale * tree.capacitances_nf()[i] + k_scale * tree.leak_conductances_us()[i];
        upper[i] = 0.0;
        lower[i] = 0.0;
    }
    for i in 1..tree.len() {
        let p = parent[i];
        diag[i] += k_scale * g[i];
        diag[p] += k_scale * g[i];
        upper[i] = -k_scale * g[i];
        lower[i] = -k_scale * g[i];
    }
    for i in 0..tree.len() {
        if clamps[i].is_some() {
            diag[i] = 1.0;
            upper[i] = 0.0;
        }
    }
    for i in 1..tree.len() {
        if clamps[parent[i]].is_some() {
            lower[i] = 0.0;
        }
    }
}

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), CableError> {
    if expected == got {
        Ok(())
    } else {
        Err(CableError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

fn check_finite(what: &str, values: &[f64]) -> Result<(), CableError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(CableError::NotFinite {
            what: format!("{what}[{i}]"),
            value: values[i],
        }),
    }
}

/// The steady state of a passive tree under constant injected currents (nA per
/// compartment): the solution of `K V = G E + I`, in mV.
pub fn steady_state(tree: &Tree, injection_na: &[f64]) -> Result<Vec<f64>, CableError> {
    steady_state_clamped(tree, injection_na, &vec![None; tree.len()])
}

/// As [`steady_state`], with compartments `i` where `clamps[i]` is `Some(v)` held at `v` mV.
pub fn steady_state_clamped(
    tree: &Tree,
    injection_na: &[f64],
    clamps: &[Option<f64>],
) -> Result<Vec<f64>, CableError> {
    let n = tree.len();
    check_len("injection", n, injection_na.len())?;
    check_len("clamps", n, clamps.len())?;
    check_finite("injection", injection_na)?;
    let clamp_values: Vec<f64> = clamps.iter().map(|c| c.unwrap_or(0.0)).collect();
    check_finite("clamps", &clamp_values)?;
    let (mut diag, mut upper, mut lower) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    fill_matrix(tree, 0.0, 1.0, clamps, &mut diag, &mut upper, &mut lower);
    let mut v: Vec<f64> = (0..n)
        .map(|i| match clamps[i] {
            Some(value) => value,
            None => {
                tree.leak_conductances_us()[i] * tree.compartments()[i].membrane.e_leak
                    + injection_na[i]
            }
        })
        .collect();
    hines_solve(tree.parents(), &mut diag, &upper, &lower, &mut v);
    if v.iter().all(|x| x.is_finite()) {
        Ok(v)
    } else {
        Err(CableError::Singular)
    }
}

/// A passive tree stepped in time by an implicit scheme solved with [`hines_solve`].
///
/// Voltages start at each compartment's leak reversal potential; injected currents (nA per
/// compartment) and clamps hold until changed.
#[derive(Clone, Debug)]
pub struct PassiveCable {
    tree: Tree,
    method: Method,
    dt_ms: f64,
    time_ms: f64,
    v: Vec<f64>,
    injection_na: Vec<f64>,
    clamps: Vec<Option<f64>>,
    /// The left-hand matrix; rebuilt when the clamps change.
    diag: Vec<f64>,
    upper: Vec<f64>,
    lower: Vec<f64>,
    /// Scratch for the elimination.
    work_diag: Vec<f64>,
    rhs: Vec<f64>,
}

impl PassiveCable {
    /// A cable at rest (every compartment at its `E_leak`), with no injection and no clamp.
    pub fn new(tree: Tree, method: Method, dt_ms: f64) -> Result<Self, CableError> {
        if !(dt_ms > 0.0 && dt_ms.is_finite()) {
            return Err(CableError::BadTimeStep(dt_ms));
        }
        let n = tree.len();
        let v = tree
            .compartments()
            .iter()
            .map(|c| c.membrane.e_leak)
            .collect();
        let mut cable = PassiveCable {
            tree,
            method,
            dt_ms,
            time_ms: 0.0,
            v,
            injection_na: vec![0.0; n],
            clamps: vec![None; n],
            diag: vec![0.0; n],
            upper: vec![0.0; n],
            lower: vec![0.0; n],
            work_diag: vec![0.0; n],
            rhs: vec![0.0; n],
        };
        cable.rebuild_matrix();
        Ok(cable)
    }

    fn k_scale(&self) -> f64 {
        match self.method {
            Method::BackwardEuler => 1.0,
            Method::CrankNicolson => 0.5,
        }
    }

    fn rebuild_matrix(&mut self) {
        let k_scale = self.k_scale();
        fill_matrix(
            &self.tree,
            1.0 / self.dt_ms,
            k_scale,
            &self.clamps,
            &mut self.diag,
            &mut self.upper,
            &mut self.lower,
        );
    }

    /// The tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The time step, ms.
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    /// Time since the start, ms.
    pub fn time_ms(&self) -> f64 {
        self.time_ms
    }

    /// Membrane potentials, mV.
    pub fn voltages(&self) -> &[f64] {
        &self.v
    }

    /// Sets the membrane potentials (mV); clamped compartments keep their clamp value.
    pub fn set_voltages(&mut self, v: &[f64]) -> Result<(), CableError> {
        check_len("voltages", self.v.len(), v.len())?;
        check_finite("voltages", v)?;
        for (i, (dst, &src)) in self.v.iter_mut().zip(v).enumerate() {
            *dst = self.clamps[i].unwrap_or(src);
        }
        Ok(())
    }

    /// Sets the current injected into each compartment, nA.
    pub fn set_injection(&mut self, injection_na: &[f64]) -> Result<(), CableError> {
        check_len("injection", self.v.len(), injection_na.len())?;
        check_finite("injection", injection_na)?;
        self.injection_na.copy_from_slice(injection_na);
        Ok(())
    }

    /// Holds compartment `index` at `mv` (e.g. its `E_leak` for a killed end) from now on.
    pub fn clamp(&mut self, index: usize, mv: f64) -> Result<(), CableError> {
        let len = self.v.len();
        if index >= len {
            return Err(CableError::NoSuchCompartment { index, len });
        }
        if !mv.is_finite() {
            return Err(CableError::NotFinite {
                what: format!("clamp of compartment {index}"),
                value: mv,
            });
        }
        self.clamps[index] = Some(mv);
        self.v[index] = mv;
        self.rebuild_matrix();
        Ok(())
    }

    /// Releases the clamp of compartment `index`, if any.
    pub fn unclamp(&mut self, index: usize) -> Result<(), CableError> {
        let len = self.v.len();
        if index >= len {
            return Err(CableError::NoSuchCompartment { index, len });
        }
        self.clamps[index] = None;
        self.rebuild_matrix();
        Ok(())
    }

    /// Advances by one time step.
    pub fn step(&mut self) {
        let tree = &self.tree;
        let n = tree.len();
        let parent = tree.parents();
        let cap = tree.capacitances_nf();
        let leak = tree.leak_conductances_us();
        let g = tree.axial_conductances_us();
        // rhs = C/Δt V + G E + I − (1 − θ) K V, with θ = 1 (BE) or ½ (CN).
        let explicit = 1.0 - self.k_scale();
        for i in 0..n {
            let e = tree.compartments()[i].membrane.e_leak;
            self.rhs[i] = cap[i] / self.dt_ms * self.v[i] + leak[i] * e + self.injection_na[i]
                - explicit * leak[i] * self.v[i];
        }
        if explicit != 0.0 {
            for i in 1..n {
                let p = parent[i];
                let current = g[i] * (self.v[p] - self.v[i]);
                self.rhs[i] += explicit * current;
                self.rhs[p] -= explicit * current;
            }
        }
        for i in 0..n {
            if let Some(value) = self.clamps[i] {
                self.rhs[i] = value;
            }
        }
        self.work_diag.copy_from_slice(&self.diag);
        hines_solve(
            parent,
            &mut self.work_diag,
            &self.upper,
            &self.lower,
            &mut self.rhs,
        );
        std::mem::swap(&mut self.v, &mut self.rhs);
        self.time_ms += self.dt_ms;
    }
}
