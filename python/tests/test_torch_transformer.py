"""Cross-check of homopt.torch (docs/torch.md, "Cross-check with homopt-train"): the PyTorch
transformer of bench/torch_transformer.py, trained by homopt.torch.ManifoldOptimizer (Adam,
projections on Stiefel(49, 7)), takes the steps homopt-train takes: the same initial values,
tokens and data order, so the per-step losses of the first 20 steps agree to 1e-10
relative (only the summation order inside the forward and backward passes differs: a few
units of 1e-16 per step) and every projection stays orthonormal to 1e-13.

Small size (L = 2, batch 64, the first 1280 training images: 20 steps, seconds); the full
size command is in docs/torch.md. ctest sets HOMOPT_TRAIN to the built homopt-train."""
import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (Debian package python3-torch, "
                                            "listed in scripts/packages.txt)")

REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(REPOSITORY, "bench", "torch_transformer.py")
DATA = "/usr/share/datasets/fashion-mnist"
SIZE = ["--blocks", "2", "--batch-size", "64", "--train-limit", "1280", "--test-limit", "64", "--threads", "1"]
STEPS = 20


def test_per_step_losses_match_homopt_train(tmp_path):
    program = os.environ.get("HOMOPT_TRAIN")
    if not program or not os.path.exists(program):
        pytest.skip("HOMOPT_TRAIN does not name a built homopt-train (ctest sets it)")
    if not os.path.isdir(DATA):
        pytest.skip(f"{DATA} is missing (Debian package dataset-fashion-mnist)")
    log = tmp_path / "homopt-train.log"
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    subprocess.run([program, *SIZE, "--epochs", "1", "--output", str(tmp_path / "run"), "--no-plot"],
                   env=dict(environment, HOMOPT_TRAIN_STEP_LOG=str(log)), check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    result = tmp_path / "torch.json"
    subprocess.run([sys.executable, "-W", "error", SCRIPT, "--optimizer", "homopt", *SIZE, "--steps", str(STEPS),
                    "--compare-step-log", str(log), "--json", str(result)],
                   env=environment, check=True, timeout=300, stdout=subprocess.DEVNULL)
    with open(result) as handle:
        report = json.load(handle)
    assert report["settings"]["initial_values"].startswith("homopt")
    cross_check = report["cross_check"]
    assert cross_check["steps"] == STEPS
    assert cross_check["max_relative_loss_difference"] <= 1e-10
    assert cross_check["max_orthogonality_error"] <= 1e-13
