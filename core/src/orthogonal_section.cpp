#include "orthogonal_section.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "homopt/error.hpp"
#include "homopt/orthonormal_frames.hpp"
#include "homopt/random.hpp"
#include "homopt/validate.hpp"
#include "retraction_core.hpp"
#include "section_drift.hpp"
#include "small_kernels.hpp"

namespace homopt::detail {

OrthogonalSection::OrthogonalSection(Mat point, Mat complement, bool with_skew_block)
    : point_(std::move(point)), complement_(std::move(complement)), with_skew_block_(with_skew_block) {}

OrthogonalSection::OrthogonalSection(const OrthogonalSection& other)
    : Section(other), point_(other.point_), complement_(other.complement_),
      with_skew_block_(other.with_skew_block_) {}

std::unique_ptr<OrthogonalSection> OrthogonalSection::complete(const Mat& point, bool with_skew_block) {
  const uword N = point.n_rows, n = point.n_cols;
  Mat q, r;
  if (!arma::qr(q, r, point)) throw InvalidArgument("point", "QR completion failed");
  Mat complement = (n < N) ? Mat(q.cols(n, N - 1)) : Mat(N, 0);
  return std::make_unique<OrthogonalSection>(point, std::move(complement), with_skew_block);
}

bool OrthogonalSection::drift_check_due(const Mat& point, real point_residual) {
  return point_residual > OrthonormalFrames::reorthonormalize_threshold ||
         SectionDriftCheck(point.n_rows, point.n_cols).sampled(point);
}

void OrthogonalSection::repair_drift(Mat& point, Mat& complement) {
  const uword N = point.n_rows, n = point.n_cols;
  const SectionDriftCheck check(N, n);
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
  Vec coordinates;
  lift_into(G, coordinates);
  return coordinates;
}

void OrthogonalSection::lift_into(const Mat& G, Vec& coordinates) const {
  const uword N = point_.n_rows, n = point_.n_cols, m = complement_.n_cols;
  const uword skew_count = with_skew_block_ ? skew_coordinate_count(n) : 0;
  coordinates.set_size(skew_count + m * n);
  real* packed = coordinates.memptr();
  if (uses_small_kernels(N, n)) {
    if (with_skew_block_) {
      real YtG[small_step_max_cols * small_step_max_cols];
      small::gemm_tn(N, n, n, 1, point_.memptr(), G.memptr(), 0, YtG);
      for (uword j = 0, k = 0; j < n; ++j)
        for (uword i = j + 1; i < n; ++i, ++k) packed[k] = YtG[i + j * n] - YtG[j + i * n];
    }
    // B = ȲᵀG straight into the coordinates (column-major).
    if (m > 0) small::gemm_tn(N, m, n, 1, complement_.memptr(), G.memptr(), 0, packed + skew_count);
    return;
  }
  if (with_skew_block_) {
    const Mat YtG = point_.t() * G;
    pack_strict_lower(YtG - YtG.t(), packed);
  }
  if (m > 0) {
    Mat B(packed + skew_count, m, n, false, true);
    B = complement_.t() * G;
  }
}

std::unique_ptr<Section> OrthogonalSection::retracted(const Vec& velocity, Retraction retraction) const {
  auto next = std::make_unique<OrthogonalSection>(*this);
  next->prepare_retraction(velocity, retraction);
  next->commit_retraction();
  return next;
}

void OrthogonalSection::prepare_core(Retraction retraction) {
  Workspace& w = workspace_;
  const uword n = point_.n_cols, m = complement_.n_cols, s = 2 * n;
  const real* H = w.half_A.memptr();
  // The lower-left block H² − BᵀB, formed in M's memory (free until M is formed).
  w.M.set_size(s, s);
  Mat lower_left(w.M.memptr(), n, n, false, true);
  if (uses_small_kernels(point_.n_rows, n)) {
    small::gemm_tn(m, n, n, -1, w.B.memptr(), w.B.memptr(), 0, lower_left.memptr());
    if (with_skew_block_) small::gemm_nn(n, n, n, 1, H, H, 1, lower_left.memptr());
  } else {
    lower_left = -w.B.t() * w.B;
    if (with_skew_block_) lower_left += w.half_A * w.half_A;
  }
  w.X.set_size(s, s);
  w.X.submat(0, 0, n - 1, n - 1) = w.half_A;
  w.X.submat(0, n, n - 1, s - 1) = arma::eye(n, n);
  w.X.submat(n, 0, s - 1, n - 1) = lower_left;
  w.X.submat(n, n, s - 1, s - 1) = w.half_A;
  if (retraction != Retraction::cayley || !uses_small_kernels(point_.n_rows, n)) {
    w.M = retraction_core(w.X, retraction);
    return;
  }
  // Cayley at small sizes: M = (I − X/2)⁻¹ inverted in place, no LAPACK call.
  if (!w.X.is_finite())
    throw InvalidArgument("velocity", "too large: X = WᵀU of the retraction overflows to NaN/Inf");
  real* S = w.M.memptr();
  const real* X = w.X.memptr();
  for (uword k = 0; k < s * s; ++k) S[k] = -0.5 * X[k];
  for (uword k = 0; k < s; ++k) S[k + k * s] += 1;
  real work[8 * small_step_max_cols * small_step_max_cols];  // 2·s² for s = 2n ≤ 32
  if (!small::invert_in_place(S, s, work))
    throw InvalidArgument("velocity", "Cayley retraction is singular (I − X/2 not invertible)");
}

void OrthogonalSection::prepare_new_point() {
  Workspace& w = workspace_;
  const uword N = point_.n_rows, n = point_.n_cols, m = complement_.n_cols;
  w.lambda_U.set_size(N, 2 * n);
  w.P.set_size(N, 2 * n);
  w.new_point.set_size(N, n);
  Mat Q(w.lambda_U.memptr(), N, n, false, true);  // YH + ȲB
  const Mat P1(w.P.memptr(), N, n, false, true), P2(w.P.colptr(n), N, n, false, true);
  std::copy(point_.begin(), point_.end(), w.lambda_U.colptr(n));
  if (uses_small_kernels(N, n)) {
    if (with_skew_block_)
      small::gemm_nn(N, n, n, 1, point_.memptr(), w.half_A.memptr(), 0, Q.memptr());
    else
      Q.zeros();
    if (m > 0) small::gemm_nn(N, m, n, 1, complement_.memptr(), w.B.memptr(), 1, Q.memptr());
    small::gemm_nn(N, 2 * n, 2 * n, 1, w.lambda_U.memptr(), w.M.memptr(), 0, w.P.memptr());
    w.new_point = point_ + P1;
    if (with_skew_block_) small::gemm_nn(N, n, n, 1, P2.memptr(), w.half_A.memptr(), 1, w.new_point.memptr());
    return;
  }
  // Grassmann (A ≡ 0) skips the products with H.
  if (with_skew_block_)
    Q = point_ * w.half_A;
  else
    Q.zeros();
  if (m > 0) Q += complement_ * w.B;
  w.P = w.lambda_U * w.M;
  w.new_point = point_ + P1;
  if (with_skew_block_) w.new_point += P2 * w.half_A;
}

void OrthogonalSection::subtract_rank_update(Mat& complement) const {
  const Workspace& w = workspace_;
  const uword N = point_.n_rows, n = point_.n_cols, m = complement.n_cols;
  if (m == 0) return;
  if (uses_small_kernels(N, n)) {
    small::gemm_nt(N, n, m, -1, w.P.colptr(n), w.B.memptr(), 1, complement.memptr());
    return;
  }
  // One gemm with β = 1 on Ȳ itself: no N×(N−n) temporary.
  const Mat P2(const_cast<real*>(w.P.colptr(n)), N, n, false, true);
  complement -= P2 * w.B.t();
}

namespace {

/// max |aᵢⱼ| (0 for an empty matrix), or +Inf if an entry is NaN or ±Inf.
real max_abs(const Mat& a) { return small::max_abs_or_infinity(a.n_elem, a.memptr()); }

/// ‖YᵀY − I‖_F of an N×n point; the Gram matrix by small::gemm_tn at small sizes.
real point_residual(const Mat& point) {
  const uword N = point.n_rows, n = point.n_cols;
  if (!OrthogonalSection::uses_small_kernels(N, n)) return arma::norm(point.t() * point - arma::eye(n, n), "fro");
  constexpr uword max_cols = OrthogonalSection::small_step_max_cols;
  real gram[max_cols * max_cols];
  small::gemm_tn(N, n, n, 1, point.memptr(), point.memptr(), 0, gram);
  real sum = 0;
  for (uword j = 0; j < n; ++j)
    for (uword i = 0; i < n; ++i) {
      const real entry = gram[i + j * n] - (i == j ? 1 : 0);
      sum += entry * entry;
    }
  return std::sqrt(sum);
}

}  // namespace

bool OrthogonalSection::prepare_retraction(const Vec& velocity, Retraction retraction) {
  Workspace& w = workspace_;
  w.pending = false;
  const uword n = point_.n_cols, m = complement_.n_cols;
  const uword skew_count = with_skew_block_ ? skew_coordinate_count(n) : 0;
  w.half_A.set_size(n, n);
  if (with_skew_block_) {
    for (uword j = 0, k = 0; j < n; ++j) {
      w.half_A(j, j) = 0;
      for (uword i = j + 1; i < n; ++i, ++k) {
        w.half_A(i, j) = 0.5 * velocity[k];
        w.half_A(j, i) = -0.5 * velocity[k];
      }
    }
  } else {
    w.half_A.zeros();
  }
  w.B.set_size(m, n);
  std::copy(velocity.begin() + skew_count, velocity.end(), w.B.begin());
  prepare_core(retraction);
  prepare_new_point();

  // |(Ȳ − P₂Bᵀ)ᵢⱼ| ≤ |Ȳᵢⱼ| + n·max|P₂|·max|B| with |Ȳᵢⱼ| ≤ 1 (orthonormal columns): when P and
  // B are finite and that bound is moderate, Ȳ' is finite without an O(N²) scan of it.
  // (NaN-safe: a NaN/Inf entry of P or B makes the product +Inf or NaN, failing the test.)
  const bool complement_bounded = m == 0 || real(n) * max_abs(w.P) * max_abs(w.B) <= 1e300;
  if (!(max_abs(w.new_point) < std::numeric_limits<real>::infinity()))
    throw InvalidArgument("velocity", "retraction produced NaN/Inf (velocity too large?)");
  const real drift = point_residual(w.new_point);
  // NaN-safe (a NaN drift fails every comparison): only a drift ≤ the manifold's tolerance
  // is rounding that a repair may remove; anything larger (or NaN/Inf, e.g. YᵀY overflowing
  // for a huge step) means the retraction itself failed, and nothing is committed.
  if (!(drift <= OrthonormalFrames::residual_tolerance)) {
    std::ostringstream message;
    message << "the step left the manifold numerically (‖YᵀY − I‖_F = " << drift
            << "): the velocity is too large; reduce the learning rate";
    throw InvalidArgument("velocity", message.str());
  }
  const bool check_drift = drift_check_due(w.new_point, drift);
  w.complement_formed = check_drift || !complement_bounded;
  if (w.complement_formed) {
    // Ȳ' in the second buffer (same size every step: its memory is reused).
    w.new_complement = complement_;
    subtract_rank_update(w.new_complement);
    if (!complement_bounded && !w.new_complement.is_finite())
      throw InvalidArgument("velocity", "retraction produced NaN/Inf (velocity too large?)");
    if (check_drift) repair_drift(w.new_point, w.new_complement);
  }
  w.pending = true;
  return true;
}

void OrthogonalSection::redraw_pending_complement(std::uint64_t seed) {
  Workspace& w = workspace_;
  if (!w.pending) throw std::logic_error("redraw_pending_complement: no step is pending");
  const uword m = complement_.n_cols;
  if (m == 0) return;  // n = N: span(Y')^⊥ = {0}
  if (!w.complement_formed) {
    w.new_complement = complement_;
    subtract_rank_update(w.new_complement);  // the transported Ȳ', orthonormal and ⟂ Y'
    w.complement_formed = true;
  }
  // Ȳ'Q with Q Haar: (I − Y'Y'ᵀ)Z = Ȳ'(Ȳ'ᵀZ) and Ȳ'ᵀZ is an m×m standard normal matrix, so
  // this is the QR of the projected N×m normal matrix, computed without its rounding: a
  // Householder Q is orthogonal to working precision however ill-conditioned the normal
  // matrix is, whereas the Q of the projected matrix leaves span(Y')^⊥ by ε·cond.
  const Mat rotation = orthonormal_factor(standard_normal_matrix(m, m, seed), "velocity");
  w.new_complement = w.new_complement * rotation;
}

void OrthogonalSection::commit_retraction() {
  Workspace& w = workspace_;
  if (!w.pending) return;
  point_.swap(w.new_point);
  if (w.complement_formed)
    complement_.swap(w.new_complement);
  else
    subtract_rank_update(complement_);
  w.pending = false;
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
