// libFuzzer target: Optimizer::from_bytes on arbitrary bytes (mutated with checkpoint_mutator.hpp,
// which keeps most inputs' length and CRC valid so that mutations reach the decoder).
//
// Contract checked (a violation aborts, which libFuzzer reports as a crash):
//   - every input either loads or throws homopt::FileError (no other exception, no crash,
//     no sanitizer report, no leak, no allocation beyond -rss_limit_mb);
//   - what loads saves and loads back bit-identically (to_bytes ∘ from_bytes is the identity
//     on to_bytes output);
//   - what loads can take a step: with zero gradients it succeeds or throws InvalidArgument
//     (never another error), and the step count stays in range.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "checkpoint_mutator.hpp"
#include "homopt/checkpoint.hpp"
#include "homopt/error.hpp"
#include "homopt/optimizer.hpp"

namespace {
[[noreturn]] void contract_broken(const char* what, const char* detail) {
  std::fprintf(stderr, "fuzz_checkpoint_bytes: %s: %s\n", what, detail);
  std::abort();
}

void exercise(const homopt::Optimizer& loaded) {
  const std::string saved = loaded.to_bytes();
  const homopt::Optimizer reloaded = homopt::Optimizer::from_bytes(saved, "resaved");
  if (reloaded.to_bytes() != saved) contract_broken("round trip", "save/load is not bit-identical");
  if (loaded.step_count() > homopt::max_checkpoint_step_count) contract_broken("step count", "out of range");
  homopt::Optimizer stepped = loaded;
  std::vector<homopt::Mat> gradients;
  for (std::size_t i = 0; i < stepped.size(); ++i)
    gradients.emplace_back(stepped.manifold(i).rows(), stepped.manifold(i).cols(), arma::fill::zeros);
  try {
    stepped.step(gradients);
  } catch (const homopt::InvalidArgument&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const homopt::Optimizer loaded = homopt::Optimizer::from_bytes(bytes, "fuzz input");
    exercise(loaded);
  } catch (const homopt::FileError&) {
  } catch (const std::exception& error) {
    contract_broken("unexpected exception", error.what());
  }
  return 0;
}
