// Geometry of the Stiefel manifold (docs/mathematics.md): lift, retractions, section update, drift.
#include <cstdio>
#include <limits>

#include "orthogonal_section.hpp"
#include "test_helpers.hpp"

using namespace homopt;
using homopt::test::relative_error;

TEST_CASE("Stiefel lift equals the blocks of λᵀΩ(Y, Δ)λ", "[stiefel]") {
  for (auto [N, n] : test::frame_sizes()) {
    CAPTURE(N, n);
    const Stiefel manifold(N, n);
    const Mat Y = manifold.random_point(1);
    const Mat G = standard_normal_matrix(N, n, 2);
    const auto section = manifold.section(Y);
    const Mat lambda = section->group_element();
    REQUIRE(arma::norm(lambda.t() * lambda - arma::eye(N, N), "fro") < 1e-13);
    REQUIRE(arma::norm(lambda.cols(0, n - 1) - Y, "fro") == 0.0);  // λE = Y exactly

    const Vec c = section->lift(G);
    REQUIRE(c.n_elem == manifold.dimension());
    REQUIRE(manifold.dimension() == n * (n - 1) / 2 + (N - n) * n);
    const Mat V = manifold.horizontal_matrix(c);
    const Mat Delta = manifold.riemannian_gradient(Y, G);
    const std::string label = "Stiefel lift (" + std::to_string(N) + ", " + std::to_string(n) + ")";
    test::check_within(label + " V vs λᵀΩλ, relative", relative_error(V, lambda.t() * test::omega(Y, Delta) * lambda),
                       1e-13);
    // Blocks: A = YᵀG − GᵀY, B = ȲᵀG.
    const Mat A = Y.t() * G - G.t() * Y;
    test::check_within(label + " block A", arma::norm(V.submat(0, 0, n - 1, n - 1) - A, "fro"), 1e-13);
    if (N > n)
      test::check_within(label + " block B", arma::norm(V.submat(n, 0, N - 1, n - 1) - lambda.cols(n, N - 1).t() * G, "fro"),
                         1e-13);
    // V(c) is skew (∈ 𝔰𝔬(N)) with a zero lower-right block.
    CHECK(arma::norm(V + V.t(), "fro") == 0.0);
    if (N > n) CHECK(arma::norm(V.submat(n, n, N - 1, N - 1), "fro") == 0.0);
  }
}

TEST_CASE("Stiefel retractions equal dense exp and Cayley and the section update equals λR", "[stiefel]") {
  // One step of size ‖V‖_F ≈ 0.7·√(2·dim) (≈ 17 at (49, 7)) from 3 random points. Rounding in
  // the low-rank update grows with the step: the products P = (λU)M have entries of size
  // ≈ ‖V‖, so R, λ and Y are orthonormal to a few ulps times (1 + ‖V‖_F)·√N, the bound
  // asserted (ε = machine epsilon; measured ≤ 2.9ε(1 + ‖V‖_F)√N for ‖RᵀR − I‖ and ≤ 1.5ε(…)
  // for ‖YᵀY − I‖; at (49, 7) ‖YᵀY − I‖_F = 1.0e-14 against 4.4e-13). The comparisons with
  // the dense formulas are relative as well.
  const real eps = std::numeric_limits<real>::epsilon();
  for (auto [N, n] : test::frame_sizes()) {
    for (Retraction retraction : {Retraction::geodesic, Retraction::cayley}) {
      for (std::uint64_t seed : {6, 16, 26}) {
        CAPTURE(N, n, to_string(retraction), seed);
        const Stiefel manifold(N, n);
        const auto section = manifold.section(manifold.random_point(seed));
        const Mat lambda = section->group_element();
        const Vec c = 0.7 * arma::vectorise(standard_normal_matrix(manifold.dimension(), 1, seed + 1));
        const Mat V = manifold.horizontal_matrix(c);
        const Mat R_dense = retraction == Retraction::geodesic ? Mat(arma::expmat(V)) : test::dense_cayley(V);
        const real rounding = eps * (1 + arma::norm(V, "fro")) * std::sqrt(real(N));
        REQUIRE(arma::norm(R_dense.t() * R_dense - arma::eye(N, N), "fro") < 64 * rounding);

        const auto next = section->retracted(c, retraction);
        const Mat lambda_next = next->group_element();
        // R recovered from the low-rank update: λᵀλ_next.
        const Mat R = lambda.t() * lambda_next;
        const std::string label = "Stiefel one step (" + std::to_string(N) + ", " + std::to_string(n) + ") " +
                                  to_string(retraction);
        test::check_within(label + " R vs dense, relative", relative_error(R, R_dense), 16 * rounding);
        test::check_within(label + " ‖RᵀR − I‖_F", arma::norm(R.t() * R - arma::eye(N, N), "fro"), 16 * rounding);
        test::check_within(label + " λ_next vs λR, relative", relative_error(lambda_next, lambda * R_dense),
                           16 * rounding);
        const Mat& Y = next->point();
        test::check_within(label + " ‖YᵀY − I‖_F", arma::norm(Y.t() * Y - arma::eye(n, n), "fro"), 8 * rounding);
        CHECK(manifold.check(Y) <= 8 * rounding);
      }
    }
  }
}

