#!/usr/bin/python3
"""Writes docs/benchmarks.md and docs/benchmarks.json from the raw results of scripts/bench
(a folder holding machine.txt, load.txt, step_cost.json, torch_step.json,
homopt_train_T/metrics.csv, homopt_train_T.time, torch_train_T.json, torch_train_T.time) and
the hand-written analysis in bench/notes.md. Not a test; run by scripts/bench.
"""
import argparse
import csv
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def key_values(path):
    """'key: value' or 'key value' lines → dict (first separator)."""
    result = {}
    if os.path.exists(path):
        for line in open(path):
            line = line.rstrip("\n")
            if not line:
                continue
            key, _, value = line.partition(": ") if ": " in line else line.partition(" ")
            result[key] = value
    return result


def peak_rss_mib(path):
    """Maximum resident set size from /usr/bin/time -v, in MiB (None if absent)."""
    if not os.path.exists(path):
        return None
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())
    return int(match.group(1)) / 1024 if match else None


def homopt_epochs(directory):
    path = os.path.join(directory, "metrics.csv")
    if not os.path.exists(path):
        return []
    return [dict(epoch=int(row["epoch"]), train_loss=float(row["train_loss"]),
                 test_accuracy=float(row["test_accuracy"]),
                 max_orthogonality_error=float(row["max_orthogonality_error"]), seconds=float(row["seconds"]))
            for row in csv.DictReader(open(path))]


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def fmt(value, digits=4):
    if value is None or value != value:
        return "–"
    return f"{value:.{digits}g}"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--settings", help="key=value ... (default: settings.txt of --results)")
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    results = args.results
    machine = key_values(os.path.join(results, "machine.txt"))
    load = key_values(os.path.join(results, "load.txt"))
    if args.settings is None:
        settings_path = os.path.join(results, "settings.txt")
        args.settings = open(settings_path).read().strip() if os.path.exists(settings_path) else ""
    settings = dict(part.split("=", 1) for part in args.settings.split() if "=" in part)
    step_cost = json.load(open(os.path.join(results, "step_cost.json")))
    torch_step = json.load(open(os.path.join(results, "torch_step.json")))
    threads_list = sorted(int(name.split("_")[2].split(".")[0]) for name in os.listdir(results)
                          if name.startswith("torch_train_") and name.endswith(".json"))

    training = []
    for threads in threads_list:
        homopt_rows = homopt_epochs(os.path.join(results, f"homopt_train_{threads}"))
        torch_rows = json.load(open(os.path.join(results, f"torch_train_{threads}.json")))["epochs"]
        homopt_seconds = mean([row["seconds"] for row in homopt_rows])
        torch_seconds = mean([row["seconds"] for row in torch_rows])
        training.append(dict(
            threads=threads, homopt_epochs=homopt_rows, torch_epochs=torch_rows,
            homopt_mean_epoch_seconds=homopt_seconds, torch_mean_epoch_seconds=torch_seconds,
            ratio_homopt_over_torch=homopt_seconds / torch_seconds,
            homopt_test_accuracy=homopt_rows[-1]["test_accuracy"] if homopt_rows else None,
            torch_test_accuracy=torch_rows[-1]["test_accuracy"] if torch_rows else None,
            homopt_peak_rss_mib=peak_rss_mib(os.path.join(results, f"homopt_train_{threads}.time")),
            torch_peak_rss_mib=peak_rss_mib(os.path.join(results, f"torch_train_{threads}.time"))))

    steps = step_cost["steps"]
    dgemm = step_cost["dgemm_1000_gflops"]

    def step_row(manifold, N, n, method="Adam+Cayley"):
        for row in steps:
            if row["manifold"] == manifold and row["N"] == N and row["n"] == n and row["method"] == method:
                return row
        return None

    small = step_row("Stiefel", 49, 7)
    large = step_row("Stiefel", 4096, 64)
    torch_rows = {(row["N"], row["n"]): row for row in torch_step["steps"]}
    torch_small = torch_rows.get((49, 7))
    stiefel_memory_ok = all(row["memory_bytes"] <= row["memory_bound_bytes"] for row in steps
                            if row["manifold"] == "Stiefel")

    targets = []

    def add(target, measured, met):
        targets.append(dict(target=target, measured=measured, met=bool(met)))

    def threads_text(threads):
        return f"{threads} thread{'s' if threads > 1 else ''}"

    for entry in training:
        add(f"homopt-train epoch time ≤ ½ PyTorch's ({threads_text(entry['threads'])})",
            f"{fmt(entry['homopt_mean_epoch_seconds'])} s vs {fmt(entry['torch_mean_epoch_seconds'])} s "
            f"(ratio {fmt(entry['ratio_homopt_over_torch'], 3)})",
            entry["ratio_homopt_over_torch"] <= 0.5)
    if torch_small:
        add("homopt Stiefel Adam step ≥ 10× faster than torch orthogonal + Adam at (49, 7)",
            f"{fmt(1e6 * torch_small['homopt_seconds'], 3)} µs vs "
            f"{fmt(1e6 * torch_small['torch_orthogonal_adam_seconds'], 3)} µs "
            f"({fmt(torch_small['ratio_torch_over_homopt'], 3)}×)",
            torch_small["ratio_torch_over_homopt"] >= 10)
    if torch_step["steps"]:
        slowest = min(torch_step["steps"], key=lambda row: row["ratio_torch_over_homopt"])
        add("… and ahead at every size",
            f"smallest lead {fmt(slowest['ratio_torch_over_homopt'], 3)}× at ({slowest['N']}, {slowest['n']})",
            all(row["ratio_torch_over_homopt"] > 1 for row in torch_step["steps"]))
    if small:
        add("Stiefel Adam step within 3× of a Euclidean Adam step at (49, 7)",
            f"{fmt(1e6 * small['median_seconds'], 3)} µs vs {fmt(1e6 * small['euclidean_adam_seconds'], 3)} µs "
            f"({fmt(small['ratio_to_euclidean_adam'], 3)}×)",
            small["ratio_to_euclidean_adam"] <= 3)
    if large:
        add("Stiefel Adam step ≥ 30% of single-core dgemm at (4096, 64)",
            f"{fmt(large['gflops'], 3)} GFLOP/s of {fmt(dgemm, 3)} ({fmt(100 * large['fraction_of_dgemm'], 3)}%)",
            large["fraction_of_dgemm"] >= 0.3)
    for entry in training:
        if entry["homopt_peak_rss_mib"] and entry["torch_peak_rss_mib"]:
            add(f"peak RSS of homopt-train ≤ PyTorch's ({threads_text(entry['threads'])})",
                f"{fmt(entry['homopt_peak_rss_mib'], 4)} MiB vs {fmt(entry['torch_peak_rss_mib'], 4)} MiB",
                entry["homopt_peak_rss_mib"] <= entry["torch_peak_rss_mib"])
    add("optimizer memory per Stiefel parameter ≤ (N² + 3·dim)·8 bytes",
        "section {Y, Ȳ} = N² doubles + Adam {m, v} = 2·dim doubles, at every size", stiefel_memory_ok)

    # ---------------------------------------------------------------- markdown
    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w(f"Generated by `./scripts/bench` (bench/report.py); raw results in "
      f"`{settings.get('build', 'build')}/bench-results/`. "
      "Rerun with `./scripts/bench`; the settings below are its defaults unless stated.")
    w("")
    w("## Machine and load")
    w("")
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
    w(f"- settings: {args.settings}")
    w("")
    w("## Targets of issue 9")
    w("")
    w("| target | measured | verdict |")
    w("|---|---|---|")
    for target in targets:
        w(f"| {target['target']} | {target['measured']} | {verdict(target['met'])} |")
    w("")
    w("## Optimizer step cost (C++, one thread)")
    w("")
    w(f"Command: `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 build/bench/homopt_step_cost --budget "
      f"{step_cost['timing']['budget_seconds']} --json build/bench-results/step_cost.json` "
      f"(median over batches after {step_cost['timing']['warmup_steps']} warm-up steps; ≥ "
      f"{step_cost['timing']['min_batches']} batches of ≥ 2 ms; fixed gradient with ‖G‖_F = 1). "
      f"Single-thread dgemm (1000×1000, Armadillo → OpenBLAS) in the same run: **{fmt(dgemm, 3)} GFLOP/s**.")
    w("")
    w(f"Flop model (products formed by core/src/orthogonal_section.cpp, m = N − n, O(n³) work on "
      f"2n×2n matrices not counted): {step_cost['flop_model']}. Memory = bytes of Section::state() + "
      f"Optimizer::method_state(); bound = (N² + 3·dim)·8 with N² the point's rows squared.")
    w("")
    w("| manifold | N | n | method | median (ms) | p90 (ms) | GFLOP/s | % dgemm | Euclidean Adam (ms) | ratio | memory (KiB) | bound (KiB) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in steps:
        w(f"| {row['manifold']} | {row['N']} | {row['n']} | {row['method']} | {fmt(1e3 * row['median_seconds'])} | "
          f"{fmt(1e3 * row['p90_seconds'])} | {fmt(row['gflops'], 3)} | "
          f"{fmt(100 * row['fraction_of_dgemm'] if row['fraction_of_dgemm'] is not None else None, 3)} | "
          f"{fmt(1e3 * row['euclidean_adam_seconds'])} | {fmt(row['ratio_to_euclidean_adam'], 3)} | "
          f"{row['memory_bytes'] / 1024:.1f} | {row['memory_bound_bytes'] / 1024:.1f} |")
    if step_cost.get("skipped"):
        w("")
        w("Skipped: " + "; ".join(step_cost["skipped"]) + ".")
    w("")
    w("Scaling of the Stiefel Adam + Cayley step (least squares on log time vs log size; the flop "
      "model's own exponent over the same points alongside):")
    w("")
    w("| variable | fixed | sizes | median step (ms) | fitted exponent | flop-model exponent |")
    w("|---|---|---|---|---|---|")
    for sweep in step_cost["scaling"]:
        other = "n" if sweep["variable"] == "N" else "N"
        w(f"| {sweep['variable']} | {other} = {sweep['fixed']} | {', '.join(str(int(v)) for v in sweep['values'])} | "
          f"{', '.join(fmt(1e3 * s, 3) for s in sweep['median_seconds'])} | {fmt(sweep['exponent'], 3)} | "
          f"{fmt(sweep['model_exponent'], 3)} |")
    w("")
    w("Where the time of a Stiefel Adam + Cayley step goes (Section::lift, Adam::velocity and "
      "Section::retracted timed separately; ms):")
    w("")
    w("| N | n | lift | Adam velocity | retracted |")
    w("|---|---|---|---|---|")
    for row in step_cost["breakdown_stiefel_adam_cayley"]:
        w(f"| {row['N']} | {row['n']} | {fmt(1e3 * row['lift_seconds'])} | {fmt(1e3 * row['velocity_seconds'])} | "
          f"{fmt(1e3 * row['retracted_seconds'])} |")
    w("")
    w("## Stiefel Adam step: homopt (Python) vs torch orthogonal parametrization + Adam")
    w("")
    w(f"Command: `OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONPATH=build/python /usr/bin/python3 "
      f"bench/torch_step.py --threads 1 --json build/bench-results/torch_step.json`. One thread for both; "
      f"torch {torch_step['torch_version']}, map {torch_step['torch_orthogonal_map']}; the torch iteration is "
      f"one forward through the parametrization, loss Σ G⊙Q, backward, Adam step, zero_grad. "
      f"Adam lr 1e-3, β 0.9/0.99, eps 3e-7 in both, float64, same start point and gradient.")
    w("")
    w("| N | n | homopt step (ms) | torch orthogonal + Adam (ms) | torch ÷ homopt | torch Adam alone, unconstrained (ms) |")
    w("|---|---|---|---|---|---|")
    for row in torch_step["steps"]:
        w(f"| {row['N']} | {row['n']} | {fmt(1e3 * row['homopt_seconds'])} | "
          f"{fmt(1e3 * row['torch_orthogonal_adam_seconds'])} | {fmt(row['ratio_torch_over_homopt'], 3)} | "
          f"{fmt(1e3 * row['torch_plain_adam_seconds'])} |")
    w("")
    w("## Vision transformer: homopt-train vs the same model in PyTorch")
    w("")
    w(f"Settings (both): Fashion-MNIST (/usr/share/datasets/fashion-mnist), first "
      f"{settings.get('train_limit', '?')} training images (60000 = all) and first "
      f"{settings.get('test_limit', '?')} test images (10000 = all), L = {settings.get('blocks', '?')} blocks, "
      f"7 heads of size 7, batch {settings.get('batch', '?')}, loss ‖softmax − onehot‖_F/√B (paper), "
      f"Adam lr 1e-3, β 0.9/0.99, eps 3e-7, seed 1, float64, {settings.get('epochs', '?')} epoch(s). "
      f"Same initial values (bit-identical; the first batch loss agrees to ~1e-16), same tokens and "
      f"the same data order (std::mt19937_64 Fisher–Yates reimplemented in bench/torch_transformer.py). "
      f"homopt: Q/K/V projections on St(7, 49), Cayley retraction. PyTorch: "
      f"torch.nn.utils.parametrizations.orthogonal (Householder) on each projection. Epoch time = "
      f"training loop only (no test evaluation). Peak RSS from `/usr/bin/time -v`.")
    w("")
    w("Commands (T = threads):")
    w("")
    w("```sh")
    common = (f"--train-limit {settings.get('train_limit', '?')} --test-limit {settings.get('test_limit', '?')} "
              f"--epochs {settings.get('epochs', '?')} --blocks {settings.get('blocks', '?')} "
              f"--batch-size {settings.get('batch', '?')} --threads T --seed 1")
    w(f"OPENBLAS_NUM_THREADS=1 /usr/bin/time -v build/apps/homopt-train --data /usr/share/datasets/fashion-mnist "
      f"{common} --output OUT --no-plot")
    w(f"/usr/bin/time -v /usr/bin/python3 bench/torch_transformer.py --data /usr/share/datasets/fashion-mnist {common}")
    w("```")
    w("")
    w("| threads | homopt s/epoch | PyTorch s/epoch | homopt ÷ PyTorch | homopt test acc. | PyTorch test acc. | homopt peak RSS (MiB) | PyTorch peak RSS (MiB) |")
    w("|---|---|---|---|---|---|---|---|")
    for entry in training:
        w(f"| {entry['threads']} | {fmt(entry['homopt_mean_epoch_seconds'])} | {fmt(entry['torch_mean_epoch_seconds'])} | "
          f"{fmt(entry['ratio_homopt_over_torch'], 3)} | {fmt(entry['homopt_test_accuracy'])} | "
          f"{fmt(entry['torch_test_accuracy'])} | {fmt(entry['homopt_peak_rss_mib'], 4)} | "
          f"{fmt(entry['torch_peak_rss_mib'], 4)} |")
    w("")
    w("Per epoch (train loss / test accuracy / seconds):")
    w("")
    w("| threads | epoch | homopt | PyTorch |")
    w("|---|---|---|---|")
    for entry in training:
        for h, t in zip(entry["homopt_epochs"], entry["torch_epochs"]):
            w(f"| {entry['threads']} | {h['epoch']} | {h['train_loss']:.4f} / {h['test_accuracy']:.4f} / {h['seconds']:.2f} | "
              f"{t['train_loss']:.4f} / {t['test_accuracy']:.4f} / {t['seconds']:.2f} |")
    w("")
    notes = os.path.join(HERE, "notes.md")
    if os.path.exists(notes):
        w(open(notes).read().rstrip())
        w("")
    with open(args.markdown, "w") as handle:
        handle.write("\n".join(out))

    document = dict(machine=machine, load=load, settings=settings, targets=targets,
                    step_cost=step_cost, torch_step=torch_step, training=training)
    with open(args.json, "w") as handle:
        json.dump(document, handle, indent=1)
    print(f"wrote {args.markdown} and {args.json}")
    for target in targets:
        print(f"  {'met   ' if target['met'] else 'MISSED'}  {target['target']}: {target['measured']}")


if __name__ == "__main__":
    main()
