#!/usr/bin/python3
"""What a homopt.torch step costs on top of homopt's own step, for the transformer's 21·L
attention projections (L blocks × 3 projections × 7 heads, each a 49×7 Stiefel point).

One process takes --steps steps of one route; time whole processes of the routes with the
same --blocks and --steps and divide the difference of the medians by --steps:
  homopt         homopt.Optimizer.step(gradients): the gradients are fixed float64
                 Fortran-ordered numpy arrays (homopt's fastest input, no copy);
  homopt-values  the same plus value(i) of every parameter after each step (what a numpy
                 training loop reads to evaluate its next gradient);
  torch          homopt.torch.ManifoldOptimizer.step() with the same gradients held in
                 every parameter's .grad (float64 tensors): reads the .grad tensors, steps
                 the same homopt optimizer, writes every value back into its tensor.
Every route imports torch and homopt and builds the same points, tensors and gradients, so
the set-up cancels in the difference. Starting points Stiefel(49, 7).random_point(k), k =
1 … 21·L; gradient k: standard normals (seed 1000 + k) scaled to ‖G‖_F = 1, so a step of
Adam (lr 1e-3) moves each point by about 1e-3 and every step is accepted.

Not a test. Usage (docs/torch.md, "Overhead"):
  OPENBLAS_NUM_THREADS=1 PYTHONPATH=BUILD/python /usr/bin/python3 bench/torch_adapter_step.py \\
      --route torch --blocks 4 --steps 200
"""
import argparse

import numpy as np
import torch

import homopt
import homopt.torch

ROUTES = ("homopt", "homopt-values", "torch")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--route", choices=ROUTES, required=True)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)

    stiefel = homopt.Stiefel(49, 7)
    count = 21 * args.blocks
    points = [stiefel.random_point(k + 1) for k in range(count)]
    gradients = []
    for k in range(count):
        gradient = homopt.standard_normal_matrix(49, 7, 1000 + k)
        gradients.append(np.asfortranarray(gradient / np.linalg.norm(gradient)))
    tensors = [torch.nn.Parameter(torch.from_numpy(np.ascontiguousarray(point))) for point in points]
    for tensor, gradient in zip(tensors, gradients):
        tensor.grad = torch.from_numpy(np.ascontiguousarray(gradient))
    method = homopt.Adam(lr=1e-3)

    if args.route == "torch":
        optimizer = homopt.torch.ManifoldOptimizer([{"params": tensors, "manifold": stiefel}], method=method)
        for _ in range(args.steps):
            optimizer.step()
        native = optimizer.homopt_optimizer
    else:
        native = homopt.Optimizer(method)
        for point in points:
            native.add(stiefel, point)
        read_values = args.route == "homopt-values"
        for _ in range(args.steps):
            native.step(gradients)
            if read_values:
                values = [native.value(i) for i in range(count)]
    assert native.step_count() == args.steps
    assert max(stiefel.check(native.value(i)) for i in range(count)) <= stiefel.tolerance()


if __name__ == "__main__":
    main()
