#include "homopt/methods.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "homopt/error.hpp"
#include "homopt/validate.hpp"

namespace homopt {

// ---------------------------------------------------------------- Method (shared parts)

void Method::validate_state(const MethodState& state, uword dimension) const {
  const MethodState expected = initial_state(dimension);
  if (state.size() != expected.size()) {
    std::ostringstream message;
    message << name() << " expects " << expected.size() << " state matrices, got " << state.size();
    throw InvalidArgument("state", message.str());
  }
  for (std::size_t k = 0; k < state.size(); ++k) {
    const std::string argument = "state[" + std::to_string(k) + "]";
    require_shape(state[k], expected[k].n_rows, expected[k].n_cols, argument);
    require_finite(state[k], argument);
  }
}

void Method::check_dimension(uword, const std::string&) const {}

void Method::velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const {
  result = velocity(gradient, state, t);
}

Vec Method::checked_velocity(const Vec& gradient, MethodState& state, std::uint64_t t,
                             const std::string& argument) const {
  Vec result;
  checked_velocity_into(gradient, state, t, argument, result);
  return result;
}

void Method::checked_velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t,
                                   const std::string& argument, Vec& result) const {
  velocity_into(gradient, state, t, result);
  const auto overflow = [&](const std::string& what) {
    std::ostringstream message;
    message << "the " << name() << " update overflows: " << what
            << " would have a NaN/Inf entry (largest |gradient coordinate| = "
            << (gradient.n_elem ? arma::abs(gradient).max() : 0.0) << "); scale the gradient down";
    throw InvalidArgument(argument, message.str());
  };
  for (std::size_t k = 0; k < state.size(); ++k)
    if (!state[k].is_finite()) overflow("state[" + std::to_string(k) + "]");
  if (!result.is_finite()) overflow("the velocity");
}

std::string Method::description() const {
  std::ostringstream text;
  text << name() << "(";
  const Hyperparameters values = hyperparameters();
  for (std::size_t k = 0; k < values.size(); ++k)
    text << (k ? ", " : "") << values[k].first << "=" << values[k].second;
  text << ")";
  return text.str();
}

// ---------------------------------------------------------------- Gradient

Gradient::Gradient(real lr) : lr_(lr) { require_positive(lr, "lr"); }

Vec Gradient::velocity(const Vec& gradient, MethodState&, std::uint64_t) const { return -lr_ * gradient; }

// ---------------------------------------------------------------- Momentum

Momentum::Momentum(real lr, real alpha) : lr_(lr), alpha_(alpha) {
  require_positive(lr, "lr");
  require_unit_interval(alpha, "alpha");
}

MethodState Momentum::initial_state(uword dimension) const { return {Mat(dimension, 1, arma::fill::zeros)}; }

Vec Momentum::velocity(const Vec& gradient, MethodState& state, std::uint64_t) const {
  Mat& momentum = state[0];
  momentum = alpha_ * momentum + gradient;
  return -lr_ * momentum;
}

// ---------------------------------------------------------------- Adam

Adam::Adam(real lr, real beta1, real beta2, real eps, bool amsgrad)
    : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps), amsgrad_(amsgrad) {
  require_positive(lr, "lr");
  require_unit_interval(beta1, "beta1");
  require_unit_interval(beta2, "beta2");
  require_positive(eps, "eps");
}

Hyperparameters Adam::hyperparameters() const {
  return {{"lr", lr_}, {"beta1", beta1_}, {"beta2", beta2_}, {"eps", eps_}, {"amsgrad", amsgrad_ ? 1.0 : 0.0}};
}

MethodState Adam::initial_state(uword dimension) const {
  MethodState state(amsgrad_ ? 3 : 2, Mat(dimension, 1, arma::fill::zeros));
  return state;
}

void Adam::validate_state(const MethodState& state, uword dimension) const {
  Method::validate_state(state, dimension);
  // √v̂ needs v ≥ 0 (and v_max ≥ 0 with AMSGrad); state[0] is m, of any sign.
  for (std::size_t k = 1; k < state.size(); ++k) {
    for (uword i = 0; i < state[k].n_elem; ++i) {
      if (state[k][i] < 0) {
        std::ostringstream message;
        message << "entry " << i << " of " << (k == 1 ? "the second moment v" : "the running maximum v_max")
                << " is " << state[k][i] << "; it must be >= 0";
        throw InvalidArgument("state[" + std::to_string(k) + "]", message.str());
      }
    }
  }
}

Vec Adam::velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const {
  return velocity_with_rate(lr_, gradient, state, t);
}

void Adam::velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const {
  velocity_with_rate(lr_, gradient, state, t, result);
}

Vec Adam::velocity_with_rate(real rate, const Vec& gradient, MethodState& state, std::uint64_t t) const {
  Vec result;
  velocity_with_rate(rate, gradient, state, t, result);
  return result;
}

