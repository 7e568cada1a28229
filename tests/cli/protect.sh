# Protecting the CA key: PKCS#8 encryption with a passphrase file, and
# keys kept in a PKCS#11 token (SoftHSM2).
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

cd "$T"
printf 'correct horse battery staple\n' >pass
printf 'wrong\n' >wrong

# Encrypted at rest: PBES2 with AES-256, readable with the passphrase.
assert_ok "ca-init with a passphrase" \
	ca-init -d ca --subject CN=Locked --key-passphrase-file pass
assert_contains "ca.key is encrypted PKCS#8" ca/ca.key \
	'^-----BEGIN ENCRYPTED PRIVATE KEY-----$'
run openssl pkey -in ca/ca.key -passin pass:x -noout
[ "$rc" -ne 0 ] && pass || fail "openssl read ca.key with a wrong passphrase"
assert_ok "openssl decrypts it with the passphrase" \
	openssl pkey -in ca/ca.key -passin file:pass -noout
run openssl asn1parse -in ca/ca.key
assert_contains "PBES2" "$T/out" 'PBES2'
assert_contains "AES-256" "$T/out" 'aes-256-cbc'
assert_not_contains "the passphrase is not in ca.key" ca/ca.key 'horse'

before=$(snapshot ca)
assert_fail "no passphrase" 1 'encrypted.*--key-passphrase-file' \
	ca-sign -d ca --new-key n.key --dns a.example
assert_fail "wrong passphrase" 1 'wrong passphrase' \
	ca-sign -d ca --key-passphrase-file wrong --new-key n.key --dns a.example
: >empty.pass
assert_fail "empty passphrase file" 1 'empty' \
	ca-sign -d ca --key-passphrase-file empty.pass --new-key n.key --dns a.example
assert_fail "passphrase file that is a device" 1 'is a character device' \
	ca-sign -d ca --key-passphrase-file /dev/null --new-key n.key --dns a.example
assert_eq "refusals changed nothing" "$(snapshot ca)" "$before"
[ ! -e n.key ] && pass || fail "a refused ca-sign left n.key"

assert_ok "ca-sign with --key-passphrase-file" \
	ca-sign -d ca --key-passphrase-file pass --new-key n.key --dns a.example -o n.crt
assert_ok "ca-sign with \$CA_KEY_PASSPHRASE_FILE" \
	env CA_KEY_PASSPHRASE_FILE="$T/pass" ca-sign -d ca --new-key m.key \
	--dns b.example -o m.crt
assert_ok "ca-revoke with the passphrase" \
	ca-revoke -d ca --key-passphrase-file pass n.crt
assert_fail "ca-revoke without it" 1 'encrypted' ca-revoke -d ca --crl
assert_ok "openssl verify" openssl verify -CAfile ca/ca.crt m.crt
run openssl verify -crl_check -CAfile ca/ca.crt -CRLfile ca/crl.pem n.crt
[ "$rc" -ne 0 ] && pass || fail "revoked n.crt still verifies"

# An intermediate under the locked root: the parent's passphrase.
assert_fail "intermediate without the parent's passphrase" 1 'encrypted' \
	ca-init -d sub --parent ca --subject CN=Sub
[ ! -e sub ] && pass || fail "a refused ca-init left sub/"
assert_ok "intermediate with --parent-passphrase-file" \
	ca-init -d sub --parent ca --parent-passphrase-file pass --subject CN=Sub
assert_not_contains "the intermediate's key is plain" sub/ca.key ENCRYPTED

# $CA_KEY_PASSPHRASE_FILE unlocks existing keys; a new key is encrypted
# only when --key-passphrase-file says so for it.
printf 'another passphrase\n' >pass2
assert_ok "intermediate, parent unlocked by \$CA_KEY_PASSPHRASE_FILE" \
	env CA_KEY_PASSPHRASE_FILE="$T/pass" ca-init -d sub-env --parent ca \
	--subject CN=SubEnv
assert_not_contains "its key is not encrypted with the parent's passphrase" \
	sub-env/ca.key ENCRYPTED
assert_contains "a note says the new key is not encrypted" "$T/err" \
	'^ca-init: the new key is not encrypted: \$CA_KEY_PASSPHRASE_FILE unlocks only existing keys'
assert_ok "the new key needs no passphrase" ca-sign -d sub-env \
	--new-key se.key --dns se.example -o se.crt
assert_ok "openssl verify through the intermediate" \
	openssl verify -CAfile ca/ca.crt -untrusted sub-env/ca.crt se.crt
assert_ok "intermediate with its own --key-passphrase-file" \
	env CA_KEY_PASSPHRASE_FILE="$T/pass" ca-init -d sub-own --parent ca \
	--subject CN=SubOwn --key-passphrase-file pass2
