#!/usr/bin/python3
"""Writes docs/benchmarks.md and docs/benchmarks.json from the raw results of scripts/bench
and the hand-written analysis in bench/notes.md. Not a test; run by scripts/bench (and by the
ctest entry bench/report on the fixture tests/bench/results).

The results folder holds: machine.txt, load.txt, settings.txt, step_cost.json (one thread),
dgemm_2_threads.json (the dgemm rate with two BLAS threads), torch_step.json, training.txt
(one line per transformer configuration: "name=L4_T1 blocks=4 threads=1 train_limit=…
test_limit=… epochs=… batch=…") and per configuration NAME: homopt_train_NAME/metrics.csv,
homopt_train_NAME.time, homopt_train_NAME.profile (HOMOPT_TRAIN_PROFILE of homopt-train),
torch_train_NAME.json and torch_train_NAME.time.
"""
import argparse
import csv
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

EPOCH_IMAGES = 60000  # a full Fashion-MNIST epoch: the transformer's times are scaled to it
TEST_IMAGES = 10000   # the full test set: evaluation times are scaled to it

# Sizes of the transformer of homopt-train (docs/transformer.md): token dimension D, tokens T,
# classes C (heads do not change the flop count: H heads of size D/H).
MODEL_DIM, MODEL_TOKENS, MODEL_CLASSES = 49, 16, 10

# Targets of issue 17 for the optimizer step.
SMALL_RATIO_TARGET = 3.0         # Adam + Cayley at (49, 7) ≤ 3× a Euclidean Adam step
DGEMM_FRACTION_TARGET = 0.70     # Stiefel and Grassmann, N ≥ 256: ≥ 70% of single-core dgemm
GEODESIC_RATIO_TARGET = 1.5      # geodesic ≤ 1.5× Cayley at (256, 64)
SYMPLECTIC_RATIO_TARGET = 4.0    # symplectic step ≤ 4× the Stiefel step of the same N, n
FAULTS_TARGET = 1.0              # (4096, 64): fewer than one minor page fault per step (on average)
TRAIN_DGEMM_FRACTION_TARGET = 0.5  # transformer, 2 threads: ≥ 50% of the 2-core dgemm rate


# ---------------------------------------------------------------- reading the raw results

def read_text(path):
    with open(path) as handle:
        return handle.read()


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


def read_lines(path):
    """The file's lines without line ends ([] if it does not exist)."""
    return read_text(path).splitlines() if os.path.exists(path) else []


def key_values(path):
    """'key: value' or 'key value' lines → dict (first separator)."""
    result = {}
    for line in read_lines(path):
        if line:
            key, _, value = line.partition(": ") if ": " in line else line.partition(" ")
            result[key] = value
    return result


def assignments(text):
    """'a=1 b=x' → {'a': '1', 'b': 'x'}."""
    return dict(part.split("=", 1) for part in text.split() if "=" in part)


def peak_rss_mib(path):
    """Maximum resident set size from /usr/bin/time -v, in MiB (None if absent)."""
    if not os.path.exists(path):
        return None
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", read_text(path))
    return int(match.group(1)) / 1024 if match else None


def homopt_epochs(directory):
    """Rows of homopt-train's metrics.csv in `directory` ([] if absent)."""
    lines = read_lines(os.path.join(directory, "metrics.csv"))
    return [dict(epoch=int(row["epoch"]), train_loss=float(row["train_loss"]),
                 test_accuracy=float(row["test_accuracy"]),
                 max_orthogonality_error=float(row["max_orthogonality_error"]), seconds=float(row["seconds"]))
            for row in csv.DictReader(lines)]


def phase_seconds(path):
    """homopt-train's profile ("RUN EPOCH PHASE SECONDS" lines) → {phase: mean seconds per epoch}
    over the epochs of the file ({} if absent)."""
    totals, epochs = {}, set()
    for line in read_lines(path):
        fields = line.split()
        if len(fields) != 4 or fields[0] == "run":
            continue
        _, epoch, phase, seconds = fields
        epochs.add(epoch)
        totals[phase] = totals.get(phase, 0.0) + float(seconds)
    return {phase: total / len(epochs) for phase, total in totals.items()} if epochs else {}


def mean(values):
    return sum(values) / len(values) if values else float("nan")


# ---------------------------------------------------------------- formatting

def fmt(value, digits=4):
    if value is None or value != value:
        return "–"
    return f"{value:.{digits}g}"


def percent(fraction, digits=3):
    return "–" if fraction is None or fraction != fraction else f"{100 * fraction:.{digits}g}%"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def threads_text(threads):
    return f"{threads} thread{'s' if threads > 1 else ''}"


# ---------------------------------------------------------------- flop model of the transformer

