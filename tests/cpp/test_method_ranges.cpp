// Method ranges and checkpoints (methods.hpp "Accepted ranges", issue 12 section 4): the
// constructors and the loader accept exactly the same hyperparameters; anything an optimizer
// can hold is saved and loaded back bit-identically; loaded states satisfy every invariant a
// step assumes; an update that would overflow is refused naming the gradient.
#include <cmath>
#include <limits>

#include "homopt/checkpoint.hpp"
#include "crafted_checkpoint.hpp"
#include "test_helpers.hpp"

using namespace homopt;

namespace {

constexpr real smallest_subnormal = std::numeric_limits<real>::denorm_min();
constexpr real largest = std::numeric_limits<real>::max();
const real below_one = std::nextafter(1.0, 0.0);

/// The column vector with the given entries, as a Mat.
Mat column(std::initializer_list<real> entries) { return Mat(Vec(entries)); }

using test::CraftedParameter;
using test::crafted_checkpoint;

/// The crafted parameter of `optimizer`'s parameter 0 with its method state replaced.
CraftedParameter with_state(const Optimizer& optimizer, std::vector<Mat> method_state) {
  const Manifold& manifold = optimizer.manifold(0);
  const std::vector<uword> sizes = manifold.shape_parameters();
  const std::vector<std::uint64_t> shape(sizes.begin(), sizes.end());
  return {manifold.name(), shape, optimizer.section(0).state(), std::move(method_state)};
}

/// Saves, loads and saves again: the bytes must be identical, and one more step on both
/// must give identical bytes too.
void check_round_trip(const Optimizer& optimizer, const Mat& next_gradient) {
  const std::string bytes = optimizer.to_bytes();
  Optimizer loaded = Optimizer::from_bytes(bytes, "round trip");
  CHECK(loaded.to_bytes() == bytes);
  Optimizer original = optimizer;
  original.step({next_gradient});
  loaded.step({next_gradient});
  CHECK(loaded.to_bytes() == original.to_bytes());
}

/// Hyperparameter `key` of `method` set to `value` (others as the method has them).
Hyperparameters with_value(const Method& method, const std::string& key, real value) {
  Hyperparameters values = method.hyperparameters();
  for (auto& entry : values)
    if (entry.first == key) entry.second = value;
  return values;
}

/// The loader refuses the checkpoint of `method` with `key` = `value`, naming the key.
void check_loader_refuses(const Method& method, const std::string& key, real value) {
  CAPTURE(method.name(), key, value);
  const std::string bytes = crafted_checkpoint(method.name(), with_value(method, key, value));
  CHECK_THROWS_AS(Optimizer::from_bytes(bytes, "crafted"), FileError);
  CHECK_THROWS_WITH(Optimizer::from_bytes(bytes, "crafted"), Catch::Contains(key + ":"));
}

}  // namespace

TEST_CASE("Extreme hyperparameters and states survive save and load bit for bit", "[methods][checkpoint]") {
  // Gradients with huge, tiny and subnormal entries: Adam's v gets (1e-160)² ≈ 1e-320
  // (subnormal) and 0.01·(1e150)² = 1e298; m gets subnormal entries.
  const Mat mixed = column({1e150, -1e-160, smallest_subnormal, -1e-300});
  const Mat tiny = column({smallest_subnormal, -smallest_subnormal, 1e-310, 0.0});
  struct Case {
    std::shared_ptr<Method> method;
    Mat gradient;
  };
  const std::vector<Case> cases{
      {std::make_shared<Gradient>(smallest_subnormal), mixed},
      {std::make_shared<Gradient>(largest), tiny},
      {std::make_shared<Momentum>(smallest_subnormal, 0.0), mixed},
      {std::make_shared<Momentum>(1e-300, below_one), mixed},
      {std::make_shared<Momentum>(largest, -0.0), tiny},
      {std::make_shared<Adam>(smallest_subnormal, 0.0, 0.0, smallest_subnormal), mixed},
      {std::make_shared<Adam>(largest, below_one, below_one, largest, true), tiny},  // lr·m̂ must stay finite
      {std::make_shared<Adam>(1e-3, 0.9, 0.99, 3e-7, true), mixed},
      // (V = −lr·m̂/(√v̂ + eps) computes lr·m̂ first: with lr_end = largest only tiny gradients
      // keep it finite; with beta2 = 0 every step moves by about ±lr.)
      {std::make_shared<AdamWithDecay>(1, smallest_subnormal, largest), tiny},
      {std::make_shared<AdamWithDecay>(max_decay_steps, 1.0, smallest_subnormal, below_one, 0.0,
                                       smallest_subnormal, true),
       mixed},
      {std::make_shared<AdamWithDecay>(max_decay_steps - 1, 1e-2, 1e-6), tiny},
      {std::make_shared<BFGS>(smallest_subnormal, largest, max_bfgs_dimension), mixed},
      {std::make_shared<BFGS>(1.0, smallest_subnormal, 4), mixed},
      {std::make_shared<BFGS>(1e-3, 1e-8, 4), tiny},
  };
  for (const Case& c : cases) {
    CAPTURE(c.method->description());
    // The constructor's values are what make_method (the loader) rebuilds.
    CHECK(make_method(c.method->name(), c.method->hyperparameters())->hyperparameters() ==
          c.method->hyperparameters());
    Optimizer optimizer(*c.method);
    optimizer.add(Euclidean(4, 1), column({1.0, -2.0, 1e-200, 3.0}));
    check_round_trip(optimizer, c.gradient);  // fresh state
    for (int k = 0; k < 3; ++k) optimizer.step({c.gradient});
    check_round_trip(optimizer, c.gradient);  // state after steps
  }
  // The decay schedule at 2^53 keeps its exact value through save and load.
  CHECK(make_method("AdamWithDecay", {{"decay_steps", 9007199254740992.0}})->hyperparameters()[0].second ==
        9007199254740992.0);
}

