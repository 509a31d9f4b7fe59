// Checkpoints: bit-identical resume, atomic writes, clear errors for bad files.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>

#include "homopt/checkpoint.hpp"
#include "crafted_checkpoint.hpp"
#include "test_helpers.hpp"

using namespace homopt;
namespace fs = std::filesystem;

namespace {
/// A fresh empty folder under the system temp dir.
fs::path temporary_folder() {
  const fs::path folder = fs::temp_directory_path() / ("homopt-test-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(std::rand()));
  fs::create_directories(folder);
  return folder;
}
std::vector<Mat> gradients_at(const Optimizer& optimizer, const Mat& S) {
  return {2 * S * optimizer.value(0), S.submat(0, 0, 4, 4) * optimizer.value(1), optimizer.value(2) - 1};
}
void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
}  // namespace

TEST_CASE("Resuming from a checkpoint is bit-identical to an uninterrupted run", "[checkpoint]") {
  const fs::path folder = temporary_folder();
  const Mat C = standard_normal_matrix(8, 8, 51);
  const Mat S = C + C.t();
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(std::make_unique<Adam>(0.01, 0.9, 0.99, 3e-7, true));
  methods.push_back(std::make_unique<AdamWithDecay>(30, 1e-2, 1e-4));
  methods.push_back(std::make_unique<Momentum>(0.01, 0.5));
  methods.push_back(std::make_unique<Gradient>(0.01));
  methods.push_back(std::make_unique<BFGS>(0.01));
  for (const auto& method : methods) {
    for (Retraction retraction : {Retraction::cayley, Retraction::geodesic}) {
      CAPTURE(method->description(), to_string(retraction));
      Optimizer optimizer(*method, retraction);
      optimizer.add(Stiefel(8, 3), Stiefel(8, 3).random_point(1));
      optimizer.add(Grassmann(5, 2), Grassmann(5, 2).random_point(2));
      optimizer.add(Euclidean(2, 3), Euclidean(2, 3).random_point(3));
      for (int k = 0; k < 10; ++k) optimizer.step(gradients_at(optimizer, S));
      const fs::path path = folder / "state.homopt";
      optimizer.save(path.string());
      Optimizer resumed = Optimizer::load(path.string());
      CHECK(resumed.to_bytes() == optimizer.to_bytes());
      CHECK(resumed.step_count() == 10);
      CHECK(resumed.method().description() == method->description());
      for (int k = 0; k < 10; ++k) {
        optimizer.step(gradients_at(optimizer, S));
        resumed.step(gradients_at(resumed, S));
      }
      for (std::size_t i = 0; i < 3; ++i) CHECK(arma::approx_equal(resumed.value(i), optimizer.value(i), "absdiff", 0.0));
      CHECK(resumed.to_bytes() == optimizer.to_bytes());
    }
  }
  fs::remove_all(folder);
}

TEST_CASE("Corrupt, truncated, foreign or missing checkpoints give a clear FileError", "[checkpoint][errors]") {
  const fs::path folder = temporary_folder();
  Optimizer optimizer{Adam()};
  optimizer.add(Stiefel(6, 2), Stiefel(6, 2).random_point(1));
  optimizer.step({standard_normal_matrix(6, 2, 2)});
  const std::string bytes = optimizer.to_bytes();
  const fs::path path = folder / "bad.homopt";

  CHECK_THROWS_WITH(Optimizer::load((folder / "missing.homopt").string()), Catch::Contains("cannot open file"));
  write_bytes(path, "");
  CHECK_THROWS_WITH(Optimizer::load(path.string()), Catch::Contains("not a homopt checkpoint"));
  write_bytes(path, "#!/bin/sh\necho hello\n");
  CHECK_THROWS_WITH(Optimizer::load(path.string()), Catch::Contains("not a homopt checkpoint"));
  for (std::size_t cut : {std::size_t(9), std::size_t(20), bytes.size() / 2, bytes.size() - 1}) {
    write_bytes(path, bytes.substr(0, cut));
    CHECK_THROWS_AS(Optimizer::load(path.string()), FileError);
  }
  for (std::size_t position : {std::size_t(25), bytes.size() / 2, bytes.size() - 5}) {
    std::string corrupted = bytes;
    corrupted[position] = static_cast<char>(corrupted[position] ^ 0x10);
    write_bytes(path, corrupted);
    CHECK_THROWS_WITH(Optimizer::load(path.string()), Catch::Contains("checksum mismatch"));
  }
  std::string future = bytes;
  future[8] = 9;  // format version 9
  write_bytes(path, future);
  CHECK_THROWS_WITH(Optimizer::load(path.string()), Catch::Contains("unsupported checkpoint format version 9"));
  // A well-sealed payload with nonsense inside: still a clean error, never a crash.
  write_bytes(path, seal_checkpoint(std::string(64, '\xff')));
  CHECK_THROWS_AS(Optimizer::load(path.string()), FileError);
  CHECK_THROWS_WITH(Optimizer::load(folder.string()), Catch::Contains("not a homopt checkpoint"));
  fs::remove_all(folder);
}

TEST_CASE("Saving is atomic: failures leave the old file and no temporary behind", "[checkpoint][errors]") {
  const fs::path folder = temporary_folder();
  Optimizer optimizer{Momentum()};
  optimizer.add(Euclidean(2, 2), Mat(2, 2, arma::fill::ones));
  const fs::path path = folder / "run.homopt";
  optimizer.save(path.string());
  const std::string first = read_file(path.string());
  optimizer.step({Mat(2, 2, arma::fill::ones)});
  optimizer.save(path.string());  // replaces the file
  CHECK(read_file(path.string()) != first);
  CHECK(Optimizer::load(path.string()).step_count() == 1);
  CHECK_THROWS_WITH(optimizer.save((folder / "no-such-dir" / "x.homopt").string()), Catch::Contains("cannot create file"));
  std::size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(folder)) entries += entry.path().filename() == "run.homopt" ? 1 : 100;
  CHECK(entries == 1);
  fs::remove_all(folder);
}

