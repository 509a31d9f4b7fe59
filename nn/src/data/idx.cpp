#include "homopt/data/idx.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "homopt/error.hpp"

namespace homopt::data {

namespace {

constexpr std::uint32_t images_magic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t labels_magic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr std::uint64_t max_side = 1u << 16;         // plausibility limits for sizes
constexpr std::uint64_t max_bytes = std::uint64_t(1) << 34;

bool is_regular_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

/// A gzip (or plain) file read strictly sequentially; every failure names the path.
class IdxStream {
 public:
  explicit IdxStream(const std::string& path) : path_(path) {
    if (!is_regular_file(path)) fail("no such file (or not a regular file)");
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) fail(std::string("cannot open file (") + std::strerror(errno) + ")");
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;
  ~IdxStream() {
    if (file_ != nullptr) gzclose(file_);
  }

  [[noreturn]] void fail(const std::string& what) const { throw FileError(path_ + ": " + what); }

  /// Reads up to `count` bytes into `out`; returns how many were read (fewer only at the end).
  std::size_t read_some(std::uint8_t* out, std::size_t count) {
    std::size_t done = 0;
    while (done < count) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(count - done, 1u << 30));
      const int n = gzread(file_, out + done, chunk);
      if (n < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        fail(std::string("corrupt or unreadable file (") + message + ")");
      }
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

  std::uint32_t big_endian_u32(const char* what) {
    std::uint8_t bytes[4];
    if (read_some(bytes, 4) != 4) fail(std::string("truncated file (ends inside the ") + what + ")");
    return (std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) | (std::uint32_t(bytes[2]) << 8) |
           std::uint32_t(bytes[3]);
  }

  /// Reads exactly `count` bytes (growing `out` as data arrives, so that a corrupt header
  /// claiming a huge size cannot allocate more than the file holds), then checks that
  /// nothing follows and that a gzip stream ended properly.
  void read_body(std::vector<std::uint8_t>& out, std::uint64_t count, const char* what) {
    out.clear();
    const std::size_t step = std::size_t(1) << 24;
    while (out.size() < count) {
      const std::size_t before = out.size();
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(step, count - before));
      out.resize(before + want);
      const std::size_t got = read_some(out.data() + before, want);
      if (got < want)
        fail("truncated file (expected " + std::to_string(count) + " bytes of " + what + ", found " +
             std::to_string(before + got) + ")");
    }
    std::uint8_t extra;
    if (read_some(&extra, 1) != 0) fail("unexpected trailing data after the " + std::string(what));
    const int status = gzclose(file_);
    file_ = nullptr;
    if (status != Z_OK) fail("truncated or corrupt gzip stream");
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

}  // namespace

Images read_idx_images(const std::string& path) {
  IdxStream in(path);
  const std::uint32_t magic = in.big_endian_u32("header");
  if (magic != images_magic)
    in.fail("not an IDX image file (magic number " + hex(magic) + ", expected " + hex(images_magic) + ")");
  Images images;
  images.count = in.big_endian_u32("header");
  images.rows = in.big_endian_u32("header");
  images.cols = in.big_endian_u32("header");
  if (images.rows == 0 || images.cols == 0 || images.rows > max_side || images.cols > max_side)
    in.fail("implausible image size " + std::to_string(images.rows) + "x" + std::to_string(images.cols));
  const std::uint64_t bytes = std::uint64_t(images.count) * images.rows * images.cols;
  if (bytes > max_bytes) in.fail("implausible image count " + std::to_string(images.count));
  in.read_body(images.pixels, bytes, "pixels");
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path, unsigned classes) {
  IdxStream in(path);
  const std::uint32_t magic = in.big_endian_u32("header");
  if (magic != labels_magic)
    in.fail("not an IDX label file (magic number " + hex(magic) + ", expected " + hex(labels_magic) + ")");
  const std::uint32_t count = in.big_endian_u32("header");
  std::vector<std::uint8_t> labels;
  in.read_body(labels, count, "labels");
  for (std::size_t k = 0; k < labels.size(); ++k)
    if (labels[k] >= classes)
      in.fail("label " + std::to_string(labels[k]) + " of sample " + std::to_string(k) +
              " is out of range (expected 0.." + std::to_string(classes - 1) + ")");
  return labels;
}

LabeledImages read_labeled_images(const std::string& images_path, const std::string& labels_path,
                                  unsigned classes) {
  LabeledImages set;
  set.images = read_idx_images(images_path);
  set.labels = read_idx_labels(labels_path, classes);
  if (set.labels.size() != set.images.count)
    throw FileError(labels_path + ": holds " + std::to_string(set.labels.size()) + " labels but " + images_path +
                    " holds " + std::to_string(set.images.count) + " images");
  return set;
}

std::string find_idx_file(const std::string& directory, const std::string& stem) {
  const std::string plain = directory + "/" + stem;
  if (is_regular_file(plain + ".gz")) return plain + ".gz";
  if (is_regular_file(plain)) return plain;
  throw FileError(plain + ".gz: no such file (nor " + plain + ")");
}

Dataset read_mnist_directory(const std::string& directory, unsigned classes) {
  struct stat info {};
  if (::stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    throw FileError(directory + ": no such data directory");
  Dataset dataset;
  dataset.train = read_labeled_images(find_idx_file(directory, "train-images-idx3-ubyte"),
                                      find_idx_file(directory, "train-labels-idx1-ubyte"), classes);
  dataset.test = read_labeled_images(find_idx_file(directory, "t10k-images-idx3-ubyte"),
                                     find_idx_file(directory, "t10k-labels-idx1-ubyte"), classes);
  const Images& a = dataset.train.images;
  const Images& b = dataset.test.images;
  if (a.rows != b.rows || a.cols != b.cols)
    throw FileError(directory + ": training images are " + std::to_string(a.rows) + "x" + std::to_string(a.cols) +
                    " but test images are " + std::to_string(b.rows) + "x" + std::to_string(b.cols));
  return dataset;
}

const char* default_data_directory() { return "/usr/share/datasets/fashion-mnist"; }

LabeledImages first_samples(const LabeledImages& set, uword count) {
  const uword kept = std::min(count, set.size());
  LabeledImages subset;
  subset.images.count = kept;
  subset.images.rows = set.images.rows;
  subset.images.cols = set.images.cols;
  const uword pixels = kept * set.images.rows * set.images.cols;
  subset.images.pixels.assign(set.images.pixels.begin(), set.images.pixels.begin() + pixels);
  subset.labels.assign(set.labels.begin(), set.labels.begin() + kept);
  return subset;
}

}  // namespace homopt::data
