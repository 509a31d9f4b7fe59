// The opt-in phase profile of training (nn::PhaseProfile, Trainer::set_profile): it changes
// no number of the training, every phase of a training epoch gets time, the layer phases fit
// inside the model call and the epoch, and passes without gradients are not counted.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>

#include "homopt/methods.hpp"
#include "homopt/nn/trainer.hpp"
#include "synthetic_images.hpp"

namespace nn = homopt::nn;
namespace data = homopt::data;

namespace {

/// A two-block model, its optimizer and trainer on 120 training and 40 test images.
struct Setup {
  data::LabeledImages train = nn::testing::synthetic_images(120, 1), test = nn::testing::synthetic_images(40, 2);
  nn::Transformer model{nn::testing::two_blocks(), nn::Constraint::stiefel};
  homopt::Optimizer optimizer{homopt::Adam(1e-3)};
  std::unique_ptr<nn::Trainer> trainer;

  Setup() {
    model.add_parameters(optimizer, 3);
    trainer = std::make_unique<nn::Trainer>(model, optimizer, train, test, nn::Loss::paper, 40, 5);
  }
};

constexpr nn::Phase layer_phases[] = {nn::Phase::attention_forward,  nn::Phase::residual_forward,
                                      nn::Phase::classifier_forward, nn::Phase::classifier_backward,
                                      nn::Phase::residual_backward,  nn::Phase::attention_backward,
                                      nn::Phase::gradient_sum};

}  // namespace

TEST_CASE("phase names are the ones bench/report.py reads", "[nn][profile]") {
  std::set<std::string> names;
  for (std::size_t k = 0; k < nn::phase_count; ++k) names.insert(nn::to_string(static_cast<nn::Phase>(k)));
  CHECK(names == std::set<std::string>{"data", "attention_forward", "residual_forward", "classifier_forward",
                                       "classifier_backward", "residual_backward", "attention_backward",
                                       "gradient_sum", "model", "optimizer_step", "evaluation"});
}

TEST_CASE("a profiled epoch trains exactly like an unprofiled one and times every phase", "[nn][profile]") {
  nn::set_thread_count(1);
  Setup plain, profiled;
  nn::PhaseProfile profile;
  profiled.trainer->set_profile(&profile);
  const nn::EpochSummary expected = plain.trainer->train_epoch();
  const nn::EpochSummary summary = profiled.trainer->train_epoch();
  CHECK(summary.train_loss == expected.train_loss);
  CHECK(summary.test_accuracy == expected.test_accuracy);
  for (std::size_t i = 0; i < plain.optimizer.size(); ++i)
    CHECK(arma::approx_equal(profiled.optimizer.value(i), plain.optimizer.value(i), "absdiff", 0.0));

  double layers = 0;
  for (nn::Phase phase : layer_phases) {
    INFO(nn::to_string(phase));
    CHECK(profile.seconds(phase) > 0);
    layers += profile.seconds(phase);
  }
  for (nn::Phase phase : {nn::Phase::data, nn::Phase::model, nn::Phase::optimizer_step, nn::Phase::evaluation}) {
    INFO(nn::to_string(phase));
    CHECK(profile.seconds(phase) > 0);
  }
  // Nested timers: the layers run inside the model call, which runs inside the epoch's loop.
  CHECK(layers <= profile.seconds(nn::Phase::model));
  CHECK(profile.seconds(nn::Phase::data) + profile.seconds(nn::Phase::model) +
            profile.seconds(nn::Phase::optimizer_step) <=
        summary.seconds);

  // Forward passes without gradients (accuracy, loss) are not training: nothing is added.
  const nn::PhaseProfile before = profile;
  profiled.trainer->accuracy(profiled.test);
  for (std::size_t k = 0; k < nn::phase_count; ++k)
    CHECK(profile.seconds(static_cast<nn::Phase>(k)) == before.seconds(static_cast<nn::Phase>(k)));

  profile.reset();
  for (std::size_t k = 0; k < nn::phase_count; ++k) CHECK(profile.seconds(static_cast<nn::Phase>(k)) == 0);
}

TEST_CASE("without a profile the trainer and the model time nothing", "[nn][profile]") {
  nn::set_thread_count(1);
  Setup setup;
  nn::PhaseProfile profile;
  setup.trainer->set_profile(&profile);
  setup.trainer->set_profile(nullptr);  // switched off again, the model too
  setup.trainer->train_epoch();
  for (std::size_t k = 0; k < nn::phase_count; ++k) CHECK(profile.seconds(static_cast<nn::Phase>(k)) == 0);
}
