// r_arma.i — R typemaps of the homopt SWIG interface (included by homopt.i under SWIGR).
//
// Conventions (docs/architecture.md, "From each language to the core"):
//  * homopt::Mat ⇄ R matrix. Both are column-major, so A[i, j] in R is A(i-1, j-1) in C++;
//    nothing is transposed. A double matrix is passed to C++ as a non-owning Armadillo
//    view (zero copy); an integer matrix is copied into doubles (NA becomes NaN, which the
//    core rejects by name). Anything else — a vector without dim, a data frame, a
//    character or logical matrix, NULL — is a TypeError naming the argument.
//  * Results are fresh plain R matrices (Rf_allocMatrix under PROTECT); no R class.
//  * Counts, sizes and seeds (uword, size_t, uint64_t) must be one finite, whole,
//    non-negative number ≤ 2^53; reals one number (finiteness is the core's business);
//    flags TRUE or FALSE. Anything else is a TypeError naming the argument.
//  * Object arguments (self, manifold, method) must be external pointers of a compatible
//    SWIG type that delete() has not cleared: otherwise a TypeError, never a crash.
//  * Errors never call Rf_error inside a typemap: they go through SWIG_exception_fail
//    (SWIG_Error + goto fail), so C++ locals are destroyed before R unwinds the stack.
//    Messages are passed through "%s" (a path containing '%' is not a format string).
//    The final error is an R condition of class homopt_error (homopt_r::raise_error).
//  * One wrapper per function with every argument (compactdefaultargs): the R layer in
//    r/R/ always passes all arguments, so SWIG-R's overload dispatcher is never needed.
//    The R proxy file SWIG writes is not used (r/prepare discards it).

%feature("compactdefaultargs");