TEST_CASE("Crafted extreme states load and save back bit for bit", "[methods][checkpoint]") {
  Optimizer adam{Adam(0.01, 0.9, 0.99, 1e-8, true)};
  adam.add(Euclidean(3, 1), column({1.0, 2.0, 3.0}));
  const Mat m = column({largest, -smallest_subnormal, -largest}), v = column({largest, smallest_subnormal, 0.0}),
      v_max = column({largest, 1e-310, -0.0});
  const std::string adam_bytes = crafted_checkpoint("Adam", adam.method().hyperparameters(), 7,
                                                    {with_state(adam, {m, v, v_max})});
  CHECK(Optimizer::from_bytes(adam_bytes, "crafted").to_bytes() == adam_bytes);

  Optimizer bfgs{BFGS(0.5)};
  bfgs.add(Euclidean(2, 1), column({1.0, 2.0}));
  const Mat H{{1e300, 1e-10}, {1e-10, 1e-300}}, g = column({largest, -smallest_subnormal}), s = column({1e-320, -1e300});
  const std::string bfgs_bytes =
      crafted_checkpoint("BFGS", bfgs.method().hyperparameters(), max_checkpoint_step_count, {with_state(bfgs, {H, g, s})});
  CHECK(Optimizer::from_bytes(bfgs_bytes, "crafted").to_bytes() == bfgs_bytes);
}

