// Small synthetic data sets and shapes for the transformer tests (tests/nn).
#pragma once

#include <algorithm>
#include <cstdint>

#include "homopt/data/idx.hpp"
#include "homopt/nn/transformer.hpp"
#include "homopt/random.hpp"

namespace homopt::nn::testing {

/// `count` 28×28 images of 10 classes: class y lights 7×7 patch y and, in the last patch
/// (the token the classifier reads), row y mod 7 of column y div 7; plus noise. Labels
/// cycle through the classes.
inline homopt::data::LabeledImages synthetic_images(uword count, std::uint64_t seed) {
  homopt::data::LabeledImages set;
  set.images.count = count;
  set.images.rows = set.images.cols = 28;
  set.images.pixels.assign(count * 28 * 28, 0);
  set.labels.resize(count);
  const Mat noise = homopt::standard_normal_matrix(28 * 28, count, seed);
  for (uword k = 0; k < count; ++k) {
    const uword label = k % 10;
    set.labels[k] = static_cast<std::uint8_t>(label);
    std::uint8_t* image = set.images.pixels.data() + k * 28 * 28;
    for (uword p = 0; p < 28 * 28; ++p) {
      const uword r = p / 28, c = p % 28, patch = (r / 7) + 4 * (c / 7);
      real value = 40 + 25 * noise(p, k);
      if (patch == label) value += 180;
      if (patch == 15 && r - 21 == label % 7 && c - 21 == label / 7) value += 180;
      image[p] = static_cast<std::uint8_t>(std::min<real>(255, std::max<real>(0, value)));
    }
  }
  return set;
}

/// The default shape (dim 49, 16 tokens, 7 heads, 10 classes) with L = 2 blocks.
inline TransformerShape two_blocks() {
  TransformerShape shape;
  shape.blocks = 2;
  return shape;
}

}  // namespace homopt::nn::testing
