#include "abi_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <sstream>
#include <unordered_map>

namespace homopt::c_abi {

namespace {

/// This thread's last error text: a fixed buffer, so recording an error never allocates.
thread_local char last_error_text[4096] = "";

/// A live handle: its kind and the owning pointer (shared with the calls using it).
struct LiveHandle {
  HandleKind kind;
  std::shared_ptr<void> owner;
};

/// The live handles. Deliberately never destroyed: finalizers of a host language may run
/// after this library's static destructors at process exit.
struct HandleRegistry {
  std::mutex mutex;
  std::unordered_map<const void*, LiveHandle> live;
};
HandleRegistry& registry() {
  static HandleRegistry* instance = new HandleRegistry;
  return *instance;
}

const char* kind_name(HandleKind kind) {
  switch (kind) {
    case HandleKind::manifold: return "homopt_manifold";
    case HandleKind::method: return "homopt_method";
    case HandleKind::optimizer: return "homopt_optimizer";
    case HandleKind::solver: return "homopt_solver";
  }
  return "handle";
}

}  // namespace

void register_handle(const void* handle, HandleKind kind, std::shared_ptr<void> owner) {
  HandleRegistry& handles = registry();
  std::lock_guard<std::mutex> lock(handles.mutex);
  handles.live[handle] = LiveHandle{kind, std::move(owner)};
}

std::shared_ptr<void> unregister_handle(const void* handle, HandleKind kind) {
  std::shared_ptr<void> owner;
  {
    HandleRegistry& handles = registry();
    std::lock_guard<std::mutex> lock(handles.mutex);
    const auto found = handles.live.find(handle);
    if (found == handles.live.end() || found->second.kind != kind) return nullptr;
    owner = std::move(found->second.owner);
    handles.live.erase(found);
  }
  return owner;  // the caller's copy (or the last lease) deletes the object, outside the lock
}

std::size_t live_handle_count() {
  HandleRegistry& handles = registry();
  std::lock_guard<std::mutex> lock(handles.mutex);
  return handles.live.size();
}

std::shared_ptr<void> acquire(const void* handle, HandleKind kind, const char* argument) {
  if (handle == nullptr) throw NullHandle(std::string(argument) + ": NULL " + kind_name(kind) + " handle");
  HandleRegistry& handles = registry();
  std::lock_guard<std::mutex> lock(handles.mutex);
  const auto found = handles.live.find(handle);
  if (found == handles.live.end())
    throw NullHandle(std::string(argument) + ": not a live " + kind_name(kind) +
                     " handle (already destroyed?)");
  if (found->second.kind != kind)
    throw NullHandle(std::string(argument) + ": expected a " + kind_name(kind) + " handle, got a " +
                     kind_name(found->second.kind));
  return found->second.owner;
}

int fail(int status, const char* message) noexcept {
  std::strncpy(last_error_text, message, sizeof last_error_text - 1);
  last_error_text[sizeof last_error_text - 1] = '\0';
  return status;
}

int status_of_current_exception() noexcept {
  try {
    throw;
  } catch (const NullHandle& error) {
    return fail(HOMOPT_NULL_HANDLE, error.what());
  } catch (const BufferTooSmall& error) {
    return fail(HOMOPT_BUFFER_TOO_SMALL, error.what());
  } catch (const InvalidArgument& error) {
    return fail(HOMOPT_INVALID_ARGUMENT, error.what());
  } catch (const IndexOutOfRange& error) {
    return fail(HOMOPT_INDEX_ERROR, error.what());
  } catch (const FileError& error) {
    return fail(HOMOPT_FILE_ERROR, error.what());
  } catch (const std::bad_alloc&) {
    return fail(HOMOPT_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& error) {
    // Messages are built in a fixed buffer: the string concatenation could itself throw.
    char text[sizeof last_error_text];
    std::snprintf(text, sizeof text, "internal error: %s", error.what());
    return fail(HOMOPT_INTERNAL_ERROR, text);
  } catch (...) {
    return fail(HOMOPT_INTERNAL_ERROR, "internal error: unknown exception");
  }
}

const char* last_error() noexcept { return last_error_text; }

void require_pointer(const void* pointer, const char* argument) {
  if (pointer == nullptr) throw InvalidArgument(argument, "NULL pointer");
}

std::string input_string(const char* value, const char* argument) {
  require_pointer(value, argument);
  return value;
}

Mat input_matrix(const double* data, std::size_t rows, std::size_t cols, const std::string& argument) {
  if (cols != 0 && rows > std::numeric_limits<std::size_t>::max() / sizeof(double) / cols) {
    std::ostringstream message;
    message << "size " << rows << "x" << cols << " overflows";
    throw InvalidArgument(argument, message.str());
  }
  if (rows == 0 || cols == 0) return Mat(rows, cols);
  if (data == nullptr) throw InvalidArgument(argument, "NULL data pointer");
  return Mat(const_cast<double*>(data), rows, cols, /*copy_aux_mem=*/false, /*strict=*/true);
}

std::vector<Mat> input_gradients(const double* const* gradients, const std::size_t* rows, const std::size_t* cols,
                                 std::size_t count) {
  std::vector<Mat> result;
  if (count == 0) return result;
  require_pointer(gradients, "gradients");
  require_pointer(rows, "rows");
  require_pointer(cols, "cols");
  result.reserve(count);  // views are built in place: a reallocation would copy them
  for (std::size_t i = 0; i < count; ++i) {
    const std::string argument = "gradients[" + std::to_string(i) + "]";
    result.push_back(input_matrix(gradients[i], rows[i], cols[i], argument));
  }
  return result;
}

void write_matrix(const Mat& value, double* out, std::size_t capacity, const char* argument) {
  require_pointer(out, argument);
  if (capacity < value.n_elem) {
    std::ostringstream message;
    message << argument << ": buffer holds " << capacity << " doubles, the " << value.n_rows << "x"
            << value.n_cols << " result needs " << value.n_elem;
    throw BufferTooSmall(message.str());
  }
  std::copy(value.begin(), value.end(), out);
}

void write_string(const std::string& value, char* buffer, std::size_t capacity, std::size_t* length,
                  const char* argument) {
  if (length != nullptr) *length = value.size();
  if (buffer == nullptr && capacity == 0) return;  // length query
  require_pointer(buffer, argument);
  if (capacity <= value.size()) {
    std::ostringstream message;
    message << argument << ": capacity " << capacity << " too small for " << value.size()
            << " characters plus the terminating NUL";
    throw BufferTooSmall(message.str());
  }
  std::memcpy(buffer, value.c_str(), value.size() + 1);
}

}  // namespace homopt::c_abi
