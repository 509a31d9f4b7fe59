// Short end-to-end training of the transformer on small synthetic images: the loss falls,
// the projections stay orthonormal, and a run resumed from a checkpoint continues exactly.
#include <catch2/catch.hpp>

#include <cmath>

#include "homopt/methods.hpp"
#include "homopt/nn/trainer.hpp"
#include "homopt/random.hpp"
#include "synthetic_images.hpp"

namespace nn = homopt::nn;
namespace data = homopt::data;
using homopt::Mat;
using homopt::real;
using homopt::uword;

using nn::testing::synthetic_images;
using nn::testing::two_blocks;

TEST_CASE("training on synthetic images lowers the loss and keeps PᵀP = I", "[nn][train]") {
  nn::set_thread_count(1);
  const data::LabeledImages train = synthetic_images(400, 1), test = synthetic_images(200, 2);
  for (nn::Loss loss : {nn::Loss::paper, nn::Loss::cross_entropy}) {
    DYNAMIC_SECTION("loss " << nn::to_string(loss)) {
      nn::Transformer model(two_blocks(), nn::Constraint::stiefel);
      homopt::Optimizer optimizer{homopt::Adam(3e-3)};
      model.add_parameters(optimizer, 7);
      nn::Trainer trainer(model, optimizer, train, test, loss, 50, 11);
      CHECK(trainer.batches_per_epoch() == 8);
      const real accuracy_before = trainer.accuracy(test);
      nn::EpochSummary first, last;
      uword progress_calls = 0;
      for (int epoch = 0; epoch < 4; ++epoch) {
        last = trainer.train_epoch([&](const nn::BatchProgress& p) {
          ++progress_calls;
          CHECK(p.batches == 8);
        });
        if (epoch == 0) first = last;
      }
      CHECK(progress_calls == 32);
      CHECK(trainer.epochs_completed() == 4);
      CHECK(optimizer.step_count() == 32);
      INFO("loss " << first.train_loss << " -> " << last.train_loss << ", accuracy " << accuracy_before << " -> "
                   << last.test_accuracy);
      CHECK(last.train_loss < 0.9 * first.train_loss);
      CHECK(last.test_accuracy > accuracy_before + 0.3);
      CHECK(last.max_orthogonality_error < 1e-13);
      CHECK(model.max_orthogonality_error(nn::values_of(optimizer)) == last.max_orthogonality_error);
    }
  }
}

TEST_CASE("a resumed run continues exactly and the same seed gives the same run", "[nn][train]") {
  nn::set_thread_count(1);
  const data::LabeledImages train = synthetic_images(130, 3), test = synthetic_images(40, 4);
  auto fresh = [&](nn::Constraint constraint) {
    nn::Transformer model(two_blocks(), constraint);
    homopt::Optimizer optimizer{homopt::Adam()};
    model.add_parameters(optimizer, 5);
    return std::make_pair(model, optimizer);
  };
  for (nn::Constraint constraint : {nn::Constraint::stiefel, nn::Constraint::none}) {
    DYNAMIC_SECTION("constraint " << nn::to_string(constraint)) {
      auto [model_a, optimizer_a] = fresh(constraint);
      nn::Trainer straight(model_a, optimizer_a, train, test, nn::Loss::paper, 32, 9);  // 5 batches, last of 2
      std::vector<nn::EpochSummary> a;
      for (int epoch = 0; epoch < 3; ++epoch) a.push_back(straight.train_epoch());

      auto [model_b, optimizer_b] = fresh(constraint);
      std::vector<nn::EpochSummary> b;
      {
        nn::Trainer first_part(model_b, optimizer_b, train, test, nn::Loss::paper, 32, 9);
        b.push_back(first_part.train_epoch());
      }
      homopt::Optimizer restored = homopt::Optimizer::from_bytes(optimizer_b.to_bytes());
      nn::Transformer model_c(two_blocks(), constraint);
      nn::Trainer resumed(model_c, restored, train, test, nn::Loss::paper, 32, 9);
      CHECK(resumed.epochs_completed() == 1);
      for (int epoch = 1; epoch < 3; ++epoch) b.push_back(resumed.train_epoch());
      for (std::size_t e = 0; e < a.size(); ++e) {
        CHECK(b[e].epoch == a[e].epoch);
        CHECK(b[e].train_loss == a[e].train_loss);
        CHECK(b[e].test_accuracy == a[e].test_accuracy);
        CHECK(b[e].max_orthogonality_error == a[e].max_orthogonality_error);
      }
      CHECK(restored.to_bytes() == optimizer_a.to_bytes());
      // a trainer refuses an optimizer in the middle of an epoch or of another model
      CHECK_THROWS_WITH(nn::Trainer(model_c, restored, train, test, nn::Loss::paper, 40, 9),
                        Catch::Contains("whole number of epochs"));
      nn::TransformerShape other = two_blocks();
      other.blocks = 3;
      nn::Transformer model_d(other, constraint);
      CHECK_THROWS_WITH(nn::Trainer(model_d, restored, train, test, nn::Loss::paper, 32, 9),
                        Catch::Contains("optimizer"));
    }
  }
}

TEST_CASE("trainer rejects data that does not fit the model", "[nn][train]") {
  nn::Transformer model(two_blocks(), nn::Constraint::stiefel);
  homopt::Optimizer optimizer{homopt::Adam()};
  model.add_parameters(optimizer, 5);
  data::LabeledImages train = synthetic_images(20, 5);
  const data::LabeledImages test = synthetic_images(10, 6);
  CHECK_THROWS_WITH(nn::Trainer(model, optimizer, train, test, nn::Loss::paper, 0, 1), Catch::Contains("batch_size"));
  data::LabeledImages small = train;
  small.images.rows = small.images.cols = 14;
  CHECK_THROWS_WITH(nn::Trainer(model, optimizer, small, test, nn::Loss::paper, 8, 1), Catch::Contains("do not fit"));
  train.labels[3] = 12;
  CHECK_THROWS_WITH(nn::Trainer(model, optimizer, train, test, nn::Loss::paper, 8, 1), Catch::Contains("label 12"));
}