def transformer_flops_per_sample(blocks, dim=MODEL_DIM, tokens=MODEL_TOKENS, classes=MODEL_CLASSES):
    """Multiply-adds × 2 of one sample's forward and backward pass (the formula is written into
    the page by transformer_flop_model_text): per block, forward 8D²T + 4DT² (QKV GEMM 6D²T,
    attention's QᵢᵀKᵢ and VᵢAᵢ over all heads 4DT², residual GEMM 2D²T), backward twice the
    forward (each product's two operand gradients): 24D²T + 12DT² per block; classifier 2CD
    forward + 4CD backward."""
    D, T, C = dim, tokens, classes
    return blocks * (24 * D * D * T + 12 * D * T * T) + 6 * C * D


def transformer_flop_model_text():
    D, T, C = MODEL_DIM, MODEL_TOKENS, MODEL_CLASSES
    return (f"flops per sample = L·(24D²T + 12DT²) + 6CD with D = {D}, T = {T}, C = {C}: per block the "
            f"forward pass forms the QKV GEMM [P^Q|P^K|P^V]ᵀX (6D²T), per head QᵢᵀKᵢ and VᵢAᵢ "
            f"(2T²h each, 4DT² over the D/h heads) and the residual GEMM WY (2D²T); the backward pass "
            f"forms two products of the same size per forward product (24D²T + 12DT² per block in "
            f"all, including the gradient with respect to the first block's input, which the code "
            f"computes); the classifier W_c·x_T costs 2CD forward and 4CD backward. Softmax, tanh, "
            f"the loss and the optimizer are not counted. "
            f"L = 4: {transformer_flops_per_sample(4) / 1e6:.4g} MFLOP per sample; "
            f"L = 16: {transformer_flops_per_sample(16) / 1e6:.4g} MFLOP per sample")


# ---------------------------------------------------------------- the tables' data

class Targets:
    """The list of (target, measured, met) behind the page's target tables."""

    def __init__(self):
        self.rows = []

    def add(self, issue, target, measured, met):
        self.rows.append(dict(issue=issue, target=target, measured=measured, met=bool(met)))

    def of(self, issue):
        return [row for row in self.rows if row["issue"] == issue]


def load_training(results):
    """One entry per transformer configuration of training.txt (homopt-train and PyTorch)."""
    path = os.path.join(results, "training.txt")
    configurations = [assignments(line) for line in read_lines(path) if line.strip()]
    training = []
    for settings in configurations:
        name = settings["name"]
        blocks, threads = int(settings["blocks"]), int(settings["threads"])
        homopt_rows = homopt_epochs(os.path.join(results, f"homopt_train_{name}"))
        torch_path = os.path.join(results, f"torch_train_{name}.json")
        torch_rows = read_json(torch_path)["epochs"] if os.path.exists(torch_path) else []
        train_images = int(settings["train_limit"])
        scale = EPOCH_IMAGES / train_images
        homopt_seconds = mean([row["seconds"] for row in homopt_rows])
        torch_seconds = mean([row["seconds"] for row in torch_rows])
        training.append(dict(
            name=name, blocks=blocks, threads=threads, train_images=train_images,
            test_images=int(settings["test_limit"]), epochs=int(settings["epochs"]), batch=int(settings["batch"]),
            homopt_epochs=homopt_rows, torch_epochs=torch_rows,
            homopt_mean_epoch_seconds=homopt_seconds, torch_mean_epoch_seconds=torch_seconds,
            homopt_full_epoch_seconds=homopt_seconds * scale, torch_full_epoch_seconds=torch_seconds * scale,
            ratio_homopt_over_torch=homopt_seconds / torch_seconds,
            homopt_test_accuracy=homopt_rows[-1]["test_accuracy"] if homopt_rows else None,
            torch_test_accuracy=torch_rows[-1]["test_accuracy"] if torch_rows else None,
            homopt_peak_rss_mib=peak_rss_mib(os.path.join(results, f"homopt_train_{name}.time")),
            torch_peak_rss_mib=peak_rss_mib(os.path.join(results, f"torch_train_{name}.time")),
            profile=phase_seconds(os.path.join(results, f"homopt_train_{name}.profile"))))
    return training


def add_flop_floor(training, dgemm_rates):
    """Per configuration: flops of a 60 000-image epoch, the floor = flops / dgemm rate of as
    many cores as threads, and the fraction of that rate the measured epoch reaches."""
    for entry in training:
        flops = EPOCH_IMAGES * transformer_flops_per_sample(entry["blocks"])
        rate = dgemm_rates.get(entry["threads"])
        floor = flops / (rate * 1e9) if rate else None
        entry.update(epoch_flops=flops, dgemm_gflops=rate, floor_seconds=floor,
                     fraction_of_dgemm=floor / entry["homopt_full_epoch_seconds"] if floor else None,
                     ratio_to_floor=entry["homopt_full_epoch_seconds"] / floor if floor else None)


