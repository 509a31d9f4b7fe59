// Checkpoints: bit-identical resume, atomic writes, clear errors for bad files.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "homopt/checkpoint.hpp"
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
