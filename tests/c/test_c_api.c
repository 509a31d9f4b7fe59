/* Tests of the homopt C ABI (C99). Usage:
 *   homopt_c_tests GROUP REFERENCE_FILE WORK_DIR
 * GROUP is one of: library manifolds methods optimizer closed_form checkpoint errors
 * threads reference. Each group counts its checks; the exit status is non-zero on any
 * failure. WORK_DIR receives the group's checkpoint files. */
#define _POSIX_C_SOURCE 200809L /* mkfifo, symlink, lstat */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "homopt.h"

#include "c_test_support.h"

/* One optimizer step for a single parameter with gradient G (rows×cols). */
static int step_one(homopt_optimizer* optimizer, const double* G, size_t rows, size_t cols) {
  const double* gradients[1];
  gradients[0] = G;
  return homopt_optimizer_step(optimizer, gradients, &rows, &cols, 1);
}

/* Reads parameter `index` (rows×cols) into Y. */
static void read_value(const homopt_optimizer* optimizer, size_t index, double* Y, size_t rows, size_t cols) {
  CHECK_OK(homopt_optimizer_value(optimizer, index, Y, rows * cols));
}

/* Whether the string output of a getter equals `expected`. */
static int string_equals(int (*getter)(const void*, char*, size_t, size_t*), const void* handle,
                         const char* expected) {
  char buffer[256];
  size_t length = 0;
  if (getter(handle, buffer, sizeof buffer, &length) != HOMOPT_OK) return 0;
  return length == strlen(expected) && strcmp(buffer, expected) == 0;
}

/* Type-adapted getters for string_equals. */
static int manifold_name(const void* h, char* b, size_t c, size_t* l) { return homopt_manifold_name(h, b, c, l); }
static int manifold_description(const void* h, char* b, size_t c, size_t* l) {
  return homopt_manifold_description(h, b, c, l);
}
static int method_name(const void* h, char* b, size_t c, size_t* l) { return homopt_method_name(h, b, c, l); }
static int method_description(const void* h, char* b, size_t c, size_t* l) {
  return homopt_method_description(h, b, c, l);
}
static int optimizer_retraction(const void* h, char* b, size_t c, size_t* l) {
  return homopt_optimizer_retraction(h, b, c, l);
}

/* Value of hyperparameter `key` of `method` (NAN if absent). */
static double hyperparameter(const homopt_method* method, const char* key) {
  size_t count = 0, k;
  if (homopt_method_hyperparameter_count(method, &count) != HOMOPT_OK) return NAN;
  for (k = 0; k < count; ++k) {
    char name[64];
    double value;
    if (homopt_method_hyperparameter(method, k, name, sizeof name, NULL, &value) != HOMOPT_OK) return NAN;
    if (strcmp(name, key) == 0) return value;
  }
  return NAN;
}

/* ------------------------------------------------------------------ group: library */

static void test_library(void) {
  CHECK(strcmp(homopt_version(), "0.1.0") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_OK), "HOMOPT_OK") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_INVALID_ARGUMENT), "HOMOPT_INVALID_ARGUMENT") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_INDEX_ERROR), "HOMOPT_INDEX_ERROR") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_FILE_ERROR), "HOMOPT_FILE_ERROR") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_NULL_HANDLE), "HOMOPT_NULL_HANDLE") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_BUFFER_TOO_SMALL), "HOMOPT_BUFFER_TOO_SMALL") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_OUT_OF_MEMORY), "HOMOPT_OUT_OF_MEMORY") == 0);
  CHECK(strcmp(homopt_status_name(HOMOPT_INTERNAL_ERROR), "HOMOPT_INTERNAL_ERROR") == 0);
  CHECK(strcmp(homopt_status_name(-1), "HOMOPT_UNKNOWN_STATUS") == 0);
  CHECK(strcmp(homopt_last_error(), "") == 0); /* nothing failed yet on this thread */
  { /* the live-handle count follows create and destroy */
    size_t before = 99, during = 0, after = 0;
    homopt_manifold* manifold;
    homopt_method* method;
    CHECK_OK(homopt_live_handle_count(&before));
    CHECK(before == 0);
    CHECK_OK(homopt_euclidean_create(2, 2, &manifold));
    CHECK_OK(homopt_gradient_create(0.1, &method));
    CHECK_OK(homopt_live_handle_count(&during));
    CHECK(during == 2);
    CHECK_OK(homopt_manifold_destroy(manifold));
    CHECK_OK(homopt_method_destroy(method));
    CHECK_OK(homopt_live_handle_count(&after));
    CHECK(after == 0);
    CHECK_FAILS(homopt_live_handle_count(NULL), HOMOPT_INVALID_ARGUMENT, "count");
  }
  CHECK_FAILS(homopt_stiefel_create(3, 5, NULL), HOMOPT_INVALID_ARGUMENT, "out");
  CHECK(strstr(homopt_last_error(), "out: NULL pointer") != NULL);
  { /* the shared random stream: X(0,0) of seed 7 is B(0,0) of tests/data/reference_trajectory.txt */
    double X[36], sample[2000], mean = 0, square = 0;
    CHECK_OK(homopt_standard_normal_matrix(6, 6, 7, X, 36));
    CHECK(X[0] == 0.71302983388758112);
    CHECK_OK(homopt_standard_normal_matrix(1000, 2, 3, sample, 2000));
    for (int k = 0; k < 2000; ++k) {
      mean += sample[k] / 2000;
      square += sample[k] * sample[k] / 2000;
    }
    CHECK(fabs(mean) < 0.1 && fabs(square - 1) < 0.1);
    CHECK_FAILS(homopt_standard_normal_matrix(6, 6, 7, X, 35), HOMOPT_BUFFER_TOO_SMALL, "out");
    CHECK_FAILS(homopt_standard_normal_matrix(6, 6, 7, NULL, 36), HOMOPT_INVALID_ARGUMENT, "out");
  }
}

/* ------------------------------------------------------------------ group: manifolds */

/* Shape queries of a manifold against expectations. */
static void check_shape(const homopt_manifold* m, size_t rows, size_t cols, size_t dimension, double tolerance) {
  size_t value = 0;
  double tol = -1;
  CHECK_OK(homopt_manifold_rows(m, &value));
  CHECK(value == rows);
  CHECK_OK(homopt_manifold_cols(m, &value));
  CHECK(value == cols);
  CHECK_OK(homopt_manifold_dimension(m, &value));
  CHECK(value == dimension);
  CHECK_OK(homopt_manifold_tolerance(m, &tol));
  CHECK(tol == tolerance);
}