def step_lookup(steps):
    """(manifold, N, n, method) → row of step_cost.json."""
    return {(row["manifold"], row["N"], row["n"], row["method"]): row for row in steps}


def step_ratio_rows(steps):
    """One row per manifold and size (Adam + Cayley) with the issue-17 ratios and verdicts."""
    lookup = step_lookup(steps)
    rows = []
    for row in steps:
        if row["method"] != "Adam+Cayley":
            continue
        manifold, N, n = row["manifold"], row["N"], row["n"]
        orthogonal = manifold in ("Stiefel", "Grassmann")
        geodesic = lookup.get((manifold, N, n, "Adam+geodesic"))
        stiefel = lookup.get(("Stiefel", N, n, "Adam+Cayley"))
        symplectic = manifold.startswith("Symplectic")
        entry = dict(manifold=manifold, N=N, n=n, seconds=row["median_seconds"],
                     fraction_of_dgemm=row.get("fraction_of_dgemm"),
                     ratio_to_euclidean_adam=row["ratio_to_euclidean_adam"],
                     geodesic_over_cayley=geodesic["median_seconds"] / row["median_seconds"] if geodesic else None,
                     over_stiefel=row["median_seconds"] / stiefel["median_seconds"] if symplectic and stiefel else None,
                     minor_faults_per_step=row.get("minor_faults_per_step"), checks=[])
        # (figure key, target text, test) for each target of the issue that applies here
        if orthogonal and (N, n) == (49, 7):
            entry["checks"].append(("ratio_to_euclidean_adam", f"≤ {SMALL_RATIO_TARGET:g}",
                                    entry["ratio_to_euclidean_adam"] <= SMALL_RATIO_TARGET))
        if orthogonal and N >= 256 and entry["fraction_of_dgemm"] is not None:
            entry["checks"].append(("fraction_of_dgemm", f"≥ {100 * DGEMM_FRACTION_TARGET:g}%",
                                    entry["fraction_of_dgemm"] >= DGEMM_FRACTION_TARGET))
        if orthogonal and (N, n) == (256, 64) and entry["geodesic_over_cayley"] is not None:
            entry["checks"].append(("geodesic_over_cayley", f"≤ {GEODESIC_RATIO_TARGET:g}",
                                    entry["geodesic_over_cayley"] <= GEODESIC_RATIO_TARGET))
        if entry["over_stiefel"] is not None:
            entry["checks"].append(("over_stiefel", f"≤ {SYMPLECTIC_RATIO_TARGET:g}",
                                    entry["over_stiefel"] <= SYMPLECTIC_RATIO_TARGET))
        if orthogonal and (N, n) == (4096, 64) and entry["minor_faults_per_step"] is not None:
            entry["checks"].append(("minor_faults_per_step", f"< {FAULTS_TARGET:g}",
                                    entry["minor_faults_per_step"] < FAULTS_TARGET))
        rows.append(entry)
    return rows


# ---------------------------------------------------------------- the page

class Page:
    """Markdown lines."""

    def __init__(self):
        self.lines = []

    def __call__(self, text=""):
        self.lines.append(text)

    def table(self, header, rows):
        self("| " + " | ".join(header) + " |")
        self("|" + "---|" * len(header))
        for row in rows:
            self("| " + " | ".join(str(cell) for cell in row) + " |")
        self()

    def text(self):
        return "\n".join(self.lines)


def with_target(text, key, checks):
    """`text` followed by the target of `key` in `checks`, if any: "39.7% (≥ 70%)"."""
    for check_key, target, _ in checks:
        if check_key == key:
            return f"{text} ({target})"
    return text


def row_verdict(checks):
    if not checks:
        return "–"
    return "**met**" if all(ok for _, _, ok in checks) else "**missed**"


def write_machine(w, machine, load, settings_text):
    w("## Machine and load")
    w()
    for key in ("date", "commit", "cpu", "cores", "memory", "openblas", "torch", "compiler", "kernel"):
        if key in machine:
            w(f"- {key}: {machine[key]}")
    w("- load average (1/5/15 min, from /proc/loadavg) when each part started and ended; the benchmark "
      "itself accounts for ≈ 1 (≈ 2 in the 2-thread runs), more means other processes were running:")
    for key, value in load.items():
        if key != "total_seconds":
            w(f"  - {key}: {value}")
    if "total_seconds" in load:
        w(f"- wall time of the measurements (without set-up and build): {load['total_seconds']} s")
    w(f"- settings: {settings_text}")
    w()


