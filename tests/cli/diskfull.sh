# A full disk is reported as one (issue 9, item 16): every command,
# the read-only ca-list included, names "No space left on device"
# rather than calling the ledger damaged, and changes nothing.  The
# disk is filled by tests/shim/enospc.so, which fails every write to
# the ledger's files with ENOSPC, as a full file system does.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

shim=$top_builddir/tests/shim/enospc.so
[ -f "$shim" ] || { fail "$shim is missing: make check builds it"; finish; }

W=$T/w
mkdir "$W"
ca=$W/ca
assert_ok "a CA" ca-init -d "$ca" --subject CN=root
assert_ok "a certificate" ca-sign -d "$ca" --dns a.example \
    --new-key "$W/a.key" -o "$W/a.crt"

# full DESC STATUS CMD...: on a full disk, exit STATUS with one line
# that names the disk, not a damaged ledger; nothing changed.
full() {
	_d=$1 _st=$2
	shift 2
	_before=$(snapshot "$ca"; ls -A "$W")
	ENOSPC_MATCH=$ca/ledger.db LD_PRELOAD=$shim \
	    assert_fail "$_d" "$_st" 'No space left on device' "$@"
	assert_not_contains "$_d: not called damaged" "$T/err" \
	    'not a cakit ledger|damaged|malformed'
	assert_eq "$_d: nothing changed" "$(snapshot "$ca"; ls -A "$W")" \
	    "$_before"
}

full "ca-list" 1 ca-list -d "$ca"
full "ca-list --json" 1 ca-list -d "$ca" --json
full "ca-sign a CSR" 1 ca-sign -d "$ca" --dns b.example --new-key "$W/b.key"
full "ca-sign --renew" 1 ca-sign -d "$ca" --renew "$W/a.crt"
full "ca-revoke" 1 ca-revoke -d "$ca" "$W/a.crt"
full "ca-revoke --crl" 1 ca-revoke -d "$ca" --crl
full "ca-bundle --chain" 1 ca-bundle -d "$ca" --chain "$W/a.crt"
full "ca-list --check" 1 ca-list -d "$ca" --check

# A ledger that is really damaged is still called that.
cp -p "$ca/ledger.db" "$W/good.db"
printf 'this is not a database at all, not even close to one.....' |
    dd of="$ca/ledger.db" bs=1 seek=0 conv=notrunc 2>/dev/null
assert_fail "a damaged ledger" 1 'not a cakit ledger' ca-list -d "$ca"
cp -p "$W/good.db" "$ca/ledger.db"
assert_ok "the ledger restored" ca-list -d "$ca"

finish
