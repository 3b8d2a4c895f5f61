#!/usr/bin/env bash
# Build cw2v's compiled core with AddressSanitizer and UndefinedBehaviorSanitizer and run
# the test suite under it. Exit status 0 only if the tests pass and no sanitizer reported
# anything (in the test process or in any child process the tests start).
#
# Usage:
#   scripts/sanitize.sh [--python PY] [--ref GIT_REF] [--workdir DIR] [--keep]
#                       [--keep-going] [-- PYTEST_ARGS...]
#
#   --python PY    interpreter to build and test with (default: $PYTHON, else python3); it
#                  must have numpy, scipy, cython, pytest and hypothesis, or a network to
#                  install them from.
#   --ref REF      test a git revision (git archive REF) instead of the working tree
#                  (tracked and untracked, not ignored, files).
#   --workdir DIR  where the copy, the virtual environment and the logs go (default: a new
#                  directory under ${TMPDIR:-/tmp}); it is removed at the end unless --keep
#                  is given or something was reported.
#   --keep-going   report every error and go on (for triage) instead of stopping the
#                  process at the first one; the exit status is the same.
#   PYTEST_ARGS    default: tests -q -p no:cacheprovider --ignore=tests/test_distributed.py
#                  (Ray and Spark start many processes of their own, which the
#                  preloaded ASan runtime slows past the tests' time limits; the
#                  kernels they drive are the ones every other test runs)
#
# Requirements: Linux, GCC with libasan and libubsan (Debian/Ubuntu: gcc).
#
# How it works:
# * The tree is copied, so the extension built in place in the source tree is untouched.
# * The extension is built in the copy by setup.py, with scripts/sanitize/cc as the
#   compiler (-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
#   -fno-omit-frame-pointer -g, -O1; see that file).
# * Python itself is not instrumented, so the ASan runtime must be loaded first:
#   LD_PRELOAD=$(gcc -print-file-name=libasan.so). It then intercepts malloc for the
#   whole process: numpy's array buffers (what the kernels read and write) get red zones
#   around them, and PYTHONMALLOC=malloc does the same for Python's own objects.
# * ASAN_OPTIONS: detect_leaks=0 (CPython keeps objects alive until exit by design),
#   allocator_may_return_null=1 (a huge allocation a test asks for on purpose must fail
#   with MemoryError, not abort), log_path=... (one file per process, children included).
# * Both stop the process at the first report (-fno-sanitize-recover, halt_on_error=1),
#   with a stack trace, unless --keep-going; every report lands in $workdir/logs.
# * The build keeps Python's -fwrapv: signed integer overflow wraps (defined, so UBSan is
#   silent about it); the tests check the kernel's integer ranges themselves.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
ref=""
workdir=""
keep=0
recover=0
pytest_args=()
while (($#)); do
    case "$1" in
        --python) python="$2"; shift 2 ;;
        --ref) ref="$2"; shift 2 ;;
        --workdir) workdir="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --keep-going) recover=1; shift ;;
        --) shift; pytest_args=("$@"); break ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "sanitize.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((${#pytest_args[@]} == 0)); then
    pytest_args=(tests -q -p no:cacheprovider --ignore=tests/test_distributed.py)
fi

