// homopt C ABI — internal support: handle types, the live-handle registry, the
// exception-to-status translation and the conversions between C arrays and homopt::Mat.
// Nothing here is exported (the version script exports homopt_* only).
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "homopt.h"
#include "homopt/homopt.hpp"

// The opaque handle types of homopt.h.
struct homopt_manifold {
  std::unique_ptr<homopt::Manifold> value;
};
struct homopt_method {
  std::unique_ptr<homopt::Method> value;
};
struct homopt_optimizer {
  homopt::Optimizer value;
};

namespace homopt::c_abi {

/// A NULL, destroyed or wrong-kind handle (→ HOMOPT_NULL_HANDLE).
class NullHandle : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// An output buffer too small for the result (→ HOMOPT_BUFFER_TOO_SMALL).
class BufferTooSmall : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Which of the three handle types a registered address is.
enum class HandleKind { manifold, method, optimizer };

/// The set of live handles (address and kind), guarded by a mutex. Lets every entry point
/// report a destroyed or wrong-kind handle instead of dereferencing it.
void register_handle(const void* handle, HandleKind kind);
/// Removes `handle`; false if it was not live with this kind.
bool unregister_handle(const void* handle, HandleKind kind);
/// Number of live handles.
std::size_t live_handle_count();
/// Throws NullHandle naming `argument` unless `handle` is live with this kind.
void require_live(const void* handle, HandleKind kind, const char* argument);

template <class Handle>
constexpr HandleKind kind_of();
template <>
constexpr HandleKind kind_of<homopt_manifold>() { return HandleKind::manifold; }
template <>
constexpr HandleKind kind_of<homopt_method>() { return HandleKind::method; }
template <>
constexpr HandleKind kind_of<homopt_optimizer>() { return HandleKind::optimizer; }

/// The object behind a live handle (NullHandle otherwise).
template <class Handle>
Handle& live(Handle* handle, const char* argument) {
  require_live(handle, kind_of<std::remove_const_t<Handle>>(), argument);
  return *handle;
}

/// Stores a new handle: registers it and writes it to *out (InvalidArgument if out is NULL).
template <class Handle>
void publish(std::unique_ptr<Handle> handle, Handle** out) {
  if (out == nullptr) throw InvalidArgument("out", "NULL pointer for the new handle");
  register_handle(handle.get(), kind_of<Handle>());
  *out = handle.release();
}

/// Destroys a handle: NULL is a no-op, a live handle is unregistered and deleted,
/// anything else throws NullHandle.
template <class Handle>
void destroy(Handle* handle, const char* argument) {
  if (handle == nullptr) return;
  if (!unregister_handle(handle, kind_of<Handle>()))
    throw NullHandle(std::string(argument) + ": not a live handle (already destroyed, or of another kind)");
  delete handle;
}

/// Records `message` as this thread's last error and returns `status`. Never throws.
int fail(int status, const char* message) noexcept;

/// This thread's last error text ("" before the first error).
const char* last_error() noexcept;

/// Translation of the exception currently being handled (used by guarded).
int status_of_current_exception() noexcept;

/// Runs `body` and translates every exception into a status code plus last-error text:
/// InvalidArgument → HOMOPT_INVALID_ARGUMENT, IndexOutOfRange → HOMOPT_INDEX_ERROR,
/// FileError → HOMOPT_FILE_ERROR, NullHandle → HOMOPT_NULL_HANDLE, BufferTooSmall →
/// HOMOPT_BUFFER_TOO_SMALL, std::bad_alloc → HOMOPT_OUT_OF_MEMORY, anything else →
/// HOMOPT_INTERNAL_ERROR.
template <class Body>
int guarded(Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
    return HOMOPT_OK;
  } catch (...) {
    return status_of_current_exception();
  }
}

/// Sets *out = NULL if out is non-NULL (handle outputs on failure).
template <class Handle>
void clear_output(Handle** out) noexcept {
  if (out != nullptr) *out = nullptr;
}

/// A non-owning view of a caller's column-major rows×cols array (InvalidArgument naming
/// `argument` if data is NULL while rows·cols > 0, or rows·cols overflows).
Mat input_matrix(const double* data, std::size_t rows, std::size_t cols, const std::string& argument);
/// Copies `value` to the caller's buffer (InvalidArgument if out is NULL, BufferTooSmall if
/// capacity < rows·cols).
void write_matrix(const Mat& value, double* out, std::size_t capacity, const char* argument = "out");
/// String-out convention of homopt.h: *length = size (if non-NULL); copies with a NUL if
/// capacity > size, else BufferTooSmall unless buffer is NULL and capacity is 0 (a query).
void write_string(const std::string& value, char* buffer, std::size_t capacity, std::size_t* length,
                  const char* argument = "buffer");
/// Throws InvalidArgument naming `argument` if `pointer` is NULL.
void require_pointer(const void* pointer, const char* argument);
/// A C string argument (InvalidArgument if NULL).
std::string input_string(const char* value, const char* argument);

}  // namespace homopt::c_abi
