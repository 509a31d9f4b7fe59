#include <sstream>
#include <stdexcept>

#include "homopt/api.hpp"
#include "homopt/error.hpp"
#include "homopt/euclidean.hpp"
#include "homopt/grassmann.hpp"
#include "homopt/stiefel.hpp"
#include "homopt/symplectic_grassmann.hpp"
#include "homopt/symplectic_stiefel.hpp"

namespace homopt {

void Section::redraw_pending_complement(std::uint64_t) {
  throw std::logic_error("this section has no complement to redraw (accepts_complement_redraw() is false)");
}

std::unique_ptr<Manifold> make_manifold(const std::string& name, const std::vector<uword>& shape) {
  const ManifoldSpec& spec = manifold_spec(name);  // refuses unknown names, listing the known ones
  if (shape.size() != spec.shape_parameters.size())
    throw InvalidArgument("shape_parameters", "expected " + std::to_string(spec.shape_parameters.size()) + " sizes");
  if (name == "Stiefel") return std::make_unique<Stiefel>(shape[0], shape[1]);
  if (name == "Grassmann") return std::make_unique<Grassmann>(shape[0], shape[1]);
  if (name == "SymplecticStiefel") return std::make_unique<SymplecticStiefel>(shape[0], shape[1]);
  if (name == "SymplecticGrassmann") return std::make_unique<SymplecticGrassmann>(shape[0], shape[1]);
  if (name == "Euclidean") return std::make_unique<Euclidean>(shape[0], shape[1]);
  throw InvalidArgument("name", "manifold '" + name + "' is declared in manifold_specs() but make_manifold cannot build it");
}

}  // namespace homopt
