// homopt.i — the ONE SWIG interface of homopt, shared by the Python and R modules
// (docs/architecture.md, "From each language to the core"). Everything here is
// language-neutral; language-specific typemaps live in
//   numpy_arma.i  (Python: homopt::Mat ⇄ numpy.ndarray, included under SWIGPYTHON)
//   r_arma.i      (R: homopt::Mat ⇄ R matrix, included under SWIGR)
// Both must provide typemaps for: `const homopt::Mat&` (in), `homopt::Mat` and
// `const homopt::Mat&` (out), `const std::vector<homopt::Mat>&` (in).
//
// Wrapped: the manifolds (Stiefel, Grassmann, Euclidean, SymplecticStiefel,
// SymplecticGrassmann), the methods (Gradient, Momentum, Adam, AdamWithDecay, BFGS) and the Optimizer (add, step, value, size,
// step_count, save, load); the retraction is passed as a string, "cayley" or "geodesic".
// Methods are built from the keywords the caller gave (a vector of keys and one of values,
// handed to make_method; the others take the core's declared defaults), and the API
// declaration of api.hpp is queried by name (method_spec_names, method_text, …) so that
// Python and R take names, defaults, ranges and doc text from the core (docs/api.md).
// Not wrapped: everything returning std::unique_ptr (section, section_from_state, clone,
// make_manifold, make_method), the Section interface, method internals (velocity, states)
// and the checkpoint byte-level helpers. No overloads on matrix arguments (SWIG-R's
// dispatcher miscounts them). The wrapped API is declared below, not %include-d.
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
#include <mutex>
#include <string>
#include <vector>

#include "homopt/homopt.hpp"

namespace homopt_binding {
/// Calls on one Optimizer run one at a time: Python releases the GIL while C++ runs, so
/// two threads may call step/value/save on the same object. Every Optimizer method below
/// holds exclusive_access(self) for its whole call (including the copy of a returned
/// point). The mutex is one of 256, chosen by the object's address: calls on one object
/// never overlap; calls on two objects whose addresses share a mutex merely wait for each
/// other (no call holds two, so there is no deadlock). Manifolds and methods are immutable.
inline std::unique_lock<std::mutex> exclusive_access(const void* object) {
  static std::mutex mutexes[256];
  const auto address = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(object));
  return std::unique_lock<std::mutex>(mutexes[((address >> 4) * 0x9E3779B97F4A7C15ull) >> 56]);
}

/// make_method(name, {keys[k]: values[k]}) as a `Kind`: the binding passes only the
/// keywords the caller gave; the core supplies the declared defaults and range checks.
template <class Kind>
Kind* method_from_keywords(const char* name, const std::vector<std::string>& keys,
                           const std::vector<double>& values) {
  if (keys.size() != values.size())
    throw homopt::InvalidArgument("values", "expected one value per key (" + std::to_string(keys.size()) +
                                                " keys, " + std::to_string(values.size()) + " values)");
  homopt::Hyperparameters given;
  for (std::size_t k = 0; k < keys.size(); ++k) given.emplace_back(keys[k], values[k]);
  return new Kind(dynamic_cast<const Kind&>(*homopt::make_method(name, given)));
}
}  // namespace homopt_binding
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

// ------------------------------------------------------------------ declarations
// The user-facing API, declared here rather than %include-d from the core headers: the
// binding's surface is exactly this list (no %ignore bookkeeping when the core grows
// internal methods or intermediate base classes, e.g. OrthonormalFrames or
// detail::SymplecticSpace). The generated code calls the real core classes, so a
// signature that drifts from the headers is a compile error, never a silent mismatch.
// Formulas: see the core headers and the Python docstrings (python/homopt/__init__.py).
%nodefaultctor homopt::Manifold;
%nodefaultctor homopt::Method;
%nodefaultctor homopt::Optimizer;
%nodefaultctor homopt::Gradient;
%nodefaultctor homopt::Momentum;
%nodefaultctor homopt::Adam;
%nodefaultctor homopt::AdamWithDecay;
%nodefaultctor homopt::BFGS;

