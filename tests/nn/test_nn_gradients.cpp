// Gradient checks of the transformer layers and of the whole network against central
// finite differences, and the attention layer against its dense formula.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "homopt/euclidean.hpp"
#include "homopt/methods.hpp"
#include "homopt/nn/transformer.hpp"
#include "homopt/random.hpp"
#include "homopt/stiefel.hpp"

using homopt::Mat;
using homopt::real;
using homopt::uword;
namespace nn = homopt::nn;

namespace {

/// Central differences of f at `parameter` (entry-wise, step 1e-5; f reads `parameter`).
Mat finite_difference_gradient(Mat& parameter, const std::function<real()>& f) {
  const real step = 1e-5;
  Mat gradient(arma::size(parameter));
  for (uword k = 0; k < parameter.n_elem; ++k) {
    const real saved = parameter[k];
    parameter[k] = saved + step;
    const real up = f();
    parameter[k] = saved - step;
    const real down = f();
    parameter[k] = saved;
    gradient[k] = (up - down) / (2 * step);
  }
  return gradient;
}

/// ‖a − b‖_F / ‖b‖_F (b must not vanish).
real relative_error(const Mat& a, const Mat& b) {
  REQUIRE(arma::norm(b, "fro") > 1e-8);
  return arma::norm(a - b, "fro") / arma::norm(b, "fro");
}

Mat uniform(uword rows, uword cols, std::uint64_t seed) {
  arma::arma_rng::set_seed(seed);
  return Mat(rows, cols, arma::fill::randu);
}

/// softmax over each column.
Mat softmax_columns(const Mat& S) {
  Mat A = arma::exp(S.each_row() - arma::max(S, 0));
  A.each_row() /= arma::sum(A, 0);
  return A;
}

constexpr uword dim = 12, heads = 3, head_size = 4, tokens = 5, samples = 3;

/// A small transformer (dim 12, 3 heads of size 4, 5 tokens, 4 classes).
nn::TransformerShape small_shape(uword blocks) {
  nn::TransformerShape shape;
  shape.dim = dim;
  shape.heads = heads;
  shape.tokens = tokens;
  shape.blocks = blocks;
  shape.classes = 4;
  return shape;
}

}  // namespace

TEST_CASE("attention forward equals the dense per-head formula", "[nn][attention]") {
  const real scale = 0.37;
  const nn::MultiHeadAttention attention(dim, heads, tokens, scale);
  const Mat W = homopt::standard_normal_matrix(dim, 3 * dim, 1);
  const Mat X = uniform(dim, tokens * samples, 2);
  nn::MultiHeadAttention::Cache cache;
  Mat out;
  attention.forward(W, X, cache, out);
  REQUIRE(out.n_rows == dim);
  REQUIRE(out.n_cols == tokens * samples);
  for (uword b = 0; b < samples; ++b) {
    const Mat x = X.cols(b * tokens, b * tokens + tokens - 1);
    for (uword i = 0; i < heads; ++i) {
      const Mat PQ = W.cols(i * head_size, i * head_size + head_size - 1);
      const Mat PK = W.cols(dim + i * head_size, dim + i * head_size + head_size - 1);
      const Mat PV = W.cols(2 * dim + i * head_size, 2 * dim + i * head_size + head_size - 1);
      const Mat expected = PV.t() * x * softmax_columns(scale * (PQ.t() * x).t() * (PK.t() * x));
      const Mat got = out.submat(i * head_size, b * tokens, i * head_size + head_size - 1, b * tokens + tokens - 1);
      CHECK(arma::norm(got - expected, "fro") < 1e-13 * arma::norm(expected, "fro"));
    }
  }
}

