# Crash safety: ca-init, ca-sign and ca-revoke killed with SIGKILL at
# named points (CAKIT_TEST_KILL_AT) and at random moments.  Afterwards
# the ledger is consistent, nothing was output without its row, crl.pem
# is a whole CRL, a half-made CA is reported as such, and the next
# ca-init removes what the killed one made, and nothing else.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

cd "$T"

integrity() {
	assert_eq "$1: integrity_check" \
		"$(ledger_integrity "$2")" ok
}

crl_number() {
	openssl crl -in "$1/crl.pem" -noout -crlnumber | sed 's/.*=//; s/^0x//'
}

killed() {
	_d=$1
	shift
	# A subshell that is not replaced by the command: its "Killed"
	# report goes to err, not to the test's output.
	(CAKIT_TEST_KILL_AT=$_d "$@"; exit $?) >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 137 ]; then
		pass
	else
		fail "$_d: expected death by SIGKILL, got exit $rc"
	fi
}

ca-init -d ca --subject CN=Crash >/dev/null 2>&1 || fail "ca-init"

# ca-sign killed before its commit: no row, no output, no key.
n=$(rows ca)
killed sign-before-commit ca-sign -d ca --new-key k1.key --dns a.example -o c1.crt
integrity sign-before-commit ca
assert_eq "no row before commit" "$(rows ca)" "$n"
[ ! -e c1.crt ] && [ ! -e k1.key ] && pass || fail "output without a row"
[ ! -s out ] && pass || fail "printed without a row"

# Killed after the commit: the row is kept, but nothing was output; the
# CA works on.
killed sign-after-commit ca-sign -d ca --dns b.example --new-key k2.key -o c2.crt
integrity sign-after-commit ca
assert_eq "row after commit" "$(rows ca)" $((n + 1))
[ ! -e c2.crt ] && [ ! -s out ] && pass || fail "output at sign-after-commit"
killed newkey-before-publish ca-sign -d ca --dns c.example --new-key k3.key
[ ! -e k3.key ] && pass || fail "a key file appeared before publishing"
assert_ok "ca-sign after the crashes" ca-sign -d ca --new-key k1.key \
	--dns a.example -o c1.crt
assert_ok "the new certificate verifies" openssl verify -CAfile ca/ca.crt c1.crt

# -o: killed before the rename, the old file is intact.
cp c1.crt before.crt
openssl req -new -key k1.key -subj /CN=a -out k1.csr 2>/dev/null
killed write-before-rename ca-sign -d ca --dns a.example -o c1.crt k1.csr
cmp -s c1.crt before.crt && pass || fail "-o file changed by a killed ca-sign"

# ca-revoke killed before its commit: nothing revoked, CRL unchanged.
serial=$(openssl x509 -in c1.crt -noout -serial | sed 's/.*=//')
num=$(crl_number ca)
cp ca/crl.pem crl.before
killed crl-built ca-revoke -d ca "$serial"
integrity crl-built ca
assert_eq "not revoked" "$(ledger_sql ca "SELECT count(*) FROM certs WHERE status = 'revoked'")" 0
cmp -s ca/crl.pem crl.before && pass || fail "crl.pem changed before commit"

# Killed after the commit, before the rename: the old CRL stays whole;
# the next --crl publishes one with a higher number.
killed crl-committed ca-revoke -d ca "$serial"
integrity crl-committed ca
assert_eq "revoked in the ledger" "$(ledger_sql ca "SELECT count(*) FROM certs WHERE status = 'revoked'")" 1
cmp -s ca/crl.pem crl.before && pass || fail "crl.pem changed before rename"
assert_ok "the old CRL still parses" openssl crl -in ca/crl.pem -noout
assert_ok "ca-revoke --crl" ca-revoke -d ca --crl
new=$(crl_number ca)
[ "$((0x$new))" -gt "$((0x$num + 1))" ] && pass ||
	fail "CRL number $new after $num and a committed revocation"
run openssl verify -crl_check -CAfile ca/ca.crt -CRLfile ca/crl.pem c1.crt
[ "$rc" -ne 0 ] && pass || fail "the revocation was lost"

# Killed between the commit and the rename, then the same revocation is
# asked again (what an operator does after a crash): the certificate is
# already revoked, but crl.pem is behind the ledger, so a new CRL is
# published all the same.
ca-sign -d ca --dns again.example --new-key again.key -o again.crt \
	>/dev/null 2>&1 || fail "ca-sign again"
