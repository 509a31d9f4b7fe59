// The O(N²n) symplectic section (core/src/symplectic_section.cpp, docs/symplectic.md "Section
// and completion"): the completion built through the complex Householder factor of
// U_top + iU_bottom against the dense O(N³) normal form (dense_symplectic_complement), the
// steps taken from either section, the O(N²n) Newton repair and the blockwise defect.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "homopt/homopt.hpp"
#include "symplectic_section.hpp"
#include "test_helpers.hpp"

using namespace homopt;

namespace {

constexpr real epsilon = std::numeric_limits<real>::epsilon();

Mat J(uword k) { return detail::symplectic_unit(k); }

/// ‖λᵀJλ − J‖_F of a section λ = [U, Ū] in the dense standard order.
real dense_defect(const Mat& point, const Mat& complement) {
  const Mat lambda = detail::standard_order(point, complement);
  const uword N = lambda.n_rows / 2;
  return arma::norm(lambda.t() * J(N) * lambda - J(N), "fro");
}

/// Rounding bound for ‖λᵀJλ − J‖_F of a computed 2N×2N section: a product of two 2N×2N
/// matrices carries an error ≲ 2N·ε·‖λ‖²_F; the factor 4 covers the few operations
/// (QR, normal form) that produce λ.
real section_tolerance(const Mat& point, const Mat& complement) {
  const real squared_norm = arma::dot(point, point) + arma::dot(complement, complement);
  return 4 * static_cast<real>(point.n_rows) * epsilon * squared_norm;
}

/// Points that exercise the completion: random (uniform) subspaces, a point moved off the
/// normal form by a Cayley step (non-orthogonal U), and the base point E itself, whose span
/// is J-invariant (the complex factor U_top + iU_bottom then has rank n < 2n).
std::vector<std::pair<std::string, Mat>> completion_points(uword N, uword n) {
  const SymplecticStiefel manifold(N, n);
  std::vector<std::pair<std::string, Mat>> points;
  points.emplace_back("random", manifold.random_point(3 + N));
  const auto section = manifold.section(manifold.random_point(5 + n));
  const Vec c = 0.3 * Vec(standard_normal_matrix(manifold.dimension(), 1, 17));
  points.emplace_back("after a Cayley step", section->retracted(c, Retraction::cayley)->point());
  Mat base(2 * N, 2 * n, arma::fill::zeros);
  for (uword j = 0; j < n; ++j) base(j, j) = base(N + j, n + j) = 1;
  points.emplace_back("E", base);
  return points;
}

/// Plain gradient descent (velocity −rate·c, rotation-equivariant) from `section`.
Mat gradient_descent(std::unique_ptr<Section> section, const Mat& M, int steps, real rate) {
  for (int t = 0; t < steps; ++t) {
    const Vec c = section->lift(2 * M * section->point());  // ∇ tr(UᵀMU)
    section = section->retracted(-rate * c, Retraction::cayley);
  }
  return section->point();
}

}  // namespace

TEST_CASE("symplectic section: the O(N^2 n) completion is the dense normal form up to an orthosymplectic g",
          "[symplectic]") {
  // (N, n) with 2n < N, 2n = N (no W^⊥), n = 1, and 2n > N (the dense fallback).
  for (const auto& [N, n] : std::vector<std::pair<uword, uword>>{{9, 2}, {6, 3}, {7, 1}, {40, 4}, {5, 3}}) {
    for (const auto& [kind, U] : completion_points(N, n)) {
      const std::string label = "SpSt(" + std::to_string(N) + ", " + std::to_string(n) + ") " + kind;
      INFO(label);
      const uword m = N - n;
      const Mat fast = detail::symplectic_complement(U);
      const Mat dense = detail::dense_symplectic_complement(U);
      REQUIRE(fast.n_rows == 2 * N);
      REQUIRE(fast.n_cols == 2 * m);
      // A symplectic completion of U: λᵀJλ = J to rounding.
      test::check_within(label + " completion ‖λᵀJλ − J‖_F", dense_defect(U, fast), section_tolerance(U, fast));
      // Normal form: mutually orthogonal columns (ŪᵀŪ diagonal), ‖Ū‖²_F ≤ 2m + ‖U‖²_F.
      const Mat gram = fast.t() * fast;
      test::check_within(label + " completion off-diagonal of ŪᵀŪ",
                         arma::norm(gram - arma::diagmat(gram.diag()), "fro"),
                         4 * N * epsilon * arma::norm(gram, "fro"));
      CHECK(arma::dot(fast, fast) <= (2.0 * m + arma::dot(U, U)) * (1 + 1e-12));
      // Ū_fast = Ū_dense·g with g = J_{2m}ᵀŪ_denseᵀJŪ_fast orthogonal and symplectic, so
      // ŪŪᵀ (hence the Riemannian gradient and rotation-equivariant steps) agree.
      const Mat g = J(m).t() * dense.t() * J(N) * fast;
      const real scale = arma::norm(U, "fro") * arma::norm(U, "fro");
      test::check_within(label + " completion ‖Ū_fast − Ū_dense g‖_F / ‖Ū‖_F",
                         arma::norm(fast - dense * g, "fro") / arma::norm(fast, "fro"), 1e-13 * scale);
      test::check_within(label + " completion ‖gᵀg − I‖_F", arma::norm(g.t() * g - arma::eye(2 * m, 2 * m), "fro"),
                         1e-13 * scale);
      test::check_within(label + " completion ‖gᵀJg − J‖_F", arma::norm(g.t() * J(m) * g - J(m), "fro"), 1e-13 * scale);
    }
  }
}

