// Optimization on SymplecticStiefel / SymplecticGrassmann with the unchanged Optimizer:
// the symplectic eigenvalue problem (Williamson), symplectic subspace fitting, a long run,
// divergence handling, and a hidden step-time benchmark.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <iostream>

#include "homopt/homopt.hpp"
#include "symplectic_section.hpp"
#include "test_helpers.hpp"

using namespace homopt;

namespace {

Mat J(uword k) { return detail::symplectic_unit(k); }

/// M = AᵀA/(2N) + I/2 (SPD, 2N×2N) from a seeded standard normal A.
Mat symmetric_positive_definite(uword N, std::uint64_t seed) {
  const Mat A = standard_normal_matrix(2 * N, 2 * N, seed);
  return A.t() * A / (2.0 * N) + 0.5 * arma::eye(2 * N, 2 * N);
}

/// 2·(sum of the k smallest symplectic eigenvalues of M) = sum of the 2k smallest moduli of
/// the eigenvalues ±i·d_j of JM (Williamson).
real williamson_minimum(const Mat& M, uword k) {
  const Vec moduli = arma::sort(arma::abs(arma::eig_gen(J(M.n_rows / 2) * M)));
  return arma::accu(moduli.head(2 * k));
}

/// Runs `steps` steps on f(U) = tr(UᵀMU) (G = 2MU); returns the largest ‖UᵀJU − J‖_F seen.
real run_trace_problem(Optimizer& optimizer, const Manifold& manifold, const Mat& M, int steps) {
  real largest_residual = 0;
  for (int t = 0; t < steps; ++t) {
    optimizer.step({2 * M * optimizer.value(0)});
    largest_residual = std::max(largest_residual, manifold.check(optimizer.value(0)));
  }
  return largest_residual;
}

real trace_value(const Mat& U, const Mat& M) { return arma::trace(U.t() * M * U); }

/// The symplectic projector P_U = U J_{2k}ᵀ Uᵀ J_{2N} onto span(U).
Mat symplectic_projector(const Mat& U) {
  return U * J(U.n_cols / 2).t() * U.t() * J(U.n_rows / 2);
}

/// f(U) = ‖D − P_U D‖²_F and its Euclidean gradient
/// ∇f = −2(R DᵀJᵀ U J_k + J D Rᵀ U J_kᵀ), R = D − P_U D.
struct SubspaceFit {
  Mat D;
  real value(const Mat& U) const { return arma::accu(arma::square(D - symplectic_projector(U) * D)); }
  Mat gradient(const Mat& U) const {
    const Mat R = D - symplectic_projector(U) * D;
    const Mat JN = J(U.n_rows / 2), Jk = J(U.n_cols / 2);
    return -2 * (R * D.t() * JN.t() * U * Jk + JN * D * R.t() * U * Jk.t());
  }
};

}  // namespace