static void test_manifolds(void) {
  homopt_manifold *stiefel, *grassmann, *euclidean, *generic;
  double Y[12], Y2[12], G[12], R[12], residual = -1;
  size_t i, j, length = 0;
  char small[4];

  CHECK_OK(homopt_stiefel_create(6, 2, &stiefel));
  CHECK_OK(homopt_grassmann_create(6, 2, &grassmann));
  CHECK_OK(homopt_euclidean_create(3, 4, &euclidean));
  check_shape(stiefel, 6, 2, 1 + 4 * 2, 1e-10);
  check_shape(grassmann, 6, 2, 4 * 2, 1e-10);
  check_shape(euclidean, 3, 4, 12, 0);
  CHECK(string_equals(manifold_name, stiefel, "Stiefel"));
  CHECK(string_equals(manifold_name, grassmann, "Grassmann"));
  CHECK(string_equals(manifold_name, euclidean, "Euclidean"));
  CHECK(string_equals(manifold_description, stiefel, "Stiefel(N=6, n=2)"));
  CHECK(string_equals(manifold_description, euclidean, "Euclidean(rows=3, cols=4)"));
  /* string out: length query, then a too small buffer (length still reported) */
  CHECK_OK(homopt_manifold_name(stiefel, NULL, 0, &length));
  CHECK(length == 7);
  length = 0;
  CHECK_FAILS(homopt_manifold_name(stiefel, small, sizeof small, &length), HOMOPT_BUFFER_TOO_SMALL, "capacity 4");
  CHECK(length == 7);

  /* random points: on the manifold, reproducible, seed-dependent */
  CHECK_OK(homopt_manifold_random_point(stiefel, 5, Y, 12));
  CHECK(orthonormality_residual(Y, 6, 2) < 1e-14);
  CHECK_OK(homopt_manifold_check(stiefel, Y, 6, 2, &residual));
  CHECK_NEAR(residual, orthonormality_residual(Y, 6, 2), 1e-15);
  CHECK_OK(homopt_manifold_random_point(stiefel, 5, Y2, 12));
  CHECK(memcmp(Y, Y2, sizeof Y) == 0);
  CHECK_OK(homopt_manifold_random_point(stiefel, 6, Y2, 12));
  CHECK(max_abs_difference(Y, Y2, 12) > 1e-3);
  CHECK_OK(homopt_manifold_random_point(grassmann, 5, Y2, 12)); /* documented: Stiefel's basis */
  CHECK(memcmp(Y, Y2, sizeof Y) == 0);
  CHECK_OK(homopt_manifold_random_point(euclidean, 5, Y2, 12));
  CHECK_OK(homopt_manifold_check(euclidean, Y2, 3, 4, &residual));
  CHECK(residual == 0);

  /* check of an off-manifold point: Y scaled by 2 has YᵀY − I = 3I, ‖·‖_F = 3√2 */
  for (i = 0; i < 12; ++i) Y2[i] = 2 * Y[i];
  CHECK_OK(homopt_manifold_check(stiefel, Y2, 6, 2, &residual));
  CHECK_NEAR(residual, 3 * sqrt(2.0), 1e-13);

  /* the generic creator builds the same manifolds */
  CHECK_OK(homopt_manifold_create("Stiefel", 6, 2, &generic));
  CHECK(string_equals(manifold_description, generic, "Stiefel(N=6, n=2)"));
  CHECK_OK(homopt_manifold_random_point(generic, 5, Y2, 12));
  CHECK(memcmp(Y, Y2, sizeof Y) == 0);
  CHECK_OK(homopt_manifold_destroy(generic));
  CHECK_OK(homopt_manifold_create("Grassmann", 5, 3, &generic));
  check_shape(generic, 5, 3, 6, 1e-10);
  CHECK_OK(homopt_manifold_destroy(generic));
  CHECK_OK(homopt_manifold_create("Euclidean", 2, 7, &generic));
  check_shape(generic, 2, 7, 14, 0);
  CHECK_OK(homopt_manifold_destroy(generic));

  /* the symplectic manifolds come through the generic creator once the core has them:
   * SpSt(2n, 2N) has 2N×2n points with UᵀJU = J and dimension 4Nn − 2n² + n */
  if (homopt_manifold_create("SymplecticStiefel", 5, 2, &generic) == HOMOPT_OK) {
    double U[40];
    check_shape(generic, 10, 4, 4 * 5 * 2 - 2 * 2 * 2 + 2, 1e-10);
    CHECK_OK(homopt_manifold_random_point(generic, 3, U, 40));
    CHECK_OK(homopt_manifold_check(generic, U, 10, 4, &residual));
    CHECK(residual < 1e-10);
    CHECK(string_equals(manifold_name, generic, "SymplecticStiefel"));
    CHECK_OK(homopt_manifold_destroy(generic));
  } else {
    CHECK(strstr(homopt_last_error(), "unknown manifold") != NULL);
    printf("SymplecticStiefel not in the core yet: skipped\n");
  }

  /* Riemannian gradients against their formulas for G = some fixed matrix */
  for (i = 0; i < 12; ++i) G[i] = sin(1.0 + i);
  CHECK_OK(homopt_manifold_riemannian_gradient(stiefel, Y, 6, 2, G, 6, 2, R, 12));
  { /* canonical metric: G − Y GᵀY */
    double expected[12];
    double GtY[4] = {0, 0, 0, 0};
    size_t k;
    for (i = 0; i < 2; ++i)
      for (j = 0; j < 2; ++j)
        for (k = 0; k < 6; ++k) GtY[i + 2 * j] += G[k + 6 * i] * Y[k + 6 * j];
    for (i = 0; i < 6; ++i)
      for (j = 0; j < 2; ++j) expected[i + 6 * j] = G[i + 6 * j] - (Y[i] * GtY[0 + 2 * j] + Y[i + 6] * GtY[1 + 2 * j]);
    CHECK(max_abs_difference(R, expected, 12) < 1e-14);
  }
  CHECK_OK(homopt_manifold_riemannian_gradient(grassmann, Y, 6, 2, G, 6, 2, R, 12));
  { /* G − YYᵀG: orthogonal to span(Y), so YᵀR = 0 */
    double worst = 0;
    size_t k;
    for (i = 0; i < 2; ++i)
      for (j = 0; j < 2; ++j) {
        double dot = 0;
        for (k = 0; k < 6; ++k) dot += Y[k + 6 * i] * R[k + 6 * j];
        worst = fmax(worst, fabs(dot));
      }
    CHECK(worst < 1e-14);
  }
  CHECK_OK(homopt_manifold_riemannian_gradient(euclidean, Y, 3, 4, G, 3, 4, R, 12));
  CHECK(memcmp(G, R, sizeof G) == 0);

  CHECK_OK(homopt_manifold_destroy(stiefel));
  CHECK_OK(homopt_manifold_destroy(grassmann));
  CHECK_OK(homopt_manifold_destroy(euclidean));
  CHECK_OK(homopt_manifold_destroy(NULL));
}

/* ------------------------------------------------------------------ group: methods */

static void test_methods(void) {
  homopt_method* method;
  size_t count = 0, length = 0;
  double value = 0;
  char name[64];

  /* convenience constructors keep every hyperparameter */
  CHECK_OK(homopt_gradient_create(0.25, &method));
  CHECK(string_equals(method_name, method, "Gradient"));
  CHECK(string_equals(method_description, method, "Gradient(lr=0.25)"));
  CHECK(hyperparameter(method, "lr") == 0.25);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_momentum_create(0.5, 0.75, &method));
  CHECK(hyperparameter(method, "lr") == 0.5 && hyperparameter(method, "alpha") == 0.75);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_adam_create(0.125, 0.5, 0.25, 1e-5, 1, &method));
  CHECK_OK(homopt_method_hyperparameter_count(method, &count));
  CHECK(count == 5);
  CHECK_OK(homopt_method_hyperparameter(method, 0, name, sizeof name, &length, &value));
  CHECK(strcmp(name, "lr") == 0 && length == 2 && value == 0.125);
  CHECK(hyperparameter(method, "beta1") == 0.5 && hyperparameter(method, "beta2") == 0.25);
  CHECK(hyperparameter(method, "eps") == 1e-5 && hyperparameter(method, "amsgrad") == 1);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_adam_with_decay_create(77, 0.5, 0.001, 0.8, 0.9, 1e-6, 0, &method));
  CHECK(string_equals(method_name, method, "AdamWithDecay"));
  CHECK(hyperparameter(method, "decay_steps") == 77 && hyperparameter(method, "lr_start") == 0.5);
  CHECK(hyperparameter(method, "lr_end") == 0.001 && hyperparameter(method, "beta1") == 0.8);
  CHECK(hyperparameter(method, "beta2") == 0.9 && hyperparameter(method, "eps") == 1e-6);
  CHECK(hyperparameter(method, "amsgrad") == 0);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_bfgs_create(0.3, 1e-9, 50, &method));
  CHECK(hyperparameter(method, "lr") == 0.3 && hyperparameter(method, "eps") == 1e-9);
  CHECK(hyperparameter(method, "max_dimension") == 50);
  CHECK_OK(homopt_method_destroy(method));

  /* the generic creator: no keys → the core's defaults (docs/methods.md) */
  CHECK_OK(homopt_method_create("Gradient", NULL, NULL, 0, &method));
  CHECK(hyperparameter(method, "lr") == 1e-2);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_method_create("Momentum", NULL, NULL, 0, &method));
  CHECK(hyperparameter(method, "lr") == 1e-3 && hyperparameter(method, "alpha") == 1e-2);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_method_create("Adam", NULL, NULL, 0, &method));
  CHECK(hyperparameter(method, "lr") == 1e-3 && hyperparameter(method, "beta1") == 0.9);
  CHECK(hyperparameter(method, "beta2") == 0.99 && hyperparameter(method, "eps") == 3e-7);
  CHECK(hyperparameter(method, "amsgrad") == 0);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_method_create("AdamWithDecay", NULL, NULL, 0, &method));
  CHECK(hyperparameter(method, "decay_steps") == 1000 && hyperparameter(method, "lr_start") == 1e-2);
  CHECK(hyperparameter(method, "lr_end") == 1e-6 && hyperparameter(method, "eps") == 1e-8);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_method_create("BFGS", NULL, NULL, 0, &method));
  CHECK(hyperparameter(method, "lr") == 1e-2 && hyperparameter(method, "eps") == 1e-8);
  CHECK(hyperparameter(method, "max_dimension") == 4096);
  CHECK_OK(homopt_method_destroy(method));
  { /* with keys */
    const char* keys[] = {"beta2", "lr"};
    const double values[] = {0.5, 0.0625};
    CHECK_OK(homopt_method_create("Adam", keys, values, 2, &method));
    CHECK(hyperparameter(method, "lr") == 0.0625 && hyperparameter(method, "beta2") == 0.5);
    CHECK(hyperparameter(method, "beta1") == 0.9);
    CHECK_OK(homopt_method_destroy(method));
  }
  CHECK_OK(homopt_method_destroy(NULL));
}

/* ------------------------------------------------------------------ group: optimizer */

