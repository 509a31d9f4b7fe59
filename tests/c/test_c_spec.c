/* Tests of the C ABI's API-declaration queries (homopt.h, "API declaration"; docs/api.md):
 * every declared method, created by name with no keys, holds exactly the declared defaults;
 * every declared manifold is created by name; the queries refuse bad indices, names and
 * fields with the right status. Exit status non-zero on any failure. */
#include <string.h>

#include "c_test_support.h"

enum { TEXT = 512 };

/* Every method of the declaration, created without keys, holds the declared defaults
 * (names and values, in order, compared exactly). */
static void check_method_defaults(void) {
  size_t method_count = 0, m;
  CHECK(homopt_method_spec_count(&method_count) == HOMOPT_OK);
  CHECK(method_count == 5);
  for (m = 0; m < method_count; ++m) {
    char name[TEXT], held_name[TEXT], text[TEXT];
    size_t declared_count = 0, held_count = 0, k;
    homopt_method* method = NULL;
    CHECK(homopt_method_spec_name(m, name, sizeof name, NULL) == HOMOPT_OK);
    CHECK(homopt_method_spec_text(name, "formula", text, sizeof text, NULL) == HOMOPT_OK && strlen(text) > 0);
    CHECK(homopt_method_create(name, NULL, NULL, 0, &method) == HOMOPT_OK);
    CHECK(homopt_method_name(method, held_name, sizeof held_name, NULL) == HOMOPT_OK && strcmp(name, held_name) == 0);
    CHECK(homopt_method_spec_hyperparameter_count(name, &declared_count) == HOMOPT_OK);
    CHECK(homopt_method_hyperparameter_count(method, &held_count) == HOMOPT_OK);
    CHECK(declared_count == held_count && declared_count > 0);
    for (k = 0; k < declared_count && k < held_count; ++k) {
      char declared_key[TEXT], held_key[TEXT];
      double default_value = -1, held_value = -2;
      CHECK(homopt_method_spec_hyperparameter(name, k, declared_key, sizeof declared_key, NULL, &default_value) ==
            HOMOPT_OK);
      CHECK(homopt_method_hyperparameter(method, k, held_key, sizeof held_key, NULL, &held_value) == HOMOPT_OK);
      CHECK(strcmp(declared_key, held_key) == 0);
      CHECK(default_value == held_value);
      CHECK(homopt_method_spec_hyperparameter_text(name, k, "range", text, sizeof text, NULL) == HOMOPT_OK &&
            strlen(text) > 0);
      CHECK(homopt_method_spec_hyperparameter_text(name, k, "meaning", text, sizeof text, NULL) == HOMOPT_OK &&
            strlen(text) > 0);
      CHECK(homopt_method_spec_hyperparameter_text(name, k, "kind", text, sizeof text, NULL) == HOMOPT_OK &&
            (strcmp(text, "real") == 0 || strcmp(text, "count") == 0 || strcmp(text, "flag") == 0));
    }
    homopt_method_destroy(method);
  }
}

/* Every manifold of the declaration is created by name with N = 2, n = 1 (valid for all
 * five: 1 ≤ n ≤ N, and rows = 2, cols = 1 for Euclidean) and reports that name. */
static void check_manifold_names(void) {
  size_t manifold_count = 0, m;
  CHECK(homopt_manifold_spec_count(&manifold_count) == HOMOPT_OK);
  CHECK(manifold_count == 5);
  for (m = 0; m < manifold_count; ++m) {
    char name[TEXT], held_name[TEXT], text[TEXT];
    homopt_manifold* manifold = NULL;
    CHECK(homopt_manifold_spec_name(m, name, sizeof name, NULL) == HOMOPT_OK);
    CHECK(homopt_manifold_create(name, 2, 1, &manifold) == HOMOPT_OK);
    CHECK(homopt_manifold_name(manifold, held_name, sizeof held_name, NULL) == HOMOPT_OK &&
          strcmp(name, held_name) == 0);
    CHECK(homopt_manifold_spec_text(name, "size_rule", text, sizeof text, NULL) == HOMOPT_OK && strlen(text) > 0);
    CHECK(homopt_manifold_spec_text(name, "shape_parameters", text, sizeof text, NULL) == HOMOPT_OK &&
          (strcmp(text, "N, n") == 0 || strcmp(text, "rows, cols") == 0));
    homopt_manifold_destroy(manifold);
  }
}

/* Bad indices, names, fields and NULL outputs are refused with the documented status. */
static void check_refusals(void) {
  char text[TEXT];
  size_t count = 0;
  double value = 0;
  CHECK(homopt_method_spec_name(5, text, sizeof text, NULL) == HOMOPT_INDEX_ERROR);
  CHECK(homopt_manifold_spec_name(5, text, sizeof text, NULL) == HOMOPT_INDEX_ERROR);
  CHECK(homopt_method_spec_hyperparameter("Gradient", 1, text, sizeof text, NULL, &value) == HOMOPT_INDEX_ERROR);
  CHECK(homopt_method_spec_hyperparameter_count("Newton", &count) == HOMOPT_INVALID_ARGUMENT &&
        strstr(homopt_last_error(), "unknown method 'Newton'") != NULL);
  CHECK(homopt_method_spec_text("Adam", "default", text, sizeof text, NULL) == HOMOPT_INVALID_ARGUMENT &&
        strstr(homopt_last_error(), "field") != NULL);
  CHECK(homopt_manifold_spec_text("Sphere", "summary", text, sizeof text, NULL) == HOMOPT_INVALID_ARGUMENT &&
        strstr(homopt_last_error(), "unknown manifold 'Sphere'") != NULL);
  CHECK(homopt_method_spec_count(NULL) == HOMOPT_INVALID_ARGUMENT);
  CHECK(homopt_method_spec_hyperparameter("Adam", 0, text, sizeof text, NULL, NULL) == HOMOPT_INVALID_ARGUMENT);
  CHECK(homopt_method_spec_text(NULL, "summary", text, sizeof text, NULL) == HOMOPT_INVALID_ARGUMENT);
  CHECK(homopt_method_spec_name(0, text, 1, &count) == HOMOPT_BUFFER_TOO_SMALL && count == strlen("Gradient"));
}

int main(void) {
  check_method_defaults();
  check_manifold_names();
  check_refusals();
  printf("%d checks, %d failures\n", check_count, failure_count);
  return failure_count == 0 ? 0 : 1;
}
