// The API declaration (api.hpp, docs/api.md): the C++ constructors' defaults, make_method's
// defaults, keys and range checks, and make_manifold's names and sizes agree with
// method_specs() / manifold_specs(), read at run time.
#include <cmath>
#include <limits>

#include "homopt/api.hpp"
#include "test_helpers.hpp"

using namespace homopt;

namespace {

/// The spec's defaults as make_method's Hyperparameters (names and values, in order).
Hyperparameters declared_defaults(const MethodSpec& spec) {
  Hyperparameters values;
  for (const HyperparameterSpec& h : spec.hyperparameters) values.emplace_back(h.name, h.default_value);
  return values;
}

/// `method` holds exactly `expected` (names, order and values, compared exactly).
void check_holds(const Method& method, const Hyperparameters& expected) {
  const Hyperparameters held = method.hyperparameters();
  REQUIRE(held.size() == expected.size());
  for (std::size_t k = 0; k < held.size(); ++k) {
    CHECK(held[k].first == expected[k].first);
    CHECK(held[k].second == expected[k].second);
  }
}

/// make_method(method, {key: value}) is refused with an error naming `key`.
void check_refused(const std::string& method, const std::string& key, real value) {
  INFO(method << "." << key << " = " << value);
  try {
    make_method(method, {{key, value}});
    FAIL("accepted");
  } catch (const InvalidArgument& error) {
    CHECK(error.argument() == key);
  }
}

/// make_method(method, {key: value}) is accepted and holds `value`.
void check_accepted(const std::string& method, const std::string& key, real value) {
  INFO(method << "." << key << " = " << value);
  Hyperparameters expected = declared_defaults(method_spec(method));
  for (auto& entry : expected)
    if (entry.first == key) entry.second = value;
  check_holds(*make_method(method, {{key, value}}), expected);
}

}  // namespace

TEST_CASE("api: the declared methods are the five methods, in order", "[api]") {
  std::vector<std::string> names;
  for (const MethodSpec& spec : method_specs()) names.push_back(spec.name);
  CHECK(names == std::vector<std::string>{"Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS"});
  CHECK_THROWS_WITH(method_spec("Adagrad"),
                    "name: unknown method 'Adagrad' (expected Gradient, Momentum, Adam, AdamWithDecay or BFGS)");
}

TEST_CASE("api: make_method without keys holds the declared defaults", "[api]") {
  for (const MethodSpec& spec : method_specs()) {
    INFO(spec.name);
    const auto method = make_method(spec.name, {});
    CHECK(method->name() == spec.name);
    check_holds(*method, declared_defaults(spec));
    CHECK_FALSE(spec.summary.empty());
    CHECK_FALSE(spec.formula.empty());
  }
}

TEST_CASE("api: the C++ constructors' default arguments are the declared defaults", "[api]") {
  check_holds(Gradient(), declared_defaults(method_spec("Gradient")));
  check_holds(Momentum(), declared_defaults(method_spec("Momentum")));
  check_holds(Adam(), declared_defaults(method_spec("Adam")));
  check_holds(AdamWithDecay(), declared_defaults(method_spec("AdamWithDecay")));
  check_holds(BFGS(), declared_defaults(method_spec("BFGS")));
}

