standard_normal_matrix <- function(rows, cols, seed) {
  native(R_swig_standard_normal_matrix, rows, cols, seed, FALSE)
}

homopt_version <- function() native(R_swig_version)
