// homopt — the symplectic Stiefel manifold SpSt(2n, 2N) = {U ∈ ℝ^{2N×2n} : UᵀJ_{2N}U = J_{2n}}
// (docs/symplectic.md; Bendokat & Zimmermann, arXiv 2108.12447). J_{2k} = [[0, I_k], [−I_k, 0]].
#pragma once

#include "homopt/manifold.hpp"

namespace homopt {

namespace detail {

/// The verbs shared by SymplecticStiefel (with_block = true: 𝔤ʰᵒʳ has the 𝔰𝔭(2n) block S)
/// and SymplecticGrassmann (with_block = false: S ≡ 0); formulas in the class comment of
/// SymplecticStiefel below.
class SymplecticSpace : public Manifold {
 public:
  /// Requires 1 ≤ n ≤ N (InvalidArgument naming "n" otherwise) and (2N)² ≤ 2³¹ − 1, i.e.
  /// N ≤ 23170, so that the 2N×2N section λ fits homopt::max_matrix_elements
  /// (InvalidArgument naming "N" otherwise).
  SymplecticSpace(uword N, uword n, bool with_block);

  uword N() const { return N_; }
  uword n() const { return n_; }
  /// {N, n}.
  std::vector<uword> shape_parameters() const override { return {N_, n_}; }
  /// 2N.
  uword rows() const override { return 2 * N_; }
  /// 2n.
  uword cols() const override { return 2 * n_; }
  /// 4Nn − 2n² + n (SymplecticStiefel), 4n(N−n) (SymplecticGrassmann).
  uword dimension() const override;
  /// The normal-form symplectic basis (see SymplecticStiefel) of span(Q), Q the Q factor of
  /// homopt::standard_normal_matrix(2N, 2n, seed) (diag(R) > 0): span(U) is uniformly
  /// (Haar) distributed on the 2n-dimensional subspaces of ℝ^{2N} (almost surely
  /// symplectic); UᵀU is diagonal with pairs ‖e_j‖² = ‖f_j‖² = 1/σ_j, σ₁ ≥ … ≥ σ_n.
  Mat random_point(std::uint64_t seed) const override;
  /// ‖UᵀJ_{2N}U − J_{2n}‖_F (validates shape 2N×2n and finiteness, naming "point").
  real check(const Mat& point) const override;
  /// residual_tolerance = 1e-10.
  real tolerance() const override { return residual_tolerance; }
  /// Largest ‖UᵀJU − J‖_F of a point: accepted by section(), and never exceeded by a point
  /// a step returns (it throws instead; see "Drift and conditioning" below).
  static constexpr real residual_tolerance = 1e-10;
  /// The gradient for the coordinate metric of the deterministic section λ of U:
  /// λV(c)E = U·S + Ū·K with c = lift(G) (Ū·ŪᵀG on SpGr). O(N²n): builds the section.
  Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const override;
  /// V(c) = [[A, B], [C, −Aᵀ]] (2N×2N, standard order; A₁ = B₁ = C₁ = 0 on SpGr).
  Mat horizontal_matrix(const Vec& coordinates) const override;
  /// Validates shape, finiteness and check(point) ≤ tolerance(); the deterministic
  /// completion (O(N²n)).
  std::unique_ptr<Section> section(const Mat& point, const char* argument = "point") const override;
  /// From {U, Ū}: validates shapes, finiteness, ‖UᵀJU − J‖_F ≤ tolerance() and
  /// ‖λᵀJλ − J‖_F ≤ 1e-8 (O(N³) once per load: the 2m×2m block ŪᵀJŪ of a stored dense Ū).
  std::unique_ptr<Section> section_from_state(const std::vector<Mat>& state) const override;

 protected:
  /// "<name()>(N=…, n=…)".
  std::string describe() const;

