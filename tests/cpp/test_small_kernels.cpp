// The allocation-free kernels of the small-size step (core/src/small_kernels.hpp) against
// Armadillo's dense formulas, and the two-phase in-place step of the orthogonal section
// (Section::prepare_retraction / commit_retraction) against the dense Cayley formula and
// against retracted(), on both sides of the small-size threshold.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <memory>

#include "homopt/homopt.hpp"
#include "orthogonal_section.hpp"
#include "small_kernels.hpp"
#include "test_helpers.hpp"

using namespace homopt;
namespace small = homopt::detail::small;

namespace {

constexpr real epsilon = std::numeric_limits<real>::epsilon();
constexpr real not_a_number = std::numeric_limits<real>::quiet_NaN();

/// Entry-wise check of a computed α·op + β·C₀ against the exact formula evaluated by
/// Armadillo: each entry is a sum of k products, so both results are within γ_k·(|α|·|op|-
/// magnitude + |β|·|C₀|) of the exact value (γ_k ≈ k·ε; the β term adds one rounding).
void require_close(const Mat& computed, const Mat& expected, const Mat& magnitude, uword k) {
  REQUIRE(computed.n_rows == expected.n_rows);
  REQUIRE(computed.n_cols == expected.n_cols);
  const real factor = 2 * real(k + 2) * epsilon;
  for (uword e = 0; e < computed.n_elem; ++e) {
    INFO("entry " << e << ": " << computed(e) << " vs " << expected(e));
    REQUIRE(std::abs(computed(e) - expected(e)) <= factor * magnitude(e) + std::numeric_limits<real>::min());
  }
}

/// The sizes that exercise every remainder of the 8×4 register blocks and 4-lane dots.
const uword sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 17};

/// check(r, p, q, seed) for r in `sizes`, p in `inner`, q in `outer`; each call gets three
/// fresh seeds (seed, seed + 1, seed + 2).
template <class Check>
void for_each_shape(std::initializer_list<uword> inner, std::initializer_list<uword> outer, std::uint64_t seed,
                    Check check) {
  for (const uword r : sizes)
    for (const uword p : inner)
      for (const uword q : outer) {
        check(r, p, q, seed);
        seed += 3;
      }
}

}  // namespace

TEST_CASE("small kernels: gemm_tn is α·AᵀB + β·C for every remainder of the blocking", "[small_kernels]") {
  for_each_shape({1, 2, 3, 6, 9}, {1, 3, 4, 5, 8}, 1, [](uword r, uword p, uword q, std::uint64_t seed) {
    const Mat A = standard_normal_matrix(r, p, seed), B = standard_normal_matrix(r, q, seed + 1);
    const Mat C0 = standard_normal_matrix(p, q, seed + 2);
    Mat C(p, q);
    C.fill(not_a_number);  // β = 0 must overwrite, never read
    small::gemm_tn(r, p, q, -1, A.memptr(), B.memptr(), 0, C.memptr());
    require_close(C, -A.t() * B, arma::abs(A).t() * arma::abs(B), r);
    C = C0;
    small::gemm_tn(r, p, q, 0.5, A.memptr(), B.memptr(), 1, C.memptr());
    require_close(C, 0.5 * A.t() * B + C0, 0.5 * arma::abs(A).t() * arma::abs(B) + arma::abs(C0), r);
  });
}

TEST_CASE("small kernels: gemm_nn and gemm_nt are α·AB + β·C and α·ABᵀ + β·C", "[small_kernels]") {
  for_each_shape({1, 2, 5, 7, 14}, {1, 3, 4, 7, 9}, 100, [](uword r, uword p, uword q, std::uint64_t seed) {
    const Mat A = standard_normal_matrix(r, p, seed), B = standard_normal_matrix(p, q, seed + 1);
    const Mat Bt = B.t();
    const Mat C0 = standard_normal_matrix(r, q, seed + 2);
    const Mat magnitude = arma::abs(A) * arma::abs(B);
    Mat C(r, q);
    C.fill(not_a_number);
    small::gemm_nn(r, p, q, 1, A.memptr(), B.memptr(), 0, C.memptr());
    require_close(C, A * B, magnitude, p);
    C.fill(not_a_number);
    small::gemm_nt(r, p, q, 1, A.memptr(), Bt.memptr(), 0, C.memptr());
    require_close(C, A * B, magnitude, p);
    C = C0;
    small::gemm_nn(r, p, q, -1, A.memptr(), B.memptr(), 1, C.memptr());
    require_close(C, C0 - A * B, magnitude + arma::abs(C0), p);
    C = C0;
    small::gemm_nt(r, p, q, -1, A.memptr(), Bt.memptr(), 1, C.memptr());
    require_close(C, C0 - A * B, magnitude + arma::abs(C0), p);
  });
}

