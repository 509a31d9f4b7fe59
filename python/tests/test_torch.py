"""homopt.torch.ManifoldOptimizer: the same numbers as homopt.Optimizer, float32, param
groups, state_dict, DistributedDataParallel and the refusals (docs/torch.md)."""
import io
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (Debian package python3-torch, "
                                            "listed in scripts/packages.txt)")
import homopt  # noqa: E402
import homopt.torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)

# One parameter per kind of manifold (and Euclidean tensors of rank 2, 1 and 0): name,
# manifold (None: Euclidean), initial value.
MANIFOLDS = [
    ("stiefel", homopt.Stiefel(8, 3)),
    ("grassmann", homopt.Grassmann(7, 2)),
    ("symplectic_stiefel", homopt.SymplecticStiefel(4, 1)),
    ("symplectic_grassmann", homopt.SymplecticGrassmann(3, 1)),
]
EUCLIDEAN_SHAPES = [(5, 3), (4,), ()]


def make_parameters(dtype=torch.float64, seed=1):
    """The parameters of MANIFOLDS and EUCLIDEAN_SHAPES (seeded initial values) and their
    param groups (each manifold a group of its own; the Euclidean tensors one group)."""
    manifold_parameters = [torch.nn.Parameter(torch.from_numpy(m.random_point(seed + k)).to(dtype))
                           for k, (_, m) in enumerate(MANIFOLDS)]
    euclidean_parameters = [torch.nn.Parameter(torch.from_numpy(
        homopt.standard_normal_matrix(int(np.prod(shape)), 1, seed + 10 + k)).reshape(shape).to(dtype))
        for k, shape in enumerate(EUCLIDEAN_SHAPES)]
    groups = [{"params": [p], "manifold": m} for p, (_, m) in zip(manifold_parameters, MANIFOLDS)]
    groups.append({"params": euclidean_parameters})
    return manifold_parameters + euclidean_parameters, groups


def coefficient(tensor, k):
    """A fixed matrix of the tensor's shape (standard normals of seed 100 + k)."""
    return torch.from_numpy(homopt.standard_normal_matrix(max(tensor.numel(), 1), 1, 100 + k)).reshape(
        tensor.shape).to(tensor.dtype)


def loss_of(parameters):
    """Σₖ ⟨Cₖ, Pₖ⟩ + ¼‖Pₖ‖₄⁴: gradient Cₖ + Pₖ³ (depends on the point)."""
    return sum((coefficient(p, k) * p).sum() + 0.25 * (p ** 4).sum() for k, p in enumerate(parameters))


def gradients_at(values):
    """∂loss/∂Pₖ at the float64 tensors `values` (by autograd, as the optimizer sees them)."""
    leaves = [v.detach().clone().requires_grad_(True) for v in values]
    loss_of(leaves).backward()
    return [leaf.grad for leaf in leaves]


