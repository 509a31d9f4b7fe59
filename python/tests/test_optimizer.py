"""The Optimizer through Python: the shared reference trajectory, checkpoints, pickling,
errors (all-or-nothing steps) and threads."""
import copy
import pickle
import threading

import numpy as np
import pytest

import homopt
from testing_helpers import REFERENCE_TRAJECTORY, read_data_file


def read_reference():
    """{name: matrix} from tests/data/reference_trajectory.txt."""
    return read_data_file(REFERENCE_TRAJECTORY)


def test_reference_trajectory_is_reproduced_to_1e_12():
    reference = read_reference()
    B, D = reference["B"], reference["D"]
    seed = int(reference["seed"][0, 0])
    lr, beta1, beta2, eps = reference["adam"][0]
    manifold = homopt.Stiefel(6, 2)
    # The inputs are themselves reproducible from the documented seeds.
    X = homopt.standard_normal_matrix(6, 6, 7)
    np.testing.assert_allclose(B, (X + X.T) / 2, rtol=0, atol=1e-15)
    np.testing.assert_allclose(reference["Y0"], manifold.random_point(seed), rtol=0, atol=1e-15)

    optimizer = homopt.Optimizer(homopt.Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps), retraction="cayley")
    assert optimizer.add(manifold, reference["Y0"]) == 0
    steps = sum(1 for name in reference if name[0] == "Y" and name[1:].isdigit()) - 1
    assert steps == 20
    for t in range(1, steps + 1):
        optimizer.step([2 * B @ optimizer.value(0) @ D])
        np.testing.assert_allclose(optimizer.value(0), reference[f"Y{t}"], rtol=0, atol=1e-12,
                                   err_msg=f"Y{t}")
    assert optimizer.step_count() == 20


def make_optimizer(method=None, retraction="cayley"):
    """Three parameters on three manifolds, two steps taken."""
    optimizer = homopt.Optimizer(method or homopt.Adam(lr=0.05), retraction)
    stiefel, grassmann, euclidean = homopt.Stiefel(7, 3), homopt.Grassmann(6, 2), homopt.Euclidean(2, 5)
    assert optimizer.add(stiefel, stiefel.random_point(1)) == 0
    assert optimizer.add(manifold=grassmann, initial_point=grassmann.random_point(2)) == 1
    assert optimizer.add(euclidean, euclidean.random_point(3)) == 2
    for t in range(2):
        optimizer.step(gradients(optimizer, t))
    return optimizer


def gradients(optimizer, t):
    return [homopt.standard_normal_matrix(*optimizer.value(i).shape, 100 * t + i) for i in range(len(optimizer))]


def values(optimizer):
    return [optimizer.value(i) for i in range(optimizer.size())]


def assert_same_state(first, second):
    """Same step count, same points, and the same future (method state and sections)."""
    assert first.step_count() == second.step_count() and first.size() == second.size()
    for a, b in zip(values(first), values(second)):
        np.testing.assert_array_equal(a, b)
    assert first.checkpoint_bytes() == second.checkpoint_bytes()


def test_repr_len_and_accessors():
    optimizer = make_optimizer(homopt.Momentum(lr=0.1, alpha=0.5), "geodesic")
    assert len(optimizer) == 3 and optimizer.step_count() == 2 and optimizer.retraction == "geodesic"
    assert repr(optimizer) == ("homopt.Optimizer(homopt.Momentum(lr=0.1, alpha=0.5), retraction='geodesic', "
                               "step_count=2, parameters=[homopt.Stiefel(N=7, n=3), homopt.Grassmann(N=6, n=2), "
                               "homopt.Euclidean(rows=2, cols=5)])")
    assert type(optimizer.method) is homopt.Momentum and optimizer.method.hyperparameters == {"lr": 0.1, "alpha": 0.5}
    method = homopt.AdamWithDecay(decay_steps=7, amsgrad=True)
    assert repr(homopt.Optimizer(method).method) == repr(method)


@pytest.mark.parametrize("retraction", ["cayley", "geodesic"])
def test_save_and_load_continue_identically(tmp_path, retraction):
    optimizer = make_optimizer(homopt.AdamWithDecay(decay_steps=10, lr_start=0.1, lr_end=0.01), retraction)
    path = tmp_path / "checkpoint.homopt"
    optimizer.save(path)  # os.PathLike accepted
    loaded = homopt.Optimizer.load(str(path))
    assert type(loaded) is homopt.Optimizer and repr(loaded) == repr(optimizer)
    assert_same_state(loaded, optimizer)
    for t in range(2, 5):
        optimizer.step(gradients(optimizer, t))
        loaded.step(gradients(loaded, t))
    assert_same_state(loaded, optimizer)


