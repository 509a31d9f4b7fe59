# Manifolds: Stiefel, Grassmann, Euclidean (DESIGN 1.2–1.3). Every manifold object has
# the same verbs; they call the SWIG wrappers of the C++ base class homopt::Manifold.

new_manifold <- function(pointer, class, delete_routine) {
  new_object(pointer, delete_routine, c(paste0("homopt_", class), "homopt_manifold"), list(
    # A point from the manifold's fixed distribution; the same for a seed in every language.
    random_point = function(seed) native(R_swig_Manifold_random_point, pointer, seed, FALSE),
    # Constraint residual, e.g. ||Y'Y - I||_F (0 for Euclidean); errors on wrong shape/NaN.
    check = function(point) native(R_swig_Manifold_check, pointer, point, FALSE),
    # Riemannian gradient at `point` of a function with Euclidean gradient G.
    riemannian_gradient = function(point, euclidean_gradient) {
      native(R_swig_Manifold_riemannian_gradient, pointer, point, euclidean_gradient, FALSE)
    },
    dimension = function() native(R_swig_Manifold_dimension, pointer, FALSE),
    rows = function() native(R_swig_Manifold_rows, pointer, FALSE),
    cols = function() native(R_swig_Manifold_cols, pointer, FALSE),
    tolerance = function() native(R_swig_Manifold_tolerance, pointer, FALSE),
    name = function() native(R_swig_Manifold_name, pointer, FALSE),
    description = function() native(R_swig_Manifold_description, pointer, FALSE)
  ))
}

Stiefel <- function(N, n) {
  pointer <- native(R_swig_new_Stiefel, N, n)
  new_manifold(pointer, "Stiefel", R_swig_delete_Stiefel)
}

Grassmann <- function(N, n) {
  pointer <- native(R_swig_new_Grassmann, N, n)
  new_manifold(pointer, "Grassmann", R_swig_delete_Grassmann)
}

Euclidean <- function(rows, cols) {
  pointer <- native(R_swig_new_Euclidean, rows, cols)
  new_manifold(pointer, "Euclidean", R_swig_delete_Euclidean)
}

format.homopt_manifold <- function(x, ...) {
  deleted <- format_deleted(x)
  if (!is.null(deleted)) return(deleted)
  c(sprintf("<homopt manifold> %s", x$description()),
    sprintf("  points: %g x %g matrices; dimension %g", x$rows(), x$cols(), x$dimension()))
}
