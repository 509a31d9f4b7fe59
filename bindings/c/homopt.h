/* homopt.h — the C ABI of homopt (C99; usable from C, C++ and Julia's ccall).
 *
 * Conventions (docs/architecture.md, "From each language to the core"):
 *  - Opaque handles: homopt_manifold, homopt_method, homopt_optimizer. Each *_create /
 *    *_load returns a new handle through its last argument; the caller owns it and releases
 *    it with the matching *_destroy. Destroying NULL is a no-op (HOMOPT_OK).
 *  - Every function except homopt_version, homopt_last_error and homopt_status_name returns
 *    an int status: HOMOPT_OK (0) or one of the error codes below. On error, outputs are
 *    left untouched and homopt_last_error() returns a message naming the offending argument.
 *    Exception: a handle output (`homopt_xxx** out`) is set to NULL on failure.
 *    No C++ exception ever leaves the library.
 *  - A handle that is NULL, already destroyed, or of another kind gives HOMOPT_NULL_HANDLE
 *    (the library keeps a registry of live handles, so a stale handle is reported, not
 *    dereferenced — unless its address has been reused by a newer handle of the same kind).
 *  - Matrices are column-major arrays of double with explicit rows and cols. Inputs are read
 *    only during the call (never retained). Outputs go to caller buffers whose capacity (in
 *    elements) the caller passes; HOMOPT_BUFFER_TOO_SMALL if it is smaller than rows·cols.
 *    The size query functions (homopt_manifold_rows/cols, homopt_optimizer_value_shape)
 *    give the shapes to allocate.
 *  - Strings out: `char* buffer, size_t capacity, size_t* length`. *length (if non-NULL)
 *    always receives the string length without the terminating NUL; the string is copied
 *    (NUL-terminated) only if capacity > length, else HOMOPT_BUFFER_TOO_SMALL. Pass
 *    buffer = NULL, capacity = 0 to query the length.
 *  - Indices are 0-based.
 *  - Threads: every call is thread-safe. Calls on one optimizer from several threads are
 *    serialized (a mutex per optimizer handle: N threads x M steps give exactly N*M steps,
 *    the result of some serial order; value/save see a state between two steps).
 *    Manifolds and methods are immutable. Destroying a handle while another thread is
 *    inside a call with it is safe: that call completes, later calls return
 *    HOMOPT_NULL_HANDLE (do not use a destroyed handle's value afterwards: its address may
 *    be reused by a new handle). homopt_last_error is per thread.
 */
#ifndef HOMOPT_H
#define HOMOPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ status codes */

#define HOMOPT_OK 0
/** Bad input: wrong shape, NaN/Inf, point off the manifold, bad hyperparameter, unknown name. */
#define HOMOPT_INVALID_ARGUMENT 1
/** Index out of range (e.g. a parameter index ≥ homopt_optimizer_size). */
#define HOMOPT_INDEX_ERROR 2
/** A checkpoint that cannot be read or written (missing, truncated, corrupt, foreign). */
#define HOMOPT_FILE_ERROR 3
/** A NULL, destroyed or wrong-kind handle. */
#define HOMOPT_NULL_HANDLE 4
/** An output buffer smaller than the result. */
#define HOMOPT_BUFFER_TOO_SMALL 5
/** Memory allocation failed. */
#define HOMOPT_OUT_OF_MEMORY 6
/** Any other failure inside the library (a bug or a numerical library error). */
#define HOMOPT_INTERNAL_ERROR 7

typedef struct homopt_manifold homopt_manifold;
typedef struct homopt_method homopt_method;
typedef struct homopt_optimizer homopt_optimizer;
typedef struct homopt_solver homopt_solver;

/* ------------------------------------------------------------------ library */

/** Semantic version "MAJOR.MINOR.PATCH" (static string). */
const char* homopt_version(void);
/** Message of the last failed call on this thread ("" if none). Valid until the next
 *  failing call on the same thread. */
const char* homopt_last_error(void);
/** Symbolic name of a status code, e.g. "HOMOPT_FILE_ERROR" (static string). */
const char* homopt_status_name(int status);
/** Number of live handles of all kinds (created and not yet destroyed): a leak check for
 *  bindings whose handles are released by finalizers. */
