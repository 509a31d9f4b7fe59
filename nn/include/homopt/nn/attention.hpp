// homopt — multi-head self-attention of the paper's vision transformer (docs/transformer.md), with an
// exact hand-written backward pass.
//
// Batch layout used by every layer in homopt::nn: a batch of B samples, each a dim×T token
// matrix, is one dim × (T·B) column-major matrix (sample b owns columns T·b … T·b + T − 1).
#pragma once

#include "homopt/types.hpp"

namespace homopt::nn {

/// Multi-head attention without output projection, layer norm or residual:
///   MHA(X) = [O₀; O₁; …; O_{H−1}]  (heads stacked, dim = H·h rows),
///   Oᵢ = (P^V_i)ᵀX · softmax_columns(c · (P^Q_iᵀX)ᵀ(P^K_iᵀX))           (h × T per sample),
/// with P^Q_i, P^K_i, P^V_i ∈ ℝ^{dim×h} (h = dim/H), c the attention scale (the paper:
/// 1/√dim) and softmax_columns normalizing each column: A(i, j) = e^{S(i,j)}/Σ_k e^{S(k,j)}.
///
/// All projections enter as one dim × 3dim matrix W = [P^Q_0 … P^Q_{H−1} | P^K_0 … | P^V_0 …],
/// so that Q, K and V of all heads and all tokens are one GEMM, WᵀX (3dim × T·B), taken
/// over chunks of samples (about 256 token columns) so that the allocation-free per-sample
/// loops read it from cache. Parameter gradients are summed chunk by chunk.
class MultiHeadAttention {
 public:
  /// Activations kept from forward for backward, and workspaces. Grown on demand; no
  /// allocation while the batch size stays the same.
  struct Cache {
    Mat qkv;           ///< WᵀX, 3dim × T·B
    Mat qkv_gradient;  ///< ∂L/∂(WᵀX) of one chunk of samples, 3dim × (columns of a chunk) (backward)
    Mat scratch;       ///< per-sample workspace of the kernels
  };

  /// dim = heads·h, T = tokens; scale c > 0. InvalidArgument naming "heads" unless heads
  /// divides dim, naming "scale" unless c is finite and > 0.
  MultiHeadAttention(uword dim, uword heads, uword tokens, real scale);

  uword dim() const { return dim_; }
  uword heads() const { return heads_; }
  uword head_size() const { return head_size_; }
  uword tokens() const { return tokens_; }
  real scale() const { return scale_; }

  /// What forward writes: MHA(X) alone, or X + MHA(X) (the skip connection, added while the
  /// output is in cache instead of in a separate pass).
  enum class Output { attention, with_input };
  /// Whether backward adds its ∂L/∂X to input_gradient or overwrites it.
  enum class InputGradient { accumulate, overwrite };

  /// output = MHA(input) (what = attention) or input + MHA(input) (what = with_input), for
  /// input = X (dim × T·B), projections = W (dim × 3dim). `output` must not alias `input`.
  void forward(const Mat& projections, const Mat& input, Cache& cache, Mat& output,
               Output what = Output::attention) const;

  /// Backward of forward() with the same inputs (cache as forward left it), given
  /// Ō = ∂L/∂MHA(X): with Q̄, K̄, V̄ the per-head gradients below,
  ///   projections_gradient = X · [Q̄; K̄; V̄]ᵀ          (∂L/∂W, overwritten),
  ///   input_gradient      += W · [Q̄; K̄; V̄]            (∂L/∂X, accumulated; with
  ///                                                  mode = overwrite: =, resized),
  /// where per sample and head: V̄ = Ō Aᵀ, Ā = VᵀŌ, S̄(:,j) = A(:,j) ⊙ (Ā(:,j) − A(:,j)ᵀĀ(:,j)),
  /// Q̄ = c K S̄ᵀ, K̄ = c Q S̄.
  void backward(const Mat& projections, const Mat& input, const Mat& output_gradient, Cache& cache,
                Mat& projections_gradient, Mat& input_gradient,
                InputGradient mode = InputGradient::accumulate) const;

 private:
  uword dim_, heads_, head_size_, tokens_;
  real scale_;
};

}  // namespace homopt::nn
