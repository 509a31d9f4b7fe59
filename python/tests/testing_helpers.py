"""Shared helpers of the homopt pytest suite (`import testing_helpers`; pytest puts this
folder on sys.path)."""
import os

import numpy as np
import homopt

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REFERENCE_TRAJECTORY = os.path.join(REPOSITORY, "tests", "data", "reference_trajectory.txt")
MINIMIZE_REFERENCE = os.path.join(REPOSITORY, "tests", "data", "minimize_reference.txt")


def read_data_file(path):
    """{name: matrix} from a tests/data reference file ("NAME ROWS COLS values…" lines,
    values column-major; '#' lines are comments)."""
    matrices = {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            if line.startswith("#") or not line.strip():
                continue
            name, rows, cols, *values = line.split()
            rows, cols = int(rows), int(cols)
            assert len(values) == rows * cols, name
            matrices[name] = np.array([float(v) for v in values]).reshape((rows, cols), order="F")
    return matrices


def symmetric_with_eigenvalues(eigenvalues, seed):
    """Q diag(eigenvalues) Qᵀ with Q the orthonormal factor of a seeded normal matrix."""
    n = len(eigenvalues)
    q, _ = np.linalg.qr(homopt.standard_normal_matrix(n, n, seed))
    return q @ np.diag(eigenvalues) @ q.T


def run_until(optimizer, cost, gradient, optimum, tolerance, budget):
    """Steps (one parameter) until |f − optimum| ≤ tolerance·|optimum|; returns the number
    of steps taken, or −1 if `budget` steps were not enough."""
    for t in range(budget + 1):
        if abs(cost(optimizer.value(0)) - optimum) <= tolerance * abs(optimum):
            return t
        optimizer.step([gradient(optimizer.value(0))])
    return -1


def check_within(name, result, tolerance):
    """Asserts result ≤ tolerance (NaN fails); when HOMOPT_MARGIN_FILE is set, appends
    "python: name result tolerance" to it for tests/tools/kernel-table."""
    path = os.environ.get("HOMOPT_MARGIN_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as margins:
            margins.write(f"python: {name} {float(result)!r} {float(tolerance)!r}\n")
    assert result <= tolerance, f"{name}: {result} > {tolerance}"


def projector_distance(Y, Z):
    """‖YYᵀ − ZZᵀ‖_F (compare Grassmann points)."""
    return np.linalg.norm(Y @ Y.T - Z @ Z.T)
