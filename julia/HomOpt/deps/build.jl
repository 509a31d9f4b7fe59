# HomOpt/deps/build.jl — run by `] build HomOpt` (Pkg.build). Finds the homopt C library
# libhomopt_c.so, or builds it with CMake, and records its absolute path in deps/deps.jl
# (not committed), which `using HomOpt` reads (docs/install.md, "Julia").
#
# Search order; the first library that loads and reports this package's version is taken:
# 1. ENV["HOMOPT_LIB"]: the full path of libhomopt_c.so (if set, it must be usable);
# 2. ENV["HOMOPT_BUILD_DIR"]: a homopt build folder (bindings/c/libhomopt_c.so inside it);
# 3. the build folders build/ and build-julia/ of the homopt checkout holding this package;
# 4. the system: libhomopt_c on the dynamic loader's search path (an installed homopt,
#    e.g. `cmake --install build --prefix /usr/local`, or one on LD_LIBRARY_PATH);
# 5. otherwise the C library alone is built from the checkout:
#    cmake -S <checkout> -B <checkout>/build-julia -DHOMOPT_BUILD_TESTS=OFF … --target homopt_c
#    (needs cmake, a C++17 compiler, Armadillo, BLAS/LAPACK and zlib).
using Libdl

const PACKAGE_DIR = normpath(joinpath(@__DIR__, ".."))
const CHECKOUT = normpath(joinpath(PACKAGE_DIR, "..", ".."))
const LIBRARY_NAME = "libhomopt_c." * Libdl.dlext
const DEPS_FILE = joinpath(@__DIR__, "deps.jl")

"Version of this package (Project.toml), which the library must report."
function package_version()
    text = read(joinpath(PACKAGE_DIR, "Project.toml"), String)
    found = match(r"^version\s*=\s*\"([^\"]+)\""m, text)
    found === nothing && error("HomOpt build: no version in $(joinpath(PACKAGE_DIR, "Project.toml"))")
    return found[1]
end

"`homopt_version()` of the library at `path`, or `nothing` if it does not load."
function library_version(path::AbstractString)
    handle = Libdl.dlopen(path; throw_error = false)
    handle === nothing && return nothing
    symbol = Libdl.dlsym(handle, :homopt_version; throw_error = false)
    version = symbol === nothing ? nothing : unsafe_string(ccall(symbol, Cstring, ()))
    Libdl.dlclose(handle)
    return version
end

"Is `path` a loadable libhomopt_c of version `wanted`? Says why not on the build log."
function usable(path::AbstractString, wanted::AbstractString)
    isfile(path) || return false
    version = library_version(path)
    version == wanted && return true
    println("HomOpt build: skipping $path (", version === nothing ? "does not load" : "version $version, wanted $wanted", ")")
    return false
end

is_checkout() = isfile(joinpath(CHECKOUT, "CMakeLists.txt")) && isfile(joinpath(CHECKOUT, "bindings", "c", "homopt.h"))
in_build(dir) = joinpath(dir, "bindings", "c", LIBRARY_NAME)

"The libraries of steps 2–4 of the search order, in order (they may not exist)."
function candidates()
    found = String[]
    build_dir = get(ENV, "HOMOPT_BUILD_DIR", "")
    isempty(build_dir) || push!(found, in_build(build_dir))
    if is_checkout()
        push!(found, in_build(joinpath(CHECKOUT, "build")), in_build(joinpath(CHECKOUT, "build-julia")))
    end
    system = Libdl.find_library(["libhomopt_c"])
    if !isempty(system)
        handle = Libdl.dlopen(system)
        push!(found, Libdl.dlpath(handle))
        Libdl.dlclose(handle)
    end
    return found
end

"Builds only the C library of the checkout into build-julia/ and returns its path."
function build_library()
    is_checkout() || error("HomOpt build: no usable $LIBRARY_NAME found and $CHECKOUT is not a homopt " *
                           "checkout to build it from; install homopt or set ENV[\"HOMOPT_LIB\"]")
    cmake = Sys.which("cmake")
    cmake === nothing && error("HomOpt build: no usable $LIBRARY_NAME found and cmake is not installed")
    build_dir = joinpath(CHECKOUT, "build-julia")
    off = ["-DHOMOPT_BUILD_$(part)=OFF" for part in ("TESTS", "APPS", "PYTHON", "R", "JULIA")]
    println("HomOpt build: building $LIBRARY_NAME in $build_dir")
    run(`$cmake -S $CHECKOUT -B $build_dir -DCMAKE_BUILD_TYPE=Release $off`)
    run(`$cmake --build $build_dir --target homopt_c --parallel $(Sys.CPU_THREADS)`)
    return in_build(build_dir)
end

function find_or_build(wanted)
    explicit = get(ENV, "HOMOPT_LIB", "")
    if !isempty(explicit)
        usable(explicit, wanted) && return explicit
        error("HomOpt build: ENV[\"HOMOPT_LIB\"] = $explicit is not a loadable $LIBRARY_NAME of version $wanted")
    end
    for path in candidates()
        usable(path, wanted) && return path
    end
    path = build_library()
    usable(path, wanted) || error("HomOpt build: the library built at $path is not usable")
    return path
end

# A failed build leaves no record, so that `using HomOpt` cannot silently load an older choice.
rm(DEPS_FILE; force = true)
wanted = package_version()
library = realpath(find_or_build(wanted))
open(DEPS_FILE, "w") do io
    println(io, "# Written by deps/build.jl (`] build HomOpt`); read by HomOpt when it loads.")
    println(io, "const LIBHOMOPT_C = ", repr(library))
end
println("HomOpt build: using $library (homopt $wanted), recorded in $DEPS_FILE")
