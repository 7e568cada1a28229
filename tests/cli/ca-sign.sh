# ca-sign: leaf certificates from requests (openssl req), for new keys
# and as renewals, read back with openssl, certtool and the ledger; every
# refusal leaves the CA directory, its ledger and the working directory
# exactly as they were.
. "$top_srcdir/tests/cli/lib.sh"

need openssl certtool $LEDGER_TOOLS

in_workdir

# ext_asn1 CERT NAME: asn1parse of the value of the extension that
# openssl calls NAME ("X509v3 Authority Key Identifier").
ext_asn1() {
	openssl x509 -in "$1" -outform DER -out "$T/ext.der"
	_off=$(openssl asn1parse -inform DER -in "$T/ext.der" |
	    grep -A2 ":$2\$" | grep 'OCTET STRING' | head -n 1 |
	    sed -E 's/^ *([0-9]+):.*/\1/')
	[ -n "$_off" ] && openssl asn1parse -inform DER -in "$T/ext.der" \
	    -strparse "$_off"
}

# ext CERT NAME: one extension as openssl prints it, on one line.
ext() {
	openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null | tr -s ' \n' ' '
}

serial_of() {
	openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr A-F a-f
}

pubkey_of() {
	openssl x509 -in "$1" -noout -pubkey
}

subject_of() {
	openssl x509 -in "$1" -noout -subject -nameopt RFC2253,-esc_msb
}

# The state a refusal must not touch: the CA directory (files, modes,
# hashes, ledger rows) and the names in the working directory.
state() {
	snapshot "$1"
	rows "$1"
	ls -A "$W"
}

# refused DESC STATUS PATTERN CADIR CMD...: exit STATUS with one line
# naming the problem, and nothing changed.
refused() {
	_rd=$1 _rst=$2 _rpat=$3 _rdir=$4
	shift 4
	_before=$(state "$_rdir")
	assert_fail "$_rd" "$_rst" "$_rpat" "$@"
	assert_eq "$_rd: nothing changed" "$(state "$_rdir")" "$_before"
}

# mkcsr OUT KEY SUBJECT [openssl req options]: a request made by openssl.
mkcsr() {
	_out=$1 _k=$2 _s=$3
	shift 3
	case $_k in
	p256)	set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256 "$@" ;;
	k1)	set -- -newkey ec -pkeyopt ec_paramgen_curve:secp256k1 "$@" ;;
	rsa*)	set -- -newkey "rsa:${_k#rsa}" "$@" ;;
	ed25519) set -- -newkey ed25519 "$@" ;;
	esac
	openssl req -new -nodes -keyout "$_out.key" -subj "$_s" "$@" \
	    -out "$_out" 2>"$T/req.err" ||
	    fail "openssl req for $_out: $(cat "$T/req.err")"
}

ca=$W/ca
cacrt=$ca/ca.crt

# check_leaf DESC CERT PROFILE KEYKIND [CADIR]: what every leaf holds.
check_leaf() {
	_d=$1 _c=$2 _p=$3 _k=$4 _ca=${5:-$ca}
	openssl x509 -in "$_c" -noout -text >"$T/text" 2>&1
	assert_contains "$_d: version 3" "$T/text" 'Version: 3 \(0x2\)'
	assert_eq "$_d: CA:FALSE critical" "$(ext "$_c" basicConstraints)" \
	    "X509v3 Basic Constraints: critical CA:FALSE "
	case $_k in
	rsa)	_ku="Digital Signature, Key Encipherment" ;;
	*)	_ku="Digital Signature" ;;
	esac
	assert_eq "$_d: keyUsage ($_k)" "$(ext "$_c" keyUsage)" \
	    "X509v3 Key Usage: critical $_ku "
	case $_p in
	server)	_eku="TLS Web Server Authentication" ;;
	client)	_eku="TLS Web Client Authentication" ;;
	peer)	_eku="TLS Web Server Authentication, TLS Web Client Authentication" ;;
	esac
	assert_eq "$_d: extendedKeyUsage ($_p)" "$(ext "$_c" extendedKeyUsage)" \
	    "X509v3 Extended Key Usage: $_eku "
	assert_contains "$_d: subjectKeyIdentifier" "$T/text" \
	    'X509v3 Subject Key Identifier'
	assert_eq "$_d: SKI is the key's, not the CA's" \
	    "$(ext "$_c" subjectKeyIdentifier | grep -c "$(ext "$_ca/ca.crt" \
	    subjectKeyIdentifier | sed 's/.*Identifier: //')")" 0
	assert_eq "$_d: AKI is the CA's SKI" \
	    "$(ext "$_c" authorityKeyIdentifier | sed 's/.*Identifier: //;
	    s/keyid://')" "$(ext "$_ca/ca.crt" subjectKeyIdentifier |
	    sed 's/.*Identifier: //')"
	ext_asn1 "$_c" 'X509v3 Authority Key Identifier' >"$T/aki" 2>&1
	assert_eq "$_d: AKI holds keyIdentifier [0] only" \
	    "$(grep 'd=1 ' "$T/aki" | sed "s/.*: *//; s/ *$//")" "cont [ 0 ]"
	assert_eq "$_d: issuer bytes are the CA's subject bytes" \
	    "$(crt_elem "$_c" 3)" "$(crt_elem "$_ca/ca.crt" 5)"
	_sl=$(openssl x509 -in "$_c" -outform DER |
	    openssl asn1parse -inform DER | grep ':d=2 ' | sed -n 2p)
	assert_eq "$_d: serial of 20 octets, top bit clear" \
	    "$(echo "$_sl" | grep -Ec 'l= *20 prim: INTEGER +:[0-7][0-9A-F]{39}$')" 1
	assert_eq "$_d: serial not starting with a zero octet" \
	    "$(echo "$_sl" | grep -c ':00')" 0
	for _pu in sslserver:1.3.6.1.5.5.7.3.1 sslclient:1.3.6.1.5.5.7.3.2; do
		_oid=${_pu#*:} _pu=${_pu%:*}
		case $_p:$_pu in
		client:sslserver|server:sslclient)
			run openssl verify -purpose "$_pu" \
			    -CAfile "$_ca/ca.crt" "$_c"
			if [ "$rc" -ne 0 ] && grep -q 'unsuitable certificate purpose' \
			    "$T/out" "$T/err"; then
				pass
			else
				fail "$_d: openssl verify -purpose $_pu: exit $rc"
			fi
			run certtool --verify --load-ca-certificate "$_ca/ca.crt" \
			    --infile "$_c" --verify-purpose "$_oid"
			if [ "$rc" -ne 0 ]; then pass; else
				fail "$_d: certtool --verify-purpose $_oid passed"
			fi
			;;
		*)
			assert_ok "$_d: openssl verify -purpose $_pu" \
			    openssl verify -purpose "$_pu" \
			    -CAfile "$_ca/ca.crt" "$_c"
			assert_ok "$_d: certtool --verify-purpose $_oid" \
			    certtool --verify \
			    --load-ca-certificate "$_ca/ca.crt" \
			    --infile "$_c" --verify-purpose "$_oid"
			;;
		esac
	done
	cat "$_c" "$_ca/ca.crt" >"$T/chain.pem"
	assert_ok "$_d: certtool --verify-chain" \
	    certtool --verify-chain --infile "$T/chain.pem"
}