def write_step_ratios(w, ratio_rows, dgemm, targets):
    w("## Issue 17: the optimizer step against the machine (C++, one thread)")
    w()
    w(f"Adam + Cayley step of every manifold and size of bench/step_cost, from the same run as the "
      f"single-core dgemm rate (**{fmt(dgemm, 3)} GFLOP/s**, 1000×1000). % dgemm = (flop model of "
      f"bench/notes.md ÷ step time) ÷ dgemm rate; Euclidean Adam = homopt::Euclidean + Adam through "
      f"Optimizer::step on a matrix of the point's size; geodesic ÷ Cayley = Adam + geodesic step ÷ "
      f"Adam + Cayley step; symplectic ÷ Stiefel = symplectic step ÷ the Stiefel Adam + Cayley step "
      f"of the same N, n (the issue's yardstick); page faults = minor page faults (getrusage "
      f"ru_minflt) over the timed steps ÷ steps. The issue's target is in brackets beside each "
      f"figure it applies to.")
    w()
    rows = []
    for r in ratio_rows:
        checks = r["checks"]
        rows.append([
            r["manifold"], r["N"], r["n"], fmt(1e3 * r["seconds"]),
            with_target(percent(r["fraction_of_dgemm"]), "fraction_of_dgemm", checks),
            with_target(fmt(r["ratio_to_euclidean_adam"], 3) + "×", "ratio_to_euclidean_adam", checks),
            with_target(fmt(r["geodesic_over_cayley"], 3), "geodesic_over_cayley", checks),
            with_target(fmt(r["over_stiefel"], 3), "over_stiefel", checks),
            with_target(fmt(r["minor_faults_per_step"], 3), "minor_faults_per_step", checks),
            row_verdict(checks)])
        for key, target, ok in checks:
            label = {"ratio_to_euclidean_adam": "step ÷ Euclidean Adam", "fraction_of_dgemm": "% of dgemm",
                     "geodesic_over_cayley": "geodesic ÷ Cayley", "over_stiefel": "step ÷ Stiefel step",
                     "minor_faults_per_step": "page faults per step"}[key]
            value = percent(r[key]) if key == "fraction_of_dgemm" else fmt(r[key], 3)
            targets.add(17, f"{r['manifold']} ({r['N']}, {r['n']}): {label} {target}", value, ok)
    w.table(["manifold", "N", "n", "step (ms)", "% dgemm", "÷ Euclidean Adam", "geodesic ÷ Cayley",
             "symplectic ÷ Stiefel", "page faults/step", "verdict"], rows)


def write_training_ratios(w, training, dgemm_rates, dgemm_2_measured, targets):
    w("## Issue 17: the transformer against PyTorch and the flop floor")
    w()
    two = dgemm_rates.get(2)
    w(f"Seconds per epoch of {EPOCH_IMAGES} images, scaled from the bench's subsample (measured "
      f"training-loop seconds × {EPOCH_IMAGES} ÷ training images; settings of each row in the table of "
      f"the next section). Flop floor = the model's flops per epoch ÷ the dgemm rate of as many cores as "
      f"threads, measured in the same run: 1 core {fmt(dgemm_rates.get(1), 3)} GFLOP/s (1000×1000, one "
      f"BLAS thread), 2 cores {fmt(two, 3)} GFLOP/s "
      + ("(1000×1000, two BLAS threads)." if dgemm_2_measured else "(twice the 1-core rate: not measured).")
      + f" Flop model: {transformer_flop_model_text()}.")
    w()
    rows = []
    for e in training:
        checks = []
        if e["threads"] == 2 and e["fraction_of_dgemm"] is not None:
            ok = e["fraction_of_dgemm"] >= TRAIN_DGEMM_FRACTION_TARGET
            checks.append(("fraction_of_dgemm", f"≥ {100 * TRAIN_DGEMM_FRACTION_TARGET:g}%", ok))
            targets.add(17, f"homopt-train L = {e['blocks']}, 2 threads: ≥ {100 * TRAIN_DGEMM_FRACTION_TARGET:g}% "
                            f"of the 2-core dgemm rate", f"{percent(e['fraction_of_dgemm'])} "
                        f"({fmt(e['homopt_full_epoch_seconds'])} s per epoch, floor {fmt(e['floor_seconds'])} s)", ok)
        rows.append([e["blocks"], e["threads"], fmt(e["homopt_full_epoch_seconds"]), fmt(e["torch_full_epoch_seconds"]),
                     fmt(e["ratio_homopt_over_torch"], 3), fmt(e["epoch_flops"] / 1e12, 4), fmt(e["floor_seconds"]),
                     fmt(e["ratio_to_floor"], 3), with_target(percent(e["fraction_of_dgemm"]), "fraction_of_dgemm", checks),
                     row_verdict(checks)])
    w.table(["L", "threads", "homopt s/epoch", "PyTorch s/epoch", "homopt ÷ PyTorch", "TFLOP/epoch",
             "floor (s)", "homopt ÷ floor", "% of dgemm rate", "verdict"], rows)


