"""One replica of test_torch.py's DistributedDataParallel test (run as a process of its own):

    python3 torch_ddp_worker.py RANK WORLD_SIZE INIT_METHOD OUTPUT.npy

trains TinyModel (a Stiefel(6, 2) matrix and a Euclidean bias) for STEPS steps of
homopt.torch.ManifoldOptimizer (Adam) on this rank's batch, with gradients all-reduced by
DDP over gloo, and saves the final parameters (flattened, float64) to OUTPUT.npy. The model
and batches are also used by the test's single-process reference.
"""
import sys

import numpy as np
import torch

import homopt
import homopt.torch

STEPS = 8
STIEFEL = (6, 2)


class TinyModel(torch.nn.Module):
    """x ↦ x W + b with W ∈ St(2, 6) (6×2, WᵀW = I) and b ∈ ℝ²."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.from_numpy(homopt.Stiefel(*STIEFEL).random_point(5)))
        self.b = torch.nn.Parameter(torch.zeros(STIEFEL[1], dtype=torch.float64))

    def forward(self, x):
        return x @ self.w + self.b


def batch(rank, step):
    """Rank `rank`'s inputs (10×6) and targets (10×2) at `step`: fixed standard normals."""
    x = homopt.standard_normal_matrix(10, STIEFEL[0], 1000 * rank + step)
    y = homopt.standard_normal_matrix(10, STIEFEL[1], 1000 * rank + step + 500)
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))


def loss_of(model, rank, step):
    x, y = batch(rank, step)
    return ((model(x) - y) ** 2).mean()


def make_optimizer(model):
    return homopt.torch.ManifoldOptimizer(
        [{"params": [model.w], "manifold": homopt.Stiefel(*STIEFEL)}, {"params": [model.b]}],
        method=homopt.Adam(lr=1e-2))


def flat_parameters(model):
    return np.concatenate([model.w.detach().numpy().ravel(), model.b.detach().numpy().ravel()])


def main(rank, world_size, init_method, output):
    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo", init_method=init_method, rank=rank, world_size=world_size)
    model = TinyModel()
    replica = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = make_optimizer(replica.module)
    for step in range(STEPS):
        optimizer.zero_grad()
        loss_of(replica, rank, step).backward()
        optimizer.step()
    np.save(output, flat_parameters(model))
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
