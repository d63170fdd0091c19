//! An exponential the compiler can vectorise, with the same result on every machine.
//!
//! The Hodgkin–Huxley rate functions need six exponentials per neuron per RK4 stage. The C
//! library's `exp` is a function call the compiler cannot vectorise, and glibc picks a
//! different implementation (with or without FMA) depending on the processor, so its last
//! bit may differ between machines. This one is branch-free plain arithmetic: loops over
//! neurons that call it become SIMD loops, and it returns bit-identical values everywhere
//! (Rust never fuses `a * b + c` into an FMA on its own).
//!
//! Method (Cody & Waite 1980; Tang 1989): write x = k·ln2 + r with |r| ≤ ln2/2, ln2 split
//! into a high part with trailing zero bits and a low part so that k·ln2_hi is exact;
//! approximate e^r by its Taylor polynomial to degree 13 (truncation < 3e-17 relative for
//! |r| ≤ 0.347); scale by 2^k by building the exponent bits. Measured error ≤ 2 ulp over
//! [-700, 700] against the C library (see the test).

const LOG2_E: f64 = std::f64::consts::LOG2_E;
// ln 2 split: LN2_HI has 21 trailing zero bits, so k * LN2_HI is exact for |k| < 2^21.
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Beyond these the result is 0 or +inf (after clamping, 2^k stays a normal number).
const MAX_ARGUMENT: f64 = 709.0;
const MIN_ARGUMENT: f64 = -708.0;
/// Adding then subtracting 1.5·2^52 rounds to the nearest integer without a branch.
const ROUNDING_SHIFTER: f64 = 6_755_399_441_055_744.0;

/// e^x, vectorisable and machine-independent; within 2 ulp of the exact value for
/// |x| ≤ 708, and saturating (to e^±708.5, not inf/0) beyond, which no model here reaches.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(MIN_ARGUMENT, MAX_ARGUMENT);
    let shifted = x * LOG2_E + ROUNDING_SHIFTER;
    let k = shifted - ROUNDING_SHIFTER;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // sum_{j=0}^{13} r^j / j! in Estrin's scheme: pairs, then pairs of pairs, ... The
    // dependency chain is four multiply-adds deep instead of Horner's thirteen, which
    // matters because the HH step is one long chain of dependent exponentials.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p01 = 1.0 + r;
    let p23 = 0.5 + r * (1.0 / 6.0);
    let p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let p67 = 1.0 / 720.0 + r * (1.0 / 5_040.0);
    let p89 = 1.0 / 40_320.0 + r * (1.0 / 362_880.0);
    let p1011 = 1.0 / 3_628_800.0 + r * (1.0 / 39_916_800.0);
    let p1213 = 1.0 / 479_001_600.0 + r * (1.0 / 6_227_020_800.0);
    let q0 = p01 + r2 * p23;
    let q1 = p45 + r2 * p67;
    let q2 = p89 + r2 * p1011;
    let s0 = q0 + r4 * q1;
    let s1 = q2 + r4 * p1213;
    let p = s0 + r8 * s1;
    // 2^k from its exponent bits; k is within [-1022, 1023] after the clamp. The low bits of
    // `shifted` hold k as a two's-complement integer (the shifter's own mantissa bits are
    // shifted out), which avoids a float-to-integer conversion SIMD units lack.
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52);
    p * scale
}

/// x / (e^x − 1) written as 1/exprel(x); well defined at x = 0, where it is 1.
///
/// The Hodgkin–Huxley α_m and α_n have this shape: α = a·(v − v0)/(1 − exp(−(v − v0)/s)),
/// a removable singularity at v = v0 that a direct formula turns into 0/0.
#[inline(always)]
pub fn x_over_expm1(x: f64) -> f64 {
    x_over_expm1_with(x, exp(x))
}