# --- --help, -V --------------------------------------------------------
assert_ok "--help" ca-sign --help
assert_contains "--help: usage on stdout" "$T/out" '^usage: ca-sign '
assert_eq "--help: nothing on stderr" "$(cat "$T/err")" ""
for o in --dir --profile --days --dns --ip --email --uri --subject \
    --new-key --key-type --renew --output --key-passphrase-file --json \
    --help --version server client peer ecdsa-p256 ed25519 rsa-2048; do
	assert_contains "--help documents $o" "$T/out" "$o"
done
cp "$T/out" "$T/help"
assert_ok "-h" ca-sign -h
assert_eq "-h is --help" "$(cat "$T/out")" "$(cat "$T/help")"
assert_ok "-V" ca-sign -V
assert_contains "-V: name and version" "$T/out" '^ca-sign \(cakit\) [0-9]'

# --- The CAs -----------------------------------------------------------
# Non-ASCII in the CA's subject, so that a re-encoded issuer would show.
assert_ok "ca-init" ca-init -d "$ca" \
    --subject 'CN=Test Issuing CA,O=Example Zürich,C=CH'
assert_ok "ca-init --crl-url" ca-init -d "$W/cdp" --subject 'CN=CDP CA' \
    --crl-url http://crl.example.com/cdp.crl
assert_ok "ca-init --days 30" ca-init -d "$W/short" --subject 'CN=Short CA' \
    --days 30
assert_ok "ca-init rsa-2048" ca-init -d "$W/rsaca" --subject 'CN=RSA CA' \
    --key-type rsa-2048

# --- A CSR from a file, PEM ---------------------------------------------
mkcsr "$W/www.csr" p256 '/O=Example/CN=www.example.com' \
    -addext 'subjectAltName=DNS:www.example.com,DNS:example.com'
assert_ok "CSR file (PEM)" ca-sign -d "$ca" "$W/www.csr"
cp "$T/out" "$W/www.pem"
assert_eq "CSR file: no notes" "$(cat "$T/err")" ""
assert_eq "CSR file: one PEM certificate on stdout" \
    "$(grep -c 'BEGIN CERTIFICATE' "$W/www.pem")" 1
check_leaf "CSR file" "$W/www.pem" server ec
assert_eq "CSR file: the CSR's key" "$(pubkey_of "$W/www.pem")" \
    "$(openssl req -in "$W/www.csr" -noout -pubkey)"
assert_eq "CSR file: subject bytes are the CSR's" \
    "$(crt_elem "$W/www.pem" 5)" "$(csr_elem "$W/www.csr" 1)"
assert_eq "CSR file: the CSR's SANs" "$(ext "$W/www.pem" subjectAltName)" \
    "X509v3 Subject Alternative Name: DNS:www.example.com, DNS:example.com "
assert_eq "default: 365 days" "$(validity "$W/www.pem")" $((365 * 86400))
assert_eq "no CRL distribution point without --crl-url" \
    "$(openssl x509 -in "$W/www.pem" -noout -text | grep -c 'CRL Distribution')" 0
assert_eq "ledger: one row" "$(rows "$ca")" 1
s=$(serial_of "$W/www.pem")
assert_eq "ledger: the row" "$(ledger_sql "$ca" "SELECT subject ||
    '|' || replace(sans, char(10), ' ') || '|' || profile || '|' || status
    FROM certs WHERE serial = '$s'")" \
    "CN=www.example.com,O=Example|DNS:www.example.com DNS:example.com|server|valid"
assert_eq "ledger: the DER is the certificate" \
    "$(ledger_sql "$ca" "SELECT lower(hex(der)) FROM certs
    WHERE serial = '$s'")" \
    "$(openssl x509 -in "$W/www.pem" -outform DER | od -An -tx1 |
    tr -d ' \n')"

# --- stdin, DER -----------------------------------------------------------
openssl req -in "$W/www.csr" -outform DER -out "$W/www.der"
assert_ok "CSR on stdin (PEM, no argument)" ca-sign -d "$ca" <"$W/www.csr"
cp "$T/out" "$W/stdin.pem"
check_leaf "stdin PEM" "$W/stdin.pem" server ec
assert_ok "CSR on stdin (-)" ca-sign -d "$ca" - <"$W/www.csr"
assert_eq "stdin -: the CSR's key" "$(openssl x509 -in "$T/out" -noout \
    -pubkey)" "$(openssl req -in "$W/www.csr" -noout -pubkey)"
