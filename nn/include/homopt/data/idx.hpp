// homopt — reading MNIST-format IDX files (images and labels), gzip-compressed or not.
//
// IDX layout (all integers big-endian):
//   images: magic 0x00000803 (unsigned bytes, 3 dimensions), uint32 count, uint32 rows,
//           uint32 cols, then count·rows·cols pixels, image by image, each row-major;
//   labels: magic 0x00000801 (unsigned bytes, 1 dimension), uint32 count, then count bytes.
// Files are read through zlib's gzread, which reads gzip and plain files alike. Every
// problem (missing, truncated, bad magic, implausible sizes, trailing bytes, label out of
// range) throws homopt::FileError whose message starts with the file's path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "homopt/types.hpp"

namespace homopt::data {

/// A set of grey-scale images of one size, stored as in the IDX file.
struct Images {
  uword count = 0;
  uword rows = 0;
  uword cols = 0;
  /// count·rows·cols bytes; image k starts at k·rows·cols, pixel (r, c) at r·cols + c.
  std::vector<std::uint8_t> pixels;
  /// Pointer to the first pixel of image k (no bounds check).
  const std::uint8_t* image(uword k) const { return pixels.data() + k * rows * cols; }
};

/// Images with one class label each (labels[k] < classes).
struct LabeledImages {
  Images images;
  std::vector<std::uint8_t> labels;
  uword size() const { return images.count; }
};

/// The training and test parts of an MNIST-format directory.
struct Dataset {
  LabeledImages train;
  LabeledImages test;
};

/// Reads an IDX3 image file (gzip or plain). FileError on any defect (see file comment).
Images read_idx_images(const std::string& path);

/// Reads an IDX1 label file (gzip or plain); every label must be < classes.
std::vector<std::uint8_t> read_idx_labels(const std::string& path, unsigned classes = 10);

/// Reads images and labels and checks that their counts agree.
LabeledImages read_labeled_images(const std::string& images_path, const std::string& labels_path,
                                  unsigned classes = 10);

/// The path of `stem` inside `directory`: `directory/stem.gz` if it exists, else
/// `directory/stem` if it exists; FileError naming both candidates otherwise.
std::string find_idx_file(const std::string& directory, const std::string& stem);

/// Reads an MNIST-format directory: train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each optionally with .gz).
/// FileError if the directory or a file is missing or corrupt, or if training and test
/// images differ in size.
Dataset read_mnist_directory(const std::string& directory, unsigned classes = 10);

/// Where Debian's dataset-fashion-mnist package installs its files.
const char* default_data_directory();

/// The first `count` samples of `set` (all of them if count ≥ set.size()).
LabeledImages first_samples(const LabeledImages& set, uword count);

}  // namespace homopt::data
