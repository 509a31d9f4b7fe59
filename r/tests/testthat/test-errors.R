# Bad input is an R error condition (class homopt_error) naming the argument; never a crash.

new_optimizer_with_stiefel <- function() {
  opt <- Optimizer(Adam())
  m <- Stiefel(5, 2)
  opt$add(m, m$random_point(1))
  opt
}

test_that("wrong shapes and counts", {
  m <- Stiefel(5, 2)
  expect_error(m$check(matrix(0, 4, 2)), "^point: expected a 5x2 matrix, got 4x2",
               class = "homopt_invalid_argument")
  expect_error(Stiefel(2, 3), "^n: ", class = "homopt_invalid_argument")
  expect_error(Stiefel(0, 0), "^n: ", class = "homopt_invalid_argument")
  expect_error(Euclidean(0, 3), "rows", class = "homopt_invalid_argument")
  opt <- new_optimizer_with_stiefel()
  expect_error(opt$step(list(matrix(0, 2, 5))), "^gradients\\[\\[1\\]\\]: expected a 5x2 matrix",
               class = "homopt_invalid_argument")
  expect_error(opt$step(list()), "^gradients: expected 1 gradients", class = "homopt_invalid_argument")
  expect_error(opt$step(list(matrix(0, 5, 2), matrix(0, 5, 2))), "^gradients: expected 1",
               class = "homopt_invalid_argument")
  expect_error(opt$add(Stiefel(5, 2), matrix(1, 5, 2)), "^initial_point: ",
               class = "homopt_invalid_argument")
  expect_error(opt$value(2), "parameter index 2 out of range .*1-based", class = "homopt_index_error")
  expect_error(opt$value(0), "^i: expected one whole number >= 1", class = "homopt_invalid_argument")
  expect_error(opt$value(1.5), "^i: ", class = "homopt_invalid_argument")
  expect_error(opt$manifold(3), "out of range", class = "homopt_index_error")
  expect_error(Optimizer(BFGS(max_dimension = 5))$add(Stiefel(5, 2), Stiefel(5, 2)$random_point(1)),
               "^manifold: ", class = "homopt_invalid_argument")
})

test_that("NA, NaN and Inf entries are refused by name", {
  m <- Stiefel(5, 2)
  Y <- m$random_point(1)
  opt <- new_optimizer_with_stiefel()
  for (bad in list(NA_real_, NaN, Inf, -Inf)) {
    G <- matrix(0, 5, 2)
    G[4, 2] <- bad
    expect_error(opt$step(list(G)), "^gradients\\[\\[1\\]\\]: entry \\(3, 1\\) \\(0-based\\)",
                 class = "homopt_invalid_argument")
    Z <- Y
    Z[1, 1] <- bad
    expect_error(m$check(Z), "^point: ", class = "homopt_invalid_argument")
    expect_error(opt$add(m, Z), "^initial_point: ", class = "homopt_invalid_argument")
  }
  G <- matrix(0L, 5, 2)
  G[2, 2] <- NA_integer_
  expect_error(opt$step(list(G)), "^gradients\\[\\[1\\]\\]: entry", class = "homopt_invalid_argument")
  expect_equal(opt$step_count(), 0)          # all-or-nothing: nothing changed
  expect_identical(opt$value(1), m$random_point(1))
})

test_that("non-numeric matrices, vectors and other objects are type errors", {
  m <- Stiefel(5, 2)
  opt <- new_optimizer_with_stiefel()
  expect_error(m$check(matrix("a", 5, 2)), "^point: expected a numeric matrix, got a character matrix",
               class = "homopt_type_error")
  expect_error(m$check(matrix(TRUE, 5, 2)), "got a logical matrix", class = "homopt_type_error")
  expect_error(m$check(1:10), "got an integer vector of length 10 .*use matrix", class = "homopt_type_error")
  expect_error(m$check(as.data.frame(matrix(0, 5, 2))), "data.frame", class = "homopt_type_error")
  expect_error(m$check(NULL), "got NULL", class = "homopt_type_error")
  expect_error(opt$step(list(as.double(1:10))), "^gradients\\[\\[1\\]\\]: expected a numeric matrix",
               class = "homopt_type_error")
  expect_error(opt$step(list(matrix("0", 5, 2))), "character matrix", class = "homopt_type_error")
  expect_error(opt$step("G"), "^gradients: expected a list", class = "homopt_type_error")
  expect_error(Stiefel("5", 2), "^N: expected one whole number", class = "homopt_type_error")
  expect_error(Stiefel(-5, 2), "^N: expected one whole number >= 0, got -5", class = "homopt_type_error")
  expect_error(Stiefel(NA, 2), "^N: ", class = "homopt_type_error")
  expect_error(m$random_point(-1), "^seed: ", class = "homopt_type_error")
  expect_error(m$random_point(2^60), "^seed: ", class = "homopt_type_error")
  expect_error(Optimizer(Adam(), retraction = "exp"), "^retraction: ", class = "homopt_invalid_argument")
  expect_error(Optimizer(Adam(), retraction = NA_character_), "^retraction: expected one string",
               class = "homopt_type_error")
  expect_error(Optimizer(m), "^method: expected a homopt method", class = "homopt_invalid_argument")
  expect_error(Optimizer("Adam"), "^method: expected a homopt method", class = "homopt_invalid_argument")
  expect_error(opt$add(Adam(), diag(2)), "^manifold: expected a homopt manifold",
               class = "homopt_invalid_argument")
  expect_error(opt$add(list(.pointer = 1), diag(2)), "^manifold: ", class = "homopt_invalid_argument")
})

