#include "symplectic_section.hpp"

#include <algorithm>
#include <cmath>
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

Mat dense_symplectic_complement(const Mat& point) {
  const uword rows = point.n_rows, cols = point.n_cols;
  if (cols == rows) return Mat(rows, 0);
  Mat q, r;
  if (!arma::qr(q, r, multiply_J_left(point)))
    throw InvalidArgument("point", "QR of JU failed");
  return symplectic_normal_basis(q.cols(cols, rows - 1), "point");
}

namespace {

/// The real 2N×2k basis [Re Q; Im Q] of the complex N×k matrix Q (x + iy ↔ [x; y]).
Mat real_columns(const arma::cx_mat& complex_columns) {
  return arma::join_cols(arma::real(complex_columns), arma::imag(complex_columns));
}

}  // namespace

Mat symplectic_complement(const Mat& point) {
  const uword N = point.n_rows / 2, n = point.n_cols / 2, m = N - n;
  if (m == 0) return Mat(2 * N, 0);
  if (2 * n > N) return dense_symplectic_complement(point);  // O(N³) = O(N²n) here
  // ℝ^{2N} ≅ ℂ^N by [x; y] ↔ x + iy, under which J ↔ multiplication by −i. The J-invariant
  // hull span(U, JU) is the complex span of the 2n columns of U₍top₎ + iU₍bottom₎; the first
  // 2n columns of its full complex Householder Q factor span a J-invariant W ⊇ span(U, JU)
  // of real dimension 4n, the other N − 2n = m − n columns an orthonormal basis of W^⊥.
  const arma::cx_mat hull_generator(point.rows(0, N - 1), point.rows(N, 2 * N - 1));
  arma::cx_mat q, r;
  if (!arma::qr(q, r, hull_generator))
    throw InvalidArgument("point", "QR of U_top + i U_bottom failed");
  const uword hull_rank = 2 * n, outer = N - hull_rank;
  // W^⊥ ⊂ {x : UᵀJx = 0}: e = [Re q; Im q], f = Jᵀe ↔ iq (orthonormal, ω(e, f) = 1, σ = 1).
  const Mat outer_e = outer > 0 ? real_columns(q.cols(hull_rank, N - 1)) : Mat(2 * N, 0);  // 2n = N: W^⊥ = {0}
  // W ∩ {x : UᵀJx = 0} (real dimension 2n): the null space of (JU)ᵀW in W's orthonormal
  // real basis [e, Jᵀe], in normal form (σ ≤ 1).
  const Mat hull_e = real_columns(q.cols(0, hull_rank - 1));
  const Mat hull = arma::join_rows(hull_e, -multiply_J_left(hull_e));
  Mat null_q, null_r;
  if (!arma::qr(null_q, null_r, Mat(hull.t() * multiply_J_left(point))))
    throw InvalidArgument("point", "QR of the hull coordinates of JU failed");
  const Mat inner = symplectic_normal_basis(hull * null_q.cols(2 * n, 4 * n - 1), "point");
  // Paired order, σ descending as in dense_symplectic_complement: [e(W^⊥), e(inner),
  // f(W^⊥), f(inner)].
  Mat complement(2 * N, 2 * m);
  if (outer > 0) {
    complement.cols(0, outer - 1) = outer_e;
    complement.cols(m, m + outer - 1) = -multiply_J_left(outer_e);
  }
  complement.cols(outer, m - 1) = inner.cols(0, n - 1);
  complement.cols(m + outer, 2 * m - 1) = inner.cols(n, 2 * n - 1);
  return complement;
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

namespace {

/// The blocks of Δ = λ̃ᵀJλ̃ − J̃ that involve U: Δ_UU = UᵀJU − J_{2n} and Δ_UŪ = UᵀJŪ
/// (Δ_ŪU = −Δ_UŪᵀ). O(N²n).
struct PointDefect {
  Mat point_block;    // Δ_UU, 2n×2n
  Mat cross_block;    // Δ_UŪ, 2n×2m
  real norm() const {  // ‖[[Δ_UU, Δ_UŪ], [Δ_ŪU, 0]]‖_F
    return std::sqrt(arma::dot(point_block, point_block) + 2 * arma::dot(cross_block, cross_block));
  }
};

PointDefect point_defect(const Mat& point, const Mat& complement) {
  const Mat J_point = multiply_J_left(point);
  PointDefect defect{point.t() * J_point - symplectic_unit(point.n_cols / 2), Mat()};
  defect.cross_block = -(J_point.t() * complement);  // UᵀJŪ = −(JU)ᵀŪ
  return defect;
}

}  // namespace

void resymplectify(Mat& point, Mat& complement) {
  PointDefect defect = point_defect(point, complement);
  real residual = defect.norm();
  for (int iteration = 0; iteration < 3; ++iteration) {
    // λ̃(I + ½J̃Δ) without the Δ_ŪŪ block:
    //   U ← U + ½(U·J_{2n}Δ_UU + Ū·J_{2m}Δ_ŪU),  Ū ← Ū + ½·U·J_{2n}Δ_UŪ.
    Mat candidate_point = point + 0.5 * (point * multiply_J_left(defect.point_block));
    Mat candidate_complement = complement;
    if (complement.n_cols > 0) {
      candidate_point -= 0.5 * (complement * multiply_J_left(Mat(defect.cross_block.t())));
      candidate_complement += 0.5 * (point * multiply_J_left(defect.cross_block));
    }
    PointDefect candidate_defect = point_defect(candidate_point, candidate_complement);
    const real candidate_residual = candidate_defect.norm();
    if (!(candidate_residual < residual)) break;
    point = std::move(candidate_point);
    complement = std::move(candidate_complement);
    defect = std::move(candidate_defect);
    residual = candidate_residual;
  }
}

real section_defect(const Mat& point, const Mat& complement) {
  const PointDefect defect = point_defect(point, complement);
  real squared = defect.norm() * defect.norm();
  const uword N = complement.n_rows / 2, m = complement.n_cols / 2;
  if (m > 0) {
    // Δ_ŪŪ = ŪᵀJŪ − J_{2m} = Ū_topᵀŪ_bottom − (Ū_topᵀŪ_bottom)ᵀ − J_{2m}.
    const Mat top_bottom = complement.rows(0, N - 1).t() * complement.rows(N, 2 * N - 1);
    squared += arma::accu(arma::square(top_bottom - top_bottom.t() - symplectic_unit(m)));
  }
  return std::sqrt(squared);
}

bool needs_recompletion(const Mat& point, real complement_squared_norm) {
  const real bound = static_cast<real>(point.n_rows - point.n_cols) + arma::dot(point, point);
  return complement_squared_norm > recondition_factor * bound;
}

// ------------------------------------------------------------------ the section

SymplecticSection::SymplecticSection(Mat point, Mat complement, bool with_block)
    : point_(std::move(point)),
      complement_(std::move(complement)),
      with_block_(with_block),
      complement_squared_norm_(arma::dot(complement_, complement_)) {}

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

SymplecticSection::StepProducts SymplecticSection::step_products(const Vec& velocity,
                                                                 Retraction retraction) const {
  const uword n = point_.n_cols / 2, N = point_.n_rows / 2, n2 = 2 * n;
  const LowRankRetraction low_rank = low_rank_retraction(velocity, N, n, with_block_, retraction);

  // λ̃𝒰 = [U S/2 + Ū K, U];  P = (λ̃𝒰)·core = (U S/2 + Ū K)·core_top + U·core_bottom = [P₁, P₂];
  // λ̃(I + 𝒰·core·𝒲ᵀ) = [U + P₁ + P₂S/2,  Ū + P₂(JKᵀJ)]. Every product with Ū (2N×2m) is
  // one GEMM (ŪK here, P₂(JKᵀJ) accumulated with β = 1 by the caller); nothing is O(N³).
  Mat moved(2 * N, n2, arma::fill::zeros);  // U S/2 + Ū K
  if (complement_.n_cols > 0) moved = complement_ * low_rank.blocks.K;
  if (with_block_) moved += point_ * low_rank.half_S;
  Mat P = moved * low_rank.core.rows(0, n2 - 1);
  P += point_ * low_rank.core.rows(n2, 2 * n2 - 1);
  StepProducts products{Mat(P.cols(n2, 2 * n2 - 1)), low_rank.coupling, point_ + P.cols(0, n2 - 1)};
  if (with_block_) products.new_point += products.P2 * low_rank.half_S;
  if (!products.new_point.is_finite())
    throw InvalidArgument("velocity", "retraction produced NaN/Inf (velocity too large?)");
  return products;
}

std::unique_ptr<Section> SymplecticSection::retracted(const Vec& velocity, Retraction retraction) const {
  StepProducts products = step_products(velocity, retraction);
  Mat new_point = std::move(products.new_point);
  Mat new_complement = complement_;
  if (complement_.n_cols > 0) new_complement += products.P2 * products.coupling;
  // One pass over Ū: ‖Ū‖²_F is NaN/Inf exactly when an entry is (or when it overflows, which
  // the re-completion below would have to handle anyway).
  real complement_squared = arma::dot(new_complement, new_complement);
  if (!std::isfinite(complement_squared))
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
    complement_squared = arma::dot(new_complement, new_complement);
  }
  if (needs_recompletion(new_point, complement_squared))
    new_complement = symplectic_complement(new_point);
  return std::make_unique<SymplecticSection>(std::move(new_point), std::move(new_complement),
                                             with_block_);
}

