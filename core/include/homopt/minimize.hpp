// homopt — the solver loop: stopping rules evaluated in one place (the core), so that every
// language stops at the same iteration. Two shapes:
//   - Solver: an ask/tell object. The caller evaluates the objective at solver.points(),
//     calls tell(value, gradients), and repeats until done(). Bindings that cannot call
//     back into their host language through C++ (the C ABI, Julia) drive this one.
//   - minimize(objective, gradient, optimizer, options): the loop in C++, built on Solver.
// The loop, each rule and the result fields are documented in docs/solvers.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "homopt/methods.hpp"
#include "homopt/optimizer.hpp"
#include "homopt/types.hpp"

namespace homopt {

/// Why a run stopped. The integer values are part of the bindings' contract (Python
/// `status`, the C ABI's homopt_solver_reason); `none` means "still running".
enum class StopReason : int {
  none = 0,                ///< not stopped
  gradient_tolerance = 1,  ///< ‖c‖ ≤ gradient_tolerance (converged)
  value_tolerance = 2,     ///< relative change of f over the window ≤ value_tolerance (converged)
  max_iterations = 3,      ///< max_iterations steps taken
  time_limit = 4,          ///< wall-clock time since the solver was created ≥ time_limit
  callback = 5,            ///< the caller asked to stop (request_stop, a callback)
};

/// "gradient_tolerance", "value_tolerance", … (the enumerator's name).
const char* to_string(StopReason reason);
/// True for the two convergence rules (gradient_tolerance, value_tolerance).
bool converged(StopReason reason);

/// The stopping rules. At the tell for the current point x_k (k = steps taken so far,
/// f_k = f(x_k), Gᵢ = ∂f/∂Yᵢ at x_k) the solver checks, in this order, and stops at the
/// first that holds (no step is taken then):
///   1. a stop was requested (request_stop)                       → callback
///   2. ‖c‖₂ ≤ gradient_tolerance (if > 0), c = (c₁, …, c_P), cᵢ = lift(Gᵢ) → gradient_tolerance
///   3. value_tolerance > 0, k ≥ value_window and |f_{k−w} − f_k| ≤ value_tolerance · max(|f_{k−w}|, |f_k|, 1),
///      w = value_window                                          → value_tolerance
///   4. seconds since the Solver was constructed ≥ time_limit     → time_limit
///   5. k ≥ max_iterations                                        → max_iterations
/// Otherwise it takes one optimizer step with the gradients G and k becomes k + 1.
/// cᵢ are the packed 𝔤ʰᵒʳ coordinates the optimizer's method sees (Optimizer::lifted_gradients),
/// so rule 2 is measured in the same coordinates as the method. A tolerance of 0 (the
/// default) switches its rule off.
struct StoppingRules {
  std::uint64_t max_iterations = 1000;   ///< any value; 0 evaluates x_0 only
  real gradient_tolerance = 0;           ///< finite, ≥ 0 (0: rule off)
  real value_tolerance = 0;              ///< finite, ≥ 0 (0: rule off)
  std::uint64_t value_window = 1;        ///< ≥ 1
  real time_limit = std::numeric_limits<real>::infinity();  ///< seconds, > 0 (∞ allowed)

  /// Throws InvalidArgument naming the field (gradient_tolerance, value_tolerance,
  /// value_window, time_limit) outside the ranges above.
  void validate() const;
};

/// The ask/tell solver. Holds a reference to `optimizer`, which must outlive it and must
/// not be stepped by anyone else while the run lasts.
///
/// Guarantee of tell: if it throws (bad value or gradient, a step the optimizer refuses,
/// out of memory), neither the optimizer nor the solver changed: the run can continue
/// from the last completed step, or be abandoned with the optimizer at that step.
class Solver {
 public:
  /// Validates `rules`; starts the wall clock of rule 4.
  Solver(Optimizer& optimizer, StoppingRules rules = {});

  /// Copies of the current points x_k (one per parameter, in the optimizer's order).
  std::vector<Mat> points() const;

