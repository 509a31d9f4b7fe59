#!/usr/bin/python3
"""Per-step overhead of the Python binding: the loop of bench/step_overhead.cpp —
Optimizer(Adam(lr=1e-3), "cayley") with one Stiefel(N=49, n=7) parameter and a fixed
gradient — timed through homopt's Python module, and compared with the C++ figure when the
C++ program's path is given. Also: a C-ordered gradient (one conversion copy per step),
value(0), and two optimizers in two threads (the GIL is released during step).

Not a test. Usage (from the repository root, after building into BUILD):
    OPENBLAS_NUM_THREADS=1 PYTHONPATH=BUILD/python /usr/bin/python3 bench/python_step_overhead.py \
        [--cpp BUILD/bench/homopt_step_overhead] [--N 49 --n 7] [--batches 21 --steps 2000]

On a loaded machine wall-clock figures are noisy; instruction counts are not. --only K runs
exactly K steps and nothing else, so with valgrind (the C++ program runs (batches + 1) ×
steps steps):
    valgrind --tool=callgrind --callgrind-out-file=/dev/null BUILD/bench/homopt_step_overhead 49 7 1 200
    valgrind --tool=callgrind --callgrind-out-file=/dev/null BUILD/bench/homopt_step_overhead 49 7 1 400
    PYTHONPATH=BUILD/python valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        /usr/bin/python3 bench/python_step_overhead.py --only 400      # and --only 800
and (difference of "Collected" counts) / 400 is the instruction count of one step.
"""
import argparse
import statistics
import subprocess
import threading
import time

import numpy as np

import homopt


def make_optimizer(N, n):
    manifold = homopt.Stiefel(N, n)
    optimizer = homopt.Optimizer(homopt.Adam(lr=1e-3), "cayley")
    optimizer.add(manifold, manifold.random_point(1))
    return optimizer


def per_call_microseconds(call, batches, steps):
    """Median (min, max) over batches of the time per call in µs, after one warm-up batch."""
    for _ in range(steps):
        call()
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(steps):
            call()
        times.append((time.perf_counter() - start) / steps * 1e6)
    return statistics.median(times), min(times), max(times)


def report(label, figures):
    median, low, high = figures
    print(f"{label:<58} median {median:8.3f} us  (min {low:.3f}, max {high:.3f})")
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpp", help="path of the homopt_step_overhead C++ program")
    parser.add_argument("--N", type=int, default=49)
    parser.add_argument("--n", type=int, default=7)
    parser.add_argument("--batches", type=int, default=21)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--only", type=int, metavar="K", help="just run K steps (for instruction counting)")
    arguments = parser.parse_args()
    N, n, batches, steps = arguments.N, arguments.n, arguments.batches, arguments.steps
    if arguments.only is not None:
        optimizer = make_optimizer(N, n)
        gradients = [np.asfortranarray(1e-3 * homopt.standard_normal_matrix(N, n, 2))]
        for _ in range(arguments.only):
            optimizer.step(gradients)
        return

    gradient_f = np.asfortranarray(1e-3 * homopt.standard_normal_matrix(N, n, 2))  # as in the C++ loop
    gradient_c = np.ascontiguousarray(gradient_f)
    gradients_f, gradients_c = [gradient_f], [gradient_c]
    print(f"homopt {homopt.__version__}, numpy {np.__version__}; Adam + Cayley on Stiefel(N={N}, n={n})")

    def cpp_figures():
        output = subprocess.run([arguments.cpp, str(N), str(n), str(batches), str(steps)], check=True,
                                capture_output=True, text=True).stdout.strip()
        print(output)
        median = float(output.split("median ")[1].split(" us")[0])
        low = float(output.split("(min ")[1].split(",")[0])
        return median, low

    # C++ and Python alternate (C++, Python, C++) so that load from other processes hits both.
    cpp_runs = [cpp_figures()] if arguments.cpp else []
    optimizer = make_optimizer(N, n)
    python_median, python_min, _ = per_call_microseconds(lambda: optimizer.step(gradients_f), batches, steps)
    report("Python optimizer.step([G]), G float64 Fortran (no copy)", (python_median, python_min, _))
    if arguments.cpp:
        cpp_runs.append(cpp_figures())
        cpp_median = min(run[0] for run in cpp_runs)
        cpp_min = min(run[1] for run in cpp_runs)
        print(f"overhead of a Python step() call: {python_median - cpp_median:+.3f} us by medians, "
              f"{python_min - cpp_min:+.3f} us by minima ({100 * (python_min - cpp_min) / cpp_min:+.1f} % of "
              f"the C++ step)")
    optimizer = make_optimizer(N, n)
    report("Python optimizer.step([G]), G float64 C order (1 copy)",
           per_call_microseconds(lambda: optimizer.step(gradients_c), batches, steps))
    report("Python optimizer.value(0) (copy out)",
           per_call_microseconds(lambda: optimizer.value(0), batches, steps))
    tiny = make_optimizer(2, 1)
    tiny_gradients = [np.zeros((2, 1), order="F")]
    report("Python optimizer.step([G]) on Stiefel(2, 1) (call cost)",
           per_call_microseconds(lambda: tiny.step(tiny_gradients), batches, steps))

    # Two optimizers in two threads vs one after the other (GIL released in step()).
    total = steps * 5
    first, second = make_optimizer(N, n), make_optimizer(N, n)

    def run(opt):
        for _ in range(total):
            opt.step(gradients_f)

    start = time.perf_counter()
    run(first)
    run(second)
    sequential = time.perf_counter() - start
    threads = [threading.Thread(target=run, args=(opt,)) for opt in (first, second)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    parallel = time.perf_counter() - start
    print(f"2 x {total} steps: sequential {sequential:.3f} s, two threads {parallel:.3f} s "
          f"(speed-up {sequential / parallel:.2f} on {len(threads)} threads)")


if __name__ == "__main__":
    main()
