// numpy_arma.i — Python typemaps homopt::Mat (arma::Mat<double>) ⇄ numpy.ndarray
// (docs/architecture.md). Included by homopt.i under SWIGPYTHON only.
//
// Input (`const homopt::Mat&`; `const std::vector<homopt::Mat>&` from a list, tuple or any
// other iterable of such matrices, but not from an ndarray):
//   * anything numpy can turn into an array (ndarray, nested lists, …);
//   * dtype must be integer, unsigned or floating: it is cast to float64 with numpy's
//     "safe" rule (int*, uint*, float16/32 accepted; float128 refused). bool, complex,
//     object, string, datetime … raise TypeError naming the argument;
//   * exactly two dimensions: a 1-D array raises ValueError naming the argument (no
//     guessing whether it is a row or a column);
//   * a float64, Fortran-ordered (column-major), aligned, native-endian array is used
//     WITHOUT COPY through a strict non-owning arma view; anything else is converted once.
//   numpy A[i, j] is arma A(i, j) for both C and Fortran orders.
// Output (`homopt::Mat` by value): the arma::Mat is moved into a heap object owned by a
// PyCapsule that becomes the ndarray's base — a Fortran-ordered float64 array that owns its
// memory, no copy. `const homopt::Mat&` results (Optimizer.value) are copied once, so the
// array never aliases optimizer state.

