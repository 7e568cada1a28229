# Nothing scans the whole ledger on a hot path (issue 9): every
# statement the commands prepare is logged with SQLite's plan for it
# (CAKIT_TEST_QUERY_PLAN), and the hot ones must search an index.
# Dropping or bypassing an index makes this fail.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS
[ "$CAKIT_TEST_LEDGER" = sqlite ] || skip "the query plans are SQLite's"

W=$T/w
mkdir "$W"
ca=$W/ca
assert_ok "a CA" ca-init -d "$ca" --subject CN=root
assert_ok "a certificate" ca-sign -d "$ca" --dns a.example \
    --new-key "$W/a.key" -o "$W/a.crt"
assert_ok "another" ca-sign -d "$ca" --dns b.example \
    --new-key "$W/b.key" -o "$W/b.crt"
serial=$(openssl x509 -in "$W/a.crt" -noout -serial | cut -d= -f2 |
    tr A-F a-f)

# plans DESC CMD...: runs CMD with the plans logged to $W/plan.
plans() {
	_d=$1
	shift
	rm -f "$W/plan"
	CAKIT_TEST_QUERY_PLAN=$W/plan assert_ok "$_d" "$@"
	[ -s "$W/plan" ] || fail "$_d: no plan was logged"
}
# plan_of PATTERN: the plan lines of the statements whose SQL matches.
plan_of() {
	awk -v pat="$1" '/^SQL /{ keep = ($0 ~ pat) } /^PLAN / && keep' \
	    "$W/plan"
}
# A plan line that walks every row: a scan of the table or of an index
# over all of it.  The partial index certs_revoked holds only revoked
# rows, which is what a CRL lists, so scanning it is no such walk.
full_scan() {
	grep -E 'SCAN certs' | grep -Ev 'SCAN certs USING (COVERING )?INDEX certs_revoked'
}
# searches DESC SQL-PATTERN INDEX: each such statement uses INDEX, and
# none walks every row.
searches() {
	_p=$(plan_of "$2")
	if [ -z "$_p" ]; then
		fail "$1: no statement matches /$2/"
	elif [ -n "$(echo "$_p" | full_scan)" ]; then
		fail "$1: walks the whole ledger: $_p"
	elif ! echo "$_p" | grep -Eq "(SEARCH|SCAN) certs USING .*INDEX $3"; then
		fail "$1: does not use $3: $_p"
	else
		pass
	fi
}
no_scan() {
	_s=$(sed -n 's/^PLAN //p' "$W/plan" | full_scan)
	if [ -n "$_s" ]; then
		fail "$1 walks the whole ledger: $_s"
	else
		pass
	fi
}

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/c.key" -subj /CN=c -out "$W/c.csr" 2>/dev/null
plans "ca-sign a CSR" ca-sign -d "$ca" --dns c.example -o "$W/c.crt" "$W/c.csr"
searches "ca-sign: the key lookup" 'key_id = \?' certs_key
no_scan "ca-sign"
plans "ca-sign --renew" ca-sign -d "$ca" --renew "$serial" -o "$W/a2.crt"
searches "ca-sign --renew: the serial lookup" 'FROM certs WHERE serial = \?' \
    sqlite_autoindex_certs_1
searches "ca-sign --renew: the key lookup" 'key_id = \?' certs_key
no_scan "ca-sign --renew"
plans "ca-revoke for keyCompromise" ca-revoke -d "$ca" \
    --reason keyCompromise "$W/b.crt"
searches "ca-revoke: the same key's certificates" 'key_id = \(SELECT' \
    certs_key
searches "ca-revoke: the CRL's entries" "status = 'revoked' ORDER BY" \
    certs_revoked
no_scan "ca-revoke"
plans "ca-list --expiring" ca-list -d "$ca" --expiring 30
searches "ca-list --expiring" 'not_after <= \?' certs_not_after
plans "ca-list --check" ca-list -d "$ca" --check
no_scan "ca-list --check"

finish
