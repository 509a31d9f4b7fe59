# The solver loop (docs/solvers.md): Julia evaluates f and its gradient, the library's
# homopt_solver checks the stopping rules and steps the optimizer, so a run stops at the same
# iteration as in C++, Python and R. No Julia function is ever called from C.

# Stop reasons of the library (HOMOPT_STOP_*), by code.
const STOP_REASONS = (:gradient_tolerance, :value_tolerance, :max_iterations, :time_limit, :callback)

# The library's solver on an optimizer (kept referenced: the solver steps it).
mutable struct Solver
    handle::Ptr{Cvoid}
    optimizer::Optimizer
    function Solver(optimizer::Optimizer, maxiter::Integer, tol::Real, value_tolerance::Real,
                    value_window::Integer, time_limit::Real)
        handle = new_handle(out -> ccall(cfunction(:homopt_solver_create), Cint,
                                         (Ptr{Cvoid}, UInt64, Cdouble, Cdouble, UInt64, Cdouble, Ref{Ptr{Cvoid}}),
                                         optimizer, as_size(maxiter, "maxiter"), tol, value_tolerance,
                                         as_size(value_window, "value_window"), time_limit, out))
        return finalizer(release_solver!, new(handle, optimizer))
    end
end

Base.unsafe_convert(::Type{Ptr{Cvoid}}, solver::Solver) = solver.handle

function release_solver!(solver::Solver)
    if solver.handle != C_NULL
        ccall(cfunction(:homopt_solver_destroy), Cint, (Ptr{Cvoid},), solver.handle)
        solver.handle = C_NULL
    end
    return nothing
end

# One tell: value f(x_k) and the gradients at x_k; returns the stop reason code (0: go on).
function tell!(solver::Solver, value::Float64, gradients::AbstractVector)
    reason = Ref{Cint}(-1)
    with_gradient_arrays(gradients) do pointers, rows, cols, count
        ccall(cfunction(:homopt_solver_tell), Cint,
              (Ptr{Cvoid}, Cdouble, Ptr{Ptr{Cdouble}}, Ptr{Csize_t}, Ptr{Csize_t}, Csize_t, Ref{Cint}),
              solver, value, pointers, rows, cols, count, reason)
    end
    return Int(reason[])
end

# A scalar query homopt_solver_<name>(solver, T*).
function solver_query(name::Symbol, ::Type{T}, solver::Solver) where {T}
    out = Ref{T}(zero(T))
    throw_on_error(ccall(cfunction(name), Cint, (Ptr{Cvoid}, Ref{T}), solver, out))
    return out[]
end

function solver_history(solver::Solver)
    history = Vector{Float64}(undef, Int(solver_query(:homopt_solver_history_length, Csize_t, solver)))
    throw_on_error(ccall(cfunction(:homopt_solver_history), Cint, (Ptr{Cvoid}, Ptr{Cdouble}, Csize_t),
                         solver, history, length(history)))
    return history
end

"""
    OptimizeResult

What [`optimize`](@ref) returns (the fields of Python's `homopt.minimize` result):
`x` (the final point; a vector of points for several parameters), `fun` (f(x)), `nit` (steps
taken), `success` (a convergence rule stopped the run), `status` (1 gradient tolerance,
2 value tolerance, 3 maxiter, 4 time limit, 5 callback), `reason` (the status as a Symbol),
`message`, `gradient_norm` (‖c‖₂ of the lifted gradient at x), `history` (f(x_0), …,
f(x_nit)) and `optimizer` (the optimizer after the run; pass it as `optimizer =` to continue).
"""
struct OptimizeResult
    x::Any
    fun::Float64
    nit::Int
    success::Bool
    status::Int
    reason::Symbol
    message::String
    gradient_norm::Float64
    history::Vector{Float64}
    optimizer::Optimizer
end

function Base.show(io::IO, result::OptimizeResult)
    print(io, "OptimizeResult(fun = ", result.fun, ", nit = ", result.nit, ", status = ", result.status,
          " (", result.reason, "), message = \"", result.message, "\")")