assert_ok "CSR file (DER)" ca-sign -d "$ca" "$W/www.der"
cp "$T/out" "$W/der.pem"
check_leaf "DER file" "$W/der.pem" server ec
assert_eq "DER: the CSR's key" "$(pubkey_of "$W/der.pem")" \
    "$(openssl req -in "$W/www.csr" -noout -pubkey)"
assert_ok "CSR on stdin (DER)" ca-sign -d "$ca" - <"$W/www.der"
assert_eq "stdin DER: the CSR's SANs" "$(openssl x509 -in "$T/out" -noout \
    -ext subjectAltName | tr -s ' \n' ' ')" \
    "X509v3 Subject Alternative Name: DNS:www.example.com, DNS:example.com "
assert_eq "ledger: five rows" "$(rows "$ca")" 5

# --- Key types and profiles -----------------------------------------------
mkcsr "$W/rsa.csr" rsa2048 '/CN=rsa.example.com' \
    -addext 'subjectAltName=DNS:rsa.example.com'
assert_ok "RSA CSR" ca-sign -d "$ca" -o "$W/rsa.pem" "$W/rsa.csr"
check_leaf "RSA CSR" "$W/rsa.pem" server rsa
mkcsr "$W/ed.csr" ed25519 '/CN=ed.example.com' \
    -addext 'subjectAltName=DNS:ed.example.com'
assert_ok "Ed25519 CSR" ca-sign -d "$ca" -o "$W/ed.pem" "$W/ed.csr"
check_leaf "Ed25519 CSR" "$W/ed.pem" server ed25519
assert_ok "--profile client" ca-sign -d "$ca" --profile client \
    -o "$W/client.pem" "$W/www.csr"
check_leaf "client" "$W/client.pem" client ec
assert_ok "--profile peer" ca-sign -d "$ca" --profile peer \
    -o "$W/peer.pem" "$W/rsa.csr"
check_leaf "peer, RSA" "$W/peer.pem" peer rsa
assert_ok "--profile server" ca-sign -d "$ca" --profile server \
    -o "$W/server.pem" "$W/ed.csr"
check_leaf "server, explicit" "$W/server.pem" server ed25519
assert_eq "ledger: the profiles" "$(ledger_sql "$ca" "SELECT profile
    FROM certs WHERE serial IN ('$(serial_of "$W/client.pem")',
    '$(serial_of "$W/peer.pem")') ORDER BY profile")" "client
peer"
assert_ok "leaf of an RSA CA" ca-sign -d "$W/rsaca" -o "$W/rsaca.pem" \
    "$W/www.csr"
check_leaf "RSA CA" "$W/rsaca.pem" server ec "$W/rsaca"
assert_ok "leaf of a --crl-url CA" ca-sign -d "$W/cdp" -o "$W/cdp.pem" \
    "$W/www.csr"
check_leaf "CDP CA" "$W/cdp.pem" server ec "$W/cdp"
assert_eq "CRL distribution point with --crl-url" \
    "$(ext "$W/cdp.pem" crlDistributionPoints)" \
    "X509v3 CRL Distribution Points: Full Name: URI:http://crl.example.com/cdp.crl "

# A client certificate needs no DNS or IP name.
mkcsr "$W/alice.csr" p256 '/CN=alice'
assert_ok "client without SANs" ca-sign -d "$ca" --profile client \
    -o "$W/alice.pem" "$W/alice.csr"
assert_eq "client without SANs: subject" "$(subject_of "$W/alice.pem")" \
    "subject=CN=alice"
assert_eq "client without SANs: no SAN extension" \
    "$(ext "$W/alice.pem" subjectAltName)" ""
check_leaf "client without SANs" "$W/alice.pem" client ec

# --- --new-key ------------------------------------------------------------
um=$(umask)
umask 000
assert_ok "--new-key" ca-sign -d "$ca" --new-key "$W/host.key" \
    --dns host.example.com --dns alias.example.com -o "$W/host.pem"
umask "$um"
assert_eq "--new-key: nothing on stdout with -o" "$(cat "$T/out")" ""
assert_eq "--new-key: key mode 0600 under umask 000" \
    "$(stat -c %a "$W/host.key")" 600
assert_eq "-o: mode 0644 under umask 000" "$(stat -c %a "$W/host.pem")" 644
assert_eq "--new-key: the key is the certificate's" \
    "$(openssl pkey -in "$W/host.key" -pubout 2>&1)" \
    "$(pubkey_of "$W/host.pem")"
openssl x509 -in "$W/host.pem" -noout -text >"$T/text"
assert_contains "--new-key: ecdsa-p256 by default" "$T/text" \
    'ASN1 OID: prime256v1'
assert_eq "--new-key: CN is the first SAN" "$(subject_of "$W/host.pem")" \
    "subject=CN=host.example.com"
check_leaf "--new-key" "$W/host.pem" server ec
assert_ok "--new-key, --ip first" ca-sign -d "$ca" --new-key "$W/ip.key" \
    --ip 192.0.2.10 --dns ip.example.com -o "$W/ip.pem"
assert_eq "--new-key: CN is the first SAN, an IP" \
    "$(subject_of "$W/ip.pem")" "subject=CN=192.0.2.10"
assert_ok "--new-key --subject" ca-sign -d "$ca" --new-key "$W/subj.key" \
    --subject 'CN=Given,OU=Ops,O=Example' --dns subj.example.com \
    -o "$W/subj.pem"
assert_eq "--new-key --subject: the subject" "$(subject_of "$W/subj.pem")" \
    "subject=CN=Given,OU=Ops,O=Example"
