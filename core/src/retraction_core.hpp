// homopt (private) — the small 2n×2n matrix function at the heart of every retraction.
#pragma once

#include "homopt/manifold.hpp"

namespace homopt::detail {

/// The 2n×2n matrix M of the retraction: (I − X/2)⁻¹ for Cayley, φ(X) = Σ_{k≥1} X^{k−1}/k!
/// = (exp(X) − I)X⁻¹ for the geodesic (computed by `phi_into`). A non-finite X or result
/// throws InvalidArgument("velocity", …).
Mat retraction_core(const Mat& X, Retraction retraction);

/// Scratch matrices of `phi_into`, kept between calls: once they have the size of X, the
/// geodesic core allocates nothing.
struct PhiWorkspace {
  Mat power1, power2, power3, power4;  // Y, Y², Y³, Y⁴ with Y = X/2ˢ
  Mat product;                         // a gemm's output
  Mat exponential;                     // exp(Y·2ʲ) during the squaring
};

/// `retraction_core` written into `result` (resized to X's size). The geodesic path is
/// allocation-free once `workspace` and `result` have the size of X; the Cayley path solves
/// with LAPACK (which allocates). Same errors as `retraction_core`; `result` is unspecified
/// after a throw.
void retraction_core_into(Mat& result, const Mat& X, Retraction retraction, PhiWorkspace& workspace);

/// How φ(X) is evaluated: the Taylor polynomial of φ of degree `degree` at Y = X/2ˢ, then
/// `squarings` = s doublings φ(2Y) = φ(Y)(exp(Y) + I)/2, exp(2Y) = exp(Y)².
struct PhiPlan {
  uword degree = 0;
  uword squarings = 0;
  /// Matrix products of the plan: 3 for Y², Y³, Y⁴, degree/4 − 1 for the Horner steps in Y⁴,
  /// 2s for the squarings (exp(Y) = I + Y·p(Y) once, then φ and exp per doubling but the last).
  uword products() const { return 2 + degree / 4 + 2 * squarings; }
};

/// The cheapest plan (fewest products; ties: fewest squarings) whose backward error is at
/// most the unit roundoff u = 2⁻⁵³, from the 1-norms ‖Xᵏ‖₁, k = 1…4 (see retraction_core.cpp).
/// Throws InvalidArgument("velocity", …) when a norm is not finite.
PhiPlan plan_phi(real norm1, real norm2, real norm3, real norm4);

/// θ of the Taylor polynomial of φ of `degree` ∈ {4, 8, …, 24}: the plan needs α(X)/2ˢ ≤ θ.
real phi_theta(uword degree);

}  // namespace homopt::detail
