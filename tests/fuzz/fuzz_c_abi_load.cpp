// libFuzzer target: homopt_optimizer_load (the C ABI) on arbitrary bytes (mutated with
// checkpoint_mutator.hpp, which keeps most inputs' length and CRC valid).
//
// The input is written to an anonymous in-memory file (memfd) and loaded through its
// /proc/self/fd path, so no disk is touched. Contract (a violation aborts): the status is
// HOMOPT_OK (then the handle is valid, its step count ≤ 2^53, and it is destroyed) or
// HOMOPT_FILE_ERROR with a non-empty message; never another status, a crash or a leak.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "checkpoint_mutator.hpp"
#include "homopt.h"

namespace {
[[noreturn]] void contract_broken(const char* what, const char* detail) {
  std::fprintf(stderr, "fuzz_c_abi_load: %s: %s\n", what, detail);
  std::abort();
}

/// An in-memory file holding the input, reachable by path.
class MemoryFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t size) {
    fd_ = ::memfd_create("homopt-fuzz", MFD_CLOEXEC);
    if (fd_ < 0) contract_broken("memfd_create", std::strerror(errno));
    std::size_t written = 0;
    while (written < size) {
      const ssize_t n = ::write(fd_, data + written, size - written);
      if (n <= 0) contract_broken("write", std::strerror(errno));
      written += static_cast<std::size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  const char* path() const { return path_.c_str(); }

 private:
  int fd_ = -1;
  std::string path_;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const MemoryFile file(data, size);
  homopt_optimizer* optimizer = nullptr;
  const int status = homopt_optimizer_load(file.path(), &optimizer);
  if (status == HOMOPT_OK) {
    if (optimizer == nullptr) contract_broken("load", "HOMOPT_OK without a handle");
    std::uint64_t step_count = 0;
    if (homopt_optimizer_step_count(optimizer, &step_count) != HOMOPT_OK) contract_broken("step count", homopt_last_error());
    if (step_count > (std::uint64_t(1) << 53)) contract_broken("step count", "above 2^53");
    if (homopt_optimizer_destroy(optimizer) != HOMOPT_OK) contract_broken("destroy", homopt_last_error());
  } else if (status == HOMOPT_FILE_ERROR) {
    if (optimizer != nullptr) contract_broken("load", "a handle despite HOMOPT_FILE_ERROR");
    if (std::strlen(homopt_last_error()) == 0) contract_broken("load", "HOMOPT_FILE_ERROR without a message");
  } else {
    contract_broken(homopt_status_name(status), homopt_last_error());
  }
  return 0;
}
