# Brockett problem: minimize f(Y) = tr(Y'BYD) over the Stiefel manifold St(4, 20).
# B = diag(1, ..., 20), D = diag(1, 2, 3, 4): the minimum is 4*1 + 3*2 + 2*3 + 1*4 = 20.
library(homopt)

B <- diag(1:20); D <- diag(1:4)
stiefel <- Stiefel(20, 4)
result <- optim_manifold(stiefel$random_point(42), function(Y) sum(diag(t(Y) %*% B %*% Y %*% D)),
                         function(Y) 2 * B %*% Y %*% D, stiefel,
                         method = AdamWithDecay(decay_steps = 1000, lr_start = 0.05, lr_end = 1e-4),
                         control = list(maxit = 3000, gtol = 1e-8))
print(result[c("value", "counts", "convergence", "message")])
stopifnot(result$convergence == 0, abs(result$value - 20) < 1e-9, stiefel$check(result$par) < 1e-12)
