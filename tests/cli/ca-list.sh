# ca-list: the table, the filters, --json, --check and --openssl-index
# (with openssl ocsp as responder and client), cross-checked with
# openssl, the ledger and python3 (issue 3, "ca-list").
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS python3 timeout

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

# The ledger's serial of a certificate file: lowercase hex.
ser() {
	openssl x509 -in "$1" -noout -serial | sed 's/^serial=//' |
	    tr 'A-F' 'a-f'
}
# serials NAME...: the sorted ledger serials of NAME.crt, one a line.
serials() {
	for _n in "$@"; do
		ser "$_n.crt"
	done | sort
}
# listed CMD...: the sorted serials of the table a ca-list prints.  It
# runs in a subshell, so a failure is reported in what it prints: a
# line that matches no serial.
listed() {
	run "$@"
	if [ "$rc" -ne 0 ] || [ -s "$T/err" ]; then
		echo "exit $rc: $(cat "$T/err")"
	elif ! head -n 1 "$T/out" | grep -q '^SERIAL '; then
		echo "no header"
	fi
	awk 'NR > 1 { print $1 }' "$T/out" | sort
}
# row SERIAL: the table row of SERIAL from the last listing ($T/table).
row() {
	awk -v s="$1" '$1 == s' "$T/table"
}
# openssl's view of a certificate, in the table's terms.
not_after() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate |
	    sed 's/^notAfter=//')" +%Y-%m-%dT%H:%M:%SZ
}
# crl_left CADIR: seconds until the CRL's nextUpdate, as openssl reads it.
crl_left() {
	echo $(( $(date -u -d "$(openssl crl -in "$1/crl.pem" -noout \
	    -nextupdate | sed 's/^nextUpdate=//')" +%s) - $(date -u +%s) ))
}
sans() {
	openssl x509 -in "$1" -noout -ext subjectAltName | sed -n 2p |
	    sed 's/^ *//; s/IP Address:/IP:/g; s/, /,/g'
}

cd "$T" || exit 1

# --- a CA with one certificate of every kind --------------------------
# With faketime the CA and one certificate are made 400 days ago, so
# that the certificate has really expired; without it nothing is faked.
have_expired=false
if command -v faketime >/dev/null 2>&1; then
	then_=$(faketime -f '-400d' date -u +%s 2>/dev/null || echo 0)
	if [ "$then_" -gt 0 ] &&
	    [ "$then_" -lt $(( $(date -u +%s) - 300 * 86400 )) ]; then
		have_expired=true
	fi
fi
if $have_expired; then
	past() { faketime -f '-400d' "$@"; }
else
	past() { "$@"; }
	echo "note: faketime is missing or fails; no expired certificate"
fi
assert_ok "the CA" past ca-init -d ca --subject CN=List-CA --days 3650
if $have_expired; then
	assert_ok "a certificate issued 400 days ago for 30 days" \
	    past ca-sign -d ca --new-key exp.key --dns exp.test \
	    --subject CN=expired-one --days 30 -o exp.crt
	refuses "openssl -checkend 0: it has expired" \
	    openssl x509 -in exp.crt -noout -checkend 0
	# The CA's first CRL, from 400 days ago, is long past nextUpdate.
	assert_fail "--check: an expired CRL" 1 'CRL.*expired' \
	    ca-list -d ca --check
	assert_ok "openssl: that CRL's nextUpdate is past" \
	    test "$(crl_left ca)" -lt 0
fi
assert_ok "server" ca-sign -d ca --new-key srv.key --dns a.test --dns b.test \
    --ip 127.0.0.1 --subject CN=srv-one -o srv.crt
assert_ok "client" ca-sign -d ca --profile client --new-key cli.key \
    --email two@example.test --subject CN=Client-Two -o cli.crt
assert_ok "peer" ca-sign -d ca --profile peer --new-key peer.key \
    --dns peer.test --subject CN=peer-three -o peer.crt
assert_ok "one day" ca-sign -d ca --new-key short.key --dns short.test \
    --subject CN=short-four --days 1 -o short.crt
assert_ok "to be revoked" ca-sign -d ca --new-key rev.key --dns rev.test \
    --subject CN=revoked-five -o rev.crt
