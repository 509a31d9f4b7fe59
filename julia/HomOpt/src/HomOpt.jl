"""
    HomOpt

Optimization on homogeneous spaces (Stiefel, Grassmann, symplectic Stiefel/Grassmann and
plain vector spaces) with the global-tangent-space Adam of Brantner (arXiv 2305.16901),
through the C ABI of the homopt library (`libhomopt_c.so`, see `bindings/c/homopt.h`).

The library is located, in this order, by
1. `ENV["HOMOPT_LIB"]`: the full path of `libhomopt_c.so`;
2. `ENV["HOMOPT_BUILD_DIR"]`: a homopt build folder (the library is
   `bindings/c/libhomopt_c.so` inside it);
3. the path recorded in `deps/deps.jl` by `] build HomOpt` (`deps/build.jl`, which finds an
   installed or built library, or builds one);
4. the folder `build/` of the homopt checkout this package lives in.

Matrices are ordinary `Matrix{Float64}` (column-major, as in C). Other real matrices
(`Int`, `Float32`, views, transposes, …) are converted to a `Matrix{Float64}` copy; anything
else is rejected with an `ArgumentError`. Errors reported by the library are thrown as
[`HomOptError`](@ref); a parameter index out of range throws a `BoundsError`.

Indices are 1-based: `add!` returns 1, 2, …, and `value(opt, i)` takes them.
"""
module HomOpt

using Libdl

export Manifold, Stiefel, Grassmann, Euclidean, SymplecticStiefel, SymplecticGrassmann
# The method type, HomOpt.Method, is not exported: Base exports a `Method` of its own.
export Gradient, Momentum, Adam, AdamWithDecay, BFGS
export Optimizer, HomOptError
export standard_normal_matrix, random_point, check, riemannian_gradient, dimension, tolerance
export hyperparameters, add!, step!, value, step_count, retraction, save
export optimize, OptimizeResult

# ------------------------------------------------------------------ the library

const LIBRARY = Ref{Ptr{Cvoid}}(C_NULL)
const LIBRARY_PATH = Ref{String}("")

# Written by `] build HomOpt` (deps/build.jl): one line `const LIBHOMOPT_C = "<path>"`.
const DEPS_FILE = normpath(joinpath(@__DIR__, "..", "deps", "deps.jl"))

"""
    recorded_library_path() -> Union{String, Nothing}

The library path that `] build HomOpt` recorded in `deps/deps.jl`, or `nothing` without one.
Read as text when the package loads (not `include`d), so a rebuild needs no recompilation.
"""
function recorded_library_path()
    isfile(DEPS_FILE) || return nothing
    for line in eachline(DEPS_FILE)
        found = match(r"^const LIBHOMOPT_C = (\".*\")\s*$", line)
        found === nothing && continue
        path = Meta.parse(found[1])
        path isa String && return path
    end
    error("HomOpt: $DEPS_FILE has no line `const LIBHOMOPT_C = \"<path>\"`; run `] build HomOpt`")
end

"""
    library_path() -> String

Path of `libhomopt_c.so`: `ENV["HOMOPT_LIB"]` if set, else
`joinpath(ENV["HOMOPT_BUILD_DIR"], "bindings", "c", "libhomopt_c.so")` if set, else the path
recorded by `] build HomOpt` in `deps/deps.jl`, else the same file under the `build/` folder
of the homopt checkout containing this package.
"""
function library_path()
    path = get(ENV, "HOMOPT_LIB", "")
    isempty(path) || return path
    build = get(ENV, "HOMOPT_BUILD_DIR", "")
    isempty(build) || return joinpath(build, "bindings", "c", "libhomopt_c.so")
    recorded = recorded_library_path()
    recorded === nothing || return recorded
    checkout = normpath(joinpath(@__DIR__, "..", "..", ".."))
    return joinpath(checkout, "build", "bindings", "c", "libhomopt_c.so")
end

function __init__()
    path = library_path()
    if !isfile(path)
        error("HomOpt: libhomopt_c.so not found at $path; run `] build HomOpt` (finds or builds " *
              "it), or set ENV[\"HOMOPT_LIB\"] to the library's path")
    end
    LIBRARY[] = Libdl.dlopen(path)
    LIBRARY_PATH[] = path
    return nothing