def train(optimizer, parameters, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        loss_of(parameters).backward()
        optimizer.step()


def as_matrix(tensor):
    """The homopt matrix of a tensor (docs/torch.md, "Layout")."""
    t = tensor.detach().to(torch.float64)
    rows = 1 if t.dim() == 0 else t.shape[0]
    return t.reshape(rows, -1).numpy()


@pytest.mark.parametrize("method, retraction", [(homopt.Adam(lr=1e-2), "cayley"),
                                                (homopt.Momentum(lr=1e-2, alpha=0.5), "geodesic")])
def test_matches_homopt_optimizer_bit_for_bit(method, retraction):
    parameters, groups = make_parameters()
    optimizer = homopt.torch.ManifoldOptimizer(groups, method=method, retraction=retraction)
    reference = homopt.Optimizer(method, retraction)
    for p, (_, m) in zip(parameters, MANIFOLDS):
        reference.add(m, as_matrix(p))
    for p in parameters[len(MANIFOLDS):]:
        reference.add(homopt.Euclidean(*as_matrix(p).shape), as_matrix(p))
    start = [p.detach().clone() for p in parameters]
    for step in range(1, 11):
        values = [torch.from_numpy(reference.value(i)).reshape(p.shape) for i, p in enumerate(parameters)]
        reference.step([as_matrix(g) for g in gradients_at(values)])
        train(optimizer, parameters, 1)
        assert optimizer.step_count() == reference.step_count() == step
        for i, p in enumerate(parameters):
            assert np.array_equal(as_matrix(p), reference.value(i)), f"parameter {i} after step {step}"
    for (name, m), p, p0 in zip(MANIFOLDS, parameters, start):
        assert not torch.equal(p, p0), name
        assert m.check(as_matrix(p)) <= m.tolerance(), name


def test_float32_parameters_keep_a_float64_state():
    stiefel = homopt.Stiefel(49, 7)
    exact = stiefel.random_point(3)
    w = torch.nn.Parameter(torch.from_numpy(exact).float())   # ‖WᵀW − I‖ ≈ 1e-7: off in float64
    assert stiefel.check(as_matrix(w)) > stiefel.tolerance()
    optimizer = homopt.torch.ManifoldOptimizer([{"params": [w], "manifold": stiefel}], method=homopt.Adam(lr=1e-2))
    # The float64 start is the nearest orthonormal matrix to the float32 tensor (polar factor).
    u, _, vt = np.linalg.svd(as_matrix(torch.from_numpy(exact).float()), full_matrices=False)
    start = optimizer.homopt_optimizer.value(0)
    assert np.linalg.norm(start - u @ vt) <= 1e-14
    reference = homopt.Optimizer(homopt.Adam(lr=1e-2))
    reference.add(stiefel, start)
    target = torch.from_numpy(homopt.standard_normal_matrix(49, 7, 4)).float()
    u32 = 2.0 ** -24
    for _ in range(20):
        optimizer.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        gradient = as_matrix(w.grad)                       # float32 → float64 is exact
        optimizer.step()
        reference.step([gradient])
        value = reference.value(0)
        assert np.array_equal(optimizer.homopt_optimizer.value(0), value)
        assert w.dtype == torch.float32 and torch.equal(w.detach(), torch.from_numpy(value).float())
        # Rounding Y (‖Y‖₂ = 1, ‖Y‖_F = √7) entrywise by ≤ u|Yᵢⱼ| moves ‖YᵀY − I‖_F by at most
        # 2u‖Y‖_F + u²‖Y‖_F²; homopt's own value stays within its float64 tolerance.
        assert stiefel.check(value) <= stiefel.tolerance()
        bound = stiefel.check(value) + 2 * u32 * np.sqrt(7) + u32 ** 2 * 7
        assert stiefel.check(as_matrix(w)) <= bound
    assert float(((w - target) ** 2).sum()) < float(((torch.from_numpy(exact).float() - target) ** 2).sum())


def test_float32_start_too_far_off_is_refused():
    stiefel = homopt.Stiefel(8, 2)
    w = torch.nn.Parameter(torch.from_numpy(stiefel.random_point(1) * 1.001).float())
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['params'\]\[0\]: initial value is not on"):
        homopt.torch.ManifoldOptimizer([{"params": [w], "manifold": stiefel}])
    symplectic = homopt.SymplecticStiefel(3, 1)
    u = torch.nn.Parameter(torch.from_numpy(symplectic.random_point(2)).float())
    if symplectic.check(as_matrix(u)) > symplectic.tolerance():
        with pytest.raises(ValueError, match="keep symplectic parameters in float64"):
            homopt.torch.ManifoldOptimizer([{"params": [u], "manifold": symplectic}])


def test_state_dict_round_trip_resumes_bit_identically():
    parameters, groups = make_parameters()
    straight = homopt.torch.ManifoldOptimizer(groups, method=homopt.Adam(lr=1e-2))
    train(straight, parameters, 10)

    first, groups = make_parameters()
    interrupted = homopt.torch.ManifoldOptimizer(groups, method=homopt.Adam(lr=1e-2))
    train(interrupted, first, 5)
    saved = io.BytesIO()
    torch.save(interrupted.state_dict(), saved)
    saved.seek(0)

    second, groups = make_parameters(seed=50)          # other starting values: overwritten by load
    resumed = homopt.torch.ManifoldOptimizer(groups, method=homopt.Adam(lr=1e-2))
    resumed.load_state_dict(torch.load(saved))
    assert resumed.step_count() == 5
    assert all(torch.equal(a, b) for a, b in zip(first, second))
    train(resumed, second, 5)
    assert resumed.step_count() == 10
    for a, b in zip(parameters, second):
        assert torch.equal(a, b)


def test_load_state_dict_refuses_other_manifolds_and_changes_nothing():
    w = torch.nn.Parameter(torch.from_numpy(homopt.Stiefel(6, 2).random_point(1)))
    saved = homopt.torch.ManifoldOptimizer([{"params": [w], "manifold": homopt.Stiefel(6, 2)}]).state_dict()
    v = torch.nn.Parameter(torch.from_numpy(homopt.Grassmann(6, 2).random_point(2)))
    other = homopt.torch.ManifoldOptimizer([{"params": [v], "manifold": homopt.Grassmann(6, 2)}])
    before = v.detach().clone()
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['params'\]\[0\] is on Grassmann"):
        other.load_state_dict(saved)
    assert torch.equal(v, before)
    with pytest.raises(ValueError, match="homopt_checkpoint"):
        other.load_state_dict({"state": {}, "param_groups": []})


def test_ddp_replicas_stay_identical_to_rank_0(tmp_path):
    torch_distributed = pytest.importorskip("torch.distributed")
    if not torch_distributed.is_available() or not torch_distributed.is_gloo_available():
        pytest.skip("torch.distributed with gloo is not available in this PyTorch")
    import torch_ddp_worker as worker
    with socket.socket() as probe:                     # a free port on localhost
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outputs = [tmp_path / f"rank{rank}.npy" for rank in range(2)]
    environment = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo")
    processes = [subprocess.Popen([sys.executable, "-W", "error", os.path.join(HERE, "torch_ddp_worker.py"),
                                   str(rank), "2", f"tcp://127.0.0.1:{port}", str(outputs[rank])],
                                  env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for rank in range(2)]
    logs = []
    try:
        for process in processes:
            logs.append(process.communicate(timeout=120)[0].decode(errors="replace"))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [p.returncode for p in processes] == [0, 0], "\n".join(logs)
    rank0, rank1 = (np.load(path) for path in outputs)
    assert np.array_equal(rank0, rank1)
    # DDP averages the replicas' gradients: (g₀ + g₁)/2 — one sum of two terms and a halving,
    # both exact in any order, so a single process fed g₀/2 + g₁/2 takes the same steps.
    model = worker.TinyModel()
    optimizer = worker.make_optimizer(model)
    for step in range(worker.STEPS):
        optimizer.zero_grad()
        for rank in range(2):
            (worker.loss_of(model, rank, step) / 2).backward()
        optimizer.step()
    assert np.array_equal(rank0, worker.flat_parameters(model))
    assert not np.array_equal(rank0, worker.flat_parameters(worker.TinyModel()))


def test_missing_gradients_count_as_zero():
    parameters, groups = make_parameters()
    optimizer = homopt.torch.ManifoldOptimizer(groups, method=homopt.Adam(lr=1e-2))
    before = [p.detach().clone() for p in parameters]
    assert optimizer.step() is None                    # no gradient at all: no step
    assert optimizer.step_count() == 0
    moving, resting = parameters[0], parameters[1]
    for _ in range(3):                                 # only `moving` has a gradient
        optimizer.zero_grad(set_to_none=True)
        (coefficient(moving, 0) * moving).sum().backward()
        optimizer.step()
    assert optimizer.step_count() == 3
    assert not torch.equal(moving, before[0])
    assert torch.equal(resting, before[1])             # Adam: m = 0 gives V = 0, Retr(0) = I


def test_closure_is_evaluated_with_gradients():
    parameters, groups = make_parameters()
    optimizer = homopt.torch.ManifoldOptimizer(groups)

    def closure():
        optimizer.zero_grad()
        loss = loss_of(parameters)
        loss.backward()
        return loss

    expected = float(loss_of(parameters))
    assert float(optimizer.step(closure)) == expected
    assert optimizer.step_count() == 1


def test_refusals_name_the_parameter():
    good = torch.nn.Parameter(torch.from_numpy(homopt.Stiefel(6, 2).random_point(1)))
    group = {"params": [good], "manifold": homopt.Stiefel(6, 2)}
    meta = torch.nn.Parameter(torch.empty(6, 2, dtype=torch.float64, device="meta"))
    with pytest.raises(ValueError, match=r"param_groups\[1\]\['params'\]\[0\]: is on device meta"):
        homopt.torch.ManifoldOptimizer([group, {"params": [meta]}])
    off = torch.nn.Parameter(torch.ones(6, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"param_groups\[1\]\['params'\]\[0\]: initial value is not on"):
        homopt.torch.ManifoldOptimizer([group, {"params": [off], "manifold": homopt.Stiefel(6, 2)}])
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['params'\]\[0\]: shape \(2, 6\) does not match"):
        homopt.torch.ManifoldOptimizer([{"params": [torch.nn.Parameter(good.detach().t().clone())],
                                         "manifold": homopt.Stiefel(6, 2)}])
    with pytest.raises(TypeError, match=r"param_groups\[0\]\['manifold'\]: expected a homopt manifold"):
        homopt.torch.ManifoldOptimizer([{"params": [good], "manifold": "stiefel"}])
    with pytest.raises(TypeError, match=r"param_groups\[0\]\['params'\]\[0\]: dtype torch.float16"):
        homopt.torch.ManifoldOptimizer([torch.nn.Parameter(torch.zeros(3, dtype=torch.float16))])


def test_cuda_tensors_are_refused():
    try:
        tensor = torch.nn.Parameter(torch.zeros(3, 2, dtype=torch.float64, device="cuda"))
    except (RuntimeError, AssertionError) as error:    # no CUDA in this build or machine
        pytest.skip(f"no CUDA tensor can be made here ({type(error).__name__}); the meta-device refusal is "
                    "tested by test_refusals_name_the_parameter")
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['params'\]\[0\]: is on device cuda"):
        homopt.torch.ManifoldOptimizer([tensor])


def test_bad_gradient_changes_nothing():
    parameters, groups = make_parameters()
    optimizer = homopt.torch.ManifoldOptimizer(groups)
    train(optimizer, parameters, 2)
    before = [p.detach().clone() for p in parameters]
    optimizer.zero_grad()
    loss_of(parameters).backward()
    parameters[2].grad[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"param_groups\[2\]\['params'\]\[0\]\.grad: entry \(0, 0\).*nan"):
        optimizer.step()
    assert optimizer.step_count() == 2
    assert all(torch.equal(a, b) for a, b in zip(parameters, before))


def test_in_place_changes_outside_step():
    w = torch.nn.Parameter(torch.from_numpy(homopt.Stiefel(6, 2).random_point(1)))
    optimizer = homopt.torch.ManifoldOptimizer([{"params": [w], "manifold": homopt.Stiefel(6, 2)}])
    new_start = homopt.Stiefel(6, 2).random_point(2)
    with torch.no_grad():                              # before the first step: adopted
        w.copy_(torch.from_numpy(new_start))
    optimizer.step()                                   # (no gradient: nothing happens)
    (w ** 3).sum().backward()
    optimizer.step()
    reference = homopt.Optimizer(homopt.Adam())
    reference.add(homopt.Stiefel(6, 2), new_start)
    reference.step([3 * new_start ** 2])
    assert np.array_equal(w.detach().numpy(), reference.value(0))
    with torch.no_grad():                              # after a step: refused
        w.mul_(1.0)
    with pytest.raises(RuntimeError, match=r"param_groups\[0\]\['params'\]\[0\]: was modified in place"):
        optimizer.step()


def test_param_groups_are_fixed_at_construction():
    w = torch.nn.Parameter(torch.zeros(2, 2, dtype=torch.float64))
    optimizer = homopt.torch.ManifoldOptimizer([w])
    with pytest.raises(RuntimeError, match="add_param_group"):
        optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))]})
