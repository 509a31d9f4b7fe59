// SectionPolicy::redraw (types.hpp): after every step the complement Ȳ of a Stiefel or
// Grassmann section is a fresh random orthonormal basis of span(Y)^⊥, drawn from a seed
// derived from (redraw seed, t, i), drawn as the transported complement times a Haar-random
// rotation; the point moves as under transport whenever the method
// is equivariant under a change of that basis (plain gradient descent), checkpoints keep
// the policy (format 2), and manifolds without a complement are refused.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <utility>

#include "homopt/checkpoint.hpp"
#include "homopt/homopt.hpp"
#include "orthogonal_section.hpp"

using namespace homopt;

namespace {

/// ‖λᵀλ − I‖_F for λ = [Y, Ȳ].
real section_defect(const Section& section) {
  const Mat lambda = section.group_element();
  return arma::norm(lambda.t() * lambda - arma::eye(lambda.n_cols, lambda.n_cols), "fro");
}

}  // namespace

TEST_CASE("section policy: a redraw is the transported complement times the prescribed Haar rotation",
          "[section-policy]") {
  // One step of a section two ways: transported (prepare, commit), and redrawn (prepare,
  // redraw_pending_complement(seed), commit). Same point bit for bit; the complements differ
  // by Q = orthonormal_factor(standard_normal_matrix(m, m, seed)).
  for (std::uint64_t seed : {1u, 2u, 3u})
    for (auto [N, n] : {std::pair<uword, uword>{49, 7}, {90, 6}}) {  // small kernels and BLAS
      Stiefel stiefel(N, n);
      const auto section = detail::OrthogonalSection::complete(stiefel.random_point(seed), true);
      const Vec velocity = 0.1 * arma::normalise(Vec(standard_normal_matrix(stiefel.dimension(), 1, seed + 7)));
      detail::OrthogonalSection transported(*section), redrawn(*section);
      REQUIRE(transported.prepare_retraction(velocity, Retraction::cayley));
      transported.commit_retraction();
      REQUIRE(redrawn.prepare_retraction(velocity, Retraction::cayley));
      redrawn.redraw_pending_complement(seed + 100);
      redrawn.commit_retraction();
      CHECK(arma::approx_equal(redrawn.point(), transported.point(), "absdiff", 0.0));
      const Mat rotation = orthonormal_factor(standard_normal_matrix(N - n, N - n, seed + 100), "Z");
      CHECK(arma::norm(redrawn.complement() - transported.complement() * rotation, "inf") < 1e-13);
      CHECK(arma::norm(redrawn.complement() - transported.complement(), "fro") > 1);
    }
  detail::OrthogonalSection idle(*detail::OrthogonalSection::complete(Stiefel(5, 2).random_point(1), true));
  CHECK_THROWS_AS(idle.redraw_pending_complement(1), std::logic_error);  // no step pending
}

TEST_CASE("section policy: hundreds of redraws keep λ orthogonal to rounding", "[section-policy]") {
  // A square standard normal matrix is often ill-conditioned (κ of 10³–10⁵ is common): a
  // redraw that took the Q factor of the projected N×(N−n) normal matrix left span(Y)^⊥ by
  // ε·κ and failed this within a few hundred draws.
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    Stiefel stiefel(49, 7);      // small-size kernels
    Grassmann grassmann(90, 6);  // BLAS path
    Optimizer optimizer(Adam(0.02), Retraction::cayley, SectionPolicy::redraw, 100 + seed);
    optimizer.add(stiefel, stiefel.random_point(seed));
    optimizer.add(grassmann, grassmann.random_point(seed + 10));
    real worst = 0;
    for (std::uint64_t t = 1; t <= 150; ++t) {
      optimizer.step({standard_normal_matrix(49, 7, 1000 * seed + t), standard_normal_matrix(90, 6, 2000 * seed + t)});
      for (std::size_t i = 0; i < 2; ++i) {
        const real bound = 100 * std::numeric_limits<real>::epsilon() * real(optimizer.value(i).n_rows);
        worst = std::max(worst, section_defect(optimizer.section(i)) / bound);
      }
    }
    // ≤ 1: what a loaded section must meet (orthogonal_section_state_tolerance, 100·ε·N)
    CHECK(worst <= 1);
    // and the saved state loads
    CHECK_NOTHROW(Optimizer::from_bytes(optimizer.to_bytes()));
  }
}

