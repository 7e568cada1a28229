# Revocation is final (issue 9, item 2): a revoked certificate is never
# renewed with its key; a key revoked for keyCompromise is never
# certified again, by any path (CSR, --batch, --renew), and every other
# certificate that holds it is revoked with it; a CA's key is never
# certified as anything else.  Judged by openssl verify -crl_check and
# certtool; the ledger's lookups are held to their index.
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool $LEDGER_TOOLS

W=$T/w
mkdir "$W"
ca=$W/ca
assert_ok "a CA" ca-init -d "$ca" --subject CN=root

# refused DESC PATTERN CMD...: exit 1, one line, nothing changed.
refused() {
	_d=$1 _pat=$2
	shift 2
	_before=$(snapshot "$ca"; ls -A "$W")
	assert_fail "$_d" 1 "$_pat" "$@"
	assert_eq "$_d: nothing changed" "$(snapshot "$ca"; ls -A "$W")" \
	    "$_before"
}
# revoked_by_crl DESC CERT: openssl and certtool both reject CERT
# against the CA's current CRL.
revoked_by_crl() {
	cat "$ca/ca.crt" "$ca/crl.pem" >"$W/crlchk.pem"
	run openssl verify -crl_check -CAfile "$W/crlchk.pem" "$2"
	if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"
	then pass; else fail "$1: openssl verify -crl_check: $(cat "$T/out")"; fi
	run certtool --verify --load-ca-certificate "$ca/ca.crt" \
	    --load-crl "$ca/crl.pem" --infile "$2"
	if [ "$rc" -ne 0 ]; then pass; else
		fail "$1: certtool accepted it"
	fi
}
csr_for() {
	openssl req -new -key "$1" -subj "/CN=$(basename "$2" .csr)" \
	    -out "$2" 2>/dev/null || fail "openssl req $2"
}

# --- a key revoked for keyCompromise -----------------------------------
assert_ok "v" ca-sign -d "$ca" --dns v.example --new-key "$W/v.key" \
    -o "$W/v.crt"
csr_for "$W/v.key" "$W/v2.csr"
assert_ok "a second certificate for v's key" ca-sign -d "$ca" \
    --dns v2.example -o "$W/v2.crt" "$W/v2.csr"
assert_ok "v2 verifies before the revocation" openssl verify \
    -CAfile "$ca/ca.crt" "$W/v2.crt"
run ca-revoke -d "$ca" --reason keyCompromise "$W/v.crt"
assert_eq "revoke v for keyCompromise" "$rc" 0
v2=$(openssl x509 -in "$W/v2.crt" -noout -serial | cut -d= -f2 | tr A-F a-f)
assert_contains "the same key's other certificate is named" "$T/err" \
    "serial $v2: holds the same key .*revoked too \(keyCompromise\)"
revoked_by_crl "v" "$W/v.crt"
revoked_by_crl "v2, which holds the same key" "$W/v2.crt"
assert_eq "v2's ledger reason" \
    "$(ledger_sql "$ca" "SELECT status, reason FROM certs WHERE serial = '$v2'")" \
    "revoked|1"

refused "--renew of the compromised certificate" \
    'revoked \(keyCompromise\).*not renewed' \
    ca-sign -d "$ca" --renew "$W/v.crt"
refused "--renew by serial" 'revoked \(keyCompromise\)' \
    ca-sign -d "$ca" --renew "$v2"
csr_for "$W/v.key" "$W/v3.csr"
refused "a new CSR for the compromised key" \
    'revoked for keyCompromise \(serial [0-9a-f]{40}\).*never certified again' \
    ca-sign -d "$ca" --dns v3.example "$W/v3.csr"
refused "the same, as a client" 'revoked for keyCompromise' \
    ca-sign -d "$ca" --profile client --subject CN=v3 "$W/v3.csr"
# --batch: all or nothing, so the good request is not issued either.
mkdir "$W/batch" "$W/bout"
cp "$W/v3.csr" "$W/batch/"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/good.key" -subj /CN=good.example \
    -addext subjectAltName=DNS:good.example -out "$W/batch/good.csr" \
    2>/dev/null
refused "--batch with the compromised key" 'revoked for keyCompromise' \
    ca-sign -d "$ca" --batch -o "$W/bout" "$W/batch"
# The same key in a DER request is the same key.
openssl req -new -key "$W/v.key" -subj /CN=v4 -outform DER \
    -out "$W/v4.der" 2>/dev/null || fail "openssl req -outform DER"
refused "a DER CSR for the compromised key" \
    'revoked for keyCompromise' ca-sign -d "$ca" --dns v4.example "$W/v4.der"

# --- a revoked certificate of any reason is not renewed -----------------
assert_ok "w" ca-sign -d "$ca" --dns w.example --new-key "$W/w.key" \
    -o "$W/w.crt"
assert_ok "revoke w as superseded" ca-revoke -d "$ca" --reason superseded \
    "$W/w.crt"
refused "--renew of a superseded certificate" \
    'revoked \(superseded\).*not renewed' ca-sign -d "$ca" --renew "$W/w.crt"