killed crl-committed ca-revoke -d ca again.crt
run openssl verify -crl_check -CAfile ca/ca.crt -CRLfile ca/crl.pem again.crt
[ "$rc" -eq 0 ] && pass || fail "the killed revocation reached crl.pem"
assert_fail "ca-list --check: crl.pem behind the ledger" 1 \
	'behind the ledger.*ca-revoke --crl' ca-list -d ca --check
assert_ok "the revocation asked again" ca-revoke -d ca again.crt
assert_contains "a note says crl.pem was behind" err 'older than the ledger'
run openssl verify -crl_check -CAfile ca/ca.crt -CRLfile ca/crl.pem again.crt
[ "$rc" -ne 0 ] && pass || fail "the repeated revocation did not repair crl.pem"
assert_eq "crl.pem carries the ledger's number" "$((0x$(crl_number ca)))" \
	"$(ledger_crl_number ca)"
assert_ok "ca-list --check after the repair" ca-list -d ca --check
assert_ok "asked a third time: nothing to do" ca-revoke -d ca again.crt
assert_not_contains "no CRL when crl.pem is current" err 'older than the ledger'

# A crl.pem cut short before its END line (a copy or an editor that
# failed) is damaged, even though its number can still be read: the
# next writer replaces it, as it did before issue 10.
grep -v 'END X509 CRL' ca/crl.pem >crl.cut
cp crl.cut ca/crl.pem
assert_ok "crl.pem without its END line: revoked again" \
	ca-revoke -d ca again.crt
assert_contains "a note says crl.pem was replaced" err 'older than the ledger'
assert_ok "the replaced crl.pem is whole" openssl crl -in ca/crl.pem -noout

# Killed at every step of the publish path, by either writer: crl.pem
# stays whole and never goes back, the lock dies with the process, and
# the next run publishes a CRL above every number taken.
i=0
for point in crl-locked crl-numbered crl-built crl-committed crl-renamed; do
	for how in crl cert; do
		before=$((0x$(crl_number ca)))
		if [ $how = crl ]; then
			killed "$point" ca-revoke -d ca --crl
		else
			ca-sign -d ca --dns "kp$i.example" --new-key "kp$i.key" \
				-o "kp$i.crt" >/dev/null 2>&1 || fail "ca-sign kp$i"
			killed "$point" ca-revoke -d ca "kp$i.crt"
		fi
		integrity "$point ($how)" ca
		assert_ok "$point ($how): crl.pem is whole" openssl crl -in ca/crl.pem -noout
		[ "$((0x$(crl_number ca)))" -ge "$before" ] && pass ||
			fail "$point ($how): crl.pem went back"
		if [ $how = crl ]; then
			assert_ok "$point: --crl again" ca-revoke -d ca --crl
		else
			assert_ok "$point: the revocation again" ca-revoke -d ca "kp$i.crt"
			run openssl verify -crl_check -CAfile ca/ca.crt \
				-CRLfile ca/crl.pem "kp$i.crt"
			[ "$rc" -ne 0 ] && pass ||
				fail "$point: kp$i.crt verifies after the next run"
		fi
		assert_eq "$point ($how): crl.pem carries the ledger's number" \
			"$((0x$(crl_number ca)))" \
			"$(ledger_crl_number ca)"
		i=$((i + 1))
	done
done

# ---- ca-init (interrupted runs) ----
# ca-init builds a CA in a locked staging directory (.ca-init.XXXXXX)
# inside DIR and links its files into DIR, ca.crt last.  Killed at any
# point, it leaves a directory that is not taken for a CA and holds only
# what it made; the next ca-init removes exactly that, with a note, and
# starts over.  Files of the user's beside it are never touched.
for point in init-after-ledger init-after-key write-before-rename; do
	d=half-$point
	mkdir "$d"
	printf 'mine\n' >"$d/README"
	killed "$point" ca-init -d "$d" --subject CN=Half
	[ ! -e "$d/ca.crt" ] && pass || fail "$point: ca.crt exists"
	assert_fail "$point: reported as an interrupted ca-init" 1 \
		"$d: incomplete CA left by an interrupted ca-init; run ca-init again" \
		ca-sign -d "$d" --new-key x.key --dns x.example
	assert_ok "$point: ca-init again" ca-init -d "$d" --subject CN=Half
	assert_contains "$point: the note says what was removed" "$T/err" \
		"^ca-init: $d: removed what an interrupted ca-init left \(\.ca-init\.[A-Za-z0-9]{6}\)$"
	assert_eq "$point: the user's file kept" "$(cat "$d/README")" mine
	assert_eq "$point: nothing of the killed run left" \
		"$(ls -A "$d" | tr '\n' ' ')" "README ca.crt ca.key crl.pem ledger.db "
	assert_ok "$point: then a usable CA" ca-sign -d "$d" \
		--new-key "h-$point.key" --dns x.example -o "h-$point.crt"
	assert_ok "$point: verifies" openssl verify -CAfile "$d/ca.crt" \
		"h-$point.crt"
