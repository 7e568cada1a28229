#!/bin/bash
# Real TLS and mutual TLS handshakes on 127.0.0.1 with cakit
# certificates: GnuTLS (gnutls-serv, gnutls-cli) and OpenSSL (s_server,
# s_client), each against itself and against the other.  A handshake
# passes when the client exits 0, trusted the server and a line it sent
# came back from the server; it is refused when the client fails, the
# line never came back and the server's log says why (its own
# verification), while the server stays up.

# gnutls-serv cannot be told which address to listen on: it binds every
# interface.  Where an unprivileged user and network namespace can be
# made, the test runs in one of its own, whose only interface is
# loopback, so that nothing is reachable beyond 127.0.0.1.
if [ -z "${CAKIT_NETNS-}" ] && command -v unshare >/dev/null 2>&1 &&
    command -v ip >/dev/null 2>&1 &&
    unshare -rn ip link set lo up >/dev/null 2>&1; then
	export CAKIT_NETNS=1
	exec unshare -rn sh -c 'ip link set lo up && exec bash "$0" "$@"' \
	    "$0" "$@"
fi

. "$top_srcdir/tests/cli/lib.sh"

need openssl gnutls-serv gnutls-cli timeout stdbuf rev
[ -n "${CAKIT_NETNS-}" ] ||
	echo "note: no network namespace: gnutls-serv listens on every interface"

# --- Certificates --------------------------------------------------------

ca=$T/ca other=$T/other
assert_ok "ca-init" ca-init -d "$ca" --subject "CN=Handshake Root,O=cakit tests"
assert_ok "ca-init other" ca-init -d "$other" --subject "CN=Other Root"
assert_ok "server certificate" ca-sign -d "$ca" --new-key "$T/srv.key" \
    --dns localhost --ip 127.0.0.1 -o "$T/srv.crt"
assert_ok "client certificate" ca-sign -d "$ca" --profile client \
    --new-key "$T/cli.key" --subject "CN=alice" -o "$T/cli.crt"
assert_ok "peer certificate" ca-sign -d "$ca" --profile peer \
    --new-key "$T/peer.key" --dns localhost --ip 127.0.0.1 -o "$T/peer.crt"
assert_ok "client certificate of another CA" ca-sign -d "$other" \
    --profile client --new-key "$T/mallory.key" --subject "CN=mallory" \
    -o "$T/mallory.crt"

# --- Servers -------------------------------------------------------------

# serve NAME gnutls|openssl ARGS...: start a server on a free port of
# 127.0.0.1 (GnuTLS as an echo server, OpenSSL as one that sends each
# line back reversed), logging to $T/NAME.log; sets $port, $log, $spid.
serve() {
	_n=$1 kind=$2
	shift 2
	port=$(free_port)
	log=$T/$_n.log
	if [ "$kind" = gnutls ]; then
		bg stdbuf -oL gnutls-serv --echo -p "$port" "$@"
	else
		bg stdbuf -oL openssl s_server -accept "127.0.0.1:$port" -rev \
		    -num_tickets 0 "$@"
	fi >"$log" 2>&1
	spid=$_bgpid
	# gnutls-serv stays up when it cannot bind.
	if wait_port "$port" && kill -0 "$spid" 2>/dev/null &&
	    ! grep -q "bind() failed" "$log"; then
		pass
		# wait_port's probe leaves an error in the log: let it land
		# before the first client, whose part of the log must be clean.
		_mark=0
		wait_log "CONNECTION FAILURE|Error in handshake" || :
	else
		fail "$_n: the server did not start: $(head -c 300 "$log")"
	fi
}

# The server log written since the last client started.
mark() {
	_mark=$(stat -c %s "$log")
}

since() {
	tail -c +"$((_mark + 1))" "$log"
}

# Each client sends one line, $tok, and expects $echo back: the line
# itself from gnutls-serv --echo, reversed from s_server -rev.  Clients
# leave $rc, $T/cli.out and $T/cli.err.
newtok() {
	mark
	echo=ping-$RANDOM$RANDOM
	tok=$echo
	[ "$kind" = openssl ] && tok=$(printf %s "$echo" | rev)
}

# gtls_cli ARGS...: gnutls-cli to localhost:$port.  At the end of its
# input it closes its side and reads on until the server closes.
gtls_cli() {
	newtok
	echo "$tok" | timeout 10 gnutls-cli -p "$port" "$@" localhost \
	    >"$T/cli.out" 2>"$T/cli.err"
	rc=$?
}

# ossl_cli ARGS...: s_client to 127.0.0.1:$port.  It drops the
# connection at the end of its input, so the input stays open: until
# s_server ends the connection on CLOSE, or, with gnutls-serv, until
# the line came back (5 s at most).
ossl_cli() {
	newtok
	: >"$T/cli.out"
	[ "$kind" = openssl ] && set -- -ign_eof "$@"
	if [ "$kind" = openssl ]; then
		printf '%s\nCLOSE\n' "$tok"
	else
		# The empty lines end this writer (SIGPIPE) once s_client
		# has gone, as it does when the handshake fails.
		echo "$tok"
		_i=0
		while [ $_i -lt 50 ] && ! grep -q -- "$echo" "$T/cli.out"; do
			sleep 0.1
			echo
			_i=$((_i + 1))
		done
	fi | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -verify_return_error "$@" >"$T/cli.out" 2>"$T/cli.err"
	rc=$?
}

