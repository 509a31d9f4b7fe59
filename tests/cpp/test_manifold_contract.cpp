// The manifold contract (docs/testing.md): every manifold that homopt::manifold_specs()
// registers, at each of its example shapes and at its last example shape scaled by 4, must
//  1. lift: c = Section::lift(G) is the gradient at c = 0 of c ↦ L(λ·Retr(V(c))·E), by central
//     differences, for both retractions, from sections away from the deterministic one;
//  2. retractions: keep check(Y) ≤ tolerance() over many steps; Retr(0) is the identity;
//     d/dt Retr(t·lift(G))·E at t = 0 is riemannian_gradient(Y, G) (both retractions);
//  3. state: section_from_state(state()) is the same section, and takes the same next step,
//     bit for bit;
//  4. check and tolerance: points whose residual is 10·tolerance are refused, tolerance/10
//     accepted (and their section sits exactly at them); dimension() is the coordinate count;
//  5. bad input: refused shapes, wrong-size points and gradients, NaN/Inf points and gradients
//     throw InvalidArgument naming the argument (and, for sizes and entries, saying which).
// No manifold is named here: a manifold added to manifold_specs() gets all of it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "homopt/api.hpp"
#include "test_helpers.hpp"

using namespace homopt;

namespace {

constexpr real eps = std::numeric_limits<real>::epsilon();

/// One manifold of the contract: its registration and one shape of it.
struct ContractCase {
  const ManifoldSpec* spec;
  std::vector<uword> shape;
  std::unique_ptr<Manifold> manifold;
};

/// Every registered manifold at each example shape, and at its last example shape with every
/// size × 4 when make_manifold accepts that (a larger case for the rounding bounds).
std::vector<ContractCase> contract_cases() {
  std::vector<ContractCase> cases;
  for (const ManifoldSpec& spec : manifold_specs()) {
    for (const auto& shape : spec.example_shapes) cases.push_back({&spec, shape, make_manifold(spec.name, shape)});
    if (spec.example_shapes.empty()) continue;  // refused by the api test (at least 3 are declared)
    std::vector<uword> scaled = spec.example_shapes.back();
    for (uword& size : scaled) size *= 4;
    try {
      cases.push_back({&spec, scaled, make_manifold(spec.name, scaled)});
    } catch (const InvalidArgument&) {
      // This manifold's sizes do not scale; its example shapes are the contract.
    }
  }
  return cases;
}

/// What `call` threw: the argument named by its InvalidArgument and its message ("" and ""
/// if it throws nothing, "<other exception>" for any other exception).
struct Refusal {
  std::string argument, message;
};

Refusal refusal_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const InvalidArgument& error) {
    return {error.argument(), error.what()};
  } catch (...) {
    return {"<other exception>", ""};
  }
  return {"", ""};
}

std::string refused_argument(const std::function<void()>& call) { return refusal_of(call).argument; }

/// "RxC".
std::string size_text(uword rows, uword cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

/// Same size and the same bytes (a NaN equals only the same NaN).
bool same_bits(const Mat& a, const Mat& b) {
  // (memcmp is not called on empty matrices, whose memory pointer may be null.)
  return a.n_rows == b.n_rows && a.n_cols == b.n_cols &&
         (a.n_elem == 0 || std::memcmp(a.memptr(), b.memptr(), a.n_elem * sizeof(real)) == 0);
}

bool same_bits(const std::vector<Mat>& a, const std::vector<Mat>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!same_bits(a[k], b[k])) return false;
  return true;
}

/// A standard normal direction in ℝ^dimension scaled to length `length` (dimension ≥ 1).
Vec random_direction(uword dimension, std::uint64_t seed, real length) {
  Vec d = standard_normal_matrix(dimension, 1, seed);
  return d * (length / arma::norm(d));
}

/// A section away from the deterministic one: that of random_point(seed) moved by a Cayley
/// step of length 0.5 (so λ is not in any normal form the constructor produces).
std::unique_ptr<Section> moved_section(const Manifold& manifold, std::uint64_t seed) {
  auto section = manifold.section(manifold.random_point(seed));
  if (manifold.dimension() == 0) return section;
  return section->retracted(random_direction(manifold.dimension(), seed + 500, 0.5), Retraction::cayley);
}