TEST_CASE("attention backward matches finite differences", "[nn][attention]") {
  const nn::MultiHeadAttention attention(dim, heads, tokens, 1 / std::sqrt(real(dim)));
  Mat W = homopt::standard_normal_matrix(dim, 3 * dim, 3);
  Mat X = uniform(dim, tokens * samples, 4);
  const Mat R = homopt::standard_normal_matrix(dim, tokens * samples, 5);  // L = ⟨R, MHA(X)⟩
  nn::MultiHeadAttention::Cache cache;
  Mat out;
  auto loss = [&] {
    attention.forward(W, X, cache, out);
    return arma::accu(R % out);
  };
  loss();
  Mat W_bar, X_bar(dim, tokens * samples, arma::fill::zeros);
  attention.backward(W, X, R, cache, W_bar, X_bar);
  CHECK(relative_error(W_bar, finite_difference_gradient(W, loss)) < 1e-8);
  CHECK(relative_error(X_bar, finite_difference_gradient(X, loss)) < 1e-8);

  // input_gradient accumulates, also when it is the output gradient itself (as in a residual block)
  Mat accumulated = R;
  loss();
  attention.backward(W, X, accumulated, cache, W_bar, accumulated);
  CHECK(arma::norm(accumulated - (R + X_bar), "fro") < 1e-13 * arma::norm(X_bar, "fro"));
}

TEST_CASE("tanh residual backward matches finite differences", "[nn][residual]") {
  const nn::TanhResidual residual;
  Mat W = homopt::standard_normal_matrix(dim, dim, 6) / 3;
  Mat b = homopt::standard_normal_matrix(dim, 1, 7);
  Mat Y = uniform(dim, tokens * samples, 8);
  const Mat R = homopt::standard_normal_matrix(dim, tokens * samples, 9);
  nn::TanhResidual::Cache cache;
  Mat Z;
  auto loss = [&] {
    residual.forward(W, b, Y, cache, Z);
    return arma::accu(R % Z);
  };
  loss();
  CHECK(arma::norm(Z - (Y + arma::tanh(W * Y + b * arma::ones(1, Y.n_cols))), "fro") < 1e-13);
  Mat W_bar, b_bar, Y_bar;
  residual.backward(W, Y, R, cache, W_bar, b_bar, Y_bar);
  CHECK(relative_error(W_bar, finite_difference_gradient(W, loss)) < 1e-8);
  CHECK(relative_error(b_bar, finite_difference_gradient(b, loss)) < 1e-8);
  CHECK(relative_error(Y_bar, finite_difference_gradient(Y, loss)) < 1e-8);
}

TEST_CASE("classifier and both losses match finite differences", "[nn][classifier]") {
  const uword classes = 4;
  const nn::LastTokenClassifier classifier(tokens);
  Mat Wc = homopt::standard_normal_matrix(classes, dim, 10);
  Mat X = uniform(dim, tokens * samples, 11);
  const uword labels[samples] = {2, 0, 3};
  for (nn::Loss kind : {nn::Loss::paper, nn::Loss::cross_entropy}) {
    DYNAMIC_SECTION("loss " << nn::to_string(kind)) {
      const nn::LossFunction loss_function(kind);
      nn::LastTokenClassifier::Cache cache;
      Mat logits, probabilities;
      auto loss = [&] {
        classifier.forward(Wc, X, cache, logits);
        return loss_function.value(loss_function.partial_sum(logits, labels, probabilities), samples);
      };
      const real value = loss();
      // closed forms of the two losses
      Mat E(classes, samples, arma::fill::zeros);
      for (uword s = 0; s < samples; ++s) E(labels[s], s) = 1;
      const Mat P = softmax_columns(Wc * X.cols(arma::regspace<arma::uvec>(tokens - 1, tokens, tokens * samples - 1)));
      const real expected = kind == nn::Loss::paper ? arma::norm(P - E, "fro") / std::sqrt(real(samples))
                                                    : -arma::accu(arma::log(P) % E) / samples;
      CHECK(std::abs(value - expected) < 1e-14);
      Mat logits_bar, Wc_bar, X_bar;
      const real total = loss_function.partial_sum(logits, labels, probabilities);
      loss_function.logits_gradient(probabilities, labels, total, samples, logits_bar);
      classifier.backward(Wc, cache, logits_bar, Wc_bar, X_bar);
      CHECK(relative_error(Wc_bar, finite_difference_gradient(Wc, loss)) < 1e-8);
      CHECK(relative_error(X_bar, finite_difference_gradient(X, loss)) < 1e-8);
    }
  }
}