done

# Killed after ca.crt is in place: the CA is whole and works; the next
# ca-init removes the staging names silently and changes nothing else.
killed init-after-crt ca-init -d whole --subject CN=Whole
assert_ok "init-after-crt: a usable CA" ca-sign -d whole --new-key w.key \
	--dns w.example -o w.crt
assert_ok "init-after-crt: verifies" openssl verify -CAfile whole/ca.crt w.crt
before=$(cat whole/ca.crt whole/ca.key | md5sum)
assert_ok "init-after-crt: --exist-ok" ca-init -d whole --subject CN=Whole \
	--exist-ok
assert_eq "init-after-crt: the CA unchanged" \
	"$(cat whole/ca.crt whole/ca.key | md5sum)" "$before"
assert_ok "init-after-crt: still the CA that signed w.crt" \
	openssl verify -CAfile whole/ca.crt w.crt
assert_eq "init-after-crt: the staging names gone" \
	"$(ls -A whole | grep -c '^\.ca-init\.')" 0

# A ca-init still running (its staging directory locked) is not taken
# for an interrupted one: the second run refuses and changes nothing.
if command -v flock >/dev/null 2>&1; then
	mkdir busy busy/.ca-init.AbCdEf
	# Held until the test says so, however slow ca-init runs (valgrind).
	flock busy/.ca-init.AbCdEf sh -c \
		'while [ ! -e release ]; do sleep 0.1; done' &
	lockpid=$!
	_i=0
	while flock -n busy/.ca-init.AbCdEf true && [ $_i -lt 400 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	assert_fail "a running ca-init is left alone" 1 \
		'busy: another ca-init is making a CA here' \
		ca-init -d busy --subject CN=Busy
	[ -d busy/.ca-init.AbCdEf ] && pass || fail "a running ca-init's staging removed"
	touch release
	wait "$lockpid"
	assert_ok "once it is gone, ca-init" ca-init -d busy --subject CN=Busy
fi

# An intermediate killed after its parent committed: the parent's ledger
# is consistent, the half-made intermediate is refused, then remade.
killed init-after-parent-commit ca-init -d sub --parent ca --subject CN=Sub
integrity init-after-parent-commit ca
assert_fail "half intermediate refused" 1 'incomplete CA' ca-list -d sub
assert_ok "intermediate remade" ca-init -d sub --parent ca --subject CN=Sub
assert_ok "intermediate verifies" openssl verify -CAfile ca/ca.crt sub/ca.crt
# ---- end of ca-init ----

# Random moments: kill ca-sign and ca-revoke at arbitrary times.
i=0
while [ $i -lt 30 ]; do
	ca-sign -d ca --dns "r$i.example" --new-key "r$i.key" -o "r$i.crt" \
		>/dev/null 2>&1 &
	p1=$!
	ca-revoke -d ca --crl >/dev/null 2>&1 &
	p2=$!
	sleep "0.00$((i % 10))"
	kill -9 $p1 $p2 2>/dev/null
	wait $p1 $p2 2>/dev/null
	if [ -e "r$i.crt" ]; then
		s=$(openssl x509 -in "r$i.crt" -noout -serial | sed 's/.*=//' |
			tr 'A-F' 'a-f')
		[ "$(ledger_sql ca "SELECT count(*) FROM certs WHERE serial = '$s'")" = 1 ] ||
			fail "random kill $i: r$i.crt has no ledger row"
	fi
	openssl crl -in ca/crl.pem -noout 2>/dev/null ||
		fail "random kill $i: crl.pem is not a whole CRL"
	i=$((i + 1))
done
integrity "random kills" ca
pass
assert_ok "ca-sign after random kills" ca-sign -d ca --dns z.example \
	--new-key z.key -o z.crt
assert_ok "ca-revoke after random kills" ca-revoke -d ca z.crt

finish