namespace homopt {

/// Semantic version of the library, "MAJOR.MINOR.PATCH".
const char* version();

/// rows×cols standard normals from std::mt19937_64(seed) by Box–Muller, column-major:
/// the same numbers in every language and on every platform.
Mat standard_normal_matrix(uword rows, uword cols, std::uint64_t seed);

/// A homogeneous space G/H (or a plain vector space) with its global tangent space geometry.
class Manifold {
 public:
  virtual ~Manifold();
  /// "Stiefel", "Grassmann", "Euclidean", "SymplecticStiefel", "SymplecticGrassmann".
  virtual std::string name() const;
  /// e.g. "Stiefel(N=49, n=7)".
  virtual std::string description() const;
  /// Rows of a point matrix.
  virtual uword rows() const;
  /// Columns of a point matrix.
  virtual uword cols() const;
  /// Manifold dimension = length of the packed coordinate vector of 𝔤ʰᵒʳ.
  virtual uword dimension() const;
  /// A point from a fixed, documented distribution; identical for the same seed in every language.
  virtual Mat random_point(std::uint64_t seed) const;
  /// Constraint residual of point (‖YᵀY − I‖_F, ‖UᵀJU − J‖_F, 0 for Euclidean).
  virtual real check(const Mat& point) const;
  /// Largest residual check may return for a point accepted by Optimizer.add.
  virtual real tolerance() const;
  /// Riemannian gradient at point of a function with Euclidean gradient euclidean_gradient.
  virtual Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const;
};

/// St(n, N) = {Y ∈ ℝ^{N×n} : YᵀY = I}; Riemannian gradient G − Y GᵀY (canonical metric).
class Stiefel : public Manifold {
 public:
  Stiefel(uword N, uword n);
  uword N() const;
  uword n() const;
};

/// Gr(n, N), represented by an orthonormal basis Y; Riemannian gradient G − YYᵀG.
class Grassmann : public Manifold {
 public:
  Grassmann(uword N, uword n);
  uword N() const;
  uword n() const;
};

/// ℝ^{rows×cols}: the step is Y ← Y + V.
class Euclidean : public Manifold {
 public:
  Euclidean(uword rows, uword cols);
};

/// SpSt(2n, 2N) = {U ∈ ℝ^{2N×2n} : UᵀJ_{2N}U = J_{2n}}.
class SymplecticStiefel : public Manifold {
 public:
  SymplecticStiefel(uword N, uword n);
  uword N() const;
  uword n() const;
};

/// SpGr(2n, 2N): symplectic subspaces, represented by a symplectic basis U.
class SymplecticGrassmann : public Manifold {
 public:
  SymplecticGrassmann(uword N, uword n);
  uword N() const;
  uword n() const;
};

/// An optimizer method: maps packed gradient coordinates (and its state) to a velocity.
class Method {
 public:
  virtual ~Method();
  /// "Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS".
  virtual std::string name() const;
  /// e.g. "Adam(lr=0.001, beta1=0.9, beta2=0.99, eps=3e-07, amsgrad=0)".
  std::string description() const;
};

/// V = −lr·g.
class Gradient : public Method {
 public:
  real lr() const;
};

/// m ← alpha·m + g; V = −lr·m.
class Momentum : public Method {
 public:
  real lr() const;
  real alpha() const;
};

/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g⊙g, V = −lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + eps).
class Adam : public Method {
 public:
  real lr() const;
  real beta1() const;
  real beta2() const;
  real eps() const;
  bool amsgrad() const;
};

/// Adam with lr(t) = lr_start·(lr_end/lr_start)^{min(t−1, S−1)/(S−1)}, S = decay_steps.
class AdamWithDecay : public Method {
 public:
  std::uint64_t decay_steps() const;
  real lr_start() const;
  real lr_end() const;
  /// lr(t).
  real learning_rate(std::uint64_t t) const;
};

/// Inverse-Hessian BFGS on the coordinates: V = −lr·H g.
class BFGS : public Method {
 public:
  real lr() const;
  real eps() const;
  uword max_dimension() const;
};

/// One method, one retraction, one global step counter, parameters on manifolds.
/// Thread-safe: concurrent calls on one optimizer are serialized (see the %extend below).
class Optimizer {
 public:
  /// Reads a checkpoint written by save.
  static Optimizer load(const std::string& path);
};

}  // namespace homopt

