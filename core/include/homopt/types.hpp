// homopt — element type and matrix aliases (docs/mathematics.md, "Element type and sizes").
//
// The element type lives here and only here: float32 can be added later by changing
// `real` (or turning the library into templates over it, as ensmallen does over eT).
#pragma once

#include <armadillo>
#include <cstdint>

namespace homopt {

/// Scalar type of every matrix in the library (double precision; docs/mathematics.md).
using real = double;
/// Column-major dense matrix of `real` (Armadillo).
using Mat = arma::Mat<real>;
/// Column vector of `real`; the packed coordinates of the global tangent space are Vecs.
using Vec = arma::Col<real>;
/// Armadillo's unsigned index type.
using uword = arma::uword;

/// Which element of the group a velocity V ∈ 𝔤ʰᵒʳ is mapped to.
///  - cayley:   R = (I − V/2)⁻¹ (I + V/2)
///  - geodesic: R = exp(V)
enum class Retraction { cayley, geodesic };

/// "cayley" or "geodesic".
const char* to_string(Retraction retraction);
/// Parses "cayley" / "geodesic"; throws InvalidArgument naming `argument` otherwise.
Retraction retraction_from_string(const std::string& name, const char* argument = "retraction");

}  // namespace homopt
