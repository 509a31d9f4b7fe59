#include "homopt/methods.hpp"

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

Vec Adam::velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const {
  return velocity_with_rate(lr_, gradient, state, t);
}

Vec Adam::velocity_with_rate(real rate, const Vec& g, MethodState& state, std::uint64_t t) const {
  const uword d = g.n_elem;
  real* m = state[0].memptr();
  real* v = state[1].memptr();
  real* v_max = amsgrad_ ? state[2].memptr() : v;
  const real* gradient = g.memptr();
  const real first_correction = 1 - std::pow(beta1_, static_cast<real>(t));
  const real second_correction = 1 - std::pow(beta2_, static_cast<real>(t));
  Vec result(d, arma::fill::none);
  real* velocity = result.memptr();
  for (uword k = 0; k < d; ++k) {
    m[k] = beta1_ * m[k] + (1 - beta1_) * gradient[k];
    v[k] = beta2_ * v[k] + (1 - beta2_) * gradient[k] * gradient[k];
    if (amsgrad_ && v[k] > v_max[k]) v_max[k] = v[k];
    const real m_hat = m[k] / first_correction;
    const real v_hat = v_max[k] / second_correction;
    velocity[k] = -rate * m_hat / (std::sqrt(v_hat) + eps_);
  }
  return result;
}

// ---------------------------------------------------------------- AdamWithDecay

AdamWithDecay::AdamWithDecay(std::uint64_t decay_steps, real lr_start, real lr_end, real beta1,
                             real beta2, real eps, bool amsgrad)
    : decay_steps_(decay_steps), lr_start_(lr_start), lr_end_(lr_end),
      adam_((require_positive(lr_start, "lr_start"), lr_start), beta1, beta2, eps, amsgrad) {
  if (decay_steps < 1) throw InvalidArgument("decay_steps", "must be at least 1");
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

// ---------------------------------------------------------------- BFGS

BFGS::BFGS(real lr, real eps, uword max_dimension) : lr_(lr), eps_(eps), max_dimension_(max_dimension) {
  require_positive(lr, "lr");
  require_positive(eps, "eps");
  if (max_dimension < 1) throw InvalidArgument("max_dimension", "must be at least 1");
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

Vec BFGS::velocity(const Vec& gradient, MethodState& state, std::uint64_t t) const {
  Mat& H = state[0];
  Mat& previous_gradient = state[1];
  Mat& previous_step = state[2];
  if (t > 1) {
    const Vec s = previous_step;
    const Vec y = gradient - previous_gradient;
    const real sy = arma::dot(s, y);
    if (sy > eps_ * arma::norm(s) * arma::norm(y)) {
      // H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ, expanded so that it costs O(d²):
      // H − ρ(s(Hy)ᵀ + (Hy)sᵀ) + (ρ²yᵀHy + ρ)ssᵀ  (H symmetric).
      const real rho = 1 / sy;
      const Vec Hy = H * y;
      const real yHy = arma::dot(y, Hy);
      H += (rho * rho * yHy + rho) * (s * s.t()) - rho * (s * Hy.t() + Hy * s.t());
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
void require_known(const Hyperparameters& values, std::initializer_list<const char*> known,
                   const std::string& method) {
  for (const auto& entry : values) {
    bool found = false;
    for (const char* key : known) found = found || entry.first == key;
    if (!found) throw InvalidArgument(entry.first, "is not a hyperparameter of " + method);
  }
}
}  // namespace

std::unique_ptr<Method> make_method(const std::string& name, const Hyperparameters& h) {
  if (name == "Gradient") {
    require_known(h, {"lr"}, name);
    return std::make_unique<Gradient>(lookup(h, "lr", 1e-2));
  }
  if (name == "Momentum") {
    require_known(h, {"lr", "alpha"}, name);
    return std::make_unique<Momentum>(lookup(h, "lr", 1e-3), lookup(h, "alpha", 1e-2));
  }
  if (name == "Adam") {
    require_known(h, {"lr", "beta1", "beta2", "eps", "amsgrad"}, name);
    return std::make_unique<Adam>(lookup(h, "lr", 1e-3), lookup(h, "beta1", 0.9), lookup(h, "beta2", 0.99),
                                  lookup(h, "eps", 3e-7), lookup(h, "amsgrad", 0) != 0);
  }
  if (name == "AdamWithDecay") {
    require_known(h, {"decay_steps", "lr_start", "lr_end", "beta1", "beta2", "eps", "amsgrad"}, name);
    const real steps = lookup(h, "decay_steps", 1000);
    if (!(steps >= 1 && steps < 1e18 && std::floor(steps) == steps))
      throw InvalidArgument("decay_steps", "must be a whole number ≥ 1");
    return std::make_unique<AdamWithDecay>(static_cast<std::uint64_t>(steps), lookup(h, "lr_start", 1e-2),
                                           lookup(h, "lr_end", 1e-6), lookup(h, "beta1", 0.9),
                                           lookup(h, "beta2", 0.99), lookup(h, "eps", 1e-8),
                                           lookup(h, "amsgrad", 0) != 0);
  }
  if (name == "BFGS") {
    require_known(h, {"lr", "eps", "max_dimension"}, name);
    const real cap = lookup(h, "max_dimension", 4096);
    if (!(cap >= 1 && cap < 1e9 && std::floor(cap) == cap))
      throw InvalidArgument("max_dimension", "must be a whole number ≥ 1");
    return std::make_unique<BFGS>(lookup(h, "lr", 1e-2), lookup(h, "eps", 1e-8), static_cast<uword>(cap));
  }
  throw InvalidArgument("name", "unknown method '" + name +
                                    "' (expected Gradient, Momentum, Adam, AdamWithDecay or BFGS)");
}

}  // namespace homopt
