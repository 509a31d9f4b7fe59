#include "homopt/nn/residual.hpp"

#include <cmath>

namespace homopt::nn {

void TanhResidual::forward(const Mat& weight, const Mat& bias, const Mat& input, Cache& cache, Mat& output) const {
  cache.activation = weight * input;  // one GEMM over all columns of the batch
  output.set_size(input.n_rows, input.n_cols);
  const uword rows = input.n_rows;
  const real* b = bias.memptr();
  for (uword col = 0; col < input.n_cols; ++col) {
    real* activation = cache.activation.colptr(col);
    const real* y = input.colptr(col);
    real* z = output.colptr(col);
    for (uword r = 0; r < rows; ++r) {
      activation[r] = std::tanh(activation[r] + b[r]);
      z[r] = y[r] + activation[r];
    }
  }
}

void TanhResidual::backward(const Mat& weight, const Mat& input, const Mat& output_gradient, Cache& cache,
                            Mat& weight_gradient, Mat& bias_gradient, Mat& input_gradient) const {
  const uword rows = input.n_rows;
  cache.pre_gradient.set_size(rows, input.n_cols);
  bias_gradient.zeros(rows, 1);
  real* b_bar = bias_gradient.memptr();
  for (uword col = 0; col < input.n_cols; ++col) {
    const real* activation = cache.activation.colptr(col);
    const real* z_bar = output_gradient.colptr(col);
    real* p_bar = cache.pre_gradient.colptr(col);
    for (uword r = 0; r < rows; ++r) {
      p_bar[r] = z_bar[r] * (1 - activation[r] * activation[r]);
      b_bar[r] += p_bar[r];
    }
  }
  weight_gradient = cache.pre_gradient * input.t();
  input_gradient = output_gradient;
  input_gradient += weight.t() * cache.pre_gradient;
}

}  // namespace homopt::nn
