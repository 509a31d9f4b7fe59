# The Brockett problem of examples/brockett.jl through the C ABI (bindings/c/homopt.h) with
# plain ccall, no package: minimize tr(YᵀBYD) over St(4, 20); the minimum is 20.
# Usage: julia brockett_ccall.jl /path/to/libhomopt_c.so
using LinearAlgebra
const lib = ARGS[1]
check(status) = status == 0 || error(unsafe_string(ccall((:homopt_last_error, lib), Cstring, ())))
handle() = Ref{Ptr{Cvoid}}(C_NULL)

B, D = Diagonal(1.0:20.0), Diagonal([1.0, 2.0, 3.0, 4.0])
stiefel, method, optimizer, solver = handle(), handle(), handle(), handle()
check(ccall((:homopt_manifold_create, lib), Cint, (Cstring, Csize_t, Csize_t, Ptr{Ptr{Cvoid}}), "Stiefel", 20, 4, stiefel))
check(ccall((:homopt_method_create, lib), Cint, (Cstring, Ptr{Cstring}, Ptr{Cdouble}, Csize_t, Ptr{Ptr{Cvoid}}),
            "AdamWithDecay", ["decay_steps", "lr_start", "lr_end"], [1000.0, 0.05, 1e-4], 3, method))
check(ccall((:homopt_optimizer_create, lib), Cint, (Ptr{Cvoid}, Cstring, Ptr{Ptr{Cvoid}}), method[], "cayley", optimizer))
Y = Matrix{Float64}(undef, 20, 4)
check(ccall((:homopt_manifold_random_point, lib), Cint, (Ptr{Cvoid}, UInt64, Ptr{Cdouble}, Csize_t), stiefel[], 42, Y, length(Y)))
check(ccall((:homopt_optimizer_add, lib), Cint, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Csize_t}),
            optimizer[], stiefel[], Y, 20, 4, C_NULL))
# max_iterations 3000, gradient tolerance 1e-8, no value rule (0, window 1), no time limit
check(ccall((:homopt_solver_create, lib), Cint, (Ptr{Cvoid}, UInt64, Cdouble, Cdouble, UInt64, Cdouble, Ptr{Ptr{Cvoid}}),
            optimizer[], 3000, 1e-8, 0.0, 1, Inf, solver))
reason = Ref{Cint}(0)
while reason[] == 0                                  # HOMOPT_STOP_NONE: keep going
    check(ccall((:homopt_optimizer_value, lib), Cint, (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Csize_t), optimizer[], 0, Y, length(Y)))
    G = 2 * B * Y * D                                # Euclidean gradient of tr(YᵀBYD)
    GC.@preserve G check(ccall((:homopt_solver_tell, lib), Cint,
                               (Ptr{Cvoid}, Cdouble, Ptr{Ptr{Cdouble}}, Ptr{Csize_t}, Ptr{Csize_t}, Csize_t, Ptr{Cint}),
                               solver[], tr(Y' * B * Y * D), [pointer(G)], [Csize_t(20)], [Csize_t(4)], 1, reason))
end
steps = Ref{UInt64}(0)
check(ccall((:homopt_solver_iterations, lib), Cint, (Ptr{Cvoid}, Ptr{UInt64}), solver[], steps))
println("f = ", tr(Y' * B * Y * D), " after ", Int(steps[]), " steps (stop reason ", reason[], ")")
check(ccall((:homopt_solver_destroy, lib), Cint, (Ptr{Cvoid},), solver[]))
check(ccall((:homopt_optimizer_destroy, lib), Cint, (Ptr{Cvoid},), optimizer[]))
check(ccall((:homopt_method_destroy, lib), Cint, (Ptr{Cvoid},), method[]))
check(ccall((:homopt_manifold_destroy, lib), Cint, (Ptr{Cvoid},), stiefel[]))
@assert reason[] == 1 && abs(tr(Y' * B * Y * D) - 20) < 1e-9 && norm(Y' * Y - I) < 1e-12