test_that("deleted objects are errors, not crashes; delete() is idempotent", {
  m <- Stiefel(5, 2)
  opt <- new_optimizer_with_stiefel()
  method <- Adam()
  expect_false(opt$is_deleted())
  opt$delete()
  expect_true(opt$is_deleted())
  expect_silent(opt$delete())
  expect_error(opt$value(1), "was deleted", class = "homopt_error")
  expect_error(opt$step(list(matrix(0, 5, 2))), "was deleted", class = "homopt_error")
  expect_error(opt$save(tempfile()), "was deleted", class = "homopt_error")
  expect_output(print(opt), "<homopt Optimizer: deleted>")
  m$delete()
  expect_error(m$random_point(1), "was deleted", class = "homopt_error")
  expect_error(Optimizer(Adam())$add(m, diag(2)), "manifold.*was deleted", class = "homopt_error")
  method$delete()
  expect_error(Optimizer(method), "method.*was deleted", class = "homopt_error")
  expect_output(print(method), "<homopt Adam: deleted>")
  # An object restored by unserialize() has a null pointer: an error as well.
  restored <- unserialize(serialize(Stiefel(3, 1), NULL))
  expect_true(restored$is_deleted())
  expect_error(restored$dimension(), "was deleted", class = "homopt_error")
  gc()   # finalizers of deleted and live objects run without trouble
  succeed()
})

test_that("missing, truncated, corrupt and foreign checkpoints are file errors", {
  opt <- new_optimizer_with_stiefel()
  opt$step(list(matrix(1, 5, 2)))
  path <- tempfile()
  on.exit(unlink(path))
  opt$save(path)
  bytes <- readBin(path, "raw", file.size(path))
  expect_error(load_optimizer(tempfile()), "cannot open", class = "homopt_file_error")
  writeBin(bytes[1:(length(bytes) - 9)], path)
  expect_error(load_optimizer(path), class = "homopt_file_error")
  flipped <- bytes
  flipped[60] <- as.raw(bitwXor(as.integer(flipped[60]), 1L))
  writeBin(flipped, path)
  expect_error(load_optimizer(path), class = "homopt_file_error")
  writeBin(charToRaw("not a homopt checkpoint at all"), path)
  expect_error(load_optimizer(path), class = "homopt_file_error")
  writeBin(raw(0), path)
  expect_error(load_optimizer(path), class = "homopt_file_error")
  expect_error(load_optimizer(3), "^path: expected one file name", class = "homopt_invalid_argument")
  expect_error(opt$save(file.path(tempfile(), "no", "such", "dir")), class = "homopt_file_error")
  writeBin(bytes, path)                               # the intact file still loads
  expect_identical(load_optimizer(path)$value(1), opt$value(1))
})

test_that("a '%' in a file name is text, not a format directive", {
  expect_error(load_optimizer(file.path(tempdir(), "no%s%n%s.ckpt")), "no%s%n%s.ckpt",
               class = "homopt_file_error")
})

test_that("sizes whose products would overflow are refused by name", {
  # Every matrix a manifold can allocate has at most 2^31 - 1 elements (issue 12: Stiefel(2^33,
  # 2^32) segfaulted in random_point, Euclidean(2^32, 2^32) had dimension 0).
  expect_error(Stiefel(2^33, 2^32), "^N: too large", class = "homopt_invalid_argument")
  expect_error(Grassmann(46341, 1), "^N: too large", class = "homopt_invalid_argument")
  expect_error(SymplecticStiefel(2^52, 1), "^N: too large", class = "homopt_invalid_argument")
  expect_error(SymplecticGrassmann(23171, 2), "^N: too large", class = "homopt_invalid_argument")
  expect_error(Euclidean(2^32, 2^32), "^rows: too large", class = "homopt_invalid_argument")
  expect_error(Euclidean(2^16, 2^16), "^cols: too large", class = "homopt_invalid_argument")
  expect_error(standard_normal_matrix(2^32, 2^32, 0), "^rows: too large", class = "homopt_invalid_argument")
  # Beyond 2^53 (not a whole number R can represent exactly), negative, NA: refused on entry.
  expect_error(SymplecticStiefel(2^63, 1), "^N: expected one whole number", class = "homopt_type_error")
  expect_error(Euclidean(-2, 3), "^rows: expected one whole number >= 0, got -2", class = "homopt_type_error")
  expect_error(Euclidean(3, NA), "^cols: ", class = "homopt_type_error")
  expect_error(standard_normal_matrix(2, -1, 0), "^cols: ", class = "homopt_type_error")
  expect_equal(Stiefel(46340, 1)$dimension(), 46339)
  expect_equal(SymplecticStiefel(23170, 1)$rows(), 46340)
  expect_equal(Euclidean(2^31 - 1, 1)$dimension(), 2^31 - 1)
})

test_that("a step that would commit NaN or leave the manifold is refused and changes nothing", {
  # Issue 12: SymplecticGrassmann(3, 1), geodesic, Gradient(lr = 1), gradient
  # 1e3 * standard_normal_matrix(6, 2, 3) used to succeed with check() = NaN.
  m <- SymplecticGrassmann(3, 1)
  opt <- Optimizer(Gradient(lr = 1), retraction = "geodesic")
  opt$add(m, m$random_point(1))
  before <- opt$value(1)
  G <- standard_normal_matrix(6, 2, 3)
  expect_error(opt$step(list(1e3 * G)), "^velocity: ", class = "homopt_invalid_argument")
  expect_identical(opt$value(1), before)
  expect_equal(opt$step_count(), 0)
  opt$step(list(1e-2 * G))
  expect_equal(opt$step_count(), 1)
  expect_lte(m$check(opt$value(1)), m$tolerance())
})
