test_that("constructors carry the reference defaults", {
  expect_equal(Gradient()$hyperparameters(), c(lr = 1e-2))
  expect_equal(Momentum()$hyperparameters(), c(lr = 1e-3, alpha = 1e-2))
  expect_equal(Adam()$hyperparameters(),
               c(lr = 1e-3, beta1 = 0.9, beta2 = 0.99, eps = 3e-7, amsgrad = 0))
  expect_equal(AdamWithDecay()$hyperparameters()[c("decay_steps", "lr_start", "lr_end", "eps")],
               c(decay_steps = 1000, lr_start = 1e-2, lr_end = 1e-6, eps = 1e-8))
  expect_equal(BFGS()$hyperparameters()[c("lr", "eps", "max_dimension")],
               c(lr = 1e-2, eps = 1e-8, max_dimension = 4096))
  expect_equal(Adam(lr = 0.5, amsgrad = TRUE)$hyperparameters()[c("lr", "amsgrad")],
               c(lr = 0.5, amsgrad = 1))
  expect_equal(vapply(list(Gradient(), Momentum(), Adam(), AdamWithDecay(), BFGS()),
                      function(m) m$name(), ""),
               c("Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS"))
})

test_that("AdamWithDecay decays exponentially from lr_start to lr_end", {
  method <- AdamWithDecay(decay_steps = 11, lr_start = 1, lr_end = 1e-10)
  expect_equal(method$learning_rate(1), 1)
  expect_equal(method$learning_rate(6), 1e-5, tolerance = 1e-12)
  expect_equal(method$learning_rate(11), 1e-10, tolerance = 1e-12)
  expect_equal(method$learning_rate(500), 1e-10, tolerance = 1e-12)
})

test_that("print shows the method and its hyperparameters", {
  expect_output(print(Adam()), "<homopt method> Adam\\(lr=0.001, beta1=0.9, beta2=0.99, eps=3e-07")
  expect_output(print(Momentum(alpha = 0.5)), "Momentum\\(lr=0.001, alpha=0.5\\)")
})

test_that("invalid hyperparameters are errors naming the argument", {
  expect_error(Adam(lr = -1), "^lr: ", class = "homopt_invalid_argument")
  expect_error(Adam(lr = NaN), "^lr: ", class = "homopt_invalid_argument")
  expect_error(Adam(beta1 = 1), "^beta1: ", class = "homopt_invalid_argument")
  expect_error(Adam(amsgrad = NA), "^amsgrad: expected TRUE or FALSE", class = "homopt_type_error")
  expect_error(Momentum(alpha = -0.1), "^alpha: ", class = "homopt_invalid_argument")
  expect_error(Gradient(lr = "fast"), "^lr: expected one number", class = "homopt_type_error")
  expect_error(Gradient(lr = c(1, 2)), "^lr: expected one number", class = "homopt_type_error")
  expect_error(AdamWithDecay(decay_steps = 0), "decay_steps", class = "homopt_invalid_argument")
  expect_error(AdamWithDecay(decay_steps = 2.5), "^decay_steps: expected one whole number",
               class = "homopt_type_error")
  expect_error(BFGS(max_dimension = -3), "^max_dimension: ", class = "homopt_type_error")
})