for kt in rsa-2048:rsa:'Public-Key: \(2048 bit\)' \
    ed25519:ed25519:'Public Key Algorithm: ED25519' \
    ecdsa-p384:ec:'ASN1 OID: secp384r1' rsa-3072:rsa:'Public-Key: \(3072 bit\)'; do
	t=${kt%%:*} k=${kt#*:} pat=${k#*:} k=${k%%:*}
	assert_ok "--new-key --key-type $t" ca-sign -d "$ca" --profile peer \
	    --new-key "$W/$t.key" --key-type "$t" --dns "$t.example.com" \
	    -o "$W/$t.pem"
	openssl x509 -in "$W/$t.pem" -noout -text >"$T/text"
	assert_contains "--key-type $t: the key" "$T/text" "$pat"
	assert_eq "--key-type $t: key file matches" \
	    "$(openssl pkey -in "$W/$t.key" -pubout 2>&1)" \
	    "$(pubkey_of "$W/$t.pem")"
	check_leaf "--key-type $t" "$W/$t.pem" peer "$k"
done
assert_ok "--new-key without -o" ca-sign -d "$ca" --new-key "$W/so.key" \
    --profile client --email ops@example.com
assert_eq "--new-key without -o: the certificate on stdout" \
    "$(openssl x509 -in "$T/out" -noout -pubkey)" \
    "$(openssl pkey -in "$W/so.key" -pubout)"
assert_eq "--new-key --email: CN is the address" \
    "$(openssl x509 -in "$T/out" -noout -subject -nameopt RFC2253)" \
    "subject=CN=ops@example.com"

md5=$(md5sum <"$W/host.key")
refused "--new-key over an existing key" 1 'host.key.*already exists' "$ca" \
    ca-sign -d "$ca" --new-key "$W/host.key" --dns other.example.com
assert_eq "--new-key: the existing key untouched" \
    "$(md5sum <"$W/host.key")" "$md5"
refused "--new-key, refused later: no key left" 1 'DNS or IP' "$ca" \
    ca-sign -d "$ca" --new-key "$W/none.key" --subject 'CN=x'
refused "--new-key, server with an email only" 1 'DNS or IP' "$ca" \
    ca-sign -d "$ca" --new-key "$W/none.key" --email a@example.com
refused "--new-key in a missing directory" 1 'none.d' "$ca" \
    ca-sign -d "$ca" --new-key "$W/none.d/k.pem" --dns a.example.com

# --- Subjects and SANs -----------------------------------------------------
assert_ok "--subject over the CSR's" ca-sign -d "$ca" \
    --subject 'CN=Override,O=Example' -o "$W/override.pem" "$W/www.csr"
assert_eq "--subject over the CSR's: subject" \
    "$(subject_of "$W/override.pem")" "subject=CN=Override,O=Example"
assert_eq "--subject: the CSR's SANs kept" \
    "$(ext "$W/override.pem" subjectAltName)" \
    "X509v3 Subject Alternative Name: DNS:www.example.com, DNS:example.com "

mkcsr "$W/sans.csr" p256 '/CN=csr.example.com' \
    -addext 'subjectAltName=DNS:csr.example.com,IP:192.0.2.1,email:a@example.com'
assert_ok "SANs from the CSR" ca-sign -d "$ca" -o "$W/csrsans.pem" \
    "$W/sans.csr"
assert_eq "SANs from the CSR: all of them" \
    "$(ext "$W/csrsans.pem" subjectAltName)" \
    "X509v3 Subject Alternative Name: DNS:csr.example.com, IP Address:192.0.2.1, email:a@example.com "
assert_ok "command-line SANs replace the CSR's" ca-sign -d "$ca" \
    --dns cli.example.com --ip 2001:DB8::1 --uri spiffe://example.com/a \
    -o "$W/clisans.pem" "$W/sans.csr"
assert_eq "command-line SANs: only they" "$(ext "$W/clisans.pem" subjectAltName)" \
    "X509v3 Subject Alternative Name: DNS:cli.example.com, IP Address:2001:DB8:0:0:0:0:0:1, URI:spiffe://example.com/a "
assert_eq "command-line SANs: in the ledger" "$(ledger_sql "$ca" \
    "SELECT replace(sans, char(10), ' ') FROM certs
    WHERE serial = '$(serial_of "$W/clisans.pem")'")" \
    "DNS:cli.example.com IP:2001:db8::1 URI:spiffe://example.com/a"
assert_eq "command-line SANs: the CSR's subject kept" \
    "$(subject_of "$W/clisans.pem")" "subject=CN=csr.example.com"
assert_ok "wildcard as the whole leftmost label" ca-sign -d "$ca" \
    --dns '*.example.com' --dns 'a-b.example.com' --new-key "$W/wild.key" \
    -o "$W/wild.pem"
assert_eq "wildcard: in the certificate" "$(ext "$W/wild.pem" subjectAltName)" \
    "X509v3 Subject Alternative Name: DNS:*.example.com, DNS:a-b.example.com "
label63=$(printf 'a%.0s' $(seq 63))
assert_ok "a 63-character label" ca-sign -d "$ca" --dns "$label63.example.com" \
    --new-key "$W/l63.key" -o "$W/l63.pem"
assert_contains "a 63-character label: in the certificate" \
    <(openssl x509 -in "$W/l63.pem" -noout -ext subjectAltName) \
    "DNS:$label63.example.com"
mkcsr "$W/wild.csr" p256 '/CN=wild' \
    -addext 'subjectAltName=DNS:*.wild.example.com'
assert_ok "wildcard in a CSR" ca-sign -d "$ca" -o "$W/wildcsr.pem" \
    "$W/wild.csr"

# server and peer need a DNS or IP name.
mkcsr "$W/nosan.csr" p256 '/CN=nosan.example.com'
refused "server without DNS/IP name" 1 'DNS or IP' "$ca" \
    ca-sign -d "$ca" "$W/nosan.csr"
refused "peer without DNS/IP name" 1 'DNS or IP' "$ca" \
    ca-sign -d "$ca" --profile peer "$W/nosan.csr"
mkcsr "$W/email.csr" p256 '/CN=mail' -addext 'subjectAltName=email:a@example.com'
refused "server with only an email name" 1 'DNS or IP' "$ca" \
    ca-sign -d "$ca" "$W/email.csr"
refused "server: --email only on the command line" 1 'DNS or IP' "$ca" \
    ca-sign -d "$ca" --email a@example.com "$W/www.csr"

# Malformed names on the command line: refused (exit 1, as issue 2 says
# for names in a request or on the command line).  No globbing: the
# words hold wildcards.
set -f
while IFS='|' read -r pat args; do
	# shellcheck disable=SC2086
	refused "malformed name: $args" 1 "$pat" "$ca" \
	    ca-sign -d "$ca" $args "$W/www.csr"
done <<EOF
'1.2.3.256'.*not an IPv4 or IPv6|--ip 1.2.3.256
'1.2.3'|--ip 1.2.3
'::g'|--ip ::g
'foo_bar.example.com'.*'_'|--dns foo_bar.example.com
label is longer than 63|--dns a${label63}.example.com
'foo\*.example.com'.*wildcard|--dns foo*.example.com
'a.\*.example.com'.*wildcard|--dns a.*.example.com
'\*.com'.*wildcard|--dns *.com
'\*\*.example.com'.*wildcard|--dns **.example.com
'a..example.com'.*empty label|--dns a..example.com
'-a.example.com'|--dns -a.example.com
'1.2.3.4'.*use --ip|--dns 1.2.3.4
'x'.*local@domain|--email x
'nope'.*scheme|--uri nope
EOF
set +f

# Malformed names inside a CSR: refused (exit 1).
while IFS='|' read -r pat san; do
	mkcsr "$W/bad.csr" p256 '/CN=bad' -addext "subjectAltName=$san"
	refused "malformed name in a CSR: $san" 1 "$pat.*in the CSR" "$ca" \
	    ca-sign -d "$ca" "$W/bad.csr"
	refused "malformed name in a CSR, client: $san" 1 "$pat" "$ca" \
	    ca-sign -d "$ca" --profile client "$W/bad.csr"
done <<EOF
'foo_bar.example.com'.*'_'|DNS:foo_bar.example.com
label is longer than 63|DNS:a${label63}.example.com
'foo\*.example.com'.*wildcard|DNS:foo*.example.com
'a.\*.example.com'.*wildcard|DNS:a.*.example.com
'\*.com'.*wildcard|DNS:*.com
'a..example.com'.*empty label|DNS:a..example.com
iPAddress of 5 octets|DER:300787050102030405
EOF
rm -f "$W/bad.csr" "$W/bad.csr.key"

# Extensions the CSR asks for are ignored, with a note.
mkcsr "$W/catrue.csr" p256 '/CN=sneaky.example.com' \
    -addext 'basicConstraints=critical,CA:TRUE' \
    -addext 'subjectAltName=DNS:sneaky.example.com'
assert_ok "CSR asking for CA:TRUE" ca-sign -d "$ca" -o "$W/catrue.pem" \
    "$W/catrue.csr"
assert_contains "CA:TRUE: a note on stderr" "$T/err" \
    '^ca-sign: .*basicConstraints CA:TRUE'
assert_eq "CA:TRUE: one line on stderr" "$(grep -c '' "$T/err")" 1
check_leaf "CSR asking for CA:TRUE" "$W/catrue.pem" server ec
mkcsr "$W/ku.csr" p256 '/CN=ku.example.com' \
    -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -addext 'extendedKeyUsage=codeSigning' \
    -addext 'subjectAltName=DNS:ku.example.com'
assert_ok "CSR asking for keyUsage and extendedKeyUsage" ca-sign -d "$ca" \
    -o "$W/ku.pem" "$W/ku.csr"
assert_contains "keyUsage: named in a note" "$T/err" '^ca-sign: .*keyUsage'
assert_contains "extendedKeyUsage: named in a note" "$T/err" \
    '^ca-sign: .*extendedKeyUsage'
check_leaf "CSR asking for keyUsage" "$W/ku.pem" server ec

# --- Refused input ---------------------------------------------------------
mkcsr "$W/rsa1024.csr" rsa1024 '/CN=weak.example.com' \
    -addext 'subjectAltName=DNS:weak.example.com'
refused "RSA-1024 CSR" 1 'RSA key of 1024 bits' "$ca" \
    ca-sign -d "$ca" "$W/rsa1024.csr"
mkcsr "$W/k1.csr" k1 '/CN=k1.example.com' \
    -addext 'subjectAltName=DNS:k1.example.com'
refused "secp256k1 CSR" 1 'curve' "$ca" ca-sign -d "$ca" "$W/k1.csr"
refused "secp256k1 CSR, --new-key style names" 1 'curve' "$ca" \
    ca-sign -d "$ca" --dns k1.example.com "$W/k1.csr"
# Flip a bit of the last octet: inside the signature's s.
cp "$W/www.der" "$W/forged.der"
n=$(stat -c %s "$W/forged.der")
last=$(tail -c 1 "$W/forged.der" | od -An -tu1 | tr -d ' ')
printf '%b' "\\$(printf '%03o' $((last ^ 1)))" |
    dd of="$W/forged.der" bs=1 seek=$((n - 1)) conv=notrunc 2>/dev/null
assert_eq "forged CSR differs in one octet" \
    "$(cmp -l "$W/www.der" "$W/forged.der" | wc -l)" 1
assert_ok "forged CSR still parses (openssl)" \
    openssl req -inform DER -in "$W/forged.der" -noout
refused "CSR with an altered signature" 1 'signature does not verify' "$ca" \
    ca-sign -d "$ca" "$W/forged.der"
openssl req -inform DER -in "$W/forged.der" -out "$W/forged.csr"
refused "CSR with an altered signature (PEM, stdin)" 1 \
    'signature does not verify' "$ca" ca-sign -d "$ca" - <"$W/forged.csr"
head -c 600 /dev/urandom >"$W/garbage"
refused "garbage" 1 'not a PKCS#10 request' "$ca" \
    ca-sign -d "$ca" "$W/garbage"
printf -- '-----BEGIN CERTIFICATE REQUEST-----\nnonsense\n-----END CERTIFICATE REQUEST-----\n' >"$W/badpem"
refused "PEM with garbage inside" 1 'not a PKCS#10 request' "$ca" \
    ca-sign -d "$ca" "$W/badpem"
refused "a certificate instead of a CSR" 1 'not a PKCS#10 request' "$ca" \
    ca-sign -d "$ca" "$W/www.pem"
: >"$W/empty"
refused "empty input" 1 'empty' "$ca" ca-sign -d "$ca" - <"$W/empty"
refused "missing CSR file" 1 'nosuch.csr' "$ca" \
    ca-sign -d "$ca" "$W/nosuch.csr"
refused "not a CA directory" 1 'not a CA directory|no such CA directory' \
    "$ca" ca-sign -d "$W/nosuch" "$W/www.csr"

# An expired CA: made in the past with faketime, else by openssl ca
# with cakit's key (the check is on the CA certificate's notAfter).
made=
if command -v faketime >/dev/null 2>&1 &&
    faketime '2020-01-01 00:00:00' ca-init -d "$W/expired" \
    --subject 'CN=Expired CA' --days 30 >/dev/null 2>&1; then
	made=faketime
else
	rm -rf "$W/expired"
	ca-init -d "$W/expired" --subject 'CN=Expired CA' >/dev/null
	mkdir "$T/oca"
	: >"$T/oca/index.txt"
	echo 01 >"$T/oca/serial"
	cat >"$T/oca/cnf" <<EOF
[ca]
default_ca = d
[d]
database = $T/oca/index.txt
new_certs_dir = $T/oca
serial = $T/oca/serial
default_md = sha256
policy = p
[p]
commonName = supplied
[v3]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
	openssl req -new -key "$W/expired/ca.key" -subj '/CN=Expired CA' \
	    -out "$T/oca/req.csr" &&
	openssl ca -batch -config "$T/oca/cnf" -selfsign \
	    -keyfile "$W/expired/ca.key" -in "$T/oca/req.csr" \
	    -startdate 20200101000000Z -enddate 20200131000000Z \
	    -extensions v3 -notext -out "$W/expired/ca.crt" \
	    >/dev/null 2>&1 && made=openssl
fi
if [ -n "$made" ]; then
	run openssl x509 -in "$W/expired/ca.crt" -noout -checkend 0
	if [ "$rc" -ne 0 ]; then pass; else
		fail "expired CA ($made): not expired"
	fi
	refused "expired CA ($made), CSR" 1 'expired' "$W/expired" \
	    ca-sign -d "$W/expired" "$W/www.csr"
	refused "expired CA ($made), --new-key" 1 'expired' "$W/expired" \
	    ca-sign -d "$W/expired" --new-key "$W/exp.key" \
	    --dns a.example.com
else
	echo "note: could not make an expired CA (no faketime, openssl ca" \
	    "failed): that case is not run"
fi

# --- Validity ----------------------------------------------------------------
assert_ok "--days 10" ca-sign -d "$ca" --days 10 -o "$W/d10.pem" "$W/www.csr"
assert_eq "--days 10: validity" "$(validity "$W/d10.pem")" $((10 * 86400))
assert_eq "--days 10: no warning" "$(cat "$T/err")" ""
assert_ok "--days past the CA's end" ca-sign -d "$W/short" --days 365 \
    -o "$W/cut.pem" "$W/www.csr"
assert_eq "cut: ends with the CA" \
    "$(openssl x509 -in "$W/cut.pem" -noout -enddate)" \
    "$(openssl x509 -in "$W/short/ca.crt" -noout -enddate)"
assert_contains "cut: a warning on stderr" "$T/err" \
    '^ca-sign: .*validity cut.*CA'
assert_ok "cut: the CA verifies it" openssl verify -purpose sslserver \
    -CAfile "$W/short/ca.crt" "$W/cut.pem"
assert_ok "--days 825: no warning" ca-sign -d "$ca" --days 825 \
    -o "$W/d825.pem" "$W/www.csr"
assert_eq "--days 825: nothing on stderr" "$(cat "$T/err")" ""
assert_ok "--days 826, server" ca-sign -d "$ca" --days 826 \
    -o "$W/d826.pem" "$W/www.csr"
assert_contains "--days 826, server: the 825-day warning" "$T/err" \
    '^ca-sign: .*825'
assert_eq "--days 826: issued as asked" "$(validity "$W/d826.pem")" \
    $((826 * 86400))
assert_ok "--days 900, peer" ca-sign -d "$ca" --days 900 --profile peer \
    -o "$W/d900p.pem" "$W/www.csr"
assert_contains "--days 900, peer: the 825-day warning" "$T/err" \
    '^ca-sign: .*825'
assert_ok "--days 900, client" ca-sign -d "$ca" --days 900 --profile client \
    -o "$W/d900c.pem" "$W/www.csr"
assert_eq "--days 900, client: no warning" "$(cat "$T/err")" ""

# --- The same names again --------------------------------------------------
n0=$(rows "$ca")
assert_ok "same subject and SANs, once" ca-sign -d "$ca" -o "$W/twice1.pem" \
    "$W/www.csr"
assert_ok "same subject and SANs, twice" ca-sign -d "$ca" -o "$W/twice2.pem" \
    "$W/www.csr"
assert_eq "twice: two rows" "$(rows "$ca")" $((n0 + 2))
if [ "$(serial_of "$W/twice1.pem")" != "$(serial_of "$W/twice2.pem")" ]; then
	pass
else
	fail "twice: the same serial"
fi

# --- --json ------------------------------------------------------------------
if have_json; then
	assert_ok "--json" ca-sign -d "$ca" --json --dns json.example.com \
	    --ip 192.0.2.7 --email j@example.com "$W/www.csr"
	j=$T/sign.json
	cp "$T/out" "$j"
	if json_valid "$j"; then pass; else fail "--json: not valid JSON"; fi
	assert_eq "--json: one line" "$(grep -c '' "$j")" 1
	json_get "$j" pem >"$W/json.pem"
	assert_eq "--json serial: 40 lowercase hex, the certificate's" \
	    "$(json_get "$j" serial)" "$(serial_of "$W/json.pem" |
	    grep -E '^[0-9a-f]{40}$')"
	assert_eq "--json subject" "$(json_get "$j" subject)" \
	    "CN=www.example.com,O=Example"
	assert_eq "--json sans" "$(json_get "$j" sans)" \
	    '["DNS:json.example.com","IP:192.0.2.7","email:j@example.com"]'
	assert_json_times "$j" "$W/json.pem"
	assert_eq "--json profile" "$(json_get "$j" profile)" server
	assert_eq "--json status" "$(json_get "$j" status)" valid
	assert_eq "--json files: none" "$(json_get "$j" files)" '{}'
	check_leaf "--json pem" "$W/json.pem" server ec

	assert_ok "--json -o --new-key" ca-sign -d "$ca" --json --profile client \
	    --new-key "$W/jk.key" -o "$W/jk.pem" --dns jk.example.com
	cp "$T/out" "$j"
	if json_valid "$j"; then pass; else fail "--json -o: not valid JSON"; fi
	assert_eq "--json -o: files" "$(json_get "$j" files)" \
	    "{\"certificate\":\"$W/jk.pem\",\"key\":\"$W/jk.key\"}"
	assert_eq "--json -o: no pem" "$(json_get "$j" pem)" null
	assert_eq "--json -o: profile" "$(json_get "$j" profile)" client
	assert_eq "--json -o: the file's serial" "$(json_get "$j" serial)" \
	    "$(serial_of "$W/jk.pem")"