// ------------------------------------------------------------------ additions
// Each method's one constructor: Kind(keys, values) = make_method("Kind", {keys[k]: values[k]}).
%define HOMOPT_METHOD_FROM_KEYWORDS(Kind)
%extend homopt::Kind {
  /// The method with the given hyperparameters (keys[k] = values[k]); the others take the
  /// core's declared defaults. Unknown, repeated or out-of-range keys: ValueError naming the key.
  Kind(const std::vector<std::string>& keys, const std::vector<double>& values) {
    return homopt_binding::method_from_keywords<homopt::Kind>(#Kind, keys, values);
  }
}
%enddef
HOMOPT_METHOD_FROM_KEYWORDS(Gradient)
HOMOPT_METHOD_FROM_KEYWORDS(Momentum)
HOMOPT_METHOD_FROM_KEYWORDS(Adam)
HOMOPT_METHOD_FROM_KEYWORDS(AdamWithDecay)
HOMOPT_METHOD_FROM_KEYWORDS(BFGS)

// The API declaration (api.hpp), by name: what Python and R show is read from here.
namespace homopt {
/// Text field of a method: "summary" or "formula".
std::string method_text(const std::string& method, const std::string& field);
/// Text field of hyperparameter index of method: "name", "kind" (real/count/flag), "range", "meaning".
std::string hyperparameter_text(const std::string& method, std::size_t index, const std::string& field);
/// Text field of a manifold: "summary", "constraint", "size_rule", "point_shape", "shape_parameters".
std::string manifold_text(const std::string& manifold, const std::string& field);
}  // namespace homopt

%inline %{
namespace homopt {
/// Names of the declared methods, in declaration order.
std::vector<std::string> method_spec_names() {
  std::vector<std::string> names;
  for (const auto& spec : homopt::method_specs()) names.push_back(spec.name);
  return names;
}
/// Names of the hyperparameters of `method`, in declaration (and make_method) order.
std::vector<std::string> method_spec_hyperparameter_names(const std::string& method) {
  std::vector<std::string> names;
  for (const auto& h : homopt::method_spec(method).hyperparameters) names.push_back(h.name);
  return names;
}
/// Declared defaults of the hyperparameters of `method` (flags 0/1), in the same order.
std::vector<double> method_spec_defaults(const std::string& method) {
  std::vector<double> values;
  for (const auto& h : homopt::method_spec(method).hyperparameters) values.push_back(h.default_value);
  return values;
}
/// Names of the declared manifolds, in declaration order.
std::vector<std::string> manifold_spec_names() {
  std::vector<std::string> names;
  for (const auto& spec : homopt::manifold_specs()) names.push_back(spec.name);
  return names;
}
}  // namespace homopt
%}

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

// Every method of Optimizer holds homopt_binding::exclusive_access($self) for its whole
// call: steps, reads and saves of one optimizer from several threads never overlap.
%extend homopt::Optimizer {
  /// Optimizer(method, retraction) with retraction "cayley" (default) or "geodesic".
  Optimizer(const homopt::Method& method, const std::string& retraction = "cayley") {
    return new homopt::Optimizer(method, homopt::retraction_from_string(retraction, "retraction"));
  }
  /// Adds a parameter starting at initial_point (validated); returns its 0-based index.
  std::size_t add(const homopt::Manifold& manifold, const homopt::Mat& initial_point) {
    const auto lock = homopt_binding::exclusive_access($self);
    return $self->add(manifold, initial_point);
  }
  /// One step with one Euclidean gradient per parameter, in the order of add;
  /// all-or-nothing (on an error nothing changes).
  void step(const std::vector<homopt::Mat>& euclidean_gradients) {
    const auto lock = homopt_binding::exclusive_access($self);
    $self->step(euclidean_gradients);
  }
  /// Current point of parameter i (a copy, taken while no step runs).
  homopt::Mat value(std::size_t i) const {
    const auto lock = homopt_binding::exclusive_access($self);
    return $self->value(i);
  }
  /// Number of parameters.
  std::size_t size() const {
    const auto lock = homopt_binding::exclusive_access($self);
    return $self->size();
  }
  /// Steps completed so far.
  std::uint64_t step_count() const {
    const auto lock = homopt_binding::exclusive_access($self);
    return $self->step_count();
  }
  /// Writes a checkpoint atomically (temporary file, flush, rename); only a regular file
  /// (or nothing) may be at path.
  void save(const std::string& path) const {
    const auto lock = homopt_binding::exclusive_access($self);
    $self->save(path);
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
  std::string manifold_description(std::size_t i) const {
    const auto lock = homopt_binding::exclusive_access($self);
    return $self->manifold(i).description();
  }
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
  homopt_python::Bytes checkpoint_bytes() const {
    const auto lock = homopt_binding::exclusive_access($self);
    return homopt_python::Bytes{$self->to_bytes()};
  }
  /// Inverse of checkpoint_bytes() (OSError on corrupt or foreign bytes).
  static homopt::Optimizer* from_checkpoint_bytes(const std::string& checkpoint) {
    return new homopt::Optimizer(homopt::Optimizer::from_bytes(checkpoint, "checkpoint bytes"));
  }
}
#endif
%include "solver.i"
