// Long-run accuracy of the section λ = [Y, Ȳ] ∈ O(N) (core/src/section_drift.hpp): drift of
// the whole of λ, not only of Y, is found by the sampled check and repaired by Newton–Schulz
// steps that move Y and Ȳ only by O(drift) and keep span(Y).
#include <catch2/catch.hpp>

#include <memory>

#include "homopt/homopt.hpp"
#include "orthogonal_section.hpp"
#include "reference_problem.hpp"
#include "section_drift.hpp"

using namespace homopt;

namespace {

/// ‖MᵀM − I‖_F.
real gram_residual(const Mat& M) {
  Mat gram = M.t() * M;
  gram.diag() -= 1.0;
  return arma::norm(gram, "fro");
}

/// Orthogonal projector onto span(Y) for a (nearly) orthonormal Y: Y(YᵀY)⁻¹Yᵀ.
Mat span_projector(const Mat& Y) { return Y * arma::inv_sympd(Y.t() * Y) * Y.t(); }

/// The exact section λ₀ = [Y, Ȳ] of random_point(seed), perturbed to λ₀(I + S) with S a
/// standard normal matrix scaled to ‖S‖_F = size. With `complement_only`, S is nonzero only
/// in its bottom-right (N−n)×(N−n) block: Ȳ ← Ȳ(I + S₂₂), so Y and YᵀȲ stay exact and only
/// ȲᵀȲ − I drifts (the part of the drift a check of YᵀY alone never sees).
std::unique_ptr<detail::OrthogonalSection> perturbed_section(const OrthonormalFrames& manifold, bool with_skew_block,
                                                             std::uint64_t seed, real size, bool complement_only) {
  const uword N = manifold.N(), n = manifold.n();
  const Mat lambda = manifold.section(manifold.random_point(seed))->group_element();
  Mat S = standard_normal_matrix(N, N, seed + 1000);
  if (complement_only) {
    S.cols(0, n - 1).zeros();
    S.rows(0, n - 1).zeros();
  }
  S *= size / arma::norm(S, "fro");
  const Mat perturbed = lambda + lambda * S;
  return std::make_unique<detail::OrthogonalSection>(perturbed.cols(0, n - 1), perturbed.cols(n, N - 1),
                                                     with_skew_block);
}

}  // namespace

TEST_CASE("section drift: a perturbed section is repaired at once, by O(drift), keeping span(Y)", "[section-drift]") {
  const Stiefel stiefel(49, 7);
  const Grassmann grassmann(49, 7);
  const detail::SectionDriftCheck rule(49, 7);
  for (const OrthonormalFrames* manifold : {static_cast<const OrthonormalFrames*>(&stiefel),
                                            static_cast<const OrthonormalFrames*>(&grassmann)}) {
    const bool with_skew_block = manifold == &stiefel;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      for (const real size : {2e-12, 4e-11}) {
        const auto drifted = perturbed_section(*manifold, with_skew_block, seed, size, false);
        const real drift = gram_residual(drifted->group_element());
        // ‖YᵀY − I‖_F above the per-step threshold 1e-13 (and below the 1e-10 at which a step
        // is refused as off the manifold): the repair must run in this very step.
        REQUIRE(gram_residual(drifted->point()) > OrthonormalFrames::reorthonormalize_threshold);
        const auto repaired = drifted->retracted(Vec(manifold->dimension(), arma::fill::zeros), Retraction::cayley);
        const auto& section = dynamic_cast<const detail::OrthogonalSection&>(*repaired);
        INFO(manifold->description() << " seed " << seed << " perturbation " << size << " drift " << drift);
        // Whole section back to the rounding floor (≈ 8e-16·√N), below the repair threshold.
        CHECK(gram_residual(section.group_element()) <= rule.repair_threshold());
        // Y and Ȳ move by at most the O(drift) the repair requires: ‖YE/2‖ ≤ ‖E‖/2 and
        // ‖YC + ȲF/2‖ ≤ ‖C‖ + ‖F‖/2 ≤ 1.21·drift (‖E‖² + 2‖C‖² + ‖F‖² = drift²), plus rounding.
        CHECK(arma::norm(section.point() - drifted->point(), "fro") <= 0.5 * drift + 1e-14);
        CHECK(arma::norm(section.complement() - drifted->complement(), "fro") <= 1.25 * drift + 1e-14);
        // span(Y) (the Grassmann point) is unchanged up to rounding, however large the drift.
        CHECK(arma::norm(span_projector(section.point()) - span_projector(drifted->point()), "fro") <= 1e-14);
      }
    }
  }
}

