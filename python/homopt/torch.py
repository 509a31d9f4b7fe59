"""homopt.torch — homopt's optimizers as a ``torch.optim.Optimizer`` (see docs/torch.md).

    >>> import torch, homopt, homopt.torch
    >>> w = torch.nn.Parameter(torch.from_numpy(homopt.Stiefel(6, 2).random_point(1)))
    >>> b = torch.nn.Parameter(torch.zeros(6, dtype=torch.float64))
    >>> optimizer = homopt.torch.ManifoldOptimizer(
    ...     [{"params": [w], "manifold": homopt.Stiefel(6, 2)}, {"params": [b]}],
    ...     method=homopt.Adam(lr=1e-2))
    >>> loss = ((w.sum(dim=1) + b) ** 2).sum()
    >>> optimizer.zero_grad(); loss.backward(); optimizer.step()
    >>> float(torch.linalg.norm(w.T @ w - torch.eye(2, dtype=torch.float64))) < 1e-14
    True

One homopt.Optimizer (one method, one retraction, one step counter t) holds every parameter
of every group, in the order of the groups and of their "params" lists. A group's
"manifold" (a homopt.Stiefel, Grassmann, SymplecticStiefel, SymplecticGrassmann or
Euclidean of the parameter's shape) puts each of its parameters on that manifold; a group
without one is Euclidean: a tensor of shape (a, b) is the homopt matrix a×b, one of shape
(a,) is a×1, a scalar 1×1 and (a, b, c, …) is a×(b·c·…) — always in PyTorch's row-major
reading, so tensor[i, j] is the matrix entry (i, j) and nothing is transposed.

step() reads every .grad, hands the gradients to homopt's step (all-or-nothing) and writes
the new values into the tensors in place. homopt keeps every point and the method's state
in float64; a float32 tensor holds the float64 value rounded to float32.
"""

import re as _re

import numpy as _numpy
import torch as _torch

import homopt as _homopt

__all__ = ["ManifoldOptimizer"]

#: Tensor dtypes the optimizer accepts.
_DTYPES = (_torch.float32, _torch.float64)

#: Key of the homopt checkpoint bytes in state_dict().
_CHECKPOINT_KEY = "homopt_checkpoint"

_FLOAT32_UNIT_ROUNDOFF = 2.0 ** -24


def _float32_start_tolerance(manifold):
    """Largest ‖YᵀY − I‖_F accepted for a float32 Stiefel/Grassmann start: 16·N·2⁻²⁴ (an
    orthonormalization computed in float32 is off by a few N·2⁻²⁴)."""
    return 16 * manifold.N() * _FLOAT32_UNIT_ROUNDOFF


def _nearest_orthonormal(point):
    """The polar factor Y(YᵀY)^{-1/2} = UVᵀ of Y = UΣVᵀ: the orthonormal matrix nearest to
    Y in the Frobenius norm, in float64."""
    u, _, vt = _numpy.linalg.svd(point, full_matrices=False)
    return _numpy.asfortranarray(u @ vt)


class _Slot:
    """One tensor of the optimizer: its name for messages, the homopt manifold and the shape
    of its homopt matrix, and the tensor's version counter after the optimizer last wrote it."""

    __slots__ = ("tensor", "name", "manifold", "rows", "cols", "version")

    def __init__(self, tensor, name, manifold):
        self.tensor, self.name = tensor, name
        self.rows, self.cols = manifold.rows(), manifold.cols()
        self.manifold = manifold
        self.version = None

    def matrix(self, tensor):
        """tensor (this slot's shape) as a float64 rows×cols numpy array (row-major reading;
        a view for a contiguous float64 tensor, a converted copy otherwise). Reshaped by
        numpy: torch's reshape costs more than the rest of the conversion."""
        return tensor.detach().numpy().reshape(self.rows, self.cols).astype(_numpy.float64, copy=False)

    def write(self, value):
        """Copies the float64 rows×cols array `value` into the tensor in place (rounded to
        its dtype) and remembers the tensor's version."""
        self.tensor.copy_(_torch.from_numpy(value.reshape(self.tensor.shape)))
        self.version = self.tensor._version

    def changed_outside(self):
        """Whether the tensor was modified in place since the optimizer last wrote it."""
        return self.tensor._version != self.version


def _euclidean_shape(tensor):
    """The homopt matrix shape of a Euclidean tensor (see the module doc)."""
    if tensor.dim() == 0:
        return 1, 1
    return tensor.shape[0], tensor.numel() // tensor.shape[0]