PROFILE_ROWS = [
    ("data", "data: shuffle, batch tokens, parameter views"),
    ("attention_forward", "attention forward (incl. skip connection)"),
    ("residual_forward", "residual (tanh) forward"),
    ("classifier_forward", "classifier forward and loss"),
    ("classifier_backward", "classifier backward"),
    ("residual_backward", "residual (tanh) backward"),
    ("attention_backward", "attention backward"),
    ("gradient_sum", "sum of the threads' gradients"),
    ("model_other", "model: checks, gather, barriers, imbalance"),
    ("optimizer_step", "optimizer step"),
]
MODEL_PHASES = ["attention_forward", "residual_forward", "classifier_forward", "classifier_backward",
                "residual_backward", "attention_backward", "gradient_sum"]


def profile_table(entry):
    """{row key: seconds per 60 000-image epoch} of one configuration's profile, plus
    "training" (the epoch's training loop) and "evaluation" (per 10 000 test images)."""
    profile = entry["profile"]
    if not profile:
        return None
    scale = EPOCH_IMAGES / entry["train_images"]
    table = {key: profile.get(key, 0.0) * scale for key, _ in PROFILE_ROWS if key != "model_other"}
    table["model_other"] = (profile.get("model", 0.0) - sum(profile.get(key, 0.0) for key in MODEL_PHASES)) * scale
    table["training"] = entry["homopt_mean_epoch_seconds"] * scale
    table["untimed"] = table["training"] - sum(table[key] for key, _ in PROFILE_ROWS)
    table["evaluation"] = profile.get("evaluation", 0.0) * TEST_IMAGES / entry["test_images"]
    return table


def write_profile(w, training):
    w("## Issue 17: where homopt-train's time goes (per layer type)")
    w()
    w(f"From the same homopt-train runs, timed with HOMOPT_TRAIN_PROFILE=FILE (steady clock around each "
      f"phase; inside the parallel forward/backward pass the times of thread 0, each thread running an "
      f"equal share of the batch). Layer times are summed over the L blocks. Seconds per epoch of "
      f"{EPOCH_IMAGES} images (scaled like the table above) and share of the training loop; evaluation "
      f"(test accuracy and max ‖PᵀP − I‖ after the epoch) per {TEST_IMAGES} test images, outside the "
      f"training loop.")
    w()
    profiled = [(e, profile_table(e)) for e in training]
    profiled = [(e, t) for e, t in profiled if t is not None]
    if not profiled:
        w("No profile in this run.")
        w()
        return
    header = ["phase"] + [f"L = {e['blocks']}, {threads_text(e['threads'])}" for e, _ in profiled]
    rows = []
    for key, label in PROFILE_ROWS + [("untimed", "untimed rest of the loop (progress, clock)")]:
        rows.append([label] + [f"{fmt(t[key], 3)} s ({percent(t[key] / t['training'], 2)})" for _, t in profiled])
    rows.append(["**training loop**"] + [f"**{fmt(t['training'], 4)} s**" for _, t in profiled])
    rows.append([f"evaluation ({TEST_IMAGES} test images)"] + [f"{fmt(t['evaluation'], 3)} s" for _, t in profiled])
    w.table(header, rows)
    for entry, table in profiled:
        entry["profile_per_epoch_of_60000"] = table


