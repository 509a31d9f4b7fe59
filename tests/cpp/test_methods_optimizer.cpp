// Optimizer methods (exact update formulas) and the Optimizer's contract: one global step
// counter, all-or-nothing steps, validation, and the shared reference trajectory.
#include <fstream>
#include <sstream>

#include "reference_problem.hpp"
#include "test_helpers.hpp"

using namespace homopt;

TEST_CASE("Euclidean parameter with Adam is textbook bias-corrected Adam to 1e-15", "[optimizer][adam]") {
  // f(x) = ½ xᵀQx − bᵀx on ℝ^{5×1}.
  const Mat C = standard_normal_matrix(5, 5, 41);
  const Mat Q = C * C.t() + arma::eye(5, 5);
  const Mat b = standard_normal_matrix(5, 1, 42);
  const real lr = 0.01, beta1 = 0.9, beta2 = 0.99, eps = 3e-7;
  Optimizer optimizer(Adam(lr, beta1, beta2, eps));
  Mat x = standard_normal_matrix(5, 1, 43);
  optimizer.add(Euclidean(5, 1), x);
  Mat m(5, 1, arma::fill::zeros), v(5, 1, arma::fill::zeros);
  for (int t = 1; t <= 200; ++t) {
    const Mat g = Q * x - b;
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * (g % g);
    const Mat m_hat = m / (1 - std::pow(beta1, t)), v_hat = v / (1 - std::pow(beta2, t));
    x -= lr * m_hat / (arma::sqrt(v_hat) + eps);
    optimizer.step({Q * optimizer.value(0) - b});
    REQUIRE(arma::abs(optimizer.value(0) - x).max() <= 1e-15);
  }
  CHECK(optimizer.step_count() == 200);
}

TEST_CASE("Gradient, Momentum, AMSGrad, AdamWithDecay and BFGS follow their documented formulas", "[methods]") {
  const Vec g1{1.0, -2.0, 0.5}, g2{0.5, 1.0, -0.25};
  SECTION("Gradient: V = −lr·g") {
    MethodState state = Gradient(0.1).initial_state(3);
    CHECK(arma::norm(Gradient(0.1).velocity(g1, state, 1) + 0.1 * g1) == 0.0);
  }
  SECTION("Momentum: m ← αm + g; V = −lr·m") {
    const Momentum method(0.1, 0.5);
    MethodState state = method.initial_state(3);
    method.velocity(g1, state, 1);
    const Vec v = method.velocity(g2, state, 2);
    CHECK(arma::norm(v + 0.1 * (0.5 * g1 + g2)) < 1e-16);
  }
  SECTION("AMSGrad keeps the running maximum of v") {
    const Adam method(0.1, 0.9, 0.99, 1e-8, true);
    MethodState state = method.initial_state(3);
    REQUIRE(state.size() == 3);
    method.velocity(Vec{10, 10, 10}, state, 1);
    const Vec v = method.velocity(Vec{0.1, 0.1, 0.1}, state, 2);
    const real m = 0.9 * 0.1 * 10 + 0.1 * 0.1;
    const real v_max = 0.01 * 100;  // after step 1: (1 − β₂)·100, larger than step 2's v
    const real expected = -0.1 * (m / (1 - 0.81)) / (std::sqrt(v_max / (1 - 0.99 * 0.99)) + 1e-8);
    CHECK(std::abs(v(0) - expected) < 1e-15);
  }
  SECTION("AdamWithDecay: lr(t) decays exponentially and then stays at lr_end") {
    const AdamWithDecay method(11, 1e-2, 1e-6);
    CHECK(method.learning_rate(1) == Approx(1e-2).epsilon(1e-15));
    CHECK(method.learning_rate(6) == Approx(1e-4).epsilon(1e-12));
    CHECK(method.learning_rate(11) == Approx(1e-6).epsilon(1e-12));
    CHECK(method.learning_rate(500) == Approx(1e-6).epsilon(1e-12));
    // Equals Adam with lr(t) at every step.
    MethodState a = method.initial_state(3), b = method.adam().initial_state(3);
    for (std::uint64_t t = 1; t <= 4; ++t) {
      const Vec va = method.velocity(t % 2 ? g1 : g2, a, t);
      const Vec vb = method.adam().velocity_with_rate(method.learning_rate(t), t % 2 ? g1 : g2, b, t);
      CHECK(arma::norm(va - vb) == 0.0);
    }
  }
  SECTION("BFGS: after an update the inverse Hessian satisfies the secant equation H y = s") {
    const BFGS method(0.5);
    MethodState state = method.initial_state(3);
    const Vec v1 = method.velocity(g1, state, 1);
    CHECK(arma::norm(v1 + 0.5 * g1) == 0.0);  // H₀ = I
    const Vec g2_convex = g1 + Vec{-0.3, 0.2, -0.1};  // sᵀy > 0 with s = −0.5 g1
    method.velocity(g2_convex, state, 2);
    const Vec s = v1, y = g2_convex - g1;
    REQUIRE(arma::dot(s, y) > 0);
    CHECK(arma::norm(state[0] * y - s) < 1e-14);
    CHECK(arma::norm(state[0] - state[0].t(), "fro") < 1e-15);
  }
}

