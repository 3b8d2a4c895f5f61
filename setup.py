"""Build the one compiled extension, ``cw2v._core``, from ``src/_core.pyx``.

Only portable optimisation flags are used: wheels must run on every CPU of
their platform, so nothing here is tuned to the build machine. The kernel's
inner loops are compiled twice, portable and for AVX2 + FMA, and the loader
picks one at run time where GCC supports it (x86-64 Linux); the full softmax
goes through BLAS (``scipy.linalg.cython_blas``), which selects its SIMD
kernels at run time.
"""

import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

# Reassociating float sums lets the compiler vectorise the dot products
# (a float reduction is not vectorised otherwise). These flags change no
# result that matters here and name no CPU; the kernel's AVX2 + FMA variant
# is chosen at run time (see CW2V_DISPATCH in src/_core.pyx).
if sys.platform == "win32":
    compile_args = ["/O2", "/fp:fast"]
else:
    compile_args = [
        "-O3",
        "-g0",
        "-fno-strict-aliasing",
        "-fno-math-errno",
        "-fno-trapping-math",
        "-fno-signed-zeros",
        "-fassociative-math",
    ]

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