end

# The address of a C function of the library (no Julia-side cache, so it is safe to call
# from finalizers and from several threads).
cfunction(name::Symbol) = Libdl.dlsym(LIBRARY[], name)

"""
    version() -> String

Version of the loaded homopt library, e.g. `"0.1.0"`.
"""
version() = unsafe_string(ccall(cfunction(:homopt_version), Cstring, ()))

"""
    live_handle_count() -> Int

Number of library objects (manifolds, methods, optimizers) currently alive, in all
languages of this process. Objects are released by finalizers (`GC.gc()`) or `finalize(x)`.
"""
function live_handle_count()
    count = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(:homopt_live_handle_count), Cint, (Ref{Csize_t},), count))
    return Int(count[])
end

# ------------------------------------------------------------------ errors

"""
    HomOptError(status, msg)

An error reported by the homopt library. `status` is one of `:invalid_argument`,
`:index_error`, `:file_error`, `:null_handle` (a destroyed object), `:buffer_too_small`,
`:out_of_memory`, `:internal_error`; `msg` is the library's message, which names the
offending argument or file.
"""
struct HomOptError <: Exception
    status::Symbol
    msg::String
end

Base.showerror(io::IO, error::HomOptError) = print(io, "HomOptError(:", error.status, "): ", error.msg)

const STATUS_NAMES = (:invalid_argument, :index_error, :file_error, :null_handle, :buffer_too_small,
                      :out_of_memory, :internal_error)

# Throws the library's last error unless `status` is 0 (HOMOPT_OK).
function throw_on_error(status::Integer)
    status == 0 && return nothing
    name = 1 <= status <= length(STATUS_NAMES) ? STATUS_NAMES[status] : :unknown
    message = unsafe_string(ccall(cfunction(:homopt_last_error), Cstring, ()))
    throw(HomOptError(name, message))
end

# ------------------------------------------------------------------ conversions

# A Matrix{Float64} with the entries of `x` (x itself if it already is one).
as_matrix(x::Matrix{Float64}, argument::AbstractString) = x
as_matrix(x::AbstractMatrix{<:Real}, argument::AbstractString) = Matrix{Float64}(x)
function as_matrix(x::AbstractVector{<:Real}, argument::AbstractString)
    throw(ArgumentError("$argument: expected a matrix, got a vector of length $(length(x)); " *
                        "use reshape(v, :, 1) for a column"))
end
function as_matrix(x, argument::AbstractString)
    throw(ArgumentError("$argument: expected a real matrix (AbstractMatrix{<:Real}), got $(typeof(x))"))
end

# A non-negative integer as Csize_t / UInt64 (ArgumentError naming `argument` otherwise).
function as_size(x::Integer, argument::AbstractString)
    x >= 0 || throw(ArgumentError("$argument: must be ≥ 0, got $x"))
    x <= typemax(Csize_t) || throw(ArgumentError("$argument: too large, got $x"))
    return Csize_t(x)
end
function as_seed(x::Integer)
    0 <= x <= typemax(UInt64) || throw(ArgumentError("seed: must lie in 0:typemax(UInt64), got $x"))
    return UInt64(x)
end

# Reads a string through the library's string-out convention (length query, then copy);
# `call(buffer, capacity, length)` runs the C function and returns its status.
function string_from(call)
    length = Ref{Csize_t}(0)
    throw_on_error(call(C_NULL, 0, length))
    buffer = Vector{UInt8}(undef, length[] + 1)
    throw_on_error(call(buffer, sizeof(buffer), length))
    return String(buffer[1:length[]])
end

# The string-out function `name` of a library object.
string_out(name::Symbol, handle) =
    string_from((buffer, capacity, length) -> ccall(cfunction(name), Cint,
                                                    (Ptr{Cvoid}, Ptr{UInt8}, Csize_t, Ref{Csize_t}),
                                                    handle, buffer, capacity, length))

# Creates a library object through `create(out::Ref{Ptr{Cvoid}}) -> status`.
function new_handle(create)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    throw_on_error(create(out))
    return out[]
