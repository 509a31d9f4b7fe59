#include <sstream>

#include "homopt/error.hpp"
#include "homopt/euclidean.hpp"
#include "homopt/grassmann.hpp"
#include "homopt/stiefel.hpp"
#include "homopt/symplectic_grassmann.hpp"
#include "homopt/symplectic_stiefel.hpp"

namespace homopt {

std::unique_ptr<Manifold> make_manifold(const std::string& name, const std::vector<uword>& shape) {
  if (shape.size() != 2) throw InvalidArgument("shape_parameters", "expected 2 sizes");
  if (name == "Stiefel") return std::make_unique<Stiefel>(shape[0], shape[1]);
  if (name == "Grassmann") return std::make_unique<Grassmann>(shape[0], shape[1]);
  if (name == "SymplecticStiefel") return std::make_unique<SymplecticStiefel>(shape[0], shape[1]);
  if (name == "SymplecticGrassmann") return std::make_unique<SymplecticGrassmann>(shape[0], shape[1]);
  if (name == "Euclidean") return std::make_unique<Euclidean>(shape[0], shape[1]);
  throw InvalidArgument("name", "unknown manifold '" + name + "'");
}

}  // namespace homopt
