# Statistics workflows on data sets shipped with R.

test_that("principal subspace of scaled USArrests on Gr(2, 4) matches prcomp", {
  X <- scale(USArrests)
  C <- crossprod(X) / (nrow(X) - 1)
  g <- Grassmann(4, 2)
  opt <- Optimizer(Gradient(lr = 0.2))
  opt$add(g, g$random_point(1))
  Y <- run_steps(opt, function(Y) -2 * C %*% Y, 300)          # minimise -tr(Y'CY)
  V <- prcomp(X)$rotation[, 1:2]
  expect_lt(projector_distance(Y, V), 1e-8)
  expect_equal(sum(diag(t(Y) %*% C %*% Y)), sum(prcomp(X)$sdev[1:2]^2), tolerance = 1e-12)
})

test_that("principal subspace of scaled iris on Gr(3, 4) matches prcomp (Adam, then gradient)", {
  X <- scale(as.matrix(iris[, 1:4]))
  C <- crossprod(X) / (nrow(X) - 1)
  g <- Grassmann(4, 3)
  adam <- Optimizer(Adam(lr = 0.05))
  adam$add(g, g$random_point(2))
  Y <- run_steps(adam, function(Y) -2 * C %*% Y, 300)
  polish <- Optimizer(Gradient(lr = 0.2))
  polish$add(g, Y)
  Y <- run_steps(polish, function(Y) -2 * C %*% Y, 300)
  expect_lt(projector_distance(Y, prcomp(X)$rotation[, 1:3]), 1e-8)
})

test_that("orthogonal Procrustes rotation on O(4) matches the SVD solution", {
  A <- scale(as.matrix(iris[, 1:4]))
  n <- nrow(A)
  rotation <- Stiefel(4, 4)$random_point(3)
  B <- A %*% rotation + 0.3 * standard_normal_matrix(n, 4, 5)
  s <- svd(crossprod(A, B))
  solution <- s$u %*% t(s$v)                                    # argmin ||AQ - B||_F
  m <- Stiefel(4, 4)
  Q0 <- m$random_point(11)
  if (sign(det(Q0)) != sign(det(solution))) Q0[, 1] <- -Q0[, 1]  # same component of O(4)
  opt <- Optimizer(Gradient(lr = 0.1))
  opt$add(m, Q0)
  Q <- run_steps(opt, function(Q) 2 * crossprod(A, A %*% Q - B) / (n - 1), 1500)
  expect_lt(norm(Q - solution, "F"), 1e-8)
  expect_lt(m$check(Q), 1e-13)
})
