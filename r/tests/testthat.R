library(testthat)
library(homopt)

test_check("homopt")