TEST_CASE("small kernels: invert_in_place gives S·M = I to O(s·ε·‖S‖‖M‖), and refuses singular input",
          "[small_kernels]") {
  real work[2 * 32 * 32];
  for (uword s = 1; s <= 32; ++s) {
    // A random matrix (pivoting needed) and a Cayley system I − X/2 of the Stiefel step.
    const Mat random = standard_normal_matrix(s, s, 500 + s);
    for (const Mat& S : {random, Mat(arma::eye(s, s) - 0.5 * random * random.t() / real(s))}) {
      Mat M = S;
      REQUIRE(small::invert_in_place(M.memptr(), s, work));
      const real residual = arma::norm(S * M - arma::eye(s, s), "fro");
      INFO("s = " << s << ", κ_F = " << arma::norm(S, "fro") * arma::norm(M, "fro"));
      CHECK(residual <= 8 * real(s) * epsilon * arma::norm(S, "fro") * arma::norm(M, "fro"));
    }
  }
  Mat singular = {{1, 2, 3}, {2, 4, 6}, {0, 1, 1}};  // rank 2: the second pivot is exactly 0
  CHECK_FALSE(small::invert_in_place(singular.memptr(), 3, work));
  Mat zero(4, 4, arma::fill::zeros);
  CHECK_FALSE(small::invert_in_place(zero.memptr(), 4, work));
  Mat with_nan = arma::eye(3, 3);
  with_nan(1, 2) = not_a_number;
  CHECK_FALSE(small::invert_in_place(with_nan.memptr(), 3, work));
}

TEST_CASE("small kernels: max_abs_or_infinity is max|aₖ|, or +Inf for any NaN/Inf entry", "[small_kernels]") {
  const real infinity = std::numeric_limits<real>::infinity();
  CHECK(small::max_abs_or_infinity(0, nullptr) == 0);
  for (uword count = 1; count <= 11; ++count) {
    Vec a = standard_normal_matrix(count, 1, 900 + count);
    CHECK(small::max_abs_or_infinity(count, a.memptr()) == arma::abs(a).max());
    for (uword k = 0; k < count; ++k)
      for (const real bad : {not_a_number, infinity, -infinity}) {
        Vec b = a;
        b(k) = bad;
        CHECK(small::max_abs_or_infinity(count, b.memptr()) == infinity);
      }
  }
}

TEST_CASE("orthogonal section: the in-place step is λ·Cay(V(c)) on both sides of the small-size threshold",
          "[small_kernels]") {
  using detail::OrthogonalSection;
  // (N, n): small kernels at N ≤ 64 and n ≤ 16; BLAS/LAPACK just beyond.
  const std::pair<uword, uword> shapes[] = {{5, 3}, {49, 7}, {64, 16}, {65, 16}, {64, 17}, {16, 16}};
  for (const auto& [N, n] : shapes)
    for (const bool stiefel : {true, false}) {
      INFO("N = " << N << ", n = " << n << (stiefel ? " Stiefel" : " Grassmann"));
      CHECK(OrthogonalSection::uses_small_kernels(N, n) == (N <= 64 && n <= 16));
      std::unique_ptr<Manifold> manifold;
      if (stiefel)
        manifold = std::make_unique<Stiefel>(N, n);
      else
        manifold = std::make_unique<Grassmann>(N, n);
      const Mat Y = manifold->random_point(11);
      auto section = manifold->section(Y);
      const Mat lambda = section->group_element();
      const Vec c = 0.3 * Vec(standard_normal_matrix(manifold->dimension(), 1, 12)) /
                    std::sqrt(real(manifold->dimension()));
      const Mat expected = lambda * test::dense_cayley(manifold->horizontal_matrix(c));
      const std::unique_ptr<Section> stepped = section->retracted(c, Retraction::cayley);
      // Cayley of a velocity of norm 0.3: entries of the result are O(1), errors O(N·ε).
      CHECK(test::relative_error(stepped->group_element(), expected) <= 100 * real(N) * epsilon);
      // The two-phase step gives exactly what retracted() returns, and only at commit.
      REQUIRE(section->prepare_retraction(c, Retraction::cayley));
      CHECK(arma::approx_equal(section->group_element(), lambda, "absdiff", 0.0));
      section->commit_retraction();
      CHECK(arma::approx_equal(section->group_element(), stepped->group_element(), "absdiff", 0.0));
      // A failing prepare (a velocity far too large) leaves the section exactly as it was
      // (Grassmann(N, N) is a point: no velocity can fail).
      if (manifold->dimension() == 0) continue;
      const Mat before = section->group_element();
      CHECK_THROWS_AS(section->prepare_retraction(Vec(1e200 * c), Retraction::cayley), InvalidArgument);
      section->commit_retraction();  // nothing pending: no effect
      CHECK(arma::approx_equal(section->group_element(), before, "absdiff", 0.0));
    }
}

TEST_CASE("optimizer: a steady-state Stiefel step at N = 2048 touches no fresh pages", "[small_kernels]") {
  // Before the in-place step every step built a new Ȳ of N(N−n)·8 bytes (> glibc's 32 MiB
  // mmap ceiling here, so fresh pages every step: one minor fault per 4 KiB page).
  const uword N = 2048, n = 4;
  Stiefel stiefel(N, n);
  Optimizer optimizer(Adam(1e-3));
  optimizer.add(stiefel, stiefel.random_point(3));
  const Mat G = standard_normal_matrix(N, n, 4);
  for (int step = 0; step < 3; ++step) optimizer.step({G});
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  const int steps = 10;
  for (int step = 0; step < steps; ++step) optimizer.step({step % 2 ? G : Mat(-G)});
  getrusage(RUSAGE_SELF, &after);
  const real complement_pages = real(N) * real(N - n) * sizeof(real) / 4096;
  const real faults = real(after.ru_minflt - before.ru_minflt);
  INFO(faults << " minor faults in " << steps << " steps; one Ȳ is " << complement_pages << " pages");
  // A sampled drift check forms Ȳ' in the second buffer, allocated (once) on first use.
  CHECK(faults < 1.5 * complement_pages);
  CHECK(stiefel.check(optimizer.value(0)) <= stiefel.tolerance());
}