TEST_CASE("symplectic section: gradient steps from the new and the dense completion agree to 1e-12",
          "[symplectic]") {
  const uword N = 12, n = 2;
  const Mat A = standard_normal_matrix(2 * N, 2 * N, 5);
  const Mat M = A.t() * A / (2.0 * N) + 0.5 * arma::eye(2 * N, 2 * N);
  for (bool with_block : {true, false}) {
    const Mat U = SymplecticStiefel(N, n).random_point(8);
    auto fast = detail::SymplecticSection::complete(U, with_block);
    auto dense = std::make_unique<detail::SymplecticSection>(U, detail::dense_symplectic_complement(U), with_block);
    const std::string label = with_block ? "SpSt(12, 2)" : "SpGr(12, 2)";
    // One step: the point the old (dense) implementation reached.
    const Mat G = 2 * M * U;
    const Vec velocity_fast = -0.05 * fast->lift(G), velocity_dense = -0.05 * dense->lift(G);
    test::check_within(label + " point after one gradient step, new vs dense completion",
                       test::relative_error(fast->retracted(velocity_fast, Retraction::cayley)->point(),
                                            dense->retracted(velocity_dense, Retraction::cayley)->point()),
                       1e-12);
    // Riemannian gradient U·S + Ū·K equals the dense completion's.
    test::check_within(label + " tangent of lift(G), new vs dense completion",
                       test::relative_error(fast->tangent_vector(fast->lift(G)), dense->tangent_vector(dense->lift(G))),
                       1e-12);
    // 30 steps (the sections differ by g ∈ Sp(2m) ∩ O(2m) at every step).
    test::check_within(label + " point after 30 gradient steps, new vs dense completion",
                       test::relative_error(gradient_descent(std::move(fast), M, 30, 0.01),
                                            gradient_descent(std::move(dense), M, 30, 0.01)),
                       1e-12);
  }
}

TEST_CASE("symplectic section: the O(N^2 n) Newton repair converges quadratically", "[symplectic]") {
  const uword N = 10, n = 2, m = N - n;
  const SymplecticStiefel manifold(N, n);
  const auto start = manifold.section(manifold.random_point(4));
  const Mat U = start->state()[0], Ubar = start->state()[1];
  for (real size : {1e-6, 1e-9}) {
    const std::string label = "resymplectify SpSt(10, 2) perturbation " + std::to_string(size);
    // Perturb U and the cross block UᵀJŪ (by moving Ū along U), not ŪᵀJŪ.
    Mat point = U + size * standard_normal_matrix(2 * N, 2 * n, 6);
    Mat complement = Ubar + size * U * standard_normal_matrix(2 * n, 2 * m, 7);
    const Mat Jm = J(m);
    const Mat bar_block_before = complement.t() * J(N) * complement - Jm;
    detail::resymplectify(point, complement);
    const real tolerance = section_tolerance(point, complement);
    test::check_within(label + " ‖UᵀJU − J‖_F after", detail::symplectic_residual(point), tolerance);
    test::check_within(label + " ‖UᵀJŪ‖_F after", arma::norm(point.t() * J(N) * complement, "fro"), tolerance);
    // Δ_ŪŪ moves only at second order in the perturbation.
    const Mat bar_block_after = complement.t() * J(N) * complement - Jm;
    test::check_within(label + " change of ŪᵀJŪ", arma::norm(bar_block_after - bar_block_before, "fro"),
                       100 * size * size * arma::dot(U, U) + tolerance);
    // The repair moves the point by O(perturbation).
    CHECK(arma::norm(point - U, "fro") < 100 * size * arma::norm(U, "fro"));
  }
}

