#!/bin/bash
# examples/mtls-demo.sh, as `make demo` runs it: it exits 0, its output
# shows the mutual-TLS handshake succeed and the client without a
# certificate refused, and it leaves no server and no directory behind.
# With a server that does not ask for client certificates it must fail,
# and still clean up.

# gnutls-serv binds every interface: run in a network namespace of our
# own when one can be made (see tls-handshake.sh).
if [ -z "${CAKIT_NETNS-}" ] && command -v unshare >/dev/null 2>&1 &&
    command -v ip >/dev/null 2>&1 &&
    unshare -rn ip link set lo up >/dev/null 2>&1; then
	export CAKIT_NETNS=1
	exec unshare -rn sh -c 'ip link set lo up && exec bash "$0" "$@"' \
	    "$0" "$@"
fi

. "$top_srcdir/tests/cli/lib.sh"

need gnutls-serv gnutls-cli certtool timeout stdbuf

demo=$top_srcdir/examples/mtls-demo.sh
mkdir "$T/tmp"

# The demo's server, from the pid it prints, must be gone.
server_gone() {
	_pid=$(sed -n 's/.*gnutls-serv (pid \([0-9]*\)) listens.*/\1/p' "$T/out" |
	    tail -1)
	if [ -z "$_pid" ]; then
		fail "$1: no server pid in the output"
	elif kill -0 "$_pid" 2>/dev/null; then
		fail "$1: gnutls-serv (pid $_pid) still runs"
		kill "$_pid"
	else
		pass
	fi
	assert_eq "$1: temporary directory removed" "$(ls -A "$T/tmp")" ""
}

TMPDIR=$T/tmp run sh "$demo" "$top_builddir"
assert_eq "demo exit status" "$rc" 0
assert_contains "demo: the CA is made" "$T/out" "^  OK: the CA is ready"
assert_contains "demo: certtool verifies the certificates" "$T/out" \
    "Chain verification output: Verified"
assert_contains "demo: the line came back over mutual TLS" "$T/out" \
    "the server sent back: hello"
assert_contains "demo: the server saw the client certificate" "$T/out" \
    "Subject: CN=alice"
assert_contains "demo: success shown" "$T/out" "^  OK: mutual TLS works"
assert_contains "demo: the server refused the client without a certificate" \
    "$T/out" "Error in handshake: Certificate is required"
assert_contains "demo: refusal shown" "$T/out" \
    "^  OK: refused by the server: no client certificate"
assert_contains "demo: an intermediate CA" "$T/out" "^  OK: the intermediate is ready"
assert_contains "demo: the server refused the revoked client" "$T/out" \
    "The certificate chain is revoked"
assert_contains "demo: revocation shown" "$T/out" \
    "^  OK: refused by the server: alice's certificate is revoked"
assert_contains "demo: bob still gets in" "$T/out" "^  OK: mutual TLS works for bob"
assert_not_contains "demo: no step failed" "$T/out" "FAILED"
assert_eq "demo: nothing on stderr" "$(cat "$T/err")" ""
server_gone "demo"

# A gnutls-serv that ignores the demand for client certificates lets
# the client without one in: the demo must say so and fail.
real=$(command -v gnutls-serv)
mkdir "$T/bin"
cat >"$T/bin/gnutls-serv" <<EOF
#!/bin/bash
args=()
for a; do
	case \$a in
	--require-client-cert|--verify-client-cert) ;;
	*) args+=("\$a") ;;
	esac
done
exec "$real" "\${args[@]}"
EOF
chmod +x "$T/bin/gnutls-serv"
PATH=$T/bin:$PATH TMPDIR=$T/tmp run sh "$demo" "$top_builddir"
assert_eq "lax server: demo exit status" "$rc" 1
assert_contains "lax server: the failure is shown" "$T/out" \
    "FAILED: gnutls-cli got in"
assert_contains "lax server: one line on stderr" "$T/err" \
    "^mtls-demo: gnutls-cli got in"
server_gone "lax server"

run sh "$demo" "$T/nowhere"
assert_eq "no binaries: usage error" "$rc" 2
assert_contains "no binaries: usage" "$T/err" "^usage: mtls-demo BUILDDIR"

finish
