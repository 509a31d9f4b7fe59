standard_normal_matrix <- function(rows, cols, seed) {
  .Call(R_swig_standard_normal_matrix, rows, cols, seed, FALSE)
}

homopt_version <- function() .Call(R_swig_version)
