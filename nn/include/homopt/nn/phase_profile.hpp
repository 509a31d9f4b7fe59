// homopt — an opt-in wall-time profile of training by phase (homopt-train writes it to the
// file named by HOMOPT_TRAIN_PROFILE; bench/report.py turns it into the per-layer table of
// docs/benchmarks.md).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

namespace homopt::nn {

/// The phases of a training epoch. The transformer's phases are summed over its L blocks;
/// inside its parallel region they are the times of thread 0 (every thread runs an equal
/// share of the batch, so thread 0's time is the region's time up to load imbalance).
enum class Phase {
  data,                 ///< shuffle, token assembly of each batch, parameter views
  attention_forward,    ///< MultiHeadAttention::forward + the skip connection Y = X + MHA(X)
  residual_forward,     ///< TanhResidual::forward
  classifier_forward,   ///< LastTokenClassifier::forward, predictions and the loss's partial sums
  classifier_backward,  ///< logits gradient and LastTokenClassifier::backward
  residual_backward,    ///< TanhResidual::backward
  attention_backward,   ///< MultiHeadAttention::backward
  gradient_sum,         ///< the fixed-order sum of the threads' parameter gradients (serial)
  model,                ///< the whole Transformer::loss_and_gradient call (contains the above
                        ///< from attention_forward on, plus checks, barriers and imbalance)
  optimizer_step,       ///< Optimizer::step
  evaluation,           ///< test accuracy and max ‖PᵀP − I‖ after the epoch
};

/// Number of Phase values.
inline constexpr std::size_t phase_count = static_cast<std::size_t>(Phase::evaluation) + 1;

/// The phase's name in the profile file: "data", "attention_forward", … (the enumerator's name).
const char* to_string(Phase phase);

/// Seconds of wall time per phase, summed since construction or the last reset().
class PhaseProfile {
 public:
  /// seconds(phase) += seconds.
  void add(Phase phase, double seconds) { seconds_[static_cast<std::size_t>(phase)] += seconds; }
  /// Σ of the times added to `phase`.
  double seconds(Phase phase) const { return seconds_[static_cast<std::size_t>(phase)]; }
  /// Every phase back to 0.
  void reset() { seconds_.fill(0); }

 private:
  std::array<double, phase_count> seconds_{};
};

/// Adds the steady-clock time from its construction to its destruction to `phase` of
/// `profile`; with a null profile it does nothing (not even read the clock), so an
/// unprofiled run pays one pointer test per timed scope.
class PhaseTimer {
 public:
  PhaseTimer(PhaseProfile* profile, Phase phase) : profile_(profile), phase_(phase) {
    if (profile_ != nullptr) start_ = std::chrono::steady_clock::now();
  }
  ~PhaseTimer() {
    if (profile_ != nullptr)
      profile_->add(phase_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  PhaseProfile* profile_;
  Phase phase_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace homopt::nn
