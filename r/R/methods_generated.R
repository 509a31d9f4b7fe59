# Rendered from the core's API declaration (core/src/api.cpp) by bindings/api/api_render.cpp; do not edit (docs/api.md).
# Each constructor passes only the arguments given in the call to the core's
# make_method (method_from_arguments, methods.R); the formals show the core's defaults.

# Gradient: Plain gradient descent.
#   V = -lr*g
Gradient <- function(lr = 0.01) {
  method_from_arguments("Gradient", mget(as.character(names(match.call())[-1L])))
}

# Momentum: Heavy-ball momentum.
#   m <- alpha*m + g (m starts at 0);  V = -lr*m
Momentum <- function(lr = 0.001, alpha = 0.01) {
  method_from_arguments("Momentum", mget(as.character(names(match.call())[-1L])))
}

# Adam: Adam with bias correction, element-wise on the coordinates.
#   m <- beta1*m + (1-beta1)*g;  v <- beta2*v + (1-beta2)*g*g  (element-wise);
#   m_hat = m/(1-beta1^t);  v_hat = v/(1-beta2^t)  (amsgrad: v_max <- max(v_max, v) in place of v);
#   V = -lr*m_hat/(sqrt(v_hat) + eps)
Adam <- function(lr = 0.001, beta1 = 0.9, beta2 = 0.99, eps = 3e-07, amsgrad = FALSE) {
  method_from_arguments("Adam", mget(as.character(names(match.call())[-1L])))
}

# AdamWithDecay: Adam whose learning rate decays exponentially from lr_start to lr_end.
#   lr(t) = lr_start*(lr_end/lr_start)^(min(t-1, S-1)/(S-1)), S = decay_steps (S = 1: lr(t) = lr_end);
#   then Adam with lr = lr(t):
#   m <- beta1*m + (1-beta1)*g;  v <- beta2*v + (1-beta2)*g*g  (element-wise);
#   m_hat = m/(1-beta1^t);  v_hat = v/(1-beta2^t)  (amsgrad: v_max <- max(v_max, v) in place of v);
#   V = -lr*m_hat/(sqrt(v_hat) + eps)
AdamWithDecay <- function(decay_steps = 1000, lr_start = 0.01, lr_end = 1e-06, beta1 = 0.9, beta2 = 0.99, eps = 1e-08, amsgrad = FALSE) {
  method_from_arguments("AdamWithDecay", mget(as.character(names(match.call())[-1L])))
}

# BFGS: BFGS with a dense inverse Hessian H on the coordinates, safeguarded.
#   V = -lr*H*g;  with s = previous V, y = g - g_previous, b = -lr*g_previous:
#   update H only if s'y > eps*|s|*|y| and s'y >= 0.2*s'b; damp y towards b so that r'Hr <= 1000*s'r;
#   H <- (I - rho*s*r')*H*(I - rho*r*s') + rho*s*s', rho = 1/(s'r), kept only if H stays positive definite
BFGS <- function(lr = 0.01, eps = 1e-08, max_dimension = 4096) {
  method_from_arguments("BFGS", mget(as.character(names(match.call())[-1L])))
}