TEST_CASE("api: every declared range is the range make_method and the constructors apply", "[api]") {
  const real tiny = std::numeric_limits<real>::denorm_min();
  const real infinity = std::numeric_limits<real>::infinity();
  const real nan = std::numeric_limits<real>::quiet_NaN();
  for (const MethodSpec& spec : method_specs()) {
    for (const HyperparameterSpec& h : spec.hyperparameters) {
      INFO(spec.name << "." << h.name);
      CHECK(h.range == range_text(h.rule, h.largest));
      CHECK_FALSE(h.meaning.empty());
      CHECK_NOTHROW(check_hyperparameter(h, h.default_value));
      switch (h.rule) {
        case HyperparameterRange::positive:
          CHECK(h.kind == HyperparameterKind::real);
          CHECK(h.range == "finite, > 0");
          for (real bad : {0.0, -tiny, -1.0, infinity, nan}) check_refused(spec.name, h.name, bad);
          for (real good : {tiny, 1.0, std::numeric_limits<real>::max()}) check_accepted(spec.name, h.name, good);
          break;
        case HyperparameterRange::unit_interval:
          CHECK(h.kind == HyperparameterKind::real);
          CHECK(h.range == "0 ≤ value < 1");
          for (real bad : {-tiny, 1.0, infinity, nan}) check_refused(spec.name, h.name, bad);
          for (real good : {0.0, 0.5, std::nextafter(1.0, 0.0)}) check_accepted(spec.name, h.name, good);
          break;
        case HyperparameterRange::whole_count:
          CHECK(h.kind == HyperparameterKind::count);
          CHECK(h.range == "whole, 1 ≤ value ≤ " + std::to_string(static_cast<std::uint64_t>(h.largest)));
          for (real bad : {0.0, 1.5, std::nextafter(h.largest, infinity), nan}) check_refused(spec.name, h.name, bad);
          for (real good : {1.0, h.largest}) check_accepted(spec.name, h.name, good);
          break;
        case HyperparameterRange::boolean:
          CHECK(h.kind == HyperparameterKind::flag);
          CHECK(h.range == "0 or 1 (a bool)");
          for (real bad : {0.5, 2.0, -1.0, nan}) check_refused(spec.name, h.name, bad);
          for (real good : {0.0, 1.0}) check_accepted(spec.name, h.name, good);
          break;
      }
    }
  }
  CHECK(method_spec("AdamWithDecay").hyperparameters[0].largest == static_cast<real>(max_decay_steps));
  CHECK(method_spec("BFGS").hyperparameters[2].largest == static_cast<real>(max_bfgs_dimension));
}

TEST_CASE("api: make_method refuses keys the declaration does not list", "[api]") {
  for (const MethodSpec& spec : method_specs()) {
    INFO(spec.name);
    CHECK_THROWS_WITH(make_method(spec.name, {{"momentum", 0.5}}),
                      "momentum: is not a hyperparameter of " + spec.name);
    const std::string first = spec.hyperparameters[0].name;
    const real value = spec.hyperparameters[0].default_value;
    CHECK_THROWS_WITH(make_method(spec.name, {{first, value}, {first, value}}), first + ": is given more than once");
  }
}

TEST_CASE("api: the declared manifolds are what make_manifold builds and refuses", "[api]") {
  std::vector<std::string> names;
  for (const ManifoldSpec& spec : manifold_specs()) names.push_back(spec.name);
  CHECK(names ==
        std::vector<std::string>{"Stiefel", "Grassmann", "SymplecticStiefel", "SymplecticGrassmann", "Euclidean"});
  CHECK_THROWS_WITH(manifold_spec("Sphere"),
                    "name: unknown manifold 'Sphere' (expected Stiefel, Grassmann, SymplecticStiefel, "
                    "SymplecticGrassmann or Euclidean)");
  for (const ManifoldSpec& spec : manifold_specs()) {
    INFO(spec.name);
    CHECK(spec.example_shapes.size() >= 3);
    CHECK(spec.refused_shapes.size() >= 2);
    for (const auto& shape : spec.example_shapes) {
      REQUIRE(shape.size() == spec.shape_parameters.size());
      const auto manifold = make_manifold(spec.name, shape);
      CHECK(manifold->name() == spec.name);
      CHECK(manifold->shape_parameters() == shape);
    }
    for (const auto& shape : spec.refused_shapes) {
      INFO("shape " << shape[0] << ", " << shape[1]);
      CHECK_THROWS_AS(make_manifold(spec.name, shape), InvalidArgument);
    }
    CHECK_THROWS_WITH(make_manifold(spec.name, {3}), "shape_parameters: expected 2 sizes");
  }
}
