// homopt (private) — the section λ = [Y, Ȳ] ∈ O(N) shared by Stiefel and Grassmann.
#pragma once

#include <memory>

#include "homopt/manifold.hpp"

namespace homopt::detail {

/// λ = [Y, Ȳ] ∈ O(N) with the low-rank retraction of docs/mathematics.md. `with_skew_block`
/// selects Stiefel (𝔤ʰᵒʳ has the skew block A) or Grassmann (A ≡ 0).
class OrthogonalSection : public Section {
 public:
  OrthogonalSection(Mat point, Mat complement, bool with_skew_block);

  /// Householder QR completion: Ȳ = columns n+1..N of the full Q of Y = QR; λE = Y exactly.
  static std::unique_ptr<OrthogonalSection> complete(const Mat& point, bool with_skew_block);

  const Mat& point() const override { return point_; }
  /// The orthonormal complement Ȳ (N×(N−n)).
  const Mat& complement() const { return complement_; }
  /// Packed [strict lower triangle of A = YᵀG − GᵀY (Stiefel only); B = ȲᵀG column-major].
  Vec lift(const Mat& euclidean_gradient) const override;
  /// λ(I + U M Wᵀ) via Y ← Y + P₁ + P₂A/2, Ȳ ← Ȳ − P₂Bᵀ (class doc of OrthonormalFrames).
  std::unique_ptr<Section> retracted(const Vec& velocity, Retraction retraction) const override;
  /// [Y, Ȳ].
  Mat group_element() const override { return arma::join_rows(point_, complement_); }
  /// {Y, Ȳ}.
  std::vector<Mat> state() const override { return {point_, complement_}; }
  std::unique_ptr<Section> clone() const override {
    return std::make_unique<OrthogonalSection>(*this);
  }

 private:
  /// Keeps λ = [Y, Ȳ] orthonormal after an update (section_drift.hpp). `point_residual` =
  /// ‖YᵀY − I‖_F of the new point. Forms ‖λᵀλ − I‖_F when point_residual >
  /// reorthonormalize_threshold or on a sampled 1/period of the steps, and above
  /// SectionDriftCheck::repair_threshold() repairs λ by Newton–Schulz steps
  /// (Y ← Y(3I − YᵀY)/2, Ȳ ← Ȳ − YC − ȲF/2), which move Y and Ȳ by O(drift) and keep
  /// span(Y). Above `large_drift` (not reachable by rounding) Householder QR of λ instead.
  static void repair_drift(Mat& point, Mat& complement, real point_residual);
  static constexpr real large_drift = 1e-3;

  Mat point_;       // Y, N×n
  Mat complement_;  // Ȳ, N×(N−n)
  bool with_skew_block_;
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