// ---------------------------------------------------------------- crafted checkpoints
// Files with a valid container (magic, version, length, CRC) whose content lies. Each must
// be refused with a FileError, before any allocation larger than the file itself.

namespace {
using test::CraftedParameter;
using test::crafted_checkpoint;

/// The section state {Y, Ȳ} of a random point of St(n, N) or Gr(n, N), as saved.
std::vector<Mat> saved_frame_section(const Manifold& manifold, std::uint64_t seed) {
  Optimizer optimizer{Gradient()};
  optimizer.add(manifold, manifold.random_point(seed));
  return optimizer.section(0).state();
}

/// Peak resident memory of this process in MiB (ctest runs each case in its own process).
double peak_rss_mib() {
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// Loads `bytes` from a file and returns the FileError's message ("" if it loaded).
std::string load_error(const fs::path& path, const std::string& bytes) {
  write_bytes(path, bytes);
  try {
    Optimizer::load(path.string());
  } catch (const FileError& error) {
    return error.what();
  }
  return "";
}
}  // namespace

TEST_CASE("A crafted BFGS checkpoint is refused without building the d x d inverse Hessian", "[checkpoint][errors][crafted]") {
  const fs::path folder = temporary_folder();
  const fs::path path = folder / "crafted.homopt";
  const BFGS bfgs(1e-2, 1e-8, max_bfgs_dimension);  // the largest cap (46340) admits d = 20000
  const double rss_before = peak_rss_mib();
  const auto started = std::chrono::steady_clock::now();
  // A real point of Euclidean(12000, 1) (96 KB) and no method state: a d×d identity would be
  // 12000² reals = 1.07 GiB.
  const std::string no_state = crafted_checkpoint(
      bfgs, 0, {{"Euclidean", {12000, 1}, {Mat(12000, 1, arma::fill::ones)}, {}}});
  CHECK(no_state.size() < 100000);
  CHECK_THAT(load_error(path, no_state), Catch::Contains("state does not have the layout"));
  // Same with a lying H (d×1 instead of d×d).
  const Vec zeros(12000, arma::fill::zeros);
  CHECK_THAT(load_error(path, crafted_checkpoint(bfgs, 0, {{"Euclidean", {12000, 1}, {Mat(12000, 1, arma::fill::ones)}, {zeros, zeros, zeros}}})),
             Catch::Contains("state does not have the layout"));
  // A manifold whose section needs more bytes than remain: Euclidean(20000, 1) in 96 KB.
  CHECK_THAT(load_error(path, crafted_checkpoint(bfgs, 0, {{"Euclidean", {20000, 1}, {}, {}}}, std::string(96000, '\0'))),
             Catch::Contains("needs more bytes than remain"));
  CHECK_THAT(load_error(path, crafted_checkpoint(Adam(), 0, {{"Stiefel", {30000, 1}, {}, {}}}, std::string(96000, '\0'))),
             Catch::Contains("needs more bytes than remain"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Refusal reads 100 KB files; the old loader built the identity first: peak RSS + 2201 MiB
  // and 39.5 s on the loaded 2-core machine. The time bound is only a guard against that (it
  // holds under sanitizers and load); the memory bound is the real check.
  CHECK(peak_rss_mib() - rss_before < 200);
  CHECK(seconds < 20);
  fs::remove_all(folder);
}

TEST_CASE("Devices, FIFOs and inconsistent large files are refused before their contents are read", "[checkpoint][errors][crafted]") {
  const fs::path folder = temporary_folder();
  const double rss_before = peak_rss_mib();
  CHECK_THROWS_WITH(Optimizer::load("/dev/zero"), Catch::Contains("not a regular file"));
  CHECK_THROWS_AS(Optimizer::load("/dev/zero"), FileError);
  CHECK_THROWS_WITH(Optimizer::load("/dev/null"), Catch::Contains("not a regular file"));
  const fs::path fifo = folder / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(Optimizer::load(fifo.string()), Catch::Contains("not a regular file"));  // no writer: must not block
  // 1 GiB sparse files: one with foreign magic bytes, one whose declared length (that of a
  // small real checkpoint) does not match its size. Only the 20-byte header may be read.
  Optimizer optimizer{Adam()};
  optimizer.add(Stiefel(5, 2), Stiefel(5, 2).random_point(3));
  const std::string header = optimizer.to_bytes().substr(0, checkpoint_header_size);
  for (const std::string& start : {std::string("GIF89a..."), header}) {
    const fs::path big = folder / "big.homopt";
    write_bytes(big, start);
    fs::resize_file(big, std::uintmax_t(1) << 30);
    CHECK_THROWS_AS(Optimizer::load(big.string()), FileError);
    CHECK_THROWS_WITH(Optimizer::load(big.string()), Catch::Contains("bad magic bytes") || Catch::Contains("length does not match the file size"));
  }
  CHECK(peak_rss_mib() - rss_before < 200);
  fs::remove_all(folder);
}

TEST_CASE("A Stiefel or Grassmann section whose complement is not orthonormal is refused", "[checkpoint][errors][crafted]") {
  const fs::path folder = temporary_folder();
  const fs::path path = folder / "crafted.homopt";
  for (const auto& [name, manifold] : std::vector<std::pair<std::string, std::shared_ptr<Manifold>>>{
           {"Stiefel", std::make_shared<Stiefel>(7, 3)}, {"Grassmann", std::make_shared<Grassmann>(7, 3)}}) {
    CAPTURE(name);
    const std::vector<Mat> good = saved_frame_section(*manifold, 5);
    const Mat& Y = good[0];
    const Vec zeros(manifold->dimension(), arma::fill::zeros);
    const auto with_complement = [&](const Mat& complement) {
      return crafted_checkpoint(Momentum(), 4, {{name, {7, 3}, {Y, complement}, {zeros}}});
    };
    CHECK(load_error(path, with_complement(good[1])).empty());  // the real one loads
    CHECK_THAT(load_error(path, with_complement(Mat(7, 4, arma::fill::zeros))), Catch::Contains("not an orthonormal completion"));
    CHECK_THAT(load_error(path, with_complement(5 * Mat(7, 4, arma::fill::ones))), Catch::Contains("not an orthonormal completion"));
    // Orthonormal columns, but not orthogonal to Y: the complement of another point.
    CHECK_THAT(load_error(path, with_complement(saved_frame_section(*manifold, 6)[1])), Catch::Contains("not an orthonormal completion"));
    // A complement with one column flipped in sign is still a valid section (another λ of the same Y).
    Mat flipped = good[1];
    flipped.col(0) *= -1;
    CHECK(load_error(path, with_complement(flipped)).empty());
    // Rounding-level perturbations are accepted, 1e-6 is not.
    CHECK(load_error(path, with_complement(good[1] + 1e-14)).empty());
    CHECK_THAT(load_error(path, with_complement(good[1] + 1e-6)), Catch::Contains("not an orthonormal completion"));
  }
  fs::remove_all(folder);
}

TEST_CASE("Step counts above 2^53 are refused and 2^53 loads and steps", "[checkpoint][errors][crafted]") {
  const fs::path folder = temporary_folder();
  const fs::path path = folder / "crafted.homopt";
  const Adam adam;
  const Mat Y = Euclidean(2, 2).random_point(1);
  const Vec zeros(4, arma::fill::zeros);
  const auto with_steps = [&](std::uint64_t t) {
    return crafted_checkpoint(adam, t, {{"Euclidean", {2, 2}, {Y}, {zeros, zeros}}});
  };
  for (std::uint64_t t : {std::numeric_limits<std::uint64_t>::max(), (std::uint64_t(1) << 53) + 1, std::uint64_t(1) << 62}) {
    CAPTURE(t);
    CHECK_THAT(load_error(path, with_steps(t)), Catch::Contains("exceeds 2^53"));
  }
  write_bytes(path, with_steps(std::uint64_t(1) << 53));
  Optimizer loaded = Optimizer::load(path.string());
  CHECK(loaded.step_count() == (std::uint64_t(1) << 53));
  loaded.step({Mat(2, 2, arma::fill::ones)});  // bias correction at t = 2^53 + 1 is finite
  CHECK(loaded.value(0).is_finite());
  fs::remove_all(folder);
}

TEST_CASE("A negative or non-finite Adam second moment is refused by the loader", "[checkpoint][errors][crafted]") {
  const fs::path folder = temporary_folder();
  const fs::path path = folder / "crafted.homopt";
  const Mat Y = Euclidean(3, 1).random_point(1);
  const auto with_moments = [&](const Vec& m, const Vec& v) {
    return crafted_checkpoint(Adam(), 3, {{"Euclidean", {3, 1}, {Y}, {m, v}}});
  };
  const Vec m{0.1, -0.2, 0.3};
  CHECK(load_error(path, with_moments(m, Vec{1e-4, 0, 2e-4})).empty());
  CHECK_FALSE(load_error(path, with_moments(m, Vec{1e-4, -1e-4, 2e-4})).empty());
  CHECK_FALSE(load_error(path, with_moments(m, Vec{1e-4, arma::datum::nan, 2e-4})).empty());
  CHECK_FALSE(load_error(path, with_moments(m, Vec{1e-4, arma::datum::inf, 2e-4})).empty());
  fs::remove_all(folder);
}

TEST_CASE("Symplectic shapes that overflow are refused by the loader", "[checkpoint][errors][crafted]") {
  const fs::path folder = temporary_folder();
  const fs::path path = folder / "crafted.homopt";
  const std::uint64_t huge = std::uint64_t(1) << 63;
  for (const std::string name : {"SymplecticStiefel", "SymplecticGrassmann", "Stiefel", "Grassmann"}) {
    CAPTURE(name);
    for (const std::vector<std::uint64_t>& shape :
         {std::vector<std::uint64_t>{huge, huge}, {huge, 1}, {std::uint64_t(1) << 32, std::uint64_t(1) << 31}}) {
      CHECK_FALSE(load_error(path, crafted_checkpoint(Gradient(), 0, {{name, shape, {Mat(), Mat()}, {}}})).empty());
    }
  }
  CHECK_FALSE(load_error(path, crafted_checkpoint(Gradient(), 0, {{"Euclidean", {std::uint64_t(1) << 32, std::uint64_t(1) << 32}, {Mat()}, {}}})).empty());
  fs::remove_all(folder);
}

TEST_CASE("Edge shapes round-trip through the hardened loader", "[checkpoint]") {
  // Zero-dimensional Grassmann(4, 4), Stiefel(5, 5) (empty complement) and both symplectic
  // spaces, under every method, including BFGS's d×d state at d = 0.
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(std::make_unique<Gradient>());
  methods.push_back(std::make_unique<Momentum>());
  methods.push_back(std::make_unique<Adam>(1e-3, 0.9, 0.99, 3e-7, true));
  methods.push_back(std::make_unique<AdamWithDecay>());
  methods.push_back(std::make_unique<BFGS>());
  for (const auto& method : methods) {
    CAPTURE(method->name());
    Optimizer optimizer(*method);
    optimizer.add(Grassmann(4, 4), Grassmann(4, 4).random_point(1));
    optimizer.add(Stiefel(5, 5), Stiefel(5, 5).random_point(2));
    optimizer.add(SymplecticStiefel(3, 1), SymplecticStiefel(3, 1).random_point(3));
    optimizer.add(SymplecticGrassmann(3, 2), SymplecticGrassmann(3, 2).random_point(4));
    std::vector<Mat> gradients;
    for (std::size_t i = 0; i < optimizer.size(); ++i)
      gradients.push_back(0.1 * standard_normal_matrix(optimizer.manifold(i).rows(), optimizer.manifold(i).cols(), 10 + i));
    optimizer.step(gradients);
    const std::string bytes = optimizer.to_bytes();
    CHECK(Optimizer::from_bytes(bytes).to_bytes() == bytes);
  }
}