assert_not_contains "no note when an option chose" "$T/err" 'not encrypted'
assert_ok "its key opens with its own passphrase" \
	openssl pkey -in sub-own/ca.key -passin file:pass2 -noout
run openssl pkey -in sub-own/ca.key -passin file:pass -noout
[ "$rc" -ne 0 ] && pass || fail "the new key opens with the parent's passphrase"
assert_ok "a root under \$CA_KEY_PASSPHRASE_FILE" \
	env CA_KEY_PASSPHRASE_FILE="$T/pass" ca-init -d root-env --subject CN=RE
assert_not_contains "the root's key is not encrypted either" root-env/ca.key \
	ENCRYPTED

# Each command's hint names only an option it has.
: >hints
assert_fail "ca-sign: locked key" 1 \
	'ca/ca.key: the key is encrypted and no passphrase was given; give it with --key-passphrase-file$' \
	ca-sign -d ca --new-key n2.key --dns a.example
printf 'ca-sign %s\n' "$(cat "$T/err")" >>hints
assert_fail "ca-sign: wrong passphrase" 1 \
	'wrong passphrase; give it with --key-passphrase-file$' \
	ca-sign -d ca --key-passphrase-file wrong --new-key n2.key --dns a.example
printf 'ca-sign %s\n' "$(cat "$T/err")" >>hints
assert_fail "ca-revoke: locked key" 1 \
	'no passphrase was given; give it with --key-passphrase-file$' \
	ca-revoke -d ca --crl
printf 'ca-revoke %s\n' "$(cat "$T/err")" >>hints
assert_fail "ca-init: locked parent" 1 \
	'ca/ca.key: the key is encrypted and no passphrase was given; give it with --parent-passphrase-file$' \
	ca-init -d sub-x --parent ca --subject CN=X
printf 'ca-init %s\n' "$(cat "$T/err")" >>hints
assert_fail "ca-init: wrong parent passphrase" 1 \
	'wrong passphrase; give it with --parent-passphrase-file$' \
	ca-init -d sub-x --parent ca --subject CN=X --parent-passphrase-file wrong \
	--key-passphrase-file pass
printf 'ca-init %s\n' "$(cat "$T/err")" >>hints
[ ! -e sub-x ] && pass || fail "a refused ca-init left sub-x/"
while read -r cmd line; do
	for opt in $(printf '%s\n' "$line" | grep -Eo -- '--[a-z-]+'); do
		run "$cmd" --help
		assert_contains "$cmd's hint $opt is one of its options" "$T/out" \
			"(^| )$opt( |,|$)"
	done
done <hints

