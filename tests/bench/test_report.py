"""bench/report.py on the made-up raw results of tests/bench/results (written by hand to
give known ratios): every table of docs/benchmarks.md is generated, and the figures and
verdicts are the ones the fixture implies. Run by ctest as bench/report."""
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "bench", "results")
REPORT = os.path.join(ROOT, "bench", "report.py")

# The fixture's dgemm rates (step_cost.json, dgemm_2_threads.json), GFLOP/s.
DGEMM_1, DGEMM_2 = 80.0, 150.0


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """(markdown text, JSON document) of report.py on the fixture, with a one-line notes file."""
    folder = tmp_path_factory.mktemp("report")
    notes = folder / "notes.md"
    notes.write_text("## Analysis\n\nhand-written notes, appended verbatim\n")
    markdown, document = folder / "benchmarks.md", folder / "benchmarks.json"
    result = subprocess.run([sys.executable, "-W", "error", REPORT, "--results", FIXTURE, "--markdown", str(markdown),
                             "--json", str(document), "--notes", str(notes)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return markdown.read_text(), json.loads(document.read_text())


def table_after(markdown, heading):
    """The rows (lists of cells, header first) of the first table after `heading`."""
    lines = markdown.splitlines()
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            if not line.startswith("|---"):
                rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
        elif line.startswith("#"):
            break
    assert rows, f"no table after {heading}"
    return rows


def row_of(rows, *first_cells):
    matches = [row for row in rows if row[:len(first_cells)] == [str(cell) for cell in first_cells]]
    assert len(matches) == 1, (first_cells, matches)
    return matches[0]


HEADINGS = [
    "## Machine and load",
    "## Targets of issue 17 (summary)",
    "## Issue 17: the optimizer step against the machine (C++, one thread)",
    "## Issue 17: the transformer against PyTorch and the flop floor",
    "## Issue 17: where homopt-train's time goes (per layer type)",
    "## Targets of issue 9",
    "## Optimizer step cost (C++, one thread)",
    "## Stiefel Adam step: homopt (Python) vs torch orthogonal parametrization + Adam",
    "## Vision transformer: homopt-train vs the same model in PyTorch",
    "## Analysis",
]


def test_every_section_is_generated_in_order(report):
    markdown, _ = report
    lines = markdown.splitlines()
    positions = [lines.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert markdown.rstrip().endswith("hand-written notes, appended verbatim")


def test_step_ratio_table_shows_each_target_beside_its_figure(report):
    markdown, document = report
    rows = table_after(markdown, HEADINGS[2])
    assert rows[0] == ["manifold", "N", "n", "step (ms)", "% dgemm", "÷ Euclidean Adam", "geodesic ÷ Cayley",
                       "symplectic ÷ Stiefel", "page faults/step", "verdict"]
    assert len(rows) == 1 + 7  # one row per manifold and size with an Adam + Cayley step
    # Stiefel (49, 7): 6 µs ÷ 2.5 µs = 2.4 ≤ 3; geodesic 12 µs ÷ 6 µs = 2, no target at this size
    assert row_of(rows, "Stiefel", 49, 7)[5:] == ["2.4× (≤ 3)", "2", "–", "0", "**met**"]
    # Stiefel (256, 64): flop model 6·192·256·64 + 16·256·64² + 2·192·64² per 1 ms at 80 GFLOP/s
    flops = 6 * 192 * 256 * 64 + 16 * 256 * 64 ** 2 + 2 * 192 * 64 ** 2
    fraction = flops / 1e-3 / 1e9 / DGEMM_1
    assert row_of(rows, "Stiefel", 256, 64)[4:7] == [f"{100 * fraction:.3g}% (≥ 70%)", "10×", "2 (≤ 1.5)"]
    assert row_of(rows, "Stiefel", 256, 64)[-1] == "**missed**"
    # (4096, 64): 83% of dgemm meets its target, 32 768 page faults per step miss theirs
    assert row_of(rows, "Stiefel", 4096, 64)[4] == "83% (≥ 70%)"
    assert row_of(rows, "Stiefel", 4096, 64)[8:] == ["3.28e+04 (< 1)", "**missed**"]
    # symplectic ÷ Stiefel of the same N, n: 18 µs ÷ 6 µs = 3 ≤ 4, 5 ms ÷ 1 ms = 5 > 4
    assert row_of(rows, "SymplecticStiefel", 49, 7)[7:] == ["3 (≤ 4)", "0", "**met**"]
    assert row_of(rows, "SymplecticStiefel", 256, 64)[7:] == ["5 (≤ 4)", "0", "**missed**"]
    ratios = {(row["manifold"], row["N"], row["n"]): row for row in document["step_ratios"]}
    assert ratios[("Grassmann", 256, 64)]["geodesic_over_cayley"] == pytest.approx(1.2, rel=1e-12)
    assert ratios[("Stiefel", 256, 64)]["fraction_of_dgemm"] == pytest.approx(fraction, rel=1e-12)


def flops_per_sample(blocks):
    """The flop model written into the page, evaluated independently: per block forward
    QKV 6D²T + attention 4DT² + residual 2D²T, backward twice that; classifier 2CD + 4CD."""
    D, T, C = 49, 16, 10
    forward = 6 * D * D * T + 4 * D * T * T + 2 * D * D * T
    return blocks * 3 * forward + 6 * C * D


def test_transformer_table_scales_to_60000_images_and_divides_by_the_floor(report):
    markdown, document = report
    rows = table_after(markdown, HEADINGS[3])
    assert [row[:2] for row in rows[1:]] == [["4", "1"], ["4", "2"], ["16", "1"], ["16", "2"]]
    entries = {(e["blocks"], e["threads"]): e for e in document["training"]}
    # L = 16, 2 threads: 1.2 s for 8192 images → 1.2·60000/8192 s per epoch; floor at 150 GFLOP/s
    deep = entries[(16, 2)]
    epoch = 1.2 * 60000 / 8192
    floor = 60000 * flops_per_sample(16) / (DGEMM_2 * 1e9)
    assert deep["homopt_full_epoch_seconds"] == pytest.approx(epoch, rel=1e-12)
    assert deep["floor_seconds"] == pytest.approx(floor, rel=1e-12)
    assert deep["fraction_of_dgemm"] == pytest.approx(floor / epoch, rel=1e-12)
    assert deep["torch_full_epoch_seconds"] == pytest.approx(22 * 60000 / 8192, rel=1e-12)
    assert row_of(rows, 16, 2)[-2:] == [f"{100 * floor / epoch:.3g}% (≥ 50%)", "**met**"]
    # L = 4, 1 thread: floor at the 1-core rate, no target for one thread
    shallow = entries[(4, 1)]
    assert shallow["floor_seconds"] == pytest.approx(60000 * flops_per_sample(4) / (DGEMM_1 * 1e9), rel=1e-12)
    assert row_of(rows, 4, 1)[-1] == "–"
    assert row_of(rows, 4, 2)[-1] == "**missed**"  # 6 s per epoch vs a floor of 1.72 s: 29% < 50%
    assert f"L = 16: {flops_per_sample(16) / 1e6:.4g} MFLOP per sample" in markdown


def test_profile_table_has_every_phase_and_the_model_remainder(report):
    markdown, document = report
    rows = table_after(markdown, HEADINGS[4])
    assert rows[0] == ["phase", "L = 4, 1 thread", "L = 4, 2 threads", "L = 16, 1 thread", "L = 16, 2 threads"]
    labels = [row[0] for row in rows[1:]]
    for label in ("attention forward (incl. skip connection)", "residual (tanh) forward", "classifier forward and loss",
                  "classifier backward", "residual (tanh) backward", "attention backward", "optimizer step",
                  "data: shuffle, batch tokens, parameter views", "model: checks, gather, barriers, imbalance",
                  "**training loop**", "evaluation (10000 test images)"):
        assert label in labels
    # The fixture's profile: attention backward 30% of each 4 s epoch (L = 4, 1 thread) → 3.6 s
    # per 60000 images; the model's remainder 0.78 − 0.73 = 5%; evaluation 0.5 s per 2000 test
    # images at L = 16 → 2.5 s per 10000.
    assert row_of(rows, "attention backward")[1] == "3.6 s (30%)"
    assert row_of(rows, "model: checks, gather, barriers, imbalance")[1] == "0.6 s (5%)"
    assert row_of(rows, "evaluation (10000 test images)")[3:] == ["2.5 s", "2.5 s"]
    table = {(e["blocks"], e["threads"]): e["profile_per_epoch_of_60000"] for e in document["training"]}
    parts = [key for key in table[(4, 1)] if key not in ("training", "evaluation")]
    assert sum(table[(4, 1)][key] for key in parts) == pytest.approx(table[(4, 1)]["training"], rel=1e-12)


def test_target_summaries_list_every_verdict(report):
    markdown, document = report
    issue17 = [t for t in document["targets"] if t["issue"] == 17]
    met = sum(t["met"] for t in issue17)
    assert (met, len(issue17)) == (5, 12)
    assert f"{met} of {len(issue17)} met." in markdown
    rows = table_after(markdown, HEADINGS[1])
    assert len(rows) == 1 + len(issue17)
    assert row_of(rows, "Grassmann (49, 7): step ÷ Euclidean Adam ≤ 3") == [
        "Grassmann (49, 7): step ÷ Euclidean Adam ≤ 3", "4", "**missed**"]
    issue9 = table_after(markdown, HEADINGS[5])
    assert row_of(issue9, "homopt-train epoch time ≤ ½ PyTorch's (L = 16, 2 threads)")[2] == "**met**"


def test_missing_profile_and_second_dgemm_rate_are_stated(tmp_path):
    """A results folder without profiles and without dgemm_2_threads.json still gives every
    table; the floor then uses twice the 1-core rate and says so."""
    results = tmp_path / "results"
    shutil.copytree(FIXTURE, results, ignore=shutil.ignore_patterns("*.profile", "dgemm_2_threads.json"))
    markdown = tmp_path / "benchmarks.md"
    subprocess.run([sys.executable, "-W", "error", REPORT, "--results", str(results), "--markdown", str(markdown),
                    "--json", str(tmp_path / "benchmarks.json"), "--notes", str(tmp_path / "none.md")],
                   check=True, capture_output=True)
    text = markdown.read_text()
    assert "(twice the 1-core rate: not measured)" in text
    assert "No profile in this run." in text
    document = json.loads((tmp_path / "benchmarks.json").read_text())
    deep = [e for e in document["training"] if (e["blocks"], e["threads"]) == (16, 2)][0]
    assert deep["dgemm_gflops"] == pytest.approx(2 * DGEMM_1)
