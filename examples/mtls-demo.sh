#!/bin/sh
# The cakit demo, run by `make demo`:  sh examples/mtls-demo.sh BUILDDIR
#
# In a fresh temporary directory it makes a CA, issues a server and a
# client certificate, and proves them with a real mutual-TLS handshake
# between GnuTLS's test server (which requires a client certificate)
# and its client (which presents one); then it shows that a client
# without a certificate is refused.  It prints what it does and why,
# each command, and what came of it; it exits 0 only when every step
# behaved as expected, and always stops its server and removes its
# directory.  POSIX sh.
#
# To extend it (an intermediate CA, ca-bundle, ca-revoke): the steps
# only use $issuer (the CA directory that signs the leaves), $trust (the
# CA certificates both ends trust) and $server_cert (what the server
# presents: a leaf, or a chain from ca-bundle --chain).  start_server
# passes extra options to gnutls-serv (--x509crlfile crl.pem), and
# handshake says whether a client must get in or be refused, and why.

set -u

prog=mtls-demo
if [ $# -ne 1 ] || [ ! -x "$1/ca-init" ] || [ ! -x "$1/ca-sign" ] ||
    [ ! -x "$1/ca-bundle" ] || [ ! -x "$1/ca-revoke" ]; then
	echo "usage: $prog BUILDDIR (the directory holding ca-init and ca-sign)" >&2
	exit 2
fi
builddir=$(cd "$1" && pwd) || exit 2
PATH=$builddir:$PATH
export PATH TZ=UTC LC_ALL=C
unset CA_DIR CA_KEY_PASSPHRASE_FILE

for t in gnutls-serv gnutls-cli certtool timeout stdbuf od; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "$prog: $t is not installed (apt-get install gnutls-bin coreutils)" >&2
		exit 1
	fi
done

work=
server_pid=
stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=
	fi
}
cleanup() {
	stop_server
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

work=$(mktemp -d "${TMPDIR:-/tmp}/cakit-demo.XXXXXX") || exit 1
cd "$work" || exit 1
mkdir .log
nstep=0

# --- Printing ------------------------------------------------------------

step() {
	nstep=$((nstep + 1))
	printf '\n=== Step %d: %s\n' "$nstep" "$1"
	shift
	for l in "$@"; do
		printf '    %s\n' "$l"
	done
}

# Each argument quoted for the shell when it needs to be.
quote() {
	for a in "$@"; do
		case $a in
		'' | *[!A-Za-z0-9_./:=,@%+-]*)
			printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")" ;;
		*)
			printf ' %s' "$a" ;;
		esac
	done
}

showcmd() {
	printf '\n  $%s\n' "$(quote "$@")"
}

# Indented lines of a file, or of standard input.
indent() {
	sed 's/^/      /' "$@"
}

ok() {
	printf '  OK: %s\n' "$*"
}

die() {
	printf '\n  FAILED: %s\n' "$*"
	echo "$prog: $*" >&2
	exit 1
}

# cmd ARGS...: show a command, run it, show its output; stop the demo
# when it fails.
cmd() {
	showcmd "$@"
	"$@" >.log/out 2>.log/err
	rc=$?
	indent .log/out .log/err
	[ "$rc" -eq 0 ] || die "'$1' failed with exit status $rc"
}

# certinfo FILE: what matters in a certificate, as certtool reads it.
certinfo() {
	showcmd certtool --certificate-info --infile "$1"
	certtool --certificate-info --infile "$1" >.log/out 2>.log/err ||
		die "certtool cannot read $1: $(cat .log/err)"
	grep -E '(Issuer|Subject|Not After):|Certificate Authority|DNSname:|IPAddress:|RFC822Name:|URI:|TLS WWW' \
	    .log/out | sed 's/^[[:space:]]*//' | indent
	echo "      (...)"
}

# --- The server and the clients ------------------------------------------

