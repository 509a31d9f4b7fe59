"""homopt — optimization on homogeneous spaces with the global tangent space Adam.

A thin layer over the SWIG module ``homopt.core`` (C++ library homopt): the same names,
defaults and numbers as in C++ (Brantner, arXiv 2305.16901).

    >>> import numpy as np, homopt
    >>> stiefel = homopt.Stiefel(6, 2)            # St(n=2, N=6) = {Y ∈ ℝ^{6×2} : YᵀY = I}
    >>> optimizer = homopt.Optimizer(homopt.Adam(lr=1e-2))
    >>> optimizer.add(stiefel, stiefel.random_point(1))
    0
    >>> optimizer.step([np.ones((6, 2))])         # one Euclidean gradient ∂L/∂Y per parameter
    >>> stiefel.check(optimizer.value(0)) < 1e-14  # ‖YᵀY − I‖_F
    True

Matrices are numpy arrays. Input: any real 2-D array (int, uint and float dtypes are cast
to float64 with numpy's "safe" rule; bool, complex, object and string dtypes raise
TypeError; a 1-D array raises ValueError — reshape it explicitly). A float64
Fortran-ordered array is used without a copy; results are float64 Fortran-ordered arrays
that own their memory. ``A[i, j]`` in numpy is ``A(i, j)`` in C++.

Sizes: every matrix a manifold can allocate has at most 2**31 − 1 elements (Stiefel and
Grassmann N ≤ 46340, the symplectic spaces N ≤ 23170, Euclidean rows·cols ≤ 2**31 − 1);
larger or negative sizes raise ValueError naming the argument.

Errors carry the C++ message, which names the argument at fault:
ValueError (bad argument: shape, NaN/Inf, off-manifold point, hyperparameter),
IndexError (parameter index), TypeError (wrong Python type or dtype),
OSError (checkpoint file missing, unreadable, truncated, corrupt or foreign),
MemoryError, RuntimeError (anything else).

Threads: the GIL is released while C++ computes, so optimizers stepping in different
threads run in parallel. One optimizer must not be used by two threads at once.
"""

import inspect as _inspect
import numbers as _numbers
import operator as _operator
import os as _os

import numpy as _numpy

from . import core as _core

__all__ = [
    "Manifold", "Stiefel", "Grassmann", "Euclidean", "SymplecticStiefel", "SymplecticGrassmann",
    "Method", "Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS",
    "Optimizer", "standard_normal_matrix", "version", "__version__",
    "minimize", "OptimizeResult",
]

#: Version of the C++ library this module was built with.
__version__ = _core.version()
version = _core.version
Manifold = _core.Manifold
Method = _core.Method


_LARGEST_UINT64 = 2**64 - 1


def _size(value, argument):
    """value as a Python int in [0, 2**64 − 1] for an unsigned C++ size argument.

    TypeError if value is not an integer (operator.index), ValueError naming the argument if
    it is negative or does not fit 64 bits (SWIG would raise OverflowError). The C++
    constructors then apply homopt's real bound: every matrix at most 2**31 − 1 elements
    (ValueError naming the argument)."""
    try:
        size = _operator.index(value)
    except TypeError:
        raise TypeError(f"{argument}: expected an integer, got {type(value).__name__}") from None
    if size < 0:
        raise ValueError(f"{argument}: must be a non-negative integer, got {size}")
    if size > _LARGEST_UINT64:
        raise ValueError(f"{argument}: too large: got {size}, but homopt's matrices have at most "
                         f"2^31 - 1 elements")
    return size


def _seed(value):
    """value as an int in [0, 2**64 − 1] (TypeError / ValueError naming "seed" otherwise)."""
    try:
        seed = _operator.index(value)
    except TypeError:
        raise TypeError(f"seed: expected an integer, got {type(value).__name__}") from None
    if not 0 <= seed <= _LARGEST_UINT64:
        raise ValueError(f"seed: must lie in [0, 2^64 - 1], got {seed}")
    return seed


def standard_normal_matrix(rows, cols, seed):
    """rows×cols matrix of independent standard normals: std::mt19937_64(seed) and the
    Box–Muller transform (both values of each pair used), filled column-major — the same
    numbers in every language binding and on every platform. rows·cols ≤ 2**31 − 1
    (ValueError naming rows or cols otherwise)."""
    return _core.standard_normal_matrix(_size(rows, "rows"), _size(cols, "cols"), _seed(seed))


# ---------------------------------------------------------------------------- manifolds

