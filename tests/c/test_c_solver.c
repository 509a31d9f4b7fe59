/* Tests of the solver section of the C ABI (homopt_solver_*, docs/solvers.md). Usage:
 *   homopt_c_solver_tests GROUP REFERENCE_FILE
 * GROUP is one of: reference rules errors. REFERENCE_FILE is tests/data/minimize_reference.txt
 * (Brockett on St(4, 20); every group uses its matrix A). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "homopt.h"

#include "c_test_support.h"

enum { ROWS = 20, COLS = 4 };
static const double weights[COLS] = {1, 2, 3, 4}; /* N = diag(1, 2, 3, 4) */
static const double* A = NULL;

/* An optimizer with `method` and one parameter on St(4, 20) at random_point(seed). */
static homopt_optimizer* brockett_optimizer(homopt_method* method, uint64_t seed) {
  homopt_manifold* stiefel = NULL;
  homopt_optimizer* optimizer = NULL;
  double Y0[ROWS * COLS];
  CHECK_OK(homopt_stiefel_create(ROWS, COLS, &stiefel));
  CHECK_OK(homopt_manifold_random_point(stiefel, seed, Y0, ROWS * COLS));
  CHECK_OK(homopt_optimizer_create(method, NULL, &optimizer));
  CHECK_OK(homopt_optimizer_add(optimizer, stiefel, Y0, ROWS, COLS, NULL));
  CHECK_OK(homopt_manifold_destroy(stiefel));
  CHECK_OK(homopt_method_destroy(method));
  return optimizer;
}

static homopt_method* adam(double lr) {
  const char* keys[1] = {"lr"};
  homopt_method* method = NULL;
  CHECK_OK(homopt_method_create("Adam", keys, &lr, 1, &method));
  return method;
}

/* One tell at the optimizer's current point: f and G from the Brockett cost, `value`
 * replaced by `bad_value` and G[0] by `bad_entry` when those are not 0. Returns the status;
 * the stop reason goes to *reason. */
static int tell_at_point(homopt_solver* solver, const homopt_optimizer* optimizer, double bad_value,
                         double bad_entry, int* reason) {
  double Y[ROWS * COLS], G[ROWS * COLS];
  const double* gradients[1] = {G};
  size_t rows = ROWS, cols = COLS;
  CHECK_OK(homopt_optimizer_value(optimizer, 0, Y, ROWS * COLS));
  brockett_gradient(A, weights, Y, G, ROWS, COLS);
  if (bad_entry != 0) G[0] = bad_entry;
  return homopt_solver_tell(solver, bad_value != 0 ? bad_value : brockett_value(A, weights, Y, ROWS, COLS),
                            gradients, &rows, &cols, 1, reason);
}

/* Tells until the solver stops; returns the reason. */
static int run(homopt_solver* solver, const homopt_optimizer* optimizer) {
  int reason = HOMOPT_STOP_NONE;
  while (reason == HOMOPT_STOP_NONE)
    if (tell_at_point(solver, optimizer, 0, 0, &reason) != HOMOPT_OK) return -1;
  return reason;
}

/* The run of tests/data/minimize_reference.txt: same iterations, reason and final value. */
static void test_reference(void) {
  const char* keys[1] = {"lr"};
  homopt_method* bfgs = NULL;
  homopt_optimizer* optimizer;
  homopt_solver* solver = NULL;
  uint64_t iterations = 0;
  size_t length = 0;
  double Y[ROWS * COLS], *history;
  const double value = find_entry("value")->values[0];
  CHECK_OK(homopt_method_create("BFGS", keys, find_entry("lr")->values, 1, &bfgs));
  optimizer = brockett_optimizer(bfgs, (uint64_t)find_entry("seed")->values[0]);
  CHECK_OK(homopt_solver_create(optimizer, (uint64_t)find_entry("max_iterations")->values[0],
                                find_entry("gradient_tolerance")->values[0], 0, 1, INFINITY, &solver));
  CHECK(run(solver, optimizer) == (int)find_entry("reason")->values[0]);
  CHECK_OK(homopt_solver_iterations(solver, &iterations));
  CHECK((double)iterations == find_entry("iterations")->values[0]);
  CHECK_OK(homopt_optimizer_value(optimizer, 0, Y, ROWS * COLS));
  CHECK_NEAR(brockett_value(A, weights, Y, ROWS, COLS), value, 1e-12 * fabs(value));
  CHECK_NEAR(value, find_entry("optimum")->values[0], 1e-9 * fabs(value));
  CHECK(orthonormality_residual(Y, ROWS, COLS) < 1e-12);
  CHECK_OK(homopt_solver_history_length(solver, &length));
  CHECK(length == iterations + 1);
  history = zeros(length, 1);
  CHECK_OK(homopt_solver_history(solver, history, length));
  CHECK_NEAR(history[length - 1], value, 1e-12 * fabs(value));
  free(history);
  CHECK_OK(homopt_solver_destroy(solver));
  CHECK_OK(homopt_optimizer_destroy(optimizer));
}

