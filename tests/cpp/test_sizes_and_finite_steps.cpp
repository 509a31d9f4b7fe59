// Issue 12, sections 3 and 4 (geometry side): sizes that cannot overflow, and no NaN, Inf or
// off-manifold point ever committed by a step.
//
// Size bound (homopt::max_matrix_elements = 2³¹ − 1): every matrix an object can allocate
// has at most that many elements — the section λ (N×N for Stiefel/Grassmann, 2N×2N for the
// symplectic spaces) and a Euclidean point (rows×cols).
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "homopt/homopt.hpp"
#include "homopt/validate.hpp"

namespace homopt {
namespace {

/// The argument named by the InvalidArgument that `call` throws ("" if it throws nothing,
/// "<other exception>" for any other exception type).
std::string refused_argument(const std::function<void()>& call) {
  try {
    call();
  } catch (const InvalidArgument& error) {
    return error.argument();
  } catch (...) {
    return "<other exception>";
  }
  return "";
}

constexpr uword two_to_32 = uword(1) << 32;
constexpr uword two_to_33 = uword(1) << 33;
constexpr uword two_to_63 = uword(1) << 63;
constexpr uword largest_uword = ~uword(0);

using Factory = std::function<std::unique_ptr<Manifold>(uword, uword)>;

/// The four homogeneous spaces by name (their sizes are (N, n)).
std::vector<std::pair<std::string, Factory>> frame_manifolds() {
  return {
      {"Stiefel", [](uword N, uword n) { return std::make_unique<Stiefel>(N, n); }},
      {"Grassmann", [](uword N, uword n) { return std::make_unique<Grassmann>(N, n); }},
      {"SymplecticStiefel", [](uword N, uword n) { return std::make_unique<SymplecticStiefel>(N, n); }},
      {"SymplecticGrassmann", [](uword N, uword n) { return std::make_unique<SymplecticGrassmann>(N, n); }},
  };
}

}  // namespace

TEST_CASE("sizes: the bound is 2^31 - 1 elements per matrix", "[sizes]") {
  CHECK(max_matrix_elements == 2147483647u);
  CHECK_NOTHROW(require_matrix_size(max_matrix_elements, 1, "rows", "cols", "m"));
  CHECK_NOTHROW(require_matrix_size(46340, 46340, "rows", "cols", "m"));  // 2147395600 elements
  CHECK(refused_argument([] { require_matrix_size(46341, 46341, "rows", "cols", "m"); }) == "cols");
  CHECK(refused_argument([] { require_matrix_size(max_matrix_elements + 1, 1, "rows", "cols", "m"); }) == "rows");
  CHECK(refused_argument([] { require_matrix_size(1, max_matrix_elements + 1, "rows", "cols", "m"); }) == "cols");
  // 2³² · 2³² wraps around to 0 in 64 bits: must still be refused.
  CHECK(refused_argument([] { require_matrix_size(two_to_32, two_to_32, "rows", "cols", "m"); }) == "rows");
  CHECK(refused_argument([] { require_matrix_size(3, max_matrix_elements / 2, "rows", "cols", "m"); }) == "cols");
}

TEST_CASE("sizes: Stiefel, Grassmann and the symplectic spaces refuse oversize N naming N", "[sizes]") {
  for (const auto& [name, make] : frame_manifolds()) {
    INFO(name);
    const bool symplectic = name.rfind("Symplectic", 0) == 0;
    // Largest accepted N: N² ≤ 2³¹ − 1 (N ≤ 46340), symplectic (2N)² ≤ 2³¹ − 1 (N ≤ 23170).
    const uword largest = symplectic ? 23170 : 46340;
    std::unique_ptr<Manifold> accepted;
    REQUIRE_NOTHROW(accepted = make(largest, 1));
    const uword rows = symplectic ? 2 * largest : largest;
    CHECK(accepted->rows() == rows);
    CHECK(accepted->cols() == (symplectic ? 2u : 1u));
    CHECK(accepted->dimension() == (symplectic ? (name == "SymplecticStiefel" ? 4 * largest - 1 : 4 * (largest - 1))
                                               : largest - 1));
    CHECK(refused_argument([&] { make(largest + 1, 1); }) == "N");
    // Products that wrap around in 64 bits: N = 2³² (N² = 2⁶⁴ ≡ 0), 2N = 2⁶⁴ ≡ 0 for N = 2⁶³.
    CHECK(refused_argument([&] { make(two_to_32, 1); }) == "N");
    CHECK(refused_argument([&] { make(two_to_33, two_to_32); }) == "N");
    CHECK(refused_argument([&] { make(two_to_63, 1); }) == "N");
    CHECK(refused_argument([&] { make(two_to_63, two_to_63); }) == "N");
    CHECK(refused_argument([&] { make(largest_uword, 1); }) == "N");
    // Zero and inconsistent sizes.
    CHECK(refused_argument([&] { make(5, 0); }) == "n");
    CHECK(refused_argument([&] { make(0, 0); }) == "n");
    CHECK(refused_argument([&] { make(3, 4); }) == "n");
    CHECK(refused_argument([&] { make(largest_uword, largest_uword); }) == "N");
    // make_manifold goes through the same constructors.
    CHECK(refused_argument([&] { make_manifold(name, {two_to_33, two_to_32}); }) == "N");
    CHECK(refused_argument([&] { make_manifold(name, {4, 0}); }) == "n");
  }
}

TEST_CASE("sizes: Euclidean refuses rows x cols above the bound naming rows or cols", "[sizes]") {
  const Euclidean vector_space(max_matrix_elements, 1);
  CHECK(vector_space.dimension() == max_matrix_elements);
  CHECK(Euclidean(1, max_matrix_elements).dimension() == max_matrix_elements);
  CHECK(Euclidean(46340, 46340).dimension() == 2147395600u);
  // 2³² · 2³² = 2⁶⁴ used to wrap around to a dimension of 0.
  CHECK(refused_argument([] { Euclidean(two_to_32, two_to_32); }) == "rows");
  CHECK(refused_argument([] { Euclidean(46341, 46341); }) == "cols");
  CHECK(refused_argument([] { Euclidean(1, max_matrix_elements + 1); }) == "cols");
  CHECK(refused_argument([] { Euclidean(largest_uword, 2); }) == "rows");
  CHECK(refused_argument([] { Euclidean(2, largest_uword); }) == "cols");
  CHECK(refused_argument([] { Euclidean(0, 3); }) == "rows");
  CHECK(refused_argument([] { Euclidean(3, 0); }) == "cols");
  CHECK(refused_argument([] { make_manifold("Euclidean", {two_to_32, two_to_32}); }) == "rows");
}

TEST_CASE("sizes: standard_normal_matrix refuses oversize shapes and allows empty ones", "[sizes]") {
  CHECK(refused_argument([] { standard_normal_matrix(two_to_32, two_to_32, 0); }) == "rows");
  CHECK(refused_argument([] { standard_normal_matrix(65536, 65536, 0); }) == "cols");
  CHECK(refused_argument([] { standard_normal_matrix(1, largest_uword, 0); }) == "cols");
  CHECK(standard_normal_matrix(0, 7, 1).n_elem == 0);
  CHECK(standard_normal_matrix(7, 0, 1).n_elem == 0);
  CHECK(standard_normal_matrix(3, 2, 1).n_elem == 6);
}

namespace {

/// An optimizer with Gradient(lr = 1) on one parameter, started at random_point(seed).
Optimizer one_parameter_optimizer(const Manifold& manifold, Retraction retraction, std::uint64_t seed) {
  Optimizer optimizer(Gradient(1.0), retraction);
  optimizer.add(manifold, manifold.random_point(seed));
  return optimizer;
}

/// A step with `bad_gradient` must throw InvalidArgument("velocity") and leave the optimizer
/// byte-identical; a following step with `good_gradient` must work and keep the point
/// finite and on the manifold.
void check_refused_then_recovers(Optimizer& optimizer, const Mat& bad_gradient, const Mat& good_gradient) {
  const Manifold& manifold = optimizer.manifold(0);
  const std::string before = optimizer.to_bytes();
  CHECK(refused_argument([&] { optimizer.step({bad_gradient}); }) == "velocity");
  CHECK((optimizer.to_bytes() == before));
  CHECK(optimizer.step_count() == 0);
  REQUIRE_NOTHROW(optimizer.step({good_gradient}));
  CHECK(optimizer.step_count() == 1);
  CHECK(optimizer.value(0).is_finite());
  CHECK(manifold.check(optimizer.value(0)) <= manifold.tolerance());
}

}  // namespace

/// A step with `gradient` either succeeds with a finite point on the manifold (check ≤
/// tolerance) or throws InvalidArgument("velocity") and leaves the optimizer byte-identical.
/// Returns whether it threw.
bool check_committed_or_refused(Optimizer& optimizer, const Mat& gradient) {
  const Manifold& manifold = optimizer.manifold(0);
  const std::string before = optimizer.to_bytes();
  const std::uint64_t count = optimizer.step_count();
  const std::string refused = refused_argument([&] { optimizer.step({gradient}); });
  if (refused.empty()) {
    CHECK(optimizer.step_count() == count + 1);
    CHECK(optimizer.value(0).is_finite());
    CHECK(manifold.check(optimizer.value(0)) <= manifold.tolerance());
    return false;
  }
  CHECK(refused == "velocity");
  CHECK((optimizer.to_bytes() == before));
  return true;
}

TEST_CASE("finite steps: the SymplecticGrassmann(3, 1) geodesic overflow of issue 12 is refused", "[finite steps]") {
  // Issue 12: Gradient(lr = 1), geodesic, gradient 1e3·standard_normal_matrix(6, 2, 3) used to
  // succeed with max|U| ≈ 1e179 and check(U) = NaN (from random_point(1) and random_point(2):
  // the NaN residual passed `residual > threshold`), and every later step succeeded too.
  const SymplecticGrassmann manifold(3, 1);
  for (std::uint64_t seed : {1, 2}) {
    INFO("seed " << seed);
    Optimizer optimizer = one_parameter_optimizer(manifold, Retraction::geodesic, seed);
    check_refused_then_recovers(optimizer, 1e3 * standard_normal_matrix(6, 2, 3),
                                1e-2 * standard_normal_matrix(6, 2, 3));
  }
  // From other starting points the same gradient may give a valid step; either way nothing
  // non-finite or off the manifold is committed, over several steps.
  for (Retraction retraction : {Retraction::cayley, Retraction::geodesic})
    for (std::uint64_t seed = 0; seed <= 8; ++seed) {
      INFO(to_string(retraction) << " seed " << seed);
      Optimizer optimizer = one_parameter_optimizer(manifold, retraction, seed);
      for (std::uint64_t step = 0; step < 3; ++step)
        check_committed_or_refused(optimizer, 1e3 * standard_normal_matrix(6, 2, 3 + step));
    }
}

TEST_CASE("finite steps: symplectic steps too large for either retraction are refused", "[finite steps]") {
  const std::vector<std::unique_ptr<Manifold>> manifolds = [] {
    std::vector<std::unique_ptr<Manifold>> list;
    list.push_back(std::make_unique<SymplecticStiefel>(3, 1));
    list.push_back(std::make_unique<SymplecticGrassmann>(4, 2));
    return list;
  }();
  for (const auto& manifold : manifolds)
    for (Retraction retraction : {Retraction::cayley, Retraction::geodesic})
      for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        INFO(manifold->description() << " " << to_string(retraction) << " seed " << seed);
        Optimizer optimizer = one_parameter_optimizer(*manifold, retraction, seed);
        const Mat direction = standard_normal_matrix(manifold->rows(), manifold->cols(), 10 + seed);
        check_refused_then_recovers(optimizer, 1e200 * direction, 1e-2 * direction);
        for (real scale : {1e2, 1e3, 1e5, 1e10})
          check_committed_or_refused(optimizer, scale * direction);
      }
}

