#include "homopt/api.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "homopt/error.hpp"
#include "homopt/validate.hpp"

namespace homopt {

namespace {

namespace d = method_defaults;

/// A real hyperparameter that must be finite and > 0.
HyperparameterSpec positive(const char* name, real default_value, const char* meaning) {
  return {name, HyperparameterKind::real, default_value, HyperparameterRange::positive, 0,
          range_text(HyperparameterRange::positive, 0), meaning};
}

/// A real hyperparameter in [0, 1).
HyperparameterSpec unit_interval(const char* name, real default_value, const char* meaning) {
  return {name, HyperparameterKind::real, default_value, HyperparameterRange::unit_interval, 0,
          range_text(HyperparameterRange::unit_interval, 0), meaning};
}

/// A whole-number hyperparameter in [1, largest].
HyperparameterSpec count(const char* name, std::uint64_t default_value, std::uint64_t largest,
                         const char* meaning) {
  return {name, HyperparameterKind::count, static_cast<real>(default_value), HyperparameterRange::whole_count,
          static_cast<real>(largest), range_text(HyperparameterRange::whole_count, static_cast<real>(largest)),
          meaning};
}

/// A bool hyperparameter (stored as 0 or 1).
HyperparameterSpec flag(const char* name, bool default_value, const char* meaning) {
  return {name, HyperparameterKind::flag, default_value ? 1.0 : 0.0, HyperparameterRange::boolean, 0,
          range_text(HyperparameterRange::boolean, 0), meaning};
}

constexpr const char* adam_formula =
    "m <- beta1*m + (1-beta1)*g;  v <- beta2*v + (1-beta2)*g*g  (element-wise);\n"
    "m_hat = m/(1-beta1^t);  v_hat = v/(1-beta2^t)  (amsgrad: v_max <- max(v_max, v) in place of v);\n"
    "V = -lr*m_hat/(sqrt(v_hat) + eps)";

std::vector<MethodSpec> build_method_specs() {
  const char* amsgrad_meaning = "use the running maximum of the second moment (AMSGrad)";
  const char* beta1_meaning = "decay rate of the first-moment average m";
  const char* beta2_meaning = "decay rate of the second-moment average v";
  const char* adam_eps_meaning = "added to sqrt(v_hat) in the denominator";
  return {
      {"Gradient", "Plain gradient descent", "V = -lr*g",
       {positive("lr", d::gradient_lr, "learning rate (step length per unit gradient)")}},
      {"Momentum", "Heavy-ball momentum", "m <- alpha*m + g (m starts at 0);  V = -lr*m",
       {positive("lr", d::momentum_lr, "learning rate"),
        unit_interval("alpha", d::momentum_alpha, "momentum decay factor")}},
      {"Adam", "Adam with bias correction, element-wise on the coordinates", adam_formula,
       {positive("lr", d::adam_lr, "learning rate"), unit_interval("beta1", d::adam_beta1, beta1_meaning),
        unit_interval("beta2", d::adam_beta2, beta2_meaning), positive("eps", d::adam_eps, adam_eps_meaning),
        flag("amsgrad", d::adam_amsgrad, amsgrad_meaning)}},
      {"AdamWithDecay", "Adam whose learning rate decays exponentially from lr_start to lr_end",
       std::string("lr(t) = lr_start*(lr_end/lr_start)^(min(t-1, S-1)/(S-1)), S = decay_steps "
                   "(S = 1: lr(t) = lr_end);\nthen Adam with lr = lr(t):\n") +
           adam_formula,
       {count("decay_steps", d::decay_steps, max_decay_steps, "steps S over which lr decays from lr_start to lr_end"),
        positive("lr_start", d::decay_lr_start, "learning rate at step 1"),
        positive("lr_end", d::decay_lr_end, "learning rate from step S on"),
        unit_interval("beta1", d::decay_beta1, beta1_meaning), unit_interval("beta2", d::decay_beta2, beta2_meaning),
        positive("eps", d::decay_eps, adam_eps_meaning), flag("amsgrad", d::decay_amsgrad, amsgrad_meaning)}},
      {"BFGS", "BFGS with a dense inverse Hessian H on the coordinates, safeguarded",
       "V = -lr*H*g;  with s = previous V, y = g - g_previous, b = -lr*g_previous:\n"
       "update H only if s'y > eps*|s|*|y| and s'y >= 0.2*s'b; damp y towards b so that "
       "r'Hr <= 1000*s'r;\nH <- (I - rho*s*r')*H*(I - rho*r*s') + rho*s*s', rho = 1/(s'r), kept only if "
       "H stays positive definite",
       {positive("lr", d::bfgs_lr, "learning rate; 1/lr is the curvature the model starts from"),
        positive("eps", d::bfgs_eps, "skip the update unless s'y > eps*|s|*|y| (scale-free curvature test)"),
        count("max_dimension", d::bfgs_max_dimension, max_bfgs_dimension,
              "largest parameter dimension d accepted (H has d*d entries)")}},
  };
}

std::vector<ManifoldSpec> build_manifold_specs() {
  return {
      {"Stiefel", {"N", "n"}, "N × n", "orthonormal n-frames in R^N", "YᵀY = I", "1 ≤ n ≤ N ≤ 46340",
       {{3, 1}, {4, 2}, {5, 5}, {6, 3}}, {{3, 4}, {3, 0}, {46341, 1}}},
      {"Grassmann", {"N", "n"}, "N × n", "n-dimensional subspaces of R^N (point: any orthonormal basis)",
       "YᵀY = I (only span(Y) matters)", "1 ≤ n ≤ N ≤ 46340", {{3, 1}, {4, 2}, {5, 5}, {6, 3}},
       {{2, 3}, {4, 0}, {46341, 1}}},
      {"SymplecticStiefel", {"N", "n"}, "2N × 2n", "symplectic 2n-frames in (R^2N, J_2N)", "UᵀJ₂ₙU = J₂ₙ",
       "1 ≤ n ≤ N ≤ 23170", {{1, 1}, {2, 1}, {3, 2}, {4, 2}}, {{1, 2}, {2, 0}, {23171, 1}}},
      {"SymplecticGrassmann", {"N", "n"}, "2N × 2n",
       "2n-dimensional symplectic subspaces of (R^2N, J_2N) (point: any symplectic basis)",
       "UᵀJ₂ₙU = J₂ₙ (only span(U) matters)", "1 ≤ n ≤ N ≤ 23170", {{1, 1}, {2, 1}, {3, 2}, {4, 2}},
       {{1, 2}, {3, 0}, {23171, 1}}},
      {"Euclidean", {"rows", "cols"}, "rows × cols", "all real matrices (plain vector space)", "none",
       "rows ≥ 1, cols ≥ 1, rows·cols ≤ 2³¹ − 1", {{1, 1}, {3, 2}, {2, 5}}, {{0, 2}, {2, 0}, {65536, 65536}}},
  };
}

/// "A, B, C or D".
template <typename Spec>
std::string list_names(const std::vector<Spec>& specs) {
  std::string text;
  for (std::size_t k = 0; k < specs.size(); ++k)
    text += (k == 0 ? "" : k + 1 == specs.size() ? " or " : ", ") + specs[k].name;
  return text;
}

/// The spec called `name`, or InvalidArgument("name", "unknown <what> '…' (expected …)").
template <typename Spec>
const Spec& find_spec(const std::vector<Spec>& specs, const std::string& name, const char* what) {
  for (const Spec& spec : specs)
    if (spec.name == name) return spec;
  throw InvalidArgument("name", std::string("unknown ") + what + " '" + name + "' (expected " +
                                    list_names(specs) + ")");
}

/// The refusal of a count outside [1, largest] (decay_steps, max_dimension); `got` is the
/// value as given (an integer, or the double of a checkpoint or the C ABI).
template <typename Value>
[[noreturn]] void refuse_count(Value got, std::uint64_t largest, const std::string& argument) {
  std::ostringstream message;
  message << "must be a whole number in [1, " << largest << "], got " << got;
  throw InvalidArgument(argument, message.str());
}

/// InvalidArgument("field", …) listing the accepted fields.
[[noreturn]] void refuse_field(const std::string& field, const char* accepted) {
  throw InvalidArgument("field", "unknown field '" + field + "' (expected " + accepted + ")");
}

}  // namespace

const std::vector<MethodSpec>& method_specs() {
  static const std::vector<MethodSpec> specs = build_method_specs();
  return specs;
}

const MethodSpec& method_spec(const std::string& name) { return find_spec(method_specs(), name, "method"); }

const std::vector<ManifoldSpec>& manifold_specs() {
  static const std::vector<ManifoldSpec> specs = build_manifold_specs();
  return specs;
}

const ManifoldSpec& manifold_spec(const std::string& name) {
  return find_spec(manifold_specs(), name, "manifold");
}

std::string shortest_text(real value) {
  char text[32];
  if (std::floor(value) == value && std::fabs(value) <= 9007199254740992.0) {  // whole, ≤ 2⁵³: as an integer
    std::snprintf(text, sizeof text, "%.0f", value);
    return text;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

const char* to_string(HyperparameterKind kind) {
  switch (kind) {
    case HyperparameterKind::real: return "real";
    case HyperparameterKind::count: return "count";
    case HyperparameterKind::flag: return "flag";
  }
  return "";
}

std::string method_text(const std::string& method, const std::string& field) {
  const MethodSpec& spec = method_spec(method);
  if (field == "summary") return spec.summary;
  if (field == "formula") return spec.formula;
  refuse_field(field, "summary or formula");
}

std::string hyperparameter_text(const std::string& method, std::size_t index, const std::string& field) {
  const MethodSpec& spec = method_spec(method);
  if (index >= spec.hyperparameters.size())
    throw IndexOutOfRange("hyperparameter index " + std::to_string(index) + " out of range (" + spec.name +
                          " has " + std::to_string(spec.hyperparameters.size()) + ")");
  const HyperparameterSpec& h = spec.hyperparameters[index];
  if (field == "name") return h.name;
  if (field == "kind") return to_string(h.kind);
  if (field == "range") return h.range;
  if (field == "meaning") return h.meaning;
  refuse_field(field, "name, kind, range or meaning");
}

std::string manifold_text(const std::string& manifold, const std::string& field) {
  const ManifoldSpec& spec = manifold_spec(manifold);
  if (field == "summary") return spec.summary;
  if (field == "constraint") return spec.constraint;
  if (field == "size_rule") return spec.size_rule;
  if (field == "point_shape") return spec.point_shape;
  if (field == "shape_parameters") {
    std::string joined;
    for (const std::string& parameter : spec.shape_parameters) joined += (joined.empty() ? "" : ", ") + parameter;
    return joined;
  }
  refuse_field(field, "summary, constraint, size_rule, point_shape or shape_parameters");
}

std::string range_text(HyperparameterRange rule, real largest) {
  switch (rule) {
    case HyperparameterRange::positive: return "finite, > 0";
    case HyperparameterRange::unit_interval: return "0 ≤ value < 1";
    case HyperparameterRange::whole_count:
      return "whole, 1 ≤ value ≤ " + std::to_string(static_cast<std::uint64_t>(largest));
    case HyperparameterRange::boolean: return "0 or 1 (a bool)";
  }
  return "";
}

void require_count(std::uint64_t count, std::uint64_t largest, const std::string& argument) {
  if (count < 1 || count > largest) refuse_count(count, largest, argument);
}

real check_hyperparameter(const HyperparameterSpec& spec, real value) {
  switch (spec.rule) {
    case HyperparameterRange::positive: require_positive(value, spec.name); break;
    case HyperparameterRange::unit_interval: require_unit_interval(value, spec.name); break;
    case HyperparameterRange::whole_count:
      if (!(value >= 1 && value <= spec.largest && std::floor(value) == value))
        refuse_count(value, static_cast<std::uint64_t>(spec.largest), spec.name);
      break;
    case HyperparameterRange::boolean:
      if (value != 0 && value != 1) {
        std::ostringstream message;
        message << "must be 0 or 1 (a bool), got " << value;
        throw InvalidArgument(spec.name, message.str());
      }
      break;
  }
  return value;
}

}  // namespace homopt
