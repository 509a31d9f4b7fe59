#include "homopt/types.hpp"

#include "homopt/error.hpp"
#include "homopt/version.hpp"

namespace homopt {

const char* version() { return "0.1.0"; }

const char* to_string(Retraction retraction) {
  return retraction == Retraction::cayley ? "cayley" : "geodesic";
}

Retraction retraction_from_string(const std::string& name, const char* argument) {
  if (name == "cayley") return Retraction::cayley;
  if (name == "geodesic") return Retraction::geodesic;
  throw InvalidArgument(argument, "unknown retraction '" + name + "' (expected 'cayley' or 'geodesic')");
}

}  // namespace homopt