assert_ok "revoke it" ca-revoke -d ca --reason keyCompromise rev.crt
assert_eq "the ledger: it is revoked" "$(ledger_sql ca \
    "SELECT status FROM certs WHERE serial = '$(ser rev.crt)'")" revoked

valid="srv cli peer short"
all="$valid rev"
$have_expired && all="$all exp"

# --- the table ----------------------------------------------------------
assert_ok "the table" ca-list -d ca
cp "$T/out" table
assert_contains "a header" table \
    '^SERIAL +STATUS +NOT_AFTER +PROFILE +SUBJECT +SANS$'
assert_eq "one row per ledger row" "$(($(grep -c '' table) - 1))" "$(rows ca)"
assert_eq "every certificate, by serial" "$(listed ca-list -d ca)" \
    "$(serials $all)"
for n in $all; do
	r=$(row "$(ser $n.crt)")
	st=valid
	case $n in
	rev) st=revoked ;;
	exp) st=expired ;;
	esac
	assert_eq "$n: status" "$(echo "$r" | awk '{ print $2 }')" "$st"
	assert_eq "$n: not_after, as openssl reads it" \
	    "$(echo "$r" | awk '{ print $3 }')" "$(not_after $n.crt)"
	assert_eq "$n: subject, as openssl reads it" \
	    "$(echo "$r" | awk '{ print $5 }')" \
	    "$(openssl x509 -in $n.crt -noout -subject -nameopt RFC2253 |
	    sed 's/^subject=//')"
	assert_eq "$n: SANs, as openssl reads them" \
	    "$(echo "$r" | awk '{ print $6 }' | tr ',' '\n' | sort)" \
	    "$(sans $n.crt | tr ',' '\n' | sort)"
done
assert_eq "profiles" "$(for n in srv cli peer; do row "$(ser $n.crt)"; done |
    awk '{ print $4 }' | tr '\n' ' ')" "server client peer "
assert_eq "the server's SANs" "$(row "$(ser srv.crt)" | awk '{ print $6 }' |
    tr ',' '\n' | sort | tr '\n' ' ')" "DNS:a.test DNS:b.test IP:127.0.0.1 "
assert_eq "the client's email" "$(row "$(ser cli.crt)" | awk '{ print $6 }')" \
    "email:two@example.test"

# --- filters ------------------------------------------------------------
assert_eq "--valid" "$(listed ca-list -d ca --valid)" "$(serials $valid)"
assert_eq "--revoked" "$(listed ca-list -d ca --revoked)" "$(serials rev)"
if $have_expired; then
	assert_eq "--expired" "$(listed ca-list -d ca --expired)" \
	    "$(serials exp)"
else
	assert_eq "--expired: none" "$(listed ca-list -d ca --expired)" ""
fi
assert_eq "--expiring 2: the one-day certificate" \
    "$(listed ca-list -d ca --expiring 2)" "$(serials short)"
assert_ok "openssl agrees: it ends within 2 days" test \
    "$(openssl x509 -in short.crt -noout -checkend $((2 * 86400)) |
    grep -c 'will expire')" -eq 1
assert_eq "--expiring 0: nothing" "$(listed ca-list -d ca --expiring 0)" ""
assert_eq "--expiring 400: the valid ones, not the revoked nor the expired" \
    "$(listed ca-list -d ca --expiring 400)" "$(serials $valid)"
assert_eq "--subject, any case" "$(listed ca-list -d ca --subject CLIENT)" \
    "$(serials cli)"
assert_eq "--subject substring, any case" \
    "$(listed ca-list -d ca --subject=-T)" "$(serials cli peer)"
assert_eq "--subject matching nothing" \
    "$(listed ca-list -d ca --subject no-such-name)" ""
assert_eq "--revoked --subject" \
    "$(listed ca-list -d ca --revoked --subject revoked)" "$(serials rev)"
assert_eq "--valid --subject revoked: nothing" \
    "$(listed ca-list -d ca --valid --subject revoked)" ""
assert_eq "--expiring 2 --subject srv: nothing" \
    "$(listed ca-list -d ca --expiring 2 --subject srv)" ""

# --- --json -------------------------------------------------------------
jq_py() {	# jq_py FILE EXPR: evaluate EXPR on the JSON in FILE as j
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}
assert_ok "--json" ca-list -d ca --json
cp "$T/out" all.json
assert_ok "--json is valid JSON (python3 -m json.tool)" \
    python3 -m json.tool all.json
