// homopt C ABI — the solver section of homopt.h: a homopt_solver handle around the core's
// ask/tell Solver (minimize.hpp). Same conventions as homopt_c.cpp: every entry point holds
// a lease on its handles and translates exceptions with c_abi::guarded.
#include <mutex>

#include "abi_support.hpp"
#include "homopt.h"

using namespace homopt::c_abi;

/// A Solver, the lease on the optimizer handle it steps (the optimizer stays alive while the
/// solver exists, even if its handle is destroyed) and the mutex serializing calls on the
/// solver. A tell holds the solver's mutex, then the optimizer's (always in this order).
struct homopt_solver {
  homopt_solver(std::shared_ptr<homopt_optimizer> held, const homopt::StoppingRules& rules)
      : optimizer(std::move(held)), value(optimizer->value, rules) {}
  std::shared_ptr<homopt_optimizer> optimizer;
  mutable std::mutex mutex;
  homopt::Solver value;
};

namespace {

/// Runs body(solver) on a live solver handle, holding a lease and the solver's mutex.
template <class Handle, class Body>
int with_solver(Handle* handle, Body&& body) {
  return guarded([&] {
    const auto held = live(handle, "solver");
    const std::lock_guard<std::mutex> lock(held->mutex);
    body(*held);
  });
}

/// *out = value (InvalidArgument naming `argument` if out is NULL).
template <class Target, class Value>
void store(Target* out, Value value, const char* argument) {
  require_pointer(out, argument);
  *out = static_cast<Target>(value);
}

}  // namespace

extern "C" {

int homopt_solver_create(homopt_optimizer* optimizer, uint64_t max_iterations, double gradient_tolerance,
                         double value_tolerance, uint64_t value_window, double time_limit, homopt_solver** out) {
  clear_output(out);
  return guarded([&] {
    require_pointer(out, "out");
    homopt::StoppingRules rules;
    rules.max_iterations = max_iterations;
    rules.gradient_tolerance = gradient_tolerance;
    rules.value_tolerance = value_tolerance;
    rules.value_window = value_window;
    rules.time_limit = time_limit;
    publish(std::make_unique<homopt_solver>(live(optimizer, "optimizer"), rules), out);
  });
}

int homopt_solver_destroy(homopt_solver* solver) {
  return guarded([&] { destroy(solver, "solver"); });
}

int homopt_solver_tell(homopt_solver* solver, double value, const double* const* gradients, const size_t* rows,
                       const size_t* cols, size_t count, int* reason) {
  return with_solver(solver, [&](homopt_solver& s) {
    const std::vector<homopt::Mat> views = input_gradients(gradients, rows, cols, count);
    const auto lock = exclusive_access(*s.optimizer);
    const homopt::StopReason result = s.value.tell(value, views);
    if (reason != nullptr) *reason = static_cast<int>(result);
  });
}

int homopt_solver_request_stop(homopt_solver* solver) {
  return with_solver(solver, [](homopt_solver& s) { s.value.request_stop(); });
}

int homopt_solver_reason(const homopt_solver* solver, int* reason) {
  return with_solver(solver, [&](const homopt_solver& s) { store(reason, static_cast<int>(s.value.reason()), "reason"); });
}

int homopt_solver_iterations(const homopt_solver* solver, uint64_t* iterations) {
  return with_solver(solver, [&](const homopt_solver& s) { store(iterations, s.value.iterations(), "iterations"); });
}

int homopt_solver_gradient_norm(const homopt_solver* solver, double* norm) {
  return with_solver(solver, [&](const homopt_solver& s) { store(norm, s.value.gradient_norm(), "norm"); });
}

int homopt_solver_history_length(const homopt_solver* solver, size_t* length) {
  return with_solver(solver, [&](const homopt_solver& s) { store(length, s.value.history().size(), "length"); });
}

int homopt_solver_history(const homopt_solver* solver, double* out, size_t capacity) {
  return with_solver(solver, [&](const homopt_solver& s) {
    const std::vector<double>& history = s.value.history();
    write_matrix(homopt::Vec(history), out, capacity, "out");
  });
}

int homopt_solver_message(const homopt_solver* solver, char* buffer, size_t capacity, size_t* length) {
  return with_solver(solver, [&](const homopt_solver& s) { write_string(s.value.message(), buffer, capacity, length); });
}

}  // extern "C"
