// homopt — the layers of homopt::nn walk a batch in chunks of columns, so that a GEMM's
// output is still in the CPU cache when the next loop reads it (instead of making a round
// trip through main memory for every pass over a 16·B-column matrix).
#pragma once

#include <algorithm>

#include "homopt/types.hpp"

namespace homopt::nn::detail {

/// Token columns per chunk: 256 columns of a 3·49-row Q/K/V block are 300 KB, which with
/// the chunk's input, output and attention weights stays within a 1 MB L2 cache.
constexpr uword chunk_columns = 256;

/// Samples per chunk for samples of `tokens` columns each: ⌊chunk_columns / tokens⌋, at least 1.
inline uword chunk_samples(uword tokens) { return std::max<uword>(1, chunk_columns / tokens); }

/// Calls visit(first, count) for the consecutive ranges [first, first + count) that split
/// 0 … total − 1 into pieces of `size` (the last one shorter), in increasing order.
template <typename Visit>
void for_each_chunk(uword total, uword size, Visit&& visit) {
  for (uword first = 0; first < total; first += size) visit(first, std::min(size, total - first));
}

/// Columns [first, first + count) of `matrix` as a matrix that shares its memory (no copy;
/// valid while `matrix` keeps its size).
inline Mat column_view(Mat& matrix, uword first, uword count) {
  return Mat(matrix.colptr(first), matrix.n_rows, count, false, true);
}
/// Read-only columns [first, first + count) of `matrix` (no copy).
inline const Mat column_view(const Mat& matrix, uword first, uword count) {
  return Mat(const_cast<real*>(matrix.colptr(first)), matrix.n_rows, count, false, true);
}

}  // namespace homopt::nn::detail
