// homopt.i — the ONE SWIG interface of homopt, shared by the Python and R modules
// (DESIGN 2.1). Everything here is language-neutral; language-specific typemaps live in
//   numpy_arma.i  (Python: homopt::Mat ⇄ numpy.ndarray, included under SWIGPYTHON)
//   r_arma.i      (R: homopt::Mat ⇄ R matrix, included under SWIGR)
// Both must provide typemaps for: `const homopt::Mat&` (in), `homopt::Mat` and
// `const homopt::Mat&` (out), `const std::vector<homopt::Mat>&` (in).
//
// Wrapped: the manifolds (Stiefel, Grassmann, Euclidean, …), the methods (Gradient,
// Momentum, Adam, AdamWithDecay, BFGS) and the Optimizer (add, step, value, size,
// step_count, save, load); the retraction is passed as a string, "cayley" or "geodesic".
// Not wrapped: everything returning std::unique_ptr (section, section_from_state, clone,
// make_manifold, make_method), the Section interface, method internals (velocity, states)
// and the checkpoint byte-level helpers. No overloads on matrix arguments (SWIG-R's
// dispatcher miscounts them).
//
// Exceptions (every call is wrapped in try/catch, the C++ message is kept):
//   homopt::InvalidArgument → ValueError,  homopt::IndexOutOfRange → IndexError,
//   homopt::FileError       → OSError (IOError; also for corrupt checkpoint content),
//   std::bad_alloc          → MemoryError, any other std::exception → RuntimeError.

#ifdef SWIGPYTHON
%module(package="homopt") core
#else
%module homopt
#endif

%{
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "homopt/homopt.hpp"
%}

%include <exception.i>
%include <std_string.i>
%include <std_vector.i>
%include <stdint.i>

// ------------------------------------------------------------------ types
// Declared by hand (not %include "homopt/types.hpp") so that the typemaps below match
// `homopt::Mat` exactly, whatever Armadillo's own typedef chain looks like.
namespace arma { template <typename eT> class Mat; }
namespace homopt {
typedef double real;
typedef unsigned long long uword;
typedef arma::Mat<double> Mat;
}

%template(StringVector) std::vector<std::string>;
%template(RealVector) std::vector<double>;

// ------------------------------------------------------------------ exceptions
%exception {
  try {
    $action
  } catch (const homopt::InvalidArgument& error) {
    SWIG_exception_fail(SWIG_ValueError, error.what());
  } catch (const homopt::IndexOutOfRange& error) {
    SWIG_exception_fail(SWIG_IndexError, error.what());
  } catch (const homopt::FileError& error) {
    SWIG_exception_fail(SWIG_IOError, error.what());
  } catch (const std::bad_alloc& error) {
    SWIG_exception_fail(SWIG_MemoryError, error.what());
  } catch (const std::exception& error) {
    SWIG_exception_fail(SWIG_RuntimeError, error.what());
  } catch (...) {
    SWIG_exception_fail(SWIG_UnknownError, "unknown C++ exception");
  }
}

// ------------------------------------------------------------------ language typemaps
#ifdef SWIGPYTHON
%include "numpy_arma.i"
// Default arguments as one wrapper each (no overload dispatch; clearer TypeErrors), and
// keyword arguments by the C++ parameter names (optimizer.add(manifold=…, initial_point=…)).
%feature("compactdefaultargs");
%feature("kwargs");
#endif
#ifdef SWIGR
%include "r_arma.i"
#endif

