// homopt — the residual feed-forward layer of the paper's transformer (docs/transformer.md).
#pragma once

#include "homopt/types.hpp"

namespace homopt::nn {

/// Z = Y + tanh(W Y + b 1ᵀ) on a batch Y (dim × columns), W ∈ ℝ^{dim×dim}, b ∈ ℝ^{dim}.
/// One GEMM per chunk of about 256 columns (then tanh while that chunk is in cache).
class TanhResidual {
 public:
  struct Cache {
    Mat activation;    ///< H = tanh(W Y + b 1ᵀ) (forward)
    Mat pre_gradient;  ///< ∂L/∂(W Y + b 1ᵀ) of one chunk of columns (backward)
  };

  /// output = Z; `output` must not alias `input`.
  void forward(const Mat& weight, const Mat& bias, const Mat& input, Cache& cache, Mat& output) const;

  /// With Z̄ = ∂L/∂Z and P̄ = Z̄ ⊙ (1 − H⊙H):
  ///   weight_gradient = P̄ Yᵀ,  bias_gradient = P̄ 1,  input_gradient = Z̄ + Wᵀ P̄ (all overwritten).
  void backward(const Mat& weight, const Mat& input, const Mat& output_gradient, Cache& cache,
                Mat& weight_gradient, Mat& bias_gradient, Mat& input_gradient) const;
};

}  // namespace homopt::nn
