// homopt — the symplectic Grassmann manifold SpGr(2n, 2N) of 2n-dimensional symplectic
// subspaces of (ℝ^{2N}, J_{2N}) (docs/symplectic.md; Bendokat & Zimmermann, arXiv 2108.12447).
#pragma once

#include "homopt/symplectic_stiefel.hpp"

namespace homopt {

/// SpGr(2n, 2N) = SpSt(2n, 2N)/Sp(2n) = Sp(2N)/(Sp(2n)×Sp(2(N−n))), represented by a
/// symplectic basis U (2N×2n, UᵀJU = J); the point is span(U), so compare results by the
/// symplectic projector P_U = U J_{2n}ᵀ Uᵀ J_{2N} (invariant under U → US, S ∈ Sp(2n)),
/// never by U.
///
/// Everything is SymplecticStiefel's (homopt::SymplecticStiefel) with A₁ = B₁ = C₁ = 0,
/// i.e. S ≡ 0 in the paired form Ṽ = [[0, J_{2n}KᵀJ_{2m}], [K, 0]]:
///   𝔤ʰᵒʳ dimension 4n(N−n); **packing**: K = [[A₃, B₂], [C₂, −A₂]] (2(N−n)×2n)
///   column-major; lift K = ŪᵀG; X = [[0, I], [JKᵀJK, 0]]; section update
///   U ← U + P₁, Ū ← Ū + P₂(JKᵀJ) with P = [ŪK, U]·M. Same section, completion, drift
///   repair and re-completion rule; the same coordinate metric (now on K only); the
///   geodesic retraction is again exact for the pseudo-Riemannian metric of tr(XY).
class SymplecticGrassmann : public detail::SymplecticSpace {
 public:
  /// SpGr(2n, 2N); requires 1 ≤ n ≤ N ≤ 23170 (InvalidArgument naming "n" or "N").
  SymplecticGrassmann(uword N, uword n) : SymplecticSpace(N, n, false) {}
  std::string name() const override { return "SymplecticGrassmann"; }
  /// "SymplecticGrassmann(N=…, n=…)".
  std::string description() const override { return describe(); }
  std::unique_ptr<Manifold> clone() const override {
    return std::make_unique<SymplecticGrassmann>(*this);
  }
};

}  // namespace homopt
