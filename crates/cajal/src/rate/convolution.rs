//! The coupling of two fields: the circular convolution (J ⋆ r)_x = (1/N) Σ_y J[(x − y) mod N] r_y
//! on a ring of N points or a torus of N = N_x·N_y points, computed every step.
//!
//! By the convolution theorem, (J ⋆ r)^_k = Ĵ_k r̂_k / N with the discrete Fourier transform
//! f̂_k = Σ_x f_x e^(−2πi k·x/N). Two exact ways follow:
//!
//! - **Fourier modes** ([`Convolution::Modes`]): if the kernel's spectrum Ĵ has only a few
//!   nonzero modes (the cosine kernel of the ring model has the modes 0 and ±1), project r
//!   onto those modes and sum them back: O(N) per mode, with tables of cos and sin made once.
//!   A mode counts as zero when |Ĵ_k| ≤ 10⁻¹² max_k |Ĵ_k|, below the rounding of an FFT.
//! - **FFT** ([`Convolution::Fft`]): otherwise, a real-to-complex FFT of r (rows of the torus,
//!   then a complex FFT along its columns), the product with Ĵ precomputed, and the inverse:
//!   O(N log N).
//!
//! Both are single-threaded and deterministic. Modes are cheaper than the FFT up to
//! [`MAX_MODES`] conjugate pairs (the FFT of a real field costs about as much as 10 to 20
//! projections on the sizes of interest, N = 10²–10⁵).

use std::f64::consts::PI;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};

use super::model::Geometry;

/// The most conjugate pairs of Fourier modes a kernel may have for the projection onto modes
/// to be used instead of the FFT.
pub const MAX_MODES: usize = 8;

/// Relative size below which a Fourier mode of a kernel counts as zero.
const ZERO_MODE: f64 = 1e-12;

/// One coupling's convolution, with its precomputed spectrum and scratch buffers.
#[derive(Clone)]
pub(crate) enum Convolution {
    /// Between two single rates: a product with the weight.
    Weight(f64),
    /// Projection onto a few Fourier modes.
    Modes(Modes),
    /// FFT, product with the spectrum, inverse FFT.
    Fft(Box<FftConvolution>),
}

impl std::fmt::Debug for Convolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Convolution::Weight(weight) => write!(f, "Weight({weight})"),
            Convolution::Modes(modes) => write!(f, "Modes({} pairs)", modes.modes.len()),
            Convolution::Fft(_) => write!(f, "Fft"),
        }
    }
}

/// How to convolve with a kernel on a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// Modes if the spectrum allows it, else the FFT.
    Automatic,
    /// Always the FFT (to compare the two in tests).
    #[cfg(test)]
    Fft,
}

impl Convolution {
    /// The convolution with the kernel `values` (J per grid displacement, laid out like the
    /// field; see [`super::Kernel::values_on`]) on `geometry` (a ring or a torus).
    pub(crate) fn new(values: &[f64], geometry: &Geometry, method: Method) -> Convolution {
        let (nx, ny) = grid(geometry);
        let mut transform = FftConvolution::plan(nx, ny);
        let mut spectrum = vec![Complex::new(0.0, 0.0); transform.spectrum_len()];
        transform.forward(values, &mut spectrum);
        let count = (nx * ny) as f64;
        // Ĵ/N for the theorem and another 1/N for the inverse FFT, which is not normalised.
        for value in &mut spectrum {
            *value /= count * count;
        }
        if method == Method::Automatic
            && let Some(modes) = Modes::from_spectrum(&spectrum, nx, ny)
        {
            return Convolution::Modes(modes);
        }
        transform.spectrum = spectrum;
        Convolution::Fft(Box::new(transform))
    }

    /// `output` = J ⋆ `input` (both of the field's size; one value for a weight).
    pub(crate) fn apply(&mut self, input: &[f64], output: &mut [f64]) {
        match self {
            Convolution::Weight(weight) => output[0] = *weight * input[0],
            Convolution::Modes(modes) => modes.apply(input, output),
            Convolution::Fft(fft) => fft.apply(input, output),
        }
    }

    /// Whether this convolution projects onto Fourier modes (for tests and benchmarks).
    #[cfg(test)]
    pub(crate) fn is_modes(&self) -> bool {
        matches!(self, Convolution::Modes(_))
    }
}