/* A fresh Adam(0.02) run from seed 3 with the given rules; returns the reason and the
 * solver's iterations and last gradient norm. */
static int run_with(uint64_t max_iterations, double gradient_tolerance, double value_tolerance, uint64_t window,
                    double time_limit, uint64_t* iterations, double* gradient_norm) {
  homopt_optimizer* optimizer = brockett_optimizer(adam(0.02), 3);
  homopt_solver* solver = NULL;
  int reason;
  CHECK_OK(homopt_solver_create(optimizer, max_iterations, gradient_tolerance, value_tolerance, window, time_limit,
                                &solver));
  reason = run(solver, optimizer);
  CHECK_OK(homopt_solver_iterations(solver, iterations));
  CHECK_OK(homopt_solver_gradient_norm(solver, gradient_norm));
  CHECK_OK(homopt_solver_destroy(solver));
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  return reason;
}

/* Each rule stops a run built for it; request_stop stops the next tell. */
static void test_rules(void) {
  uint64_t iterations = 0;
  double norm = 0;
  CHECK(run_with(17, 0, 0, 1, INFINITY, &iterations, &norm) == HOMOPT_STOP_MAX_ITERATIONS);
  CHECK(iterations == 17);
  CHECK(run_with(5000, 1e-2, 0, 1, INFINITY, &iterations, &norm) == HOMOPT_STOP_GRADIENT_TOLERANCE);
  CHECK(norm <= 1e-2);
  CHECK(iterations > 10 && iterations < 5000);
  CHECK(run_with(5000, 0, 1e-6, 5, INFINITY, &iterations, &norm) == HOMOPT_STOP_VALUE_TOLERANCE);
  CHECK(iterations >= 5 && iterations < 5000);
  /* 1e-9 s has passed by the first tell: it stops there, before any step. */
  CHECK(run_with(5000, 0, 0, 1, 1e-9, &iterations, &norm) == HOMOPT_STOP_TIME_LIMIT);
  CHECK(iterations == 0);
  {
    homopt_optimizer* optimizer = brockett_optimizer(adam(0.02), 3);
    homopt_solver* solver = NULL;
    int reason = -1, k;
    uint64_t steps = 0;
    size_t length = 0;
    char message[128];
    CHECK_OK(homopt_solver_create(optimizer, 100, 0, 0, 1, INFINITY, &solver));
    for (k = 0; k < 7; ++k) CHECK_OK(tell_at_point(solver, optimizer, 0, 0, &reason));
    CHECK_OK(homopt_solver_request_stop(solver));
    CHECK_OK(tell_at_point(solver, optimizer, 0, 0, &reason));
    CHECK(reason == HOMOPT_STOP_CALLBACK);
    CHECK_OK(homopt_solver_reason(solver, &reason));
    CHECK(reason == HOMOPT_STOP_CALLBACK);
    CHECK_OK(homopt_optimizer_step_count(optimizer, &steps));
    CHECK(steps == 7);
    CHECK_OK(homopt_solver_history_length(solver, &length));
    CHECK(length == 8);
    CHECK_OK(homopt_solver_message(solver, message, sizeof message, NULL));
    CHECK(strcmp(message, "stopped by the callback at iteration 7") == 0);
    CHECK_OK(homopt_solver_destroy(solver));
    CHECK_OK(homopt_optimizer_destroy(optimizer));
  }
}

