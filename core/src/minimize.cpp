#include "homopt/minimize.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "homopt/api.hpp"
#include "homopt/error.hpp"

namespace homopt {

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::none: return "none";
    case StopReason::gradient_tolerance: return "gradient_tolerance";
    case StopReason::value_tolerance: return "value_tolerance";
    case StopReason::max_iterations: return "max_iterations";
    case StopReason::time_limit: return "time_limit";
    case StopReason::callback: return "callback";
  }
  return "unknown";
}

bool converged(StopReason reason) {
  return reason == StopReason::gradient_tolerance || reason == StopReason::value_tolerance;
}

namespace {
void require_tolerance(real value, const char* argument) {
  if (!std::isfinite(value) || value < 0)
    throw InvalidArgument(argument, "must be finite and >= 0 (got " + std::to_string(value) + ")");
}
}  // namespace

void StoppingRules::validate() const {
  require_tolerance(gradient_tolerance, "gradient_tolerance");
  require_tolerance(value_tolerance, "value_tolerance");
  if (value_window < 1) throw InvalidArgument("value_window", "must be >= 1 (got 0)");
  if (std::isnan(time_limit) || time_limit <= 0)
    throw InvalidArgument("time_limit", "must be > 0 seconds (infinity for none; got " +
                                            std::to_string(time_limit) + ")");
}

Solver::Solver(Optimizer& optimizer, StoppingRules rules)
    : optimizer_(optimizer), rules_(rules), start_(std::chrono::steady_clock::now()) {
  rules_.validate();
}

std::vector<Mat> Solver::points() const {
  std::vector<Mat> points;
  points.reserve(optimizer_.size());
  for (std::size_t i = 0; i < optimizer_.size(); ++i) points.push_back(optimizer_.value(i));
  return points;
}

namespace {
/// ‖(c₁, …, c_k)‖₂ of the concatenated coordinate vectors, by arma::norm (the scaled,
/// overflow-safe 2-norm), so that for one parameter it is exactly arma::norm(c₁).
real concatenated_norm(const std::vector<Vec>& coordinates) {
  uword total = 0;
  for (const Vec& c : coordinates) total += c.n_elem;
  Vec all(total, arma::fill::none);
  uword offset = 0;
  for (const Vec& c : coordinates) {
    std::copy(c.begin(), c.end(), all.begin() + offset);
    offset += c.n_elem;
  }
  return total > 0 ? arma::norm(all) : 0.0;
}
}  // namespace

StopReason Solver::rule_that_holds(real value, real gradient_norm) const {
  if (stop_requested_) return StopReason::callback;
  if (rules_.gradient_tolerance > 0 && gradient_norm <= rules_.gradient_tolerance) return StopReason::gradient_tolerance;
  if (rules_.value_tolerance > 0 && iterations_ >= rules_.value_window) {
    const real earlier = history_[history_.size() - rules_.value_window];
    const real scale = std::max({std::abs(earlier), std::abs(value), real(1)});
    if (std::abs(earlier - value) <= rules_.value_tolerance * scale) return StopReason::value_tolerance;
  }
  const std::chrono::duration<real> elapsed = std::chrono::steady_clock::now() - start_;
  if (elapsed.count() >= rules_.time_limit) return StopReason::time_limit;
  if (iterations_ >= rules_.max_iterations) return StopReason::max_iterations;
  return StopReason::none;
}

StopReason Solver::tell(real value, const std::vector<Mat>& euclidean_gradients) {
  if (done())
    throw InvalidArgument("solver", std::string("the run already stopped (") + to_string(reason_) +
                                        "); create a new solver to continue");
  if (!std::isfinite(value)) {
    std::ostringstream message;
    message << "the objective value at iteration " << iterations_ << " is " << value
            << " (must be finite); the optimizer is unchanged, at step " << optimizer_.step_count();
    throw InvalidArgument("value", message.str());
  }
  const std::vector<Vec> coordinates = optimizer_.lifted_gradients(euclidean_gradients);
  const real gradient_norm = concatenated_norm(coordinates);
  const StopReason reason = rule_that_holds(value, gradient_norm);

  history_.reserve(history_.size() + 1);  // the only allocation; after it nothing throws
  // Strong guarantee; the coordinates are those step() would lift (no second lift).
  if (reason == StopReason::none) optimizer_.step_lifted(coordinates);
  history_.push_back(value);
  gradient_norm_ = gradient_norm;
  if (reason == StopReason::none)
    ++iterations_;
  else
    reason_ = reason;
  return reason_;
}

std::string Solver::message() const {
  std::ostringstream text;
  text.precision(3);
  switch (reason_) {
    case StopReason::none: text << "running (" << iterations_ << " iterations)"; break;
    case StopReason::gradient_tolerance:
      text << "converged: gradient norm " << gradient_norm_ << " <= gradient_tolerance "
           << rules_.gradient_tolerance;
      break;
    case StopReason::value_tolerance:
      text << "converged: relative change of the objective over " << rules_.value_window
           << " iterations <= value_tolerance " << rules_.value_tolerance;
      break;
    case StopReason::max_iterations:
      text << "maximum number of iterations reached (" << rules_.max_iterations << ")";
      break;
    case StopReason::time_limit: text << "time limit reached (" << rules_.time_limit << " s)"; break;
    case StopReason::callback: text << "stopped by the callback at iteration " << iterations_; break;
  }
  return text.str();
}

MinimizeResult minimize(const ObjectiveFunction& objective, const GradientFunction& gradient,
                        Optimizer& optimizer, const MinimizeOptions& options) {
  if (!objective) throw InvalidArgument("objective", "empty function");
  if (!gradient) throw InvalidArgument("gradient", "empty function");
  Solver solver(optimizer, options.rules);
  std::vector<Mat> points = solver.points();
  real value = 0;
  while (!solver.done()) {
    value = objective(points);
    const std::vector<Mat> gradients = gradient(points);
    if (options.callback && options.callback(solver.iterations(), value, points)) solver.request_stop();
    if (solver.tell(value, gradients) == StopReason::none) points = solver.points();
  }
  return MinimizeResult{std::move(points), value,           solver.iterations(),   solver.reason(),
                        solver.message(),  solver.gradient_norm(), solver.history()};
}

std::string canonical_method_name(const std::string& name) {
  const auto folded = [](const std::string& text) {
    std::string result;
    for (const char c : text)
      if (c != '_' && c != '-') result += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return result;
  };
  std::string known;
  for (const MethodSpec& spec : method_specs()) {
    if (folded(spec.name) == folded(name)) return spec.name;
    known += (known.empty() ? "" : ", ") + spec.name;
  }
  throw InvalidArgument("method", "unknown method '" + name + "' (expected one of " + known +
                                      "; case and '_' or '-' are ignored)");
}

std::unique_ptr<Method> make_method_by_name(const std::string& name, const Hyperparameters& hyperparameters) {
  return make_method(canonical_method_name(name), hyperparameters);
}

}  // namespace homopt