/// (N_x, N_y) of the field: a ring of N points is a torus of 1 × N, so that one code serves
/// both (the transform along the single row is the whole transform).
fn grid(geometry: &Geometry) -> (usize, usize) {
    match *geometry {
        Geometry::Single => (1, 1),
        Geometry::Ring { points, .. } => (1, points),
        Geometry::Torus { points, .. } => points,
    }
}

/// A few Fourier modes of a kernel, one per conjugate pair (k, −k), with cos and sin of
/// their phase 2π(k_x i/N_x + k_y j/N_y) at every point.
#[derive(Clone, Debug)]
pub(crate) struct Modes {
    modes: Vec<Mode>,
}

#[derive(Clone, Debug)]
struct Mode {
    /// Ĵ_k/N² times 2 for a pair (k ≠ −k), 1 for a self-conjugate mode (k = 0, Nyquist):
    /// the sum of the pair's two terms, complex conjugates of each other, is twice the real
    /// part of one.
    coefficient: Complex<f64>,
    cos: Vec<f64>,
    sin: Vec<f64>,
}

impl Modes {
    /// The nonzero modes of `spectrum` (the half spectrum of [`FftConvolution`], already
    /// divided by N²) if there are at most [`MAX_MODES`] pairs of them.
    fn from_spectrum(spectrum: &[Complex<f64>], nx: usize, ny: usize) -> Option<Modes> {
        let largest = spectrum.iter().map(|v| v.norm()).fold(0.0, f64::max);
        let half = ny / 2 + 1;
        let mut chosen = Vec::new();
        for ky in 0..half {
            for kx in 0..nx {
                let value = spectrum[FftConvolution::spectrum_index(nx, kx, ky)];
                if value.norm() <= ZERO_MODE * largest {
                    continue;
                }
                // The half spectrum holds k_y ≤ N_y/2. Its rows k_y = 0 and k_y = N_y/2 (N_y
                // even) hold both members of a pair (k_x, k_y) and (−k_x, k_y): keep one.
                let own_row = ky == 0 || 2 * ky == ny;
                let partner = (nx - kx) % nx;
                if own_row && partner < kx {
                    continue;
                }
                let self_conjugate = own_row && partner == kx;
                chosen.push((kx, ky, value, self_conjugate));
                if chosen.len() > MAX_MODES {
                    return None;
                }
            }
        }
        let count = nx * ny;
        let modes = chosen
            .into_iter()
            .map(|(kx, ky, value, self_conjugate)| {
                // The phase in units of 2π/N as an exact integer, so that tables are exact
                // to rounding whatever N: (k_x i N_y + k_y j N_x) mod N.
                let phase = |index: usize| {
                    let (i, j) = (index / ny, index % ny);
                    let turns = (kx * i * ny + ky * j * nx) % count;
                    2.0 * PI * turns as f64 / count as f64
                };
                Mode {
                    coefficient: if self_conjugate { value } else { 2.0 * value },
                    cos: (0..count).map(|x| phase(x).cos()).collect(),
                    sin: (0..count).map(|x| phase(x).sin()).collect(),
                }
            })
            .collect();
        Some(Modes { modes })
    }

    /// out_x = Σ_modes Re(c_k r̂_k e^(iθ_k(x))) with r̂_k = Σ_y r_y e^(−iθ_k(y)).
    fn apply(&self, input: &[f64], output: &mut [f64]) {
        output.fill(0.0);
        for mode in &self.modes {
            let (mut a, mut b) = (0.0, 0.0);
            for ((&r, &c), &s) in input.iter().zip(&mode.cos).zip(&mode.sin) {
                a += r * c;
                b += r * s;
            }
            // r̂ = a − ib; c r̂ = (c_re a + c_im b) + i(c_im a − c_re b).
            let k = mode.coefficient;
            let real = k.re * a + k.im * b;
            let imaginary = k.im * a - k.re * b;
            for ((out, &c), &s) in output.iter_mut().zip(&mode.cos).zip(&mode.sin) {
                *out += real * c - imaginary * s;
            }
        }
    }
}