// ------------------------------------------------------------------ not user-facing
%ignore homopt::Section;
%ignore homopt::Manifold::section;
%ignore homopt::Manifold::section_from_state;
%ignore homopt::Manifold::clone;
%ignore homopt::Manifold::horizontal_matrix;
%ignore homopt::Manifold::shape_parameters;
%ignore homopt::make_manifold;
%ignore homopt::Method::initial_state;
%ignore homopt::Method::validate_state;
%ignore homopt::Method::velocity;
%ignore homopt::Method::check_dimension;
%ignore homopt::Method::clone;
%ignore homopt::Method::hyperparameters;
%ignore homopt::Adam::velocity_with_rate;
%ignore homopt::AdamWithDecay::adam;
%ignore homopt::make_method;
%ignore homopt::MethodState;
%ignore homopt::Hyperparameters;
%ignore homopt::Optimizer::Optimizer(const Method&, Retraction);
%ignore homopt::Optimizer::Optimizer(const Optimizer&);
%ignore homopt::Optimizer::Optimizer(Optimizer&&);
%ignore homopt::Optimizer::operator=;
%ignore homopt::Optimizer::method;
%ignore homopt::Optimizer::retraction;
%ignore homopt::Optimizer::manifold;
%ignore homopt::Optimizer::section;
%ignore homopt::Optimizer::method_state;
%ignore homopt::Optimizer::to_bytes;
%ignore homopt::Optimizer::from_bytes;
%ignore homopt::orthonormal_factor;

// Abstract bases are wrapped (shared verbs) but never constructed.
%nodefaultctor homopt::Manifold;
%nodefaultctor homopt::Method;

// ------------------------------------------------------------------ declarations
%include "homopt/version.hpp"
%include "homopt/manifold.hpp"
%include "homopt/stiefel.hpp"
%include "homopt/grassmann.hpp"
%include "homopt/euclidean.hpp"
%include "homopt/methods.hpp"
%include "homopt/optimizer.hpp"
%include "homopt/random.hpp"

// ------------------------------------------------------------------ additions
%extend homopt::Method {
  /// Names of the hyperparameters, in the order of the C++ constructor.
  std::vector<std::string> hyperparameter_names() const {
    std::vector<std::string> names;
    for (const auto& entry : $self->hyperparameters()) names.push_back(entry.first);
    return names;
  }
  /// Values of the hyperparameters, in the order of hyperparameter_names().
  std::vector<double> hyperparameter_values() const {
    std::vector<double> values;
    for (const auto& entry : $self->hyperparameters()) values.push_back(entry.second);
    return values;
  }
}

%extend homopt::Optimizer {
  /// Optimizer(method, retraction) with retraction "cayley" (default) or "geodesic".
  Optimizer(const homopt::Method& method, const std::string& retraction = "cayley") {
    return new homopt::Optimizer(method, homopt::retraction_from_string(retraction, "retraction"));
  }
  /// "cayley" or "geodesic".
  std::string retraction_name() const { return homopt::to_string($self->retraction()); }
  /// The method with its hyperparameters, e.g. "Adam(lr=0.001, beta1=0.9, …)".
  std::string method_description() const { return $self->method().description(); }
  /// The method's name(), e.g. "Adam".
  std::string method_name() const { return $self->method().name(); }
  /// The method's hyperparameter values, in constructor order (as Method.hyperparameter_values).
  std::vector<double> method_hyperparameter_values() const {
    std::vector<double> values;
    for (const auto& entry : $self->method().hyperparameters()) values.push_back(entry.second);
    return values;
  }
  /// Description of parameter i's manifold, e.g. "Stiefel(N=49, n=7)".
  std::string manifold_description(std::size_t i) const { return $self->manifold(i).description(); }
}

%inline %{
namespace homopt {
/// Address of the first entry of the matrix the binding hands to C++ (debugging helper:
/// equal to the input array's data pointer exactly when the input was not copied).
std::uintptr_t matrix_data_address(const homopt::Mat& matrix) {
  return reinterpret_cast<std::uintptr_t>(matrix.memptr());
}
}  // namespace homopt
%}

#ifdef SWIGPYTHON
// Pickling support: the checkpoint bytes (Optimizer::to_bytes / from_bytes) as Python bytes.
namespace homopt_python { struct Bytes; }
%newobject homopt::Optimizer::from_checkpoint_bytes;
%extend homopt::Optimizer {
  /// The checkpoint that save() writes, as bytes.
  homopt_python::Bytes checkpoint_bytes() const { return homopt_python::Bytes{$self->to_bytes()}; }
  /// Inverse of checkpoint_bytes() (OSError on corrupt or foreign bytes).
  static homopt::Optimizer* from_checkpoint_bytes(const std::string& checkpoint) {
    return new homopt::Optimizer(homopt::Optimizer::from_bytes(checkpoint, "checkpoint bytes"));
  }
}
#endif