TEST_CASE("whole transformer gradient matches finite differences for every parameter", "[nn][transformer]") {
  const uword labels[samples] = {1, 3, 0};
  for (bool skip : {true, false})
  for (nn::Constraint constraint : {nn::Constraint::stiefel, nn::Constraint::none})
    for (nn::Loss kind : {nn::Loss::paper, nn::Loss::cross_entropy}) {
      DYNAMIC_SECTION("attention skip " << (skip ? "on" : "off") << ", " << nn::to_string(constraint) << ", "
                                        << nn::to_string(kind)) {
        nn::TransformerShape shape = small_shape(2);
        shape.attention_skip = skip;
        // Without the skip, MHA averages the tokens: from inputs in [0, 1] and c = 1/√dim the
        // second block sees nearly equal tokens and its P^Q, P^K gradients nearly vanish (below
        // what central differences resolve). Spread-out tokens and a larger c keep them O(1e-2).
        if (!skip) shape.attention_scale = 1;
        const Mat X = skip ? uniform(dim, tokens * samples, 12) : homopt::standard_normal_matrix(dim, tokens * samples, 12);
        nn::set_thread_count(1);
        nn::Transformer model(shape, constraint);
        homopt::Optimizer optimizer{homopt::Adam()};
        model.add_parameters(optimizer, 42);
        REQUIRE(optimizer.size() == model.parameter_count());
        REQUIRE(optimizer.size() == 2 * (3 * heads + 2) + 1);
        // registration: projections on Stiefel(dim, dim/heads) only when constrained
        CHECK(optimizer.manifold(model.projection_index(1, 2, 1)).name() ==
              (constraint == nn::Constraint::stiefel ? "Stiefel" : "Euclidean"));
        CHECK(optimizer.manifold(model.projection_index(1, 2, 1)).cols() == head_size);
        CHECK(optimizer.manifold(3 * heads).name() == "Euclidean");
        std::vector<Mat> values;
        for (std::size_t i = 0; i < optimizer.size(); ++i) values.push_back(optimizer.value(i));
        values[3 * heads + 1] = homopt::standard_normal_matrix(dim, 1, 13) / 4;  // nonzero biases
        nn::ParameterValues views;
        for (const Mat& value : values) views.push_back(&value);
        std::vector<Mat> gradients = model.zero_gradients();
        const real value = model.loss_and_gradient(views, X, labels, kind, gradients);
        for (const Mat& gradient : gradients) REQUIRE(arma::norm(gradient, "fro") > 1e-4);  // a test that can fail
        CHECK(std::abs(value - model.loss(views, X, labels, kind)) < 1e-15);
        for (std::size_t i = 0; i < values.size(); ++i) {
          const Mat numeric = finite_difference_gradient(values[i], [&] { return model.loss(views, X, labels, kind); });
          INFO("parameter " << i);
          CHECK(relative_error(gradients[i], numeric) < 1e-6);
        }
        // the batch split over two threads gives the same loss and gradients up to rounding
        nn::set_thread_count(2);
        std::vector<Mat> split_gradients = model.zero_gradients();
        const real split_value = model.loss_and_gradient(views, X, labels, kind, split_gradients);
        nn::set_thread_count(1);
        CHECK(std::abs(split_value - value) < 1e-14);
        for (std::size_t i = 0; i < values.size(); ++i) {
          INFO("parameter " << i);
          CHECK(arma::norm(split_gradients[i] - gradients[i], "fro") <= 1e-13 * arma::norm(gradients[i], "fro"));
        }
      }
    }
}