end

# ------------------------------------------------------------------ handles

"""
    Manifold{Name}

A homogeneous space of the homopt library; `Name` is its type name (`:Stiefel`,
`:Grassmann`, `:Euclidean`, `:SymplecticStiefel`, `:SymplecticGrassmann`). Construct it with
the aliases [`Stiefel`](@ref), [`Grassmann`](@ref), … or `Manifold{Name}(a, b)`. The library
object is released by a finalizer (or `finalize(m)`; using `m` afterwards throws a
`HomOptError(:null_handle)`).
"""
mutable struct Manifold{Name}
    handle::Ptr{Cvoid}
    function Manifold{Name}(handle::Ptr{Cvoid}) where {Name}
        return finalizer(release!, new{Name}(handle))
    end
end

"""
    HomOpt.Method{Name}

An optimizer method of the homopt library ([`Gradient`](@ref), [`Momentum`](@ref),
[`Adam`](@ref), [`AdamWithDecay`](@ref), [`BFGS`](@ref)); it acts on the packed coordinates
of the global tangent space, so it knows nothing about manifolds.
"""
mutable struct Method{Name}
    handle::Ptr{Cvoid}
    function Method{Name}(handle::Ptr{Cvoid}) where {Name}
        return finalizer(release!, new{Name}(handle))
    end
end

"""
    Optimizer(method; retraction = :cayley)

An optimizer: a copy of `method`, a retraction (`:cayley`, R = (I − V/2)⁻¹(I + V/2), or
`:geodesic`, R = exp(V)) and one global step counter for any number of parameters, each on
its own manifold. Each step lifts every Euclidean gradient G = ∂L/∂Y to the global tangent
space, lets the method turn it into a velocity V, and moves the section λ ← λ·R(V), Y = λE.
"""
mutable struct Optimizer
    handle::Ptr{Cvoid}
    function Optimizer(handle::Ptr{Cvoid})
        return finalizer(release!, new(handle))
    end
end

const Handle = Union{Manifold, Method, Optimizer}

# Passing a handle object to ccall as Ptr{Cvoid} keeps the object rooted during the call.
Base.unsafe_convert(::Type{Ptr{Cvoid}}, object::Handle) = object.handle

destroy_function(::Manifold) = :homopt_manifold_destroy
destroy_function(::Method) = :homopt_method_destroy
destroy_function(::Optimizer) = :homopt_optimizer_destroy

# Finalizer: destroys the library object once (later uses report a NULL handle).
function release!(object::Handle)
    if object.handle != C_NULL
        ccall(cfunction(destroy_function(object)), Cint, (Ptr{Cvoid},), object.handle)
        object.handle = C_NULL
    end
    return nothing
end

# ------------------------------------------------------------------ manifolds

"""
    Stiefel(N, n)

St(n, N) = {Y ∈ ℝ^{N×n} : YᵀY = I}, the homogeneous space O(N)/O(N−n) with E = [I; 0].
Dimension n(n−1)/2 + (N−n)n; Riemannian gradient (canonical metric) G − Y GᵀY.
"""
const Stiefel = Manifold{:Stiefel}

"""
    Grassmann(N, n)

Gr(n, N): n-dimensional subspaces of ℝ^N as orthonormal N×n bases Y (compare points by
projectors YYᵀ). Dimension (N−n)n; Riemannian gradient G − YYᵀG.
"""
const Grassmann = Manifold{:Grassmann}

"""
    Euclidean(rows, cols)

The vector space ℝ^{rows×cols}: the step is Y ← Y + V, so every method is its textbook self.
"""
const Euclidean = Manifold{:Euclidean}

"""
    SymplecticStiefel(N, n)

SpSt(2n, 2N) = {U ∈ ℝ^{2N×2n} : UᵀJ₂ₙU = J₂ₙ}, J₂ₘ = [0 I; −I 0]; dimension 4Nn − 2n² + n.
Available if the loaded library has it.
"""
const SymplecticStiefel = Manifold{:SymplecticStiefel}

