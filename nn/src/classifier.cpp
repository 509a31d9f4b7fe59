#include "homopt/nn/classifier.hpp"

#include <cmath>

#include "homopt/error.hpp"

namespace homopt::nn {

LastTokenClassifier::LastTokenClassifier(uword tokens) : tokens_(tokens) {
  if (tokens == 0) throw InvalidArgument("tokens", "must be ≥ 1");
}

void LastTokenClassifier::forward(const Mat& weight, const Mat& input, Cache& cache, Mat& logits) const {
  const uword samples = input.n_cols / tokens_;
  cache.last_tokens.set_size(input.n_rows, samples);
  for (uword b = 0; b < samples; ++b)
    std::copy_n(input.colptr(b * tokens_ + tokens_ - 1), input.n_rows, cache.last_tokens.colptr(b));
  logits = weight * cache.last_tokens;
}

void LastTokenClassifier::backward(const Mat& weight, Cache& cache, const Mat& logits_gradient,
                                   Mat& weight_gradient, Mat& input_gradient) const {
  const uword samples = cache.last_tokens.n_cols, dim = cache.last_tokens.n_rows;
  weight_gradient = logits_gradient * cache.last_tokens.t();
  cache.last_tokens_gradient = weight.t() * logits_gradient;
  input_gradient.zeros(dim, samples * tokens_);
  for (uword b = 0; b < samples; ++b)
    std::copy_n(cache.last_tokens_gradient.colptr(b), dim, input_gradient.colptr(b * tokens_ + tokens_ - 1));
}

const char* to_string(Loss loss) { return loss == Loss::paper ? "paper" : "cross-entropy"; }

Loss loss_from_string(const std::string& name, const char* argument) {
  if (name == "paper") return Loss::paper;
  if (name == "cross-entropy") return Loss::cross_entropy;
  throw InvalidArgument(argument, "expected \"paper\" or \"cross-entropy\", got \"" + name + "\"");
}

real LossFunction::partial_sum(const Mat& logits, const uword* labels, Mat& probabilities) const {
  const uword classes = logits.n_rows;
  probabilities.set_size(classes, logits.n_cols);
  real sum = 0;
  for (uword b = 0; b < logits.n_cols; ++b) {
    const real* z = logits.colptr(b);
    real* p = probabilities.colptr(b);
    real largest = z[0];
    for (uword k = 1; k < classes; ++k) largest = std::max(largest, z[k]);
    real total = 0;
    for (uword k = 0; k < classes; ++k) total += (p[k] = std::exp(z[k] - largest));
    for (uword k = 0; k < classes; ++k) p[k] /= total;
    if (loss_ == Loss::cross_entropy) {
      sum += largest + std::log(total) - z[labels[b]];
    } else {
      for (uword k = 0; k < classes; ++k) {
        const real residual = p[k] - (k == labels[b] ? 1 : 0);
        sum += residual * residual;
      }
    }
  }
  return sum;
}

real LossFunction::value(real total, uword batch_size) const {
  return loss_ == Loss::paper ? std::sqrt(total / batch_size) : total / batch_size;
}

void LossFunction::logits_gradient(const Mat& probabilities, const uword* labels, real total, uword batch_size,
                                   Mat& gradient) const {
  const uword classes = probabilities.n_rows;
  gradient = probabilities;
  for (uword b = 0; b < probabilities.n_cols; ++b) gradient(labels[b], b) -= 1;  // P − E
  if (loss_ == Loss::cross_entropy) {
    gradient /= real(batch_size);
    return;
  }
  const real norm = std::sqrt(total);
  if (norm == 0) {
    gradient.zeros();
    return;
  }
  const real factor = 1 / (norm * std::sqrt(real(batch_size)));
  for (uword b = 0; b < probabilities.n_cols; ++b) {
    const real* p = probabilities.colptr(b);
    real* g = gradient.colptr(b);
    real dot = 0;
    for (uword k = 0; k < classes; ++k) dot += p[k] * (g[k] *= factor);
    for (uword k = 0; k < classes; ++k) g[k] = p[k] * (g[k] - dot);
  }
}

}  // namespace homopt::nn