void Adam::velocity_with_rate(real rate, const Vec& g, MethodState& state, std::uint64_t t, Vec& result) const {
  const uword d = g.n_elem;
  real* m = state[0].memptr();
  real* v = state[1].memptr();
  real* v_max = amsgrad_ ? state[2].memptr() : v;
  const real* gradient = g.memptr();
  const real first_correction = 1 - std::pow(beta1_, static_cast<real>(t));
  const real second_correction = 1 - std::pow(beta2_, static_cast<real>(t));
  result.set_size(d);
  real* velocity = result.memptr();
  for (uword k = 0; k < d; ++k) {
    m[k] = beta1_ * m[k] + (1 - beta1_) * gradient[k];
    v[k] = beta2_ * v[k] + (1 - beta2_) * gradient[k] * gradient[k];
    if (amsgrad_ && v[k] > v_max[k]) v_max[k] = v[k];
    const real m_hat = m[k] / first_correction;
    const real v_hat = v_max[k] / second_correction;
    velocity[k] = -rate * m_hat / (std::sqrt(v_hat) + eps_);
  }
}

// ---------------------------------------------------------------- AdamWithDecay

AdamWithDecay::AdamWithDecay(std::uint64_t decay_steps, real lr_start, real lr_end, real beta1,
                             real beta2, real eps, bool amsgrad)
    : decay_steps_(decay_steps), lr_start_(lr_start), lr_end_(lr_end),
      adam_((require_positive(lr_start, "lr_start"), lr_start), beta1, beta2, eps, amsgrad) {
  require_count(decay_steps, max_decay_steps, "decay_steps");
  require_positive(lr_end, "lr_end");
}

real AdamWithDecay::learning_rate(std::uint64_t t) const {
  if (decay_steps_ == 1) return lr_end_;
  const real progress = static_cast<real>(std::min<std::uint64_t>(t < 1 ? 0 : t - 1, decay_steps_ - 1)) /
                        static_cast<real>(decay_steps_ - 1);
  return lr_start_ * std::pow(lr_end_ / lr_start_, progress);
}

Hyperparameters AdamWithDecay::hyperparameters() const {
  return {{"decay_steps", static_cast<real>(decay_steps_)},
          {"lr_start", lr_start_},
          {"lr_end", lr_end_},
          {"beta1", adam_.beta1()},
          {"beta2", adam_.beta2()},
          {"eps", adam_.eps()},
          {"amsgrad", adam_.amsgrad() ? 1.0 : 0.0}};
}

Vec AdamWithDecay::velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const {
  return adam_.velocity_with_rate(learning_rate(t), gradient, state, t);
}

void AdamWithDecay::velocity_into(const Vec& gradient, MethodState& state, std::uint64_t t, Vec& result) const {
  adam_.velocity_with_rate(learning_rate(t), gradient, state, t, result);
}

// ---------------------------------------------------------------- BFGS

BFGS::BFGS(real lr, real eps, uword max_dimension) : lr_(lr), eps_(eps), max_dimension_(max_dimension) {
  require_positive(lr, "lr");
  require_positive(eps, "eps");
  require_count(max_dimension, max_bfgs_dimension, "max_dimension");
}

Hyperparameters BFGS::hyperparameters() const {
  return {{"lr", lr_}, {"eps", eps_}, {"max_dimension", static_cast<real>(max_dimension_)}};
}

void BFGS::check_dimension(uword dimension, const std::string& argument) const {
  if (dimension > max_dimension_) {
    std::ostringstream message;
    message << "BFGS keeps a dense " << dimension << "x" << dimension
            << " inverse Hessian; this exceeds max_dimension = " << max_dimension_ << " ("
            << max_dimension_ * max_dimension_ * sizeof(real) / (1024 * 1024)
            << " MiB); use Adam or raise max_dimension";
    throw InvalidArgument(argument, message.str());
  }
}

MethodState BFGS::initial_state(uword dimension) const {
  return {arma::eye<Mat>(dimension, dimension), Mat(dimension, 1, arma::fill::zeros),
          Mat(dimension, 1, arma::fill::zeros)};
}

namespace {

/// True if H is exactly symmetric and its Cholesky factorization succeeds.
bool symmetric_positive_definite(const Mat& H) {
  for (uword j = 0; j < H.n_cols; ++j)
    for (uword i = j + 1; i < H.n_rows; ++i)
      if (H(i, j) != H(j, i)) return false;
  Mat factor;
  return arma::chol(factor, H);
}

/// The largest θ ∈ [0, 1] with rᵀHr ≤ σ₂·sᵀr for r = θy + (1−θ)b (methods.hpp, BFGS
/// step 2), from sy = sᵀy ≥ σ₁·sb, sb = sᵀb > 0 and yHy = yᵀHy. With a = (y − b)ᵀH(y − b)
/// = yHy − 2sy + sb ≥ 0: sᵀr = sb + θ(sy − sb) and rᵀHr = sb + 2θ(sy − sb) + aθ², so the
/// condition is q(θ) = (σ₂ − 1)sb + (σ₂ − 2)(sy − sb)θ − aθ² ≥ 0; q(0) > 0 and q is concave,
/// so it holds on [0, θ₂] up to its positive root θ₂. sᵀr stays ≥ σ₁·sb on [0, 1].
real damping_factor(real sy, real sb, real yHy) {
  const real cap = BFGS::curvature_ratio_cap;
  const real a = std::max<real>(0, yHy - 2 * sy + sb);
  const real linear = (cap - 2) * (sy - sb), constant = (cap - 1) * sb;
  if (constant + linear - a >= 0) return 1;  // q(1) ≥ 0: plain BFGS
  const real root = std::sqrt(linear * linear + 4 * a * constant);
  // The positive root of −aθ² + linear·θ + constant, in the form without cancellation.
  return linear >= 0 ? (linear + root) / (2 * a) : 2 * constant / (root - linear);
}

}  // namespace

