#include "homopt/optimizer.hpp"

#include <sstream>
#include <stdexcept>
#include <utility>

#include "homopt/checkpoint.hpp"
#include "homopt/error.hpp"
#include "homopt/random.hpp"
#include "homopt/validate.hpp"

namespace homopt {

/// One parameter: its manifold, its section λ (holding the point) and its method state,
/// plus the buffers of a step (kept across steps so that a step allocates nothing once the
/// sizes are known; not part of the parameter's value: a copy starts with empty ones).
struct Optimizer::Parameter {
  std::unique_ptr<Manifold> manifold;
  std::unique_ptr<Section> section;
  MethodState state;

  // Step buffers (Optimizer::step): lifted coordinates, velocity, the method state being
  // updated (committed by swapping with `state`), and a new section when the section does
  // not update in place (Section::prepare_retraction returned false).
  Vec coordinates;
  Vec velocity;
  MethodState next_state;
  std::unique_ptr<Section> next_section;
  bool pending_in_place = false;  // the section holds a prepared in-place step

  Parameter(std::unique_ptr<Manifold> m, std::unique_ptr<Section> s, MethodState st)
      : manifold(std::move(m)), section(std::move(s)), state(std::move(st)) {}
  Parameter(const Parameter& other)
      : manifold(other.manifold->clone()), section(other.section->clone()), state(other.state) {}
  Parameter(Parameter&&) noexcept = default;
  Parameter& operator=(Parameter&&) noexcept = default;
};

Optimizer::Optimizer(const Method& method, Retraction retraction, SectionPolicy section_policy,
                     std::uint64_t redraw_seed)
    : method_(method.clone()), retraction_(retraction), section_policy_(section_policy),
      redraw_seed_(section_policy == SectionPolicy::redraw ? redraw_seed : 0) {}

Optimizer::Optimizer(const Optimizer& other)
    : method_(other.method_->clone()), retraction_(other.retraction_),
      section_policy_(other.section_policy_), redraw_seed_(other.redraw_seed_),
      step_count_(other.step_count_), parameters_(other.parameters_) {}

Optimizer& Optimizer::operator=(const Optimizer& other) {
  if (this != &other) {
    Optimizer copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Optimizer::Optimizer(Optimizer&& other) noexcept = default;
Optimizer& Optimizer::operator=(Optimizer&& other) noexcept = default;
Optimizer::~Optimizer() = default;

std::size_t Optimizer::size() const { return parameters_.size(); }

void Optimizer::require_policy_applies(const Manifold& manifold, const Section& section) const {
  if (section_policy_ == SectionPolicy::redraw && !section.accepts_complement_redraw())
    throw InvalidArgument("manifold", manifold.description() +
                                          " has no section complement to redraw: SectionPolicy::redraw is "
                                          "for Stiefel, Grassmann and Euclidean parameters");
}

std::size_t Optimizer::add(const Manifold& manifold, const Mat& initial_point) {
  method_->check_dimension(manifold.dimension(), "manifold");
  auto section = manifold.section(initial_point, "initial_point");
  require_policy_applies(manifold, *section);
  parameters_.emplace_back(manifold.clone(), std::move(section),
                           method_->initial_state(manifold.dimension()));
  return parameters_.size() - 1;
}

namespace {
/// "gradients[i]": the name of parameter i's gradient in error messages.
std::string argument_name(std::size_t i) { return "gradients[" + std::to_string(i) + "]"; }
}  // namespace

void Optimizer::require_gradient_count(std::size_t count) const {
  if (count != parameters_.size()) {
    std::ostringstream message;
    message << "expected " << parameters_.size() << " gradients (one per parameter), got " << count;
    throw InvalidArgument("gradients", message.str());
  }
}

void Optimizer::require_gradient(const Mat& gradient, const Manifold& manifold, std::size_t i) {
  const std::string argument = argument_name(i);
  require_shape(gradient, manifold.rows(), manifold.cols(), argument);
  require_finite(gradient, argument);
}

std::vector<Vec> Optimizer::lifted_gradients(const std::vector<Mat>& gradients) const {
  require_gradient_count(gradients.size());
  std::vector<Vec> coordinates(parameters_.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    require_gradient(gradients[i], *parameters_[i].manifold, i);
    coordinates[i] = parameters_[i].section->lift(gradients[i]);
  }
  return coordinates;
}

void Optimizer::step(const std::vector<Mat>& gradients) {
  require_gradient_count(gradients.size());
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& parameter = parameters_[i];
    require_gradient(gradients[i], *parameter.manifold, i);
    parameter.section->lift_into(gradients[i], parameter.coordinates);
  }
  step_from_coordinates();
}

void Optimizer::step_lifted(const std::vector<Vec>& coordinates) {
  if (coordinates.size() != parameters_.size()) {
    std::ostringstream message;
    message << "expected " << parameters_.size() << " coordinate vectors (one per parameter), got "
            << coordinates.size();
    throw InvalidArgument("coordinates", message.str());
  }
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const std::string argument = "coordinates[" + std::to_string(i) + "]";
    require_shape(coordinates[i], parameters_[i].manifold->dimension(), 1, argument);
    require_finite(coordinates[i], argument);
  }
  for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i].coordinates = coordinates[i];
  step_from_coordinates();
}

