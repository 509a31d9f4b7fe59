// bench/step_overhead — the C++ side of the Python per-step overhead measurement
// (bench/python_step_overhead.py runs the same loop through the Python module):
// Optimizer(Adam, Cayley) with one Stiefel(N=49, n=7) parameter (the transformer's
// projection matrices, St(7, 49)), a fixed Euclidean gradient G, and `steps` calls of
// optimizer.step({G}). Prints the median over batches of the time per step in µs.
// Not a test. Usage: OPENBLAS_NUM_THREADS=1 step_overhead [N n] [batches] [steps per batch]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "homopt/homopt.hpp"

int main(int argc, char** argv) {
  const homopt::uword N = argc > 2 ? std::strtoull(argv[1], nullptr, 10) : 49;
  const homopt::uword n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 7;
  const int batches = argc > 3 ? std::atoi(argv[3]) : 21;
  const int steps = argc > 4 ? std::atoi(argv[4]) : 2000;

  const homopt::Stiefel manifold(N, n);
  homopt::Optimizer optimizer(homopt::Adam(1e-3), homopt::Retraction::cayley);
  optimizer.add(manifold, manifold.random_point(1));
  // Small fixed gradient: the point moves slowly, so every step does the same work.
  const std::vector<homopt::Mat> gradients{1e-3 * homopt::standard_normal_matrix(N, n, 2)};
  for (int k = 0; k < steps; ++k) optimizer.step(gradients);  // warm-up

  std::vector<double> per_step;
  for (int b = 0; b < batches; ++b) {
    const auto start = std::chrono::steady_clock::now();
    for (int k = 0; k < steps; ++k) optimizer.step(gradients);
    const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    per_step.push_back(elapsed.count() / steps);
  }
  std::sort(per_step.begin(), per_step.end());
  std::printf("C++ Optimizer::step, Adam + Cayley, Stiefel(N=%llu, n=%llu): median %.3f us/step "
              "(min %.3f, max %.3f; %d batches x %d steps)\n",
              static_cast<unsigned long long>(N), static_cast<unsigned long long>(n), per_step[per_step.size() / 2],
              per_step.front(), per_step.back(), batches, steps);
  return manifold.check(optimizer.value(0)) < 1e-12 ? 0 : 1;
}
