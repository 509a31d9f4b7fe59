// bench/step_cost — time per Optimizer::step on Stiefel, Grassmann (and the symplectic
// spaces when the core provides them), against a Euclidean Adam step of the same matrix
// size and the single-core dgemm rate measured in the same run. Not a test: run it through
// scripts/bench (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1).
//
// Usage: step_cost [--json PATH] [--budget SECONDS] [--symplectic-max-N N] [--quick]
//                  [--sizes NxN,...] [--manifolds Name,...] [--no-sweep] [--dgemm-only]
//   --sizes/--manifolds/--no-sweep restrict the run (for profiling one configuration).
//   --dgemm-only measures only the dgemm rate, with as many BLAS threads as
//   OPENBLAS_NUM_THREADS allows (scripts/bench: the 2-core rate of the transformer's floor).
//
// Timing: each configuration takes `warmup` untimed steps (two if a step takes > 0.1 s),
// then batches of k steps (k chosen so a batch lasts ≥ 2 ms), timed with
// std::chrono::steady_clock until the time budget is used and at least `min_batches`
// batches were taken; reported: median, min and 90th percentile of the per-step time over
// batches, and the minor page faults per step over the timed batches (getrusage
// ru_minflt after minus before, divided by the timed steps: 0 in a steady state that
// touches no fresh memory).
//
// Flop model of one Stiefel step (products actually formed in core/src/orthogonal_section.cpp,
// one multiply-add = 2 flops, with m = N − n; O(n³) work on 2n×2n matrices is not counted):
//   lift     YᵀG 2Nn², ȲᵀG 2mNn
//   X        BᵀB 2mn²
//   update   Y·A/2 2Nn², Ȳ·B 2mNn, (λU)·M 8Nn², P₂·A/2 2Nn², P₂·Bᵀ 2mNn
//   drift    YᵀY 2Nn²
//   total    6mNn + 16Nn² + 2mn²                   (≈ 6N²n for n ≪ N)
// Grassmann forms the same products (A ≡ 0 is still multiplied) except YᵀG: 6mNn + 14Nn² + 2mn².
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "homopt/homopt.hpp"

