// homopt — binary checkpoint container (used by Optimizer::save/load).
//
// File layout (all integers little-endian, reals IEEE-754 binary64 little-endian):
//   bytes 0..7   magic "HOMOPTCK"
//   uint32       format version (checkpoint_format_version)
//   uint64       payload length L
//   L bytes      payload
//   uint32       CRC-32 (zlib) of the payload
// Payload of format 1:
//   string method name; uint32 K; K × (string key, real value)   hyperparameters
//   string retraction ("cayley" | "geodesic"); uint64 step count t
//   uint32 P parameters, each: string manifold name; uint32 S; S × uint64 shape parameters;
//                              matrix list (section state); matrix list (method state)
// Payload of format 2 (written only by an optimizer with SectionPolicy::redraw): format 1
// with, right after the step count t, string section policy ("redraw") and uint64 redraw seed.
//   string = uint32 length + bytes; matrix list = uint32 count + count × (uint64 rows,
//   uint64 cols, rows·cols reals column-major).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "homopt/types.hpp"

namespace homopt {

/// Newest format version; this library reads versions 1 to checkpoint_format_version and
/// writes the oldest one that holds the optimizer (1 unless SectionPolicy::redraw).
constexpr std::uint32_t checkpoint_format_version = 2;
/// Bytes before the payload: magic (8), version (4), payload length (8).
constexpr std::size_t checkpoint_header_size = 20;
/// Bytes after the payload: CRC-32 (4).
constexpr std::size_t checkpoint_trailer_size = 4;
/// Largest step count a checkpoint may hold: 2^53. Steps compute t + 1 and use t as a real
/// (pow(β, t) in Adam's bias correction, the decay schedule); every integer up to 2^53 is
/// exact in binary64, so t and t + 1 stay distinct and exact.
constexpr std::uint64_t max_checkpoint_step_count = std::uint64_t(1) << 53;

/// Appends little-endian primitive values to a byte string.
class BinaryWriter {
 public:
  void u32(std::uint32_t value);
  void u64(std::uint64_t value);
  void f64(real value);
  void string(const std::string& value);
  void matrix(const Mat& value);
  void matrices(const std::vector<Mat>& values);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

/// Reads what BinaryWriter wrote; every read is bounds-checked and throws FileError
/// (naming `origin`) on truncated or implausible data.
class BinaryReader {
 public:
  BinaryReader(const std::string& bytes, std::string origin);
  std::uint32_t u32();
  std::uint64_t u64();
  real f64();
  std::string string();
  Mat matrix();
  std::vector<Mat> matrices();
  bool at_end() const { return position_ == bytes_.size(); }
  /// Bytes not read yet: the budget every declared size is checked against.
  std::size_t remaining() const { return bytes_.size() - position_; }
  /// Throws FileError("<origin>: <what>").
  [[noreturn]] void fail(const std::string& what) const;

 private:
  void need(std::size_t count);
  const std::string& bytes_;
  std::string origin_;
  std::size_t position_ = 0;
};

/// Wraps a payload in the container (magic, format version, length, CRC-32).
std::string seal_checkpoint(const std::string& payload, std::uint32_t format_version = 1);
/// Checks the 20-byte header of a file of `file_size` bytes (magic, a version in
/// 1..checkpoint_format_version, and that the declared payload length L satisfies
/// file_size = 20 + L + 4) and returns L; FileError naming `origin` otherwise. `header`
/// must hold min(file_size, 20) bytes. The version is stored in `*format_version` if given.
std::uint64_t checked_payload_length(const std::string& header, std::uint64_t file_size,
                                     const std::string& origin, std::uint32_t* format_version = nullptr);
/// Checks magic, version, length and CRC-32 and returns the payload (FileError otherwise);
/// the format version is stored in `*format_version` if given.
std::string open_checkpoint(const std::string& file_bytes, const std::string& origin,
                            std::uint32_t* format_version = nullptr);

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed and
/// fsync'ed, then renamed over `path`. On failure the temporary file is removed and
/// `path` is untouched (FileError). Only a regular file is replaced: a directory, device,
/// FIFO, socket or symbolic link at `path` is refused (FileError naming the path, checked
/// with lstat before writing and again before the rename). The temporary is
/// PATH.tmp.PID.N; an empty path or one holding a NUL byte is an InvalidArgument.
void write_file_atomically(const std::string& path, const std::string& bytes);
/// Throws InvalidArgument naming `argument` if `path` is empty or holds a NUL byte (the
/// operating system reads a path only up to its first NUL: "/tmp/a\0b" would be /tmp/a).
void require_usable_path(const std::string& path, const std::string& argument = "path");
/// Removes, in `directory`, the temporaries write_file_atomically left behind in processes
/// that were killed: regular files named BASE.tmp.PID.N whose PID is no running process
/// (nothing of a live process, nor any other name, is touched). Returns the removed paths.
std::vector<std::string> remove_stale_temporaries(const std::string& directory);
/// Reads a whole regular file (FileError naming the path if it cannot be read). Devices,
/// FIFOs and directories are refused before anything is read (/dev/zero would never end),
/// and no more than the size fstat reports at opening is read.
std::string read_file(const std::string& path);
/// Reads a checkpoint file in two steps, so that a foreign or inconsistent file costs at
/// most 20 bytes of reading: the header first (checked_payload_length against the file's
/// size), then exactly the declared L + 4 bytes. Returns the whole file (for
/// open_checkpoint, which also checks the CRC). Non-regular files are refused.
std::string read_checkpoint_file(const std::string& path);

}  // namespace homopt
