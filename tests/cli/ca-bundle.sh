# ca-bundle: trust bundles, server chains, CRL bundles and PKCS#12,
# checked with openssl, certtool, gnutls-cli and keytool (issue 3,
# "ca-bundle").
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool gnutls-cli timeout

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

# subjects FILE: the subjects of a PEM file's certificates, in order.
subjects() {
	openssl crl2pkcs7 -nocrl -certfile "$1" |
	    openssl pkcs7 -print_certs -noout | sed -n 's/^subject=//p' |
	    tr '\n' ';'
}
ncerts() {
	grep -c -- '-----BEGIN CERTIFICATE-----' "$1"
}
fp() {
	openssl x509 -in "$1" -noout -fingerprint -sha256
}
# fps FILE: the fingerprints of every certificate in FILE, in order.
fps() {
	awk -v d="$T/split" '
	    /-----BEGIN CERTIFICATE-----/ { n++; f = d "." n }
	    f != "" { print > f }
	    /-----END CERTIFICATE-----/ { close(f); f = "" }
	    END { print n + 0 > (d ".n") }' "$1"
	_i=1
	while [ "$_i" -le "$(cat "$T/split.n")" ]; do
		fp "$T/split.$_i"
		_i=$((_i + 1))
	done
}
# crls FILE: each CRL in FILE as "ISSUER MD5", sorted.
crls() {
	awk -v d="$T/crl" '
	    /-----BEGIN X509 CRL-----/ { n++; f = d "." n }
	    f != "" { print > f }
	    /-----END X509 CRL-----/ { close(f); f = "" }
	    END { print n + 0 > (d ".n") }' "$1"
	_i=1
	while [ "$_i" -le "$(cat "$T/crl.n")" ]; do
		echo "$(openssl crl -in "$T/crl.$_i" -noout -issuer)" \
		    "$(md5sum <"$T/crl.$_i" | cut -d' ' -f1)"
		_i=$((_i + 1))
	done | sort
}
crl_line() {	# crl_line CADIR: what crls() prints for CADIR/crl.pem
	echo "$(openssl crl -in "$1/crl.pem" -noout -issuer)" \
	    "$(md5sum <"$1/crl.pem" | cut -d' ' -f1)"
}

# bundle OUT CMD...: run a ca-bundle that must succeed quietly; keep
# its stdout in OUT.
bundle() {
	_o=$1
	shift
	assert_ok "$*" "$@"
	cp "$T/out" "$_o"
	assert_eq "$*: nothing on stderr" "$(cat "$T/err")" ""
}

cd "$T" || exit 1

# --- a PKI: two roots, a three-level chain ----------------------------
assert_ok "root A" ca-init -d rootA --subject CN=Bundle-Root-A
assert_ok "root B" ca-init -d rootB --subject CN=Bundle-Root-B
assert_ok "intermediate I under A" ca-init -d inter --parent rootA \
    --subject CN=Bundle-Inter
assert_ok "intermediate S under I" ca-init -d sub --parent inter \
    --subject CN=Bundle-Sub
assert_ok "another CA" ca-init -d other --subject CN=Other-Root
assert_ok "leaf of A" ca-sign -d rootA --new-key la.key --dns la.test \
    --subject CN=la -o la.crt
assert_ok "leaf of B" ca-sign -d rootB --new-key lb.key --dns lb.test \
    --subject CN=lb -o lb.crt
assert_ok "server leaf of I" ca-sign -d inter --new-key li.key \
    --dns localhost --ip 127.0.0.1 --subject CN=localhost -o li.crt
assert_ok "server leaf of S" ca-sign -d sub --new-key ls.key \
    --dns localhost --ip 127.0.0.1 --subject CN=deep -o ls.crt
assert_ok "leaf of the other CA" ca-sign -d other --new-key lo.key \
    --dns lo.test -o lo.crt

# --- trust bundles ----------------------------------------------------
bundle a.pem ca-bundle -d rootA
assert_eq "root: one certificate" "$(ncerts a.pem)" 1
assert_eq "root: it is the root" "$(fps a.pem)" "$(fp rootA/ca.crt)"
bundle i.pem ca-bundle -d inter
assert_eq "intermediate: itself and the root" "$(fps i.pem)" \
    "$(fp inter/ca.crt; fp rootA/ca.crt)"
bundle s.pem ca-bundle -d sub
assert_eq "two levels down: sub, inter, root" "$(subjects s.pem)" \
    "CN = Bundle-Sub;CN = Bundle-Inter;CN = Bundle-Root-A;"
bundle ab.pem ca-bundle -d rootA -d rootB
assert_eq "two roots: both" "$(fps ab.pem)" \
    "$(fp rootA/ca.crt; fp rootB/ca.crt)"
