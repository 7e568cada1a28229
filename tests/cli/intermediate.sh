# ca-init --parent: intermediate CAs, checked with openssl, certtool and
# the ledger (issue 3, "Intermediate CAs").
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool $LEDGER_TOOLS

# refuses DESC CMD...: an outside tool must reject (any non-zero exit).
refuses() {
	_d=$1
	shift
	run "$@"
	if [ "$rc" -ne 0 ]; then
		pass
	else
		fail "$_d: exit 0, expected a refusal: $(head -c 300 "$T/out")"
	fi
}

# ext FILE NAME: the lines of one extension as openssl prints it.
ext() {
	openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null
}

# keyid FILE NAME: a key identifier extension as bare uppercase hex.
keyid() {
	ext "$1" "$2" | sed -n '2,$p' | sed 's/keyid://' | tr -d ' :\n'
}

serial_of() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' |
	    tr 'A-F' 'a-f' | sed 's/^0*//'
}

# subjects FILE: the subjects of a PEM file's certificates, in order.
subjects() {
	openssl crl2pkcs7 -nocrl -certfile "$1" |
	    openssl pkcs7 -print_certs -noout | sed -n 's/^subject=//p' |
	    tr '\n' ';'
}

enddate() {
	openssl x509 -in "$1" -noout -enddate | sed 's/^notAfter=//'
}

cd "$T" || exit 1

# --- the root and one intermediate -----------------------------------
assert_ok "root" ca-init -d root --subject 'CN=Test Root,O=cakit' \
    --days 3650
assert_ok "intermediate" ca-init -d inter --parent root \
    --subject 'CN=Test Intermediate,O=cakit' --days 365
assert_eq "no note when the validity fits" "$(cat "$T/err")" ""

# openssl sees a CA: basicConstraints and keyUsage, both critical.
ext inter/ca.crt basicConstraints >bc.txt
assert_contains "basicConstraints critical" bc.txt \
    '^X509v3 Basic Constraints: critical$'
assert_contains "CA:TRUE" bc.txt '^ *CA:TRUE'
ext inter/ca.crt keyUsage >ku.txt
assert_contains "keyUsage critical" ku.txt '^X509v3 Key Usage: critical$'
assert_eq "keyUsage is exactly keyCertSign and cRLSign" \
    "$(sed -n '2p' ku.txt | sed 's/^ *//;s/ *$//')" \
    "Certificate Sign, CRL Sign"
# certtool agrees.
certtool -i --infile inter/ca.crt >ct.txt 2>&1
assert_contains "certtool: CA basic constraints critical" ct.txt \
    'Basic Constraints \(critical\)'
assert_contains "certtool: CA TRUE" ct.txt 'Certificate Authority \(CA\): TRUE'
assert_contains "certtool: key usage critical" ct.txt 'Key Usage \(critical\)'

# Issuer and AKI point at the parent.
assert_eq "issuer is the root's subject" \
    "$(openssl x509 -in inter/ca.crt -noout -issuer | sed 's/^issuer=//')" \
    "$(openssl x509 -in root/ca.crt -noout -subject | sed 's/^subject=//')"
ski=$(keyid root/ca.crt subjectKeyIdentifier)
aki=$(keyid inter/ca.crt authorityKeyIdentifier)
if [ -n "$ski" ]; then pass; else fail "root has no SKI"; fi
assert_eq "AKI is the parent's SKI" "$aki" "$ski"
assert_eq "AKI is not the intermediate's own SKI" \
    "$([ "$aki" = "$(keyid inter/ca.crt subjectKeyIdentifier)" ] && echo same)" ""
assert_ok "openssl: the root signed the intermediate" \
    openssl verify -x509_strict -CAfile root/ca.crt inter/ca.crt

# Recorded in the parent's ledger, profile ca, with the same DER.
ser=$(serial_of inter/ca.crt)
assert_eq "one row in the parent's ledger" "$(rows root)" 1
assert_eq "its profile is ca" "$(ledger_sql root \
    "SELECT profile FROM certs WHERE ltrim(serial, '0') = '$ser'")" "ca"
