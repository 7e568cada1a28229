# Issuance policy: name constraints (in the CA certificate, enforced by
# ca-sign, and by OpenSSL and GnuTLS verifiers even for a certificate
# another tool made with the same key), --max-days, and who issued.
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool sqlite3

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
	"$(sqlite3 ca/ledger.db "SELECT issued_by FROM certs WHERE sans = 'DNS:m.example.com'")" \
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
