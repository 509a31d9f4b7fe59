// homopt (private) — keeping the whole section λ = [Y, Ȳ] ∈ O(N) orthonormal over long runs.
//
// Every update λ ← λR rounds, so λᵀλ − I performs a random walk (‖λᵀλ − I‖_F grows like √t).
// The full residual costs O(N·(N−n)²), far more than the O(N²n) step, so it is checked on a
// deterministic sample of the steps (SectionDriftCheck) and repaired by one Newton–Schulz
// step that moves Y and Ȳ only by O(drift) (repair_section_drift).
#pragma once

#include <atomic>
#include <cstdint>

#include "homopt/types.hpp"

namespace homopt::detail {

/// The blocks of λᵀλ − I = [[E, C], [Cᵀ, F]] for λ = [Y, Ȳ]:
/// E = YᵀY − I (n×n), C = YᵀȲ (n×(N−n)), F = ȲᵀȲ − I ((N−n)×(N−n)).
struct SectionDrift {
  Mat point_gram_error;       // E
  Mat cross_gram;             // C
  Mat complement_gram_error;  // F

  /// E, C and F of λ = [point, complement]. Cost ≈ 2Nn² + 2Nn(N−n) + N(N−n)² flops (the
  /// Gram products; ≈ N³ for n ≪ N).
  static SectionDrift measure(const Mat& point, const Mat& complement);

  /// ‖λᵀλ − I‖_F = √(‖E‖_F² + 2‖C‖_F² + ‖F‖_F²).
  real norm() const;
};

/// Repairs λ to first order without moving span(Y) (one Newton–Schulz step on Y, then Ȳ
/// projected off Y and one Newton–Schulz step on Ȳ, fused into one product):
///   Y ← Y − Y·E/2                 (= Y(3I − YᵀY)/2, the first-order polar factor of Y),
///   Ȳ ← Ȳ − Y·C − Ȳ·F/2           (= [Y, Ȳ]·[−C; I − F/2]).
/// Each factor moves by O(‖λᵀλ − I‖) and the new residual is O(‖λᵀλ − I‖²) plus rounding.
/// Cost ≈ 2Nn² + 2Nn(N−n) + 2N(N−n)² flops.
void repair_section_drift(Mat& point, Mat& complement, const SectionDrift& drift);

/// When to form the full residual and when to repair. Per step the caller already has
/// ‖YᵀY − I‖_F (O(Nn²)); the full check runs
///  - always when ‖YᵀY − I‖_F > OrthonormalFrames::reorthonormalize_threshold (1e-13), and
///  - otherwise on a deterministic pseudo-random sample of the steps with rate 1/period,
///    decided by a hash of the bits of the new point (so a run resumed from a checkpoint
///    samples exactly the steps an uninterrupted run samples).
/// period = max(16, ⌈100 · check flops / step flops⌉) with check ≈ 2Nnm + Nm² and
/// step ≈ 6Nnm + 16Nn² (m = N − n): the amortized cost of the check is ≈ 1 % of a step.
class SectionDriftCheck {
 public:
  SectionDriftCheck(uword N, uword n);

  /// Repair when ‖λᵀλ − I‖_F exceeds this: max(5e-14, 4e-15·√N). 5e-14 leaves room for
  /// the drift between two sampled checks below 1e-13 (measured in docs/reliability.md,
  /// "Long runs"); the rounding floor of a repaired (or Householder) λ is ≈ 8e-16·√N
  /// (2.2e-15 at N = 49, 3.5e-14 at N = 2048), so the √N term keeps large N from repairing
  /// a freshly repaired λ again.
  real repair_threshold() const { return repair_threshold_; }
  /// Average number of steps between two sampled full checks.
  std::uint64_t period() const { return period_; }
  /// True on a deterministic pseudo-random 1/period of the points (hash of the bits of
  /// the first and last entries of `point`).
  bool sampled(const Mat& point) const;

 private:
  real repair_threshold_;
  std::uint64_t period_;
};

/// Process-wide counters of the drift control (diagnostics for bench/long_run_accuracy;
/// relaxed atomics, touched only when a full check runs).
struct SectionDriftStatistics {
  std::atomic<std::uint64_t> full_checks{0};        // ‖λᵀλ − I‖_F formed
  std::atomic<std::uint64_t> repairs{0};            // Newton–Schulz repairs applied
  std::atomic<std::uint64_t> householder_repairs{0};  // QR fallbacks (drift > large_drift)
};
SectionDriftStatistics& section_drift_statistics();

}  // namespace homopt::detail