assert_eq "--json is an array of every row" \
    "$(jq_py all.json 'type(j).__name__ + " " + str(len(j))')" \
    "list $(rows ca)"
assert_eq "--json: the serials" \
    "$(jq_py all.json '"\n".join(sorted(r["serial"] for r in j))')" \
    "$(serials $all)"
assert_eq "--json: the revoked one's status" \
    "$(jq_py all.json "[r['status'] for r in j if r['serial'] == '$(ser rev.crt)']")" \
    "['revoked']"
assert_eq "--json: the server's SANs and profile" \
    "$(jq_py all.json "[(sorted(r['sans']), r['profile'], r['subject']) for r in j if r['serial'] == '$(ser srv.crt)']")" \
    "[(['DNS:a.test', 'DNS:b.test', 'IP:127.0.0.1'], 'server', 'CN=srv-one')]"
assert_eq "--json: not_after as openssl reads it" \
    "$(jq_py all.json "[r['not_after'] for r in j if r['serial'] == '$(ser short.crt)'][0]")" \
    "$(not_after short.crt)"
assert_ok "--json --revoked" ca-list -d ca --json --revoked
cp "$T/out" rev.json
assert_eq "--json --revoked: one element" \
    "$(jq_py rev.json '[r["serial"] for r in j]')" "['$(ser rev.crt)']"
assert_ok "--json with nothing selected" ca-list -d ca --json --expiring 0
cp "$T/out" none.json
assert_eq "--json with nothing selected: []" "$(jq_py none.json 'j')" "[]"
assert_ok "--json --subject with a quote" ca-list -d ca --json \
    --subject "it's"
cp "$T/out" q.json
assert_ok "still valid JSON" python3 -m json.tool q.json

# --- --check ------------------------------------------------------------
assert_ok "--check: a sound CA" ca-list -d ca --check
assert_contains "--check says ok" "$T/out" 'ok'
assert_ok "a fresh CA" ca-init -d fresh --subject CN=Fresh-CA
assert_ok "--check: a fresh CA is fine" ca-list -d fresh --check
assert_ok "openssl: its CRL lasts more than 2 days" \
    test "$(crl_left fresh)" -gt $((2 * 86400))
assert_ok "--crl --crl-days 1" ca-revoke -d fresh --crl --crl-days 1
assert_ok "openssl: nextUpdate within 2 days now" \
    test "$(crl_left fresh)" -le $((2 * 86400))
assert_fail "--check --days 2: the CRL is due" 1 'CRL' \
    ca-list -d fresh --check --days 2
assert_fail "--check: the default is 2 days" 1 'CRL' \
    ca-list -d fresh --check
assert_ok "--check --days 0: not due today" ca-list -d fresh --check --days 0
assert_ok "--crl with the default 7 days" ca-revoke -d fresh --crl
assert_ok "--check: fine again" ca-list -d fresh --check
assert_fail "--check --days 8: due within 8 days" 1 'CRL' \
    ca-list -d fresh --check --days 8
assert_ok "a CA for 10 days" ca-init -d brief --subject CN=Brief-CA --days 10
refuses "openssl -checkend: it ends within 30 days" \
    openssl x509 -in brief/ca.crt -noout -checkend $((30 * 86400))
assert_fail "--check: the CA expires within 30 days" 1 'CA certificate' \
    ca-list -d brief --check
assert_ok "a CA for 31 days" ca-init -d month --subject CN=Month-CA --days 31
assert_ok "--check: 31 days is fine" ca-list -d month --check

# Usage errors.
assert_fail "usage: --check with a filter" 2 'check' \
    ca-list -d ca --check --valid
assert_fail "usage: --days without --check" 2 'days' ca-list -d ca --days 2
assert_fail "usage: --expiring abc" 2 'expiring' ca-list -d ca --expiring abc
assert_fail "usage: --valid --revoked" 2 '' ca-list -d ca --valid --revoked
assert_fail "usage: --json --openssl-index" 2 '' \
    ca-list -d ca --json --openssl-index
assert_fail "not a CA" 1 'nosuch' ca-list -d nosuch

