# Protecting the CA key: PKCS#8 encryption with a passphrase file, and
# keys kept in a PKCS#11 token (SoftHSM2).
. "$top_srcdir/tests/cli/lib.sh"
need openssl sqlite3

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
	assert_eq "ca.key holds only the URI" "$(cat hsm/ca.key)" "$uri"
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
else
	echo "SKIP: PKCS#11 part: softhsm2 is not installed"
fi

finish