namespace {

using homopt::Mat;
using homopt::Vec;
using homopt::real;
using homopt::uword;
using Clock = std::chrono::steady_clock;

/// Run-wide timing settings.
struct TimingPolicy {
  double budget_seconds = 0.4;  // per configuration
  int min_batches = 5;
  int warmup_steps = 3;
  double min_batch_seconds = 2e-3;
};

/// Per-step time statistics (seconds) over timed batches.
struct Timing {
  double median = 0, minimum = 0, p90 = 0;
  int batches = 0;
  int steps_per_batch = 0;
  double minor_faults_per_step = 0;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Minor page faults of this process so far (getrusage ru_minflt).
long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/// Times `action` (one step) as described in the file comment.
Timing time_repeated(const std::function<void()>& action, const TimingPolicy& policy) {
  // The first call is a warm-up that also calibrates the batch length k; steps slower than
  // 0.1 s get one more warm-up only.
  auto start = Clock::now();
  action();
  double one = std::max(seconds_since(start), 1e-9);
  if (one < 0.1) {
    for (int i = 1; i < policy.warmup_steps; ++i) action();
    start = Clock::now();
    action();
    one = std::max(seconds_since(start), 1e-9);
  } else {
    action();  // a second warm-up: the first steps allocate the parameter's step buffers
  }
  const int k = std::max(1, static_cast<int>(std::ceil(policy.min_batch_seconds / one)));
  std::vector<double> per_step;
  per_step.reserve(1000);  // no fresh pages of the timer's own inside the timed loop
  const long faults_before = minor_faults();
  const auto begin = Clock::now();
  while (static_cast<int>(per_step.size()) < policy.min_batches || seconds_since(begin) < policy.budget_seconds) {
    start = Clock::now();
    for (int i = 0; i < k; ++i) action();
    per_step.push_back(seconds_since(start) / k);
    if (per_step.size() >= 1000) break;
  }
  const double timed_steps = double(per_step.size()) * k;
  const double faults_per_step = double(minor_faults() - faults_before) / timed_steps;
  std::sort(per_step.begin(), per_step.end());
  Timing timing;
  timing.batches = static_cast<int>(per_step.size());
  timing.steps_per_batch = k;
  const std::size_t count = per_step.size();
  timing.median = count % 2 ? per_step[count / 2] : 0.5 * (per_step[count / 2 - 1] + per_step[count / 2]);
  timing.minimum = per_step.front();
  timing.p90 = per_step[std::min(count - 1, static_cast<std::size_t>(std::ceil(0.9 * count)) - 1)];
  timing.minor_faults_per_step = faults_per_step;
  return timing;
}

/// GFLOP/s of a single-threaded 1000×1000 dgemm (Armadillo → OpenBLAS), median.
double dgemm_gflops(const TimingPolicy& policy) {
  const uword size = 1000;
  const Mat a = homopt::standard_normal_matrix(size, size, 1);
  const Mat b = homopt::standard_normal_matrix(size, size, 2);
  Mat c(size, size);
  TimingPolicy longer = policy;
  longer.budget_seconds = std::max(1.0, policy.budget_seconds);
  const Timing timing = time_repeated([&] { c = a * b; }, longer);
  return 2.0 * size * size * size / timing.median / 1e9;
}

/// Flops of one step by the model in the file comment (0 if no model for this manifold).
double step_flops(const std::string& manifold, double N, double n) {
  const double m = N - n;
  if (manifold == "Stiefel") return 6 * m * N * n + 16 * N * n * n + 2 * m * n * n;
  if (manifold == "Grassmann") return 6 * m * N * n + 14 * N * n * n + 2 * m * n * n;
  return 0;
}

/// One optimizer configuration: method and retraction.
struct MethodChoice {
  std::string label;
  std::function<std::unique_ptr<homopt::Method>()> make;
  homopt::Retraction retraction;
};

std::vector<MethodChoice> method_choices() {
  using homopt::Retraction;
  return {
      {"Adam+Cayley", [] { return std::make_unique<homopt::Adam>(); }, Retraction::cayley},
      {"Adam+geodesic", [] { return std::make_unique<homopt::Adam>(); }, Retraction::geodesic},
      {"Gradient+Cayley", [] { return std::make_unique<homopt::Gradient>(); }, Retraction::cayley},
      {"Momentum+Cayley", [] { return std::make_unique<homopt::Momentum>(); }, Retraction::cayley},
  };
}

/// A fixed gradient: standard normals scaled to Frobenius norm 1 (see time_optimizer).
Mat bench_gradient(uword rows, uword cols) {
  Mat gradient = homopt::standard_normal_matrix(rows, cols, 7);
  return gradient / arma::norm(gradient, "fro");
}

/// Bytes of matrices.
double bytes_of(const std::vector<Mat>& matrices) {
  double total = 0;
  for (const Mat& matrix : matrices) total += 8.0 * matrix.n_elem;
  return total;
}

/// An optimizer holding one parameter on `manifold` at its random point.
homopt::Optimizer one_parameter_optimizer(const homopt::Manifold& manifold, const MethodChoice& choice) {
  homopt::Optimizer optimizer(*choice.make(), choice.retraction);
  optimizer.add(manifold, manifold.random_point(3));
  return optimizer;
}

/// One measured configuration.
struct Row {
  std::string manifold, method;
  uword N = 0, n = 0, rows = 0, cols = 0, dimension = 0;
  Timing timing;
  double flops = 0, memory_bytes = 0, euclidean_adam_seconds = 0;
};

/// Steps with G and −G alternately: the cost of a step does not depend on the values, and
/// the point stays near its start (on the non-compact symplectic manifolds thousands of
/// steps along one direction would leave the well-conditioned region).
Timing time_optimizer(homopt::Optimizer& optimizer, const Mat& gradient, const TimingPolicy& policy) {
  const std::vector<Mat> gradients[2] = {{gradient}, {Mat(-gradient)}};
  std::size_t count = 0;
  return time_repeated([&] { optimizer.step(gradients[count++ % 2]); }, policy);
}

/// Euclidean Adam (homopt::Euclidean + homopt::Adam through the same Optimizer) on rows×cols.
double euclidean_adam_seconds(uword rows, uword cols, const TimingPolicy& policy) {
  homopt::Euclidean euclidean(rows, cols);
  homopt::Optimizer optimizer(homopt::Adam{});
  optimizer.add(euclidean, euclidean.random_point(3));
  return time_optimizer(optimizer, bench_gradient(rows, cols), policy).median;
}

/// Least-squares slope of log(y) against log(x).
double log_log_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t count = x.size();
  double mean_x = 0, mean_y = 0;
  for (std::size_t i = 0; i < count; ++i) {
    mean_x += std::log(x[i]) / count;
    mean_y += std::log(y[i]) / count;
  }
  double numerator = 0, denominator = 0;
  for (std::size_t i = 0; i < count; ++i) {
    numerator += (std::log(x[i]) - mean_x) * (std::log(y[i]) - mean_y);
    denominator += (std::log(x[i]) - mean_x) * (std::log(x[i]) - mean_x);
  }
  return numerator / denominator;
}

/// A scaling sweep of Stiefel Adam+Cayley with one size fixed.
struct Sweep {
  std::string variable;  // "N" or "n"
  uword fixed = 0;
  std::vector<double> values, seconds, model_flops;
};

Sweep run_sweep(const std::string& variable, uword fixed, const std::vector<uword>& values,
                const TimingPolicy& policy) {
  Sweep sweep{variable, fixed, {}, {}, {}};
  const MethodChoice adam = method_choices()[0];
  for (uword value : values) {
    const uword N = variable == "N" ? value : fixed, n = variable == "N" ? fixed : value;
    homopt::Stiefel stiefel(N, n);
    homopt::Optimizer optimizer = one_parameter_optimizer(stiefel, adam);
    const Timing timing = time_optimizer(optimizer, bench_gradient(N, n), policy);
    sweep.values.push_back(static_cast<double>(value));
    sweep.seconds.push_back(timing.median);
    sweep.model_flops.push_back(step_flops("Stiefel", N, n));
    std::fprintf(stderr, "  sweep %s: N=%llu n=%llu  %.3g ms\n", variable.c_str(),
                 static_cast<unsigned long long>(N), static_cast<unsigned long long>(n), 1e3 * timing.median);
  }
  return sweep;
}

/// Time of lift, method velocity and retraction separately (Stiefel, Adam, Cayley).
struct Breakdown {
  uword N = 0, n = 0;
  double lift = 0, velocity = 0, retracted = 0;
};

Breakdown run_breakdown(uword N, uword n, const TimingPolicy& policy) {
  homopt::Stiefel stiefel(N, n);
  auto section = stiefel.section(stiefel.random_point(3));
  const Mat gradient = bench_gradient(N, n);
  homopt::Adam adam;
  homopt::MethodState state = adam.initial_state(stiefel.dimension());
  Breakdown breakdown{N, n, 0, 0, 0};
  Vec coordinates;
  breakdown.lift = time_repeated([&] { coordinates = section->lift(gradient); }, policy).median;
  Vec velocity;
  std::uint64_t t = 0;
  breakdown.velocity = time_repeated([&] { velocity = adam.velocity(coordinates, state, ++t); }, policy).median;
  std::unique_ptr<homopt::Section> next;
  breakdown.retracted =
      time_repeated([&] { next = section->retracted(velocity, homopt::Retraction::cayley); }, policy).median;
  return breakdown;
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  std::ostringstream text;
  text.precision(6);
  text << value;
  return text.str();
}

/// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += std::string("\\") + c;
    else if (static_cast<unsigned char>(c) < 0x20) quoted += ' ';
    else quoted += c;
  }
  return quoted + "\"";
}

