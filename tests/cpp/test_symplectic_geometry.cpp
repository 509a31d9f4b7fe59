// Geometry of SymplecticStiefel / SymplecticGrassmann: completion, packing, lift (adjoint
// identity), retraction factors and section update against dense formulas, drift repair,
// re-completion, checkpoints and a bad state or velocity. What every manifold must satisfy
// (finite-difference lift, retractions, state round trip, refusals) is checked once for all
// in test_manifold_contract.cpp.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "homopt/homopt.hpp"
#include "symplectic_section.hpp"
#include "test_helpers.hpp"

using namespace homopt;

namespace {

Mat J(uword k) { return detail::symplectic_unit(k); }

real relative_error(const Mat& actual, const Mat& expected) {
  return arma::norm(actual - expected, "fro") / arma::norm(expected, "fro");
}

Vec random_coordinates(uword dimension, std::uint64_t seed, real scale) {
  return scale * Vec(standard_normal_matrix(dimension, 1, seed));
}

/// A generic section: the deterministic one of a random point, moved by a random Cayley
/// step (so U has non-orthogonal columns and Ū is not in normal form).
std::unique_ptr<Section> generic_section(const Manifold& manifold, std::uint64_t seed) {
  const auto start = manifold.section(manifold.random_point(seed));
  return start->retracted(random_coordinates(manifold.dimension(), seed + 100, 0.3), Retraction::cayley);
}

}  // namespace

TEST_CASE("symplectic: dimensions and descriptions", "[symplectic]") {
  const SymplecticStiefel stiefel(7, 3);
  const SymplecticGrassmann grassmann(7, 3);
  CHECK(stiefel.dimension() == 4 * 7 * 3 - 2 * 9 + 3);
  CHECK(grassmann.dimension() == 4 * 3 * (7 - 3));
  CHECK(stiefel.rows() == 14);
  CHECK(stiefel.cols() == 6);
  CHECK(stiefel.description() == "SymplecticStiefel(N=7, n=3)");
  CHECK(grassmann.description() == "SymplecticGrassmann(N=7, n=3)");
  // n = N: SpSt(2N, 2N) = Sp(2N) itself, dimension N(2N + 1); SpGr is a single point.
  CHECK(SymplecticStiefel(4, 4).dimension() == 4 * 9);
  CHECK(SymplecticGrassmann(4, 4).dimension() == 0);
}

TEST_CASE("symplectic: random points are symplectic to 1e-13 and normal-form", "[symplectic]") {
  const SymplecticStiefel manifold(9, 3);
  const Mat U = manifold.random_point(42);
  test::check_within("symplectic random_point SpSt(9, 3) check", manifold.check(U), 1e-13);
  CHECK(arma::norm(U - manifold.random_point(43), "fro") > 1);
  // Orthogonal columns, pairs of equal norms 1/σ_j with σ₁ ≥ σ₂ ≥ σ₃.
  const Mat gram = U.t() * U;
  test::check_within("symplectic random_point SpSt(9, 3) off-diagonal of UᵀU", arma::norm(gram - arma::diagmat(gram.diag()), "fro"), 1e-12 * arma::norm(gram, "fro"));
  for (uword j = 0; j < 3; ++j) CHECK(gram(j, j) == Approx(gram(3 + j, 3 + j)).epsilon(1e-12));
  CHECK(gram(0, 0) <= gram(1, 1));
  CHECK(gram(1, 1) <= gram(2, 2));
  // span(U) = span(standard normal matrix of the same seed).
  const Mat Q = orthonormal_factor(standard_normal_matrix(18, 6, 42), "seed");
  test::check_within("symplectic random_point SpSt(9, 3) span(U) = span(seed matrix)", arma::norm(U - Q * (Q.t() * U), "fro"), 1e-12 * arma::norm(U, "fro"));
  CHECK(arma::approx_equal(SymplecticGrassmann(9, 3).random_point(42), U, "absdiff", 0.0));
}

