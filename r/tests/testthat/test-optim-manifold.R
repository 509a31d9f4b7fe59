# optim_manifold (docs/solvers.md): the cross-language reference run
# (minimize_reference.txt, copied by r/prepare), the Brockett optimum, each stopping rule,
# the callback, trace output, and errors that leave the optimizer at its last completed step.

reference <- read_trajectory(test_path("minimize_reference.txt"))
A <- reference$A
N <- reference$N
stiefel <- Stiefel(20, 4)
f <- function(Y) brockett_cost(A, N, Y)
g <- function(Y) brockett_gradient(A, N, Y)
optimum <- function(B) sum(diag(N) * sort(eigen(B, symmetric = TRUE, only.values = TRUE)$values)[4:1])
adam_run <- function(seed, control, ...) {
  optim_manifold(stiefel$random_point(seed), f, g, stiefel, Adam(lr = 0.02), control = control, ...)
}

test_that("the reference run stops at the C++ iteration with the same value", {
  result <- optim_manifold(stiefel$random_point(reference$seed[1, 1]), f, g, stiefel,
                           BFGS(lr = reference$lr[1, 1]),
                           control = list(gtol = reference$gradient_tolerance[1, 1],
                                          maxit = reference$max_iterations[1, 1]))
  expect_equal(result$iterations, reference$iterations[1, 1])
  expect_equal(result$convergence, 0)
  expect_equal(result$reason, "gradient_tolerance")
  expect_lte(abs(result$value - reference$value[1, 1]), 1e-12 * abs(reference$value[1, 1]))
  expect_lte(abs(result$value - optimum(A)), 1e-9 * abs(optimum(A)))
  expect_equal(result$value, f(result$par), tolerance = 0)
  expect_equal(unname(result$counts), rep(result$iterations + 1, 2))
})

test_that("Brockett on St(4, 20) reaches the closed-form optimum (5 seeds, method by name)", {
  for (seed in 1:5) {
    B <- symmetric_matrix(20, seed)
    result <- optim_manifold(stiefel$random_point(seed), function(Y) brockett_cost(B, N, Y),
                             function(Y) brockett_gradient(B, N, Y), stiefel, BFGS(lr = 0.5 / norm(B, "2")),
                             control = list(gtol = 1e-6))
    expect_equal(result$convergence, 0)
    expect_lte(abs(result$value - optimum(B)), 1e-9 * abs(optimum(B)))
    expect_lte(stiefel$check(result$par), stiefel$tolerance())
  }
  expect_match(optim_manifold(stiefel$random_point(1), f, g, stiefel, "ADAM_with_decay",
                              control = list(maxit = 0))$optimizer$method(), "^AdamWithDecay\\(")
})

test_that("each stopping rule stops a run built for it", {
  for (maxit in c(0, 1, 17)) {
    result <- adam_run(3, list(maxit = maxit))
    expect_equal(result$convergence, 1)
    expect_equal(result$optimizer$step_count(), maxit)
  }
  result <- adam_run(2, list(gtol = 1e-2, maxit = 5000))
  expect_equal(result$reason, "gradient_tolerance")
  expect_lte(result$gradient_norm, 1e-2)
  expect_gt(adam_run(2, list(maxit = result$iterations - 1))$gradient_norm, 1e-2)
  for (w in c(1, 5)) {
    result <- adam_run(4, list(reltol = 1e-6, window = w, maxit = 5000))
    expect_equal(result$reason, "value_tolerance")
    h <- result$history
    holds <- function(k) k >= w && abs(h[k - w + 1] - h[k + 1]) <= 1e-6 * max(abs(h[k - w + 1]), abs(h[k + 1]), 1)
    expect_true(holds(result$iterations))
    expect_false(any(vapply(seq_len(result$iterations) - 1, holds, logical(1))))
  }
  started <- Sys.time()
  result <- optim_manifold(stiefel$random_point(5), function(Y) { Sys.sleep(0.01); f(Y) }, g, stiefel,
                           control = list(time_limit = 0.2, maxit = 1e6))
  expect_equal(result$convergence, 2)
  expect_gte(as.numeric(Sys.time() - started, units = "secs"), 0.2)
  expect_true(result$iterations >= 1 && result$iterations <= 20)
})

test_that("a callback stops the run before the step of that iteration; trace prints like optim", {
  seen <- c()
  result <- adam_run(1, list(), callback = function(k, value, Y) {
    seen <<- c(seen, k)
    stopifnot(value == f(Y))
    k == 7
  })
  expect_equal(result$convergence, 3)
  expect_equal(result$iterations, 7)
  expect_equal(seen, 0:7)
  output <- capture.output(traced <- adam_run(1, list(maxit = 20, trace = 1, REPORT = 10)))
  expect_match(output[1], "^initial  value -?[0-9.]+ $")
  expect_match(output[2], "^iter   10 value -?[0-9.]+$")
  expect_equal(output, c(output[1:3], sprintf("final  value %f ", traced$value), sprintf("stopped: %s", traced$message)))
})

test_that("errors leave the optimizer at the last completed step", {
  after5 <- adam_run(6, list(maxit = 5))$optimizer$value(1)
  fresh <- function() {
    opt <- Optimizer(Adam(lr = 0.02))
    opt$add(stiefel, stiefel$random_point(6))
    opt
  }
  failing_at <- function(k, failure) {
    calls <- 0
    function(Y) {
      calls <<- calls + 1
      if (calls == k + 1) failure(Y) else f(Y)
    }
  }
  opt <- fresh()
  expect_error(optim_manifold(fn = failing_at(5, function(Y) stop("user objective failed")), gr = g,
                              optimizer = opt), "user objective failed")
  expect_identical(opt$value(1), after5)
  opt <- fresh()
  expect_error(optim_manifold(fn = failing_at(5, function(Y) NaN), gr = g, optimizer = opt),
               "^value: .*iteration 5", class = "homopt_invalid_argument")
  expect_identical(opt$value(1), after5)
  opt <- fresh()
  calls <- 0
  bad_gradient <- function(Y) {
    calls <<- calls + 1
    G <- g(Y)
    if (calls == 6) G[1, 1] <- Inf
    G
  }
  expect_error(optim_manifold(fn = f, gr = bad_gradient, optimizer = opt), "gradients[[1]]", fixed = TRUE,
               class = "homopt_invalid_argument")
  expect_identical(opt$value(1), after5)
  opt <- fresh()
  expect_error(optim_manifold(fn = f, gr = g, optimizer = opt,
                              callback = function(k, value, Y) if (k == 5) stop("user callback failed") else FALSE),
               "user callback failed")
  expect_identical(opt$value(1), after5)
  expect_error(adam_run(1, list(window = 0)), "^value_window: ", class = "homopt_invalid_argument")
  expect_error(adam_run(1, list(maxiter = 3)), "^control: unknown name maxiter", class = "homopt_invalid_argument")
  expect_error(optim_manifold(stiefel$random_point(1), f, g, stiefel, "newton"), "^method: ",
               class = "homopt_invalid_argument")
  expect_error(optim_manifold(stiefel$random_point(1), function(Y) "1", g, stiefel), "^fn: ",
               class = "homopt_invalid_argument")
})
