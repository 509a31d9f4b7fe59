// Writing the cross-language data files of tests/data: '#' comment lines, otherwise
// `NAME ROWS COLS v1 v2 …` with the values column-major in %.17g (exact doubles).
#pragma once

#include <cstdio>
#include <string>

#include "homopt/types.hpp"

namespace homopt::data_file {

/// One `NAME ROWS COLS values…` line.
inline void write_matrix(std::FILE* out, const std::string& name, const Mat& m) {
  std::fprintf(out, "%s %llu %llu", name.c_str(), static_cast<unsigned long long>(m.n_rows),
               static_cast<unsigned long long>(m.n_cols));
  for (uword k = 0; k < m.n_elem; ++k) std::fprintf(out, " %.17g", m[k]);
  std::fprintf(out, "\n");
}

/// A 1×1 entry.
inline void write_number(std::FILE* out, const std::string& name, double value) { write_matrix(out, name, Mat{value}); }

}  // namespace homopt::data_file
