/* A C program of a homopt user, built against an installed libhomopt_c (homopt.h): a random
 * point of St(4, 20) satisfies YᵀY = I to ‖YᵀY − I‖_F ≤ 1e-13, a wrong shape is refused with
 * HOMOPT_INVALID_ARGUMENT and a message, and the version is the one given as argument 1. */
#include <stdio.h>
#include <string.h>

#include <homopt.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: consumer_c VERSION\n");
    return 2;
  }
  homopt_manifold* stiefel = NULL;
  double point[20 * 4];
  double residual = -1;
  int ok = strcmp(homopt_version(), argv[1]) == 0;
  ok = ok && homopt_stiefel_create(20, 4, &stiefel) == HOMOPT_OK;
  ok = ok && homopt_manifold_random_point(stiefel, 7, point, 20 * 4) == HOMOPT_OK;
  ok = ok && homopt_manifold_check(stiefel, point, 20, 4, &residual) == HOMOPT_OK && residual <= 1e-13;
  int refused = homopt_manifold_check(stiefel, point, 4, 20, &residual);
  ok = ok && refused == HOMOPT_INVALID_ARGUMENT && strlen(homopt_last_error()) > 0;
  printf("homopt_c version %s, ||Y'Y - I||_F = %.1e, wrong shape: %s (%s)\n", homopt_version(), residual,
         homopt_status_name(refused), homopt_last_error());
  homopt_manifold_destroy(stiefel);
  printf("%s\n", ok ? "consumer_c: OK" : "consumer_c: FAILED");
  return ok ? 0 : 1;
}
