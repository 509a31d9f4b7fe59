// homopt — reproducible random numbers (same stream in every language binding).
#pragma once

#include "homopt/types.hpp"

namespace homopt {

/// rows×cols matrix of independent standard normals, filled in column-major order from
/// std::mt19937_64(seed) by the Box–Muller transform (both values of each pair used).
/// Fully specified, so identical on every platform (unlike std::normal_distribution).
/// Requires rows·cols ≤ 2³¹ − 1 = homopt::max_matrix_elements (InvalidArgument naming
/// "rows" or "cols" otherwise); 0 rows or columns give an empty matrix.
Mat standard_normal_matrix(uword rows, uword cols, std::uint64_t seed);

/// A seed for item `index` derived from `seed`: the SplitMix64 finalizer of
/// seed + φ·(index + 1), φ = 0x9E3779B97F4A7C15 (parameter initializations, epoch shuffles,
/// the complements drawn by SectionPolicy::redraw).
std::uint64_t derived_seed(std::uint64_t seed, std::uint64_t index);

/// Q factor of the thin Householder QR of `matrix` (N×n, n ≤ N), columns' signs chosen so
/// that diag(R) > 0. Throws InvalidArgument naming `argument` if `matrix` has a NaN/Inf
/// entry or is rank deficient.
Mat orthonormal_factor(const Mat& matrix, const char* argument);

}  // namespace homopt
