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

/// How a step moves the complement Ȳ of a section λ = [Y, Ȳ] (docs/methods.md, "Section
/// policy"); the point Y' is the same under both:
///  - transport: λ' = λ·Retr(V), so Ȳ' = Ȳ − P₂Bᵀ (O(N(N−n)n) per step; the default);
///  - redraw:    Ȳ' = Ȳ'ₜQ, Ȳ'ₜ the transported complement and Q the Q factor (diag R > 0)
///               of an (N−n)×(N−n) standard normal matrix: a fresh, uniformly random
///               orthonormal basis of span(Y')^⊥ at every step, distributed as the QR of
///               (I − Y'Y'ᵀ)Z in the paper's code (O(N(N−n)²) per step). Stiefel, Grassmann
///               and Euclidean parameters only (a Euclidean one has no complement).
enum class SectionPolicy { transport, redraw };

/// "transport" or "redraw".
const char* to_string(SectionPolicy policy);
/// Parses "transport" / "redraw"; throws InvalidArgument naming `argument` otherwise.
SectionPolicy section_policy_from_string(const std::string& name, const char* argument = "section_policy");

}  // namespace homopt
