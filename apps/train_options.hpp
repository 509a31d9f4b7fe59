// homopt-train — command-line options: parsing, defaults, presets and validation.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "homopt/methods.hpp"
#include "homopt/nn/transformer.hpp"

namespace homopt::train {

/// Bad command-line input: reported as one line on stderr, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Everything the command line can say (after presets and defaults are applied).
struct Options {
  bool help = false;
  std::string data;              ///< MNIST-format directory
  nn::TransformerShape shape;    ///< blocks, heads, attention scale
  uword epochs = 5;
  uword batch_size = 256;
  std::string optimizer = "adam";  ///< adam | adam-decay | momentum | gradient | bfgs
  /// Hyperparameters given explicitly (NaN: the method's default).
  real lr, lr_end, beta1, beta2, eps, alpha;
  nn::Constraint constraint = nn::Constraint::stiefel;
  Retraction retraction = Retraction::cayley;
  SectionPolicy section_policy = SectionPolicy::transport;  ///< --section
  nn::Loss loss = nn::Loss::paper;
  nn::Initialization initialization = nn::Initialization::homopt;  ///< --init
  int threads = 1;
  std::uint64_t seed = 1;
  std::string output = "homopt-train-output";
  std::string resume;            ///< checkpoint path, empty: a fresh run
  bool compare = false;
  uword train_limit = 0;         ///< 0: every training image
  uword test_limit = 0;          ///< 0: every test image
  bool plot = true;
  /// Long names of the options given on the command line (for conflict checks).
  std::vector<std::string> given;
  bool was_given(const std::string& name) const;
};

/// Parses argv ("--name value" or "--name=value"); applies --preset paper first and then
/// the explicit options; validates every value. Throws UsageError with a one-line message.
Options parse_options(int argc, const char* const* argv);

/// The --help text.
std::string help_text();
/// The --lr … --alpha lines of help_text(), with the defaults of the core's declaration.
std::string method_option_help();

/// One training run: a name (used for files and the metrics' run column), a method and a
/// constraint.
struct RunSpec {
  std::string name;
  std::string optimizer;
  std::unique_ptr<Method> method;
  nn::Constraint constraint;
};

/// The runs an invocation asks for: one run, or with --compare the paper's four (Adam +
/// Stiefel, Adam unconstrained, Momentum + Stiefel with lr 1e-3 and alpha 0.5, Gradient +
/// Stiefel with lr 1e-3). `steps` is the total number of optimizer steps (adam-decay's
/// schedule length). Throws UsageError for invalid hyperparameters.
std::vector<RunSpec> run_specs(const Options& options, std::uint64_t steps);

/// The method named `optimizer` with the options' hyperparameters (defaults where not
/// given). Throws UsageError naming the option for invalid or inapplicable values.
std::unique_ptr<Method> make_method(const Options& options, const std::string& optimizer, std::uint64_t steps);

}  // namespace homopt::train