%{
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

// SWIG-R's SWIG_exception_fail passes the message as a printf format; keep '%' literal.
#undef SWIG_exception_fail
#define SWIG_exception_fail(code, msg) \
  do {                                 \
    SWIG_Error(code, "%s", msg);       \
    SWIG_fail;                         \
  } while (0)

namespace homopt_r {

/// A short description of an R value for error messages, e.g. "a character matrix",
/// "a numeric vector of length 3 (no dim attribute)".
inline std::string describe(SEXP x) {
  if (x == R_NilValue) return "NULL";
  std::string kind = Rf_type2char(TYPEOF(x));
  if (TYPEOF(x) == REALSXP) kind = "numeric";
  if (TYPEOF(x) == STRSXP) kind = "character";
  if (Rf_isFrame(x)) return "a data.frame (use as.matrix)";
  if (TYPEOF(x) == VECSXP) kind = "list";
  const std::string article = kind[0] == 'i' || kind[0] == 'e' ? "an " : "a ";
  if (Rf_isMatrix(x)) return article + kind + " matrix";
  return article + kind + " vector of length " + std::to_string(Rf_xlength(x)) +
         " (no dim attribute)";
}

/// "" if x is an R numeric (double or integer) matrix, else what it is instead.
inline std::string matrix_problem(SEXP x) {
  const bool numeric = TYPEOF(x) == REALSXP || TYPEOF(x) == INTSXP;
  if (numeric && Rf_isMatrix(x)) return "";
  return "expected a numeric matrix, got " + describe(x) +
         (numeric ? "; use matrix(x, nrow, ncol)" : "");
}

/// Builds the Armadillo matrix of an R matrix accepted by matrix_problem through
/// `emplace` (which constructs it in place and returns a reference): a double matrix as a
/// strict non-owning view of R's memory (emplace(memory, rows, cols, false, true)), an
/// integer matrix as a double copy (emplace(rows, cols), then filled; NA becomes NaN).
template <typename Emplace>
void place_matrix(SEXP x, Emplace emplace) {
  const arma::uword rows = static_cast<arma::uword>(Rf_nrows(x));
  const arma::uword cols = static_cast<arma::uword>(Rf_ncols(x));
  if (TYPEOF(x) == REALSXP) {
    emplace(REAL(x), rows, cols, /*copy_aux_mem=*/false, /*strict=*/true);
    return;
  }
  arma::Mat<double>& copy = emplace(rows, cols);
  const int* source = INTEGER(x);
  double* target = copy.memptr();
  for (arma::uword k = 0; k < rows * cols; ++k) {
    target[k] = source[k] == NA_INTEGER ? NAN : static_cast<double>(source[k]);
  }
}

/// Reads an R numeric matrix into `out` (see place_matrix). Returns "" or an error
/// message naming `argument`.
inline std::string read_matrix(SEXP x, const char* argument,
                               std::optional<arma::Mat<double>>& out) {
  const std::string problem = matrix_problem(x);
  if (!problem.empty()) return std::string(argument) + ": " + problem;
  place_matrix(x, [&](auto&&... arguments) -> arma::Mat<double>& {
    return out.emplace(std::forward<decltype(arguments)>(arguments)...);
  });
  return "";
}

/// Reads a list of numeric matrices (zero copy for double matrices; no allocation besides
/// the vector itself unless an element is bad). A single matrix is refused here.
inline std::string read_matrix_list(SEXP x, const char* argument,
                                    std::vector<arma::Mat<double>>& out) {
  if (TYPEOF(x) != VECSXP || Rf_isFrame(x)) {
    return std::string(argument) +
           ": expected a list of numeric matrices (one per parameter), got " + describe(x);
  }
  const R_xlen_t count = Rf_xlength(x);
  out.clear();
  out.reserve(static_cast<std::size_t>(count));  // no reallocation: views stay views
  for (R_xlen_t k = 0; k < count; ++k) {
    const SEXP element = VECTOR_ELT(x, k);
    const std::string problem = matrix_problem(element);
    if (!problem.empty()) {
      return std::string(argument) + "[[" + std::to_string(k + 1) + "]]: " + problem;
    }
    place_matrix(element, [&](auto&&... arguments) -> arma::Mat<double>& {
      return out.emplace_back(std::forward<decltype(arguments)>(arguments)...);
    });
  }
  return "";
}

/// A fresh R double matrix holding a copy of `matrix` (caller protects the result).
inline SEXP make_matrix(const arma::Mat<double>& matrix) {
  SEXP result = Rf_protect(Rf_allocMatrix(REALSXP, static_cast<int>(matrix.n_rows),
                                          static_cast<int>(matrix.n_cols)));
  if (matrix.n_elem > 0) std::copy(matrix.memptr(), matrix.memptr() + matrix.n_elem, REAL(result));
  Rf_unprotect(1);
  return result;
}

/// One finite, whole, non-negative number ≤ 2^53 (a count, size, index or seed).
inline std::string read_count(SEXP x, const char* argument, double& out) {
  const bool scalar = (TYPEOF(x) == REALSXP || TYPEOF(x) == INTSXP) && Rf_xlength(x) == 1 &&
                      !Rf_isMatrix(x);
  if (scalar) {
    out = TYPEOF(x) == REALSXP ? REAL(x)[0]
                               : (INTEGER(x)[0] == NA_INTEGER ? NAN : INTEGER(x)[0]);
    if (std::isfinite(out) && out >= 0 && out == std::floor(out) && out <= 9007199254740992.0) {
      return "";
    }
  }
  if (!scalar) return std::string(argument) + ": expected one whole number >= 0, got " + describe(x);
  std::ostringstream message;
  message.precision(17);
  message << argument << ": expected one whole number >= 0, got " << out;
  return message.str();
}

/// One number (NA/NaN/Inf are passed on; the core validates the value by name).
inline std::string read_real(SEXP x, const char* argument, double& out) {
  if ((TYPEOF(x) == REALSXP || TYPEOF(x) == INTSXP) && Rf_xlength(x) == 1) {
    out = TYPEOF(x) == REALSXP ? REAL(x)[0]
                               : (INTEGER(x)[0] == NA_INTEGER ? NAN : INTEGER(x)[0]);
    return "";
  }
  return std::string(argument) + ": expected one number, got " + describe(x);
}

/// TRUE or FALSE.
inline std::string read_flag(SEXP x, const char* argument, bool& out) {
  if (TYPEOF(x) == LGLSXP && Rf_xlength(x) == 1 && LOGICAL(x)[0] != NA_LOGICAL) {
    out = LOGICAL(x)[0] != 0;
    return "";
  }
  const bool na = TYPEOF(x) == LGLSXP && Rf_xlength(x) == 1;
  return std::string(argument) + ": expected TRUE or FALSE, got " + (na ? std::string("NA") : describe(x));
}

/// One non-NA string.
inline std::string read_string(SEXP x, const char* argument, std::string& out) {
  if (TYPEOF(x) == STRSXP && Rf_xlength(x) == 1 && STRING_ELT(x, 0) != NA_STRING) {
    out = Rf_translateCharUTF8(STRING_ELT(x, 0));
    return "";
  }
  return std::string(argument) + ": expected one string, got " + describe(x);
}

/// The C++ object behind a SWIG external pointer, checked: an external pointer whose
/// SWIG type converts to `type`, not cleared by delete(). Returns "" or an error message.
inline std::string read_pointer(SEXP x, swig_type_info* type, const char* argument,
                                const char* function, void*& out) {
  const char* expected = type->str ? type->str : type->name;
  if (TYPEOF(x) == EXTPTRSXP && !R_ExternalPtrAddr(x)) {
    return std::string(function) + ": the homopt object (" + argument +
           ") was deleted (or restored from a saved R session, which cannot hold C++ objects)";
  }
  swig_type_info* actual = nullptr;
  if (TYPEOF(x) == EXTPTRSXP && TYPEOF(R_ExternalPtrTag(x)) == EXTPTRSXP) {
    actual = static_cast<swig_type_info*>(R_ExternalPtrAddr(R_ExternalPtrTag(x)));
  }
  swig_cast_info* cast = actual && actual != type ? SWIG_TypeCheck(actual->name, type) : nullptr;
  if (!actual || (actual != type && !cast)) {
    return std::string(function) + ": " + argument + " must be a " + expected + " object, got " +
           (actual ? std::string(actual->str ? actual->str : actual->name) : describe(x));
  }
  int new_memory = 0;
  out = actual == type ? R_ExternalPtrAddr(x) : SWIG_TypeCast(cast, R_ExternalPtrAddr(x), &new_memory);
  return "";
}

/// Replaces Rf_error in the generated wrappers (see the #define below). SWIG-R ends every
/// failed call with Rf_error("%s %s", SWIG_ErrorType(code), message) after the block whose
/// C++ locals hold the arguments, so no destructor is skipped. Instead of a plain error
/// this calls homopt:::signal_native_error(text) (r/R/handle.R), which signals an R
/// condition of class homopt_error (and a subclass from the SWIG error code) attributed to
/// the R call of the verb. Costs nothing on success: no R-level handler per call.
[[noreturn]] inline void raise_error(const char* format, ...) {
  char text[2048];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  SEXP name = Rf_protect(Rf_mkString("homopt"));
  SEXP name_space = Rf_protect(R_FindNamespace(name));
  SEXP call = Rf_protect(Rf_lang2(Rf_install("signal_native_error"), Rf_mkString(text)));
  Rf_eval(call, name_space);   // does not return
  Rf_unprotect(3);
  (Rf_error)("%s", text);       // not reached; the parentheses keep the macro away
}

}  // namespace homopt_r

// Only the generated wrappers below this point use it; SWIG's runtime above is untouched.
#define Rf_error homopt_r::raise_error
%}