TEST_CASE("symplectic eigenvalue problem: Adam reaches the Williamson minimum", "[symplectic]") {
  // SpSt(2k, 2n) with n = 10, k = 2, i.e. SymplecticStiefel(N = 10, n = 2), on 5 instances
  // (M and the start drawn from the seed). What each method guarantees, and is asserted:
  // - constant-rate Adam moves every coordinate by up to ≈ lr per step however small the
  //   gradient (m̂/√v̂ is scale-free), so it hovers around the minimizer at a distance ‖d‖ up
  //   to ≈ lr·√dim, a relative gap up to ≈ lr²·dim·‖M‖/f* (≈ 1e-2 here): the gap is asserted
  //   to stay within the band 1e-2 over the last 1000 steps (measured from 2e-15 to 2.7e-4
  //   depending on the instance and the BLAS kernel — the level is not a property of Adam);
  // - Adam with a rate decaying to 1e-6 settles: by the same estimate its gap is ≲ 1e-10;
  //   asserted to 1e-9 relative (measured ≤ 1.1e-13).
  // Every point keeps the constraint: ‖UᵀJU − J‖_F ≤ 1e-10 (the manifold's tolerance).
  const uword N = 10, n = 2;
  const SymplecticStiefel manifold(N, n);
  const real constant_lr = 1e-2;
  for (std::uint64_t seed : {5, 11, 12, 13, 14}) {
    const Mat M = symmetric_positive_definite(N, seed);
    const real minimum = williamson_minimum(M, n);
    struct Case {
      std::unique_ptr<Method> method;
      Retraction retraction;
      int steps;
      real band;  // asserted bound on the relative gap over the last `observed` steps
      int observed;
    };
    std::vector<Case> cases;
    cases.push_back({std::make_unique<Adam>(constant_lr, 0.9, 0.999, 1e-12), Retraction::cayley, 5000,
                     constant_lr, 1000});
    cases.push_back({std::make_unique<AdamWithDecay>(4000, 1e-2, 1e-6), Retraction::cayley, 4000, 1e-9, 1});
    cases.push_back({std::make_unique<AdamWithDecay>(4000, 1e-2, 1e-6), Retraction::geodesic, 4000, 1e-9, 1});
    for (const Case& c : cases) {
      Optimizer optimizer(*c.method, c.retraction);
      optimizer.add(manifold, manifold.random_point(seed));
      const real largest_residual = run_trace_problem(optimizer, manifold, M, c.steps - c.observed);
      real largest_gap = 0, smallest_gap = arma::datum::inf, largest_late_residual = 0;
      for (int t = 0; t < c.observed; ++t) {
        optimizer.step({2 * M * optimizer.value(0)});
        largest_late_residual = std::max(largest_late_residual, manifold.check(optimizer.value(0)));
        const real gap = (trace_value(optimizer.value(0), M) - minimum) / minimum;
        largest_gap = std::max(largest_gap, gap);
        smallest_gap = std::min(smallest_gap, gap);
      }
      const std::string label = "Williamson " + c.method->name() + " " + to_string(c.retraction);
      INFO(c.method->description() << ", " << to_string(c.retraction) << ", seed " << seed);
      test::check_within(label + " residual", std::max(largest_residual, largest_late_residual), 1e-10);
      test::check_within(label + " relative gap", largest_gap, c.band);
      // No point of SpSt goes below the minimum (Williamson): a sanity bound on the reference,
      // whose eigenvalues are accurate to a few ulps of ‖JM‖.
      CHECK(smallest_gap > -1e-12);
      std::cout << "[symplectic eigenvalue problem] seed " << seed << ", " << c.method->name() << " + "
                << to_string(c.retraction) << ", " << c.steps << " steps: largest relative gap over the last "
                << c.observed << " steps " << largest_gap << ", max ‖UᵀJU − J‖_F "
                << std::max(largest_residual, largest_late_residual) << "\n";
    }
  }
}

TEST_CASE("symplectic eigenvalue problem: Momentum, Gradient and BFGS work unchanged", "[symplectic]") {
  // Exact methods at a fixed rate converge to the minimizer itself (no hovering): a tight
  // relative tolerance, on 5 instances.
  //
  // BFGS has no line search, so its rate follows a rule from the problem's scale: lr = 0.25/‖∇²f‖
  // with ∇²f = 2M the Euclidean Hessian of tr(UᵀMU), i.e. lr = 0.125/‖M‖ (0.058 … 0.070 on these
  // instances). Steps until the relative gap stays ≤ 1e-10: 362, 307, 288, 372, 339 (instances 5,
  // 11, 12, 13, 14), the same on OpenBLAS's Haswell, Sandybridge and Prescott kernels; 1000 steps
  // are run (2.7× the worst). The documented 0.5/‖∇²f‖ is too large on this non-compact manifold:
  // it diverges on instances 11 and 13 (relative gaps 6e2, 1e2 after 2000 steps), as the former
  // lr = 0.1 did on 11, 13 and 14. What is asserted is these 5 instances, not every instance: with
  // the same rule, instances 4, 8 and 15 (of 15 further ones, 1 … 20) diverge, and even
  // 0.1/‖∇²f‖ diverges on instance 4 — a fixed rate without a line search has no rate that is safe
  // from every start on SpSt.
  const uword N = 10, n = 2;
  const SymplecticStiefel manifold(N, n);
  using MethodFor = std::function<std::unique_ptr<Method>(const Mat& M)>;
  std::vector<std::pair<MethodFor, int>> cases;
  cases.emplace_back([](const Mat&) { return std::make_unique<Momentum>(1e-2, 0.9); }, 3000);
  cases.emplace_back([](const Mat&) { return std::make_unique<Gradient>(3e-2); }, 3000);
  cases.emplace_back([](const Mat& M) { return std::make_unique<BFGS>(0.25 / (2 * arma::norm(M, 2))); }, 1000);
  for (std::uint64_t seed : {5, 11, 12, 13, 14}) {
    const Mat M = symmetric_positive_definite(N, seed);
    const real minimum = williamson_minimum(M, n);
    for (const auto& [method_for, steps] : cases) {
      const std::unique_ptr<Method> method = method_for(M);
      Optimizer optimizer(*method, Retraction::cayley);
      optimizer.add(manifold, manifold.random_point(seed));
      const real largest_residual = run_trace_problem(optimizer, manifold, M, steps);
      INFO(method->description() << ", seed " << seed);
      const std::string label = "Williamson " + method->name();
      test::check_within(label + " residual", largest_residual, 1e-10);
      test::check_within(label + " relative gap", std::abs(trace_value(optimizer.value(0), M) - minimum) / minimum,
                         1e-10);
    }
  }
}

