"""One Optimizer used from several Python threads at once (issue 12, section 6).

Optimizer.step releases the GIL while C++ runs, so threads really do call into one
optimizer concurrently; the binding serializes those calls. Checked: N threads × M steps
give exactly N·M steps, and since every step uses the same gradients, every serial order
gives the same point — the result equals a serial run bit for bit; reads and saves made
during the steps see complete, finite points on the manifold."""
import threading

import numpy as np

import homopt

THREADS = 4
STEPS_PER_THREAD = 300


N, n = 100, 10  # a step takes ≈ 0.1 ms of C++ (GIL released): threads really overlap


def shared_problem(seed):
    """A fresh Adam optimizer over St(n, N) and R^{4×2}, and its constant gradients."""
    stiefel, euclidean = homopt.Stiefel(N, n), homopt.Euclidean(4, 2)
    optimizer = homopt.Optimizer(homopt.Adam(lr=1e-2), retraction="cayley")
    optimizer.add(stiefel, stiefel.random_point(seed))
    optimizer.add(euclidean, euclidean.random_point(seed + 1))
    gradients = [homopt.standard_normal_matrix(N, n, seed + 2), homopt.standard_normal_matrix(4, 2, seed + 3)]
    return optimizer, gradients


def run_threads(targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrent_steps_equal_a_serial_run_exactly(tmp_path):
    for seed in (1, 11, 21):
        optimizer, gradients = shared_problem(seed)
        errors, bad_reads, reads = [], [], [0]
        stop = threading.Event()

        def stepper():
            try:
                for _ in range(STEPS_PER_THREAD):
                    optimizer.step(gradients)
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        def reader():
            previous = 0
            while not stop.is_set():
                Y = optimizer.value(0)
                count = optimizer.step_count()
                optimizer.save(tmp_path / "during.homopt")
                residual = np.linalg.norm(Y.T @ Y - np.eye(n))
                if not np.all(np.isfinite(Y)) or residual > 1e-12 or count < previous:
                    bad_reads.append((count, residual))
                previous = count
                reads[0] += 1

        reading = threading.Thread(target=reader)
        reading.start()
        run_threads([stepper] * THREADS)
        stop.set()
        reading.join()

        assert errors == []
        assert bad_reads == []
        assert reads[0] > 0
        assert optimizer.step_count() == THREADS * STEPS_PER_THREAD
        serial, _ = shared_problem(seed)
        for _ in range(THREADS * STEPS_PER_THREAD):
            serial.step(gradients)
        for i in range(2):
            assert np.array_equal(optimizer.value(i), serial.value(i))
        assert serial.checkpoint_bytes() == optimizer.checkpoint_bytes()
        # a checkpoint saved while other threads stepped is a complete, loadable one
        assert homopt.Optimizer.load(tmp_path / "during.homopt").step_count() <= THREADS * STEPS_PER_THREAD


def test_failing_steps_in_other_threads_change_nothing():
    """Steps with a wrong-shaped gradient fail (ValueError) in some threads while others
    step: the failures change nothing, the good steps all count."""
    optimizer, gradients = shared_problem(5)
    bad = [np.ones((N, n + 1)), gradients[1]]
    failures = []

    def good():
        for _ in range(100):
            optimizer.step(gradients)

    def failing():
        for _ in range(100):
            try:
                optimizer.step(bad)
            except ValueError:
                failures.append(1)

    run_threads([good, failing, good, failing])
    assert len(failures) == 200
    assert optimizer.step_count() == 200
    serial, _ = shared_problem(5)
    for _ in range(200):
        serial.step(gradients)
    assert np.array_equal(optimizer.value(0), serial.value(0))