# A key revoked for another reason may be certified again.
csr_for "$W/w.key" "$W/w2.csr"
assert_ok "a new CSR for a superseded key" ca-sign -d "$ca" \
    --dns w.example -o "$W/w2.crt" "$W/w2.csr"
assert_ok "which openssl accepts against the CRL" sh -c \
    "cat '$ca/ca.crt' '$ca/crl.pem' > '$W/c.pem' && openssl verify \
    -crl_check -CAfile '$W/c.pem' '$W/w2.crt'"

# --- CA keys -------------------------------------------------------------
csr_for "$ca/ca.key" "$W/cakey.csr"
refused "a CSR for the CA's own key" "key of the CA 'CN=root'" \
    ca-sign -d "$ca" --dns x.example "$W/cakey.csr"
inter=$W/inter
assert_ok "an intermediate" ca-init -d "$inter" --parent "$ca" \
    --subject CN=inter
refused "the root's key at the intermediate" "key of the CA 'CN=root'" \
    ca-sign -d "$inter" --dns x.example "$W/cakey.csr"
csr_for "$inter/ca.key" "$W/interkey.csr"
refused "the intermediate's key at the intermediate" \
    "key of the CA 'CN=inter'" ca-sign -d "$inter" --dns x.example \
    "$W/interkey.csr"
refused "the intermediate's key at the root that certified it" \
    'key of the CA certificate [0-9a-f]{40} issued by this CA' \
    ca-sign -d "$ca" --dns x.example "$W/interkey.csr"

# --- renewal beside revocation ----------------------------------------
# Whichever commits first, no certificate for a compromised key stays
# good: the renewal is refused, or revoked with its key.
i=0
while [ $i -lt 6 ]; do
	assert_ok "r$i" ca-sign -d "$ca" --dns "r$i.example" \
	    --new-key "$W/r$i.key" -o "$W/r$i.crt"
	ca-sign -d "$ca" --renew "$W/r$i.crt" -o "$W/r$i-new.crt" \
	    >/dev/null 2>"$W/renew.err" &
	ca-revoke -d "$ca" --reason keyCompromise "$W/r$i.crt" 2>/dev/null
	wait
	if [ -s "$W/r$i-new.crt" ]; then
		revoked_by_crl "renewal r$i that won the race" "$W/r$i-new.crt"
	else
		assert_contains "renewal r$i refused" "$W/renew.err" \
		    'revoked \(keyCompromise\)|revoked for keyCompromise'
	fi
	i=$((i + 1))
done

# --- a ledger from before key identifiers ---------------------------------
# Made by going back to version 3, which drops the column: the upgrade
# computes every row's key, and the compromised key stays blocked.
cp -rp "$ca" "$W/old"
ledger_downgrade "$W/old" 3
assert_fail "an upgraded ledger still blocks the key" 1 \
    'revoked for keyCompromise' ca-sign -d "$W/old" --dns v5.example \
    "$W/v3.csr"
assert_eq "the upgrade is the newest version" \
    "$(ledger_version "$W/old")" "$(ledger_latest_version)"
assert_eq "every row has its key" \
    "$(ledger_sql "$W/old" 'SELECT count(*) FROM certs WHERE length(key_id) = 32')" \
    "$(rows "$W/old")"
assert_eq "the CRL number is carried over" "$(ledger_crl_number "$W/old")" \
    "$(ledger_crl_number "$ca")"

# --- a version 4 ledger, its CRL number as text -----------------------------
# Every number version 4 read carries over, up to the largest it gave;
# text that is not a number leaves the CA usable and refuses only to
# number a CRL, as before the migration, and is kept for the operator.
for n in 0007 9223372036854775805; do
	rm -rf "$W/v4"
	cp -rp "$ca" "$W/v4"
	ledger_downgrade "$W/v4" 4
	ledger_set_setting "$W/v4" crl_number "$n"
	assert_ok "v4 CRL number $n: ca-list" ca-list -d "$W/v4"
	assert_eq "v4 CRL number $n: carried over" \
	    "$(ledger_crl_number "$W/v4")" "$(expr "$n" + 0)"
	assert_ok "v4 CRL number $n: --crl" ca-revoke -d "$W/v4" --crl
done
assert_fail "the largest CRL number is the last" 1 'exhausted' \
    ca-revoke -d "$W/v4" --crl
rm -rf "$W/v4"
cp -rp "$ca" "$W/v4"
ledger_downgrade "$W/v4" 4
ledger_set_setting "$W/v4" crl_number 'x12'
assert_ok "v4 damaged CRL number: ca-list" ca-list -d "$W/v4"
assert_eq "v4 damaged CRL number: upgraded" "$(ledger_version "$W/v4")" \
    "$(ledger_latest_version)"
assert_ok "v4 damaged CRL number: ca-sign" ca-sign -d "$W/v4" \
    --new-key "$W/v4.key" --dns v4.example
assert_fail "v4 damaged CRL number: no CRL" 1 'CRL number' \
    ca-revoke -d "$W/v4" --crl
assert_eq "v4 damaged CRL number: kept" \
    "$(ledger_setting "$W/v4" crl_number)" x12

finish
