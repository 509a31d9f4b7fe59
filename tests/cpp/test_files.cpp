// Files written by homopt: save replaces only a regular file, paths with a NUL byte are
// refused, and the temporaries of killed writers can be cleaned up (issue 12, section 6).
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "homopt/checkpoint.hpp"
#include "test_helpers.hpp"

using namespace homopt;
namespace fs = std::filesystem;

namespace {

/// A fresh empty folder under the system temp dir, removed with its contents at scope exit.
class ScratchFolder {
 public:
  ScratchFolder()
      : path_(fs::temp_directory_path() / ("homopt-files-" + std::to_string(::getpid()) + "-" +
                                           std::to_string(counter_++))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  /// Names of the entries, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> result;
    for (const auto& entry : fs::directory_iterator(path_)) result.push_back(entry.path().filename().string());
    std::sort(result.begin(), result.end());
    return result;
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

/// The pid of a process that has exited (a child that was waited for).
pid_t finished_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

/// lstat's file type bits of `path` (0 if nothing is there).
mode_t file_type(const fs::path& path) {
  struct stat status;
  return ::lstat(path.c_str(), &status) == 0 ? (status.st_mode & S_IFMT) : 0;
}

}  // namespace

TEST_CASE("write_file_atomically refuses to replace a directory, FIFO, symbolic link or device", "[files][errors]") {
  ScratchFolder folder;
  const fs::path directory = folder / "a-directory", fifo = folder / "a-fifo", link = folder / "a-link",
                 target = folder / "link-target", device = folder / "a-device";
  fs::create_directory(directory);
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  write_text(target, "target");
  fs::create_symlink(target, link);
  const bool have_device = ::mknod(device.c_str(), S_IFCHR | 0644, makedev(1, 3)) == 0;  // root only

  CHECK_THROWS_MATCHES(write_file_atomically(directory.string(), "x"), FileError,
                       Catch::Message(directory.string() + ": refusing to replace a directory; only a regular file is replaced"));
  CHECK_THROWS_MATCHES(write_file_atomically(fifo.string(), "x"), FileError,
                       Catch::Message(fifo.string() + ": refusing to replace a FIFO; only a regular file is replaced"));
  CHECK_THROWS_WITH(write_file_atomically(link.string(), "x"),
                    Catch::StartsWith(link.string() + ": refusing to replace a symbolic link"));
  if (have_device)
    CHECK_THROWS_MATCHES(write_file_atomically(device.string(), "x"), FileError,
                         Catch::Message(device.string() + ": refusing to replace a device; only a regular file is replaced"));
  // Everything is as it was, and no temporary is left behind.
  CHECK(file_type(directory) == S_IFDIR);
  CHECK(file_type(fifo) == S_IFIFO);
  CHECK(file_type(link) == S_IFLNK);
  CHECK(read_file(target.string()) == "target");
  if (have_device) CHECK(file_type(device) == S_IFCHR);
  std::vector<std::string> expected = {"a-directory", "a-fifo", "a-link", "link-target"};
  if (have_device) expected.insert(expected.begin() + 0, "a-device");
  std::sort(expected.begin(), expected.end());
  CHECK(folder.names() == expected);

  // Optimizer::save goes through the same check; a regular file and a new path are fine.
  Optimizer optimizer{Gradient()};
  optimizer.add(Euclidean(2, 1), Mat(2, 1, arma::fill::ones));
  CHECK_THROWS_AS(optimizer.save(fifo.string()), FileError);
  CHECK(file_type(fifo) == S_IFIFO);
  write_text(folder / "old.homopt", "old contents");
  optimizer.save((folder / "old.homopt").string());
  optimizer.save((folder / "new.homopt").string());
  CHECK(Optimizer::load((folder / "old.homopt").string()).to_bytes() == optimizer.to_bytes());
  CHECK(Optimizer::load((folder / "new.homopt").string()).to_bytes() == optimizer.to_bytes());
}

TEST_CASE("Paths with an embedded NUL byte or empty paths are refused naming the argument", "[files][errors]") {
  ScratchFolder folder;
  const std::string prefix = (folder / "a").string();
  const std::string with_nul = prefix + std::string(1, '\0') + "b";
  REQUIRE(with_nul.size() == prefix.size() + 2);
  Optimizer optimizer{Gradient()};
  optimizer.add(Euclidean(1, 1), Mat(1, 1, arma::fill::ones));

  CHECK_THROWS_MATCHES(write_file_atomically(with_nul, "x"), InvalidArgument,
                       Catch::Predicate<InvalidArgument>([](const InvalidArgument& e) { return e.argument() == "path"; }));
  CHECK_THROWS_WITH(optimizer.save(with_nul), Catch::Contains("NUL byte at position " + std::to_string(prefix.size())));
  CHECK_THROWS_AS(optimizer.save(""), InvalidArgument);
  CHECK(folder.names().empty());  // nothing saved to the path before the NUL

  optimizer.save(prefix);  // "a" exists now: reading through the NUL must not find it
  CHECK_THROWS_AS(read_file(with_nul), InvalidArgument);
  CHECK_THROWS_AS(Optimizer::load(with_nul), InvalidArgument);
  CHECK_THROWS_AS(Optimizer::load(""), InvalidArgument);
  CHECK(Optimizer::load(prefix).step_count() == 0);
}

TEST_CASE("remove_stale_temporaries removes only the temporaries of processes that are gone", "[files]") {
  ScratchFolder folder;
  const std::string dead = std::to_string(finished_pid());
  REQUIRE(::kill(std::stoi(dead), 0) != 0);
  const std::string self = std::to_string(::getpid());
  const std::vector<std::string> stale = {"run.checkpoint.tmp." + dead + ".0", "metrics.csv.tmp." + dead + ".17"};
  const std::vector<std::string> kept_files = {
      "run.checkpoint",                   // the real file
      "run.run.tmp." + self + ".3",       // this process is alive (it may be writing it)
      "run.run.tmp.1.0",                  // pid 1 is alive
      ".tmp." + dead + ".0",              // no base name
      "notes.tmp.txt",                    // not our pattern
      "run.run.tmp." + dead + ".x",       // counter not decimal
      "run.run.tmp.+" + dead + ".0",      // pid not decimal
      "run.run.tmp." + dead,              // no counter
      "run.run.tmp" + dead + ".0",        // no marker
      "run.run.tmp.99999999999999999999.0"};  // pid out of range
  for (const std::string& name : stale) write_text(folder / name, "partial");
  for (const std::string& name : kept_files) write_text(folder / name, "keep");
  fs::create_directory(folder / ("a-directory.tmp." + dead + ".0"));  // not a regular file: kept

  std::vector<std::string> removed = remove_stale_temporaries(folder.path().string());
  std::sort(removed.begin(), removed.end());
  std::vector<std::string> expected;
  for (const std::string& name : stale) expected.push_back((folder / name).string());
  std::sort(expected.begin(), expected.end());
  CHECK(removed == expected);
  std::vector<std::string> left = kept_files;
  left.push_back("a-directory.tmp." + dead + ".0");
  std::sort(left.begin(), left.end());
  CHECK(folder.names() == left);
  CHECK(remove_stale_temporaries(folder.path().string()).empty());  // idempotent
  CHECK_THROWS_AS(remove_stale_temporaries((folder / "missing").string()), FileError);
}
