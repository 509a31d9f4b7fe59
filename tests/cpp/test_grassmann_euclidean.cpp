// Grassmann (Stiefel with A ≡ 0, compared by projectors) and the Euclidean space.
#include <limits>

#include "test_helpers.hpp"

using namespace homopt;
using homopt::test::relative_error;

TEST_CASE("Grassmann lift, retractions and section update against dense formulas", "[grassmann]") {
  for (auto [N, n] : test::frame_sizes()) {
    CAPTURE(N, n);
    const Grassmann manifold(N, n);
    REQUIRE(manifold.dimension() == (N - n) * n);
    const Mat Y = manifold.random_point(21);
    const Mat G = standard_normal_matrix(N, n, 22);
    const auto section = manifold.section(Y);
    const Mat lambda = section->group_element();
    const Vec c = section->lift(G);
    const Mat V = manifold.horizontal_matrix(c);
    // V = λᵀΩλ with Δ = G − YYᵀG (the horizontal Grassmann gradient); A block is zero.
    const Mat Delta = manifold.riemannian_gradient(Y, G);
    const std::string label = "Grassmann (" + std::to_string(N) + ", " + std::to_string(n) + ")";
    test::check_within(label + " lift V vs λᵀΩλ, relative", relative_error(V, lambda.t() * test::omega(Y, Delta) * lambda),
                       1e-13);
    CHECK(arma::norm(V.submat(0, 0, n - 1, n - 1), "fro") == 0.0);
    for (Retraction retraction : {Retraction::geodesic, Retraction::cayley}) {
      const Vec velocity = 0.5 * c;
      const Mat Vv = manifold.horizontal_matrix(velocity);
      const Mat R_dense = retraction == Retraction::geodesic ? Mat(arma::expmat(Vv)) : test::dense_cayley(Vv);
      const auto next = section->retracted(velocity, retraction);
      test::check_within(label + " " + to_string(retraction) + " λ_next vs λR, relative",
                         relative_error(next->group_element(), lambda * R_dense), 1e-13);
      const Mat Yn = next->point();
      // Orthonormal to a few ulps times the step size (as for Stiefel, test_stiefel.cpp):
      // measured 1.1e-14 at (49, 7), where the bound is ≈ 2e-13.
      const real rounding = std::numeric_limits<real>::epsilon() * (1 + arma::norm(Vv, "fro")) * std::sqrt(real(N));
      test::check_within("Grassmann one step (" + std::to_string(N) + ", " + std::to_string(n) + ") " +
                             to_string(retraction) + " ‖YᵀY − I‖_F",
                         manifold.check(Yn), 8 * rounding);
      // Compare the subspaces by projectors.
      const Mat expected = (lambda * R_dense).eval().cols(0, n - 1);
      test::check_within(label + " " + to_string(retraction) + " projector vs dense",
                         arma::norm(Yn * Yn.t() - expected * expected.t(), "fro"), 1e-13);
    }
    // Geodesic identity with Ω: projectors of λexp(tV)E and exp(tΩ)Y agree.
    const Mat moved = section->retracted(0.8 * c, Retraction::geodesic)->point();
    const Mat reference = arma::expmat(0.8 * test::omega(Y, Delta)) * Y;
    test::check_within(label + " geodesic projector vs exp(tΩ)Y",
                       arma::norm(moved * moved.t() - reference * reference.t(), "fro"), 1e-12);
  }
}

TEST_CASE("Grassmann golden Riemannian gradient and size rule message", "[grassmann][errors]") {
  const Mat Y{{1, 0}, {0, 1}, {0, 0}, {0, 0}};
  const Mat G{{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  const Mat expected{{0, 0}, {0, 0}, {5, 6}, {7, 8}};
  CHECK(arma::norm(Grassmann(4, 2).riemannian_gradient(Y, G) - expected, "fro") == 0.0);
  CHECK_THROWS_WITH(Grassmann(2, 3), Catch::Contains("n: must not exceed N"));
}

TEST_CASE("Euclidean space: trivial lift and additive step", "[euclidean]") {
  const Euclidean manifold(3, 2);
  CHECK(manifold.dimension() == 6);
  const Mat Y = manifold.random_point(31);
  const Mat G = standard_normal_matrix(3, 2, 32);
  const auto section = manifold.section(Y);
  CHECK(arma::norm(section->lift(G) - arma::vectorise(G)) == 0.0);
  for (Retraction retraction : {Retraction::geodesic, Retraction::cayley})
    CHECK(arma::norm(section->retracted(arma::vectorise(G), retraction)->point() - (Y + G), "fro") == 0.0);
  CHECK_THROWS_WITH(Euclidean(0, 2), Catch::Contains("rows: must be at least 1"));
  CHECK_THROWS_WITH(Euclidean(2, 0), Catch::Contains("cols: must be at least 1"));
}
