// homopt — cutting an image into the token matrix of the paper's vision transformer.
#pragma once

#include <cstdint>
#include <vector>

#include "homopt/types.hpp"

namespace homopt::data {

/// Cuts a rows×cols image into (rows/p)·(cols/p) square patches of p×p pixels. Token t is
/// the patch in grid position (t mod (rows/p), t div (rows/p)) — patches in column-major
/// order of the grid — flattened column-major (entry i + p·j is pixel (i, j) of the patch),
/// and scaled by 1/255. For 28×28 images and p = 7 this is the paper's 49×16 token matrix.
class PatchLayout {
 public:
  /// Requires p ≥ 1 dividing both rows and cols (InvalidArgument naming "patch_size").
  PatchLayout(uword image_rows, uword image_cols, uword patch_size);

  uword image_rows() const { return image_rows_; }
  uword image_cols() const { return image_cols_; }
  /// p²: rows of the token matrix.
  uword token_dimension() const { return patch_size_ * patch_size_; }
  /// (rows/p)·(cols/p): columns of the token matrix.
  uword token_count() const { return source_.size() / token_dimension(); }

  /// Writes the token matrix of `image` (row-major pixels, as in IDX files) to
  /// `tokens` (column-major, token_dimension() × token_count(), contiguous).
  void write_tokens(const std::uint8_t* image, real* tokens) const;

 private:
  uword image_rows_, image_cols_, patch_size_;
  /// source_[e] = pixel index (row-major) of entry e of the column-major token matrix.
  std::vector<uword> source_;
};

}  // namespace homopt::data