bundle aa.pem ca-bundle -d rootA -d rootA
assert_eq "the same root twice: once" "$(fps aa.pem)" "$(fp rootA/ca.crt)"
bundle ia.pem ca-bundle -d inter -d rootA
assert_eq "inter and its root: each once" "$(fps ia.pem)" \
    "$(fp inter/ca.crt; fp rootA/ca.crt)"
bundle si.pem ca-bundle -d sub -d inter -d rootB
assert_eq "overlapping chains and a second root: each once" \
    "$(subjects si.pem)" \
    "CN = Bundle-Sub;CN = Bundle-Inter;CN = Bundle-Root-A;CN = Bundle-Root-B;"
assert_ok "openssl: the two-root bundle trusts A's leaf" \
    openssl verify -CAfile ab.pem la.crt
assert_ok "openssl: the two-root bundle trusts B's leaf" \
    openssl verify -CAfile ab.pem lb.crt
refuses "openssl: A's bundle does not trust B's leaf" \
    openssl verify -CAfile a.pem lb.crt
assert_ok "certtool: the two-root bundle trusts B's leaf" \
    certtool --verify-profile medium --verify --load-ca-certificate ab.pem \
    --infile lb.crt
assert_contains "certtool: trusted" "$T/out" 'Chain verification output: Verified'
assert_fail "a directory that is no CA" 1 'nosuch' ca-bundle -d nosuch

# --- --chain: leaf and intermediates, not the root -------------------
bundle ci.pem ca-bundle -d inter --chain li.crt
assert_eq "--chain under I: leaf, inter" "$(fps ci.pem)" \
    "$(fp li.crt; fp inter/ca.crt)"
bundle ci2.pem ca-bundle -d inter --chain \
    "$(openssl x509 -in li.crt -noout -serial | sed 's/^serial=//')"
assert_eq "--chain by serial is the same" "$(md5sum <ci2.pem)" \
    "$(md5sum <ci.pem)"
bundle cs.pem ca-bundle -d sub --chain ls.crt
assert_eq "--chain two levels down: leaf, sub, inter" "$(subjects cs.pem)" \
    "CN = deep;CN = Bundle-Sub;CN = Bundle-Inter;"
if fps cs.pem | grep -qF "$(fp rootA/ca.crt)"; then
	fail "--chain includes the root"
else
	pass
fi
bundle ca.pem ca-bundle -d rootA --chain la.crt
assert_eq "--chain under a root: the leaf alone" "$(fps ca.pem)" "$(fp la.crt)"
assert_ok "openssl: the chain file completes the path to the root" \
    openssl verify -x509_strict -CAfile rootA/ca.crt -untrusted cs.pem ls.crt
assert_ok "certtool: the chain file verifies against the root alone" \
    certtool --verify-profile medium --verify \
    --load-ca-certificate rootA/ca.crt --infile cs.pem
assert_contains "certtool: trusted" "$T/out" 'Chain verification output: Verified'
assert_fail "--chain: a certificate from another CA" 1 'not issued' \
    ca-bundle -d inter --chain lo.crt
assert_fail "--chain: an unknown serial" 1 'not in the ledger' \
    ca-bundle -d inter --chain 0123456789abcdef
assert_fail "--chain: a leaf of the parent is not the intermediate's" 1 \
    'not issued' ca-bundle -d inter --chain la.crt
assert_fail "--chain with two -d" 2 '' \
    ca-bundle -d inter -d rootA --chain li.crt
assert_fail "--chain with --crl" 2 '' ca-bundle -d inter --chain li.crt --crl

# --- a two-tier TLS handshake: a server configured with --chain -----
# The server loads the file as nginx does (SSL_CTX_use_certificate_chain_
# file, through Python's ssl); gnutls-cli trusts only the root.
if command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import ssl' 2>/dev/null; then
	cat >server.py <<'EOF'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[3])))
s.listen(8)
while True:
    c, _ = s.accept()
    try:
        t = ctx.wrap_socket(c, server_side=True)
        t.sendall(b"hello from the chain\n")
        t.unwrap().close()
    except Exception as e:
        print(e, file=sys.stderr, flush=True)
        c.close()