TEST_CASE("section policy: gradient descent moves the points as under transport", "[section-policy]") {
  // With B = ȲᵀG and V = [[A, −Bᵀ], [B, 0]], a basis change Ȳ → ȲQ conjugates V by
  // diag(I, Q) and leaves λ·Retr(V)·E unchanged: the point of a gradient step does not
  // depend on the complement. So redraw and transport give the same points (to rounding)
  // while their complements differ.
  for (std::uint64_t seed : {1u, 2u, 3u})
    for (Retraction retraction : {Retraction::cayley, Retraction::geodesic}) {
      Stiefel stiefel(30, 4);
      Grassmann grassmann(70, 5);
      Optimizer transport(Gradient(0.05), retraction);
      Optimizer redraw(Gradient(0.05), retraction, SectionPolicy::redraw, seed);
      for (Optimizer* optimizer : {&transport, &redraw}) {
        optimizer->add(stiefel, stiefel.random_point(seed));
        optimizer->add(grassmann, grassmann.random_point(seed + 5));
      }
      // Gradients of tr(YᵀCᵢY)/2 with fixed symmetric Cᵢ, at each optimizer's own points: the
      // points feed back into the gradients, so any difference would grow.
      const auto trace_gradients = [](const Optimizer& optimizer) {
        std::vector<Mat> gradients;
        for (std::size_t i = 0; i < optimizer.size(); ++i) {
          const Mat& Y = optimizer.value(i);
          const Mat C = standard_normal_matrix(Y.n_rows, Y.n_rows, 50 + i);
          gradients.push_back(0.5 * (C + C.t()) * Y);
        }
        return gradients;
      };
      for (std::uint64_t t = 1; t <= 20; ++t) {
        transport.step(trace_gradients(transport));
        redraw.step(trace_gradients(redraw));
      }
      for (std::size_t i = 0; i < 2; ++i) {
        CHECK(arma::norm(redraw.value(i) - transport.value(i), "fro") < 1e-11);
        const Mat transported = transport.section(i).group_element(), redrawn = redraw.section(i).group_element();
        CHECK(arma::norm(redrawn - transported, "fro") > 0.1);
      }
    }
}

TEST_CASE("section policy: a redraw checkpoint is format 2 and continues the run exactly", "[section-policy]") {
  const auto folder = std::filesystem::temp_directory_path() / "homopt-section-policy";
  std::filesystem::create_directories(folder);
  const std::string path = (folder / "redraw.checkpoint").string();
  Stiefel stiefel(20, 3);
  Euclidean euclidean(4, 2);
  Optimizer straight(Adam(0.01), Retraction::geodesic, SectionPolicy::redraw, 77);
  straight.add(stiefel, stiefel.random_point(4));
  straight.add(euclidean, euclidean.random_point(5));
  const auto gradients = [](std::uint64_t t) {
    return std::vector<Mat>{standard_normal_matrix(20, 3, 300 + t), standard_normal_matrix(4, 2, 400 + t)};
  };
  for (std::uint64_t t = 1; t <= 4; ++t) straight.step(gradients(t));
  straight.save(path);
  const std::string bytes = straight.to_bytes();
  std::uint32_t version = 0;
  std::memcpy(&version, bytes.data() + 8, 4);
  CHECK(version == 2);
  Optimizer resumed = Optimizer::load(path);
  CHECK(resumed.section_policy() == SectionPolicy::redraw);
  CHECK(resumed.redraw_seed() == 77);
  for (std::uint64_t t = 5; t <= 8; ++t) {
    straight.step(gradients(t));
    resumed.step(gradients(t));
  }
  CHECK(resumed.to_bytes() == straight.to_bytes());

  // transport writes format 1, as before the policy existed
  Optimizer transport(Adam(0.01));
  transport.add(stiefel, stiefel.random_point(4));
  std::memcpy(&version, transport.to_bytes().data() + 8, 4);
  CHECK(version == 1);
  CHECK(Optimizer::from_bytes(transport.to_bytes()).section_policy() == SectionPolicy::transport);
  std::filesystem::remove_all(folder);
}

