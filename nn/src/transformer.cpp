#include "homopt/nn/transformer.hpp"

#include <dlfcn.h>

#include <cmath>
#include <random>

#include "homopt/error.hpp"
#include "homopt/euclidean.hpp"
#include "homopt/random.hpp"
#include "homopt/stiefel.hpp"
#include "homopt/validate.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace homopt::nn {

// ---------------------------------------------------------------- small helpers

const char* to_string(Constraint constraint) { return constraint == Constraint::stiefel ? "stiefel" : "none"; }

Constraint constraint_from_string(const std::string& name, const char* argument) {
  if (name == "stiefel") return Constraint::stiefel;
  if (name == "none") return Constraint::none;
  throw InvalidArgument(argument, "expected \"stiefel\" or \"none\", got \"" + name + "\"");
}

const char* to_string(Initialization initialization) {
  return initialization == Initialization::paper ? "paper" : "homopt";
}

Initialization initialization_from_string(const std::string& name, const char* argument) {
  if (name == "homopt") return Initialization::homopt;
  if (name == "paper") return Initialization::paper;
  throw InvalidArgument(argument, "expected \"homopt\" or \"paper\", got \"" + name + "\"");
}

Mat glorot_uniform_matrix(uword rows, uword cols, std::uint64_t seed) {
  require_matrix_size(rows, cols, "rows", "cols", "the result (rows x cols)");
  const real bound = std::sqrt(6 / real(std::max<uword>(rows + cols, 1)));
  std::mt19937_64 engine(seed);
  Mat result(rows, cols);
  for (real& entry : result) entry = bound * (2 * (static_cast<real>(engine() >> 11) * 0x1p-53) - 1);
  return result;
}

ParameterValues values_of(const Optimizer& optimizer) {
  ParameterValues values(optimizer.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = &optimizer.value(i);
  return values;
}

namespace {
/// Flushes subnormal numbers to zero (x86 FTZ and DAZ) in the calling thread while alive.
/// Saturated softmax weights otherwise make the backward pass produce subnormals, which
/// cost ~100 cycles per operation: training slowed down severalfold when the paper loss
/// got stuck. Values below 2.2e−308 do not matter to this model.
class FlushSubnormals {
 public:
#if defined(__SSE2__)
  FlushSubnormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }
  ~FlushSubnormals() { _mm_setcsr(saved_); }

 private:
  unsigned saved_;
#endif
};

/// Makes OpenBLAS (if it is the BLAS) single-threaded: the transformer parallelizes itself.
void make_blas_single_threaded() {
  using Setter = void (*)(int);
  static const auto setter = reinterpret_cast<Setter>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (setter != nullptr) setter(1);
}

}  // namespace

void set_thread_count(int threads) {
  if (threads < 1) throw InvalidArgument("threads", "must be ≥ 1, got " + std::to_string(threads));
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  make_blas_single_threaded();
}

int thread_count() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// ---------------------------------------------------------------- one thread's share of a batch

struct Transformer::Part {
  std::vector<Mat> block_outputs;    ///< Xₗ, l = 1..L
  std::vector<Mat> attention_sums;   ///< Yₗ = Xₗ₋₁ + MHA(Xₗ₋₁) (or MHA(Xₗ₋₁) without the skip)
  std::vector<MultiHeadAttention::Cache> attention;
  std::vector<TanhResidual::Cache> residual;
  LastTokenClassifier::Cache classifier;
  Mat logits, probabilities, logits_gradient;
  Mat gradient, next_gradient;             ///< ∂L/∂Xₗ and a second buffer
  std::vector<Mat> projections_gradient;  ///< per block, dim × 3dim
  std::vector<Mat> weight_gradient, bias_gradient;
  Mat classifier_gradient;
  real partial_sum = 0;

  explicit Part(uword blocks)
      : block_outputs(blocks), attention_sums(blocks), attention(blocks), residual(blocks),
        projections_gradient(blocks), weight_gradient(blocks), bias_gradient(blocks) {}
};

// ---------------------------------------------------------------- model

Transformer::Transformer(const TransformerShape& shape, Constraint constraint)
    : shape_(shape), constraint_(constraint),
      attention_(shape.dim, shape.heads, shape.tokens,
                 shape.attention_scale > 0 ? shape.attention_scale : 1 / std::sqrt(real(std::max<uword>(shape.dim, 1)))),
      classifier_(shape.tokens) {
  if (shape.blocks == 0) throw InvalidArgument("blocks", "must be ≥ 1");
  if (shape.classes < 2) throw InvalidArgument("classes", "must be ≥ 2");
  if (!(std::isfinite(shape.attention_scale) && shape.attention_scale >= 0))
    throw InvalidArgument("attention_scale", "must be finite and ≥ 0 (0: the paper's 1/√dim)");
  projections_.assign(shape.blocks, Mat(shape.dim, 3 * shape.dim));
}