"""
    SymplecticGrassmann(N, n)

SpGr(2n, 2N) = SpSt(2n, 2N)/Sp(2n); dimension 4n(N−n). Available if the loaded library has it.
"""
const SymplecticGrassmann = Manifold{:SymplecticGrassmann}

function Manifold{Name}(a::Integer, b::Integer) where {Name}
    Name isa Symbol || throw(ArgumentError("Manifold{Name}: Name must be a Symbol, got $(repr(Name))"))
    # The library bounds the sizes (every matrix ≤ 2^31 − 1 elements) and names N/n or rows/cols.
    size_a = as_size(a, Name === :Euclidean ? "rows" : "N")
    size_b = as_size(b, Name === :Euclidean ? "cols" : "n")
    return Manifold{Name}(new_handle(out -> ccall(cfunction(:homopt_manifold_create), Cint,
                                                 (Cstring, Csize_t, Csize_t, Ref{Ptr{Cvoid}}),
                                                 String(Name), size_a, size_b, out)))
end

"""
    HomOpt.manifold(name, a, b) -> Manifold

Any manifold of the library by name (`"Stiefel"`, `"SymplecticGrassmann"`, …) and its two
shape parameters, e.g. `HomOpt.manifold("Stiefel", 49, 7) == Stiefel(49, 7)`.
"""
manifold(name::Union{AbstractString, Symbol}, a::Integer, b::Integer) = Manifold{Symbol(name)}(a, b)

# A Manifold{Name} or Method{Name} around a handle returned by the library, with Name read
# from the library object (`name_function`: homopt_manifold_name or homopt_method_name).
function wrap(::Type{T}, name_function::Symbol, handle::Ptr{Cvoid}) where {T}
    untyped = T{:unknown}(handle)  # releases the handle if reading the name fails
    name = Symbol(string_out(name_function, untyped))
    untyped.handle = C_NULL        # ownership moves to the typed object
    return T{name}(handle)
end
wrap_manifold(handle::Ptr{Cvoid}) = wrap(Manifold, :homopt_manifold_name, handle)

# A size_t query of a manifold.
function size_query(name::Symbol, m::Manifold)
    value = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(name), Cint, (Ptr{Cvoid}, Ref{Csize_t}), m, value))
    return Int(value[])
end

"""
    size(m::Manifold) -> (rows, cols)

Shape of a point matrix of `m`.
"""
Base.size(m::Manifold) = (size_query(:homopt_manifold_rows, m), size_query(:homopt_manifold_cols, m))

"""
    dimension(m::Manifold) -> Int

Manifold dimension = length of the packed tangent coordinates (Stiefel n(n−1)/2 + (N−n)n,
Grassmann (N−n)n, Euclidean rows·cols, …).
"""
dimension(m::Manifold) = size_query(:homopt_manifold_dimension, m)

"""
    tolerance(m::Manifold) -> Float64

Largest constraint residual [`check`](@ref) may return for a point that `add!` accepts.
"""
function tolerance(m::Manifold)
    value = Ref{Cdouble}(0)
    throw_on_error(ccall(cfunction(:homopt_manifold_tolerance), Cint, (Ptr{Cvoid}, Ref{Cdouble}), m, value))
    return value[]
end

"""
    standard_normal_matrix(rows, cols, seed) -> Matrix{Float64}

rows×cols independent standard normals from `std::mt19937_64(seed)` by Box–Muller: the
same numbers as `homopt::standard_normal_matrix` in C++, Python and R.
"""
function standard_normal_matrix(rows::Integer, cols::Integer, seed::Integer)
    size_rows, size_cols = as_size(rows, "rows"), as_size(cols, "cols")
    if size_cols != 0 && size_rows > typemax(Int32) ÷ size_cols
        # Beyond the library's bound: let it refuse the sizes (HomOptError naming rows or
        # cols) before Julia tries to allocate the array.
        throw_on_error(ccall(cfunction(:homopt_standard_normal_matrix), Cint, (Csize_t, Csize_t, UInt64, Ptr{Cdouble}, Csize_t),
                             size_rows, size_cols, as_seed(seed), C_NULL, 0))
    end
    out = Matrix{Float64}(undef, rows, cols)
    throw_on_error(ccall(cfunction(:homopt_standard_normal_matrix), Cint, (Csize_t, Csize_t, UInt64, Ptr{Cdouble}, Csize_t),
                         rows, cols, as_seed(seed), out, length(out)))
    return out