static void test_optimizer(void) {
  homopt_manifold *stiefel, *euclidean, *copy;
  homopt_method *method, *method_copy;
  homopt_optimizer* optimizer;
  double Y0[12], E0[6], G[12], H[6], Y[12];
  size_t index = 99, size = 0, rows = 0, cols = 0, k;
  uint64_t steps = 99;

  CHECK_OK(homopt_stiefel_create(6, 2, &stiefel));
  CHECK_OK(homopt_euclidean_create(2, 3, &euclidean));
  CHECK_OK(homopt_manifold_random_point(stiefel, 3, Y0, 12));
  CHECK_OK(homopt_manifold_random_point(euclidean, 4, E0, 6));
  CHECK_OK(homopt_gradient_create(0.1, &method));

  CHECK_OK(homopt_optimizer_create(method, NULL, &optimizer));
  CHECK_OK(homopt_method_destroy(method)); /* the optimizer holds its own copy */
  CHECK(string_equals(optimizer_retraction, optimizer, "cayley"));
  CHECK_OK(homopt_optimizer_size(optimizer, &size));
  CHECK(size == 0);
  CHECK_OK(homopt_optimizer_add(optimizer, stiefel, Y0, 6, 2, &index));
  CHECK(index == 0);
  CHECK_OK(homopt_optimizer_add(optimizer, euclidean, E0, 2, 3, &index));
  CHECK(index == 1);
  CHECK_OK(homopt_optimizer_add(optimizer, euclidean, E0, 2, 3, NULL)); /* index output optional */
  CHECK_OK(homopt_optimizer_size(optimizer, &size));
  CHECK(size == 3);
  CHECK_OK(homopt_optimizer_step_count(optimizer, &steps));
  CHECK(steps == 0);
  CHECK_OK(homopt_optimizer_value_shape(optimizer, 0, &rows, &cols));
  CHECK(rows == 6 && cols == 2);
  CHECK_OK(homopt_optimizer_value_shape(optimizer, 1, &rows, &cols));
  CHECK(rows == 2 && cols == 3);
  read_value(optimizer, 0, Y, 6, 2);
  CHECK(memcmp(Y, Y0, sizeof Y0) == 0);

  /* a step with three gradients: the Euclidean ones move by exactly −lr·G */
  for (k = 0; k < 12; ++k) G[k] = cos(0.3 * k);
  for (k = 0; k < 6; ++k) H[k] = 0.5 * k - 1;
  {
    const double* gradients[3];
    size_t grows[3] = {6, 2, 2}, gcols[3] = {2, 3, 3};
    gradients[0] = G;
    gradients[1] = H;
    gradients[2] = H;
    CHECK_OK(homopt_optimizer_step(optimizer, gradients, grows, gcols, 3));
  }
  CHECK_OK(homopt_optimizer_step_count(optimizer, &steps));
  CHECK(steps == 1);
  read_value(optimizer, 1, Y, 2, 3);
  for (k = 0; k < 6; ++k) CHECK_NEAR(Y[k], E0[k] - 0.1 * H[k], 1e-15);
  read_value(optimizer, 0, Y, 6, 2);
  CHECK(orthonormality_residual(Y, 6, 2) < 1e-14);
  CHECK(max_abs_difference(Y, Y0, 12) > 1e-3);

  /* copies of the parameter's manifold and of the method */
  CHECK_OK(homopt_optimizer_manifold(optimizer, 1, &copy));
  CHECK(string_equals(manifold_description, copy, "Euclidean(rows=2, cols=3)"));
  CHECK_OK(homopt_manifold_destroy(copy));
  CHECK_OK(homopt_optimizer_method(optimizer, &method_copy));
  CHECK(string_equals(method_description, method_copy, "Gradient(lr=0.1)"));
  CHECK_OK(homopt_method_destroy(method_copy));
  CHECK_OK(homopt_optimizer_destroy(optimizer));

  /* the geodesic retraction */
  CHECK_OK(homopt_adam_create(0.01, 0.9, 0.99, 3e-7, 0, &method));
  CHECK_OK(homopt_optimizer_create(method, "geodesic", &optimizer));
  CHECK(string_equals(optimizer_retraction, optimizer, "geodesic"));
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_optimizer_create(method, "cayley", &optimizer));
  CHECK(string_equals(optimizer_retraction, optimizer, "cayley"));
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_optimizer_destroy(NULL));
  CHECK_OK(homopt_manifold_destroy(stiefel));
  CHECK_OK(homopt_manifold_destroy(euclidean));
}

/* ------------------------------------------------------------------ group: closed_form */

/* Euclidean quadratic f(Y) = ½‖Y − C‖²_F on ℝ^{2×3}, G = Y − C: checks the first two steps
 * of `method` against `first` and `second` (closed forms, 1e-15) and, if `converges`, that
 * 3000 steps reach C. */
typedef void (*ExpectedStep)(const double* Y, const double* G, const double* previous_G, double* next);

static const double target[6] = {1.0, -2.0, 0.5, 3.0, -1.5, 0.25};

static void run_quadratic(homopt_method* method, ExpectedStep first, ExpectedStep second, int converges) {
  homopt_manifold* euclidean;
  homopt_optimizer* optimizer;
  double Y[6], G[6], G_previous[6], expected[6];
  size_t k;
  int t;

  CHECK_OK(homopt_euclidean_create(2, 3, &euclidean));
  CHECK_OK(homopt_manifold_random_point(euclidean, 11, Y, 6));
  CHECK_OK(homopt_optimizer_create(method, NULL, &optimizer));
  CHECK_OK(homopt_optimizer_add(optimizer, euclidean, Y, 2, 3, NULL));
  for (t = 1; t <= 3000; ++t) {
    for (k = 0; k < 6; ++k) G[k] = Y[k] - target[k];
    if (t == 1) first(Y, G, NULL, expected);
    if (t == 2) second(Y, G, G_previous, expected);
    CHECK_OK(step_one(optimizer, G, 2, 3));
    read_value(optimizer, 0, Y, 2, 3);
    if (t <= 2) CHECK(max_abs_difference(Y, expected, 6) <= 4e-15);
    memcpy(G_previous, G, sizeof G);
    if (!converges && t == 2) break;
  }
  if (converges) CHECK(max_abs_difference(Y, target, 6) < 1e-6);
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_manifold_destroy(euclidean));
}

/* Gradient, lr = 0.1: Y ← Y − 0.1·G. */
static void gradient_step(const double* Y, const double* G, const double* previous, double* next) {
  size_t k;
  (void)previous;
  for (k = 0; k < 6; ++k) next[k] = Y[k] - 0.1 * G[k];
}
/* Momentum lr = 0.1, alpha = 0.5: m₁ = g₁, m₂ = 0.5·g₁ + g₂. */
static void momentum_second(const double* Y, const double* G, const double* previous, double* next) {
  size_t k;
  for (k = 0; k < 6; ++k) next[k] = Y[k] - 0.1 * (0.5 * previous[k] + G[k]);
}
/* Adam lr = 0.01, eps = 1e-8: m̂₁ = g, v̂₁ = g², so V = −lr·g/(|g| + eps). */
static void adam_first(const double* Y, const double* G, const double* previous, double* next) {
  size_t k;
  (void)previous;
  for (k = 0; k < 6; ++k) next[k] = Y[k] - 0.01 * G[k] / (fabs(G[k]) + 1e-8);
}
/* Learning rate of the second Adam step (0.01 for Adam; lr(2) for AdamWithDecay). */
static double second_rate = 0.01;
/* Adam step 2 (beta1 = 0.9, beta2 = 0.99): m = 0.1·(0.9g₁ + g₂), v = 0.01·(0.99g₁² + g₂²),
 * bias-corrected by 1 − 0.9² and 1 − 0.99². */
static void adam_second(const double* Y, const double* G, const double* previous, double* next) {
  size_t k;
  for (k = 0; k < 6; ++k) {
    const double m = (0.9 * 0.1 * previous[k] + 0.1 * G[k]) / (1 - 0.9 * 0.9);
    const double v = (0.99 * 0.01 * previous[k] * previous[k] + 0.01 * G[k] * G[k]) / (1 - 0.99 * 0.99);
    next[k] = Y[k] - second_rate * m / (sqrt(v) + 1e-8);
  }
}
/* BFGS, lr = 0.5: H₁ = I, so the first step is −lr·g; on ½‖Y − C‖² (Hessian I) the
 * second step has s = −0.5g₁, y = g₂ − g₁ = s, so H₂ = I and V = −0.5g₂. */
static void bfgs_step(const double* Y, const double* G, const double* previous, double* next) {
  size_t k;
  (void)previous;
  for (k = 0; k < 6; ++k) next[k] = Y[k] - 0.5 * G[k];
}

/* Brockett problem min tr(YᵀBYD) with B = diag(b) on St(6, 2) (D = diag(1, 2)) or
 * min tr(YᵀBY) on Gr(2, 6): optimum 2·b_min + b_second, resp. b_min + b_second. */
static void run_brockett(homopt_method* method, const char* manifold_name, const char* retraction,
                         int steps) {
  static const double b[6] = {3.0, -1.0, 2.0, 0.5, -2.0, 1.5}; /* sorted: −2, −1, … */
  const int grassmann = strcmp(manifold_name, "Grassmann") == 0;
  const double d[2] = {1.0, grassmann ? 1.0 : 2.0};
  double B[36], Y[12], G[12], worst_drift = 0;
  homopt_manifold* manifold;
  homopt_optimizer* optimizer;
  int t;

  memset(B, 0, sizeof B);
  for (t = 0; t < 6; ++t) B[t + 6 * t] = b[t];
  CHECK_OK(homopt_manifold_create(manifold_name, 6, 2, &manifold));
  CHECK_OK(homopt_manifold_random_point(manifold, 2024, Y, 12));
  CHECK_OK(homopt_optimizer_create(method, retraction, &optimizer));
  CHECK_OK(homopt_optimizer_add(optimizer, manifold, Y, 6, 2, NULL));
  for (t = 0; t < steps; ++t) {
    brockett_gradient(B, d, Y, G, 6, 2);
    CHECK_OK(step_one(optimizer, G, 6, 2));
    read_value(optimizer, 0, Y, 6, 2);
    worst_drift = fmax(worst_drift, orthonormality_residual(Y, 6, 2));
  }
  CHECK(worst_drift < 1e-13);
  if (grassmann) {
    /* the projector YYᵀ onto span(e₂, e₅) (0-based 1 and 4): its trace part there is 2 */
    const double weight = Y[1] * Y[1] + Y[7] * Y[7] + Y[4] * Y[4] + Y[10] * Y[10];
    CHECK_NEAR(brockett_value(B, d, Y, 6, 2), -3.0, 1e-8);
    CHECK_NEAR(weight, 2.0, 1e-8);
  } else {
    /* second column (weight 2) → ±e₅ (b = −2), first column → ±e₂ (b = −1) */
    CHECK_NEAR(brockett_value(B, d, Y, 6, 2), 2 * -2.0 + -1.0, 1e-8);
    CHECK_NEAR(fabs(Y[4 + 6]), 1.0, 1e-6);
    CHECK_NEAR(fabs(Y[1]), 1.0, 1e-6);
  }
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_manifold_destroy(manifold));
}

