// homopt (private) — the section λ = [Y, Ȳ] ∈ O(N) shared by Stiefel and Grassmann.
#pragma once

#include <memory>

#include "homopt/manifold.hpp"

namespace homopt::detail {

/// λ = [Y, Ȳ] ∈ O(N) with the low-rank retraction of docs/mathematics.md. `with_skew_block`
/// selects Stiefel (𝔤ʰᵒʳ has the skew block A) or Grassmann (A ≡ 0).
///
/// Steps update λ in place in two phases (Section::prepare_retraction/commit_retraction;
/// docs/architecture.md, "Fast paths"): prepare forms every small factor and the new Y in a
/// workspace kept by the section and runs every check; commit swaps the new Y in and applies
/// Ȳ ← Ȳ − P₂Bᵀ to Ȳ itself (one gemm with β = 1), so a step allocates nothing and touches
/// no fresh pages. When Ȳ must be inspected before committing (a sampled drift check, or a
/// step whose finiteness is not proved by the bound of prepare_retraction), the new Ȳ is
/// formed in a second buffer kept for that purpose and swapped in at commit (double
/// buffering). For n ≤ 16 and N ≤ small_step_max_rows the products are the loops of
/// small_kernels.hpp and the Cayley system is inverted in place, with no BLAS/LAPACK call.
/// Not for concurrent use: the step workspace is shared by prepare and commit.
class OrthogonalSection : public Section {
 public:
  OrthogonalSection(Mat point, Mat complement, bool with_skew_block);
  /// Copies λ; the copy starts with an empty workspace and no pending step.
  OrthogonalSection(const OrthogonalSection& other);
  OrthogonalSection& operator=(const OrthogonalSection&) = delete;

  /// Largest N of the small-size path (with n ≤ small_step_max_cols).
  static constexpr uword small_step_max_rows = 64;
  /// Largest n of the small-size path.
  static constexpr uword small_step_max_cols = 16;
  /// True if a section of N×n points steps through small_kernels.hpp instead of BLAS/LAPACK.
  static bool uses_small_kernels(uword N, uword n) {
    return n <= small_step_max_cols && N <= small_step_max_rows;
  }

  /// Householder QR completion: Ȳ = columns n+1..N of the full Q of Y = QR; λE = Y exactly.
  static std::unique_ptr<OrthogonalSection> complete(const Mat& point, bool with_skew_block);

  const Mat& point() const override { return point_; }
  /// The orthonormal complement Ȳ (N×(N−n)).
  const Mat& complement() const { return complement_; }
  /// Packed [strict lower triangle of A = YᵀG − GᵀY (Stiefel only); B = ȲᵀG column-major].
  Vec lift(const Mat& euclidean_gradient) const override;
  /// lift(G) into `coordinates` (no allocation when it has the size).
  void lift_into(const Mat& euclidean_gradient, Vec& coordinates) const override;
  /// λ(I + U M Wᵀ) via Y ← Y + P₁ + P₂A/2, Ȳ ← Ȳ − P₂Bᵀ (class doc of OrthonormalFrames):
  /// a copy of `*this` stepped by prepare_retraction and commit_retraction.
  std::unique_ptr<Section> retracted(const Vec& velocity, Retraction retraction) const override;
  /// Phase 1 of the in-place step (Section::prepare_retraction): with H = A/2 and B from the
  /// velocity, X = [[H, I], [H² − BᵀB, H]], M = (I − X/2)⁻¹ (Cayley) or φ(X) (geodesic),
  /// λU = [YH + ȲB, Y], P = (λU)M = [P₁, P₂], Y' = Y + P₁ + P₂H; checks Y' finite,
  /// ‖Y'ᵀY' − I‖_F ≤ OrthonormalFrames::residual_tolerance and that Ȳ' = Ȳ − P₂Bᵀ is finite.
  /// Throws InvalidArgument("velocity", …) otherwise; always returns true.
  bool prepare_retraction(const Vec& velocity, Retraction retraction) override;
  /// Phase 2: Y ← Y', Ȳ ← Ȳ − P₂Bᵀ (in place, or the buffer formed by phase 1). No throw.
  void commit_retraction() override;
  /// True: SectionPolicy::redraw applies.
  bool accepts_complement_redraw() const override { return true; }
  /// Ȳ' = Ȳ'ₜQ: Ȳ'ₜ the transported complement of the pending step and
  /// Q = orthonormal_factor(standard_normal_matrix(N − n, N − n, seed)), a Haar-random
  /// orthogonal matrix, so Ȳ' is distributed as the Q factor of (I − Y'Y'ᵀ)Z for an N×(N−n)
  /// standard normal Z (Ȳ'ₜᵀZ is m×m standard normal) but orthonormal and ⟂ Y' to rounding.
  /// O(N(N−n)²) flops; commit then swaps it in. std::logic_error without a pending step.
  void redraw_pending_complement(std::uint64_t seed) override;
  /// [Y, Ȳ].
  Mat group_element() const override { return arma::join_rows(point_, complement_); }
  /// {Y, Ȳ}.
  std::vector<Mat> state() const override { return {point_, complement_}; }
  std::unique_ptr<Section> clone() const override {
    return std::make_unique<OrthogonalSection>(*this);
  }

