# The optimizer (docs/methods.md, "The step"): one method, one retraction, one global step counter, any
# number of parameters, each on its own manifold. Parameter indices are 1-based in R.

new_optimizer <- function(pointer) {
  new_object(pointer, R_swig_delete_Optimizer, "homopt_Optimizer", list(
    # Adds a parameter on `manifold` starting at `initial_point`; returns its 1-based index
    # invisibly (a call at the prompt prints nothing; `i <- opt$add(...)` still gets it).
    add = function(manifold, initial_point) {
      manifold <- pointer_of(manifold, "homopt_manifold", "manifold")
      invisible(.Call(R_swig_Optimizer_add, pointer, manifold, initial_point, FALSE) + 1)
    },
    # One step with one Euclidean gradient dL/dY per parameter (a list in the order of add;
    # a single matrix is accepted for a one-parameter optimizer). All-or-nothing; returns
    # NULL invisibly.
    step = function(gradients) {
      if (is.matrix(gradients)) gradients <- list(gradients)
      .Call(R_swig_Optimizer_step, pointer, gradients)
      invisible(NULL)
    },
    # Current point of parameter i (1-based).
    value = function(i) {
      i <- require_index(i)
      .Call(R_swig_Optimizer_value, pointer, i - 1, FALSE)
    },
    # Current points of all parameters, as a list.
    values = function() {
      lapply(seq_len(.Call(R_swig_Optimizer_size, pointer, FALSE)) - 1,
             function(i) .Call(R_swig_Optimizer_value, pointer, i, FALSE))
    },
    size = function() .Call(R_swig_Optimizer_size, pointer, FALSE),
    step_count = function() .Call(R_swig_Optimizer_step_count, pointer, FALSE),
    retraction = function() .Call(R_swig_Optimizer_retraction_name, pointer, FALSE),
    # The method's description, e.g. "Adam(lr=0.001, ...)".
    method = function() .Call(R_swig_Optimizer_method_description, pointer, FALSE),
    # Description of parameter i's manifold, e.g. "Stiefel(N=49, n=7)".
    manifold = function(i) {
      i <- require_index(i)
      .Call(R_swig_Optimizer_manifold_description, pointer, i - 1, FALSE)
    },
    # Writes a checkpoint atomically (format: core/include/homopt/checkpoint.hpp); returns
    # path invisibly.
    save = function(path) {
      .Call(R_swig_Optimizer_save, pointer, path.expand(path))
      invisible(path)
    }
  ))
}

Optimizer <- function(method, retraction = "cayley") {
  method <- pointer_of(method, "homopt_method", "method")
  pointer <- .Call(R_swig_new_Optimizer, method, retraction)
  new_optimizer(pointer)
}

load_optimizer <- function(path) {
  if (!is.character(path) || length(path) != 1L || is.na(path)) {
    invalid_argument("path: expected one file name")
  }
  pointer <- .Call(R_swig_Optimizer_load, path.expand(path), FALSE)
  new_optimizer(pointer)
}

format.homopt_Optimizer <- function(x, ...) {
  deleted <- format_deleted(x)
  if (!is.null(deleted)) return(deleted)
  size <- x$size()
  c(sprintf("<homopt Optimizer> %s, retraction \"%s\", %g parameter%s, %g step%s taken",
            x$method(), x$retraction(), size, if (size == 1) "" else "s", x$step_count(),
            if (x$step_count() == 1) "" else "s"),
    vapply(seq_len(size), function(i) sprintf("  [%d] %s", i, x$manifold(i)), ""))
}