def write_issue9_targets(w, training, torch_step, step_cost, targets):
    steps = step_cost["steps"]
    lookup = step_lookup(steps)
    dgemm = step_cost["dgemm_1000_gflops"]
    small = lookup.get(("Stiefel", 49, 7, "Adam+Cayley"))
    large = lookup.get(("Stiefel", 4096, 64, "Adam+Cayley"))
    torch_rows = {(row["N"], row["n"]): row for row in torch_step["steps"]}
    torch_small = torch_rows.get((49, 7))
    for entry in training:
        targets.add(9, f"homopt-train epoch time ≤ ½ PyTorch's (L = {entry['blocks']}, {threads_text(entry['threads'])})",
                    f"{fmt(entry['homopt_mean_epoch_seconds'])} s vs {fmt(entry['torch_mean_epoch_seconds'])} s "
                    f"(ratio {fmt(entry['ratio_homopt_over_torch'], 3)})",
                    entry["ratio_homopt_over_torch"] <= 0.5)
    if torch_small:
        targets.add(9, "homopt Stiefel Adam step ≥ 10× faster than torch orthogonal + Adam at (49, 7)",
                    f"{fmt(1e6 * torch_small['homopt_seconds'], 3)} µs vs "
                    f"{fmt(1e6 * torch_small['torch_orthogonal_adam_seconds'], 3)} µs "
                    f"({fmt(torch_small['ratio_torch_over_homopt'], 3)}×)",
                    torch_small["ratio_torch_over_homopt"] >= 10)
    if torch_step["steps"]:
        slowest = min(torch_step["steps"], key=lambda row: row["ratio_torch_over_homopt"])
        targets.add(9, "… and ahead at every size",
                    f"smallest lead {fmt(slowest['ratio_torch_over_homopt'], 3)}× at ({slowest['N']}, {slowest['n']})",
                    all(row["ratio_torch_over_homopt"] > 1 for row in torch_step["steps"]))
    if small:
        targets.add(9, "Stiefel Adam step within 3× of a Euclidean Adam step at (49, 7)",
                    f"{fmt(1e6 * small['median_seconds'], 3)} µs vs {fmt(1e6 * small['euclidean_adam_seconds'], 3)} µs "
                    f"({fmt(small['ratio_to_euclidean_adam'], 3)}×)",
                    small["ratio_to_euclidean_adam"] <= 3)
    if large:
        targets.add(9, "Stiefel Adam step ≥ 30% of single-core dgemm at (4096, 64)",
                    f"{fmt(large['gflops'], 3)} GFLOP/s of {fmt(dgemm, 3)} ({fmt(100 * large['fraction_of_dgemm'], 3)}%)",
                    large["fraction_of_dgemm"] >= 0.3)
    for entry in training:
        if entry["homopt_peak_rss_mib"] and entry["torch_peak_rss_mib"]:
            targets.add(9, f"peak RSS of homopt-train ≤ PyTorch's (L = {entry['blocks']}, "
                           f"{threads_text(entry['threads'])})",
                        f"{fmt(entry['homopt_peak_rss_mib'], 4)} MiB vs {fmt(entry['torch_peak_rss_mib'], 4)} MiB",
                        entry["homopt_peak_rss_mib"] <= entry["torch_peak_rss_mib"])
    stiefel_memory_ok = all(row["memory_bytes"] <= row["memory_bound_bytes"] for row in steps
                            if row["manifold"] == "Stiefel")
    targets.add(9, "optimizer memory per Stiefel parameter ≤ (N² + 3·dim)·8 bytes",
                "section {Y, Ȳ} = N² doubles + Adam {m, v} = 2·dim doubles, at every size", stiefel_memory_ok)
    w("## Targets of issue 9")
    w()
    w.table(["target", "measured", "verdict"],
            [[t["target"], t["measured"], verdict(t["met"])] for t in targets.of(9)])


def write_issue17_summary(w, targets):
    rows = targets.of(17)
    met = sum(row["met"] for row in rows)
    w("## Targets of issue 17 (summary)")
    w()
    w(f"{met} of {len(rows)} met. Every figure below comes from this run; the rows of the next sections "
      f"show each one beside its target.")
    w()
    w.table(["target", "measured", "verdict"], [[t["target"], t["measured"], verdict(t["met"])] for t in rows])