Transformer::Transformer(const Transformer& other)
    : shape_(other.shape_), constraint_(other.constraint_), attention_(other.attention_),
      classifier_(other.classifier_), projections_(other.projections_) {}

Transformer& Transformer::operator=(const Transformer& other) {
  if (this != &other) {
    shape_ = other.shape_;
    constraint_ = other.constraint_;
    attention_ = other.attention_;
    classifier_ = other.classifier_;
    projections_ = other.projections_;
    parts_.clear();
  }
  return *this;
}

Transformer::~Transformer() = default;

real Transformer::attention_scale() const { return attention_.scale(); }

std::size_t Transformer::parameter_count() const { return shape_.blocks * (3 * shape_.heads + 2) + 1; }

std::size_t Transformer::projection_index(uword block, uword which, uword head) const {
  return block * (3 * shape_.heads + 2) + which * shape_.heads + head;
}

void Transformer::add_parameters(Optimizer& optimizer, std::uint64_t seed, Initialization initialization) const {
  if (optimizer.size() != 0)
    throw InvalidArgument("optimizer", "must have no parameters yet, has " + std::to_string(optimizer.size()));
  const uword D = shape_.dim, h = attention_.head_size();
  const real weight_scale = 1 / std::sqrt(real(D));
  std::size_t index = 0;
  const Stiefel stiefel(D, h);
  const Euclidean projection_space(D, h), weight_space(D, D), bias_space(D, 1), classifier_space(shape_.classes, D);
  const bool paper = initialization == Initialization::paper;
  // A Euclidean weight: Glorot uniform (paper) or standard normal/√dim (homopt).
  auto weight = [&](uword rows, uword cols, std::uint64_t item) -> Mat {
    return paper ? glorot_uniform_matrix(rows, cols, derived_seed(seed, item))
                 : Mat(weight_scale * standard_normal_matrix(rows, cols, derived_seed(seed, item)));
  };
  for (uword block = 0; block < shape_.blocks; ++block) {
    for (uword k = 0; k < 3 * shape_.heads; ++k, ++index) {
      if (constraint_ == Constraint::stiefel)
        optimizer.add(stiefel, stiefel.random_point(derived_seed(seed, index)));
      else if (paper)
        optimizer.add(projection_space, glorot_uniform_matrix(D, h, derived_seed(seed, index)));
      else
        optimizer.add(projection_space, stiefel.random_point(derived_seed(seed, index)));
    }
    optimizer.add(weight_space, weight(D, D, index++));
    optimizer.add(bias_space, Mat(D, 1, arma::fill::zeros));
    ++index;
  }
  optimizer.add(classifier_space, weight(shape_.classes, D, index));
}

void Transformer::check_parameters(const Optimizer& optimizer, const std::string& argument) const {
  if (optimizer.size() != parameter_count())
    throw InvalidArgument(argument, "holds " + std::to_string(optimizer.size()) + " parameters, the model has " +
                                        std::to_string(parameter_count()));
  const std::vector<Mat> shapes = zero_gradients();
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const Manifold& manifold = optimizer.manifold(i);
    const bool is_projection = (i % (3 * shape_.heads + 2)) < 3 * shape_.heads && i + 1 < shapes.size();
    const std::string expected = is_projection && constraint_ == Constraint::stiefel ? "Stiefel" : "Euclidean";
    if (manifold.name() != expected || manifold.rows() != shapes[i].n_rows || manifold.cols() != shapes[i].n_cols)
      throw InvalidArgument(argument, "parameter " + std::to_string(i) + " is " + manifold.description() +
                                          ", the model expects " + expected + " " + std::to_string(shapes[i].n_rows) +
                                          "x" + std::to_string(shapes[i].n_cols));
  }
}

std::vector<Mat> Transformer::zero_gradients() const {
  const uword D = shape_.dim, h = attention_.head_size();
  std::vector<Mat> gradients;
  gradients.reserve(parameter_count());
  for (uword block = 0; block < shape_.blocks; ++block) {
    for (uword k = 0; k < 3 * shape_.heads; ++k) gradients.emplace_back(D, h, arma::fill::zeros);
    gradients.emplace_back(D, D, arma::fill::zeros);
    gradients.emplace_back(D, 1, arma::fill::zeros);
  }
  gradients.emplace_back(shape_.classes, D, arma::fill::zeros);
  return gradients;
}