TEST_CASE("finite steps: Stiefel and Grassmann refuse overflowing steps for both retractions", "[finite steps]") {
  // Gradient 1e200: B = ȲᵀG ≈ 1e200, so X = WᵀU holds −BᵀB = −Inf. Cayley used to be refused
  // by its solve; the geodesic's expmat failure used to escape as std::runtime_error.
  for (const auto& [N, n] : std::vector<std::pair<uword, uword>>{{6, 2}, {10, 3}, {5, 5}}) {
    const std::vector<std::unique_ptr<Manifold>> manifolds = [N = N, n = n] {
      std::vector<std::unique_ptr<Manifold>> list;
      list.push_back(std::make_unique<Stiefel>(N, n));
      list.push_back(std::make_unique<Grassmann>(N, n));
      return list;
    }();
    for (const auto& manifold : manifolds)
      for (Retraction retraction : {Retraction::cayley, Retraction::geodesic})
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
          INFO(manifold->description() << " " << to_string(retraction) << " seed " << seed);
          // Grassmann(5, 5) is a single point: every lift is 0, any gradient gives a zero step.
          if (manifold->dimension() == 0) continue;
          Optimizer optimizer = one_parameter_optimizer(*manifold, retraction, seed);
          const Mat direction = standard_normal_matrix(N, n, 100 + seed);
          check_refused_then_recovers(optimizer, 1e200 * direction, 1e-2 * direction);
        }
  }
}

