/* Tests of the C ABI's size bounds and finite steps (issue 12, sections 3 and 4), C99.
 * Usage: homopt_c_size_tests GROUP, GROUP one of: sizes steps. Exit status non-zero on any
 * failure.
 *
 * Sizes are size_t; every matrix a manifold can allocate has at most 2^31 - 1 elements, so
 * Stiefel/Grassmann N <= 46340, the symplectic spaces N <= 23170, Euclidean rows*cols and
 * standard_normal_matrix rows*cols <= 2^31 - 1. Larger sizes give HOMOPT_INVALID_ARGUMENT
 * and a last error naming the argument. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "homopt.h"

static int check_count = 0;
static int failure_count = 0;

static void record(int ok, const char* what, int line) {
  ++check_count;
  if (!ok) {
    ++failure_count;
    fprintf(stderr, "test_c_sizes.c:%d: FAILED: %s (last error: %s)\n", line, what, homopt_last_error());
  }
}

/* status == expected and, if fragment is non-NULL, the last error starts with it. */
static void expect_status(int status, int expected, const char* prefix, const char* call, int line) {
  int ok = status == expected;
  if (ok && prefix != NULL) ok = strncmp(homopt_last_error(), prefix, strlen(prefix)) == 0;
  ++check_count;
  if (!ok) {
    ++failure_count;
    fprintf(stderr, "test_c_sizes.c:%d: FAILED: %s returned %s (expected %s, last error starting with '%s'); "
            "last error: %s\n", line, call, homopt_status_name(status), homopt_status_name(expected),
            prefix ? prefix : "", homopt_last_error());
  }
}

#define CHECK(condition) record((condition) != 0, #condition, __LINE__)
#define CHECK_OK(call) expect_status((call), HOMOPT_OK, NULL, #call, __LINE__)
#define CHECK_REFUSED(call, prefix) expect_status((call), HOMOPT_INVALID_ARGUMENT, (prefix), #call, __LINE__)

static const size_t two_to_32 = (size_t)1 << 32;
static const size_t two_to_33 = (size_t)1 << 33;
static const size_t two_to_63 = (size_t)1 << 63;

/* Creating name(a, b) is refused naming `prefix`, and *out stays NULL. */
static void expect_create_refused(const char* name, size_t a, size_t b, const char* prefix, int line) {
  homopt_manifold* manifold = (homopt_manifold*)&check_count; /* non-NULL sentinel */
  expect_status(homopt_manifold_create(name, a, b, &manifold), HOMOPT_INVALID_ARGUMENT, prefix, name, line);
  record(manifold == NULL, "output handle is NULL after a refused create", line);
}

static void test_sizes(void) {
  const char* frames[] = {"Stiefel", "Grassmann", "SymplecticStiefel", "SymplecticGrassmann"};
  for (int k = 0; k < 4; ++k) {
    const int symplectic = k >= 2;
    const size_t largest = symplectic ? 23170 : 46340;
    homopt_manifold* manifold = NULL;
    size_t rows = 0, dimension = 0;
    CHECK_OK(homopt_manifold_create(frames[k], largest, 1, &manifold));
    CHECK_OK(homopt_manifold_rows(manifold, &rows));
    CHECK(rows == (symplectic ? 2 * largest : largest));
    CHECK_OK(homopt_manifold_dimension(manifold, &dimension));
    CHECK(dimension > 0);
    CHECK_OK(homopt_manifold_destroy(manifold));
    expect_create_refused(frames[k], largest + 1, 1, "N: too large", __LINE__);
    /* Issue 12: Stiefel(2^33, 2^32) segfaulted in random_point; SymplecticStiefel(2^63, 1)
     * had 0 rows. */
    expect_create_refused(frames[k], two_to_33, two_to_32, "N: too large", __LINE__);
    expect_create_refused(frames[k], two_to_32, 1, "N: too large", __LINE__);
    expect_create_refused(frames[k], two_to_63, 1, "N: too large", __LINE__);
    expect_create_refused(frames[k], SIZE_MAX, SIZE_MAX, "N: too large", __LINE__);
    expect_create_refused(frames[k], 4, 0, "n: ", __LINE__);
    expect_create_refused(frames[k], 0, 0, "n: ", __LINE__);
    expect_create_refused(frames[k], 3, 4, "n: ", __LINE__);
  }
  {
    homopt_manifold* manifold = (homopt_manifold*)&check_count;
    CHECK_REFUSED(homopt_stiefel_create(two_to_33, two_to_32, &manifold), "N: too large");
    CHECK(manifold == NULL);
    CHECK_REFUSED(homopt_grassmann_create(46341, 2, &manifold), "N: too large");
    /* Issue 12: Euclidean(2^32, 2^32).dimension() was 0 (2^64 wrapped around). */
    CHECK_REFUSED(homopt_euclidean_create(two_to_32, two_to_32, &manifold), "rows: too large");
    CHECK_REFUSED(homopt_euclidean_create(65536, 65536, &manifold), "cols: too large");
    CHECK_REFUSED(homopt_euclidean_create(0, 3, &manifold), "rows: ");
    CHECK_REFUSED(homopt_euclidean_create(3, 0, &manifold), "cols: ");
    CHECK(manifold == NULL);
    size_t dimension = 0;
    CHECK_OK(homopt_euclidean_create(2147483647u, 1, &manifold));
    CHECK_OK(homopt_manifold_dimension(manifold, &dimension));
    CHECK(dimension == 2147483647u);
    CHECK_OK(homopt_manifold_destroy(manifold));
  }
  {
    /* Issue 12: homopt_standard_normal_matrix(1<<32, 1<<32, …) returned OK and wrote nothing. */
    double out[6] = {0};
    CHECK_REFUSED(homopt_standard_normal_matrix(two_to_32, two_to_32, 0, out, 6), "rows: too large");
    CHECK_REFUSED(homopt_standard_normal_matrix(65536, 65536, 0, out, 6), "cols: too large");
    CHECK_REFUSED(homopt_standard_normal_matrix(1, SIZE_MAX, 0, out, 6), "cols: too large");
    CHECK(out[0] == 0 && out[5] == 0);
    CHECK_OK(homopt_standard_normal_matrix(3, 2, 1, out, 6));
    CHECK(out[0] != 0 && isfinite(out[5]));
    CHECK_OK(homopt_standard_normal_matrix(0, 5, 1, out, 0));
  }
}

