# optim_manifold: the solver loop in the shape of stats::optim (docs/solvers.md). R evaluates
# fn and gr; the stopping rules and the step run in the core's Solver (bindings/swig/solver.i),
# so a run stops at the same iteration as in C++, Python and Julia.

# convergence codes, by the core's stop reason (1 gradient, 2 value, 3 max iterations,
# 4 time limit, 5 callback): 0 converged, as optim; 1 maxit reached, as optim.
convergence_codes <- c(0L, 0L, 1L, 2L, 3L)

# The method of a run: a name (case-insensitive: "adam", "bfgs", "adam_with_decay", ...)
# made by the core with its declared defaults, or a homopt method object used as is.
solver_method <- function(method) {
  if (inherits(method, "homopt_method")) return(method)
  if (!is.character(method) || length(method) != 1L || is.na(method)) {
    invalid_argument("method: expected a name such as \"adam\" or a homopt method (e.g. Adam(lr = 0.1))")
  }
  method_from_arguments(.Call(R_swig_canonical_method_name, method, FALSE), list())
}

# The control list with optim_manifold's defaults filled in; unknown names are an error.
solver_control <- function(control) {
  defaults <- list(maxit = 1000, gtol = 0, reltol = 0, window = 1, time_limit = Inf, trace = 0,
                   REPORT = 10)
  if (!is.list(control)) invalid_argument("control: expected a list")
  unknown <- setdiff(names(control), names(defaults))
  if (length(unknown) > 0L) {
    invalid_argument(sprintf("control: unknown name%s %s (known: %s)", if (length(unknown) > 1L) "s" else "",
                             paste(unknown, collapse = ", "), paste(names(defaults), collapse = ", ")))
  }
  defaults[names(control)] <- control
  defaults
}

# The optimizer of a run, from par and manifold (one matrix and one manifold, or lists of
# the same length), or the optimizer given.
solver_optimizer <- function(par, manifold, method, optimizer) {
  if (!is.null(optimizer)) {
    pointer_of(optimizer, "homopt_Optimizer", "optimizer")
    if (!is.null(par) || !is.null(manifold)) invalid_argument("optimizer: give either optimizer or par and manifold")
    return(optimizer)
  }
  several <- is.list(manifold) && !inherits(manifold, "homopt_object")
  manifolds <- if (several) manifold else list(manifold)
  starts <- if (several) par else list(par)
  if (several && (!is.list(par) || length(par) != length(manifolds))) {
    invalid_argument(sprintf("par: expected a list of %d starting points (one per manifold)", length(manifolds)))
  }
  result <- Optimizer(method)
  for (k in seq_along(manifolds)) {
    argument <- if (several) sprintf("manifold[[%d]]", k) else "manifold"
    pointer_of(manifolds[[k]], "homopt_manifold", argument)
    result$add(manifolds[[k]], starts[[k]])
  }
  result
}

# The core's Solver on `optimizer` with the rules of `control`.
new_solver <- function(optimizer, control) {
  pointer <- .Call(R_swig_new_Solver, optimizer$.pointer, control$maxit, control$gtol, control$reltol,
                   control$window, control$time_limit)
  new_object(pointer, R_swig_delete_Solver, "homopt_Solver", list(
    optimizer = optimizer,  # kept referenced: the Solver steps it
    tell = function(value, gradients) .Call(R_swig_Solver_tell, pointer, value, gradients, FALSE),
    request_stop = function() .Call(R_swig_Solver_request_stop, pointer),
    iterations = function() .Call(R_swig_Solver_iterations, pointer, FALSE),
    reason = function() .Call(R_swig_Solver_reason_code, pointer, FALSE),
    reason_name = function() .Call(R_swig_Solver_reason_name, pointer, FALSE),
    gradient_norm = function() .Call(R_swig_Solver_gradient_norm, pointer, FALSE),
    message = function() .Call(R_swig_Solver_message, pointer, FALSE),
    history = function() .Call(R_swig_Solver_history, pointer, FALSE)
  ))
}

optim_manifold <- function(par, fn, gr, manifold, method = "adam", control = list(), ..., callback = NULL,
                           optimizer = NULL) {
  if (!is.function(fn)) invalid_argument("fn: expected a function")
  if (!is.function(gr)) invalid_argument("gr: expected a function (the Euclidean gradient)")
  if (!is.null(callback) && !is.function(callback)) invalid_argument("callback: expected a function or NULL")
  control <- solver_control(control)
  if (missing(par)) par <- NULL
  if (missing(manifold)) manifold <- NULL
  run <- solver_optimizer(par, manifold, if (is.null(optimizer)) solver_method(method), optimizer)
  several <- run$size() > 1
  solver <- new_solver(run, control)
  on.exit(solver$delete())
  repeat {
    points <- run$values()
    point <- if (several) points else points[[1L]]
    value <- fn(point, ...)
    if (!is.numeric(value) || length(value) != 1L) {
      invalid_argument(sprintf("fn: must return one number, got a %s of length %d", class(value)[1L],
                               length(value)))
    }
    gradient <- gr(point, ...)
    k <- solver$iterations()
    if (control$trace > 0 && k == 0) cat(sprintf("initial  value %f \n", value))
    else if (control$trace > 0 && k %% control$REPORT == 0) cat(sprintf("iter %4d value %f\n", k, value))
    if (!is.null(callback) && isTRUE(callback(k, value, point))) solver$request_stop()
    if (solver$tell(as.double(value), if (several) gradient else list(gradient)) != 0) break
  }
  reason <- solver$reason()
  if (control$trace > 0) {
    cat(sprintf("final  value %f \n", value))
    cat(if (reason <= 2) "converged\n" else sprintf("stopped: %s\n", solver$message()))
  }
  iterations <- solver$iterations()
  list(par = point, value = value,
       counts = c(`function` = iterations + 1, gradient = iterations + 1),
       convergence = convergence_codes[[reason]], message = solver$message(),
       iterations = iterations, reason = solver$reason_name(), gradient_norm = solver$gradient_norm(),
       history = solver$history(), optimizer = run)
}