# start_server [GNUTLS-SERV OPTIONS...]: gnutls-serv as an echo server on
# a free port, presenting $server_cert and requiring a client
# certificate that $trust vouches for.  gnutls-serv has no option to
# listen on 127.0.0.1 alone, and stays up when the port is taken, so its
# log says when it listens or must move to another port.  Ports are
# drawn below the kernel's ephemeral range (32768 and up), where no
# outgoing connection takes one.
start_server() {
	tries=0
	while :; do
		tries=$((tries + 1))
		[ "$tries" -le 5 ] || die "gnutls-serv found no free port"
		port=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 12000 ))
		showcmd gnutls-serv --echo -p "$port" \
		    --x509certfile "$server_cert" --x509keyfile "$server_key" \
		    --x509cafile "$trust" --require-client-cert \
		    --verify-client-cert "$@"
		# The log exists before the server does, so that the loop
		# below never greps a file not yet made.
		: >.log/server
		stdbuf -oL gnutls-serv --echo -p "$port" \
		    --x509certfile "$server_cert" --x509keyfile "$server_key" \
		    --x509cafile "$trust" --require-client-cert \
		    --verify-client-cert "$@" >.log/server 2>&1 &
		server_pid=$!
		i=0
		while [ $i -lt 100 ]; do
			grep -q "IPv4 .* port $port\.\.\.done" .log/server &&
				break
			grep -q "bind() failed" .log/server && break
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		if grep -q "IPv4 .* port $port\.\.\.done" .log/server &&
		    ! grep -q "bind() failed" .log/server &&
		    kill -0 "$server_pid" 2>/dev/null; then
			ok "gnutls-serv (pid $server_pid) listens on port $port"
			return
		fi
		indent .log/server
		stop_server
		grep -q "bind() failed" .log/server ||
			die "gnutls-serv did not start"
		echo "  (port $port is taken: trying another)"
	done
}

# The server's log since the last client started.
mark() {
	logmark=$(wc -c <.log/server)
}

since() {
	tail -c +"$((logmark + 1))" .log/server
}