fi

# A subject with SQL and RFC 4514 metacharacters and non-ASCII, stored
# verbatim and escaped in JSON.
subj='CN=Robert'"'"')\; DROP TABLE certs\;--,O=Zürich \"Ltd\"\, Inc'
assert_ok "hostile subject" ca-sign -d "$ca" --json --subject "$subj" \
    --dns bobby.example.com -o "$W/bobby.pem" "$W/www.csr"
cp "$T/out" "$T/bobby.json"
s=$(serial_of "$W/bobby.pem")
assert_eq "hostile subject: stored verbatim" "$(ledger_sql "$ca" \
    "SELECT subject FROM certs WHERE serial = '$s'")" "$subj"
assert_eq "hostile subject: the table is still there" \
    "$(ledger_sql "$ca" "SELECT count(*) > 10 FROM certs")" 1
assert_eq "hostile subject: in the certificate" "$(subject_of "$W/bobby.pem")" \
    "subject=$subj"
assert_contains "hostile subject: CN value" \
    <(openssl x509 -in "$W/bobby.pem" -noout -subject \
    -nameopt multiline,-esc_msb,utf8) "commonName += Robert'\); DROP TABLE certs;--\$"
assert_contains "hostile subject: UTF8String" \
    <(openssl x509 -in "$W/bobby.pem" -outform DER |
    openssl asn1parse -inform DER) 'UTF8STRING +:Zürich "Ltd", Inc'
