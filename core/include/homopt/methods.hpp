// homopt — optimizer methods (docs/methods.md). A method maps the packed gradient coordinates g
// of one parameter and its own state to a velocity V (a coordinate vector of the same
// length). Methods know nothing about manifolds: on every manifold they act on the one
// fixed vector space 𝔤ʰᵒʳ, so element-wise operations (Adam) are well defined.
//
// t is the optimizer's global step counter: 1 on the first step, shared by all parameters.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "homopt/api.hpp"
#include "homopt/types.hpp"

namespace homopt {

/// Accepted ranges: one rule per hyperparameter, declared in method_specs() (api.hpp) and
/// applied by the constructors and by make_method alike, hence by the checkpoint loader:
/// what an optimizer can hold, save writes and load reads back bit-identically.
///   lr, lr_start, lr_end, eps       finite and > 0 (every such double, subnormals included)
///   alpha, beta1, beta2             0 ≤ value < 1
///   amsgrad                         a bool; stored as exactly 0 or 1
///   decay_steps                     whole, 1 ≤ S ≤ max_decay_steps = 2⁵³
///   max_dimension                   whole, 1 ≤ d ≤ max_bfgs_dimension = 46340
/// Default arguments are the constants of homopt::method_defaults (api.hpp).
/// Per-parameter state of a method: a list of matrices (moments, inverse Hessian, …).
/// Stored verbatim in checkpoints.
using MethodState = std::vector<Mat>;

/// Named hyperparameters, in a fixed order per method (checkpoint format).
using Hyperparameters = std::vector<std::pair<std::string, real>>;

/// Interface of an optimizer method.
class Method {
 public:
  virtual ~Method() = default;
  /// "Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS".
  virtual std::string name() const = 0;
  /// All hyperparameters with their values, in the order accepted by make_method.
  virtual Hyperparameters hyperparameters() const = 0;
  /// Fresh state for a parameter with `dimension` coordinates (all zeros).
  virtual MethodState initial_state(uword dimension) const = 0;
  /// Throws InvalidArgument("state…", …) unless `state` satisfies every invariant a step
  /// assumes: the layout of initial_state(dimension), finite entries, and the method's own
  /// invariants (Adam: v ≥ 0 and v_max ≥ 0; BFGS: H symmetric positive definite).
  virtual void validate_state(const MethodState& state, uword dimension) const;
  /// The velocity for gradient g at global step t ≥ 1; updates `state` in place.
  virtual Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const = 0;
  /// velocity() followed by the overflow check: throws InvalidArgument(argument, …) (e.g.
  /// argument = "gradients[0]") if the velocity or the updated state has a NaN or ±Inf entry,
  /// e.g. Adam's v = β₂v + (1−β₂)g² once |g| ≳ 1.3e154. `state` is then unspecified: callers
  /// update a copy and commit it only on success (Optimizer::step does).
  Vec checked_velocity(const Vec& gradient, MethodState& state, std::uint64_t t,
                       const std::string& argument) const;
  /// velocity(gradient, state, t) written into `result`, which is reused when it already has
  /// the gradient's length (no allocation across steps). Default: result = velocity(…).
  virtual void velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const;
  /// checked_velocity written into `result` (same checks, same exceptions; see velocity_into).
  void checked_velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t,
                             const std::string& argument, Vec& result) const;
  /// Refuses (InvalidArgument naming `argument`) a parameter this method cannot handle,
  /// e.g. BFGS beyond its memory cap. Default: accepts every dimension.
  virtual void check_dimension(uword dimension, const std::string& argument) const;
  /// A deep copy.
  virtual std::unique_ptr<Method> clone() const = 0;
  /// "Adam(lr=0.001, beta1=0.9, …)".
  std::string description() const;
};

/// Plain gradient descent: V = −lr·g.
class Gradient : public Method {
 public:
  /// lr > 0.
  explicit Gradient(real lr = method_defaults::gradient_lr);
  real lr() const { return lr_; }
  std::string name() const override { return "Gradient"; }
  Hyperparameters hyperparameters() const override { return {{"lr", lr_}}; }
  MethodState initial_state(uword) const override { return {}; }
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<Gradient>(*this); }

 private:
  real lr_;
};

