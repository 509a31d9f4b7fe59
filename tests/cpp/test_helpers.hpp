// Shared helpers for the C++ tests: dense reference formulas and small utilities.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "homopt/homopt.hpp"

namespace homopt::test {

/// ‖a − b‖_F / max(1, ‖b‖_F).
inline real relative_error(const Mat& a, const Mat& b) {
  return arma::norm(a - b, "fro") / std::max<real>(1, arma::norm(b, "fro"));
}

/// Dense Ω(Y, Δ) = (I − ½YYᵀ)ΔYᵀ − YΔᵀ(I − ½YYᵀ) (docs/mathematics.md).
inline Mat omega(const Mat& Y, const Mat& Delta) {
  const Mat P = arma::eye(Y.n_rows, Y.n_rows) - 0.5 * Y * Y.t();
  return P * Delta * Y.t() - Y * Delta.t() * P;
}

/// Dense Cayley transform (I − V/2)⁻¹(I + V/2).
inline Mat dense_cayley(const Mat& V) {
  const Mat I = arma::eye(V.n_rows, V.n_cols);
  return arma::solve(I - 0.5 * V, I + 0.5 * V);
}

/// A symmetric matrix with prescribed eigenvalues: Q diag(values) Qᵀ, Q from the seed.
inline Mat symmetric_with_eigenvalues(const Vec& values, std::uint64_t seed) {
  const Mat Q = orthonormal_factor(standard_normal_matrix(values.n_elem, values.n_elem, seed), "Q");
  return Q * arma::diagmat(values) * Q.t();
}

/// Checks `result ≤ tolerance` (a non-fatal CHECK: NaN fails) and, when the environment
/// variable HOMOPT_MARGIN_FILE names a file, appends the line "name result tolerance" to it.
/// The margin result / tolerance of every such check is what tests/tools/kernel-table
/// reports per OpenBLAS kernel; `name` identifies the quantity (it may contain spaces).
inline void check_within(const std::string& name, real result, real tolerance) {
  INFO(name << ": " << result << " (tolerance " << tolerance << ")");
  CHECK(result <= tolerance);
  if (const char* path = std::getenv("HOMOPT_MARGIN_FILE"); path != nullptr && *path != '\0') {
    if (std::FILE* file = std::fopen(path, "a")) {
      std::fprintf(file, "cpp: %s %.17g %.17g\n", name.c_str(), result, tolerance);
      std::fclose(file);
    }
  }
}

/// Sizes (N, n) exercised by the geometry tests, including n = 1, n = N − 1 and n = N.
inline std::vector<std::pair<uword, uword>> frame_sizes() {
  return {{5, 1}, {6, 5}, {4, 4}, {10, 3}, {49, 7}};
}

}  // namespace homopt::test
