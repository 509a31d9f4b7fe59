#include "homopt/validate.hpp"

#include <cmath>
#include <sstream>

namespace homopt {

void require_shape(const Mat& matrix, uword rows, uword cols, const std::string& argument) {
  if (matrix.n_rows != rows || matrix.n_cols != cols) {
    std::ostringstream message;
    message << "expected a " << rows << "x" << cols << " matrix, got " << matrix.n_rows << "x"
            << matrix.n_cols;
    throw InvalidArgument(argument, message.str());
  }
}

void require_finite(const Mat& matrix, const std::string& argument) {
  const real* data = matrix.memptr();
  for (uword k = 0; k < matrix.n_elem; ++k) {
    if (!std::isfinite(data[k])) {
      std::ostringstream message;
      message << "entry (" << k % matrix.n_rows << ", " << k / matrix.n_rows << ") (0-based) is "
              << data[k] << "; NaN and Inf are not allowed";
      throw InvalidArgument(argument, message.str());
    }
  }
}

void require_positive(real value, const std::string& argument) {
  if (!(std::isfinite(value) && value > 0)) {
    std::ostringstream message;
    message << "must be a finite number > 0, got " << value;
    throw InvalidArgument(argument, message.str());
  }
}

void require_unit_interval(real value, const std::string& argument) {
  if (!(value >= 0 && value < 1)) {
    std::ostringstream message;
    message << "must lie in [0, 1), got " << value;
    throw InvalidArgument(argument, message.str());
  }
}

void require_matrix_size(uword rows, uword cols, const std::string& rows_argument,
                         const std::string& cols_argument, const std::string& matrix) {
  const bool fits = rows <= max_matrix_elements && cols <= max_matrix_elements &&
                    (rows == 0 || cols <= max_matrix_elements / rows);
  if (!fits) {
    std::ostringstream message;
    message << "too large: " << matrix << " would be " << rows << "x" << cols
            << ", but homopt's matrices have at most 2^31 - 1 = " << max_matrix_elements
            << " elements (the limit of the 32-bit BLAS/LAPACK interface)";
    throw InvalidArgument(rows > max_matrix_elements ? rows_argument : cols_argument, message.str());
  }
}

}  // namespace homopt
