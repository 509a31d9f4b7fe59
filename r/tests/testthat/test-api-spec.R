# What the R package shows (exported constructors, formals(), defaults held, help page) against
# the core's API declaration read at run time (method_spec(), docs/api.md). A default, range
# or name edited by hand in the package makes one of these fail.

declared_methods <- function() .Call(homopt:::R_swig_method_spec_names, FALSE)

test_that("the exported method and manifold constructors are the declared ones", {
  expect_identical(declared_methods(), c("Gradient", "Momentum", "Adam", "AdamWithDecay", "BFGS"))
  exports <- getNamespaceExports("homopt")
  expect_true(all(declared_methods() %in% exports))
  expect_true(all(.Call(homopt:::R_swig_manifold_spec_names, FALSE) %in% exports))
})

test_that("formals() show the declared hyperparameters and defaults, with the kind's R type", {
  spec <- method_spec()
  for (name in declared_methods()) {
    rows <- spec[spec$method == name, ]
    shown <- formals(get(name, envir = asNamespace("homopt")))
    expect_identical(names(shown), rows$name, label = name)
    for (k in seq_len(nrow(rows))) {
      value <- eval(shown[[rows$name[k]]])
      label <- paste0(name, "(", rows$name[k], ")")
      if (rows$kind[k] == "flag") expect_type(value, "logical") else expect_type(value, "double")
      expect_identical(as.double(value), rows$default[k], label = label)
    }
  }
})

test_that("a method made without arguments holds the declared defaults; one argument changes only itself", {
  spec <- method_spec()
  for (name in declared_methods()) {
    defaults <- spec$default[spec$method == name]
    names(defaults) <- spec$name[spec$method == name]
    constructor <- get(name, envir = asNamespace("homopt"))
    expect_identical(constructor()$hyperparameters(), defaults, label = name)
  }
  expect_identical(Adam(eps = 0.25)$hyperparameters()[["eps"]], 0.25)
  adam <- method_spec("Adam")
  expect_identical(Adam(eps = 0.25)$hyperparameters()[-4], stats::setNames(adam$default[-4], adam$name[-4]))
})

test_that("the help page is the rendered declaration: usage with the declared defaults, every range", {
  spec <- method_spec()
  page <- tools::Rd_db("homopt")[["methods.Rd"]]
  usage <- paste(as.character(page[[which(tools:::RdTags(page) == "\\usage")]]), collapse = "")
  arguments <- paste(unlist(page[[which(tools:::RdTags(page) == "\\arguments")]]), collapse = "")
  for (name in declared_methods()) {
    call <- parse(text = regmatches(usage, regexpr(paste0(name, "\\([^)]*\\)"), usage)))[[1]]
    shown <- vapply(as.list(call)[-1], function(x) as.double(eval(x)), numeric(1))
    expect_identical(unname(shown), spec$default[spec$method == name], label = name)
  }
  for (range in unique(spec$range)) expect_true(grepl(range, arguments, fixed = TRUE), label = range)
})

test_that("type errors name the argument; range errors come from the core", {
  expect_error(Adam(amsgrad = 1), "^amsgrad: expected TRUE or FALSE", class = "homopt_type_error")
  expect_error(Adam(beta2 = 1), "^beta2: must", class = "homopt_invalid_argument")
  expect_error(Adam(momentum = 0.5), "unused argument")
})