TEST_CASE("Values just outside each range are refused by the constructor and by the loader", "[methods][errors]") {
  const real negative_subnormal = -smallest_subnormal, nan = arma::datum::nan, inf = arma::datum::inf;
  // Positive reals: lr (every method), eps, lr_start, lr_end.
  for (real bad : {0.0, -0.0, negative_subnormal, -1.0, inf, -inf, nan}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH(Gradient(bad), Catch::StartsWith("lr:"));
    CHECK_THROWS_WITH(Momentum(bad), Catch::StartsWith("lr:"));
    CHECK_THROWS_WITH(Adam(bad), Catch::StartsWith("lr:"));
    CHECK_THROWS_WITH(Adam(1e-3, 0.9, 0.99, bad), Catch::StartsWith("eps:"));
    CHECK_THROWS_WITH(AdamWithDecay(10, bad), Catch::StartsWith("lr_start:"));
    CHECK_THROWS_WITH(AdamWithDecay(10, 1e-2, bad), Catch::StartsWith("lr_end:"));
    CHECK_THROWS_WITH(BFGS(bad), Catch::StartsWith("lr:"));
    CHECK_THROWS_WITH(BFGS(1e-2, bad), Catch::StartsWith("eps:"));
    check_loader_refuses(Gradient(), "lr", bad);
    check_loader_refuses(Momentum(), "lr", bad);
    check_loader_refuses(Adam(), "eps", bad);
    check_loader_refuses(AdamWithDecay(), "lr_start", bad);
    check_loader_refuses(AdamWithDecay(), "lr_end", bad);
    check_loader_refuses(BFGS(), "lr", bad);
    check_loader_refuses(BFGS(), "eps", bad);
  }
  // [0, 1): alpha, beta1, beta2.
  for (real bad : {1.0, std::nextafter(1.0, 2.0), negative_subnormal, -1.0, inf, nan}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH(Momentum(1e-3, bad), Catch::StartsWith("alpha:"));
    CHECK_THROWS_WITH(Adam(1e-3, bad), Catch::StartsWith("beta1:"));
    CHECK_THROWS_WITH(Adam(1e-3, 0.9, bad), Catch::StartsWith("beta2:"));
    CHECK_THROWS_WITH(AdamWithDecay(10, 1e-2, 1e-6, bad), Catch::StartsWith("beta1:"));
    check_loader_refuses(Momentum(), "alpha", bad);
    check_loader_refuses(Adam(), "beta1", bad);
    check_loader_refuses(AdamWithDecay(), "beta2", bad);
  }
  // Counts: decay_steps in [1, 2^53], max_dimension in [1, 46340]; the loader also refuses
  // fractions, NaN and Inf. 2^53 + 1 is not a double: its neighbour 2^53 + 2 is refused.
  CHECK_THROWS_WITH(AdamWithDecay(0), Catch::StartsWith("decay_steps:"));
  CHECK_THROWS_WITH(AdamWithDecay(max_decay_steps + 1), Catch::StartsWith("decay_steps:"));
  CHECK_THROWS_WITH(AdamWithDecay(std::uint64_t(1e18)), Catch::StartsWith("decay_steps:"));
  CHECK_NOTHROW(AdamWithDecay(max_decay_steps));
  CHECK_THROWS_WITH(BFGS(1e-2, 1e-8, 0), Catch::StartsWith("max_dimension:"));
  CHECK_THROWS_WITH(BFGS(1e-2, 1e-8, max_bfgs_dimension + 1), Catch::StartsWith("max_dimension:"));
  CHECK_THROWS_WITH(BFGS(1e-2, 1e-8, 1000000000), Catch::StartsWith("max_dimension:"));
  CHECK_NOTHROW(BFGS(1e-2, 1e-8, max_bfgs_dimension));
  for (real bad : {0.0, 0.5, 1.5, 9007199254740994.0, 1e18, -1.0, inf, nan})
    check_loader_refuses(AdamWithDecay(), "decay_steps", bad);
  for (real bad : {0.0, 2.5, 46341.0, 1e9, inf, nan}) check_loader_refuses(BFGS(), "max_dimension", bad);
  // amsgrad is a bool: exactly 0 or 1.
  for (real bad : {0.5, 2.0, -1.0, nan}) {
    check_loader_refuses(Adam(), "amsgrad", bad);
    check_loader_refuses(AdamWithDecay(), "amsgrad", bad);
  }
  // Unknown and repeated keys.
  CHECK_THROWS_WITH(Optimizer::from_bytes(crafted_checkpoint("Adam", {{"lr", 0.1}, {"lr", 0.2}}), "crafted"),
                    Catch::Contains("lr: is given more than once"));
  CHECK_THROWS_WITH(Optimizer::from_bytes(crafted_checkpoint("BFGS", {{"beta1", 0.1}}), "crafted"),
                    Catch::Contains("beta1: is not a hyperparameter of BFGS"));
  // The edges themselves load.
  CHECK_NOTHROW(Optimizer::from_bytes(crafted_checkpoint("AdamWithDecay", {{"decay_steps", 9007199254740992.0}}), "x"));
  CHECK_NOTHROW(Optimizer::from_bytes(crafted_checkpoint("BFGS", {{"max_dimension", 46340.0}}), "x"));
  CHECK_NOTHROW(Optimizer::from_bytes(crafted_checkpoint("Adam", {{"beta1", below_one}, {"amsgrad", 1.0}}), "x"));
}

