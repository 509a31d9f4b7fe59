# The cross-language contract tests/data/reference_trajectory.txt (copied by r/prepare):
# Brockett cost on St(2, 6), Adam + Cayley, 20 steps, reproduced to 1e-12.

test_that("the reference trajectory is reproduced to 1e-12", {
  path <- test_path("reference_trajectory.txt")
  expect_true(file.exists(path))
  data <- read_trajectory(path)
  expect_equal(data$B, symmetric_matrix(6, 7), tolerance = 0)   # B = (X + X')/2, X seed 7
  seed <- data$seed[1, 1]
  Y0 <- Stiefel(6, 2)$random_point(seed)
  expect_lt(max(abs(Y0 - data$Y0)), 1e-12)
  p <- data$adam
  opt <- Optimizer(Adam(lr = p[1], beta1 = p[2], beta2 = p[3], eps = p[4]), "cayley")
  opt$add(Stiefel(6, 2), Y0)
  steps <- 0
  for (t in 1:20) {
    name <- paste0("Y", t)
    if (is.null(data[[name]])) break
    opt$step(list(brockett_gradient(data$B, data$D, opt$value(1))))
    expect_lt(max(abs(opt$value(1) - data[[name]])), 1e-12, label = name)
    steps <- t
  }
  expect_equal(steps, 20)
})
