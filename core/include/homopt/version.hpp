// homopt — library version.
#pragma once

namespace homopt {
/// Semantic version of the library, "MAJOR.MINOR.PATCH".
const char* version();
}  // namespace homopt
