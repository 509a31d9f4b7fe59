// homopt C ABI — the entry points declared in homopt.h. Each is a thin layer over the core:
// validate the C arguments, call the core, copy results out; every exception is turned into
// a status code by c_abi::guarded (no logic of its own lives here).
#include <cmath>
#include <cstddef>
#include <set>
#include <vector>

#include "abi_support.hpp"
#include "homopt.h"

using namespace homopt::c_abi;

namespace {

/// Entry `index` of `specs` (IndexOutOfRange naming what otherwise).
template <class Spec>
const Spec& spec_at(const std::vector<Spec>& specs, std::size_t index, const char* what) {
  if (index >= specs.size())
    throw homopt::IndexOutOfRange(std::string(what) + " index " + std::to_string(index) + " out of range (" +
                                  std::to_string(specs.size()) + " declared)");
  return specs[index];
}

// The C++ object behind each handle type.
const homopt::Manifold& object(const homopt_manifold& handle) { return *handle.value; }
const homopt::Method& object(const homopt_method& handle) { return *handle.value; }
homopt::Optimizer& object(homopt_optimizer& handle) { return handle.value; }
const homopt::Optimizer& object(const homopt_optimizer& handle) { return handle.value; }

/// Runs body(object) on the object behind a live handle, holding a lease on it (a
/// concurrent destroy cannot free it meanwhile) and, for an optimizer, its mutex (calls on
/// one optimizer run one at a time); returns the status.
template <class Handle, class Body>
int with(Handle* handle, const char* argument, Body&& body) {
  return guarded([&] {
    const auto held = live(handle, argument);
    const auto lock = exclusive_access(*held);
    body(object(*held));
  });
}

/// Creates a handle of type Handle around factory()'s result and stores it in *out.
template <class Handle, class Factory>
int create(Handle** out, Factory&& factory) {
  clear_output(out);
  return guarded([&] {
    require_pointer(out, "out");
    publish(std::unique_ptr<Handle>(new Handle{factory()}), out);
  });
}

/// *out = value (InvalidArgument naming `argument` if out is NULL).
template <class Target, class Value>
void write_value(Target* out, Value value, const char* argument) {
  require_pointer(out, argument);
  *out = static_cast<Target>(value);
}

/// The key/value arrays of homopt_method_create as core hyperparameters: keys non-NULL and
/// distinct, values finite.
homopt::Hyperparameters input_hyperparameters(const char* const* keys, const double* values, std::size_t count) {
  homopt::Hyperparameters result;
  if (count == 0) return result;
  require_pointer(keys, "keys");
  require_pointer(values, "values");
  std::set<std::string> seen;
  for (std::size_t k = 0; k < count; ++k) {
    const std::string key = input_string(keys[k], ("keys[" + std::to_string(k) + "]").c_str());
    if (!seen.insert(key).second) throw homopt::InvalidArgument(key, "given more than once");
    if (!std::isfinite(values[k])) throw homopt::InvalidArgument(key, "must be finite");
    result.emplace_back(key, values[k]);
  }
  return result;
}

}  // namespace

