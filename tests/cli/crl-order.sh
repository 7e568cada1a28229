# CRL publication order (issue 9 item 1): crl.pem never goes back to a
# lower CRL number, and always lists every revocation committed before
# its number was taken, whatever two CRL writers run at once and
# wherever one of them is held up.  The first case needs no help from
# cakit: strace delays the rename of ca-revoke --crl (it fails on a
# cakit that renames outside a lock); then every step of the publish
# path is delayed in turn with CAKIT_TEST_DELAY_AT.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS strace

cd "$T"

crl_number() {
	_n=$(openssl crl -in "$1/crl.pem" -noout -crlnumber 2>/dev/null |
		sed 's/.*=//; s/^0x//')
	[ -n "$_n" ] && echo $((0x$_n)) || echo -1
}

ledger_number() {
	ledger_crl_number "$1"
}

# is_revoked DESC CERT: openssl refuses it with the CA's crl.pem.
is_revoked() {
	run openssl verify -crl_check -CAfile ca/ca.crt -CRLfile ca/crl.pem "$2"
	if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
		pass
	else
		fail "$1: $2 verifies against crl.pem (exit $rc: $(cat "$T/out" "$T/err" | head -c 300))"
	fi
}

# consistent DESC: crl.pem carries the ledger's number, lists exactly
# the revocations the ledger holds, and its number is not below LAST.
consistent() {
	_c=$(crl_number ca)
	assert_eq "$1: crl.pem has the ledger's CRL number" "$_c" "$(ledger_number ca)"
	[ "$_c" -ge "$last" ] && pass ||
		fail "$1: CRL number $_c on disk after $last was published"
	last=$_c
	assert_eq "$1: crl.pem lists every revocation in the ledger" \
		"$(openssl crl -in ca/crl.pem -noout -text | grep -c 'Serial Number')" \
		"$(ledger_sql ca "SELECT count(*) FROM certs WHERE status = 'revoked'")"
}

# wait_for FILE: until it exists, for at most 10 s.
wait_for() {
	_i=0
	while [ ! -e "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -e "$1" ] || fail "$1 never appeared"
}

ca-init -d ca --subject CN=Order >/dev/null 2>&1 || fail "ca-init"
i=0
while [ $i -lt 24 ]; do
	ca-sign -d ca --dns "c$i.example" --new-key "c$i.key" -o "c$i.crt" \
		>/dev/null 2>&1 || fail "ca-sign c$i"
	i=$((i + 1))
done
last=$(crl_number ca)

# 1. The issue's reproduction: the rename of ca-revoke --crl held up
# for 2 s while a certificate is revoked beside it.
# LeakSanitizer cannot run under ptrace: in a sanitizer build, the
# traced run checks everything but leaks.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
strace -f -o /dev/null -e trace=rename,renameat,renameat2 \
	-e inject=rename,renameat,renameat2:delay_enter=2000000 \
	ca-revoke -d ca --crl >/dev/null 2>slow.err &
slow=$!
# Its temporary CRL exists from its write until its rename.
_i=0
while ! ls ca/.crl.pem.* >/dev/null 2>&1 && [ $_i -lt 200 ]; do
	sleep 0.05
	_i=$((_i + 1))
done
assert_ok "revoke beside a slow --crl" ca-revoke -d ca c0.crt
after=$(crl_number ca)
wait $slow
assert_eq "the slow --crl succeeded" "$?" 0
is_revoked "revoked beside a slow --crl" c0.crt
[ "$(crl_number ca)" -ge "$after" ] && pass ||
	fail "crl.pem went back from CRL number $after to $(crl_number ca)"
consistent "slow --crl"

# 2. Every step of the publish path, held up for 1 s in one writer
# while another writer runs: a revocation beside a delayed --crl, a
# revocation beside a delayed revocation, and --crl beside a delayed
# revocation.
n=1
for point in crl-locked crl-numbered crl-built crl-committed crl-renamed; do
	# --crl delayed, a revocation beside it.
	rm -f mark
	CAKIT_TEST_DELAY_AT=$point:1000 CAKIT_TEST_DELAY_FILE=mark \
		ca-revoke -d ca --crl 2>slow.err &
	slow=$!
	wait_for mark
	assert_ok "$point: revoke beside a delayed --crl" ca-revoke -d ca "c$n.crt"
	b=$(crl_number ca)
	wait $slow
	assert_eq "$point: the delayed --crl succeeded: $(cat slow.err)" "$?" 0
	[ "$(crl_number ca)" -ge "$b" ] && pass ||
		fail "$point: crl.pem went back from $b to $(crl_number ca)"
	is_revoked "$point: revoked beside a delayed --crl" "c$n.crt"
	consistent "$point, --crl delayed"

	# A revocation delayed, another beside it: neither is lost.
	rm -f mark
	CAKIT_TEST_DELAY_AT=$point:1000 CAKIT_TEST_DELAY_FILE=mark \
		ca-revoke -d ca "c$((n + 1)).crt" 2>slow.err &
	slow=$!
	wait_for mark
	assert_ok "$point: revoke beside a delayed revocation" \
		ca-revoke -d ca "c$((n + 2)).crt"
	b=$(crl_number ca)
	wait $slow
	assert_eq "$point: the delayed revocation succeeded: $(cat slow.err)" "$?" 0
	[ "$(crl_number ca)" -ge "$b" ] && pass ||
		fail "$point: crl.pem went back from $b to $(crl_number ca)"
	is_revoked "$point: the delayed revocation" "c$((n + 1)).crt"
	is_revoked "$point: the revocation beside it" "c$((n + 2)).crt"
	consistent "$point, two revocations"

	# A revocation delayed, --crl beside it.
	rm -f mark
	CAKIT_TEST_DELAY_AT=$point:1000 CAKIT_TEST_DELAY_FILE=mark \
		ca-revoke -d ca "c$((n + 3)).crt" 2>slow.err &
	slow=$!
	wait_for mark
	assert_ok "$point: --crl beside a delayed revocation" ca-revoke -d ca --crl
	b=$(crl_number ca)
	wait $slow
	assert_eq "$point: the delayed revocation succeeded: $(cat slow.err)" "$?" 0
	[ "$(crl_number ca)" -ge "$b" ] && pass ||
		fail "$point: crl.pem went back from $b to $(crl_number ca)"
	is_revoked "$point: revoked while --crl ran" "c$((n + 3)).crt"
	consistent "$point, --crl beside"
	n=$((n + 4))
done

# 3. A ledger restored from an older backup has a lower CRL number
# than crl.pem: the next CRL is numbered above both.
ledger_set_crl_number ca 1
assert_ok "--crl after the ledger's number went back" ca-revoke -d ca --crl
[ "$(crl_number ca)" -gt "$last" ] && pass ||
	fail "CRL number $(crl_number ca) published after $last"
consistent "restored ledger"

finish