 private:
  uword N_, n_;
  bool with_block_;
};

}  // namespace detail

/// SpSt(2n, 2N) as the homogeneous space Sp(2N)/Sp(2(N−n)) with E = columns 1..n and
/// N+1..N+n of I_{2N}. Write m = N − n and X₁ / X₂ for the first / second half of the columns
/// of a matrix X with an even number of columns.
///
/// **Section**: λ = [U₁, Ū₁, U₂, Ū₂] ∈ Sp(2N) (λE = U exactly), where Ū (2N×2m) is a
/// symplectic basis of the symplectic complement {x : UᵀJx = 0}. λ⁻¹ = −JλᵀJ is never
/// formed. The first Ū (and every re-completion) is deterministic and in normal form: the
/// symplectic basis of the complement with mutually orthogonal columns, pairs
/// ‖e_j‖² = ‖f_j‖² = 1/σ_j (σ_j the singular values of ω on the complement, descending), the
/// most orthogonal one (‖Ū‖²_F = Σ 2/σ_j). Built in O(N²n) through ℝ^{2N} ≅ ℂ^N (J ↔ −i):
/// the full complex Householder Q of U_top + iU_bottom splits the complement into a part
/// with σ = 1 (pairs [Re q; Im q], Jᵀ[Re q; Im q]) and a 2n-dimensional rest (a 2n×2n
/// Hermitian eigenproblem iΩ(x + iy) = σ(x + iy), Ω = QᵀJQ: Ū ∋ √(2/σ_j)Q y_j, √(2/σ_j)Q x_j);
/// docs/symplectic.md, "Section and completion". Unique up to an orthogonal symplectic g.
///
/// **Horizontal space** (standard order): V = [[A, B], [C, −Aᵀ]] ∈ 𝔰𝔭(2N) with
/// A = [[A₁, A₂ᵀ], [A₃, 0]], B = [[B₁, B₂ᵀ], [B₂, 0]], C = [[C₁, C₂ᵀ], [C₂, 0]],
/// A₁ ∈ ℝ^{n×n}, B₁, C₁ symmetric n×n, A₂, A₃, B₂, C₂ ∈ ℝ^{m×n}: dimension 4Nn − 2n² + n.
/// In the paired order [U, Ū] this is Ṽ = [[S, J_{2n}KᵀJ_{2m}], [K, 0]] with
/// S = [[A₁, B₁], [C₁, −A₁ᵀ]] ∈ 𝔰𝔭(2n) and K = [[A₃, B₂], [C₂, −A₂]] ∈ ℝ^{2m×2n}.
///
/// **Packing** (checkpoint format and cross-language contract), 0-based, in this order:
///   1. A₁ column-major (n² entries);
///   2. B₁: lower triangle with diagonal, column by column (B₁(0,0), B₁(1,0), …, B₁(n−1,0),
///      B₁(1,1), …, B₁(n−1,n−1)): n(n+1)/2 entries;
///   3. C₁ the same way: n(n+1)/2 entries;
///   4. K = [[A₃, B₂], [C₂, −A₂]] (2m×2n) column-major: 4mn entries.
///
/// **Lift** of G = ∂L/∂U (the gradient of c ↦ L(λ·Retr(V(c))·E) at c = 0, i.e. of
/// c ↦ ⟨G, λV(c)E⟩ = ⟨UᵀG, S⟩ + ⟨ŪᵀG, K⟩): with H = UᵀG = [[H₁₁, H₁₂], [H₂₁, H₂₂]],
///   A₁ = H₁₁ − H₂₂ᵀ;  B₁ packed from H₁₂, C₁ from H₂₁ (entry (i,i) ← H_ii,
///   entry (i,j), i > j ← H_ij + H_ji);  K = ŪᵀG.  (≈ 16Nmn + 16Nn² flops)
/// **Metric implied**: the lift is the gradient for g_λ(λV(c)E, λV(c′)E) = cᵀc′, the
/// Euclidean inner product of packed coordinates pulled back through the current section
/// λ. It is positive definite, but — unlike Stiefel's canonical metric — it depends on the
/// section (Sp(2m) acts non-orthogonally on K), so it is a section-dependent Riemannian
/// metric; riemannian_gradient uses the deterministic section of the point.
///
/// **Retraction** in low-rank form Ṽ = 𝒰𝒲ᵀ, 𝒰 = [[S/2, I], [K, 0]] (2N×4n),
/// 𝒲ᵀ = [[I, 0], [S/2, J KᵀJ]] (4n×2N), X = 𝒲ᵀ𝒰 = [[S/2, I], [S²/4 + JKᵀJK, S/2]] (4n×4n):
///   Cayley (I − V/2)⁻¹(I + V/2) = I + 𝒰(I − X/2)⁻¹𝒲ᵀ (a 4n×4n solve, Woodbury);
///   geodesic exp(V) = I + 𝒰φ(X)𝒲ᵀ, φ(X) = Σ_{k≥1} X^{k−1}/k! — exact; t ↦ λexp(tV)E is
///   the geodesic of the (indefinite) pseudo-Riemannian metric induced by the bi-invariant
///   form tr(XY) of Sp(2N) (𝔤ʰᵒʳ is the tr(XY)-orthogonal complement of the isotropy
///   algebra), not of the coordinate metric above.
/// **Section update** λ̃ ← λ̃(I + 𝒰M𝒲ᵀ): with P = [US/2 + ŪK, U]·M = [P₁, P₂],
///   U ← U + P₁ + P₂S/2,  Ū ← Ū + P₂(JKᵀJ)   (≈ 32Nmn + 96Nn² flops, never O(N³)).
///
/// **Drift and conditioning** (checked after every update):
///  - ‖UᵀJU − J‖_F (O(Nn²)) above min(1e-11, 1e-13·max(2n, ‖U‖²_F)) → λ is re-symplectified
///    by Newton steps λ̃ ← λ̃(I + ½J̃Δ′), Δ′ = the blocks UᵀJU − J, UᵀJŪ of Δ = λ̃ᵀJλ̃ − J̃
///    (O(N²n), rare; changes λ only by the drift). If the residual still exceeds tolerance() = 1e-10 (a diverging method: the
///    rounding floor ≈ ε‖U‖²_F has grown too large), retracted throws
///    InvalidArgument("velocity", …) and nothing changes. So every point the optimizer
///    holds satisfies check(U) ≤ tolerance().
///  - λ is not orthogonal and products of symplectic factors can let Ū degenerate. The
///    normal-form completion satisfies ‖Ū‖²_F ≤ 2m + ‖U‖²_F (the symplectic form has the
///    same singular values σ < 1 on span(U) and on its complement — a CS-decomposition
///    argument on J — and the normal form minimizes ‖·‖²_F = Σ 2/σ_j over symplectic bases
///    of a subspace); when the cheap proxy ‖Ū‖²_F
///    (O(Nm)) exceeds twice that bound, Ū is re-completed from U (O(N²n), rare). The method
///    state keeps its coordinates across a re-completion, i.e. the K block of 𝔤ʰᵒʳ is
///    re-based by an element of Sp(2m) at that step.
class SymplecticStiefel : public detail::SymplecticSpace {
 public:
  /// SpSt(2n, 2N); requires 1 ≤ n ≤ N ≤ 23170 (InvalidArgument naming "n" or "N").
  SymplecticStiefel(uword N, uword n) : SymplecticSpace(N, n, true) {}
  std::string name() const override { return "SymplecticStiefel"; }
  /// "SymplecticStiefel(N=…, n=…)".
  std::string description() const override { return describe(); }
  std::unique_ptr<Manifold> clone() const override {
    return std::make_unique<SymplecticStiefel>(*this);
  }
};

}  // namespace homopt