end

"""
    random_point(m::Manifold, seed::Integer)
    random_point(m::Manifold; seed::Integer = 0)

A reproducible random point: the same matrix for the same seed in every language (Stiefel:
the Q factor, diag(R) > 0, of an N×n matrix of standard normals drawn from
`std::mt19937_64(seed)` by Box–Muller; Euclidean: those normals).
"""
function random_point(m::Manifold, seed::Integer)
    point = Matrix{Float64}(undef, size(m)...)
    throw_on_error(ccall(cfunction(:homopt_manifold_random_point), Cint, (Ptr{Cvoid}, UInt64, Ptr{Cdouble}, Csize_t),
                         m, as_seed(seed), point, length(point)))
    return point
end
random_point(m::Manifold; seed::Integer = 0) = random_point(m, seed)

"""
    check(m::Manifold, Y) -> Float64

Constraint residual of Y: ‖YᵀY − I‖_F for Stiefel and Grassmann, ‖UᵀJU − J‖_F for the
symplectic manifolds, 0 for Euclidean. Throws on a wrong shape or a NaN/Inf entry.
"""
function check(m::Manifold, Y)
    point = as_matrix(Y, "point")
    residual = Ref{Cdouble}(0)
    throw_on_error(ccall(cfunction(:homopt_manifold_check), Cint, (Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Csize_t, Ref{Cdouble}),
                         m, point, size(point, 1), size(point, 2), residual))
    return residual[]
end

"""
    riemannian_gradient(m::Manifold, Y, G) -> Matrix{Float64}

Riemannian gradient at Y of a function with Euclidean gradient G = ∂f/∂Y: Stiefel
G − Y GᵀY (canonical metric), Grassmann G − YYᵀG, Euclidean G.
"""
function riemannian_gradient(m::Manifold, Y, G)
    point = as_matrix(Y, "point")
    gradient = as_matrix(G, "euclidean_gradient")
    out = Matrix{Float64}(undef, size(m)...)
    throw_on_error(ccall(cfunction(:homopt_manifold_riemannian_gradient), Cint,
                         (Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Cdouble}, Csize_t),
                         m, point, size(point, 1), size(point, 2), gradient, size(gradient, 1), size(gradient, 2),
                         out, length(out)))
    return out
end

function Base.show(io::IO, m::Manifold{Name}) where {Name}
    if m.handle == C_NULL
        print(io, Name, "(<released>)")
    else
        print(io, string_out(:homopt_manifold_description, m))
    end
end

# ------------------------------------------------------------------ methods
# The aliases Gradient, Momentum, Adam, AdamWithDecay, BFGS, their keyword constructors and
# docstrings (defaults, ranges, formulas) are rendered from the core's API declaration
# (docs/api.md) into methods_generated.jl. `Adam(; lr = 0.01)` passes only `lr` on; the
# library supplies the declared defaults and checks every value (errors name the keyword).

# The method `name` made from the keywords whose value is not `missing` (those given).
function method_given(name::Symbol; keywords...)
    given = [key => value for (key, value) in keywords if !ismissing(value)]
    return method(name; given...)
end

# A count keyword (decay_steps, max_dimension) as a size (ArgumentError if negative).
as_count(::Missing, argument::AbstractString) = missing
as_count(x::Integer, argument::AbstractString) = as_size(x, argument)

include("methods_generated.jl")

