#include "homopt/nn/trainer.hpp"

#include <chrono>
#include <cmath>
#include <random>

#include "homopt/error.hpp"

namespace homopt::nn {

namespace {

/// The side p of the patches of a model with token dimension dim = p² (InvalidArgument
/// unless the images fit the model).
data::PatchLayout layout_for(const TransformerShape& shape, const data::LabeledImages& set) {
  const uword p = static_cast<uword>(std::lround(std::sqrt(real(shape.dim))));
  const uword rows = set.images.rows, cols = set.images.cols;
  if (p * p != shape.dim || rows % p != 0 || cols % p != 0 || (rows / p) * (cols / p) != shape.tokens)
    throw InvalidArgument("train", std::to_string(rows) + "x" + std::to_string(cols) +
                                       " images do not fit a model with token dimension " + std::to_string(shape.dim) +
                                       " and " + std::to_string(shape.tokens) + " tokens (square patches)");
  return data::PatchLayout(rows, cols, p);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Trainer::Trainer(Transformer& model, Optimizer& optimizer, const data::LabeledImages& train,
                 const data::LabeledImages& test, Loss loss, uword batch_size, std::uint64_t seed)
    : model_(model), optimizer_(optimizer), train_(train), test_(test), loss_(loss), batch_size_(batch_size),
      seed_(seed), batches_per_epoch_(0), layout_(layout_for(model.shape(), train)) {
  if (batch_size == 0) throw InvalidArgument("batch_size", "must be ≥ 1");
  if (train.size() == 0) throw InvalidArgument("train", "holds no images");
  if (test.images.rows != train.images.rows || test.images.cols != train.images.cols)
    throw InvalidArgument("test", "images differ in size from the training images");
  for (const data::LabeledImages* set : {&train, &test})
    for (std::uint8_t label : set->labels)
      if (label >= model.shape().classes)
        throw InvalidArgument(set == &train ? "train" : "test",
                              "label " + std::to_string(label) + " is not below the class count " +
                                  std::to_string(model.shape().classes));
  model.check_parameters(optimizer, "optimizer");
  batches_per_epoch_ = (train.size() + batch_size - 1) / batch_size;
  if (optimizer.step_count() % batches_per_epoch_ != 0)
    throw InvalidArgument("optimizer", "has taken " + std::to_string(optimizer.step_count()) +
                                           " steps, not a whole number of epochs of " +
                                           std::to_string(batches_per_epoch_) + " batches");
  gradients_ = model.zero_gradients();
}

uword Trainer::epochs_completed() const { return optimizer_.step_count() / batches_per_epoch_; }

void Trainer::load_batch(const data::LabeledImages& set, const uword* indices, uword count) {
  const uword D = layout_.token_dimension(), T = layout_.token_count();
  tokens_.set_size(D, T * count);  // shrinking or regrowing within capacity does not allocate
  labels_.set_size(count);
#pragma omp parallel for schedule(static)
  for (uword b = 0; b < count; ++b) {
    layout_.write_tokens(set.images.image(indices[b]), tokens_.colptr(b * T));
    labels_[b] = set.labels[indices[b]];
  }
}

EpochSummary Trainer::train_epoch(const std::function<void(const BatchProgress&)>& progress) {
  const auto start = std::chrono::steady_clock::now();
  EpochSummary summary;
  summary.epoch = epochs_completed() + 1;
  const uword n = train_.size();
  {
    const PhaseTimer timer(profile_, Phase::data);
    order_ = arma::regspace<arma::uvec>(0, n - 1);
    std::mt19937_64 engine(derived_seed(seed_, summary.epoch - 1));
    for (uword i = n - 1; i > 0; --i) std::swap(order_[i], order_[engine() % (i + 1)]);
  }

  real weighted_loss = 0;
  BatchProgress state;
  state.batches = batches_per_epoch_;
  for (uword batch = 0; batch < batches_per_epoch_; ++batch) {
    const uword first = batch * batch_size_, count = std::min(batch_size_, n - first);
    real loss = 0;
    {
      const PhaseTimer timer(profile_, Phase::data);
      load_batch(train_, order_.memptr() + first, count);
      values_ = values_of(optimizer_);
    }
    {
      const PhaseTimer timer(profile_, Phase::model);
      loss = model_.loss_and_gradient(values_, tokens_, labels_.memptr(), loss_, gradients_);
    }
    {
      const PhaseTimer timer(profile_, Phase::optimizer_step);
      optimizer_.step(gradients_);
    }
    weighted_loss += loss * count;
    state.batch = batch + 1;
    state.images = first + count;
    state.running_loss = weighted_loss / state.images;
    state.seconds = seconds_since(start);
    if (progress) progress(state);
  }
  summary.train_loss = weighted_loss / n;
  summary.seconds = seconds_since(start);
  const auto evaluation_start = std::chrono::steady_clock::now();
  const PhaseTimer timer(profile_, Phase::evaluation);
  summary.test_accuracy = accuracy(test_);
  summary.max_orthogonality_error = model_.max_orthogonality_error(values_of(optimizer_));
  summary.evaluation_seconds = seconds_since(evaluation_start);
  return summary;
}

void Trainer::set_profile(PhaseProfile* profile) {
  profile_ = profile;
  model_.set_profile(profile);
}

real Trainer::accuracy(const data::LabeledImages& set) {
  if (set.size() == 0) return 0;
  values_ = values_of(optimizer_);
  const uword n = set.size();
  order_ = arma::regspace<arma::uvec>(0, n - 1);
  predictions_.set_size(batch_size_);
  uword correct = 0;
  for (uword first = 0; first < n; first += batch_size_) {
    const uword count = std::min(batch_size_, n - first);
    load_batch(set, order_.memptr() + first, count);
    model_.predict(values_, tokens_, predictions_.memptr());
    for (uword b = 0; b < count; ++b) correct += predictions_[b] == labels_[b];
  }
  return real(correct) / real(n);
}

}  // namespace homopt::nn
