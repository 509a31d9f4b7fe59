// The reference trajectory shared by every language binding (tests/data/reference_trajectory.txt):
// Brockett cost f(Y) = tr(YᵀBYD) on Stiefel(6, 2), B = (X + Xᵀ)/2 with
// X = standard_normal_matrix(6, 6, 7), D = diag(1, 2), Y0 = Stiefel(6, 2).random_point(42),
// Adam(lr = 0.05, beta1 = 0.9, beta2 = 0.99, eps = 3e-7), Cayley retraction, 20 steps,
// Euclidean gradient G = 2·B·Y·D.
#pragma once

#include <vector>

#include "homopt/homopt.hpp"

namespace homopt::reference {

constexpr std::uint64_t point_seed = 42;
constexpr std::uint64_t matrix_seed = 7;
constexpr int steps = 20;
inline Adam method() { return Adam(0.05, 0.9, 0.99, 3e-7); }

inline Mat brockett_B() {
  const Mat X = standard_normal_matrix(6, 6, matrix_seed);
  return 0.5 * (X + X.t());
}
inline Mat brockett_D() { return arma::diagmat(Vec{1.0, 2.0}); }

/// Y0, Y1, …, Y20.
inline std::vector<Mat> trajectory() {
  const Mat B = brockett_B(), D = brockett_D();
  const Stiefel manifold(6, 2);
  Optimizer optimizer(method(), Retraction::cayley);
  optimizer.add(manifold, manifold.random_point(point_seed));
  std::vector<Mat> iterates{optimizer.value(0)};
  for (int t = 1; t <= steps; ++t) {
    optimizer.step({2.0 * B * optimizer.value(0) * D});
    iterates.push_back(optimizer.value(0));
  }
  return iterates;
}

}  // namespace homopt::reference