def test_pickle_and_deepcopy_use_the_checkpoint():
    optimizer = make_optimizer(homopt.BFGS(lr=0.05))
    for clone in (pickle.loads(pickle.dumps(optimizer)), copy.deepcopy(optimizer), copy.copy(optimizer)):
        assert type(clone) is homopt.Optimizer
        assert_same_state(clone, optimizer)
        clone.step(gradients(clone, 7))  # independent objects
        assert clone.step_count() == optimizer.step_count() + 1


def test_corrupt_or_missing_checkpoints_raise_os_error(tmp_path):
    with pytest.raises(OSError, match="missing.homopt"):
        homopt.Optimizer.load(tmp_path / "missing.homopt")
    optimizer = make_optimizer()
    path = tmp_path / "c.homopt"
    optimizer.save(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "flipped.homopt").write_bytes(bytes(data))
    with pytest.raises(OSError, match="flipped.homopt"):
        homopt.Optimizer.load(tmp_path / "flipped.homopt")
    (tmp_path / "short.homopt").write_bytes(bytes(data[:40]))
    with pytest.raises(OSError):
        homopt.Optimizer.load(tmp_path / "short.homopt")
    with pytest.raises(OSError):
        optimizer.save(tmp_path / "no-such-folder" / "c.homopt")
    with pytest.raises(OSError, match="^checkpoint bytes: "):
        homopt.core.Optimizer.from_checkpoint_bytes(bytes(data))
    with pytest.raises(TypeError, match="^checkpoint: expected bytes"):
        homopt.core.Optimizer.from_checkpoint_bytes("text")


def test_optimizer_argument_errors():
    with pytest.raises(TypeError, match="^method: expected a homopt method"):
        homopt.Optimizer("Adam")
    with pytest.raises(ValueError, match="^retraction: unknown retraction 'exp'"):
        homopt.Optimizer(homopt.Adam(), "exp")
    optimizer = homopt.Optimizer(homopt.Adam())
    with pytest.raises(TypeError):
        optimizer.add("Stiefel", np.eye(3))
    with pytest.raises(ValueError, match="^initial_point: not on the manifold"):
        optimizer.add(homopt.Stiefel(3, 2), np.ones((3, 2)))
    with pytest.raises(ValueError, match="^initial_point: expected a 3x2 matrix"):
        optimizer.add(homopt.Stiefel(3, 2), np.eye(3))
    with pytest.raises(ValueError, match=r"^initial_point: entry \(0, 0\)"):
        optimizer.add(homopt.Euclidean(1, 1), [[np.nan]])
    assert optimizer.size() == 0


@pytest.mark.parametrize("index, error", [(3, IndexError), (-1, IndexError), (2**80, IndexError),
                                          ("0", TypeError), (1.0, TypeError)])
def test_bad_indices(index, error):
    with pytest.raises(error):
        make_optimizer().value(index)


def test_numpy_integer_indices_are_accepted():
    optimizer = make_optimizer()
    np.testing.assert_array_equal(optimizer.value(np.int64(1)), optimizer.value(1))


@pytest.mark.parametrize("bad_gradients, error, message", [
    (lambda G: G[:2], ValueError, "^gradients: expected 3 gradients"),
    (lambda G: G + [G[0]], ValueError, "^gradients: expected 3 gradients"),
    (lambda G: [G[0], G[1].T, G[2]], ValueError, r"^gradients\[1\]: expected a 6x2 matrix, got 2x6"),
    (lambda G: [G[0], G[1], np.full((2, 5), np.inf)], ValueError, r"^gradients\[2\]: entry \(0, 0\)"),
    (lambda G: [G[0], G[1], G[2].ravel()], ValueError, r"^gradients\[2\]: expected a 2-D array"),
    (lambda G: [G[0], G[1].astype(complex), G[2]], TypeError, r"^gradients\[1\]: .*complex"),
    (lambda G: [G[0], None, G[2]], TypeError, r"^gradients\[1\]: "),
    (lambda G: np.stack([G[0], G[0]]), TypeError, "^gradients: expected a list of 2-D arrays"),
    (lambda G: G[0], TypeError, "^gradients: expected a list of 2-D arrays.*step\\(\\[G\\]\\)"),
    (lambda G: 3.0, TypeError, "^gradients: expected a list"),
    (lambda G: "abc", TypeError, "^gradients: expected a list"),
])
def test_a_step_that_raises_leaves_the_optimizer_unchanged(bad_gradients, error, message):
    optimizer = make_optimizer()
    before = optimizer.checkpoint_bytes()
    with pytest.raises(error, match=message):
        optimizer.step(bad_gradients(gradients(optimizer, 5)))
    assert optimizer.checkpoint_bytes() == before
    assert optimizer.step_count() == 2


