// The solver reference problem shared by every language (tests/data/minimize_reference.txt):
// Brockett cost f(Y) = tr(YᵀAYN) on St(4, 20), A = (X + Xᵀ)/2 with
// X = standard_normal_matrix(20, 20, seed), N = diag(1, 2, 3, 4), Euclidean gradient
// G = 2·A·Y·N, Y0 = Stiefel(20, 4).random_point(seed). Minimum (closed form): the columns
// of Y span eigenvectors of the 4 smallest eigenvalues λ₁ ≤ … ≤ λ₄ of A, paired with N in
// reverse order: f* = Σⱼ j·λ₅₋ⱼ.
#pragma once

#include <cstdint>
#include <vector>

#include "homopt/homopt.hpp"

namespace homopt::minimize_reference {

constexpr std::uint64_t reference_seed = 101;
/// Rules of the reference run: BFGS(lr = 0.5/‖A‖₂) until ‖c‖₂ ≤ 1e-5 (at most 1000 steps).
constexpr real gradient_tolerance = 1e-5;
constexpr std::uint64_t max_iterations = 1000;

struct Brockett {
  Mat A, N;
  explicit Brockett(std::uint64_t seed)
      : A(0.5 * (standard_normal_matrix(20, 20, seed) + standard_normal_matrix(20, 20, seed).t())),
        N(arma::diagmat(Vec{1, 2, 3, 4})) {}
  real value(const std::vector<Mat>& Y) const { return arma::trace(Y[0].t() * A * Y[0] * N); }
  std::vector<Mat> gradient(const std::vector<Mat>& Y) const { return {2 * A * Y[0] * N}; }
  /// f* = Σⱼ j·λ₅₋ⱼ (λ ascending).
  real optimum() const {
    const Vec lambda = arma::eig_sym(A);
    return 1 * lambda(3) + 2 * lambda(2) + 3 * lambda(1) + 4 * lambda(0);
  }
  /// 0.5/‖A‖₂: the BFGS learning rate of the reference run.
  real bfgs_lr() const { return 0.5 / arma::norm(A, 2); }
  Mat start(std::uint64_t seed) const { return Stiefel(20, 4).random_point(seed); }
};

/// The reference run (the optimizer is returned through `optimizer`).
inline MinimizeResult run(const Brockett& problem, std::uint64_t seed, Optimizer& optimizer) {
  optimizer.add(Stiefel(20, 4), problem.start(seed));
  MinimizeOptions options;
  options.rules.gradient_tolerance = gradient_tolerance;
  options.rules.max_iterations = max_iterations;
  return minimize([&](const std::vector<Mat>& Y) { return problem.value(Y); },
                  [&](const std::vector<Mat>& Y) { return problem.gradient(Y); }, optimizer, options);
}

}  // namespace homopt::minimize_reference
