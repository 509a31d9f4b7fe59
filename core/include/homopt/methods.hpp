// homopt — optimizer methods (DESIGN 1.5). A method maps the packed gradient coordinates g
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

#include "homopt/types.hpp"

namespace homopt {

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
  /// Throws InvalidArgument("state", …) unless `state` has the layout of initial_state(dimension).
  virtual void validate_state(const MethodState& state, uword dimension) const;
  /// The velocity for gradient g at global step t ≥ 1; updates `state` in place.
  virtual Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const = 0;
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
  explicit Gradient(real lr = 1e-2);
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
  explicit Momentum(real lr = 1e-3, real alpha = 1e-2);
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
  explicit Adam(real lr = 1e-3, real beta1 = 0.9, real beta2 = 0.99, real eps = 3e-7,
                bool amsgrad = false);
  real lr() const { return lr_; }
  real beta1() const { return beta1_; }
  real beta2() const { return beta2_; }
  real eps() const { return eps_; }
  bool amsgrad() const { return amsgrad_; }
  std::string name() const override { return "Adam"; }
  Hyperparameters hyperparameters() const override;
  MethodState initial_state(uword dimension) const override;
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<Adam>(*this); }

  /// The Adam update with an explicit learning rate (shared with AdamWithDecay).
  Vec velocity_with_rate(real rate, const Vec& gradient, MethodState& state, std::uint64_t t) const;

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
  /// lr_start > 0, lr_end > 0, decay_steps ≥ 1, betas in [0, 1), eps > 0.
  explicit AdamWithDecay(std::uint64_t decay_steps = 1000, real lr_start = 1e-2,
                         real lr_end = 1e-6, real beta1 = 0.9, real beta2 = 0.99,
                         real eps = 1e-8, bool amsgrad = false);
  std::uint64_t decay_steps() const { return decay_steps_; }
  real lr_start() const { return lr_start_; }
  real lr_end() const { return lr_end_; }
  /// lr(t) above.
  real learning_rate(std::uint64_t t) const;
  const Adam& adam() const { return adam_; }
  std::string name() const override { return "AdamWithDecay"; }
  Hyperparameters hyperparameters() const override;
  MethodState initial_state(uword dimension) const override { return adam_.initial_state(dimension); }
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<AdamWithDecay>(*this); }

 private:
  std::uint64_t decay_steps_;
  real lr_start_, lr_end_;
  Adam adam_;
};

/// BFGS on the coordinates, with a dense inverse-Hessian approximation H (starts at I):
///   at t > 1, with s = previous velocity and y = g − g_previous:
///     if sᵀy > eps·‖s‖‖y‖ (curvature condition, relative so that it is scale free):
///        ρ = 1/(sᵀy),  H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ   (else H is kept)
///   V = −lr·H g.
/// Because 𝔤ʰᵒʳ is one fixed vector space, s and y need no transport.
/// Limitation (measured): there is no line search. With a fixed small lr the secant pairs of
/// a Cayley/exp chart can have tiny curvature, H grows without bound, the velocity becomes
/// huge and the step stalls (Brockett on St(3, 8): stalls for some seeds at lr·‖B‖ = 0.02
/// and 0.2, none at 0.5). Use lr of the order of 0.5/‖Hessian‖, or Adam.
/// Memory: H has dimension² entries; parameters with dimension > max_dimension
/// (default 4096, i.e. 128 MiB per parameter) are refused.
/// State: {H, g_previous, s}.
class BFGS : public Method {
 public:
  /// lr > 0, eps > 0, max_dimension ≥ 1.
  explicit BFGS(real lr = 1e-2, real eps = 1e-8, uword max_dimension = 4096);
  real lr() const { return lr_; }
  real eps() const { return eps_; }
  uword max_dimension() const { return max_dimension_; }
  std::string name() const override { return "BFGS"; }
  Hyperparameters hyperparameters() const override;
  MethodState initial_state(uword dimension) const override;
  Vec velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const override;
  void check_dimension(uword dimension, const std::string& argument) const override;
  std::unique_ptr<Method> clone() const override { return std::make_unique<BFGS>(*this); }

 private:
  real lr_, eps_;
  uword max_dimension_;
};

/// Creates a method from name() and hyperparameters() (checkpoints, bindings). Unknown
/// names or hyperparameters throw InvalidArgument.
std::unique_ptr<Method> make_method(const std::string& name, const Hyperparameters& hyperparameters);

}  // namespace homopt
