// The geodesic retraction's φ(X) = Σ_{k≥1} X^{k−1}/k!, computed on the 2n×2n matrix X by
// scaling and squaring of a Taylor polynomial (core/src/retraction_core.cpp), against the
// top-right block of exp([[X, I], [0, 0]]) (Armadillo's expmat, the formula it replaced) on the
// matrices the retractions form, against closed forms, and its error contract.
#include <cmath>
#include <sstream>
#include <string>

#include "retraction_core.hpp"
#include "test_helpers.hpp"

using namespace homopt;
using homopt::detail::phi_theta;
using homopt::detail::PhiPlan;
using homopt::detail::plan_phi;
using homopt::detail::retraction_core;

namespace {

constexpr real unit_roundoff = 0x1p-53;

/// φ(X) as the top-right block of exp([[X, I], [0, 0]]) (Armadillo's Padé scaling and squaring).
Mat phi_by_augmented_exponential(const Mat& X) {
  const uword m = X.n_rows;
  Mat augmented(2 * m, 2 * m, arma::fill::zeros);
  augmented.submat(0, 0, m - 1, m - 1) = X;
  augmented.submat(0, m, m - 1, 2 * m - 1) = arma::eye(m, m);
  const Mat exponential = arma::expmat(augmented);
  return exponential.submat(0, m, m - 1, 2 * m - 1);
}

/// [[H, I], [H² + D, H]]: the shape of X = WᵀU of every low-rank retraction.
Mat retraction_matrix(const Mat& H, const Mat& D) {
  const uword n = H.n_rows;
  Mat X(2 * n, 2 * n);
  X.submat(0, 0, n - 1, n - 1) = H;
  X.submat(0, n, n - 1, 2 * n - 1) = arma::eye(n, n);
  X.submat(n, 0, 2 * n - 1, n - 1) = H * H + D;
  X.submat(n, n, 2 * n - 1, 2 * n - 1) = H;
  return X;
}

/// Stiefel's X = [[A/2, I], [A²/4 − BᵀB, A/2]] for a velocity (A skew n×n, B m×n) of entries
/// of size `scale` (Grassmann: A = 0).
Mat stiefel_X(uword n, uword m, real scale, bool with_skew, std::uint64_t seed) {
  const Mat G = standard_normal_matrix(n, n, seed);
  const Mat A = with_skew ? Mat(scale * (G - G.t()) / std::sqrt(2.0)) : Mat(n, n, arma::fill::zeros);
  const Mat B = scale * standard_normal_matrix(m, n, seed + 1000);
  return retraction_matrix(0.5 * A, -B.t() * B);
}

/// J = [[0, I], [−I, 0]] of size 2k.
Mat poisson(uword k) {
  Mat J(2 * k, 2 * k, arma::fill::zeros);
  J.submat(0, k, k - 1, 2 * k - 1) = arma::eye(k, k);
  J.submat(k, 0, 2 * k - 1, k - 1) = -arma::eye(k, k);
  return J;
}

/// The symplectic X = [[S/2, I], [S²/4 + (JKᵀJ)K, S/2]] (core/src/symplectic_section.cpp) for
/// S = [[A₁, Σ₁], [Σ₂, −A₁ᵀ]] ∈ sp(2n) and K of 2m×2n, entries of size `scale`.
Mat symplectic_X(uword n, uword m, real scale, std::uint64_t seed) {
  const Mat A1 = standard_normal_matrix(n, n, seed);
  const Mat G1 = standard_normal_matrix(n, n, seed + 1), G2 = standard_normal_matrix(n, n, seed + 2);
  Mat S(2 * n, 2 * n);
  S.submat(0, 0, n - 1, n - 1) = A1;
  S.submat(0, n, n - 1, 2 * n - 1) = 0.5 * (G1 + G1.t());
  S.submat(n, 0, 2 * n - 1, n - 1) = 0.5 * (G2 + G2.t());
  S.submat(n, n, 2 * n - 1, 2 * n - 1) = -A1.t();
  S *= scale;
  const Mat K = scale * standard_normal_matrix(2 * m, 2 * n, seed + 3);
  const Mat coupling = poisson(n) * K.t() * poisson(m);
  return retraction_matrix(0.5 * S, coupling * K);
}

/// Relative Frobenius distance of the new φ from the augmented-exponential formula.
real phi_discrepancy(const Mat& X) {
  return test::relative_error(retraction_core(X, Retraction::geodesic), phi_by_augmented_exponential(X));
}

/// The plan the 1-norms of X's powers select.
PhiPlan plan_of(const Mat& X) {
  const Mat X2 = X * X;
  return plan_phi(arma::norm(X, 1), arma::norm(X2, 1), arma::norm(X * X2, 1), arma::norm(X2 * X2, 1));
}

std::string label(const char* space, uword n, real scale, std::uint64_t seed) {
  std::ostringstream text;
  text << space << " n=" << n << " scale=" << scale << " seed=" << seed;
  return text.str();
}

const uword sizes[] = {1, 2, 7, 16, 64};
const std::uint64_t seeds[] = {1, 2, 3, 4, 5};

}  // namespace

