#!/bin/bash
# examples/provision-node.sh, as a configuration-management run calls
# it: the first run makes the CA and a key and peer certificate for each
# node, with the right modes, that OpenSSL accepts for TLS servers and
# clients; a second run changes no file at all; a certificate about to
# expire, revoked, or whose key was swapped is replaced, and only that
# one.
. "$top_srcdir/tests/cli/lib.sh"

need openssl

prov() {
	sh "$top_srcdir/examples/provision-node.sh" -d "$T/ca" -o "$T/nodes" "$@"
}

nodes="web1.test web2.test"

# The state of everything the script may write: names, inodes, mtimes
# (to the nanosecond), modes and contents; the ledger's rows.  The CA
# directory's own mtime is left out: SQLite may make and remove its
# -wal and -shm files beside ledger.db, without changing ledger.db.
state() {
	(
		cd "$T" &&
		    stat -c '%n %i %y %a %s' nodes nodes/* ca/* &&
		    md5sum nodes/* ca/ca.crt ca/ca.key ca/crl.pem &&
		    snapshot ca
	) 2>&1
}

# node_ok NAME: the node's files have their modes, the key matches the
# certificate, and OpenSSL accepts it for both ends of mutual TLS.
node_ok() {
	_k=$T/nodes/$1.key _c=$T/nodes/$1.crt
	assert_eq "$1: key mode" "$(stat -c %a "$_k")" 600
	assert_eq "$1: certificate mode" "$(stat -c %a "$_c")" 644
	assert_eq "$1: the key matches the certificate" \
	    "$(openssl pkey -pubout -in "$_k")" \
	    "$(openssl x509 -noout -pubkey -in "$_c")"
	assert_ok "$1: openssl verify, as a server" openssl verify \
	    -CAfile "$T/ca/ca.crt" -purpose sslserver "$_c"
	assert_ok "$1: openssl verify, as a client" openssl verify \
	    -CAfile "$T/ca/ca.crt" -purpose sslclient "$_c"
	assert_eq "$1: its DNS name" "$(openssl x509 -noout \
	    -ext subjectAltName -in "$_c" | sed -n '2s/^ *//p')" "DNS:$1"
}

# serial NAME, inode NAME: of the node's certificate.
serial() {
	openssl x509 -noout -serial -in "$T/nodes/$1.crt"
}

inode() {
	stat -c %i "$T/nodes/$1.crt" "$T/nodes/$1.key" | tr '\n' ' '
}

# --- First run: the CA and every node ------------------------------------

assert_ok "first run" prov $nodes
cp "$T/err" "$T/first.err"
assert_contains "first run: says it made the CA" "$T/first.err" \
    '^provision-node: .*/ca: made the CA'
for n in $nodes; do
	assert_contains "first run: says it issued $n" "$T/first.err" \
	    "^provision-node: $n: no certificate yet: issued"
	node_ok "$n"
done
assert_eq "one ledger row per node" "$(rows "$T/ca")" 2
assert_eq "nothing but the node files" "$(ls -A "$T/nodes" | tr '\n' ' ')" \
    "web1.test.crt web1.test.key web2.test.crt web2.test.key "

# --- Second run: nothing at all ------------------------------------------

state >"$T/before"
assert_ok "second run" prov $nodes
assert_eq "second run: silent" "$(cat "$T/out" "$T/err")" ""
state >"$T/after"
if cmp -s "$T/before" "$T/after"; then
	pass
else
	fail "second run changed files: $(diff "$T/before" "$T/after")"
fi

# --- A certificate about to expire: only that one is renewed ------------

# web2's certificate has one day left: as if issued long ago.
assert_ok "a one-day certificate" ca-sign -d "$T/ca" --profile peer \
    --new-key "$T/short.key" --dns web2.test --days 1 -o "$T/short.crt"
mv "$T/short.key" "$T/nodes/web2.test.key"
mv "$T/short.crt" "$T/nodes/web2.test.crt"
old1=$(serial web1.test) ino1=$(inode web1.test) old2=$(serial web2.test)
stat -c '%n %i %y %a %s' "$T/nodes/web1.test."* >"$T/before"
assert_ok "run with web2 about to expire" prov $nodes
assert_contains "says why web2 is renewed" "$T/err" \
    '^provision-node: web2.test: the certificate expires within 30 days'
assert_not_contains "web1 is left alone" "$T/err" 'web1'
stat -c '%n %i %y %a %s' "$T/nodes/web1.test."* >"$T/after"
assert_eq "web1's files untouched" "$(cat "$T/after")" "$(cat "$T/before")"
assert_eq "web1's serial" "$(serial web1.test)" "$old1"
if [ "$(serial web2.test)" != "$old2" ]; then
	pass
else
	fail "web2 was not renewed"
fi
assert_ok "web2's new certificate is good for a year" openssl x509 -noout \
    -checkend $((300 * 86400)) -in "$T/nodes/web2.test.crt"
node_ok web2.test
assert_eq "no temporaries left" "$(ls -A "$T/nodes" | tr '\n' ' ')" \
    "web1.test.crt web1.test.key web2.test.crt web2.test.key "

state >"$T/before"
assert_ok "and the run after is a no-op again" prov $nodes
state >"$T/after"
assert_eq "no-op again: silent" "$(cat "$T/out" "$T/err")" ""
assert_eq "no-op again: nothing changed" "$(cat "$T/after")" \
    "$(cat "$T/before")"

# A renewal window wider than the validity renews the node named.
assert_ok "-r 400 web1" prov -r 400 web1.test
assert_contains "-r 400: web1 renewed" "$T/err" \
    '^provision-node: web1.test: the certificate expires within 400 days'
if [ "$(inode web1.test)" != "$ino1" ] &&
    [ "$(serial web1.test)" != "$old1" ]; then
	pass
else
	fail "-r 400: web1's files were not replaced"
fi
node_ok web1.test

# --- Revoked, or a key that does not match: replaced ---------------------

assert_ok "ca-revoke web1" ca-revoke -d "$T/ca" "$T/nodes/web1.test.crt"
old1=$(serial web1.test)
assert_ok "run after a revocation" prov $nodes
assert_contains "says web1 was revoked" "$T/err" \
    '^provision-node: web1.test: the certificate was revoked: issued'
assert_not_contains "web2 is left alone" "$T/err" 'web2'
if [ "$(serial web1.test)" != "$old1" ]; then
	pass
else
	fail "revoked web1 was not replaced"
fi
node_ok web1.test

# A run killed between its two renames leaves a new key and the old
# certificate.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/stray.key" 2>/dev/null
mv "$T/stray.key" "$T/nodes/web2.test.key"
assert_ok "run after a half-done renewal" prov $nodes
assert_contains "says web2's key does not match" "$T/err" \
    '^provision-node: web2.test: .*web2.test.key does not match'
node_ok web2.test

# --- Failures ------------------------------------------------------------

# A name ca-sign refuses: exit 1, and the other node is still done.
rm "$T/nodes/web1.test.crt" "$T/nodes/web1.test.key"
run prov bad..name web1.test
assert_eq "a name ca-sign refuses: exit 1" "$rc" 1
assert_contains "ca-sign says why" "$T/err" "^ca-sign: .*'bad..name'"
assert_contains "and the script says what it left" "$T/err" \
    '^provision-node: bad..name: ca-sign failed'
node_ok web1.test
assert_eq "no temporaries after a failure" \
    "$(ls -A "$T/nodes" | tr '\n' ' ')" \
    "web1.test.crt web1.test.key web2.test.crt web2.test.key "

state >"$T/before"
run prov -r abc web1.test
assert_eq "-r abc: usage error" "$rc" 2
assert_contains "-r abc: says why" "$T/err" "^provision-node: -r 'abc'"
run prov ../evil
assert_eq "a name with a slash: usage error" "$rc" 2
run prov
assert_eq "no name: usage error" "$rc" 2
state >"$T/after"
assert_eq "usage errors change nothing" "$(cat "$T/after")" \
    "$(cat "$T/before")"

finish
