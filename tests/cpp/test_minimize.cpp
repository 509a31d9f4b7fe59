// The solver loop (minimize.hpp, docs/solvers.md): the Brockett optimum, each stopping rule
// in a run built for it, the callback, errors that leave the last completed step, and the
// cross-language reference run (tests/data/minimize_reference.txt).
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "minimize_problem.hpp"
#include "test_helpers.hpp"

using namespace homopt;
namespace ref = homopt::minimize_reference;

namespace {

/// The Brockett problem of seed `seed` as the two std::functions minimize takes.
struct BrockettRun {
  ref::Brockett problem;
  Optimizer optimizer;
  explicit BrockettRun(std::uint64_t seed, const Method& method = Adam(0.02))
      : problem(seed), optimizer(method) {
    optimizer.add(Stiefel(20, 4), problem.start(seed));
  }
  ObjectiveFunction objective() const {
    return [this](const std::vector<Mat>& Y) { return problem.value(Y); };
  }
  GradientFunction gradient() const {
    return [this](const std::vector<Mat>& Y) { return problem.gradient(Y); };
  }
  MinimizeResult run(const MinimizeOptions& options) { return minimize(objective(), gradient(), optimizer, options); }
};

MinimizeOptions rules_with_max(std::uint64_t max_iterations) {
  MinimizeOptions options;
  options.rules.max_iterations = max_iterations;
  return options;
}

/// Reads `NAME ROWS COLS values…` lines (tests/data format) into a map.
std::map<std::string, Mat> read_reference(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::map<std::string, Mat> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    uword rows = 0, cols = 0;
    fields >> name >> rows >> cols;
    Mat value(rows, cols);
    for (uword k = 0; k < value.n_elem; ++k) fields >> value[k];
    entries[name] = value;
  }
  return entries;
}

}  // namespace

TEST_CASE("minimize: Brockett on St(4, 20) reaches the closed-form optimum Σ j·λ₅₋ⱼ (5 seeds, BFGS)",
          "[minimize]") {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const ref::Brockett problem(seed);
    BrockettRun run(seed, BFGS(problem.bfgs_lr()));
    MinimizeOptions options = rules_with_max(1000);
    options.rules.gradient_tolerance = 1e-6;
    const MinimizeResult result = run.run(options);
    INFO("seed " << seed << ": " << result.iterations << " iterations, " << result.message);
    CHECK(result.reason == StopReason::gradient_tolerance);
    CHECK(converged(result.reason));
    // Near a nondegenerate minimum f − f* = O(‖c‖²): 1e-9 relative is far above the
    // rounding floor (measured ≤ 3e-15) and far below the first-order accuracy.
    CHECK(std::abs(result.value - problem.optimum()) <= 1e-9 * std::abs(problem.optimum()));
    CHECK(result.gradient_norm <= 1e-6);
    CHECK(Stiefel(20, 4).check(result.points[0]) <= Stiefel(20, 4).tolerance());
    CHECK(result.value == problem.value(result.points));
    CHECK(result.history.size() == result.iterations + 1);
    CHECK(result.history.back() == result.value);
  }
}

TEST_CASE("minimize: the reference run reproduces tests/data/minimize_reference.txt", "[minimize]") {
  const auto reference = read_reference(std::string(HOMOPT_TEST_DATA_DIR) + "/minimize_reference.txt");
  const ref::Brockett problem(ref::reference_seed);
  CHECK(arma::approx_equal(problem.A, reference.at("A"), "absdiff", 0));
  CHECK(problem.bfgs_lr() == reference.at("lr")(0));
  Optimizer optimizer(BFGS(problem.bfgs_lr()));
  const MinimizeResult result = ref::run(problem, ref::reference_seed, optimizer);
  CHECK(static_cast<double>(result.iterations) == reference.at("iterations")(0));
  CHECK(static_cast<double>(result.reason) == reference.at("reason")(0));
  CHECK(std::abs(result.value - reference.at("value")(0)) <= 1e-12 * std::abs(reference.at("value")(0)));
  CHECK(std::abs(result.value - reference.at("optimum")(0)) <= 1e-9 * std::abs(reference.at("optimum")(0)));
}

TEST_CASE("minimize: max_iterations takes exactly that many steps and reports f at the final point",
          "[minimize]") {
  for (const std::uint64_t max_iterations : {0u, 1u, 17u}) {
    BrockettRun run(3);
    const MinimizeResult result = run.run(rules_with_max(max_iterations));
    CHECK(result.reason == StopReason::max_iterations);
    CHECK(result.iterations == max_iterations);
    CHECK(run.optimizer.step_count() == max_iterations);
    CHECK(result.history.size() == max_iterations + 1);
    CHECK(result.value == run.problem.value({run.optimizer.value(0)}));
    CHECK(!converged(result.reason));
  }
}

