#include "symplectic_section.hpp"

#include <algorithm>
#include <sstream>

#include "homopt/error.hpp"
#include "homopt/random.hpp"
#include "homopt/symplectic_stiefel.hpp"
#include "homopt/validate.hpp"
#include "orthogonal_section.hpp"
#include "retraction_core.hpp"

namespace homopt::detail {

// ------------------------------------------------------------------ J and residuals

Mat multiply_J_left(const Mat& matrix) {
  const uword k = matrix.n_rows / 2;
  if (k == 0) return matrix;
  return arma::join_cols(matrix.rows(k, 2 * k - 1), -matrix.rows(0, k - 1));
}

Mat multiply_J_right(const Mat& matrix) {
  const uword k = matrix.n_cols / 2;
  if (k == 0) return matrix;
  return arma::join_rows(-matrix.cols(k, 2 * k - 1), matrix.cols(0, k - 1));
}

Mat symplectic_unit(uword k) { return multiply_J_left(arma::eye(2 * k, 2 * k)); }

real symplectic_residual(const Mat& basis) {
  return arma::norm(basis.t() * multiply_J_left(basis) - symplectic_unit(basis.n_cols / 2), "fro");
}

namespace {

/// J̃·M for M with 2N rows in paired layout: J_{2n} on rows [0, 2n), J_{2m} on the rest.
Mat multiply_paired_J_left(const Mat& matrix, uword n) {
  if (matrix.n_rows == 2 * n) return multiply_J_left(matrix);
  return arma::join_cols(multiply_J_left(matrix.rows(0, 2 * n - 1)),
                         multiply_J_left(matrix.rows(2 * n, matrix.n_rows - 1)));
}

/// Δ = λ̃ᵀJλ̃ − J̃ for λ̃ = [U, Ū] with U having 2n columns.
Mat paired_gram_defect(const Mat& lambda, uword n) {
  const Mat gram = lambda.t() * multiply_J_left(lambda);
  return gram - multiply_paired_J_left(arma::eye(lambda.n_cols, lambda.n_cols), n);
}

/// Standard index of paired index p (paired order U₁, U₂, Ū₁, Ū₂ → standard U₁, Ū₁, U₂, Ū₂).
arma::uvec paired_to_standard(uword N, uword n) {
  const uword m = N - n;
  arma::uvec index(2 * N);
  for (uword p = 0; p < 2 * N; ++p) {
    if (p < n) index(p) = p;
    else if (p < 2 * n) index(p) = N + (p - n);
    else if (p < 2 * n + m) index(p) = n + (p - 2 * n);
    else index(p) = N + n + (p - 2 * n - m);
  }
  return index;
}

/// Fills the symmetric n×n matrix from its lower triangle (with diagonal), column by column.
Mat unpack_symmetric(const real* packed, uword n) {
  Mat symmetric(n, n);
  uword k = 0;
  for (uword j = 0; j < n; ++j)
    for (uword i = j; i < n; ++i, ++k) symmetric(i, j) = symmetric(j, i) = packed[k];
  return symmetric;
}

/// Gradient of c ↦ ⟨H, Sym(c)⟩ for the symmetric packing above: H_ii on the diagonal,
/// H_ij + H_ji off it.
void pack_symmetric_gradient(const Mat& H, real* packed) {
  const uword n = H.n_rows;
  uword k = 0;
  for (uword j = 0; j < n; ++j)
    for (uword i = j; i < n; ++i, ++k) packed[k] = (i == j) ? H(i, i) : H(i, j) + H(j, i);
}

uword block_coordinate_count(uword n) { return 2 * n * n + n; }

/// Top-right block of Ṽ: J_{2n} Kᵀ J_{2m}.
Mat coupling_block(const Mat& K) { return multiply_J_left(multiply_J_right(Mat(K.t()))); }

}  // namespace

// ------------------------------------------------------------------ normal-form bases

Mat symplectic_normal_basis(const Mat& orthonormal_basis, const char* argument) {
  const uword k2 = orthonormal_basis.n_cols, k = k2 / 2;
  if (k == 0) return orthonormal_basis;
  Mat omega = orthonormal_basis.t() * multiply_J_left(orthonormal_basis);
  omega = 0.5 * (omega - omega.t());
  const arma::cx_mat hermitian(Mat(k2, k2, arma::fill::zeros), omega);  // iΩ
  Vec sigma;
  arma::cx_mat vectors;
  if (!arma::eig_sym(sigma, vectors, hermitian))
    throw InvalidArgument(argument, "eigendecomposition of the symplectic form failed");
  // Eigenvalues ascend: ±σ pairs; the k largest (positive) ones, largest first.
  const real largest = sigma(k2 - 1), smallest = sigma(k2 - k);
  if (!(largest > 0) || !(smallest > 1e-12 * largest))
    throw InvalidArgument(argument, "the subspace is (numerically) not symplectic");
  Mat coefficients(k2, k2);
  for (uword j = 0; j < k; ++j) {
    const uword column = k2 - 1 - j;
    const real scale = std::sqrt(2.0 / sigma(column));
    coefficients.col(j) = scale * arma::imag(vectors.col(column));      // e_j
    coefficients.col(k + j) = scale * arma::real(vectors.col(column));  // f_j
  }
  return orthonormal_basis * coefficients;
}

Mat symplectic_complement(const Mat& point) {
  const uword rows = point.n_rows, cols = point.n_cols;
  if (cols == rows) return Mat(rows, 0);
  Mat q, r;
  if (!arma::qr(q, r, multiply_J_left(point)))
    throw InvalidArgument("point", "QR of JU failed");
  return symplectic_normal_basis(q.cols(cols, rows - 1), "point");
}

Mat random_symplectic_point(uword N, uword n, std::uint64_t seed) {
  return symplectic_normal_basis(orthonormal_factor(standard_normal_matrix(2 * N, 2 * n, seed), "seed"),
                                 "seed");
}

// ------------------------------------------------------------------ coordinates

uword symplectic_coordinate_count(uword N, uword n, bool with_block) {
  return (with_block ? block_coordinate_count(n) : 0) + 4 * (N - n) * n;
}

HorizontalBlocks unpack_horizontal(const Vec& coordinates, uword N, uword n, bool with_block) {
  require_coordinate_count(coordinates, symplectic_coordinate_count(N, n, with_block));
  const uword m = N - n;
  const real* data = coordinates.memptr();
  HorizontalBlocks blocks{Mat(2 * n, 2 * n, arma::fill::zeros), Mat()};
  if (with_block) {
    const Mat A1(const_cast<real*>(data), n, n, false, true);
    const uword symmetric_count = n * (n + 1) / 2;
    blocks.S.submat(0, 0, n - 1, n - 1) = A1;
    blocks.S.submat(0, n, n - 1, 2 * n - 1) = unpack_symmetric(data + n * n, n);
    blocks.S.submat(n, 0, 2 * n - 1, n - 1) = unpack_symmetric(data + n * n + symmetric_count, n);
    blocks.S.submat(n, n, 2 * n - 1, 2 * n - 1) = -A1.t();
    data += block_coordinate_count(n);
  }
  blocks.K = Mat(const_cast<real*>(data), 2 * m, 2 * n);  // copy
  return blocks;
}

Mat dense_horizontal_matrix(const Vec& coordinates, uword N, uword n, bool with_block) {
  const HorizontalBlocks blocks = unpack_horizontal(coordinates, N, n, with_block);
  Mat paired(2 * N, 2 * N, arma::fill::zeros);
  paired.submat(0, 0, 2 * n - 1, 2 * n - 1) = blocks.S;
  if (N > n) {
    paired.submat(0, 2 * n, 2 * n - 1, 2 * N - 1) = coupling_block(blocks.K);
    paired.submat(2 * n, 0, 2 * N - 1, 2 * n - 1) = blocks.K;
  }
  const arma::uvec index = paired_to_standard(N, n);
  Mat standard(2 * N, 2 * N);
  standard.submat(index, index) = paired;
  return standard;
}

Mat standard_order(const Mat& point, const Mat& complement) {
  const uword N = point.n_rows / 2, n = point.n_cols / 2;
  Mat standard(2 * N, 2 * N);
  standard.cols(paired_to_standard(N, n)) = arma::join_rows(point, complement);
  return standard;
}

// ------------------------------------------------------------------ retraction

LowRankRetraction low_rank_retraction(const Vec& coordinates, uword N, uword n, bool with_block,
                                      Retraction retraction) {
  LowRankRetraction result;
  result.blocks = unpack_horizontal(coordinates, N, n, with_block);
  result.half_S = 0.5 * result.blocks.S;
  result.coupling = coupling_block(result.blocks.K);
  // X = 𝒲ᵀ𝒰 = [[S/2, I], [S²/4 + (JKᵀJ)K, S/2]].
  const uword n2 = 2 * n;
  Mat X(2 * n2, 2 * n2);
  X.submat(0, 0, n2 - 1, n2 - 1) = result.half_S;
  X.submat(0, n2, n2 - 1, 2 * n2 - 1) = arma::eye(n2, n2);
  X.submat(n2, 0, 2 * n2 - 1, n2 - 1) = result.half_S * result.half_S + result.coupling * result.blocks.K;
  X.submat(n2, n2, 2 * n2 - 1, 2 * n2 - 1) = result.half_S;
  result.core = retraction_core(X, retraction);
  return result;
}

Mat dense_retraction_factor(const Vec& coordinates, uword N, uword n, bool with_block,
                            Retraction retraction) {
  const LowRankRetraction low_rank = low_rank_retraction(coordinates, N, n, with_block, retraction);
  const uword n2 = 2 * n;
  Mat left(2 * N, 2 * n2, arma::fill::zeros), right_t(2 * n2, 2 * N, arma::fill::zeros);
  left.submat(0, 0, n2 - 1, n2 - 1) = low_rank.half_S;
  left.submat(0, n2, n2 - 1, 2 * n2 - 1) = arma::eye(n2, n2);
  right_t.submat(0, 0, n2 - 1, n2 - 1) = arma::eye(n2, n2);
  right_t.submat(n2, 0, 2 * n2 - 1, n2 - 1) = low_rank.half_S;
  if (N > n) {
    left.submat(n2, 0, 2 * N - 1, n2 - 1) = low_rank.blocks.K;
    right_t.submat(n2, n2, 2 * n2 - 1, 2 * N - 1) = low_rank.coupling;
  }
  const Mat paired = arma::eye(2 * N, 2 * N) + left * low_rank.core * right_t;
  const arma::uvec index = paired_to_standard(N, n);
  Mat standard(2 * N, 2 * N);
  standard.submat(index, index) = paired;
  return standard;
}

// ------------------------------------------------------------------ repairs

real drift_threshold(const Mat& point) {
  const real scale = std::max<real>(static_cast<real>(point.n_cols), arma::accu(arma::square(point)));
  return std::min<real>(1e-11, 1e-13 * scale);
}

void resymplectify(Mat& point, Mat& complement) {
  const uword n = point.n_cols / 2;
  Mat lambda = arma::join_rows(point, complement);
  Mat defect = paired_gram_defect(lambda, n);
  real residual = arma::norm(defect, "fro");
  for (int iteration = 0; iteration < 3; ++iteration) {
    // λ̃(I + ½J̃Δ): Tᵀ(J̃ + Δ)T = J̃ + O(‖Δ‖²).
    Mat candidate = lambda + 0.5 * (lambda * multiply_paired_J_left(defect, n));
    Mat candidate_defect = paired_gram_defect(candidate, n);
    const real candidate_residual = arma::norm(candidate_defect, "fro");
    if (!(candidate_residual < residual)) break;
    lambda = std::move(candidate);
    defect = std::move(candidate_defect);
    residual = candidate_residual;
  }
  point = lambda.cols(0, 2 * n - 1);
  complement = (lambda.n_cols > 2 * n) ? Mat(lambda.cols(2 * n, lambda.n_cols - 1))
                                       : Mat(lambda.n_rows, 0);
}

bool needs_recompletion(const Mat& point, const Mat& complement) {
  if (complement.n_cols == 0) return false;
  const real bound = static_cast<real>(complement.n_cols) + arma::dot(point, point);
  return arma::dot(complement, complement) > recondition_factor * bound;
}

// ------------------------------------------------------------------ the section

SymplecticSection::SymplecticSection(Mat point, Mat complement, bool with_block)
    : point_(std::move(point)), complement_(std::move(complement)), with_block_(with_block) {}

std::unique_ptr<SymplecticSection> SymplecticSection::complete(const Mat& point, bool with_block) {
  return std::make_unique<SymplecticSection>(point, symplectic_complement(point), with_block);
}

Vec SymplecticSection::lift(const Mat& G) const {
  const uword n = point_.n_cols / 2, N = point_.n_rows / 2;
  Vec coordinates(symplectic_coordinate_count(N, n, with_block_));
  uword offset = 0;
  if (with_block_) {
    // ⟨UᵀG, [[A₁, B₁], [C₁, −A₁ᵀ]]⟩: A₁ ← H₁₁ − H₂₂ᵀ, B₁ ← sym(H₁₂), C₁ ← sym(H₂₁).
    const Mat H = point_.t() * G;
    Mat A1(coordinates.memptr(), n, n, false, true);
    A1 = H.submat(0, 0, n - 1, n - 1) - H.submat(n, n, 2 * n - 1, 2 * n - 1).t();
    const uword symmetric_count = n * (n + 1) / 2;
    pack_symmetric_gradient(H.submat(0, n, n - 1, 2 * n - 1), coordinates.memptr() + n * n);
    pack_symmetric_gradient(H.submat(n, 0, 2 * n - 1, n - 1),
                            coordinates.memptr() + n * n + symmetric_count);
    offset = block_coordinate_count(n);
  }
  if (complement_.n_cols > 0) {
    Mat K(coordinates.memptr() + offset, complement_.n_cols, 2 * n, false, true);
    K = complement_.t() * G;
  }
  return coordinates;
}

Mat SymplecticSection::tangent_vector(const Vec& coordinates) const {
  const uword n = point_.n_cols / 2, N = point_.n_rows / 2;
  const HorizontalBlocks blocks = unpack_horizontal(coordinates, N, n, with_block_);
  return point_ * blocks.S + complement_ * blocks.K;
}

std::unique_ptr<Section> SymplecticSection::retracted(const Vec& velocity, Retraction retraction) const {
  const uword n = point_.n_cols / 2, N = point_.n_rows / 2, n2 = 2 * n;
  const LowRankRetraction low_rank = low_rank_retraction(velocity, N, n, with_block_, retraction);

  // λ̃𝒰 = [U S/2 + Ū K, U];  P = (λ̃𝒰)·core = [P₁, P₂];
  // λ̃(I + 𝒰·core·𝒲ᵀ) = [U + P₁ + P₂S/2,  Ū + P₂(JKᵀJ)].
  Mat lambda_U(2 * N, 2 * n2);
  lambda_U.cols(0, n2 - 1) = point_ * low_rank.half_S + complement_ * low_rank.blocks.K;
  lambda_U.cols(n2, 2 * n2 - 1) = point_;
  const Mat P = lambda_U * low_rank.core;
  Mat new_point = point_ + P.cols(0, n2 - 1) + P.cols(n2, 2 * n2 - 1) * low_rank.half_S;
  Mat new_complement = complement_;
  new_complement += P.cols(n2, 2 * n2 - 1) * low_rank.coupling;  // one GEMM with β = 1
  if (!new_point.is_finite() || !new_complement.is_finite())
    throw InvalidArgument("velocity", "retraction produced NaN/Inf (velocity too large?)");

  // NaN-safe comparisons: a NaN residual (UᵀJU overflowing for a huge step) must fail
  // them, never pass as "small".
  if (!(symplectic_residual(new_point) <= drift_threshold(new_point))) {
    resymplectify(new_point, new_complement);
    const real residual = symplectic_residual(new_point);
    if (!(residual <= SymplecticSpace::residual_tolerance)) {
      std::ostringstream message;
      message << "the step left the manifold numerically (‖UᵀJU − J‖_F = " << residual
              << " after repair, ‖U‖²_F = " << arma::accu(arma::square(new_point))
              << "): the velocity is too large or the point too ill-conditioned; reduce the "
                 "learning rate";
      throw InvalidArgument("velocity", message.str());
    }
  }
  if (needs_recompletion(new_point, new_complement))
    new_complement = symplectic_complement(new_point);
  return std::make_unique<SymplecticSection>(std::move(new_point), std::move(new_complement),
                                             with_block_);
}

// ------------------------------------------------------------------ validation

real checked_symplectic_residual(const Mat& point, uword N, uword n, const char* argument) {
  require_shape(point, 2 * N, 2 * n, argument);
  require_finite(point, argument);
  return symplectic_residual(point);
}

std::unique_ptr<SymplecticSection> symplectic_section(const Mat& point, uword N, uword n,
                                                      real tolerance, bool with_block,
                                                      const char* argument) {
  const real residual = checked_symplectic_residual(point, N, n, argument);
  if (!(residual <= tolerance)) {  // NaN-safe: UᵀJU of a huge finite point can be NaN
    std::ostringstream message;
    message << "not on the manifold: ‖UᵀJU − J‖_F = " << residual << " exceeds the tolerance "
            << tolerance << " (the columns must form a symplectic basis)";
    throw InvalidArgument(argument, message.str());
  }
  return SymplecticSection::complete(point, with_block);
}

std::unique_ptr<Section> symplectic_section_from_state(const std::vector<Mat>& state, uword N,
                                                       uword n, real tolerance, bool with_block) {
  if (state.size() != 2) throw InvalidArgument("state", "expected 2 matrices {U, Ubar}");
  if (!(checked_symplectic_residual(state[0], N, n, "state[0]") <= tolerance))
    throw InvalidArgument("state[0]", "point is not symplectic");
  require_shape(state[1], 2 * N, 2 * (N - n), "state[1]");
  require_finite(state[1], "state[1]");
  const real defect = arma::norm(paired_gram_defect(arma::join_rows(state[0], state[1]), n), "fro");
  if (!(defect <= state_tolerance)) {
    std::ostringstream message;
    message << "not a symplectic completion of state[0]: ‖λᵀJλ − J‖_F = " << defect;
    throw InvalidArgument("state[1]", message.str());
  }
  return std::make_unique<SymplecticSection>(state[0], state[1], with_block);
}

Mat symplectic_riemannian_gradient(const Mat& point, const Mat& G, uword N, uword n,
                                   real tolerance, bool with_block) {
  const auto section = symplectic_section(point, N, n, tolerance, with_block, "point");
  require_shape(G, 2 * N, 2 * n, "euclidean_gradient");
  require_finite(G, "euclidean_gradient");
  return section->tangent_vector(section->lift(G));
}

}  // namespace homopt::detail
