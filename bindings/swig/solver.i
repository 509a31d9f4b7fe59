// solver.i — the core's ask/tell Solver (minimize.hpp, docs/solvers.md) for Python and R,
// %include-d from homopt.i. The host language runs the loop (evaluates its own objective at
// the optimizer's points) and calls tell; the stopping rules, their order and the step live
// in the core, so Python, R, Julia and C++ stop at the same iteration.
//
// Lifetime: the Solver holds a reference to the Optimizer it was built with; the Python and
// R front ends keep that Optimizer object alive for as long as the Solver (optimize.py,
// optim_manifold.R). A tell holds the Optimizer's exclusive_access lock (homopt.i), so it
// never overlaps another thread's step, value or save on the same optimizer.

%nodefaultctor homopt::Solver;

namespace homopt {

/// Why a run stopped: 0 running, 1 gradient_tolerance, 2 value_tolerance, 3 max_iterations,
/// 4 time_limit, 5 callback (the integers of homopt::StopReason).
class Solver {
 public:
  /// Steps taken by this solver.
  std::uint64_t iterations() const;
  /// True once a rule stopped the run.
  bool done() const;
  /// ‖c‖₂ of the lifted gradient at the last tell (NaN before the first).
  real gradient_norm() const;
  /// A sentence saying why the run stopped.
  std::string message() const;
  /// The next tell stops the run (reason 5) after recording its value.
  void request_stop();
};

/// The make_method name for a case-insensitive name ("adam" → "Adam", "adam_with_decay" →
/// "AdamWithDecay"); ValueError naming "method" for an unknown name.
std::string canonical_method_name(const std::string& name);

}  // namespace homopt

%extend homopt::Solver {
  /// Solver(optimizer, max_iterations, gradient_tolerance, value_tolerance, value_window,
  /// time_limit): the rules of docs/solvers.md (a tolerance of 0 turns its rule off;
  /// time_limit in seconds, inf for none). ValueError naming the rule out of range.
  Solver(homopt::Optimizer& optimizer, std::uint64_t max_iterations, homopt::real gradient_tolerance,
         homopt::real value_tolerance, std::uint64_t value_window, homopt::real time_limit) {
    homopt::StoppingRules rules;
    rules.max_iterations = max_iterations;
    rules.gradient_tolerance = gradient_tolerance;
    rules.value_tolerance = value_tolerance;
    rules.value_window = value_window;
    rules.time_limit = time_limit;
    return new homopt::Solver(optimizer, rules);
  }
  /// Reports f(x_k) and the Euclidean gradients at x_k (one per parameter); checks the
  /// rules, steps unless one holds; returns the reason (0: keep going). On an error (value
  /// NaN/Inf: ValueError naming "value"; a bad gradient: "gradients[i]") nothing changed.
  int tell(homopt::real value, const std::vector<homopt::Mat>& euclidean_gradients) {
    const auto lock = homopt_binding::exclusive_access(&$self->optimizer());
    return static_cast<int>($self->tell(value, euclidean_gradients));
  }
  /// The reason the run stopped (0 while running).
  int reason_code() const { return static_cast<int>($self->reason()); }
  /// The reason's name: "gradient_tolerance", "value_tolerance", "max_iterations",
  /// "time_limit", "callback" ("none" while running).
  std::string reason_name() const { return homopt::to_string($self->reason()); }
  /// f_0, f_1, …: every value told.
  std::vector<double> history() const { return $self->history(); }
}