TEST_CASE("finite steps: a geodesic step whose exp overflows names the velocity", "[finite steps]") {
  // Stiefel(2, 1): X = [[0, 1], [−b², 0]] is finite for |b| ≈ 1e150 (b² ≈ 1e300) but exp(X)
  // cannot be computed: expmat fails or overflows. It used to throw std::runtime_error.
  const Stiefel manifold(2, 1);
  for (real scale : {1e140, 1e150, 1e153}) {
    INFO("scale " << scale);
    const auto section = manifold.section(manifold.random_point(1));
    const Vec velocity{scale};
    CHECK(refused_argument([&] { section->retracted(velocity, Retraction::geodesic); }) == "velocity");
  }
}

TEST_CASE("finite steps: a NaN or Inf velocity from the method is refused", "[finite steps]") {
  // Gradient(lr = 1e300) times a gradient of 1e10 overflows to Inf in the method itself.
  for (Retraction retraction : {Retraction::cayley, Retraction::geodesic}) {
    const std::vector<std::unique_ptr<Manifold>> manifolds = [] {
      std::vector<std::unique_ptr<Manifold>> list;
      list.push_back(std::make_unique<Stiefel>(6, 2));
      list.push_back(std::make_unique<SymplecticStiefel>(3, 1));
      list.push_back(std::make_unique<Euclidean>(3, 2));
      return list;
    }();
    for (const auto& manifold : manifolds) {
      INFO(manifold->description() << " " << to_string(retraction));
      Optimizer optimizer(Gradient(1e300), retraction);
      optimizer.add(*manifold, manifold->random_point(2));
      const Mat direction = standard_normal_matrix(manifold->rows(), manifold->cols(), 5);
      const std::string before = optimizer.to_bytes();
      // Refused by the method (naming the gradient) or by the optimizer's velocity check.
      const std::string refused = refused_argument([&] { optimizer.step({1e10 * direction}); });
      CHECK((refused == "gradients[0]" || refused == "velocity"));
      CHECK((optimizer.to_bytes() == before));
    }
  }
}

