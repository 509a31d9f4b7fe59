#include "homopt/random.hpp"

#include <cmath>
#include <random>

#include "homopt/error.hpp"
#include "homopt/validate.hpp"

namespace homopt {

namespace {
/// Uniform in (0, 1]: 53 random bits, never 0 (so log is finite).
real uniform_open_closed(std::mt19937_64& engine) {
  return (static_cast<real>(engine() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}
}  // namespace

Mat standard_normal_matrix(uword rows, uword cols, std::uint64_t seed) {
  require_matrix_size(rows, cols, "rows", "cols", "the result (rows x cols)");
  std::mt19937_64 engine(seed);
  Mat result(rows, cols);
  real* data = result.memptr();
  const real two_pi = 6.283185307179586476925286766559;
  for (uword k = 0; k < result.n_elem; k += 2) {
    const real radius = std::sqrt(-2.0 * std::log(uniform_open_closed(engine)));
    const real angle = two_pi * uniform_open_closed(engine);
    data[k] = radius * std::cos(angle);
    if (k + 1 < result.n_elem) data[k + 1] = radius * std::sin(angle);
  }
  return result;
}

std::uint64_t derived_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Mat orthonormal_factor(const Mat& matrix, const char* argument) {
  require_finite(matrix, argument);  // a NaN would pass the rank test below unnoticed
  Mat q, r;
  if (!arma::qr_econ(q, r, matrix)) throw InvalidArgument(argument, "QR decomposition failed");
  const real scale = std::max<real>(1, arma::abs(r.diag()).max());
  for (uword j = 0; j < r.n_cols; ++j) {
    if (std::abs(r(j, j)) <= 1e-12 * scale)
      throw InvalidArgument(argument, "matrix is (numerically) rank deficient");
    if (r(j, j) < 0) q.col(j) *= -1;
  }
  return q;
}

}  // namespace homopt