EOF
	# serve CHAINFILE KEY: a server on a fresh port, in $port.
	serve() {
		listen server.log python3 server.py "$1" "$2" PORT
	}
	# connect: gnutls-cli trusting only root A.
	connect() {
		timeout 20 gnutls-cli --x509cafile rootA/ca.crt -p "$port" \
		    127.0.0.1 </dev/null >cli.out 2>&1
		rc=$?
	}
	serve ci.pem li.key
	connect
	assert_eq "gnutls-cli: two-tier chain: exit 0" "$rc" 0
	assert_contains "gnutls-cli: the chain is trusted" cli.out \
	    'Status: The certificate is trusted'
	assert_contains "gnutls-cli: the handshake completed" cli.out \
	    'Handshake was completed'
	assert_contains "gnutls-cli: data came through" cli.out \
	    'hello from the chain'
	serve cs.pem ls.key
	connect
	assert_eq "gnutls-cli: three-tier chain: exit 0" "$rc" 0
	assert_contains "gnutls-cli: that chain is trusted too" cli.out \
	    'Status: The certificate is trusted'
	# Without the intermediates the same server fails: the chain matters.
	serve li.crt li.key
	connect
	assert_ok "gnutls-cli: the leaf alone is refused" test "$rc" -ne 0
	assert_not_contains "gnutls-cli: not trusted without the chain" \
	    cli.out 'Status: The certificate is trusted'
else
	echo "note: python3 with ssl is missing; no TLS handshake test"
fi

# --- --crl: certificates, then the CRLs of the chain -----------------
bundle cri.pem ca-bundle -d inter --crl
assert_eq "--crl: the certificates come first" \
    "$(sed -n 's/^-----BEGIN \(.*\)-----$/\1/p' cri.pem | uniq -c |
    awk '{ $1 = $1; print }' | tr '\n' ';')" "2 CERTIFICATE;2 X509 CRL;"
assert_eq "--crl: the certificates are the trust bundle" "$(fps cri.pem)" \
    "$(fp inter/ca.crt; fp rootA/ca.crt)"
assert_eq "--crl: the CRLs of inter and root, as published" "$(crls cri.pem)" \
    "$( (crl_line inter; crl_line rootA) | sort)"
bundle crs.pem ca-bundle -d sub --crl
assert_eq "--crl two levels down: three CRLs" "$(crls crs.pem)" \
    "$( (crl_line sub; crl_line inter; crl_line rootA) | sort)"
assert_ok "openssl: --crl output is a complete CRL trust store" \
    openssl verify -crl_check_all -CAfile crs.pem ls.crt
refuses "openssl: the trust bundle alone lacks the CRLs" \
    openssl verify -crl_check_all -CAfile s.pem ls.crt
assert_contains "openssl: CRL missing" "$T/err" 'unable to get certificate CRL'
# After a revocation --crl carries the new CRL.
assert_ok "revoke the deep leaf" ca-revoke -d sub ls.crt
bundle crs2.pem ca-bundle -d sub --crl
assert_eq "--crl: the new CRL" "$(crls crs2.pem)" \
    "$( (crl_line sub; crl_line inter; crl_line rootA) | sort)"
refuses "openssl: --crl output rejects the revoked leaf" \
    openssl verify -crl_check_all -CAfile crs2.pem ls.crt
cat "$T/out" "$T/err" >why.txt
assert_contains "openssl: certificate revoked" why.txt 'certificate revoked'
cat ls.crt sub/ca.crt inter/ca.crt >ls-chain.pem
run certtool --verify-profile medium --verify \
    --load-ca-certificate crs2.pem --load-crl crs2.pem --infile ls-chain.pem
assert_contains "certtool: --crl output rejects the revoked leaf" "$T/out" \
    'Chain verification output: Not verified.*revoked'
bundle cra.pem ca-bundle -d rootA --crl
assert_eq "--crl of a root: its certificate and its CRL" \
    "$(ncerts cra.pem) $(crls cra.pem)" "1 $(crl_line rootA)"

# --- --pkcs12 --------------------------------------------------------
pw='correct horse battery'
printf '%s\nthe second line is not the passphrase\n' "$pw" >pass.txt
chmod 600 pass.txt
assert_ok "--pkcs12" ca-bundle -d sub --pkcs12 ls.p12 --key ls.key \
    --cert ls.crt --passphrase-file pass.txt
assert_eq "--pkcs12: nothing on stdout" "$(cat "$T/out")" ""
assert_eq "--pkcs12: mode 0600" "$(stat -c %a ls.p12)" 600
assert_ok "openssl pkcs12 -info: the MAC verifies" \
    openssl pkcs12 -info -noout -in ls.p12 -passin file:pass.txt
assert_contains "openssl: a shrouded key bag" "$T/err" 'Shrouded Keybag'
# Both bags with PBES2, PBKDF2 and AES-256 (not 3DES or RC2, which
# openssl would print the same words "Shrouded Keybag" for), and the
# MAC with SHA-256.
assert_contains "pkcs12: the key bag is PBES2/PBKDF2/AES-256" "$T/err" \
    '^Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC'
