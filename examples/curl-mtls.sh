#!/bin/sh
# curl-mtls.sh: the client side of examples/nginx-mtls.conf.  Fetches
# URL over TLS, trusting only the CAs in CA_BUNDLE, and presents the
# client certificate CERT with its key KEY when they are given.
#
# usage: curl-mtls.sh CA_BUNDLE URL [CERT KEY] [CURL_OPTION...]
#
# Prints the response body on standard output and exits 0 for an HTTP
# 2xx answer; otherwise says why on standard error and exits 1 (HTTP
# 400 from nginx: no client certificate, or one it refused).
#
# The commands it stands for, with a CA made as in nginx-mtls.conf:
#   ca-bundle -d ROOT >root.pem       # what clients trust: the root
#   curl --cacert root.pem --cert alice.crt --key alice.key \
#       https://localhost:8443/       # 200 "hello CN=alice"
#   curl --cacert root.pem https://localhost:8443/
#                                     # 400 "No required SSL certificate
#                                     # was sent"
# The server sends its intermediate (ca-bundle --chain), so the root is
# enough to check it; the server has the client's intermediate in
# ssl_client_certificate, so alice.crt alone is enough the other way
# (a server that does not would need ca-bundle -d SUB --chain alice.crt
# as --cert).  Certificates name the server by DNS name or IP address:
# use one of them in the URL, e.g. localhost, and pin it to an address
# with --resolve localhost:8443:127.0.0.1 if needed.  A PKCS#12 file
# from ca-bundle --pkcs12 works too:
#   curl --cacert root.pem --cert-type P12 --cert alice.p12:PASSPHRASE URL
set -eu

prog=curl-mtls

usage() {
	echo "usage: $prog CA_BUNDLE URL [CERT KEY] [CURL_OPTION...]" >&2
	exit 2
}

case ${1-} in
-h|--help)
	sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0
	;;
esac
[ $# -ge 2 ] || usage
ca=$1 url=$2
shift 2
cert_given=0
if [ $# -ge 2 ] && [ "${1#-}" = "$1" ]; then
	cert=$1 key=$2
	shift 2
	set -- --cert "$cert" --key "$key" "$@"
	cert_given=1
fi

if ! command -v curl >/dev/null 2>&1; then
	echo "$prog: curl is not installed" >&2
	exit 1
fi

body=$(mktemp "${TMPDIR:-/tmp}/curl-mtls.XXXXXX")
trap 'rm -f "$body"' EXIT
trap 'exit 1' HUP INT TERM

if ! code=$(curl -sS --max-time 10 --cacert "$ca" -o "$body" \
    -w '%{http_code}' "$@" "$url"); then
	echo "$prog: $url: the TLS connection failed (see curl's message" \
	    "above)" >&2
	exit 1
fi
case $code in
2??)
	cat "$body"
	;;
*)
	# nginx puts the reason in the <title> of its error page.
	why=$(sed -n 's:.*<title>[0-9]* *\(.*\)</title>.*:\1:p' "$body" |
	    head -n 1)
	[ "$cert_given" -eq 1 ] || why="$why (no client certificate given)"
	echo "$prog: $url: HTTP $code: ${why:-refused}" >&2
	exit 1
	;;
esac