# handshake in|refused WHY [CERT KEY]: a client connects to localhost,
# presenting CERT if given, and sends a line.  "in": the handshake
# succeeds both ways and the server sends the line back.  "refused":
# the server's own verification refuses the client, its log naming the
# reason WHY (an extended regular expression).
handshake() {
	want=$1 why=$2
	shift 2
	line="hello from step $nstep"
	if [ $# -eq 2 ]; then
		set -- --x509certfile "$1" --x509keyfile "$2"
	fi
	set -- -p "$port" --x509cafile "$trust" "$@" localhost
	printf '\n  $ echo %s |%s\n' "$(quote "$line" | cut -c2-)" \
	    "$(quote gnutls-cli "$@")"
	mark
	echo "$line" | timeout 10 gnutls-cli "$@" >.log/client 2>&1
	rc=$?
	grep -E '^- (Status|Successfully sent|Server has requested)|^\*\*\*' \
	    .log/client | indent
	if grep -Fqx "$line" .log/client; then
		echo "      the server sent back: $line"
		back=yes
	else
		echo "      nothing came back"
		back=no
	fi
	# Let the server finish writing what it makes of the client.
	i=0
	while [ $i -lt 30 ] && ! since | grep -Eq "Error in handshake|Subject:"
	do
		sleep 0.1
		i=$((i + 1))
	done
	echo "    what the server saw:"
	since | grep -E '^Error in handshake|^	Subject:|^- Status:' | indent
	kill -0 "$server_pid" 2>/dev/null || die "the server is gone"

	if [ "$want" = in ]; then
		[ "$rc" -eq 0 ] || die "gnutls-cli failed (exit $rc)"
		grep -q '^- Status: The certificate is trusted' .log/client ||
			die "the client did not trust the server's certificate"
		[ "$back" = yes ] || die "the server did not send the line back"
		! since | grep -q 'Error in handshake' ||
			die "the server reported an error"
	else
		[ "$rc" -ne 0 ] || die "gnutls-cli got in (exit 0)"
		[ "$rc" -ne 124 ] || die "gnutls-cli timed out"
		[ "$back" = no ] || die "the server answered the client"
		since | grep -Eq -- "$why" ||
			die "the server's log does not say '$why'"
	fi
}

# --- The demo ------------------------------------------------------------

echo "cakit mTLS demo, in $work (removed at the end)"
echo "Binaries from $builddir"

step "Make a root certificate authority" \
    "ca-init creates the CA directory: its private key (ca.key, mode 0600)," \
    "its self-signed certificate (ca.crt), the ledger of everything it" \
    "issues (ledger.db) and its first, empty revocation list (crl.pem)." \
    "The root's certificate is what every server and client will trust;" \
    "its key should sign little else than intermediate CAs."
cmd ca-init -d root --subject "CN=cakit demo root CA,O=cakit demo" \
    --path-len 1
cmd ls -l root
certinfo root/ca.crt
ok "the CA is ready"

step "Make an intermediate CA under the root" \
    "--parent makes a CA whose certificate the root signs and records in" \
    "its own ledger.  Day-to-day certificates come from the intermediate," \
    "so the root's key can stay offline."
issuer=issuing
cmd ca-init -d "$issuer" --parent root \
    --subject "CN=cakit demo issuing CA,O=cakit demo"
certinfo "$issuer/ca.crt"
ok "the intermediate is ready"

step "Make the trust bundle" \
    "ca-bundle prints the CA certificates from the intermediate up to the" \
    "root.  Servers check client certificates against it and clients" \
    "check the server's certificate against it."
trust=trust.pem
showcmd ca-bundle -d "$issuer"
ca-bundle -d "$issuer" >"$trust" 2>.log/err || die "ca-bundle failed: $(cat .log/err)"
grep -c 'BEGIN CERTIFICATE' "$trust" | sed 's/$/ certificates in trust.pem/' | indent
ok "trust.pem"

step "Issue the server certificate" \
    "The server profile marks it for TLS servers (extendedKeyUsage" \
    "serverAuth).  Clients check the name they connect to against its" \
    "DNS and IP names, so it is issued for localhost and 127.0.0.1." \
    "--new-key makes the key pair too and writes the key, mode 0600." \
    "ca-bundle --chain then gives what the server presents: its" \
    "certificate followed by the intermediate's."
server_key=server.key
cmd ca-sign -d "$issuer" --profile server --new-key "$server_key" \
    --dns localhost --ip 127.0.0.1 -o server.crt
certinfo server.crt
server_cert=server-chain.pem
showcmd ca-bundle -d "$issuer" --chain server.crt
ca-bundle -d "$issuer" --chain server.crt >"$server_cert" 2>.log/err ||
	die "ca-bundle --chain failed: $(cat .log/err)"
ok "server.crt, server.key and server-chain.pem"

step "Issue two client certificates" \
    "The client profile marks them for TLS clients (clientAuth).  Their" \
    "subjects name the clients: servers such as PostgreSQL or Mosquitto" \
    "map the CN to a user."
cmd ca-sign -d "$issuer" --profile client --new-key client.key \
    --subject "CN=alice" -o client.crt
cmd ca-sign -d "$issuer" --profile client --new-key bob.key \
    --subject "CN=bob" -o bob.crt
certinfo client.crt
ok "client.crt and client.key (alice), bob.crt and bob.key"

step "Check the certificates with a tool cakit did not write" \
    "GnuTLS's certtool verifies each one against the trust bundle."
for c in server.crt client.crt bob.crt; do
	showcmd certtool --verify --load-ca-certificate "$trust" --infile "$c"
	certtool --verify --load-ca-certificate "$trust" --infile "$c" \
	    >.log/out 2>&1
	rc=$?
	grep 'verification output' .log/out | indent
	if [ "$rc" -ne 0 ] ||
	    ! grep -q 'Chain verification output: Verified' .log/out; then
		die "certtool does not verify $c"
	fi
done
ok "all verified against $trust"

step "Start a TLS server that requires a client certificate" \
    "gnutls-serv presents server-chain.pem and, with --require-client-cert" \
    "and --verify-client-cert, accepts only clients whose certificate the" \
    "trust bundle vouches for.  As an echo server it sends back each line."
start_server

step "Connect with the client certificate: mutual TLS" \
    "gnutls-cli checks the server's chain against trust.pem and the name" \
    "localhost, and presents client.crt.  The line it sends comes back" \
    "only if both sides accepted each other."
handshake in "" client.crt client.key
ok "mutual TLS works: alice got in, and the server knows it is alice"

step "Connect without a client certificate" \
    "The same client, trusting the same CA, but presenting no certificate." \
    "The server must refuse it."
handshake refused "Certificate is required"
ok "refused by the server: no client certificate"

step "Revoke alice's certificate" \
    "ca-revoke marks it revoked in the ledger and writes a new crl.pem," \
    "signed by the intermediate, with a higher CRL number.  Servers that" \
    "load the CRLs of the chain refuse the certificate from then on."
cmd ca-revoke -d "$issuer" --reason keyCompromise client.crt
showcmd certtool --crl-info --infile "$issuer/crl.pem"
certtool --crl-info --infile "$issuer/crl.pem" 2>&1 |
	grep -E 'CRL Number|Serial Number|Revoked at|Reason' | sed 's/^[[:space:]]*//' | indent
cat "$issuer/crl.pem" root/crl.pem >crls.pem
ok "alice is on the intermediate's CRL"

step "Restart the server with the CRLs" \
    "gnutls-serv --x509crlfile loads the CRLs of the intermediate and the" \
    "root (a server reads its CRL at start or reload: after each ca-revoke," \
    "reload it)."
stop_server
start_server --x509crlfile crls.pem

step "alice again, with her revoked certificate" \
    "The server must refuse her now."
handshake refused "chain is revoked" client.crt client.key
ok "refused by the server: alice's certificate is revoked"

step "bob, whose certificate was not revoked" \
    "The CRL changes nothing for him."
handshake in "" bob.crt bob.key
ok "mutual TLS works for bob"

stop_server
printf '\n=== Done: a root and an intermediate CA, a server and two clients in real\n'
printf '    mutual-TLS handshakes; a client without a certificate is refused, and\n'
printf '    so is a client whose certificate was revoked.\n'
exit 0
