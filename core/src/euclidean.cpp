#include "homopt/euclidean.hpp"

#include <algorithm>
#include <sstream>

#include "homopt/error.hpp"
#include "homopt/random.hpp"
#include "homopt/validate.hpp"
#include "orthogonal_section.hpp"

namespace homopt {

namespace {
/// A Euclidean parameter: the point itself, no group element. Step: Y ← Y + reshape(c).
class EuclideanSection : public Section {
 public:
  explicit EuclideanSection(Mat point) : point_(std::move(point)) {}
  const Mat& point() const override { return point_; }
  /// c = vec(G).
  Vec lift(const Mat& G) const override { return arma::vectorise(G); }
  /// c = vec(G) into `coordinates` (reused when it has the size).
  void lift_into(const Mat& G, Vec& coordinates) const override {
    coordinates.set_size(G.n_elem);
    std::copy(G.begin(), G.end(), coordinates.begin());
  }
  /// Y + reshape(c, rows, cols); the retraction is ignored.
  std::unique_ptr<Section> retracted(const Vec& velocity, Retraction retraction) const override {
    auto next = std::make_unique<EuclideanSection>(*this);
    next->prepare_retraction(velocity, retraction);
    next->commit_retraction();
    return next;
  }
  /// Y' = Y + reshape(c) into a second buffer kept across steps; throws
  /// InvalidArgument("velocity", …) if Y' has a NaN/Inf entry.
  bool prepare_retraction(const Vec& velocity, Retraction) override {
    pending_ = false;
    next_point_.set_size(point_.n_rows, point_.n_cols);
    const real *y = point_.memptr(), *c = velocity.memptr();
    real* next = next_point_.memptr();
    for (uword k = 0; k < point_.n_elem; ++k) next[k] = y[k] + c[k];
    if (!next_point_.is_finite()) throw InvalidArgument("velocity", "step produced NaN/Inf");
    pending_ = true;
    return true;
  }
  /// Y ← Y' (a swap of the two buffers).
  void commit_retraction() override {
    if (pending_) point_.swap(next_point_);
    pending_ = false;
  }
  /// True: SectionPolicy::redraw applies and changes nothing (there is no complement).
  bool accepts_complement_redraw() const override { return true; }
  void redraw_pending_complement(std::uint64_t) override {}
  Mat group_element() const override { return point_; }
  std::vector<Mat> state() const override { return {point_}; }
  std::unique_ptr<Section> clone() const override { return std::make_unique<EuclideanSection>(point_); }

 private:
  Mat point_;
  Mat next_point_;       // Y' of a prepared step (not part of the value: clones start empty)
  bool pending_ = false;  // next_point_ holds a step not yet committed
};
}  // namespace

Euclidean::Euclidean(uword rows, uword cols) : rows_(rows), cols_(cols) {
  if (rows < 1) throw InvalidArgument("rows", "must be at least 1");
  if (cols < 1) throw InvalidArgument("cols", "must be at least 1");
  require_matrix_size(rows, cols, "rows", "cols", "a point (rows x cols)");
}

std::string Euclidean::description() const {
  std::ostringstream text;
  text << "Euclidean(rows=" << rows_ << ", cols=" << cols_ << ")";
  return text.str();
}

Mat Euclidean::random_point(std::uint64_t seed) const { return standard_normal_matrix(rows_, cols_, seed); }

real Euclidean::check(const Mat& point) const {
  require_shape(point, rows_, cols_, "point");
  require_finite(point, "point");
  return 0;
}

Mat Euclidean::riemannian_gradient(const Mat& point, const Mat& G) const {
  check(point);
  require_shape(G, rows_, cols_, "euclidean_gradient");
  require_finite(G, "euclidean_gradient");
  return G;
}

Mat Euclidean::horizontal_matrix(const Vec& coordinates) const {
  detail::require_coordinate_count(coordinates, dimension());
  return arma::reshape(coordinates, rows_, cols_);
}

std::unique_ptr<Section> Euclidean::section(const Mat& point, const char* argument) const {
  require_shape(point, rows_, cols_, argument);
  require_finite(point, argument);
  return std::make_unique<EuclideanSection>(point);
}

std::unique_ptr<Section> Euclidean::section_from_state(const std::vector<Mat>& state) const {
  if (state.size() != 1) throw InvalidArgument("state", "expected 1 matrix {Y}");
  return section(state[0], "state[0]");
}

}  // namespace homopt
