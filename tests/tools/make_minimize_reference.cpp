// Writes tests/data/minimize_reference.txt (see tests/cpp/minimize_problem.hpp): the
// problem, the rules and the outcome of the reference run that the C, Python, R and Julia
// tests reproduce (same iteration count, same reason, same final value to 1e-12).
// Format: '#' comment lines; otherwise `NAME ROWS COLS v1 v2 …`, values column-major, %.17g.
#include <cstdio>
#include <string>

#include "data_file.hpp"

#include "minimize_problem.hpp"

int main(int argc, char** argv) {
  using namespace homopt;
  using data_file::write_matrix;
  using data_file::write_number;
  namespace ref = minimize_reference;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
    return 2;
  }
  const ref::Brockett problem(ref::reference_seed);
  Optimizer optimizer(BFGS(problem.bfgs_lr()));
  const MinimizeResult result = ref::run(problem, ref::reference_seed, optimizer);
  // The norm one step before the stop: how far the rule was from firing there (a margin
  // rounding differences between languages cannot bridge).
  Optimizer before(BFGS(problem.bfgs_lr()));
  before.add(Stiefel(20, 4), problem.start(ref::reference_seed));
  MinimizeOptions options;
  options.rules.max_iterations = result.iterations - 1;
  const MinimizeResult previous = minimize([&](const std::vector<Mat>& Y) { return problem.value(Y); },
                                           [&](const std::vector<Mat>& Y) { return problem.gradient(Y); },
                                           before, options);
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) return 1;
  std::fprintf(out,
               "# homopt solver reference (cross-language contract): Brockett f(Y) = tr(Y^T A Y N) on\n"
               "# Stiefel(20, 4), G = 2 A Y N, Y0 = Stiefel(20, 4).random_point(seed), BFGS(lr), Cayley;\n"
               "# rules: gradient_tolerance, max_iterations (others off). Expected: iterations, reason\n"
               "# (1 = gradient_tolerance), value = f(final point) (reproduce to 1e-12 relative),\n"
               "# optimum = closed-form minimum. Gradient norm at the stop %.3e, one step earlier %.3e\n"
               "# (tolerance %.0e). Lines: NAME ROWS COLS values (column-major, %%.17g)\n",
               result.gradient_norm, previous.gradient_norm, ref::gradient_tolerance);
  write_matrix(out, "A", problem.A);
  write_matrix(out, "N", problem.N);
  write_number(out, "seed", static_cast<double>(ref::reference_seed));
  write_number(out, "lr", problem.bfgs_lr());
  write_number(out, "gradient_tolerance", ref::gradient_tolerance);
  write_number(out, "max_iterations", static_cast<double>(ref::max_iterations));
  write_number(out, "iterations", static_cast<double>(result.iterations));
  write_number(out, "reason", static_cast<double>(result.reason));
  write_number(out, "value", result.value);
  write_number(out, "optimum", problem.optimum());
  return std::fclose(out) == 0 ? 0 : 1;
}
