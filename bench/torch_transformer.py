#!/usr/bin/python3
"""The vision transformer of homopt-train (docs/transformer.md; nn/include/homopt/nn/*.hpp)
written in PyTorch, trained in one of two ways:
  --optimizer torch  (default) every attention projection kept orthonormal by
      torch.nn.utils.parametrizations.orthogonal (default map for a 49×7 matrix:
      Householder) and trained by torch.optim.Adam — a side-by-side comparison with
      homopt-train;
  --optimizer homopt  the projections are plain parameters on homopt.Stiefel(49, 7) and
      every parameter is trained by homopt.torch.ManifoldOptimizer with homopt.Adam (Cayley)
      — the same algorithm as homopt-train, so the per-step losses agree (the cross-check of
      docs/torch.md, test python/test_torch_transformer).

Matched to homopt-train (apps/, nn/src/, nn/src/data/):
  - tokens: a 28×28 image is cut into 16 patches of 7×7; token t is the patch at grid
    position (t mod 4, t div 4), flattened column-major, pixels scaled by 1/255 (49×16);
  - block: Y = X + MHA(X), X' = Y + tanh(W Y + b 1ᵀ); MHA head i: Oᵢ = (P^V_i)ᵀX ·
    softmax_columns(c (P^Q_iᵀX)ᵀ(P^K_iᵀX)), c = 1/√49, heads stacked; no layer norm;
  - classifier: logits = W_c · (last token of X_L), no bias; loss "paper"
    ‖softmax − onehot‖_F / √B per batch (or mean cross-entropy);
  - initial values: bit-identical to homopt-train when the homopt Python module can be imported
    (projections Stiefel(49, 7).random_point(sᵢ), W and W_c standard normal/7, b = 0, with the
    same derived seeds sᵢ), otherwise the same scheme drawn from torch's generator;
  - data order: epoch e visits the training images in the Fisher–Yates order of
    std::mt19937_64 seeded with derived_seed(seed, e) (reimplemented below), batches of B;
  - Adam lr 1e-3, β₁ 0.9, β₂ 0.99, eps 3e-7 (homopt's defaults; the update formula
    −lr·m̂/(√v̂ + eps) is the same in both), float64.
Time per epoch = wall time of the training loop (token assembly of each batch from the uint8
images, forward, backward, Adam), without the test evaluation, as homopt-train's metrics.csv
"seconds" (the shuffle of the epoch is computed before the clock starts).

--steps N stops after N optimizer steps; --step-log FILE writes "STEP LOSS" per step (the
format of homopt-train's HOMOPT_TRAIN_STEP_LOG without the run name); --compare-step-log FILE
reads such a log of homopt-train and reports max over the steps taken of
|loss_torch − loss_homopt-train| / |loss_homopt-train| (also in the JSON, "cross_check").

Usage:
  /usr/bin/python3 bench/torch_transformer.py --threads 1 --epochs 1 --train-limit 10000 --json OUT
  PYTHONPATH=BUILD/python /usr/bin/python3 bench/torch_transformer.py --optimizer homopt \
      --blocks 4 --steps 20 --step-log torch.log --json OUT
"""
import argparse
import gzip
import json
import os
import time

import numpy as np

MASK64 = (1 << 64) - 1


def derived_seed(seed, index):
    """SplitMix64 of seed + φ·(index + 1), as homopt::nn::derived_seed."""
    z = (seed + 0x9E3779B97F4A7C15 * (index + 1)) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


class MT19937_64:
    """std::mt19937_64 (the 64-bit Mersenne Twister of the C++ standard)."""

    def __init__(self, seed):
        self.state = [seed & MASK64]
        for i in range(1, 312):
            previous = self.state[-1]
            self.state.append((6364136223846793005 * (previous ^ (previous >> 62)) + i) & MASK64)
        self.index = 312

    def _twist(self):
        state = self.state
        for i in range(312):
            x = (state[i] & 0xFFFFFFFF80000000) | (state[(i + 1) % 312] & 0x7FFFFFFF)
            shifted = x >> 1
            if x & 1:
                shifted ^= 0xB5026F5AA96619E9
            state[i] = state[(i + 156) % 312] ^ shifted
        self.index = 0

    def __call__(self):
        if self.index >= 312:
            self._twist()
        y = self.state[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & MASK64


def epoch_order(count, seed, epoch):
    """homopt::nn::Trainer's order: for i = n−1 … 1, swap(order[i], order[engine() % (i + 1)])."""
    engine = MT19937_64(derived_seed(seed, epoch))
    order = list(range(count))
    for i in range(count - 1, 0, -1):
        j = engine() % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def read_idx(path):
    """An IDX file (optionally gzip): uint8 array of its dimensions."""
    with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as handle:
        data = handle.read()
    dimensions = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dimensions))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def read_set(directory, prefix, limit):
    def find(name):
        for candidate in (name, name + ".gz"):
            if os.path.exists(os.path.join(directory, candidate)):
                return os.path.join(directory, candidate)
        raise FileNotFoundError(os.path.join(directory, name))
    images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(f"{prefix}-labels-idx1-ubyte"))
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels


