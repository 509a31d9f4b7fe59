# check-catch-registration.cmake — every Catch2 case of a test program is a ctest entry that runs it.
#
#   cmake -DTEST_EXECUTABLE=<program> -DCTEST_COMMAND=<ctest> -DBUILD_DIR=<build dir>
#         -DPREFIX=<prefix, e.g. cpp/> -P check-catch-registration.cmake
#
# Registered by tests/CMakeLists.txt as the ctest entries "registration/catch" (homopt_tests,
# prefix cpp/) and "registration/catch-nn" (homopt_nn_tests, prefix nn/) — deliberately not
# under cpp/ or nn/, so that `ctest -R '^(cpp|nn)/'` in build-asan neither runs nor counts
# them. Checks:
#  1. the names `<program> --list-test-names-only` prints are exactly the ctest entries
#     named PREFIX<name> (`ctest -N -R ^PREFIX`): same count, same names;
#  2. each entry's test spec (the argument ctest passes) selects exactly its own case, so no
#     entry can run "No test cases matched" — the failure of a name containing ';', which
#     catch_discover_tests splits into several entries.
# Only test names are listed; no test is run.
cmake_minimum_required(VERSION 3.19)
foreach(variable TEST_EXECUTABLE CTEST_COMMAND BUILD_DIR PREFIX)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check-catch-registration: -D${variable}=... is required")
  endif()
endforeach()

# Catch2's list: one name per line (names are single-line in this suite).
execute_process(COMMAND "${TEST_EXECUTABLE}" --list-test-names-only
                OUTPUT_VARIABLE listed RESULT_VARIABLE listed_result)
string(REGEX REPLACE "\n+$" "" listed "${listed}")
string(REPLACE ";" "\\;" listed "${listed}")   # keep a ';' inside a name visible as such
string(REPLACE "\n" ";" catch_names "${listed}")
list(LENGTH catch_names catch_count)
if(catch_count EQUAL 0)
  message(FATAL_ERROR "check-catch-registration: ${TEST_EXECUTABLE} lists no test cases")
endif()

# ctest's entries with their commands.
execute_process(COMMAND "${CTEST_COMMAND}" --show-only=json-v1 -R "^${PREFIX}"
                WORKING_DIRECTORY "${BUILD_DIR}" OUTPUT_VARIABLE json RESULT_VARIABLE json_result)
if(NOT json_result EQUAL 0)
  message(FATAL_ERROR "check-catch-registration: ctest --show-only=json-v1 failed in ${BUILD_DIR}")
endif()
string(JSON entry_count LENGTH "${json}" tests)
string(LENGTH "${PREFIX}" prefix_length)

set(problems "")
set(registered_names "")
if(entry_count GREATER 0)
  math(EXPR last "${entry_count} - 1")
  foreach(index RANGE ${last})
    string(JSON entry_name GET "${json}" tests ${index} name)
    string(SUBSTRING "${entry_name}" ${prefix_length} -1 case_name)
    list(APPEND registered_names "${case_name}")
    # command = [executable, spec, extra args...]: does the spec select exactly this case?
    string(JSON spec GET "${json}" tests ${index} command 1)
    execute_process(COMMAND "${TEST_EXECUTABLE}" "${spec}" --list-test-names-only
                    OUTPUT_VARIABLE selected)
    string(REGEX REPLACE "\n+$" "" selected "${selected}")
    if(NOT selected STREQUAL case_name)
      string(REPLACE "\n" " | " selected "${selected}")
      string(APPEND problems "  ctest entry '${entry_name}' (spec '${spec}') selects [${selected}]\n")
    endif()
  endforeach()
endif()

foreach(name IN LISTS catch_names)
  if(NOT name IN_LIST registered_names)
    string(APPEND problems "  Catch2 case '${name}' has no ctest entry ${PREFIX}<name> (a ';' in the name?)\n")
  endif()
endforeach()
if(NOT catch_count EQUAL entry_count)
  string(APPEND problems "  ${catch_count} Catch2 cases but ${entry_count} ctest entries matching ^${PREFIX}\n")
endif()

if(problems)
  message(FATAL_ERROR "check-catch-registration: Catch2 cases and ctest entries differ:\n${problems}")
endif()
message(STATUS "check-catch-registration: ${catch_count} Catch2 cases = ${entry_count} ctest entries ${PREFIX}*, each selecting its own case")
