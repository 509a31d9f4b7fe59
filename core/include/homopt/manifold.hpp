// homopt — the two abstractions every homogeneous space implements
// (docs/mathematics.md, "The general recipe").
//
// A *Manifold* is a small value type with a fixed set of verbs (as in Manifolds.jl):
// dimensions, random_point, check, riemannian_gradient, and `section`, which builds the
// per-parameter state of the global tangent space method.
//
// A *Section* holds λ ∈ G with λ·E = Y for one parameter and knows the three geometric
// steps of one optimizer iteration:
//   1. lift:      c = coordinates in 𝔤ʰᵒʳ of the Euclidean gradient G = ∂L/∂Y, defined as the
//                 gradient of c ↦ L(λ·Retr(V(c))·E) at c = 0, i.e. the adjoint of
//                 c ↦ λ V(c) E applied to G;
//   2. (the optimizer method maps c to a velocity; it never sees a manifold);
//   3. retracted: the section λ·Retr(V(c_V)) with Y = λE, computed without forming any
//                 dense N×N×N product.
// Coordinates are flat vectors whose packing each manifold documents once; that packing is
// also the checkpoint format and the cross-language contract.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "homopt/types.hpp"

namespace homopt {

/// The per-parameter state λ (a group element with λE = Y) and the geometric verbs of a step.
class Section {
 public:
  virtual ~Section() = default;

  /// The current point Y = λE.
  virtual const Mat& point() const = 0;

  /// Packed coordinates c ∈ ℝ^dimension of the Euclidean gradient G = ∂L/∂Y lifted to
  /// 𝔤ʰᵒʳ: c = ∇_c L(λ·Retr(V(c))·E) at c = 0 (= adjoint of c ↦ λV(c)E applied to G).
  /// G must have the point's shape (checked by the caller, Optimizer::step).
  virtual Vec lift(const Mat& euclidean_gradient) const = 0;

  /// lift(G) written into `coordinates` (resized to the dimension; a vector that already has
  /// that size is reused, so a caller keeping it across steps allocates nothing). Default:
  /// `coordinates = lift(G)`.
  virtual void lift_into(const Mat& euclidean_gradient, Vec& coordinates) const {
    coordinates = lift(euclidean_gradient);
  }

  /// A new section λ ← λ·Retr(V(c)); `*this` is left untouched (strong guarantee).
  virtual std::unique_ptr<Section> retracted(const Vec& velocity, Retraction retraction) const = 0;

  /// Two-phase form of `retracted` used by Optimizer::step to update sections in place:
  /// prepare_retraction does every part of λ ← λ·Retr(V(c)) that can fail (and throws as
  /// `retracted` does), leaving point(), state() and every observable value unchanged; it
  /// returns true if a step is now pending. commit_retraction() then turns `*this` into the
  /// section `retracted` would have returned (bit for bit) and does not throw. A pending step
  /// that is never committed is dropped by the next prepare_retraction. Default: returns
  /// false (nothing pending; the caller uses `retracted`), and commit does nothing.
  virtual bool prepare_retraction(const Vec& /*velocity*/, Retraction /*retraction*/) { return false; }
  /// Applies the step made pending by prepare_retraction (see there); does not throw.
  virtual void commit_retraction() {}

  /// True if SectionPolicy::redraw applies to this section (redraw_pending_complement is
  /// implemented). Default: false.
  virtual bool accepts_complement_redraw() const { return false; }
  /// SectionPolicy::redraw, between prepare_retraction (which returned true) and
  /// commit_retraction: replaces the complement Ȳ'ₜ the pending step would commit by
  /// Ȳ'ₜQ, Q = orthonormal_factor(standard_normal_matrix(N − n, N − n, seed)) (types.hpp).
  /// May throw (nothing is committed then); the point Y' is unchanged. Default:
  /// std::logic_error (see accepts_complement_redraw).
  virtual void redraw_pending_complement(std::uint64_t seed);

  /// The group element λ as a dense matrix (diagnostics and tests; O(size²) memory).
  /// For a Euclidean parameter, which has no group element, this is the point itself.
  virtual Mat group_element() const = 0;

  /// The matrices that reproduce this section exactly (checkpoint payload).
  virtual std::vector<Mat> state() const = 0;

  /// A deep copy.
  virtual std::unique_ptr<Section> clone() const = 0;
};

/// A homogeneous space G/H (or a plain vector space) with its global tangent space geometry.
class Manifold {
 public:
  virtual ~Manifold() = default;

  /// Type name as used in every language: "Stiefel", "Grassmann", "Euclidean", …
  virtual std::string name() const = 0;
  /// The constructor arguments, e.g. {N, n} for Stiefel(N, n), {rows, cols} for Euclidean.
  virtual std::vector<uword> shape_parameters() const = 0;
  /// Human-readable description, e.g. "Stiefel(N=49, n=7)".
  virtual std::string description() const = 0;

  /// Rows of a point matrix.
  virtual uword rows() const = 0;
  /// Columns of a point matrix.
  virtual uword cols() const = 0;
  /// Manifold dimension = length of the packed coordinate vector.
  virtual uword dimension() const = 0;

  /// A point drawn from a fixed, documented distribution; identical for the same seed in
  /// every language and on every platform with the same LAPACK.
  virtual Mat random_point(std::uint64_t seed) const = 0;

  /// Constraint residual of `point` (e.g. ‖YᵀY − I‖_F for Stiefel; 0 for Euclidean).
  /// Throws InvalidArgument("point", …) on a wrong shape or a NaN/Inf entry.
  virtual real check(const Mat& point) const = 0;

  /// Largest residual `check` may return for a point accepted by `section`.
  virtual real tolerance() const = 0;

  /// Riemannian gradient at `point` of a function with Euclidean gradient G
  /// (formula documented by each manifold).
  virtual Mat riemannian_gradient(const Mat& point, const Mat& euclidean_gradient) const = 0;

  /// The dense matrix V(c) ∈ 𝔤ʰᵒʳ for packed coordinates c (tests and diagnostics).
  /// For Euclidean, the matrix reshape(c, rows, cols).
  virtual Mat horizontal_matrix(const Vec& coordinates) const = 0;

  /// The deterministic section for `point`; validates shape, finiteness and that
  /// check(point) ≤ tolerance(), throwing InvalidArgument naming `argument`.
  virtual std::unique_ptr<Section> section(const Mat& point,
                                           const char* argument = "point") const = 0;

  /// Rebuilds a section from Section::state() (checkpoints); validates sizes.
  virtual std::unique_ptr<Section> section_from_state(const std::vector<Mat>& state) const = 0;

  /// A deep copy.
  virtual std::unique_ptr<Manifold> clone() const = 0;
};

/// Creates a manifold from its name and shape parameters (the inverse of name() and
/// shape_parameters(); used by checkpoints and language bindings).
std::unique_ptr<Manifold> make_manifold(const std::string& name,
                                        const std::vector<uword>& shape_parameters);

}  // namespace homopt