TEST_CASE("symplectic: the completion is symplectic, exact on E, and normal-form", "[symplectic]") {
  for (uword n : {1u, 3u, 6u}) {
    const SymplecticStiefel manifold(6, n);
    const Mat U = manifold.random_point(7 + n);
    const auto section = manifold.section(U);
    const Mat lambda = section->group_element();
    const uword N = 6, m = N - n;
    test::check_within("symplectic completion SpSt(6, " + std::to_string(n) + ") ‖λᵀJλ − J‖_F", arma::norm(lambda.t() * J(N) * lambda - J(N), "fro"), 1e-12);
    // λE = U exactly (columns 1..n and N+1..N+n).
    CHECK(arma::approx_equal(lambda.cols(0, n - 1), U.cols(0, n - 1), "absdiff", 0.0));
    CHECK(arma::approx_equal(lambda.cols(N, N + n - 1), U.cols(n, 2 * n - 1), "absdiff", 0.0));
    // λ⁻¹ = −JλᵀJ.
    test::check_within("symplectic completion SpSt(6, " + std::to_string(n) + ") ‖−JλᵀJλ − I‖_F", arma::norm(-J(N) * lambda.t() * J(N) * lambda - arma::eye(2 * N, 2 * N), "fro"), 1e-12);
    if (m > 0) {
      const Mat complement = section->state()[1];
      const Mat gram = complement.t() * complement;
      test::check_within("symplectic completion SpSt(6, " + std::to_string(n) + ") off-diagonal of ŪᵀŪ", arma::norm(gram - arma::diagmat(gram.diag()), "fro"), 1e-12 * arma::norm(gram, "fro"));
      CHECK(arma::accu(arma::square(complement)) <= 2.0 * m + arma::accu(arma::square(U)));
    }
  }
}

TEST_CASE("symplectic: V(c) is Hamiltonian with the horizontal block structure", "[symplectic]") {
  const uword N = 6, n = 2, m = N - n;
  for (bool grassmann : {false, true}) {
    std::unique_ptr<Manifold> manifold;
    if (grassmann) manifold = std::make_unique<SymplecticGrassmann>(N, n);
    else manifold = std::make_unique<SymplecticStiefel>(N, n);
    const Vec c = random_coordinates(manifold->dimension(), 5, 1.0);
    const Mat V = manifold->horizontal_matrix(c);
    REQUIRE(V.n_rows == 2 * N);
    test::check_within(manifold->description() + " ‖VᵀJ + JV‖_F", arma::norm(V.t() * J(N) + J(N) * V, "fro"), 1e-14);
    const Mat A = V.submat(0, 0, N - 1, N - 1), B = V.submat(0, N, N - 1, 2 * N - 1);
    const Mat C = V.submat(N, 0, 2 * N - 1, N - 1), D = V.submat(N, N, 2 * N - 1, 2 * N - 1);
    CHECK(arma::norm(D + A.t(), "fro") == 0);
    CHECK(arma::norm(B - B.t(), "fro") == 0);
    CHECK(arma::norm(C - C.t(), "fro") == 0);
    // The isotropy blocks A₄, B₄, C₄ (bottom-right m×m) vanish.
    CHECK(arma::norm(A.submat(n, n, N - 1, N - 1), "fro") == 0);
    CHECK(arma::norm(B.submat(n, n, N - 1, N - 1), "fro") == 0);
    CHECK(arma::norm(C.submat(n, n, N - 1, N - 1), "fro") == 0);
    const uword offset = grassmann ? 0 : 2 * n * n + n;
    if (grassmann) {
      CHECK(arma::norm(A.submat(0, 0, n - 1, n - 1), "fro") == 0);
      CHECK(arma::norm(B.submat(0, 0, n - 1, n - 1), "fro") == 0);
      CHECK(arma::norm(C.submat(0, 0, n - 1, n - 1), "fro") == 0);
    } else {
      // Packing: A₁ column-major, then B₁ and C₁ lower triangles.
      CHECK(A(1, 0) == c(1));
      CHECK(B(0, 0) == c(n * n));
      CHECK(B(1, 0) == c(n * n + 1));
      CHECK(C(1, 1) == c(n * n + n * (n + 1) / 2 + 2));
    }
    // K = [[A₃, B₂], [C₂, −A₂]] column-major: K(0,0) = A₃(0,0), last = −A₂(m−1, n−1).
    CHECK(A(n, 0) == c(offset));
    CHECK(C(N - 1, 0) == c(offset + 2 * m - 1));  // C₂(m−1, 0)
    CHECK(A(n - 1, N - 1) == -c(c.n_elem - 1));   // A₂ᵀ(n−1, m−1)
    // Horizontal: c ↦ V(c)E is injective (complementary to the isotropy algebra).
    Mat images(4 * N * n, manifold->dimension());
    for (uword k = 0; k < manifold->dimension(); ++k) {
      Vec unit(manifold->dimension(), arma::fill::zeros);
      unit(k) = 1;
      const Mat W = manifold->horizontal_matrix(unit);
      images.col(k) = arma::vectorise(arma::join_rows(W.cols(0, n - 1), W.cols(N, N + n - 1)));
    }
    CHECK(arma::rank(images) == manifold->dimension());
  }
}

