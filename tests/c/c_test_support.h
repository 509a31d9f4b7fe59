/* Shared by the C test programs (test_c_api.c, test_c_solver.c): check macros that count
 * checks and failures, dense helpers (column-major) for the Brockett cost, and the reader of
 * the tests/data reference files ("NAME ROWS COLS values…" lines, '#' comments).
 * Included once per program; everything is static. */
#ifndef HOMOPT_C_TEST_SUPPORT_H
#define HOMOPT_C_TEST_SUPPORT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "homopt.h"

/* ------------------------------------------------------------------ check macros */

static int check_count = 0;
static int failure_count = 0;

static inline void record(int ok, const char* what, const char* file, int line) {
  ++check_count;
  if (!ok) {
    ++failure_count;
    fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
  }
}

/* Checks that `status` is `expected` and, if `fragment` is non-NULL, that the last error
 * message contains it. */
static inline void expect_status(int status, int expected, const char* fragment, const char* call, const char* file,
                          int line) {
  int ok = status == expected;
  if (ok && fragment != NULL) ok = strstr(homopt_last_error(), fragment) != NULL;
  ++check_count;
  if (!ok) {
    ++failure_count;
    fprintf(stderr, "%s:%d: FAILED: %s returned %s (expected %s%s%s); last error: %s\n", file, line, call,
            homopt_status_name(status), homopt_status_name(expected), fragment ? " mentioning " : "",
            fragment ? fragment : "", homopt_last_error());
  }
}

static inline void expect_near(double actual, double expected, double tolerance, const char* what, const char* file,
                        int line) {
  const int ok = fabs(actual - expected) <= tolerance;
  ++check_count;
  if (!ok) {
    ++failure_count;
    fprintf(stderr, "%s:%d: FAILED: %s: %.17g vs %.17g (|diff| %.3g > %.3g)\n", file, line, what, actual,
            expected, fabs(actual - expected), tolerance);
  }
}

#define CHECK(condition) record((condition) != 0, #condition, __FILE__, __LINE__)
#define CHECK_OK(call) expect_status((call), HOMOPT_OK, NULL, #call, __FILE__, __LINE__)
#define CHECK_FAILS(call, status, fragment) expect_status((call), (status), (fragment), #call, __FILE__, __LINE__)
#define CHECK_NEAR(actual, expected, tolerance) \
  expect_near((actual), (expected), (tolerance), #actual " vs " #expected, __FILE__, __LINE__)

/* ------------------------------------------------------------------ dense helpers */

/* A newly allocated rows×cols matrix of zeros (column-major). */
static inline double* zeros(size_t rows, size_t cols) {
  double* matrix = calloc(rows * cols > 0 ? rows * cols : 1, sizeof(double));
  if (matrix == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return matrix;
}

/* max_k |a[k] − b[k]|. */
static inline double max_abs_difference(const double* a, const double* b, size_t count) {
  double result = 0;
  size_t k;
  for (k = 0; k < count; ++k) result = fmax(result, fabs(a[k] - b[k]));
  return result;
}

/* ‖YᵀY − I‖_F for an N×n matrix Y. */
static inline double orthonormality_residual(const double* Y, size_t N, size_t n) {
  double sum = 0;
  size_t i, j, k;
  for (i = 0; i < n; ++i)
    for (j = 0; j < n; ++j) {
      double dot = 0;
      for (k = 0; k < N; ++k) dot += Y[k + i * N] * Y[k + j * N];
      dot -= i == j ? 1.0 : 0.0;
      sum += dot * dot;
    }
  return sqrt(sum);
}

/* out = A·X for A (N×N) and X (N×n). */
static inline void multiply(const double* A, const double* X, double* out, size_t N, size_t n) {
  size_t i, j, k;
  for (j = 0; j < n; ++j)
    for (i = 0; i < N; ++i) {
      double sum = 0;
      for (k = 0; k < N; ++k) sum += A[i + k * N] * X[k + j * N];
      out[i + j * N] = sum;
    }
}

/* Brockett cost f(Y) = tr(YᵀBYD) = Σⱼ dⱼ yⱼᵀByⱼ, D = diag(d), B symmetric N×N. */
static inline double brockett_value(const double* B, const double* d, const double* Y, size_t N, size_t n) {
  double* BY = zeros(N, n);
  double value = 0;
  size_t i, j;
  multiply(B, Y, BY, N, n);
  for (j = 0; j < n; ++j)
    for (i = 0; i < N; ++i) value += d[j] * Y[i + j * N] * BY[i + j * N];
  free(BY);
  return value;
}

/* Euclidean gradient of the Brockett cost: G = 2·B·Y·D. */
static inline void brockett_gradient(const double* B, const double* d, const double* Y, double* G, size_t N, size_t n) {
  size_t i, j;
  multiply(B, Y, G, N, n);
  for (j = 0; j < n; ++j)
    for (i = 0; i < N; ++i) G[i + j * N] *= 2 * d[j];
}

/* A named matrix of the reference file. */
typedef struct {
  char name[32];
  size_t rows, cols;
  double* values;
} NamedMatrix;

static NamedMatrix entries[64];
static size_t entry_count = 0;

/* Parses "NAME ROWS COLS v1 v2 …" lines ('#' lines are comments). */
static inline int read_reference(const char* path) {
  FILE* file = fopen(path, "r");
  char name[32];
  if (file == NULL) return 0;
  while (fscanf(file, "%31s", name) == 1) {
    NamedMatrix* entry;
    size_t k;
    if (name[0] == '#') {
      int c;
      while ((c = fgetc(file)) != EOF && c != '\n') {
      }
      continue;
    }
    if (entry_count == 64) break;
    entry = &entries[entry_count++];
    strcpy(entry->name, name);
    if (fscanf(file, "%zu %zu", &entry->rows, &entry->cols) != 2) break;
    entry->values = zeros(entry->rows, entry->cols);
    for (k = 0; k < entry->rows * entry->cols; ++k)
      if (fscanf(file, "%lf", &entry->values[k]) != 1) {
        fclose(file);
        return 0;
      }
  }
  fclose(file);
  return 1;
}

static inline const NamedMatrix* find_entry(const char* name) {
  size_t k;
  for (k = 0; k < entry_count; ++k)
    if (strcmp(entries[k].name, name) == 0) return &entries[k];
  fprintf(stderr, "reference file: no entry %s\n", name);
  return NULL;
}

#endif /* HOMOPT_C_TEST_SUPPORT_H */