/// The FFT path: real-to-complex transforms along the rows (length N_y, contiguous), complex
/// transforms along the columns (length N_x) of the N_y/2 + 1 retained frequencies.
#[derive(Clone)]
pub(crate) struct FftConvolution {
    nx: usize,
    ny: usize,
    row_forward: Arc<dyn RealToComplex<f64>>,
    row_inverse: Arc<dyn ComplexToReal<f64>>,
    column_forward: Arc<dyn Fft<f64>>,
    column_inverse: Arc<dyn Fft<f64>>,
    /// Ĵ/N², laid out as [`Self::spectrum_index`].
    spectrum: Vec<Complex<f64>>,
    /// A copy of the input (the real transform uses its input as scratch).
    real: Vec<f64>,
    /// The rows' half spectra, N_x × (N_y/2 + 1), row-major.
    rows: Vec<Complex<f64>>,
    /// The same transposed, (N_y/2 + 1) × N_x, so that columns are contiguous.
    columns: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl FftConvolution {
    fn plan(nx: usize, ny: usize) -> FftConvolution {
        let mut real_planner = RealFftPlanner::<f64>::new();
        let row_forward = real_planner.plan_fft_forward(ny);
        let row_inverse = real_planner.plan_fft_inverse(ny);
        let mut planner = FftPlanner::<f64>::new();
        let column_forward = planner.plan_fft_forward(nx);
        let column_inverse = planner.plan_fft_inverse(nx);
        let half = ny / 2 + 1;
        let scratch_len = [
            row_forward.get_scratch_len(),
            row_inverse.get_scratch_len(),
            column_forward.get_inplace_scratch_len(),
            column_inverse.get_inplace_scratch_len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let zero = Complex::new(0.0, 0.0);
        FftConvolution {
            nx,
            ny,
            row_forward,
            row_inverse,
            column_forward,
            column_inverse,
            spectrum: Vec::new(),
            real: vec![0.0; nx * ny],
            rows: vec![zero; nx * half],
            columns: vec![zero; nx * half],
            scratch: vec![zero; scratch_len],
        }
    }

    fn spectrum_len(&self) -> usize {
        self.nx * (self.ny / 2 + 1)
    }

    /// Where mode (k_x, k_y), k_y ≤ N_y/2, is stored: column-major, the layout after the
    /// column transforms (for a ring, N_x = 1, simply k_y).
    fn spectrum_index(nx: usize, kx: usize, ky: usize) -> usize {
        ky * nx + kx
    }

    /// The half spectrum of the real field `input` into `output`.
    fn forward(&mut self, input: &[f64], output: &mut [Complex<f64>]) {
        let (nx, ny) = (self.nx, self.ny);
        let half = ny / 2 + 1;
        self.real.copy_from_slice(input);
        let rows = if nx == 1 {
            &mut *output
        } else {
            &mut self.rows[..]
        };
        for (row, spectrum) in self
            .real
            .chunks_exact_mut(ny)
            .zip(rows.chunks_exact_mut(half))
        {
            self.row_forward
                .process_with_scratch(row, spectrum, &mut self.scratch)
                .expect("buffers sized by the plan");
        }
        if nx == 1 {
            return;
        }
        transpose(&self.rows, output, nx, half);
        self.column_forward
            .process_with_scratch(output, &mut self.scratch);
    }

    /// The real field whose half spectrum is `spectrum` (destroyed), times N, into `output`.
    fn inverse(&mut self, output: &mut [f64]) {
        let (nx, ny) = (self.nx, self.ny);
        let half = ny / 2 + 1;
        let rows = if nx == 1 {
            &mut self.columns[..]
        } else {
            self.column_inverse
                .process_with_scratch(&mut self.columns, &mut self.scratch);
            transpose(&self.columns, &mut self.rows, half, nx);
            &mut self.rows[..]
        };
        for (spectrum, row) in rows.chunks_exact_mut(half).zip(output.chunks_exact_mut(ny)) {
            // The field is real, so the zero frequency and the Nyquist frequency of each row
            // are real: what is left in their imaginary parts is rounding.
            spectrum[0].im = 0.0;
            if ny % 2 == 0 {
                spectrum[half - 1].im = 0.0;
            }
            self.row_inverse
                .process_with_scratch(spectrum, row, &mut self.scratch)
                .expect("buffers sized by the plan");
        }
    }

    fn apply(&mut self, input: &[f64], output: &mut [f64]) {
        let mut transformed = std::mem::take(&mut self.columns);
        self.forward(input, &mut transformed);
        for (value, &factor) in transformed.iter_mut().zip(&self.spectrum) {
            *value *= factor;
        }
        self.columns = transformed;
        self.inverse(output);
    }
}

/// `to` (cols × rows) = the transpose of `from` (rows × cols), both row-major.
fn transpose(from: &[Complex<f64>], to: &mut [Complex<f64>], rows: usize, cols: usize) {
    for (r, row) in from.chunks_exact(cols).enumerate() {
        for (c, &value) in row.iter().enumerate() {
            to[c * rows + r] = value;
        }
    }
}