if have_json; then
	if json_valid "$T/bobby.json"; then pass; else
		fail "hostile subject: not valid JSON"
	fi
	assert_eq "hostile subject: JSON" "$(json_get "$T/bobby.json" subject)" \
	    "$subj"
fi
# A control character in a CSR's subject is refused: GnuTLS prints it
# unescaped, so the ledger's RFC 4514 text would not read back.
mkcsr "$W/tab.csr" p256 "$(printf '/CN=tab\there')"
refused "tab in a CSR subject" 1 'control character U.0009' "$ca" \
    ca-sign -d "$ca" --json --profile client "$W/tab.csr"

# --- -o ----------------------------------------------------------------------
umask 077
assert_ok "-o under umask 077" ca-sign -d "$ca" -o "$W/o.pem" "$W/www.csr"
umask "$um"
assert_eq "-o: nothing on stdout" "$(cat "$T/out")" ""
assert_eq "-o: mode 0644 under umask 077" "$(stat -c %a "$W/o.pem")" 644
assert_ok "-o: a certificate" openssl x509 -in "$W/o.pem" -noout
assert_ok "--output replaces the file" ca-sign -d "$ca" --output "$W/o.pem" \
    "$W/www.csr"
assert_eq "--output: the new certificate" "$(serial_of "$W/o.pem")" \
    "$(ledger_sql "$ca" 'SELECT serial FROM certs
    ORDER BY rowid DESC LIMIT 1')"
