#!/usr/bin/python3
"""One Stiefel Adam step: homopt's Python Optimizer.step against the way a PyTorch user keeps
a matrix orthonormal — torch.nn.utils.parametrizations.orthogonal (its default map for an
N×n matrix with n < N: Householder, use_trivialization=True) plus torch.optim.Adam.

Per size (N, n), both start from the same point Y₀ = homopt.Stiefel(N, n).random_point(3) and
see the same fixed Euclidean gradient G (standard normals scaled to ‖G‖_F = 1):
  homopt:  optimizer.step([G])                     (Adam lr 1e-3, β 0.9/0.99, eps 3e-7, Cayley)
  torch:   Q = parametrized weight (forward through the parametrization); loss = Σ G⊙Q;
           loss.backward(); adam.step(); adam.zero_grad()   (the same Adam hyperparameters)
Also reported: torch.optim.Adam alone on an unconstrained N×n tensor with the same gradient
(the floor of the PyTorch route). float64 everywhere, the same thread count for both
(torch.set_num_threads and OPENBLAS/OMP_NUM_THREADS set by the caller).

Timing: warm-up (one call if a call takes > 1 s, then 3 batches), then batches of k iterations (k so that a batch lasts ≥ 2 ms) until the
budget is used and ≥ 5 batches were taken; median time per iteration.

Not a test. Usage (PYTHONPATH must reach the homopt Python package, e.g. BUILD/python):
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=BUILD/python /usr/bin/python3 \
      bench/torch_step.py [--threads 1] [--budget 0.5] [--sizes 49x7,256x16] [--json OUT]
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
from torch.nn.utils.parametrizations import orthogonal

import homopt

SIZES = [(49, 7), (256, 16), (256, 64), (1024, 32), (4096, 64)]
ADAM = dict(lr=1e-3, beta1=0.9, beta2=0.99, eps=3e-7)


def median_seconds(iteration, budget, min_batches=5, min_batch_seconds=2e-3, warmup=3):
    """Median over batches of the time per call of `iteration` (see module doc)."""
    start = time.perf_counter()
    iteration()
    one = max(time.perf_counter() - start, 1e-9)
    if one > 1.0:  # a slow call (seconds): one warm-up call is enough, take 3 batches of 1
        warmup, min_batches = 0, 3
    for _ in range(warmup):
        iteration()
    k = max(1, int(np.ceil(min_batch_seconds / one)))
    per_call = []
    begin = time.perf_counter()
    while len(per_call) < min_batches or time.perf_counter() - begin < budget:
        start = time.perf_counter()
        for _ in range(k):
            iteration()
        per_call.append((time.perf_counter() - start) / k)
    return statistics.median(per_call)


def fixed_gradient(N, n):
    gradient = homopt.Euclidean(N, n).random_point(7)
    return np.asfortranarray(gradient / np.linalg.norm(gradient))


def homopt_step(Y0, gradient):
    N, n = Y0.shape
    optimizer = homopt.Optimizer(homopt.Adam(**ADAM), "cayley")
    optimizer.add(homopt.Stiefel(N, n), Y0)
    gradients = [gradient]
    return lambda: optimizer.step(gradients)


def torch_adam(params):
    return torch.optim.Adam(params, lr=ADAM["lr"], betas=(ADAM["beta1"], ADAM["beta2"]), eps=ADAM["eps"])


def torch_orthogonal_step(Y0, gradient):
    N, n = Y0.shape
    module = torch.nn.Linear(n, N, bias=False)  # weight: N×n
    orthogonal(module)
    with torch.no_grad():
        module.weight = torch.from_numpy(np.array(Y0))
    G = torch.from_numpy(np.array(gradient))
    optimizer = torch_adam(module.parameters())

    def iteration():
        loss = (module.weight * G).sum()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    return iteration, module


def torch_plain_adam_step(Y0, gradient):
    parameter = torch.nn.Parameter(torch.from_numpy(np.array(Y0)))
    G = torch.from_numpy(np.array(gradient))
    optimizer = torch_adam([parameter])

    def iteration():
        parameter.grad = G
        optimizer.step()

    return iteration


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per configuration")
    parser.add_argument("--sizes", default=",".join(f"{N}x{n}" for N, n in SIZES))
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    sizes = [tuple(int(v) for v in part.split("x")) for part in args.sizes.split(",")]

    rows = []
    print(f"threads {args.threads}, torch {torch.__version__}, homopt {homopt.__version__}")
    print("| N | n | homopt step (ms) | torch orthogonal+Adam (ms) | torch ÷ homopt | torch plain Adam (ms) | torch ‖QᵀQ−I‖ after |")
    print("|---|---|---|---|---|---|---|")
    for N, n in sizes:
        Y0 = homopt.Stiefel(N, n).random_point(3)
        gradient = fixed_gradient(N, n)
        homopt_seconds = median_seconds(homopt_step(Y0, gradient), args.budget)
        iteration, module = torch_orthogonal_step(Y0, gradient)
        torch_seconds = median_seconds(iteration, args.budget)
        with torch.no_grad():
            Q = module.weight.numpy()
        residual = float(np.linalg.norm(Q.T @ Q - np.eye(n)))
        plain_seconds = median_seconds(torch_plain_adam_step(Y0, gradient), args.budget)
        row = dict(N=N, n=n, homopt_seconds=homopt_seconds, torch_orthogonal_adam_seconds=torch_seconds,
                   ratio_torch_over_homopt=torch_seconds / homopt_seconds,
                   torch_plain_adam_seconds=plain_seconds, torch_orthogonality_residual=residual)
        rows.append(row)
        print(f"| {N} | {n} | {1e3 * homopt_seconds:.4g} | {1e3 * torch_seconds:.4g} | "
              f"{torch_seconds / homopt_seconds:.3g} | {1e3 * plain_seconds:.4g} | {residual:.1e} |", flush=True)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(dict(threads=args.threads, torch_version=torch.__version__,
                           torch_orthogonal_map="householder (default for n < N)", adam=ADAM, steps=rows),
                      out, indent=1)


if __name__ == "__main__":
    main()