/// [`x_over_expm1`] for a caller that already has `exp_x` = e^x.
#[inline(always)]
pub fn x_over_expm1_with(x: f64, exp_x: f64) -> f64 {
    // Both branches are computed and one selected, so the loop stays vectorisable.
    let direct = x / (exp_x - 1.0);
    if x.abs() < SERIES_RANGE {
        x_over_expm1_series(x)
    } else {
        direct
    }
}

/// Below this |x|, [`x_over_expm1_series`] is used: the direct form would lose up to 1e-14 to
/// cancellation there, the series' first omitted term is below 3e-18.
pub const SERIES_RANGE: f64 = 0.1;

/// The Bernoulli series of x/(e^x − 1) through x⁸, for |x| < [`SERIES_RANGE`].
#[inline(always)]
pub fn x_over_expm1_series(x: f64) -> f64 {
    let x2 = x * x;
    1.0 - x * 0.5
        + x2 * (1.0 / 12.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 30240.0 - x2 * (1.0 / 1209600.0))))
}

/// (1 − e^(−x))/x — the mean of e^(−s) over [0, x], 1 at x = 0 — for a caller that already has
/// `exp_neg_x` = e^(−x). Below [`SERIES_RANGE`] a Taylor series replaces the direct form, which
/// would lose digits to cancellation; both are computed and one selected, so loops stay
/// vectorisable.
#[inline(always)]
pub fn one_minus_exp_neg_over_x_with(x: f64, exp_neg_x: f64) -> f64 {
    let direct = (1.0 - exp_neg_x) / x;
    // Σ (−x)^n/(n + 1)! through n = 9; the first omitted term is below 3e-18 for |x| < 0.1.
    let series = 1.0
        - x * (1.0 / 2.0
            - x * (1.0 / 6.0
                - x * (1.0 / 24.0
                    - x * (1.0 / 120.0
                        - x * (1.0 / 720.0
                            - x * (1.0 / 5040.0
                                - x * (1.0 / 40320.0
                                    - x * (1.0 / 362880.0 - x * (1.0 / 3628800.0)))))))));
    if x.abs() < SERIES_RANGE {
        series
    } else {
        direct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulp_distance(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn exp_is_within_two_ulp_of_the_c_library() {
        let mut worst = 0;
        let mut x = -700.0;
        while x <= 700.0 {
            worst = worst.max(ulp_distance(exp(x), x.exp()));
            x += 0.001_37;
        }
        // Dense sampling where the HH rates live.
        let mut x = -20.0;
        while x <= 20.0 {
            worst = worst.max(ulp_distance(exp(x), x.exp()));
            x += 1.0e-5;
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn exp_saturates_instead_of_overflowing() {
        assert!(exp(1e6).is_finite());
        assert!(exp(-1e6) > 0.0);
        assert!(exp(-1e6) < 1e-300);
    }

    #[test]
    fn one_minus_exp_neg_over_x_is_accurate_through_zero() {
        for &x in &[
            -3.0f64, -0.2, -0.1, -0.0999, -1e-3, -1e-8, 0.0, 1e-8, 1e-3, 0.0999, 0.1, 0.5, 40.0,
        ] {
            let reference: f64 = if x == 0.0 { 1.0 } else { -(-x).exp_m1() / x };
            let value = one_minus_exp_neg_over_x_with(x, exp(-x));
            let relative = (value - reference).abs() / reference;
            assert!(relative < 1e-14, "x = {x}: {relative}");
        }
    }

    #[test]
    fn x_over_expm1_is_continuous_through_zero() {
        for &x in &[
            -1e-2f64, -1e-3, -9.99e-4, -1e-8, 0.0, 1e-8, 9.99e-4, 1e-3, 1e-2, 3.0,
        ] {
            let reference: f64 = if x == 0.0 { 1.0 } else { x / x.exp_m1() };
            let relative = (x_over_expm1(x) - reference).abs() / reference;
            assert!(relative < 1e-14, "x = {x}: {relative}");
        }
    }
}
