#!/bin/bash
# Requests made by tools cakit did not write: `openssl req` and
# `certtool --generate-request`, for every key type cakit supports, PEM
# and DER, with the SANs in the request.  Every certificate is checked
# by OpenSSL and by GnuTLS, and must carry the request's own public key,
# subject and names.  Then a CA of every key type signs one leaf that
# both verifiers accept.
. "$top_srcdir/tests/cli/lib.sh"

need openssl certtool

TYPES="ecdsa-p256 ecdsa-p384 ed25519 rsa-2048 rsa-3072 rsa-4096"

# ossl_key TYPE FILE: a private key made by OpenSSL.
ossl_key() {
	case $1 in
	ecdsa-p256)
		set -- "$2" -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		    -pkeyopt ec_param_enc:named_curve ;;
	ecdsa-p384)
		set -- "$2" -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
		    -pkeyopt ec_param_enc:named_curve ;;
	ed25519)
		set -- "$2" -algorithm ED25519 ;;
	rsa-*)
		set -- "$2" -algorithm RSA -pkeyopt rsa_keygen_bits:"${1#rsa-}" ;;
	esac
	_out=$1
	shift
	openssl genpkey "$@" -out "$_out" 2>"$T/keygen.err"
}

# gtls_key TYPE FILE: a private key made by GnuTLS.
gtls_key() {
	case $1 in
	ecdsa-p256)	set -- "$2" --key-type ecdsa --curve secp256r1 ;;
	ecdsa-p384)	set -- "$2" --key-type ecdsa --curve secp384r1 ;;
	ed25519)	set -- "$2" --key-type ed25519 ;;
	rsa-*)		set -- "$2" --key-type rsa --bits "${1#rsa-}" ;;
	esac
	_out=$1
	shift
	certtool --generate-privkey "$@" --outfile "$_out" 2>"$T/keygen.err"
}

# The public key, subject and SANs as OpenSSL prints them, for a request
# (req) or a certificate (x509), PEM or DER.
pubkey() {
	openssl "$1" -in "$2" -inform "$3" -pubkey -noout 2>&1
}

subject() {
	openssl "$1" -in "$2" -inform "$3" -noout -subject -nameopt RFC2253 2>&1
}

sans() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>&1 | sed -n 2p |
	    sed 's/^ *//'
}

# check_leaf DESC CERT CSR CSRFORM CA SANS HOST: the certificate CERT
# issued for CSR by the CA in directory CA is accepted by OpenSSL and
# GnuTLS as a TLS server certificate for HOST, and holds the request's
# key, subject and names (SANS, as `openssl x509 -ext` prints them).
check_leaf() {
	_d=$1 _crt=$2 _csr=$3 _form=$4 _ca=$5/ca.crt _sans=$6 _host=$7

	run openssl verify -CAfile "$_ca" -purpose sslserver "$_crt"
	if [ "$rc" -eq 0 ] && grep -q ": OK\$" "$T/out"; then
		pass
	else
		fail "$_d: openssl verify: exit $rc: $(cat "$T/out" "$T/err")"
	fi

	cat "$_crt" "$_ca" >"$T/chain.pem"
	run certtool --verify-chain --infile "$T/chain.pem"
	if [ "$rc" -eq 0 ] && grep -q "Chain verification output: Verified" "$T/out"
	then
		pass
	else
		fail "$_d: certtool --verify-chain: exit $rc: $(tail -3 "$T/out")"
	fi

	run certtool --verify --load-ca-certificate "$_ca" --infile "$_crt" \
	    --verify-hostname "$_host" --verify-purpose 1.3.6.1.5.5.7.3.1
	if [ "$rc" -eq 0 ] && grep -q "Chain verification output: Verified" "$T/out"
	then
		pass
	else
		fail "$_d: certtool --verify for $_host: exit $rc: $(tail -3 "$T/out")"
	fi

	assert_eq "$_d: public key is the request's" \
	    "$(pubkey x509 "$_crt" PEM)" "$(pubkey req "$_csr" "$_form")"
	assert_eq "$_d: subject is the request's" \
	    "$(subject x509 "$_crt" PEM)" "$(subject req "$_csr" "$_form")"
	assert_eq "$_d: SANs are the request's" "$(sans "$_crt")" "$_sans"
}

ca=$T/ca
assert_ok "ca-init" ca-init -d "$ca" --subject "CN=Interop Root,O=cakit tests"

