// homopt-train — what is kept on disk about a run besides its optimizer checkpoint:
// settings and metrics (RUN.run, key=value text), and the combined metrics.csv.
#pragma once

#include <string>
#include <vector>

#include "homopt/nn/trainer.hpp"

namespace homopt::train {

/// One row of metrics.csv.
struct MetricsRow {
  uword epoch = 0;
  real train_loss = 0, test_accuracy = 0, max_orthogonality_error = 0, seconds = 0;
};

/// A run's settings (all that is needed, with its checkpoint, to continue it exactly) and
/// its metrics so far.
struct RunRecord {
  std::string name;
  uword order = 0;  ///< position in the invocation (metrics.csv and plot order)
  std::string optimizer;
  nn::Constraint constraint = nn::Constraint::stiefel;
  nn::Loss loss = nn::Loss::paper;
  nn::TransformerShape shape;  ///< includes attention_skip
  nn::Initialization initialization = nn::Initialization::homopt;
  uword batch_size = 0;
  std::uint64_t seed = 0;
  uword train_images = 0, test_images = 0;
  uword epochs = 0;  ///< epochs asked for
  std::vector<MetricsRow> metrics;

  /// The text of RUN.run (reals printed with 17 significant digits: exact round trip).
  std::string to_text() const;
  /// Parses RUN.run; FileError naming `origin` on anything unexpected.
  static RunRecord from_text(const std::string& text, const std::string& origin);
};

/// DIR/NAME.checkpoint and DIR/NAME.run.
std::string checkpoint_path(const std::string& directory, const std::string& name);
std::string record_path(const std::string& directory, const std::string& name);
/// The RUN.run belonging to a RUN.checkpoint path (FileError unless it ends in .checkpoint).
std::string record_path_for_checkpoint(const std::string& checkpoint);

/// The text of metrics.csv: header run,epoch,train_loss,test_accuracy,max_orthogonality_error,seconds
/// and one row per run and epoch, runs in their order.
std::string metrics_csv(const std::vector<RunRecord>& runs);

/// Every RUN.run in `directory` that has its RUN.checkpoint, sorted by order then name
/// (FileError on unreadable ones). A RUN.run without a checkpoint is an incomplete run (see
/// incomplete_records) and is skipped.
std::vector<RunRecord> read_records(const std::string& directory);

/// The RUN.run files of `directory` without their RUN.checkpoint: left by a run killed after
/// writing its first record and before its first checkpoint. They hold nothing that can be
/// resumed; a new run in the folder removes them.
std::vector<std::string> incomplete_records(const std::string& directory);

/// Throws FileError naming `directory` (and the system's reason) unless a file can be
/// created, renamed and removed in it — checked before any training, so that a read-only
/// output fails at once instead of after an epoch.
void require_writable_directory(const std::string& directory);

/// Readies an existing output folder for a run: removes the temporaries of killed writes
/// (remove_stale_temporaries) and the incomplete records; returns the removed paths.
std::vector<std::string> clean_output_folder(const std::string& directory);

}  // namespace homopt::train