// Runs a homopt_r reader; on failure raises a TypeError with its message.
%define HOMOPT_R_READ(reader, target)
  {
    const std::string homopt_r_message = homopt_r::reader($input, "$1_name", target);
    if (!homopt_r_message.empty()) SWIG_exception_fail(SWIG_TypeError, homopt_r_message.c_str());
  }
%enddef

// ------------------------------------------------------------------ matrices
%typemap(in) const homopt::Mat& (std::optional<arma::Mat<double>> view) {
  HOMOPT_R_READ(read_matrix, view)
  $1 = &*view;
}
%typemap(in) const std::vector<homopt::Mat>& (std::vector<arma::Mat<double>> matrices) {
  HOMOPT_R_READ(read_matrix_list, matrices)
  $1 = &matrices;
}
%typemap(out) homopt::Mat {
  $result = Rf_protect(homopt_r::make_matrix(static_cast<const arma::Mat<double>&>($1)));
  r_nprotect++;
}
%typemap(out) const homopt::Mat& {
  $result = Rf_protect(homopt_r::make_matrix(*$1));
  r_nprotect++;
}
// The (unused) generated R proxy must not wrap matrices in a SWIG reference class.
%typemap(rtype) const homopt::Mat&, homopt::Mat "matrix";
%typemap(rtype) const std::vector<homopt::Mat>& "list";
%typemap(scoercein) const homopt::Mat&, const std::vector<homopt::Mat>& "";
%typemap(scoerceout) homopt::Mat, const homopt::Mat& "";

// ------------------------------------------------------------------ scalars
%typemap(in) homopt::uword, unsigned long long, unsigned long, std::size_t, size_t,
             std::uint64_t, uint64_t {
  double homopt_r_value = 0;
  HOMOPT_R_READ(read_count, homopt_r_value)
  $1 = static_cast<$1_ltype>(homopt_r_value);
}
%typemap(out) homopt::uword, unsigned long long, unsigned long, std::size_t, size_t,
              std::uint64_t, uint64_t "$result = Rf_ScalarReal(static_cast<double>($1));";
%typemap(in) double, homopt::real {
  double homopt_r_value = 0;
  HOMOPT_R_READ(read_real, homopt_r_value)
  $1 = homopt_r_value;
}
%typemap(in) bool {
  bool homopt_r_value = false;
  HOMOPT_R_READ(read_flag, homopt_r_value)
  $1 = homopt_r_value;
}
%typemap(in) const std::string& (std::string value) {
  HOMOPT_R_READ(read_string, value)
  $1 = &value;
}
%typemap(freearg) const std::string& "";  // the string is a typemap local, not new
%typemap(rtype) homopt::uword, unsigned long long, unsigned long, std::size_t, size_t,
                std::uint64_t, uint64_t, double, homopt::real "numeric";
%typemap(scoercein) homopt::uword, unsigned long long, unsigned long, std::size_t, size_t,
                    std::uint64_t, uint64_t, double, homopt::real "";

// ------------------------------------------------------------------ objects
// SWIG-R's own pointer conversion neither checks that the argument is an external pointer
// of a compatible type nor that delete() has not cleared it (SWIG-R emits no "check"
// typemaps, so the guard sits in the "in" typemap). Both are errors here.
%typemap(in) SWIGTYPE *self (void *pointer = 0),
             const homopt::Manifold& (void *pointer = 0),
             const homopt::Method& (void *pointer = 0) {
  {
    const std::string homopt_r_message =
        homopt_r::read_pointer($input, $descriptor, "$1_name", "$symname", pointer);
    if (!homopt_r_message.empty()) SWIG_exception_fail(SWIG_TypeError, homopt_r_message.c_str());
  }
  $1 = reinterpret_cast<$1_ltype>(pointer);
}