static void test_closed_form(void) {
  homopt_method* method;

  CHECK_OK(homopt_gradient_create(0.1, &method));
  run_quadratic(method, gradient_step, gradient_step, 1);
  run_brockett(method, "Grassmann", "geodesic", 2000);
  CHECK_OK(homopt_method_destroy(method));
  /* lr·(largest Hessian eigenvalue ≈ 20) must stay below 2 on the Stiefel Brockett problem */
  CHECK_OK(homopt_gradient_create(0.05, &method));
  run_brockett(method, "Stiefel", "cayley", 2000);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_momentum_create(0.1, 0.5, &method));
  run_quadratic(method, gradient_step, momentum_second, 1);
  run_brockett(method, "Stiefel", "geodesic", 1500);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_adam_create(0.01, 0.9, 0.99, 1e-8, 0, &method));
  run_quadratic(method, adam_first, adam_second, 0);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_adam_create(0.05, 0.9, 0.99, 3e-7, 1, &method)); /* AMSGrad */
  run_brockett(method, "Stiefel", "cayley", 2000);
  run_brockett(method, "Grassmann", "cayley", 2000);
  CHECK_OK(homopt_method_destroy(method));

  /* AdamWithDecay: lr(1) = lr_start = 0.01, lr(2) = 0.01·(1e-4/0.01)^{1/999} */
  CHECK_OK(homopt_adam_with_decay_create(1000, 0.01, 1e-4, 0.9, 0.99, 1e-8, 0, &method));
  second_rate = 0.01 * pow(1e-4 / 0.01, 1.0 / 999);
  run_quadratic(method, adam_first, adam_second, 0);
  second_rate = 0.01;
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_adam_with_decay_create(2000, 0.05, 1e-5, 0.9, 0.99, 1e-8, 0, &method));
  run_brockett(method, "Stiefel", "cayley", 3000);
  CHECK_OK(homopt_method_destroy(method));

  CHECK_OK(homopt_bfgs_create(0.5, 1e-8, 100, &method));
  run_quadratic(method, bfgs_step, bfgs_step, 1);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_bfgs_create(0.1, 1e-8, 100, &method));
  run_brockett(method, "Stiefel", "cayley", 500);
  CHECK_OK(homopt_method_destroy(method));
}

/* ------------------------------------------------------------------ group: checkpoint */

static char work_dir[512];

/* work_dir/name in `path` (size 1024). */
static void work_path(char* path, const char* name) { snprintf(path, 1024, "%s/%s", work_dir, name); }

/* Reads a whole file; *size receives its length. */
static unsigned char* read_all(const char* path, size_t* size) {
  FILE* file = fopen(path, "rb");
  unsigned char* bytes;
  long length;
  if (file == NULL) return NULL;
  fseek(file, 0, SEEK_END);
  length = ftell(file);
  fseek(file, 0, SEEK_SET);
  bytes = malloc((size_t)length + 1);
  *size = fread(bytes, 1, (size_t)length, file);
  fclose(file);
  return bytes;
}

static void write_all(const char* path, const unsigned char* bytes, size_t size) {
  FILE* file = fopen(path, "wb");
  if (file == NULL) return;
  fwrite(bytes, 1, size, file);
  fclose(file);
}

/* save replaces only a regular file: a directory, a FIFO and a symbolic link at the path are
 * refused with HOMOPT_FILE_ERROR naming the path, and left as they were. */
static void check_save_destinations(const homopt_optimizer* optimizer) {
  char directory[1024], fifo[1024], link[1024], target[1024], regular[1024];
  struct stat status;
  work_path(directory, "save-to-directory");
  work_path(fifo, "save-to-fifo");
  work_path(link, "save-to-link");
  work_path(target, "save-link-target.hck");
  work_path(regular, "save-regular.hck");
  remove(fifo);
  remove(link);
  rmdir(directory);
  CHECK(mkdir(directory, 0755) == 0);
  CHECK(mkfifo(fifo, 0644) == 0);
  write_all(target, (const unsigned char*)"target", 6);
  CHECK(symlink(target, link) == 0);
  CHECK_FAILS(homopt_optimizer_save(optimizer, directory), HOMOPT_FILE_ERROR, "save-to-directory: refusing to replace a directory");
  CHECK(lstat(directory, &status) == 0 && S_ISDIR(status.st_mode));
  CHECK_FAILS(homopt_optimizer_save(optimizer, fifo), HOMOPT_FILE_ERROR, "save-to-fifo: refusing to replace a FIFO");
  CHECK(lstat(fifo, &status) == 0 && S_ISFIFO(status.st_mode));
  CHECK_FAILS(homopt_optimizer_save(optimizer, link), HOMOPT_FILE_ERROR, "save-to-link: refusing to replace a symbolic link");
  CHECK(lstat(link, &status) == 0 && S_ISLNK(status.st_mode));
  CHECK(stat(target, &status) == 0 && status.st_size == 6);
  /* a regular file is replaced (twice: also over the file the first save wrote) */
  write_all(regular, (const unsigned char*)"old", 3);
  CHECK_OK(homopt_optimizer_save(optimizer, regular));
  CHECK_OK(homopt_optimizer_save(optimizer, regular));
  CHECK(stat(regular, &status) == 0 && status.st_size > 100);
  remove(fifo);
  remove(link);
  remove(target);
  remove(regular);
  rmdir(directory);
}

static void test_checkpoint(void) {
  static const double d[2] = {1.0, 2.0};
  double B[36], Y[12], G[12], Y_loaded[12], E[6];
  homopt_manifold *stiefel, *euclidean, *copy;
  homopt_method *method, *method_copy;
  homopt_optimizer *optimizer, *loaded = (homopt_optimizer*)&B;
  char path[1024], broken[1024];
  unsigned char* bytes;
  size_t size = 0, count = 0, k;
  uint64_t steps = 0;
  int t;

  for (k = 0; k < 36; ++k) B[k] = 0;
  for (k = 0; k < 6; ++k) B[k + 6 * k] = 1.0 + k;
  CHECK_OK(homopt_stiefel_create(6, 2, &stiefel));
  CHECK_OK(homopt_euclidean_create(3, 2, &euclidean));
  CHECK_OK(homopt_manifold_random_point(stiefel, 8, Y, 12));
  CHECK_OK(homopt_manifold_random_point(euclidean, 9, E, 6));
  CHECK_OK(homopt_adam_create(0.02, 0.9, 0.99, 3e-7, 0, &method));
  CHECK_OK(homopt_optimizer_create(method, "geodesic", &optimizer));
  CHECK_OK(homopt_optimizer_add(optimizer, stiefel, Y, 6, 2, NULL));
  CHECK_OK(homopt_optimizer_add(optimizer, euclidean, E, 3, 2, NULL));
  for (t = 0; t < 5; ++t) {
    const double* gradients[2];
    size_t rows[2] = {6, 3}, cols[2] = {2, 2};
    read_value(optimizer, 0, Y, 6, 2);
    brockett_gradient(B, d, Y, G, 6, 2);
    gradients[0] = G;
    gradients[1] = E; /* f = ½‖E‖², G = E */
    CHECK_OK(homopt_optimizer_step(optimizer, gradients, rows, cols, 2));
    read_value(optimizer, 1, E, 3, 2);
  }
  work_path(path, "checkpoint-c.hck");
  CHECK_OK(homopt_optimizer_save(optimizer, path));
  CHECK_OK(homopt_optimizer_load(path, &loaded));
  CHECK_OK(homopt_optimizer_size(loaded, &count));
  CHECK(count == 2);
  CHECK_OK(homopt_optimizer_step_count(loaded, &steps));
  CHECK(steps == 5);
  CHECK(string_equals(optimizer_retraction, loaded, "geodesic"));
  CHECK_OK(homopt_optimizer_method(loaded, &method_copy));
  CHECK(string_equals(method_description, method_copy, "Adam(lr=0.02, beta1=0.9, beta2=0.99, eps=3e-07, amsgrad=0)"));
  CHECK_OK(homopt_method_destroy(method_copy));
  CHECK_OK(homopt_optimizer_manifold(loaded, 0, &copy));
  CHECK(string_equals(manifold_description, copy, "Stiefel(N=6, n=2)"));
  CHECK_OK(homopt_manifold_destroy(copy));

  /* both continue identically (bit for bit): the method state was saved too */
  for (t = 0; t < 5; ++t) {
    homopt_optimizer* both[2];
    int which;
    both[0] = optimizer;
    both[1] = loaded;
    read_value(optimizer, 0, Y, 6, 2);
    read_value(optimizer, 1, E, 3, 2);
    brockett_gradient(B, d, Y, G, 6, 2);
    for (which = 0; which < 2; ++which) {
      const double* gradients[2];
      size_t rows[2] = {6, 3}, cols[2] = {2, 2};
      gradients[0] = G;
      gradients[1] = E;
      CHECK_OK(homopt_optimizer_step(both[which], gradients, rows, cols, 2));
    }
  }
  read_value(optimizer, 0, Y, 6, 2);
  read_value(loaded, 0, Y_loaded, 6, 2);
  CHECK(memcmp(Y, Y_loaded, sizeof Y) == 0);
  CHECK_OK(homopt_optimizer_destroy(loaded));

  /* corrupt, truncated, foreign and missing files → HOMOPT_FILE_ERROR naming the path */
  bytes = read_all(path, &size);
  CHECK(bytes != NULL && size > 100);
  if (bytes != NULL) {
    work_path(broken, "truncated-c.hck");
    write_all(broken, bytes, size / 2);
    loaded = (homopt_optimizer*)&B;
    CHECK_FAILS(homopt_optimizer_load(broken, &loaded), HOMOPT_FILE_ERROR, "truncated-c.hck");
    CHECK(loaded == NULL);
    work_path(broken, "corrupt-c.hck");
    bytes[size / 2] ^= 0x40;
    write_all(broken, bytes, size);
    CHECK_FAILS(homopt_optimizer_load(broken, &loaded), HOMOPT_FILE_ERROR, "corrupt-c.hck");
    work_path(broken, "empty-c.hck");
    write_all(broken, bytes, 0);
    CHECK_FAILS(homopt_optimizer_load(broken, &loaded), HOMOPT_FILE_ERROR, "empty-c.hck");
    work_path(broken, "foreign-c.hck");
    write_all(broken, (const unsigned char*)"# not a checkpoint\n", 19);
    CHECK_FAILS(homopt_optimizer_load(broken, &loaded), HOMOPT_FILE_ERROR, "foreign-c.hck");
    free(bytes);
  }
  work_path(broken, "missing-c.hck");
  remove(broken);
  CHECK_FAILS(homopt_optimizer_load(broken, &loaded), HOMOPT_FILE_ERROR, "missing-c.hck");
  CHECK_FAILS(homopt_optimizer_save(optimizer, "/nonexistent-homopt-dir/x.hck"), HOMOPT_FILE_ERROR,
              "nonexistent-homopt-dir");
  CHECK_FAILS(homopt_optimizer_save(optimizer, NULL), HOMOPT_INVALID_ARGUMENT, "path");
  CHECK_FAILS(homopt_optimizer_save(optimizer, ""), HOMOPT_INVALID_ARGUMENT, "path: empty path");
  check_save_destinations(optimizer);
  CHECK_FAILS(homopt_optimizer_load(NULL, &loaded), HOMOPT_INVALID_ARGUMENT, "path");
  CHECK_FAILS(homopt_optimizer_load(path, NULL), HOMOPT_INVALID_ARGUMENT, "out");
  remove(path);

  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_manifold_destroy(stiefel));
  CHECK_OK(homopt_manifold_destroy(euclidean));
}

