#include "homopt/orthonormal_frames.hpp"

#include <sstream>

#include "homopt/grassmann.hpp"
#include "homopt/random.hpp"
#include "homopt/stiefel.hpp"
#include "homopt/validate.hpp"
#include "orthogonal_section.hpp"

namespace homopt {

OrthonormalFrames::OrthonormalFrames(uword N, uword n, bool with_skew_block)
    : N_(N), n_(n), with_skew_block_(with_skew_block) {
  detail::require_frame_sizes(N, n);
  // The largest matrix is the section λ = [Y, Ȳ] (also horizontal_matrix): N×N.
  require_matrix_size(N, N, "N", "N", "the section lambda = [Y, Ybar] (N x N)");
}

std::string OrthonormalFrames::description() const {
  std::ostringstream text;
  text << name() << "(N=" << N_ << ", n=" << n_ << ")";
  return text.str();
}

uword OrthonormalFrames::dimension() const {
  return (with_skew_block_ ? detail::skew_coordinate_count(n_) : 0) + (N_ - n_) * n_;
}

Mat OrthonormalFrames::random_point(std::uint64_t seed) const {
  return orthonormal_factor(standard_normal_matrix(N_, n_, seed), "seed");
}

real OrthonormalFrames::check(const Mat& point) const {
  return detail::orthonormality_residual(point, N_, n_, "point");
}

Mat OrthonormalFrames::horizontal_matrix(const Vec& coordinates) const {
  detail::require_coordinate_count(coordinates, dimension());
  const uword skew_count = with_skew_block_ ? detail::skew_coordinate_count(n_) : 0;
  Mat V(N_, N_, arma::fill::zeros);
  if (with_skew_block_) V.submat(0, 0, n_ - 1, n_ - 1) = detail::unpack_skew(coordinates.memptr(), n_);
  if (N_ > n_) {
    const Mat B(const_cast<real*>(coordinates.memptr()) + skew_count, N_ - n_, n_, false, true);
    V.submat(n_, 0, N_ - 1, n_ - 1) = B;
    V.submat(0, n_, n_ - 1, N_ - 1) = -B.t();
  }
  return V;
}

std::unique_ptr<Section> OrthonormalFrames::section(const Mat& point, const char* argument) const {
  return detail::orthonormal_section(point, N_, n_, tolerance(), with_skew_block_, argument);
}

std::unique_ptr<Section> OrthonormalFrames::section_from_state(const std::vector<Mat>& state) const {
  return detail::orthonormal_section_from_state(state, N_, n_, tolerance(), with_skew_block_);
}

namespace {
/// Validates the arguments of riemannian_gradient.
void require_gradient_arguments(const OrthonormalFrames& manifold, const Mat& point, const Mat& G) {
  manifold.check(point);
  require_shape(G, manifold.N(), manifold.n(), "euclidean_gradient");
  require_finite(G, "euclidean_gradient");
}
}  // namespace

Mat Stiefel::riemannian_gradient(const Mat& point, const Mat& G) const {
  require_gradient_arguments(*this, point, G);
  return G - point * (G.t() * point);
}

Mat Grassmann::riemannian_gradient(const Mat& point, const Mat& G) const {
  require_gradient_arguments(*this, point, G);
  return G - point * (point.t() * G);
}

}  // namespace homopt