void Optimizer::step_from_coordinates() {
  // Phase 1 — everything that can fail, for every parameter, into the step buffers; the
  // sections and states stay as they are. Phase 2 — commit, which cannot fail: the step is
  // all-or-nothing.
  const std::uint64_t t = step_count_ + 1;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& parameter = parameters_[i];
    parameter.next_state = parameter.state;  // reuses next_state's memory (same sizes)
    // Refuses (naming gradients[i]) an update whose state or velocity is not finite; the
    // section then checks that the point it computes is finite and on the manifold
    // (NaN-safe), so nothing non-finite or off the manifold is ever committed.
    method_->checked_velocity_into(parameter.coordinates, parameter.next_state, t, argument_name(i),
                                   parameter.velocity);
    parameter.pending_in_place = parameter.section->prepare_retraction(parameter.velocity, retraction_);
    if (!parameter.pending_in_place) parameter.next_section = parameter.section->retracted(parameter.velocity, retraction_);
    if (section_policy_ == SectionPolicy::redraw) {
      // Every section that accepts a redraw (add() checked) steps in place.
      if (!parameter.pending_in_place) throw std::logic_error("SectionPolicy::redraw needs an in-place step");
      parameter.section->redraw_pending_complement(derived_seed(derived_seed(redraw_seed_, t), i));
    }
  }
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& parameter = parameters_[i];
    if (parameter.pending_in_place)
      parameter.section->commit_retraction();
    else
      parameter.section.swap(parameter.next_section);
    parameter.next_section.reset();
    parameter.state.swap(parameter.next_state);
  }
  step_count_ = t;
}

namespace {
void require_index(std::size_t i, std::size_t size) {
  if (i >= size) {
    std::ostringstream message;
    message << "parameter index " << i << " out of range (the optimizer has " << size
            << " parameters; indices are 0-based)";
    throw IndexOutOfRange(message.str());
  }
}
}  // namespace

const Mat& Optimizer::value(std::size_t i) const {
  require_index(i, parameters_.size());
  return parameters_[i].section->point();
}
const Manifold& Optimizer::manifold(std::size_t i) const {
  require_index(i, parameters_.size());
  return *parameters_[i].manifold;
}
const Section& Optimizer::section(std::size_t i) const {
  require_index(i, parameters_.size());
  return *parameters_[i].section;
}
const MethodState& Optimizer::method_state(std::size_t i) const {
  require_index(i, parameters_.size());
  return parameters_[i].state;
}

// ---------------------------------------------------------------- checkpoints

std::string Optimizer::to_bytes() const {
  BinaryWriter out;
  out.string(method_->name());
  const Hyperparameters hyperparameters = method_->hyperparameters();
  out.u32(static_cast<std::uint32_t>(hyperparameters.size()));
  for (const auto& [key, value] : hyperparameters) {
    out.string(key);
    out.f64(value);
  }
  out.string(to_string(retraction_));
  out.u64(step_count_);
  // Format 2 only when there is something format 1 cannot say (checkpoint.hpp): a
  // transport optimizer writes the same bytes as before the policy existed.
  const bool redraw = section_policy_ == SectionPolicy::redraw;
  if (redraw) {
    out.string(to_string(section_policy_));
    out.u64(redraw_seed_);
  }
  out.u32(static_cast<std::uint32_t>(parameters_.size()));
  for (const Parameter& parameter : parameters_) {
    out.string(parameter.manifold->name());
    const std::vector<uword> shape = parameter.manifold->shape_parameters();
    out.u32(static_cast<std::uint32_t>(shape.size()));
    for (uword size : shape) out.u64(size);
    out.matrices(parameter.section->state());
    out.matrices(parameter.state);
  }
  return seal_checkpoint(out.bytes(), redraw ? 2 : 1);
}

