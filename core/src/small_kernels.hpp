// homopt (private) — allocation-free dense kernels for the small-size step (n ≤ 16,
// N ≤ small_step_max_rows) of the Stiefel and Grassmann sections (docs/architecture.md,
// "Fast paths").
//
// At such sizes one BLAS or LAPACK call costs more in fixed overhead (argument checks,
// blocking set-up, the β = 0 zero fill, buffer allocation) than its arithmetic, so the
// products of a step are plain loops over caller-provided column-major storage. Every
// kernel accumulates each output entry in a fixed order, so results are deterministic on a
// given machine; on x86-64 they are compiled twice (generic and AVX2 + FMA) and picked at
// load time, which changes only the rounding (fused multiply-adds).
//
// Conventions: matrices are column-major with leading dimension = rows (no padding);
// `real*` outputs never alias inputs.
#pragma once

#include "homopt/types.hpp"

namespace homopt::detail::small {

/// C = α·AᵀB + β·C for A (r×p), B (r×q), C (p×q): C(i, j) = α·Σ_k A(k, i)·B(k, j) + β·C(i, j).
/// With β = 0, C is overwritten (its old content may be NaN).
void gemm_tn(uword r, uword p, uword q, real alpha, const real* A, const real* B, real beta, real* C);

/// C = α·A·B + β·C for A (r×p), B (p×q), C (r×q): C(i, j) = α·Σ_k A(i, k)·B(k, j) + β·C(i, j).
void gemm_nn(uword r, uword p, uword q, real alpha, const real* A, const real* B, real beta, real* C);

/// C = α·A·Bᵀ + β·C for A (r×p), B (q×p), C (r×q): C(i, j) = α·Σ_k A(i, k)·B(j, k) + β·C(i, j).
void gemm_nt(uword r, uword p, uword q, real alpha, const real* A, const real* B, real beta, real* C);

/// Inverts the s×s matrix `a` in place by Gauss–Jordan elimination with partial pivoting.
/// `work` holds at least 2·s·s reals. Returns false, leaving `a` unspecified, if a pivot is
/// exactly zero or the inverse has a NaN/Inf entry.
bool invert_in_place(real* a, uword s, real* work);

/// max_k |a[k]| over `count` entries (0 for none), or +Inf if an entry is NaN or ±Inf.
real max_abs_or_infinity(uword count, const real* a);

}  // namespace homopt::detail::small