/* ------------------------------------------------------------------ group: errors */

/* Every entry point with a NULL handle reports HOMOPT_NULL_HANDLE. */
static void check_null_handles(void) {
  homopt_manifold* manifold = NULL;
  homopt_method* method = NULL;
  homopt_optimizer* optimizer = NULL;
  double x[4] = {0, 0, 0, 0}, value;
  const double* gradients[1];
  size_t s = 0, one = 1;
  uint64_t steps;
  char text[16];
  gradients[0] = x;
  CHECK_FAILS(homopt_manifold_name(NULL, text, sizeof text, &s), HOMOPT_NULL_HANDLE, "manifold: NULL");
  CHECK_FAILS(homopt_manifold_description(NULL, text, sizeof text, &s), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_rows(NULL, &s), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_cols(NULL, &s), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_dimension(NULL, &s), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_tolerance(NULL, &value), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_random_point(NULL, 1, x, 4), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_check(NULL, x, 2, 2, &value), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_manifold_riemannian_gradient(NULL, x, 2, 2, x, 2, 2, x, 4), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_FAILS(homopt_method_name(NULL, text, sizeof text, &s), HOMOPT_NULL_HANDLE, "method: NULL");
  CHECK_FAILS(homopt_method_description(NULL, text, sizeof text, &s), HOMOPT_NULL_HANDLE, "method");
  CHECK_FAILS(homopt_method_hyperparameter_count(NULL, &s), HOMOPT_NULL_HANDLE, "method");
  CHECK_FAILS(homopt_method_hyperparameter(NULL, 0, text, sizeof text, &s, &value), HOMOPT_NULL_HANDLE, "method");
  CHECK_FAILS(homopt_optimizer_create(NULL, NULL, &optimizer), HOMOPT_NULL_HANDLE, "method");
  CHECK(optimizer == NULL);
  CHECK_FAILS(homopt_optimizer_add(NULL, manifold, x, 2, 2, &s), HOMOPT_NULL_HANDLE, "optimizer: NULL");
  CHECK_FAILS(homopt_optimizer_step(NULL, gradients, &one, &one, 1), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_size(NULL, &s), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_step_count(NULL, &steps), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_value_shape(NULL, 0, &s, &s), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_value(NULL, 0, x, 4), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_manifold(NULL, 0, &manifold), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_method(NULL, &method), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_retraction(NULL, text, sizeof text, &s), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_FAILS(homopt_optimizer_save(NULL, "x.hck"), HOMOPT_NULL_HANDLE, "optimizer");
}

/* Destroyed and wrong-kind handles are reported, not dereferenced. */
static void check_stale_handles(void) {
  homopt_manifold *manifold, *live_manifold;
  homopt_method* method;
  homopt_optimizer* optimizer;
  size_t s;
  double Y[4];
  CHECK_OK(homopt_euclidean_create(2, 2, &live_manifold));
  CHECK_OK(homopt_euclidean_create(2, 2, &manifold));
  CHECK_OK(homopt_manifold_destroy(manifold));
  CHECK_FAILS(homopt_manifold_rows(manifold, &s), HOMOPT_NULL_HANDLE, "already destroyed");
  CHECK_FAILS(homopt_manifold_destroy(manifold), HOMOPT_NULL_HANDLE, "not a live handle");
  CHECK_OK(homopt_gradient_create(0.1, &method));
  CHECK_FAILS(homopt_manifold_rows((const homopt_manifold*)method, &s), HOMOPT_NULL_HANDLE,
              "expected a homopt_manifold handle, got a homopt_method");
  CHECK_FAILS(homopt_optimizer_destroy((homopt_optimizer*)method), HOMOPT_NULL_HANDLE, "not a live handle");
  CHECK_OK(homopt_optimizer_create(method, NULL, &optimizer));
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_method_destroy(method));
  CHECK_FAILS(homopt_optimizer_create(method, NULL, &optimizer), HOMOPT_NULL_HANDLE, "method");
  CHECK(optimizer == NULL);
  CHECK_OK(homopt_gradient_create(0.1, &method));
  CHECK_OK(homopt_optimizer_create(method, NULL, &optimizer));
  CHECK_FAILS(homopt_optimizer_add(optimizer, (const homopt_manifold*)method, Y, 2, 2, NULL), HOMOPT_NULL_HANDLE,
              "manifold: expected a homopt_manifold handle");
  CHECK_OK(homopt_manifold_random_point(live_manifold, 1, Y, 4));
  CHECK_OK(homopt_optimizer_add(optimizer, live_manifold, Y, 2, 2, NULL));
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_FAILS(homopt_optimizer_value(optimizer, 0, Y, 4), HOMOPT_NULL_HANDLE, "already destroyed");
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_manifold_destroy(live_manifold));
}