int homopt_live_handle_count(size_t* count);

/** rows×cols independent standard normals, column-major, from std::mt19937_64(seed) by
 *  Box–Muller: the same numbers as homopt::standard_normal_matrix in every language. */
int homopt_standard_normal_matrix(size_t rows, size_t cols, uint64_t seed, double* out, size_t capacity);

/* ------------------------------------------------------------------ manifolds */

/** Any manifold of the core by name and its two shape parameters, in the order of the C++
 *  constructor. The five manifolds (the list, with constraints and size rules, is also
 *  available at run time: homopt_manifold_spec_count/_name/_text below):
 *    "Stiefel"              (N, n)       St(n, N) = {Y ∈ ℝ^{N×n} : YᵀY = I}, 1 ≤ n ≤ N ≤ 46340
 *    "Grassmann"            (N, n)       Gr(n, N): n-dimensional subspaces of ℝ^N, represented
 *                                        by orthonormal N×n bases; 1 ≤ n ≤ N ≤ 46340
 *    "SymplecticStiefel"    (N, n)       SpSt(2n, 2N) = {U ∈ ℝ^{2N×2n} : UᵀJ_{2N}U = J_{2n}},
 *                                        1 ≤ n ≤ N ≤ 23170
 *    "SymplecticGrassmann"  (N, n)       SpGr(2n, 2N): 2n-dimensional symplectic subspaces of
 *                                        ℝ^{2N}, represented by symplectic 2N×2n bases
 *    "Euclidean"            (rows, cols) the vector space ℝ^{rows×cols}, rows·cols ≤ 2³¹ − 1
 *  Sizes outside these rules give HOMOPT_INVALID_ARGUMENT naming the size. */
int homopt_manifold_create(const char* name, size_t a, size_t b, homopt_manifold** out);
/** homopt_manifold_create("Stiefel", N, n, out). */
int homopt_stiefel_create(size_t N, size_t n, homopt_manifold** out);
/** homopt_manifold_create("Grassmann", N, n, out). */
int homopt_grassmann_create(size_t N, size_t n, homopt_manifold** out);
/** homopt_manifold_create("Euclidean", rows, cols, out). */
int homopt_euclidean_create(size_t rows, size_t cols, homopt_manifold** out);
/** Releases a manifold (NULL-safe). */
int homopt_manifold_destroy(homopt_manifold* manifold);

/** Type name, e.g. "Stiefel". */
int homopt_manifold_name(const homopt_manifold* manifold, char* buffer, size_t capacity, size_t* length);
/** Description, e.g. "Stiefel(N=49, n=7)". */
int homopt_manifold_description(const homopt_manifold* manifold, char* buffer, size_t capacity,
                                size_t* length);
/** Rows of a point matrix. */
int homopt_manifold_rows(const homopt_manifold* manifold, size_t* rows);
/** Columns of a point matrix. */
int homopt_manifold_cols(const homopt_manifold* manifold, size_t* cols);
/** Manifold dimension = length of the packed tangent coordinates
 *  (Stiefel n(n−1)/2 + (N−n)n, Grassmann (N−n)n, Euclidean rows·cols). */
int homopt_manifold_dimension(const homopt_manifold* manifold, size_t* dimension);
/** Largest constraint residual accepted for a point (homopt_manifold_check). */
int homopt_manifold_tolerance(const homopt_manifold* manifold, double* tolerance);

/** A reproducible random point (same for the same seed in every language) written to
 *  `point` (rows×cols, column-major, capacity ≥ rows·cols). */
int homopt_manifold_random_point(const homopt_manifold* manifold, uint64_t seed, double* point,
                                 size_t capacity);
/** Constraint residual of the rows×cols matrix Y, e.g. ‖YᵀY − I‖_F for Stiefel, 0 for
 *  Euclidean. HOMOPT_INVALID_ARGUMENT on a wrong shape or a NaN/Inf entry. */
int homopt_manifold_check(const homopt_manifold* manifold, const double* point, size_t rows, size_t cols,
                          double* residual);
/** Riemannian gradient at Y of a function with Euclidean gradient G (both rows×cols):
 *  Stiefel G − Y GᵀY (canonical metric), Grassmann G − YYᵀG, Euclidean G. */