class ManifoldOptimizer(_torch.optim.Optimizer):
    """A torch.optim.Optimizer that steps PyTorch parameters with one homopt.Optimizer.

    ManifoldOptimizer(params, method=homopt.Adam(), retraction="cayley"): params as for any
    torch optimizer (an iterable of tensors, or of dicts with "params" and optionally
    "manifold"); method any homopt method (Adam, AdamWithDecay, Momentum, Gradient, BFGS),
    shared by all groups; retraction "cayley" or "geodesic". For each parameter Yᵢ with
    gradient Gᵢ = .grad, step() does homopt's

        cᵢ = lift of Gᵢ to 𝔤ʰᵒʳ;  c_Vᵢ = method velocity at t;  λᵢ ← λᵢ·Retr(V(c_Vᵢ)),  Yᵢ = λᵢE

    (Euclidean parameters: Yᵢ ← Yᵢ + V). Refused with ValueError naming the parameter
    (param_groups[g]['params'][k]): a tensor not on the CPU, a manifold whose shape differs
    from the tensor's, an initial value off the manifold (check > tolerance(); float32
    Stiefel/Grassmann starts within 16·N·2⁻²⁴ are replaced by the nearest orthonormal
    matrix); TypeError: a dtype other than float32/float64, a "manifold" that is not a
    homopt manifold, a sparse gradient.

    A .grad of None counts as a zero gradient (homopt steps all parameters together with
    one counter t; with Adam a parameter that never had a gradient stays where it is, one
    whose gradient stops keeps moving with its momentum); if no parameter has a gradient,
    step() does nothing. The hyperparameters belong to the method: torch learning-rate
    schedulers do not apply (use homopt.AdamWithDecay).
    """

    def __init__(self, params, method=None, retraction="cayley"):
        if method is None:
            method = _homopt.Adam()
        self._native = None
        self._slots = []
        super().__init__(params, {"manifold": None})
        self._native = self._new_native(method, retraction)
        for slot in self._slots:
            if slot.manifold is not None:
                self._native.add(slot.manifold, self._initial_point(slot))
        for index, slot in enumerate(self._slots):
            with _torch.no_grad():
                slot.write(self._native.value(index))

    # ------------------------------------------------------------------ construction

    @staticmethod
    def _new_native(method, retraction):
        return _homopt.Optimizer(method, retraction)

    def add_param_group(self, param_group):
        """Adds a group (only while the optimizer is constructed: all parameters share one
        homopt optimizer, which is made once)."""
        if self._native is not None:
            raise RuntimeError("add_param_group: homopt.torch.ManifoldOptimizer takes all its parameter "
                               "groups at construction (one homopt optimizer holds them all)")
        group_index = len(self.param_groups)
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        manifold = group["manifold"]
        if manifold is not None and not isinstance(manifold, _homopt.Manifold):
            raise TypeError(f"param_groups[{group_index}]['manifold']: expected a homopt manifold "
                            f"(homopt.Stiefel(N, n), …) or None, got {type(manifold).__name__}")
        for k, tensor in enumerate(group["params"]):
            self._add_slot(tensor, f"param_groups[{group_index}]['params'][{k}]", manifold)

    def _add_slot(self, tensor, name, manifold):
        if tensor.device.type != "cpu":
            raise ValueError(f"{name}: is on device {tensor.device}; homopt computes on the CPU only "
                             f"(move the model there, e.g. model.cpu())")
        if tensor.dtype not in _DTYPES:
            raise TypeError(f"{name}: dtype {tensor.dtype} is not supported (float32 or float64)")
        if tensor.is_sparse:
            raise TypeError(f"{name}: sparse tensors are not supported")
        if manifold is None:
            if tensor.numel() == 0:
                return  # nothing to optimize
            manifold = _homopt.Euclidean(*_euclidean_shape(tensor))
        elif tuple(tensor.shape) != (manifold.rows(), manifold.cols()):
            raise ValueError(f"{name}: shape {tuple(tensor.shape)} does not match {manifold!r}, whose points "
                             f"are {manifold.rows()}x{manifold.cols()} (rows x columns, as in the tensor)")
        self._slots.append(_Slot(tensor, name, manifold))

    @staticmethod
    def _initial_point(slot):
        """The float64 starting point of a slot (ValueError naming it if it is off its manifold)."""
        point = _numpy.asfortranarray(slot.matrix(slot.tensor))
        if not _numpy.all(_numpy.isfinite(point)):
            raise ValueError(f"{slot.name}: initial value has NaN or Inf entries")
        residual = slot.manifold.check(point)
        if residual <= slot.manifold.tolerance():
            return point
        if (slot.tensor.dtype == _torch.float32 and isinstance(slot.manifold, (_homopt.Stiefel, _homopt.Grassmann))
                and residual <= _float32_start_tolerance(slot.manifold)):
            return _nearest_orthonormal(point)
        hint = ("keep symplectic parameters in float64, or start them exactly on the manifold"
                if slot.tensor.dtype == _torch.float32 else "start it on the manifold, e.g. manifold.random_point(seed)")
        raise ValueError(f"{slot.name}: initial value is not on {slot.manifold!r}: residual {residual:.3g} "
                         f"exceeds the tolerance {slot.manifold.tolerance():.3g} ({hint})")

    # ------------------------------------------------------------------ stepping

    @_torch.no_grad()
    def step(self, closure=None):
        """One homopt step with every parameter's .grad (see the class doc); returns the
        closure's loss (the closure is evaluated with gradients enabled), or None."""
        loss = None
        if closure is not None:
            with _torch.enable_grad():
                loss = closure()
        if all(slot.tensor.grad is None for slot in self._slots):
            return loss
        self._check_unchanged()
        gradients = [self._gradient(slot) for slot in self._slots]
        try:
            self._native.step(gradients)
        except ValueError as error:
            raise ValueError(self._renamed(str(error))) from None
        for index, slot in enumerate(self._slots):
            slot.write(self._native.value(index))
        return loss

    def _check_unchanged(self):
        """RuntimeError if a tensor was modified in place since the optimizer wrote it (homopt
        holds the point; it would silently overwrite the change). Before the first step the
        homopt optimizer is simply rebuilt from the tensors' current values."""
        changed = [slot for slot in self._slots if slot.changed_outside()]
        if not changed:
            return
        if self._native.step_count() == 0:
            native = self._new_native(self._native.method, self._native.retraction)
            for slot in self._slots:
                native.add(slot.manifold, self._initial_point(slot))
            self._native = native
            for index, slot in enumerate(self._slots):
                slot.write(native.value(index))
            return
        raise RuntimeError(f"{changed[0].name}: was modified in place after step {self._native.step_count()} "
                           "(e.g. by loading weights into the model); homopt holds every parameter's value, so "
                           "restore a run with optimizer.load_state_dict, or make a new optimizer")

    @staticmethod
    def _gradient(slot):
        """The slot's gradient as a float64 rows×cols array (zeros for a missing .grad).
        torch itself keeps a .grad on the parameter's device, with its shape and dtype."""
        grad = slot.tensor.grad
        if grad is None:
            return _numpy.zeros((slot.rows, slot.cols), order="F")
        if grad.is_sparse:
            raise TypeError(f"{slot.name}.grad: sparse gradients are not supported")
        return slot.matrix(grad)

    def _renamed(self, message):
        """homopt's "gradients[i]: …" as "param_groups[g]['params'][k].grad: …"."""
        match = _re.match(r"gradients\[(\d+)\]: ", message)
        if match is None:
            return message
        return f"{self._slots[int(match.group(1))].name}.grad: {message[match.end():]}"

    # ------------------------------------------------------------------ inspection

    @property
    def homopt_optimizer(self):
        """The homopt.Optimizer that holds the parameters (read it; stepping it directly
        would leave the tensors behind)."""
        return self._native

    def step_count(self):
        """Steps taken (homopt's t)."""
        return self._native.step_count()

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self):
        """torch's state_dict (groups with their hyperparameters and manifolds) plus
        "homopt_checkpoint": homopt's checkpoint bytes — method, retraction, t, every
        parameter's manifold, point (section) and method state, all float64."""
        state = super().state_dict()
        state[_CHECKPOINT_KEY] = self._native.checkpoint_bytes()
        return state

    def load_state_dict(self, state_dict):
        """Restores a state_dict() of an optimizer over parameters of the same shapes and
        manifolds: homopt's state is rebuilt from the checkpoint bytes and every parameter
        tensor is overwritten with its checkpointed value (rounded to its dtype), so the run
        continues exactly as the saved one would have. All-or-nothing: ValueError naming
        the mismatch, OSError for corrupt bytes, and nothing changes."""
        if _CHECKPOINT_KEY not in state_dict:
            raise ValueError(f"state_dict: has no '{_CHECKPOINT_KEY}' entry (not from homopt.torch.ManifoldOptimizer)")
        native = _homopt.Optimizer._adopt(_homopt.core.Optimizer.from_checkpoint_bytes(state_dict[_CHECKPOINT_KEY]))
        if native.size() != len(self._slots):
            raise ValueError(f"state_dict: its checkpoint holds {native.size()} parameters, this optimizer "
                             f"{len(self._slots)}")
        for index, slot in enumerate(self._slots):
            saved, ours = native.manifold_description(index), slot.manifold.description()
            if saved != ours:
                raise ValueError(f"state_dict: {slot.name} is on {ours} here but on {saved} in the checkpoint")
        torch_state = {key: value for key, value in state_dict.items() if key != _CHECKPOINT_KEY}
        super().load_state_dict(torch_state)
        self._native = native
        with _torch.no_grad():
            for index, slot in enumerate(self._slots):
                slot.write(native.value(index))

    def __repr__(self):
        return (f"homopt.torch.ManifoldOptimizer({self._native.method!r}, retraction={self._native.retraction!r}, "
                f"step_count={self._native.step_count()}, parameters={len(self._slots)})")