TEST_CASE("minimize: gradient_tolerance stops at the first point with ‖c‖₂ ≤ tolerance", "[minimize]") {
  BrockettRun run(2);
  const real tolerance = 1e-2;
  std::vector<real> norms;  // ‖c‖₂ at every point, from the optimizer's own lift
  MinimizeOptions options = rules_with_max(1000);
  options.rules.gradient_tolerance = tolerance;
  options.callback = [&](std::uint64_t, real, const std::vector<Mat>& Y) {
    norms.push_back(arma::norm(run.optimizer.lifted_gradients(run.problem.gradient(Y))[0]));
    return false;
  };
  const MinimizeResult result = run.run(options);
  REQUIRE(result.reason == StopReason::gradient_tolerance);
  REQUIRE(norms.size() == result.iterations + 1);
  CHECK(result.gradient_norm == norms.back());
  CHECK(norms.back() <= tolerance);
  for (std::size_t k = 0; k + 1 < norms.size(); ++k) CHECK(norms[k] > tolerance);
  CHECK(result.iterations > 10);  // not a trivial start
}

TEST_CASE("minimize: value_tolerance stops at the first k ≥ w with |f_{k−w} − f_k| ≤ tol·max(|f_{k−w}|, |f_k|, 1)",
          "[minimize]") {
  for (const std::uint64_t window : {1u, 5u}) {
    BrockettRun run(4);
    MinimizeOptions options = rules_with_max(5000);
    options.rules.value_tolerance = 1e-6;
    options.rules.value_window = window;
    const MinimizeResult result = run.run(options);
    REQUIRE(result.reason == StopReason::value_tolerance);
    const std::vector<real>& f = result.history;
    const auto holds = [&](std::size_t k) {
      return k >= window && std::abs(f[k - window] - f[k]) <=
                                1e-6 * std::max({std::abs(f[k - window]), std::abs(f[k]), 1.0});
    };
    CHECK(holds(result.iterations));
    for (std::size_t k = 0; k < result.iterations; ++k) CHECK(!holds(k));
  }
}

TEST_CASE("minimize: time_limit stops a run whose objective is slow", "[minimize]") {
  BrockettRun run(5);
  MinimizeOptions options = rules_with_max(1000000);
  options.rules.time_limit = 0.2;
  const auto start = std::chrono::steady_clock::now();
  const MinimizeResult result = minimize(
      [&](const std::vector<Mat>& Y) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return run.problem.value(Y);
      },
      run.gradient(), run.optimizer, options);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  CHECK(result.reason == StopReason::time_limit);
  CHECK(elapsed.count() >= 0.2);
  // ≥ 10 ms per iteration: at most 20 steps fit into 0.2 s.
  CHECK(result.iterations <= 20);
  CHECK(result.iterations >= 1);
}

