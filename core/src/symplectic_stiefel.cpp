// SymplecticStiefel and SymplecticGrassmann: the shared verbs of detail::SymplecticSpace.
#include "homopt/symplectic_stiefel.hpp"

#include <sstream>

#include "homopt/validate.hpp"
#include "orthogonal_section.hpp"
#include "symplectic_section.hpp"

namespace homopt::detail {

SymplecticSpace::SymplecticSpace(uword N, uword n, bool with_block)
    : N_(N), n_(n), with_block_(with_block) {
  require_frame_sizes(N, n);
  // The largest matrix is the section λ (also horizontal_matrix): 2N×2N. Check N first so
  // that 2N cannot wrap around.
  if (N > max_matrix_elements / 2) {
    std::ostringstream message;
    message << "too large: got N = " << N << ", but the section lambda is 2N x 2N and homopt's "
            << "matrices have at most 2^31 - 1 = " << max_matrix_elements << " elements";
    throw InvalidArgument("N", message.str());
  }
  require_matrix_size(2 * N, 2 * N, "N", "N", "the section lambda (2N x 2N)");
}

std::string SymplecticSpace::describe() const {
  std::ostringstream text;
  text << name() << "(N=" << N_ << ", n=" << n_ << ")";
  return text.str();
}

uword SymplecticSpace::dimension() const {
  return symplectic_coordinate_count(N_, n_, with_block_);
}

Mat SymplecticSpace::random_point(std::uint64_t seed) const {
  return random_symplectic_point(N_, n_, seed);
}

real SymplecticSpace::check(const Mat& point) const {
  return checked_symplectic_residual(point, N_, n_, "point");
}

Mat SymplecticSpace::riemannian_gradient(const Mat& point, const Mat& G) const {
  return symplectic_riemannian_gradient(point, G, N_, n_, tolerance(), with_block_);
}

Mat SymplecticSpace::horizontal_matrix(const Vec& coordinates) const {
  return dense_horizontal_matrix(coordinates, N_, n_, with_block_);
}

std::unique_ptr<Section> SymplecticSpace::section(const Mat& point, const char* argument) const {
  return symplectic_section(point, N_, n_, tolerance(), with_block_, argument);
}

std::unique_ptr<Section> SymplecticSpace::section_from_state(const std::vector<Mat>& state) const {
  return symplectic_section_from_state(state, N_, n_, tolerance(), with_block_);
}

}  // namespace homopt::detail
