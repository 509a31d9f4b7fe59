# Optimizer methods (docs/api.md). The constructors Gradient, Momentum, Adam, AdamWithDecay
# and BFGS are rendered from the core's API declaration into methods_generated.R (real
# formals showing the core's defaults, so args(Adam) tells the truth); each passes only the
# arguments given in the call to method_from_arguments. A method object only carries
# hyperparameters; Optimizer() copies it.

new_method <- function(pointer, class, delete_routine, extra = list()) {
  new_object(pointer, delete_routine, c(paste0("homopt_", class), "homopt_method"), c(list(
    name = function() .Call(R_swig_Method_name, pointer, FALSE),
    # "Adam(lr=0.001, beta1=0.9, ...)", as in C++.
    description = function() .Call(R_swig_Method_description, pointer, FALSE),
    # Named numeric vector of the hyperparameters, in the order of the declaration.
    hyperparameters = function() {
      stats::setNames(.Call(R_swig_Method_hyperparameter_values, pointer, FALSE),
                      .Call(R_swig_Method_hyperparameter_names, pointer, FALSE))
    }
  ), extra))
}

# Verbs of one method class beyond those of every method.
method_extras <- function(class, pointer) {
  if (class != "AdamWithDecay") return(list())
  list(
    # lr(t) = lr_start * (lr_end / lr_start)^(min(t - 1, S - 1) / (S - 1)), S = decay_steps.
    learning_rate = function(t) .Call(R_swig_AdamWithDecay_learning_rate, pointer, t, FALSE)
  )
}

# What each kind of hyperparameter must be in R (the rules of the SWIG readers, r_arma.i).
hyperparameter_expectations <- c(real = "expected one number", count = "expected one whole number >= 0",
                                 flag = "expected TRUE or FALSE")

# `value` of hyperparameter `key` (of kind "real", "count" or "flag") as one double, or a
# homopt_type_error naming the key. Range checks are the core's (homopt_invalid_argument).
hyperparameter_value <- function(key, kind, value) {
  number <- (is.double(value) || is.integer(value)) && length(value) == 1L && !is.matrix(value)
  ok <- switch(kind,
    real = number,
    count = number && is.finite(value) && value >= 0 && value == floor(value) && value <= 2^53,
    flag = is.logical(value) && length(value) == 1L && !is.na(value))
  if (!isTRUE(ok)) {
    got <- if (number || (is.logical(value) && length(value) == 1L)) format(value, digits = 17)
           else sprintf("a %s of length %d", class(value)[1L], length(value))
    stop(homopt_condition(sprintf("%s: %s, got %s", key, hyperparameter_expectations[[kind]], got),
                          c("homopt_type_error", "homopt_invalid_argument")))
  }
  as.double(value)
}

# The method `class` made by the core from the arguments given (a named list): only these
# are passed on, the core supplies the declared defaults and checks the ranges.
method_from_arguments <- function(class, given) {
  keys <- names(given)
  declared <- .Call(R_swig_method_spec_hyperparameter_names, class, FALSE)
  kinds <- vapply(match(keys, declared) - 1, function(index) {
    .Call(R_swig_hyperparameter_text, class, index, "kind", FALSE)
  }, character(1))
  values <- vapply(seq_along(keys), function(k) hyperparameter_value(keys[[k]], kinds[[k]], given[[k]]),
                   numeric(1))
  pointer <- .Call(get(paste0("R_swig_new_", class)), as.character(keys), values)
  new_method(pointer, class, get(paste0("R_swig_delete_", class)), method_extras(class, pointer))
}

# The core's declaration of method `name` (or of every method, name = NULL): a data frame
# with one row per hyperparameter (method, name, kind, default, range, meaning).
method_spec <- function(name = NULL) {
  names <- if (is.null(name)) .Call(R_swig_method_spec_names, FALSE) else name
  rows <- lapply(names, function(method) {
    keys <- .Call(R_swig_method_spec_hyperparameter_names, method, FALSE)
    text <- function(field) vapply(seq_along(keys) - 1, function(index) {
      .Call(R_swig_hyperparameter_text, method, index, field, FALSE)
    }, character(1))
    data.frame(method = rep(method, length(keys)), name = keys, kind = text("kind"),
               default = .Call(R_swig_method_spec_defaults, method, FALSE), range = text("range"),
               meaning = text("meaning"), stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

format.homopt_method <- function(x, ...) {
  deleted <- format_deleted(x)
  if (!is.null(deleted)) return(deleted)
  sprintf("<homopt method> %s", x$description())
}