TEST_CASE("symplectic: the lift is the adjoint of c -> lambda V(c) E (dense)", "[symplectic]") {
  const uword N = 5, n = 2;
  for (bool grassmann : {false, true}) {
    std::unique_ptr<Manifold> manifold;
    if (grassmann) manifold = std::make_unique<SymplecticGrassmann>(N, n);
    else manifold = std::make_unique<SymplecticStiefel>(N, n);
    const auto section = generic_section(*manifold, 3);
    const Mat G = standard_normal_matrix(2 * N, 2 * n, 11);
    const Vec lifted = section->lift(G);
    INFO((grassmann ? "SymplecticGrassmann" : "SymplecticStiefel"));
    // ⟨lift(G), c⟩ = ⟨G, λV(c)E⟩ with the dense λ and V(c).
    const Vec c = random_coordinates(manifold->dimension(), 9, 1.0);
    const Mat lambda_V = section->group_element() * manifold->horizontal_matrix(c);
    const Mat tangent = arma::join_rows(lambda_V.cols(0, n - 1), lambda_V.cols(N, N + n - 1));
    CHECK(arma::dot(lifted, c) == Approx(arma::accu(G % tangent)).epsilon(1e-12));
  }
}

TEST_CASE("symplectic: retraction factors equal the dense Cayley transform and exponential", "[symplectic]") {
  const uword N = 7, n = 3;
  for (bool with_block : {true, false}) {
    const uword dimension = detail::symplectic_coordinate_count(N, n, with_block);
    const Vec c = random_coordinates(dimension, 21, 0.2);
    const Mat V = detail::dense_horizontal_matrix(c, N, n, with_block);
    const Mat I = arma::eye(2 * N, 2 * N);
    const Mat cayley_dense = arma::solve(I - 0.5 * V, I + 0.5 * V);
    const Mat cayley = detail::dense_retraction_factor(c, N, n, with_block, Retraction::cayley);
    const std::string label = std::string("symplectic (7, 3)") + (with_block ? " with A₁ block" : " without A₁ block");
    test::check_within(label + " Cayley factor vs dense, relative", relative_error(cayley, cayley_dense), 1e-13);
    test::check_within(label + " Cayley factor ‖RᵀJR − J‖_F", arma::norm(cayley.t() * J(N) * cayley - J(N), "fro"), 1e-13);
    const Mat exponential = detail::dense_retraction_factor(c, N, n, with_block, Retraction::geodesic);
    test::check_within(label + " exp factor vs dense, relative", relative_error(exponential, arma::expmat(V)), 1e-13);
    test::check_within(label + " exp factor ‖RᵀJR − J‖_F", arma::norm(exponential.t() * J(N) * exponential - J(N), "fro"), 1e-13);
  }
}