assert_eq "the ledger holds the very certificate" \
    "$(ledger_sql root \
    "SELECT lower(hex(der)) FROM certs WHERE ltrim(serial, '0') = '$ser'")" \
    "$(openssl x509 -in inter/ca.crt -outform DER | od -An -v -tx1 | tr -d ' \n')"
assert_eq "the intermediate's own ledger is empty" "$(rows inter)" 0
# It keeps the chain up to the root.
assert_eq "chain.pem holds the root" \
    "$(openssl x509 -in inter/chain.pem -noout -fingerprint -sha256)" \
    "$(openssl x509 -in root/ca.crt -noout -fingerprint -sha256)"
assert_eq "ca.key is 0600" "$(stat -c %a inter/ca.key)" 600

# --- a leaf from the intermediate ------------------------------------
assert_ok "leaf" ca-sign -d inter --new-key leaf.key --dns leaf.example.test \
    --subject CN=leaf.example.test -o leaf.crt
assert_ok "openssl: leaf with the root as trust, intermediate untrusted" \
    openssl verify -x509_strict -purpose sslserver -CAfile root/ca.crt \
    -untrusted inter/ca.crt leaf.crt
refuses "openssl: leaf without the intermediate" \
    openssl verify -CAfile root/ca.crt leaf.crt
cat "$T/out" "$T/err" >why.txt
assert_contains "openssl: the issuer is what is missing" why.txt \
    'unable to get local issuer certificate'

cat leaf.crt inter/ca.crt >leaf-inter.pem
cat leaf.crt inter/ca.crt root/ca.crt >leaf-inter-root.pem
cat leaf.crt root/ca.crt >leaf-root.pem
assert_ok "certtool --verify: root as the only CA, intermediate in the chain" \
    certtool --verify-profile medium --verify \
    --load-ca-certificate root/ca.crt --infile leaf-inter.pem
assert_contains "certtool says trusted" "$T/out" \
    'Chain verification output: Verified'
refuses "certtool --verify: without the intermediate" \
    certtool --verify-profile medium --verify \
    --load-ca-certificate root/ca.crt --infile leaf.crt
assert_ok "certtool --verify-chain: leaf, intermediate, root" \
    certtool --verify-profile medium --verify-chain \
    --infile leaf-inter-root.pem
assert_contains "certtool --verify-chain says trusted" "$T/out" \
    'Chain verification output: Verified'
refuses "certtool --verify-chain: leaf and root without the intermediate" \
    certtool --verify-profile medium --verify-chain --infile leaf-root.pem

# --- validity never past the parent's --------------------------------
assert_ok "short root" ca-init -d shortroot --subject CN=Short-lived-Root \
    --days 40
assert_ok "long intermediate under it" ca-init -d longinter \
    --parent shortroot --subject CN=Long-Intermediate --days 3650
assert_contains "a note says the validity was cut" "$T/err" \
    '^ca-init: .*validity cut'
assert_eq "the note is one line" "$(grep -c '' "$T/err")" 1
assert_eq "notAfter is the parent's" "$(enddate longinter/ca.crt)" \
    "$(enddate shortroot/ca.crt)"
assert_ok "openssl: the cut intermediate verifies under the short root" \
    openssl verify -x509_strict -CAfile shortroot/ca.crt longinter/ca.crt

# --- pathLenConstraint -----------------------------------------------
assert_ok "root with --path-len 0" ca-init -d pl0 --subject CN=PathLen0-Root \
    --path-len 0
ext pl0/ca.crt basicConstraints >bc.txt
assert_contains "openssl shows pathlen:0" bc.txt 'pathlen:0'
before=$(snapshot pl0)
assert_fail "a parent with pathlen 0 refuses an intermediate" 1 \
    'pathLenConstraint' ca-init -d pl0sub --parent pl0 --subject CN=Sub
