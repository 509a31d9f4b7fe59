"""Every method through Python: reference defaults, reprs, pickling, validation, and the
update formulas recomputed with numpy on a Euclidean parameter (where coordinates are
vec(G) and the step is Y ← Y + V)."""
import copy
import pickle

import numpy as np
import pytest

import homopt

# A quadratic f(Y) = ½‖A∘Y − C‖² with gradient A∘(A∘Y − C): gradients change every step.
A = np.abs(homopt.standard_normal_matrix(4, 3, 21)) + 0.5
C = homopt.standard_normal_matrix(4, 3, 22)
Y0 = homopt.standard_normal_matrix(4, 3, 23)


def gradient(Y):
    return A * (A * Y - C)


def python_trajectory(method, steps):
    optimizer = homopt.Optimizer(method)
    optimizer.add(homopt.Euclidean(4, 3), Y0)
    points = [optimizer.value(0)]
    for _ in range(steps):
        optimizer.step([gradient(points[-1])])
        points.append(optimizer.value(0))
    return points


def numpy_trajectory(velocity, steps):
    """Y_{t} = Y_{t−1} + velocity(g, t) with g = gradient(Y_{t−1}) (velocity keeps state)."""
    points = [Y0]
    for t in range(1, steps + 1):
        points.append(points[-1] + velocity(gradient(points[-1]), t))
    return points


def assert_same_trajectory(method, velocity, steps=8):
    for ours, expected in zip(python_trajectory(method, steps), numpy_trajectory(velocity, steps)):
        np.testing.assert_allclose(ours, expected, rtol=1e-13, atol=1e-14)


def test_gradient_formula():
    assert_same_trajectory(homopt.Gradient(lr=0.03), lambda g, t: -0.03 * g)


def test_momentum_formula():
    state = {"m": 0.0}

    def velocity(g, t):
        state["m"] = 0.7 * state["m"] + g
        return -0.02 * state["m"]

    assert_same_trajectory(homopt.Momentum(lr=0.02, alpha=0.7), velocity)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_formula(amsgrad):
    lr, beta1, beta2, eps = 0.05, 0.8, 0.95, 1e-6
    state = {"m": 0.0, "v": 0.0, "vmax": 0.0}

    def velocity(g, t):
        state["m"] = beta1 * state["m"] + (1 - beta1) * g
        state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
        state["vmax"] = np.maximum(state["vmax"], state["v"])
        v = state["vmax"] if amsgrad else state["v"]
        return -lr * (state["m"] / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)

    assert_same_trajectory(homopt.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad), velocity)


def test_adam_with_decay_formula():
    S, lr_start, lr_end = 5, 0.1, 1e-3
    method = homopt.AdamWithDecay(decay_steps=S, lr_start=lr_start, lr_end=lr_end, beta1=0.9, beta2=0.99, eps=1e-8)
    rates = [lr_start * (lr_end / lr_start) ** (min(t - 1, S - 1) / (S - 1)) for t in range(1, 9)]
    np.testing.assert_allclose([method.learning_rate(t) for t in range(1, 9)], rates, rtol=1e-14)
    assert method.learning_rate(1) == pytest.approx(lr_start) and method.learning_rate(100) == pytest.approx(lr_end)
    state = {"m": 0.0, "v": 0.0}

    def velocity(g, t):
        state["m"] = 0.9 * state["m"] + 0.1 * g
        state["v"] = 0.99 * state["v"] + 0.01 * g * g
        return -rates[t - 1] * (state["m"] / (1 - 0.9**t)) / (np.sqrt(state["v"] / (1 - 0.99**t)) + 1e-8)

    assert_same_trajectory(method, velocity)


