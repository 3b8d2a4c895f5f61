"""Build the one compiled extension, ``cw2v._core``, from ``src/_core.pyx``.

Only portable optimisation flags are used: wheels must run on every CPU of
their platform, so nothing here is tuned to the build machine. The hot inner
products go through BLAS (``scipy.linalg.cython_blas``), which selects its
SIMD kernels at run time.
"""

import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

if sys.platform == "win32":
    compile_args = ["/O2"]
else:
    compile_args = ["-O3", "-fno-strict-aliasing"]

extensions = [
    Extension(
        "cw2v._core",
        sources=["src/_core.pyx"],
        extra_compile_args=compile_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