TEST_CASE("minimize: a callback returning true stops the run before the step of that iteration",
          "[minimize]") {
  BrockettRun run(1);
  std::vector<std::uint64_t> seen;
  MinimizeOptions options = rules_with_max(100);
  options.callback = [&](std::uint64_t k, real value, const std::vector<Mat>& Y) {
    seen.push_back(k);
    CHECK(value == run.problem.value(Y));
    return k == 7;
  };
  const MinimizeResult result = run.run(options);
  CHECK(result.reason == StopReason::callback);
  CHECK(result.iterations == 7);
  CHECK(run.optimizer.step_count() == 7);
  CHECK(result.history.size() == 8);
  CHECK(seen == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

namespace {
/// The optimizer after exactly `steps` steps of the same run (what an interrupted run must leave).
Optimizer after_steps(std::uint64_t seed, std::uint64_t steps) {
  BrockettRun reference(seed);
  reference.run(rules_with_max(steps));
  return reference.optimizer;
}
void require_same_state(const Optimizer& a, const Optimizer& b) {
  CHECK(a.step_count() == b.step_count());
  CHECK(a.to_bytes() == b.to_bytes());  // points, sections and Adam moments, bit for bit
}
}  // namespace

TEST_CASE("minimize: an objective or callback that throws leaves the optimizer at the last completed step",
          "[minimize]") {
  const Optimizer expected = after_steps(6, 5);
  SECTION("objective throws at iteration 5") {
    BrockettRun run(6);
    int calls = 0;
    const auto throwing = [&](const std::vector<Mat>& Y) {
      if (calls++ == 5) throw std::runtime_error("user objective failed");
      return run.problem.value(Y);
    };
    CHECK_THROWS_WITH(minimize(throwing, run.gradient(), run.optimizer, rules_with_max(100)),
                      "user objective failed");
    require_same_state(run.optimizer, expected);
  }
  SECTION("callback throws at iteration 5") {
    BrockettRun run(6);
    MinimizeOptions options = rules_with_max(100);
    options.callback = [](std::uint64_t k, real, const std::vector<Mat>&) -> bool {
      if (k == 5) throw std::runtime_error("user callback failed");
      return false;
    };
    CHECK_THROWS_WITH(run.run(options), "user callback failed");
    require_same_state(run.optimizer, expected);
  }
}

TEST_CASE("minimize: a NaN/Inf value or gradient is refused naming it, the optimizer keeps the last step",
          "[minimize]") {
  const Optimizer expected = after_steps(6, 5);
  for (const real bad : {std::nan(""), std::numeric_limits<real>::infinity()}) {
    SECTION("value") {
      BrockettRun run(6);
      int calls = 0;
      const auto objective = [&](const std::vector<Mat>& Y) { return calls++ == 5 ? bad : run.problem.value(Y); };
      try {
        minimize(objective, run.gradient(), run.optimizer, rules_with_max(100));
        FAIL("no exception");
      } catch (const InvalidArgument& error) {
        CHECK(error.argument() == "value");
        CHECK_THAT(error.what(), Catch::Contains("iteration 5") && Catch::Contains("at step 5"));
      }
      require_same_state(run.optimizer, expected);
    }
    SECTION("gradient") {
      BrockettRun run(6);
      int calls = 0;
      const auto gradient = [&](const std::vector<Mat>& Y) {
        std::vector<Mat> G = run.problem.gradient(Y);
        if (calls++ == 5) G[0](3, 2) = bad;
        return G;
      };
      try {
        minimize(run.objective(), gradient, run.optimizer, rules_with_max(100));
        FAIL("no exception");
      } catch (const InvalidArgument& error) {
        CHECK(error.argument() == "gradients[0]");
      }
      require_same_state(run.optimizer, expected);
    }
  }
}

TEST_CASE("Solver: tell is all-or-nothing, and wrong shapes, a refused step or a finished run are errors",
          "[minimize]") {
  BrockettRun run(2);
  Solver solver(run.optimizer, rules_with_max(3).rules);
  const std::vector<Mat> Y0 = solver.points();
  REQUIRE(solver.tell(run.problem.value(Y0), run.problem.gradient(Y0)) == StopReason::none);
  const Optimizer after_one = run.optimizer;
  const std::vector<Mat> Y1 = solver.points();
  // Adam's second moment overflows for |g| ≳ 1.3e154: the optimizer refuses the step.
  CHECK_THROWS_AS(solver.tell(1.0, {Mat(20, 4).fill(1e200)}), InvalidArgument);
  CHECK_THROWS_WITH(solver.tell(1.0, {Mat(4, 20, arma::fill::zeros)}), Catch::Contains("gradients[0]"));
  CHECK_THROWS_WITH(solver.tell(1.0, {}), Catch::StartsWith("gradients:"));
  CHECK(solver.iterations() == 1);
  CHECK(solver.history().size() == 1);
  require_same_state(run.optimizer, after_one);
  while (!solver.done()) {
    const std::vector<Mat> Y = solver.points();
    solver.tell(run.problem.value(Y), run.problem.gradient(Y));
  }
  CHECK(solver.reason() == StopReason::max_iterations);
  CHECK(solver.iterations() == 3);
  CHECK_THROWS_WITH(solver.tell(1.0, run.problem.gradient(Y1)), Catch::StartsWith("solver:"));
  CHECK(solver.message() == "maximum number of iterations reached (3)");
}

TEST_CASE("Solver: rules outside their ranges are refused naming the field", "[minimize]") {
  Optimizer optimizer(Adam{});
  const auto refused = [&](StoppingRules rules, const std::string& field) {
    try {
      Solver solver(optimizer, rules);
      FAIL("accepted " << field);
    } catch (const InvalidArgument& error) {
      CHECK(error.argument() == field);
    }
  };
  StoppingRules rules;
  rules.gradient_tolerance = -1;
  refused(rules, "gradient_tolerance");
  rules = {};
  rules.value_tolerance = std::nan("");
  refused(rules, "value_tolerance");
  rules = {};
  rules.value_window = 0;
  refused(rules, "value_window");
  rules = {};
  rules.time_limit = 0;
  refused(rules, "time_limit");
  rules.time_limit = std::nan("");
  refused(rules, "time_limit");
  CHECK_THROWS_WITH(minimize(nullptr, nullptr, optimizer), Catch::StartsWith("objective:"));
}

TEST_CASE("make_method_by_name: case-insensitive names, make_method's defaults and checks", "[minimize]") {
  CHECK(make_method_by_name("adam", {})->description() == Adam().description());
  CHECK(make_method_by_name("ADAM_WITH_DECAY", {})->name() == "AdamWithDecay");
  CHECK(make_method_by_name("bfgs", {{"lr", 0.25}})->description() == BFGS(0.25).description());
  CHECK_THROWS_WITH(make_method_by_name("newton", {}), Catch::StartsWith("method:"));
  CHECK_THROWS_AS(make_method_by_name("adam", {{"lr", -1}}), InvalidArgument);
}