TEST_CASE("symplectic Grassmann: fitting span(U*) by the symplectic projector", "[symplectic]") {
  const uword N = 10, n = 2;
  const SymplecticGrassmann manifold(N, n);
  // Start at E; target U* = a random Cayley step from E (‖U*‖²_F ≈ 10.9); D = U*C, C 4×6.
  Mat E(2 * N, 2 * n, arma::fill::zeros);
  for (uword i = 0; i < n; ++i) E(i, i) = E(N + i, n + i) = 1;
  const Vec target_velocity = 0.5 * Vec(standard_normal_matrix(manifold.dimension(), 1, 3));
  const Mat target = manifold.section(E)->retracted(target_velocity, Retraction::cayley)->point();
  const SubspaceFit fit{target * standard_normal_matrix(2 * n, 6, 81)};
  REQUIRE(fit.value(target) < 1e-20);
  REQUIRE(fit.value(E) > 1);

  // The Euclidean gradient of the test objective against central differences.
  const Mat probe = manifold.random_point(4), direction = standard_normal_matrix(2 * N, 2 * n, 5);
  const real h = 1e-6;
  const real numeric = (fit.value(probe + h * direction) - fit.value(probe - h * direction)) / (2 * h);
  CHECK(arma::accu(fit.gradient(probe) % direction) == Approx(numeric).epsilon(1e-6));
  // Invariance under U → US, S ∈ Sp(2n): the value of a point, not of a basis.
  const Mat S = detail::dense_retraction_factor(Vec(standard_normal_matrix(2 * n * n + n, 1, 6)), n, n,
                                                true, Retraction::cayley);
  CHECK(fit.value(probe * S) == Approx(fit.value(probe)).epsilon(1e-10));

  // The fit from E on 5 targets a Cayley step 0.3·(normal coordinates) away (a local method
  // converges from a neighbourhood: at 0.5, 2 of these 5 targets lie outside the basin and
  // the fit stalls at f/‖D‖² ≈ 6e-3). AdamWithDecay settles, so f ≤ 1e-10·‖D‖²_F is asserted
  // (measured ≤ 3.2e-16 over 8 targets). Near the target f ≈ ‖(P_U − P_U*)D‖²_F, so the
  // projector error is of the order √f/σ_min(D) — a consequence of the reached f, not a fixed
  // number (4.4e-8 on one kernel, 2e-9 on another for one instance): asserted as
  // ‖P_U − P_U*‖_F/‖P_U*‖_F ≤ 4·√f/σ_min(D) + 1e-12 (measured ratio ≤ 0.38).
  for (std::uint64_t seed : {3, 13, 23, 33, 43}) {
    CAPTURE(seed);
    const Vec velocity = 0.3 * Vec(standard_normal_matrix(manifold.dimension(), 1, seed));
    const Mat instance_target = manifold.section(E)->retracted(velocity, Retraction::cayley)->point();
    const SubspaceFit instance{instance_target * standard_normal_matrix(2 * n, 6, 78 + seed)};
    Optimizer optimizer(AdamWithDecay(6000, 1e-2, 1e-7), Retraction::cayley);
    optimizer.add(manifold, E);
    real largest_residual = 0;
    for (int t = 0; t < 6000; ++t) {
      optimizer.step({instance.gradient(optimizer.value(0))});
      largest_residual = std::max(largest_residual, manifold.check(optimizer.value(0)));
    }
    const real scale = arma::accu(arma::square(instance.D));
    const real reached_value = instance.value(optimizer.value(0));
    const Mat reached = symplectic_projector(optimizer.value(0)), expected = symplectic_projector(instance_target);
    const real projector_error = arma::norm(reached - expected, "fro") / arma::norm(expected, "fro");
    const Vec singular_values = arma::svd(instance.D);
    const real smallest_singular_value = singular_values(2 * n - 1);
    test::check_within("symplectic Grassmann fit residual", largest_residual, 1e-10);
    test::check_within("symplectic Grassmann fit f/‖D‖²", reached_value / scale, 1e-10);
    test::check_within("symplectic Grassmann fit projector error / (√f/σ_min)", projector_error,
                       4 * std::sqrt(reached_value) / smallest_singular_value + 1e-12);
    std::cout << "[symplectic Grassmann fit] seed " << seed << ": f/‖D‖² = " << reached_value / scale
              << ", ‖P_U − P_U*‖_F/‖P_U*‖_F = " << projector_error << " (√f/σ_min = "
              << std::sqrt(reached_value) / smallest_singular_value << "), max ‖UᵀJU − J‖_F " << largest_residual
              << "\n";
  }
}

