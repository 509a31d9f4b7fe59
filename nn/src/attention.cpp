#include "homopt/nn/attention.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "homopt/error.hpp"
#include "column_chunks.hpp"
#include "fast_math.hpp"

namespace homopt::nn {

MultiHeadAttention::MultiHeadAttention(uword dim, uword heads, uword tokens, real scale)
    : dim_(dim), heads_(heads), head_size_(heads > 0 ? dim / heads : 0), tokens_(tokens), scale_(scale) {
  if (dim == 0) throw InvalidArgument("dim", "must be ≥ 1");
  if (tokens == 0) throw InvalidArgument("tokens", "must be ≥ 1");
  if (heads == 0 || dim % heads != 0)
    throw InvalidArgument("heads", "must divide the token dimension " + std::to_string(dim) + ", got " +
                                       std::to_string(heads));
  if (!(std::isfinite(scale) && scale > 0)) throw InvalidArgument("scale", "must be a finite number > 0");
}

// The per-sample kernels. Every small product is written as out(:, c) = Σ_r M(:, r)·B(r, c)
// with M a contiguous T-row matrix, so that the innermost loop runs over T contiguous
// entries (vectorizable); the h-row blocks of Q, K, V (column stride ld) enter as B, read
// either as stored (B(r, c) = b[c·ld + r]) or transposed (B(r, c) = b[r·ld + c]). For the
// paper's T = 16 the kernels are instantiated with T fixed at compile time, and they are
// compiled for AVX-512, AVX2 and baseline x86-64 with run-time dispatch.
namespace {

using detail::vector_exp;

/// Sizes of one attention head: T tokens, h rows per head, D = rows of the output/gradient,
/// ld = 3D rows of the Q/K/V matrix.
struct HeadSizes {
  uword T, h, D, ld;
};

/// out (T × C, contiguous) = M (T × R, contiguous) · B with B(r, c) = b[c·ldb + r]
/// (Transposed = false) or b[r·ldb + c] (Transposed = true). With T fixed at compile time a
/// column of `out` is summed in registers and stored once.
template <uword FixedT, bool Transposed>
HOMOPT_INLINE void small_product(uword runtime_T, uword R, uword C, const real* __restrict M,
                                 const real* __restrict b, uword ldb, real* __restrict out) {
  const uword T = FixedT ? FixedT : runtime_T;
  for (uword c = 0; c < C; ++c) {
    real* o = out + c * T;
    real column[FixedT ? FixedT : 1];
    real* __restrict sum = FixedT ? column : o;
#pragma omp simd
    for (uword t = 0; t < T; ++t) sum[t] = 0;
    for (uword r = 0; r < R; ++r) {
      const real w = Transposed ? b[r * ldb + c] : b[c * ldb + r];
      const real* m = M + r * T;
#pragma omp simd
      for (uword t = 0; t < T; ++t) sum[t] += w * m[t];
    }
    if (FixedT)
      for (uword t = 0; t < T; ++t) o[t] = sum[t];
  }
}

/// dst (cols × rows, contiguous) = transpose of src (rows × cols, column stride ld).
HOMOPT_INLINE void transpose(const real* __restrict src, uword ld, uword rows, uword cols, real* __restrict dst) {
  for (uword c = 0; c < cols; ++c)
    for (uword r = 0; r < rows; ++r) dst[r * cols + c] = src[c * ld + r];
}

/// Doubles of scratch the per-sample kernels need: T·(3h + 3T + D).
uword scratch_size(const HeadSizes& s) { return s.T * (3 * s.h + 3 * s.T + s.D); }

/// A = softmax_columns(c·QᵀK) of one head (T × T, contiguous) from its Q and K blocks
/// (h × T, column stride ld); Qt is T × h scratch. Forward and backward both call it, so
/// the backward pass sees bit-for-bit the A of the forward pass without storing it.
template <uword FixedT>
HOMOPT_INLINE void attention_weights(const HeadSizes& s, real c, const real* Q, const real* K, real* Qt, real* A) {
  const uword T = FixedT ? FixedT : s.T;
  transpose(Q, s.ld, s.h, T, Qt);
  small_product<FixedT, false>(T, s.h, T, Qt, K, s.ld, A);  // S = QᵀK
  for (uword j = 0; j < T; ++j) {
    real* a = A + j * T;
    real largest = -std::numeric_limits<real>::infinity();
#pragma omp simd reduction(max : largest)
    for (uword i = 0; i < T; ++i) largest = a[i] > largest ? a[i] : largest;
    real sum = 0;
#pragma omp simd reduction(+ : sum)
    for (uword i = 0; i < T; ++i) sum += (a[i] = vector_exp(c * (a[i] - largest)));
    const real inverse = 1 / sum;
#pragma omp simd
    for (uword i = 0; i < T; ++i) a[i] *= inverse;
  }
}

/// Forward of one sample, all heads: A = softmax_columns(c·QᵀK), O = V A. Everything is
/// formed in `scratch` (cache-resident); the sample's D × T output O (or O + X when `input`
/// is not null) is then written once, contiguously, to `out`.
template <uword FixedT>
HOMOPT_INLINE void forward_sample(const HeadSizes& s, uword heads, real c, const real* qkv, const real* input,
                                  real* out, real* scratch) {
  const uword T = FixedT ? FixedT : s.T, h = s.h;
  real* Qt = scratch;              // T × h
  real* A = Qt + T * h;            // T × T
  real* At = A + T * T;            // T × T
  real* Ot = At + T * T;           // T × h
  real* O = Ot + T * h;            // D × T, the sample's output
  for (uword head = 0; head < heads; ++head) {
    const real* Q = qkv + head * h;
    const real* K = Q + s.D;
    const real* V = K + s.D;
    attention_weights<FixedT>(s, c, Q, K, Qt, A);
    transpose(A, T, T, T, At);
    small_product<FixedT, true>(T, T, h, At, V, s.ld, Ot);  // Oᵀ = Aᵀ Vᵀ
    for (uword j = 0; j < T; ++j)  // into the sample's D-row output
      for (uword e = 0; e < h; ++e) O[j * s.D + head * h + e] = Ot[e * T + j];
  }
  if (input == nullptr) {
    std::copy_n(O, s.D * T, out);
  } else {
#pragma omp simd
    for (uword k = 0; k < s.D * T; ++k) out[k] = O[k] + input[k];
  }
}

/// Backward of one sample, all heads (see MultiHeadAttention::backward for the formulas);
/// A is formed again from Q and K (cheaper than storing it: T² values per head and sample
/// would be written to and read back from main memory).
template <uword FixedT>
HOMOPT_INLINE void backward_sample(const HeadSizes& s, uword heads, real c, const real* qkv, const real* out_bar,
                                   real* qkv_bar, real* scratch) {
  const uword T = FixedT ? FixedT : s.T, h = s.h;
  real* Vt = scratch;       // T × h
  real* G = Vt + T * h;     // T × T
  real* Gt = G + T * T;     // T × T
  real* Xt = Gt + T * T;    // T × h, the transposed gradient block before it is stored
  real* A = Xt + T * h;     // T × T
  real* Qt = A + T * T;     // T × h
  for (uword head = 0; head < heads; ++head) {
    const real* Q = qkv + head * h;
    const real* K = Q + s.D;
    const real* V = K + s.D;
    const real* O_bar = out_bar + head * h;  // column stride D
    real* Q_bar = qkv_bar + head * h;
    real* K_bar = Q_bar + s.D;
    real* V_bar = K_bar + s.D;
    auto store = [&](real* target) {  // target (h × T, stride ld) = Xtᵀ
      for (uword i = 0; i < T; ++i)
        for (uword e = 0; e < h; ++e) target[i * s.ld + e] = Xt[e * T + i];
    };
    attention_weights<FixedT>(s, c, Q, K, Qt, A);
    small_product<FixedT, true>(T, T, h, A, O_bar, s.D, Xt);  // V̄ᵀ = A Ōᵀ
    store(V_bar);
    transpose(V, s.ld, h, T, Vt);
    small_product<FixedT, false>(T, h, T, Vt, O_bar, s.D, G);  // Ā = VᵀŌ
    for (uword j = 0; j < T; ++j) {  // G = c·S̄, S̄(:, j) = A(:, j) ⊙ (Ā(:, j) − A(:, j)ᵀĀ(:, j))
      const real* a = A + j * T;
      real* g = G + j * T;
      real dot = 0;
#pragma omp simd reduction(+ : dot)
      for (uword i = 0; i < T; ++i) dot += a[i] * g[i];
#pragma omp simd
      for (uword i = 0; i < T; ++i) g[i] = c * a[i] * (g[i] - dot);
    }
    small_product<FixedT, true>(T, T, h, G, K, s.ld, Xt);  // Q̄ᵀ = G Kᵀ
    store(Q_bar);
    transpose(G, T, T, T, Gt);
    small_product<FixedT, true>(T, T, h, Gt, Q, s.ld, Xt);  // K̄ᵀ = Gᵀ Qᵀ
    store(K_bar);
  }
}

/// Loops over the samples with the kernel for the paper's T = 16 or the generic one.
HOMOPT_VECTOR_CLONES
void forward_samples(const HeadSizes& s, uword heads, uword samples, real c, const real* qkv, const real* input,
                     real* out, real* scratch) {
  for (uword b = 0; b < samples; ++b) {
    const real* sample_qkv = qkv + b * s.T * s.ld;
    const real* sample_input = input != nullptr ? input + b * s.T * s.D : nullptr;
    real* sample_out = out + b * s.T * s.D;
    if (s.T == 16)
      forward_sample<16>(s, heads, c, sample_qkv, sample_input, sample_out, scratch);
    else
      forward_sample<0>(s, heads, c, sample_qkv, sample_input, sample_out, scratch);
  }
}

HOMOPT_VECTOR_CLONES
void backward_samples(const HeadSizes& s, uword heads, uword samples, real c, const real* qkv, const real* out_bar,
                      real* qkv_bar, real* scratch) {
  for (uword b = 0; b < samples; ++b) {
    const real* sample_qkv = qkv + b * s.T * s.ld;
    const real* sample_out_bar = out_bar + b * s.T * s.D;
    real* sample_qkv_bar = qkv_bar + b * s.T * s.ld;
    if (s.T == 16)
      backward_sample<16>(s, heads, c, sample_qkv, sample_out_bar, sample_qkv_bar, scratch);
    else
      backward_sample<0>(s, heads, c, sample_qkv, sample_out_bar, sample_qkv_bar, scratch);
  }
}

}  // namespace

void MultiHeadAttention::forward(const Mat& projections, const Mat& input, Cache& cache, Mat& output,
                                 Output what) const {
  const uword T = tokens_, h = head_size_;
  const uword samples = input.n_cols / T;
  cache.qkv.set_size(3 * dim_, input.n_cols);
  output.set_size(dim_, input.n_cols);
  const HeadSizes sizes{T, h, dim_, 3 * dim_};
  cache.scratch.set_size(scratch_size(sizes), 1);
  // Per chunk of samples: Q, K, V of every head and token in one GEMM (WᵀX), then the
  // per-sample kernels while that block is still in cache.
  detail::for_each_chunk(samples, detail::chunk_samples(T), [&](uword first, uword count) {
    Mat qkv = detail::column_view(cache.qkv, first * T, count * T);
    qkv = projections.t() * detail::column_view(input, first * T, count * T);
    const real* skip = what == Output::with_input ? input.colptr(first * T) : nullptr;
    forward_samples(sizes, heads_, count, scale_, qkv.memptr(), skip, output.colptr(first * T),
                    cache.scratch.memptr());
  });
}

void MultiHeadAttention::backward(const Mat& projections, const Mat& input, const Mat& output_gradient,
                                  Cache& cache, Mat& projections_gradient, Mat& input_gradient,
                                  InputGradient mode) const {
  const uword T = tokens_, h = head_size_;
  if (mode == InputGradient::overwrite) input_gradient.set_size(dim_, input.n_cols);
  const uword samples = input.n_cols / T, chunk = detail::chunk_samples(T);
  cache.qkv_gradient.set_size(3 * dim_, std::min(samples, chunk) * T);  // one chunk's [Q̄; K̄; V̄]
  const HeadSizes sizes{T, h, dim_, 3 * dim_};
  cache.scratch.set_size(scratch_size(sizes), 1);
  // Per chunk: [Q̄; K̄; V̄] by the per-sample kernels, then its two GEMMs. The chunk's columns
  // of Ō are read before the same columns of input_gradient are written, so the two may be
  // one matrix.
  detail::for_each_chunk(samples, chunk, [&](uword first, uword count) {
    const uword column = first * T;
    Mat qkv_gradient(cache.qkv_gradient.memptr(), 3 * dim_, count * T, false, true);
    backward_samples(sizes, heads_, count, scale_, cache.qkv.colptr(column), output_gradient.colptr(column),
                     qkv_gradient.memptr(), cache.scratch.memptr());
    const Mat x = detail::column_view(input, column, count * T);
    if (first == 0)
      projections_gradient = x * qkv_gradient.t();
    else
      projections_gradient += x * qkv_gradient.t();
    Mat x_bar = detail::column_view(input_gradient, column, count * T);
    if (mode == InputGradient::overwrite)
      x_bar = projections * qkv_gradient;
    else
      x_bar += projections * qkv_gradient;
  });
}

}  // namespace homopt::nn
