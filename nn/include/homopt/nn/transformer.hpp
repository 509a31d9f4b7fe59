// homopt — the vision transformer of the paper (docs/transformer.md) with Stiefel-constrained
// attention projections, trained by homopt::Optimizer.
//
//   X₀ = tokens (dim × T per sample)
//   for l = 1..L:  Yₗ = Xₗ₋₁ + MHA(Xₗ₋₁)             (MultiHeadAttention, no layer norm;
//                                                     attention_skip = false: Yₗ = MHA(Xₗ₋₁))
//                  Xₗ = Yₗ + tanh(Wₗ Yₗ + bₗ 1ᵀ)       (TanhResidual)
//   p = softmax(W_c · last token of X_L)              (LastTokenClassifier)
//
// Parameters, in the order they are added to the optimizer (and of every gradient vector):
//   for each block l: P^Q_0 … P^Q_{H−1}, P^K_0 … P^K_{H−1}, P^V_0 … P^V_{H−1} (dim × h each,
//   on Stiefel(dim, h) when constrained, else Euclidean(dim, h)), Wₗ (Euclidean dim×dim),
//   bₗ (Euclidean dim×1); then W_c (Euclidean classes×dim).
//
// Parallelism: a batch is split into contiguous parts, one per OpenMP thread; each part runs
// the whole forward and backward pass with its own caches (large GEMMs over all tokens of
// its samples, single-threaded BLAS), and the parameter gradients are summed in a fixed order.
// With one thread the result is bit-for-bit reproducible. Call set_thread_count first so
// that BLAS does not start threads of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "homopt/nn/attention.hpp"
#include "homopt/nn/classifier.hpp"
#include "homopt/nn/phase_profile.hpp"
#include "homopt/nn/residual.hpp"
#include "homopt/optimizer.hpp"
#include "homopt/random.hpp"

namespace homopt::nn {

/// Sizes of the transformer. The paper's: dim 49, tokens 16, heads 7, classes 10, L = 16.
struct TransformerShape {
  uword dim = 49;
  uword tokens = 16;
  uword heads = 7;
  uword blocks = 4;
  uword classes = 10;
  /// c in softmax(c·QᵀK); 0 means the paper's 1/√dim.
  real attention_scale = 0;
  /// Whether each block adds its input to the attention output (Yₗ = Xₗ₋₁ + MHA(Xₗ₋₁), true)
  /// or uses the attention output alone (Yₗ = MHA(Xₗ₋₁), false: the paper's own code, whose
  /// multi-head attention is built without an additive connection). docs/transformer.md.
  bool attention_skip = true;
};

/// How add_parameters draws the initial values (docs/transformer.md, "The model").
///   homopt: every projection P = Stiefel(dim, h).random_point (Haar: Q of the QR of a
///           Gaussian matrix, diag(R) > 0), also for the unconstrained model; Wₗ and W_c
///           standard normal/√dim; bₗ = 0.
///   paper:  as the paper's code: Stiefel projections as above; unconstrained projections,
///           Wₗ and W_c Glorot uniform, U(−a, a) with a = √(6/(rows + cols)); bₗ = 0.
enum class Initialization { homopt, paper };
/// "homopt" / "paper".
const char* to_string(Initialization initialization);
/// Parses "homopt" / "paper"; InvalidArgument naming `argument` otherwise.
Initialization initialization_from_string(const std::string& name, const char* argument = "init");

/// rows×cols matrix of independent U(−a, a) entries, a = √(6/(rows + cols)) (Glorot uniform),
/// from std::mt19937_64(seed): entry k (column-major) is a·(2u − 1), u = (x >> 11)·2⁻⁵³ for
/// the k-th 64-bit output x. Reproducible on every platform.
Mat glorot_uniform_matrix(uword rows, uword cols, std::uint64_t seed);

/// Whether the attention projections live on the Stiefel manifold.
enum class Constraint { stiefel, none };
/// "stiefel" / "none".
const char* to_string(Constraint constraint);
/// Parses "stiefel" / "none"; InvalidArgument naming `argument` otherwise.
Constraint constraint_from_string(const std::string& name, const char* argument = "constraint");

/// Read-only views of the parameter values, in the order documented above.
using ParameterValues = std::vector<const Mat*>;

/// The current values of all parameters of `optimizer` (valid until its next step).
ParameterValues values_of(const Optimizer& optimizer);

/// A seed for item `index` derived from `seed` (homopt/random.hpp): parameter
/// initializations and epoch shuffles.
using homopt::derived_seed;

/// Uses `threads` OpenMP threads for homopt::nn and makes OpenBLAS single-threaded (if the
/// BLAS is OpenBLAS). threads ≥ 1 (InvalidArgument naming "threads").
void set_thread_count(int threads);
/// Threads homopt::nn will use (omp_get_max_threads(), 1 without OpenMP).
int thread_count();

class Transformer {
 public:
  /// Validates the shape (every size ≥ 1, heads divides dim, scale ≥ 0 finite), naming
  /// the offending field in an InvalidArgument.
  Transformer(const TransformerShape& shape, Constraint constraint);
  Transformer(const Transformer& other);
  Transformer& operator=(const Transformer& other);
  ~Transformer();

