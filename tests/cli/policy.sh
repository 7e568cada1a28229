# Issuance policy: name constraints (in the CA certificate, enforced by
# ca-sign, and by OpenSSL and GnuTLS verifiers even for a certificate
# another tool made with the same key), --max-days, and who issued.
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool $LEDGER_TOOLS

cd "$T"
assert_ok "ca-init with name constraints" ca-init -d ca --subject CN=Constrained \
	--permit-dns example.com --permit-ip 10.0.0.0/8 \
	--exclude-dns bad.example.com --max-days 90
run openssl x509 -in ca/ca.crt -noout -ext nameConstraints
assert_contains "nameConstraints is critical" "$T/out" 'Name Constraints: critical'
assert_contains "permitted DNS" "$T/out" 'DNS:example.com'
assert_contains "permitted IP" "$T/out" 'IP:10.0.0.0/255.0.0.0'
assert_contains "excluded DNS" "$T/out" 'DNS:bad.example.com'

assert_ok "a name inside" ca-sign -d ca --new-key in.key --dns www.example.com \
	--ip 10.1.2.3 -o in.crt
assert_ok "openssl verifies it" openssl verify -CAfile ca/ca.crt in.crt
run certtool --verify --load-ca-certificate ca/ca.crt --infile in.crt
assert_contains "certtool verifies it" "$T/out" 'Chain verification output: Verified'

before=$(snapshot ca)
assert_fail "DNS outside" 1 "DNS name 'www.evil.com' is outside the name constraints.*permitted DNS example.com" \
	ca-sign -d ca --new-key x.key --dns www.evil.com
assert_fail "excluded DNS" 1 "'x.bad.example.com' is outside.*excluded DNS bad.example.com" \
	ca-sign -d ca --new-key x.key --dns x.bad.example.com
assert_fail "IP outside" 1 "IP name '192.168.1.1' is outside.*IP 10.0.0.0/8" \
	ca-sign -d ca --new-key x.key --dns ok.example.com --ip 192.168.1.1
assert_fail "a host CN outside, with only an IP name" 1 "subject 'CN=www.evil.net' is outside" \
	ca-sign -d ca --new-key x.key --subject CN=www.evil.net --ip 10.9.9.9
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout evil.key -subj /CN=evil -addext subjectAltName=DNS:www.evil.com \
	-out evil.csr 2>/dev/null
assert_fail "a CSR asking for a name outside" 1 "www.evil.com' is outside" \
	ca-sign -d ca evil.csr
assert_eq "refusals changed nothing" "$(snapshot ca)" "$before"
[ ! -e x.key ] && pass || fail "a refused ca-sign left x.key"

# The same key signing outside the constraints with another tool: the
# verifiers reject the certificate, so the constraints do protect.
printf 'subjectAltName=DNS:www.evil.com\nbasicConstraints=critical,CA:FALSE\n' >ext
openssl x509 -req -in evil.csr -CA ca/ca.crt -CAkey ca/ca.key \
	-CAcreateserial -days 30 -extfile ext -out evil.crt 2>/dev/null ||
	fail "openssl x509 -req"
run openssl verify -CAfile ca/ca.crt evil.crt
[ "$rc" -ne 0 ] && pass || fail "openssl accepted a name outside the constraints"
cat "$T/out" "$T/err" >why
assert_contains "openssl says why" why 'permitted subtree violation'
run certtool --verify --load-ca-certificate ca/ca.crt --infile evil.crt
assert_contains "certtool rejects it" "$T/out" 'Chain verification output: Not verified'

# A refusal below must leave no key behind; a failure of one must not
# hide the next.
refuse() {
	rm -f x.key
	assert_fail "$@"
	[ ! -e x.key ] || fail "$1: a refused ca-sign left x.key"
}

# A wildcard stands for every name of one label more: *.example.com
# for bad.example.com, which both verifiers accept it for, so it is
# refused under the exclusion, and so is one below the excluded name.
refuse "a wildcard over an excluded name" 1 \
	"DNS name '\*.example.com' is outside.*excluded DNS bad.example.com" \
	ca-sign -d ca --new-key x.key --dns '*.example.com'
refuse "a wildcard below an excluded name" 1 "'\*.bad.example.com' is outside" \
	ca-sign -d ca --new-key x.key --dns '*.BAD.example.com'
refuse "an excluded name in upper case" 1 "'bad.example.com' is outside" \
	ca-sign -d ca --new-key x.key --dns BAD.Example.COM
assert_ok "a wildcard that cannot match it" ca-sign -d ca --new-key w.key \
	--dns '*.www.example.com' -o w.crt
assert_ok "openssl verifies the wildcard" openssl verify -CAfile ca/ca.crt w.crt
run certtool --verify --load-ca-certificate ca/ca.crt --infile w.crt
assert_contains "certtool verifies the wildcard" "$T/out" 'Chain verification output: Verified'

# Permitted IPv4 ranges hold IPv6 names too: none is permitted, mapped
# or not, and the CA certificate says so with an excluded ::/0.
run openssl x509 -in ca/ca.crt -noout -ext nameConstraints
assert_contains "IPv4 only: ::/0 excluded" "$T/out" \
	'IP:0:0:0:0:0:0:0:0/0:0:0:0:0:0:0:0'