class _ManifoldMixin:
    """repr and pickling shared by the manifolds (constructor arguments = _arguments)."""

    def _arguments(self):
        """(N, n) for the four homogeneous spaces; Euclidean overrides it."""
        return (self.N(), self.n())

    def __repr__(self):
        return "homopt." + self.description()

    def __reduce__(self):
        return (type(self), self._arguments())

    def random_point(self, seed):
        """A point from the manifold's fixed distribution (the same for a seed in every
        language); seed in [0, 2**64 − 1] (ValueError naming "seed" otherwise)."""
        return super().random_point(_seed(seed))


class Stiefel(_ManifoldMixin, _core.Stiefel):
    """The Stiefel manifold St(n, N) = {Y ∈ ℝ^{N×n} : YᵀY = I}, 1 ≤ n ≤ N.

    Global tangent space: Y = λE with λ = [Y, Ȳ] ∈ O(N), E = [I_n; 0]. Horizontal space
    𝔤ʰᵒʳ = {[[A, −Bᵀ], [B, 0]] : A ∈ 𝔰𝔬(n), B ∈ ℝ^{(N−n)×n}}, dimension n(n−1)/2 + (N−n)n;
    lift of the Euclidean gradient G: A = YᵀG − GᵀY, B = ȲᵀG. A step costs O(N²n).

    Verbs: random_point(seed) (Haar), check(Y) = ‖YᵀY − I‖_F, tolerance(),
    riemannian_gradient(Y, G) = G − Y GᵀY (canonical metric), dimension(), rows(), cols(),
    N(), n(), name(), description().
    """

    def __init__(self, N, n):
        super().__init__(_size(N, "N"), _size(n, "n"))


class Grassmann(_ManifoldMixin, _core.Grassmann):
    """The Grassmann manifold Gr(n, N) of n-dimensional subspaces of ℝ^N, 1 ≤ n ≤ N,
    represented by an orthonormal basis Y (N×n); the point is span(Y) — compare results by
    the projector YYᵀ, never by Y.

    As Stiefel with A ≡ 0: coordinates B = ȲᵀG, dimension (N−n)n; Riemannian gradient
    G − YYᵀG; check(Y) = ‖YᵀY − I‖_F.
    """

    def __init__(self, N, n):
        super().__init__(_size(N, "N"), _size(n, "n"))


class Euclidean(_ManifoldMixin, _core.Euclidean):
    """The vector space ℝ^{rows×cols}: coordinates vec(G), step Y ← Y + V (the retraction
    is ignored). With Adam this is textbook bias-corrected Adam.

    random_point(seed) = standard_normal_matrix(rows, cols, seed); check(Y) = 0 (validates
    shape and finiteness); riemannian_gradient(Y, G) = G.
    """

    def __init__(self, rows, cols):
        super().__init__(_size(rows, "rows"), _size(cols, "cols"))

    def _arguments(self):
        return (self.rows(), self.cols())


class SymplecticStiefel(_ManifoldMixin, _core.SymplecticStiefel):
    """The symplectic Stiefel manifold SpSt(2n, 2N) = {U ∈ ℝ^{2N×2n} : UᵀJ_{2N}U = J_{2n}},
    J_{2k} = [[0, I_k], [−I_k, 0]], 1 ≤ n ≤ N; points are 2N×2n matrices.

    Section λ = [U₁, Ū₁, U₂, Ū₂] ∈ Sp(2N) (λ⁻¹ = −JλᵀJ, never formed). Horizontal space
    V = [[A, B], [C, −Aᵀ]] ∈ 𝔰𝔭(2N) with A = [[A₁, A₂ᵀ], [A₃, 0]], B = [[B₁, B₂ᵀ], [B₂, 0]],
    C = [[C₁, C₂ᵀ], [C₂, 0]] (B₁, C₁ symmetric): dimension 4Nn − 2n² + n. Lift of G: with
    H = UᵀG, A₁ = H₁₁ − H₂₂ᵀ, B₁/C₁ from H₁₂/H₂₁, K = ŪᵀG. Cayley and exp by a 4n×4n
    Woodbury solve (no O(N³) per step).

    check(U) = ‖UᵀJ_{2N}U − J_{2n}‖_F; riemannian_gradient uses the coordinate metric of the
    deterministic section (see the C++ header symplectic_stiefel.hpp).
    """

    def __init__(self, N, n):
        super().__init__(_size(N, "N"), _size(n, "n"))