%{
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace homopt_python {

/// Sets a Python exception "<argument>: <message>" of the given type; returns false.
inline bool fail(PyObject* type, const std::string& argument, const std::string& message) {
  PyErr_SetString(type, (argument + ": " + message).c_str());
  return false;
}

/// A new reference to a 2-D, float64, Fortran-contiguous, aligned array holding `object`
/// (the object itself when it already is one), or nullptr with a Python exception set.
inline PyObject* fortran_float64_matrix(PyObject* object, const std::string& argument) {
  PyObject* any = PyArray_FromAny(object, nullptr, 0, 0, 0, nullptr);
  if (!any) {
    PyErr_Clear();
    fail(PyExc_TypeError, argument, std::string("expected a real 2-D array, got an object of type ") +
                                        Py_TYPE(object)->tp_name + " that numpy cannot convert");
    return nullptr;
  }
  PyArrayObject* array = reinterpret_cast<PyArrayObject*>(any);
  const char kind = PyArray_DESCR(array)->kind;
  if (kind != 'i' && kind != 'u' && kind != 'f') {
    PyObject* dtype = PyObject_Str(reinterpret_cast<PyObject*>(PyArray_DESCR(array)));
    const std::string name = dtype ? PyUnicode_AsUTF8(dtype) : "?";
    Py_XDECREF(dtype);
    Py_DECREF(any);
    fail(PyExc_TypeError, argument,
         "expected a real array (integer or floating dtype, cast to float64), got dtype " + name);
    return nullptr;
  }
  if (PyArray_NDIM(array) != 2) {
    std::string shape = "(";
    for (int d = 0; d < PyArray_NDIM(array); ++d)
      shape += std::to_string(PyArray_DIM(array, d)) + (PyArray_NDIM(array) == 1 || d + 1 < PyArray_NDIM(array) ? "," : "");
    shape += ")";
    const int dimensions = PyArray_NDIM(array);
    Py_DECREF(any);
    fail(PyExc_ValueError, argument,
         "expected a 2-D array (matrix), got a " + std::to_string(dimensions) + "-D array of shape " + shape +
             " (reshape a vector explicitly, e.g. v.reshape(-1, 1))");
    return nullptr;
  }
  PyObject* matrix = PyArray_FromAny(any, PyArray_DescrFromType(NPY_DOUBLE), 2, 2,
                                     NPY_ARRAY_F_CONTIGUOUS | NPY_ARRAY_ALIGNED, nullptr);
  Py_DECREF(any);
  if (!matrix) {  // e.g. float128 → float64 is not a safe cast: re-raise naming the argument
    PyObject *type, *value, *traceback;
    PyErr_Fetch(&type, &value, &traceback);
    PyObject* text = value ? PyObject_Str(value) : nullptr;
    const std::string message = text ? PyUnicode_AsUTF8(text) : "cannot convert to float64";
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    fail(PyExc_TypeError, argument, message);
  }
  return matrix;
}

/// One matrix argument: keeps the (possibly converted) array alive and a strict,
/// non-owning arma view of its memory.
struct MatrixInput {
  PyObject* array = nullptr;
  std::optional<arma::Mat<double>> matrix;

  MatrixInput() = default;
  MatrixInput(const MatrixInput&) = delete;
  MatrixInput& operator=(const MatrixInput&) = delete;
  ~MatrixInput() { Py_XDECREF(array); }

  /// Converts `object`; false with a Python exception set on failure.
  bool assign(PyObject* object, const std::string& argument) {
    array = fortran_float64_matrix(object, argument);
    if (!array) return false;
    PyArrayObject* a = reinterpret_cast<PyArrayObject*>(array);
    matrix.emplace(static_cast<double*>(PyArray_DATA(a)), static_cast<arma::uword>(PyArray_DIM(a, 0)),
                   static_cast<arma::uword>(PyArray_DIM(a, 1)), /*copy_aux_mem=*/false, /*strict=*/true);
    return true;
  }
};

/// A list of matrix arguments ("<argument>[i]" in messages).
struct MatrixListInput {
  std::vector<PyObject*> arrays;
  std::vector<arma::Mat<double>> matrices;

  MatrixListInput() = default;
  MatrixListInput(const MatrixListInput&) = delete;
  MatrixListInput& operator=(const MatrixListInput&) = delete;
  ~MatrixListInput() {
    for (PyObject* array : arrays) Py_DECREF(array);
  }

  bool assign(PyObject* object, const std::string& argument) {
    // Any iterable of matrices (list, tuple, generator), but not an ndarray (iterating a
    // matrix would give its rows), str or bytes.
    PyObject* sequence = nullptr;
    if (!PyArray_Check(object) && !PyUnicode_Check(object) && !PyBytes_Check(object)) {
      sequence = PySequence_Fast(object, "");
      if (!sequence) PyErr_Clear();
    }
    if (!sequence)
      return fail(PyExc_TypeError, argument,
                  std::string("expected a list of 2-D arrays (one per parameter), got ") + Py_TYPE(object)->tp_name +
                      (PyArray_Check(object) ? "; wrap a single array in a list: step([G])" : ""));
    const Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    arrays.reserve(static_cast<std::size_t>(count));
    matrices.reserve(static_cast<std::size_t>(count));
    for (Py_ssize_t i = 0; i < count; ++i) {
      PyObject* array = fortran_float64_matrix(PySequence_Fast_GET_ITEM(sequence, i),
                                               argument + "[" + std::to_string(i) + "]");
      if (!array) {
        Py_DECREF(sequence);
        return false;
      }
      arrays.push_back(array);
      PyArrayObject* a = reinterpret_cast<PyArrayObject*>(array);
      matrices.emplace_back(static_cast<double*>(PyArray_DATA(a)), static_cast<arma::uword>(PyArray_DIM(a, 0)),
                            static_cast<arma::uword>(PyArray_DIM(a, 1)), false, true);
    }
    Py_DECREF(sequence);
    return true;
  }
};

inline void delete_matrix(PyObject* capsule) {
  delete static_cast<arma::Mat<double>*>(PyCapsule_GetPointer(capsule, "homopt.Mat"));
}

/// A Fortran-ordered float64 ndarray that takes over `matrix`'s memory (no copy: the
/// moved-to arma::Mat lives on the heap, owned by a PyCapsule set as the array's base).
inline PyObject* to_numpy(arma::Mat<double>&& matrix) {
  arma::Mat<double>* owner = nullptr;
  try {
    owner = new arma::Mat<double>(std::move(matrix));
  } catch (const std::bad_alloc&) {
    return PyErr_NoMemory();
  }
  PyObject* capsule = PyCapsule_New(owner, "homopt.Mat", delete_matrix);
  if (!capsule) {
    delete owner;
    return nullptr;
  }
  npy_intp dimensions[2] = {static_cast<npy_intp>(owner->n_rows), static_cast<npy_intp>(owner->n_cols)};
  npy_intp strides[2] = {static_cast<npy_intp>(sizeof(double)),
                         static_cast<npy_intp>(sizeof(double) * owner->n_rows)};
  if (owner->n_elem == 0) {  // no memory to share; numpy allocates its own (empty) buffer
    Py_DECREF(capsule);
    return PyArray_New(&PyArray_Type, 2, dimensions, NPY_DOUBLE, nullptr, nullptr, 0, NPY_ARRAY_F_CONTIGUOUS, nullptr);
  }
  PyObject* array = PyArray_New(&PyArray_Type, 2, dimensions, NPY_DOUBLE, strides, owner->memptr(), 0,
                                NPY_ARRAY_FARRAY, nullptr);
  if (!array) {
    Py_DECREF(capsule);
    return nullptr;
  }
  if (PyArray_SetBaseObject(reinterpret_cast<PyArrayObject*>(array), capsule) < 0) {  // steals capsule
    Py_DECREF(array);
    return nullptr;
  }
  return array;
}

}  // namespace homopt_python
%}

