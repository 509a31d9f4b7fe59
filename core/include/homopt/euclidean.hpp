// homopt — a plain vector space ℝ^{rows×cols}: the trivial homogeneous space.
#pragma once

#include "homopt/manifold.hpp"

namespace homopt {

/// ℝ^{rows×cols}. Coordinates c = vec(G) (column-major); the step is Y ← Y + V with
/// V = reshape(c_V, rows, cols); the retraction choice is ignored. With Adam this is
/// exactly textbook (bias-corrected) Adam.
class Euclidean : public Manifold {
 public:
  /// Requires rows ≥ 1, cols ≥ 1 and rows·cols ≤ 2³¹ − 1 = homopt::max_matrix_elements
  /// (InvalidArgument naming "rows" or "cols" otherwise).
  Euclidean(uword rows, uword cols);

  std::string name() const override { return "Euclidean"; }
  std::vector<uword> shape_parameters() const override { return {rows_, cols_}; }
  std::string description() const override;
  uword rows() const override { return rows_; }
  uword cols() const override { return cols_; }
  /// rows·cols.
  uword dimension() const override { return rows_ * cols_; }
  /// Independent standard normals, homopt::standard_normal_matrix(rows, cols, seed).
  Mat random_point(std::uint64_t seed) const override;
  /// 0 (validates shape and finiteness).
  real check(const Mat& point) const override;
  real tolerance() const override { return 0; }
  /// G.
  Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const override;
  /// reshape(c, rows, cols).
  Mat horizontal_matrix(const Vec& coordinates) const override;
  std::unique_ptr<Section> section(const Mat& point, const char* argument = "point") const override;
  std::unique_ptr<Section> section_from_state(const std::vector<Mat>& state) const override;
  std::unique_ptr<Manifold> clone() const override { return std::make_unique<Euclidean>(*this); }

 private:
  uword rows_, cols_;
};

}  // namespace homopt