/// Bound on the rounding error of a computed point Y = λ·R·E for R near I:
/// ‖ΔY‖_F ≤ 2·γ_rows·‖λ‖_F·‖E‖_F with γ_k = k·ε (inner products of length rows; the factor 2
/// covers the rounding of R itself), ‖E‖_F = √cols.
real point_rounding(const Manifold& manifold, const Section& section) {
  return 2 * manifold.rows() * eps * arma::norm(section.group_element(), "fro") * std::sqrt(real(manifold.cols()));
}

/// The smooth test loss L(Y) = Σ sin(K ⊙ Y) + ½‖Y − T‖²_F, ∇L = K ⊙ cos(K ⊙ Y) + Y − T.
struct SmoothLoss {
  Mat K, T;
  SmoothLoss(const Manifold& manifold, std::uint64_t seed)
      : K(standard_normal_matrix(manifold.rows(), manifold.cols(), seed)),
        T(standard_normal_matrix(manifold.rows(), manifold.cols(), seed + 1)) {}
  real value(const Mat& Y) const { return arma::accu(arma::sin(K % Y)) + 0.5 * arma::accu(arma::square(Y - T)); }
  Mat gradient(const Mat& Y) const { return K % arma::cos(K % Y) + Y - T; }
  /// Σ of the absolute values of its terms (the scale of the rounding error of value()).
  real magnitude(const Mat& Y) const {
    return arma::accu(arma::abs(arma::sin(K % Y))) + 0.5 * arma::accu(arma::square(Y - T));
  }
};

/// A central difference with its error bound. For a C⁵ function f evaluated with an error at
/// most δ, D(h) = (f(h) − f(−h))/2h = f′ + h²f‴/6 + O(h⁴) + n, |n| ≤ δ/h, and
/// D(2h) − D(h) = 3·h²f‴/6 + O(h⁴) + n′ with |n′| ≤ 1.5δ/h. So
/// |D(h) − f′| ≤ |D(2h) − D(h)|/3 + 1.5δ/h ≤ bound = |D(2h) − D(h)| + 2δ/h
/// (the truncation term measured at this very step, with a factor 3 to spare; O(h⁴) ≈ 1e-20).
struct CentralDifference {
  real value;
  real bound;
};

CentralDifference central_difference(const std::function<real(real)>& f, real h, real noise) {
  const real at_h = (f(h) - f(-h)) / (2 * h);
  const real at_2h = (f(2 * h) - f(-2 * h)) / (4 * h);
  return {at_h, std::abs(at_2h - at_h) + 2 * noise / h};
}

/// Step of the central differences: ε^(1/3) ≈ 6e-6 balances truncation (∝ h²) and rounding
/// (∝ ε/h) for a unit direction; 1e-5 is the round value near it.
constexpr real fd_step = 1e-5;

/// The FD directions: every coordinate when dimension ≤ 40, else 24 random unit directions.
Mat fd_directions(uword dimension, std::uint64_t seed) {
  if (dimension <= 40) return arma::eye(dimension, dimension);
  Mat directions = standard_normal_matrix(dimension, 24, seed);
  for (uword k = 0; k < directions.n_cols; ++k) directions.col(k) /= arma::norm(directions.col(k));
  return directions;
}

const Retraction retractions[] = {Retraction::cayley, Retraction::geodesic};

}  // namespace

TEST_CASE("manifold contract: make_manifold builds every registered manifold at its example shapes",
          "[manifold-contract]") {
  const auto cases = contract_cases();
  REQUIRE(cases.size() >= 3 * manifold_specs().size());
  for (const ContractCase& item : cases) {
    const Manifold& manifold = *item.manifold;
    INFO(manifold.description());
    CHECK(manifold.name() == item.spec->name);
    CHECK(manifold.shape_parameters() == item.shape);
    CHECK(item.shape.size() == item.spec->shape_parameters.size());
    CHECK(manifold.clone()->description() == manifold.description());
    // random_point: the point's shape, on the manifold, the same for the same seed; the
    // section of a point sits exactly at it (λE = Y bit for bit).
    const Mat Y = manifold.random_point(7);
    CHECK(Y.n_rows == manifold.rows());
    CHECK(Y.n_cols == manifold.cols());
    CHECK(same_bits(Y, manifold.random_point(7)));
    test::check_within("contract " + manifold.description() + " check(random_point)", manifold.check(Y),
                       manifold.tolerance());
    CHECK(same_bits(manifold.section(Y)->point(), Y));
  }
}