  /// Reports f(x_k) = value and the Euclidean gradients at x_k; checks the rules above,
  /// then steps unless one holds. Returns reason() (StopReason::none: keep going).
  /// Throws InvalidArgument naming "value" (NaN or ±Inf), "gradients"/"gradients[i]"
  /// (count, shape, NaN/Inf, or a step the optimizer refuses), or "solver" (already done).
  StopReason tell(real value, const std::vector<Mat>& euclidean_gradients);

  /// Makes the next tell stop with StopReason::callback (after recording its value).
  void request_stop() { stop_requested_ = true; }

  bool done() const { return reason_ != StopReason::none; }
  StopReason reason() const { return reason_; }
  /// Steps taken by this solver (k).
  std::uint64_t iterations() const { return iterations_; }
  /// f_0, f_1, …: every value told (after a stop: f at the final points last).
  const std::vector<real>& history() const { return history_; }
  /// ‖c‖₂ at the last tell (NaN before the first).
  real gradient_norm() const { return gradient_norm_; }
  /// A sentence for the result, e.g. "gradient norm 8.1e-07 <= gradient_tolerance 1e-06".
  std::string message() const;
  const StoppingRules& rules() const { return rules_; }
  /// The optimizer this solver steps.
  const Optimizer& optimizer() const { return optimizer_; }

 private:
  StopReason rule_that_holds(real value, real gradient_norm) const;

  Optimizer& optimizer_;
  StoppingRules rules_;
  std::chrono::steady_clock::time_point start_;
  std::vector<real> history_;
  std::uint64_t iterations_ = 0;
  real gradient_norm_ = std::numeric_limits<real>::quiet_NaN();
  bool stop_requested_ = false;
  StopReason reason_ = StopReason::none;
};

/// What minimize returns. value = f(points), the last entry of history.
struct MinimizeResult {
  std::vector<Mat> points;
  real value = 0;
  std::uint64_t iterations = 0;  ///< optimizer steps taken by the run
  StopReason reason = StopReason::none;
  std::string message;           ///< Solver::message()
  real gradient_norm = 0;        ///< ‖c‖₂ at the final points
  std::vector<real> history;     ///< f_0 … f_final (iterations + 1 values)
};

/// f(Y₁, …, Y_P) at the optimizer's current points.
using ObjectiveFunction = std::function<real(const std::vector<Mat>& points)>;
/// The Euclidean gradients ∂f/∂Yᵢ at the same points.
using GradientFunction = std::function<std::vector<Mat>(const std::vector<Mat>& points)>;
/// Called once per iteration with (k, f_k, x_k) before the rules are checked; returning
/// true stops the run (StopReason::callback) without a step.
using IterationCallback =
    std::function<bool(std::uint64_t iteration, real value, const std::vector<Mat>& points)>;

struct MinimizeOptions {
  StoppingRules rules;
  IterationCallback callback;  ///< optional
};

/// The loop: repeat { x = solver.points(); f = objective(x); G = gradient(x);
/// if callback(k, f, x) then request_stop; tell(f, G) } until a rule holds. The optimizer
/// is stepped in place and continues from its current state (step counter, moments).
/// An exception from objective, gradient or callback propagates unchanged and leaves the
/// optimizer at the last completed step; a NaN/±Inf value or gradient throws
/// InvalidArgument naming "value" or "gradients[i]" (see Solver::tell).
MinimizeResult minimize(const ObjectiveFunction& objective, const GradientFunction& gradient,
                        Optimizer& optimizer, const MinimizeOptions& options = {});

/// The method name make_method accepts for a case-insensitive `name` in which '_' and '-'
/// are ignored: "adam" → "Adam", "adam_with_decay" → "AdamWithDecay", "bfgs" → "BFGS"
/// (InvalidArgument naming "method" for an unknown name).
std::string canonical_method_name(const std::string& name);

/// make_method(canonical_method_name(name), hyperparameters).
std::unique_ptr<Method> make_method_by_name(const std::string& name, const Hyperparameters& hyperparameters);

}  // namespace homopt