int homopt_manifold_riemannian_gradient(const homopt_manifold* manifold, const double* point,
                                        size_t point_rows, size_t point_cols,
                                        const double* euclidean_gradient, size_t gradient_rows,
                                        size_t gradient_cols, double* out, size_t capacity);

/* ------------------------------------------------------------------ methods */

/** Any method of the core by name ("Gradient", "Momentum", "Adam", "AdamWithDecay",
 *  "BFGS") with `count` hyperparameters given as parallel arrays keys[k] = values[k]
 *  (keys/values may be NULL if count = 0). Hyperparameters not given take the core's
 *  defaults: pass only what the user chose. The hyperparameters of each method, their
 *  defaults, accepted ranges and meaning are declared once in the core and reported by
 *  homopt_method_spec_hyperparameter / _text below (and tabulated in docs/api-reference.md).
 *  Flags (amsgrad) are 0/1, counts (decay_steps, max_dimension) whole numbers. */
int homopt_method_create(const char* name, const char* const* keys, const double* values, size_t count,
                         homopt_method** out);
/* Fixed-arity creators (kept for existing ABI users): every hyperparameter must be given;
 * the ranges are those of homopt_method_create. Prefer homopt_method_create with only the
 * keys you choose. */
/** Gradient descent, V = −lr·g. */
int homopt_gradient_create(double lr, homopt_method** out);
/** Heavy-ball momentum, m ← alpha·m + g, V = −lr·m. */
int homopt_momentum_create(double lr, double alpha, homopt_method** out);
/** Adam with bias correction, V = −lr·m̂/(√v̂ + eps) element-wise. */
int homopt_adam_create(double lr, double beta1, double beta2, double eps, int amsgrad, homopt_method** out);
/** Adam with lr(t) = lr_start·(lr_end/lr_start)^{min(t−1, S−1)/(S−1)}, S = decay_steps. */
int homopt_adam_with_decay_create(uint64_t decay_steps, double lr_start, double lr_end, double beta1,
                                  double beta2, double eps, int amsgrad, homopt_method** out);
/** BFGS on the coordinates, V = −lr·H g. */
int homopt_bfgs_create(double lr, double eps, size_t max_dimension, homopt_method** out);
/** Releases a method (NULL-safe). */
int homopt_method_destroy(homopt_method* method);

/** Type name, e.g. "Adam". */
int homopt_method_name(const homopt_method* method, char* buffer, size_t capacity, size_t* length);
/** Description: the name and every hyperparameter value, e.g. "Adam(lr=…, beta1=…, …)". */
int homopt_method_description(const homopt_method* method, char* buffer, size_t capacity, size_t* length);
/** Number of hyperparameters. */
int homopt_method_hyperparameter_count(const homopt_method* method, size_t* count);
/** Hyperparameter `index` (0-based, in the order homopt_method_create accepts): its name
 *  (string out convention) and its value. */
int homopt_method_hyperparameter(const homopt_method* method, size_t index, char* name, size_t capacity,
                                 size_t* length, double* value);

/* ------------------------------------------------------------------ API declaration */
/* The core declares every method and manifold once (name, hyperparameters with defaults,
 * ranges and meaning; shape parameters, constraint and size rule); these queries report
 * that declaration, so a binding never writes a default or a name down itself. They take
 * no handle; strings follow the string-out convention; an index past the end gives
 * HOMOPT_INDEX_ERROR, an unknown name or field HOMOPT_INVALID_ARGUMENT. */

/** Number of methods (5). */
int homopt_method_spec_count(size_t* count);
/** Name of method `index` (0-based), e.g. "Adam". */
int homopt_method_spec_name(size_t index, char* buffer, size_t capacity, size_t* length);
/** Text field of a method: field "summary" (one line) or "formula" (the update). */
int homopt_method_spec_text(const char* method, const char* field, char* buffer, size_t capacity, size_t* length);
/** Number of hyperparameters of `method`. */
int homopt_method_spec_hyperparameter_count(const char* method, size_t* count);
/** Hyperparameter `index` of `method`, in the order homopt_method_hyperparameter reports:
 *  its name (string out convention) and its default value (flags 0/1, counts whole). */
