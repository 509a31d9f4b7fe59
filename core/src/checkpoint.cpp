#include "homopt/checkpoint.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "homopt/error.hpp"

namespace homopt {

namespace {
constexpr char magic[8] = {'H', 'O', 'M', 'O', 'P', 'T', 'C', 'K'};

template <typename T>
void append_little_endian(std::string& out, T value) {
  for (std::size_t k = 0; k < sizeof(T); ++k) out.push_back(static_cast<char>((value >> (8 * k)) & 0xFF));
}
template <typename T>
T parse_little_endian(const std::string& bytes, std::size_t at) {
  T value = 0;
  for (std::size_t k = 0; k < sizeof(T); ++k)
    value |= static_cast<T>(static_cast<unsigned char>(bytes[at + k])) << (8 * k);
  return value;
}
std::uint32_t crc32_of(const std::string& bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* data = reinterpret_cast<const Bytef*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {  // zlib's length is a uInt: feed large payloads in chunks
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, data, chunk);
    data += chunk;
    left -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}
static_assert(checkpoint_header_size == sizeof(magic) + 4 + 8, "magic, version, length");
}  // namespace

// ---------------------------------------------------------------- writer

void BinaryWriter::u32(std::uint32_t value) { append_little_endian(bytes_, value); }
void BinaryWriter::u64(std::uint64_t value) { append_little_endian(bytes_, value); }
void BinaryWriter::f64(real value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  u64(bits);
}
void BinaryWriter::string(const std::string& value) {
  u32(static_cast<std::uint32_t>(value.size()));
  bytes_ += value;
}
void BinaryWriter::matrix(const Mat& value) {
  u64(value.n_rows);
  u64(value.n_cols);
  for (uword k = 0; k < value.n_elem; ++k) f64(value[k]);
}
void BinaryWriter::matrices(const std::vector<Mat>& values) {
  u32(static_cast<std::uint32_t>(values.size()));
  for (const Mat& value : values) matrix(value);
}

// ---------------------------------------------------------------- reader

BinaryReader::BinaryReader(const std::string& bytes, std::string origin)
    : bytes_(bytes), origin_(std::move(origin)) {}

void BinaryReader::fail(const std::string& what) const {
  throw FileError(origin_ + ": " + what);
}
void BinaryReader::need(std::size_t count) {
  if (count > bytes_.size() - position_) fail("truncated or corrupt data");
}
std::uint32_t BinaryReader::u32() {
  need(4);
  const auto value = parse_little_endian<std::uint32_t>(bytes_, position_);
  position_ += 4;
  return value;
}
std::uint64_t BinaryReader::u64() {
  need(8);
  const auto value = parse_little_endian<std::uint64_t>(bytes_, position_);
  position_ += 8;
  return value;
}
real BinaryReader::f64() {
  const std::uint64_t bits = u64();
  real value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
std::string BinaryReader::string() {
  const std::uint32_t length = u32();
  need(length);
  std::string value = bytes_.substr(position_, length);
  position_ += length;
  return value;
}
Mat BinaryReader::matrix() {
  const std::uint64_t rows = u64(), cols = u64();
  // rows·cols reals must fit in the bytes that remain (checked without overflow) before
  // anything is allocated.
  const std::size_t reals_left = remaining() / sizeof(real);
  if (rows > 0 && cols > 0 && (rows > reals_left || cols > reals_left / rows))
    fail("matrix size exceeds the file");
  if (rows > std::numeric_limits<uword>::max() / 2 || cols > std::numeric_limits<uword>::max() / 2)
    fail("implausible matrix size");
  Mat value(rows, cols, arma::fill::none);
  for (uword k = 0; k < value.n_elem; ++k) value[k] = f64();
  return value;
}
std::vector<Mat> BinaryReader::matrices() {
  const std::uint32_t count = u32();
  // Each matrix takes at least 16 bytes (its two sizes).
  if (count > 64 || count > remaining() / 16) fail("implausible number of matrices");
  std::vector<Mat> values;
  for (std::uint32_t k = 0; k < count; ++k) values.push_back(matrix());
  return values;
}

// ---------------------------------------------------------------- container

std::string seal_checkpoint(const std::string& payload, std::uint32_t format_version) {
  std::string file(magic, sizeof magic);
  append_little_endian<std::uint32_t>(file, format_version);
  append_little_endian<std::uint64_t>(file, payload.size());
  file += payload;
  append_little_endian<std::uint32_t>(file, crc32_of(payload));
  return file;
}

std::uint64_t checked_payload_length(const std::string& header, std::uint64_t file_size,
                                     const std::string& origin, std::uint32_t* format_version) {
  if (header.size() < sizeof magic || std::memcmp(header.data(), magic, sizeof magic) != 0)
    throw FileError(origin + ": not a homopt checkpoint (bad magic bytes)");
  if (header.size() < checkpoint_header_size) throw FileError(origin + ": truncated checkpoint header");
  const auto version = parse_little_endian<std::uint32_t>(header, sizeof magic);
  if (version < 1 || version > checkpoint_format_version)
    throw FileError(origin + ": unsupported checkpoint format version " + std::to_string(version) +
                    " (this library reads versions 1 to " + std::to_string(checkpoint_format_version) + ")");
  if (format_version != nullptr) *format_version = version;
  const auto length = parse_little_endian<std::uint64_t>(header, sizeof magic + 4);
  const std::uint64_t framing = checkpoint_header_size + checkpoint_trailer_size;
  if (file_size < framing || length != file_size - framing)
    throw FileError(origin + ": truncated checkpoint (length does not match the file size)");
  return length;
}

std::string open_checkpoint(const std::string& file, const std::string& origin,
                            std::uint32_t* format_version) {
  const std::uint64_t length =
      checked_payload_length(file.substr(0, checkpoint_header_size), file.size(), origin, format_version);
  std::string payload = file.substr(checkpoint_header_size, length);
  if (crc32_of(payload) != parse_little_endian<std::uint32_t>(file, checkpoint_header_size + length))
    throw FileError(origin + ": checksum mismatch (corrupted checkpoint)");
  return payload;
}

// ---------------------------------------------------------------- files

namespace {

/// The temporary-file suffix of write_file_atomically: PATH.tmp.PID.N (N counts the writes
/// of this process), so that concurrent writers never share a temporary and a leftover one
/// names the process that made it.
constexpr const char temporary_marker[] = ".tmp.";

std::string temporary_path_for(const std::string& path) {
  static std::atomic<unsigned long> counter{0};
  return path + temporary_marker + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

/// What sits at a path that must not be replaced ("" for a regular file).
std::string non_regular_kind(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISLNK(mode)) return "a symbolic link (save to the file it points to instead)";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

/// FileError naming `path` unless nothing or a regular file is there. lstat, not stat: a
/// symbolic link is refused rather than replaced by a regular file (rename replaces the
/// link itself, which would silently detach it from its target).
void require_replaceable(const std::string& path) {
  struct stat status;
  if (::lstat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return;  // a new file
    throw FileError(path + ": cannot inspect the destination (" + std::strerror(errno) + ")");
  }
  const std::string kind = non_regular_kind(status.st_mode);
  if (!kind.empty()) throw FileError(path + ": refusing to replace " + kind + "; only a regular file is replaced");
}

/// Writes all of `bytes` to `fd` and fsyncs it; returns 0 or the errno of the failure.
int write_and_sync(int fd, const std::string& bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    written += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0 ? 0 : errno;
}

/// Whether `text` is a decimal number of 1 to 19 digits.
bool is_decimal(const std::string& text) {
  return !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos;
}

/// Whether `name` is write_file_atomically's leftover of a process that no longer runs:
/// BASE.tmp.PID.N with BASE non-empty, PID and N decimal, PID not this process and not alive
/// (kill(PID, 0) fails with ESRCH). A live PID (even one reused by another program) keeps
/// its file.
bool is_stale_temporary(const std::string& name) {
  const std::size_t count_dot = name.rfind('.');
  if (count_dot == std::string::npos || count_dot == 0) return false;
  const std::size_t pid_dot = name.rfind('.', count_dot - 1);
  const std::size_t marker_size = sizeof temporary_marker - 1;  // ".tmp."
  if (pid_dot == std::string::npos || pid_dot + 1 < marker_size + 1) return false;
  const std::size_t marker = pid_dot + 1 - marker_size;
  if (name.compare(marker, marker_size, temporary_marker) != 0) return false;
  const std::string pid_text = name.substr(pid_dot + 1, count_dot - pid_dot - 1);
  if (!is_decimal(pid_text) || !is_decimal(name.substr(count_dot + 1))) return false;
  const unsigned long long pid = std::stoull(pid_text);
  if (pid == 0 || pid > static_cast<unsigned long long>(std::numeric_limits<pid_t>::max())) return false;
  if (static_cast<pid_t>(pid) == ::getpid()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

void require_usable_path(const std::string& path, const std::string& argument) {
  if (path.empty()) throw InvalidArgument(argument, "empty path");
  const std::size_t nul = path.find('\0');
  if (nul != std::string::npos)
    throw InvalidArgument(argument, "\"" + path.substr(0, nul) + "\\0...\" holds a NUL byte at position " +
                                        std::to_string(nul) + " (the system would silently use the path up to it)");
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  require_usable_path(path, "path");
  require_replaceable(path);
  const std::string temporary = temporary_path_for(path);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw FileError(path + ": cannot create file (" + std::strerror(errno) + ")");
  int error = write_and_sync(fd, bytes);
  if (::close(fd) != 0 && error == 0) error = errno;
  // Checked again just before the rename: the destination may have changed meanwhile.
  try {
    if (error == 0) require_replaceable(path);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw FileError(path + ": cannot write file (" + std::strerror(error) + ")");
  }
}

std::vector<std::string> remove_stale_temporaries(const std::string& directory) {
  require_usable_path(directory, "directory");
  std::vector<std::string> removed;
  std::error_code error;
  std::filesystem::directory_iterator entries(directory, error);
  if (error) throw FileError(directory + ": cannot list directory (" + error.message() + ")");
  for (const auto& entry : entries) {
    std::error_code ignored;  // a file that vanished meanwhile is not an error
    if (!is_stale_temporary(entry.path().filename().string()) || !entry.is_regular_file(ignored)) continue;
    if (std::filesystem::remove(entry.path(), error)) removed.push_back(entry.path().string());
    if (error) throw FileError(entry.path().string() + ": cannot remove stale temporary file (" + error.message() + ")");
  }
  return removed;
}

namespace {
/// An open, regular file: refuses devices (/dev/zero), FIFOs and directories before any read.
class RegularFileReader {
 public:
  /// `refusal` starts the message for anything but a regular file.
  RegularFileReader(const std::string& path, const char* refusal) : path_(path) {
    require_usable_path(path, "path");
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd_ < 0) throw FileError(path + ": cannot open file for reading (" + std::strerror(errno) + ")");
    struct stat status;
    if (::fstat(fd_, &status) != 0) {
      const int error = errno;
      ::close(fd_);
      throw FileError(path + ": cannot read file status (" + std::strerror(error) + ")");
    }
    if (!S_ISREG(status.st_mode)) {
      ::close(fd_);
      throw FileError(path + ": " + refusal + " (not a regular file: a device, FIFO or directory)");
    }
    size_ = static_cast<std::uint64_t>(status.st_size);
  }
  RegularFileReader(const RegularFileReader&) = delete;
  RegularFileReader& operator=(const RegularFileReader&) = delete;
  ~RegularFileReader() { ::close(fd_); }

  /// Size in bytes when the file was opened.
  std::uint64_t size() const { return size_; }

  /// Appends up to `count` bytes to `out`; stops early only at the end of the file.
  void read_up_to(std::uint64_t count, std::string& out) {
    const std::size_t start = out.size();
    out.resize(start + count);
    std::size_t done = 0;
    while (done < count) {
      const ssize_t n = ::read(fd_, &out[start + done], count - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw FileError(path_ + ": read error (" + std::strerror(errno) + ")");
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(start + done);
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};
}  // namespace

std::string read_file(const std::string& path) {
  RegularFileReader file(path, "cannot read this file");
  std::string bytes;
  file.read_up_to(file.size(), bytes);
  return bytes;
}

std::string read_checkpoint_file(const std::string& path) {
  RegularFileReader file(path, "not a homopt checkpoint");
  std::string bytes;
  file.read_up_to(checkpoint_header_size, bytes);
  const std::uint64_t length = checked_payload_length(bytes, file.size(), path);
  file.read_up_to(length + checkpoint_trailer_size, bytes);
  if (bytes.size() != file.size())
    throw FileError(path + ": truncated checkpoint (the file changed while it was read)");
  return bytes;
}

}  // namespace homopt