TEST_CASE("symplectic section: section_defect is the dense ‖λᵀJλ − J‖_F", "[symplectic]") {
  const uword N = 9, n = 3;
  const SymplecticStiefel manifold(N, n);
  const auto start = manifold.section(manifold.random_point(2));
  const Mat point = start->state()[0] + 1e-7 * standard_normal_matrix(2 * N, 2 * n, 3);
  const Mat complement = start->state()[1] + 1e-7 * standard_normal_matrix(2 * N, 2 * (N - n), 4);
  const real dense = dense_defect(point, complement);
  REQUIRE(dense > 1e-8);
  // Both are the same Frobenius norm up to the rounding of the products (each ≲ section_tolerance).
  test::check_within("section_defect SpSt(9, 3) vs dense", std::abs(detail::section_defect(point, complement) - dense),
                     2 * section_tolerance(point, complement));
  test::check_within("section_defect SpSt(9, 3) of an exact section",
                     detail::section_defect(start->state()[0], start->state()[1]),
                     section_tolerance(start->state()[0], start->state()[1]));
}

TEST_CASE("symplectic section: a state saved with the dense completion still loads unchanged", "[symplectic]") {
  // Checkpoints written before the O(N²n) completion hold Ū = dense_symplectic_complement(U):
  // the format is the same ({U, Ū}), the loader accepts that Ū and keeps it as stored.
  const SymplecticStiefel manifold(8, 2);
  const Mat U = manifold.random_point(21);
  const Mat dense = detail::dense_symplectic_complement(U);
  const auto loaded = manifold.section_from_state({U, dense});
  CHECK(arma::approx_equal(loaded->group_element(), detail::standard_order(U, dense), "absdiff", 0.0));
  // … and its steps are those of the dense section (the same object as before).
  const Vec c = 0.1 * Vec(standard_normal_matrix(manifold.dimension(), 1, 22));
  const detail::SymplecticSection reference(U, dense, true);
  CHECK(arma::approx_equal(loaded->retracted(c, Retraction::cayley)->point(),
                           reference.retracted(c, Retraction::cayley)->point(), "absdiff", 0.0));
}

TEST_CASE("symplectic section: the in-place step is bit for bit retracted(), and a failed prepare changes nothing",
          "[symplectic]") {
  for (bool with_block : {true, false}) {
    const uword N = 9, n = 2;
    const Mat U = SymplecticStiefel(N, n).random_point(31);
    const uword dimension = detail::symplectic_coordinate_count(N, n, with_block);
    detail::SymplecticSection in_place(U, detail::symplectic_complement(U), with_block);
    std::unique_ptr<Section> reference = in_place.clone();
    for (int t = 0; t < 12; ++t) {
      const Vec c = 0.2 * Vec(standard_normal_matrix(dimension, 1, 40 + t));
      // A prepared step that is never committed is dropped by the next prepare.
      if (t % 3 == 0) REQUIRE(in_place.prepare_retraction(2 * c, Retraction::cayley));
      REQUIRE(in_place.prepare_retraction(c, Retraction::cayley));
      in_place.commit_retraction();
      reference = reference->retracted(c, Retraction::cayley);
      CHECK(arma::approx_equal(in_place.point(), reference->point(), "absdiff", 0.0));
      CHECK(arma::approx_equal(in_place.state()[1], reference->state()[1], "absdiff", 0.0));
    }
    // Stretch Ū past the re-completion bound: the step goes through retracted() (no in-place
    // update), and still equals it.
    Mat stretched = in_place.state()[1];
    const uword m = N - n;
    stretched.cols(0, m - 1) *= 30.0;
    stretched.cols(m, 2 * m - 1) /= 30.0;
    detail::SymplecticSection recompleted(in_place.point(), stretched, with_block);
    const Vec zero(dimension, arma::fill::zeros);
    REQUIRE(recompleted.prepare_retraction(zero, Retraction::cayley));
    recompleted.commit_retraction();
    const auto expected = detail::SymplecticSection(in_place.point(), stretched, with_block).retracted(zero, Retraction::cayley);
    CHECK(arma::approx_equal(recompleted.state()[1], expected->state()[1], "absdiff", 0.0));
    CHECK(arma::dot(recompleted.state()[1], recompleted.state()[1]) < arma::dot(stretched, stretched));
    // A velocity whose retraction overflows: prepare throws naming "velocity", nothing changes.
    const Mat point_before = in_place.point(), complement_before = in_place.state()[1];
    Vec huge(dimension, arma::fill::zeros);
    huge.fill(1e200);
    try {
      in_place.prepare_retraction(huge, Retraction::cayley);
      FAIL("no InvalidArgument");
    } catch (const InvalidArgument& error) {
      CHECK(std::string(error.argument()) == "velocity");
    }
    in_place.commit_retraction();  // nothing pending: a no-op
    CHECK(arma::approx_equal(in_place.point(), point_before, "absdiff", 0.0));
    CHECK(arma::approx_equal(in_place.state()[1], complement_before, "absdiff", 0.0));
  }
}
