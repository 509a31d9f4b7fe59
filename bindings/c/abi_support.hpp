// homopt C ABI — internal support: handle types, the live-handle registry, the
// exception-to-status translation and the conversions between C arrays and homopt::Mat.
// Nothing here is exported (the version script exports homopt_* only).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "homopt.h"
#include "homopt/homopt.hpp"

// The opaque handle types of homopt.h.
struct homopt_manifold {
  std::unique_ptr<homopt::Manifold> value;
};
struct homopt_method {
  std::unique_ptr<homopt::Method> value;
};
/// An optimizer and the mutex that serializes the calls on it: every entry point taking an
/// optimizer handle holds `mutex` for the whole call (steps, reads and saves of one
/// optimizer never overlap; different optimizers run in parallel).
struct homopt_optimizer {
  explicit homopt_optimizer(homopt::Optimizer optimizer) : value(std::move(optimizer)) {}
  mutable std::mutex mutex;
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

/// Which of the handle types a registered address is (homopt_solver: homopt_solver.cpp).
enum class HandleKind { manifold, method, optimizer, solver };

/// The set of live handles (address, kind and owning pointer), guarded by a mutex. Lets
/// every entry point report a destroyed or wrong-kind handle instead of dereferencing it,
/// and owns the objects: a call holds a shared reference (a lease) for its duration, so a
/// handle destroyed by another thread during the call stays valid until the call returns.
void register_handle(const void* handle, HandleKind kind, std::shared_ptr<void> owner);
/// Removes `handle` and returns its owning pointer; NULL if it was not live with this kind.
std::shared_ptr<void> unregister_handle(const void* handle, HandleKind kind);
/// Number of live handles.
std::size_t live_handle_count();
/// The owning pointer of `handle`; throws NullHandle naming `argument` unless `handle` is
/// live with this kind.
std::shared_ptr<void> acquire(const void* handle, HandleKind kind, const char* argument);

template <class Handle>
constexpr HandleKind kind_of();
template <>
constexpr HandleKind kind_of<homopt_manifold>() { return HandleKind::manifold; }
template <>
constexpr HandleKind kind_of<homopt_method>() { return HandleKind::method; }
template <>
constexpr HandleKind kind_of<homopt_optimizer>() { return HandleKind::optimizer; }
template <>
constexpr HandleKind kind_of<homopt_solver>() { return HandleKind::solver; }

/// A lease on a live handle: the object stays alive while the lease exists, even if another
/// thread destroys the handle meanwhile (NullHandle naming `argument` if it is not live).
template <class Handle>
std::shared_ptr<Handle> live(Handle* handle, const char* argument) {
  return std::shared_ptr<Handle>(acquire(handle, kind_of<std::remove_const_t<Handle>>(), argument), handle);
}

/// Exclusive access to an optimizer for one call: holds its mutex until destroyed.
inline std::unique_lock<std::mutex> exclusive_access(const homopt_optimizer& handle) {
  return std::unique_lock<std::mutex>(handle.mutex);
}
/// Manifolds and methods are immutable after creation: concurrent calls need no lock.
inline std::unique_lock<std::mutex> exclusive_access(const homopt_manifold&) { return {}; }
inline std::unique_lock<std::mutex> exclusive_access(const homopt_method&) { return {}; }

/// Stores a new handle: registers it and writes it to *out (InvalidArgument if out is NULL).
template <class Handle>
void publish(std::unique_ptr<Handle> handle, Handle** out) {
  if (out == nullptr) throw InvalidArgument("out", "NULL pointer for the new handle");
  Handle* const address = handle.get();
  register_handle(address, kind_of<Handle>(), std::shared_ptr<Handle>(std::move(handle)));
  *out = address;
}

/// Destroys a handle: NULL is a no-op, a live handle is unregistered (later calls with it
/// fail with NullHandle) and deleted as soon as no call in another thread still uses it;
/// anything else throws NullHandle.
template <class Handle>
void destroy(Handle* handle, const char* argument) {
  if (handle == nullptr) return;
  if (!unregister_handle(handle, kind_of<Handle>()))
    throw NullHandle(std::string(argument) + ": not a live handle (already destroyed, or of another kind)");
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

/// The arrays gradients[i] (rows[i]×cols[i], i < count) of homopt_optimizer_step and
/// homopt_solver_tell as non-owning matrix views named "gradients[i]" (InvalidArgument
/// naming gradients, rows or cols if an array is NULL while count > 0).
std::vector<Mat> input_gradients(const double* const* gradients, const std::size_t* rows,
                                 const std::size_t* cols, std::size_t count);
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