 private:
  /// True if the new point (with ‖YᵀY − I‖_F = point_residual) needs the full drift check:
  /// point_residual > reorthonormalize_threshold or a sampled 1/period of the steps
  /// (section_drift.hpp).
  static bool drift_check_due(const Mat& point, real point_residual);
  /// Keeps λ = [Y, Ȳ] orthonormal after an update (section_drift.hpp): forms ‖λᵀλ − I‖_F
  /// and above SectionDriftCheck::repair_threshold() repairs λ by Newton–Schulz steps
  /// (Y ← Y(3I − YᵀY)/2, Ȳ ← Ȳ − YC − ȲF/2), which move Y and Ȳ by O(drift) and keep
  /// span(Y). Above `large_drift` (not reachable by rounding) Householder QR of λ instead.
  static void repair_drift(Mat& point, Mat& complement);
  static constexpr real large_drift = 1e-3;

  /// X = [[H, I], [H² − BᵀB, H]] and M of the retraction into the workspace.
  void prepare_core(Retraction retraction);
  /// λU and P = (λU)M and Y' = Y + P₁ + P₂H into the workspace.
  void prepare_new_point();
  /// complement ← complement − P₂Bᵀ with the pending P₂ and B.
  void subtract_rank_update(Mat& complement) const;

  /// The buffers of a step (reused across steps; not part of the section's value).
  struct Workspace {
    Mat half_A;          // H = A/2 (n×n; zero for Grassmann)
    Mat B;               // B (m×n), copied from the velocity
    Mat X;               // X = WᵀU (2n×2n)
    Mat M;               // the retraction's M (2n×2n)
    Mat lambda_U;        // λU = [YH + ȲB, Y] (N×2n)
    Mat P;               // (λU)M = [P₁, P₂] (N×2n)
    Mat new_point;       // Y' (N×n)
    Mat new_complement;  // Ȳ' when formed before commit (N×m): the second buffer
    bool pending = false;            // a prepared step waits for commit
    bool complement_formed = false;  // new_complement holds Ȳ' (else commit updates Ȳ in place)
  };

  Mat point_;       // Y, N×n
  Mat complement_;  // Ȳ, N×(N−n)
  bool with_skew_block_;
  Workspace workspace_;
};

/// Number of packed entries of an n×n skew matrix: n(n−1)/2.
inline uword skew_coordinate_count(uword n) { return n * (n - 1) / 2; }
/// The skew n×n matrix whose strict lower triangle (column by column) is `packed`.
Mat unpack_skew(const real* packed, uword n);
/// Writes the strict lower triangle of `skew` column by column to `packed`.
void pack_strict_lower(const Mat& skew, real* packed);


}  // namespace homopt::detail

namespace homopt::detail {

/// Validates 1 ≤ n ≤ N (Stiefel, Grassmann and the symplectic spaces).
void require_frame_sizes(uword N, uword n);
/// ‖YᵀY − I‖_F after validating the shape N×n and finiteness.
real orthonormality_residual(const Mat& point, uword N, uword n, const char* argument);
/// Validates `point` (shape, finite, residual ≤ tolerance) and completes it to λ.
std::unique_ptr<Section> orthonormal_section(const Mat& point, uword N, uword n, real tolerance,
                                             bool with_skew_block, const char* argument);
/// ‖λᵀλ − I‖_F accepted for a loaded section: max(tolerance, 100·ε·N) (the rounding of an
/// orthogonal N×N matrix grows like ε·N in this norm).
real orthogonal_section_state_tolerance(uword N, real tolerance);
/// Rebuilds λ = [Y, Ȳ] from {Y, Ȳ}, validating sizes, finiteness, ‖YᵀY − I‖_F ≤ tolerance
/// and ‖λᵀλ − I‖_F ≤ orthogonal_section_state_tolerance(N, tolerance) (≈ N³ flops).
std::unique_ptr<Section> orthonormal_section_from_state(const std::vector<Mat>& state, uword N,
                                                        uword n, real tolerance,
                                                        bool with_skew_block);
/// Throws InvalidArgument("coordinates", …) unless the vector has `dimension` entries.
void require_coordinate_count(const Vec& coordinates, uword dimension);

}  // namespace homopt::detail