"""
    HomOpt.method_spec(name) -> Vector{NamedTuple}

The library's declaration of method `name` (`"Adam"`, …; docs/api.md): one
`(name, kind, default, range, meaning)` per hyperparameter, in the order of
[`hyperparameters`](@ref); `kind` is `:real`, `:count` or `:flag`. The docstrings of
[`Adam`](@ref) etc. are rendered from the same declaration.
"""
function method_spec(name::Union{AbstractString, Symbol})
    method = string(name)
    count = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(:homopt_method_spec_hyperparameter_count), Cint, (Cstring, Ref{Csize_t}),
                         method, count))
    return map(0:Int(count[]) - 1) do index
        default = Ref{Cdouble}(0)
        key = string_from((buffer, capacity, length) ->
            ccall(cfunction(:homopt_method_spec_hyperparameter), Cint,
                  (Cstring, Csize_t, Ptr{UInt8}, Csize_t, Ref{Csize_t}, Ref{Cdouble}),
                  method, index, buffer, capacity, length, default))
        text(field) = string_from((buffer, capacity, length) ->
            ccall(cfunction(:homopt_method_spec_hyperparameter_text), Cint,
                  (Cstring, Csize_t, Cstring, Ptr{UInt8}, Csize_t, Ref{Csize_t}),
                  method, index, field, buffer, capacity, length))
        (name = Symbol(key), kind = Symbol(text("kind")), default = default[], range = text("range"),
         meaning = text("meaning"))
    end
end

# The names the library declares, through a count function and an index → name function.
function declared_names(count_function::Symbol, name_function::Symbol)
    count = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(count_function), Cint, (Ref{Csize_t},), count))
    return [string_from((buffer, capacity, length) ->
                ccall(cfunction(name_function), Cint, (Csize_t, Ptr{UInt8}, Csize_t, Ref{Csize_t}),
                      index, buffer, capacity, length))
            for index in 0:Int(count[]) - 1]
end

"""
    HomOpt.method_names() -> Vector{String}

The methods the library declares, in its order (docs/api.md).
"""
method_names() = declared_names(:homopt_method_spec_count, :homopt_method_spec_name)

"""
    HomOpt.manifold_names() -> Vector{String}

The manifolds the library declares, in its order (docs/api.md).
"""
manifold_names() = declared_names(:homopt_manifold_spec_count, :homopt_manifold_spec_name)

"""
    HomOpt.method(name; hyperparameters...) -> Method

Any method of the library by name (`"Adam"`, …) with keyword hyperparameters; the ones not
given take the library's defaults. `HomOpt.method("Adam")` has exactly the defaults of
`Adam()`. Booleans (`amsgrad`) and counts (`decay_steps`) are accepted as such.
"""
function method(name::Union{AbstractString, Symbol}; hyperparameters...)
    keys = String[hyperparameter_key(key) for (key, value) in hyperparameters]
    values = Float64[hyperparameter_value(key, value) for (key, value) in hyperparameters]
    handle = GC.@preserve keys begin
        key_pointers = Ptr{UInt8}[pointer(key) for key in keys]  # Julia strings are NUL-terminated
        new_handle(out -> ccall(cfunction(:homopt_method_create), Cint,
                                (Cstring, Ptr{Ptr{UInt8}}, Ptr{Cdouble}, Csize_t, Ref{Ptr{Cvoid}}),
                                string(name), key_pointers, values, length(keys), out))
    end
    return wrap_method(handle)
end

function hyperparameter_key(key::Symbol)
    text = string(key)
    occursin('\0', text) && throw(ArgumentError("hyperparameter names must not contain NUL"))
    return text
end
hyperparameter_value(key, value::Real) = Float64(value)
function hyperparameter_value(key, value)
    throw(ArgumentError("$key: expected a real number, got $(typeof(value))"))
end

wrap_method(handle::Ptr{Cvoid}) = wrap(Method, :homopt_method_name, handle)

"""
    hyperparameters(method::Method) -> NamedTuple

All hyperparameters with their values, in the library's order, e.g.
`hyperparameters(Adam()) == (lr = 0.001, beta1 = 0.9, beta2 = 0.99, eps = 3.0e-7, amsgrad = 0.0)`.
"""
function hyperparameters(method::Method)
    count = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(:homopt_method_hyperparameter_count), Cint, (Ptr{Cvoid}, Ref{Csize_t}), method, count))
    names = Symbol[]
    values = Float64[]
    for index in 0:Int(count[]) - 1
        buffer = Vector{UInt8}(undef, 64)
        length = Ref{Csize_t}(0)
        value = Ref{Cdouble}(0)
        throw_on_error(ccall(cfunction(:homopt_method_hyperparameter), Cint,
                             (Ptr{Cvoid}, Csize_t, Ptr{UInt8}, Csize_t, Ref{Csize_t}, Ref{Cdouble}),
                             method, index, buffer, sizeof(buffer), length, value))
        push!(names, Symbol(String(buffer[1:length[]])))
        push!(values, value[])
    end
    return NamedTuple{Tuple(names)}(Tuple(values))
