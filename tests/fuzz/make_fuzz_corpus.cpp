// Writes the seed corpus of the fuzz targets: real checkpoints of every method on every
// manifold (small sizes, a few steps taken so that every state is non-trivial), plus one
// optimizer holding all manifolds at once. Usage: make_fuzz_corpus <folder>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "homopt/homopt.hpp"

using namespace homopt;

namespace {
std::vector<std::unique_ptr<Method>> all_methods() {
  std::vector<std::unique_ptr<Method>> methods;
  methods.push_back(std::make_unique<Gradient>(0.05));
  methods.push_back(std::make_unique<Momentum>(0.05, 0.5));
  methods.push_back(std::make_unique<Adam>(0.05, 0.9, 0.99, 3e-7, true));
  methods.push_back(std::make_unique<AdamWithDecay>(20, 1e-2, 1e-4));
  methods.push_back(std::make_unique<BFGS>(0.05));
  return methods;
}

std::vector<std::unique_ptr<Manifold>> all_manifolds() {
  std::vector<std::unique_ptr<Manifold>> manifolds;
  manifolds.push_back(std::make_unique<Stiefel>(4, 2));
  manifolds.push_back(std::make_unique<Grassmann>(4, 1));
  manifolds.push_back(std::make_unique<Euclidean>(2, 3));
  manifolds.push_back(std::make_unique<SymplecticStiefel>(2, 1));
  manifolds.push_back(std::make_unique<SymplecticGrassmann>(3, 1));
  return manifolds;
}

/// Three steps on the linear objective ⟨C, Y⟩ (gradient C for every parameter).
void take_steps(Optimizer& optimizer, std::uint64_t seed) {
  for (int k = 0; k < 3; ++k) {
    std::vector<Mat> gradients;
    for (std::size_t i = 0; i < optimizer.size(); ++i)
      gradients.push_back(standard_normal_matrix(optimizer.manifold(i).rows(), optimizer.manifold(i).cols(), seed + i));
    optimizer.step(gradients);
  }
}

void write(const std::string& path, const Optimizer& optimizer) {
  optimizer.save(path);
  std::printf("%s (%zu bytes)\n", path.c_str(), optimizer.to_bytes().size());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <folder>\n", argv[0]);
    return 2;
  }
  const std::string folder = argv[1];
  const auto manifolds = all_manifolds();
  std::uint64_t seed = 1;
  for (const auto& method : all_methods()) {
    for (Retraction retraction : {Retraction::cayley, Retraction::geodesic}) {
      Optimizer all(*method, retraction);
      for (const auto& manifold : manifolds) {
        Optimizer one(*method, retraction);
        one.add(*manifold, manifold->random_point(seed));
        all.add(*manifold, manifold->random_point(seed));
        take_steps(one, ++seed);
        write(folder + "/" + method->name() + "-" + manifold->name() + "-" + to_string(retraction) + ".homopt", one);
      }
      take_steps(all, ++seed);
      write(folder + "/" + method->name() + "-all-" + to_string(retraction) + ".homopt", all);
    }
  }
  // Format 2: the section policy redraw, on every manifold that accepts it (own seeds, so
  // the checkpoints above stay what they were).
  std::uint64_t redraw_seed = 1000;
  for (const auto& method : all_methods()) {
    Optimizer redraw(*method, Retraction::cayley, SectionPolicy::redraw, redraw_seed);
    for (const auto& manifold : manifolds)
      if (manifold->section(manifold->random_point(redraw_seed))->accepts_complement_redraw())
        redraw.add(*manifold, manifold->random_point(redraw_seed));
    try {
      take_steps(redraw, ++redraw_seed);
    } catch (const InvalidArgument&) {
      // BFGS: its curvature pairs mix the bases of successive redraws (docs/methods.md), and a
      // step may be refused; the optimizer then holds the steps before it.
    }
    write(folder + "/" + method->name() + "-redraw-cayley.homopt", redraw);
  }
  return 0;
}
