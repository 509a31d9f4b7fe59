// A program of a homopt user, built against an installed homopt (tests/install/run-consumers):
// the Brockett cost f(Y) = tr(YᵀBYD) on St(4, 20), B with eigenvalues 1, …, 20 and
// D = diag(1, …, 4), whose minimum over St(4, 20) is Σᵢ i·λ₅₋ᵢ = 1·4 + 2·3 + 3·2 + 4·1 = 20.
// From 5 starting points, AdamWithDecay(2000, 0.1 → 1e-5) with the Cayley retraction must come
// within 1e-8 (relative) of that minimum within the step budget, staying on the manifold
// (‖YᵀY − I‖_F ≤ 1e-13). The library's version must be the one given as argument 1.
//
// Usage: consumer VERSION   (exit status 0 on success, 1 on a failed check, 2 on an exception)
#include <cstdio>
#include <cstring>

#include <homopt/homopt.hpp>

int main(int argc, char** argv) {
  using namespace homopt;
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer VERSION\n");
    return 2;
  }
  try {
    bool ok = std::strcmp(version(), argv[1]) == 0;
    std::printf("homopt version %s (expected %s)\n", version(), argv[1]);

    const uword N = 20, p = 4;
    const Stiefel manifold(N, p);
    const Mat Q = orthonormal_factor(standard_normal_matrix(N, N, 61), "Q");
    const Mat B = Q * arma::diagmat(arma::linspace<Vec>(1, N, N)) * Q.t();
    const Mat D = arma::diagmat(arma::linspace<Vec>(1, p, p));
    const real optimum = 20;
    const int budget = 400;  // most steps measured over the 5 starts: see docs/install.md
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      Optimizer optimizer(AdamWithDecay(2000, 0.1, 1e-5), Retraction::cayley);
      optimizer.add(manifold, manifold.random_point(seed));
      int steps = -1;
      for (int t = 1; t <= budget && steps < 0; ++t) {
        optimizer.step({2 * B * optimizer.value(0) * D});  // Euclidean gradient of tr(YᵀBYD)
        const Mat& Y = optimizer.value(0);
        if ((arma::trace(Y.t() * B * Y * D) - optimum) / optimum <= 1e-8) steps = t;
      }
      const real residual = manifold.check(optimizer.value(0));
      std::printf("start %d: relative gap <= 1e-8 after %d steps (budget %d), ||Y'Y - I||_F = %.1e\n",
                  static_cast<int>(seed), steps, budget, residual);
      ok = ok && steps > 0 && residual <= 1e-13;
    }
    std::printf("%s\n", ok ? "consumer: OK" : "consumer: FAILED");
    return ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "consumer: %s\n", error.what());
    return 2;
  }
}
