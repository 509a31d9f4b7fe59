"""Every manifold through Python: dimensions, random points, checks, Riemannian gradients
(dense formulas recomputed with numpy), reprs, pickling, bad arguments."""
import copy
import pickle

import numpy as np
import pytest

import homopt

G = homopt.standard_normal_matrix(9, 3, 11)


def test_stiefel_verbs():
    manifold = homopt.Stiefel(9, 3)
    assert (manifold.N(), manifold.n(), manifold.rows(), manifold.cols()) == (9, 3, 9, 3)
    assert manifold.dimension() == 3 * 2 // 2 + 6 * 3
    assert manifold.name() == "Stiefel" and manifold.tolerance() == 1e-10
    Y = manifold.random_point(4)
    # Q factor (diag(R) > 0) of standard_normal_matrix(9, 3, 4): numpy's QR up to signs.
    q, r = np.linalg.qr(homopt.standard_normal_matrix(9, 3, 4))
    np.testing.assert_allclose(Y, q * np.sign(np.diag(r)), atol=1e-14)
    assert manifold.check(Y) == pytest.approx(np.linalg.norm(Y.T @ Y - np.eye(3)), abs=1e-16)
    assert manifold.check(Y) < 1e-14
    assert manifold.check(2 * Y) == pytest.approx(np.linalg.norm(3 * np.eye(3)))
    np.testing.assert_allclose(manifold.riemannian_gradient(Y, G), G - Y @ G.T @ Y, atol=1e-14)


def test_grassmann_verbs():
    manifold = homopt.Grassmann(9, 3)
    assert manifold.dimension() == 6 * 3 and manifold.name() == "Grassmann"
    Y = manifold.random_point(4)
    np.testing.assert_array_equal(Y, homopt.Stiefel(9, 3).random_point(4))
    np.testing.assert_allclose(manifold.riemannian_gradient(Y, G), G - Y @ Y.T @ G, atol=1e-14)


def test_euclidean_verbs():
    manifold = homopt.Euclidean(9, 3)
    assert manifold.dimension() == 27 and (manifold.rows(), manifold.cols()) == (9, 3)
    np.testing.assert_array_equal(manifold.random_point(5), homopt.standard_normal_matrix(9, 3, 5))
    assert manifold.check(G) == 0.0
    np.testing.assert_array_equal(manifold.riemannian_gradient(G, G), G)


def test_random_points_are_reproducible_and_seed_dependent():
    manifold = homopt.Stiefel(6, 2)
    np.testing.assert_array_equal(manifold.random_point(1), manifold.random_point(1))
    assert not np.array_equal(manifold.random_point(1), manifold.random_point(2))


@pytest.mark.parametrize("manifold, text", [
    (homopt.Stiefel(49, 7), "homopt.Stiefel(N=49, n=7)"),
    (homopt.Grassmann(5, 2), "homopt.Grassmann(N=5, n=2)"),
    (homopt.Euclidean(3, 4), "homopt.Euclidean(rows=3, cols=4)"),
])
def test_repr_pickle_copy(manifold, text):
    assert repr(manifold) == text
    assert repr(eval(text, {"homopt": homopt})) == text
    for clone in (pickle.loads(pickle.dumps(manifold)), copy.deepcopy(manifold)):
        assert type(clone) is type(manifold) and repr(clone) == text
        np.testing.assert_array_equal(clone.random_point(3), manifold.random_point(3))


