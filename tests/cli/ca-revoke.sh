# ca-revoke and the CRLs cakit writes, checked with openssl, certtool,
# the ledger and a real mTLS handshake (issue 3, "CRLs that conform to
# RFC 5280" and "ca-revoke").
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool $LEDGER_TOOLS timeout

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

# both: what the last run printed, stdout then stderr, in $T/both.
both() {
	cat "$T/out" "$T/err" >"$T/both"
}

# Serial numbers as the tools print them.
ser_upper() {	# openssl x509 -serial: uppercase, no colons
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'
}
ser_lower() {
	ser_upper "$1" | tr 'A-F' 'a-f'
}
ser_colons() {	# openssl x509 -text: lowercase with colons
	openssl x509 -in "$1" -noout -text |
	    awk '/Serial Number:/ { getline; gsub(/ /, ""); print; exit }'
}
ser_certtool() {	# certtool -i: lowercase, no colons
	certtool -i --infile "$1" | sed -n 's/^.*Serial Number (hex): //p'
}
# The ledger's key: lowercase hex of the serial's octets.
ser_ledger() {
	ledger_sql "$1" "SELECT serial FROM certs WHERE
	    ltrim(serial, '0') = ltrim('$(ser_lower "$2")', '0')"
}

crlnum() {
	_x=$(openssl crl -in "$1" -noout -crlnumber | sed 's/^crlNumber=0x//')
	echo $((16#$_x))
}

# span CRL: nextUpdate - thisUpdate, in seconds.
span() {
	_l=$(openssl crl -in "$1" -noout -lastupdate | sed 's/^lastUpdate=//')
	_n=$(openssl crl -in "$1" -noout -nextupdate | sed 's/^nextUpdate=//')
	echo $(( $(date -u -d "$_n" +%s) - $(date -u -d "$_l" +%s) ))
}

# reasons CRL: "SERIAL REASON" per entry, REASON "none" without one.
reasons() {
	openssl crl -in "$1" -noout -text | awk '
	    /Serial Number:/ { s = $3; r[s] = "none"; next }
	    /CRL Reason Code:/ { getline; sub(/^ +/, ""); r[s] = $0 }
	    END { for (k in r) print k, r[k] }' | sort
}
reason_of() {
	reasons "$1" | awk -v s="$2" '$1 == s { $1 = ""; sub(/^ /, ""); print }'
}

# tbs_shape CRL: the types of the TBSCertList's fields, in order.
tbs_shape() {
	openssl asn1parse -in "$1" | awk '
	    /:d=1 / { d1++ }
	    /:d=2 / && d1 == 1 {
		sub(/.*(prim|cons): */, ""); sub(/ *:.*/, ""); sub(/ *$/, "")
		printf "%s,", $0
	    }'
}

# Every CRL written is kept, to be checked by certtool at the end.
ncrl=0
keep() {	# keep CADIR
	ncrl=$((ncrl + 1))
	cp "$1/crl.pem" "crls/$ncrl.pem"
	echo "$1" >"crls/$ncrl.ca"
}

# verify_ok / verify_revoked DESC CAFILE CRLFILE CERT [UNTRUSTED]
ossl_verify() {
	if [ -n "${5:-}" ]; then
		run openssl verify -crl_check_all -CAfile "$2" -CRLfile "$3" \
		    -untrusted "$5" "$4"
	else
		run openssl verify -crl_check -CAfile "$2" -CRLfile "$3" "$4"
	fi
	both
}
gtls_verify() {
	if [ -n "${5:-}" ]; then
		cat "$4" "$5" >"$T/gchain.pem"
	else
		cat "$4" >"$T/gchain.pem"
	fi
	run certtool --verify-profile medium --verify \
	    --load-ca-certificate "$2" --load-crl "$3" --infile "$T/gchain.pem"
	both
}
verify_ok() {
	ossl_verify "$@"
	if [ "$rc" -eq 0 ] && grep -q ': OK$' "$T/both"; then
		pass
	else
		fail "$1: openssl verify: $(head -c 300 "$T/both")"
	fi
	gtls_verify "$@"
	if [ "$rc" -eq 0 ] &&
	    grep -q 'Chain verification output: Verified' "$T/both"; then
		pass
	else
		fail "$1: certtool --verify: $(grep -i output "$T/both")"
	fi
}
verify_revoked() {
	ossl_verify "$@"
	if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/both"; then
		pass
	else
		fail "$1: openssl verify accepts it: $(head -c 300 "$T/both")"
	fi
	gtls_verify "$@"
	if grep -q 'Chain verification output: Verified' "$T/both" ||
	    ! grep -q 'Chain verification output: .*revoked' "$T/both"; then
		fail "$1: certtool --verify: $(grep -i output "$T/both")"
	else
		pass
	fi
}

cd "$T" || exit 1
mkdir crls

# --- the CAs and their certificates ---------------------------------
assert_ok "root" ca-init -d root --subject CN=Revoke-Root --path-len 1
assert_ok "intermediate" ca-init -d inter --parent root \
    --subject CN=Revoke-Intermediate
assert_ok "another CA" ca-init -d other --subject CN=Other-Root
for i in 1 2 3 4 5 6 7 8 9; do
	ca-sign -d root --new-key l$i.key --dns l$i.example.test \
	    --subject CN=l$i.example.test -o l$i.crt 2>"$T/err" ||
	    fail "ca-sign l$i: $(cat "$T/err")"
done
assert_ok "server under the intermediate" ca-sign -d inter --new-key srv.key \
    --dns localhost --ip 127.0.0.1 --subject CN=localhost -o srv.crt
for c in c1 c2; do
	assert_ok "client $c" ca-sign -d inter --profile client \
	    --new-key $c.key --subject CN=$c -o $c.crt
done
assert_ok "a certificate from another CA" ca-sign -d other --new-key o1.key \
    --dns o1.example.test -o o1.crt

# --- the empty CRL that ca-init writes ---------------------------------
for d in root inter; do
	keep $d
	run openssl crl -in $d/crl.pem -noout -text
	assert_ok "$d: openssl crl -text reads the empty CRL" \
	    openssl crl -in $d/crl.pem -noout -text
	assert_contains "$d: empty" "$T/out" '^No Revoked Certificates'
	assert_contains "$d: version 2" "$T/out" 'Version 2 \(0x1\)'
	assert_eq "$d: revokedCertificates absent: [0] follows nextUpdate" \
	    "$(tbs_shape $d/crl.pem)" \
	    "INTEGER,SEQUENCE,SEQUENCE,UTCTIME,UTCTIME,cont [ 0 ],"
	assert_eq "$d: issuer is the CA's exact subject" \
	    "$(openssl crl -in $d/crl.pem -noout -issuer | sed 's/^issuer=//')" \
	    "$(openssl x509 -in $d/ca.crt -noout -subject | sed 's/^subject=//')"
	assert_eq "$d: issuer DER is the CA's subject DER" \
	    "$(openssl crl -in $d/crl.pem -noout -hash)" \
	    "$(openssl x509 -in $d/ca.crt -noout -subject_hash)"
	openssl crl -in $d/crl.pem -noout -text >crltext.txt
	ski=$(openssl x509 -in $d/ca.crt -noout -ext subjectKeyIdentifier |
	    sed -n 2p | tr -d ' ')
	assert_contains "$d: AKI is the CA's SKI" crltext.txt \
	    "Authority Key Identifier" 
	assert_eq "$d: AKI value" "$(awk '/Authority Key Identifier/ { getline;
	    gsub(/ |keyid:/, ""); print; exit }' crltext.txt)" "$ski"
	assert_eq "$d: nextUpdate is thisUpdate + 7 days" "$(span $d/crl.pem)" \
	    $((7 * 86400))
	assert_ok "$d: the CRL's signature verifies (openssl)" \
	    openssl crl -in $d/crl.pem -CAfile $d/ca.crt -noout
	assert_contains "$d: verify OK" "$T/err" 'verify OK'
done
n=$(crlnum root/crl.pem)
verify_ok "l1 before revocation" root/ca.crt root/crl.pem l1.crt

# --- revoking, in every serial form -----------------------------------
# 1: lowercase hex, default reason, --crl-days 3.
s1=$(ser_lower l1.crt)
assert_ok "revoke by lowercase serial" ca-revoke -d root --crl-days 3 "$s1"
assert_eq "nothing on stdout" "$(cat "$T/out")" ""
keep root
verify_revoked "l1 revoked" root/ca.crt root/crl.pem l1.crt
verify_ok "l9 still verifies" root/ca.crt root/crl.pem l9.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "nextUpdate is thisUpdate + 3 days" "$(span root/crl.pem)" \
    $((3 * 86400))
assert_eq "revokedCertificates present" "$(tbs_shape root/crl.pem)" \
    "INTEGER,SEQUENCE,SEQUENCE,UTCTIME,UTCTIME,SEQUENCE,cont [ 0 ],"
assert_eq "unspecified: no reasonCode" "$(reason_of root/crl.pem \
    "$(ser_upper l1.crt)")" "none"
assert_eq "the ledger says revoked" "$(ledger_sql root "SELECT status
    FROM certs WHERE serial = '$(ser_ledger root l1.crt)'")" "revoked"

# 2: uppercase, keyCompromise.
assert_ok "revoke by uppercase serial" ca-revoke -d root \
    --reason keyCompromise "$(ser_upper l2.crt)"
keep root
verify_revoked "l2 revoked" root/ca.crt root/crl.pem l2.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "keyCompromise on the CRL" "$(reason_of root/crl.pem \
    "$(ser_upper l2.crt)")" "Key Compromise"
assert_eq "default nextUpdate: 7 days" "$(span root/crl.pem)" $((7 * 86400))

# 3: colons, as openssl x509 -text prints it; affiliationChanged.
assert_ok "revoke by serial with colons" ca-revoke -d root \
    --reason affiliationChanged "$(ser_colons l3.crt)"
keep root
verify_revoked "l3 revoked" root/ca.crt root/crl.pem l3.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "affiliationChanged on the CRL" "$(reason_of root/crl.pem \
    "$(ser_upper l3.crt)")" "Affiliation Changed"

# 4: uppercase with colons; superseded.
assert_ok "revoke by uppercase serial with colons" ca-revoke -d root \
    --reason superseded "$(ser_colons l4.crt | tr 'a-f' 'A-F')"
keep root
verify_revoked "l4 revoked" root/ca.crt root/crl.pem l4.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "superseded on the CRL" "$(reason_of root/crl.pem \
    "$(ser_upper l4.crt)")" "Superseded"

# 5: the certificate file; cessationOfOperation.
assert_ok "revoke by certificate file" ca-revoke -d root \
    --reason cessationOfOperation l5.crt
keep root
verify_revoked "l5 revoked" root/ca.crt root/crl.pem l5.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "cessationOfOperation on the CRL" "$(reason_of root/crl.pem \
    "$(ser_upper l5.crt)")" "Cessation Of Operation"

# 6: as certtool prints it; privilegeWithdrawn.
assert_ok "revoke by serial as certtool prints it" ca-revoke -d root \
    --reason privilegeWithdrawn "$(ser_certtool l6.crt)"
keep root
verify_revoked "l6 revoked" root/ca.crt root/crl.pem l6.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "privilegeWithdrawn on the CRL" "$(reason_of root/crl.pem \
    "$(ser_upper l6.crt)")" "Privilege Withdrawn"

# 7, 8: two at once, with --reason unspecified spelled out.
assert_ok "revoke two at once" ca-revoke -d root --reason unspecified \
    l7.crt "$(ser_lower l8.crt)"
keep root
verify_revoked "l7 revoked" root/ca.crt root/crl.pem l7.crt
verify_revoked "l8 revoked" root/ca.crt root/crl.pem l8.crt
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "unspecified spelled out: no reasonCode" "$(reason_of \
    root/crl.pem "$(ser_upper l7.crt)")/$(reason_of root/crl.pem \
    "$(ser_upper l8.crt)")" "none/none"

# The CRL lists exactly the revoked ones, each once, with their reasons.
assert_eq "the CRL has 8 entries" "$(reasons root/crl.pem | wc -l)" 8
assert_eq "earlier entries keep their reasons" "$(reason_of root/crl.pem \
    "$(ser_upper l1.crt)")/$(reason_of root/crl.pem "$(ser_upper l2.crt)")" \
    "none/Key Compromise"
assert_eq "l9 is not on it" "$(reason_of root/crl.pem "$(ser_upper l9.crt)")" ""
assert_eq "revocation dates are recorded" \
    "$(openssl crl -in root/crl.pem -noout -text | grep -c 'Revocation Date:')" 8
verify_ok "l9 still verifies after all that" root/ca.crt root/crl.pem l9.crt

# --- --crl only re-signs ----------------------------------------------
before_entries=$(reasons root/crl.pem)
assert_ok "--crl --crl-days 10" ca-revoke -d root --crl --crl-days 10
keep root
m=$(crlnum root/crl.pem)
assert_ok "--crl increased the CRL number ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_eq "--crl: nextUpdate is thisUpdate + 10 days" "$(span root/crl.pem)" \
    $((10 * 86400))
assert_eq "--crl keeps the entries" "$(reasons root/crl.pem)" \
    "$before_entries"
assert_ok "--crl again" ca-revoke -d root --crl
keep root
m=$(crlnum root/crl.pem)
assert_ok "--crl increased the CRL number again ($n -> $m)" test "$m" -gt "$n"
n=$m
assert_ok "--crl on the empty intermediate CRL" ca-revoke -d inter --crl \
    --crl-days 1
keep inter
assert_eq "still no revokedCertificates" "$(tbs_shape inter/crl.pem)" \
    "INTEGER,SEQUENCE,SEQUENCE,UTCTIME,UTCTIME,cont [ 0 ],"
assert_eq "--crl-days 1" "$(span inter/crl.pem)" 86400

# --- refusals that change nothing -------------------------------------
before=$(snapshot root)
assert_fail "cACompromise on a leaf" 1 'cACompromise' \
    ca-revoke -d root --reason cACompromise l9.crt
assert_fail "an unknown serial" 1 'not in the ledger' \
    ca-revoke -d root 0123456789abcdef0123
assert_fail "a known and an unknown serial together" 1 'not in the ledger' \
    ca-revoke -d root l9.crt 0123456789abcdef0123
assert_fail "not hex" 1 'serial' ca-revoke -d root 'xyz-not-a-serial'
assert_fail "a certificate from another CA" 1 'not issued' \
    ca-revoke -d root o1.crt
# A certificate made elsewhere with the serial of one of ours.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout forged.key -subj /CN=forged -days 1 \
    -set_serial "0x$(ser_upper l9.crt)" -out forged.crt 2>/dev/null
assert_eq "the forged certificate has l9's serial" "$(ser_upper forged.crt)" \
    "$(ser_upper l9.crt)"
assert_fail "another certificate with the serial of one of ours" 1 \
    'not issued' ca-revoke -d root forged.crt
assert_fail "usage: unknown reason" 2 \
    "--reason 'bogus': not one of unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn" \
    ca-revoke -d root --reason bogus l9.crt
assert_fail "usage: --crl with serials" 2 'crl' \
    ca-revoke -d root --crl "$(ser_lower l9.crt)"
assert_fail "usage: no arguments" 2 '' ca-revoke -d root
assert_fail "usage: --crl-days 0" 2 'crl-days' \
    ca-revoke -d root --crl --crl-days 0
assert_fail "usage: --crl-days abc" 2 'crl-days' \
    ca-revoke -d root --crl --crl-days abc
assert_fail "usage: --crl-days 367" 2 'crl-days' \
    ca-revoke -d root --crl --crl-days 367
assert_fail "usage: --crl-days 0 when revoking" 2 'crl-days' \
    ca-revoke -d root --crl-days 0 l9.crt
assert_eq "the refusals changed nothing" "$(snapshot root)" "$before"
verify_ok "l9 survived the refusals" root/ca.crt root/crl.pem l9.crt

# Already revoked: a note, exit 0, nothing changed.
crl_md5=$(md5sum <root/crl.pem)
assert_ok "revoking again" ca-revoke -d root --reason keyCompromise l2.crt
assert_eq "one line on stderr" "$(grep -c '' "$T/err")" 1
assert_contains "it says already revoked" "$T/err" \
    '^ca-revoke: .*already revoked'
assert_eq "nothing on stdout" "$(cat "$T/out")" ""
assert_eq "crl.pem unchanged" "$(md5sum <root/crl.pem)" "$crl_md5"
assert_eq "nothing else changed" "$(snapshot root)" "$before"
assert_eq "its reason is still keyCompromise" "$(reason_of root/crl.pem \
    "$(ser_upper l2.crt)")" "Key Compromise"

# --- mTLS: openssl s_server enforces the intermediate's CRL ----------
cp inter/crl.pem inter-crl-before.pem
assert_ok "revoke client c1 in the intermediate" ca-revoke -d inter \
    --reason keyCompromise c1.crt
keep inter

# handshake PORT NAME: a client presents NAME.crt with the intermediate.
handshake() {
	printf 'GET / HTTP/1.0\r\n\r\n' |
	    timeout 20 openssl s_client -connect "127.0.0.1:$1" \
	    -cert "$2.crt" -key "$2.key" -cert_chain inter/ca.crt \
	    -CAfile root/ca.crt -verify_return_error -quiet \
	    >"$T/hs.out" 2>"$T/hs.err"
}
serve() {	# serve NAME CRLFILE: an mTLS server on $port, logging to NAME.log
	listen "$T/$1.log" openssl s_server -accept 127.0.0.1:PORT -www \
	    -cert srv.crt -key srv.key -cert_chain inter/ca.crt \
	    -CAfile root/ca.crt -Verify 1 -verify_return_error \
	    -CRL "$2" -crl_check
}
serve srv-old inter-crl-before.pem
p_old=$port
serve srv-new inter/crl.pem
p_new=$port

handshake "$p_old" c1
assert_contains "c1 gets in while its CRL does not list it" "$T/hs.out" \
    '^HTTP/1.0 200 ok'
handshake "$p_new" c1
assert_not_contains "revoked c1 is refused" "$T/hs.out" '200 ok'
assert_contains "the server says why: certificate revoked" "$T/hs.err" \
    'alert certificate revoked'
assert_contains "the server logged it" "$T/srv-new.log" 'certificate revoked'
handshake "$p_new" c2
assert_contains "c2 still gets in" "$T/hs.out" '^HTTP/1.0 200 ok'

# --- revoking the intermediate in its parent --------------------------
cat root/crl.pem inter/crl.pem >all-crls.pem
verify_revoked "c1 revoked (both CRLs checked)" root/ca.crt all-crls.pem \
    c1.crt inter/ca.crt
verify_ok "c2 with both CRLs before" root/ca.crt all-crls.pem c2.crt \
    inter/ca.crt
before=$(snapshot inter)
assert_fail "the intermediate is not in its own ledger" 1 'not issued' \
    ca-revoke -d inter inter/ca.crt
assert_eq "the intermediate is unchanged" "$(snapshot inter)" "$before"
assert_ok "cACompromise for the intermediate, in the root" \
    ca-revoke -d root --reason cACompromise inter/ca.crt
keep root
m=$(crlnum root/crl.pem)
assert_ok "CRL number increased ($n -> $m)" test "$m" -gt "$n"
assert_eq "cACompromise on the root's CRL" "$(reason_of root/crl.pem \
    "$(ser_upper inter/ca.crt)")" "CA Compromise"
assert_eq "not on the intermediate's own CRL" "$(reason_of inter/crl.pem \
    "$(ser_upper inter/ca.crt)")" ""
assert_eq "the root's ledger: revoked, reason 2" "$(ledger_sql root \
    "SELECT status || ' ' || reason FROM certs WHERE profile = 'ca'")" \
    "revoked 2"
cat root/crl.pem inter/crl.pem >all-crls.pem
verify_revoked "c2 under the revoked intermediate" root/ca.crt all-crls.pem \
    c2.crt inter/ca.crt
ossl_verify "" root/ca.crt all-crls.pem c2.crt inter/ca.crt
assert_contains "openssl: the intermediate, at depth 1, is revoked" \
    "$T/both" 'error 23 at 1 depth'

# --- every CRL written passes certtool and openssl --------------------
i=1
while [ $i -le $ncrl ]; do
	ca=$(cat crls/$i.ca)
	assert_ok "certtool --crl-info accepts CRL $i ($ca)" \
	    certtool --crl-info --infile crls/$i.pem
	assert_ok "certtool --verify-crl: CRL $i signed by $ca" \
	    certtool --verify-crl --load-ca-certificate $ca/ca.crt \
	    --infile crls/$i.pem
	assert_contains "certtool: CRL $i verified" "$T/out" \
	    'Verification output: Verified'
	assert_ok "openssl crl verifies CRL $i" \
	    openssl crl -in crls/$i.pem -CAfile $ca/ca.crt -noout
	assert_contains "openssl: CRL $i verify OK" "$T/err" 'verify OK'
	i=$((i + 1))
done
assert_eq "every CRL written was checked" "$ncrl" 14

# --- --json: the record of each certificate named ---------------------
# The keys scripts read, with their exact names and values.
ca-init -d js --subject CN=Json >/dev/null 2>&1 || fail "ca-init js"
ca-sign -d js --new-key j1.key --dns j1.example -o j1.crt >/dev/null 2>&1 ||
	fail "ca-sign j1"
ca-sign -d js --new-key j2.key --dns j2.example -o j2.crt >/dev/null 2>&1 ||
	fail "ca-sign j2"
# A second apart, so that revoked_at cannot be mistaken for issued_at.
sleep 1
before=$(date -u +%s)
assert_ok "ca-revoke --json" ca-revoke -d js --json --reason keyCompromise \
	j1.crt "$(ser_upper j2.crt)"
after=$(date -u +%s)
if command -v jq >/dev/null 2>&1; then
	cp "$T/out" rj.json
	assert_eq "--json: an array of two" "$(jq length rj.json)" 2
	assert_eq "--json: serials in argument order" \
		"$(jq -r '.[].serial' rj.json | tr '\n' ' ')" \
		"$(ser_lower j1.crt) $(ser_lower j2.crt) "
	assert_eq "--json: status" "$(jq -r '.[].status' rj.json | sort -u)" revoked
	assert_eq "--json: reason" "$(jq -r '.[].reason' rj.json | sort -u)" \
		keyCompromise
	assert_eq "--json: the keys" "$(jq -r '.[0] | keys_unsorted | join(" ")' rj.json)" \
		"serial subject sans not_before not_after profile status revoked_at reason issued_at issued_by files"
	assert_eq "--json: subject" "$(jq -r '.[0].subject' rj.json)" CN=j1.example
	at=$(jq -r '.[0].revoked_at' rj.json)
	assert_eq "--json: revoked_at is RFC 3339 UTC" \
		"$(echo "$at" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" 1
	ate=$(date -u -d "$at" +%s)
	[ "$ate" -ge "$before" ] && [ "$ate" -le "$after" ] && pass ||
		fail "--json: revoked_at $at is not the time of the run"
	[ "$(date -u -d "$(jq -r '.[0].issued_at' rj.json)" +%s)" -lt "$before" ] &&
		pass || fail "--json: issued_at is not before the revocation"
	assert_eq "--json: revoked_at is the ledger's" "$ate" \
		"$(ledger_sql js "SELECT revoked_at FROM certs WHERE serial = '$(ser_lower j1.crt)'")"
	assert_eq "--json: revoked_at is the CRL's revocation date" \
		"$(date -u -d "$(openssl crl -in js/crl.pem -noout -text |
			grep -A1 "Serial Number: $(ser_upper j1.crt)" |
			sed -n 's/.*Revocation Date: //p')" +%s)" "$ate"
	# A second run reports the first revocation, not a new one.
	sleep 1
	assert_ok "ca-revoke --json again" ca-revoke -d js --json \
		--reason superseded j1.crt
	assert_eq "--json again: the first reason" "$(jq -r '.[0].reason' "$T/out")" \
		keyCompromise
	assert_eq "--json again: the first time" "$(jq -r '.[0].revoked_at' "$T/out")" "$at"
	assert_contains "--json again: a note on stderr" "$T/err" 'already revoked'
	# Unspecified is named so, not left out.
	ca-sign -d js --new-key j3.key --dns j3.example -o j3.crt >/dev/null 2>&1 ||
		fail "ca-sign j3"
	assert_ok "ca-revoke --json, no reason" ca-revoke -d js --json j3.crt
	assert_eq "--json: reason unspecified" "$(jq -r '.[0].reason' "$T/out")" unspecified
else
	echo "note: jq is missing; --json keys not checked"
fi
assert_fail "--json with --crl" 2 'crl' ca-revoke -d js --crl --json

# --- a CRL of thousands: ca-list --check and openssl read it whole -----
ca-init -d big --subject CN=Big >/dev/null 2>&1 || fail "ca-init big"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout bulk.key -subj /CN=bulk -addext subjectAltName=DNS:bulk.example \
	-out bulk.csr 2>/dev/null
i=0
while [ $i -lt 1500 ]; do
	cat bulk.csr
	i=$((i + 1))
done >bulk.pem
ca-sign -d big --batch - <bulk.pem >/dev/null 2>&1 || fail "ca-sign --batch 1500"
ledger_sql big 'SELECT serial FROM certs' >bulk.serials
# shellcheck disable=SC2046
assert_ok "revoke 1500 in one run" ca-revoke -d big $(cat bulk.serials)
size=$(wc -c <big/crl.pem)
[ "$size" -gt 65536 ] && pass || fail "the CRL is only $size bytes"
assert_eq "openssl reads all 1500 entries" \
	"$(openssl crl -in big/crl.pem -noout -text | grep -c 'Serial Number')" 1500
assert_ok "openssl verifies the large CRL" openssl crl -in big/crl.pem \
	-CAfile big/ca.crt -noout
assert_ok "ca-list --check reads the large CRL" ca-list -d big --check
assert_contains "ca-list --check: OK" "$T/out" 'CRL valid until'
assert_ok "ca-revoke --crl re-signs the large CRL" ca-revoke -d big --crl
assert_ok "ca-list --check after --crl" ca-list -d big --check
assert_eq "ca-list --revoked lists all 1500" \
	"$(ca-list -d big --revoked | tail -n +2 | wc -l)" 1500

# --- revoked and expired: listed as revoked, not as expired ------------
if command -v faketime >/dev/null 2>&1 &&
    faketime -f -10d date >/dev/null 2>&1; then
	faketime -f -10d ca-init -d past --subject CN=Past >/dev/null 2>&1 ||
		fail "ca-init in the past"
	faketime -f -5d ca-sign -d past --new-key x1.key --dns x1.example \
		--days 1 -o x1.crt >/dev/null 2>&1 || fail "ca-sign x1"
	faketime -f -5d ca-sign -d past --new-key x2.key --dns x2.example \
		--days 1 -o x2.crt >/dev/null 2>&1 || fail "ca-sign x2"
	refuses "x1 has expired" openssl x509 -in x1.crt -noout -checkend 0
	assert_ok "revoke an expired certificate" ca-revoke -d past x1.crt
	assert_ok "ca-list --expired" ca-list -d past --expired
	assert_not_contains "--expired: not the revoked one" "$T/out" \
		"^$(ser_lower x1.crt)"
	assert_contains "--expired: the expired one" "$T/out" "^$(ser_lower x2.crt)"
	assert_eq "--expired: one row" "$(tail -n +2 "$T/out" | wc -l)" 1
	assert_ok "ca-list --revoked" ca-list -d past --revoked
	assert_contains "--revoked: the revoked one" "$T/out" "^$(ser_lower x1.crt)"
	assert_ok "ca-list --expired --json" ca-list -d past --expired --json
	assert_not_contains "--expired --json: not the revoked one" "$T/out" \
		"$(ser_lower x1.crt)"
else
	echo "note: faketime is missing or fails; revoked-and-expired not checked"
fi

finish