def write_step_cost(w, step_cost):
    steps = step_cost["steps"]
    dgemm = step_cost["dgemm_1000_gflops"]
    w("## Optimizer step cost (C++, one thread)")
    w()
    w(f"Command: `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 build/bench/homopt_step_cost --budget "
      f"{step_cost['timing']['budget_seconds']} --json build/bench-results/step_cost.json` "
      f"(median over batches after {step_cost['timing']['warmup_steps']} warm-up steps; ≥ "
      f"{step_cost['timing']['min_batches']} batches of ≥ 2 ms; fixed gradient with ‖G‖_F = 1). "
      f"Single-thread dgemm (1000×1000, Armadillo → OpenBLAS) in the same run: **{fmt(dgemm, 3)} GFLOP/s**.")
    w()
    w(f"Flop model (products formed by core/src/orthogonal_section.cpp, m = N − n, O(n³) work on "
      f"2n×2n matrices not counted): {step_cost['flop_model']}. Memory = bytes of Section::state() + "
      f"Optimizer::method_state(); bound = (N² + 3·dim)·8 with N² the point's rows squared. Page faults = "
      f"minor page faults per step over the timed steps.")
    w()
    rows = []
    for row in steps:
        rows.append([row["manifold"], row["N"], row["n"], row["method"], fmt(1e3 * row["median_seconds"]),
                     fmt(1e3 * row["p90_seconds"]), fmt(row["gflops"], 3),
                     fmt(100 * row["fraction_of_dgemm"] if row["fraction_of_dgemm"] is not None else None, 3),
                     fmt(1e3 * row["euclidean_adam_seconds"]), fmt(row["ratio_to_euclidean_adam"], 3),
                     f"{row['memory_bytes'] / 1024:.1f}", f"{row['memory_bound_bytes'] / 1024:.1f}",
                     fmt(row.get("minor_faults_per_step"), 3)])
    w.table(["manifold", "N", "n", "method", "median (ms)", "p90 (ms)", "GFLOP/s", "% dgemm", "Euclidean Adam (ms)",
             "ratio", "memory (KiB)", "bound (KiB)", "page faults/step"], rows)
    if step_cost.get("skipped"):
        w("Skipped: " + "; ".join(step_cost["skipped"]) + ".")
        w()
    if step_cost.get("scaling"):
        w("Scaling of the Stiefel Adam + Cayley step (least squares on log time vs log size; the flop "
          "model's own exponent over the same points alongside):")
        w()
        rows = []
        for sweep in step_cost["scaling"]:
            other = "n" if sweep["variable"] == "N" else "N"
            rows.append([sweep["variable"], f"{other} = {sweep['fixed']}", ", ".join(str(int(v)) for v in sweep["values"]),
                         ", ".join(fmt(1e3 * s, 3) for s in sweep["median_seconds"]), fmt(sweep["exponent"], 3),
                         fmt(sweep["model_exponent"], 3)])
        w.table(["variable", "fixed", "sizes", "median step (ms)", "fitted exponent", "flop-model exponent"], rows)
    w("Where the time of a Stiefel Adam + Cayley step goes (Section::lift, Adam::velocity and "
      "Section::retracted timed separately; ms):")
    w()
    w.table(["N", "n", "lift", "Adam velocity", "retracted"],
            [[b["N"], b["n"], fmt(1e3 * b["lift_seconds"]), fmt(1e3 * b["velocity_seconds"]),
              fmt(1e3 * b["retracted_seconds"])] for b in step_cost["breakdown_stiefel_adam_cayley"]])


def write_torch_step(w, torch_step):
    w("## Stiefel Adam step: homopt (Python) vs torch orthogonal parametrization + Adam")
    w()
    w(f"Command: `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=build/python /usr/bin/python3 "
      f"bench/torch_step.py --threads 1 --json build/bench-results/torch_step.json`. One thread for both; "
      f"torch {torch_step['torch_version']}, map {torch_step['torch_orthogonal_map']}; the torch iteration is "
      f"one forward through the parametrization, loss Σ G⊙Q, backward, Adam step, zero_grad. "
      f"Adam lr 1e-3, β 0.9/0.99, eps 3e-7 in both, float64, same start point and gradient.")
    w()
    w.table(["N", "n", "homopt step (ms)", "torch orthogonal + Adam (ms)", "torch ÷ homopt",
             "torch Adam alone, unconstrained (ms)"],
            [[row["N"], row["n"], fmt(1e3 * row["homopt_seconds"]), fmt(1e3 * row["torch_orthogonal_adam_seconds"]),
              fmt(row["ratio_torch_over_homopt"], 3), fmt(1e3 * row["torch_plain_adam_seconds"])]
             for row in torch_step["steps"]])