/// Heavy-ball momentum: m ← alpha·m + g; V = −lr·m (m starts at 0).
class Momentum : public Method {
 public:
  /// lr > 0, 0 ≤ alpha < 1.
  explicit Momentum(real lr = method_defaults::momentum_lr, real alpha = method_defaults::momentum_alpha);
  real lr() const { return lr_; }
  real alpha() const { return alpha_; }
  std::string name() const override { return "Momentum"; }
  Hyperparameters hyperparameters() const override { return {{"lr", lr_}, {"alpha", alpha_}}; }
  MethodState initial_state(uword dimension) const override;
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<Momentum>(*this); }

 private:
  real lr_, alpha_;
};

/// Adam with bias correction, element-wise on the coordinates:
///   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g⊙g,
///   m̂ = m/(1−β₁ᵗ),  v̂ = v/(1−β₂ᵗ),  V = −lr·m̂ / (√v̂ + eps).
/// With amsgrad = true (Reddi et al.) a running maximum v_max ← max(v_max, v) replaces v
/// in v̂ = v_max/(1−β₂ᵗ). On a manifold the maximum is taken coordinate-wise in 𝔤ʰᵒʳ, which
/// is meaningful because 𝔤ʰᵒʳ is the same vector space at every point.
/// State: {m, v} or {m, v, v_max}.
class Adam : public Method {
 public:
  /// lr > 0, 0 ≤ beta1 < 1, 0 ≤ beta2 < 1, eps > 0.
  explicit Adam(real lr = method_defaults::adam_lr, real beta1 = method_defaults::adam_beta1,
                real beta2 = method_defaults::adam_beta2, real eps = method_defaults::adam_eps,
                bool amsgrad = method_defaults::adam_amsgrad);
  real lr() const { return lr_; }
  real beta1() const { return beta1_; }
  real beta2() const { return beta2_; }
  real eps() const { return eps_; }
  bool amsgrad() const { return amsgrad_; }
  std::string name() const override { return "Adam"; }
  Hyperparameters hyperparameters() const override;
  MethodState initial_state(uword dimension) const override;
  /// Also requires v ≥ 0 (and v_max ≥ 0).
  void validate_state(const MethodState& state, uword dimension) const override;
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  void velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<Adam>(*this); }

  /// The Adam update with an explicit learning rate (shared with AdamWithDecay).
  Vec velocity_with_rate(real rate, const Vec& gradient, MethodState& state, std::uint64_t t) const;
  /// velocity_with_rate written into `result` (resized to the gradient's length; reused when
  /// it has it).
  void velocity_with_rate(real rate, const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const;

 private:
  real lr_, beta1_, beta2_, eps_;
  bool amsgrad_;
};

/// Adam whose learning rate decays exponentially from lr_start (t = 1) to lr_end
/// (t = decay_steps) and stays at lr_end afterwards:
///   lr(t) = lr_start · (lr_end/lr_start)^{min(t−1, S−1)/(S−1)},  S = decay_steps
/// (S = 1: lr(t) = lr_end). Otherwise exactly Adam (same formulas, state and options).
class AdamWithDecay : public Method {
 public:
  /// lr_start > 0, lr_end > 0, 1 ≤ decay_steps ≤ max_decay_steps, betas in [0, 1), eps > 0.
  explicit AdamWithDecay(std::uint64_t decay_steps = method_defaults::decay_steps,
                         real lr_start = method_defaults::decay_lr_start,
                         real lr_end = method_defaults::decay_lr_end,
                         real beta1 = method_defaults::decay_beta1, real beta2 = method_defaults::decay_beta2,
                         real eps = method_defaults::decay_eps, bool amsgrad = method_defaults::decay_amsgrad);
  std::uint64_t decay_steps() const { return decay_steps_; }
  real lr_start() const { return lr_start_; }
  real lr_end() const { return lr_end_; }
  /// lr(t) above.
  real learning_rate(std::uint64_t t) const;
  const Adam& adam() const { return adam_; }
  std::string name() const override { return "AdamWithDecay"; }
  Hyperparameters hyperparameters() const override;
  MethodState initial_state(uword dimension) const override { return adam_.initial_state(dimension); }
  void validate_state(const MethodState& state, uword dimension) const override {
    adam_.validate_state(state, dimension);
  }
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  void velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<AdamWithDecay>(*this); }

 private:
  std::uint64_t decay_steps_;
  real lr_start_, lr_end_;
  Adam adam_;
};

