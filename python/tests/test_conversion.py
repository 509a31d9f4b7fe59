"""numpy ⇄ arma::mat typemaps (bindings/swig/numpy_arma.i): zero copy, orientation,
dtypes, shapes, ownership of results."""
import sys

import numpy as np
import pytest

import homopt
from homopt import core

EUCLIDEAN = homopt.Euclidean(3, 2)
# Entry (i, j) = 10·i + j: any transposition or reordering changes some entry.
PATTERN = np.array([[0.0, 1.0], [10.0, 11.0], [20.0, 21.0]])


def round_trip(matrix):
    """The matrix as C++ sees it, returned by value: Euclidean's Riemannian gradient is
    the identity map G ↦ G (the point argument only fixes the shape)."""
    return EUCLIDEAN.riemannian_gradient(np.zeros((3, 2), order="F"), matrix)


def test_fortran_float64_input_is_not_copied():
    matrix = np.asfortranarray(PATTERN)
    assert core.matrix_data_address(matrix) == matrix.ctypes.data


@pytest.mark.parametrize("matrix", [
    np.ascontiguousarray(PATTERN),                       # C order: copied once
    np.asfortranarray(PATTERN.astype(np.float32)),       # other dtype
    np.asfortranarray(np.repeat(PATTERN, 2, axis=0))[::2],  # non-contiguous view
])
def test_other_layouts_are_copied_once(matrix):
    assert core.matrix_data_address(matrix) != matrix.ctypes.data
    np.testing.assert_array_equal(round_trip(matrix), PATTERN)


@pytest.mark.parametrize("order", ["C", "F"])
def test_orientation_numpy_index_equals_arma_index(order):
    matrix = np.array(PATTERN, order=order)
    result = round_trip(matrix)
    assert result.shape == (3, 2)
    np.testing.assert_array_equal(result, PATTERN)
    # C++ reads the entry the way numpy indexes it: Euclidean.check names the entry (i, j).
    bad = np.array(PATTERN, order=order)
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"entry \(2, 1\)"):
        EUCLIDEAN.check(bad)


def test_transposed_view_is_read_as_numpy_indexes_it():
    transposed = np.array([[0.0, 10.0, 20.0], [1.0, 11.0, 21.0]]).T  # Fortran-ordered view
    assert core.matrix_data_address(transposed) == transposed.ctypes.data
    np.testing.assert_array_equal(round_trip(transposed), PATTERN)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64, np.float16, np.float32])
def test_integer_and_float_dtypes_are_converted(dtype):
    matrix = np.array([[1, 2], [3, 4], [5, 6]], dtype=dtype)
    result = round_trip(matrix)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, [[1, 2], [3, 4], [5, 6]])


def test_nested_lists_are_accepted():
    np.testing.assert_array_equal(round_trip([[0, 1], [10, 11], [20, 21]]), PATTERN)


@pytest.mark.parametrize("value, dtype_text", [
    (np.zeros((3, 2), dtype=np.complex128), "complex128"),
    (np.zeros((3, 2), dtype=object), "object"),
    (np.zeros((3, 2), dtype=bool), "bool"),
    (np.array([["a", "b"]] * 3), "<U1"),
    (np.zeros((3, 2), dtype="datetime64[s]"), "datetime64"),
])
def test_non_real_dtypes_raise_type_error_naming_the_argument(value, dtype_text):
    with pytest.raises(TypeError, match=r"^euclidean_gradient: .*" + dtype_text):
        round_trip(value)


def test_longdouble_is_not_a_safe_cast():
    if np.dtype(np.longdouble).itemsize == 8:
        pytest.skip("long double is float64 here")
    with pytest.raises(TypeError, match="^point: .*safe"):
        EUCLIDEAN.check(np.zeros((3, 2), dtype=np.longdouble))


@pytest.mark.parametrize("value", [None, object(), "text", {"a": 1}])
def test_non_arrays_raise_type_error(value):
    with pytest.raises(TypeError, match="^point: "):
        EUCLIDEAN.check(value)


@pytest.mark.parametrize("shape", [(6,), (), (1, 3, 2)])
def test_not_two_dimensional_raises_value_error_naming_the_argument(shape):
    with pytest.raises(ValueError, match=r"^point: expected a 2-D array"):
        EUCLIDEAN.check(np.zeros(shape))


def test_wrong_shape_raises_value_error_naming_the_argument():
    with pytest.raises(ValueError, match="^point: expected a 3x2 matrix, got 2x3"):
        EUCLIDEAN.check(np.zeros((2, 3)))


def test_results_are_fortran_float64_arrays_owning_their_memory():
    result = homopt.Stiefel(7, 3).random_point(5)
    assert result.dtype == np.float64 and result.shape == (7, 3)
    assert result.flags.f_contiguous and result.flags.writeable and result.flags.aligned
    assert type(result.base).__name__ == "PyCapsule"  # the moved arma::Mat, no copy
    # A result can be passed back without a copy.
    assert core.matrix_data_address(result) == result.ctypes.data


def test_results_outlive_their_producers_and_are_released():
    manifold = homopt.Stiefel(50, 4)
    point = manifold.random_point(1)
    expected = point.copy()
    del manifold
    base = point.base
    references = sys.getrefcount(base)
    np.testing.assert_array_equal(point, expected)
    assert references == 3  # point's base, `base`, getrefcount's argument: nothing leaked


def test_value_is_a_copy_that_does_not_alias_optimizer_state():
    manifold = homopt.Stiefel(5, 2)
    optimizer = homopt.Optimizer(homopt.Gradient(lr=0.1))
    optimizer.add(manifold, manifold.random_point(3))
    value = optimizer.value(0)
    value[:] = 0.0
    assert manifold.check(optimizer.value(0)) < 1e-14
    before = optimizer.value(0)
    optimizer.step([np.ones((5, 2))])
    assert not np.array_equal(before, optimizer.value(0))  # `before` did not move along


def test_empty_matrices_pass_both_ways():
    empty = homopt.standard_normal_matrix(0, 3, 1)
    assert empty.shape == (0, 3) and empty.dtype == np.float64 and empty.flags.f_contiguous
    with pytest.raises(ValueError, match="^point: expected a 3x2 matrix, got 0x2"):
        EUCLIDEAN.check(np.zeros((0, 2)))


def test_inputs_are_not_leaked_or_kept():
    manifold = homopt.Stiefel(6, 2)
    optimizer = homopt.Optimizer(homopt.Adam())
    optimizer.add(manifold, manifold.random_point(1))
    fortran = np.asfortranarray(homopt.standard_normal_matrix(6, 2, 2))
    c_order = np.ascontiguousarray(fortran)
    gradients = [fortran]
    before = [sys.getrefcount(x) for x in (fortran, c_order, gradients)]
    for _ in range(100):
        optimizer.step(gradients)
        optimizer.step([c_order])
        manifold.check(fortran)
        with pytest.raises(ValueError):
            optimizer.step([fortran, c_order])
    assert [sys.getrefcount(x) for x in (fortran, c_order, gradients)] == before