class SymplecticGrassmann(_ManifoldMixin, _core.SymplecticGrassmann):
    """The symplectic Grassmann manifold SpGr(2n, 2N) of 2n-dimensional symplectic
    subspaces of (ℝ^{2N}, J_{2N}), represented by a symplectic basis U (2N×2n, UᵀJU = J);
    the point is span(U) — compare by the symplectic projector U J_{2n}ᵀ Uᵀ J_{2N}.

    As SymplecticStiefel with A₁ = B₁ = C₁ = 0: coordinates K = ŪᵀG, dimension 4n(N−n).
    """

    def __init__(self, N, n):
        super().__init__(_size(N, "N"), _size(n, "n"))


# ---------------------------------------------------------------------------- methods
# Each method acts on the packed coordinates g ∈ 𝔤ʰᵒʳ of one parameter (the same vector
# space at every point of the manifold); t is the optimizer's global step counter (1, 2, …).
# The method classes are built at import time from the core's API declaration (docs/api.md):
# their signature (inspect.signature, help()), defaults and docstrings are the core's, and a
# call passes on only the keywords the caller gave (the core fills in the others).

class _MethodMixin:
    """repr, hyperparameters and pickling shared by the methods."""

    #: (name, Python type) of the constructor arguments, in order (for repr and pickling).
    _types = ()

    @property
    def hyperparameters(self):
        """The hyperparameters as a dict, in constructor order."""
        return self._typed(self.hyperparameter_values())

    @classmethod
    def _typed(cls, values):
        """{name: value} from C++'s list of doubles, with the constructor's Python types."""
        return {name: kind(value) for (name, kind), value in zip(cls._types, values)}

    def __repr__(self):
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.hyperparameters.items())
        return f"homopt.{self.name()}({arguments})"

    def __reduce__(self):
        return (type(self), tuple(self.hyperparameters.values()))


#: Python type of each kind of hyperparameter the core declares.
_KIND_TYPES = {"real": float, "count": int, "flag": bool}


def _hyperparameter_value(key, kind, value):
    """value (of a hyperparameter of this kind) as the double the core takes: TypeError
    naming key for a value of the wrong type; ranges are checked by the core (ValueError)."""
    if kind == "flag":
        if not isinstance(value, (bool, _numpy.bool_)):
            raise TypeError(f"{key}: expected True or False, got {type(value).__name__}")
        return float(value)
    if kind == "count":
        try:
            count = _operator.index(value)
        except TypeError:
            raise TypeError(f"{key}: expected an integer, got {type(value).__name__}") from None
        if float(count) != count:
            raise ValueError(f"{key}: {count} is too large (counts are at most 2^53)")
        return float(count)
    if isinstance(value, (str, bytes)) or not isinstance(value, _numbers.Real):
        raise TypeError(f"{key}: expected a real number, got {type(value).__name__}")
    return float(value)


def _method_docstring(name, signature):
    """The class docstring of method `name`, from the core's declaration."""
    lines = [_core.method_text(name, "summary") + ":", ""]
    lines += ["    " + line for line in _core.method_text(name, "formula").splitlines()]
    lines += ["", "Hyperparameters (keywords not given take the core's defaults):"]
    for index, parameter in enumerate(signature.parameters.values()):
        text = lambda field: _core.hyperparameter_text(name, index, field)  # noqa: E731
        lines.append(f"    {parameter.name}={parameter.default!r} ({text('range')}): {text('meaning')}")
    return "\n".join(lines) + "\n"


def _method_class(name):
    """The Python class of method `name`: a subclass of core.<name> whose signature,
    defaults and docstring are the core's declaration."""
    keys = list(_core.method_spec_hyperparameter_names(name))
    kinds = [_core.hyperparameter_text(name, index, "kind") for index in range(len(keys))]
    defaults = list(_core.method_spec_defaults(name))
    types = tuple((key, _KIND_TYPES[kind]) for key, kind in zip(keys, kinds))
    signature = _inspect.Signature([
        _inspect.Parameter(key, _inspect.Parameter.POSITIONAL_OR_KEYWORD, default=kind_type(default))
        for (key, kind_type), default in zip(types, defaults)])
    kind_of = dict(zip(keys, kinds))
    core_class = getattr(_core, name)

    def __init__(self, *args, **kwargs):
        given = signature.bind(*args, **kwargs).arguments
        core_class.__init__(self, list(given),
                            [_hyperparameter_value(key, kind_of[key], value) for key, value in given.items()])

    __init__.__signature__ = signature.replace(parameters=[
        _inspect.Parameter("self", _inspect.Parameter.POSITIONAL_ONLY), *signature.parameters.values()])
    __init__.__qualname__ = f"{name}.__init__"
    return type(name, (_MethodMixin, core_class), {
        "__init__": __init__, "__signature__": signature, "__doc__": _method_docstring(name, signature),
        "__module__": __name__, "__qualname__": name, "_types": types})