refused "-o in a missing directory" 1 'none.d' "$ca" \
    ca-sign -d "$ca" -o "$W/none.d/o.pem" "$W/www.csr"
refused "-o names a directory" 1 'ca' "$ca" \
    ca-sign -d "$ca" -o "$ca" "$W/www.csr"

# --- The CA directory: $CA_DIR, else . ---------------------------------------
CA_DIR=$ca assert_ok "\$CA_DIR" ca-sign -o "$W/env.pem" "$W/www.csr"
assert_ok "\$CA_DIR: issued by that CA" openssl verify -CAfile "$cacrt" \
    "$W/env.pem"
cd "$ca" || exit 1
assert_ok "current directory" ca-sign -o "$W/cwd.pem" "$W/www.csr"
cd "$W" || exit 1
assert_ok "current directory: issued by that CA" openssl verify \
    -CAfile "$cacrt" "$W/cwd.pem"
CA_DIR=$W/nosuch assert_ok "-d over \$CA_DIR" ca-sign -d "$ca" \
    -o "$W/dopt.pem" "$W/www.csr"

# --- --renew -----------------------------------------------------------------
renew_check() {
	_d=$1 _old=$2 _new=$3
	assert_eq "$_d: a certificate" "$(openssl x509 -in "$_new" -noout \
	    >/dev/null 2>&1 && echo ok)" ok
	if [ "$(serial_of "$_old")" != "$(serial_of "$_new")" ]; then
		pass
	else
		fail "$_d: the same serial"
	fi
	assert_eq "$_d: the same key" "$(pubkey_of "$_new")" \
	    "$(pubkey_of "$_old")"
	assert_eq "$_d: the same subject" "$(subject_of "$_new")" \
	    "$(subject_of "$_old")"
	assert_eq "$_d: the same SANs" "$(ext "$_new" subjectAltName)" \
	    "$(ext "$_old" subjectAltName)"
	assert_eq "$_d: the same extendedKeyUsage" \
	    "$(ext "$_new" extendedKeyUsage)" "$(ext "$_old" extendedKeyUsage)"
	assert_eq "$_d: ledger replaces the old serial" \
	    "$(ledger_sql "$ca" "SELECT replaces FROM certs
	    WHERE serial = '$(serial_of "$_new")'")" "$(serial_of "$_old")"
}
# As openssl prints serials: uppercase, and with colons.
upper=$(openssl x509 -in "$W/host.pem" -noout -serial | cut -d= -f2)
colons=$(echo "$upper" | sed 's/../&:/g; s/:$//')
assert_ok "--renew SERIAL (uppercase, colons)" ca-sign -d "$ca" \
    --renew "$colons" -o "$W/renew1.pem"