// Both formulas have backward error ≈ u and the X here are well conditioned for φ, so they
// agree to a small multiple of u·‖X‖ at most; 1e-13 ≈ 450u is the bound issue 17 asks for.
TEST_CASE("retraction core: φ(X) matches exp([[X, I], [0, 0]]) on Stiefel and Grassmann X", "[retraction core]") {
  // Entry sizes 1e-3 (an Adam step, no squaring), 0.3 and 1.5 (large velocities: ‖B‖ up to ≈ 15
  // at n = 64, the plan squares).
  for (uword n : sizes)
    for (real scale : {1e-3, 0.3, 1.5})
      for (std::uint64_t seed : seeds)
        for (bool with_skew : {true, false}) {
          const Mat X = stiefel_X(n, n + 3, scale / std::sqrt(real(n)), with_skew, seed);
          test::check_within(label(with_skew ? "Stiefel" : "Grassmann", n, scale, seed), phi_discrepancy(X), 1e-13);
        }
}

TEST_CASE("retraction core: φ(X) matches exp([[X, I], [0, 0]]) on symplectic X", "[retraction core]") {
  for (uword n : sizes)
    for (real scale : {1e-3, 0.1, 0.4, 1.0})
      for (std::uint64_t seed : seeds) {
        const Mat X = symplectic_X(n, n + 2, scale / std::sqrt(real(n)), seed);
        test::check_within(label("symplectic", n, scale, seed), phi_discrepancy(X), 1e-13);
      }
}

TEST_CASE("retraction core: the test velocities reach every branch of the plan", "[retraction core]") {
  // A small Stiefel velocity: α(X) ≪ ‖X‖₁ ≥ 1 gives a low degree and no squaring …
  const PhiPlan small = plan_of(stiefel_X(64, 67, 1e-3 / 8, true, 1));
  CHECK(small.squarings == 0);
  CHECK(small.products() <= 5);
  // … a large one squares.
  CHECK(plan_of(stiefel_X(64, 67, 1.5 / 8, true, 1)).squarings >= 2);
  CHECK(plan_of(symplectic_X(64, 66, 1.0 / 8, 1)).squarings >= 1);
  // X = 0: the cheapest polynomial, degree 4.
  const PhiPlan zero = plan_phi(0, 0, 0, 0);
  CHECK(zero.degree == 4);
  CHECK(zero.squarings == 0);
}

TEST_CASE("retraction core: the plan meets its error bound with the fewest products", "[retraction core]") {
  // For a scalar x the norms are |x|^k and α = |x|: the plan must satisfy |x|/2ˢ ≤ θ(q), and no
  // other degree with its least s may be strictly cheaper.
  for (real x = 1e-6; x < 1e4; x *= 1.37) {
    const PhiPlan plan = plan_phi(x, x * x, x * x * x, x * x * x * x);
    INFO("x = " << x << ": degree " << plan.degree << ", squarings " << plan.squarings);
    CHECK(std::ldexp(x, -static_cast<int>(plan.squarings)) <= phi_theta(plan.degree));
    for (uword degree = 4; degree <= 24; degree += 4) {
      const real ratio = x / phi_theta(degree);
      const uword squarings = ratio <= 1 ? 0 : static_cast<uword>(std::ceil(std::log2(ratio)));
      CHECK(plan.products() <= PhiPlan{degree, squarings}.products());
    }
  }
}