TEST_CASE("attention skip switch: Y = X + MHA(X) when on, Y = MHA(X) when off, then Y + tanh(WY + b)",
          "[nn][transformer]") {
  // One block, evaluated layer by layer from the documented formulas and compared with the
  // model's cross-entropy loss; the two settings must give clearly different losses.
  const uword labels[samples] = {2, 0, 1};
  const Mat X = uniform(dim, tokens * samples, 21);
  real losses[2];
  for (bool skip : {true, false}) {
    INFO("attention skip " << (skip ? "on" : "off"));
    nn::TransformerShape shape = small_shape(1);
    shape.attention_skip = skip;
    nn::Transformer model(shape, nn::Constraint::stiefel);
    homopt::Optimizer optimizer{homopt::Adam()};
    model.add_parameters(optimizer, 8);
    std::vector<Mat> values;
    for (std::size_t i = 0; i < optimizer.size(); ++i) values.push_back(optimizer.value(i));
    values[3 * heads + 1] = homopt::standard_normal_matrix(dim, 1, 22) / 4;
    nn::ParameterValues views;
    for (const Mat& value : values) views.push_back(&value);

    Mat mha(dim, tokens * samples);
    for (uword b = 0; b < samples; ++b) {
      const Mat x = X.cols(b * tokens, b * tokens + tokens - 1);
      for (uword i = 0; i < heads; ++i) {
        const Mat& PQ = values[model.projection_index(0, 0, i)];
        const Mat& PK = values[model.projection_index(0, 1, i)];
        const Mat& PV = values[model.projection_index(0, 2, i)];
        mha.submat(i * head_size, b * tokens, i * head_size + head_size - 1, b * tokens + tokens - 1) =
            PV.t() * x * softmax_columns(model.attention_scale() * (PQ.t() * x).t() * (PK.t() * x));
      }
    }
    const Mat Y = skip ? Mat(X + mha) : mha;
    const Mat Z = Y + arma::tanh(values[3 * heads] * Y + values[3 * heads + 1] * arma::ones(1, Y.n_cols));
    const Mat P = softmax_columns(values.back() * Z.cols(arma::regspace<arma::uvec>(tokens - 1, tokens, tokens * samples - 1)));
    real expected = 0;
    for (uword b = 0; b < samples; ++b) expected -= std::log(P(labels[b], b)) / samples;
    losses[skip ? 0 : 1] = model.loss(views, X, labels, nn::Loss::cross_entropy);
    CHECK(std::abs(losses[skip ? 0 : 1] - expected) < 1e-13 * std::abs(expected));
  }
  CHECK(std::abs(losses[0] - losses[1]) > 1e-3);
}

TEST_CASE("initializations: homopt (Haar, normal/sqrt(dim)) and paper (Glorot uniform)", "[nn][transformer]") {
  const Mat G = nn::glorot_uniform_matrix(49, 49, 5);
  const real bound = std::sqrt(6.0 / 98);
  CHECK(arma::abs(G).max() < bound);
  // the variance of U(−a, a) is a²/3; 2401 draws: relative standard error ≈ 0.026
  CHECK(std::abs(arma::accu(G % G) / G.n_elem / (bound * bound / 3) - 1) < 0.15);
  CHECK(std::abs(arma::mean(arma::vectorise(G))) < 0.02);
  CHECK(arma::approx_equal(G, nn::glorot_uniform_matrix(49, 49, 5), "absdiff", 0));
  CHECK(arma::norm(G - nn::glorot_uniform_matrix(49, 49, 6), "fro") > 1);
  CHECK_THROWS_WITH(nn::initialization_from_string("xavier", "--init"), Catch::Contains("--init"));

  for (nn::Constraint constraint : {nn::Constraint::stiefel, nn::Constraint::none})
    for (nn::Initialization init : {nn::Initialization::homopt, nn::Initialization::paper}) {
      INFO(nn::to_string(constraint) << ", " << nn::to_string(init));
      const nn::TransformerShape shape = small_shape(2);
      nn::Transformer model(shape, constraint);
      homopt::Optimizer optimizer{homopt::Adam()};
      model.add_parameters(optimizer, 17, init);
      const bool glorot = init == nn::Initialization::paper;
      const Mat& P = optimizer.value(model.projection_index(1, 2, 1));
      const real orthogonality = arma::norm(P.t() * P - arma::eye(head_size, head_size), "fro");
      if (constraint == nn::Constraint::stiefel || !glorot) {
        CHECK(orthogonality < 1e-14);
      } else {
        CHECK(orthogonality > 0.1);
        CHECK(arma::abs(P).max() < std::sqrt(6.0 / (dim + head_size)));
      }
      const Mat& W = optimizer.value(3 * heads);
      const Mat& Wc = optimizer.value(optimizer.size() - 1);
      if (glorot) {
        CHECK(arma::abs(W).max() < std::sqrt(6.0 / (2 * dim)));
        CHECK(arma::abs(Wc).max() < std::sqrt(6.0 / (dim + shape.classes)));
      } else {
        CHECK(arma::abs(W).max() > std::sqrt(6.0 / (2 * dim)));  // normal/√dim: tails beyond the Glorot bound
      }
      CHECK(arma::abs(optimizer.value(3 * heads + 1)).max() == 0);  // biases
    }
}