/* Bad construction arguments and hyperparameters → HOMOPT_INVALID_ARGUMENT naming them. */
static void check_bad_arguments(void) {
  homopt_manifold* manifold = (homopt_manifold*)&check_count;
  homopt_method* method = (homopt_method*)&check_count;
  homopt_optimizer* optimizer;
  CHECK_FAILS(homopt_stiefel_create(3, 5, &manifold), HOMOPT_INVALID_ARGUMENT, "n: must not exceed N");
  CHECK(manifold == NULL);
  CHECK_FAILS(homopt_stiefel_create(3, 0, &manifold), HOMOPT_INVALID_ARGUMENT, "n:");
  CHECK_FAILS(homopt_grassmann_create(2, 3, &manifold), HOMOPT_INVALID_ARGUMENT, "n:");
  CHECK_FAILS(homopt_euclidean_create(0, 3, &manifold), HOMOPT_INVALID_ARGUMENT, "rows");
  CHECK_FAILS(homopt_euclidean_create(3, 0, &manifold), HOMOPT_INVALID_ARGUMENT, "cols");
  CHECK_FAILS(homopt_manifold_create("Sphere", 3, 2, &manifold), HOMOPT_INVALID_ARGUMENT, "unknown manifold 'Sphere'");
  CHECK_FAILS(homopt_manifold_create(NULL, 3, 2, &manifold), HOMOPT_INVALID_ARGUMENT, "name");
  CHECK_FAILS(homopt_manifold_create("Stiefel", 3, 2, NULL), HOMOPT_INVALID_ARGUMENT, "out");

  CHECK_FAILS(homopt_gradient_create(0, &method), HOMOPT_INVALID_ARGUMENT, "lr");
  CHECK(method == NULL);
  CHECK_FAILS(homopt_gradient_create(NAN, &method), HOMOPT_INVALID_ARGUMENT, "lr");
  CHECK_FAILS(homopt_gradient_create(INFINITY, &method), HOMOPT_INVALID_ARGUMENT, "lr");
  CHECK_FAILS(homopt_momentum_create(-1, 0.5, &method), HOMOPT_INVALID_ARGUMENT, "lr");
  CHECK_FAILS(homopt_momentum_create(0.1, 1.0, &method), HOMOPT_INVALID_ARGUMENT, "alpha");
  CHECK_FAILS(homopt_adam_create(0.1, 1.0, 0.99, 1e-8, 0, &method), HOMOPT_INVALID_ARGUMENT, "beta1");
  CHECK_FAILS(homopt_adam_create(0.1, 0.9, -0.1, 1e-8, 0, &method), HOMOPT_INVALID_ARGUMENT, "beta2");
  CHECK_FAILS(homopt_adam_create(0.1, 0.9, 0.99, 0, 0, &method), HOMOPT_INVALID_ARGUMENT, "eps");
  CHECK_FAILS(homopt_adam_create(0.1, NAN, 0.99, 1e-8, 0, &method), HOMOPT_INVALID_ARGUMENT, "beta1");
  CHECK_FAILS(homopt_adam_with_decay_create(0, 0.1, 0.01, 0.9, 0.99, 1e-8, 0, &method), HOMOPT_INVALID_ARGUMENT,
              "decay_steps");
  CHECK_FAILS(homopt_adam_with_decay_create(10, 0.1, -1, 0.9, 0.99, 1e-8, 0, &method), HOMOPT_INVALID_ARGUMENT,
              "lr_end");
  CHECK_FAILS(homopt_bfgs_create(0.1, 1e-8, 0, &method), HOMOPT_INVALID_ARGUMENT, "max_dimension");
  CHECK_FAILS(homopt_bfgs_create(0.1, -1e-8, 10, &method), HOMOPT_INVALID_ARGUMENT, "eps");
  CHECK_FAILS(homopt_adam_create(0.1, 0.9, 0.99, 1e-8, 0, NULL), HOMOPT_INVALID_ARGUMENT, "out");
  {
    const char* keys[] = {"lr", "momentum", "lr"};
    const char* null_key[] = {NULL};
    const double values[] = {0.1, 0.5, 0.2};
    const double nan[] = {NAN};
    const double steps[] = {2.5};
    const char* decay[] = {"decay_steps"};
    CHECK_FAILS(homopt_method_create("Newton", NULL, NULL, 0, &method), HOMOPT_INVALID_ARGUMENT,
                "unknown method 'Newton'");
    CHECK_FAILS(homopt_method_create(NULL, NULL, NULL, 0, &method), HOMOPT_INVALID_ARGUMENT, "name");
    CHECK_FAILS(homopt_method_create("Adam", keys, values, 2, &method), HOMOPT_INVALID_ARGUMENT,
                "momentum: is not a hyperparameter of Adam");
    CHECK_FAILS(homopt_method_create("Gradient", keys, values, 3, &method), HOMOPT_INVALID_ARGUMENT,
                "lr: given more than once");
    CHECK_FAILS(homopt_method_create("Gradient", keys, nan, 1, &method), HOMOPT_INVALID_ARGUMENT, "lr: must be finite");
    CHECK_FAILS(homopt_method_create("Gradient", keys, values, 1, NULL), HOMOPT_INVALID_ARGUMENT, "out");
    CHECK_FAILS(homopt_method_create("Gradient", NULL, values, 1, &method), HOMOPT_INVALID_ARGUMENT, "keys");
    CHECK_FAILS(homopt_method_create("Gradient", keys, NULL, 1, &method), HOMOPT_INVALID_ARGUMENT, "values");
    CHECK_FAILS(homopt_method_create("Gradient", null_key, values, 1, &method), HOMOPT_INVALID_ARGUMENT, "keys[0]");
    CHECK_FAILS(homopt_method_create("AdamWithDecay", decay, steps, 1, &method), HOMOPT_INVALID_ARGUMENT,
                "decay_steps");
    CHECK(method == NULL);
  }
  CHECK_OK(homopt_gradient_create(0.1, &method));
  CHECK_FAILS(homopt_optimizer_create(method, "euler", &optimizer), HOMOPT_INVALID_ARGUMENT,
              "unknown retraction 'euler'");
  CHECK_FAILS(homopt_optimizer_create(method, NULL, NULL), HOMOPT_INVALID_ARGUMENT, "out");
  CHECK_OK(homopt_method_destroy(method));
}

/* Wrong sizes, NaN, off-manifold points, small buffers, NULL outputs and bad indices on
 * live handles; failed steps leave the optimizer unchanged. */
static void check_bad_data(void) {
  homopt_manifold *stiefel, *copy;
  homopt_method *method, *bfgs;
  homopt_optimizer* optimizer;
  double Y[12], G[12], R[12], Y_after[12], residual = 7, value;
  size_t s = 0, rows = 6, cols = 2, wrong_rows = 6, wrong_cols = 3, two_rows[2] = {6, 6}, two_cols[2] = {2, 2};
  uint64_t steps = 9;
  char text[64];
  const double* gradients[2];
  const double* null_gradient[1] = {NULL};

  CHECK_OK(homopt_stiefel_create(6, 2, &stiefel));
  CHECK_OK(homopt_manifold_random_point(stiefel, 1, Y, 12));
  for (s = 0; s < 12; ++s) G[s] = 1.0 / (1.0 + s);
  CHECK_FAILS(homopt_manifold_random_point(stiefel, 1, R, 11), HOMOPT_BUFFER_TOO_SMALL, "needs 12");
  CHECK_FAILS(homopt_manifold_random_point(stiefel, 1, NULL, 12), HOMOPT_INVALID_ARGUMENT, "point");
  CHECK_FAILS(homopt_manifold_check(stiefel, Y, 6, 3, &residual), HOMOPT_INVALID_ARGUMENT,
              "point: expected a 6x2 matrix, got 6x3");
  CHECK_FAILS(homopt_manifold_check(stiefel, NULL, 6, 2, &residual), HOMOPT_INVALID_ARGUMENT, "point: NULL");
  CHECK_FAILS(homopt_manifold_check(stiefel, Y, 6, 2, NULL), HOMOPT_INVALID_ARGUMENT, "residual");
  CHECK_FAILS(homopt_manifold_check(stiefel, Y, (size_t)-1, 2, &residual), HOMOPT_INVALID_ARGUMENT, "overflows");
  CHECK(residual == 7); /* outputs untouched on failure */
  CHECK_FAILS(homopt_manifold_rows(stiefel, NULL), HOMOPT_INVALID_ARGUMENT, "rows");
  CHECK_FAILS(homopt_manifold_cols(stiefel, NULL), HOMOPT_INVALID_ARGUMENT, "cols");
  CHECK_FAILS(homopt_manifold_dimension(stiefel, NULL), HOMOPT_INVALID_ARGUMENT, "dimension");
  CHECK_FAILS(homopt_manifold_tolerance(stiefel, NULL), HOMOPT_INVALID_ARGUMENT, "tolerance");
  CHECK_FAILS(homopt_manifold_description(stiefel, NULL, 5, &s), HOMOPT_INVALID_ARGUMENT, "buffer");
  CHECK_FAILS(homopt_manifold_riemannian_gradient(stiefel, Y, 6, 2, G, 2, 6, R, 12), HOMOPT_INVALID_ARGUMENT,
              "euclidean_gradient: expected a 6x2 matrix");
  CHECK_FAILS(homopt_manifold_riemannian_gradient(stiefel, Y, 6, 2, G, 6, 2, R, 3), HOMOPT_BUFFER_TOO_SMALL, "out");
  CHECK_FAILS(homopt_manifold_riemannian_gradient(stiefel, Y, 6, 2, G, 6, 2, NULL, 12), HOMOPT_INVALID_ARGUMENT,
              "out");
  G[3] = NAN;
  CHECK_FAILS(homopt_manifold_riemannian_gradient(stiefel, Y, 6, 2, G, 6, 2, R, 12), HOMOPT_INVALID_ARGUMENT,
              "euclidean_gradient: entry (3, 0)");
  G[3] = 0.25;
  Y[7] = NAN;
  CHECK_FAILS(homopt_manifold_check(stiefel, Y, 6, 2, &residual), HOMOPT_INVALID_ARGUMENT, "point: entry (1, 1)");
  CHECK_OK(homopt_manifold_random_point(stiefel, 1, Y, 12));

  CHECK_OK(homopt_adam_create(0.01, 0.9, 0.99, 1e-8, 0, &method));
  CHECK_OK(homopt_optimizer_create(method, NULL, &optimizer));
  /* add: wrong shape, NaN, off the manifold, BFGS beyond its cap */
  CHECK_FAILS(homopt_optimizer_add(optimizer, stiefel, Y, 2, 6, NULL), HOMOPT_INVALID_ARGUMENT,
              "initial_point: expected a 6x2 matrix, got 2x6");
  Y[0] = INFINITY;
  CHECK_FAILS(homopt_optimizer_add(optimizer, stiefel, Y, 6, 2, NULL), HOMOPT_INVALID_ARGUMENT, "initial_point");
  CHECK_OK(homopt_manifold_random_point(stiefel, 1, Y, 12));
  Y[0] += 1e-3;
  CHECK_FAILS(homopt_optimizer_add(optimizer, stiefel, Y, 6, 2, NULL), HOMOPT_INVALID_ARGUMENT, "initial_point");
  CHECK_OK(homopt_manifold_random_point(stiefel, 1, Y, 12));
  CHECK_FAILS(homopt_optimizer_add(optimizer, NULL, Y, 6, 2, NULL), HOMOPT_NULL_HANDLE, "manifold");
  CHECK_OK(homopt_bfgs_create(0.1, 1e-8, 5, &bfgs));
  {
    homopt_optimizer* small;
    CHECK_OK(homopt_optimizer_create(bfgs, NULL, &small));
    CHECK_FAILS(homopt_optimizer_add(small, stiefel, Y, 6, 2, NULL), HOMOPT_INVALID_ARGUMENT, "manifold");
    CHECK_OK(homopt_optimizer_destroy(small));
  }
  CHECK_OK(homopt_method_destroy(bfgs));
  CHECK_OK(homopt_optimizer_add(optimizer, stiefel, Y, 6, 2, NULL));

  /* step: wrong count, wrong shape, NaN, NULL arrays — all leave the optimizer unchanged */
  gradients[0] = G;
  gradients[1] = G;
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, two_rows, two_cols, 2), HOMOPT_INVALID_ARGUMENT,
              "gradients: expected 1 gradients");
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, two_rows, two_cols, 0), HOMOPT_INVALID_ARGUMENT,
              "gradients: expected 1 gradients (one per parameter), got 0");
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, &wrong_rows, &wrong_cols, 1), HOMOPT_INVALID_ARGUMENT,
              "gradients[0]: expected a 6x2 matrix, got 6x3");
  CHECK_FAILS(homopt_optimizer_step(optimizer, NULL, &rows, &cols, 1), HOMOPT_INVALID_ARGUMENT, "gradients");
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, NULL, &cols, 1), HOMOPT_INVALID_ARGUMENT, "rows");
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, &rows, NULL, 1), HOMOPT_INVALID_ARGUMENT, "cols");
  CHECK_FAILS(homopt_optimizer_step(optimizer, null_gradient, &rows, &cols, 1), HOMOPT_INVALID_ARGUMENT,
              "gradients[0]: NULL");
  G[11] = NAN;
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, &rows, &cols, 1), HOMOPT_INVALID_ARGUMENT,
              "gradients[0]: entry (5, 1)");
  G[11] = -INFINITY;
  CHECK_FAILS(homopt_optimizer_step(optimizer, gradients, &rows, &cols, 1), HOMOPT_INVALID_ARGUMENT, "gradients[0]");
  CHECK_OK(homopt_optimizer_step_count(optimizer, &steps));
  CHECK(steps == 0);
  read_value(optimizer, 0, Y_after, 6, 2);
  CHECK(memcmp(Y, Y_after, sizeof Y) == 0);

  /* index out of range, small buffers, NULL outputs */
  CHECK_FAILS(homopt_optimizer_value(optimizer, 1, R, 12), HOMOPT_INDEX_ERROR, "parameter index 1 out of range");
  CHECK_FAILS(homopt_optimizer_value(optimizer, (size_t)-1, R, 12), HOMOPT_INDEX_ERROR, "out of range");
  CHECK_FAILS(homopt_optimizer_value_shape(optimizer, 5, &rows, &cols), HOMOPT_INDEX_ERROR, "index 5");
  copy = (homopt_manifold*)&check_count;
  CHECK_FAILS(homopt_optimizer_manifold(optimizer, 1, &copy), HOMOPT_INDEX_ERROR, "index 1");
  CHECK(copy == NULL);
  CHECK_FAILS(homopt_method_hyperparameter(method, 5, text, sizeof text, &s, &value), HOMOPT_INDEX_ERROR,
              "hyperparameter index 5 out of range (Adam has 5)");
  CHECK_FAILS(homopt_method_hyperparameter(method, 0, text, sizeof text, &s, NULL), HOMOPT_INVALID_ARGUMENT,
              "value");
  CHECK_FAILS(homopt_method_hyperparameter(method, 0, text, 2, &s, &value), HOMOPT_BUFFER_TOO_SMALL, "name");
  CHECK_FAILS(homopt_method_name(method, text, 4, NULL), HOMOPT_BUFFER_TOO_SMALL, "capacity 4");
  CHECK_FAILS(homopt_method_hyperparameter_count(method, NULL), HOMOPT_INVALID_ARGUMENT, "count");
  CHECK_FAILS(homopt_optimizer_value(optimizer, 0, R, 11), HOMOPT_BUFFER_TOO_SMALL, "buffer holds 11 doubles");
  CHECK_FAILS(homopt_optimizer_value(optimizer, 0, NULL, 12), HOMOPT_INVALID_ARGUMENT, "out");
  CHECK_FAILS(homopt_optimizer_value_shape(optimizer, 0, NULL, &cols), HOMOPT_INVALID_ARGUMENT, "rows");
  CHECK_FAILS(homopt_optimizer_value_shape(optimizer, 0, &rows, NULL), HOMOPT_INVALID_ARGUMENT, "cols");
  CHECK_FAILS(homopt_optimizer_size(optimizer, NULL), HOMOPT_INVALID_ARGUMENT, "size");
  CHECK_FAILS(homopt_optimizer_step_count(optimizer, NULL), HOMOPT_INVALID_ARGUMENT, "step_count");
  CHECK_FAILS(homopt_optimizer_retraction(optimizer, text, 3, &s), HOMOPT_BUFFER_TOO_SMALL, "capacity 3");
  CHECK(s == 6);
  CHECK_FAILS(homopt_optimizer_manifold(optimizer, 0, NULL), HOMOPT_INVALID_ARGUMENT, "out");
  CHECK_FAILS(homopt_optimizer_method(optimizer, NULL), HOMOPT_INVALID_ARGUMENT, "out");

  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_manifold_destroy(stiefel));
}

