# Optimizer methods (docs/methods.md), with the reference defaults of the C++ constructors.
# A method object only carries hyperparameters; Optimizer() copies it.

new_method <- function(pointer, class, delete_routine, extra = list()) {
  new_object(pointer, delete_routine, c(paste0("homopt_", class), "homopt_method"), c(list(
    name = function() .Call(R_swig_Method_name, pointer, FALSE),
    # "Adam(lr=0.001, beta1=0.9, ...)", as in C++.
    description = function() .Call(R_swig_Method_description, pointer, FALSE),
    # Named numeric vector of the hyperparameters, in the order of the constructor.
    hyperparameters = function() {
      stats::setNames(.Call(R_swig_Method_hyperparameter_values, pointer, FALSE),
                      .Call(R_swig_Method_hyperparameter_names, pointer, FALSE))
    }
  ), extra))
}

Gradient <- function(lr = 1e-2) {
  pointer <- .Call(R_swig_new_Gradient, lr)
  new_method(pointer, "Gradient", R_swig_delete_Gradient)
}

Momentum <- function(lr = 1e-3, alpha = 1e-2) {
  pointer <- .Call(R_swig_new_Momentum, lr, alpha)
  new_method(pointer, "Momentum", R_swig_delete_Momentum)
}

Adam <- function(lr = 1e-3, beta1 = 0.9, beta2 = 0.99, eps = 3e-7, amsgrad = FALSE) {
  pointer <- .Call(R_swig_new_Adam, lr, beta1, beta2, eps, amsgrad)
  new_method(pointer, "Adam", R_swig_delete_Adam)
}

AdamWithDecay <- function(decay_steps = 1000, lr_start = 1e-2, lr_end = 1e-6, beta1 = 0.9,
                          beta2 = 0.99, eps = 1e-8, amsgrad = FALSE) {
  pointer <- .Call(R_swig_new_AdamWithDecay, decay_steps, lr_start, lr_end, beta1, beta2, eps,
                    amsgrad)
  new_method(pointer, "AdamWithDecay", R_swig_delete_AdamWithDecay, list(
    # lr(t) = lr_start * (lr_end / lr_start)^(min(t - 1, S - 1) / (S - 1)), S = decay_steps.
    learning_rate = function(t) .Call(R_swig_AdamWithDecay_learning_rate, pointer, t, FALSE)
  ))
}

BFGS <- function(lr = 1e-2, eps = 1e-8, max_dimension = 4096) {
  pointer <- .Call(R_swig_new_BFGS, lr, eps, max_dimension)
  new_method(pointer, "BFGS", R_swig_delete_BFGS)
}

format.homopt_method <- function(x, ...) {
  deleted <- format_deleted(x)
  if (!is.null(deleted)) return(deleted)
  sprintf("<homopt method> %s", x$description())
}