int homopt_method_spec_hyperparameter(const char* method, size_t index, char* name, size_t capacity,
                                      size_t* length, double* default_value);
/** Text field of hyperparameter `index` of `method`: field "name", "kind" ("real",
 *  "count" or "flag"), "range" (e.g. "finite, > 0") or "meaning" (one line). */
int homopt_method_spec_hyperparameter_text(const char* method, size_t index, const char* field, char* buffer,
                                           size_t capacity, size_t* length);
/** Number of manifolds (5). */
int homopt_manifold_spec_count(size_t* count);
/** Name of manifold `index` (0-based), e.g. "Stiefel". */
int homopt_manifold_spec_name(size_t index, char* buffer, size_t capacity, size_t* length);
/** Text field of a manifold: field "summary", "constraint" (e.g. "YᵀY = I"), "size_rule"
 *  (e.g. "1 ≤ n ≤ N ≤ 46340"), "point_shape" (e.g. "2N × 2n") or "shape_parameters" (the
 *  names of homopt_manifold_create's a and b, e.g. "N, n"). */
int homopt_manifold_spec_text(const char* manifold, const char* field, char* buffer, size_t capacity,
                              size_t* length);

/* ------------------------------------------------------------------ optimizer */

/** An optimizer with a copy of `method` and the retraction "cayley" or "geodesic"
 *  (NULL means "cayley"). The method handle may be destroyed afterwards. */
int homopt_optimizer_create(const homopt_method* method, const char* retraction, homopt_optimizer** out);
/** Releases an optimizer (NULL-safe). */
int homopt_optimizer_destroy(homopt_optimizer* optimizer);
/** Adds a parameter on (a copy of) `manifold` starting at the rows×cols point Y0 (on the
 *  manifold within its tolerance, finite); its 0-based index goes to *index (may be NULL). */
int homopt_optimizer_add(homopt_optimizer* optimizer, const homopt_manifold* manifold,
                         const double* initial_point, size_t rows, size_t cols, size_t* index);
/** One step: for each parameter i (in the order of add), the Euclidean gradient
 *  gradients[i] (rows[i]×cols[i], must equal the parameter's shape); count must equal
 *  homopt_optimizer_size. All-or-nothing: on error the optimizer is unchanged. */
int homopt_optimizer_step(homopt_optimizer* optimizer, const double* const* gradients, const size_t* rows,
                          const size_t* cols, size_t count);
/** Number of parameters. */
int homopt_optimizer_size(const homopt_optimizer* optimizer, size_t* size);
/** Steps taken so far (0 before the first). */
int homopt_optimizer_step_count(const homopt_optimizer* optimizer, uint64_t* step_count);
/** Shape of parameter `index`. */
int homopt_optimizer_value_shape(const homopt_optimizer* optimizer, size_t index, size_t* rows, size_t* cols);
/** Current point of parameter `index` written to `out` (capacity ≥ rows·cols). */
int homopt_optimizer_value(const homopt_optimizer* optimizer, size_t index, double* out, size_t capacity);
/** A new handle with a copy of parameter `index`'s manifold (caller destroys it). */
int homopt_optimizer_manifold(const homopt_optimizer* optimizer, size_t index, homopt_manifold** out);
/** A new handle with a copy of the optimizer's method (caller destroys it). */
int homopt_optimizer_method(const homopt_optimizer* optimizer, homopt_method** out);
/** "cayley" or "geodesic". */
int homopt_optimizer_retraction(const homopt_optimizer* optimizer, char* buffer, size_t capacity,
                                size_t* length);
/** Writes a checkpoint atomically (temporary PATH.tmp.PID.N, fsync, then rename). Only a
 *  regular file is replaced: a directory, device, FIFO, socket or symbolic link at `path`
 *  gives HOMOPT_FILE_ERROR naming the path and is left untouched; an empty path gives
 *  HOMOPT_INVALID_ARGUMENT. */
int homopt_optimizer_save(const homopt_optimizer* optimizer, const char* path);
/** Reads a checkpoint written by homopt_optimizer_save (any language) into a new optimizer;
 *  HOMOPT_FILE_ERROR on a missing, truncated, corrupt or foreign file. */
int homopt_optimizer_load(const char* path, homopt_optimizer** out);