std::string json_array(const std::vector<double>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + json_number(values[i]);
  return text + "]";
}

struct Options {
  std::string json_path;
  TimingPolicy policy;
  uword symplectic_max_N = 1024;
  bool quick = false;
  bool sweep = true;
  bool dgemm_only = false;
  std::vector<std::pair<uword, uword>> sizes = {{49, 7}, {256, 16}, {256, 64}, {1024, 32}, {4096, 64}};
  std::vector<std::string> manifolds = {"Stiefel", "Grassmann", "SymplecticStiefel", "SymplecticGrassmann"};
};

/// Splits "a,b,c" at commas.
std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

/// Parses "49x7,4096x64".
std::vector<std::pair<uword, uword>> parse_sizes(const std::string& text) {
  std::vector<std::pair<uword, uword>> sizes;
  for (const std::string& part : split(text)) {
    const std::size_t cross = part.find('x');
    if (cross == std::string::npos) throw std::invalid_argument("--sizes: expected NxN, got " + part);
    sizes.emplace_back(std::stoul(part.substr(0, cross)), std::stoul(part.substr(cross + 1)));
  }
  return sizes;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(key + " needs a value");
      return argv[++i];
    };
    if (key == "--json") options.json_path = next();
    else if (key == "--budget") options.policy.budget_seconds = std::stod(next());
    else if (key == "--symplectic-max-N") options.symplectic_max_N = std::stoul(next());
    else if (key == "--quick") options.quick = true;
    else if (key == "--no-sweep") options.sweep = false;
    else if (key == "--dgemm-only") options.dgemm_only = true;
    else if (key == "--sizes") options.sizes = parse_sizes(next());
    else if (key == "--manifolds") options.manifolds = split(next());
    else throw std::invalid_argument("unknown option " + key);
  }
  if (options.quick) {
    options.policy.budget_seconds = 0.05;
    options.policy.min_batches = 3;
    options.policy.warmup_steps = 1;
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  const TimingPolicy& policy = options.policy;
  const auto& sizes = options.sizes;
  const auto& manifolds = options.manifolds;

  const double dgemm = dgemm_gflops(policy);
  const char* blas_threads = std::getenv("OPENBLAS_NUM_THREADS");
  if (options.dgemm_only) {
    std::printf("dgemm 1000x1000 (OPENBLAS_NUM_THREADS=%s): %.2f GFLOP/s\n", blas_threads ? blas_threads : "unset", dgemm);
    if (!options.json_path.empty())
      std::ofstream(options.json_path) << "{\"dgemm_1000_gflops\": " << json_number(dgemm)
                                       << ", \"openblas_num_threads\": " << json_string(blas_threads ? blas_threads : "")
                                       << "}\n";
    return 0;
  }
  std::fprintf(stderr, "dgemm 1000x1000 (1 thread): %.2f GFLOP/s\n", dgemm);

  std::map<std::pair<uword, uword>, double> euclidean;  // keyed by the point's rows×cols
  std::vector<Row> rows;
  std::vector<std::string> skipped;
  for (const std::string& name : manifolds) {
    for (const auto& [N, n] : sizes) {
      std::unique_ptr<homopt::Manifold> manifold;
      try {
        manifold = homopt::make_manifold(name, {N, n});
      } catch (const homopt::InvalidArgument& error) {
        skipped.push_back(name + " (" + error.what() + ")");
        break;  // this manifold does not exist in the core (yet)
      }
      if (name.rfind("Symplectic", 0) == 0 && N > options.symplectic_max_N) {
        skipped.push_back(manifold->description() + " (above --symplectic-max-N)");
        continue;
      }
      const uword point_rows = manifold->rows(), point_cols = manifold->cols();
      const auto key = std::make_pair(point_rows, point_cols);
      if (!euclidean.count(key)) euclidean[key] = euclidean_adam_seconds(point_rows, point_cols, policy);
      const Mat gradient = bench_gradient(point_rows, point_cols);
      for (const MethodChoice& choice : method_choices()) try {
        homopt::Optimizer optimizer = one_parameter_optimizer(*manifold, choice);
        Row row;
        row.manifold = name;
        row.method = choice.label;
        row.N = N;
        row.n = n;
        row.rows = point_rows;
        row.cols = point_cols;
        row.dimension = manifold->dimension();
        row.timing = time_optimizer(optimizer, gradient, policy);
        row.flops = step_flops(name, N, n);
        row.memory_bytes = bytes_of(optimizer.section(0).state()) + bytes_of(optimizer.method_state(0));
        row.euclidean_adam_seconds = euclidean[key];
        rows.push_back(row);
        std::fprintf(stderr, "%-20s N=%-5llu n=%-3llu %-16s %10.4g ms\n", name.c_str(),
                     static_cast<unsigned long long>(N), static_cast<unsigned long long>(n),
                     choice.label.c_str(), 1e3 * row.timing.median);
      } catch (const homopt::InvalidArgument& error) {  // reported, the other configurations still run
        skipped.push_back(manifold->description() + " " + choice.label + " (" + error.what() + ")");
        std::fprintf(stderr, "%s %s failed: %s\n", manifold->description().c_str(), choice.label.c_str(), error.what());
      }
    }
  }

  std::vector<Sweep> sweeps;
  if (options.sweep) {
    sweeps.push_back(run_sweep("N", 32, {256, 512, 1024, 2048, 4096}, policy));
    sweeps.push_back(run_sweep("n", 1024, {8, 16, 32, 64, 128}, policy));
  }
  std::vector<Breakdown> breakdowns;
  for (const auto& [N, n] : sizes) breakdowns.push_back(run_breakdown(N, n, policy));

  // ---- table to stdout
  std::printf("single-thread dgemm (1000x1000): %.2f GFLOP/s\n\n", dgemm);
  std::printf("| manifold | N | n | method | median step (ms) | p90 (ms) | GFLOP/s | %% of dgemm | "
              "Euclidean Adam (ms) | ratio | memory (KiB) | bound (N²+3·dim)·8 (KiB) | page faults/step |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& row : rows) {
    const double gflops = row.flops > 0 ? row.flops / row.timing.median / 1e9 : NAN;
    const double bound = (double(row.rows) * row.rows + 3.0 * row.dimension) * 8;
    std::printf("| %s | %llu | %llu | %s | %.4g | %.4g | %s | %s | %.4g | %.3g | %.1f | %.1f | %.3g |\n",
                row.manifold.c_str(), static_cast<unsigned long long>(row.N),
                static_cast<unsigned long long>(row.n), row.method.c_str(), 1e3 * row.timing.median,
                1e3 * row.timing.p90, std::isfinite(gflops) ? json_number(gflops).c_str() : "–",
                std::isfinite(gflops) ? json_number(100 * gflops / dgemm).c_str() : "–",
                1e3 * row.euclidean_adam_seconds, row.timing.median / row.euclidean_adam_seconds,
                row.memory_bytes / 1024, bound / 1024, row.timing.minor_faults_per_step);
  }
  for (const Sweep& sweep : sweeps)
    std::printf("\nStiefel Adam+Cayley scaling in %s at fixed %s = %llu: exponent %.3f (flop model %.3f)\n",
                sweep.variable.c_str(), sweep.variable == "N" ? "n" : "N",
                static_cast<unsigned long long>(sweep.fixed), log_log_slope(sweep.values, sweep.seconds),
                log_log_slope(sweep.values, sweep.model_flops));
  std::printf("\nStiefel Adam+Cayley breakdown (ms): | N | n | lift | Adam velocity | retracted |\n");
  for (const Breakdown& b : breakdowns)
    std::printf("| %llu | %llu | %.4g | %.4g | %.4g |\n", static_cast<unsigned long long>(b.N),
                static_cast<unsigned long long>(b.n), 1e3 * b.lift, 1e3 * b.velocity, 1e3 * b.retracted);
  for (const std::string& reason : skipped) std::printf("skipped: %s\n", reason.c_str());

  // ---- JSON
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << "{\n  \"dgemm_1000_gflops\": " << json_number(dgemm) << ",\n";
    out << "  \"timing\": {\"budget_seconds\": " << policy.budget_seconds << ", \"min_batches\": "
        << policy.min_batches << ", \"warmup_steps\": " << policy.warmup_steps << "},\n";
    out << "  \"flop_model\": \"Stiefel 6(N-n)Nn + 16Nn^2 + 2(N-n)n^2; Grassmann 6(N-n)Nn + 14Nn^2 + 2(N-n)n^2\",\n";
    out << "  \"steps\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      const double gflops = row.flops > 0 ? row.flops / row.timing.median / 1e9 : NAN;
      out << "    {\"manifold\": \"" << row.manifold << "\", \"N\": " << row.N << ", \"n\": " << row.n
          << ", \"method\": \"" << row.method << "\", \"dimension\": " << row.dimension
          << ", \"median_seconds\": " << json_number(row.timing.median)
          << ", \"min_seconds\": " << json_number(row.timing.minimum)
          << ", \"p90_seconds\": " << json_number(row.timing.p90) << ", \"batches\": " << row.timing.batches
          << ", \"steps_per_batch\": " << row.timing.steps_per_batch
          << ", \"flops\": " << json_number(row.flops > 0 ? row.flops : NAN)
          << ", \"gflops\": " << json_number(gflops)
          << ", \"fraction_of_dgemm\": " << json_number(gflops / dgemm)
          << ", \"euclidean_adam_seconds\": " << json_number(row.euclidean_adam_seconds)
          << ", \"ratio_to_euclidean_adam\": " << json_number(row.timing.median / row.euclidean_adam_seconds)
          << ", \"memory_bytes\": " << json_number(row.memory_bytes)
          << ", \"memory_bound_bytes\": " << json_number((double(row.rows) * row.rows + 3.0 * row.dimension) * 8)
          << ", \"minor_faults_per_step\": " << json_number(row.timing.minor_faults_per_step)
          << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    out << "  ],\n  \"scaling\": [\n";
    for (std::size_t s = 0; s < sweeps.size(); ++s) {
      const Sweep& sweep = sweeps[s];
      out << "    {\"variable\": \"" << sweep.variable << "\", \"fixed\": " << sweep.fixed
          << ", \"values\": " << json_array(sweep.values) << ", \"median_seconds\": " << json_array(sweep.seconds)
          << ", \"exponent\": " << json_number(log_log_slope(sweep.values, sweep.seconds))
          << ", \"model_exponent\": " << json_number(log_log_slope(sweep.values, sweep.model_flops)) << "}"
          << (s + 1 < sweeps.size() ? "," : "") << "\n";
    }
    out << "  ],\n  \"breakdown_stiefel_adam_cayley\": [\n";
    for (std::size_t i = 0; i < breakdowns.size(); ++i) {
      const Breakdown& b = breakdowns[i];
      out << "    {\"N\": " << b.N << ", \"n\": " << b.n << ", \"lift_seconds\": " << json_number(b.lift)
          << ", \"velocity_seconds\": " << json_number(b.velocity)
          << ", \"retracted_seconds\": " << json_number(b.retracted) << "}"
          << (i + 1 < breakdowns.size() ? "," : "") << "\n";
    }
    out << "  ],\n  \"skipped\": [";
    for (std::size_t i = 0; i < skipped.size(); ++i)
      out << (i ? ", " : "") << json_string(skipped[i]);
    out << "]\n}\n";
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "step_cost: %s\n", error.what());
  return 1;
}
