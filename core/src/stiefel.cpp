#include "homopt/stiefel.hpp"

#include <sstream>

#include "homopt/random.hpp"
#include "homopt/validate.hpp"
#include "orthogonal_section.hpp"

namespace homopt {

Stiefel::Stiefel(uword N, uword n) : N_(N), n_(n) { detail::require_frame_sizes(N, n); }

std::string Stiefel::description() const {
  std::ostringstream text;
  text << "Stiefel(N=" << N_ << ", n=" << n_ << ")";
  return text.str();
}

uword Stiefel::dimension() const { return detail::skew_coordinate_count(n_) + (N_ - n_) * n_; }

Mat Stiefel::random_point(std::uint64_t seed) const {
  return orthonormal_factor(standard_normal_matrix(N_, n_, seed), "seed");
}

real Stiefel::check(const Mat& point) const {
  return detail::orthonormality_residual(point, N_, n_, "point");
}

Mat Stiefel::riemannian_gradient(const Mat& point, const Mat& G) const {
  check(point);
  require_shape(G, N_, n_, "euclidean_gradient");
  require_finite(G, "euclidean_gradient");
  return G - point * (G.t() * point);
}

Mat Stiefel::horizontal_matrix(const Vec& coordinates) const {
  detail::require_coordinate_count(coordinates, dimension());
  const uword skew_count = detail::skew_coordinate_count(n_);
  Mat V(N_, N_, arma::fill::zeros);
  V.submat(0, 0, n_ - 1, n_ - 1) = detail::unpack_skew(coordinates.memptr(), n_);
  if (N_ > n_) {
    const Mat B(const_cast<real*>(coordinates.memptr()) + skew_count, N_ - n_, n_, false, true);
    V.submat(n_, 0, N_ - 1, n_ - 1) = B;
    V.submat(0, n_, n_ - 1, N_ - 1) = -B.t();
  }
  return V;
}

std::unique_ptr<Section> Stiefel::section(const Mat& point, const char* argument) const {
  return detail::orthonormal_section(point, N_, n_, tolerance(), true, argument);
}

std::unique_ptr<Section> Stiefel::section_from_state(const std::vector<Mat>& state) const {
  return detail::orthonormal_section_from_state(state, N_, n_, tolerance(), true);
}

}  // namespace homopt
