// homopt-train — the per-epoch progress display on stderr.
#pragma once

#include <string>

#include "homopt/nn/trainer.hpp"

namespace homopt::train {

/// Shows batches done, images/s, ETA and the running loss. On a terminal the line is
/// redrawn in place (\r); otherwise a plain line is printed at most every `interval` seconds.
class ProgressDisplay {
 public:
  ProgressDisplay(std::string label, bool terminal, double interval = 10);
  /// Called after every batch.
  void update(const nn::BatchProgress& progress);
  /// Clears the redrawn line (terminal) before the epoch summary is printed.
  void finish();

 private:
  std::string label_;
  bool terminal_;
  double interval_;
  double last_print_ = 0;
  bool drawn_ = false;
};

/// "m:ss" or "h:mm:ss".
std::string format_duration(double seconds);

}  // namespace homopt::train