extern "C" {

// ------------------------------------------------------------------ library

const char* homopt_version(void) { return homopt::version(); }

const char* homopt_last_error(void) { return last_error(); }

const char* homopt_status_name(int status) {
  switch (status) {
    case HOMOPT_OK: return "HOMOPT_OK";
    case HOMOPT_INVALID_ARGUMENT: return "HOMOPT_INVALID_ARGUMENT";
    case HOMOPT_INDEX_ERROR: return "HOMOPT_INDEX_ERROR";
    case HOMOPT_FILE_ERROR: return "HOMOPT_FILE_ERROR";
    case HOMOPT_NULL_HANDLE: return "HOMOPT_NULL_HANDLE";
    case HOMOPT_BUFFER_TOO_SMALL: return "HOMOPT_BUFFER_TOO_SMALL";
    case HOMOPT_OUT_OF_MEMORY: return "HOMOPT_OUT_OF_MEMORY";
    case HOMOPT_INTERNAL_ERROR: return "HOMOPT_INTERNAL_ERROR";
    default: return "HOMOPT_UNKNOWN_STATUS";
  }
}

int homopt_live_handle_count(size_t* count) {
  return guarded([&] { write_value(count, live_handle_count(), "count"); });
}

int homopt_standard_normal_matrix(size_t rows, size_t cols, uint64_t seed, double* out, size_t capacity) {
  // Sizes first (InvalidArgument naming rows or cols, also with out = NULL), then out.
  return guarded([&] { write_matrix(homopt::standard_normal_matrix(rows, cols, seed), out, capacity, "out"); });
}

// ------------------------------------------------------------------ manifolds

int homopt_manifold_create(const char* name, size_t a, size_t b, homopt_manifold** out) {
  return create(out, [&] { return homopt::make_manifold(input_string(name, "name"), {a, b}); });
}

int homopt_stiefel_create(size_t N, size_t n, homopt_manifold** out) {
  return create(out, [&]() -> std::unique_ptr<homopt::Manifold> { return std::make_unique<homopt::Stiefel>(N, n); });
}

int homopt_grassmann_create(size_t N, size_t n, homopt_manifold** out) {
  return create(out,
                [&]() -> std::unique_ptr<homopt::Manifold> { return std::make_unique<homopt::Grassmann>(N, n); });
}

int homopt_euclidean_create(size_t rows, size_t cols, homopt_manifold** out) {
  return create(
      out, [&]() -> std::unique_ptr<homopt::Manifold> { return std::make_unique<homopt::Euclidean>(rows, cols); });
}

int homopt_manifold_destroy(homopt_manifold* manifold) {
  return guarded([&] { destroy(manifold, "manifold"); });
}

int homopt_manifold_name(const homopt_manifold* manifold, char* buffer, size_t capacity, size_t* length) {
  return with(manifold, "manifold",
              [&](const homopt::Manifold& m) { write_string(m.name(), buffer, capacity, length); });
}

int homopt_manifold_description(const homopt_manifold* manifold, char* buffer, size_t capacity, size_t* length) {
  return with(manifold, "manifold",
              [&](const homopt::Manifold& m) { write_string(m.description(), buffer, capacity, length); });
}

int homopt_manifold_rows(const homopt_manifold* manifold, size_t* rows) {
  return with(manifold, "manifold", [&](const homopt::Manifold& m) { write_value(rows, m.rows(), "rows"); });
}

int homopt_manifold_cols(const homopt_manifold* manifold, size_t* cols) {
  return with(manifold, "manifold", [&](const homopt::Manifold& m) { write_value(cols, m.cols(), "cols"); });
}

int homopt_manifold_dimension(const homopt_manifold* manifold, size_t* dimension) {
  return with(manifold, "manifold",
              [&](const homopt::Manifold& m) { write_value(dimension, m.dimension(), "dimension"); });
}

int homopt_manifold_tolerance(const homopt_manifold* manifold, double* tolerance) {
  return with(manifold, "manifold",
              [&](const homopt::Manifold& m) { write_value(tolerance, m.tolerance(), "tolerance"); });
}

int homopt_manifold_random_point(const homopt_manifold* manifold, uint64_t seed, double* point, size_t capacity) {
  return with(manifold, "manifold",
              [&](const homopt::Manifold& m) { write_matrix(m.random_point(seed), point, capacity, "point"); });
}

int homopt_manifold_check(const homopt_manifold* manifold, const double* point, size_t rows, size_t cols,
                          double* residual) {
  return with(manifold, "manifold", [&](const homopt::Manifold& m) {
    require_pointer(residual, "residual");
    write_value(residual, m.check(input_matrix(point, rows, cols, "point")), "residual");
  });
}

int homopt_manifold_riemannian_gradient(const homopt_manifold* manifold, const double* point, size_t point_rows,
                                        size_t point_cols, const double* euclidean_gradient, size_t gradient_rows,
                                        size_t gradient_cols, double* out, size_t capacity) {
  return with(manifold, "manifold", [&](const homopt::Manifold& m) {
    require_pointer(out, "out");
    const homopt::Mat Y = input_matrix(point, point_rows, point_cols, "point");
    const homopt::Mat G = input_matrix(euclidean_gradient, gradient_rows, gradient_cols, "euclidean_gradient");
    write_matrix(m.riemannian_gradient(Y, G), out, capacity, "out");
  });
}

// ------------------------------------------------------------------ methods

int homopt_method_create(const char* name, const char* const* keys, const double* values, size_t count,
                         homopt_method** out) {
  return create(out, [&] {
    const std::string method_name = input_string(name, "name");
    return homopt::make_method(method_name, input_hyperparameters(keys, values, count));
  });
}

int homopt_gradient_create(double lr, homopt_method** out) {
  return create(out, [&]() -> std::unique_ptr<homopt::Method> { return std::make_unique<homopt::Gradient>(lr); });
}

int homopt_momentum_create(double lr, double alpha, homopt_method** out) {
  return create(out,
                [&]() -> std::unique_ptr<homopt::Method> { return std::make_unique<homopt::Momentum>(lr, alpha); });
}

int homopt_adam_create(double lr, double beta1, double beta2, double eps, int amsgrad, homopt_method** out) {
  return create(out, [&]() -> std::unique_ptr<homopt::Method> {
    return std::make_unique<homopt::Adam>(lr, beta1, beta2, eps, amsgrad != 0);
  });
}

int homopt_adam_with_decay_create(uint64_t decay_steps, double lr_start, double lr_end, double beta1, double beta2,
                                  double eps, int amsgrad, homopt_method** out) {
  return create(out, [&]() -> std::unique_ptr<homopt::Method> {
    return std::make_unique<homopt::AdamWithDecay>(decay_steps, lr_start, lr_end, beta1, beta2, eps, amsgrad != 0);
  });
}

int homopt_bfgs_create(double lr, double eps, size_t max_dimension, homopt_method** out) {
  return create(out, [&]() -> std::unique_ptr<homopt::Method> {
    return std::make_unique<homopt::BFGS>(lr, eps, max_dimension);
  });
}

int homopt_method_destroy(homopt_method* method) {
  return guarded([&] { destroy(method, "method"); });
}

int homopt_method_name(const homopt_method* method, char* buffer, size_t capacity, size_t* length) {
  return with(method, "method", [&](const homopt::Method& m) { write_string(m.name(), buffer, capacity, length); });
}

int homopt_method_description(const homopt_method* method, char* buffer, size_t capacity, size_t* length) {
  return with(method, "method",
              [&](const homopt::Method& m) { write_string(m.description(), buffer, capacity, length); });
}

int homopt_method_hyperparameter_count(const homopt_method* method, size_t* count) {
  return with(method, "method",
              [&](const homopt::Method& m) { write_value(count, m.hyperparameters().size(), "count"); });
}

int homopt_method_hyperparameter(const homopt_method* method, size_t index, char* name, size_t capacity,
                                 size_t* length, double* value) {
  return with(method, "method", [&](const homopt::Method& m) {
    const homopt::Hyperparameters hyperparameters = m.hyperparameters();
    if (index >= hyperparameters.size())
      throw homopt::IndexOutOfRange("hyperparameter index " + std::to_string(index) + " out of range (" +
                                    m.name() + " has " + std::to_string(hyperparameters.size()) + ")");
    require_pointer(value, "value");
    write_string(hyperparameters[index].first, name, capacity, length, "name");
    *value = hyperparameters[index].second;
  });
}

// ------------------------------------------------------------------ API declaration

int homopt_method_spec_count(size_t* count) {
  return guarded([&] { write_value(count, homopt::method_specs().size(), "count"); });
}

int homopt_method_spec_name(size_t index, char* buffer, size_t capacity, size_t* length) {
  return guarded([&] { write_string(spec_at(homopt::method_specs(), index, "method").name, buffer, capacity, length); });
}

int homopt_method_spec_text(const char* method, const char* field, char* buffer, size_t capacity, size_t* length) {
  return guarded([&] {
    write_string(homopt::method_text(input_string(method, "name"), input_string(field, "field")), buffer, capacity,
                 length);
  });
}

int homopt_method_spec_hyperparameter_count(const char* method, size_t* count) {
  return guarded([&] {
    write_value(count, homopt::method_spec(input_string(method, "name")).hyperparameters.size(), "count");
  });
}

int homopt_method_spec_hyperparameter(const char* method, size_t index, char* name, size_t capacity, size_t* length,
                                      double* default_value) {
  return guarded([&] {
    const homopt::MethodSpec& spec = homopt::method_spec(input_string(method, "name"));
    const homopt::HyperparameterSpec& declared = spec_at(spec.hyperparameters, index, "hyperparameter");
    require_pointer(default_value, "default_value");
    write_string(declared.name, name, capacity, length, "name");
    *default_value = declared.default_value;
  });
}

int homopt_method_spec_hyperparameter_text(const char* method, size_t index, const char* field, char* buffer,
                                           size_t capacity, size_t* length) {
  return guarded([&] {
    write_string(homopt::hyperparameter_text(input_string(method, "name"), index, input_string(field, "field")),
                 buffer, capacity, length);
  });
}

int homopt_manifold_spec_count(size_t* count) {
  return guarded([&] { write_value(count, homopt::manifold_specs().size(), "count"); });
}

int homopt_manifold_spec_name(size_t index, char* buffer, size_t capacity, size_t* length) {
  return guarded(
      [&] { write_string(spec_at(homopt::manifold_specs(), index, "manifold").name, buffer, capacity, length); });
}

int homopt_manifold_spec_text(const char* manifold, const char* field, char* buffer, size_t capacity,
                              size_t* length) {
  return guarded([&] {
    write_string(homopt::manifold_text(input_string(manifold, "name"), input_string(field, "field")), buffer, capacity,
                 length);
  });
}

// ------------------------------------------------------------------ optimizer

int homopt_optimizer_create(const homopt_method* method, const char* retraction, homopt_optimizer** out) {
  return create(out, [&] {
    const auto held = live(method, "method");
    const homopt::Retraction r =
        retraction == nullptr ? homopt::Retraction::cayley : homopt::retraction_from_string(retraction);
    return homopt::Optimizer(object(*held), r);
  });
}

int homopt_optimizer_destroy(homopt_optimizer* optimizer) {
  return guarded([&] { destroy(optimizer, "optimizer"); });
}

int homopt_optimizer_add(homopt_optimizer* optimizer, const homopt_manifold* manifold, const double* initial_point,
                         size_t rows, size_t cols, size_t* index) {
  return with(optimizer, "optimizer", [&](homopt::Optimizer& o) {
    const auto held = live(manifold, "manifold");
    const std::size_t added = o.add(object(*held), input_matrix(initial_point, rows, cols, "initial_point"));
    if (index != nullptr) *index = added;
  });
}

int homopt_optimizer_step(homopt_optimizer* optimizer, const double* const* gradients, const size_t* rows,
                          const size_t* cols, size_t count) {
  return with(optimizer, "optimizer",
              [&](homopt::Optimizer& o) { o.step(input_gradients(gradients, rows, cols, count)); });
}

int homopt_optimizer_size(const homopt_optimizer* optimizer, size_t* size) {
  return with(optimizer, "optimizer", [&](const homopt::Optimizer& o) { write_value(size, o.size(), "size"); });
}

int homopt_optimizer_step_count(const homopt_optimizer* optimizer, uint64_t* step_count) {
  return with(optimizer, "optimizer",
              [&](const homopt::Optimizer& o) { write_value(step_count, o.step_count(), "step_count"); });
}

int homopt_optimizer_value_shape(const homopt_optimizer* optimizer, size_t index, size_t* rows, size_t* cols) {
  return with(optimizer, "optimizer", [&](const homopt::Optimizer& o) {
    const homopt::Mat& value = o.value(index);
    require_pointer(rows, "rows");
    require_pointer(cols, "cols");
    *rows = value.n_rows;
    *cols = value.n_cols;
  });
}

int homopt_optimizer_value(const homopt_optimizer* optimizer, size_t index, double* out, size_t capacity) {
  return with(optimizer, "optimizer",
              [&](const homopt::Optimizer& o) { write_matrix(o.value(index), out, capacity, "out"); });
}

int homopt_optimizer_manifold(const homopt_optimizer* optimizer, size_t index, homopt_manifold** out) {
  return create(out, [&] {
    const auto held = live(optimizer, "optimizer");
    const auto lock = exclusive_access(*held);
    return object(*held).manifold(index).clone();
  });
}

int homopt_optimizer_method(const homopt_optimizer* optimizer, homopt_method** out) {
  return create(out, [&] {
    const auto held = live(optimizer, "optimizer");
    const auto lock = exclusive_access(*held);
    return object(*held).method().clone();
  });
}

int homopt_optimizer_retraction(const homopt_optimizer* optimizer, char* buffer, size_t capacity, size_t* length) {
  return with(optimizer, "optimizer", [&](const homopt::Optimizer& o) {
    write_string(homopt::to_string(o.retraction()), buffer, capacity, length);
  });
}

int homopt_optimizer_save(const homopt_optimizer* optimizer, const char* path) {
  return with(optimizer, "optimizer", [&](const homopt::Optimizer& o) { o.save(input_string(path, "path")); });
}

int homopt_optimizer_load(const char* path, homopt_optimizer** out) {
  return create(out, [&] { return homopt::Optimizer::load(input_string(path, "path")); });
}

}  // extern "C"
