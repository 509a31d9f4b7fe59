// A libFuzzer custom mutator for checkpoint files: libFuzzer's own mutations, then (7 times
// in 8) the container is repaired — declared length and CRC-32 recomputed — so that the
// mutated payload reaches the decoder instead of stopping at the checksum. The other eighth
// keeps the raw mutation, which exercises the container checks themselves.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace homopt::fuzz {

/// Rewrites the payload length (bytes 12..19) and the trailing CRC-32 of a file of `size`
/// bytes laid out as header (20) + payload + CRC (4); smaller inputs are left alone.
inline void repair_container(std::uint8_t* data, std::size_t size) {
  constexpr std::size_t header = 20, trailer = 4;
  if (size < header + trailer) return;
  const std::uint64_t length = size - header - trailer;
  for (int k = 0; k < 8; ++k) data[12 + k] = static_cast<std::uint8_t>(length >> (8 * k));
  const auto crc = static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), data + header, static_cast<uInt>(length)));
  for (int k = 0; k < 4; ++k) data[size - trailer + k] = static_cast<std::uint8_t>(crc >> (8 * k));
}

}  // namespace homopt::fuzz

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
  const std::size_t mutated = LLVMFuzzerMutate(data, size, max_size);
  if (seed % 8 != 0) homopt::fuzz::repair_container(data, mutated);
  return mutated;
}
