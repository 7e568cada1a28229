#!/bin/bash
# A real nginx serving mutual TLS on 127.0.0.1 with the configuration in
# examples/nginx-mtls.conf and a two-tier cakit PKI (root, intermediate,
# leaves from the intermediate), and curl as the client: a client with
# a cakit certificate gets 200, one without a certificate or with one
# from another CA gets 400, and after ca-revoke, a new CRL file and a
# reload, the revoked client gets 400 while another still gets 200.
# nginx runs in the foreground as a child of this test, so the trap in
# lib.sh always stops it; everything it writes stays under $T.
. "$top_srcdir/tests/cli/lib.sh"

# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
nginx=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v nginx) ||
	skip "nginx is not installed (Debian: apt-get install nginx-light)"
need curl openssl

ex=$top_srcdir/examples
root=$T/root sub=$T/sub other=$T/other
export TMPDIR=$T

# --- The PKI -------------------------------------------------------------

assert_ok "ca-init root" ca-init -d "$root" --subject "CN=nginx Test Root"
assert_ok "ca-init intermediate" ca-init -d "$sub" --parent "$root" \
    --subject "CN=nginx Test Issuing CA"
assert_ok "ca-init other" ca-init -d "$other" --subject "CN=Other Root"
assert_ok "server certificate" ca-sign -d "$sub" --new-key "$T/srv.key" \
    --dns localhost --ip 127.0.0.1 -o "$T/srv.crt"
for c in alice bob; do
	assert_ok "client certificate $c" ca-sign -d "$sub" --profile client \
	    --new-key "$T/$c.key" --subject "CN=$c" -o "$T/$c.crt"
done
assert_ok "client certificate of another CA" ca-sign -d "$other" \
    --profile client --new-key "$T/mallory.key" --subject CN=mallory \
    -o "$T/mallory.crt"

# What the server sends, what it trusts for clients, what clients trust.
ca-bundle -d "$sub" --chain "$T/srv.crt" >"$T/srv-chain.pem"
assert_eq "server chain: leaf and intermediate" \
    "$(grep -c 'BEGIN CERTIFICATE' "$T/srv-chain.pem")" 2
ca-bundle -d "$sub" >"$T/client-ca.pem"
ca-bundle -d "$root" >"$T/root.pem"
assert_ok "openssl verifies the server chain" openssl verify \
    -CAfile "$T/root.pem" -untrusted "$T/srv-chain.pem" -purpose sslserver \
    "$T/srv.crt"

# crlfile: the CRLs of the intermediate and the root, from ca-bundle
# --crl, written beside and renamed, as an operator's cron job would.
crlfile() {
	ca-bundle -d "$sub" --crl |
	    sed -n '/-BEGIN X509 CRL-/,/-END X509 CRL-/p' >"$T/crl.pem.new" &&
	    mv -f "$T/crl.pem.new" "$T/crl.pem"
}
assert_ok "CRL file" crlfile
assert_eq "the CRL file holds both CAs' CRLs" \
    "$(grep -c 'BEGIN X509 CRL' "$T/crl.pem")" 2

# --- nginx ---------------------------------------------------------------

port=$(free_port)
n=$T/nginx
mkdir -p "$n/tmp"
# An nginx built without a module (older nginx-light packages) refuses
# that module's directives: leave out their temporary paths.
drop=()
for m in fastcgi proxy scgi uwsgi; do
	if "$nginx" -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
		drop+=(-e "/^[[:space:]]*${m}_temp_path /d")
	fi
done
sed "${drop[@]}" -e "s|@PORT@|$port|g" \
    -e "s|@PID_FILE@|$n/nginx.pid|g" \
    -e "s|@ERROR_LOG@|$n/error.log|g" \
    -e "s|@ACCESS_LOG@|$n/access.log|g" \
    -e "s|@TEMP_DIR@|$n/tmp|g" \
    -e "s|@SERVER_CHAIN@|$T/srv-chain.pem|g" \
    -e "s|@SERVER_KEY@|$T/srv.key|g" \
    -e "s|@CLIENT_CA@|$T/client-ca.pem|g" \
    -e "s|@CRL@|$T/crl.pem|g" \
    "$ex/nginx-mtls.conf" >"$n/nginx.conf"
assert_not_contains "every placeholder replaced" "$n/nginx.conf" '@[A-Z_]+@'

# -e: nginx opens its error log before it reads the configuration.
ngx=("$nginx" -p "$n/" -c "$n/nginx.conf" -e "$n/error.log")
assert_ok "nginx -t accepts the configuration" "${ngx[@]}" -t

# In the foreground (daemon off), nginx's master is bg's own child,
# which lib.sh's trap stops.  If it ever got away from it, its pid file
# still names it: stop that one too.
stop_nginx() {
	[ -s "$n/nginx.pid" ] && kill "$(cat "$n/nginx.pid")" 2>/dev/null
	return 0
}
trap 'stop_nginx; cleanup' EXIT
bg "${ngx[@]}" -g 'daemon off;' >"$n/stdout" 2>&1
npid=$_bgpid
if wait_port "$port" && kill -0 "$npid" 2>/dev/null; then
	pass