n=0
for t in $TYPES; do
	n=$((n + 1))

	# OpenSSL: one key, a PEM and a DER request (two requests, so that
	# each encoding is what the producer itself wrote).
	k=$T/ossl-$t.key
	h=ossl-$t.example.test
	if [ "$t" = rsa-4096 ] && [ -s "$T/rsa-4096.key" ]; then
		cp "$T/rsa-4096.key" "$k"
	elif ! ossl_key "$t" "$k"; then
		fail "openssl genpkey $t: $(cat "$T/keygen.err")"
		continue
	fi
	[ "$t" = rsa-4096 ] && cp "$k" "$T/rsa-4096.key"
	for form in PEM DER; do
		csr=$T/ossl-$t.$form
		if ! openssl req -new -key "$k" -subj "/O=cakit tests/CN=$h" \
		    -addext "subjectAltName=DNS:$h,DNS:www.$h,IP:192.0.2.$n" \
		    -outform "$form" -out "$csr" 2>"$T/req.err"; then
			fail "openssl req $t $form: $(cat "$T/req.err")"
			continue
		fi
		crt=$T/ossl-$t-$form.crt
		if [ "$form" = PEM ]; then
			assert_ok "ca-sign openssl $t PEM file" \
			    ca-sign -d "$ca" -o "$crt" "$csr"
		else
			assert_ok "ca-sign openssl $t DER stdin" \
			    ca-sign -d "$ca" -o "$crt" - <"$csr"
		fi
		[ -s "$crt" ] || { fail "openssl $t $form: no certificate"; continue; }
		check_leaf "openssl $t $form" "$crt" "$csr" "$form" "$ca" \
		    "DNS:$h, DNS:www.$h, IP Address:192.0.2.$n" "www.$h"
	done

	# GnuTLS: its own key (except the one RSA-4096 key, made once),
	# a template with DNS names, an IPv4 and an IPv6 address.
	k=$T/gtls-$t.key
	h=gtls-$t.example.test
	if [ "$t" = rsa-4096 ]; then
		cp "$T/rsa-4096.key" "$k"
	elif ! gtls_key "$t" "$k"; then
		fail "certtool --generate-privkey $t: $(cat "$T/keygen.err")"
		continue
	fi
	cat >"$T/gtls-$t.tmpl" <<-EOF
	organization = "cakit tests"
	cn = "$h"
	dns_name = "$h"
	dns_name = "api.$h"
	ip_address = "198.51.100.$n"
	ip_address = "2001:db8::$n"
	EOF
	for form in PEM DER; do
		csr=$T/gtls-$t.$form
		set --
		[ "$form" = DER ] && set -- --outder
		if ! certtool --generate-request --load-privkey "$k" \
		    --template "$T/gtls-$t.tmpl" "$@" --outfile "$csr" \
		    >/dev/null 2>"$T/req.err"; then
			fail "certtool --generate-request $t $form: $(cat "$T/req.err")"
			continue
		fi
		crt=$T/gtls-$t-$form.crt
		if [ "$form" = DER ]; then
			assert_ok "ca-sign certtool $t DER file" \
			    ca-sign -d "$ca" -o "$crt" "$csr"
		else
			assert_ok "ca-sign certtool $t PEM stdin" \
			    ca-sign -d "$ca" -o "$crt" - <"$csr"
		fi
		[ -s "$crt" ] || { fail "certtool $t $form: no certificate"; continue; }
		check_leaf "certtool $t $form" "$crt" "$csr" "$form" "$ca" \
		    "DNS:$h, DNS:api.$h, IP Address:198.51.100.$n, IP Address:2001:DB8:0:0:0:0:0:$n" \
		    "api.$h"
	done
done

# Every issued certificate is in the ledger: 6 types, 2 producers, 2
# encodings.
assert_eq "ledger rows" "$(rows "$ca")" 24

# A CA of every key type signs one leaf (for the OpenSSL P-256 request,
# with the names given on the command line), and both verifiers accept
# it; the signature is made with the CA's kind of key.
for t in $TYPES; do
	d=$T/ca-$t
	h=leaf-under-$t.example.test
	assert_ok "ca-init --key-type $t" \
	    ca-init -d "$d" --key-type "$t" --subject "CN=Interop $t Root"
	crt=$T/under-$t.crt
	assert_ok "ca-sign by a $t CA" \
	    ca-sign -d "$d" --dns "$h" -o "$crt" "$T/ossl-ecdsa-p256.PEM"
	[ -s "$crt" ] || { fail "$t CA: no certificate"; continue; }
	check_leaf "leaf of a $t CA" "$crt" "$T/ossl-ecdsa-p256.PEM" PEM "$d" \
	    "DNS:$h" "$h"
	case $t in
	ecdsa-*)	alg='ecdsa-with-SHA(256|384)' ;;
	ed25519)	alg='ED25519' ;;
	rsa-*)		alg='sha(256|384|512)WithRSAEncryption' ;;
	esac
	openssl x509 -in "$crt" -noout -text >"$T/text" 2>&1
	assert_contains "leaf of a $t CA: signature algorithm" "$T/text" \
	    "^    Signature Algorithm: $alg\$"
done

finish
