"""homopt.minimize (docs/solvers.md): the Brockett optimum, the cross-language reference run
(tests/data/minimize_reference.txt), each stopping rule, the callback, several parameters,
and errors that leave the optimizer at its last completed step."""
import math
import pickle
import time

import numpy as np
import pytest

import homopt
from testing_helpers import MINIMIZE_REFERENCE, read_data_file

REFERENCE = read_data_file(MINIMIZE_REFERENCE)
A = REFERENCE["A"]
WEIGHTS = np.diag(REFERENCE["N"])


def brockett(Y):
    """f(Y) = tr(YᵀAYN) and G = 2AYN."""
    AY = A @ Y
    return float(np.sum(WEIGHTS * np.sum(Y * AY, axis=0))), 2 * AY * WEIGHTS


def brockett_value(Y):
    return brockett(Y)[0]


def brockett_gradient(Y):
    return brockett(Y)[1]


def optimum():
    """f* = Σⱼ j·λ₅₋ⱼ, λ the ascending eigenvalues of A."""
    return float(np.dot(WEIGHTS, np.linalg.eigvalsh(A)[3::-1]))


STIEFEL = homopt.Stiefel(20, 4)


def test_reference_run_matches_the_cpp_iteration_count_and_value():
    result = homopt.minimize(brockett, STIEFEL.random_point(int(REFERENCE["seed"][0, 0])), STIEFEL,
                             method="BFGS", jac=True, tol=REFERENCE["gradient_tolerance"][0, 0],
                             maxiter=int(REFERENCE["max_iterations"][0, 0]), lr=REFERENCE["lr"][0, 0])
    assert result.nit == int(REFERENCE["iterations"][0, 0])
    assert result.status == int(REFERENCE["reason"][0, 0]) == 1
    assert result.success and result.reason == "gradient_tolerance"
    value = REFERENCE["value"][0, 0]
    assert abs(result.fun - value) <= 1e-12 * abs(value)
    assert abs(result.fun - optimum()) <= 1e-9 * abs(optimum())
    assert result.fun == brockett_value(result.x)
    assert result.gradient_norm <= REFERENCE["gradient_tolerance"][0, 0]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_brockett_reaches_the_closed_form_optimum(seed):
    A_seed = 0.5 * (homopt.standard_normal_matrix(20, 20, seed) + homopt.standard_normal_matrix(20, 20, seed).T)
    def fun(Y):
        return float(np.trace(Y.T @ A_seed @ Y @ np.diag(WEIGHTS)))
    def jac(Y):
        return 2 * A_seed @ Y @ np.diag(WEIGHTS)
    best = float(np.dot(WEIGHTS, np.linalg.eigvalsh(A_seed)[3::-1]))
    result = homopt.minimize(fun, STIEFEL.random_point(seed), STIEFEL, method="bfgs", jac=jac, tol=1e-6,
                             lr=0.5 / np.linalg.norm(A_seed, 2))
    assert result.success, result.message
    # Near a nondegenerate minimum f − f* = O(‖c‖²); measured ≤ 3e-15 relative.
    assert abs(result.fun - best) <= 1e-9 * abs(best)
    assert STIEFEL.check(result.x) <= STIEFEL.tolerance()


def test_max_iterations_takes_exactly_that_many_steps():
    for maxiter in (0, 1, 17):
        result = homopt.minimize(brockett, STIEFEL.random_point(3), STIEFEL, jac=True, maxiter=maxiter,
                                 lr=0.02, return_history=True)
        assert result.status == 3 and not result.success
        assert result.nit == maxiter == result.optimizer.step_count()
        assert result.nfev == maxiter + 1 == len(result.history)
        assert result.history[-1] == result.fun == brockett_value(result.optimizer.value(0))