TEST_CASE("manifold contract: the lift is the central-difference gradient of c -> L(lambda Retr(V(c)) E)",
          "[manifold-contract]") {
  for (const ContractCase& item : contract_cases()) {
    const Manifold& manifold = *item.manifold;
    for (std::uint64_t seed : {1, 2, 3}) {
      const auto section = moved_section(manifold, seed);
      const Mat& Y = section->point();
      const SmoothLoss loss(manifold, 100 + seed);
      const Mat G = loss.gradient(Y);
      const Vec c = section->lift(G);
      INFO(manifold.description() << " seed " << seed);
      REQUIRE(c.n_elem == manifold.dimension());
      // δ: the loss at a point with error ‖ΔY‖ plus the rounding of its own sums.
      const real noise = arma::norm(G, "fro") * point_rounding(manifold, *section) +
                         2 * manifold.rows() * manifold.cols() * eps * loss.magnitude(Y);
      const Mat directions = fd_directions(manifold.dimension(), seed + 700);
      for (Retraction retraction : retractions) {
        real worst_error = 0, worst_bound = 1;
        for (uword k = 0; k < directions.n_cols; ++k) {
          const Vec d = directions.col(k);
          const auto f = [&](real t) { return loss.value(section->retracted(t * d, retraction)->point()); };
          const CentralDifference numeric = central_difference(f, fd_step, noise);
          const real error = std::abs(numeric.value - arma::dot(c, d));
          if (!(error / numeric.bound <= worst_error / worst_bound)) worst_error = error, worst_bound = numeric.bound;
        }
        INFO(to_string(retraction) << ": " << directions.n_cols << " directions");
        test::check_within("contract " + manifold.description() + " lift vs central differences", worst_error,
                           worst_bound);
      }
    }
  }
}

TEST_CASE("manifold contract: Retr(0) is the identity and d/dt Retr(t V) at 0 is V", "[manifold-contract]") {
  for (const ContractCase& item : contract_cases()) {
    const Manifold& manifold = *item.manifold;
    for (std::uint64_t seed : {1, 2, 3}) {
      INFO(manifold.description() << " seed " << seed);
      // Retr(0) = I: a zero velocity leaves the section where it is.
      const auto moved = moved_section(manifold, seed);
      const Vec zero(manifold.dimension(), arma::fill::zeros);
      for (Retraction retraction : retractions) {
        INFO(to_string(retraction));
        const auto same = moved->retracted(zero, retraction);
        CHECK(same_bits(same->point(), moved->point()));
        CHECK(same_bits(same->group_element(), moved->group_element()));
      }
      // First order: the tangent λV(c)E of the step along c = lift(G) from the deterministic
      // section is the Riemannian gradient, for both retractions (R(tV) = I + tV + O(t²)).
      const Mat Y = manifold.random_point(seed);
      const auto section = manifold.section(Y);
      const Mat G = standard_normal_matrix(manifold.rows(), manifold.cols(), seed + 300);
      const Vec c = section->lift(G);
      const Mat gradient = manifold.riemannian_gradient(Y, G);
      if (manifold.dimension() == 0) {
        // A single point: its tangent space is {0}. The gradient is G minus its projection
        // (products with λ twice): zero up to 2·γ_rows·‖λ‖²_F·‖G‖_F.
        const real lambda_norm = arma::norm(section->group_element(), "fro");
        test::check_within("contract " + manifold.description() + " riemannian_gradient = 0",
                           arma::norm(gradient, "fro"),
                           2 * manifold.rows() * eps * lambda_norm * lambda_norm * arma::norm(G, "fro"));
        continue;
      }
      const real length = arma::norm(c);
      REQUIRE(length > 0);
      for (Retraction retraction : retractions) {
        INFO(to_string(retraction));
        // Each entry of Y(t) along the unit direction c/‖c‖ is a function of t; the matrix
        // difference and its bound are taken in the Frobenius norm.
        const auto point_at = [&](real t) { return section->retracted((t / length) * c, retraction)->point(); };
        const Mat at_h = (point_at(fd_step) - point_at(-fd_step)) / (2 * fd_step);
        const Mat at_2h = (point_at(2 * fd_step) - point_at(-2 * fd_step)) / (4 * fd_step);
        const real bound = arma::norm(at_2h - at_h, "fro") + 2 * point_rounding(manifold, *section) / fd_step;
        test::check_within("contract " + manifold.description() + " d/dt Retr(t lift(G)) = riemannian_gradient",
                           arma::norm(at_h - gradient / length, "fro"), bound);
      }
    }
  }
}