bool SymplecticSection::prepare_retraction(const Vec& velocity, Retraction retraction) {
  pending_.reset();
  in_place_pending_ = false;
  StepProducts products = step_products(velocity, retraction);
  // The in-place update Ū ← Ū + P₂(JKᵀJ) is taken only when nothing after it can fail or
  // differ from retracted(): |Ū'ᵢⱼ| ≤ ‖Ū‖_F + 2n·max|P₂|·max|JKᵀJ| (finite),
  // ‖Ū'‖_F ≤ ‖Ū‖_F + ‖P₂‖_F‖JKᵀJ‖_F below the re-completion bound (with a margin for the
  // rounding of ‖Ū'‖²_F), and no drift repair. Otherwise the step is retracted() (a copy).
  const real coupling_size = arma::norm(products.coupling, "fro");
  const real growth = arma::norm(products.P2, "fro") * coupling_size;
  const real complement_norm = std::sqrt(complement_squared_norm_);
  const real entry_bound = complement_norm + static_cast<real>(products.P2.n_cols) *
                                                         arma::abs(products.P2).max() *
                                                         arma::abs(products.coupling).max();
  const real norm_bound = complement_norm + growth;
  const bool in_place =
      complement_.n_cols > 0 && entry_bound <= 1e300 &&
      !needs_recompletion(products.new_point, norm_bound * norm_bound * (1 + 1e-8)) &&
      symplectic_residual(products.new_point) <= drift_threshold(products.new_point);
  if (!in_place) {
    pending_ = retracted(velocity, retraction);
    return true;
  }
  pending_products_ = std::move(products);
  in_place_pending_ = true;
  return true;
}

void SymplecticSection::commit_retraction() {
  if (in_place_pending_) {
    complement_ += pending_products_.P2 * pending_products_.coupling;  // as retracted(): β = 1
    point_ = std::move(pending_products_.new_point);
    complement_squared_norm_ = arma::dot(complement_, complement_);
    in_place_pending_ = false;
  } else if (pending_) {
    auto& next = static_cast<SymplecticSection&>(*pending_);
    point_ = std::move(next.point_);
    complement_ = std::move(next.complement_);
    complement_squared_norm_ = next.complement_squared_norm_;
    pending_.reset();
  }
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
  const real defect = section_defect(state[0], state[1]);
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