Gradient, Momentum, Adam, AdamWithDecay, BFGS = (
    _method_class(name) for name in ("Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS"))
if [kind.__name__ for kind in (Gradient, Momentum, Adam, AdamWithDecay, BFGS)] != list(_core.method_spec_names()):
    raise ImportError("homopt: the core declares other methods than this package exports; rebuild both")

_METHODS = {kind.__name__: kind for kind in (Gradient, Momentum, Adam, AdamWithDecay, BFGS)}

# ---------------------------------------------------------------------------- optimizer

def _optimizer_from_checkpoint(checkpoint):
    """Unpickling helper: an Optimizer from Optimizer.checkpoint_bytes()."""
    return Optimizer._adopt(_core.Optimizer.from_checkpoint_bytes(checkpoint))


class Optimizer(_core.Optimizer):
    """One method, one retraction, one global step counter t, any number of parameters,
    each on its own manifold.

    Optimizer(method, retraction="cayley"); retraction "cayley" — R = (I − V/2)⁻¹(I + V/2)
    — or "geodesic" — R = exp(V). One step(gradients), for every parameter i with Euclidean
    gradient Gᵢ = ∂L/∂Yᵢ:

        cᵢ = lift of Gᵢ to 𝔤ʰᵒʳ;  c_Vᵢ = method velocity at t;  λᵢ ← λᵢ·Retr(V(c_Vᵢ)), Yᵢ = λᵢE.

    add(manifold, initial_point) → 0-based index; step([G0, G1, …]) (all-or-nothing: on an
    error nothing changes); value(i) → a copy of the current point; size() / len();
    step_count(); save(path) (atomic); Optimizer.load(path). Optimizers pickle (through the
    checkpoint bytes) and copy.deepcopy.
    """

    def __init__(self, method, retraction="cayley"):
        if not isinstance(method, _core.Method):
            raise TypeError(f"method: expected a homopt method (Adam, Momentum, …), got {type(method).__name__}")
        super().__init__(method, retraction)

    @classmethod
    def _adopt(cls, native):
        """Turns a core.Optimizer returned by C++ into a homopt.Optimizer (same object)."""
        native.__class__ = cls
        return native

    @property
    def method(self):
        """A copy of the method (same class and hyperparameters)."""
        kind = _METHODS[self.method_name()]
        return kind(*kind._typed(self.method_hyperparameter_values()).values())

    @property
    def retraction(self):
        """"cayley" or "geodesic"."""
        return self.retraction_name()

    def save(self, path):
        """Writes a checkpoint (method, hyperparameters, retraction, t, every parameter's
        manifold, section λ and method state) atomically: a temporary file in the same
        folder, flushed, then renamed over path. OSError on failure (path untouched)."""
        super().save(_os.fspath(path))

    @classmethod
    def load(cls, path):
        """The optimizer saved at path; OSError if the file is missing, truncated, corrupt
        or foreign (never a half-loaded optimizer)."""
        return cls._adopt(_core.Optimizer.load(_os.fspath(path)))

    def __len__(self):
        return self.size()

    def __repr__(self):
        parameters = ", ".join("homopt." + self.manifold_description(i) for i in range(self.size()))
        return (f"homopt.Optimizer({self.method!r}, retraction={self.retraction!r}, "
                f"step_count={self.step_count()}, parameters=[{parameters}])")

    def __reduce__(self):
        return (_optimizer_from_checkpoint, (self.checkpoint_bytes(),))


# ---------------------------------------------------------------------------- introspection
# help(), inspect.signature and editors see the real parameters of the verbs inherited from
# SWIG's proxies (homopt/_signatures.py; the stubs homopt/__init__.pyi are generated from the
# same), and dir() of an object lists its API without SWIG's plumbing.

from . import _signatures  # noqa: E402
_signatures.apply(_core)

_SWIG_INTERNALS = frozenset({"this", "thisown"})


def _dir_without_swig_internals(self):
    """dir(self) without SWIG's attributes this and thisown."""
    return sorted(name for name in object.__dir__(self) if name not in _SWIG_INTERNALS)


for _class in (Manifold, Method, Optimizer):
    _class.__dir__ = _dir_without_swig_internals
del _class

from .optimize import OptimizeResult, minimize  # noqa: E402  (the solver loop: docs/solvers.md)