static void test_errors(void) {
  check_null_handles();
  check_stale_handles();
  check_bad_arguments();
  check_bad_data();
}

/* ------------------------------------------------------------------ group: threads */

/* A second thread fails with its own message; the main thread's message is unchanged. */
static void* fail_in_thread(void* result) {
  homopt_manifold* manifold;
  *(int*)result = homopt_euclidean_create(0, 1, &manifold) == HOMOPT_INVALID_ARGUMENT &&
                  strstr(homopt_last_error(), "rows") != NULL;
  return NULL;
}

/* Shared by the threads that step, read and save one optimizer concurrently. */
enum { STEPPERS = 4, STEPS_PER_THREAD = 250, STIEFEL_ROWS = 6, STIEFEL_COLS = 2 };
struct shared_optimizer {
  homopt_optimizer* optimizer;
  const double* gradients[2]; /* the same Stiefel and Euclidean gradient at every step */
  size_t rows[2], cols[2];
  volatile int stop;
  int failures;    /* steps or reads that did not return HOMOPT_OK */
  int bad_values;  /* reads that were not finite or off the manifold */
  int reads;
  char save_path[1024];
};

static void* step_many(void* argument) {
  struct shared_optimizer* shared = argument;
  int t, failures = 0;
  for (t = 0; t < STEPS_PER_THREAD; ++t)
    if (homopt_optimizer_step(shared->optimizer, shared->gradients, shared->rows, shared->cols, 2) != HOMOPT_OK)
      ++failures;
  return (void*)(intptr_t)failures;
}

/* Reads the point, the step count and saves a checkpoint until told to stop. */
static void* read_and_save(void* argument) {
  struct shared_optimizer* shared = argument;
  double Y[STIEFEL_ROWS * STIEFEL_COLS];
  uint64_t steps = 0, previous = 0;
  while (!shared->stop) {
    size_t k;
    int finite = 1;
    if (homopt_optimizer_value(shared->optimizer, 0, Y, STIEFEL_ROWS * STIEFEL_COLS) != HOMOPT_OK ||
        homopt_optimizer_step_count(shared->optimizer, &steps) != HOMOPT_OK ||
        homopt_optimizer_save(shared->optimizer, shared->save_path) != HOMOPT_OK)
      ++shared->failures;
    for (k = 0; k < STIEFEL_ROWS * STIEFEL_COLS; ++k) finite = finite && isfinite(Y[k]);
    if (!finite || orthonormality_residual(Y, STIEFEL_ROWS, STIEFEL_COLS) > 1e-12 || steps < previous)
      ++shared->bad_values;
    previous = steps;
    ++shared->reads;
  }
  return NULL;
}

/* Steps until its handle is destroyed under it: every call returns OK or NULL_HANDLE. */
static void* step_until_destroyed(void* argument) {
  struct shared_optimizer* shared = argument;
  int status;
  long steps = 0;
  while ((status = homopt_optimizer_step(shared->optimizer, shared->gradients, shared->rows, shared->cols, 2)) ==
         HOMOPT_OK)
    ++steps;
  shared->failures = status == HOMOPT_NULL_HANDLE ? 0 : 1;
  shared->reads = (int)steps;
  return NULL;
}

/* An Adam optimizer over St(2, 6) and R^{3×2} from fixed starting points. */
static homopt_optimizer* make_shared_optimizer(homopt_manifold* stiefel, homopt_manifold* euclidean) {
  double Y[STIEFEL_ROWS * STIEFEL_COLS], E[6];
  homopt_method* adam;
  homopt_optimizer* optimizer = NULL;
  CHECK_OK(homopt_manifold_random_point(stiefel, 3, Y, STIEFEL_ROWS * STIEFEL_COLS));
  CHECK_OK(homopt_manifold_random_point(euclidean, 4, E, 6));
  CHECK_OK(homopt_adam_create(0.01, 0.9, 0.99, 3e-7, 0, &adam));
  CHECK_OK(homopt_optimizer_create(adam, "cayley", &optimizer));
  CHECK_OK(homopt_method_destroy(adam));
  CHECK_OK(homopt_optimizer_add(optimizer, stiefel, Y, STIEFEL_ROWS, STIEFEL_COLS, NULL));
  CHECK_OK(homopt_optimizer_add(optimizer, euclidean, E, 3, 2, NULL));
  return optimizer;
}

/* Fills `shared` with a new optimizer (make_shared_optimizer) and the fixed gradients G
 * (STIEFEL_ROWS×STIEFEL_COLS, seed) and H (3×2, seed + 1) that every step uses. */
static void prepare_shared(struct shared_optimizer* shared, double* G, double* H, uint64_t seed,
                           homopt_manifold* stiefel, homopt_manifold* euclidean) {
  CHECK_OK(homopt_standard_normal_matrix(STIEFEL_ROWS, STIEFEL_COLS, seed, G, STIEFEL_ROWS * STIEFEL_COLS));
  CHECK_OK(homopt_standard_normal_matrix(3, 2, seed + 1, H, 6));
  memset(shared, 0, sizeof *shared);
  shared->gradients[0] = G;
  shared->gradients[1] = H;
  shared->rows[0] = STIEFEL_ROWS;
  shared->cols[0] = STIEFEL_COLS;
  shared->rows[1] = 3;
  shared->cols[1] = 2;
  shared->optimizer = make_shared_optimizer(stiefel, euclidean);
}