def test_tol_stops_at_the_first_point_with_lifted_gradient_norm_below_it():
    norms = []
    result = homopt.minimize(brockett, STIEFEL.random_point(2), STIEFEL, jac=True, tol=1e-2, maxiter=5000,
                             lr=0.02, callback=lambda r: norms.append(r.nit) and False)
    assert result.status == 1
    assert result.gradient_norm <= 1e-2
    assert norms == list(range(result.nit + 1))
    # One step earlier the rule did not hold: rerun to nit − 1 steps and read the norm there.
    earlier = homopt.minimize(brockett, STIEFEL.random_point(2), STIEFEL, jac=True, maxiter=result.nit - 1,
                              lr=0.02)
    assert earlier.gradient_norm > 1e-2


@pytest.mark.parametrize("window", [1, 5])
def test_value_tolerance_stops_at_the_first_k_where_the_relative_change_is_small(window):
    result = homopt.minimize(brockett, STIEFEL.random_point(4), STIEFEL, jac=True, maxiter=5000, lr=0.02,
                             value_tolerance=1e-6, value_window=window, return_history=True)
    assert result.status == 2
    f = result.history

    def holds(k):
        return k >= window and abs(f[k - window] - f[k]) <= 1e-6 * max(abs(f[k - window]), abs(f[k]), 1.0)
    assert holds(result.nit)
    assert not any(holds(k) for k in range(result.nit))


def test_time_limit_stops_a_slow_objective():
    def slow(Y):
        time.sleep(0.01)
        return brockett(Y)
    start = time.monotonic()
    result = homopt.minimize(slow, STIEFEL.random_point(5), STIEFEL, jac=True, maxiter=10**6, time_limit=0.2)
    assert result.status == 4 and result.reason == "time_limit"
    assert time.monotonic() - start >= 0.2
    assert 1 <= result.nit <= 20  # ≥ 10 ms per iteration


@pytest.mark.parametrize("stop", ["return", "raise"])
def test_callback_stops_the_run_before_the_step_of_that_iteration(stop):
    seen = []

    def callback(intermediate):
        seen.append(intermediate.nit)
        assert intermediate.fun == brockett_value(intermediate.x)
        if intermediate.nit == 7:
            if stop == "raise":
                raise StopIteration
            return True
        return False
    result = homopt.minimize(brockett, STIEFEL.random_point(1), STIEFEL, jac=True, callback=callback)
    assert result.status == 5 and result.nit == 7 == result.optimizer.step_count()
    assert seen == list(range(8))


def test_several_parameters_share_one_optimizer():
    euclidean = homopt.Euclidean(3, 2)
    target = np.arange(6.0).reshape(3, 2)

    def fun(points):
        Y, X = points
        value, gradient = brockett(Y)
        return value + 0.5 * np.sum((X - target) ** 2), [gradient, X - target]
    result = homopt.minimize(fun, (STIEFEL.random_point(int(REFERENCE["seed"][0, 0])), np.zeros((3, 2))),
                             (STIEFEL, euclidean), method="bfgs", jac=True, tol=1e-7, lr=REFERENCE["lr"][0, 0])
    assert result.success
    Y, X = result.x
    assert np.max(np.abs(X - target)) <= 1e-6
    assert abs(brockett_value(Y) - optimum()) <= 1e-9 * abs(optimum())
    assert len(result.optimizer) == 2


def after_steps(steps, seed=6):
    """The optimizer after `steps` steps of Adam(lr=0.02) on the Brockett cost."""
    return homopt.minimize(brockett, STIEFEL.random_point(seed), STIEFEL, jac=True, maxiter=steps,
                           lr=0.02).optimizer


def fresh_optimizer(seed=6):
    optimizer = homopt.Optimizer(homopt.Adam(lr=0.02))
    optimizer.add(STIEFEL, STIEFEL.random_point(seed))
    return optimizer


def failing_at(iteration, failure):
    """fun with jac=True that does `failure(Y)` at call `iteration` (0-based)."""
    calls = []

    def fun(Y):
        calls.append(None)
        return failure(Y) if len(calls) == iteration + 1 else brockett(Y)
    return fun


def raise_error(Y):
    raise RuntimeError("user objective failed")


