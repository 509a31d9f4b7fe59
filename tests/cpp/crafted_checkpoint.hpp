// Crafted checkpoints for the loader's tests: byte strings with a valid container (magic,
// version, length, CRC-32) whose content is whatever the test says, written field by field
// in the layout of Optimizer::to_bytes (core/include/homopt/checkpoint.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "homopt/checkpoint.hpp"
#include "homopt/methods.hpp"

namespace homopt::test {

/// One parameter of a crafted checkpoint: manifold name and shape, section state, method state.
struct CraftedParameter {
  std::string manifold;
  std::vector<std::uint64_t> shape;
  std::vector<Mat> section_state;
  std::vector<Mat> method_state;
};

/// A sealed checkpoint of `method` with the given hyperparameters (any keys and values), the
/// Cayley retraction, step count `steps` and the given parameters; `padding` is appended
/// to the payload before sealing (files larger than their content).
inline std::string crafted_checkpoint(const std::string& method, const Hyperparameters& hyperparameters,
                                      std::uint64_t steps = 0,
                                      const std::vector<CraftedParameter>& parameters = {},
                                      const std::string& padding = "") {
  BinaryWriter out;
  out.string(method);
  out.u32(static_cast<std::uint32_t>(hyperparameters.size()));
  for (const auto& [key, value] : hyperparameters) {
    out.string(key);
    out.f64(value);
  }
  out.string("cayley");
  out.u64(steps);
  out.u32(static_cast<std::uint32_t>(parameters.size()));
  for (const CraftedParameter& parameter : parameters) {
    out.string(parameter.manifold);
    out.u32(static_cast<std::uint32_t>(parameter.shape.size()));
    for (std::uint64_t size : parameter.shape) out.u64(size);
    out.matrices(parameter.section_state);
    out.matrices(parameter.method_state);
  }
  return seal_checkpoint(out.bytes() + padding);
}

/// The same for a method object (its name and hyperparameters).
inline std::string crafted_checkpoint(const Method& method, std::uint64_t steps,
                                      const std::vector<CraftedParameter>& parameters,
                                      const std::string& padding = "") {
  return crafted_checkpoint(method.name(), method.hyperparameters(), steps, parameters, padding);
}

}  // namespace homopt::test
