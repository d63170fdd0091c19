//! Hines' O(N) elimination for tree-structured (quasi-tridiagonal) matrices.

/// Solves `A x = rhs` in place for a matrix whose sparsity follows a tree (Hines 1984).
///
/// Compartment `i > 0` has parent `parent[i] < i` (`parent[0]` is ignored). The matrix is
/// given by `diag[i] = A[i][i]`, `upper[i] = A[i][parent[i]]` (the parent's column in row `i`)
/// and `lower[i] = A[parent[i]][i]` (row of the parent, column `i`); entries at index 0 of
/// `upper` and `lower` are ignored. The matrix need not be symmetric.
///
/// Elimination runs backward from the highest index (the leaves) to the root, folding each
/// row into its parent's, then substitution runs forward from the root. `diag` is overwritten
/// and `rhs` holds the solution on return. A zero pivot gives non-finite values; matrices
/// with a dominant diagonal, such as those of the cable's implicit steps, never have one.
///
/// # Panics
///
/// If the slices differ in length or a parent does not come before its child.
pub fn hines_solve(
    parent: &[usize],
    diag: &mut [f64],
    upper: &[f64],
    lower: &[f64],
    rhs: &mut [f64],
) {
    let n = parent.len();
    assert!(
        diag.len() == n && upper.len() == n && lower.len() == n && rhs.len() == n,
        "hines_solve: slices of different lengths"
    );
    for i in (1..n).rev() {
        let p = parent[i];
        assert!(
            p < i,
            "hines_solve: parent {p} of {i} does not come before it"
        );
        let factor = lower[i] / diag[i];
        diag[p] -= factor * upper[i];
        rhs[p] -= factor * rhs[i];
    }
    if n == 0 {
        return;
    }
    rhs[0] /= diag[0];
    for i in 1..n {
        let p = parent[i];
        rhs[i] = (rhs[i] - upper[i] * rhs[p]) / diag[i];
    }
}