# wait_log PATTERN: until the server's log since mark matches (3 s).
wait_log() {
	_i=0
	while [ $_i -lt 30 ]; do
		since | grep -Eq -- "$1" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# expect_in DESC: the last client's handshake succeeded, both ways.
expect_in() {
	if [ "$rc" -ne 0 ]; then
		fail "$1: client exit $rc: $(grep -v '^ ' "$T/cli.err" | tail -3)"
	elif ! grep -q -- "$echo" "$T/cli.out"; then
		fail "$1: the server's answer never came back"
	elif grep -q "^- Status: " "$T/cli.out" &&
	    ! grep -q "^- Status: The certificate is trusted" "$T/cli.out"; then
		fail "$1: gnutls-cli did not trust the server"
	elif grep -q "Verify return code" "$T/cli.out" &&
	    ! grep -q "Verify return code: 0 (ok)" "$T/cli.out"; then
		fail "$1: s_client did not trust the server"
	elif since | grep -Eq "Error in handshake|CONNECTION FAILURE"; then
		fail "$1: the server saw an error: $(since | tail -3)"
	else
		pass
	fi
}

# expect_refused_by_server DESC PATTERN: the server's verification
# refused the last client, with a log line matching PATTERN.
expect_refused_by_server() {
	if [ "$rc" -eq 0 ]; then
		fail "$1: the client got in"
	elif [ "$rc" -eq 124 ]; then
		fail "$1: the client timed out"
	elif grep -q -- "$echo" "$T/cli.out"; then
		fail "$1: the server answered the client"
	elif ! wait_log "$2"; then
		fail "$1: server log does not match /$2/: $(since | tail -3)"
	elif ! kill -0 "$spid" 2>/dev/null; then
		fail "$1: the server is gone"
	else
		pass
	fi
}

# expect_refused_by_client DESC PATTERN: the client refused the server,
# which was up and took the connection.
expect_refused_by_client() {
	if [ "$rc" -eq 0 ]; then
		fail "$1: the client accepted the server"
	elif [ "$rc" -eq 124 ]; then
		fail "$1: the client timed out"
	elif grep -q -- "$echo" "$T/cli.out"; then
		fail "$1: data went through"
	elif ! cat "$T/cli.out" "$T/cli.err" | grep -Eq -- "$2"; then
		fail "$1: client output does not match /$2/: $(tail -3 "$T/cli.err")"
	elif ! wait_log "Accepted connection|depth=|CONNECTION"; then
		fail "$1: the server saw no connection: $(since | tail -3)"
	else
		pass
	fi
}

G_UNTRUSTED='Error in handshake: Error in the certificate'
G_NOCERT='Error in handshake: Certificate is required'
O_UNTRUSTED='verify error:num=(20|21):.*|certificate verify failed'
O_NOCERT='peer did not return a certificate'
G_CLI_REFUSES='The certificate is NOT trusted'
O_CLI_REFUSES='Verify return code: (19|20|21|62)|certificate verify failed'

# --- TLS: the client checks the server -----------------------------------

serve gtls gnutls --x509certfile "$T/srv.crt" --x509keyfile "$T/srv.key"
gtls_cli --x509cafile "$ca/ca.crt"
expect_in "gnutls-cli to gnutls-serv by name"
gtls_cli --x509cafile "$other/ca.crt"
expect_refused_by_client "gnutls-cli trusting another CA" "$G_CLI_REFUSES"
gtls_cli --x509cafile "$ca/ca.crt" --verify-hostname www.example.org
expect_refused_by_client "gnutls-cli for a name not in the certificate" \
    "$G_CLI_REFUSES.*name in the certificate does not match"
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost
expect_in "s_client to gnutls-serv"

serve ossl openssl -cert "$T/srv.crt" -key "$T/srv.key"
ossl_cli -CAfile "$ca/ca.crt" -servername localhost -verify_hostname localhost
expect_in "s_client to s_server, hostname localhost"
ossl_cli -CAfile "$ca/ca.crt" -verify_ip 127.0.0.1
expect_in "s_client to s_server, IP 127.0.0.1"
ossl_cli -CAfile "$other/ca.crt" -verify_hostname localhost
expect_refused_by_client "s_client trusting another CA" "$O_CLI_REFUSES"
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname www.example.org
expect_refused_by_client "s_client for a name not in the certificate" \
    'Verify return code: 62|hostname mismatch'
gtls_cli --x509cafile "$ca/ca.crt"
expect_in "gnutls-cli to s_server"

# Every key type as a TLS server key (RSA-4096 left out: slow to make
# and nothing new), across the stacks: OpenSSL serves, GnuTLS connects.
for t in ecdsa-p384 ed25519 rsa-2048 rsa-3072; do
	assert_ok "$t server certificate" ca-sign -d "$ca" --key-type "$t" \
	    --new-key "$T/srv-$t.key" --dns localhost -o "$T/srv-$t.crt"
	serve "ossl-$t" openssl -cert "$T/srv-$t.crt" -key "$T/srv-$t.key"
	gtls_cli --x509cafile "$ca/ca.crt"
	expect_in "gnutls-cli to s_server with a $t key"
	kill "$spid"
done

# --- mTLS: the server requires a client certificate ----------------------

serve gtls-mtls gnutls --x509certfile "$T/srv.crt" --x509keyfile "$T/srv.key" \
    --x509cafile "$ca/ca.crt" --require-client-cert --verify-client-cert
gtls_cli --x509cafile "$ca/ca.crt" --x509certfile "$T/cli.crt" \
    --x509keyfile "$T/cli.key"
expect_in "mTLS gnutls: client certificate gets in"
since >"$T/since"
assert_contains "mTLS gnutls: the server saw alice" "$T/since" "Subject: CN=alice"
gtls_cli --x509cafile "$ca/ca.crt"
expect_refused_by_server "mTLS gnutls: no client certificate" "$G_NOCERT"
gtls_cli --x509cafile "$ca/ca.crt" --x509certfile "$T/mallory.crt" \
    --x509keyfile "$T/mallory.key"
expect_refused_by_server "mTLS gnutls: another CA's client" "$G_UNTRUSTED"
gtls_cli --x509cafile "$ca/ca.crt" --x509certfile "$T/cli.crt" \
    --x509keyfile "$T/cli.key"
expect_in "mTLS gnutls: client certificate still gets in"
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost \
    -cert "$T/cli.crt" -key "$T/cli.key"
expect_in "mTLS gnutls: s_client with a client certificate gets in"
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost \
    -cert "$T/mallory.crt" -key "$T/mallory.key"
expect_refused_by_server "mTLS gnutls: s_client with another CA's client" \
    "$G_UNTRUSTED"

serve ossl-mtls openssl -cert "$T/srv.crt" -key "$T/srv.key" \
    -CAfile "$ca/ca.crt" -Verify 1 -verify_return_error
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost \
    -cert "$T/cli.crt" -key "$T/cli.key"
expect_in "mTLS openssl: client certificate gets in"
since >"$T/since"
assert_contains "mTLS openssl: the server saw alice" "$T/since" "CN *= *alice"
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost
expect_refused_by_server "mTLS openssl: no client certificate" "$O_NOCERT"
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost \
    -cert "$T/mallory.crt" -key "$T/mallory.key"
expect_refused_by_server "mTLS openssl: another CA's client" "$O_UNTRUSTED"
# The profile matters: OpenSSL holds a client certificate to
# extendedKeyUsage clientAuth.  (gnutls-serv 3.7.9 does not check the
# client's extendedKeyUsage, so it is not asked here.)
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost \
    -cert "$T/srv.crt" -key "$T/srv.key"
expect_refused_by_server "mTLS openssl: a server-only certificate as client" \
    'unsuitable certificate purpose'
gtls_cli --x509cafile "$ca/ca.crt" --x509certfile "$T/cli.crt" \
    --x509keyfile "$T/cli.key"
expect_in "mTLS openssl: gnutls-cli with a client certificate gets in"
gtls_cli --x509cafile "$ca/ca.crt"
expect_refused_by_server "mTLS openssl: gnutls-cli without a certificate" \
    "$O_NOCERT"
gtls_cli --x509cafile "$ca/ca.crt" --x509certfile "$T/mallory.crt" \
    --x509keyfile "$T/mallory.key"
expect_refused_by_server "mTLS openssl: gnutls-cli with another CA's client" \
    "$O_UNTRUSTED"

# --- peer: one certificate, both roles -----------------------------------

serve gtls-peer gnutls --x509certfile "$T/peer.crt" --x509keyfile "$T/peer.key" \
    --x509cafile "$ca/ca.crt" --require-client-cert --verify-client-cert
gtls_cli --x509cafile "$ca/ca.crt" --x509certfile "$T/peer.crt" \
    --x509keyfile "$T/peer.key"
expect_in "peer gnutls: the same peer certificate on both ends"

serve ossl-peer openssl -cert "$T/peer.crt" -key "$T/peer.key" \
    -CAfile "$ca/ca.crt" -Verify 1 -verify_return_error
ossl_cli -CAfile "$ca/ca.crt" -verify_hostname localhost \
    -cert "$T/peer.crt" -key "$T/peer.key"
expect_in "peer openssl: the same peer certificate on both ends"
ossl_cli -CAfile "$ca/ca.crt" -verify_ip 127.0.0.1 \
    -cert "$T/cli.crt" -key "$T/cli.key"
expect_in "peer openssl: a peer server accepts a client certificate"

finish
