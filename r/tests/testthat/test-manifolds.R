test_that("Stiefel: random points are reproducible, orthonormal, Q factors of the normals", {
  m <- Stiefel(7, 3)
  Y <- m$random_point(5)
  expect_true(is.matrix(Y) && is.double(Y))
  expect_equal(dim(Y), c(7, 3))
  expect_null(attributes(Y)$class)
  expect_identical(Y, m$random_point(5))
  expect_false(isTRUE(all.equal(Y, m$random_point(6))))
  expect_lt(orthogonality_residual(Y), 1e-14)
  expect_lt(abs(m$check(Y) - orthogonality_residual(Y)), 1e-15)
  # Q factor with positive diag(R) of standard_normal_matrix(7, 3, seed).
  X <- standard_normal_matrix(7, 3, 5)
  R <- crossprod(Y, X)
  expect_lt(max(abs(Y %*% R - X)), 1e-12)
  expect_lt(max(abs(R[lower.tri(R)])), 1e-12)
  expect_true(all(diag(R) > 0))
  expect_equal(m$dimension(), 3 * 2 / 2 + (7 - 3) * 3)
  expect_equal(c(m$rows(), m$cols()), c(7, 3))
  expect_equal(m$name(), "Stiefel")
  expect_equal(m$description(), "Stiefel(N=7, n=3)")
  expect_equal(m$tolerance(), 1e-10)
  expect_equal(m$check(2 * Y), norm(4 * diag(3) - diag(3), "F"), tolerance = 1e-12)
})

test_that("Stiefel and Grassmann Riemannian gradients follow their formulas", {
  Y <- Stiefel(6, 2)$random_point(1)
  G <- standard_normal_matrix(6, 2, 2)
  expect_equal(Stiefel(6, 2)$riemannian_gradient(Y, G), G - Y %*% t(G) %*% Y, tolerance = 1e-14)
  expect_equal(Grassmann(6, 2)$riemannian_gradient(Y, G), G - Y %*% t(Y) %*% G,
               tolerance = 1e-14)
  expect_equal(Euclidean(6, 2)$riemannian_gradient(Y, G), G)
})

test_that("Grassmann: same basis as Stiefel, dimension (N-n)n", {
  g <- Grassmann(8, 3)
  expect_identical(g$random_point(9), Stiefel(8, 3)$random_point(9))
  expect_equal(g$dimension(), (8 - 3) * 3)
  expect_equal(g$description(), "Grassmann(N=8, n=3)")
  expect_lt(g$check(g$random_point(9)), 1e-14)
})

test_that("Euclidean: points are the normals, check is 0, any finite matrix is valid", {
  e <- Euclidean(3, 4)
  expect_identical(e$random_point(3), standard_normal_matrix(3, 4, 3))
  expect_equal(e$check(matrix(1e6, 3, 4)), 0)
  expect_equal(e$dimension(), 12)
  expect_equal(e$name(), "Euclidean")
})

test_that("standard_normal_matrix is reproducible and standard normal", {
  X <- standard_normal_matrix(200, 50, 123)
  expect_identical(X, standard_normal_matrix(200, 50, 123))
  expect_lt(abs(mean(X)), 0.02)      # 10 000 draws: sd of the mean 0.01
  expect_lt(abs(sd(as.vector(X)) - 1), 0.03)
  expect_equal(dim(standard_normal_matrix(0, 3, 1)), c(0, 3))
})

test_that("print shows description, shape and dimension", {
  expect_output(print(Stiefel(49, 7)), "Stiefel\\(N=49, n=7\\).*49 x 7 matrices; dimension 315")
  expect_output(print(Euclidean(2, 3)), "Euclidean.*2 x 3 matrices; dimension 6")
  expect_match(format(Grassmann(4, 2))[1], "^<homopt manifold> Grassmann\\(N=4, n=2\\)$")
})

test_that("SymplecticStiefel and SymplecticGrassmann: 2N x 2n symplectic points, dimensions", {
  for (m in list(SymplecticStiefel(5, 2), SymplecticGrassmann(5, 2))) {
    U <- m$random_point(4)
    expect_equal(dim(U), c(10, 4))
    expect_identical(U, m$random_point(4))
    expect_lt(symplecticity_residual(U), 1e-13)
    expect_lt(abs(m$check(U) - symplecticity_residual(U)), 1e-13)
    expect_equal(c(m$rows(), m$cols()), c(10, 4))
    expect_gt(m$check(U + 0.1), 1e-3)
  }
  expect_equal(SymplecticStiefel(5, 2)$dimension(), 4 * 5 * 2 - 2 * 2^2 + 2)
  expect_equal(SymplecticGrassmann(5, 2)$dimension(), 4 * 2 * (5 - 2))
  expect_equal(SymplecticStiefel(5, 2)$description(), "SymplecticStiefel(N=5, n=2)")
  expect_error(SymplecticStiefel(2, 3), "^n: ", class = "homopt_invalid_argument")
})