TEST_CASE("transformer prediction is the argmax of the classifier", "[nn][transformer]") {
  const nn::TransformerShape shape = small_shape(1);
  nn::Transformer model(shape, nn::Constraint::stiefel);
  homopt::Optimizer optimizer{homopt::Adam()};
  model.add_parameters(optimizer, 3);
  const Mat X = uniform(dim, tokens * samples, 14);
  uword predictions[samples];
  model.predict(nn::values_of(optimizer), X, predictions);
  // cross-entropy with label y is smallest for the predicted class
  for (uword s = 0; s < samples; ++s) {
    const Mat x = X.cols(s * tokens, s * tokens + tokens - 1);
    real best = 1e300;
    uword best_label = 99;
    for (uword y = 0; y < shape.classes; ++y) {
      const real loss = model.loss(nn::values_of(optimizer), x, &y, nn::Loss::cross_entropy);
      if (loss < best) best = loss, best_label = y;
    }
    CHECK(predictions[s] == best_label);
  }
}

TEST_CASE("transformer rejects bad shapes and inputs", "[nn][transformer]") {
  nn::TransformerShape shape;
  shape.heads = 5;  // does not divide 49
  CHECK_THROWS_WITH(nn::Transformer(shape, nn::Constraint::stiefel), Catch::Contains("heads"));
  shape.heads = 7;
  shape.blocks = 0;
  CHECK_THROWS_WITH(nn::Transformer(shape, nn::Constraint::stiefel), Catch::Contains("blocks"));
  shape.blocks = 1;
  shape.attention_scale = -1;
  CHECK_THROWS_WITH(nn::Transformer(shape, nn::Constraint::stiefel), Catch::Contains("attention_scale"));
  shape.attention_scale = 0;
  nn::Transformer model(shape, nn::Constraint::stiefel);
  CHECK(model.attention_scale() == Approx(1.0 / 7));
  homopt::Optimizer optimizer{homopt::Adam()};
  model.add_parameters(optimizer, 1);
  CHECK(model.max_orthogonality_error(nn::values_of(optimizer)) < 1e-14);
  std::vector<Mat> gradients = model.zero_gradients();
  const uword labels[2] = {0, 10};
  const Mat tokens49(49, 32, arma::fill::zeros);
  CHECK_THROWS_WITH(model.loss_and_gradient(nn::values_of(optimizer), tokens49, labels, nn::Loss::paper, gradients),
                    Catch::Contains("labels"));
  CHECK_THROWS_WITH(model.loss(nn::values_of(optimizer), Mat(49, 30), labels, nn::Loss::paper), Catch::Contains("tokens"));
  CHECK_THROWS_WITH(model.add_parameters(optimizer, 1), Catch::Contains("optimizer"));
  CHECK_THROWS_WITH(nn::set_thread_count(0), Catch::Contains("threads"));
  CHECK_THROWS_WITH(nn::loss_from_string("mse"), Catch::Contains("loss"));
  CHECK_THROWS_WITH(nn::constraint_from_string("orthogonal"), Catch::Contains("constraint"));
}
