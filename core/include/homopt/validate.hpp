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

}  // namespace homopt
