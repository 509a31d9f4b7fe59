#include "homopt/data/patches.hpp"

#include "homopt/error.hpp"

namespace homopt::data {

PatchLayout::PatchLayout(uword image_rows, uword image_cols, uword patch_size)
    : image_rows_(image_rows), image_cols_(image_cols), patch_size_(patch_size) {
  if (patch_size == 0 || image_rows == 0 || image_cols == 0 || image_rows % patch_size != 0 ||
      image_cols % patch_size != 0)
    throw InvalidArgument("patch_size", "must divide the image size " + std::to_string(image_rows) + "x" +
                                            std::to_string(image_cols) + ", got " + std::to_string(patch_size));
  const uword grid_rows = image_rows / patch_size, grid_cols = image_cols / patch_size;
  source_.reserve(image_rows * image_cols);
  for (uword grid_col = 0; grid_col < grid_cols; ++grid_col)
    for (uword grid_row = 0; grid_row < grid_rows; ++grid_row)  // tokens: column-major grid
      for (uword j = 0; j < patch_size; ++j)
        for (uword i = 0; i < patch_size; ++i)  // patch entries: column-major
          source_.push_back((grid_row * patch_size + i) * image_cols + grid_col * patch_size + j);
}

void PatchLayout::write_tokens(const std::uint8_t* image, real* tokens) const {
  for (std::size_t e = 0; e < source_.size(); ++e) tokens[e] = image[source_[e]] / real(255);
}

}  // namespace homopt::data
