# Concurrency: 8 ca-sign processes at once on one CA, 100 certificates
# each, then the same with ca-revoke running beside them.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

cd "$T"
ca-init -d ca --subject CN=Busy >/dev/null 2>&1 || fail "ca-init"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout k.pem -subj /CN=load -out req.pem 2>/dev/null

signer() {
	_i=0
	while [ $_i -lt 100 ]; do
		ca-sign -d ca --dns "w$1-$_i.example" req.pem >>"out.$1" 2>>"err.$1" ||
			echo "exit $? at $_i" >>"fail.$1"
		_i=$((_i + 1))
	done
}

pids=
for w in 1 2 3 4 5 6 7 8; do
	signer $w &
	pids="$pids $!"
done
wait $pids

cat fail.* 2>/dev/null | head -5 >failures
[ ! -s failures ] && pass || fail "some ca-sign failed: $(cat failures) $(head -3 err.*)"
assert_eq "800 certificates printed" "$(cat out.* | grep -c 'BEGIN CERTIFICATE')" 800
assert_eq "800 ledger rows" "$(rows ca)" 800
assert_eq "800 distinct serials in the ledger" \
	"$(ledger_sql ca 'SELECT count(DISTINCT serial) FROM certs')" 800
cat out.* | awk '/BEGIN CERT/{n++} {print > ("c" n ".pem")}'
distinct=$(for f in c*.pem; do openssl x509 -in "$f" -noout -serial; done |
	sort -u | wc -l)
assert_eq "800 distinct serials printed" "$distinct" 800
assert_eq "integrity_check" "$(ledger_integrity ca)" ok
run openssl verify -CAfile ca/ca.crt c1.pem c400.pem c800.pem
[ "$rc" -eq 0 ] && pass || fail "verify: $(cat "$T/err")"

# Signers and revokers together: every revocation kept, and every
# revoking run took its own CRL number.
ledger_sql ca 'SELECT serial FROM certs' >serials
start=$(openssl crl -in ca/crl.pem -noout -crlnumber | sed 's/.*=//; s/^0x//')
revoker() {
	sed -n "$1~4p" serials | head -25 | while read -r s; do
		ca-revoke -d ca "$s" 2>>"rerr.$1" || echo "exit $? for $s" >>"rfail.$1"
	done
}
rm -f out.* err.* fail.*
pids=
for w in 1 2 3 4; do
	signer $w &
	pids="$pids $!"
	revoker $w &
	pids="$pids $!"
done
wait $pids
cat fail.* rfail.* 2>/dev/null | head -5 >failures
[ ! -s failures ] && pass || fail "failures: $(cat failures) $(head -3 err.* rerr.*)"
assert_eq "1200 rows" "$(rows ca)" 1200
assert_eq "100 revoked" \
	"$(ledger_sql ca "SELECT count(*) FROM certs WHERE status = 'revoked'")" 100
end=$(openssl crl -in ca/crl.pem -noout -crlnumber | sed 's/.*=//; s/^0x//')
assert_eq "one CRL number per revoking run" "$((0x$end - 0x$start))" 100
assert_eq "the final CRL lists all 100" \
	"$(openssl crl -in ca/crl.pem -noout -text | grep -c 'Serial Number')" 100
assert_eq "integrity_check" "$(ledger_integrity ca)" ok
assert_ok "certtool reads the CRL" certtool --crl-info --infile ca/crl.pem

finish
