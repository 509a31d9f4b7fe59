// homopt — argument checks shared by every public entry point. Each throws
// InvalidArgument whose message starts with the argument's name.
#pragma once

#include <string>

#include "homopt/error.hpp"
#include "homopt/types.hpp"

namespace homopt {

/// Throws unless `matrix` is rows×cols.
void require_shape(const Mat& matrix, uword rows, uword cols, const std::string& argument);
/// Throws if `matrix` has a NaN or ±Inf entry (names the first offending entry).
void require_finite(const Mat& matrix, const std::string& argument);
/// Throws unless `value` is finite and value > 0.
void require_positive(real value, const std::string& argument);
/// Throws unless 0 ≤ value < 1.
void require_unit_interval(real value, const std::string& argument);

/// The largest number of elements of any matrix homopt allocates (hence also the largest
/// number of rows or columns): 2³¹ − 1. Debian's BLAS and LAPACK take every size as a
/// 32-bit `int` (LP64 interface) and Armadillo's own size checks are compiled out in
/// release builds (ARMA_NO_DEBUG), so larger matrices would be silently truncated; within
/// this bound every product of sizes (N·n, N², the dimension, the bytes of a buffer ≤ 16 GiB)
/// fits easily in 64 bits.
inline constexpr uword max_matrix_elements = 2147483647;

/// Throws InvalidArgument unless a rows×cols matrix fits the bound above: rows ≤
/// max_matrix_elements, cols ≤ max_matrix_elements and rows·cols ≤ max_matrix_elements
/// (checked without overflow). Names `rows_argument` if rows alone is too large, otherwise
/// `cols_argument`; `matrix` says which matrix the sizes describe (e.g. "the section λ
/// (N×N)") and goes into the message.
void require_matrix_size(uword rows, uword cols, const std::string& rows_argument,
                         const std::string& cols_argument, const std::string& matrix);

}  // namespace homopt