TEST_CASE("Invalid hyperparameters are refused with the parameter's name", "[methods][errors]") {
  CHECK_THROWS_WITH(Gradient(0), Catch::Contains("lr: must be a finite number > 0"));
  CHECK_THROWS_WITH(Gradient(-1), Catch::Contains("lr:"));
  CHECK_THROWS_WITH(Gradient(arma::datum::nan), Catch::Contains("lr:"));
  CHECK_THROWS_WITH(Momentum(1e-3, 1.0), Catch::Contains("alpha: must lie in [0, 1)"));
  CHECK_THROWS_WITH(Adam(1e-3, 1.0), Catch::Contains("beta1:"));
  CHECK_THROWS_WITH(Adam(1e-3, 0.9, -0.1), Catch::Contains("beta2:"));
  CHECK_THROWS_WITH(Adam(1e-3, 0.9, 0.99, 0), Catch::Contains("eps:"));
  CHECK_THROWS_WITH(AdamWithDecay(0), Catch::Contains("decay_steps:"));
  CHECK_THROWS_WITH(AdamWithDecay(10, -1), Catch::Contains("lr_start:"));
  CHECK_THROWS_WITH(AdamWithDecay(10, 1e-2, 0), Catch::Contains("lr_end:"));
  CHECK_THROWS_WITH(BFGS(1e-2, 0), Catch::Contains("eps:"));
  CHECK_THROWS_WITH(make_method("Adagrad", {}), Catch::Contains("unknown method"));
  CHECK_THROWS_WITH(make_method("Adam", {{"momentum", 0.9}}), Catch::Contains("momentum: is not a hyperparameter of Adam"));
  CHECK(make_method("Adam", {})->description() == "Adam(lr=0.001, beta1=0.9, beta2=0.99, eps=3e-07, amsgrad=0)");
  CHECK(make_method("AdamWithDecay", {{"decay_steps", 5}})->hyperparameters()[0].second == 5);
}

TEST_CASE("BFGS refuses parameters beyond its memory cap", "[methods][errors]") {
  Optimizer optimizer(BFGS(1e-2, 1e-8, 100));
  CHECK_NOTHROW(optimizer.add(Stiefel(20, 5), Stiefel(20, 5).random_point(1)));  // dimension 85
  CHECK_THROWS_WITH(optimizer.add(Stiefel(49, 7), Stiefel(49, 7).random_point(1)),
                    Catch::Contains("manifold: BFGS keeps a dense 315x315 inverse Hessian"));
  CHECK(optimizer.size() == 1);
}