TEST_CASE("symplectic: section update equals the dense product lambda R", "[symplectic]") {
  // (N, n) = (3, 3): SpSt(6, 6) = Sp(6) with an empty complement; SpGr(6, 6) is one point.
  const auto [N, n] = GENERATE(std::pair<uword, uword>{8, 3}, std::pair<uword, uword>{3, 3});
  const SymplecticStiefel stiefel(N, n);
  const SymplecticGrassmann grassmann(N, n);
  for (const Manifold* manifold : {static_cast<const Manifold*>(&stiefel),
                                   static_cast<const Manifold*>(&grassmann)}) {
    const bool with_block = manifold == &stiefel;
    const auto section = generic_section(*manifold, 4);
    const Mat lambda = section->group_element();
    for (Retraction retraction : {Retraction::cayley, Retraction::geodesic}) {
      const Vec c = random_coordinates(manifold->dimension(), 31, 0.2);
      const Mat R = detail::dense_retraction_factor(c, N, n, with_block, retraction);
      const auto next = section->retracted(c, retraction);
      const Mat expected = lambda * R;
      const std::string label = manifold->description() + " " + to_string(retraction) + " section update";
      INFO(label);
      test::check_within(label + " λ_next vs λR, relative", relative_error(next->group_element(), expected), 1e-13);
      const Mat expected_point = arma::join_rows(expected.cols(0, n - 1), expected.cols(N, N + n - 1));
      test::check_within(label + " U_next vs λRE, relative", relative_error(next->point(), expected_point), 1e-13);
      test::check_within(label + " check(U_next)", manifold->check(next->point()), 1e-13);
      // Strong guarantee: the old section is untouched.
      CHECK(arma::approx_equal(section->group_element(), lambda, "absdiff", 0.0));
    }
  }
}

TEST_CASE("symplectic: drift above the threshold is repaired", "[symplectic]") {
  const uword N = 6, n = 2;
  const SymplecticStiefel manifold(N, n);
  const auto exact = manifold.section(manifold.random_point(8));
  std::vector<Mat> state = exact->state();
  state[0] += 1e-11 * standard_normal_matrix(2 * N, 2 * n, 9);
  const real residual = manifold.check(state[0]);
  REQUIRE(residual > detail::drift_threshold(state[0]));
  REQUIRE(residual < manifold.tolerance());
  const auto drifted = manifold.section_from_state(state);
  const auto repaired = drifted->retracted(Vec(manifold.dimension(), arma::fill::zeros), Retraction::cayley);
  test::check_within("symplectic drift repair SpSt(6, 2) check(U)", manifold.check(repaired->point()), 1e-14);
  const Mat lambda = repaired->group_element();
  test::check_within("symplectic drift repair SpSt(6, 2) ‖λᵀJλ − J‖_F", arma::norm(lambda.t() * J(N) * lambda - J(N), "fro"), 1e-13);
  CHECK(arma::norm(repaired->point() - state[0], "fro") < 10 * residual);
}

TEST_CASE("symplectic: a degenerate complement is re-completed", "[symplectic]") {
  const uword N = 6, n = 2, m = N - n;
  const SymplecticStiefel manifold(N, n);
  const auto start = manifold.section(manifold.random_point(12));
  std::vector<Mat> state = start->state();
  // Ū ← Ū·diag(30 I_m, I_m/30), still a symplectic basis of the same subspace.
  state[1].cols(0, m - 1) *= 30.0;
  state[1].cols(m, 2 * m - 1) /= 30.0;
  const real bound = 2.0 * m + arma::accu(arma::square(state[0]));
  REQUIRE(arma::accu(arma::square(state[1])) > detail::recondition_factor * bound);
  const auto stretched = manifold.section_from_state(state);
  const auto next = stretched->retracted(Vec(manifold.dimension(), arma::fill::zeros), Retraction::cayley);
  CHECK(arma::approx_equal(next->point(), state[0], "absdiff", 0.0));
  CHECK(arma::accu(arma::square(next->state()[1])) <= bound);
  const Mat lambda = next->group_element();
  test::check_within("symplectic re-completion SpSt(6, 2) ‖λᵀJλ − J‖_F", arma::norm(lambda.t() * J(N) * lambda - J(N), "fro"), 1e-12);
}

