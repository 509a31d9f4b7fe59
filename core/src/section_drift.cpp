#include "section_drift.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace homopt::detail {

SectionDrift SectionDrift::measure(const Mat& point, const Mat& complement) {
  section_drift_statistics().full_checks.fetch_add(1, std::memory_order_relaxed);
  SectionDrift drift;
  drift.point_gram_error = point.t() * point;
  drift.point_gram_error.diag() -= 1.0;
  const uword m = complement.n_cols;
  if (m > 0) {
    drift.cross_gram = point.t() * complement;
    drift.complement_gram_error = complement.t() * complement;
    drift.complement_gram_error.diag() -= 1.0;
  } else {
    drift.cross_gram.zeros(point.n_cols, 0);
    drift.complement_gram_error.zeros(0, 0);
  }
  return drift;
}

real SectionDrift::norm() const {
  const real e = arma::norm(point_gram_error, "fro");
  const real c = cross_gram.n_elem > 0 ? arma::norm(cross_gram, "fro") : 0.0;
  const real f = complement_gram_error.n_elem > 0 ? arma::norm(complement_gram_error, "fro") : 0.0;
  return std::sqrt(e * e + 2 * c * c + f * f);
}

void repair_section_drift(Mat& point, Mat& complement, const SectionDrift& drift) {
  section_drift_statistics().repairs.fetch_add(1, std::memory_order_relaxed);
  // Ȳ's correction uses the old Y and Ȳ (the difference to using the repaired Y is O(drift²)).
  if (complement.n_cols > 0) {
    const Mat correction = point * drift.cross_gram + complement * (0.5 * drift.complement_gram_error);
    complement -= correction;
  }
  point -= point * (0.5 * drift.point_gram_error);
}

namespace {

/// splitmix64 finalizer: a well-mixed 64-bit hash of `x`.
std::uint64_t mix_bits(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t bits_of(real value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace

SectionDriftCheck::SectionDriftCheck(uword N, uword n) {
  const real m = real(N - n), rows = real(N), cols = real(n);
  const real check_flops = 2 * rows * cols * m + rows * m * m;
  const real step_flops = 6 * rows * cols * m + 16 * rows * cols * cols;
  period_ = std::max<std::uint64_t>(16, static_cast<std::uint64_t>(std::ceil(100 * check_flops / step_flops)));
  repair_threshold_ = std::max(5e-14, 4e-15 * std::sqrt(rows));
}

SectionDriftStatistics& section_drift_statistics() {
  static SectionDriftStatistics statistics;
  return statistics;
}

bool SectionDriftCheck::sampled(const Mat& point) const {
  if (point.n_elem == 0) return false;
  const std::uint64_t key = bits_of(point(0)) ^ mix_bits(bits_of(point(point.n_elem - 1)));
  return mix_bits(key) % period_ == 0;
}

}  // namespace homopt::detail