def test_tuples_and_generators_of_gradients_are_accepted():
    first, second = make_optimizer(), make_optimizer()
    first.step(tuple(gradients(first, 5)))
    second.step(iter(gradients(second, 5)))  # any iterable (materialized once)
    assert_same_state(first, second)


def run_trajectory(seed, steps, results, key):
    """Adam on Stiefel(40, 6) minimizing tr(YᵀBY) for `steps` steps; stores the last point."""
    manifold = homopt.Stiefel(40, 6)
    B = homopt.standard_normal_matrix(40, 40, seed)
    B = B + B.T
    optimizer = homopt.Optimizer(homopt.Adam(lr=0.01))
    optimizer.add(manifold, manifold.random_point(seed))
    for _ in range(steps):
        optimizer.step([2 * B @ optimizer.value(0)])
    results[key] = optimizer.value(0)


def test_two_optimizers_in_two_threads_match_sequential_runs():
    sequential, threaded = {}, {}
    for seed in (1, 2):
        run_trajectory(seed, 300, sequential, seed)
    threads = [threading.Thread(target=run_trajectory, args=(seed, 300, threaded, seed)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in (1, 2):
        np.testing.assert_array_equal(threaded[seed], sequential[seed])


def test_symplectic_parameters_checkpoint_and_pickle(tmp_path):
    optimizer = homopt.Optimizer(homopt.Adam(lr=0.01), "geodesic")
    for space in (homopt.SymplecticStiefel, homopt.SymplecticGrassmann):
        optimizer.add(space(4, 1), space(4, 1).random_point(5))
    for t in range(3):
        optimizer.step(gradients(optimizer, t))
    optimizer.save(tmp_path / "symplectic.homopt")
    for clone in (homopt.Optimizer.load(tmp_path / "symplectic.homopt"), pickle.loads(pickle.dumps(optimizer))):
        assert_same_state(clone, optimizer)
        clone.step(gradients(clone, 3))
    optimizer.step(gradients(optimizer, 3))
    assert_same_state(clone, optimizer)


def test_save_replaces_only_a_regular_file(tmp_path):
    """save refuses a directory, FIFO or symbolic link at the path (OSError naming it) and
    leaves it as it was; a regular file is replaced."""
    import os
    import stat

    optimizer = make_optimizer()
    (tmp_path / "a-directory").mkdir()
    os.mkfifo(tmp_path / "a-fifo")
    (tmp_path / "target").write_text("target")
    os.symlink(tmp_path / "target", tmp_path / "a-link")
    for name, kind in (("a-directory", "a directory"), ("a-fifo", "a FIFO"), ("a-link", "a symbolic link")):
        with pytest.raises(OSError, match=f"{name}: refusing to replace {kind}"):
            optimizer.save(tmp_path / name)
    assert stat.S_ISDIR(os.lstat(tmp_path / "a-directory").st_mode)
    assert stat.S_ISFIFO(os.lstat(tmp_path / "a-fifo").st_mode)
    assert stat.S_ISLNK(os.lstat(tmp_path / "a-link").st_mode)
    assert (tmp_path / "target").read_text() == "target"
    (tmp_path / "regular.homopt").write_text("old")
    optimizer.save(tmp_path / "regular.homopt")
    assert homopt.Optimizer.load(tmp_path / "regular.homopt").checkpoint_bytes() == optimizer.checkpoint_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory", "a-fifo", "a-link", "regular.homopt", "target"]


def test_paths_with_a_nul_byte_are_refused(tmp_path):
    """"…/a\\0b" must not save to or load from "…/a": ValueError naming the path."""
    optimizer = make_optimizer()
    with_nul = str(tmp_path / "a") + "\0b"
    with pytest.raises(ValueError, match="^path: .*NUL byte"):
        optimizer.save(with_nul)
    assert list(tmp_path.iterdir()) == []
    optimizer.save(tmp_path / "a")
    with pytest.raises(ValueError, match="^path: .*NUL byte"):
        homopt.Optimizer.load(with_nul)
    with pytest.raises(ValueError, match="^path: empty path"):
        optimizer.save("")
