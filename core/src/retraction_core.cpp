#include "retraction_core.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "homopt/error.hpp"

// φ(X) = Σ_{k≥0} X^k/(k+1)! = (exp(X) − I)X⁻¹ on the 2n×2n matrix X (docs/mathematics.md,
// "How φ is computed").
//
// Method. Y = X/2ˢ; p_q(Y) = Σ_{k=0}^{q} Y^k/(k+1)! (Paterson–Stockmeyer: Y², Y³, Y⁴, then
// Horner in Y⁴, 2 + q/4 products for q ∈ {4, 8, …, 24}); then s doublings
//   φ(2Z) = φ(Z)(exp(Z) + I)/2,   exp(2Z) = exp(Z)²,   starting from exp(Y) ≈ I + Y·p_q(Y),
// which hold for any matrix Z (all factors are power series in Z, so they commute).
//
// Backward error (Al-Mohy & Higham, SIAM J. Matrix Anal. Appl. 31 (2009) 970 and SIAM J. Sci.
// Comput. 33 (2011) 488, applied to φ). I + Y·p_q(Y) = T_{q+1}(Y), the Taylor polynomial of exp
// of degree m = q + 1, and T_m(Y) = exp(Y + ΔY) with ΔY = h(Y) = log(exp(−Y)T_m(Y)) =
// Σ_{k≥m+1} c_k Y^k. Since p_q(Y) = (T_m(Y) − I)Y⁻¹ = φ(Y + ΔY)(I + R) with R = ΔY·Y⁻¹ =
// Σ_{k≥m+1} c_k Y^{k−1}, and the doublings map φ(Z)(I + R), exp(Z) to φ(2Z)(I + R), exp(2Z)
// exactly, the result in exact arithmetic is
//   φ(X + 2ˢΔY)·(I + R),   ‖2ˢΔY‖₁ ≤ u‖X‖₁,  ‖R‖₁ ≤ u,
// whenever Σ_{k≥m+1} |c_k| α^{k−1} ≤ u = 2⁻⁵³ with α = α(Y) a bound of ‖Y^k‖₁^{1/k} for every
// power of the two series (k ≥ m). θ_m is the largest such α (computed in 60-digit arithmetic
// from the exact rational c_k; the same values as Al-Mohy & Higham 2011, Table 3.1):
//   q = 4: θ₅ = 2.40088e-3   q = 8: θ₉ = 8.95776e-2   q = 12: θ₁₃ = 0.399778
//   q = 16: θ₁₇ = 0.930533   q = 20: θ₂₁ = 1.62372    q = 24: θ₂₅ = 2.42858
// α: with d_j = ‖X^j‖₁^{1/j}, every k ≥ p(p − 1) is a sum of p's and (p+1)'s, so
// ‖X^k‖₁ ≤ α_p^k with α_p = max(d_p, d_{p+1}) ≤ ‖X‖₁; α(X) is the smallest α_p valid for
// k ≥ q + 1 (p = 1 always, p = 2 for q ≥ 1, p = 3 for q ≥ 5, p = 4 for q ≥ 11, with
// d₅ ≤ min(‖X⁴‖₁‖X‖₁, ‖X³‖₁‖X²‖₁)^{1/5}), and α(Y) = α(X)/2ˢ. The plan takes, per degree,
// the least s with α(X)/2ˢ ≤ θ_{q+1} and keeps the degree of fewest products (2 + q/4 + 2s).
// α_p ≪ ‖X‖₁ for the retraction's X = [[A/2, I], [A²/4 − BᵀB, A/2]]: its I block has norm 1
// but X² = diag(−BᵀB, −BᵀB) + O(A), so a small velocity needs q = 8 or 12 and s = 0, where a
// bound by ‖X‖₁ ≥ 1 alone would need q = 20.
// Rounding in the polynomial and the doublings is not covered by this bound (as for every
// scaling-and-squaring method); tests/cpp/test_retraction_core.cpp measures the total error
// against exp([[X, I], [0, 0]]).