  const TransformerShape& shape() const { return shape_; }
  Constraint constraint() const { return constraint_; }
  /// The attention scale actually used (1/√dim when shape.attention_scale is 0).
  real attention_scale() const;

  /// blocks·(3·heads + 2) + 1.
  std::size_t parameter_count() const;
  /// Index of P^{Q,K,V}_head of `block` (which: 0 = Q, 1 = K, 2 = V).
  std::size_t projection_index(uword block, uword which, uword head) const;

  /// Adds every parameter to `optimizer` (which must have none yet) with its initial value
  /// drawn as `initialization` says (see Initialization), from seeds sᵢ derived from `seed`
  /// and the parameter index i. homopt: projections Stiefel(dim, h).random_point(sᵢ) (also
  /// when unconstrained, then on Euclidean(dim, h)); Wₗ and W_c standard normal(sᵢ)/√dim.
  /// paper: unconstrained projections, Wₗ and W_c glorot_uniform_matrix(sᵢ). bₗ = 0.
  void add_parameters(Optimizer& optimizer, std::uint64_t seed,
                      Initialization initialization = Initialization::homopt) const;

  /// Checks that `optimizer` holds exactly this model's parameters (count, manifolds,
  /// shapes); InvalidArgument naming `argument` otherwise (used when resuming).
  void check_parameters(const Optimizer& optimizer, const std::string& argument) const;

  /// Zero matrices shaped like the parameters (a gradient vector to reuse across steps).
  std::vector<Mat> zero_gradients() const;

  /// Loss of a batch (tokens: dim × T·B, labels: B entries < classes) and its Euclidean
  /// gradient ∂L/∂θ for every parameter, written into `gradients` (from zero_gradients()).
  real loss_and_gradient(const ParameterValues& values, const Mat& tokens, const uword* labels, Loss loss,
                         std::vector<Mat>& gradients);

  /// Loss of a batch (forward pass only).
  real loss(const ParameterValues& values, const Mat& tokens, const uword* labels, Loss loss);

  /// Predicted class (argmax of the logits) of every sample of the batch.
  void predict(const ParameterValues& values, const Mat& tokens, uword* predictions);

  /// max over all projections of ‖PᵀP − I‖_F (for unconstrained runs too).
  real max_orthogonality_error(const ParameterValues& values) const;

  /// Opt-in timing: while `profile` is not null, every loss_and_gradient call adds the wall
  /// time of its layer phases (see Phase) to it. Not copied with the model; the caller owns it.
  void set_profile(PhaseProfile* profile) { profile_ = profile; }

 private:
  struct Part;
  void gather_projections(const ParameterValues& values);
  void check_batch(const ParameterValues& values, const Mat& tokens) const;
  /// Forward (and with a non-null `gradients` backward) pass over the batch.
  real run(const ParameterValues& values, const Mat& tokens, const uword* labels, Loss loss,
           std::vector<Mat>* gradients, uword* predictions);

  TransformerShape shape_;
  Constraint constraint_;
  MultiHeadAttention attention_;
  TanhResidual residual_;
  LastTokenClassifier classifier_;
  std::vector<Mat> projections_;  ///< per block: W = [P^Q… | P^K… | P^V…], dim × 3dim
  std::vector<Part> parts_;       ///< one per thread
  PhaseProfile* profile_ = nullptr;  ///< not owned; null: no timing
};

}  // namespace homopt::nn