namespace {

/// Refuses (before anything is allocated for it) a manifold whose section cannot be in the
/// bytes that remain: a section holds at least max(rows·cols, dimension) reals (the point,
/// and enough numbers to span the dimension), computed without overflow.
void require_section_fits(const Manifold& manifold, const BinaryReader& in) {
  std::uint64_t point_reals = 0;
  const bool overflow = __builtin_mul_overflow(std::uint64_t(manifold.rows()),
                                               std::uint64_t(manifold.cols()), &point_reals);
  const std::uint64_t reals_left = in.remaining() / sizeof(real);
  if (overflow || point_reals > reals_left || manifold.dimension() > reals_left)
    in.fail("the section of " + manifold.description() + " needs more bytes than remain in the file");
}

/// The (rows, cols) of method.initial_state(dimension), computed without building it (a
/// BFGS state is dimension² reals). Every method's state is a list of matrices whose sizes
/// are affine in the dimension (d×1 moments, a d×d inverse Hessian, 1×1 counters), so the
/// states for d = 1 and d = 2 determine them; d = 3 confirms the assumption.
std::vector<std::pair<std::uint64_t, std::uint64_t>> predicted_state_shapes(const Method& method,
                                                                           uword dimension) {
  const MethodState one = method.initial_state(1), two = method.initial_state(2),
                    three = method.initial_state(3);
  if (one.size() != two.size() || one.size() != three.size())
    throw std::logic_error(method.name() + ": state layout depends on the dimension");
  const auto affine = [dimension](uword at_one, uword at_two, uword at_three) -> std::uint64_t {
    const std::int64_t slope = std::int64_t(at_two) - std::int64_t(at_one);
    if (std::int64_t(at_three) - std::int64_t(at_two) != slope || slope < 0 || slope > 1)
      throw std::logic_error("method state sizes are not of the form c or c + d");
    return (at_one - std::uint64_t(slope)) + std::uint64_t(slope) * dimension;  // slope ∈ {0, 1}
  };
  std::vector<std::pair<std::uint64_t, std::uint64_t>> shapes;
  for (std::size_t k = 0; k < one.size(); ++k)
    shapes.emplace_back(affine(one[k].n_rows, two[k].n_rows, three[k].n_rows),
                        affine(one[k].n_cols, two[k].n_cols, three[k].n_cols));
  return shapes;
}

/// Checks the layout of a loaded method state against predicted_state_shapes before the
/// method's own validate_state (finiteness, v ≥ 0, …) sees it.
void require_state_layout(const Method& method, const MethodState& state, uword dimension,
                          const BinaryReader& in) {
  const auto shapes = predicted_state_shapes(method, dimension);
  bool matches = shapes.size() == state.size();
  for (std::size_t k = 0; matches && k < shapes.size(); ++k)
    matches = state[k].n_rows == shapes[k].first && state[k].n_cols == shapes[k].second;
  if (!matches)
    in.fail("the " + method.name() + " state does not have the layout for dimension " +
            std::to_string(dimension));
}

}  // namespace

Optimizer Optimizer::from_bytes(const std::string& bytes, const std::string& origin) {
  std::uint32_t format_version = 0;
  const std::string payload = open_checkpoint(bytes, origin, &format_version);
  BinaryReader in(payload, origin);
  try {
    const std::string method_name = in.string();
    const std::uint32_t hyperparameter_count = in.u32();
    if (hyperparameter_count > 64) in.fail("implausible hyperparameter count");
    Hyperparameters hyperparameters;
    for (std::uint32_t k = 0; k < hyperparameter_count; ++k) {
      std::string key = in.string();
      hyperparameters.emplace_back(std::move(key), in.f64());
    }
    const auto method = make_method(method_name, hyperparameters);
    const Retraction retraction = retraction_from_string(in.string());
    const std::uint64_t step_count = in.u64();
    if (step_count > max_checkpoint_step_count)
      in.fail("step count " + std::to_string(step_count) + " exceeds 2^53");
    SectionPolicy section_policy = SectionPolicy::transport;
    std::uint64_t redraw_seed = 0;
    if (format_version >= 2) {
      section_policy = section_policy_from_string(in.string(), "section policy");
      redraw_seed = in.u64();
    }
    Optimizer optimizer(*method, retraction, section_policy, redraw_seed);
    optimizer.step_count_ = step_count;
    const std::uint32_t parameter_count = in.u32();
    // A parameter takes at least 16 bytes (name length, shape count, two matrix counts).
    if (parameter_count > in.remaining() / 16) in.fail("implausible parameter count");
    for (std::uint32_t i = 0; i < parameter_count; ++i) {
      const std::string manifold_name = in.string();
      const std::uint32_t shape_count = in.u32();
      if (shape_count > 8) in.fail("implausible manifold shape");
      std::vector<uword> shape;
      for (std::uint32_t k = 0; k < shape_count; ++k) shape.push_back(static_cast<uword>(in.u64()));
      auto manifold = make_manifold(manifold_name, shape);  // validates the sizes
      require_section_fits(*manifold, in);
      auto section = manifold->section_from_state(in.matrices());
      optimizer.require_policy_applies(*manifold, *section);
      MethodState state = in.matrices();
      optimizer.method_->check_dimension(manifold->dimension(), "manifold");
      require_state_layout(*optimizer.method_, state, manifold->dimension(), in);
      optimizer.method_->validate_state(state, manifold->dimension());
      optimizer.parameters_.emplace_back(std::move(manifold), std::move(section), std::move(state));
    }
    if (!in.at_end()) in.fail("unexpected trailing data");
    return optimizer;
  } catch (const InvalidArgument& error) {
    throw FileError(origin + ": invalid content (" + error.what() + ")");
  }
}

void Optimizer::save(const std::string& path) const { write_file_atomically(path, to_bytes()); }

Optimizer Optimizer::load(const std::string& path) { return from_bytes(read_checkpoint_file(path), path); }

}  // namespace homopt