assert_contains "pkcs12: the certificate bag is PBES2/PBKDF2/AES-256" \
    "$T/err" '^PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC'
assert_not_contains "pkcs12: no legacy cipher" "$T/err" \
    '3DES|RC2|RC4|DES-EDE|pbeWithSHA1'
assert_contains "pkcs12: the MAC is HMAC-SHA256" "$T/err" '^MAC: sha256'
assert_contains "openssl: MAC" "$T/err" '^MAC: sha256'
refuses "openssl: the wrong passphrase fails" \
    openssl pkcs12 -info -noout -in ls.p12 -passin pass:wrong
run openssl pkcs12 -in ls.p12 -passin file:pass.txt -nokeys -clcerts \
    -out p12-leaf.pem
assert_eq "pkcs12: the certificate is the leaf" "$(fps p12-leaf.pem)" \
    "$(fp ls.crt)"
run openssl pkcs12 -in ls.p12 -passin file:pass.txt -nokeys -cacerts \
    -out p12-cas.pem
assert_eq "pkcs12: the intermediates, not the root" \
    "$(fps p12-cas.pem | sort)" "$( (fp sub/ca.crt; fp inter/ca.crt) | sort)"
run openssl pkcs12 -in ls.p12 -passin file:pass.txt -nocerts -nodes \
    -out p12-key.pem
assert_eq "pkcs12: the key matches the certificate" \
    "$(openssl pkey -in p12-key.pem -pubout)" \
    "$(openssl x509 -in ls.crt -noout -pubkey)"
assert_eq "pkcs12: it is the key given" \
    "$(openssl pkey -in p12-key.pem -pubout)" \
    "$(openssl pkey -in ls.key -pubout)"
assert_ok "certtool --p12-info reads it" certtool --p12-info --inder \
    --infile ls.p12 --password "$pw"
assert_contains "certtool: an encrypted key" "$T/out" 'PKCS #8 Encrypted key'
if command -v keytool >/dev/null 2>&1; then
	assert_ok "keytool -list reads it" keytool -list -v -keystore ls.p12 \
	    -storetype PKCS12 -storepass "$pw"
	assert_contains "keytool: one entry" "$T/out" \
	    'Your keystore contains 1 entry'
	assert_contains "keytool: a private key entry" "$T/out" \
	    'Entry type: PrivateKeyEntry'
	assert_contains "keytool: the chain is leaf, sub, inter" "$T/out" \
	    'Certificate chain length: 3'
	assert_contains "keytool: owner of the leaf" "$T/out" '^Owner: CN=deep'
else
	echo "note: keytool is missing; PKCS#12 not imported into Java"
fi
assert_ok "--pkcs12 under a root: key and leaf only" ca-bundle -d rootA \
    --pkcs12 la.p12 --key la.key --cert la.crt --passphrase-file pass.txt
run openssl pkcs12 -in la.p12 -passin file:pass.txt -nokeys -out la-certs.pem
assert_eq "root's leaf: one certificate in it" "$(fps la-certs.pem)" \
    "$(fp la.crt)"

# Refusals.
md5=$(md5sum <ls.p12)
assert_fail "--pkcs12: an existing OUT" 1 'ls.p12' ca-bundle -d sub \
    --pkcs12 ls.p12 --key ls.key --cert ls.crt --passphrase-file pass.txt
assert_eq "the existing OUT is untouched" "$(md5sum <ls.p12)" "$md5"
assert_fail "--pkcs12: a key that does not match" 1 'match' ca-bundle -d sub \
    --pkcs12 bad1.p12 --key li.key --cert ls.crt --passphrase-file pass.txt
assert_fail "--pkcs12: a certificate from another CA" 1 'not issued' \
    ca-bundle -d sub --pkcs12 bad2.p12 --key lo.key --cert lo.crt \
    --passphrase-file pass.txt
assert_fail "--pkcs12: a certificate of the parent CA" 1 'not issued' \
    ca-bundle -d sub --pkcs12 bad3.p12 --key li.key --cert li.crt \
    --passphrase-file pass.txt
assert_fail "--pkcs12 without --passphrase-file" 2 'passphrase' \
    ca-bundle -d sub --pkcs12 bad4.p12 --key ls.key --cert ls.crt
assert_fail "--pkcs12 with a missing passphrase file" 1 'nosuch' \
    ca-bundle -d sub --pkcs12 bad5.p12 --key ls.key --cert ls.crt \
    --passphrase-file nosuch.txt
assert_eq "no refused OUT was created" "$(ls bad*.p12 2>/dev/null | wc -l)" 0
assert_fail "--key without --pkcs12" 2 '' ca-bundle -d sub --key ls.key

finish
