// homopt (private) — the section λ ∈ Sp(2N) shared by SymplecticStiefel and SymplecticGrassmann
// (docs/symplectic.md; formulas and packing in homopt/symplectic_stiefel.hpp).
//
// Internally λ is stored in *paired* column order λ̃ = [U, Ū]: U (2N×2n) is the point and
// Ū (2N×2m, m = N − n) a symplectic basis of the symplectic complement of span(U), so that
// λ̃ᵀJ_{2N}λ̃ = J̃ = blkdiag(J_{2n}, J_{2m}). The group element in the standard column order
// (λE = U with E = columns 1..n and N+1..N+n of I_{2N}) is λ = [U₁, Ū₁, U₂, Ū₂], where X₁ / X₂
// denote the first / second half of the columns of X.
#pragma once

#include <memory>

#include "homopt/manifold.hpp"

namespace homopt::detail {

/// J_{2k}·M = [M₂; −M₁] for M with 2k rows (M₁ / M₂ the top / bottom k rows).
Mat multiply_J_left(const Mat& matrix);
/// M·J_{2k} = [−M₂, M₁] for M with 2k columns (M₁ / M₂ the left / right k columns).
Mat multiply_J_right(const Mat& matrix);
/// ‖UᵀJ_{2N}U − J_{2n}‖_F for a 2N×2n matrix U (no validation).
real symplectic_residual(const Mat& basis);
/// J_{2k} as a dense matrix.
Mat symplectic_unit(uword k);

/// The symplectic basis with mutually orthogonal columns of span(Q), for Q (2N×2k) with
/// orthonormal columns spanning a symplectic subspace: with Ω = QᵀJQ (skew, nonsingular),
/// the Hermitian eigenproblem iΩ w = σ w, w = x + iy (σ₁ ≥ … ≥ σ_k > 0, ‖w‖ = 1) gives
/// Ωx = σy, Ωy = −σx, ‖x‖ = ‖y‖ = 1/√2, and the basis [e₁…e_k, f₁…f_k] with
/// e_j = √(2/σ_j) Q y_j, f_j = √(2/σ_j) Q x_j (ω(e_i, f_j) = δ_ij, ω(e_i, e_j) = ω(f_i, f_j) = 0,
/// ‖e_j‖² = ‖f_j‖² = 1/σ_j). This is the most orthogonal symplectic basis of the subspace
/// (Williamson-type normal form). Throws InvalidArgument(argument) if σ_k ≤ 1e-12σ₁
/// (the subspace is not symplectic). O(Nk² + k³).
Mat symplectic_normal_basis(const Mat& orthonormal_basis, const char* argument);

/// The symplectic completion of U in normal form by dense linear algebra: Q = the last 2m
/// columns of the full Householder Q factor of JU (an orthonormal basis of the symplectic
/// complement {x : UᵀJx = 0}), then Ū = symplectic_normal_basis(Q). O(N³): the fallback of
/// symplectic_complement for 2n > N (where O(N³) = O(N²n)) and the reference in tests.
Mat dense_symplectic_complement(const Mat& point);

/// The deterministic symplectic completion of U in normal form, O(N²n) for 2n ≤ N
/// (docs/symplectic.md, "Section and completion"). With ℝ^{2N} ≅ ℂ^N ([x; y] ↔ x + iy,
/// J ↔ −i), let q₁…q_N be the full complex Householder Q factor of U_top + iU_bottom
/// (N×2n) and W = span_ℝ{[Re q_k; Im q_k], Jᵀ[Re q_k; Im q_k] : k ≤ 2n} ⊇ span(U, JU). The
/// complement {x : UᵀJx = 0} splits ω- and ⊥-orthogonally into W^⊥ (basis e_k = [Re q_k;
/// Im q_k], f_k = Jᵀe_k, k > 2n; σ = 1) and W ∩ {UᵀJx = 0} (dimension 2n, normal form by
/// symplectic_normal_basis). Ū = [e(W^⊥), e(inner), f(W^⊥), f(inner)] (σ descending).
/// It equals dense_symplectic_complement(U)·g with g orthogonal and symplectic (the normal
/// form is unique up to such g), so ŪŪᵀ and every rotation-equivariant method's step agree.
/// For 2n > N: dense_symplectic_complement.
Mat symplectic_complement(const Mat& point);

/// A velocity in 𝔤ʰᵒʳ in paired order: Ṽ = [[S, J_{2n}KᵀJ_{2m}], [K, 0]] with S ∈ 𝔰𝔭(2n)
/// (≡ 0 for the symplectic Grassmann manifold) and K ∈ ℝ^{2m×2n}.
struct HorizontalBlocks {
  Mat S;  // 2n×2n, S = [[A₁, B₁], [C₁, −A₁ᵀ]]
  Mat K;  // 2m×2n, K = [[A₃, B₂], [C₂, −A₂]]
};
/// Number of packed coordinates: (2n² + n if with_block) + 4mn.
uword symplectic_coordinate_count(uword N, uword n, bool with_block);
/// Unpacks c (validated length) into S and K (packing: homopt/symplectic_stiefel.hpp).
HorizontalBlocks unpack_horizontal(const Vec& coordinates, uword N, uword n, bool with_block);
/// The dense V(c) ∈ 𝔰𝔭(2N) in the standard order [[A, B], [C, −Aᵀ]] (2N×2N).
Mat dense_horizontal_matrix(const Vec& coordinates, uword N, uword n, bool with_block);

/// Low-rank form Ṽ = 𝒰𝒲ᵀ (paired order) with 𝒰 = [[S/2, I], [K, 0]] (2N×4n) and
/// 𝒲ᵀ = [[I, 0], [S/2, J KᵀJ]] (4n×2N); core = (I − X/2)⁻¹ (Cayley) or φ(X) (geodesic)
/// with X = 𝒲ᵀ𝒰, so that Retr(Ṽ) = I + 𝒰·core·𝒲ᵀ. Only X (4n×4n) and core are formed.
struct LowRankRetraction {
  HorizontalBlocks blocks;
  Mat half_S;       // S/2 (2n×2n)
  Mat coupling;     // J_{2n} Kᵀ J_{2m} (2n×2m): the top-right block of Ṽ
  Mat core;         // 4n×4n
};
LowRankRetraction low_rank_retraction(const Vec& coordinates, uword N, uword n, bool with_block,
                                      Retraction retraction);
/// The dense retraction factor R = I + 𝒰·core·𝒲ᵀ in the standard order (2N×2N; tests and
/// diagnostics only, O(N²n)).
Mat dense_retraction_factor(const Vec& coordinates, uword N, uword n, bool with_block,
                            Retraction retraction);

/// λ in the standard column order [U₁, Ū₁, U₂, Ū₂] from the paired blocks.
Mat standard_order(const Mat& point, const Mat& complement);

/// The section λ̃ = [U, Ū] ∈ Sp(2N) (paired order) with the low-rank retraction of
/// docs/symplectic.md.
class SymplecticSection : public Section {
 public:
  SymplecticSection(Mat point, Mat complement, bool with_block);