for ip in fd00::1 ::ffff:192.168.1.1 ::ffff:10.1.2.3 ::1; do
	refuse "IPv6 $ip under IPv4 ranges" 1 "IP name '$ip' is outside.*IP 10.0.0.0/8" \
		ca-sign -d ca --new-key x.key --dns ok.example.com --ip "$ip"
done
assert_ok "ca-init IPv6 only" ca-init -d ca6 --subject CN=Six --permit-ip fd00::/8
run openssl x509 -in ca6/ca.crt -noout -ext nameConstraints
assert_contains "IPv6 only: 0.0.0.0/0 excluded" "$T/out" 'IP:0.0.0.0/0.0.0.0'
refuse "IPv4 under IPv6 ranges" 1 "IP name '10.1.2.3' is outside" \
	ca-sign -d ca6 --new-key x.key --ip 10.1.2.3
assert_ok "IPv6 inside" ca-sign -d ca6 --new-key six.key --ip fd12::1 -o six.crt
assert_ok "openssl verifies IPv6 inside" openssl verify -CAfile ca6/ca.crt six.crt
run certtool --verify --load-ca-certificate ca6/ca.crt --infile six.crt
assert_contains "certtool verifies IPv6 inside" "$T/out" 'Chain verification output: Verified'
assert_ok "ca-init both families" ca-init -d ca46 --subject CN=Both \
	--permit-ip 10.0.0.0/8 --permit-ip fd00::/8
run openssl x509 -in ca46/ca.crt -noout -ext nameConstraints
assert_not_contains "both families: nothing excluded" "$T/out" 'Excluded'
assert_ok "IPv4 and IPv6 inside both" ca-sign -d ca46 --new-key b.key \
	--ip 10.9.8.7 --ip fd00::7 -o b.crt
assert_ok "openssl verifies both" openssl verify -CAfile ca46/ca.crt b.crt
# The written rule binds GnuTLS, which would let an IPv6 name through
# permitted IPv4 ranges alone, even for a certificate another tool made.
printf 'subjectAltName=IP:fd00::1\nbasicConstraints=critical,CA:FALSE\n' >ext6
openssl x509 -req -in evil.csr -CA ca/ca.crt -CAkey ca/ca.key \
	-CAcreateserial -days 30 -extfile ext6 -out evil6.crt 2>/dev/null ||
	fail "openssl x509 -req IPv6"
run certtool --verify --load-ca-certificate ca/ca.crt --infile evil6.crt
assert_contains "certtool rejects IPv6 under IPv4 ranges" "$T/out" \
	'Chain verification output: Not verified'

# A CN that reads as a host name is held to DNS constraints, in any
# case, whatever the profile, when no DNS name is in subjectAltName.
for cn in www.evil.com WWW.EVIL.COM Www.Evil.Com; do
	refuse "client CN $cn outside" 1 "subject 'CN=$cn' is outside.*its CN" \
		ca-sign -d ca --profile client --new-key x.key --subject "CN=$cn" \
		--email a@example.org
done
assert_ok "client CN inside, upper case" ca-sign -d ca --profile client \
	--new-key c.key --subject CN=WWW.EXAMPLE.COM --email a@example.org -o c.crt
assert_ok "openssl verifies it" openssl verify -CAfile ca/ca.crt c.crt

# An intermediate under the constrained root is held to the root's
# constraints too.
assert_ok "intermediate" ca-init -d sub --parent ca --subject CN=Sub
assert_fail "outside the root's constraints, from the intermediate" 1 \
	"www.evil.com' is outside the name constraints of CN=Constrained" \
	ca-sign -d sub --new-key y.key --dns www.evil.com
assert_ok "inside, from the intermediate" ca-sign -d sub --new-key z.key \
	--dns z.example.com -o z.crt
assert_ok "verifies through the chain" openssl verify -CAfile ca/ca.crt \
	-untrusted sub/ca.crt z.crt

# --max-days caps --days, and the default shrinks to it.
assert_fail "--days over the cap" 1 'at most 90 days' \
	ca-sign -d ca --new-key m.key --dns m.example.com --days 91
assert_ok "the default is cut to the cap" ca-sign -d ca --new-key m.key \
	--dns m.example.com -o m.crt
nb=$(date -d "$(openssl x509 -in m.crt -noout -startdate | sed 's/.*=//')" +%s)
na=$(date -d "$(openssl x509 -in m.crt -noout -enddate | sed 's/.*=//')" +%s)
assert_eq "90 days" $(((na - nb) / 86400)) 90

# Who issued each certificate.
assert_eq "issued_by is user@host" \
	"$(ledger_sql ca "SELECT issued_by FROM certs WHERE sans = 'DNS:m.example.com'")" \
	"$(id -un)@$(hostname)"
run ca-list -d ca --json
assert_contains "issued_by in --json" "$T/out" "\"issued_by\":\"$(id -un)@"

# Malformed policy options are usage errors, caught before anything.
assert_fail "host bits in --permit-ip" 2 'host bits' \
	ca-init -d bad --subject CN=x --permit-ip 10.0.0.1/8
assert_fail "a wildcard in --permit-dns" 2 'not a domain name' \
	ca-init -d bad --subject CN=x --permit-dns '*.example.com'
assert_fail "--max-days 0" 2 "--max-days '0'" \
	ca-init -d bad --subject CN=x --max-days 0
[ ! -e bad ] && pass || fail "a refused ca-init left bad/"

finish