void Transformer::check_batch(const ParameterValues& values, const Mat& tokens) const {
  if (values.size() != parameter_count())
    throw InvalidArgument("values", "expected " + std::to_string(parameter_count()) + " parameters, got " +
                                        std::to_string(values.size()));
  const std::vector<Mat> shapes = zero_gradients();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] == nullptr) throw InvalidArgument("values", "parameter " + std::to_string(i) + " is null");
    require_shape(*values[i], shapes[i].n_rows, shapes[i].n_cols, "values[" + std::to_string(i) + "]");
  }
  if (tokens.n_rows != shape_.dim || tokens.n_cols == 0 || tokens.n_cols % shape_.tokens != 0)
    throw InvalidArgument("tokens", "expected " + std::to_string(shape_.dim) + " rows and a positive multiple of " +
                                        std::to_string(shape_.tokens) + " columns, got " +
                                        std::to_string(tokens.n_rows) + "x" + std::to_string(tokens.n_cols));
}

void Transformer::gather_projections(const ParameterValues& values) {
  const uword D = shape_.dim, h = attention_.head_size();
  for (uword block = 0; block < shape_.blocks; ++block)
    for (uword which = 0; which < 3; ++which)
      for (uword head = 0; head < shape_.heads; ++head)
        std::copy_n(values[projection_index(block, which, head)]->memptr(), D * h,
                    projections_[block].colptr(which * D + head * h));
}

real Transformer::run(const ParameterValues& values, const Mat& tokens, const uword* labels, Loss loss,
                      std::vector<Mat>* gradients, uword* predictions) {
  check_batch(values, tokens);
  const uword T = shape_.tokens, L = shape_.blocks, D = shape_.dim;
  const uword samples = tokens.n_cols / T;
  if (labels != nullptr)
    for (uword b = 0; b < samples; ++b)
      if (labels[b] >= shape_.classes)
        throw InvalidArgument("labels", "label " + std::to_string(labels[b]) + " of sample " + std::to_string(b) +
                                            " is not below the class count " + std::to_string(shape_.classes));
  if (gradients != nullptr) {
    const std::vector<Mat> shapes = zero_gradients();
    if (gradients->size() != shapes.size())
      throw InvalidArgument("gradients", "expected " + std::to_string(shapes.size()) + " matrices");
    for (std::size_t i = 0; i < shapes.size(); ++i)
      require_shape((*gradients)[i], shapes[i].n_rows, shapes[i].n_cols, "gradients[" + std::to_string(i) + "]");
  }
  gather_projections(values);

  const uword part_count = std::min<uword>(static_cast<uword>(thread_count()), samples);
  if (part_count > 1) make_blas_single_threaded();
  while (parts_.size() < part_count) parts_.emplace_back(L);
  const LossFunction loss_function(loss);
  const std::size_t stride = 3 * shape_.heads + 2;
  const Mat& classifier_weight = *values.back();
  // Phase times of training passes only (Trainer::set_profile); thread 0's in the parallel region.
  PhaseProfile* const profile = gradients != nullptr ? profile_ : nullptr;

#pragma omp parallel num_threads(static_cast<int>(part_count))
  {
    const FlushSubnormals flush;
#ifdef _OPENMP
    const uword p = static_cast<uword>(omp_get_thread_num());
#else
    const uword p = 0;
#endif
    Part& part = parts_[p];
    PhaseProfile* const timing = p == 0 ? profile : nullptr;
    const uword first = samples * p / part_count, last = samples * (p + 1) / part_count;
    const Mat input(const_cast<real*>(tokens.colptr(first * T)), D, (last - first) * T, false, true);
    // forward
    for (uword l = 0; l < L; ++l) {
      const Mat& x = l == 0 ? input : part.block_outputs[l - 1];
      Mat& y = part.attention_sums[l];
      {
        const PhaseTimer timer(timing, Phase::attention_forward);
        attention_.forward(projections_[l], x, part.attention[l], y,
                           shape_.attention_skip ? MultiHeadAttention::Output::with_input
                                                 : MultiHeadAttention::Output::attention);
      }
      const PhaseTimer timer(timing, Phase::residual_forward);
      residual_.forward(*values[l * stride + 3 * shape_.heads], *values[l * stride + 3 * shape_.heads + 1], y,
                        part.residual[l], part.block_outputs[l]);
    }
    {
      const PhaseTimer timer(timing, Phase::classifier_forward);
      classifier_.forward(classifier_weight, part.block_outputs[L - 1], part.classifier, part.logits);
      if (predictions != nullptr)
        for (uword b = 0; b < last - first; ++b) predictions[first + b] = part.logits.col(b).index_max();
      if (labels != nullptr) part.partial_sum = loss_function.partial_sum(part.logits, labels + first, part.probabilities);
    }
#pragma omp barrier
    if (gradients != nullptr) {
      {
        const PhaseTimer timer(timing, Phase::classifier_backward);
        real total = 0;
        for (uword q = 0; q < part_count; ++q) total += parts_[q].partial_sum;
        loss_function.logits_gradient(part.probabilities, labels + first, total, samples, part.logits_gradient);
        classifier_.backward(classifier_weight, part.classifier, part.logits_gradient, part.classifier_gradient,
                             part.gradient);
      }
      for (uword l = L; l-- > 0;) {
        const Mat& x = l == 0 ? input : part.block_outputs[l - 1];
        {
          const PhaseTimer timer(timing, Phase::residual_backward);
          residual_.backward(*values[l * stride + 3 * shape_.heads], part.attention_sums[l], part.gradient,
                             part.residual[l], part.weight_gradient[l], part.bias_gradient[l], part.next_gradient);
        }
        const PhaseTimer timer(timing, Phase::attention_backward);
        if (shape_.attention_skip) {
          // ∂L/∂Xₗ₋₁ = Ȳ + MHA backward (accumulated into the same buffer)
          attention_.backward(projections_[l], x, part.next_gradient, part.attention[l],
                              part.projections_gradient[l], part.next_gradient);
          part.gradient.swap(part.next_gradient);
        } else {
          // ∂L/∂Xₗ₋₁ = MHA backward alone (∂L/∂Xₗ is no longer needed: its buffer is reused)
          attention_.backward(projections_[l], x, part.next_gradient, part.attention[l],
                              part.projections_gradient[l], part.gradient,
                              MultiHeadAttention::InputGradient::overwrite);
        }
      }
    }
  }

  real total = 0;
  for (uword q = 0; q < part_count; ++q) total += parts_[q].partial_sum;
  if (gradients != nullptr) {
    const PhaseTimer timer(profile, Phase::gradient_sum);
    const uword h = attention_.head_size();
    // Sum the parts' gradients in a fixed order; scatter W's columns into the projections.
    auto reduce = [&](Mat& target, auto&& source_of) {
      const uword n = target.n_elem;
      real* out = target.memptr();
      std::copy_n(source_of(parts_[0]), n, out);
      for (uword q = 1; q < part_count; ++q) {
        const real* in = source_of(parts_[q]);
        for (uword k = 0; k < n; ++k) out[k] += in[k];
      }
    };
    for (uword l = 0; l < L; ++l) {
      for (uword which = 0; which < 3; ++which)
        for (uword head = 0; head < shape_.heads; ++head)
          reduce((*gradients)[projection_index(l, which, head)],
                 [&](const Part& part) { return part.projections_gradient[l].colptr(which * D + head * h); });
      reduce((*gradients)[l * stride + 3 * shape_.heads], [&](const Part& part) { return part.weight_gradient[l].memptr(); });
      reduce((*gradients)[l * stride + 3 * shape_.heads + 1], [&](const Part& part) { return part.bias_gradient[l].memptr(); });
    }
    reduce(gradients->back(), [&](const Part& part) { return part.classifier_gradient.memptr(); });
  }
  return labels != nullptr ? loss_function.value(total, samples) : 0;
}

