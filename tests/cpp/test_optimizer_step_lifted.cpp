// Optimizer::step_lifted: a step from coordinates already lifted (what Solver::tell does to
// avoid lifting each gradient twice) is bit for bit the step from the gradients.
#include <catch2/catch.hpp>

#include <limits>

#include "homopt/homopt.hpp"

using namespace homopt;

TEST_CASE("optimizer: step_lifted(lifted_gradients(G)) is exactly step(G)", "[optimizer]") {
  Stiefel stiefel(49, 7);  // small-size kernels
  Grassmann grassmann(80, 5);  // BLAS
  Euclidean euclidean(3, 2);
  Optimizer by_gradient(Adam(0.05));
  by_gradient.add(stiefel, stiefel.random_point(1));
  by_gradient.add(grassmann, grassmann.random_point(2));
  by_gradient.add(euclidean, euclidean.random_point(3));
  Optimizer by_coordinates = by_gradient;
  for (std::uint64_t step = 0; step < 5; ++step) {
    const std::vector<Mat> gradients = {standard_normal_matrix(49, 7, 10 + step),
                                        standard_normal_matrix(80, 5, 20 + step),
                                        standard_normal_matrix(3, 2, 30 + step)};
    by_gradient.step(gradients);
    by_coordinates.step_lifted(by_coordinates.lifted_gradients(gradients));
  }
  CHECK(by_coordinates.step_count() == 5);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(arma::approx_equal(by_coordinates.value(i), by_gradient.value(i), "absdiff", 0.0));
    for (std::size_t k = 0; k < by_gradient.method_state(i).size(); ++k)
      CHECK(arma::approx_equal(by_coordinates.method_state(i)[k], by_gradient.method_state(i)[k], "absdiff", 0.0));
  }
}

TEST_CASE("optimizer: step_lifted refuses a wrong count, length or NaN naming the argument, changing nothing",
          "[optimizer]") {
  Stiefel stiefel(6, 2);
  Optimizer optimizer(Adam{});
  optimizer.add(stiefel, stiefel.random_point(1));
  const Mat before = optimizer.value(0);
  const auto names = [&](const std::vector<Vec>& coordinates, const std::string& argument) {
    try {
      optimizer.step_lifted(coordinates);
      FAIL("no exception");
    } catch (const InvalidArgument& error) {
      CHECK(error.argument() == argument);
    }
    CHECK(optimizer.step_count() == 0);
    CHECK(arma::approx_equal(optimizer.value(0), before, "absdiff", 0.0));
  };
  names({}, "coordinates");
  names({Vec(stiefel.dimension() + 1, arma::fill::zeros)}, "coordinates[0]");
  Vec with_nan(stiefel.dimension(), arma::fill::zeros);
  with_nan(2) = std::numeric_limits<real>::quiet_NaN();
  names({with_nan}, "coordinates[0]");
}