TEST_CASE("manifold contract: both retractions keep the constraint over 200 steps", "[manifold-contract]") {
  // Steps of length 0.25 in random directions; every committed point must satisfy
  // check(Y) ≤ tolerance() and stay acceptable to section() and section_from_state(). On the
  // non-compact symplectic spaces such a walk drifts away (‖U‖_F reached 85 on
  // SymplecticStiefel(2, 1), residual 2e-12): the rounding of UᵀJU grows like ε‖U‖²_F, so
  // much longer steps would end in the documented refusal of a step that leaves the manifold
  // numerically (0.5 does on SymplecticStiefel(1, 1)), not in a broken contract.
  constexpr int steps = 200;
  constexpr real step_length = 0.25;
  for (const ContractCase& item : contract_cases()) {
    const Manifold& manifold = *item.manifold;
    if (manifold.dimension() == 0) continue;  // a single point: no step moves it
    for (Retraction retraction : retractions) {
      for (std::uint64_t seed : {1, 2}) {
        INFO(manifold.description() << " " << to_string(retraction) << " seed " << seed);
        std::unique_ptr<Section> section = manifold.section(manifold.random_point(seed));
        real worst = 0;
        for (int k = 0; k < steps; ++k) {
          const Vec velocity = random_direction(manifold.dimension(), 10000 * seed + k, step_length);
          REQUIRE_NOTHROW(section = section->retracted(velocity, retraction));
          worst = std::max(worst, manifold.check(section->point()));
        }
        test::check_within("contract " + manifold.description() + " " + to_string(retraction) +
                               " largest check(Y) over 200 steps",
                           worst, manifold.tolerance());
        CHECK_NOTHROW(manifold.section(section->point()));
        CHECK_NOTHROW(manifold.section_from_state(section->state()));
      }
    }
  }
}

TEST_CASE("manifold contract: state() round-trips through section_from_state bit for bit", "[manifold-contract]") {
  for (const ContractCase& item : contract_cases()) {
    const Manifold& manifold = *item.manifold;
    for (std::uint64_t seed : {1, 2}) {
      INFO(manifold.description() << " seed " << seed);
      // A fresh section and one moved by a step: both must be reproduced by their state.
      std::vector<std::unique_ptr<Section>> sections;
      sections.push_back(manifold.section(manifold.random_point(seed)));
      sections.push_back(moved_section(manifold, seed));
      for (const auto& section : sections) {
        const auto rebuilt = manifold.section_from_state(section->state());
        CHECK(same_bits(rebuilt->point(), section->point()));
        CHECK(same_bits(rebuilt->group_element(), section->group_element()));
        CHECK(same_bits(rebuilt->state(), section->state()));
        const auto copy = section->clone();
        CHECK(same_bits(copy->state(), section->state()));
        if (manifold.dimension() == 0) continue;
        const Vec velocity = random_direction(manifold.dimension(), seed + 900, 0.5);
        for (Retraction retraction : retractions) {
          INFO(to_string(retraction));
          const auto expected = section->retracted(velocity, retraction);
          const auto next = rebuilt->retracted(velocity, retraction);
          CHECK(same_bits(next->point(), expected->point()));
          CHECK(same_bits(next->state(), expected->state()));
        }
      }
    }
  }
}