real Transformer::loss_and_gradient(const ParameterValues& values, const Mat& tokens, const uword* labels, Loss loss,
                                    std::vector<Mat>& gradients) {
  if (labels == nullptr) throw InvalidArgument("labels", "must not be null");
  return run(values, tokens, labels, loss, &gradients, nullptr);
}

real Transformer::loss(const ParameterValues& values, const Mat& tokens, const uword* labels, Loss loss) {
  if (labels == nullptr) throw InvalidArgument("labels", "must not be null");
  return run(values, tokens, labels, loss, nullptr, nullptr);
}

void Transformer::predict(const ParameterValues& values, const Mat& tokens, uword* predictions) {
  if (predictions == nullptr) throw InvalidArgument("predictions", "must not be null");
  run(values, tokens, nullptr, Loss::paper, nullptr, predictions);
}

real Transformer::max_orthogonality_error(const ParameterValues& values) const {
  real worst = 0;
  const uword h = attention_.head_size();
  for (uword block = 0; block < shape_.blocks; ++block)
    for (uword which = 0; which < 3; ++which)
      for (uword head = 0; head < shape_.heads; ++head) {
        const Mat& P = *values.at(projection_index(block, which, head));
        worst = std::max(worst, arma::norm(P.t() * P - arma::eye(h, h), "fro"));
      }
  return worst;
}

}  // namespace homopt::nn
