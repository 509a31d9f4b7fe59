#include "homopt/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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
constexpr std::size_t header_size = sizeof(magic) + 4 + 8;
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
  const std::size_t remaining = bytes_.size() - position_;
  if (rows > remaining / 8 || (rows > 0 && cols > remaining / 8 / rows)) fail("matrix size exceeds the file");
  Mat value(rows, cols);
  for (uword k = 0; k < value.n_elem; ++k) value[k] = f64();
  return value;
}
std::vector<Mat> BinaryReader::matrices() {
  const std::uint32_t count = u32();
  if (count > 64) fail("implausible number of matrices");
  std::vector<Mat> values;
  for (std::uint32_t k = 0; k < count; ++k) values.push_back(matrix());
  return values;
}

// ---------------------------------------------------------------- container

std::string seal_checkpoint(const std::string& payload) {
  std::string file(magic, sizeof magic);
  append_little_endian<std::uint32_t>(file, checkpoint_format_version);
  append_little_endian<std::uint64_t>(file, payload.size());
  file += payload;
  append_little_endian<std::uint32_t>(file, crc32_of(payload));
  return file;
}

std::string open_checkpoint(const std::string& file, const std::string& origin) {
  if (file.size() < sizeof magic || std::memcmp(file.data(), magic, sizeof magic) != 0)
    throw FileError(origin + ": not a homopt checkpoint (bad magic bytes)");
  if (file.size() < header_size) throw FileError(origin + ": truncated checkpoint header");
  const auto version = parse_little_endian<std::uint32_t>(file, sizeof magic);
  if (version != checkpoint_format_version)
    throw FileError(origin + ": unsupported checkpoint format version " + std::to_string(version) +
                    " (this library reads version " + std::to_string(checkpoint_format_version) + ")");
  const auto length = parse_little_endian<std::uint64_t>(file, sizeof magic + 4);
  if (file.size() < header_size || length != file.size() - header_size - 4)
    throw FileError(origin + ": truncated checkpoint (length does not match the file size)");
  std::string payload = file.substr(header_size, length);
  if (crc32_of(payload) != parse_little_endian<std::uint32_t>(file, header_size + length))
    throw FileError(origin + ": checksum mismatch (corrupted checkpoint)");
  return payload;
}

// ---------------------------------------------------------------- files

void write_file_atomically(const std::string& path, const std::string& bytes) {
  static std::atomic<unsigned> counter{0};
  const std::string temporary =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw FileError(path + ": cannot create file (" + std::strerror(errno) + ")");
  std::size_t written = 0;
  bool ok = true;
  while (ok && written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  const int saved_errno = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = ok ? errno : saved_errno;
    ::unlink(temporary.c_str());
    throw FileError(path + ": cannot write file (" + std::strerror(error) + ")");
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot open file for reading");
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw FileError(path + ": read error");
  return contents.str();
}

}  // namespace homopt