TEST_CASE("Stiefel geodesic: λ exp(tV) E = exp(tΩ) Y", "[stiefel]") {
  for (auto [N, n] : test::frame_sizes()) {
    CAPTURE(N, n);
    const Stiefel manifold(N, n);
    const Mat Y = manifold.random_point(8);
    const Mat G = standard_normal_matrix(N, n, 9);
    const auto section = manifold.section(Y);
    const Vec c = section->lift(G);
    const Mat Delta = manifold.riemannian_gradient(Y, G);
    const Mat Omega = test::omega(Y, Delta);
    for (real t : {0.1, 0.5, 1.3}) {
      const Mat moved = section->retracted(t * c, Retraction::geodesic)->point();
      test::check_within("Stiefel geodesic (" + std::to_string(N) + ", " + std::to_string(n) + ") vs exp(tΩ)Y, relative",
                         relative_error(moved, arma::expmat(t * Omega) * Y), 1e-12);
    }
  }
}

TEST_CASE("Stiefel golden Riemannian gradient", "[stiefel]") {
  const Mat Y{{1, 0}, {0, 1}, {0, 0}, {0, 0}};
  const Mat G{{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  const Mat expected{{0, -1}, {1, 0}, {5, 6}, {7, 8}};
  CHECK(arma::norm(Stiefel(4, 2).riemannian_gradient(Y, G) - expected, "fro") == 0.0);
}

TEST_CASE("Stiefel random_point is orthonormal to 1e-14 and seed dependent", "[stiefel]") {
  const Stiefel manifold(49, 7);
  const Mat a = manifold.random_point(11), c = manifold.random_point(12);
  CHECK(arma::norm(a - c, "fro") > 1.0);
  test::check_within("Stiefel random_point (49, 7) ‖YᵀY − I‖_F", manifold.check(a), 1e-14);
}

TEST_CASE("Stiefel size rule messages", "[stiefel][errors]") {
  CHECK_THROWS_WITH(Stiefel(3, 4), Catch::Contains("n: must not exceed N"));
  CHECK_THROWS_WITH(Stiefel(3, 0), Catch::Contains("n: must be at least 1"));
}

TEST_CASE("long run: 1e5 Cayley steps on St(7, 49) keep ‖YᵀY − I‖ below 1e-12", "[stiefel][long]") {
  const Stiefel manifold(49, 7);
  std::unique_ptr<Section> section = manifold.section(manifold.random_point(13));
  const Mat directions = standard_normal_matrix(manifold.dimension(), 64, 14);
  real worst = 0;
  for (int step = 0; step < 100000; ++step) {
    Vec c = directions.col(step % 64);
    c *= 0.1 / arma::norm(c);
    section = section->retracted(c, Retraction::cayley);
    if (step % 100 == 99) worst = std::max(worst, manifold.check(section->point()));
  }
  const Mat lambda = section->group_element();
  const real group_residual = arma::norm(lambda.t() * lambda - arma::eye(49, 49), "fro");
  std::printf("long run St(7,49), 1e5 Cayley steps: max ||Y'Y - I||_F = %.3g, final ||λ'λ - I||_F = %.3g\n",
              worst, group_residual);
  test::check_within("long run St(7,49) max ‖YᵀY − I‖_F", worst, 1e-12);
  test::check_within("long run St(7,49) final ‖λᵀλ − I‖_F", group_residual, 1e-12);
}
