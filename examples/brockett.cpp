// examples/brockett — a complete homopt program: minimize the Brockett cost
// f(Y) = tr(YᵀBYD) on the Stiefel manifold St(4, 20) with B = diag(1, …, 20) and
// D = diag(1, 2, 3, 4), whose minimum is 4·1 + 3·2 + 2·3 + 1·4 = 20, with homopt::minimize
// (AdamWithDecay in the global tangent space), printing progress every 50 steps. The same
// problem is solved by brockett.py, brockett.R, brockett.jl and brockett_ccall.jl; each
// exits non-zero unless it reaches the minimum (ctest entries examples/*).
#include <cmath>
#include <cstdio>

#include "homopt/homopt.hpp"

int main() {
  using namespace homopt;
  try {
    const Mat B = arma::diagmat(arma::linspace<Vec>(1, 20, 20));
    const Mat D = arma::diagmat(Vec{1, 2, 3, 4});
    const Stiefel stiefel(20, 4);
    Optimizer optimizer(AdamWithDecay(/*decay_steps=*/1000, /*lr_start=*/0.05, /*lr_end=*/1e-4), Retraction::cayley);
    optimizer.add(stiefel, stiefel.random_point(42));

    MinimizeOptions options;
    options.rules.max_iterations = 3000;
    options.rules.gradient_tolerance = 1e-8;  // ‖lifted gradient‖₂
    options.callback = [](std::uint64_t k, real f, const std::vector<Mat>&) {
      if (k % 50 == 0) std::printf("step %4llu  f = %.12f\n", static_cast<unsigned long long>(k), f);
      return false;  // true would stop the run
    };
    const MinimizeResult result = minimize(
        [&](const std::vector<Mat>& Y) { return arma::trace(Y[0].t() * B * Y[0] * D); },
        [&](const std::vector<Mat>& Y) { return std::vector<Mat>{2 * B * Y[0] * D}; },  // ∂f/∂Y
        optimizer, options);

    const real residual = stiefel.check(result.points[0]);
    std::printf("f = %.15g after %llu steps (%s), ||Y'Y - I||_F = %.1e\n", result.value,
                static_cast<unsigned long long>(result.iterations), result.message.c_str(), residual);
    return converged(result.reason) && std::abs(result.value - 20) < 1e-9 && residual < 1e-12 ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "brockett: %s\n", error.what());
    return 2;
  }
}
