#include "homopt/nn/residual.hpp"

#include "fast_math.hpp"

namespace homopt::nn {

namespace {

/// H ← tanh(H + b 1ᵀ), Z = Y + H over `cols` columns of `rows` entries.
HOMOPT_VECTOR_CLONES
void tanh_residual(uword rows, uword cols, const real* bias, real* activation, const real* input, real* output) {
  for (uword col = 0; col < cols; ++col) {
    real* h = activation + col * rows;
    const real* y = input + col * rows;
    real* z = output + col * rows;
#pragma omp simd
    for (uword r = 0; r < rows; ++r) {
      h[r] = detail::vector_tanh(h[r] + bias[r]);
      z[r] = y[r] + h[r];
    }
  }
}

}  // namespace

void TanhResidual::forward(const Mat& weight, const Mat& bias, const Mat& input, Cache& cache, Mat& output) const {
  cache.activation = weight * input;  // one GEMM over all columns of the batch
  output.set_size(input.n_rows, input.n_cols);
  tanh_residual(input.n_rows, input.n_cols, bias.memptr(), cache.activation.memptr(), input.memptr(),
                output.memptr());
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
