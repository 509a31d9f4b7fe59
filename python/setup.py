"""Builds the Python package homopt: setuptools for the pure-Python files, CMake for the
SWIG module homopt.core.

The module is compiled from the repository this folder belongs to (../core,
../bindings/swig), so the package builds only from a homopt source tree:

    python3 -m pip install --no-build-isolation ./python

build_ext configures the repository with CMake (Release unless CMAKE_BUILD_TYPE is set in
the environment; the Python interpreter running pip as Python3_EXECUTABLE; the tests, apps,
R and Julia front ends switched off), builds only the target homopt_python and copies
core.py and _core.<abi>.so into the package. The CMake build folder is
python/build/cmake (kept, so a second install recompiles only what changed), or
$HOMOPT_CMAKE_BUILD_DIR when set. The version is the project's (project(homopt VERSION …)
in ../CMakeLists.txt).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def project_version():
    """x.y.z of project(homopt VERSION x.y.z) in the repository's CMakeLists.txt."""
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(\s*homopt\s+VERSION\s+([0-9][0-9.]*)", text)
    if not match:
        raise RuntimeError(f"homopt: no 'project(homopt VERSION ...)' in {ROOT / 'CMakeLists.txt'}")
    return match.group(1)


def check_source_tree():
    """RuntimeError unless ROOT is a homopt repository (the module is built from it)."""
    needed = ["CMakeLists.txt", "core/include/homopt", "bindings/swig/homopt.i"]
    missing = [path for path in needed if not (ROOT / path).exists()]
    if missing:
        raise RuntimeError(
            "homopt: the Python package is built from the homopt repository "
            f"(python/ inside it); {ROOT} lacks {', '.join(missing)}. "
            "Run `python3 -m pip install --no-build-isolation ./python` in a clone.")


class CMakeBuildExt(build_ext):
    """build_ext that builds homopt.core with CMake instead of compiling sources itself."""

    #: Front ends and programs the Python module does not need (CMake options of the project).
    OPTIONS_OFF = ["HOMOPT_BUILD_TESTS", "HOMOPT_BUILD_APPS", "HOMOPT_BUILD_R", "HOMOPT_BUILD_JULIA"]

    def build_extension(self, extension):
        check_source_tree()
        build_dir = pathlib.Path(os.environ.get("HOMOPT_CMAKE_BUILD_DIR")
                                 or HERE / "build" / "cmake").resolve()
        build_type = os.environ.get("CMAKE_BUILD_TYPE", "Release")
        configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir),
                     f"-DCMAKE_BUILD_TYPE={build_type}", f"-DPython3_EXECUTABLE={sys.executable}"]
        configure += [f"-D{option}=OFF" for option in self.OPTIONS_OFF]
        parallel = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        self.announce(f"homopt: CMake build of homopt.core in {build_dir}", level=2)
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "homopt_python",
                        "--parallel", parallel], check=True)

        # The module (_core.<abi>.so) where setuptools expects the extension, and SWIG's
        # proxy core.py next to it.
        package_dir = build_dir / "python" / "homopt"
        module = pathlib.Path(self.get_ext_fullpath(extension.name))
        module.parent.mkdir(parents=True, exist_ok=True)
        built = sorted(package_dir.glob("_core.*.so"))
        if len(built) != 1:
            raise RuntimeError(f"homopt: expected one _core.*.so in {package_dir}, found {built}")
        shutil.copyfile(built[0], module)
        shutil.copyfile(package_dir / "core.py", module.parent / "core.py")


setup(
    version=project_version(),
    ext_modules=[Extension("homopt._core", sources=[])],
    cmdclass={"build_ext": CMakeBuildExt},
)
