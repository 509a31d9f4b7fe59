// homopt — error types. Every error names the argument (or file) at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace homopt {

/// Bad input to a public function: wrong shape, NaN/Inf, point off the manifold,
/// invalid hyperparameter, out-of-range index. `argument()` is the offending name.
class InvalidArgument : public std::invalid_argument {
 public:
  InvalidArgument(std::string argument, const std::string& message)
      : std::invalid_argument(argument + ": " + message), argument_(std::move(argument)) {}
  const std::string& argument() const noexcept { return argument_; }

 private:
  std::string argument_;
};

/// Index out of range (e.g. `value(i)` with i ≥ size()); maps to IndexError in Python.
class IndexOutOfRange : public std::out_of_range {
 public:
  using std::out_of_range::out_of_range;
};

/// A checkpoint or data file that cannot be read or written: missing, truncated, corrupt,
/// foreign, or an I/O failure. The message names the path.
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace homopt