def tokens_of(images, patch=7):
    """B×28×28 uint8 → B×49×16 float64 token matrices (homopt::data::PatchLayout)."""
    count, rows, cols = images.shape
    grid_rows, grid_cols = rows // patch, cols // patch
    # pixel (patch row gr, i; patch col gc, j) → entry i + p·j of token gr + grid_rows·gc
    blocks = images.reshape(count, grid_rows, patch, grid_cols, patch)  # b, gr, i, gc, j
    tokens = blocks.transpose(0, 4, 2, 3, 1).reshape(count, patch * patch, grid_rows * grid_cols)
    return tokens.astype(np.float64) / 255.0


def compare_with_log(losses, path, epochs):
    """Max relative difference of `losses` (steps 1, 2, …) from homopt-train's step log at
    `path` ("RUN STEP LOSS" lines), printed and returned with the max ‖PᵀP − I‖ reached."""
    reference = {}
    with open(path) as log:
        for line in log:
            _, step, loss = line.split()
            reference.setdefault(int(step), float(loss))
    missing = [step for step in range(1, len(losses) + 1) if step not in reference]
    if missing:
        raise SystemExit(f"{path}: has no loss for steps {missing[:5]}…")
    difference = max(abs(loss - reference[step]) / abs(reference[step]) for step, loss in enumerate(losses, 1))
    orthogonality = max(row["max_orthogonality_error"] for row in epochs)
    print(f"cross-check with {path}: {len(losses)} steps, max relative loss difference {difference:.2e}, "
          f"max ‖PᵀP − I‖ {orthogonality:.2e}", flush=True)
    return dict(steps=len(losses), max_relative_loss_difference=difference, max_orthogonality_error=orthogonality)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--train-limit", type=int, default=0)
    parser.add_argument("--test-limit", type=int, default=0)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--heads", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--beta1", type=float, default=0.9)
    parser.add_argument("--beta2", type=float, default=0.99)
    parser.add_argument("--eps", type=float, default=3e-7)
    parser.add_argument("--loss", choices=["paper", "cross-entropy"], default="paper")
    parser.add_argument("--constraint", choices=["orthogonal", "none"], default="orthogonal")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--optimizer", choices=["torch", "homopt"], default="torch")
    parser.add_argument("--retraction", choices=["cayley", "geodesic"], default="cayley")
    parser.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: all epochs)")
    parser.add_argument("--step-log")
    parser.add_argument("--compare-step-log", help="homopt-train's HOMOPT_TRAIN_STEP_LOG file")
    parser.add_argument("--json")
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    import torch  # after the thread variables
    from torch.nn.utils.parametrizations import orthogonal
    # homopt's Stiefel Adam replaces the parametrization (the projections are the parameters).
    parametrized = args.constraint == "orthogonal" and args.optimizer == "torch"

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    dim, heads, classes = 49, args.heads, 10
    head = dim // heads
    scale = 1 / np.sqrt(dim)

    try:
        import homopt
        import homopt.torch
        initial = "homopt (bit-identical to homopt-train)"

        def stiefel_point(seed):
            return torch.from_numpy(np.array(homopt.Stiefel(dim, head).random_point(seed)))

        def normal(rows, cols, seed):
            return torch.from_numpy(np.array(homopt.Euclidean(rows, cols).random_point(seed)))
    except ImportError:
        if args.optimizer == "homopt":
            raise
        initial = "torch generator (homopt module not importable; same scheme, other numbers)"
        generator = torch.Generator().manual_seed(args.seed)

        def stiefel_point(seed):
            q, r = torch.linalg.qr(torch.randn(dim, head, generator=generator))
            return q * torch.sign(torch.diagonal(r))

        def normal(rows, cols, seed):
            return torch.randn(rows, cols, generator=generator)

    class Block(torch.nn.Module):
        def __init__(self, index):
            super().__init__()
            self.projections = torch.nn.ModuleList()
            for _ in range(3 * heads):
                projection = torch.nn.Linear(head, dim, bias=False)  # weight dim×h
                if parametrized:
                    orthogonal(projection)
                    with torch.no_grad():
                        projection.weight = stiefel_point(derived_seed(args.seed, index))
                else:
                    projection.weight = torch.nn.Parameter(stiefel_point(derived_seed(args.seed, index)))
                index += 1
                self.projections.append(projection)
            self.weight = torch.nn.Parameter(normal(dim, dim, derived_seed(args.seed, index)) * scale)
            self.bias = torch.nn.Parameter(torch.zeros(dim, 1))
            self.next_index = index + 2

        def forward(self, x):  # x: B × dim × T
            batch, _, tokens = x.shape
            w = torch.cat([p.weight for p in self.projections], dim=1)  # dim × 3dim
            qkv = torch.matmul(w.t(), x).reshape(batch, 3, heads, head, tokens)
            q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # B × H × h × T
            attention = torch.softmax(scale * torch.matmul(q.transpose(-1, -2), k), dim=-2)
            y = x + torch.matmul(v, attention).reshape(batch, dim, tokens)
            return y + torch.tanh(torch.matmul(self.weight, y) + self.bias)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList()
            index = 0
            for _ in range(args.blocks):
                block = Block(index)
                index = block.next_index
                self.blocks.append(block)
            self.classifier = torch.nn.Parameter(normal(classes, dim, derived_seed(args.seed, index)) * scale)

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return x[:, :, -1] @ self.classifier.t()  # B × classes

    def loss_of(logits, labels):
        if args.loss == "cross-entropy":
            return torch.nn.functional.cross_entropy(logits, labels)
        onehot = torch.nn.functional.one_hot(labels, classes).to(logits.dtype)
        return torch.linalg.norm(torch.softmax(logits, dim=1) - onehot) / np.sqrt(len(labels))

    train_images, train_labels = read_set(args.data, "train", args.train_limit)
    test_images, test_labels = read_set(args.data, "t10k", args.test_limit)
    # Like homopt-train, keep the uint8 images and build the tokens of each batch when needed.
    def tokens(images, indices):
        return torch.from_numpy(tokens_of(images[indices]))

    train_targets = torch.from_numpy(train_labels.astype(np.int64))
    test_targets = torch.from_numpy(test_labels.astype(np.int64))

    model = Model()
    if args.optimizer == "homopt":
        projections = [p.weight for block in model.blocks for p in block.projections]
        others = [p for name, p in model.named_parameters() if ".projections." not in name]
        manifold = homopt.Stiefel(dim, head) if args.constraint == "orthogonal" else homopt.Euclidean(dim, head)
        optimizer = homopt.torch.ManifoldOptimizer(
            [{"params": projections, "manifold": manifold}, {"params": others}],
            method=homopt.Adam(lr=args.lr, beta1=args.beta1, beta2=args.beta2, eps=args.eps),
            retraction=args.retraction)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(args.beta1, args.beta2), eps=args.eps)

    def accuracy():
        correct = 0
        with torch.no_grad():
            for first in range(0, len(test_targets), args.batch_size):
                logits = model(tokens(test_images, slice(first, first + args.batch_size)))
                correct += int((logits.argmax(dim=1) == test_targets[first:first + args.batch_size]).sum())
        return correct / len(test_targets)

    def orthogonality_error():
        with torch.no_grad():
            return max(float(torch.linalg.norm(p.weight.t() @ p.weight - torch.eye(head)))
                       for block in model.blocks for p in block.projections)

    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, float64, L = {args.blocks}, "
          f"batch {args.batch_size}, {len(train_targets)} train / {len(test_targets)} test images, "
          f"loss {args.loss}, constraint {args.constraint}, optimizer {args.optimizer}, initial values: {initial}",
          flush=True)
    epochs = []
    count = len(train_targets)
    step_log = open(args.step_log, "w") if args.step_log else None
    step = 0
    losses = []
    for epoch in range(args.epochs):
        order = epoch_order(count, args.seed, epoch)
        start = time.perf_counter()
        total = 0.0
        for first in range(0, count, args.batch_size):
            if args.steps and step == args.steps:
                break
            indices = order[first:first + args.batch_size]
            loss = loss_of(model(tokens(train_images, indices)), train_targets[torch.from_numpy(indices)])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            total += float(loss) * len(indices)
            losses.append(float(loss))
            if step_log:
                step_log.write(f"{step} {float(loss)!r}\n")
        seconds = time.perf_counter() - start
        row = dict(epoch=epoch + 1, train_loss=total / count, test_accuracy=accuracy(),
                   max_orthogonality_error=orthogonality_error(), seconds=seconds)
        epochs.append(row)
        print(f"epoch {row['epoch']}: loss {row['train_loss']:.6f}, test accuracy {row['test_accuracy']:.4f}, "
              f"max ‖PᵀP − I‖ {row['max_orthogonality_error']:.1e}, {seconds:.2f} s", flush=True)
        if args.steps and step == args.steps:
            row.update(steps=step)  # stopped by --steps (train_loss: the steps' losses over all images)
            break
    cross_check = compare_with_log(losses, args.compare_step_log, epochs) if args.compare_step_log else None
    if args.json:
        settings = {key: value for key, value in vars(args).items() if key != "json"}
        settings.update(torch_version=torch.__version__, initial_values=initial,
                        orthogonal_map=("householder (torch default for 49×7)" if parametrized else
                                        f"homopt.Stiefel, {args.retraction} retraction"), dtype="float64",
                        train_images=count, test_images=len(test_targets))
        with open(args.json, "w") as out:
            json.dump(dict(settings=settings, epochs=epochs, cross_check=cross_check), out, indent=1)
    if step_log:
        step_log.close()


if __name__ == "__main__":
    main()
