// The vectorizable exp and tanh of the transformer against libm.
#include <catch2/catch.hpp>

#include <cmath>

#include "fast_math.hpp"

using homopt::real;
using homopt::nn::detail::vector_exp;
using homopt::nn::detail::vector_tanh;

TEST_CASE("vector_exp and vector_tanh agree with libm", "[nn][fast_math]") {
  real worst_exp = 0, worst_tanh = 0;
  for (int k = -2000000; k <= 2000000; ++k) {
    const real x = k * 3.5e-4;  // [-700, 700]
    worst_exp = std::max(worst_exp, std::abs(vector_exp(x) - std::exp(x)) / std::exp(x));
    const real t = k * 1.7e-5;  // [-34, 34]
    if (t != 0) worst_tanh = std::max(worst_tanh, std::abs(vector_tanh(t) - std::tanh(t)) / std::abs(std::tanh(t)));
  }
  for (real t : {1e-300, 1e-20, 1e-8, 0.0624999, 0.0625, 0.0625001}) {
    worst_tanh = std::max(worst_tanh, std::abs(vector_tanh(t) - std::tanh(t)) / std::tanh(t));
    worst_tanh = std::max(worst_tanh, std::abs(vector_tanh(-t) + std::tanh(t)) / std::tanh(t));
  }
  INFO("exp " << worst_exp << ", tanh " << worst_tanh);
  CHECK(worst_exp < 1e-15);
  CHECK(worst_tanh < 4e-15);
  CHECK(vector_tanh(0.0) == 0.0);
  CHECK(vector_tanh(50.0) == 1.0);
  CHECK(vector_tanh(-50.0) == -1.0);
  CHECK(vector_exp(0.0) == 1.0);
  CHECK(vector_exp(-1000.0) == 0.0);
  CHECK(vector_exp(-708.0) == Approx(std::exp(-708.0)).epsilon(1e-15));
}