end

# As the keyword would be written: amsgrad=true, decay_steps=1000, lr=0.001.
function format_hyperparameter(key::Symbol, value::Float64)
    key == :amsgrad && return string(value != 0)
    return isinteger(value) && abs(value) < 2.0^53 ? string(Int(value)) : string(value)
end

function Base.show(io::IO, method::Method{Name}) where {Name}
    if method.handle == C_NULL
        print(io, Name, "(<released>)")
    else
        values = hyperparameters(method)
        print(io, Name, "(", join(["$key=$(format_hyperparameter(key, value))" for (key, value) in pairs(values)], ", "), ")")
    end
end

# ------------------------------------------------------------------ optimizer

function Optimizer(method::Method; retraction::Union{Symbol, AbstractString} = :cayley)
    return Optimizer(new_handle(out -> ccall(cfunction(:homopt_optimizer_create), Cint,
                                             (Ptr{Cvoid}, Cstring, Ref{Ptr{Cvoid}}), method, string(retraction), out)))
end

"""
    length(opt::Optimizer) -> Int

Number of parameters added so far.
"""
function Base.length(opt::Optimizer)
    count = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(:homopt_optimizer_size), Cint, (Ptr{Cvoid}, Ref{Csize_t}), opt, count))
    return Int(count[])
end

"""
    add!(opt::Optimizer, m::Manifold, Y0) -> Int

Adds a parameter on `m` starting at Y0 (finite, on the manifold within `tolerance(m)`);
returns its 1-based index. Its method state starts at zero.
"""
function add!(opt::Optimizer, m::Manifold, Y0)
    point = as_matrix(Y0, "initial_point")
    index = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(:homopt_optimizer_add), Cint,
                         (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Csize_t, Ref{Csize_t}),
                         opt, m, point, size(point, 1), size(point, 2), index))
    return Int(index[]) + 1
end

"""
    step!(opt::Optimizer, gradients::AbstractVector) -> opt

One optimizer step with the Euclidean gradients Gᵢ = ∂L/∂Yᵢ of every parameter, in the order
of `add!`. All-or-nothing: on any error (count, shape, NaN/Inf) the optimizer is unchanged.
"""
function step!(opt::Optimizer, gradients::AbstractVector)
    with_gradient_arrays(gradients) do pointers, rows, cols, count
        ccall(cfunction(:homopt_optimizer_step), Cint,
              (Ptr{Cvoid}, Ptr{Ptr{Cdouble}}, Ptr{Csize_t}, Ptr{Csize_t}, Csize_t), opt, pointers, rows, cols, count)
    end
    return opt
end

# Calls `call(pointers, rows, cols, count) -> status` with the gradients as the C arrays of
# homopt_optimizer_step and homopt_solver_tell, then throws the library's error (if any)
# with 1-based gradient indices; returns nothing.
function with_gradient_arrays(call, gradients::AbstractVector)
    matrices = Matrix{Float64}[as_matrix(gradients[i], "gradients[$i]") for i in eachindex(gradients)]
    rows = Csize_t[size(G, 1) for G in matrices]
    cols = Csize_t[size(G, 2) for G in matrices]
    status = GC.@preserve matrices begin
        call(Ptr{Cdouble}[pointer(G) for G in matrices], rows, cols, length(matrices))
    end
    try
        throw_on_error(status)
    catch error
        error isa HomOptError || rethrow()
        throw(HomOptError(error.status, one_based_gradient_indices(error.msg)))
    end
    return nothing
end
function step!(opt::Optimizer, gradients)
    throw(ArgumentError("gradients: expected a vector with one matrix per parameter, got $(typeof(gradients))"))
end

