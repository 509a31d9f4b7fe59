# Manifolds: Stiefel, Grassmann, SymplecticStiefel, SymplecticGrassmann, Euclidean
# (docs/mathematics.md, docs/symplectic.md). Every manifold object has
# the same verbs; they call the SWIG wrappers of the C++ base class homopt::Manifold.

new_manifold <- function(pointer, class, delete_routine) {
  new_object(pointer, delete_routine, c(paste0("homopt_", class), "homopt_manifold"), list(
    # A point from the manifold's fixed distribution; the same for a seed in every language.
    random_point = function(seed) .Call(R_swig_Manifold_random_point, pointer, seed, FALSE),
    # Constraint residual, e.g. ||Y'Y - I||_F (0 for Euclidean); errors on wrong shape/NaN.
    check = function(point) .Call(R_swig_Manifold_check, pointer, point, FALSE),
    # Riemannian gradient at `point` of a function with Euclidean gradient G.
    riemannian_gradient = function(point, euclidean_gradient) {
      .Call(R_swig_Manifold_riemannian_gradient, pointer, point, euclidean_gradient, FALSE)
    },
    dimension = function() .Call(R_swig_Manifold_dimension, pointer, FALSE),
    rows = function() .Call(R_swig_Manifold_rows, pointer, FALSE),
    cols = function() .Call(R_swig_Manifold_cols, pointer, FALSE),
    tolerance = function() .Call(R_swig_Manifold_tolerance, pointer, FALSE),
    name = function() .Call(R_swig_Manifold_name, pointer, FALSE),
    description = function() .Call(R_swig_Manifold_description, pointer, FALSE)
  ))
}

# The constructor function(N, n) of a manifold class wrapped by SWIG as
# R_swig_new_<class> / R_swig_delete_<class> (looked up when called: the registered
# routines exist only once the namespace is loaded).
manifold_constructor <- function(class) {
  force(class)
  function(N, n) {
    pointer <- .Call(get(paste0("R_swig_new_", class)), N, n)
    new_manifold(pointer, class, get(paste0("R_swig_delete_", class)))
  }
}

Stiefel <- manifold_constructor("Stiefel")
Grassmann <- manifold_constructor("Grassmann")
SymplecticStiefel <- manifold_constructor("SymplecticStiefel")
SymplecticGrassmann <- manifold_constructor("SymplecticGrassmann")

Euclidean <- function(rows, cols) {
  pointer <- .Call(R_swig_new_Euclidean, rows, cols)
  new_manifold(pointer, "Euclidean", R_swig_delete_Euclidean)
}

format.homopt_manifold <- function(x, ...) {
  deleted <- format_deleted(x)
  if (!is.null(deleted)) return(deleted)
  c(sprintf("<homopt manifold> %s", x$description()),
    sprintf("  points: %g x %g matrices; dimension %g", x$rows(), x$cols(), x$dimension()))
}
