# Tests of the Julia package HomOpt (run on Julia 1.5 by ctest: julia/HomOpt).
# Environment: HOMOPT_LIB (the library under test), HOMOPT_TEST_DATA (tests/data of the
# checkout; defaults to the one next to this package), HOMOPT_TEST_TMP (scratch folder).
using HomOpt
using LinearAlgebra
using Test

const DATA = get(ENV, "HOMOPT_TEST_DATA", normpath(joinpath(@__DIR__, "..", "..", "..", "tests", "data")))
const SCRATCH = get(ENV, "HOMOPT_TEST_TMP", mktempdir())

# Brockett cost f(Y) = tr(YᵀBYD) and its Euclidean gradient G = 2·B·Y·D.
brockett(B, D, Y) = tr(Y' * B * Y * D)
brockett_gradient(B, D, Y) = 2 * B * Y * D

# A symmetric N×N matrix reproducible in every language (normals from the library).
symmetric_matrix(N, seed) = (X = random_point(Euclidean(N, N), seed); (X + X') / 2)

# Runs `steps` steps of `method` on one parameter (manifold m, start Y0) with gradient ∇f.
function minimize(method, m, Y0, gradient, steps; retraction = :cayley)
    opt = Optimizer(method; retraction = retraction)
    index = add!(opt, m, Y0)
    for t in 1:steps
        step!(opt, [gradient(value(opt, index))])
    end
    return value(opt, index)
end

# @test result <= tolerance, and when HOMOPT_MARGIN_FILE is set, append
# "julia: name result tolerance" to it (read by tests/tools/kernel-table).
function check_within(name, result, tolerance)
    path = get(ENV, "HOMOPT_MARGIN_FILE", "")
    if !isempty(path)
        open(io -> println(io, "julia: ", name, " ", repr(Float64(result)), " ", repr(Float64(tolerance))), path, "a")
    end
    @test result <= tolerance
end

# Throws `HomOptError` with this status and a message containing `fragment`?
function throws_homopt(f, status::Symbol, fragment::AbstractString)
    try
        f()
    catch error
        error isa HomOptError || return false
        return error.status == status && occursin(fragment, error.msg)
    end
    return false
end

# The reference trajectory file: NAME => matrix.
function read_reference(path)
    entries = Dict{String, Matrix{Float64}}()
    for line in eachline(path)
        (isempty(strip(line)) || startswith(line, "#")) && continue
        fields = split(line)
        rows, cols = parse(Int, fields[2]), parse(Int, fields[3])
        values = parse.(Float64, fields[4:end])
        @assert length(values) == rows * cols "$(fields[1]): expected $(rows * cols) values"
        entries[fields[1]] = reshape(values, rows, cols)
    end
    return entries
end

# Does the loaded library know this manifold?
function has_manifold(name)
    try
        HomOpt.manifold(name, 4, 2)
        return true
    catch error
        error isa HomOptError && occursin("unknown manifold", error.msg) && return false
        rethrow()
    end
end

# Creates n manifolds, methods and optimizers and drops them, except every 100th optimizer
# (returned). A function, so that no local of the loop outlives it.
@noinline function churn(n)
    Y = random_point(Stiefel(5, 2), 1)
    kept = Optimizer[]
    for k in 1:n
        m = Stiefel(5, 2)
        method = k % 2 == 0 ? Adam(lr = 0.01) : Momentum()
        opt = Optimizer(method)
        add!(opt, m, Y)
        k % 100 == 0 && push!(kept, opt)
    end
    return kept
end

@testset "HomOpt" begin

@testset "library" begin
    @test HomOpt.version() == "0.1.0"
    @test isfile(HomOpt.LIBRARY_PATH[])
    @test HomOpt.live_handle_count() >= 0
    # the shared random stream: X(1,1) of seed 7 is B(1,1) of tests/data/reference_trajectory.txt
    X = standard_normal_matrix(6, 6, 7)
    @test size(X) == (6, 6) && X[1, 1] == 0.71302983388758112
    @test standard_normal_matrix(3, 2, 5) == standard_normal_matrix(3, 2, 5)
    @test_throws ArgumentError standard_normal_matrix(-1, 2, 5)
end

@testset "manifolds" begin
    st = Stiefel(6, 2)
    @test st isa Stiefel && st isa Manifold
    @test size(st) == (6, 2)
    @test dimension(st) == 1 + 4 * 2
    @test tolerance(st) == 1e-10
    @test sprint(show, st) == "Stiefel(N=6, n=2)"
    Y = random_point(st, 5)
    @test Y isa Matrix{Float64} && size(Y) == (6, 2)
    @test norm(Y' * Y - I) < 1e-14
    # two roundings of ‖YᵀY − I‖_F (library and Julia's BLAS): each entry of YᵀY is a dot
    # product of length N with an error ≤ N·ε, so they differ by at most 2·N·n·ε
    @test check(st, Y) ≈ norm(Y' * Y - I) atol = 2 * 6 * 2 * eps()
    @test random_point(st; seed = 5) == Y
    @test random_point(st, 6) != Y
    @test random_point(st) == random_point(st, 0)
    @test check(st, 2 * Y) ≈ 3 * sqrt(2) atol = 1e-13   # YᵀY − I = 3I
    G = [sin(i + 2j) for i in 1:6, j in 1:2]
    @test riemannian_gradient(st, Y, G) ≈ G - Y * G' * Y atol = 1e-14

    gr = Grassmann(6, 2)
    @test gr isa Grassmann
    @test dimension(gr) == 8
    @test random_point(gr, 5) == Y    # documented: the Stiefel basis
    R = riemannian_gradient(gr, Y, G)
    @test R ≈ G - Y * Y' * G atol = 1e-14
    @test norm(Y' * R) < 1e-14

    eu = Euclidean(3, 4)
    @test eu isa Euclidean
    @test size(eu) == (3, 4) && dimension(eu) == 12 && tolerance(eu) == 0
    @test sprint(show, eu) == "Euclidean(rows=3, cols=4)"
    X = random_point(eu, 1)
    @test check(eu, X) == 0
    @test riemannian_gradient(eu, X, 2X) == 2X

    # the generic creator gives the same typed objects
    @test HomOpt.manifold("Stiefel", 6, 2) isa Stiefel
    @test HomOpt.manifold(:Grassmann, 5, 3) isa Grassmann
    @test dimension(HomOpt.manifold("Grassmann", 5, 3)) == 6
    @test random_point(HomOpt.manifold("Stiefel", 6, 2), 5) == Y

    # input conversion: Int, Float32, non-contiguous views, adjoints
    @test check(Euclidean(2, 2), [1 2; 3 4]) == 0
    @test check(st, Float32.(Y)) < 1e-6
    big = zeros(12, 2)
    big[1:2:end, :] = Y
    @test check(st, view(big, 1:2:12, :)) == check(st, Y)
    @test riemannian_gradient(st, Y, copy(G')') == riemannian_gradient(st, Y, G)
end

@testset "symplectic manifolds (when the library has them)" begin
    if has_manifold("SymplecticStiefel")
        m = SymplecticStiefel(5, 2)
        @test size(m) == (10, 4)
        @test dimension(m) == 4 * 5 * 2 - 2 * 2^2 + 2
        U = random_point(m, 3)
        J(k) = [zeros(k, k) Matrix(1.0I, k, k); -Matrix(1.0I, k, k) zeros(k, k)]
        @test norm(U' * J(5) * U - J(2)) < 1e-10
        @test check(m, U) ≈ norm(U' * J(5) * U - J(2)) atol = 1e-10
        @test sprint(show, m) != ""
    else
        @info "SymplecticStiefel not in the loaded library: skipped"
        @test_skip has_manifold("SymplecticStiefel")
    end
    if has_manifold("SymplecticGrassmann")
        m = SymplecticGrassmann(5, 2)
        @test size(m) == (10, 4)
        @test dimension(m) == 4 * 2 * (5 - 2)
        @test check(m, random_point(m, 3)) < 1e-10
    else
        @info "SymplecticGrassmann not in the loaded library: skipped"
        @test_skip has_manifold("SymplecticGrassmann")
    end
end

@testset "methods and their defaults" begin
    @test Gradient() isa Gradient && Gradient() isa HomOpt.Method
    # the keyword defaults equal the library's (generic creator without keywords)
    for name in ("Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS")
        typed = getfield(HomOpt, Symbol(name))()
        @test hyperparameters(typed) == hyperparameters(HomOpt.method(name))
    end
    @test hyperparameters(Gradient()) == (lr = 1e-2,)
    @test hyperparameters(Momentum()) == (lr = 1e-3, alpha = 1e-2)
    @test hyperparameters(Adam()) == (lr = 1e-3, beta1 = 0.9, beta2 = 0.99, eps = 3e-7, amsgrad = 0.0)
    @test hyperparameters(AdamWithDecay()) ==
          (decay_steps = 1000.0, lr_start = 1e-2, lr_end = 1e-6, beta1 = 0.9, beta2 = 0.99, eps = 1e-8, amsgrad = 0.0)
    @test hyperparameters(BFGS()) == (lr = 1e-2, eps = 1e-8, max_dimension = 4096.0)
    # every keyword reaches the library
    @test hyperparameters(Momentum(lr = 0.5, alpha = 0.25)) == (lr = 0.5, alpha = 0.25)
    @test hyperparameters(Adam(lr = 0.125, beta1 = 0.5, beta2 = 0.75, eps = 1e-5, amsgrad = true)) ==
          (lr = 0.125, beta1 = 0.5, beta2 = 0.75, eps = 1e-5, amsgrad = 1.0)
    @test hyperparameters(AdamWithDecay(decay_steps = 7, lr_start = 0.5, lr_end = 0.25, beta1 = 0.1,
                                        beta2 = 0.2, eps = 1e-3, amsgrad = true)) ==
          (decay_steps = 7.0, lr_start = 0.5, lr_end = 0.25, beta1 = 0.1, beta2 = 0.2, eps = 1e-3, amsgrad = 1.0)
    @test hyperparameters(BFGS(lr = 0.3, eps = 1e-9, max_dimension = 50)) == (lr = 0.3, eps = 1e-9, max_dimension = 50.0)
    @test hyperparameters(HomOpt.method("Adam"; lr = 1 // 4, amsgrad = true)).lr == 0.25
    @test HomOpt.method("AdamWithDecay"; decay_steps = 10) isa AdamWithDecay
    @test sprint(show, Adam(lr = 0.01)) == "Adam(lr=0.01, beta1=0.9, beta2=0.99, eps=3.0e-7, amsgrad=false)"
    @test sprint(show, AdamWithDecay()) ==
          "AdamWithDecay(decay_steps=1000, lr_start=0.01, lr_end=1.0e-6, beta1=0.9, beta2=0.99, eps=1.0e-8, amsgrad=false)"
end

@testset "optimizer basics" begin
    st = Stiefel(6, 2)
    eu = Euclidean(2, 3)
    Y0 = random_point(st, 3)
    E0 = random_point(eu, 4)
    opt = Optimizer(Gradient(lr = 0.1))
    @test retraction(opt) == :cayley
    @test length(opt) == 0 && step_count(opt) == 0
    @test add!(opt, st, Y0) == 1
    @test add!(opt, eu, E0) == 2
    @test length(opt) == 2
    @test value(opt, 1) == Y0
    G = [cos(0.3 * (i + 6j)) for i in 1:6, j in 1:2]
    H = [0.5i - j for i in 1:2, j in 1:3]
    @test step!(opt, [G, H]) === opt
    @test step_count(opt) == 1
    @test value(opt, 2) ≈ E0 - 0.1 * H atol = 1e-15        # Euclidean: exactly −lr·G
    @test norm(value(opt, 1)' * value(opt, 1) - I) < 1e-14
    @test HomOpt.manifold(opt, 2) isa Euclidean
    @test sprint(show, HomOpt.manifold(opt, 1)) == "Stiefel(N=6, n=2)"
    @test HomOpt.method(opt) isa Gradient
    @test sprint(show, opt) == "Optimizer(Gradient(lr=0.1), retraction=:cayley, 2 parameters, 1 step)"
    @test retraction(Optimizer(Adam(); retraction = :geodesic)) == :geodesic
    @test retraction(Optimizer(Adam(); retraction = "cayley")) == :cayley
    # Float32 and Int gradients are converted: same step as with Float64
    a = Optimizer(Gradient(lr = 0.25)); add!(a, eu, E0); step!(a, [Float32[1 2 3; 4 5 6]])
    b = Optimizer(Gradient(lr = 0.25)); add!(b, eu, E0); step!(b, [[1 2 3; 4 5 6]])
    @test value(a, 1) == value(b, 1) == E0 - 0.25 * [1 2 3; 4 5 6]
    # the method handle may be released after creating the optimizer (it holds a copy)
    method = Adam(lr = 0.01)
    c = Optimizer(method)
    finalize(method)
    @test add!(c, st, Y0) == 1
    @test HomOpt.method(c) isa Adam
end

@testset "every method on closed-form problems" begin
    B = symmetric_matrix(8, 3)
    eigenvalues, eigenvectors = eigen(Symmetric(B))            # ascending
    D = Diagonal([1.0, 2.0, 3.0])
    # Stiefel Brockett: min tr(YᵀBYD) = 3λ₁ + 2λ₂ + λ₃, column j of Y → ±v_{4−j}
    stiefel_optimum = 3 * eigenvalues[1] + 2 * eigenvalues[2] + eigenvalues[3]
    # Grassmann: min tr(YᵀBY) = λ₁ + λ₂ + λ₃, YYᵀ → V₃V₃ᵀ
    V3 = eigenvectors[:, 1:3]
    # Euclidean least squares: min ½‖AX − C‖² with AᵀA = diag(1, 2.25, 4, 6.25): X* = A \ C
    A = random_point(Stiefel(10, 4), 8) * Diagonal([1.0, 1.5, 2.0, 2.5])
    C = random_point(Euclidean(10, 2), 9)
    Xstar = A \ C
    scale = opnorm(B)   # Brockett Hessian ≲ 2·3·2‖B‖: keep lr·scale small
    cases = [
        ("Gradient", Gradient(lr = 0.05 / scale), 3000),
        ("Momentum", Momentum(lr = 0.05 / scale, alpha = 0.5), 2000),
        ("Adam", Adam(lr = 0.01, amsgrad = true), 3000),
        ("AdamWithDecay", AdamWithDecay(decay_steps = 2000, lr_start = 0.02, lr_end = 1e-5), 3000),
        # (with lr·‖B‖ between 0.02 and 0.2 BFGS stalls on these two problems for some starts)
        ("BFGS", BFGS(lr = 0.5 / scale), 2000),
    ]
    # Every case is an exact method at its fixed point (gradient, momentum, BFGS at a fixed
    # rate; AMSGrad, whose v̂ stops growing so that its steps shrink with m; a decaying rate):
    # tight tolerances, relative to the optimum, from 5 starting points. The library repairs Y
    # when its ‖YᵀY − I‖_F exceeds 1e-13; recomputed here it differs by up to 2·N·n·ε.
    orthonormality_bound = 1e-13 + 2 * 8 * 3 * eps()
    for (name, method, steps) in cases, seed in 1:5
        for retraction in (:cayley, :geodesic)
            Y = minimize(method, Stiefel(8, 3), random_point(Stiefel(8, 3), seed), Y -> brockett_gradient(B, D, Y), steps;
                         retraction = retraction)
            check_within("closed form $name $retraction Stiefel ‖YᵀY − I‖", norm(Y' * Y - I), orthonormality_bound)
            check_within("closed form $name $retraction Stiefel relative cost gap",
                         abs(brockett(B, D, Y) - stiefel_optimum) / abs(stiefel_optimum), 1e-9)
            @test all(j -> abs(dot(Y[:, j], eigenvectors[:, 4 - j])) ≈ 1, 1:3)
        end
        Y = minimize(method, Grassmann(8, 3), random_point(Grassmann(8, 3), seed + 1), Y -> 2 * B * Y, steps)
        grassmann_optimum = sum(eigenvalues[1:3])
        check_within("closed form $name Grassmann relative cost gap",
                     abs(tr(Y' * B * Y) - grassmann_optimum) / abs(grassmann_optimum), 1e-9)
        @test norm(Y * Y' - V3 * V3') < 1e-4
        X = minimize(method, Euclidean(4, 2), random_point(Euclidean(4, 2), seed), X -> A' * (A * X - C), steps)
        check_within("closed form $name Euclidean relative error", norm(X - Xstar) / norm(Xstar), 1e-6)
    end
end

@testset "reference trajectory (tests/data, to 1e-12)" begin
    reference = read_reference(joinpath(DATA, "reference_trajectory.txt"))
    B, D, Y0 = reference["B"], reference["D"], reference["Y0"]
    seed = Int(reference["seed"][1])
    lr, beta1, beta2, eps = reference["adam"]
    m = Stiefel(6, 2)
    @test maximum(abs.(random_point(m; seed = seed) - Y0)) <= 1e-12
    opt = Optimizer(Adam(lr = lr, beta1 = beta1, beta2 = beta2, eps = eps); retraction = :cayley)
    add!(opt, m, random_point(m, seed))
    worst = 0.0
    for t in 1:20
        step!(opt, [brockett_gradient(B, D, value(opt, 1))])
        worst = max(worst, maximum(abs.(value(opt, 1) - reference["Y$t"])))
    end
    @info "reference trajectory: max |ΔY| over 20 steps = $worst"
    @test worst <= 1e-12
    @test step_count(opt) == 20
end

@testset "checkpoints" begin
    B = Matrix(Diagonal(1.0:6.0))
    D = Diagonal([1.0, 2.0])
    st, eu = Stiefel(6, 2), Euclidean(3, 2)
    opt = Optimizer(Adam(lr = 0.02); retraction = :geodesic)
    add!(opt, st, random_point(st, 8))
    add!(opt, eu, random_point(eu, 9))
    gradients(o) = [brockett_gradient(B, D, value(o, 1)), value(o, 2)]
    for t in 1:5
        step!(opt, gradients(opt))
    end
    path = joinpath(SCRATCH, "checkpoint-julia.hck")
    @test save(opt, path) == path
    loaded = HomOpt.load(path)
    @test loaded isa Optimizer
    @test length(loaded) == 2 && step_count(loaded) == 5 && retraction(loaded) == :geodesic
    @test hyperparameters(HomOpt.method(loaded)) == hyperparameters(Adam(lr = 0.02))
    @test HomOpt.manifold(loaded, 1) isa Stiefel
    @test value(loaded, 1) == value(opt, 1) && value(loaded, 2) == value(opt, 2)
    for t in 1:5   # both continue bit for bit (the Adam moments were saved)
        G = gradients(opt)
        step!(opt, G)
        step!(loaded, G)
    end
    @test value(loaded, 1) == value(opt, 1)
    @test value(loaded, 2) == value(opt, 2)

    bytes = read(path)
    truncated = joinpath(SCRATCH, "truncated-julia.hck")
    write(truncated, bytes[1:end ÷ 2])
    @test throws_homopt(() -> HomOpt.load(truncated), :file_error, "truncated-julia.hck")
    corrupt = joinpath(SCRATCH, "corrupt-julia.hck")
    flipped = copy(bytes)
    flipped[end ÷ 2] ⊻= 0x40
    write(corrupt, flipped)
    @test throws_homopt(() -> HomOpt.load(corrupt), :file_error, "corrupt-julia.hck")
    foreign = joinpath(SCRATCH, "foreign-julia.hck")
    write(foreign, "# not a checkpoint\n")
    @test throws_homopt(() -> HomOpt.load(foreign), :file_error, "foreign-julia.hck")
    @test throws_homopt(() -> HomOpt.load(joinpath(SCRATCH, "missing-julia.hck")), :file_error, "missing-julia.hck")
    @test throws_homopt(() -> save(opt, "/nonexistent-homopt-dir/x.hck"), :file_error, "nonexistent-homopt-dir")
    rm(path)
end

@testset "error paths: Julia exceptions, no crash" begin
    st = Stiefel(6, 2)
    Y = random_point(st, 1)
    # construction
    @test throws_homopt(() -> Stiefel(3, 5), :invalid_argument, "n: must not exceed N")
    @test throws_homopt(() -> Grassmann(3, 0), :invalid_argument, "n:")
    @test throws_homopt(() -> Euclidean(0, 3), :invalid_argument, "rows")
    @test throws_homopt(() -> HomOpt.manifold("Sphere", 3, 2), :invalid_argument, "unknown manifold 'Sphere'")
    @test_throws ArgumentError Stiefel(-1, 2)
    @test_throws MethodError Stiefel(2.5, 1)
    @test_throws ArgumentError random_point(st, -1)
    @test_throws TypeError random_point(st; seed = 1.5)
    # matrices: shape, NaN/Inf, wrong types
    @test throws_homopt(() -> check(st, zeros(6, 3)), :invalid_argument, "point: expected a 6x2 matrix, got 6x3")
    bad = copy(Y); bad[2, 2] = NaN
    @test throws_homopt(() -> check(st, bad), :invalid_argument, "point: entry (1, 1)")
    @test throws_homopt(() -> riemannian_gradient(st, Y, ones(2, 6)), :invalid_argument, "euclidean_gradient")
    @test throws_homopt(() -> riemannian_gradient(st, Y, fill(Inf, 6, 2)), :invalid_argument, "euclidean_gradient")
    @test_throws ArgumentError check(st, [1.0, 2.0])
    @test_throws ArgumentError check(st, "Y")
    @test_throws ArgumentError check(st, complex.(Y))
    # hyperparameters
    @test throws_homopt(() -> Gradient(lr = 0), :invalid_argument, "lr")
    @test throws_homopt(() -> Gradient(lr = NaN), :invalid_argument, "lr")
    @test throws_homopt(() -> Momentum(alpha = 1), :invalid_argument, "alpha")
    @test throws_homopt(() -> Adam(beta1 = 1), :invalid_argument, "beta1")
    @test throws_homopt(() -> Adam(beta2 = -0.5), :invalid_argument, "beta2")
    @test throws_homopt(() -> Adam(eps = 0), :invalid_argument, "eps")
    @test throws_homopt(() -> AdamWithDecay(decay_steps = 0), :invalid_argument, "decay_steps")
    @test throws_homopt(() -> AdamWithDecay(lr_end = -1), :invalid_argument, "lr_end")
    @test throws_homopt(() -> BFGS(max_dimension = 0), :invalid_argument, "max_dimension")
    @test_throws ArgumentError AdamWithDecay(decay_steps = -1)
    @test_throws TypeError Adam(lr = "fast")
    @test_throws TypeError Adam(amsgrad = 1)
    @test_throws MethodError Adam(momentum = 0.5)
    @test throws_homopt(() -> HomOpt.method("Adam"; momentum = 0.5), :invalid_argument,
                        "momentum: is not a hyperparameter of Adam")
    @test throws_homopt(() -> HomOpt.method("Newton"), :invalid_argument, "unknown method 'Newton'")
    @test throws_homopt(() -> HomOpt.method("Adam"; lr = NaN), :invalid_argument, "lr: must be finite")
    @test throws_homopt(() -> HomOpt.method("AdamWithDecay"; decay_steps = 2.5), :invalid_argument, "decay_steps")
    @test_throws ArgumentError HomOpt.method("Adam"; lr = "fast")
    @test throws_homopt(() -> Optimizer(Adam(); retraction = :euler), :invalid_argument, "unknown retraction 'euler'")
    # add!: shape, NaN, off the manifold, BFGS beyond its cap
    opt = Optimizer(Adam(lr = 0.01))
    @test throws_homopt(() -> add!(opt, st, zeros(2, 6)), :invalid_argument, "initial_point: expected a 6x2 matrix")
    @test throws_homopt(() -> add!(opt, st, bad), :invalid_argument, "initial_point")
    @test throws_homopt(() -> add!(opt, st, 1.001 * Y), :invalid_argument, "initial_point")
    @test throws_homopt(() -> add!(Optimizer(BFGS(max_dimension = 5)), st, Y), :invalid_argument, "manifold")
    @test length(opt) == 0
    @test add!(opt, st, Y) == 1
    # step!: count, shape, NaN, wrong types — the optimizer is unchanged (1-based names)
    G = ones(6, 2)
    @test throws_homopt(() -> step!(opt, [G, G]), :invalid_argument, "expected 1 gradients (one per parameter), got 2")
    @test throws_homopt(() -> step!(opt, Matrix{Float64}[]), :invalid_argument, "got 0")
    @test throws_homopt(() -> step!(opt, [ones(6, 3)]), :invalid_argument, "gradients[1]: expected a 6x2 matrix, got 6x3")
    @test throws_homopt(() -> step!(opt, [fill(NaN, 6, 2)]), :invalid_argument, "gradients[1]: entry (0, 0)")
    @test_throws ArgumentError step!(opt, G)
    @test_throws ArgumentError step!(opt, [G, "G"])
    @test step_count(opt) == 0 && value(opt, 1) == Y
    # indices
    @test_throws BoundsError value(opt, 0)
    @test_throws BoundsError value(opt, 2)
    @test_throws BoundsError HomOpt.manifold(opt, 2)
    # released objects report a NULL handle; releasing twice is harmless
    gone = Stiefel(4, 2)
    finalize(gone)
    finalize(gone)
    @test throws_homopt(() -> dimension(gone), :null_handle, "manifold: NULL homopt_manifold handle")
    @test throws_homopt(() -> add!(opt, gone, Y), :null_handle, "manifold")
    @test sprint(show, gone) == "Stiefel(<released>)"
    released = Adam()
    finalize(released)
    @test throws_homopt(() -> Optimizer(released), :null_handle, "method")
    @test sprint(show, released) == "Adam(<released>)"
    finalize(opt)
    @test throws_homopt(() -> step!(opt, [G]), :null_handle, "optimizer")
    @test throws_homopt(() -> length(opt), :null_handle, "optimizer")
    @test throws_homopt(() -> save(opt, joinpath(SCRATCH, "never.hck")), :null_handle, "optimizer")
    @test sprint(show, opt) == "Optimizer(<released>)"
    @test sprint(showerror, HomOptError(:file_error, "x.hck: truncated")) == "HomOptError(:file_error): x.hck: truncated"
end

@testset "finalizers release every object (10^4 create/destroy cycles)" begin
    GC.gc(); GC.gc()
    baseline = HomOpt.live_handle_count()
    kept = churn(10_000)      # creates 3·10^4 objects, keeps every 100th optimizer
    @test length(kept) == 100
    GC.gc(); GC.gc()
    @test HomOpt.live_handle_count() == baseline + length(kept)
    @test all(opt -> length(opt) == 1 && size(value(opt, 1)) == (5, 2), kept)
    empty!(kept)
    GC.gc(); GC.gc()
    @test HomOpt.live_handle_count() == baseline
end


@testset "files: save replaces only a regular file, a NUL in a path is refused" begin
    opt = Optimizer(Adam())
    add!(opt, Stiefel(5, 2), random_point(Stiefel(5, 2), 1))
    folder = mktempdir(SCRATCH)
    with_nul = joinpath(folder, "a") * "\0b"
    for call in (() -> save(opt, with_nul), () -> HomOpt.load(with_nul))
        message = try call(); "" catch error; error isa ArgumentError ? error.msg : "" end
        @test occursin("NUL", message) && occursin(repr(with_nul), message)  # names the path
    end
    @test isempty(readdir(folder))          # nothing written to …/a
    mkdir(joinpath(folder, "a-directory"))
    @test throws_homopt(() -> save(opt, joinpath(folder, "a-directory")), :file_error,
                        "a-directory: refusing to replace a directory")
    @test isdir(joinpath(folder, "a-directory"))
    run(`mkfifo $(joinpath(folder, "a-fifo"))`)
    @test throws_homopt(() -> save(opt, joinpath(folder, "a-fifo")), :file_error, "a-fifo: refusing to replace a FIFO")
    @test isfifo(joinpath(folder, "a-fifo"))
    write(joinpath(folder, "target"), "target")
    symlink(joinpath(folder, "target"), joinpath(folder, "a-link"))
    @test throws_homopt(() -> save(opt, joinpath(folder, "a-link")), :file_error,
                        "a-link: refusing to replace a symbolic link")
    @test islink(joinpath(folder, "a-link")) && read(joinpath(folder, "target"), String) == "target"
    write(joinpath(folder, "regular.hck"), "old")
    @test save(opt, joinpath(folder, "regular.hck")) == joinpath(folder, "regular.hck")
    @test value(HomOpt.load(joinpath(folder, "regular.hck")), 1) == value(opt, 1)
    @test sort(readdir(folder)) == ["a-directory", "a-fifo", "a-link", "regular.hck", "target"]
    rm(folder; recursive = true)
end

@testset "sizes and finite steps: oversize sizes refused by name, no NaN step committed" begin
    # Every matrix a manifold can allocate has at most 2^31 − 1 elements (issue 12:
    # Stiefel(2^33, 2^32) segfaulted, Euclidean(2^32, 2^32) had dimension 0).
    @test throws_homopt(() -> Stiefel(2^33, 2^32), :invalid_argument, "N: too large")
    @test throws_homopt(() -> SymplecticStiefel(2^62, 1), :invalid_argument, "N: too large")
    @test throws_homopt(() -> HomOpt.Euclidean(2^32, 2^32), :invalid_argument, "rows: too large")
    @test throws_homopt(() -> standard_normal_matrix(2^32, 2^32, 0), :invalid_argument, "rows: too large")
    @test throws_homopt(() -> standard_normal_matrix(2^16, 2^16, 0), :invalid_argument, "cols: too large")
    negative(f) = try f(); "" catch error; error isa ArgumentError ? error.msg : "" end
    @test startswith(negative(() -> Stiefel(-1, 2)), "N: must be ≥ 0")
    @test startswith(negative(() -> Grassmann(4, -2)), "n: must be ≥ 0")
    @test startswith(negative(() -> HomOpt.Euclidean(3, -1)), "cols: must be ≥ 0")
    @test startswith(negative(() -> standard_normal_matrix(-1, 2, 0)), "rows: must be ≥ 0")
    @test startswith(negative(() -> Stiefel(big(2)^70, 1)), "N: too large")
    @test dimension(Stiefel(46340, 1)) == 46339
    # Issue 12: SymplecticGrassmann(3, 1), geodesic, Gradient(lr = 1), gradient
    # 1e3 * standard_normal_matrix(6, 2, 3) from random_point(1) used to succeed with check = NaN.
    m = SymplecticGrassmann(3, 1)
    opt = Optimizer(Gradient(lr = 1.0); retraction = "geodesic")
    add!(opt, m, random_point(m, 1))
    before = value(opt, 1)
    G = standard_normal_matrix(6, 2, 3)
    @test throws_homopt(() -> step!(opt, [1e3 .* G]), :invalid_argument, "velocity: ")
    @test value(opt, 1) == before && step_count(opt) == 0
    step!(opt, [1e-2 .* G])
    @test step_count(opt) == 1 && check(m, value(opt, 1)) <= tolerance(m)
end
include("optimize.jl")  # the solver loop

@testset "API declaration: names, keywords and documented defaults are the library's" begin
    # What Julia shows (exported names, keyword names, the defaults and ranges in each
    # docstring) against the library's declaration read through the C ABI at run time.
    @test HomOpt.method_names() == ["Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS"]
    @test all(name -> Symbol(name) in names(HomOpt), HomOpt.method_names())
    @test all(name -> Symbol(name) in names(HomOpt), HomOpt.manifold_names())
    for name in HomOpt.method_names()
        spec = HomOpt.method_spec(name)
        constructor = getfield(HomOpt, Symbol(name))
        keyword_methods = filter(m -> !isempty(Base.kwarg_decl(m)), collect(methods(constructor)))
        @test length(keyword_methods) == 1
        @test Base.kwarg_decl(keyword_methods[1]) == [entry.name for entry in spec]
        @test collect(values(hyperparameters(constructor()))) == [entry.default for entry in spec]
        doc = string(Base.Docs.doc(Base.Docs.Binding(HomOpt, Symbol(name))))
        signature = match(Regex("$(name)\\(; ([^)]*)\\)"), doc)
        @test signature !== nothing
        shown = Dict(Symbol(first(pair)) => last(pair) for pair in (split(text, " = ") for text in split(signature[1], ", ")))
        for entry in spec
            text = shown[entry.name]
            @test (entry.kind == :flag ? Float64(parse(Bool, text)) : parse(Float64, text)) == entry.default
            @test occursin(entry.range, doc)
        end
    end
    @test throws_homopt(() -> HomOpt.method_spec("Newton"), :invalid_argument, "unknown method 'Newton'")
end

end # @testset "HomOpt"
