// homopt — the one declaration of the public API: every optimizer method (name, formula,
// hyperparameters with defaults, accepted ranges and meaning) and every manifold (name,
// shape parameters, constraint, size rule, example and refused shapes). docs/api.md
// explains how this table reaches each language.
//
// Who reads it:
//  - the C++ constructors' default arguments are the `inline constexpr` constants below,
//    and the table's default_value fields are the same constants (one definition each);
//  - make_method takes its defaults, its list of keys and its range checks from
//    method_specs(); make_manifold takes its names and shape-parameter counts from
//    manifold_specs();
//  - the C ABI exposes the table through query functions (homopt.h), SWIG wraps the
//    queries for Python and R, and the generated files (R formals and .Rd, Julia
//    docstrings, docs/api-reference.md) are rendered from it by bindings/api/api_render.cpp;
//  - every binding's test suite compares what it shows with these queries at run time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "homopt/types.hpp"

namespace homopt {

/// Default hyperparameter values. The C++ constructors use them as default arguments and
/// method_specs() reports them; nothing else writes a default down.
namespace method_defaults {
inline constexpr real gradient_lr = 1e-2;
inline constexpr real momentum_lr = 1e-3;
inline constexpr real momentum_alpha = 1e-2;
inline constexpr real adam_lr = 1e-3;
inline constexpr real adam_beta1 = 0.9;
inline constexpr real adam_beta2 = 0.99;
inline constexpr real adam_eps = 3e-7;
inline constexpr bool adam_amsgrad = false;
inline constexpr std::uint64_t decay_steps = 1000;
inline constexpr real decay_lr_start = 1e-2;
inline constexpr real decay_lr_end = 1e-6;
inline constexpr real decay_beta1 = 0.9;
inline constexpr real decay_beta2 = 0.99;
inline constexpr real decay_eps = 1e-8;
inline constexpr bool decay_amsgrad = false;
inline constexpr real bfgs_lr = 1e-2;
inline constexpr real bfgs_eps = 1e-8;
inline constexpr std::uint64_t bfgs_max_dimension = 4096;
}  // namespace method_defaults

/// Largest accepted AdamWithDecay decay_steps: 2⁵³, the bound below which every whole
/// number is exactly a double (hyperparameters are stored as doubles).
inline constexpr std::uint64_t max_decay_steps = std::uint64_t(1) << 53;
/// Largest accepted BFGS max_dimension: 46340² < 2³¹ keeps the d×d inverse Hessian within
/// the 32-bit BLAS/LAPACK interface.
inline constexpr std::uint64_t max_bfgs_dimension = 46340;

/// How a hyperparameter is stored (always as a double) and read.
///  - real:  any double in its range;
///  - count: a whole number (stored exactly, ≤ 2⁵³);
///  - flag:  a bool, stored as exactly 0 or 1.
enum class HyperparameterKind { real, count, flag };

/// The accepted set of one hyperparameter (the checks make_method and the constructors
/// apply; range text is derived from it, see range_text()).
///  - positive:      finite and > 0 (subnormals included)
///  - unit_interval: 0 ≤ value < 1
///  - whole_count:   whole, 1 ≤ value ≤ largest
///  - boolean:       0 or 1
enum class HyperparameterRange { positive, unit_interval, whole_count, boolean };

/// One hyperparameter of one method.
struct HyperparameterSpec {
  std::string name;              ///< keyword, e.g. "lr"
  HyperparameterKind kind;       ///< real, count or flag
  real default_value;            ///< the value make_method uses when the key is absent
  HyperparameterRange rule;      ///< the accepted set
  real largest;                  ///< whole_count only: the largest accepted value (else 0)
  std::string range;             ///< the accepted set as text, e.g. "finite, > 0"
  std::string meaning;           ///< one line
};

/// One optimizer method.
struct MethodSpec {
  std::string name;                                ///< "Adam", as make_method and Method::name()
  std::string summary;                             ///< one line
  std::string formula;                             ///< the update, in plain text (may span lines)
  std::vector<HyperparameterSpec> hyperparameters; ///< in the order of Method::hyperparameters()
};

/// One manifold.
struct ManifoldSpec {
  std::string name;                                 ///< "Stiefel", as make_manifold and Manifold::name()
  std::vector<std::string> shape_parameters;        ///< {"N", "n"} or {"rows", "cols"}
  std::string point_shape;                          ///< the point's matrix size, e.g. "N × n", "2N × 2n"
  std::string summary;                              ///< one line
  std::string constraint;                           ///< e.g. "YᵀY = I"
  std::string size_rule;                            ///< e.g. "1 ≤ n ≤ N ≤ 46340"
  std::vector<std::vector<uword>> example_shapes;   ///< ≥ 3 small shapes make_manifold accepts
  std::vector<std::vector<uword>> refused_shapes;   ///< ≥ 2 shapes make_manifold refuses
};

/// All methods, in a fixed order (Gradient, Momentum, Adam, AdamWithDecay, BFGS).
const std::vector<MethodSpec>& method_specs();
/// The method called `name`; throws InvalidArgument("name", "unknown method '…' (expected …)").
const MethodSpec& method_spec(const std::string& name);
/// All manifolds, in a fixed order (Stiefel, Grassmann, SymplecticStiefel,
/// SymplecticGrassmann, Euclidean).
const std::vector<ManifoldSpec>& manifold_specs();
/// The manifold called `name`; throws InvalidArgument("name", "unknown manifold '…' (expected …)").
const ManifoldSpec& manifold_spec(const std::string& name);

/// Text field `field` of method `method` — "summary" or "formula" — for the bindings' query
/// functions; InvalidArgument naming "name" (unknown method) or "field" otherwise.
std::string method_text(const std::string& method, const std::string& field);
/// Text field `field` of hyperparameter `index` of `method` — "name", "kind" ("real",
/// "count" or "flag"), "range" or "meaning"; InvalidArgument naming "name" or "field", IndexOutOfRange for index.
std::string hyperparameter_text(const std::string& method, std::size_t index, const std::string& field);
/// Text field `field` of manifold `manifold` — "summary", "constraint", "size_rule",
/// "point_shape" or "shape_parameters" (the names joined by ", ", e.g. "N, n");
/// InvalidArgument naming "name" or "field" otherwise.
std::string manifold_text(const std::string& manifold, const std::string& field);
/// The shortest decimal text that reads back as exactly `value` ("0.001", "3e-07"; whole
/// numbers up to 2⁵³ as integers, "4096"): how documentation and help texts show a default.
std::string shortest_text(real value);
/// "real", "count" or "flag".
const char* to_string(HyperparameterKind kind);

/// The text of a range rule, e.g. "finite, > 0" or "whole, 1 ≤ value ≤ 46340".
std::string range_text(HyperparameterRange rule, real largest);

/// Throws InvalidArgument naming `argument` unless 1 ≤ count ≤ largest (the whole_count
/// rule for counts given as integers, e.g. to the C++ constructors).
void require_count(std::uint64_t count, std::uint64_t largest, const std::string& argument);

/// Checks `value` of hyperparameter `spec` against its range (InvalidArgument naming
/// spec.name otherwise) and returns it (counts and flags unchanged, as doubles).
real check_hyperparameter(const HyperparameterSpec& spec, real value);

}  // namespace homopt