TEST_CASE("manifold contract: check and tolerance agree and dimension is the coordinate count",
          "[manifold-contract]") {
  for (const ContractCase& item : contract_cases()) {
    const Manifold& manifold = *item.manifold;
    const real tolerance = manifold.tolerance();
    INFO(manifold.description() << " tolerance " << tolerance);
    REQUIRE(tolerance >= 0);
    const uword dimension = manifold.dimension();
    const Mat Y = manifold.random_point(3);
    const auto section = manifold.section(Y);
    CHECK(section->lift(standard_normal_matrix(manifold.rows(), manifold.cols(), 4)).n_elem == dimension);
    const Mat V = manifold.horizontal_matrix(Vec(dimension, arma::fill::ones));
    CHECK(V.n_elem > 0);
    CHECK(refused_argument([&] { manifold.horizontal_matrix(Vec(dimension + 1, arma::fill::ones)); }) ==
          "coordinates");
    if (dimension > 0)
      CHECK(refused_argument([&] { manifold.horizontal_matrix(Vec(dimension - 1, arma::fill::ones)); }) ==
            "coordinates");

    for (std::uint64_t seed : {5, 6, 7}) {
      INFO("perturbation seed " << seed);
      const Mat P = standard_normal_matrix(manifold.rows(), manifold.cols(), seed);
      const auto residual_at = [&](real s) { return manifold.check(Y + s * P); };
      // The rule itself, on points near and far: accepted iff check ≤ tolerance, and the
      // section of an accepted point sits exactly at it.
      const auto require_rule = [&](const Mat& X) {
        const real residual = manifold.check(X);
        INFO("residual " << residual);
        Optimizer optimizer(Adam{});
        if (residual <= tolerance) {
          std::unique_ptr<Section> accepted;
          REQUIRE_NOTHROW(accepted = manifold.section(X, "initial_point"));
          CHECK(same_bits(accepted->point(), X));
          CHECK_NOTHROW(optimizer.add(manifold, X));
        } else {
          const Refusal refusal = refusal_of([&] { manifold.section(X); });
          CHECK(refusal.argument == "point");
          CHECK_THAT(refusal.message, Catch::Contains("not on the manifold"));
          CHECK(refused_argument([&] { manifold.section(X, "initial_point"); }) == "initial_point");
          CHECK(refused_argument([&] { optimizer.add(manifold, X); }) == "initial_point");
          CHECK(optimizer.size() == 0);
        }
      };
      require_rule(Y + P);
      // Finite entries of 1e200: the residual overflows to Inf or NaN, which must be refused
      // like any residual above the tolerance (a NaN compares false with everything).
      require_rule(1e200 * P);
      if (tolerance == 0) {
        // No constraint: every finite matrix of the point's shape is a point.
        CHECK(residual_at(1.0) == 0.0);
        continue;
      }
      // Scales s with check(Y + sP) at tolerance/10 and 10·tolerance: bisection in log s
      // (the residual grows like s for a generic P: first order in the constraint).
      const auto scale_for = [&](real target) {
        real low = 1e-20, high = 1e3;
        REQUIRE(residual_at(high) > target);
        for (int k = 0; k < 200 && high / low > 1 + 1e-6; ++k) {
          const real middle = std::sqrt(low * high);
          (residual_at(middle) < target ? low : high) = middle;
        }
        return high;
      };
      const real near = residual_at(scale_for(tolerance / 10));
      const real far = residual_at(scale_for(10 * tolerance));
      CHECK(near <= tolerance / 5);
      CHECK(far >= 5 * tolerance);
      require_rule(Y + scale_for(tolerance / 10) * P);
      require_rule(Y + scale_for(10 * tolerance) * P);
    }
  }
}