/* STEPPERS threads × STEPS_PER_THREAD steps on one optimizer, while another thread reads
 * and saves it: exactly STEPPERS·STEPS_PER_THREAD steps count, and since every step has the
 * same gradients, every serial order gives the same point: the result equals a serial run
 * bit for bit. */
static void check_concurrent_steps(homopt_manifold* stiefel, homopt_manifold* euclidean) {
  double G[STIEFEL_ROWS * STIEFEL_COLS], H[6], Y[12], Y_serial[12], E[6], E_serial[6];
  struct shared_optimizer shared;
  pthread_t steppers[STEPPERS], reader;
  homopt_optimizer *serial, *loaded;
  uint64_t steps = 0;
  int k, failures = 0;
  prepare_shared(&shared, G, H, 5, stiefel, euclidean);
  work_path(shared.save_path, "threads.checkpoint");
  CHECK(pthread_create(&reader, NULL, read_and_save, &shared) == 0);
  for (k = 0; k < STEPPERS; ++k) CHECK(pthread_create(&steppers[k], NULL, step_many, &shared) == 0);
  for (k = 0; k < STEPPERS; ++k) {
    void* result = NULL;
    CHECK(pthread_join(steppers[k], &result) == 0);
    failures += (int)(intptr_t)result;
  }
  shared.stop = 1;
  CHECK(pthread_join(reader, NULL) == 0);
  CHECK(failures == 0);
  CHECK(shared.failures == 0);
  CHECK(shared.bad_values == 0);
  CHECK(shared.reads > 0);
  CHECK_OK(homopt_optimizer_step_count(shared.optimizer, &steps));
  CHECK(steps == (uint64_t)STEPPERS * STEPS_PER_THREAD);

  serial = make_shared_optimizer(stiefel, euclidean);
  for (k = 0; k < STEPPERS * STEPS_PER_THREAD; ++k)
    CHECK_OK(homopt_optimizer_step(serial, shared.gradients, shared.rows, shared.cols, 2));
  read_value(shared.optimizer, 0, Y, STIEFEL_ROWS, STIEFEL_COLS);
  read_value(serial, 0, Y_serial, STIEFEL_ROWS, STIEFEL_COLS);
  read_value(shared.optimizer, 1, E, 3, 2);
  read_value(serial, 1, E_serial, 3, 2);
  CHECK(max_abs_difference(Y, Y_serial, 12) == 0);
  CHECK(max_abs_difference(E, E_serial, 6) == 0);
  CHECK(orthonormality_residual(Y, STIEFEL_ROWS, STIEFEL_COLS) < 1e-13);
  /* a checkpoint saved during the steps is a complete one */
  CHECK_OK(homopt_optimizer_load(shared.save_path, &loaded));
  CHECK_OK(homopt_optimizer_step_count(loaded, &steps));
  CHECK(steps <= (uint64_t)STEPPERS * STEPS_PER_THREAD);
  CHECK_OK(homopt_optimizer_destroy(loaded));
  CHECK_OK(homopt_optimizer_destroy(serial));
  CHECK_OK(homopt_optimizer_destroy(shared.optimizer));
}

/* Destroying an optimizer while another thread steps it: the running step finishes on a
 * live object, later calls get HOMOPT_NULL_HANDLE; no crash, no leak. */
static void check_destroy_while_stepping(homopt_manifold* stiefel, homopt_manifold* euclidean) {
  double G[12], H[6];
  struct shared_optimizer shared;
  pthread_t stepper;
  uint64_t steps = 0;
  size_t live = 0;
  prepare_shared(&shared, G, H, 7, stiefel, euclidean);
  CHECK(pthread_create(&stepper, NULL, step_until_destroyed, &shared) == 0);
  while (steps < 50 && homopt_optimizer_step_count(shared.optimizer, &steps) == HOMOPT_OK) continue;
  CHECK_OK(homopt_optimizer_destroy(shared.optimizer));
  CHECK(pthread_join(stepper, NULL) == 0);
  CHECK(shared.failures == 0); /* the loop ended with HOMOPT_NULL_HANDLE */
  CHECK(shared.reads >= 50);
  CHECK_FAILS(homopt_optimizer_step_count(shared.optimizer, &steps), HOMOPT_NULL_HANDLE, "optimizer");
  CHECK_OK(homopt_live_handle_count(&live));
  CHECK(live == 2); /* the two manifolds */
}

static void test_threads(void) {
  pthread_t thread;
  int thread_ok = 0;
  homopt_manifold *stiefel, *euclidean;
  CHECK_FAILS(homopt_stiefel_create(2, 3, NULL), HOMOPT_INVALID_ARGUMENT, "out");
  CHECK(pthread_create(&thread, NULL, fail_in_thread, &thread_ok) == 0);
  CHECK(pthread_join(thread, NULL) == 0);
  CHECK(thread_ok);
  CHECK(strstr(homopt_last_error(), "out: NULL pointer") != NULL);

  CHECK_OK(homopt_stiefel_create(STIEFEL_ROWS, STIEFEL_COLS, &stiefel));
  CHECK_OK(homopt_euclidean_create(3, 2, &euclidean));
  check_concurrent_steps(stiefel, euclidean);
  check_destroy_while_stepping(stiefel, euclidean);
  CHECK_OK(homopt_manifold_destroy(stiefel));
  CHECK_OK(homopt_manifold_destroy(euclidean));
}

/* ------------------------------------------------------------------ group: reference */

/* Replays the reference trajectory with `manifold` and `method`; returns the largest
 * deviation from the file over Y0 … Y20. */
static double replay_reference(const homopt_manifold* manifold, const homopt_method* method) {
  const NamedMatrix *B = find_entry("B"), *D = find_entry("D"), *seed = find_entry("seed"), *Y0 = find_entry("Y0");
  homopt_optimizer* optimizer;
  double Y[12], G[12], d[2], worst;
  int t;
  if (!B || !D || !seed || !Y0) return INFINITY;
  d[0] = D->values[0];
  d[1] = D->values[3];
  CHECK(D->values[1] == 0 && D->values[2] == 0);
  CHECK_OK(homopt_manifold_random_point(manifold, (uint64_t)seed->values[0], Y, 12));
  worst = max_abs_difference(Y, Y0->values, 12);
  CHECK_OK(homopt_optimizer_create(method, "cayley", &optimizer));
  CHECK_OK(homopt_optimizer_add(optimizer, manifold, Y, 6, 2, NULL));
  for (t = 1; t <= 20; ++t) {
    char name[8];
    const NamedMatrix* expected;
    snprintf(name, sizeof name, "Y%d", t);
    expected = find_entry(name);
    brockett_gradient(B->values, d, Y, G, 6, 2);
    CHECK_OK(step_one(optimizer, G, 6, 2));
    read_value(optimizer, 0, Y, 6, 2);
    worst = fmax(worst, expected ? max_abs_difference(Y, expected->values, 12) : INFINITY);
  }
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  return worst;
}

static void test_reference(const char* path) {
  const NamedMatrix* adam;
  homopt_manifold* manifold;
  homopt_method* method;
  double worst;
  CHECK(read_reference(path));
  adam = find_entry("adam");
  CHECK(adam != NULL && adam->rows * adam->cols == 4);
  if (adam == NULL) return;
  /* convenience constructors */
  CHECK_OK(homopt_stiefel_create(6, 2, &manifold));
  CHECK_OK(homopt_adam_create(adam->values[0], adam->values[1], adam->values[2], adam->values[3], 0, &method));
  worst = replay_reference(manifold, method);
  printf("reference trajectory (convenience constructors): max |ΔY| = %.3g\n", worst);
  CHECK(worst <= 1e-12);
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_manifold_destroy(manifold));
  { /* generic constructors */
    const char* keys[] = {"lr", "beta1", "beta2", "eps"};
    CHECK_OK(homopt_manifold_create("Stiefel", 6, 2, &manifold));
    CHECK_OK(homopt_method_create("Adam", keys, adam->values, 4, &method));
    worst = replay_reference(manifold, method);
    printf("reference trajectory (generic constructors):     max |ΔY| = %.3g\n", worst);
    CHECK(worst <= 1e-12);
    CHECK_OK(homopt_method_destroy(method));
    CHECK_OK(homopt_manifold_destroy(manifold));
  }
}

/* ------------------------------------------------------------------ main */

int main(int argc, char** argv) {
  const char* group;
  if (argc != 4) {
    fprintf(stderr, "usage: %s GROUP REFERENCE_FILE WORK_DIR\n", argv[0]);
    return 2;
  }
  group = argv[1];
  snprintf(work_dir, sizeof work_dir, "%s", argv[3]);
  if (strcmp(group, "library") == 0) test_library();
  else if (strcmp(group, "manifolds") == 0) test_manifolds();
  else if (strcmp(group, "methods") == 0) test_methods();
  else if (strcmp(group, "optimizer") == 0) test_optimizer();
  else if (strcmp(group, "closed_form") == 0) test_closed_form();
  else if (strcmp(group, "checkpoint") == 0) test_checkpoint();
  else if (strcmp(group, "errors") == 0) test_errors();
  else if (strcmp(group, "threads") == 0) test_threads();
  else if (strcmp(group, "reference") == 0) test_reference(argv[2]);
  else {
    fprintf(stderr, "unknown group %s\n", group);
    return 2;
  }
  { /* every group releases every handle it created */
    size_t live = 99;
    CHECK_OK(homopt_live_handle_count(&live));
    CHECK(live == 0);
  }
  printf("%s: %d checks, %d failed\n", group, check_count, failure_count);
  return failure_count == 0 && check_count > 0 ? 0 : 1;
}
