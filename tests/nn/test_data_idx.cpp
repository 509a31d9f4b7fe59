// IDX reader (plain and gzip) and the paper's patch layout.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "homopt/data/idx.hpp"
#include "homopt/data/patches.hpp"
#include "homopt/error.hpp"

namespace data = homopt::data;
using homopt::FileError;

namespace {

/// A fresh temporary directory, removed at the end of the test.
struct TemporaryDirectory {
  std::filesystem::path path;
  TemporaryDirectory() {
    path = std::filesystem::temp_directory_path() / ("homopt-idx-" + std::to_string(::getpid()) + "-" +
                                                     std::to_string(counter()++));
    std::filesystem::create_directories(path);
  }
  ~TemporaryDirectory() { std::filesystem::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int value = 0;
    return value;
  }
};

void append_u32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

/// IDX3 bytes of `count` images rows×cols with pixel (k, r, c) = (7k + 3r + c) mod 256.
std::string image_file(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  std::string bytes;
  append_u32(bytes, 0x00000803);
  append_u32(bytes, count);
  append_u32(bytes, rows);
  append_u32(bytes, cols);
  for (std::uint32_t k = 0; k < count; ++k)
    for (std::uint32_t r = 0; r < rows; ++r)
      for (std::uint32_t c = 0; c < cols; ++c) bytes.push_back(static_cast<char>((7 * k + 3 * r + c) % 256));
  return bytes;
}

std::string label_file(const std::vector<std::uint8_t>& labels) {
  std::string bytes;
  append_u32(bytes, 0x00000801);
  append_u32(bytes, static_cast<std::uint32_t>(labels.size()));
  bytes.append(labels.begin(), labels.end());
  return bytes;
}

void write_plain(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("IDX files are read alike from plain and gzip files", "[data][idx]") {
  TemporaryDirectory dir;
  write_plain(dir / "images", image_file(3, 4, 5));
  write_gzip(dir / "images.gz", image_file(3, 4, 5));
  write_gzip(dir / "labels.gz", label_file({9, 0, 4}));
  for (const std::string name : {"images", "images.gz"}) {
    const data::Images images = data::read_idx_images(dir / name);
    REQUIRE(images.count == 3);
    REQUIRE(images.rows == 4);
    REQUIRE(images.cols == 5);
    CHECK(images.image(2)[1 * 5 + 3] == (7 * 2 + 3 * 1 + 3));
    CHECK(images.image(0)[0] == 0);
  }
  const data::LabeledImages set = data::read_labeled_images(dir / "images.gz", dir / "labels.gz");
  CHECK(set.labels == std::vector<std::uint8_t>{9, 0, 4});
  const data::LabeledImages first = data::first_samples(set, 2);
  CHECK(first.size() == 2);
  CHECK(first.labels == std::vector<std::uint8_t>{9, 0});
  CHECK(first.images.pixels.size() == 2 * 4 * 5);
}

TEST_CASE("IDX reader reports missing, truncated and corrupt files naming them", "[data][idx]") {
  TemporaryDirectory dir;
  const std::string good = image_file(2, 3, 3);
  SECTION("missing") {
    CHECK_THROWS_WITH(data::read_idx_images(dir / "nothing"), Catch::Contains(dir / "nothing") && Catch::Contains("no such file"));
  }
  SECTION("truncated plain") {
    write_plain(dir / "cut", good.substr(0, good.size() - 1));
    CHECK_THROWS_WITH(data::read_idx_images(dir / "cut"), Catch::Contains(dir / "cut") && Catch::Contains("truncated"));
  }
  SECTION("truncated header") {
    write_plain(dir / "cut", good.substr(0, 6));
    CHECK_THROWS_WITH(data::read_idx_images(dir / "cut"), Catch::Contains("truncated"));
  }
  SECTION("truncated gzip stream") {
    write_gzip(dir / "full.gz", good);
    const std::string compressed = file_bytes(dir / "full.gz");
    write_plain(dir / "cut.gz", compressed.substr(0, compressed.size() - 6));
    CHECK_THROWS_WITH(data::read_idx_images(dir / "cut.gz"), Catch::Contains(dir / "cut.gz"));
  }
  SECTION("bad magic") {
    write_plain(dir / "labels-as-images", label_file({1, 2}));
    CHECK_THROWS_WITH(data::read_idx_images(dir / "labels-as-images"),
                      Catch::Contains("not an IDX image file") && Catch::Contains("0x00000801"));
    write_plain(dir / "images-as-labels", good);
    CHECK_THROWS_WITH(data::read_idx_labels(dir / "images-as-labels"), Catch::Contains("not an IDX label file"));
  }
  SECTION("trailing data") {
    write_plain(dir / "long", good + "x");
    CHECK_THROWS_WITH(data::read_idx_images(dir / "long"), Catch::Contains("trailing"));
  }
  SECTION("implausible sizes") {
    std::string zero_rows;
    append_u32(zero_rows, 0x00000803);
    append_u32(zero_rows, 1);
    append_u32(zero_rows, 0);
    append_u32(zero_rows, 3);
    write_plain(dir / "zero", zero_rows);
    CHECK_THROWS_WITH(data::read_idx_images(dir / "zero"), Catch::Contains("implausible image size"));
    // a header claiming a huge count fails as truncated, without allocating the claimed size
    std::string huge = image_file(1, 28, 28);
    huge[5] = char(0x10);  // 2^20 + 1 images claimed
    write_plain(dir / "huge", huge);
    CHECK_THROWS_WITH(data::read_idx_images(dir / "huge"), Catch::Contains("truncated"));
    huge[4] = char(0x7F);  // more than 16 GiB claimed
    write_plain(dir / "huge", huge);
    CHECK_THROWS_WITH(data::read_idx_images(dir / "huge"), Catch::Contains("implausible image count"));
  }
  SECTION("label out of range") {
    write_plain(dir / "labels", label_file({3, 10, 1}));
    CHECK_THROWS_WITH(data::read_idx_labels(dir / "labels"),
                      Catch::Contains("label 10 of sample 1 is out of range") && Catch::Contains(dir / "labels"));
    CHECK(data::read_idx_labels(dir / "labels", 11).size() == 3);
  }
  SECTION("count mismatch") {
    write_plain(dir / "images", good);
    write_plain(dir / "labels", label_file({1, 2, 3}));
    CHECK_THROWS_WITH(data::read_labeled_images(dir / "images", dir / "labels"),
                      Catch::Contains("holds 3 labels but"));
  }
}

TEST_CASE("MNIST directories: gz preferred, plain accepted, missing parts named", "[data][idx]") {
  TemporaryDirectory dir;
  CHECK_THROWS_WITH(data::read_mnist_directory(dir / "absent"), Catch::Contains("no such data directory"));
  write_gzip(dir / "train-images-idx3-ubyte.gz", image_file(4, 28, 28));
  write_gzip(dir / "train-labels-idx1-ubyte.gz", label_file({0, 1, 2, 3}));
  write_plain(dir / "t10k-images-idx3-ubyte", image_file(2, 28, 28));
  CHECK_THROWS_WITH(data::read_mnist_directory(dir.path.string()), Catch::Contains("t10k-labels-idx1-ubyte"));
  write_plain(dir / "t10k-labels-idx1-ubyte", label_file({5, 6}));
  const data::Dataset dataset = data::read_mnist_directory(dir.path.string());
  CHECK(dataset.train.size() == 4);
  CHECK(dataset.test.size() == 2);
  CHECK(dataset.test.labels[1] == 6);
  write_plain(dir / "t10k-images-idx3-ubyte", image_file(2, 14, 14));
  CHECK_THROWS_WITH(data::read_mnist_directory(dir.path.string()), Catch::Contains("test images are 14x14"));
}

TEST_CASE("patch layout of the paper: 28x28 -> 49x16, column-major grid and patches", "[data][patches]") {
  const data::PatchLayout layout(28, 28, 7);
  REQUIRE(layout.token_dimension() == 49);
  REQUIRE(layout.token_count() == 16);
  std::vector<std::uint8_t> image(28 * 28);
  for (int r = 0; r < 28; ++r)
    for (int c = 0; c < 28; ++c) image[r * 28 + c] = static_cast<std::uint8_t>((r * 28 + c) % 251);
  homopt::Mat tokens(49, 16);
  layout.write_tokens(image.data(), tokens.memptr());
  auto pixel = [&](int r, int c) { return ((r * 28 + c) % 251) / 255.0; };
  CHECK(tokens(0, 0) == pixel(0, 0));
  CHECK(tokens(1, 0) == pixel(1, 0));   // down the first column of the patch
  CHECK(tokens(7, 0) == pixel(0, 1));   // then the second column
  CHECK(tokens(0, 1) == pixel(7, 0));   // token 1: the patch below the first one
  CHECK(tokens(0, 4) == pixel(0, 7));   // token 4: the patch right of the first one
  CHECK(tokens(48, 15) == pixel(27, 27));
  for (int t = 0; t < 16; ++t)
    for (int e = 0; e < 49; ++e) REQUIRE(tokens(e, t) == pixel(7 * (t % 4) + e % 7, 7 * (t / 4) + e / 7));
  CHECK_THROWS_WITH(data::PatchLayout(28, 28, 5), Catch::Contains("patch_size"));
}
