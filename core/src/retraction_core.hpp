// homopt (private) — the small 2n×2n matrix function at the heart of every retraction.
#pragma once

#include "homopt/manifold.hpp"

namespace homopt::detail {

/// The 2n×2n matrix M of the retraction: (I − X/2)⁻¹ for Cayley, φ(X) = Σ_{k≥1} X^{k−1}/k!
/// for the geodesic (top-right block of exp([[X, I], [0, 0]])).
Mat retraction_core(const Mat& X, Retraction retraction);

}  // namespace homopt::detail