void BFGS::validate_state(const MethodState& state, uword dimension) const {
  Method::validate_state(state, dimension);
  if (!symmetric_positive_definite(state[0]))
    throw InvalidArgument("state[0]", "the inverse Hessian H must be symmetric positive definite");
}

Vec BFGS::velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const {
  Mat& H = state[0];
  Mat& previous_gradient = state[1];
  Mat& previous_step = state[2];
  if (t > 1) {
    const Vec s = previous_step;
    const Vec y = gradient - previous_gradient;
    const Vec b = -lr_ * Vec(previous_gradient);  // B s, B = H⁻¹, since s = −lr·H g_previous
    const real sy = arma::dot(s, y), sb = arma::dot(s, b);
    // Curvature conditions (skip otherwise): relative to ‖s‖‖y‖ and relative to the model.
    if (sb > 0 && sy > eps_ * arma::norm(s) * arma::norm(y) && sy >= powell_fraction * sb) {
      const Vec Hy = H * y;
      const real theta = damping_factor(sy, sb, arma::dot(y, Hy));
      const Vec r = theta * y + (1 - theta) * b;
      const Vec Hr = theta * Hy + (1 - theta) * s;  // H b = s
      const real rho = 1 / arma::dot(s, r);
      // H ← (I − ρsrᵀ)H(I − ρrsᵀ) + ρssᵀ = H − ρ(s(Hr)ᵀ + (Hr)sᵀ) + (ρ²rᵀHr + ρ)ssᵀ, O(d²),
      // on the lower triangle, mirrored.
      const real c = rho * rho * arma::dot(r, Hr) + rho;
      Mat updated = H;
      const uword d = H.n_rows;
      for (uword j = 0; j < d; ++j) {
        for (uword i = j; i < d; ++i) {
          updated(i, j) += c * s(i) * s(j) - rho * (s(i) * Hr(j) + Hr(i) * s(j));
          updated(j, i) = updated(i, j);
        }
      }
      if (updated.is_finite() && symmetric_positive_definite(updated)) H = std::move(updated);
    }
  }
  Vec velocity = -lr_ * (H * gradient);
  previous_gradient = gradient;
  previous_step = velocity;
  return velocity;
}

// ---------------------------------------------------------------- factory

namespace {
/// Looks up hyperparameter `key`, or returns `fallback` if absent.
real lookup(const Hyperparameters& values, const std::string& key, real fallback) {
  for (const auto& entry : values)
    if (entry.first == key) return entry.second;
  return fallback;
}
/// Refuses keys that `method` does not declare, and repeated keys.
void require_known(const Hyperparameters& values, const MethodSpec& method) {
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::string& key = values[k].first;
    bool found = false;
    for (const HyperparameterSpec& declared : method.hyperparameters) found = found || key == declared.name;
    if (!found) throw InvalidArgument(key, "is not a hyperparameter of " + method.name);
    for (std::size_t earlier = 0; earlier < k; ++earlier)
      if (values[earlier].first == key) throw InvalidArgument(key, "is given more than once");
  }
}
}  // namespace

std::unique_ptr<Method> make_method(const std::string& name, const Hyperparameters& given) {
  const MethodSpec& spec = method_spec(name);
  require_known(given, spec);
  // v[k] is hyperparameter k of the spec (given or default), checked against its range.
  std::vector<real> v;
  for (const HyperparameterSpec& declared : spec.hyperparameters)
    v.push_back(check_hyperparameter(declared, lookup(given, declared.name, declared.default_value)));
  const auto count = [](real value) { return static_cast<std::uint64_t>(value); };
  if (name == "Gradient") return std::make_unique<Gradient>(v[0]);
  if (name == "Momentum") return std::make_unique<Momentum>(v[0], v[1]);
  if (name == "Adam") return std::make_unique<Adam>(v[0], v[1], v[2], v[3], v[4] == 1);
  if (name == "AdamWithDecay")
    return std::make_unique<AdamWithDecay>(count(v[0]), v[1], v[2], v[3], v[4], v[5], v[6] == 1);
  if (name == "BFGS") return std::make_unique<BFGS>(v[0], v[1], count(v[2]));
  throw InvalidArgument("name", "method '" + name + "' is declared in method_specs() but make_method cannot build it");
}

}  // namespace homopt