TEST_CASE("section drift: drift of the complement alone is found by the sampled check and repaired", "[section-drift]") {
  // Y exactly orthonormal and orthogonal to Ȳ, ‖ȲᵀȲ − I‖_F ≈ 1.4e-12: the per-step check of
  // ‖YᵀY − I‖ cannot see it. λ ← λR turns the drift G = λᵀλ − I into RᵀGR, so only a large
  // total rotation would mix F into YᵀY − I; with steps of 1e-4 (a run near a minimum, as in
  // bench/long_run_accuracy) it stays in Ȳ, and the sampled full check (rate 1/period) must
  // find and repair it.
  const Stiefel stiefel(49, 7);
  const Grassmann grassmann(49, 7);
  const detail::SectionDriftCheck rule(49, 7);
  for (const OrthonormalFrames* manifold : {static_cast<const OrthonormalFrames*>(&stiefel),
                                            static_cast<const OrthonormalFrames*>(&grassmann)}) {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      std::unique_ptr<Section> section = perturbed_section(*manifold, manifold == &stiefel, seed, 1e-12, true);
      REQUIRE(gram_residual(section->point()) < 1e-14);
      REQUIRE(arma::abs(section->point().t() * dynamic_cast<const detail::OrthogonalSection&>(*section).complement()).max() < 1e-14);
      REQUIRE(gram_residual(section->group_element()) > 1e-12);
      const Mat directions = standard_normal_matrix(manifold->dimension(), 16, seed + 77);
      // A repair is missed for 30 periods with probability e⁻³⁰.
      const std::uint64_t steps = 30 * rule.period();
      std::uint64_t repaired_at = 0;
      for (std::uint64_t step = 1; step <= steps && repaired_at == 0; ++step) {
        Vec velocity = directions.col(step % 16);
        velocity *= 1e-4 / arma::norm(velocity);
        section = section->retracted(velocity, step % 2 ? Retraction::cayley : Retraction::geodesic);
        if (gram_residual(section->group_element()) <= rule.repair_threshold()) repaired_at = step;
      }
      const real final_residual = gram_residual(section->group_element());
      INFO(manifold->description() << " seed " << seed << " repaired after " << repaired_at
                                   << " steps, final ||λᵀλ − I||_F = " << final_residual);
      CHECK(repaired_at > 0);
      CHECK(final_residual <= 1e-13);
    }
  }
}

TEST_CASE("section drift: the full check runs on about 1 in period steps", "[section-drift]") {
  // Amortized cost: one check (≈ a step at (49, 7)) per `period` steps on average.
  const Stiefel manifold(49, 7);
  const detail::SectionDriftCheck rule(49, 7);
  std::unique_ptr<Section> section = manifold.section(manifold.random_point(3));
  const Mat directions = standard_normal_matrix(manifold.dimension(), 16, 4);
  auto& statistics = detail::section_drift_statistics();
  const std::uint64_t checks_before = statistics.full_checks;
  const std::uint64_t steps = 100 * rule.period();
  for (std::uint64_t step = 1; step <= steps; ++step) {
    Vec velocity = directions.col(step % 16);
    velocity *= 1e-2 / arma::norm(velocity);
    section = section->retracted(velocity, Retraction::cayley);
  }
  // Expected 100 checks (Poisson, σ = 10) plus at most a few repair re-checks: ±50 is > 4σ.
  const auto checks = statistics.full_checks - checks_before;
  INFO("full checks in " << steps << " steps: " << checks << ", period " << rule.period());
  CHECK(checks >= 50);
  CHECK(checks <= 150);
}

TEST_CASE("section drift: the 20-step reference run makes no repair", "[section-drift][reference]") {
  // The cross-language reference trajectory (tests/data/reference_trajectory.txt, compared to
  // 1e-12 by every binding) must not depend on where a repair falls.
  auto& statistics = detail::section_drift_statistics();
  const std::uint64_t repairs_before = statistics.repairs, householder_before = statistics.householder_repairs;
  const std::vector<Mat> iterates = reference::trajectory();
  CHECK(statistics.repairs == repairs_before);
  CHECK(statistics.householder_repairs == householder_before);
  CHECK(gram_residual(iterates.back()) <= 1e-14);
}