namespace homopt::detail {

namespace {

constexpr uword max_degree = 24;
// θ_{q+1} for q = 4, 8, …, 24 (see above).
constexpr std::array<real, 6> theta_by_degree = {2.40088e-3, 8.95776e-2, 0.399778, 0.930533, 1.62372, 2.42858};

/// 1/(k+1)!: the k-th Taylor coefficient of φ.
real phi_coefficient(uword k) {
  real coefficient = 1;
  for (uword j = 2; j <= k + 1; ++j) coefficient /= real(j);
  return coefficient;
}

/// Y² = Y·Y, Y³ = Y·Y², Y⁴ = Y²·Y² (power1 = Y is set), into the workspace.
void form_powers(PhiWorkspace& workspace) {
  workspace.power2 = workspace.power1 * workspace.power1;
  workspace.power3 = workspace.power1 * workspace.power2;
  workspace.power4 = workspace.power2 * workspace.power2;
}

/// result = p_q(Y) = Σ_{k=0}^{q} Y^k/(k+1)! by Horner in Y⁴ over the blocks
/// B_j = Σ_{i<4} c_{4j+i} Y^i (B_{q/4} = c_q I): q/4 − 1 products.
void taylor_phi(Mat& result, uword degree, PhiWorkspace& workspace) {
  const uword blocks = degree / 4;
  const auto add_block = [&](Mat& target, uword j) {
    target += phi_coefficient(4 * j + 1) * workspace.power1 + phi_coefficient(4 * j + 2) * workspace.power2 +
              phi_coefficient(4 * j + 3) * workspace.power3;
    target.diag() += phi_coefficient(4 * j);
  };
  // c_q Y⁴ + B_{q/4−1}, then (·)Y⁴ + B_j for j = q/4 − 2, …, 0.
  result = phi_coefficient(degree) * workspace.power4;
  add_block(result, blocks - 1);
  for (uword j = blocks - 1; j-- > 0;) {
    workspace.product = result * workspace.power4;
    result = workspace.product;
    add_block(result, j);
  }
}

/// φ(X) into result by the plan (see the comment at the top of this file).
void phi_into(Mat& result, const Mat& X, PhiWorkspace& workspace) {
  workspace.power1 = X;
  form_powers(workspace);
  const PhiPlan plan = plan_phi(arma::norm(X, 1), arma::norm(workspace.power2, 1), arma::norm(workspace.power3, 1),
                                arma::norm(workspace.power4, 1));
  if (plan.squarings > 0) {
    // Yᵏ = Xᵏ·2^{−ks}, one factor 2^{−s} at a time (exact; 2^{−4s} alone could underflow).
    const real scale = std::ldexp(1.0, -static_cast<int>(plan.squarings));
    Mat* const powers[] = {&workspace.power1, &workspace.power2, &workspace.power3, &workspace.power4};
    for (uword k = 0; k < 4; ++k)
      for (uword factor = 0; factor <= k; ++factor) *powers[k] *= scale;
  }
  taylor_phi(result, plan.degree, workspace);
  if (plan.squarings == 0) return;
  // exp(Y) = I + Y·p_q(Y); then per doubling φ ← φ(E + I)/2 = (φE + φ)/2 and, but the last, E ← E².
  workspace.exponential = workspace.power1 * result;
  workspace.exponential.diag() += 1;
  for (uword doubling = 1; doubling <= plan.squarings; ++doubling) {
    workspace.product = result * workspace.exponential;
    result = 0.5 * (workspace.product + result);
    if (doubling < plan.squarings) {
      workspace.product = workspace.exponential * workspace.exponential;
      workspace.exponential.swap(workspace.product);
    }
  }
}

/// (I − X/2)⁻¹ into result.
void cayley_into(Mat& result, const Mat& X, PhiWorkspace& workspace) {
  const uword m = X.n_rows;
  workspace.product = -0.5 * X;
  workspace.product.diag() += 1;
  // LU without the rcond estimate (it cost a quarter of a small step); failure and
  // non-finite results are still detected (here and after the update).
  if (!arma::solve(result, workspace.product, arma::eye(m, m), arma::solve_opts::fast) || !result.is_finite())
    throw InvalidArgument("velocity", "Cayley retraction is singular (I − X/2 not invertible)");
}

}  // namespace

real phi_theta(uword degree) {
  if (degree < 4 || degree > max_degree || degree % 4 != 0)
    throw InvalidArgument("degree", "the Taylor degree of φ must be one of 4, 8, …, 24");
  return theta_by_degree[degree / 4 - 1];
}

PhiPlan plan_phi(real norm1, real norm2, real norm3, real norm4) {
  const real d1 = norm1, d2 = std::sqrt(norm2), d3 = std::cbrt(norm3), d4 = std::sqrt(std::sqrt(norm4));
  // d₅ from a product of norms, each rooted first (the product itself may overflow).
  const real d5 = std::min(std::pow(norm4, 0.2) * std::pow(norm1, 0.2), std::pow(norm3, 0.2) * std::pow(norm2, 0.2));
  if (!std::isfinite(d1) || !std::isfinite(d2) || !std::isfinite(d3) || !std::isfinite(d4))
    throw InvalidArgument("velocity", "too large: the powers of X = WᵀU of the geodesic retraction overflow");
  PhiPlan best{0, 0};
  for (uword degree = 4; degree <= max_degree; degree += 4) {
    real alpha = std::min(d1, std::max(d2, d3));                   // p = 1, 2
    if (degree >= 5) alpha = std::min(alpha, std::max(d3, d4));   // p = 3
    if (degree >= 11) alpha = std::min(alpha, std::max(d4, d5));  // p = 4
    const real ratio = alpha / phi_theta(degree);
    const uword squarings = ratio <= 1 ? 0 : static_cast<uword>(std::ceil(std::log2(ratio)));
    const PhiPlan plan{degree, squarings};
    if (best.degree == 0 || plan.products() < best.products() ||
        (plan.products() == best.products() && plan.squarings < best.squarings))
      best = plan;
  }
  return best;
}

void retraction_core_into(Mat& result, const Mat& X, Retraction retraction, PhiWorkspace& workspace) {
  if (!X.is_finite())
    throw InvalidArgument("velocity", "too large: X = WᵀU of the retraction overflows to NaN/Inf");
  if (retraction == Retraction::cayley) {
    cayley_into(result, X, workspace);
    return;
  }
  phi_into(result, X, workspace);
  if (!result.is_finite())
    throw InvalidArgument("velocity", "geodesic retraction failed: φ(X) overflows (velocity too large?)");
}

Mat retraction_core(const Mat& X, Retraction retraction) {
  PhiWorkspace workspace;
  Mat result;
  retraction_core_into(result, X, retraction, workspace);
  return result;
}

}  // namespace homopt::detail