def test_bfgs_formula():
    lr, eps = 0.05, 1e-8
    n = Y0.size
    state = {"H": np.eye(n), "g": None, "s": None}

    def velocity(G, t):
        g = G.reshape(-1, order="F")  # coordinates = vec(G), column-major
        if t > 1:
            s, y = state["s"], g - state["g"]
            if s @ y > eps:
                rho = 1 / (s @ y)
                left = np.eye(n) - rho * np.outer(s, y)
                state["H"] = left @ state["H"] @ left.T + rho * np.outer(s, s)
        v = -lr * state["H"] @ g
        state["g"], state["s"] = g, v
        return v.reshape(G.shape, order="F")

    assert_same_trajectory(homopt.BFGS(lr=lr, eps=eps), velocity)


@pytest.mark.parametrize("method, text", [
    (homopt.Gradient(), "homopt.Gradient(lr=0.01)"),
    (homopt.Momentum(), "homopt.Momentum(lr=0.001, alpha=0.01)"),
    (homopt.Adam(), "homopt.Adam(lr=0.001, beta1=0.9, beta2=0.99, eps=3e-07, amsgrad=False)"),
    (homopt.AdamWithDecay(), "homopt.AdamWithDecay(decay_steps=1000, lr_start=0.01, lr_end=1e-06, "
                             "beta1=0.9, beta2=0.99, eps=1e-08, amsgrad=False)"),
    (homopt.BFGS(), "homopt.BFGS(lr=0.01, eps=1e-08, max_dimension=4096)"),
])
def test_reference_defaults_repr_and_pickle(method, text):
    assert repr(method) == text
    assert repr(eval(text, {"homopt": homopt})) == text
    for clone in (pickle.loads(pickle.dumps(method)), copy.deepcopy(method)):
        assert type(clone) is type(method) and repr(clone) == text


def test_hyperparameters_and_accessors():
    adam = homopt.Adam(lr=0.5, beta1=0.1, beta2=0.2, eps=0.3, amsgrad=True)
    assert adam.hyperparameters == {"lr": 0.5, "beta1": 0.1, "beta2": 0.2, "eps": 0.3, "amsgrad": True}
    assert (adam.lr(), adam.beta1(), adam.beta2(), adam.eps(), adam.amsgrad()) == (0.5, 0.1, 0.2, 0.3, True)
    assert homopt.BFGS(max_dimension=7).max_dimension() == 7
    assert homopt.AdamWithDecay(decay_steps=9).decay_steps() == 9
    assert homopt.Momentum(alpha=0.25).alpha() == 0.25


@pytest.mark.parametrize("make, argument", [
    (lambda: homopt.Gradient(lr=0), "lr"),
    (lambda: homopt.Gradient(lr=float("nan")), "lr"),
    (lambda: homopt.Momentum(alpha=1.0), "alpha"),
    (lambda: homopt.Adam(beta1=1.0), "beta1"),
    (lambda: homopt.Adam(beta2=-0.1), "beta2"),
    (lambda: homopt.Adam(eps=0), "eps"),
    (lambda: homopt.AdamWithDecay(decay_steps=0), "decay_steps"),
    (lambda: homopt.AdamWithDecay(lr_end=-1), "lr_end"),
    (lambda: homopt.BFGS(max_dimension=0), "max_dimension"),
])
def test_bad_hyperparameters_raise_value_error_naming_them(make, argument):
    with pytest.raises(ValueError, match=f"^{argument}: "):
        make()


@pytest.mark.parametrize("make", [lambda: homopt.Adam(lr="0.1"), lambda: homopt.Adam(amsgrad="yes"),
                                  lambda: homopt.BFGS(max_dimension=2.5), lambda: homopt.Adam(lr=None)])
def test_wrong_hyperparameter_types_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_bfgs_refuses_parameters_beyond_its_memory_cap():
    optimizer = homopt.Optimizer(homopt.BFGS(max_dimension=10))
    with pytest.raises(ValueError, match="^manifold: "):
        optimizer.add(homopt.Euclidean(4, 3), Y0)
    assert optimizer.size() == 0