renew_check "--renew uppercase:colons" "$W/host.pem" "$W/renew1.pem"
check_leaf "--renew" "$W/renew1.pem" server ec
assert_ok "--renew SERIAL (openssl -serial)" ca-sign -d "$ca" --renew "$upper" \
    -o "$W/renew2.pem"
renew_check "--renew uppercase" "$W/host.pem" "$W/renew2.pem"
assert_ok "--renew CERTFILE" ca-sign -d "$ca" --renew "$W/client.pem" \
    -o "$W/renew3.pem"
renew_check "--renew CERTFILE" "$W/client.pem" "$W/renew3.pem"
check_leaf "--renew client" "$W/renew3.pem" client ec
assert_ok "--renew with a CSR's subject" ca-sign -d "$ca" \
    --renew "$(serial_of "$W/csrsans.pem")" --days 30 -o "$W/renew4.pem"
renew_check "--renew CSR subject" "$W/csrsans.pem" "$W/renew4.pem"
assert_eq "--renew --days 30" "$(validity "$W/renew4.pem")" $((30 * 86400))
if have_json; then
	assert_ok "--renew --json" ca-sign -d "$ca" --renew "$W/bobby.pem" --json
	assert_eq "--renew --json: replaces" "$(json_get "$T/out" replaces)" \
	    "$(serial_of "$W/bobby.pem")"
	assert_eq "--renew --json: subject" "$(json_get "$T/out" subject)" \
	    "$subj"
fi
refused "--renew an unknown serial" 1 'not in the ledger' "$ca" \
    ca-sign -d "$ca" --renew 0123456789abcdef
refused "--renew not hex" 1 'not a hexadecimal' "$ca" \
    ca-sign -d "$ca" --renew xyz
refused "--renew another CA's certificate" 1 'not issued by' "$ca" \
    ca-sign -d "$ca" --renew "$W/cdp.pem"
refused "--renew with --dns" 2 'renew' "$ca" \
    ca-sign -d "$ca" --renew "$W/host.pem" --dns x.example.com
refused "--renew with a CSR" 2 'renew' "$ca" \
    ca-sign -d "$ca" --renew "$W/host.pem" "$W/www.csr"

# --- Usage errors ---------------------------------------------------------
set -f
while IFS='|' read -r pat args; do
	# shellcheck disable=SC2086
	refused "usage: $args" 2 "$pat" "$ca" ca-sign -d "$ca" $args
done <<EOF
--days 'abc'|--days abc $W/www.csr
--days '0'|--days 0 $W/www.csr
--days '99999999999'|--days 99999999999 $W/www.csr
--days '36501'|--days 36501 $W/www.csr
--days '-1'|--days -1 $W/www.csr
--profile 'ca'|--profile ca $W/www.csr
--profile 'bogus'|--profile bogus $W/www.csr
--key-type is for --new-key|--key-type rsa-2048 $W/www.csr
--key-type 'dsa'|--new-key $W/u.key --key-type dsa --dns a.example.com
--new-key.*CSR|--new-key $W/u.key --dns a.example.com $W/www.csr
more than one CSR|$W/www.csr $W/www.csr
same file|--new-key $W/u.key -o $W/u.key --dns a.example.com
subject 'CN'|--subject CN $W/www.csr
unknown option '--bogus'|--bogus $W/www.csr
unknown option -x|-x $W/www.csr
'--dns' needs a value|$W/www.csr --dns
EOF
set +f

# --- Concurrent signers ------------------------------------------------------
n0=$(rows "$ca")
for i in 1 2 3 4 5 6; do
	(ca-sign -d "$ca" --new-key "$W/par$i.key" --dns par.example.com \
	    -o "$W/par$i.pem" 2>"$T/par$i.err"; echo $? >"$T/par$i.rc") &
done
wait
assert_eq "concurrent: all succeed" "$(cat "$T"/par?.rc | tr -d '\n')" 000000
assert_eq "concurrent: every row kept" "$(rows "$ca")" $((n0 + 6))
assert_eq "concurrent: distinct serials" \
    "$(for i in 1 2 3 4 5 6; do serial_of "$W/par$i.pem"; done |
    sort -u | wc -l)" 6

finish