TEST_CASE("long run: 10^4 Cayley steps keep SymplecticStiefel symplectic", "[symplectic]") {
  // Adam on tr(UᵀMU) with standard normal noise added to every gradient: the point keeps
  // moving for all 10⁴ steps.
  const uword N = 16, n = 3, m = N - n;
  const SymplecticStiefel manifold(N, n);
  const Mat M = symmetric_positive_definite(N, 7);
  Optimizer optimizer(Adam(1e-2), Retraction::cayley);
  optimizer.add(manifold, manifold.random_point(7));
  real largest_residual = 0, largest_excess = 0;
  for (std::uint64_t t = 0; t < 10000; ++t) {
    const Mat& U = optimizer.value(0);
    optimizer.step({2 * M * U + standard_normal_matrix(2 * N, 2 * n, 1000 + t)});
    largest_residual = std::max(largest_residual, manifold.check(optimizer.value(0)));
    // The re-completion rule keeps ‖Ū‖²_F ≤ 2·(2m + ‖U‖²_F) after every step.
    const std::vector<Mat> state = optimizer.section(0).state();
    const real bound = 2.0 * m + arma::accu(arma::square(state[0]));
    largest_excess = std::max(largest_excess, arma::accu(arma::square(state[1])) / bound);
  }
  CHECK(largest_residual < 1e-10);
  CHECK(largest_excess <= detail::recondition_factor);
  const Mat lambda = optimizer.section(0).group_element();
  CHECK(arma::norm(lambda.t() * J(N) * lambda - J(N), "fro") < 1e-12);
  std::cout << "[symplectic long run] max ‖UᵀJU − J‖_F over 10^4 steps: " << largest_residual
            << ", final ‖λᵀJλ − J‖_F: " << arma::norm(lambda.t() * J(N) * lambda - J(N), "fro")
            << ", max ‖Ū‖²/(2m + ‖U‖²): " << largest_excess << ", cond(λ): " << arma::cond(lambda)
            << "\n";
}

TEST_CASE("symplectic: a diverging method is stopped with an error, not garbage", "[symplectic]") {
  // Gradient descent with far too large a rate on tr(UᵀMU) blows U up; once symplecticity
  // cannot be restored the step throws InvalidArgument("velocity") and changes nothing.
  const uword N = 10, n = 2;
  const SymplecticStiefel manifold(N, n);
  const Mat M = symmetric_positive_definite(N, 5);
  Optimizer optimizer(Gradient(1.0), Retraction::cayley);
  optimizer.add(manifold, manifold.random_point(5));
  std::string argument = "<no error>";
  for (int t = 0; t < 2000 && argument == "<no error>"; ++t) {
    const Mat before = optimizer.value(0);
    try {
      optimizer.step({2 * M * before});
    } catch (const InvalidArgument& error) {
      argument = error.argument();
      CHECK(arma::approx_equal(optimizer.value(0), before, "absdiff", 0.0));
    }
    CHECK(manifold.check(optimizer.value(0)) <= manifold.tolerance());
  }
  CHECK(argument == "velocity");
}

TEST_CASE("symplectic step time (Adam + Cayley)", "[.benchmark]") {
  // Not a test: prints the time per Optimizer::step (gradient evaluation excluded) for
  // SpSt(4, 64) and SpSt(16, 256) on tr(UᵀMU), where the point stays bounded.
  for (auto [N, n] : {std::pair<uword, uword>{32, 2}, std::pair<uword, uword>{128, 8}}) {
    const SymplecticStiefel manifold(N, n);
    const Mat M = symmetric_positive_definite(N, 1);
    Optimizer optimizer(Adam(1e-3), Retraction::cayley);
    optimizer.add(manifold, manifold.random_point(1));
    const int steps = N > 64 ? 2000 : 10000;
    double seconds = 0;
    real largest_residual = 0;
    for (int t = 0; t < steps + 100; ++t) {
      const std::vector<Mat> gradient{2 * M * optimizer.value(0)};
      const auto start = std::chrono::steady_clock::now();
      optimizer.step(gradient);
      if (t >= 100) seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      largest_residual = std::max(largest_residual, manifold.check(optimizer.value(0)));
    }
    std::cout << manifold.description() << " = SpSt(" << 2 * n << ", " << 2 * N << "): "
              << 1e6 * seconds / steps << " µs per Adam+Cayley step (" << steps
              << " steps), max residual " << largest_residual << ", relative gap to the minimum "
              << (trace_value(optimizer.value(0), M) - williamson_minimum(M, n)) / williamson_minimum(M, n)
              << "\n";
  }
}
