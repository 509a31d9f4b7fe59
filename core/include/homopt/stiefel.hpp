// homopt — the Stiefel manifold St(n, N) = {Y ∈ ℝ^{N×n} : YᵀY = I}
// (docs/mathematics.md).
#pragma once

#include "homopt/orthonormal_frames.hpp"

namespace homopt {

/// St(n, N) as the homogeneous space O(N)/O(N−n), E = [I_n; 0]. Geometry, packing and
/// retractions: see OrthonormalFrames (𝔤ʰᵒʳ has the skew block A here; dimension
/// n(n−1)/2 + (N−n)n).
class Stiefel : public OrthonormalFrames {
 public:
  /// St(n, N); requires 1 ≤ n ≤ N (InvalidArgument naming "n" otherwise).
  Stiefel(uword N, uword n) : OrthonormalFrames(N, n, true) {}
  std::string name() const override { return "Stiefel"; }
  /// Canonical metric: G − Y GᵀY.
  Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const override;
  std::unique_ptr<Manifold> clone() const override { return std::make_unique<Stiefel>(*this); }
};

}  // namespace homopt
