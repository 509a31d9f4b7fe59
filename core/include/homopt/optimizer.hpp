// homopt — the optimizer: one method, one retraction, one global step counter, any number
// of parameters each on its own manifold (docs/methods.md, "The step"; docs/architecture.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "homopt/manifold.hpp"
#include "homopt/methods.hpp"

namespace homopt {

/// One step (Optimizer::step), for every parameter i with Euclidean gradient Gᵢ = ∂L/∂Yᵢ:
///   1. cᵢ   = lift of Gᵢ to the packed coordinates of 𝔤ʰᵒʳ       (Section::lift)
///   2. c_Vᵢ = method velocity from cᵢ and the parameter's state   (Method::velocity, at t)
///   3. λᵢ  ← λᵢ · Retr(V(c_Vᵢ)),  Yᵢ = λᵢE                        (Section::retracted)
/// The method state is not transported: it lives in 𝔤ʰᵒʳ, the same space at every point.
/// Steps are all-or-nothing: if any argument is bad, nothing changes (strong guarantee).
class Optimizer {
 public:
  /// Validates nothing beyond what the method's constructor already did. `section_policy`
  /// says how each step moves the sections' complements (types.hpp); with
  /// SectionPolicy::redraw, step t draws parameter i's new complement from the seed
  /// derived_seed(derived_seed(redraw_seed, t), i) (random.hpp), so a run is reproducible
  /// and a loaded checkpoint continues it exactly.
  explicit Optimizer(const Method& method, Retraction retraction = Retraction::cayley,
                     SectionPolicy section_policy = SectionPolicy::transport,
                     std::uint64_t redraw_seed = 0);
  Optimizer(const Optimizer& other);
  Optimizer& operator=(const Optimizer& other);
  Optimizer(Optimizer&& other) noexcept;
  Optimizer& operator=(Optimizer&& other) noexcept;
  ~Optimizer();

  /// Adds a parameter on `manifold` starting at `initial_point` (validated: shape, finite,
  /// on the manifold within manifold.tolerance()). Returns its 0-based index.
  /// Adding after steps were taken is allowed; the new parameter's state starts at zero.
  /// With SectionPolicy::redraw, a manifold whose section has no complement to redraw
  /// (the symplectic spaces) is refused: InvalidArgument naming "manifold".
  std::size_t add(const Manifold& manifold, const Mat& initial_point);

  /// One step with one Euclidean gradient per parameter, in the order of `add`.
  /// Throws InvalidArgument naming "gradients" (count) or "gradients[i]" (shape, NaN/Inf),
  /// or "velocity" if a velocity is NaN/Inf or its retraction fails or leaves the manifold
  /// numerically (check(Yᵢ) > tolerance() or NaN: a step too large). On any throw the
  /// optimizer is unchanged; after a successful step every point is finite and on its
  /// manifold within tolerance().
  void step(const std::vector<Mat>& euclidean_gradients);

  /// The same step from coordinates already lifted at the current points, cᵢ =
  /// lifted_gradients(G)[i], without lifting again (Solver::tell lifts once for its stopping
  /// rule and steps with the result): bit for bit step(G). Throws InvalidArgument naming
  /// "coordinates" (count), "coordinates[i]" (length ≠ manifold(i).dimension(), NaN/Inf)
  /// or as step() does; on any throw the optimizer is unchanged.
  void step_lifted(const std::vector<Vec>& coordinates);

  /// The packed coordinates cᵢ = Section::lift(Gᵢ) ∈ 𝔤ʰᵒʳ of every parameter's Euclidean
  /// gradient at the current points (step 1 of step()), after the same checks as step():
  /// InvalidArgument naming "gradients" (count) or "gradients[i]" (shape, NaN/Inf).
  /// Changes nothing. Used by stopping rules on ‖c‖ (Solver, minimize.hpp).
  std::vector<Vec> lifted_gradients(const std::vector<Mat>& euclidean_gradients) const;

  /// Current point of parameter i (IndexOutOfRange if i ≥ size()).
  const Mat& value(std::size_t i) const;
  /// Number of parameters.
  std::size_t size() const;
  /// Steps completed so far (t of the last step; 0 before the first).
  std::uint64_t step_count() const { return step_count_; }

  const Method& method() const { return *method_; }
  Retraction retraction() const { return retraction_; }
  SectionPolicy section_policy() const { return section_policy_; }
  /// The seed of SectionPolicy::redraw (0 and unused under transport).
  std::uint64_t redraw_seed() const { return redraw_seed_; }
  const Manifold& manifold(std::size_t i) const;
  const Section& section(std::size_t i) const;
  const MethodState& method_state(std::size_t i) const;

  /// Writes a checkpoint (method, hyperparameters, retraction, t, every parameter's
  /// manifold, section and method state) atomically: temp file in the same folder,
  /// flushed, then renamed over `path`. Format: see checkpoint.hpp.
  void save(const std::string& path) const;
  /// Reads a checkpoint written by save; FileError on a missing, truncated, corrupted or
  /// foreign file (nothing half-loaded: either a complete optimizer or an exception).
  static Optimizer load(const std::string& path);

  /// Serialized checkpoint bytes (what save writes).
  std::string to_bytes() const;
  /// Inverse of to_bytes; `origin` names the source in error messages.
  static Optimizer from_bytes(const std::string& bytes, const std::string& origin = "checkpoint");

 private:
  struct Parameter;
  /// InvalidArgument("gradients", …) unless there is one gradient per parameter.
  void require_gradient_count(std::size_t count) const;
  /// InvalidArgument("gradients[i]", …) unless `gradient` has the manifold's point shape and
  /// finite entries.
  static void require_gradient(const Mat& gradient, const Manifold& manifold, std::size_t i);
  /// InvalidArgument("manifold", …) if the section policy is redraw and `section` (of
  /// `manifold`) has no complement to redraw (add; load reports it as a FileError).
  void require_policy_applies(const Manifold& manifold, const Section& section) const;
  /// Steps 2 and 3 of step() from the lifted coordinates in each parameter's step buffer.
  void step_from_coordinates();
  std::unique_ptr<Method> method_;
  Retraction retraction_;
  SectionPolicy section_policy_;
  std::uint64_t redraw_seed_;
  std::uint64_t step_count_ = 0;
  std::vector<Parameter> parameters_;
};

}  // namespace homopt
