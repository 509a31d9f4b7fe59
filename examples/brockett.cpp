// examples/brockett — the smallest complete homopt program: minimise the Brockett cost
// f(Y) = tr(YᵀBYD) on the Stiefel manifold St(p, N) with Adam in the global tangent space,
// printing a progress line every 50 steps, and compare with the closed-form optimum
// Σᵢ i·λ_{p+1−i} (λ ascending eigenvalues of B, D = diag(1, …, p)).
//
// Usage: brockett [N p steps]   (defaults 20 4 600)
#include <cstdio>
#include <cstdlib>

#include "homopt/homopt.hpp"

int main(int argc, char** argv) {
  using namespace homopt;
  try {
    const uword N = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20;
    const uword p = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 4;
    const int steps = argc > 3 ? std::atoi(argv[3]) : 600;
    const Stiefel manifold(N, p);  // validates 1 ≤ p ≤ N

    // A symmetric B with eigenvalues 1, 2, …, N and the weights D = diag(1, …, p).
    const Mat Q = orthonormal_factor(standard_normal_matrix(N, N, 1), "Q");
    const Mat B = Q * arma::diagmat(arma::linspace<Vec>(1, N, N)) * Q.t();
    const Mat D = arma::diagmat(arma::linspace<Vec>(1, p, p));
    real optimum = 0;
    for (uword i = 1; i <= p; ++i) optimum += i * static_cast<real>(p + 1 - i);

    Optimizer optimizer(Adam(0.01), Retraction::cayley);
    optimizer.add(manifold, manifold.random_point(42));
    std::printf("Brockett cost on %s, Adam(lr=0.01) + Cayley; optimum %.10g\n", manifold.description().c_str(), optimum);
    for (int t = 1; t <= steps; ++t) {
      const Mat& Y = optimizer.value(0);
      optimizer.step({2 * B * Y * D});  // Euclidean gradient of tr(YᵀBYD)
      if (t % 50 == 0 || t == steps) {
        const Mat& Yt = optimizer.value(0);
        const real cost = arma::trace(Yt.t() * B * Yt * D);
        std::printf("step %4d  f = %.12f  relative gap %.2e  ||Y'Y - I||_F = %.1e\n", t, cost,
                    (cost - optimum) / optimum, manifold.check(Yt));
      }
    }
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "brockett: %s\n", error.what());
    return 2;
  }
}
