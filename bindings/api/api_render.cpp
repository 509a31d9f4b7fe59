// api_render ROOT — renders the files that carry the API declaration (api.hpp) into
// languages that cannot read it at run time, below the folder ROOT:
//   r/R/methods_generated.R           R method constructors with real formals
//   r/man/methods.Rd                  their help page
//   julia/HomOpt/src/methods_generated.jl  Julia method docstrings and aliases
//   docs/api-reference.md             the tables of methods and manifolds
// The rendered files are committed; the ctest entry api/generated-current renders into a
// temporary folder and fails if they differ (docs/api.md).
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "homopt/api.hpp"

namespace {

using homopt::HyperparameterKind;
using homopt::HyperparameterSpec;
using homopt::ManifoldSpec;
using homopt::MethodSpec;

/// The first line of every rendered file (after the language's comment marker).
constexpr const char* generated_note = "Rendered from the core's API declaration (core/src/api.cpp) by "
                                       "bindings/api/api_render.cpp; do not edit (docs/api.md).";

/// A default as a literal of the target language ("R": TRUE/FALSE, "julia": true/false).
std::string literal(const HyperparameterSpec& h, const std::string& language) {
  if (h.kind == HyperparameterKind::flag) {
    const bool on = h.default_value == 1;
    return language == "R" ? (on ? "TRUE" : "FALSE") : (on ? "true" : "false");
  }
  return homopt::shortest_text(h.default_value);
}

/// "lr = 0.001, beta1 = 0.9, …" in the target language.
std::string formals(const MethodSpec& method, const std::string& language) {
  std::string text;
  for (const HyperparameterSpec& h : method.hyperparameters)
    text += (text.empty() ? "" : ", ") + h.name + " = " + literal(h, language);
  return text;
}

/// "Name(a = 1, b = 2, …)" in R, continued on lines aligned after "Name(" so that none is
/// wider than 90 characters (R CMD check's limit for \usage lines).
std::string wrapped_call(const MethodSpec& method) {
  const std::string indent(method.name.size() + 1, ' ');
  std::string text = method.name + "(", line = text;
  for (std::size_t k = 0; k < method.hyperparameters.size(); ++k) {
    const HyperparameterSpec& h = method.hyperparameters[k];
    const std::string argument =
        h.name + " = " + literal(h, "R") + (k + 1 < method.hyperparameters.size() ? "," : ")");
    if (line.size() + 1 + argument.size() > 90 && line != indent && line.back() != '(') {
      text += "\n" + indent;
      line = indent;
    } else if (line.back() != '(') {
      text += " ";
      line += " ";
    }
    text += argument;
    line += argument;
  }
  return method.hyperparameters.empty() ? text + ")" : text;
}

/// `text` with every line prefixed by `indent`.
std::string indented(const std::string& text, const std::string& indent) {
  std::string result = indent;
  for (char c : text) {
    result += c;
    if (c == '\n') result += indent;
  }
  return result;
}

/// R: one constructor per method; the body passes on only the arguments the caller gave.
std::string render_r() {
  std::ostringstream out;
  out << "# " << generated_note << "\n"
      << "# Each constructor passes only the arguments given in the call to the core's\n"
      << "# make_method (method_from_arguments, methods.R); the formals show the core's defaults.\n";
  for (const MethodSpec& method : homopt::method_specs()) {
    out << "\n# " << method.name << ": " << method.summary << ".\n"
        << indented(method.formula, "#   ") << "\n"
        << method.name << " <- function(" << formals(method, "R") << ") {\n"
        << "  method_from_arguments(\"" << method.name << "\", mget(as.character(names(match.call())[-1L])))\n"
        << "}\n";
  }
  return out.str();
}

/// Rd markup of plain text: escapes the characters Rd gives a meaning.
std::string rd_escape(const std::string& text) {
  std::string result;
  for (char c : text) {
    if (c == '%' || c == '{' || c == '}' || c == '\\') result += '\\';
    result += c;
  }
  return result;
}

std::string render_rd() {
  std::ostringstream out;
  out << "% " << generated_note << "\n";
  const auto& methods = homopt::method_specs();
  out << "\\name{" << methods.front().name << "}\n";
  for (const MethodSpec& method : methods) out << "\\alias{" << method.name << "}\n";
  out << "\\title{Optimizer methods}\n\\description{\n"
      << "  A method maps the gradient coordinates \\eqn{g} of a parameter (in its global tangent\n"
      << "  space, a fixed vector space) and its own state to a velocity \\eqn{V}; \\eqn{t = 1, 2,\n"
      << "  \\dots} is the optimizer's global step counter. Arguments left out take the core\n"
      << "  library's defaults (the same in every language); only the arguments given are passed on.\n"
      << "  \\describe{\n";
  for (const MethodSpec& method : methods)
    out << "    \\item{" << method.name << "}{" << rd_escape(method.summary) << ":\n"
        << "      \\preformatted{" << rd_escape(method.formula) << "}}\n";
  out << "  }\n}\n\\usage{\n";
  for (const MethodSpec& method : methods) out << wrapped_call(method) << "\n";
  // One item per argument name (R CMD check refuses duplicates), listing which methods
  // take it with which meaning and range.
  out << "}\n\\arguments{\n";
  std::vector<std::string> names;
  for (const MethodSpec& method : methods)
    for (const HyperparameterSpec& h : method.hyperparameters)
      if (std::find(names.begin(), names.end(), h.name) == names.end()) names.push_back(h.name);
  for (const std::string& name : names) {
    out << "  \\item{" << name << "}{";
    std::string separator;
    for (const MethodSpec& method : methods)
      for (const HyperparameterSpec& h : method.hyperparameters)
        if (h.name == name) {
          out << separator << method.name << ": " << rd_escape(h.meaning) << " (" << rd_escape(h.range) << ")";
          separator = "; ";
        }
    out << ".}\n";
  }
  out << "}\n"
      << "\\value{\n"
      << "  A method object (class \\code{homopt_method}) with \\code{$name()},\n"
      << "  \\code{$description()} (e.g. \\code{\"Adam(lr=0.001, beta1=0.9, ...)\"}),\n"
      << "  \\code{$hyperparameters()} (named numeric vector), \\code{$delete()},\n"
      << "  \\code{$is_deleted()}; \\code{AdamWithDecay} also has \\code{$learning_rate(t)}. Pass it to\n"
      << "  \\code{\\link{Optimizer}}, which copies it.\n}\n"
      << "\\seealso{\\code{\\link{Optimizer}}, \\code{\\link{method_spec}}}\n"
      << "\\examples{\n"
      << "Adam()\n"
      << "Adam(lr = 0.01)$hyperparameters()\n"
      << "AdamWithDecay(decay_steps = 11, lr_start = 1, lr_end = 1e-10)$learning_rate(6)  # 1e-5\n"
      << "Momentum(lr = 1e-3, alpha = 0.5)\n"
      << "}\n";
  return out.str();
}

/// The Julia type a keyword of this kind accepts.
const char* julia_type(HyperparameterKind kind) {
  switch (kind) {
    case HyperparameterKind::real: return "Real";
    case HyperparameterKind::count: return "Integer";
    case HyperparameterKind::flag: return "Bool";
  }
  return "Any";
}

std::string render_julia() {
  std::ostringstream out;
  out << "# " << generated_note << "\n"
      << "# Docstrings, names and keyword constructors of the methods; each passes only the\n"
      << "# keywords given (those not `missing`) to homopt_method_create (method_given, HomOpt.jl).\n";
  for (const MethodSpec& method : homopt::method_specs()) {
    out << "\n\"\"\"\n    " << method.name << "(; " << formals(method, "julia") << ")\n\n"
        << method.summary << ":\n\n" << indented(method.formula, "    ") << "\n\n";
    for (const HyperparameterSpec& h : method.hyperparameters)
      out << "- `" << h.name << "` (default " << literal(h, "julia") << "; " << h.range << "): " << h.meaning
          << "\n";
    out << "\"\"\"\nconst " << method.name << " = Method{:" << method.name << "}\n";
    // Keywords typed by kind (a wrong type is a TypeError, an unknown keyword a MethodError);
    // `missing` marks a keyword not given, which method_given leaves out.
    out << "Method{:" << method.name << "}(; ";
    std::string separator, passed;
    for (const HyperparameterSpec& h : method.hyperparameters) {
      out << separator << h.name << "::Union{" << julia_type(h.kind) << ", Missing} = missing";
      passed += separator + h.name + " = " +
                (h.kind == HyperparameterKind::count ? "as_count(" + h.name + ", \"" + h.name + "\")" : h.name);
      separator = ", ";
    }
    out << ") =\n    method_given(:" << method.name << "; " << passed << ")\n";
  }
  return out.str();
}

/// Markdown table cell: '|' escaped.
std::string cell(const std::string& text) {
  std::string result;
  for (char c : text) result += c == '|' ? std::string("\\|") : std::string(1, c);
  return result;
}

std::string render_reference() {
  std::ostringstream out;
  out << "<!-- " << generated_note << " -->\n"
      << "# API reference: methods and manifolds\n\n"
      << "The declaration every language reads (see [api.md](api.md)). Hyperparameters left out take\n"
      << "the default below in every language.\n\n## Methods\n";
  for (const MethodSpec& method : homopt::method_specs()) {
    out << "\n### " << method.name << "\n\n" << method.summary << ":\n\n```\n" << method.formula << "\n```\n\n"
        << "| hyperparameter | kind | default | accepted range | meaning |\n"
        << "|---|---|---|---|---|\n";
    for (const HyperparameterSpec& h : method.hyperparameters)
      out << "| `" << h.name << "` | " << homopt::to_string(h.kind) << " | " << literal(h, "julia") << " | "
          << cell(h.range) << " | " << cell(h.meaning) << " |\n";
  }
  out << "\n## Manifolds\n\n"
      << "| name | shape parameters | point | constraint | sizes | what it is |\n"
      << "|---|---|---|---|---|---|\n";
  for (const ManifoldSpec& manifold : homopt::manifold_specs())
    out << "| `" << manifold.name << "` | " << homopt::manifold_text(manifold.name, "shape_parameters") << " | "
        << manifold.point_shape << " | " << cell(manifold.constraint) << " | " << cell(manifold.size_rule)
        << " | " << cell(manifold.summary) << " |\n";
  return out.str();
}

/// Writes `text` to ROOT/relative; false (with a message) on failure.
bool write(const std::string& root, const std::string& relative, const std::string& text) {
  std::ofstream file(root + "/" + relative, std::ios::binary);
  file << text;
  if (!file.flush()) {
    std::cerr << "api_render: cannot write " << root << "/" << relative << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "--defaults") {  // "Adam lr 0.001" per line (check-cli-help)
    for (const MethodSpec& method : homopt::method_specs())
      for (const HyperparameterSpec& h : method.hyperparameters)
        std::cout << method.name << " " << h.name << " " << homopt::shortest_text(h.default_value) << "\n";
    return 0;
  }
  if (argc != 2) {
    std::cerr << "usage: api_render ROOT (the folders r/R, r/man, julia/HomOpt/src and docs must exist)\n"
                 "       api_render --defaults (prints \"METHOD KEY DEFAULT\" lines)\n";
    return 2;
  }
  const std::string root = argv[1];
  const bool ok = write(root, "r/R/methods_generated.R", render_r()) && write(root, "r/man/methods.Rd", render_rd()) &&
                  write(root, "julia/HomOpt/src/methods_generated.jl", render_julia()) &&
                  write(root, "docs/api-reference.md", render_reference());
  return ok ? 0 : 1;
}