TEST_CASE("The loader refuses method states that break a step's invariants", "[methods][checkpoint][errors]") {
  Optimizer adam{Adam(0.01, 0.9, 0.99, 1e-8, true)};
  adam.add(Euclidean(3, 1), column({1.0, 2.0, 3.0}));
  const Mat zeros(3, 1, arma::fill::zeros), negative = column({0.0, -1e-300, 0.0});
  const auto load_adam = [&](std::vector<Mat> state) {
    return Optimizer::from_bytes(
        crafted_checkpoint("Adam", adam.method().hyperparameters(), 1, {with_state(adam, std::move(state))}), "crafted");
  };
  CHECK_THROWS_WITH(load_adam({zeros, negative, zeros}), Catch::Contains("state[1]: entry 1 of the second moment v"));
  CHECK_THROWS_WITH(load_adam({zeros, zeros, negative}), Catch::Contains("state[2]: entry 1 of the running maximum"));
  CHECK_THROWS_WITH(load_adam({zeros, column({arma::datum::inf, 0, 0}), zeros}), Catch::Contains("state[1]:"));
  CHECK_NOTHROW(load_adam({negative, zeros, zeros}));  // m may be negative

  Optimizer bfgs{BFGS(0.5)};
  bfgs.add(Euclidean(2, 1), column({1.0, 2.0}));
  const Mat g(2, 1, arma::fill::zeros);
  const auto load_bfgs = [&](const Mat& H) {
    return Optimizer::from_bytes(
        crafted_checkpoint("BFGS", bfgs.method().hyperparameters(), 1, {with_state(bfgs, {H, g, g})}), "crafted");
  };
  const std::string message = "state[0]: the inverse Hessian H must be symmetric positive definite";
  CHECK_THROWS_WITH(load_bfgs(Mat{{1, 0.5}, {std::nextafter(0.5, 1.0), 1}}), Catch::Contains(message));  // not symmetric
  CHECK_THROWS_WITH(load_bfgs(Mat{{1, 2}, {2, 1}}), Catch::Contains(message));              // eigenvalue −1
  CHECK_THROWS_WITH(load_bfgs(Mat{{0, 0}, {0, 1}}), Catch::Contains(message));              // singular
  CHECK_THROWS_WITH(load_bfgs(Mat{{-1, 0}, {0, -1}}), Catch::Contains(message));
  CHECK_NOTHROW(load_bfgs(Mat{{1e-300, 0}, {0, 1e300}}));
  // The same checks are the methods' own validate_state.
  CHECK_THROWS_AS(BFGS().validate_state({Mat{{1, 2}, {2, 1}}, g, g}, 2), InvalidArgument);
  CHECK_THROWS_AS(Adam().validate_state({zeros, negative}, 3), InvalidArgument);
}

TEST_CASE("An update that would overflow is refused naming the gradient and changes nothing", "[methods][errors]") {
  struct Case {
    std::shared_ptr<Method> method;
    real entry;  // a finite gradient entry that overflows the method's state or velocity
  };
  const std::vector<Case> cases{
      {std::make_shared<Adam>(1e-3), 1.4e155},             // v = 0.99v + 0.01·g·g = Inf (g ≳ 1.34e155)
      {std::make_shared<AdamWithDecay>(100, 1e-2, 1e-6), 1e200},
      {std::make_shared<Adam>(1e-3, 0.9, 0.99, 3e-7, true), 1e160},
      {std::make_shared<Momentum>(1e-3, 0.9), 1.5e308},    // m = 0.9·m + g = Inf at step 2
      {std::make_shared<Gradient>(10), 1e308},             // V = −lr·g = −Inf
      {std::make_shared<BFGS>(4), 1e308},                  // V = −lr·H g = −Inf
  };
  for (const Case& c : cases) {
    CAPTURE(c.method->description());
    Optimizer optimizer(*c.method);
    optimizer.add(Stiefel(4, 2), Stiefel(4, 2).random_point(1));
    optimizer.add(Euclidean(3, 1), column({1.0, 2.0, 3.0}));
    const std::vector<Mat> fine{Mat(4, 2, arma::fill::ones), column({0.1, 0.2, 0.3})};
    optimizer.step(fine);
    // A second step with the huge entry is needed for Momentum (m accumulates).
    const std::vector<Mat> huge{Mat(4, 2, arma::fill::ones), column({c.entry, 0.2, 0.3})};
    std::string before = optimizer.to_bytes();
    try {
      optimizer.step(huge);
      before = optimizer.to_bytes();  // Momentum: the first huge step fits
      optimizer.step(huge);
      FAIL("no error");
    } catch (const InvalidArgument& error) {
      CHECK(error.argument() == "gradients[1]");
      CHECK_THAT(error.what(), Catch::Contains("overflows"));
    }
    CHECK(optimizer.to_bytes() == before);  // nothing committed
    // What the optimizer holds still saves and loads.
    CHECK(Optimizer::from_bytes(optimizer.to_bytes(), "after").to_bytes() == optimizer.to_bytes());
  }
}
