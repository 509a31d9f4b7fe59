"""homopt.minimize — the solver loop in the shape of scipy.optimize.minimize.

    >>> import numpy as np, homopt
    >>> A = np.diag(np.arange(1.0, 7.0))
    >>> result = homopt.minimize(lambda Y: (np.trace(Y.T @ A @ Y), 2 * A @ Y),
    ...                          homopt.Stiefel(6, 2).random_point(1), homopt.Stiefel(6, 2),
    ...                          method="bfgs", jac=True, tol=1e-8, lr=0.1)
    >>> result.success, round(result.fun, 6)       # the two smallest eigenvalues: 1 + 2
    (True, 3.0)

The loop and its stopping rules run in the C++ core (homopt::Solver, docs/solvers.md), so a
run stops at the same iteration as in C++, R and Julia.
"""

import importlib as _importlib
import numbers as _numbers

import numpy as _numpy

from . import core as _core

__all__ = ["minimize", "OptimizeResult"]

class OptimizeResult(dict):
    """The result of minimize, shaped like scipy.optimize.OptimizeResult: a dict whose keys
    are also attributes.

    x        the final point (a list of points for several parameters)
    fun      f(x), the value at the final point
    jac      the Euclidean gradient at x (a list for several parameters)
    nit      optimizer steps taken
    nfev     objective evaluations (nit + 1: the final point is evaluated too)
    success  True if a convergence rule stopped the run (tol or value_tolerance)
    status   1 gradient tolerance, 2 value tolerance, 3 maxiter, 4 time limit, 5 callback
    reason   the status as a name ("gradient_tolerance", …)
    message  a sentence saying why the run stopped
    gradient_norm  ‖c‖₂ of the lifted gradient at x (what tol is compared with)
    optimizer      the homopt.Optimizer after the run (continue with it: optimizer=…)
    history  f(x_0), …, f(x_nit) (only with return_history=True)
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __repr__(self):
        width = max(map(len, self)) if self else 0
        return "\n".join(f"{key:>{width}}: {value!r}" for key, value in self.items())

    def __dir__(self):
        return list(self.keys())


def _method(method, method_options):
    """A homopt method from a name (case-insensitive, e.g. "adam", "bfgs") and keywords, or
    a method object given as is."""
    if isinstance(method, _core.Method):
        if method_options:
            raise TypeError(f"method: a method object takes no further keywords (got {sorted(method_options)})")
        return method
    if not isinstance(method, str):
        raise TypeError(f"method: expected a name such as 'adam' or a homopt method, got {type(method).__name__}")
    return getattr(_package(), _core.canonical_method_name(method))(**method_options)


def _package():
    """The homopt package (its method classes and Optimizer wrap the core's)."""
    return _importlib.import_module(__package__)


def _as_list(value):
    """A list from a list or tuple, else None."""
    return list(value) if isinstance(value, (list, tuple)) else None


def _optimizer(x0, manifold, method, retraction, optimizer):
    """The optimizer of the run and whether it has several parameters."""
    if optimizer is not None:
        if x0 is not None or manifold is not None:
            raise TypeError("optimizer: give either optimizer or x0 and manifold, not both")
        if not isinstance(optimizer, _core.Optimizer):
            raise TypeError(f"optimizer: expected a homopt.Optimizer, got {type(optimizer).__name__}")
        if optimizer.size() == 0:
            raise ValueError("optimizer: has no parameters")
        return optimizer, optimizer.size() != 1
    manifolds = _as_list(manifold)
    if manifolds is None:
        if isinstance(x0, (list, tuple)):
            raise TypeError("x0: a list of starting points needs a list of manifolds")
        manifolds, starts, several = [manifold], [x0], False
    else:
        starts = _as_list(x0)
        if starts is None or len(starts) != len(manifolds):
            raise ValueError(f"x0: expected {len(manifolds)} starting points (one per manifold)")
        several = True
    result = _package().Optimizer(method, retraction)
    for index, (space, start) in enumerate(zip(manifolds, starts)):
        if not isinstance(space, _core.Manifold):
            name = f"manifold[{index}]" if several else "manifold"
            raise TypeError(f"{name}: expected a homopt manifold, got {type(space).__name__}")
        result.add(space, start)
    return result, several


def _evaluator(fun, jac, several):
    """(value, gradients) at a point, from fun and jac as scipy takes them."""
    if not callable(fun):
        raise TypeError(f"fun: expected a callable, got {type(fun).__name__}")
    if jac is True:
        def evaluate(point):
            returned = fun(point)
            if not isinstance(returned, tuple) or len(returned) != 2:
                raise TypeError("fun: with jac=True it must return (value, gradient)")
            return returned
    elif callable(jac):
        def evaluate(point):
            return fun(point), jac(point)
    else:
        raise TypeError("jac: homopt needs the Euclidean gradient: jac=True (fun returns (value, gradient)) "
                        "or a callable jac(x)")

    def value_and_gradients(point):
        value, gradient = evaluate(point)
        if isinstance(value, (bool, str, bytes)) or not isinstance(value, (_numbers.Real, _numpy.ndarray)):
            raise TypeError(f"fun: must return a real number, got {type(value).__name__}")
        gradients = list(gradient) if several else [gradient]
        return float(value), gradients, gradient
    return value_and_gradients


def _stops(callback, intermediate):
    """Whether the callback asks to stop: it returns True or raises StopIteration."""
    try:
        return bool(callback(intermediate))
    except StopIteration:
        return True


def minimize(fun, x0=None, manifold=None, method="adam", jac=None, tol=None, maxiter=1000, callback=None, *,
             value_tolerance=0.0, value_window=1, time_limit=None, retraction="cayley", return_history=False,
             optimizer=None, **method_options):
    """Minimizes fun over a manifold (or several) with a homopt method.

    fun(x) → f (jac callable) or (f, G) (jac=True); G = ∂f/∂x is the Euclidean gradient
    (the matrix of partial derivatives), homopt lifts it. With several parameters, x0 and
    manifold are lists of the same length, x is a list and G a list of gradients.
    method: a name — "gradient", "momentum", "adam", "adam_with_decay", "bfgs" (any case) —
    whose hyperparameters are given as further keywords (lr=…, beta1=…; the others take the
    core's defaults), or a homopt method object.

    Stopping rules, checked at each point x_k before its step (docs/solvers.md):
      tol              stop when ‖c‖₂ ≤ tol, c the lifted gradient in 𝔤ʰᵒʳ coordinates
                       (None: off)
      value_tolerance  stop when |f_{k−w} − f_k| ≤ value_tolerance·max(|f_{k−w}|, |f_k|, 1),
                       w = value_window (0: off)
      time_limit       seconds (None: no limit)
      maxiter          stop after this many steps
      callback(intermediate_result) with .x, .fun, .nit at x_k: returning True or raising
                       StopIteration stops the run (status 5) before that step.
    optimizer: continue a homopt.Optimizer (its current points are x_0; x0 and manifold
    must then be None). An exception from fun, jac or callback propagates and leaves the
    optimizer after the last completed step; a NaN/Inf value or gradient raises ValueError
    naming "value" or "gradients[i]". Returns an OptimizeResult.
    """
    if maxiter is None or isinstance(maxiter, bool) or not isinstance(maxiter, _numbers.Integral) or maxiter < 0:
        raise ValueError(f"maxiter: expected a whole number >= 0, got {maxiter!r}")
    if optimizer is None:
        method = _method(method, method_options)
    elif method_options:
        raise TypeError(f"optimizer: the optimizer's method is used; unexpected keywords {sorted(method_options)}")
    run, several = _optimizer(x0, manifold, method, retraction, optimizer)
    value_and_gradients = _evaluator(fun, jac, several)
    solver = _core.Solver(run, int(maxiter), 0.0 if tol is None else float(tol), float(value_tolerance),
                          int(value_window), float("inf") if time_limit is None else float(time_limit))
    while True:
        points = [run.value(i) for i in range(run.size())]
        point = points if several else points[0]
        value, gradients, gradient = value_and_gradients(point)
        if callback is not None and _stops(callback, OptimizeResult(x=point, fun=value, nit=solver.iterations())):
            solver.request_stop()
        if solver.tell(value, gradients) != 0:
            break
    status = solver.reason_code()
    result = OptimizeResult(
        x=point, fun=value, jac=gradient, nit=solver.iterations(), nfev=solver.iterations() + 1,
        success=status in (1, 2), status=status, reason=solver.reason_name(), message=solver.message(),
        gradient_norm=solver.gradient_norm(), optimizer=run)
    if return_history:
        result.history = _numpy.array(solver.history())
    return result