cc="${CW2V_SANITIZE_CC:-gcc}"
libasan="$("$cc" -print-file-name=libasan.so)"
if [[ "$libasan" != /* || ! -e "$libasan" ]]; then
    echo "sanitize.sh: $cc has no libasan.so (install gcc with its sanitizer runtimes)" >&2
    exit 2
fi

workdir="${workdir:-$(mktemp -d "${TMPDIR:-/tmp}/cw2v-sanitize.XXXXXX")}"
tree="$workdir/tree"
logs="$workdir/logs"
rm -rf "$tree" "$logs"
mkdir -p "$tree" "$logs"
echo "== copying the source tree to $tree"
if [[ -n "$ref" ]]; then
    git -C "$root" archive "$ref" | tar -x -C "$tree"
elif git -C "$root" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard \
        | tar --null --ignore-failed-read -T - -cf -) | tar -x -C "$tree"
else
    cp -a "$root/." "$tree"
fi
# never reuse a build made without the sanitizers
find "$tree" \( -name '*.so' -o -name '*.pyd' -o -path '*/src/*.c' -o -name build \) \
    -prune -exec rm -rf {} +

echo "== virtual environment in $workdir/venv"
# --without-pip: the venv's own bundled setuptools would shadow the interpreter's newer one
"$python" -m venv --without-pip "$workdir/venv"
venv_python="$workdir/venv/bin/python"
# Reuse the packages of the given interpreter (no download), behind the venv's own.
parent_site="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
venv_site="$("$venv_python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$parent_site" > "$venv_site/zz-parent-environment.pth"
if ! "$venv_python" -c 'import numpy, scipy, Cython, pytest, hypothesis, setuptools' 2> /dev/null; then
    "$venv_python" -m ensurepip --upgrade > /dev/null
    "$venv_python" -m pip install --quiet --upgrade numpy scipy cython setuptools pytest hypothesis
fi

echo "== building the extension with ASan + UBSan"
(
    cd "$tree"
    CC="$root/scripts/sanitize/cc" CW2V_SANITIZE_CC="$cc" CW2V_SANITIZE_RECOVER="$recover" \
        "$venv_python" setup.py --quiet build_ext --inplace --force > "$workdir/build.log" 2>&1
) || { tail -50 "$workdir/build.log"; echo "sanitize.sh: the build failed" >&2; exit 2; }

# libstdc++ right after libasan: C++ extensions the tests import (matplotlib's) throw
# exceptions, and ASan's __cxa_throw interceptor must find the real one when it starts.
libstdcxx="$("$cc" -print-file-name=libstdc++.so)"
[[ "$libstdcxx" == /* && -e "$libstdcxx" ]] && libasan="$libasan:$libstdcxx"
export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
halt=$((1 - recover))
# UBSan (GCC) prints to stderr whatever log_path says, and a test may capture and drop a
# child's stderr; so UBSan aborts (abort_on_error) and ASan reports the SIGABRT, with the
# stack of the undefined behaviour, in its log file (handle_abort). --keep-going cannot
# do that: its UBSan reports appear only on stderr (look for "runtime error").
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:halt_on_error=$halt:handle_abort=$halt:print_summary=1:log_path=$logs/report"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=$halt:abort_on_error=$halt:log_path=$logs/report"
export PYTHONMALLOC=malloc
export PYTHONFAULTHANDLER=1
export PYTHONPATH="$tree${PYTHONPATH:+:$PYTHONPATH}"

core="$(cd "$tree" && "$venv_python" -c 'import cw2v._core as c; print(c.__file__)')"
case "$core" in
    "$tree"/*) ;;
    *) echo "sanitize.sh: imported $core, not the sanitized build in $tree" >&2; exit 2 ;;
esac
# grep reads all of nm's output (no -q): with pipefail, nm killed by SIGPIPE after an
# early match would fail the pipeline and report an instrumented build as plain
if ! env -u LD_PRELOAD nm -D "$core" | grep __asan_ > /dev/null; then
    echo "sanitize.sh: $core is not instrumented" >&2
    exit 2
fi
echo "== running: pytest ${pytest_args[*]} (in $tree)"
status=0
# (pipefail: the status is pytest's)
(cd "$tree" && "$venv_python" -m pytest "${pytest_args[@]}") 2>&1 | tee "$workdir/pytest.log" \
    || status=$?
if grep -q "runtime error:" "$workdir/pytest.log"; then
    echo "== UBSan reported undefined behaviour (see 'runtime error' in $workdir/pytest.log)"
    ((status == 0)) && status=1
    keep=1
fi

reports=("$logs"/*)
if [[ -e "${reports[0]}" ]]; then
    echo
    echo "== sanitizer reports (${#reports[@]} processes): $logs"
    for report in "${reports[@]}"; do
        echo "---- $report"
        head -40 "$report"
    done
    keep=1
    ((status == 0)) && status=1
fi
if ((keep)); then
    echo "== kept $workdir"
else
    rm -rf "$workdir"
fi
if ((status == 0)); then
    echo "== sanitize.sh: tests passed, no sanitizer report"
else
    echo "== sanitize.sh: FAILED (pytest status or sanitizer reports above)"
fi
exit "$status"