/// BFGS on the coordinates, with a dense inverse-Hessian approximation H (starts at I) and
/// safeguards so that H stays symmetric positive definite and is changed only by secant
/// pairs that are consistent with it:
///   V = −lr·H g.
///   At t > 1, with s = previous velocity, y = g − g_previous and b = B s = −lr·g_previous
///   (B = H⁻¹ is the Hessian model; b is exact because s = −lr·H g_previous):
///   1. curvature conditions (scale free; the update is skipped unless all hold):
///        sᵀy > eps·‖s‖‖y‖   and   sᵀy ≥ 0.2·sᵀBs  (= 0.2·sᵀb > 0).
///      The measured curvature along s must be at least 1/5 of the model's: negative,
///      zero or collapsing curvature (a saturated Cayley/exp chart, noise after
///      convergence) is never fed to the model, and one update lets H grow along s by at
///      most 5×.
///   2. damping of large curvature: replace y by r = θy + (1−θ)b with the largest θ ∈ [0, 1]
///      such that rᵀHr ≤ 1000·sᵀr (θ = 1, plain BFGS, whenever the pair satisfies it).
///      With rᵀHr = θ²yᵀHy + 2θ(1−θ)sᵀy + (1−θ)²sᵀb this is a scalar condition on θ, solved
///      in closed form; sᵀr ≥ 0.2·sᵀb still holds. In exact arithmetic the two conditions
///      bound one update in the Loewner order: H/1001 ≼ H_new ≼ 5005·H.
///   3. update: ρ = 1/(sᵀr),  H ← (I − ρsrᵀ) H (I − ρrsᵀ) + ρssᵀ, computed on the lower
///      triangle and mirrored (H stays exactly symmetric), and accepted only if it is
///      finite and its Cholesky factorization succeeds (numerically positive definite);
///      otherwise H is kept (cost of the check: d³/3 flops per accepted update).
/// Why (measured before these safeguards): with the plain update (only sᵀy > eps‖s‖‖y‖),
/// pairs at noise level after convergence or from a saturated chart made H indefinite
/// (SpGr(4, 8): min eigenvalue −9.7e-4 at step ≈ 750, the run jumped back to distance
/// 0.1–0.7) or grew it to 1e13 (Brockett St(3, 8), lr·‖B‖ = 0.02); Powell damping in place
/// of the skip in 1 let H grow 5× per step in those regions (1e15 measured). No new
/// hyperparameter: 0.2 and 1000 are ratios of curvatures, hence scale free.
/// Because 𝔤ʰᵒʳ is one fixed vector space, s and y need no transport.
/// There is still no line search: lr·H is the model's inverse Hessian, so lr sets the
/// largest curvature the model starts from (1/lr); curvature more than 5× below the current
/// model along a step is learned only through intermediate pairs. lr ≈ 0.5/‖Hessian‖ … 1 is
/// a good choice; far smaller lr converge linearly at rate ≈ 1 − lr.
/// Memory: H has dimension² entries; parameters with dimension > max_dimension
/// (default method_defaults::bfgs_max_dimension = 4096, i.e. 128 MiB per parameter) are refused.
/// State: {H, g_previous, s}.
class BFGS : public Method {
 public:
  /// lr > 0, eps > 0, 1 ≤ max_dimension ≤ max_bfgs_dimension.
  explicit BFGS(real lr = method_defaults::bfgs_lr, real eps = method_defaults::bfgs_eps,
                uword max_dimension = method_defaults::bfgs_max_dimension);
  real lr() const { return lr_; }
  real eps() const { return eps_; }
  uword max_dimension() const { return max_dimension_; }
  std::string name() const override { return "BFGS"; }
  Hyperparameters hyperparameters() const override;
  MethodState initial_state(uword dimension) const override;
  /// Also requires H symmetric positive definite (exact symmetry and a Cholesky factorization).
  void validate_state(const MethodState& state, uword dimension) const override;
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  void check_dimension(uword dimension, const std::string& argument) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<BFGS>(*this); }

  /// The model-relative curvature threshold σ₁ (skip unless sᵀy ≥ σ₁·sᵀBs; Powell's 0.2)
  /// and the curvature-ratio cap σ₂ (rᵀHr ≤ σ₂·sᵀr) of the update above.
  static constexpr real powell_fraction = 0.2;
  static constexpr real curvature_ratio_cap = 1000;

 private:
  real lr_, eps_;
  uword max_dimension_;
};

/// Creates a method from name() and hyperparameters() (checkpoints, bindings). The names,
/// keys, defaults and ranges are those of method_spec(name) (api.hpp): missing
/// hyperparameters take their default_value; unknown names, unknown or repeated keys and
/// values outside the ranges (a count that is not a whole number, amsgrad other than 0 or 1)
/// throw InvalidArgument naming the key. Accepts exactly what the constructors accept.
std::unique_ptr<Method> make_method(const std::string& name, const Hyperparameters& hyperparameters);

}  // namespace homopt
