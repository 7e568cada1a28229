#!/bin/sh
# Run each libFuzzer target for a bounded time, from a copy of its seed
# corpus, in a build configured with ./configure --enable-fuzzing CC=clang.
#   fuzz/run.sh SECONDS [TARGET...]
# Run it from the build directory (or set FUZZ_BUILDDIR).  Crash, leak,
# timeout and out-of-memory inputs are kept in FUZZ_ARTIFACTS (default
# fuzz-artifacts in the build directory); the exit status is 1 when any
# target found one, 2 on a usage error.  The repository is not modified:
# new corpus entries go to a temporary directory, removed at the end.
set -u

prog=run.sh
usage() {
	echo "usage: fuzz/run.sh SECONDS [fuzz_crl fuzz_dn fuzz_nc fuzz_req fuzz_san fuzz_serial]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in
''|*[!0-9]*) usage ;;
esac
[ "$secs" -ge 1 ] || usage

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${FUZZ_BUILDDIR:-.}" && pwd)
artifacts=${FUZZ_ARTIFACTS:-$builddir/fuzz-artifacts}
targets=${*:-fuzz_crl fuzz_dn fuzz_nc fuzz_req fuzz_san fuzz_serial}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cakit-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Leaks are bugs too; GnuTLS's own allocations at exit are suppressed.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -z "${LSAN_OPTIONS:-}" ] && [ -f "$srcdir/tests/lsan.supp" ]; then
	LSAN_OPTIONS=suppressions=$srcdir/tests/lsan.supp:print_suppressions=0
fi
export ASAN_OPTIONS UBSAN_OPTIONS
[ -n "${LSAN_OPTIONS:-}" ] && export LSAN_OPTIONS

failed=
for t in $targets; do
	bin=$builddir/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "$prog: $bin: not built (./configure --enable-fuzzing CC=clang, then make)" >&2
		failed="$failed $t"
		continue
	fi
	mkdir -p "$tmp/$t" "$artifacts/$t" || exit 1
	if [ -d "$srcdir/tests/fuzz-corpus/$t" ]; then
		cp "$srcdir/tests/fuzz-corpus/$t"/* "$tmp/$t/" 2>/dev/null
	fi
	dict=
	[ -f "$srcdir/fuzz/$t.dict" ] && dict=-dict=$srcdir/fuzz/$t.dict
	log=$artifacts/$t/run.log
	# FUZZ_SEED makes the run repeatable: CI runs a prefix of what a
	# longer run with the same seed has already been through.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$artifacts/$t/" \
	    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
	    ${dict:+"$dict"} "$tmp/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
	    sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, features \2, corpus \3/p')
	found=$(find "$artifacts/$t" -type f \( -name 'crash-*' -o \
	    -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) \
	    -newer "$tmp/$t" 2>/dev/null)
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		echo "$t: FAILED (exit $rc) after ${execs:-?} runs; log $log"
		grep -E '^(fuzz:|==[0-9]+==ERROR|SUMMARY|[^ ]*runtime error)' \
		    "$log" | head -n 5 | sed 's/^/  /'
		for f in $found; do
			echo "  input: $f"
		done
		failed="$failed $t"
	else
		echo "$t: ok, ${execs:-?} runs in ${secs}s, ${cov:-no coverage line}"
	fi
done

if [ -n "$failed" ]; then
	echo "$prog: failed:$failed" >&2
	exit 1
fi
exit 0
