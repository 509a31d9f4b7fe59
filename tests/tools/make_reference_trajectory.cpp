// Writes tests/data/reference_trajectory.txt (see tests/cpp/reference_problem.hpp).
// Format: '#' comment lines; otherwise `NAME ROWS COLS v1 v2 …`, values column-major, %.17g.
#include <cstdio>

#include "data_file.hpp"

#include "reference_problem.hpp"

int main(int argc, char** argv) {
  using namespace homopt;
  using data_file::write_matrix;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
    return 2;
  }
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) return 1;
  std::fprintf(out,
               "# homopt reference trajectory (cross-language contract; reproduce to 1e-12)\n"
               "# Brockett cost f(Y) = tr(Y^T B Y D) on Stiefel(6, 2); Euclidean gradient G = 2 B Y D\n"
               "# B = (X + X^T)/2, X = standard_normal_matrix(6, 6, seed 7); D = diag(1, 2)\n"
               "# Y0 = Stiefel(6, 2).random_point(seed); Adam(lr, beta1, beta2, eps), Cayley, 20 steps\n"
               "# Yt = value after step t. Lines: NAME ROWS COLS values (column-major, %%.17g)\n");
  write_matrix(out, "B", reference::brockett_B());
  write_matrix(out, "D", reference::brockett_D());
  write_matrix(out, "seed", Mat{static_cast<double>(reference::point_seed)});
  const Adam adam = reference::method();
  write_matrix(out, "adam", Mat{{adam.lr(), adam.beta1(), adam.beta2(), adam.eps()}});
  const std::vector<Mat> iterates = reference::trajectory();
  for (std::size_t t = 0; t < iterates.size(); ++t) write_matrix(out, "Y" + std::to_string(t), iterates[t]);
  return std::fclose(out) == 0 ? 0 : 1;
}
