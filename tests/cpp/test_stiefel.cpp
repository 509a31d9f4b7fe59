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
    CHECK(relative_error(V, lambda.t() * test::omega(Y, Delta) * lambda) < 1e-13);
    // Blocks: A = YᵀG − GᵀY, B = ȲᵀG.
    const Mat A = Y.t() * G - G.t() * Y;
    CHECK(arma::norm(V.submat(0, 0, n - 1, n - 1) - A, "fro") < 1e-13);
    if (N > n) CHECK(arma::norm(V.submat(n, 0, N - 1, n - 1) - lambda.cols(n, N - 1).t() * G, "fro") < 1e-13);
    // V(c) is skew (∈ 𝔰𝔬(N)) with a zero lower-right block.
    CHECK(arma::norm(V + V.t(), "fro") == 0.0);
    if (N > n) CHECK(arma::norm(V.submat(n, n, N - 1, N - 1), "fro") == 0.0);
  }
}

TEST_CASE("Stiefel lift is the gradient of c -> L(λ exp(V(c)) E) at 0 (finite differences)", "[stiefel]") {
  for (auto [N, n] : test::frame_sizes()) {
    CAPTURE(N, n);
    const Stiefel manifold(N, n);
    const Mat Y = manifold.random_point(3);
    const Mat K = standard_normal_matrix(N, n, 4);
    const Mat C = standard_normal_matrix(N, N, 5);
    // L(Y) = Σ sin(K ⊙ Y) + tr(YᵀCY);  ∂L/∂Y = K ⊙ cos(K ⊙ Y) + (C + Cᵀ)Y.
    auto loss = [&](const Mat& X) { return arma::accu(arma::sin(K % X)) + arma::trace(X.t() * C * X); };
    const Mat G = K % arma::cos(K % Y) + (C + C.t()) * Y;
    const auto section = manifold.section(Y);
    const Mat lambda = section->group_element();
    const Vec c = section->lift(G);
    // Directional derivatives along every coordinate for small sizes, along 24 random
    // directions d for (49, 7): FD of t ↦ L(λ exp(V(t·d)) E) at 0 must equal ⟨c, d⟩.
    const Mat directions = c.n_elem <= 64 ? Mat(arma::eye(c.n_elem, c.n_elem))
                                          : standard_normal_matrix(c.n_elem, 24, 10);
    const real h = 1e-6;
    Vec numeric(directions.n_cols), analytic(directions.n_cols);
    for (uword k = 0; k < directions.n_cols; ++k) {
      const Vec d = directions.col(k);
      const real plus = loss((lambda * arma::expmat(manifold.horizontal_matrix(h * d))).eval().cols(0, n - 1));
      const real minus = loss((lambda * arma::expmat(manifold.horizontal_matrix(-h * d))).eval().cols(0, n - 1));
      numeric(k) = (plus - minus) / (2 * h);
      analytic(k) = arma::dot(c, d);
    }
    CHECK(arma::norm(numeric - analytic) / arma::norm(analytic) < 1e-6);
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
        // R(0) = I: a zero velocity leaves λ unchanged.
        const auto same = section->retracted(Vec(manifold.dimension(), arma::fill::zeros), retraction);
        CHECK(relative_error(same->group_element(), lambda) <= eps);
      }
    }
  }
}

TEST_CASE("Stiefel geodesic: λ exp(tV) E = exp(tΩ) Y, and first-order retraction", "[stiefel]") {
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
      CHECK(relative_error(moved, arma::expmat(t * Omega) * Y) < 1e-12);
    }
    // The tangent vector λV(c)E of the lift is the canonical Riemannian gradient Δ, so
    // (Retr(h c) − Y)/h → Δ with an O(h) error, for both retractions.
    for (Retraction retraction : {Retraction::geodesic, Retraction::cayley}) {
      const real h = 1e-6;
      const Mat difference = (section->retracted(h * c, retraction)->point() - Y) / h;
      CHECK(arma::norm(difference - Delta, "fro") < 1e-5 * std::max<real>(1, arma::norm(Delta, "fro")));
    }
  }
}

TEST_CASE("Stiefel golden Riemannian gradient", "[stiefel]") {
  const Mat Y{{1, 0}, {0, 1}, {0, 0}, {0, 0}};
  const Mat G{{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  const Mat expected{{0, -1}, {1, 0}, {5, 6}, {7, 8}};
  CHECK(arma::norm(Stiefel(4, 2).riemannian_gradient(Y, G) - expected, "fro") == 0.0);
}

TEST_CASE("Stiefel random_point is deterministic, orthonormal and seed dependent", "[stiefel]") {
  const Stiefel manifold(49, 7);
  const Mat a = manifold.random_point(11), b = manifold.random_point(11), c = manifold.random_point(12);
  CHECK(arma::norm(a - b, "fro") == 0.0);
  CHECK(arma::norm(a - c, "fro") > 1.0);
  CHECK(manifold.check(a) < 1e-14);
}

TEST_CASE("Stiefel rejects bad input with messages naming the argument", "[stiefel][errors]") {
  CHECK_THROWS_WITH(Stiefel(3, 4), Catch::Contains("n: must not exceed N"));
  CHECK_THROWS_WITH(Stiefel(3, 0), Catch::Contains("n: must be at least 1"));
  const Stiefel manifold(5, 2);
  CHECK_THROWS_WITH(manifold.check(Mat(5, 3, arma::fill::zeros)), Catch::Contains("point: expected a 5x2 matrix, got 5x3"));
  Mat Y = manifold.random_point(1);
  Y(2, 1) = arma::datum::nan;
  CHECK_THROWS_WITH(manifold.check(Y), Catch::Contains("point: entry (2, 1)"));
  Y(2, 1) = arma::datum::inf;
  CHECK_THROWS_AS(manifold.section(Y), InvalidArgument);
  CHECK_THROWS_WITH(manifold.section(2.0 * manifold.random_point(1)), Catch::Contains("point: not on the manifold"));
  CHECK_THROWS_WITH(manifold.riemannian_gradient(manifold.random_point(1), Mat(2, 5)),
                    Catch::Contains("euclidean_gradient: expected a 5x2 matrix"));
  CHECK_THROWS_WITH(manifold.horizontal_matrix(Vec(3)), Catch::Contains("coordinates: expected 7 coordinates"));
  CHECK_THROWS_WITH(make_manifold("Sphere", {3, 1}), Catch::Contains("unknown manifold"));
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
