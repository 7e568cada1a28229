# bench/run.sh --quick: every section of the benchmark at tiny sizes,
# so that the script cannot rot.  It checks its own outputs (openssl
# verify, counts) and fails if any command does.
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool sqlite3 cc pkg-config

BENCH_RESULTS=$T/RESULTS.md TMPDIR=$T run bash "$top_srcdir/bench/run.sh" \
	--quick "$top_builddir"
if [ "$rc" -eq 0 ]; then
	pass
else
	fail "bench/run.sh --quick: exit $rc: $(tail -20 "$T/err")"
fi
assert_contains "the table has every section" "$T/out" 'Revocation'
finish