TEST_CASE("A failed step leaves the optimizer bit-identical", "[optimizer][errors]") {
  Optimizer optimizer(Adam(0.01));
  optimizer.add(Stiefel(6, 2), Stiefel(6, 2).random_point(1));
  optimizer.add(Grassmann(5, 2), Grassmann(5, 2).random_point(2));
  optimizer.add(Euclidean(3, 3), Euclidean(3, 3).random_point(3));
  std::vector<Mat> gradients{standard_normal_matrix(6, 2, 4), standard_normal_matrix(5, 2, 5),
                             standard_normal_matrix(3, 3, 6)};
  optimizer.step(gradients);
  const std::string before = optimizer.to_bytes();

  CHECK_THROWS_WITH(optimizer.step({gradients[0], gradients[1]}),
                    Catch::Contains("gradients: expected 3 gradients (one per parameter), got 2"));
  auto bad = gradients;
  bad[2](1, 1) = arma::datum::nan;
  CHECK_THROWS_WITH(optimizer.step(bad), Catch::Contains("gradients[2]: entry (1, 1)"));
  bad = gradients;
  bad[1] = Mat(2, 5, arma::fill::ones);
  CHECK_THROWS_WITH(optimizer.step(bad), Catch::Contains("gradients[1]: expected a 5x2 matrix, got 2x5"));
  bad = gradients;
  bad[0](0, 0) = -arma::datum::inf;
  CHECK_THROWS_AS(optimizer.step(bad), InvalidArgument);
  CHECK(optimizer.to_bytes() == before);
  CHECK(optimizer.step_count() == 1);

  CHECK_THROWS_AS(optimizer.value(3), IndexOutOfRange);
  CHECK_THROWS_WITH(optimizer.value(3), Catch::Contains("parameter index 3 out of range"));
  CHECK_THROWS_WITH(optimizer.add(Stiefel(6, 2), Mat(6, 2, arma::fill::ones)),
                    Catch::Contains("initial_point: not on the manifold"));
  CHECK_THROWS_WITH(optimizer.add(Stiefel(6, 2), Mat(2, 6, arma::fill::zeros)),
                    Catch::Contains("initial_point: expected a 6x2 matrix"));
  CHECK(optimizer.size() == 3);
}

TEST_CASE("One global step counter: a parameter added later shares t", "[optimizer]") {
  // Adam's bias correction uses the optimizer's t, so a parameter added at t = 3 sees
  // 1 − β₁⁴ in its first step (documented in optimizer.hpp).
  Optimizer optimizer(Adam(0.1, 0.9, 0.99, 1e-8));
  optimizer.add(Euclidean(1, 1), Mat{0.0});
  for (int k = 0; k < 3; ++k) optimizer.step({Mat{1.0}});
  optimizer.add(Euclidean(1, 1), Mat{0.0});
  optimizer.step({Mat{1.0}, Mat{1.0}});
  const real m_hat = 0.1 / (1 - std::pow(0.9, 4)), v_hat = 0.01 / (1 - std::pow(0.99, 4));
  CHECK(optimizer.value(1)(0, 0) == Approx(-0.1 * m_hat / (std::sqrt(v_hat) + 1e-8)).epsilon(1e-15));
}

TEST_CASE("Reference trajectory file is reproduced to 1e-12", "[optimizer][reference]") {
  std::ifstream in(std::string(HOMOPT_TEST_DATA_DIR) + "/reference_trajectory.txt");
  REQUIRE(in.good());
  const std::vector<Mat> iterates = reference::trajectory();
  std::string line;
  int compared = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    uword rows, cols;
    fields >> name >> rows >> cols;
    Mat value(rows, cols);
    for (uword k = 0; k < value.n_elem; ++k) fields >> value[k];
    if (name == "B") CHECK(arma::abs(value - reference::brockett_B()).max() <= 1e-15);
    if (name[0] == 'Y') {
      const int t = std::stoi(name.substr(1));
      CHECK(arma::abs(value - iterates.at(t)).max() <= 1e-12);
      ++compared;
    }
  }
  CHECK(compared == reference::steps + 1);
}