TEST_CASE("section policy: a corrupt policy in a format-2 checkpoint is a FileError", "[section-policy]") {
  Stiefel stiefel(6, 2);
  Optimizer optimizer(Gradient(0.1), Retraction::cayley, SectionPolicy::redraw, 1);
  optimizer.add(stiefel, stiefel.random_point(1));
  std::string payload = open_checkpoint(optimizer.to_bytes(), "test");
  const std::size_t at = payload.find("redraw");
  REQUIRE(at != std::string::npos);
  payload.replace(at, 6, "fresh!");
  CHECK_THROWS_AS(Optimizer::from_bytes(seal_checkpoint(payload, 2)), FileError);
  CHECK_THROWS_WITH(Optimizer::from_bytes(seal_checkpoint(payload, 2)), Catch::Contains("section policy"));
  // format 1 with the policy's bytes in it: trailing data
  CHECK_THROWS_AS(Optimizer::from_bytes(seal_checkpoint(open_checkpoint(optimizer.to_bytes(), "test"), 1)),
                  FileError);
}

TEST_CASE("section policy: redraw refuses a manifold without a complement, naming it", "[section-policy]") {
  Optimizer optimizer(Adam{}, Retraction::cayley, SectionPolicy::redraw, 1);
  SymplecticStiefel symplectic(6, 2);
  try {
    optimizer.add(symplectic, symplectic.random_point(1));
    FAIL("no exception");
  } catch (const InvalidArgument& error) {
    CHECK(error.argument() == "manifold");
  }
  CHECK(optimizer.size() == 0);
  // a Euclidean parameter has nothing to redraw: its steps are those of transport
  Euclidean euclidean(3, 3);
  Optimizer transport(Adam{});
  optimizer.add(euclidean, euclidean.random_point(2));
  transport.add(euclidean, euclidean.random_point(2));
  for (std::uint64_t t = 1; t <= 3; ++t) {
    optimizer.step({standard_normal_matrix(3, 3, t)});
    transport.step({standard_normal_matrix(3, 3, t)});
  }
  CHECK(arma::approx_equal(optimizer.value(0), transport.value(0), "absdiff", 0.0));
}

TEST_CASE("section policy: names parse both ways and a bad one names the argument", "[section-policy]") {
  for (SectionPolicy policy : {SectionPolicy::transport, SectionPolicy::redraw})
    CHECK(section_policy_from_string(to_string(policy)) == policy);
  try {
    section_policy_from_string("fresh", "--section");
    FAIL("no exception");
  } catch (const InvalidArgument& error) {
    CHECK(error.argument() == "--section");
    CHECK(std::string(error.what()).find("'transport' or 'redraw'") != std::string::npos);
  }
  CHECK_THROWS_WITH(retraction_from_string("exp"), Catch::Contains("'cayley' or 'geodesic'"));
}

TEST_CASE("section policy: a failed redraw step changes nothing", "[section-policy]") {
  Stiefel stiefel(12, 3);
  Optimizer optimizer(Adam(0.01), Retraction::cayley, SectionPolicy::redraw, 9);
  optimizer.add(stiefel, stiefel.random_point(1));
  optimizer.step({standard_normal_matrix(12, 3, 1)});
  const std::string before = optimizer.to_bytes();
  Mat bad = standard_normal_matrix(12, 3, 2);
  bad(0, 0) = std::numeric_limits<real>::quiet_NaN();
  CHECK_THROWS_AS(optimizer.step({bad}), InvalidArgument);
  CHECK(optimizer.to_bytes() == before);
}
