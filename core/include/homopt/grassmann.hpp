// homopt — the Grassmann manifold Gr(n, N) of n-dimensional subspaces of ℝ^N (DESIGN 1.3).
#pragma once

#include "homopt/manifold.hpp"

namespace homopt {

/// Gr(n, N) = O(N)/(O(n)×O(N−n)), represented by an orthonormal basis Y (N×n); the point
/// is span(Y), so compare results by projectors YYᵀ or principal angles, never by Y.
///
/// Everything is Stiefel's (homopt::Stiefel) with A ≡ 0:
///   𝔤ʰᵒʳ = { [[0, −Bᵀ], [B, 0]] }, dimension (N−n)n, **packing**: B column-major;
///   lift B = ȲᵀG; U = [[0, I], [B, 0]], Wᵀ = [[I, 0], [0, −Bᵀ]];
///   Riemannian gradient G − YYᵀG.
class Grassmann : public Manifold {
 public:
  /// Gr(n, N); requires 1 ≤ n ≤ N (InvalidArgument naming "n" otherwise).
  Grassmann(uword N, uword n);

  uword N() const { return N_; }
  uword n() const { return n_; }

  std::string name() const override { return "Grassmann"; }
  std::vector<uword> shape_parameters() const override { return {N_, n_}; }
  std::string description() const override;
  uword rows() const override { return N_; }
  uword cols() const override { return n_; }
  /// (N−n)n.
  uword dimension() const override { return (N_ - n_) * n_; }
  /// Same basis as Stiefel(N, n).random_point(seed).
  Mat random_point(std::uint64_t seed) const override;
  /// ‖YᵀY − I‖_F (the basis must be orthonormal).
  real check(const Mat& point) const override;
  /// 1e-10.
  real tolerance() const override { return 1e-10; }
  /// G − YYᵀG.
  Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const override;
  /// [[0, −Bᵀ], [B, 0]] (N×N).
  Mat horizontal_matrix(const Vec& coordinates) const override;
  std::unique_ptr<Section> section(const Mat& point, const char* argument = "point") const override;
  std::unique_ptr<Section> section_from_state(const std::vector<Mat>& state) const override;
  std::unique_ptr<Manifold> clone() const override { return std::make_unique<Grassmann>(*this); }

 private:
  uword N_, n_;
};

}  // namespace homopt
