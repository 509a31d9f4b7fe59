#include "homopt/types.hpp"

#include <cstddef>
#include <string>

#include "homopt/error.hpp"
#include "homopt/version.hpp"

namespace homopt {

const char* version() { return "0.1.0"; }

namespace {

/// One value of an enumeration with its name.
template <class Enum>
struct NamedValue {
  const char* name;
  Enum value;
};

/// The value named `name` among `values`; InvalidArgument naming `argument` otherwise
/// ("unknown <what> 'name' (expected 'a' or 'b')").
template <class Enum, std::size_t Count>
Enum parse_named(const std::string& name, const NamedValue<Enum> (&values)[Count], const char* what,
                 const char* argument) {
  std::string expected;
  for (std::size_t k = 0; k < Count; ++k) {
    if (name == values[k].name) return values[k].value;
    expected += (k == 0 ? "'" : k + 1 == Count ? " or '" : ", '") + std::string(values[k].name) + "'";
  }
  throw InvalidArgument(argument, "unknown " + std::string(what) + " '" + name + "' (expected " + expected + ")");
}

constexpr NamedValue<Retraction> retraction_names[] = {{"cayley", Retraction::cayley},
                                                       {"geodesic", Retraction::geodesic}};
constexpr NamedValue<SectionPolicy> section_policy_names[] = {{"transport", SectionPolicy::transport},
                                                              {"redraw", SectionPolicy::redraw}};

}  // namespace

const char* to_string(Retraction retraction) {
  return retraction == Retraction::cayley ? "cayley" : "geodesic";
}

Retraction retraction_from_string(const std::string& name, const char* argument) {
  return parse_named(name, retraction_names, "retraction", argument);
}

const char* to_string(SectionPolicy policy) {
  return policy == SectionPolicy::transport ? "transport" : "redraw";
}

SectionPolicy section_policy_from_string(const std::string& name, const char* argument) {
  return parse_named(name, section_policy_names, "section policy", argument);
}

}  // namespace homopt