assert_eq "nothing created" "$(ls -A | grep -c '^pl0sub$')" 0
assert_eq "the parent is unchanged" "$(snapshot pl0)" "$before"
assert_eq "the parent's ledger has no row" "$(rows pl0)" 0

assert_ok "root with --path-len 1" ca-init -d pl1 --subject CN=PathLen1-Root \
    --path-len 1
before=$(snapshot pl1)
assert_fail "--path-len 1 under a parent with pathlen 1" 1 \
    'path-len|pathLenConstraint' \
    ca-init -d pl1a --parent pl1 --subject CN=Sub-A --path-len 1
assert_fail "--path-len 2 under a parent with pathlen 1" 1 \
    'path-len|pathLenConstraint' \
    ca-init -d pl1b --parent pl1 --subject CN=Sub-B --path-len 2
assert_eq "nothing created by the refusals" \
    "$(ls -A | grep -Ec '^pl1[ab]$')" 0
assert_eq "pl1 unchanged by the refusals" "$(snapshot pl1)" "$before"
assert_ok "--path-len 0 under a parent with pathlen 1" \
    ca-init -d pl1c --parent pl1 --subject CN=Sub-C --path-len 0
ext pl1c/ca.crt basicConstraints >bc.txt
assert_contains "the intermediate carries pathlen:0" bc.txt 'pathlen:0'
before=$(snapshot pl1c)
root_before=$(snapshot pl1)
assert_fail "no level below an intermediate with pathlen 0" 1 \
    'pathLenConstraint' ca-init -d pl1cx --parent pl1c --subject CN=Too-Deep
assert_eq "nothing created below pl1c" "$(ls -A | grep -c '^pl1cx$')" 0
assert_eq "pl1c unchanged" "$(snapshot pl1c)" "$before"
assert_eq "pl1 unchanged" "$(snapshot pl1)" "$root_before"
# A constraint further up counts too: pl1 allows one level, not two.
assert_ok "an intermediate without --path-len under pl1" \
    ca-init -d pl1d --parent pl1 --subject CN=Sub-D
before=$(snapshot pl1d)
assert_fail "the root's pathlen 1 forbids a second level" 1 \
    'pathLenConstraint' ca-init -d pl1dx --parent pl1d --subject CN=Too-Deep
assert_eq "nothing created below pl1d" "$(ls -A | grep -c '^pl1dx$')" 0
assert_eq "pl1d unchanged" "$(snapshot pl1d)" "$before"

# Without constraints, three levels verify to the root alone.
assert_ok "second-level intermediate" ca-init -d sub --parent inter \
    --subject CN=Second-Level
assert_eq "its chain.pem holds inter, then root" "$(subjects sub/chain.pem)" \
    "O = cakit, CN = Test Intermediate;O = cakit, CN = Test Root;"
assert_ok "a leaf two levels down" ca-sign -d sub --new-key deep.key \
    --dns deep.example.test -o deep.crt
cat inter/ca.crt sub/ca.crt >untrusted.pem
assert_ok "openssl: deep leaf with the root alone as trust" \
    openssl verify -x509_strict -CAfile root/ca.crt -untrusted untrusted.pem \
    deep.crt
cat deep.crt sub/ca.crt inter/ca.crt >deep-chain.pem
assert_ok "certtool: deep leaf with the root alone as trust" \
    certtool --verify-profile medium --verify \
    --load-ca-certificate root/ca.crt --infile deep-chain.pem
assert_eq "the second level (and the leaf) in inter's ledger, not the root's" \
    "$(rows inter):$(rows root)" "2:1"

# --- refusals that leave nothing -------------------------------------
assert_fail "a missing parent" 1 'nosuch' \
    ca-init -d orphan --parent nosuch --subject CN=Orphan
assert_eq "nothing created for the orphan" "$(ls -A | grep -c '^orphan$')" 0
before=$(snapshot root)
assert_fail "an existing CA is not overwritten" 1 'already' \
    ca-init -d inter --parent root --subject CN=Again
assert_eq "the parent is unchanged" "$(snapshot root)" "$before"

finish
