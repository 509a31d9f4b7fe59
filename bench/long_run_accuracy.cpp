// bench/long_run_accuracy — how orthonormal the section λ = [Y, Ȳ] stays over a long run.
// Not a test (it takes minutes); the figures are quoted in docs/reliability.md ("Long runs").
//
// Runs Adam on the Brockett cost f(Y) = tr(YᵀBYD) (G = 2BYD, B symmetric from
// standard_normal_matrix(N, N, 7), D = diag(1, …, n) on Stiefel and D = I on Grassmann) from
// random_point(42), for three runs: Stiefel + Cayley, Stiefel + geodesic, Grassmann + Cayley.
// Every --check-every steps it forms the dense residuals ‖YᵀY − I‖_F and ‖λᵀλ − I‖_F
// (O(N³): here only, never in the library's step) and prints, per block of --report-every
// steps, their maxima, the full checks and repairs the library made (detail::
// section_drift_statistics()) and the distance of f to its minimum.
//
// Usage: long_run_accuracy [--steps S] [--report-every R] [--check-every K] [--N N] [--n n]
//                          [--lr LR] [--runs cayley,geodesic,grassmann]
// Defaults: S = 1000000, R = 100000, K = 1, N = 49, n = 7, lr = 1e-3 (Adam's default),
// all three runs. Set OPENBLAS_NUM_THREADS=1.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "homopt/homopt.hpp"
#include "section_drift.hpp"

namespace {

using homopt::Mat;
using homopt::real;
using homopt::uword;

struct Settings {
  std::uint64_t steps = 1000000, report_every = 100000, check_every = 1;
  uword N = 49, n = 7;
  real lr = 1e-3;
  std::vector<std::string> runs{"cayley", "geodesic", "grassmann"};
};

/// Strict unsigned parse (the whole argument must be a decimal number ≥ 1).
std::uint64_t parse_count(const std::string& text, const char* option) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value == 0 || text[0] == '-')
    throw std::invalid_argument(std::string(option) + ": expected a positive integer, got '" + text + "'");
  return value;
}

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string option = argv[i];
    if (option == "--help") {
      std::puts("usage: long_run_accuracy [--steps S] [--report-every R] [--check-every K] [--N N] [--n n]\n"
                "                         [--lr LR] [--runs cayley,geodesic,grassmann]");
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument(option + ": missing value");
    const std::string value = argv[++i];
    if (option == "--steps") settings.steps = parse_count(value, "--steps");
    else if (option == "--report-every") settings.report_every = parse_count(value, "--report-every");
    else if (option == "--check-every") settings.check_every = parse_count(value, "--check-every");
    else if (option == "--N") settings.N = parse_count(value, "--N");
    else if (option == "--n") settings.n = parse_count(value, "--n");
    else if (option == "--lr") {
      std::size_t used = 0;
      settings.lr = std::stod(value, &used);
      if (used != value.size() || !(settings.lr > 0)) throw std::invalid_argument("--lr: expected a positive number");
    } else if (option == "--runs") {
      settings.runs.clear();
      std::stringstream list(value);
      for (std::string run; std::getline(list, run, ',');) {
        if (run != "cayley" && run != "geodesic" && run != "grassmann")
          throw std::invalid_argument("--runs: unknown run '" + run + "'");
        settings.runs.push_back(run);
      }
    } else {
      throw std::invalid_argument("unknown option " + option);
    }
  }
  return settings;
}

real gram_residual(const Mat& columns) {
  Mat gram = columns.t() * columns;
  gram.diag() -= 1.0;
  return arma::norm(gram, "fro");
}

void run(const std::string& name, const Settings& settings) {
  const bool grassmann = name == "grassmann";
  const homopt::Retraction retraction = name == "geodesic" ? homopt::Retraction::geodesic : homopt::Retraction::cayley;
  std::unique_ptr<homopt::Manifold> manifold;
  if (grassmann) manifold = std::make_unique<homopt::Grassmann>(settings.N, settings.n);
  else manifold = std::make_unique<homopt::Stiefel>(settings.N, settings.n);

  const Mat X = homopt::standard_normal_matrix(settings.N, settings.N, 7);
  const Mat B = 0.5 * (X + X.t());
  Mat D(settings.n, settings.n, arma::fill::zeros);
  for (uword i = 0; i < settings.n; ++i) D(i, i) = grassmann ? 1.0 : real(i + 1);
  // Minimum of tr(YᵀBYD): the n smallest eigenvalues of B, the smallest paired with the largest D.
  const homopt::Vec eigenvalues = arma::eig_sym(B);
  real minimum = 0;
  for (uword i = 0; i < settings.n; ++i) minimum += eigenvalues(i) * D(settings.n - 1 - i, settings.n - 1 - i);

  homopt::Optimizer optimizer(homopt::Adam(settings.lr, 0.9, 0.99, 3e-7), retraction);
  optimizer.add(*manifold, manifold->random_point(42));
  auto& statistics = homopt::detail::section_drift_statistics();
  const std::uint64_t checks_before = statistics.full_checks, repairs_before = statistics.repairs,
                      householder_before = statistics.householder_repairs;

  std::printf("\n%s on %s, Adam(lr = %g), %llu steps\n", name.c_str(), manifold->description().c_str(), settings.lr,
              static_cast<unsigned long long>(settings.steps));
  std::printf("%10s %16s %16s %12s %9s %11s %13s\n", "steps", "max|YtY-I|_F", "max|ltl-I|_F", "full checks",
              "repairs", "QR repairs", "f - f_min");
  real worst_point = 0, worst_section = 0, block_point = 0, block_section = 0;
  std::uint64_t block_checks = statistics.full_checks, block_repairs = statistics.repairs,
                block_householder = statistics.householder_repairs;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t t = 1; t <= settings.steps; ++t) {
    const Mat& Y = optimizer.value(0);
    optimizer.step({2.0 * B * Y * D});
    if (t % settings.check_every == 0 || t == settings.steps) {
      const Mat& point = optimizer.value(0);
      block_point = std::max(block_point, gram_residual(point));
      block_section = std::max(block_section, gram_residual(optimizer.section(0).group_element()));
    }
    if (t % settings.report_every == 0 || t == settings.steps) {
      const Mat& point = optimizer.value(0);
      const real cost = arma::trace(point.t() * B * point * D);
      std::printf("%10llu %16.3e %16.3e %12llu %9llu %11llu %13.3e\n", static_cast<unsigned long long>(t),
                  block_point, block_section, static_cast<unsigned long long>(statistics.full_checks - block_checks),
                  static_cast<unsigned long long>(statistics.repairs - block_repairs),
                  static_cast<unsigned long long>(statistics.householder_repairs - block_householder), cost - minimum);
      std::fflush(stdout);
      worst_point = std::max(worst_point, block_point);
      worst_section = std::max(worst_section, block_section);
      block_point = block_section = 0;
      block_checks = statistics.full_checks;
      block_repairs = statistics.repairs;
      block_householder = statistics.householder_repairs;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("total %s: max|YtY-I|_F = %.3e, max|ltl-I|_F = %.3e, full checks %llu, repairs %llu, QR repairs %llu, "
              "%.1f s\n",
              name.c_str(), worst_point, worst_section,
              static_cast<unsigned long long>(statistics.full_checks - checks_before),
              static_cast<unsigned long long>(statistics.repairs - repairs_before),
              static_cast<unsigned long long>(statistics.householder_repairs - householder_before), seconds);
}

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  for (const auto& name : settings.runs) run(name, settings);
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "long_run_accuracy: %s\n", error.what());
  return 2;
}
