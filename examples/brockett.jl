# Brockett problem: minimize f(Y) = tr(YᵀBYD) over the Stiefel manifold St(4, 20).
# B = diag(1, …, 20), D = diag(1, 2, 3, 4): the minimum is 4·1 + 3·2 + 2·3 + 1·4 = 20.
using HomOpt, LinearAlgebra

B, D = Diagonal(1.0:20.0), Diagonal([1.0, 2.0, 3.0, 4.0])
stiefel = Stiefel(20, 4)
result = optimize(Y -> tr(Y' * B * Y * D), Y -> 2 * B * Y * D, stiefel, random_point(stiefel, 42);
                  method = AdamWithDecay(decay_steps = 1000, lr_start = 0.05, lr_end = 1e-4), tol = 1e-8, maxiter = 3000)
println((result.fun, result.nit, result.message))
@assert result.success && abs(result.fun - 20) < 1e-9 && check(stiefel, result.x) < 1e-12
