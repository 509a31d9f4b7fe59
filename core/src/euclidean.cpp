#include "homopt/euclidean.hpp"

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
  /// Y + reshape(c, rows, cols); the retraction is ignored.
  std::unique_ptr<Section> retracted(const Vec& velocity, Retraction) const override {
    Mat next = point_ + arma::reshape(velocity, point_.n_rows, point_.n_cols);
    if (!next.is_finite()) throw InvalidArgument("velocity", "step produced NaN/Inf");
    return std::make_unique<EuclideanSection>(std::move(next));
  }
  Mat group_element() const override { return point_; }
  std::vector<Mat> state() const override { return {point_}; }
  std::unique_ptr<Section> clone() const override { return std::make_unique<EuclideanSection>(*this); }

 private:
  Mat point_;
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
