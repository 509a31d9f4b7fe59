#include "homopt/nn/residual.hpp"

#include "column_chunks.hpp"
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
  const uword rows = input.n_rows;
  cache.activation.set_size(rows, input.n_cols);
  output.set_size(rows, input.n_cols);
  // Per chunk of columns: W Y in one GEMM, then tanh and the sum while it is in cache.
  detail::for_each_chunk(input.n_cols, detail::chunk_columns, [&](uword first, uword count) {
    Mat activation = detail::column_view(cache.activation, first, count);
    activation = weight * detail::column_view(input, first, count);
    tanh_residual(rows, count, bias.memptr(), activation.memptr(), input.colptr(first), output.colptr(first));
  });
}

void TanhResidual::backward(const Mat& weight, const Mat& input, const Mat& output_gradient, Cache& cache,
                            Mat& weight_gradient, Mat& bias_gradient, Mat& input_gradient) const {
  const uword rows = input.n_rows;
  cache.pre_gradient.set_size(rows, std::min(input.n_cols, detail::chunk_columns));  // one chunk's P̄
  bias_gradient.zeros(rows, 1);
  input_gradient.set_size(rows, input.n_cols);
  real* b_bar = bias_gradient.memptr();
  detail::for_each_chunk(input.n_cols, detail::chunk_columns, [&](uword first, uword count) {
    Mat pre_gradient(cache.pre_gradient.memptr(), rows, count, false, true);
    for (uword col = 0; col < count; ++col) {
      const real* activation = cache.activation.colptr(first + col);
      const real* z_bar = output_gradient.colptr(first + col);
      real* p_bar = pre_gradient.colptr(col);
      for (uword r = 0; r < rows; ++r) {
        p_bar[r] = z_bar[r] * (1 - activation[r] * activation[r]);
        b_bar[r] += p_bar[r];
      }
    }
    const Mat y = detail::column_view(input, first, count);
    if (first == 0)
      weight_gradient = pre_gradient * y.t();
    else
      weight_gradient += pre_gradient * y.t();
    Mat y_bar = detail::column_view(input_gradient, first, count);
    y_bar = detail::column_view(output_gradient, first, count);
    y_bar += weight.t() * pre_gradient;
  });
}

}  // namespace homopt::nn
