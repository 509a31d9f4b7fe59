# Shared helpers of the homopt tests.

# Brockett cost f(Y) = tr(Y'BYD) and its Euclidean gradient 2BYD (B symmetric).
brockett_cost <- function(B, D, Y) sum(diag(t(Y) %*% B %*% Y %*% D))
brockett_gradient <- function(B, D, Y) 2 * B %*% Y %*% D

# A symmetric test matrix from homopt's reproducible normals.
symmetric_matrix <- function(N, seed) {
  X <- standard_normal_matrix(N, N, seed)
  (X + t(X)) / 2
}

# Frobenius distance of the orthogonal projectors onto span(Y) and span(V).
projector_distance <- function(Y, V) norm(Y %*% t(Y) - V %*% t(V), "F")

orthogonality_residual <- function(Y) norm(crossprod(Y) - diag(ncol(Y)), "F")

# Runs `steps` steps of `optimizer` on one parameter with gradient function `gradient(Y)`.
run_steps <- function(optimizer, gradient, steps, i = 1) {
  for (k in seq_len(steps)) optimizer$step(list(gradient(optimizer$value(i))))
  optimizer$value(i)
}

# Reads a cross-language trajectory file: '#' comments, else "NAME ROWS COLS v1 v2 ...".
read_trajectory <- function(path) {
  lines <- grep("^[[:space:]]*(#|$)", readLines(path), value = TRUE, invert = TRUE)
  entries <- lapply(strsplit(trimws(lines), "[[:space:]]+"), function(fields) {
    rows <- as.integer(fields[2])
    cols <- as.integer(fields[3])
    values <- as.numeric(fields[-(1:3)])
    stopifnot(length(values) == rows * cols)
    matrix(values, rows, cols)
  })
  stats::setNames(entries, vapply(strsplit(trimws(lines), "[[:space:]]+"), `[`, "", 1))
}

# J_{2k} = [[0, I], [-I, 0]] and the symplecticity residual ||U'J U - J||_F.
symplectic_form <- function(k) rbind(cbind(matrix(0, k, k), diag(k)), cbind(-diag(k), matrix(0, k, k)))
symplecticity_residual <- function(U) {
  norm(t(U) %*% symplectic_form(nrow(U) / 2) %*% U - symplectic_form(ncol(U) / 2), "F")
}

# Orthogonal projector onto span(U).
projector <- function(U) U %*% solve(crossprod(U), t(U))

# expect_lte(result, tolerance) that also appends "r: name result tolerance" to the file named
# by HOMOPT_MARGIN_FILE, when set (read by tests/tools/kernel-table).
check_within <- function(name, result, tolerance) {
  path <- Sys.getenv("HOMOPT_MARGIN_FILE")
  if (nzchar(path)) {
    cat(sprintf("r: %s %.17g %.17g\n", name, result, tolerance), file = path, append = TRUE)
  }
  expect_lte(result, tolerance, label = name)
}