%init %{
  import_array();
%}

// ---------------------------------------------------------------- matrices in
%typemap(in) const homopt::Mat& (homopt_python::MatrixInput holder) {
  if (!holder.assign($input, "$1_name")) SWIG_fail;
  $1 = &*holder.matrix;
}
%typemap(typecheck, precedence=SWIG_TYPECHECK_DOUBLE_ARRAY) const homopt::Mat& {
  $1 = PyArray_Check($input) || PySequence_Check($input);
}

%define HOMOPT_MATRIX_LIST_IN(DECLARATION, NAME)
%typemap(in) DECLARATION (homopt_python::MatrixListInput holder) {
  if (!holder.assign($input, NAME)) SWIG_fail;
  $1 = &holder.matrices;
}
%enddef
HOMOPT_MATRIX_LIST_IN(const std::vector<homopt::Mat>&, "$1_name")
// Optimizer::step names its argument "gradients" in its C++ errors; use the same name.
HOMOPT_MATRIX_LIST_IN(const std::vector<homopt::Mat>& euclidean_gradients, "gradients")

// ---------------------------------------------------------------- matrices out
%typemap(out) homopt::Mat {
  // static_cast: works for a plain result and for SWIG's SwigValueWrapper (operator T&&).
  $result = homopt_python::to_numpy(static_cast<homopt::Mat&&>($1));
  if (!$result) SWIG_fail;
}
%typemap(out) const homopt::Mat& {
  $result = homopt_python::to_numpy(homopt::Mat(*$1));
  if (!$result) SWIG_fail;
}

// ---------------------------------------------------------------- parameter indices
// Optimizer.value(i) etc.: a negative index is an IndexError (no Python-style wrap-around;
// indices are 0-based), a non-integer a TypeError.
%typemap(in) std::size_t i {
  PyObject* index = PyNumber_Index($input);
  if (!index) SWIG_fail;
  const Py_ssize_t value = PyNumber_AsSsize_t(index, PyExc_IndexError);
  Py_DECREF(index);
  if (value == -1 && PyErr_Occurred()) SWIG_fail;
  if (value < 0) {
    PyErr_Format(PyExc_IndexError, "i: parameter index %zd out of range (indices are 0-based; negative indices are not supported)", value);
    SWIG_fail;
  }
  $1 = static_cast<std::size_t>(value);
}

// ---------------------------------------------------------------- checkpoint bytes
%{
namespace homopt_python {
/// Checkpoint bytes returned to Python as `bytes` (not str: they are binary).
struct Bytes {
  std::string data;
};
}  // namespace homopt_python
%}
%typemap(out) homopt_python::Bytes {
  const homopt_python::Bytes& bytes = $1;
  $result = PyBytes_FromStringAndSize(bytes.data.data(), static_cast<Py_ssize_t>(bytes.data.size()));
  if (!$result) SWIG_fail;
}
%typemap(in) const std::string& checkpoint (std::string bytes) {
  if (!PyBytes_Check($input)) {
    PyErr_Format(PyExc_TypeError, "checkpoint: expected bytes, got %s", Py_TYPE($input)->tp_name);
    SWIG_fail;
  }
  bytes.assign(PyBytes_AS_STRING($input), static_cast<std::size_t>(PyBytes_GET_SIZE($input)));
  $1 = &bytes;
}
%typemap(freearg) const std::string& checkpoint ""
