// homopt — the Grassmann manifold Gr(n, N) of n-dimensional subspaces of ℝ^N (docs/mathematics.md).
#pragma once

#include "homopt/orthonormal_frames.hpp"

namespace homopt {

/// Gr(n, N) = O(N)/(O(n)×O(N−n)), represented by an orthonormal basis Y (N×n); the point
/// is span(Y), so compare results by projectors YYᵀ or principal angles, never by Y.
/// Everything is Stiefel's with A ≡ 0 (see OrthonormalFrames): coordinates B = ȲᵀG
/// column-major, dimension (N−n)n, U = [[0, I], [B, 0]], Wᵀ = [[I, 0], [0, −Bᵀ]].
class Grassmann : public OrthonormalFrames {
 public:
  /// Gr(n, N); requires 1 ≤ n ≤ N (InvalidArgument naming "n" otherwise).
  Grassmann(uword N, uword n) : OrthonormalFrames(N, n, false) {}
  std::string name() const override { return "Grassmann"; }
  /// G − YYᵀG.
  Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const override;
  std::unique_ptr<Manifold> clone() const override { return std::make_unique<Grassmann>(*this); }
};

}  // namespace homopt
