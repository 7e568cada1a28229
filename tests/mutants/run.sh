#!/bin/sh
# make check-mutants: does the suite catch small deliberate bugs?
# Each tests/mutants/*.patch is one bug, a unified diff after a header:
#   Subject: what the bug is
#   Tests: the tests that should catch it (default: all of make check)
# One scratch copy of the sources is configured once; each mutant is
# applied there, built, its tests run, and reverted.  A mutant is
# killed when a test fails.  Prints one line a mutant and the kill
# rate; exits 1 when a mutant survives or does not apply.
#   tests/mutants/run.sh [PATCH...]
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
work=${MUTANTS_DIR:-$(pwd)/mutants.tmp}
log=$work/log

[ $# -gt 0 ] || set -- "$srcdir"/tests/mutants/*.patch
rm -rf "$work"
mkdir -p "$work/tree"
( cd "$srcdir" && git ls-files -z 2>/dev/null | xargs -0 tar cf - ||
    tar cf - --exclude=./mutants.tmp --exclude='*.o' . ) |
    (cd "$work/tree" && tar xf -)
cd "$work/tree" || exit 1
echo "mutants: configuring a scratch copy in $work/tree"
{ autoreconf -fi && ./configure -q && make -j2; } >"$log" 2>&1 || {
	echo "mutants: the unmutated tree does not build; see $log" >&2
	exit 1
}

killed=0 survived=0 broken=0
for p in "$@"; do
	name=$(basename "$p" .patch)
	tests=$(sed -n 's/^Tests: *//p' "$p" | head -n 1)
	if ! patch -p1 -s --dry-run <"$p" >/dev/null 2>&1; then
		echo "DOES NOT APPLY  $name"
		broken=$((broken + 1))
		continue
	fi
	patch -p1 -s <"$p" >/dev/null
	if ! make -j2 >"$log.$name" 2>&1; then
		echo "KILLED (build)  $name"
		killed=$((killed + 1))
	elif make -j2 check ${tests:+TESTS="$tests"} >>"$log.$name" 2>&1
	then
		echo "SURVIVED        $name: $(sed -n 's/^Subject: *//p' "$p")"
		survived=$((survived + 1))
	else
		echo "KILLED          $name"
		killed=$((killed + 1))
	fi
	patch -p1 -s -R <"$p" >/dev/null
done
total=$((killed + survived))
echo "mutants: $killed of $total killed, $survived survived," \
    "$broken did not apply"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