TEST_CASE("retraction core: φ of a scalar equals expm1(x)/x across the plan boundaries", "[retraction core]") {
  // One element: no matrix rounding beyond the Horner sums and the doublings, so the error
  // is the truncation (≤ u by the θ table) plus a few u per doubling.
  for (real sign : {1.0, -1.0})
    for (real magnitude = 1e-7; magnitude < 40; magnitude *= 1.21) {
      const real x = sign * magnitude;
      const Mat X(1, 1, arma::fill::value(x));
      const real exact = std::expm1(x) / x;
      const uword squarings = plan_of(X).squarings;
      INFO("x = " << x);
      test::check_within("scalar φ", std::abs(retraction_core(X, Retraction::geodesic)(0, 0) - exact) / exact,
                         (4.0 + 4.0 * squarings) * unit_roundoff);
    }
}

TEST_CASE("retraction core: closed forms of φ for a rotation generator and for Gr(1, N)", "[retraction core]") {
  for (real t : {1e-4, 0.5, 2.0, 7.0, 30.0}) {
    INFO("t = " << t);
    const real sinc = std::sin(t) / t, versine = 2 * std::pow(std::sin(t / 2), 2);  // 1 − cos t
    // X = tJ with J = [[0, 1], [−1, 0]]: φ(X) = (sin t/t) I + ((1 − cos t)/t) J.
    const Mat rotation = {{0, t}, {-t, 0}};
    const Mat phi_rotation = {{sinc, versine / t}, {-versine / t, sinc}};
    const uword rotation_squarings = plan_of(rotation).squarings;
    test::check_within("rotation generator φ", test::relative_error(retraction_core(rotation, Retraction::geodesic), phi_rotation),
                       (8.0 + 8.0 * rotation_squarings) * unit_roundoff);
    // Gr(1, N) with ‖B‖ = t: X = [[0, 1], [−t², 0]], X² = −t²I, so
    // φ(X) = (sin t/t) I + ((1 − cos t)/t²) X.
    const Mat grassmann = {{0, 1}, {-t * t, 0}};
    const Mat phi_grassmann = {{sinc, versine / (t * t)}, {-versine, sinc}};
    const uword grassmann_squarings = plan_of(grassmann).squarings;
    test::check_within("Gr(1, N) φ", test::relative_error(retraction_core(grassmann, Retraction::geodesic), phi_grassmann),
                       (8.0 + 8.0 * grassmann_squarings) * unit_roundoff);
  }
  // X = diag(λ): φ(X) = diag(expm1(λ)/λ), φ(0) = 1.
  const Vec lambda = {0.0, 1e-9, -0.5, 2.0, 10.0, -30.0};
  Vec exact(lambda.n_elem);
  for (uword i = 0; i < lambda.n_elem; ++i) exact(i) = lambda(i) == 0 ? 1.0 : std::expm1(lambda(i)) / lambda(i);
  const Mat phi_diagonal = retraction_core(arma::diagmat(lambda), Retraction::geodesic);
  CHECK(arma::norm(phi_diagonal - arma::diagmat(phi_diagonal), "fro") == 0);
  for (uword i = 0; i < lambda.n_elem; ++i) {
    INFO("λ = " << lambda(i));
    test::check_within("diagonal φ", std::abs(phi_diagonal(i, i) - exact(i)) / exact(i),
                       (4.0 + 4.0 * plan_of(arma::diagmat(lambda)).squarings) * unit_roundoff);
  }
}

TEST_CASE("retraction core: non-finite X or φ(X) throws InvalidArgument naming the velocity", "[retraction core]") {
  const auto throws_on_velocity = [](const Mat& X) {
    try {
      retraction_core(X, Retraction::geodesic);
    } catch (const InvalidArgument& error) {
      return error.argument() == "velocity";
    }
    return false;
  };
  Mat X = stiefel_X(3, 5, 0.1, true, 1);
  CHECK(!throws_on_velocity(X));
  X(1, 2) = arma::datum::nan;
  CHECK(throws_on_velocity(X));
  X(1, 2) = arma::datum::inf;
  CHECK(throws_on_velocity(X));
  // exp(800) overflows although X is finite; X⁴ overflows for ‖X‖ ≈ 1e100.
  CHECK(throws_on_velocity(Mat(arma::diagmat(Vec{800.0, 1.0}))));
  CHECK(throws_on_velocity(stiefel_X(3, 5, 1e100, false, 2)));
}
