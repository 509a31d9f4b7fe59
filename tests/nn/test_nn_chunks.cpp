// The layers walk a batch in chunks of columns (nn/src/column_chunks.hpp): a batch of several
// chunks must give what the same samples give one at a time — outputs and input gradients
// column by column, parameter gradients as the sum over the samples.
#include <catch2/catch.hpp>

#include "column_chunks.hpp"
#include "homopt/nn/attention.hpp"
#include "homopt/nn/residual.hpp"
#include "homopt/random.hpp"

using homopt::Mat;
using homopt::real;
using homopt::uword;
namespace nn = homopt::nn;

namespace {

/// ‖a − b‖_F / ‖b‖_F.
real relative_error(const Mat& a, const Mat& b) {
  REQUIRE(arma::norm(b, "fro") > 0);
  return arma::norm(a - b, "fro") / arma::norm(b, "fro");
}

/// Columns of sample b (T columns each).
Mat sample_columns(const Mat& m, uword b, uword T) { return m.cols(b * T, b * T + T - 1); }

/// Batched and sample-by-sample results differ only in the order of floating-point sums
/// (BLAS blocking, chunk-by-chunk accumulation of the parameter gradients over ≤ 600
/// columns), so they agree to a small multiple of the unit roundoff.
constexpr real tolerance = 1e-12;

void check_attention_chunks(uword dim, uword heads, uword T, uword samples) {
  REQUIRE(samples > 2 * nn::detail::chunk_samples(T));  // at least three chunks, the last one partial
  REQUIRE(samples % nn::detail::chunk_samples(T) != 0);
  const nn::MultiHeadAttention attention(dim, heads, T, 0.4);
  const Mat W = homopt::standard_normal_matrix(dim, 3 * dim, 11) / 2;
  const Mat X = homopt::standard_normal_matrix(dim, T * samples, 12);
  const Mat O_bar = homopt::standard_normal_matrix(dim, T * samples, 13);
  nn::MultiHeadAttention::Cache cache;
  Mat out, W_bar, X_bar(dim, T * samples, arma::fill::zeros);
  attention.forward(W, X, cache, out);
  attention.backward(W, X, O_bar, cache, W_bar, X_bar);

  Mat W_bar_sum(dim, 3 * dim, arma::fill::zeros);
  for (uword b = 0; b < samples; ++b) {
    nn::MultiHeadAttention::Cache one_cache;
    const Mat x = sample_columns(X, b, T);
    Mat one_out, one_W_bar, one_X_bar(dim, T, arma::fill::zeros);
    attention.forward(W, x, one_cache, one_out);
    attention.backward(W, x, sample_columns(O_bar, b, T), one_cache, one_W_bar, one_X_bar);
    INFO("sample " << b);
    CHECK(relative_error(sample_columns(out, b, T), one_out) < tolerance);
    CHECK(relative_error(sample_columns(X_bar, b, T), one_X_bar) < tolerance);
    W_bar_sum += one_W_bar;
  }
  CHECK(relative_error(W_bar, W_bar_sum) < tolerance);
}

}  // namespace

TEST_CASE("attention over several chunks equals the samples one at a time", "[nn][attention][chunks]") {
  SECTION("generic kernel (5 tokens)") { check_attention_chunks(12, 3, 5, 2 * nn::detail::chunk_samples(5) + 7); }
  SECTION("the paper's shape (16 tokens)") { check_attention_chunks(49, 7, 16, 2 * nn::detail::chunk_samples(16) + 5); }
}

TEST_CASE("tanh residual over several chunks equals the columns one at a time", "[nn][residual][chunks]") {
  const uword dim = 9, columns = 2 * nn::detail::chunk_columns + 37;
  const nn::TanhResidual residual;
  const Mat W = homopt::standard_normal_matrix(dim, dim, 21) / 3;
  const Mat b = homopt::standard_normal_matrix(dim, 1, 22);
  const Mat Y = homopt::standard_normal_matrix(dim, columns, 23);
  const Mat Z_bar = homopt::standard_normal_matrix(dim, columns, 24);
  nn::TanhResidual::Cache cache;
  Mat Z, W_bar, b_bar, Y_bar;
  residual.forward(W, b, Y, cache, Z);
  residual.backward(W, Y, Z_bar, cache, W_bar, b_bar, Y_bar);

  // Dense formulas: Z = Y + H, H = tanh(W Y + b 1ᵀ), P̄ = Z̄ ⊙ (1 − H ⊙ H).
  const Mat H = arma::tanh(W * Y + b * arma::ones(1, columns));
  const Mat P_bar = Z_bar % (1 - H % H);
  CHECK(relative_error(Z, Y + H) < tolerance);
  CHECK(relative_error(W_bar, P_bar * Y.t()) < tolerance);
  CHECK(relative_error(b_bar, arma::sum(P_bar, 1)) < tolerance);
  CHECK(relative_error(Y_bar, Z_bar + W.t() * P_bar) < tolerance);
}

TEST_CASE("attention's skip output and overwritten input gradient equal the separate passes", "[nn][attention][chunks]") {
  const uword dim = 49, heads = 7, T = 16, samples = 2 * nn::detail::chunk_samples(16) + 3;
  const nn::MultiHeadAttention attention(dim, heads, T, 1 / 7.0);
  const Mat W = homopt::standard_normal_matrix(dim, 3 * dim, 31) / 2;
  const Mat X = homopt::standard_normal_matrix(dim, T * samples, 32);
  const Mat O_bar = homopt::standard_normal_matrix(dim, T * samples, 33);
  nn::MultiHeadAttention::Cache cache;
  Mat attention_only, with_input;
  attention.forward(W, X, cache, attention_only);
  attention.forward(W, X, cache, with_input, nn::MultiHeadAttention::Output::with_input);
  // The same sum O + X, formed while O is in cache: equal bit for bit.
  CHECK(arma::approx_equal(with_input, Mat(attention_only + X), "absdiff", 0.0));

  Mat W_bar, accumulated(dim, T * samples, arma::fill::zeros), overwritten(dim, 3, arma::fill::randu);
  attention.backward(W, X, O_bar, cache, W_bar, accumulated);
  attention.backward(W, X, O_bar, cache, W_bar, overwritten, nn::MultiHeadAttention::InputGradient::overwrite);
  REQUIRE(overwritten.n_cols == T * samples);
  CHECK(arma::approx_equal(overwritten, accumulated, "absdiff", 0.0));
  CHECK(arma::norm(overwritten, "fro") > 1);
}