/* Errors name the argument and leave solver and optimizer at the last completed step. */
static void test_errors(void) {
  homopt_optimizer* optimizer = brockett_optimizer(adam(0.02), 6);
  homopt_solver* solver = NULL;
  double before[ROWS * COLS], after[ROWS * COLS];
  uint64_t steps = 0, iterations = 0;
  size_t length = 0;
  int reason = -1, k;
  CHECK_FAILS(homopt_solver_create(optimizer, 10, -1, 0, 1, INFINITY, &solver), HOMOPT_INVALID_ARGUMENT,
              "gradient_tolerance");
  CHECK(solver == NULL);
  CHECK_FAILS(homopt_solver_create(optimizer, 10, 0, NAN, 1, INFINITY, &solver), HOMOPT_INVALID_ARGUMENT,
              "value_tolerance");
  CHECK_FAILS(homopt_solver_create(optimizer, 10, 0, 0, 0, INFINITY, &solver), HOMOPT_INVALID_ARGUMENT,
              "value_window");
  CHECK_FAILS(homopt_solver_create(optimizer, 10, 0, 0, 1, 0, &solver), HOMOPT_INVALID_ARGUMENT, "time_limit");
  CHECK_FAILS(homopt_solver_create(NULL, 10, 0, 0, 1, 1, &solver), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_solver_tell(NULL, 0, NULL, NULL, NULL, 0, NULL), HOMOPT_NULL_HANDLE, "solver");
  CHECK_FAILS(homopt_solver_iterations((const homopt_solver*)optimizer, &iterations), HOMOPT_NULL_HANDLE,
              "homopt_solver");

  CHECK_OK(homopt_solver_create(optimizer, 10, 0, 0, 1, INFINITY, &solver));
  for (k = 0; k < 5; ++k) CHECK_OK(tell_at_point(solver, optimizer, 0, 0, &reason));
  CHECK_OK(homopt_optimizer_value(optimizer, 0, before, ROWS * COLS));
  CHECK_FAILS(tell_at_point(solver, optimizer, NAN, 0, &reason), HOMOPT_INVALID_ARGUMENT, "value: ");
  CHECK_FAILS(tell_at_point(solver, optimizer, INFINITY, 0, &reason), HOMOPT_INVALID_ARGUMENT, "iteration 5");
  CHECK_FAILS(tell_at_point(solver, optimizer, 0, NAN, &reason), HOMOPT_INVALID_ARGUMENT, "gradients[0]");
  CHECK_FAILS(tell_at_point(solver, optimizer, 0, 1e200, &reason), HOMOPT_INVALID_ARGUMENT, "gradients[0]");
  CHECK_FAILS(homopt_solver_tell(solver, 1, NULL, NULL, NULL, 0, &reason), HOMOPT_INVALID_ARGUMENT, "gradients");
  CHECK_OK(homopt_optimizer_value(optimizer, 0, after, ROWS * COLS));
  CHECK(max_abs_difference(before, after, ROWS * COLS) == 0);
  CHECK_OK(homopt_optimizer_step_count(optimizer, &steps));
  CHECK(steps == 5);
  CHECK_OK(homopt_solver_iterations(solver, &iterations));
  CHECK(iterations == 5);
  CHECK_OK(homopt_solver_history_length(solver, &length));
  CHECK(length == 5);
  CHECK_FAILS(homopt_solver_history(solver, after, 4), HOMOPT_BUFFER_TOO_SMALL, "out");

  /* The solver keeps the optimizer alive after its handle is destroyed; it finishes the run. */
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  {
    int status = HOMOPT_OK;
    reason = HOMOPT_STOP_NONE;
    CHECK_OK(homopt_solver_request_stop(solver));
    {
      double G[ROWS * COLS];
      const double* gradients[1] = {G};
      size_t rows = ROWS, cols = COLS;
      brockett_gradient(A, weights, before, G, ROWS, COLS);
      status = homopt_solver_tell(solver, brockett_value(A, weights, before, ROWS, COLS), gradients, &rows, &cols, 1,
                                  &reason);
      CHECK_OK(status);
      CHECK(reason == HOMOPT_STOP_CALLBACK);
      CHECK_FAILS(homopt_solver_tell(solver, 1, gradients, &rows, &cols, 1, &reason), HOMOPT_INVALID_ARGUMENT,
                  "solver: ");
    }
  }
  CHECK_OK(homopt_solver_destroy(solver));
  CHECK_OK(homopt_solver_destroy(NULL));
}

int main(int argc, char** argv) {
  const char* group;
  if (argc != 3) {
    fprintf(stderr, "usage: %s GROUP REFERENCE_FILE\n", argv[0]);
    return 2;
  }
  group = argv[1];
  if (!read_reference(argv[2]) || find_entry("A") == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  A = find_entry("A")->values;
  if (strcmp(group, "reference") == 0) test_reference();
  else if (strcmp(group, "rules") == 0) test_rules();
  else if (strcmp(group, "errors") == 0) test_errors();
  else {
    fprintf(stderr, "unknown group %s\n", group);
    return 2;
  }
  {
    size_t live = 99;
    CHECK_OK(homopt_live_handle_count(&live));
    CHECK(live == 0);
  }
  printf("solver %s: %d checks, %d failed\n", group, check_count, failure_count);
  return failure_count == 0 && check_count > 0 ? 0 : 1;
}
