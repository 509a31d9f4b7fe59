// homopt — the classification head and the two losses of the paper's transformer.
#pragma once

#include <string>

#include "homopt/types.hpp"

namespace homopt::nn {

/// logits z_b = W_c x_b, where x_b is the last token (column T·b + T − 1) of sample b;
/// class probabilities p_b = softmax(z_b). No bias (as in the paper).
class LastTokenClassifier {
 public:
  struct Cache {
    Mat last_tokens;           ///< dim × B: the last token of every sample
    Mat last_tokens_gradient;  ///< W_cᵀ Z̄ (backward)
  };

  /// tokens per sample T ≥ 1.
  explicit LastTokenClassifier(uword tokens);

  /// logits (classes × B) = W_c · last tokens of `input` (dim × T·B).
  void forward(const Mat& weight, const Mat& input, Cache& cache, Mat& logits) const;

  /// Given Z̄ = ∂L/∂logits: weight_gradient = Z̄ Xₗₐₛₜᵀ; input_gradient = 0 except the last
  /// token columns, which get W_cᵀ Z̄ (both overwritten).
  void backward(const Mat& weight, Cache& cache, const Mat& logits_gradient, Mat& weight_gradient,
                Mat& input_gradient) const;

 private:
  uword tokens_;
};

/// The losses on a batch of B samples with probabilities p_b = softmax(z_b) and one-hot
/// targets e_{y_b}:
///   paper:         L = ‖P − E‖_F / ‖E‖_F = ‖P − E‖_F / √B      (the paper's loss)
///   cross_entropy: L = (1/B) Σ_b −log p_b(y_b)
enum class Loss { paper, cross_entropy };

/// "paper" / "cross-entropy".
const char* to_string(Loss loss);
/// Parses "paper" / "cross-entropy"; InvalidArgument naming `argument` otherwise.
Loss loss_from_string(const std::string& name, const char* argument = "loss");

/// A loss split in two phases so that a batch spread over several threads needs one
/// reduction of a scalar between the forward and the backward pass.
class LossFunction {
 public:
  explicit LossFunction(Loss loss) : loss_(loss) {}
  Loss kind() const { return loss_; }

  /// Writes p = softmax columns of `logits` to `probabilities` and returns this part's
  /// contribution s to the batch sum: paper Σ_b ‖p_b − e_{y_b}‖², cross-entropy
  /// Σ_b (log Σ_k e^{z_bk} − z_{b y_b}). labels[b] < classes (not checked here).
  real partial_sum(const Mat& logits, const uword* labels, Mat& probabilities) const;

  /// The loss from the sum s over all B samples: paper √s/√B, cross-entropy s/B.
  real value(real total, uword batch_size) const;

  /// ∂L/∂logits for this part (overwritten): paper with R = P − E, ρ = ‖R‖_F (all parts):
  /// Ḡ = R/(ρ√B) and Z̄(:,b) = p_b ⊙ (Ḡ(:,b) − p_bᵀḠ(:,b)) (zero if ρ = 0);
  /// cross-entropy Z̄ = (P − E)/B.
  void logits_gradient(const Mat& probabilities, const uword* labels, real total, uword batch_size,
                       Mat& gradient) const;

 private:
  Loss loss_;
};

}  // namespace homopt::nn
