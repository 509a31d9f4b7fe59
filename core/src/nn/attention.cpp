#include "homopt/nn/attention.hpp"

#include <cmath>
#include <limits>

#include "homopt/error.hpp"

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

namespace {

/// Pointers into the per-sample blocks of one head: Q, K, V (h × T, column stride ld).
struct HeadView {
  const real* q;
  const real* k;
  const real* v;
  uword ld;
};

/// S = c·QᵀK, then A = softmax over each column of S (in place, T×T column-major).
void attention_weights(const HeadView& head, uword h, uword T, real c, real* A) {
  for (uword j = 0; j < T; ++j) {
    const real* kj = head.k + j * head.ld;
    real* a = A + j * T;
    real largest = -std::numeric_limits<real>::infinity();
    for (uword i = 0; i < T; ++i) {
      const real* qi = head.q + i * head.ld;
      real s = 0;
      for (uword e = 0; e < h; ++e) s += qi[e] * kj[e];
      a[i] = c * s;
      largest = std::max(largest, a[i]);
    }
    real sum = 0;
    for (uword i = 0; i < T; ++i) {
      a[i] = std::exp(a[i] - largest);
      sum += a[i];
    }
    const real inverse = 1 / sum;
    for (uword i = 0; i < T; ++i) a[i] *= inverse;
  }
}

/// out(:, c) = Σ_r M(r, c) · src(:, r)  (Transposed: Σ_r M(c, r) · src(:, r)) for a T×T
/// matrix M and h×T blocks src and out with column strides ld_src and ld_out.
template <bool Transposed>
void combine_columns(const real* M, uword T, const real* src, uword ld_src, real* out, uword ld_out, uword h) {
  for (uword c = 0; c < T; ++c) {
    real* o = out + c * ld_out;
    for (uword e = 0; e < h; ++e) o[e] = 0;
    for (uword r = 0; r < T; ++r) {
      const real w = Transposed ? M[c + r * T] : M[r + c * T];
      const real* source = src + r * ld_src;
      for (uword e = 0; e < h; ++e) o[e] += w * source[e];
    }
  }
}

}  // namespace

void MultiHeadAttention::forward(const Mat& projections, const Mat& input, Cache& cache, Mat& output) const {
  const uword D = dim_, T = tokens_, h = head_size_, H = heads_;
  const uword samples = input.n_cols / T;
  cache.qkv = projections.t() * input;  // 3D × T·B: one GEMM for every head and token
  cache.weights.set_size(T * T, H * samples);
  output.set_size(D, input.n_cols);
  const uword ld = 3 * D;
  for (uword b = 0; b < samples; ++b) {
    const real* base = cache.qkv.colptr(b * T);
    for (uword head = 0; head < H; ++head) {
      const HeadView view{base + head * h, base + D + head * h, base + 2 * D + head * h, ld};
      real* A = cache.weights.colptr(b * H + head);
      attention_weights(view, h, T, scale_, A);
      combine_columns<false>(A, T, view.v, ld, output.colptr(b * T) + head * h, D, h);  // O = V A
    }
  }
}

void MultiHeadAttention::backward(const Mat& projections, const Mat& input, const Mat& output_gradient,
                                  Cache& cache, Mat& projections_gradient, Mat& input_gradient) const {
  const uword D = dim_, T = tokens_, h = head_size_, H = heads_;
  const uword samples = input.n_cols / T;
  const uword ld = 3 * D;
  cache.qkv_gradient.set_size(3 * D, input.n_cols);
  cache.scratch.set_size(T * T, 1);
  real* G = cache.scratch.memptr();
  for (uword b = 0; b < samples; ++b) {
    const real* base = cache.qkv.colptr(b * T);
    real* gradient_base = cache.qkv_gradient.colptr(b * T);
    const real* out_bar_base = output_gradient.colptr(b * T);
    for (uword head = 0; head < H; ++head) {
      const real* Q = base + head * h;
      const real* K = base + D + head * h;
      const real* V = base + 2 * D + head * h;
      real* Q_bar = gradient_base + head * h;
      real* K_bar = gradient_base + D + head * h;
      real* V_bar = gradient_base + 2 * D + head * h;
      const real* O_bar = out_bar_base + head * h;  // column stride D
      const real* A = cache.weights.colptr(b * H + head);
      combine_columns<true>(A, T, O_bar, D, V_bar, ld, h);  // V̄ = Ō Aᵀ
      // Ā(i, j) = v_iᵀ Ō(:, j);  G = c · S̄ with S̄(:, j) = A(:, j) ⊙ (Ā(:, j) − A(:, j)ᵀĀ(:, j))
      for (uword j = 0; j < T; ++j) {
        const real* o_bar = O_bar + j * D;
        const real* a = A + j * T;
        real* g = G + j * T;
        real dot = 0;
        for (uword i = 0; i < T; ++i) {
          const real* vi = V + i * ld;
          real s = 0;
          for (uword e = 0; e < h; ++e) s += vi[e] * o_bar[e];
          g[i] = s;
          dot += a[i] * s;
        }
        for (uword i = 0; i < T; ++i) g[i] = scale_ * a[i] * (g[i] - dot);
      }
      combine_columns<true>(G, T, K, ld, Q_bar, ld, h);   // Q̄ = K Gᵀ
      combine_columns<false>(G, T, Q, ld, K_bar, ld, h);  // K̄ = Q G
    }
  }
  projections_gradient = input * cache.qkv_gradient.t();
  input_gradient += projections * cache.qkv_gradient;
}

}  // namespace homopt::nn