def write_training(w, training):
    w("## Vision transformer: homopt-train vs the same model in PyTorch")
    w()
    w("Settings (both): Fashion-MNIST (/usr/share/datasets/fashion-mnist), the first training and test "
      "images given per row (60000 and 10000 = all), 7 heads of size 7, loss ‖softmax − onehot‖_F/√B "
      "(paper), Adam lr 1e-3, β 0.9/0.99, eps 3e-7, seed 1, float64. Same initial values (bit-identical; "
      "the first batch loss agrees to ~1e-16), same tokens and the same data order (std::mt19937_64 "
      "Fisher–Yates reimplemented in bench/torch_transformer.py). homopt: Q/K/V projections on St(7, 49), "
      "Cayley retraction. PyTorch: torch.nn.utils.parametrizations.orthogonal (Householder) on each "
      "projection. Epoch time = training loop only (no test evaluation), as measured (not scaled). Peak RSS "
      "from `/usr/bin/time -v`.")
    w()
    w("Commands (L, B, T = blocks, batch, threads; N, M, E = training images, test images, epochs of the row):")
    w()
    w("```sh")
    common = "--train-limit N --test-limit M --epochs E --blocks L --batch-size B --threads T --seed 1"
    w(f"OPENBLAS_NUM_THREADS=1 HOMOPT_TRAIN_PROFILE=FILE /usr/bin/time -v build/apps/homopt-train "
      f"--data /usr/share/datasets/fashion-mnist {common} --output OUT --no-plot")
    w(f"/usr/bin/time -v /usr/bin/python3 bench/torch_transformer.py --data /usr/share/datasets/fashion-mnist {common}")
    w("```")
    w()
    w.table(["L", "threads", "training / test images", "batch", "epochs", "homopt s/epoch", "PyTorch s/epoch",
             "homopt ÷ PyTorch", "homopt test acc.", "PyTorch test acc.", "homopt peak RSS (MiB)",
             "PyTorch peak RSS (MiB)"],
            [[e["blocks"], e["threads"], f"{e['train_images']} / {e['test_images']}", e["batch"], e["epochs"],
              fmt(e["homopt_mean_epoch_seconds"]), fmt(e["torch_mean_epoch_seconds"]),
              fmt(e["ratio_homopt_over_torch"], 3), fmt(e["homopt_test_accuracy"]), fmt(e["torch_test_accuracy"]),
              fmt(e["homopt_peak_rss_mib"], 4), fmt(e["torch_peak_rss_mib"], 4)] for e in training])
    w("Per epoch (train loss / test accuracy / seconds):")
    w()
    rows = []
    for e in training:
        for h, t in zip(e["homopt_epochs"], e["torch_epochs"]):
            rows.append([e["blocks"], e["threads"], h["epoch"],
                         f"{h['train_loss']:.4f} / {h['test_accuracy']:.4f} / {h['seconds']:.2f}",
                         f"{t['train_loss']:.4f} / {t['test_accuracy']:.4f} / {t['seconds']:.2f}"])
    w.table(["L", "threads", "epoch", "homopt", "PyTorch"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--settings", help="key=value ... (default: settings.txt of --results)")
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--notes", default=os.path.join(HERE, "notes.md"), help="appended verbatim")
    args = parser.parse_args()
    results = args.results
    machine = key_values(os.path.join(results, "machine.txt"))
    load = key_values(os.path.join(results, "load.txt"))
    if args.settings is None:
        settings_path = os.path.join(results, "settings.txt")
        args.settings = read_text(settings_path).strip() if os.path.exists(settings_path) else ""
    settings = assignments(args.settings)
    step_cost = read_json(os.path.join(results, "step_cost.json"))
    torch_step = read_json(os.path.join(results, "torch_step.json"))
    dgemm = step_cost["dgemm_1000_gflops"]
    dgemm_2_path = os.path.join(results, "dgemm_2_threads.json")
    dgemm_2_measured = os.path.exists(dgemm_2_path)
    dgemm_rates = {1: dgemm, 2: read_json(dgemm_2_path)["dgemm_1000_gflops"] if dgemm_2_measured else 2 * dgemm}

    training = load_training(results)
    add_flop_floor(training, dgemm_rates)
    ratio_rows = step_ratio_rows(step_cost["steps"])
    targets = Targets()

    # The issue-17 sections are written first into their own page so that the summary (which
    # needs their verdicts) can precede them.
    details = Page()
    write_step_ratios(details, ratio_rows, dgemm, targets)
    write_training_ratios(details, training, dgemm_rates, dgemm_2_measured, targets)
    write_profile(details, training)

    w = Page()
    w("# Benchmarks")
    w()
    w(f"Generated by `./scripts/bench` (bench/report.py); raw results in "
      f"`{settings.get('build', 'build')}/bench-results/`. "
      "Rerun with `./scripts/bench`; the settings below are its defaults unless stated.")
    w()
    write_machine(w, machine, load, args.settings)
    write_issue17_summary(w, targets)
    w.lines.extend(details.lines)
    write_issue9_targets(w, training, torch_step, step_cost, targets)
    write_step_cost(w, step_cost)
    write_torch_step(w, torch_step)
    write_training(w, training)
    if os.path.exists(args.notes):
        w(read_text(args.notes).rstrip())
        w()
    with open(args.markdown, "w") as handle:
        handle.write(w.text())

    document = dict(machine=machine, load=load, settings=settings, dgemm_gflops_by_cores=dgemm_rates,
                    dgemm_2_threads_measured=dgemm_2_measured, targets=targets.rows, step_ratios=ratio_rows,
                    transformer_flop_model=transformer_flop_model_text(), step_cost=step_cost,
                    torch_step=torch_step, training=training)
    for row in document["step_ratios"]:
        row["checks"] = [dict(figure=key, target=target, met=ok) for key, target, ok in row["checks"]]
    with open(args.json, "w") as handle:
        json.dump(document, handle, indent=1)
    print(f"wrote {args.markdown} and {args.json}")
    for target in targets.rows:
        print(f"  {'met   ' if target['met'] else 'MISSED'}  issue {target['issue']}: {target['target']}: "
              f"{target['measured']}")


if __name__ == "__main__":
    main()