end

# The optimizer of a run: a new one with `method` and the starting points, or the one given.
function solver_optimizer(manifold, x0, method::Method, optimizer)
    optimizer === nothing || return optimizer
    several = manifold isa Union{AbstractVector, Tuple}
    manifolds = several ? collect(manifold) : [manifold]
    starts = several ? x0 : [x0]
    if several && !(x0 isa Union{AbstractVector, Tuple} && length(x0) == length(manifolds))
        throw(ArgumentError("x0: expected $(length(manifolds)) starting points (one per manifold)"))
    end
    run = Optimizer(method)
    for (k, space) in enumerate(manifolds)
        space isa Manifold || throw(ArgumentError("manifold: expected a homopt manifold, got $(typeof(space))"))
        add!(run, space, starts[k])
    end
    return run
end

"""
    optimize(f, grad, manifold, x0; method = Adam(), maxiter = 1000, tol = 0, value_tolerance = 0,
             value_window = 1, time_limit = Inf, callback = nothing, optimizer = nothing) -> OptimizeResult

Minimizes `f` over `manifold` from `x0` with a homopt method. `grad(x)` is the Euclidean
gradient ∂f/∂x (homopt lifts it). Several parameters: `manifold` and `x0` are vectors of the
same length, `f` and `grad` receive a vector of points and `grad` returns a vector of
gradients. The rules, checked at each point x_k before its step (docs/solvers.md):
`tol` — stop when ‖c‖₂ ≤ tol, c the lifted gradient (0: off); `value_tolerance` — stop when
|f_{k−w} − f_k| ≤ value_tolerance·max(|f_{k−w}|, |f_k|, 1), w = `value_window` (0: off);
`time_limit` in seconds; `maxiter` steps. `callback(k, fk, xk)` returning `true` stops the
run before that step. `optimizer`: continue an existing optimizer (then `manifold` and `x0`
are `nothing`). An exception from `f`, `grad` or `callback` propagates and leaves the
optimizer after its last completed step; a NaN/Inf value or gradient throws a
`HomOptError(:invalid_argument)` naming `value` or `gradients[i]`.
"""
function optimize(f, grad, manifold, x0; method::Method = Adam(), maxiter::Integer = 1000, tol::Real = 0,
                  value_tolerance::Real = 0, value_window::Integer = 1, time_limit::Real = Inf,
                  callback = nothing, optimizer::Union{Optimizer, Nothing} = nothing)
    if optimizer !== nothing && (manifold !== nothing || x0 !== nothing)
        throw(ArgumentError("optimizer: give either optimizer or manifold and x0 (pass nothing for them)"))
    end
    run = solver_optimizer(manifold, x0, method, optimizer)
    several = length(run) > 1
    solver = Solver(run, maxiter, tol, value_tolerance, value_window, time_limit)
    while true
        points = [value(run, i) for i in 1:length(run)]
        x = several ? points : points[1]
        fx = f(x)
        fx isa Real || throw(ArgumentError("f: must return a real number, got $(typeof(fx))"))
        gradient = grad(x)
        k = Int(solver_query(:homopt_solver_iterations, UInt64, solver))
        if callback !== nothing && callback(k, fx, x) === true
            throw_on_error(ccall(cfunction(:homopt_solver_request_stop), Cint, (Ptr{Cvoid},), solver))
        end
        if tell!(solver, Float64(fx), several ? gradient : [gradient]) != 0
            status = Int(solver_query(:homopt_solver_reason, Cint, solver))
            return OptimizeResult(x, Float64(fx), Int(solver_query(:homopt_solver_iterations, UInt64, solver)),
                                  status <= 2, status, STOP_REASONS[status],
                                  string_out(:homopt_solver_message, solver),
                                  solver_query(:homopt_solver_gradient_norm, Cdouble, solver),
                                  solver_history(solver), run)
        end
    end
end