# The library names gradients 0-based ("gradients[0]"); Julia users count from 1.
one_based_gradient_indices(message::AbstractString) =
    replace(message, r"gradients\[(\d+)\]" => s -> "gradients[" * string(parse(Int, s[11:end - 1]) + 1) * "]")

# Throws a BoundsError unless 1 ≤ i ≤ length(opt).
function check_index(opt::Optimizer, i::Integer)
    1 <= i <= length(opt) || throw(BoundsError(opt, i))
    return Csize_t(i - 1)
end

"""
    value(opt::Optimizer, i::Integer) -> Matrix{Float64}

Current point of parameter i (1-based, as returned by `add!`).
"""
function value(opt::Optimizer, i::Integer)
    index = check_index(opt, i)
    rows = Ref{Csize_t}(0)
    cols = Ref{Csize_t}(0)
    throw_on_error(ccall(cfunction(:homopt_optimizer_value_shape), Cint, (Ptr{Cvoid}, Csize_t, Ref{Csize_t}, Ref{Csize_t}),
                         opt, index, rows, cols))
    out = Matrix{Float64}(undef, Int(rows[]), Int(cols[]))
    throw_on_error(ccall(cfunction(:homopt_optimizer_value), Cint, (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Csize_t),
                         opt, index, out, length(out)))
    return out
end

"""
    step_count(opt::Optimizer) -> Int

Steps taken so far (0 before the first).
"""
function step_count(opt::Optimizer)
    count = Ref{UInt64}(0)
    throw_on_error(ccall(cfunction(:homopt_optimizer_step_count), Cint, (Ptr{Cvoid}, Ref{UInt64}), opt, count))
    return Int(count[])
end

"""
    retraction(opt::Optimizer) -> Symbol

`:cayley` or `:geodesic`.
"""
retraction(opt::Optimizer) = Symbol(string_out(:homopt_optimizer_retraction, opt))

"""
    HomOpt.method(opt::Optimizer) -> Method

A copy of the optimizer's method (with its hyperparameters).
"""
method(opt::Optimizer) =
    wrap_method(new_handle(out -> ccall(cfunction(:homopt_optimizer_method), Cint, (Ptr{Cvoid}, Ref{Ptr{Cvoid}}), opt, out)))

"""
    HomOpt.manifold(opt::Optimizer, i::Integer) -> Manifold

A copy of the manifold of parameter i (1-based).
"""
function manifold(opt::Optimizer, i::Integer)
    index = check_index(opt, i)
    return wrap_manifold(new_handle(out -> ccall(cfunction(:homopt_optimizer_manifold), Cint,
                                                 (Ptr{Cvoid}, Csize_t, Ref{Ptr{Cvoid}}), opt, index, out)))
end

"""
    save(opt::Optimizer, path::AbstractString) -> path

Writes a checkpoint (method, hyperparameters, retraction, step count, every parameter's
manifold, section and method state) atomically; readable by [`HomOpt.load`](@ref) and by
every other homopt front end.
"""
function save(opt::Optimizer, path::AbstractString)
    throw_on_error(ccall(cfunction(:homopt_optimizer_save), Cint, (Ptr{Cvoid}, Cstring), opt, path))
    return path
end

"""
    HomOpt.load(path::AbstractString) -> Optimizer

Reads a checkpoint written by `save` (in any language). A missing, truncated, corrupt or
foreign file throws `HomOptError(:file_error)`.
"""
load(path::AbstractString) =
    Optimizer(new_handle(out -> ccall(cfunction(:homopt_optimizer_load), Cint, (Cstring, Ref{Ptr{Cvoid}}), path, out)))

function Base.show(io::IO, opt::Optimizer)
    if opt.handle == C_NULL
        print(io, "Optimizer(<released>)")
    else
        count = length(opt)
        steps = step_count(opt)
        print(io, "Optimizer(", method(opt), ", retraction=:", retraction(opt), ", ", count,
              count == 1 ? " parameter, " : " parameters, ", steps, steps == 1 ? " step)" : " steps)")
    end
end

include("optimize.jl")  # the solver loop (docs/solvers.md)

end # module
