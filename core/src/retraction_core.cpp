#include "retraction_core.hpp"

#include "homopt/error.hpp"

namespace homopt::detail {

Mat retraction_core(const Mat& X, Retraction retraction) {
  const uword m = X.n_rows;
  if (!X.is_finite())
    throw InvalidArgument("velocity", "too large: X = WᵀU of the retraction overflows to NaN/Inf");
  if (retraction == Retraction::cayley) {
    Mat system = arma::eye(m, m) - 0.5 * X;
    Mat result;
    // LU without the rcond estimate (it cost a quarter of a small step); failure and
    // non-finite results are still detected (here and after the update).
    if (!arma::solve(result, system, arma::eye(m, m), arma::solve_opts::fast) || !result.is_finite())
      throw InvalidArgument("velocity", "Cayley retraction is singular (I − X/2 not invertible)");
    return result;
  }
  // φ(X) is the top-right block of exp([[X, I], [0, 0]]) (scaling and squaring, Padé).
  Mat augmented(2 * m, 2 * m, arma::fill::zeros);
  augmented.submat(0, 0, m - 1, m - 1) = X;
  augmented.submat(0, m, m - 1, 2 * m - 1) = arma::eye(m, m);
  // The status-returning expmat: a failure (e.g. a huge step) is the caller's velocity's
  // fault, not an internal error.
  Mat exponential;
  if (!arma::expmat(exponential, augmented) || !exponential.is_finite())
    throw InvalidArgument("velocity", "geodesic retraction failed: exp(V) is not computable (velocity too large?)");
  return exponential.submat(0, m, m - 1, 2 * m - 1);
}

}  // namespace homopt::detail