TEST_CASE("finite steps: Euclidean steps that overflow are refused and change nothing", "[finite steps]") {
  const Euclidean manifold(3, 2);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    INFO("seed " << seed);
    Optimizer optimizer(Gradient(1.0), Retraction::cayley);
    optimizer.add(manifold, 1e308 * arma::sign(standard_normal_matrix(3, 2, seed)));
    const std::string before = optimizer.to_bytes();
    // Y + V with Y = ±1e308 and V = −G = ∓1.7e308 in some entry overflows to ∓Inf.
    const Mat gradient = 1.7e308 * arma::sign(optimizer.value(0)) * -1.0;
    CHECK(refused_argument([&] { optimizer.step({gradient}); }) == "velocity");
    CHECK((optimizer.to_bytes() == before));
    REQUIRE_NOTHROW(optimizer.step({optimizer.value(0)}));  // Y − Y = 0
    CHECK(arma::norm(optimizer.value(0), "inf") == 0.0);
  }
}

TEST_CASE("finite steps: orthonormal_factor refuses NaN and Inf entries", "[finite steps]") {
  // A NaN used to pass the rank test |R_jj| ≤ 1e-12·scale (false for NaN) and come back as Q.
  for (real bad : {arma::datum::nan, arma::datum::inf}) {
    Mat matrix = standard_normal_matrix(5, 2, 1);
    matrix(3, 1) = bad;
    CHECK(refused_argument([&] { orthonormal_factor(matrix, "matrix"); }) == "matrix");
  }
  const Mat Q = orthonormal_factor(standard_normal_matrix(5, 2, 1), "matrix");
  CHECK(arma::norm(Q.t() * Q - arma::eye(2, 2), "fro") <= 1e-14);
}

}  // namespace homopt
