#include "train_options.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <stdexcept>
#include <thread>

#include "homopt/data/idx.hpp"
#include "homopt/error.hpp"

namespace homopt::train {

namespace {

constexpr real unset = std::numeric_limits<real>::quiet_NaN();

/// Largest --threads: more OpenMP threads than this only adds start-up cost and memory
/// (libgomp reserves a stack per thread; 100 000 threads crash it), and the transformer's
/// GEMMs do not speed up beyond the cores of the largest machines (a few hundred). A fixed
/// bound, not one derived from this machine, so a command line is valid everywhere.
constexpr std::uint64_t max_threads = 1024;

/// Options that take a value, and flags.
const std::vector<std::string> valued = {"data",       "blocks",  "heads",     "epochs",      "batch-size",
                                         "optimizer",  "lr",      "lr-end",    "beta1",       "beta2",
                                         "eps",        "alpha",   "constraint", "retraction", "loss",
                                         "threads",    "seed",    "output",    "resume",      "preset",
                                         "train-limit", "test-limit", "attention-scale",
                                         "attention-skip", "init", "section"};
const std::vector<std::string> flags = {"help", "compare", "no-plot"};

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

/// Whether `text` is a plain decimal: digits, optionally one '.' with digits on at least one
/// side, optionally an exponent e±digits; an optional leading sign if `signed_number`. No
/// spaces, hexadecimal, "inf" or "nan" (strtod would accept all of those).
bool is_plain_decimal(const std::string& text, bool signed_number) {
  std::size_t k = 0;
  auto digits = [&] {
    const std::size_t start = k;
    while (k < text.size() && text[k] >= '0' && text[k] <= '9') ++k;
    return k - start;
  };
  if (signed_number && k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
  std::size_t mantissa = digits();
  if (k < text.size() && text[k] == '.') {
    ++k;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (k < text.size() && (text[k] == 'e' || text[k] == 'E')) {
    ++k;
    if (k < text.size() && (text[k] == '+' || text[k] == '-')) ++k;
    if (digits() == 0) return false;
  }
  return k == text.size();
}

/// A whole number in [minimum, maximum] written with decimal digits only.
std::uint64_t parse_unsigned(const std::string& name, const std::string& text, std::uint64_t minimum,
                             std::uint64_t maximum = std::numeric_limits<std::uint64_t>::max()) {
  const std::string range = maximum == std::numeric_limits<std::uint64_t>::max()
                                ? "≥ " + std::to_string(minimum)
                                : "in " + std::to_string(minimum) + ".." + std::to_string(maximum);
  const bool digits_only = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  const unsigned long long value = digits_only ? std::strtoull(text.c_str(), nullptr, 10) : 0;
  if (!digits_only || errno != 0 || value < minimum || value > maximum)
    throw UsageError("--" + name + ": expected a decimal integer " + range + ", got \"" + text + "\"");
  return value;
}

/// A finite real written as a plain decimal (see is_plain_decimal), e.g. 1e-3 or 0.5.
real parse_real(const std::string& name, const std::string& text) {
  const bool decimal = is_plain_decimal(text, true);
  errno = 0;
  const real value = decimal ? std::strtod(text.c_str(), nullptr) : 0;
  if (!decimal || errno != 0 || !std::isfinite(value))
    throw UsageError("--" + name + ": expected a finite decimal number (e.g. 0.001 or 1e-3), got \"" + text + "\"" +
                     (decimal ? " (out of range)" : ""));
  return value;
}

/// Applies one option (name without "--") to `options`.
void apply(Options& options, const std::string& name, const std::string& value) {
  try {
    if (name == "data") options.data = value;
    else if (name == "blocks") options.shape.blocks = parse_unsigned(name, value, 1);
    else if (name == "heads") options.shape.heads = parse_unsigned(name, value, 1);
    else if (name == "epochs") options.epochs = parse_unsigned(name, value, 1);
    else if (name == "batch-size") options.batch_size = parse_unsigned(name, value, 1);
    else if (name == "optimizer") {
      if (!contains({"adam", "adam-decay", "momentum", "gradient", "bfgs"}, value))
        throw UsageError("--optimizer: expected adam, adam-decay, momentum, gradient or bfgs, got \"" + value + "\"");
      options.optimizer = value;
    } else if (name == "lr") options.lr = parse_real(name, value);
    else if (name == "lr-end") options.lr_end = parse_real(name, value);
    else if (name == "beta1") options.beta1 = parse_real(name, value);
    else if (name == "beta2") options.beta2 = parse_real(name, value);
    else if (name == "eps") options.eps = parse_real(name, value);
    else if (name == "alpha") options.alpha = parse_real(name, value);
    else if (name == "attention-scale") {
      options.shape.attention_scale = parse_real(name, value);
      if (!(options.shape.attention_scale > 0)) throw UsageError("--attention-scale: must be > 0");
    } else if (name == "attention-skip") {
      if (value != "on" && value != "off")
        throw UsageError("--attention-skip: expected on or off, got \"" + value + "\"");
      options.shape.attention_skip = value == "on";
    } else if (name == "init") options.initialization = nn::initialization_from_string(value, "--init");
    else if (name == "constraint") options.constraint = nn::constraint_from_string(value, "--constraint");
    else if (name == "retraction") options.retraction = retraction_from_string(value, "--retraction");
    else if (name == "section") options.section_policy = section_policy_from_string(value, "--section");
    else if (name == "loss") options.loss = nn::loss_from_string(value, "--loss");
    else if (name == "threads") options.threads = static_cast<int>(parse_unsigned(name, value, 1, max_threads));
    else if (name == "seed") options.seed = parse_unsigned(name, value, 0);
    else if (name == "output") {
      if (value.empty()) throw UsageError("--output: must not be empty");
      options.output = value;
    } else if (name == "resume") {
      if (value.empty()) throw UsageError("--resume: must not be empty");
      options.resume = value;
    } else if (name == "train-limit") options.train_limit = parse_unsigned(name, value, 1);
    else if (name == "test-limit") options.test_limit = parse_unsigned(name, value, 1);
    else if (name == "help") options.help = true;
    else if (name == "compare") options.compare = true;
    else if (name == "no-plot") options.plot = false;
  } catch (const InvalidArgument& error) {
    throw UsageError(error.what());
  }
}

}  // namespace

bool Options::was_given(const std::string& name) const { return contains(given, name); }

Options parse_options(int argc, const char* const* argv) {
  Options options;
  options.lr = options.lr_end = options.beta1 = options.beta2 = options.eps = options.alpha = unset;
  options.data = data::default_data_directory();
  options.threads = static_cast<int>(std::clamp<std::uint64_t>(std::thread::hardware_concurrency(), 1, max_threads));
  std::vector<std::pair<std::string, std::string>> explicit_options;
  for (int k = 1; k < argc; ++k) {
    std::string argument = argv[k];
    if (argument.rfind("--", 0) != 0) throw UsageError("unexpected argument \"" + argument + "\" (see --help)");
    std::string name = argument.substr(2), value;
    const std::size_t equals = name.find('=');
    const bool inline_value = equals != std::string::npos;
    if (inline_value) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    if (contains(flags, name)) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
    } else if (contains(valued, name)) {
      if (!inline_value) {
        if (k + 1 >= argc) throw UsageError("--" + name + " needs a value");
        value = argv[++k];
      }
    } else {
      throw UsageError("unknown option --" + name + " (see --help)");
    }
    if (contains(options.given, name)) throw UsageError("--" + name + " given twice");
    options.given.push_back(name);
    explicit_options.emplace_back(name, value);
  }
  for (const auto& [name, value] : explicit_options)
    if (name == "preset") {
      if (value != "paper") throw UsageError("--preset: the only preset is \"paper\", got \"" + value + "\"");
      // The paper's experiment as its code runs it (docs/transformer.md, docs/paper.md): L = 16,
      // batch 2048, 500 epochs, its four runs, blocks without the attention skip, its
      // initialization, the paper loss and the methods' default hyperparameters.
      options.shape.blocks = 16;
      options.batch_size = 2048;
      options.epochs = 500;
      options.compare = true;
      options.shape.attention_skip = false;
      options.initialization = nn::Initialization::paper;
      options.loss = nn::Loss::paper;
    }
  for (const auto& [name, value] : explicit_options)
    if (name != "preset") apply(options, name, value);
  if (options.help) return options;

  if (options.shape.dim % options.shape.heads != 0)
    throw UsageError("--heads: must divide the token dimension " + std::to_string(options.shape.dim) + ", got " +
                     std::to_string(options.shape.heads));
  if (options.compare)
    for (const char* name : {"optimizer", "constraint", "lr", "lr-end", "beta1", "beta2", "eps", "alpha", "resume"})
      if (options.was_given(name))
        throw UsageError(std::string("--") + name + " cannot be combined with --compare (it fixes the paper's four runs)");
  if (!options.resume.empty())
    for (const char* name : {"blocks", "heads", "batch-size", "optimizer", "lr", "lr-end", "beta1", "beta2", "eps",
                             "alpha", "constraint", "retraction", "loss", "seed", "output", "preset", "train-limit",
                             "test-limit", "attention-scale", "attention-skip", "init", "section"})
      if (options.was_given(name))
        throw UsageError(std::string("--") + name +
                         " cannot be combined with --resume (the run's settings come from its checkpoint)");
  // Hyperparameters: valid values and applicable to the chosen method (checked now, before
  // anything is read or written; adam-decay's schedule length does not affect validity).
  if (!options.compare && options.resume.empty()) make_method(options, options.optimizer, 1);
  return options;
}

namespace {

/// The core method behind one --optimizer choice and the core hyperparameter each of its
/// options sets (option name → key); the defaults are the core's (method_spec, api.hpp).
struct OptimizerChoice {
  const char* method;
  std::vector<std::pair<std::string, std::string>> keys;
};

const std::map<std::string, OptimizerChoice>& optimizer_choices() {
  static const std::map<std::string, OptimizerChoice> choices = {
      {"adam", {"Adam", {{"lr", "lr"}, {"beta1", "beta1"}, {"beta2", "beta2"}, {"eps", "eps"}}}},
      {"adam-decay",
       {"AdamWithDecay", {{"lr", "lr_start"}, {"lr-end", "lr_end"}, {"beta1", "beta1"}, {"beta2", "beta2"}, {"eps", "eps"}}}},
      {"momentum", {"Momentum", {{"lr", "lr"}, {"alpha", "alpha"}}}},
      {"gradient", {"Gradient", {{"lr", "lr"}}}},
      {"bfgs", {"BFGS", {{"lr", "lr"}, {"eps", "eps"}}}}};
  return choices;
}

/// The core's default of hyperparameter `key` of `method`, as shortest_text (e.g. "3e-07").
std::string default_text(const std::string& method, const std::string& key) {
  for (const HyperparameterSpec& declared : method_spec(method).hyperparameters)
    if (declared.name == key) return shortest_text(declared.default_value);
  throw std::logic_error(method + " declares no hyperparameter " + key);
}

}  // namespace

std::unique_ptr<Method> make_method(const Options& options, const std::string& optimizer, std::uint64_t steps) {
  const OptimizerChoice& choice = optimizer_choices().at(optimizer);
  const std::map<std::string, real> values = {{"lr", options.lr},     {"lr-end", options.lr_end},
                                              {"beta1", options.beta1}, {"beta2", options.beta2},
                                              {"eps", options.eps},   {"alpha", options.alpha}};
  // Only the options given are passed on; the core supplies the others' defaults.
  Hyperparameters given;
  if (optimizer == "adam-decay") given.emplace_back("decay_steps", static_cast<real>(std::max<std::uint64_t>(steps, 1)));
  for (const auto& option : values) {
    if (!options.was_given(option.first)) continue;
    const auto key = std::find_if(choice.keys.begin(), choice.keys.end(),
                                  [&](const auto& entry) { return entry.first == option.first; });
    if (key == choice.keys.end())
      throw UsageError("--" + option.first + " does not apply to --optimizer " + optimizer);
    given.emplace_back(key->second, option.second);
  }
  try {
    return homopt::make_method(choice.method, given);
  } catch (const InvalidArgument& error) {
    std::string argument = error.argument();
    for (const auto& entry : choice.keys)
      if (entry.second == error.argument()) argument = entry.first;
    const std::string message = error.what();
    throw UsageError("--" + argument + message.substr(error.argument().size()));
  }
}

std::vector<RunSpec> run_specs(const Options& options, std::uint64_t steps) {
  std::vector<RunSpec> runs;
  if (!options.compare) {
    runs.push_back({options.optimizer + "-" + nn::to_string(options.constraint), options.optimizer,
                    make_method(options, options.optimizer, steps), options.constraint});
    return runs;
  }
  runs.push_back({"adam-stiefel", "adam", std::make_unique<Adam>(), nn::Constraint::stiefel});
  runs.push_back({"adam-none", "adam", std::make_unique<Adam>(), nn::Constraint::none});
  runs.push_back({"momentum-stiefel", "momentum", std::make_unique<Momentum>(1e-3, 0.5), nn::Constraint::stiefel});
  runs.push_back({"gradient-stiefel", "gradient", std::make_unique<Gradient>(1e-3), nn::Constraint::stiefel});
  return runs;
}

/// The --lr … --alpha lines of --help, with the defaults of the core's declaration.
std::string method_option_help() {
  // Defaults read from the core's declaration (method_spec), never written here.
  const auto d = [](const char* method, const char* key) { return default_text(method, key); };
  return "  --lr X                 learning rate (adam " + d("Adam", "lr") + ", adam-decay start " +
         d("AdamWithDecay", "lr_start") + ", momentum " + d("Momentum", "lr") + ",\n" +
         "                         gradient " + d("Gradient", "lr") + ", bfgs " + d("BFGS", "lr") + ")\n" +
         "  --lr-end X             adam-decay: final learning rate          [" + d("AdamWithDecay", "lr_end") + "]\n" +
         "  --beta1 X, --beta2 X   Adam moments                             [" + d("Adam", "beta1") + ", " +
         d("Adam", "beta2") + "]\n" +
         "  --eps X                adam " + d("Adam", "eps") + ", adam-decay " + d("AdamWithDecay", "eps") + ", bfgs " +
         d("BFGS", "eps") + "\n" +
         "  --alpha X              momentum                                 [" + d("Momentum", "alpha") + "]\n";
}

std::string help_text() {
  return R"(homopt-train — train the vision transformer of Brantner (arXiv 2305.16901) on MNIST-format
images, with the attention projections on the Stiefel manifold, optimized by homopt's
global-tangent-space methods.

Usage: homopt-train [options]

Data and model
  --data DIR             MNIST-format directory (train-/t10k-images-idx3-ubyte, -labels-idx1-ubyte,
                         each optionally .gz)       [/usr/share/datasets/fashion-mnist]
  --train-limit N        use only the first N training images     [all]
  --test-limit N         use only the first N test images         [all]
  --blocks L             transformer blocks                       [4]
  --heads H              attention heads (must divide 49)         [7]
  --attention-scale C    c in softmax(c·QᵀK)                      [1/√49]
  --attention-skip on|off     block: Y = X + MHA(X) (on) or Y = MHA(X) as in the paper's code (off) [on]
  --init homopt|paper    initial values: Haar projections and normal/√49 weights (homopt), or
                         the paper code's Glorot uniform for unconstrained projections and
                         weights (paper)                          [homopt]
  --constraint stiefel|none   attention projections on St(49, 49/H) or unconstrained [stiefel]
  --loss paper|cross-entropy  ‖out − onehot‖_F/‖onehot‖_F per batch, or mean cross-entropy [paper]

Training
  --epochs N             epochs to reach (also when resuming)     [5]
  --batch-size B         images per optimizer step                [256]
  --optimizer adam|adam-decay|momentum|gradient|bfgs              [adam]
)" + method_option_help() + R"(  --retraction cayley|geodesic                                    [cayley]
  --section transport|redraw  the section's complement Ȳ: moved with each step (transport), or
                         drawn at random after every step as in the paper's code (redraw,
                         O(N(N−n)²) per step)                     [transport]
  --threads N            OpenMP threads, 1..1024                  [all cores]
  --seed S               initialization and shuffling             [1]
  --compare              the paper's four runs with the same budget: adam-stiefel, adam-none,
                         momentum-stiefel (lr 1e-3, alpha 0.5), gradient-stiefel (lr 1e-3)
  --preset paper         the paper's experiment: L = 16, batch 2048, 500 epochs, --compare,
                         --attention-skip off, --init paper, --loss paper (explicit options win)

Output
  --output DIR           metrics.csv, metrics.png, RUN.checkpoint and RUN.run per run
                         [homopt-train-output]; must not already hold a run
  --resume FILE          continue RUN.checkpoint (with its RUN.run) up to --epochs
  --no-plot              do not call scripts/plot-metrics (gnuplot)
  --help                 this text

Numbers are plain decimals (no hexadecimal, inf or nan); integers are digits only.
Same seed and one thread give identical metrics. Bad input: one-line error, exit code 2.

Environment
  HOMOPT_TRAIN_STEP_LOG=FILE   write "RUN STEP LOSS" for every optimizer step to FILE
                         (replaced; the batch loss with 17 digits; for cross-checks such as
                         bench/torch_transformer.py, see docs/torch.md)
  HOMOPT_TRAIN_PROFILE=FILE    write "RUN EPOCH PHASE SECONDS" after every epoch to FILE: wall
                         time per phase (data, each layer type forward and backward, optimizer
                         step, evaluation; see docs/transformer.md)
)";
}

}  // namespace homopt::train