# PKCS#11: the key is generated in a SoftHSM2 token; ca.key is the URI.
if command -v softhsm2-util >/dev/null 2>&1 &&
	[ -e /usr/share/p11-kit/modules/softhsm2.module ]; then
	mkdir tokens
	printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' \
		"$T" >softhsm2.conf
	export SOFTHSM2_CONF="$T/softhsm2.conf"
	softhsm2-util --init-token --free --label cakit-test --pin 4321 \
		--so-pin 8765 >/dev/null
	printf '4321\n' >pin
	uri='pkcs11:token=cakit-test;object=root'
	assert_ok "ca-init --key-uri" ca-init -d hsm --subject CN=HSM \
		--key-uri "$uri" --key-passphrase-file pin
	assert_eq "ca.key holds only the URI, with the key's own id" \
		"$(sed 's/;id=\(%[0-9a-f][0-9a-f]\)\{20\}$//' hsm/ca.key)" "$uri"
	assert_eq "ca.key mode" "$(stat -c %a hsm/ca.key)" 600
	assert_ok "ca-sign through the token" ca-sign -d hsm \
		--key-passphrase-file pin --new-key h.key --dns h.example -o h.crt
	assert_ok "openssl verify" openssl verify -CAfile hsm/ca.crt h.crt
	run openssl x509 -in hsm/ca.crt -noout -pubkey
	cp "$T/out" ca-pub.pem
	run p11tool --login --set-pin 4321 --export-pubkey "$uri;type=public"
	openssl pkey -pubin -in "$T/out" >token-pub.pem 2>/dev/null
	assert_eq "the CA certificate holds the token's key" \
		"$(cat token-pub.pem)" "$(cat ca-pub.pem)"
	before=$(snapshot hsm)
	assert_fail "no PIN" 1 'token login failed' \
		ca-sign -d hsm --new-key x.key --dns x.example
	assert_fail "wrong PIN" 1 'token login failed' \
		ca-sign -d hsm --key-passphrase-file wrong --new-key x.key --dns x.example
	assert_eq "refusals changed nothing" "$(snapshot hsm)" "$before"
	assert_ok "ca-revoke through the token" \
		ca-revoke -d hsm --key-passphrase-file pin h.crt
	assert_ok "certtool reads the token-signed CRL" \
		certtool --crl-info --infile hsm/crl.pem
	run openssl verify -crl_check -CAfile hsm/ca.crt -CRLfile hsm/crl.pem h.crt
	[ "$rc" -ne 0 ] && pass || fail "revoked h.crt still verifies"
	assert_fail "a label already in the token" 1 'already holds' \
		ca-init -d hsm2 --subject CN=Again --key-uri "$uri" \
		--key-passphrase-file pin
	[ ! -e hsm2 ] && pass || fail "a refused ca-init left hsm2/"
	assert_fail "not a pkcs11 URI" 2 'not a pkcs11: URI' \
		ca-init -d hsm3 --subject CN=x --key-uri file:///etc/passwd

	# A failed ca-init --key-uri deletes the key pair it generated, by
	# its id, and nothing else; labels are RFC 7512 percent-decoded.
	cp -a ca refuser
	ledger_refuse_inserts refuser 'refused by the test'
	tok=pkcs11:token=cakit-test
	objects() {
		p11tool --login --set-pin 4321 --list-all "$tok" 2>/dev/null |
			sed -n 's/^[[:space:]]*URL: //p' |
			sed 's/.*;\(object=[^;]*;type=[a-z]*\)$/\1/' | sort
	}
	for label in shared 'my%20ca'; do
		run p11tool --login --set-pin 4321 --write \
			--label "$(printf '%s' "$label" | sed 's/%20/ /')" \
			--load-certificate ca/ca.crt "$tok"
		[ "$rc" -eq 0 ] || fail "p11tool --write $label: $(cat "$T/err")"
		before=$(objects)
		assert_contains "$label: the certificate is in the token" \
			<(echo "$before") "object=$label;type=cert"
		assert_fail "$label: ca-init --key-uri failing after generation" 1 \
			'refused by the test' ca-init -d hsmfail --parent refuser \
			--parent-passphrase-file pass \
			--subject CN=Fail --days 30 --key-uri "$tok;object=$label" \
			--key-passphrase-file pin
		[ ! -e hsmfail ] && pass || fail "$label: a failed ca-init left hsmfail/"
		assert_eq "$label: the token holds what it held before" \
			"$(objects)" "$before"
	done
	assert_ok "object=my%20ca: ca-init --key-uri" ca-init -d hsmpct \
		--subject CN=Pct --key-uri "$tok;object=my%20ca" \
		--key-passphrase-file pin
	objects >objs
	assert_contains "the new key's label is 'my ca'" objs \
		'^object=my%20ca;type=private$'
	assert_not_contains "no label 'my%20ca' written literally" objs '%2520'
	assert_contains "the certificate of that label is still there" objs \
		'^object=my%20ca;type=cert$'
	assert_ok "ca-sign through the percent-decoded label" ca-sign -d hsmpct \
		--key-passphrase-file pin --new-key p.key --dns p.example -o p.crt
	assert_ok "openssl verify" openssl verify -CAfile hsmpct/ca.crt p.crt
	before=$(objects)
	assert_fail "a bad %-escape" 1 'bad %-escape' ca-init -d hsmbad \
		--subject CN=x --key-uri "$tok;object=my%2" --key-passphrase-file pin
	assert_fail "an id= of one's own" 1 'leave id= out' ca-init -d hsmbad \
		--subject CN=x --key-uri "$tok;object=x;id=%01" \
		--key-passphrase-file pin
	assert_fail "a wrong PIN" 1 \
		'token login failed.*; give it with --key-passphrase-file$' \
		ca-init -d hsmbad --subject CN=x --key-uri "$tok;object=wp" \
		--key-passphrase-file wrong
	[ ! -e hsmbad ] && pass || fail "a refused ca-init left hsmbad/"
	assert_eq "refusals left the token as it was" "$(objects)" "$before"

	# Killed after generating: the next run names the key it may have left.
	(CAKIT_TEST_KILL_AT=init-after-ledger ca-init -d hsmkill \
		--subject CN=Kill --key-uri "$tok;object=killed" \
		--key-passphrase-file pin) >/dev/null 2>&1
	assert_ok "after a killed --key-uri run, ca-init again" ca-init \
		-d hsmkill --subject CN=Kill2
	assert_contains "the note names the token key" "$T/err" \
		"may have left its key in the token: $tok;object=killed;id=%"
else
	echo "SKIP: PKCS#11 part: softhsm2 is not installed"
fi

finish