# --- --openssl-index and openssl ocsp ------------------------------------
assert_ok "--openssl-index" ca-list -d ca --openssl-index
cp "$T/out" index.txt
assert_eq "one line per certificate" "$(grep -c '' index.txt)" "$(rows ca)"
assert_contains "the revoked one: R, with its reason" index.txt \
    "^R	[0-9]{12}Z	[0-9]{12}Z,keyCompromise	$(ser rev.crt | tr 'a-f' 'A-F')	"
assert_contains "a valid one: V" index.txt \
    "^V	[0-9]{12}Z		$(ser srv.crt | tr 'a-f' 'A-F')	unknown	/CN=srv-one$"
# The responder is openssl ocsp itself; python3 only carries its
# requests and responses over HTTP on 127.0.0.1 (openssl ocsp -port
# would listen on every address).
cat >ocsp.py <<'EOF'
import http.server, subprocess, sys
idx, ca, port, d = sys.argv[1:5]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        req = self.rfile.read(int(self.headers["Content-Length"]))
        open(d + "/req.der", "wb").write(req)
        subprocess.run(["openssl", "ocsp", "-index", idx, "-CA", ca,
            "-rsigner", ca, "-rkey", ca.replace("ca.crt", "ca.key"),
            "-reqin", d + "/req.der", "-respout", d + "/resp.der"],
            check=True, stdout=sys.stderr)
        resp = open(d + "/resp.der", "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(resp)))
        self.end_headers()
        self.wfile.write(resp)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(port)), H).serve_forever()
EOF
mkdir ocspd
listen "$T/ocsp.log" python3 ocsp.py "$T/index.txt" "$T/ca/ca.crt" PORT \
    "$T/ocspd"
# ocsp NAME: ask about NAME.crt.
ocsp() {
	run timeout 20 openssl ocsp -issuer ca/ca.crt -cert "$1.crt" \
	    -url "http://127.0.0.1:$port" -CAfile ca/ca.crt
}
ocsp srv
assert_eq "ocsp: the server certificate: exit 0" "$rc" 0
assert_contains "ocsp: good" "$T/out" '^srv.crt: good$'
assert_contains "ocsp: the response verifies" "$T/err" 'Response verify OK'
ocsp cli
assert_contains "ocsp: the client certificate is good" "$T/out" \
    '^cli.crt: good$'
ocsp rev
assert_contains "ocsp: the revoked one is revoked" "$T/out" \
    '^rev.crt: revoked$'
assert_contains "ocsp: with its reason" "$T/out" 'Reason: keyCompromise'
assert_contains "ocsp: that response verifies too" "$T/err" \
    'Response verify OK'
# A revocation shows up once the index is printed again.
assert_ok "revoke the peer" ca-revoke -d ca --reason superseded peer.crt
ocsp peer
assert_contains "ocsp: the old index still says good" "$T/out" \
    '^peer.crt: good$'
assert_ok "--openssl-index again" ca-list -d ca --openssl-index
cp "$T/out" index.txt
ocsp peer
assert_contains "ocsp: now revoked" "$T/out" '^peer.crt: revoked$'
assert_contains "ocsp: superseded" "$T/out" 'Reason: superseded'

# A CA that cannot be read is not "not a CA directory": the reason is
# given.  A symbolic link loop fails for root too; a directory its user
# may not enter needs another user (root runs the copy as nobody).
ln -s loop loop
assert_fail "a directory that cannot be looked up" 1 \
    '^ca-list: loop: cannot read the CA directory: Too many levels of symbolic links$' \
    ca-list -d loop
mkdir perm perm/bin
cp -R ca perm/ca
cp "$top_builddir/ca-list" perm/bin/ca-list
if [ "$(id -u)" -eq 0 ]; then
	chmod 0711 "$T"
	chmod 0755 perm perm/bin
	chmod 0700 perm/ca
	printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups %s "$@"\n' \
	    "$PWD/perm/bin/ca-list" >perm/ca-list
else
	chmod 0 perm/ca
	printf '#!/bin/sh\nexec %s "$@"\n' "$PWD/perm/bin/ca-list" >perm/ca-list
fi
chmod +x perm/ca-list
assert_fail "a directory this user may not enter" 1 \
    "^ca-list: $PWD/perm/ca/ca.crt: cannot read: Permission denied\$" \
    perm/ca-list -d "$PWD/perm/ca"
chmod 0700 "$T" perm/ca

finish