  /// The deterministic completion Ū = symplectic_complement(U) (O(N²n)); λE = U exactly.
  static std::unique_ptr<SymplecticSection> complete(const Mat& point, bool with_block);

  const Mat& point() const override { return point_; }
  /// Ū (2N×2m).
  const Mat& complement() const { return complement_; }
  /// Packed [A₁, B₁, C₁ (SymplecticStiefel only) from H = UᵀG; K = ŪᵀG].
  Vec lift(const Mat& euclidean_gradient) const override;
  /// λV(c)E = U·S + Ū·K (2N×2n), the tangent vector with coordinates c. O(N²n).
  Mat tangent_vector(const Vec& coordinates) const;
  /// λ̃(I + 𝒰·core·𝒲ᵀ), then the drift repair and the conditioning check (header of
  /// homopt/symplectic_stiefel.hpp).
  std::unique_ptr<Section> retracted(const Vec& velocity, Retraction retraction) const override;
  /// Two-phase retracted() (homopt/manifold.hpp): computes the new U and the rank-2n factors
  /// P₂, JKᵀJ of Ū ← Ū + P₂(JKᵀJ), and takes the in-place path when the bounds
  /// max|Ū'| ≤ ‖Ū‖_F + 2n·max|P₂|·max|JKᵀJ| ≤ 1e300 and
  /// ‖Ū'‖_F ≤ ‖Ū‖_F + ‖P₂‖_F‖JKᵀJ‖_F (below the re-completion bound) show that nothing
  /// after it can fail or differ, and no drift repair is due; otherwise the pending step is
  /// retracted() itself. Throws as retracted() does, changing nothing.
  bool prepare_retraction(const Vec& velocity, Retraction retraction) override;
  /// Ū += P₂(JKᵀJ) in place (one GEMM with β = 1, bit for bit retracted()'s), U ← U', then
  /// ‖Ū‖²_F for the next bounds (one pass); or moves in the pending retracted().
  void commit_retraction() override;
  /// [U₁, Ū₁, U₂, Ū₂] (standard order, λE = U).
  Mat group_element() const override { return standard_order(point_, complement_); }
  /// {U, Ū}.
  std::vector<Mat> state() const override { return {point_, complement_}; }
  /// A copy of the committed section (a pending step is not copied).
  std::unique_ptr<Section> clone() const override {
    return std::make_unique<SymplecticSection>(point_, complement_, with_block_);
  }

