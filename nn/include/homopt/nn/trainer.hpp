// homopt — mini-batch training of the vision transformer on labeled images.
#pragma once

#include <cstdint>
#include <functional>

#include "homopt/data/idx.hpp"
#include "homopt/data/patches.hpp"
#include "homopt/nn/phase_profile.hpp"
#include "homopt/nn/transformer.hpp"

namespace homopt::nn {

/// Result of one epoch.
struct EpochSummary {
  uword epoch = 0;                     ///< 1-based
  real train_loss = 0;                 ///< mean of the batch losses, weighted by batch size
  real test_accuracy = 0;              ///< fraction of test images classified correctly
  real max_orthogonality_error = 0;    ///< max ‖PᵀP − I‖_F over all projections, after the epoch
  real seconds = 0;                    ///< wall time of the training part (without evaluation)
  real evaluation_seconds = 0;         ///< wall time of the test evaluation
};

/// Reported after every batch.
struct BatchProgress {
  uword batch = 0;        ///< batches done in this epoch
  uword batches = 0;      ///< batches per epoch
  uword images = 0;       ///< images done in this epoch
  real running_loss = 0; ///< mean loss so far in this epoch
  real seconds = 0;       ///< since the epoch started
};

/// Trains `model`'s parameters held by `optimizer` (added by model.add_parameters or loaded
/// from a checkpoint) on `train`, evaluating on `test`.
///
/// Epoch e (0-based) visits the training images in the order of a Fisher–Yates shuffle
/// driven by std::mt19937_64 seeded from (seed, e), in batches of `batch_size` (the last
/// one smaller if batch_size does not divide the training set). One optimizer step per
/// batch, so the epochs completed are optimizer.step_count() / batches_per_epoch(): a run
/// resumed from a checkpoint continues exactly where it stopped.
class Trainer {
 public:
  /// Validates that the images fit the model (dim = p², p divides the image sides,
  /// tokens = rows·cols/dim), that every label is < classes, that batch_size ≥ 1 and that
  /// the optimizer holds the model's parameters after a whole number of epochs.
  /// Keeps references to all arguments.
  Trainer(Transformer& model, Optimizer& optimizer, const data::LabeledImages& train,
          const data::LabeledImages& test, Loss loss, uword batch_size, std::uint64_t seed);

  uword batches_per_epoch() const { return batches_per_epoch_; }
  uword epochs_completed() const;

  /// Trains one epoch, then evaluates; `progress` (if set) is called after every batch.
  EpochSummary train_epoch(const std::function<void(const BatchProgress&)>& progress = {});

  /// Fraction of `set` classified correctly by the current parameters.
  real accuracy(const data::LabeledImages& set);

  /// Opt-in timing: while `profile` is not null, train_epoch adds the wall time of its phases
  /// (data, model, optimizer_step, evaluation; see Phase) to it, and the model its layer phases
  /// (Transformer::set_profile). The caller owns `profile`.
  void set_profile(PhaseProfile* profile);

 private:
  /// Fills tokens_ and labels_ with the images indices[0..count).
  void load_batch(const data::LabeledImages& set, const uword* indices, uword count);

  Transformer& model_;
  Optimizer& optimizer_;
  const data::LabeledImages& train_;
  const data::LabeledImages& test_;
  Loss loss_;
  uword batch_size_;
  std::uint64_t seed_;
  uword batches_per_epoch_;
  data::PatchLayout layout_;
  Mat tokens_;
  arma::uvec labels_, predictions_, order_;
  std::vector<Mat> gradients_;
  ParameterValues values_;
  PhaseProfile* profile_ = nullptr;  ///< not owned; null: no timing
};

}  // namespace homopt::nn
