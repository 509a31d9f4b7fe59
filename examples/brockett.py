# Brockett problem: minimize f(Y) = tr(YᵀBYD) over the Stiefel manifold St(4, 20).
# B = diag(1, …, 20), D = diag(1, 2, 3, 4): the minimum is 4·1 + 3·2 + 2·3 + 1·4 = 20.
import sys

import numpy as np

import homopt

B, D = np.diag(np.arange(1.0, 21.0)), np.diag([1.0, 2.0, 3.0, 4.0])
stiefel = homopt.Stiefel(20, 4)
result = homopt.minimize(lambda Y: (np.trace(Y.T @ B @ Y @ D), 2 * B @ Y @ D), stiefel.random_point(42), stiefel,
                         jac=True, method="adam_with_decay", decay_steps=1000, lr_start=0.05, lr_end=1e-4,
                         tol=1e-8, maxiter=3000)
print(result.fun, result.nit, result.message)
sys.exit(0 if result.success and abs(result.fun - 20) < 1e-9 and stiefel.check(result.x) < 1e-12 else 1)
