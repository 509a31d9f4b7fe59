#!/usr/bin/env Rscript
# bench/r_step_overhead.R — per-step overhead of the R binding: the loop of
# bench/step_overhead.cpp (Optimizer(Adam(lr = 1e-3), "cayley"), one Stiefel(N = 49, n = 7)
# parameter starting at random_point(1), fixed gradient 1e-3 * standard_normal_matrix(49, 7, 2))
# timed through the installed R package, next to
#   - the bare SWIG wrapper (.Call of the registered routine, no R layer),
#   - opt$value(1) (one 49x7 matrix copied out),
#   - the C++ loop itself when its path is given (--cpp).
# Overhead per step = R figure - C++ figure. Not a test. Usage (repository root, after building):
#   OPENBLAS_NUM_THREADS=1 Rscript bench/r_step_overhead.R --lib BUILD/r-lib \
#       [--cpp BUILD/bench/homopt_step_overhead] [--N 49 --n 7] [--batches 21 --steps 2000]

arguments <- commandArgs(trailingOnly = TRUE)
option <- function(name, default) {
  at <- match(paste0("--", name), arguments)
  if (is.na(at)) default else arguments[at + 1L]
}
library(homopt, lib.loc = option("lib", NULL))
N <- as.numeric(option("N", 49))
n <- as.numeric(option("n", 7))
batches <- as.integer(option("batches", 21))
steps <- as.integer(option("steps", 2000))
cpp <- option("cpp", NA)

report <- function(label, times) {
  cat(sprintf("%-60s median %8.3f us  (min %.3f, max %.3f)\n", label, stats::median(times),
              min(times), max(times)))
  invisible(stats::median(times))
}

make_optimizer <- function() {
  manifold <- Stiefel(N, n)
  opt <- Optimizer(Adam(lr = 1e-3), "cayley")
  opt$add(manifold, manifold$random_point(1))
  opt
}

G <- 1e-3 * standard_normal_matrix(N, n, 2)
gradients <- list(G)
cat(sprintf("R %s, homopt %s, Stiefel(N=%g, n=%g), Adam + Cayley, %d batches x %d steps\n",
            getRversion(), homopt_version(), N, n, batches, steps))
opt <- make_optimizer()
bare <- make_optimizer()
step_routine <- getNativeSymbolInfo("R_swig_Optimizer_step", "homopt")
size_routine <- getNativeSymbolInfo("R_swig_Optimizer_size", "homopt")
pointer <- bare$.pointer
calls <- list(
  function() opt$step(gradients),
  function() .Call(step_routine, pointer, gradients),
  function() opt$value(1),
  function() opt$size(),
  function() .Call(size_routine, pointer, FALSE))
# With --cpp, each round also runs the C++ loop for one batch (its own warm-up included),
# so that all figures of a round see the same machine load.
cpp_round <- if (is.na(cpp)) NULL else function() {
  line <- system2(cpp, c(N, n, 1, steps), stdout = TRUE)
  as.numeric(sub(".*median ([0-9.]+) us/step.*", "\\1", line))
}
for (call in calls) for (k in seq_len(steps)) call()
times <- t(vapply(seq_len(batches), function(b) {
  r <- vapply(calls, function(call) {
    start <- Sys.time()
    for (k in seq_len(steps)) call()
    as.numeric(difftime(Sys.time(), start, units = "secs")) / steps * 1e6
  }, 0)
  c(r, if (is.null(cpp_round)) NA else cpp_round())
}, numeric(length(calls) + 1L)))
r_step <- report("R: opt$step(list(G))", times[, 1])
swig_step <- report("R: .Call(R_swig_Optimizer_step, ...) (SWIG wrapper only)", times[, 2])
report("R: opt$value(1) (49x7 matrix copied out)", times[, 3])
report("R: opt$size() (a trivial verb through the R layer)", times[, 4])
report("R: .Call(R_swig_Optimizer_size, ...) (trivial verb, wrapper only)", times[, 5])
report("R layer on top of the SWIG wrapper, per step (same round)", times[, 1] - times[, 2])
stopifnot(Stiefel(N, n)$check(opt$value(1)) < 1e-12)
if (!is.null(cpp_round)) {
  cpp_step <- report("C++: Optimizer::step (bench/step_overhead.cpp, same rounds)", times[, 6])
  overhead <- report("overhead of R per step: opt$step - C++ (same round)", times[, 1] - times[, 6])
  report("overhead of the bare SWIG wrapper: .Call - C++ (same round)", times[, 2] - times[, 6])
  cat(sprintf("median overhead %.3f us = %.1f%% of the median C++ step\n", overhead,
              100 * overhead / cpp_step))
}
