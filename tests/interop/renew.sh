#!/bin/bash
# examples/renew-expiring.sh, the cron job: a certificate with a day
# left is re-issued (new serial, same key, subject and names), written
# to the output directory, recorded in the ledger as replacing the old
# one, and the CRL is re-signed with a higher number.  A certificate
# that is not due is left alone, and the next run does not renew the
# same certificate again.
. "$top_srcdir/tests/cli/lib.sh"

need openssl $LEDGER_TOOLS

ca=$T/ca out=$T/renewed
renew() {
	sh "$top_srcdir/examples/renew-expiring.sh" -d "$ca" -o "$out" "$@"
}

# The CRL number of $ca/crl.pem, in decimal.
crlnumber() {
	_n=$(openssl crl -in "$ca/crl.pem" -noout -crlnumber)
	echo $((16#${_n#crlNumber=0x}))
}

hex() {
	tr A-F a-f | sed 's/^serial=//'
}

assert_ok "ca-init" ca-init -d "$ca" --subject "CN=Renew Test CA"
assert_ok "a one-day certificate" ca-sign -d "$ca" --profile client \
    --new-key "$T/short.key" --subject "CN=short,O=cakit tests" \
    --dns short.test --email ops@short.test --days 1 -o "$T/short.crt"
assert_ok "a one-year certificate" ca-sign -d "$ca" --new-key "$T/long.key" \
    --dns long.test -o "$T/long.crt"
old=$(openssl x509 -noout -serial -in "$T/short.crt" | hex)
crl0=$(crlnumber)

# --- The run -------------------------------------------------------------

assert_ok "renew-expiring.sh 2" renew 2
assert_eq "one line on stdout" "$(grep -c '' "$T/out")" 1
read -r got_old new file <"$T/out"
assert_eq "stdout names the old serial" "$got_old" "$old"
assert_eq "stdout names the file" "$file" "$out/$new.crt"
assert_contains "stderr says what happened" "$T/err" \
    "^renew-expiring: $old: renewed as $new, valid until "
assert_contains "stderr says the CRL was signed" "$T/err" \
    '^renew-expiring: .*: 1 renewed; signed a new crl.pem'

c=$out/$new.crt
assert_eq "the new certificate: mode" "$(stat -c %a "$c")" 644
assert_eq "the new certificate: its serial" \
    "$(openssl x509 -noout -serial -in "$c" | hex)" "$new"
if [ "$new" != "$old" ]; then
	pass
else
	fail "the serial did not change"
fi
assert_eq "the same public key" "$(openssl x509 -noout -pubkey -in "$c")" \
    "$(openssl x509 -noout -pubkey -in "$T/short.crt")"
assert_eq "the same subject" "$(openssl x509 -noout -subject -in "$c")" \
    "$(openssl x509 -noout -subject -in "$T/short.crt")"
assert_eq "the same names" \
    "$(openssl x509 -noout -ext subjectAltName,extendedKeyUsage -in "$c")" \
    "$(openssl x509 -noout -ext subjectAltName,extendedKeyUsage \
    -in "$T/short.crt")"
assert_ok "a new validity: good for 300 days" openssl x509 -noout \
    -checkend $((300 * 86400)) -in "$c"
assert_ok "openssl verifies it as a client certificate" openssl verify \
    -CAfile "$ca/ca.crt" -purpose sslclient "$c"

assert_eq "the ledger: the new row replaces the old" \
    "$(ledger_sql "$ca" "SELECT replaces FROM certs
    WHERE serial = '$new'")" "$old"
assert_eq "the ledger: three rows (the long one was not due)" \
    "$(rows "$ca")" 3
assert_eq "the ledger: the old one is still valid" \
    "$(ledger_sql "$ca" "SELECT status FROM certs
    WHERE serial = '$old'")" valid
assert_eq "nothing else in the output directory" "$(ls -A "$out")" \
    "$new.crt"

crl1=$(crlnumber)
if [ "$crl1" -gt "$crl0" ]; then
	pass
else
	fail "the CRL number did not increase: $crl0, then $crl1"
fi
run openssl crl -in "$ca/crl.pem" -CAfile "$ca/ca.crt" -noout
assert_contains "openssl verifies the new CRL" "$T/err" 'verify OK'

# --- The next run --------------------------------------------------------

# The old certificate still expires within 2 days, but it has been
# renewed: not again.
assert_ok "the next run" renew 2
assert_eq "the next run: nothing renewed" "$(cat "$T/out")" ""
assert_contains "the next run: says so" "$T/err" ': 0 renewed; signed a new'
assert_eq "the next run: still three rows" "$(rows "$ca")" 3
crl2=$(crlnumber)
if [ "$crl2" -gt "$crl1" ]; then
	pass
else
	fail "the next run did not re-sign the CRL: $crl1, then $crl2"
fi

# A wider window reaches the one-year certificates: the long one and
# the renewal, but not the short one again.  DAYS from the environment.
DAYS=400 assert_ok "a 400-day window" renew
assert_eq "a 400-day window: renews the two one-year certificates" \
    "$(cut -d' ' -f1 "$T/out" | sort | tr '\n' ' ')" \
    "$(printf '%s\n' "$new" \
    "$(openssl x509 -noout -serial -in "$T/long.crt" | hex)" |
    sort | tr '\n' ' ')"

# --- Failures ------------------------------------------------------------

snapshot "$ca" >"$T/before"
run renew abc
assert_eq "DAYS abc: usage error" "$rc" 2
assert_contains "DAYS abc: says why" "$T/err" "^renew-expiring: DAYS 'abc'"
run renew --days 0 2
assert_eq "--days 0: usage error" "$rc" 2
snapshot "$ca" >"$T/after"
assert_eq "usage errors change nothing" "$(cat "$T/after")" \
    "$(cat "$T/before")"
run sh "$top_srcdir/examples/renew-expiring.sh" -d "$T/nowhere" 2
assert_eq "no CA: exit 1" "$rc" 1
assert_contains "no CA: says why" "$T/err" '^renew-expiring: .*: cannot list the certificates'

finish
