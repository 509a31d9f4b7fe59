// homopt — what Stiefel and Grassmann share: points are orthonormal N×n frames Y and the
// section is λ = [Y, Ȳ] ∈ O(N) (docs/mathematics.md, "Stiefel St(n, N)" and "Grassmann Gr(n, N)").
#pragma once

#include "homopt/manifold.hpp"

namespace homopt {

/// Base of Stiefel and Grassmann. Points are N×n matrices with YᵀY = I; the section is
/// λ = [Y, Ȳ] ∈ O(N), Ȳ an orthonormal basis of span(Y)^⊥, first built by the Householder
/// QR completion of Y (LAPACK dgeqrf/dorgqr) with λE = Y exactly.
///
/// Horizontal space 𝔤ʰᵒʳ = { V = [[A, −Bᵀ], [B, 0]] : B ∈ ℝ^{(N−n)×n} } with A ∈ 𝔰𝔬(n)
/// for Stiefel and A ≡ 0 for Grassmann.
/// **Packing** (checkpoint format and cross-language contract): Stiefel first stores the
/// strict lower triangle of A, column by column (0-based: A(1,0), A(2,0), …, A(n−1,0),
/// A(2,1), …, A(n−1,n−2)); both then store B in column-major order.
///
/// Lift of G = ∂L/∂Y: A = YᵀG − GᵀY, B = ȲᵀG — the blocks of λᵀΩλ with
/// Ω = (I − ½YYᵀ)ΔYᵀ − YΔᵀ(I − ½YYᵀ), Δ the Riemannian gradient.
///
/// Retraction in low-rank form, V = U Wᵀ with U = [[A/2, I], [B, 0]] (N×2n),
/// Wᵀ = [[I, 0], [A/2, −Bᵀ]] (2n×N), X = WᵀU = [[A/2, I], [A²/4 − BᵀB, A/2]] (2n×2n):
///   geodesic exp(V)          = I + U φ(X) Wᵀ,  φ(X) = Σ_{k≥1} X^{k−1}/k!
///                              (top-right block of exp([[X, I], [0, 0]]), Padé with
///                              scaling and squaring);
///   Cayley (I−V/2)⁻¹(I+V/2)  = I + U (I − X/2)⁻¹ Wᵀ.
/// Section update λ ← λ(I + U M Wᵀ): with P = [YA/2 + ȲB, Y]·M = [P₁, P₂],
///   Y ← Y + P₁ + P₂A/2,  Ȳ ← Ȳ − P₂Bᵀ           (≈ 4N²n flops; the lift ≈ 2N²n flops).
/// Drift: after each update ‖YᵀY − I‖_F is checked (O(Nn²)); above
/// `reorthonormalize_threshold`, and on a sampled ≈ 1 % of the steps' cost, the whole
/// ‖λᵀλ − I‖_F is formed and λ repaired by Newton–Schulz steps that move Y and Ȳ by
/// O(drift) (core/src/section_drift.hpp, docs/reliability.md "Long runs"); above
/// `residual_tolerance` (or NaN: the step overflowed) the step is refused with
/// InvalidArgument("velocity") — so every committed point is finite with check(Y) ≤ 1e-10.
class OrthonormalFrames : public Manifold {
 public:
  uword N() const { return N_; }
  uword n() const { return n_; }

  std::vector<uword> shape_parameters() const override { return {N_, n_}; }
  /// "<name>(N=…, n=…)".
  std::string description() const override;
  uword rows() const override { return N_; }
  uword cols() const override { return n_; }
  /// Stiefel n(n−1)/2 + (N−n)n; Grassmann (N−n)n.
  uword dimension() const override;
  /// Q factor (signs fixed so that diag(R) > 0) of the N×n matrix of independent standard
  /// normals homopt::standard_normal_matrix(N, n, seed): Haar-distributed on St(n, N).
  Mat random_point(std::uint64_t seed) const override;
  /// ‖YᵀY − I‖_F.
  real check(const Mat& point) const override;
  /// residual_tolerance = 1e-10.
  real tolerance() const override { return residual_tolerance; }
  /// Largest ‖YᵀY − I‖_F of a point: accepted by section(), and never exceeded by a point a
  /// step returns (a step whose result exceeds it, or is NaN, throws InvalidArgument naming
  /// "velocity" and changes nothing).
  static constexpr real residual_tolerance = 1e-10;
  /// [[A, −Bᵀ], [B, 0]] (N×N).
  Mat horizontal_matrix(const Vec& coordinates) const override;
  std::unique_ptr<Section> section(const Mat& point, const char* argument = "point") const override;
  std::unique_ptr<Section> section_from_state(const std::vector<Mat>& state) const override;

  /// ‖YᵀY − I‖_F above which a section checks (and if needed repairs) all of λ at once.
  static constexpr real reorthonormalize_threshold = 1e-13;

 protected:
  /// Requires 1 ≤ n ≤ N (InvalidArgument naming "n" otherwise) and N² ≤ 2³¹ − 1, i.e.
  /// N ≤ 46340, so that the N×N section λ fits homopt::max_matrix_elements
  /// (InvalidArgument naming "N" otherwise).
  OrthonormalFrames(uword N, uword n, bool with_skew_block);

 private:
  uword N_, n_;
  bool with_skew_block_;
};

}  // namespace homopt