TEST_CASE("manifold contract: bad sizes and NaN or Inf input are refused naming the argument",
          "[manifold-contract][errors]") {
  for (const ManifoldSpec& spec : manifold_specs()) {
    INFO(spec.name);
    for (const auto& shape : spec.refused_shapes) {
      const std::string argument = refused_argument([&] { make_manifold(spec.name, shape); });
      INFO("refused shape " << ::Catch::Detail::stringify(shape) << ": argument '" << argument << "'");
      CHECK(std::find(spec.shape_parameters.begin(), spec.shape_parameters.end(), argument) !=
            spec.shape_parameters.end());
    }
    std::vector<uword> too_many(spec.shape_parameters.size() + 1, 1);
    CHECK(refused_argument([&] { make_manifold(spec.name, too_many); }) == "shape_parameters");
    CHECK(refused_argument([&] { make_manifold(spec.name, {}); }) == "shape_parameters");
  }
  const Refusal unknown = refusal_of([] { make_manifold("NoSuchManifold", {3, 2}); });
  CHECK(unknown.argument == "name");
  CHECK_THAT(unknown.message, Catch::Contains("unknown manifold 'NoSuchManifold'"));

  for (const ContractCase& item : contract_cases()) {
    const Manifold& manifold = *item.manifold;
    INFO(manifold.description());
    const uword rows = manifold.rows(), cols = manifold.cols();
    const Mat Y = manifold.random_point(1);
    const Mat G = standard_normal_matrix(rows, cols, 2);
    std::vector<Mat> wrong_shapes = {Mat(rows + 1, cols, arma::fill::zeros), Mat(rows, cols + 1, arma::fill::zeros),
                                     Mat()};
    if (rows != cols) wrong_shapes.push_back(Y.t());
    for (const Mat& X : wrong_shapes) {
      INFO("shape " << X.n_rows << "x" << X.n_cols);
      const Refusal refusal = refusal_of([&] { manifold.check(X); });
      CHECK(refusal.argument == "point");
      CHECK_THAT(refusal.message, Catch::Contains("expected a " + size_text(rows, cols) + " matrix, got " +
                                                  size_text(X.n_rows, X.n_cols)));
      CHECK(refused_argument([&] { manifold.section(X, "initial_point"); }) == "initial_point");
      CHECK(refused_argument([&] { manifold.riemannian_gradient(X, G); }) == "point");
      CHECK(refused_argument([&] { manifold.riemannian_gradient(Y, X); }) == "euclidean_gradient");
    }
    for (real bad : {arma::datum::nan, arma::datum::inf, -arma::datum::inf}) {
      INFO("entry " << bad);
      Mat with_bad = Y;
      with_bad(rows - 1, cols - 1) = bad;
      const Refusal refusal = refusal_of([&] { manifold.check(with_bad); });
      CHECK(refusal.argument == "point");
      CHECK_THAT(refusal.message, Catch::Contains("entry (" + std::to_string(rows - 1) + ", " +
                                                  std::to_string(cols - 1) + ")"));
      CHECK(refused_argument([&] { manifold.section(with_bad); }) == "point");
      CHECK(refused_argument([&] { Optimizer(Adam{}).add(manifold, with_bad); }) == "initial_point");
      CHECK(refused_argument([&] { manifold.riemannian_gradient(with_bad, G); }) == "point");
      Mat bad_gradient = G;
      bad_gradient(0, 0) = bad;
      CHECK(refused_argument([&] { manifold.riemannian_gradient(Y, bad_gradient); }) == "euclidean_gradient");
      std::vector<Mat> bad_state = manifold.section(Y)->state();
      bad_state[0](0, 0) = bad;
      CHECK(refused_argument([&] { manifold.section_from_state(bad_state); }).rfind("state", 0) == 0);
    }
    // A state with a matrix missing or one too many.
    std::vector<Mat> state = manifold.section(Y)->state();
    REQUIRE(!state.empty());
    state.push_back(state.back());
    CHECK(refused_argument([&] { manifold.section_from_state(state); }) == "state");
    state.pop_back();
    state.pop_back();
    CHECK(refused_argument([&] { manifold.section_from_state(state); }) == "state");
    // Through the optimizer: a bad start or gradient is refused and changes nothing.
    Optimizer optimizer(Adam{});
    CHECK(refused_argument([&] { optimizer.add(manifold, Mat(rows + 1, cols, arma::fill::zeros)); }) ==
          "initial_point");
    REQUIRE(optimizer.size() == 0);
    optimizer.add(manifold, Y);
    Mat nan_gradient = G;
    nan_gradient(rows - 1, 0) = arma::datum::nan;
    CHECK(refused_argument([&] { optimizer.step({Mat(rows, cols + 1, arma::fill::zeros)}); }) == "gradients[0]");
    CHECK(refused_argument([&] { optimizer.step({nan_gradient}); }) == "gradients[0]");
    CHECK(refused_argument([&] { optimizer.step({}); }) == "gradients");
    CHECK(optimizer.step_count() == 0);
    CHECK(same_bits(optimizer.value(0), Y));
  }
}
