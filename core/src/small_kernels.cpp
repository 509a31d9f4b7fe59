#include "small_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

// Two clones of each kernel on x86-64 Linux with GCC: the baseline ISA and x86-64-v3 (AVX2,
// FMA), chosen once at load time by the dynamic linker (ifunc). Elsewhere: one build.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define HOMOPT_SMALL_KERNEL __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define HOMOPT_SMALL_KERNEL
#endif
// The helpers below are always inlined, so each clone compiles them for its own ISA.
#define HOMOPT_INLINE inline __attribute__((always_inline))

namespace homopt::detail::small {

namespace {

/// Four doubles in one vector register (AVX2) or two (SSE2); GCC/Clang vector extension.
typedef real Lanes __attribute__((vector_size(4 * sizeof(real))));

// Lanes pass by reference only: a by-value 32-byte vector would have an ISA-dependent ABI.
HOMOPT_INLINE void load(Lanes& value, const real* address) { std::memcpy(&value, address, sizeof value); }
HOMOPT_INLINE void store(real* address, const Lanes& value) { std::memcpy(address, &value, sizeof value); }
HOMOPT_INLINE real horizontal_sum(const Lanes& v) { return (v[0] + v[2]) + (v[1] + v[3]); }

/// out[c][j] = Σ_k a_c[k]·b_j[k] for `count` ≤ 2 vectors a_c and `width` ≤ 4 vectors b_j:
/// four lanes of partial sums per (c, j), each load shared by the other operand's vectors,
/// then the tail of r mod 4 terms.
template <uword count, uword width>
HOMOPT_INLINE void dots(uword r, const real* const* a, const real* const* b, real (*out)[4]) {
  Lanes partial[count][width] = {};
  uword k = 0;
  for (; k + 4 <= r; k += 4) {
    Lanes x[count], y[width];
    for (uword c = 0; c < count; ++c) load(x[c], a[c] + k);
    for (uword j = 0; j < width; ++j) load(y[j], b[j] + k);
    for (uword c = 0; c < count; ++c)
      for (uword j = 0; j < width; ++j) partial[c][j] += x[c] * y[j];
  }
  for (uword c = 0; c < count; ++c)
    for (uword j = 0; j < width; ++j) {
      real tail = 0;
      for (uword l = k; l < r; ++l) tail += a[c][l] * b[j][l];
      out[c][j] = horizontal_sum(partial[c][j]) + tail;
    }
}

/// dots<count, width> for a width known only at run time (1 ≤ width ≤ 4).
template <uword count>
HOMOPT_INLINE void dots_up_to_4(uword width, uword r, const real* const* a, const real* const* b, real (*out)[4]) {
  switch (width) {
    case 4: dots<count, 4>(r, a, b, out); break;
    case 3: dots<count, 3>(r, a, b, out); break;
    case 2: dots<count, 2>(r, a, b, out); break;
    default: dots<count, 1>(r, a, b, out); break;
  }
}

/// C = α·A·B̃ + β·C with B̃(k, j) = coefficient(k, j), A (r×p), C (r×q): 8×4 blocks of C
/// accumulated in registers over k = 0, 1, …, p−1; rows r mod 8 one by one.
template <class Coefficient>
HOMOPT_INLINE void product(uword r, uword p, uword q, real alpha, const real* A, Coefficient coefficient, real beta,
                    real* C) {
  const auto finish = [alpha, beta](real* c, const Lanes& sum) {
    Lanes old;
    load(old, c);
    const Lanes value = beta == 0 ? alpha * sum : alpha * sum + beta * old;
    store(c, value);
  };
  uword i = 0;
  for (; i + 8 <= r; i += 8) {
    uword j = 0;
    for (; j + 4 <= q; j += 4) {
      Lanes upper[4] = {}, lower[4] = {};
      for (uword k = 0; k < p; ++k) {
        Lanes a_upper, a_lower;
        load(a_upper, A + i + k * r);
        load(a_lower, A + i + 4 + k * r);
        for (uword c = 0; c < 4; ++c) {
          const real b = coefficient(k, j + c);
          upper[c] += a_upper * b;
          lower[c] += a_lower * b;
        }
      }
      for (uword c = 0; c < 4; ++c) {
        finish(C + i + (j + c) * r, upper[c]);
        finish(C + i + 4 + (j + c) * r, lower[c]);
      }
    }
    for (; j < q; ++j) {
      Lanes upper = {}, lower = {};
      for (uword k = 0; k < p; ++k) {
        const real b = coefficient(k, j);
        Lanes a_upper, a_lower;
        load(a_upper, A + i + k * r);
        load(a_lower, A + i + 4 + k * r);
        upper += a_upper * b;
        lower += a_lower * b;
      }
      finish(C + i + j * r, upper);
      finish(C + i + 4 + j * r, lower);
    }
  }
  for (; i < r; ++i)
    for (uword j = 0; j < q; ++j) {
      real sum = 0;
      for (uword k = 0; k < p; ++k) sum += A[i + k * r] * coefficient(k, j);
      C[i + j * r] = beta == 0 ? alpha * sum : alpha * sum + beta * C[i + j * r];
    }
}

}  // namespace

HOMOPT_SMALL_KERNEL
void gemm_tn(uword r, uword p, uword q, real alpha, const real* A, const real* B, real beta, real* C) {
  const auto finish = [alpha, beta](real& out, real value) {
    out = beta == 0 ? alpha * value : alpha * value + beta * out;
  };
  for (uword j = 0; j < q; j += 4) {
    const uword width = std::min<uword>(4, q - j);
    const real* b[4];
    for (uword c = 0; c < 4; ++c) b[c] = B + std::min(j + c, q - 1) * r;
    real value[2][4];
    uword i = 0;
    for (; i + 2 <= p; i += 2) {  // two columns of A per pass
      const real* a[2] = {A + i * r, A + (i + 1) * r};
      dots_up_to_4<2>(width, r, a, b, value);
      for (uword c = 0; c < width; ++c) {
        finish(C[i + (j + c) * p], value[0][c]);
        finish(C[i + 1 + (j + c) * p], value[1][c]);
      }
    }
    if (i < p) {
      const real* a[1] = {A + i * r};
      dots_up_to_4<1>(width, r, a, b, value);
      for (uword c = 0; c < width; ++c) finish(C[i + (j + c) * p], value[0][c]);
    }
  }
}

HOMOPT_SMALL_KERNEL
void gemm_nn(uword r, uword p, uword q, real alpha, const real* A, const real* B, real beta, real* C) {
  product(r, p, q, alpha, A, [B, p](uword k, uword j) { return B[k + j * p]; }, beta, C);
}

HOMOPT_SMALL_KERNEL
void gemm_nt(uword r, uword p, uword q, real alpha, const real* A, const real* B, real beta, real* C) {
  product(r, p, q, alpha, A, [B, q](uword k, uword j) { return B[j + k * q]; }, beta, C);
}

HOMOPT_SMALL_KERNEL
bool invert_in_place(real* a, uword s, real* work) {
  // Gauss–Jordan with partial pivoting on the row-major s×2s array R = [a | I]: every row
  // operation runs along a contiguous row (vectorizable), and row swaps are plain copies.
  const uword width = 2 * s;
  const auto row = [work, width](uword i) { return work + i * width; };
  for (uword i = 0; i < s; ++i) {
    real* r = row(i);
    for (uword j = 0; j < s; ++j) {
      r[j] = a[i + j * s];
      r[s + j] = i == j ? 1 : 0;
    }
  }
  for (uword k = 0; k < s; ++k) {
    uword pivot = k;
    for (uword i = k + 1; i < s; ++i)
      if (std::abs(row(i)[k]) > std::abs(row(pivot)[k])) pivot = i;
    if (!(row(pivot)[k] != 0)) return false;  // zero or NaN pivot
    real* pivot_row = row(k);
    if (pivot != k) std::swap_ranges(pivot_row + k, pivot_row + width, row(pivot) + k);
    const real inverse_pivot = 1 / pivot_row[k];
    for (uword j = k; j < width; ++j) pivot_row[j] *= inverse_pivot;
    for (uword i = 0; i < s; ++i) {
      if (i == k) continue;
      real* r = row(i);
      const real factor = r[k];
      if (factor == 0) continue;
      for (uword j = k; j < width; ++j) r[j] -= factor * pivot_row[j];
    }
  }
  bool finite = true;
  for (uword i = 0; i < s; ++i)
    for (uword j = 0; j < s; ++j) {
      const real value = row(i)[s + j];
      finite = finite && std::isfinite(value);
      a[i + j * s] = value;
    }
  return finite;
}

HOMOPT_SMALL_KERNEL
real max_abs_or_infinity(uword count, const real* a) {
  // Four lanes of running maxima; `poison` turns NaN as soon as an entry is NaN or ±Inf
  // (x·0 is 0 exactly for every finite x).
  Lanes largest = {}, poison = {};
  uword k = 0;
  for (; k + 4 <= count; k += 4) {
    Lanes x;
    load(x, a + k);
    const Lanes magnitude = x < 0 ? -x : x;
    largest = magnitude > largest ? magnitude : largest;
    poison += x * 0;
  }
  real result = std::max(std::max(largest[0], largest[1]), std::max(largest[2], largest[3]));
  real tail_poison = horizontal_sum(poison);
  for (; k < count; ++k) {
    result = std::max(result, std::abs(a[k]));
    tail_poison += a[k] * 0;
  }
  return tail_poison == 0 ? result : std::numeric_limits<real>::infinity();
}

}  // namespace homopt::detail::small