/* ------------------------------------------------------------------ solver */

/** The solver loop as an ask/tell object (docs/solvers.md): read the points with
 *  homopt_optimizer_value, evaluate f and its Euclidean gradients there, call
 *  homopt_solver_tell, and repeat while *reason is HOMOPT_STOP_NONE. tell checks the
 *  stopping rules at the current point, in this order, and steps the optimizer only if none
 *  holds (k = steps taken by this solver, f_k the value told at step k, c the lifted
 *  gradient, the packed 𝔤ʰᵒʳ coordinates of all parameters):
 *    1. homopt_solver_request_stop was called                         → HOMOPT_STOP_CALLBACK
 *    2. gradient_tolerance > 0 and ‖c‖₂ ≤ gradient_tolerance            → HOMOPT_STOP_GRADIENT_TOLERANCE
 *    3. value_tolerance > 0, k ≥ w = value_window and
 *       |f_{k−w} − f_k| ≤ value_tolerance·max(|f_{k−w}|, |f_k|, 1)     → HOMOPT_STOP_VALUE_TOLERANCE
 *    4. seconds since homopt_solver_create ≥ time_limit                → HOMOPT_STOP_TIME_LIMIT
 *    5. k ≥ max_iterations                                              → HOMOPT_STOP_MAX_ITERATIONS
 *  The solver keeps the optimizer alive (a destroyed optimizer handle stays valid for the
 *  solver); nothing else should step the optimizer during the run. */
#define HOMOPT_STOP_NONE 0
#define HOMOPT_STOP_GRADIENT_TOLERANCE 1
#define HOMOPT_STOP_VALUE_TOLERANCE 2
#define HOMOPT_STOP_MAX_ITERATIONS 3
#define HOMOPT_STOP_TIME_LIMIT 4
#define HOMOPT_STOP_CALLBACK 5

/** A solver driving `optimizer` with the rules above. Tolerances finite and ≥ 0 (0 turns
 *  the rule off), value_window ≥ 1, time_limit > 0 seconds (INFINITY for none); otherwise
 *  HOMOPT_INVALID_ARGUMENT naming the rule. */
int homopt_solver_create(homopt_optimizer* optimizer, uint64_t max_iterations, double gradient_tolerance,
                         double value_tolerance, uint64_t value_window, double time_limit,
                         homopt_solver** out);
/** Releases a solver (NULL-safe); the optimizer is not affected. */
int homopt_solver_destroy(homopt_solver* solver);
/** Reports f(x_k) = value and the Euclidean gradients at x_k (arrays as in
 *  homopt_optimizer_step), checks the rules, steps unless one holds; the resulting
 *  HOMOPT_STOP_* goes to *reason (may be NULL). All-or-nothing: on an error (value NaN/Inf
 *  naming "value", a bad gradient naming "gradients[i]", a refused step, a solver that
 *  already stopped naming "solver") neither the solver nor the optimizer changed. */
int homopt_solver_tell(homopt_solver* solver, double value, const double* const* gradients, const size_t* rows,
                       const size_t* cols, size_t count, int* reason);
/** The next tell stops with HOMOPT_STOP_CALLBACK (after recording its value). */
int homopt_solver_request_stop(homopt_solver* solver);
/** HOMOPT_STOP_NONE while running, else why it stopped. */
int homopt_solver_reason(const homopt_solver* solver, int* reason);
/** Steps taken by this solver. */
int homopt_solver_iterations(const homopt_solver* solver, uint64_t* iterations);
/** ‖c‖₂ at the last tell (NaN before the first). */
int homopt_solver_gradient_norm(const homopt_solver* solver, double* norm);
/** Number of values told so far (iterations + 1 once stopped). */
int homopt_solver_history_length(const homopt_solver* solver, size_t* length);
/** The values told, f_0, f_1, …, written to out (capacity ≥ history length). */
int homopt_solver_history(const homopt_solver* solver, double* out, size_t capacity);
/** A sentence saying why the run stopped (or that it is running). */
int homopt_solver_message(const homopt_solver* solver, char* buffer, size_t capacity, size_t* length);

#ifdef __cplusplus
}
#endif

#endif /* HOMOPT_H */