/* Issue 12: SymplecticGrassmann(3, 1), geodesic, Gradient(lr = 1), gradient
 * 1e3 * standard_normal_matrix(6, 2, 3) from random_point(1) used to succeed with a NaN
 * residual. Now: HOMOPT_INVALID_ARGUMENT naming the velocity, the point and the step count
 * unchanged, and a small step afterwards works. */
static void test_steps(void) {
  homopt_manifold* manifold = NULL;
  homopt_method* method = NULL;
  homopt_optimizer* optimizer = NULL;
  double start[12], gradient[12], before[12], after[12], residual = -1;
  const double* gradients[1] = {gradient};
  const size_t rows[1] = {6}, cols[1] = {2};
  uint64_t step_count = 99;
  CHECK_OK(homopt_manifold_create("SymplecticGrassmann", 3, 1, &manifold));
  CHECK_OK(homopt_manifold_random_point(manifold, 1, start, 12));
  CHECK_OK(homopt_gradient_create(1.0, &method));
  CHECK_OK(homopt_optimizer_create(method, "geodesic", &optimizer));
  CHECK_OK(homopt_optimizer_add(optimizer, manifold, start, 6, 2, NULL));
  CHECK_OK(homopt_standard_normal_matrix(6, 2, 3, gradient, 12));
  for (int k = 0; k < 12; ++k) gradient[k] *= 1e3;
  CHECK_OK(homopt_optimizer_value(optimizer, 0, before, 12));
  CHECK_REFUSED(homopt_optimizer_step(optimizer, gradients, rows, cols, 1), "velocity: ");
  CHECK_OK(homopt_optimizer_value(optimizer, 0, after, 12));
  CHECK(memcmp(before, after, sizeof before) == 0);
  CHECK_OK(homopt_optimizer_step_count(optimizer, &step_count));
  CHECK(step_count == 0);
  for (int k = 0; k < 12; ++k) gradient[k] *= 1e-5;
  CHECK_OK(homopt_optimizer_step(optimizer, gradients, rows, cols, 1));
  CHECK_OK(homopt_optimizer_value(optimizer, 0, after, 12));
  CHECK_OK(homopt_manifold_check(manifold, after, 6, 2, &residual));
  CHECK(residual >= 0 && residual <= 1e-10);
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_method_destroy(method));

  /* A geodesic step whose exp cannot be computed (Stiefel(2, 1), velocity ≈ 1e150) is an
   * invalid argument naming the velocity, not an internal error. */
  CHECK_OK(homopt_manifold_destroy(manifold));
  CHECK_OK(homopt_stiefel_create(2, 1, &manifold));
  CHECK_OK(homopt_gradient_create(1.0, &method));
  CHECK_OK(homopt_optimizer_create(method, "geodesic", &optimizer));
  const double e1[2] = {1, 0};
  double huge[2] = {0, 1e150};
  const double* huge_gradients[1] = {huge};
  const size_t huge_rows[1] = {2}, huge_cols[1] = {1};
  CHECK_OK(homopt_optimizer_add(optimizer, manifold, e1, 2, 1, NULL));
  CHECK_REFUSED(homopt_optimizer_step(optimizer, huge_gradients, huge_rows, huge_cols, 1), "velocity: ");
  CHECK_OK(homopt_optimizer_step_count(optimizer, &step_count));
  CHECK(step_count == 0);
  CHECK_OK(homopt_optimizer_destroy(optimizer));
  CHECK_OK(homopt_method_destroy(method));
  CHECK_OK(homopt_manifold_destroy(manifold));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s sizes|steps\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[1], "sizes") == 0) {
    test_sizes();
  } else if (strcmp(argv[1], "steps") == 0) {
    test_steps();
  } else {
    fprintf(stderr, "unknown group %s\n", argv[1]);
    return 2;
  }
  printf("%s: %d checks, %d failures\n", argv[1], check_count, failure_count);
  return failure_count == 0 ? 0 : 1;
}