else
	fail "nginx did not start: $(tail -5 "$n/error.log")"
	finish
fi
assert_eq "the pid file names the master" "$(cat "$n/nginx.pid")" "$npid"

# get CURL_ARGS...: one request to https://localhost:$port/ trusting the
# root only; leaves $code and $T/body.
get() {
	rm -f "$T/body"
	code=$(curl -sS --max-time 10 --cacert "$T/root.pem" \
	    --resolve "localhost:$port:127.0.0.1" -o "$T/body" \
	    -w '%{http_code}' "$@" "https://localhost:$port/" 2>"$T/curl.err")
	[ -f "$T/body" ] || : >"$T/body"
}

# --- Clients -------------------------------------------------------------

get --cert "$T/alice.crt" --key "$T/alice.key"
assert_eq "alice gets in" "$code" 200
assert_contains "nginx saw alice's subject" "$T/body" '^hello CN=alice$'

get
assert_eq "no client certificate: refused" "$code" 400
assert_contains "no client certificate: nginx says why" "$T/body" \
    'No required SSL certificate was sent'

get --cert "$T/mallory.crt" --key "$T/mallory.key"
assert_eq "a client certificate of another CA: refused" "$code" 400
assert_contains "another CA: nginx says why" "$T/body" \
    'The SSL certificate error'
assert_contains "another CA: nginx logs why" "$n/error.log" \
    'client SSL certificate verify error: \((20|21):'

# The client checks the server too: trusting another root, curl refuses.
code=$(curl -sS --max-time 10 --cacert "$other/ca.crt" \
    --resolve "localhost:$port:127.0.0.1" --cert "$T/alice.crt" \
    --key "$T/alice.key" -o /dev/null -w '%{http_code}' \
    "https://localhost:$port/" 2>"$T/curl.err")
assert_eq "curl refuses a server its CA bundle does not vouch for" \
    "$code" 000
assert_contains "curl says why" "$T/curl.err" 'certificate'

# The example client script.
run sh "$ex/curl-mtls.sh" "$T/root.pem" "https://localhost:$port/" \
    "$T/bob.crt" "$T/bob.key" --resolve "localhost:$port:127.0.0.1"
assert_eq "curl-mtls.sh with a certificate: exit 0" "$rc" 0
assert_contains "curl-mtls.sh prints the body" "$T/out" '^hello CN=bob$'
run sh "$ex/curl-mtls.sh" "$T/root.pem" "https://localhost:$port/" \
    --resolve "localhost:$port:127.0.0.1"
assert_eq "curl-mtls.sh without a certificate: exit 1" "$rc" 1
assert_contains "curl-mtls.sh says why" "$T/err" \
    '^curl-mtls: .*HTTP 400: No required SSL certificate was sent'

# --- Revocation ----------------------------------------------------------

assert_ok "ca-revoke alice" ca-revoke -d "$sub" --reason keyCompromise \
    "$T/alice.crt"
get --cert "$T/alice.crt" --key "$T/alice.key"
assert_eq "before the reload nginx still has the old CRL" "$code" 200

assert_ok "new CRL file" crlfile
run openssl verify -crl_check_all -CAfile "$T/root.pem" \
    -untrusted "$sub/ca.crt" -CRLfile "$T/crl.pem" "$T/alice.crt"
assert_contains "openssl finds alice on the new CRL" "$T/err" \
    'certificate revoked'

# The reload is done when the workers that had the old CRL have
# exited: until then they may still take connections.
old=$(sed -n 's/.*start worker process \([0-9]*\).*/\1/p' "$n/error.log")
assert_ok "nginx -s reload" "${ngx[@]}" -s reload
for w in $old; do
	i=0
	while [ $i -lt 100 ] &&
	    ! grep -q "worker process $w exited" "$n/error.log"; do
		sleep 0.1
		i=$((i + 1))
	done
	assert_contains "the old worker $w exited" "$n/error.log" \
	    "worker process $w exited"
done

get --cert "$T/alice.crt" --key "$T/alice.key"
assert_eq "revoked alice: refused" "$code" 400
assert_contains "revoked alice: nginx says why" "$T/body" \
    'The SSL certificate error'
assert_contains "revoked alice: nginx logs why" "$n/error.log" \
    'certificate revoked'
get --cert "$T/bob.crt" --key "$T/bob.key"
assert_eq "bob still gets in" "$code" 200
assert_contains "nginx saw bob's subject" "$T/body" '^hello CN=bob$'
get
assert_eq "still no way in without a certificate" "$code" 400

# --- Stop ----------------------------------------------------------------

# The trap in lib.sh would do this too; here the test sees it happen.
kill "$npid"
wait "$npid" 2>/dev/null
_pids=
if kill -0 "$npid" 2>/dev/null; then
	fail "nginx is still running"
else
	pass
fi
for w in $(sed -n 's/.*start worker process \([0-9]*\).*/\1/p' \
    "$n/error.log"); do
	if kill -0 "$w" 2>/dev/null; then
		fail "nginx's worker $w is still running"
	fi
done
rm -f "$n/nginx.pid"
if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
	fail "something still listens on 127.0.0.1:$port"
else
	pass
fi

finish
