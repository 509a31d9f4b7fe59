# `cmake --install <build> [--prefix P]` (docs/install.md): two components, both installed by
# default —
#   library: the public C++ headers (include/homopt/), libhomopt.a and libhomopt.so, the CMake
#            package (lib/cmake/homopt: targets homopt::homopt, the shared library, and
#            homopt::homopt_static) and lib/pkgconfig/homopt.pc;
#   c:       the C ABI, include/homopt.h and libhomopt_c.so (target homopt::homopt_c).
# The Python module (component python) is installed only when asked for with --component;
# tests, benchmarks, apps and the transformer library homopt_nn are never installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HOMOPT_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/homopt)
set(HOMOPT_PKGCONFIG_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

set_target_properties(homopt_shared PROPERTIES EXPORT_NAME homopt)
set_target_properties(homopt PROPERTIES EXPORT_NAME homopt_static)
set_target_properties(homopt_c PROPERTIES EXPORT_NAME homopt_c)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/homopt DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT library FILES_MATCHING PATTERN "*.hpp")
install(TARGETS homopt homopt_shared EXPORT homoptTargets COMPONENT library
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT library)
install(FILES ${PROJECT_SOURCE_DIR}/bindings/c/homopt.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT c)
install(TARGETS homopt_c EXPORT homoptCTargets COMPONENT c LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# One export file per component, so that `--component library` alone gives a complete package.
install(EXPORT homoptTargets NAMESPACE homopt:: DESTINATION ${HOMOPT_CMAKE_INSTALL_DIR} COMPONENT library)
install(EXPORT homoptCTargets NAMESPACE homopt:: DESTINATION ${HOMOPT_CMAKE_INSTALL_DIR} COMPONENT c)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/homoptConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/homoptConfig.cmake
                              INSTALL_DESTINATION ${HOMOPT_CMAKE_INSTALL_DIR})
# 0.x: a minor version may change the API, so only the same MAJOR.MINOR is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/homoptConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/homoptConfig.cmake ${PROJECT_BINARY_DIR}/cmake/homoptConfigVersion.cmake
        DESTINATION ${HOMOPT_CMAKE_INSTALL_DIR} COMPONENT library)

# homopt.pc, relocatable: its prefix is found from the file's own folder (${pcfiledir}), so
# the prefix given to `cmake --install --prefix` need not be known when configuring.
file(RELATIVE_PATH HOMOPT_PC_TO_PREFIX /prefix/${HOMOPT_PKGCONFIG_INSTALL_DIR} /prefix)
set(HOMOPT_PC_CFLAGS)
foreach(dir IN LISTS ARMADILLO_INCLUDE_DIRS)
  if(NOT dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
    string(APPEND HOMOPT_PC_CFLAGS " -I${dir}")
  endif()
endforeach()
foreach(definition ARMA_DONT_USE_WRAPPER ARMA_USE_BLAS ARMA_USE_LAPACK ARMA_WARN_LEVEL=1 ARMA_DONT_PRINT_EXCEPTIONS)
  string(APPEND HOMOPT_PC_CFLAGS " -D${definition}")
endforeach()
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  string(APPEND HOMOPT_PC_CFLAGS " -DARMA_NO_DEBUG")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/homopt.pc.in ${PROJECT_BINARY_DIR}/cmake/homopt.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/homopt.pc DESTINATION ${HOMOPT_PKGCONFIG_INSTALL_DIR}
        COMPONENT library)
