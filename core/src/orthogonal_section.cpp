#include "orthogonal_section.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

#include "homopt/error.hpp"
#include "homopt/orthonormal_frames.hpp"
#include "homopt/validate.hpp"
#include "retraction_core.hpp"
#include "section_drift.hpp"

namespace homopt::detail {

OrthogonalSection::OrthogonalSection(Mat point, Mat complement, bool with_skew_block)
    : point_(std::move(point)), complement_(std::move(complement)), with_skew_block_(with_skew_block) {}

std::unique_ptr<OrthogonalSection> OrthogonalSection::complete(const Mat& point, bool with_skew_block) {
  const uword N = point.n_rows, n = point.n_cols;
  Mat q, r;
  if (!arma::qr(q, r, point)) throw InvalidArgument("point", "QR completion failed");
  Mat complement = (n < N) ? Mat(q.cols(n, N - 1)) : Mat(N, 0);
  return std::make_unique<OrthogonalSection>(point, std::move(complement), with_skew_block);
}

void OrthogonalSection::repair_drift(Mat& point, Mat& complement, real point_residual) {
  const uword N = point.n_rows, n = point.n_cols;
  const SectionDriftCheck check(N, n);
  if (point_residual <= OrthonormalFrames::reorthonormalize_threshold && !check.sampled(point)) return;
  SectionDrift drift = SectionDrift::measure(point, complement);
  real residual = drift.norm();
  if (residual > large_drift) {
    // Far from O(N) (never from rounding alone): Householder QR of λ with diag(R) > 0,
    // which still changes λ only by O(residual).
    section_drift_statistics().householder_repairs.fetch_add(1, std::memory_order_relaxed);
    Mat q, r;
    if (!arma::qr(q, r, arma::join_rows(point, complement)))
      throw InvalidArgument("velocity", "the QR repair of the section failed");
    for (uword j = 0; j < N; ++j)
      if (r(j, j) < 0) q.col(j) *= -1;
    point = q.cols(0, n - 1);
    complement = (n < N) ? Mat(q.cols(n, N - 1)) : Mat(N, 0);
    return;
  }
  // Each Newton–Schulz repair squares the residual: from rounding drift one suffices (the
  // second measure only confirms it); the loop matters for drift up to large_drift.
  for (int repair = 0; repair < 3 && residual > check.repair_threshold(); ++repair) {
    repair_section_drift(point, complement, drift);
    drift = SectionDrift::measure(point, complement);
    residual = drift.norm();
  }
}

Mat unpack_skew(const real* packed, uword n) {
  Mat skew(n, n, arma::fill::zeros);
  uword k = 0;
  for (uword j = 0; j < n; ++j)
    for (uword i = j + 1; i < n; ++i, ++k) {
      skew(i, j) = packed[k];
      skew(j, i) = -packed[k];
    }
  return skew;
}

void pack_strict_lower(const Mat& skew, real* packed) {
  const uword n = skew.n_rows;
  uword k = 0;
  for (uword j = 0; j < n; ++j)
    for (uword i = j + 1; i < n; ++i, ++k) packed[k] = skew(i, j);
}

Vec OrthogonalSection::lift(const Mat& G) const {
  const uword n = point_.n_cols;
  const uword skew_count = with_skew_block_ ? skew_coordinate_count(n) : 0;
  Vec coordinates(skew_count + complement_.n_cols * n, arma::fill::none);
  if (with_skew_block_) {
    const Mat YtG = point_.t() * G;
    pack_strict_lower(YtG - YtG.t(), coordinates.memptr());
  }
  if (complement_.n_cols > 0) {
    // B = ȲᵀG, written straight into the coordinate vector (column-major).
    Mat B(coordinates.memptr() + skew_count, complement_.n_cols, n, false, true);
    B = complement_.t() * G;
  }
  return coordinates;
}

std::unique_ptr<Section> OrthogonalSection::retracted(const Vec& velocity, Retraction retraction) const {
  const uword N = point_.n_rows, n = point_.n_cols, m = complement_.n_cols;
  const uword skew_count = with_skew_block_ ? skew_coordinate_count(n) : 0;
  const Mat half_A = with_skew_block_ ? Mat(0.5 * unpack_skew(velocity.memptr(), n)) : Mat(n, n, arma::fill::zeros);
  const Mat B(const_cast<real*>(velocity.memptr()) + skew_count, m, n, false, true);

  // X = WᵀU = [[A/2, I], [A²/4 − BᵀB, A/2]].
  Mat X(2 * n, 2 * n, arma::fill::none);
  X.submat(0, 0, n - 1, n - 1) = half_A;
  X.submat(0, n, n - 1, 2 * n - 1) = arma::eye(n, n);
  X.submat(n, 0, 2 * n - 1, n - 1) = -B.t() * B;
  if (with_skew_block_) X.submat(n, 0, 2 * n - 1, n - 1) += half_A * half_A;
  X.submat(n, n, 2 * n - 1, 2 * n - 1) = half_A;
  const Mat M = retraction_core(X, retraction);

  // λU = [Y A/2 + Ȳ B, Y];  P = (λU) M = [P₁, P₂].
  Mat lambda_U(N, 2 * n, arma::fill::none);
  // Grassmann (A ≡ 0) skips the products with A/2.
  if (with_skew_block_)
    lambda_U.cols(0, n - 1) = point_ * half_A;
  else
    lambda_U.cols(0, n - 1).zeros();
  if (m > 0) lambda_U.cols(0, n - 1) += complement_ * B;
  lambda_U.cols(n, 2 * n - 1) = point_;
  const Mat P = lambda_U * M;

  Mat new_point = point_ + P.cols(0, n - 1);
  if (with_skew_block_) new_point += P.cols(n, 2 * n - 1) * half_A;
  // Ȳ − P₂Bᵀ as one gemm with β = 1 into a copy of Ȳ: no N×(N−n) temporary (at N = 4096,
  // n = 64 that temporary cost 132 MB of fresh pages per step).
  Mat new_complement = complement_;
  if (m > 0) new_complement -= P.cols(n, 2 * n - 1) * B.t();
  // |(Ȳ − P₂Bᵀ)ᵢⱼ| ≤ |Ȳᵢⱼ| + n·max|P₂|·max|B| with |Ȳᵢⱼ| ≤ 1 (orthonormal columns): when P and
  // B are finite and that bound is moderate, Ȳ is finite without an O(N²) scan of it.
  const bool complement_finite =
      m == 0 || (P.is_finite() && B.is_finite() && real(n) * arma::abs(P).max() * arma::abs(B).max() <= 1e300) ||
      new_complement.is_finite();
  if (!new_point.is_finite() || !complement_finite)
    throw InvalidArgument("velocity", "retraction produced NaN/Inf (velocity too large?)");

  const real drift = arma::norm(new_point.t() * new_point - arma::eye(n, n), "fro");
  // NaN-safe (a NaN drift fails every comparison): only a drift ≤ the manifold's tolerance
  // is rounding that a repair may remove; anything larger (or NaN/Inf, e.g. YᵀY overflowing
  // for a huge step) means the retraction itself failed, and nothing is committed.
  if (!(drift <= OrthonormalFrames::residual_tolerance)) {
    std::ostringstream message;
    message << "the step left the manifold numerically (‖YᵀY − I‖_F = " << drift
            << "): the velocity is too large; reduce the learning rate";
    throw InvalidArgument("velocity", message.str());
  }
  repair_drift(new_point, new_complement, drift);
  return std::make_unique<OrthogonalSection>(std::move(new_point), std::move(new_complement),
                                             with_skew_block_);
}


void require_frame_sizes(uword N, uword n) {
  if (n < 1) throw InvalidArgument("n", "must be at least 1");
  if (n > N) {
    std::ostringstream message;
    message << "must not exceed N (got n = " << n << ", N = " << N << ")";
    throw InvalidArgument("n", message.str());
  }
}

real orthonormality_residual(const Mat& point, uword N, uword n, const char* argument) {
  require_shape(point, N, n, argument);
  require_finite(point, argument);
  return arma::norm(point.t() * point - arma::eye(n, n), "fro");
}

std::unique_ptr<Section> orthonormal_section(const Mat& point, uword N, uword n, real tolerance,
                                             bool with_skew_block, const char* argument) {
  const real residual = orthonormality_residual(point, N, n, argument);
  if (!(residual <= tolerance)) {  // NaN-safe: YᵀY of a huge finite point can be NaN
    std::ostringstream message;
    message << "not on the manifold: ‖YᵀY − I‖_F = " << residual << " exceeds the tolerance "
            << tolerance << " (orthonormalize it first, e.g. by QR)";
    throw InvalidArgument(argument, message.str());
  }
  return OrthogonalSection::complete(point, with_skew_block);
}

real orthogonal_section_state_tolerance(uword N, real tolerance) {
  return std::max(tolerance, 100 * std::numeric_limits<real>::epsilon() * static_cast<real>(N));
}

std::unique_ptr<Section> orthonormal_section_from_state(const std::vector<Mat>& state, uword N,
                                                        uword n, real tolerance,
                                                        bool with_skew_block) {
  if (state.size() != 2) throw InvalidArgument("state", "expected 2 matrices {Y, Ybar}");
  const Mat& Y = state[0];
  const Mat& Ybar = state[1];
  const real point_residual = orthonormality_residual(Y, N, n, "state[0]");
  if (!(point_residual <= tolerance)) throw InvalidArgument("state[0]", "point is not orthonormal");
  require_shape(Ybar, N, N - n, "state[1]");
  require_finite(Ybar, "state[1]");
  // ‖λᵀλ − I‖_F for λ = [Y, Ȳ] (SectionDrift): every later lift (B = ȲᵀG) and section
  // update assumes it small. Cost ≈ N³ flops (the Gram blocks), paid once per load.
  const real section_residual = SectionDrift::measure(Y, Ybar).norm();
  const real section_tolerance = orthogonal_section_state_tolerance(N, tolerance);
  if (!(section_residual <= section_tolerance)) {
    std::ostringstream message;
    message << "not an orthonormal completion of state[0]: ‖λᵀλ − I‖_F = " << section_residual
            << " exceeds " << section_tolerance;
    throw InvalidArgument("state[1]", message.str());
  }
  return std::make_unique<OrthogonalSection>(Y, Ybar, with_skew_block);
}

void require_coordinate_count(const Vec& coordinates, uword dimension) {
  if (coordinates.n_elem != dimension) {
    std::ostringstream message;
    message << "expected " << dimension << " coordinates, got " << coordinates.n_elem;
    throw InvalidArgument("coordinates", message.str());
  }
}

}  // namespace homopt::detail
