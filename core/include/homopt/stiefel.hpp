// homopt — the Stiefel manifold St(n, N) = {Y ∈ ℝ^{N×n} : YᵀY = I} (DESIGN 1.2).
#pragma once

#include "homopt/manifold.hpp"

namespace homopt {

/// St(n, N) as the homogeneous space O(N)/O(N−n), with E = [I_n; 0].
///
/// Section: λ = [Y, Ȳ] ∈ O(N), Ȳ an orthonormal basis of span(Y)^⊥; the first one is the
/// Householder QR completion of Y (LAPACK dgeqrf/dorgqr) with λE = Y exactly.
///
/// Horizontal space 𝔤ʰᵒʳ = { V = [[A, −Bᵀ], [B, 0]] : A ∈ 𝔰𝔬(n), B ∈ ℝ^{(N−n)×n} },
/// dimension n(n−1)/2 + (N−n)n.
///
/// **Packing** (checkpoint format and cross-language contract): first the strict lower
/// triangle of A, column by column (A(1,0), A(2,0), …, A(n−1,0), A(2,1), …, A(n−1,n−2),
/// 0-based), then B in column-major order.
///
/// Lift of G = ∂L/∂Y: A = YᵀG − GᵀY, B = ȲᵀG (the blocks of λᵀΩλ with
/// Ω = (I − ½YYᵀ)ΔYᵀ − YΔᵀ(I − ½YYᵀ) and Δ the canonical-metric Riemannian gradient).
///
/// Retraction in low-rank form, V = U Wᵀ with U = [[A/2, I], [B, 0]] (N×2n),
/// Wᵀ = [[I, 0], [A/2, −Bᵀ]] (2n×N), X = WᵀU (2n×2n):
///   geodesic exp(V)            = I + U φ(X) Wᵀ, φ(X) = Σ_{k≥1} X^{k−1}/k!
///                                (top-right block of exp([[X, I], [0, 0]]), Padé with
///                                scaling and squaring);
///   Cayley (I−V/2)⁻¹(I+V/2)    = I + U (I − X/2)⁻¹ Wᵀ.
/// Section update λ ← λ(I + U M Wᵀ): with P = [YA/2 + ȲB, Y]·M = [P₁, P₂],
///   Y ← Y + P₁ + P₂A/2,  Ȳ ← Ȳ − P₂Bᵀ            (≈ 4N²n flops; lift ≈ 2N²n flops).
/// Drift: after each update ‖YᵀY − I‖_F is checked (O(Nn²)); above
/// `reorthonormalize_threshold` λ is re-orthonormalized by Householder QR (O(N³), rare).
class Stiefel : public Manifold {
 public:
  /// St(n, N); requires 1 ≤ n ≤ N (InvalidArgument naming "n" otherwise).
  Stiefel(uword N, uword n);

  uword N() const { return N_; }
  uword n() const { return n_; }

  std::string name() const override { return "Stiefel"; }
  std::vector<uword> shape_parameters() const override { return {N_, n_}; }
  std::string description() const override;
  uword rows() const override { return N_; }
  uword cols() const override { return n_; }
  /// n(n−1)/2 + (N−n)n.
  uword dimension() const override;
  /// Q factor (signs fixed so that diag(R) > 0) of an N×n matrix of independent standard
  /// normals drawn by homopt::standard_normal_matrix(N, n, seed): Haar-distributed.
  Mat random_point(std::uint64_t seed) const override;
  /// ‖YᵀY − I‖_F.
  real check(const Mat& point) const override;
  /// 1e-10.
  real tolerance() const override { return 1e-10; }
  /// Canonical metric: G − Y GᵀY.
  Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const override;
  /// [[A, −Bᵀ], [B, 0]] (N×N).
  Mat horizontal_matrix(const Vec& coordinates) const override;
  std::unique_ptr<Section> section(const Mat& point, const char* argument = "point") const override;
  std::unique_ptr<Section> section_from_state(const std::vector<Mat>& state) const override;
  std::unique_ptr<Manifold> clone() const override { return std::make_unique<Stiefel>(*this); }

  /// ‖YᵀY − I‖_F above which a section re-orthonormalizes λ after an update.
  static constexpr real reorthonormalize_threshold = 1e-13;

 private:
  uword N_, n_;
};

}  // namespace homopt