@pytest.mark.parametrize("make, message", [
    (lambda: homopt.Stiefel(2, 3), "^n: "),
    (lambda: homopt.Stiefel(4, 0), "^n: "),
    (lambda: homopt.Grassmann(2, 3), "^n: "),
    (lambda: homopt.Euclidean(0, 3), "^rows: "),
    (lambda: homopt.Euclidean(3, 0), "^cols: "),
])
def test_bad_sizes_raise_value_error_naming_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("make, message", [
    # Negative sizes and sizes beyond 64 bits (SWIG used to raise OverflowError).
    (lambda: homopt.Stiefel(-1, 2), "^N: must be a non-negative integer, got -1"),
    (lambda: homopt.Grassmann(4, -2), "^n: must be a non-negative integer, got -2"),
    (lambda: homopt.SymplecticStiefel(-3, 1), "^N: "),
    (lambda: homopt.SymplecticGrassmann(3, -1), "^n: "),
    (lambda: homopt.Euclidean(-2, 2), "^rows: "),
    (lambda: homopt.Euclidean(2, 2**70), "^cols: too large"),
    (lambda: homopt.Stiefel(2**64, 1), "^N: too large"),
    (lambda: homopt.standard_normal_matrix(-1, 2, 0), "^rows: "),
    (lambda: homopt.standard_normal_matrix(2, -1, 0), "^cols: "),
    (lambda: homopt.standard_normal_matrix(2, 2, -1), "^seed: "),
    (lambda: homopt.Stiefel(4, 2).random_point(-1), "^seed: "),
    (lambda: homopt.SymplecticGrassmann(3, 1).random_point(2**64), "^seed: "),
    # Sizes that fit 64 bits but whose products overflowed (issue 12: Stiefel(2**33, 2**32)
    # segfaulted in random_point, Euclidean(2**32, 2**32).dimension() was 0,
    # SymplecticStiefel(2**63, 1).rows() was 0).
    (lambda: homopt.Stiefel(2**33, 2**32), "^N: too large"),
    (lambda: homopt.Grassmann(2**33, 1), "^N: too large"),
    (lambda: homopt.Euclidean(2**32, 2**32), "^rows: too large"),
    (lambda: homopt.Euclidean(2**16, 2**16), "^cols: too large"),
    (lambda: homopt.SymplecticStiefel(2**63, 1), "^N: too large"),
    (lambda: homopt.SymplecticGrassmann(2**64 - 1, 2**64 - 1), "^N: too large"),
    (lambda: homopt.Stiefel(46341, 1), "^N: too large"),
    (lambda: homopt.SymplecticStiefel(23171, 1), "^N: too large"),
    (lambda: homopt.standard_normal_matrix(2**32, 2**32, 0), "^rows: too large"),
    (lambda: homopt.standard_normal_matrix(2**16, 2**16, 0), "^cols: too large"),
])
def test_bad_and_huge_sizes_raise_value_error_naming_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_largest_sizes_are_accepted():
    # Every matrix at most 2**31 − 1 elements: the N×N section of Stiefel/Grassmann, the
    # 2N×2N section of the symplectic spaces, a rows×cols Euclidean point. Nothing is allocated
    # by the constructors.
    assert homopt.Stiefel(46340, 1).dimension() == 46339
    assert homopt.Grassmann(46340, 46340).dimension() == 0
    assert homopt.SymplecticStiefel(23170, 1).rows() == 46340
    assert homopt.SymplecticGrassmann(23170, 2).dimension() == 4 * 2 * 23168
    assert homopt.Euclidean(2**31 - 1, 1).dimension() == 2**31 - 1
    assert homopt.standard_normal_matrix(0, 2**31 - 1, 1).shape == (0, 2**31 - 1)


@pytest.mark.parametrize("make", [lambda: homopt.Stiefel("4", 2), lambda: homopt.Grassmann(4.5, 2),
                                  lambda: homopt.Stiefel(4, 2).random_point("x")])
def test_wrong_argument_types_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_check_and_gradient_validate_their_arguments():
    manifold = homopt.Stiefel(4, 2)
    Y = manifold.random_point(1)
    with pytest.raises(ValueError, match="^point: expected a 4x2 matrix, got 2x4"):
        manifold.check(Y.T)
    with pytest.raises(ValueError, match=r"^point: entry \(1, 0\).*inf"):
        manifold.check(np.array([[0, 0], [np.inf, 0], [0, 0], [0, 0]]))
    with pytest.raises(ValueError, match="^euclidean_gradient: "):
        manifold.riemannian_gradient(Y, np.zeros((3, 3)))


def test_abstract_bases_cannot_be_constructed():
    with pytest.raises(AttributeError, match="No constructor defined"):
        homopt.Manifold()
    with pytest.raises(AttributeError, match="No constructor defined"):
        homopt.Method()


def J(k):
    """J_{2k} = [[0, I_k], [−I_k, 0]]."""
    return np.block([[np.zeros((k, k)), np.eye(k)], [-np.eye(k), np.zeros((k, k))]])


@pytest.mark.parametrize("space, dimension", [
    (homopt.SymplecticStiefel, 4 * 6 * 2 - 2 * 2**2 + 2),  # 4Nn − 2n² + n
    (homopt.SymplecticGrassmann, 4 * 2 * (6 - 2)),         # 4n(N − n)
])
def test_symplectic_verbs(space, dimension):
    manifold = space(6, 2)
    assert (manifold.N(), manifold.n(), manifold.rows(), manifold.cols()) == (6, 2, 12, 4)
    assert manifold.dimension() == dimension and manifold.name() == space.__name__
    assert repr(manifold) == f"homopt.{space.__name__}(N=6, n=2)"
    assert repr(pickle.loads(pickle.dumps(manifold))) == repr(manifold)
    U = manifold.random_point(3)
    np.testing.assert_array_equal(U, manifold.random_point(3))
    assert manifold.check(U) == pytest.approx(np.linalg.norm(U.T @ J(6) @ U - J(2)), abs=1e-15)
    assert manifold.check(U) < 1e-13
    not_symplectic = U.copy()
    not_symplectic[:, 0] *= 2
    assert manifold.check(not_symplectic) == pytest.approx(np.linalg.norm(not_symplectic.T @ J(6) @ not_symplectic - J(2)))
    gradient = homopt.standard_normal_matrix(12, 4, 4)
    assert manifold.riemannian_gradient(U, gradient).shape == (12, 4)
    with pytest.raises(ValueError, match="^point: expected a 12x4 matrix"):
        manifold.check(np.zeros((4, 12)))
    with pytest.raises(ValueError, match="^n: "):
        space(2, 3)


def test_symplectic_grassmann_points_span_the_same_subspaces_as_symplectic_stiefel():
    U = homopt.SymplecticStiefel(5, 2).random_point(9)
    W = homopt.SymplecticGrassmann(5, 2).random_point(9)
    np.testing.assert_allclose(U @ np.linalg.pinv(U) @ W, W, atol=1e-12)