 private:
  /// What a step needs besides Ū: U' = U + P₁ + P₂S/2 (checked finite, else
  /// InvalidArgument("velocity")), P₂ and JKᵀJ.
  struct StepProducts {
    Mat P2;          // 2N×2n
    Mat coupling;    // J_{2n}KᵀJ_{2m}, 2n×2m
    Mat new_point;   // U', 2N×2n
  };
  StepProducts step_products(const Vec& velocity, Retraction retraction) const;

  Mat point_;       // U, 2N×2n
  Mat complement_;  // Ū, 2N×2m
  bool with_block_;
  real complement_squared_norm_;         // ‖Ū‖²_F (NaN/Inf if an entry is)
  bool in_place_pending_ = false;        // prepare_retraction took the in-place path
  StepProducts pending_products_;        // … with these factors
  std::unique_ptr<Section> pending_;     // or the pending retracted()
};

/// ‖UᵀJU − J‖_F above which retracted() re-symplectifies λ:
/// min(1e-11, 1e-13·max(2n, ‖U‖²_F)) (the rounding floor of the residual grows like ε‖U‖²).
/// If the residual is still above SymplecticSpace::residual_tolerance afterwards (a diverging method or a
/// hopelessly ill-conditioned point), retracted() throws InvalidArgument("velocity").
real drift_threshold(const Mat& point);
/// λ̃ ← λ̃(I + ½J̃Δ′) with Δ′ = the blocks of Δ = λ̃ᵀJλ̃ − J̃ that involve U (Δ_UU = UᵀJU − J,
/// Δ_UŪ = UᵀJŪ, Δ_ŪU = −Δ_UŪᵀ; Δ_ŪŪ is not formed):
///   U ← U + ½(U·J_{2n}Δ_UU + Ū·J_{2m}Δ_ŪU),  Ū ← Ū + ½·U·J_{2n}Δ_UŪ
/// (a Newton step towards Sp(2N) for those blocks: quadratically convergent, it changes
/// Δ_ŪŪ only at second order), repeated while it reduces ‖Δ′‖_F (at most 3 times). O(N²n);
/// rare.
void resymplectify(Mat& point, Mat& complement);
/// ‖λ̃ᵀJλ̃ − J̃‖_F for λ̃ = [U, Ū], by blocks (the ŪŪ block as Ū_topᵀŪ_bottom minus its
/// transpose): ≈ 8Nm² + O(N²n) flops, O(N³) — used only to validate a loaded state.
real section_defect(const Mat& point, const Mat& complement);
/// ‖Ū‖²_F above which retracted() re-completes Ū from U: recondition_factor·(2m + ‖U‖²_F).
/// The best completion has ‖Ū‖²_F ≤ 2m + ‖U‖²_F (see symplectic_stiefel.hpp).
constexpr real recondition_factor = 2;
/// complement_squared_norm = ‖Ū‖²_F > recondition_factor·(2m + ‖U‖²_F) (false when m = 0).
bool needs_recompletion(const Mat& point, real complement_squared_norm);

/// ‖UᵀJU − J‖_F after validating the shape 2N×2n and finiteness (InvalidArgument(argument)).
real checked_symplectic_residual(const Mat& point, uword N, uword n, const char* argument);
/// Validates `point` (shape, finite, residual ≤ tolerance) and completes it to λ.
std::unique_ptr<SymplecticSection> symplectic_section(const Mat& point, uword N, uword n,
                                                      real tolerance, bool with_block,
                                                      const char* argument);
/// Rebuilds λ from {U, Ū}: shapes, finiteness, ‖UᵀJU − J‖ ≤ tolerance and
/// section_defect(U, Ū) = ‖λ̃ᵀJλ̃ − J̃‖_F ≤ state_tolerance (O(N³), once per load).
std::unique_ptr<Section> symplectic_section_from_state(const std::vector<Mat>& state, uword N,
                                                       uword n, real tolerance, bool with_block);
/// ‖λ̃ᵀJλ̃ − J̃‖_F accepted by symplectic_section_from_state.
constexpr real state_tolerance = 1e-8;
/// λV(c)E for the deterministic section of `point` (the Riemannian gradient of the
/// coordinate metric, see symplectic_stiefel.hpp), after validating point and gradient.
Mat symplectic_riemannian_gradient(const Mat& point, const Mat& euclidean_gradient, uword N,
                                   uword n, real tolerance, bool with_block);
/// A uniformly distributed symplectic subspace in its normal-form basis:
/// symplectic_normal_basis(orthonormal_factor(standard_normal_matrix(2N, 2n, seed))).
Mat random_symplectic_point(uword N, uword n, std::uint64_t seed);

}  // namespace homopt::detail