@pytest.mark.parametrize("failure, error, match", [
    (raise_error, RuntimeError, "user objective failed"),
    (lambda Y: (math.nan, brockett_gradient(Y)), ValueError, r"^value: .*iteration 5.*at step 5"),
    (lambda Y: (math.inf, brockett_gradient(Y)), ValueError, r"^value: "),
    (lambda Y: (brockett_value(Y), np.full((20, 4), np.nan)), ValueError, r"^gradients\[0\]: "),
    (lambda Y: (brockett_value(Y), np.zeros((4, 20))), ValueError, r"^gradients\[0\]: "),
    (lambda Y: ("1.0", brockett_gradient(Y)), TypeError, "^fun: must return a real number"),
])
def test_a_failing_objective_leaves_the_optimizer_at_the_last_completed_step(failure, error, match):
    optimizer = fresh_optimizer()
    with pytest.raises(error, match=match):
        homopt.minimize(failing_at(5, failure), jac=True, maxiter=100, optimizer=optimizer)
    assert pickle.dumps(optimizer) == pickle.dumps(after_steps(5))


def test_a_failing_callback_leaves_the_optimizer_at_the_last_completed_step():
    def callback(intermediate):
        if intermediate.nit == 5:
            raise KeyError("user callback failed")
    optimizer = fresh_optimizer()
    with pytest.raises(KeyError, match="user callback failed"):
        homopt.minimize(brockett, jac=True, callback=callback, optimizer=optimizer)
    assert optimizer.checkpoint_bytes() == after_steps(5).checkpoint_bytes()
    # The run can continue from there: 3 more steps equal 8 steps from the start.
    homopt.minimize(brockett, jac=True, maxiter=3, optimizer=optimizer)
    assert optimizer.checkpoint_bytes() == after_steps(8).checkpoint_bytes()


def test_bad_arguments_name_the_argument():
    start = STIEFEL.random_point(1)
    with pytest.raises(ValueError, match="^method: unknown method 'newton'"):
        homopt.minimize(brockett, start, STIEFEL, method="newton", jac=True)
    with pytest.raises(TypeError, match="^jac: "):
        homopt.minimize(brockett_value, start, STIEFEL)
    with pytest.raises(TypeError, match="^fun: "):
        homopt.minimize(None, start, STIEFEL, jac=True)
    with pytest.raises(ValueError, match="^maxiter: "):
        homopt.minimize(brockett, start, STIEFEL, jac=True, maxiter=-1)
    with pytest.raises(ValueError, match="^gradient_tolerance: "):
        homopt.minimize(brockett, start, STIEFEL, jac=True, tol=-1.0)
    with pytest.raises(ValueError, match="^value_window: "):
        homopt.minimize(brockett, start, STIEFEL, jac=True, value_window=0)
    with pytest.raises(ValueError, match="^time_limit: "):
        homopt.minimize(brockett, start, STIEFEL, jac=True, time_limit=0)
    with pytest.raises(ValueError, match="^lr: "):
        homopt.minimize(brockett, start, STIEFEL, jac=True, lr=-1.0)
    with pytest.raises(TypeError, match="^method: a method object takes no further keywords"):
        homopt.minimize(brockett, start, STIEFEL, method=homopt.Adam(), jac=True, lr=0.1)
    with pytest.raises(ValueError, match="^x0: expected 2 starting points"):
        homopt.minimize(brockett, [start], [STIEFEL, STIEFEL], jac=True)
    with pytest.raises(TypeError, match="^manifold: "):
        homopt.minimize(brockett, start, "Stiefel", jac=True)


def test_method_names_are_case_insensitive_and_use_the_core_defaults():
    start = STIEFEL.random_point(1)
    for name, kind in [("adam", homopt.Adam), ("ADAM_WITH_DECAY", homopt.AdamWithDecay), ("Bfgs", homopt.BFGS),
                       ("momentum", homopt.Momentum), ("gradient", homopt.Gradient)]:
        result = homopt.minimize(brockett, start, STIEFEL, method=name, jac=True, maxiter=0)
        assert repr(result.optimizer.method) == repr(kind())
