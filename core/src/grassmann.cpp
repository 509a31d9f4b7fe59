#include "homopt/grassmann.hpp"

#include <sstream>

#include "homopt/stiefel.hpp"
#include "homopt/validate.hpp"
#include "orthogonal_section.hpp"

namespace homopt {

Grassmann::Grassmann(uword N, uword n) : N_(N), n_(n) { detail::require_frame_sizes(N, n); }

std::string Grassmann::description() const {
  std::ostringstream text;
  text << "Grassmann(N=" << N_ << ", n=" << n_ << ")";
  return text.str();
}

Mat Grassmann::random_point(std::uint64_t seed) const { return Stiefel(N_, n_).random_point(seed); }

real Grassmann::check(const Mat& point) const {
  return detail::orthonormality_residual(point, N_, n_, "point");
}

Mat Grassmann::riemannian_gradient(const Mat& point, const Mat& G) const {
  check(point);
  require_shape(G, N_, n_, "euclidean_gradient");
  require_finite(G, "euclidean_gradient");
  return G - point * (point.t() * G);
}

Mat Grassmann::horizontal_matrix(const Vec& coordinates) const {
  detail::require_coordinate_count(coordinates, dimension());
  Mat V(N_, N_, arma::fill::zeros);
  if (N_ > n_) {
    const Mat B(const_cast<real*>(coordinates.memptr()), N_ - n_, n_, false, true);
    V.submat(n_, 0, N_ - 1, n_ - 1) = B;
    V.submat(0, n_, n_ - 1, N_ - 1) = -B.t();
  }
  return V;
}

std::unique_ptr<Section> Grassmann::section(const Mat& point, const char* argument) const {
  return detail::orthonormal_section(point, N_, n_, tolerance(), false, argument);
}

std::unique_ptr<Section> Grassmann::section_from_state(const std::vector<Mat>& state) const {
  return detail::orthonormal_section_from_state(state, N_, n_, tolerance(), false);
}

}  // namespace homopt
