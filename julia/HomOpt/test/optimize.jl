# optimize (docs/solvers.md), included by runtests.jl: the cross-language reference run
# (tests/data/minimize_reference.txt), the Brockett optimum, each stopping rule, the callback
# and errors that leave the optimizer at its last completed step.

@testset "optimize: the solver loop" begin
    reference = read_reference(joinpath(DATA, "minimize_reference.txt"))
    A, N = reference["A"], reference["N"]
    stiefel = Stiefel(20, 4)
    f(Y) = brockett(A, N, Y)
    grad(Y) = brockett_gradient(A, N, Y)
    optimum = sum(N[j, j] * eigvals(Symmetric(A))[5 - j] for j in 1:4)  # f* = Σⱼ j·λ₅₋ⱼ
    adam_run(seed; keywords...) = optimize(f, grad, stiefel, random_point(stiefel, seed); method = Adam(lr = 0.02),
                                           keywords...)

    @testset "reference run: same iterations and value as C++" begin
        result = optimize(f, grad, stiefel, random_point(stiefel, Int(reference["seed"][1]));
                          method = BFGS(lr = reference["lr"][1]), tol = reference["gradient_tolerance"][1],
                          maxiter = Int(reference["max_iterations"][1]))
        @test result.nit == Int(reference["iterations"][1])
        @test result.status == Int(reference["reason"][1]) == 1
        @test result.success && result.reason == :gradient_tolerance
        @test abs(result.fun - reference["value"][1]) <= 1e-12 * abs(reference["value"][1])
        @test abs(result.fun - optimum) <= 1e-9 * abs(optimum)
        @test result.fun == f(result.x)
        @test length(result.history) == result.nit + 1
    end

    @testset "Brockett reaches the closed-form optimum (5 seeds)" begin
        for seed in 1:5
            X = standard_normal_matrix(20, 20, seed)
            B = (X + X') / 2
            best = sum(N[j, j] * eigvals(Symmetric(B))[5 - j] for j in 1:4)
            result = optimize(Y -> brockett(B, N, Y), Y -> brockett_gradient(B, N, Y), stiefel,
                              random_point(stiefel, seed); method = BFGS(lr = 0.5 / opnorm(B)), tol = 1e-6)
            @test result.success
            @test abs(result.fun - best) <= 1e-9 * abs(best)
            @test check(stiefel, result.x) <= tolerance(stiefel)
        end
    end

    @testset "each stopping rule" begin
        for maxiter in (0, 1, 17)
            result = adam_run(3; maxiter = maxiter)
            @test result.status == 3 && result.nit == maxiter == step_count(result.optimizer)
        end
        result = adam_run(2; tol = 1e-2, maxiter = 5000)
        @test result.status == 1 && result.gradient_norm <= 1e-2
        @test adam_run(2; maxiter = result.nit - 1).gradient_norm > 1e-2
        for window in (1, 5)
            result = adam_run(4; value_tolerance = 1e-6, value_window = window, maxiter = 5000)
            @test result.status == 2
            h = result.history
            holds(k) = k >= window && abs(h[k - window + 1] - h[k + 1]) <=
                                      1e-6 * max(abs(h[k - window + 1]), abs(h[k + 1]), 1.0)
            @test holds(result.nit)
            @test !any(holds(k) for k in 0:result.nit - 1)
        end
        slow(Y) = (sleep(0.01); f(Y))
        started = time()
        result = optimize(slow, grad, stiefel, random_point(stiefel, 5); time_limit = 0.2, maxiter = 10^6)
        @test result.status == 4 && time() - started >= 0.2 && 1 <= result.nit <= 20
    end

    @testset "a callback stops the run before the step of that iteration" begin
        seen = Int[]
        result = adam_run(1; callback = (k, fk, Yk) -> (push!(seen, k); @test fk == f(Yk); k == 7))
        @test result.status == 5 && result.reason == :callback
        @test result.nit == 7 == step_count(result.optimizer)
        @test seen == collect(0:7)
    end

    @testset "errors leave the optimizer at the last completed step" begin
        reference_run = adam_run(6; maxiter = 5).optimizer
        fresh() = (opt = Optimizer(Adam(lr = 0.02)); add!(opt, stiefel, random_point(stiefel, 6)); opt)
        failing_at(k, failure) = (calls = Ref(0); Y -> (calls[] += 1; calls[] == k + 1 ? failure(Y) : f(Y)))
        cases = [(Y -> error("user objective failed"), ErrorException),
                 (Y -> NaN, HomOptError), (Y -> Inf, HomOptError)]
        for (failure, kind) in cases
            opt = fresh()
            @test_throws kind optimize(failing_at(5, failure), grad, nothing, nothing; optimizer = opt, maxiter = 100)
            @test step_count(opt) == 5
            @test value(opt, 1) == value(reference_run, 1)
        end
        opt = fresh()
        @test throws_homopt(:invalid_argument, "iteration 5") do
            optimize(failing_at(5, Y -> NaN), grad, nothing, nothing; optimizer = opt)
        end
        calls = Ref(0)
        bad_gradient(Y) = (calls[] += 1; G = grad(Y); calls[] == 6 && (G[1] = NaN); G)
        opt = fresh()
        @test throws_homopt(:invalid_argument, "gradients[1]") do
            optimize(f, bad_gradient, nothing, nothing; optimizer = opt)
        end
        @test value(opt, 1) == value(reference_run, 1)
        opt = fresh()
        @test_throws ErrorException optimize(f, grad, nothing, nothing; optimizer = opt,
                                             callback = (k, fk, Yk) -> k == 5 ? error("user callback failed") : false)
        @test value(opt, 1) == value(reference_run, 1)
        # The run continues from there: 3 more steps equal 8 from the start.
        optimize(f, grad, nothing, nothing; optimizer = opt, maxiter = 3)
        @test value(opt, 1) == value(adam_run(6; maxiter = 8).optimizer, 1)
        @test throws_homopt(:invalid_argument, "value_window") do
            adam_run(1; value_window = 0)
        end
        @test throws_homopt(:invalid_argument, "gradient_tolerance") do
            adam_run(1; tol = -1)
        end
        @test_throws ArgumentError optimize(Y -> "1", grad, stiefel, random_point(stiefel, 1))
    end
end