TEST_CASE("symplectic: riemannian_gradient is lambda V(lift G) E of the deterministic section", "[symplectic]") {
  const uword N = 5, n = 2;
  const SymplecticStiefel stiefel(N, n);
  const SymplecticGrassmann grassmann(N, n);
  const Mat U = stiefel.random_point(2);
  const Mat G = standard_normal_matrix(2 * N, 2 * n, 3);
  const auto section = stiefel.section(U);
  const Vec c = section->lift(G);
  const Mat lambda_V = section->group_element() * stiefel.horizontal_matrix(c);
  const Mat expected = arma::join_rows(lambda_V.cols(0, n - 1), lambda_V.cols(N, N + n - 1));
  test::check_within("symplectic riemannian_gradient SpSt(5, 2) vs λV(lift G)E, relative", relative_error(stiefel.riemannian_gradient(U, G), expected), 1e-13);
  // Tangent: ΔᵀJU + UᵀJΔ = 0.
  const Mat Delta = stiefel.riemannian_gradient(U, G);
  test::check_within("symplectic riemannian_gradient SpSt(5, 2) ‖ΔᵀJU + UᵀJΔ‖_F", arma::norm(Delta.t() * J(N) * U + U.t() * J(N) * Delta, "fro"), 1e-12 * arma::norm(Delta, "fro"));
  // SpGr: ŪŪᵀG, symplectic-orthogonal to span(U) (UᵀJΔ = 0).
  const Mat complement = section->state()[1];
  const Mat spgr = grassmann.riemannian_gradient(U, G);
  test::check_within("symplectic riemannian_gradient SpGr(5, 2) vs ŪŪᵀG, relative", relative_error(spgr, complement * (complement.t() * G)), 1e-13);
  test::check_within("symplectic riemannian_gradient SpGr(5, 2) ‖UᵀJΔ‖_F", arma::norm(U.t() * J(N) * spgr, "fro"), 1e-12 * arma::norm(spgr, "fro"));
}

TEST_CASE("symplectic: checkpoint round trip through Optimizer::save/load", "[symplectic]") {
  Optimizer optimizer(Adam(1e-2), Retraction::cayley);
  const SymplecticStiefel stiefel(5, 2);
  const SymplecticGrassmann grassmann(6, 2);
  optimizer.add(stiefel, stiefel.random_point(1));
  optimizer.add(grassmann, grassmann.random_point(2));
  auto gradients = [&](std::uint64_t seed) {
    return std::vector<Mat>{standard_normal_matrix(10, 4, seed), standard_normal_matrix(12, 4, seed + 1)};
  };
  for (std::uint64_t t = 0; t < 5; ++t) optimizer.step(gradients(10 + 2 * t));
  const std::string path = "symplectic_checkpoint_test.bin";
  optimizer.save(path);
  Optimizer loaded = Optimizer::load(path);
  std::remove(path.c_str());
  REQUIRE(loaded.size() == 2);
  CHECK(loaded.manifold(0).name() == "SymplecticStiefel");
  CHECK(loaded.manifold(1).description() == "SymplecticGrassmann(N=6, n=2)");
  for (std::uint64_t t = 0; t < 5; ++t) {
    optimizer.step(gradients(100 + 2 * t));
    loaded.step(gradients(100 + 2 * t));
  }
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(arma::approx_equal(loaded.value(i), optimizer.value(i), "absdiff", 0.0));
    CHECK(arma::approx_equal(loaded.section(i).group_element(), optimizer.section(i).group_element(),
                             "absdiff", 0.0));
  }
}

namespace {
template <typename Call>
std::string argument_of(Call&& call) {
  try {
    call();
  } catch (const InvalidArgument& error) {
    return error.argument();
  }
  return "<no InvalidArgument>";
}
}  // namespace

TEST_CASE("symplectic: a bad state or velocity names the argument", "[symplectic]") {
  const SymplecticStiefel manifold(4, 2);
  const Mat U = manifold.random_point(1);
  const auto section = manifold.section(U);
  std::vector<Mat> state = section->state();
  CHECK(argument_of([&] { manifold.section_from_state({state[0], Mat(8, 3)}); }) == "state[1]");
  CHECK(argument_of([&] { manifold.section_from_state({2.0 * state[0], state[1]}); }) == "state[0]");
  CHECK(argument_of([&] { manifold.section_from_state({state[0], 2.0 * state[1]}); }) == "state[1]");
  // A velocity that makes I − V/2 singular or overflows is refused; the section is unchanged.
  Vec huge(manifold.dimension(), arma::fill::value(1e200));
  CHECK(argument_of([&] { section->retracted(huge, Retraction::cayley); }) == "velocity");
  CHECK(arma::approx_equal(section->point(), U, "absdiff", 0.0));
}
