# Name constraints, differentially: generated constraints (DNS names,
# the leading-dot form, case, trailing dots, IPv4 and IPv6 ranges, the
# IPv4-mapped block, email and URI subtrees) on roots and intermediates,
# and generated names (labels, wildcards, case, IPv4, IPv6, IPv4-mapped
# addresses, emails, URIs, host-like CNs).  Whatever cakit issues, both
# OpenSSL and GnuTLS must accept through the whole chain: cakit reads
# every constraint at least as strictly as the stricter of the two.
# Roots with the constraints ca-init cannot write (email, URI, ".d",
# upper case, a trailing dot) are cakit roots whose certificate python3's
# cryptography re-signs with the same key and those constraints.
#   NC_SEED=N  another seed (the default is fixed, so that a failure
#              replays); NC_CAS=N  more CAs
. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool python3

cd "$T"
set -f		# the names hold wildcards
seed=${NC_SEED:-9}
foreign=1
python3 -c 'import cryptography' 2>/dev/null ||
    skip "python3-cryptography is not installed (bootstrap.sh installs it)"

# The plan: "ca ID PARENT ARGS...", "foreign ID", "sign ID ARGS...".
python3 - "$seed" "${NC_CAS:-18}" "$foreign" >plan 2>foreign.py.err <<'EOF' ||
import json, random, sys

r = random.Random(int(sys.argv[1]))
ncas, foreign = int(sys.argv[2]), sys.argv[3] == '1'
labels = ['a', 'b', 'www', 'secret', 'x-1', 'mail']
bases = ['example.com', 'example.org', 'a.example.com', 'secret.example.com',
    'b.a.example.com', 'sub.example.org', 'evil.net']
v4 = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16',
    '172.16.0.0/12', '0.0.0.0/0']
v6 = ['fd00::/8', '2001:db8::/32', '::ffff:0:0/96', '::/0', 'fd00:1::/32',
    '::ffff:10.0.0.0/104']
ips = ['10.1.2.3', '10.2.3.4', '192.168.1.1', '172.16.5.4', '8.8.8.8',
    'fd00::1', 'fd00:1::5', '2001:db8::1', '::ffff:10.1.2.3',
    '::ffff:192.168.1.1', '::1', 'fe80::1']
emails = ['a@example.com', 'b@secret.example.com', 'c@sub.example.org',
    'd@evil.net', 'e@a.example.com', 'f@EXAMPLE.com']
uris = ['https://example.com/x', 'https://secret.example.com:8443/',
    'urn:example:x', 'https://u@secret.example.com/',
    'https://a.example.org/p', 'http://evil.net/', 'https://A.Example.COM/']

def case(s):
    if r.random() < 0.2:
        return ''.join(c.upper() if r.random() < 0.5 else c for c in s)
    return s

def host():
    b = r.choice(bases)
    k = r.random()
    if k < 0.3:
        return '*.' + b
    if k < 0.4:
        return b
    return '.'.join(r.choice(labels) for _ in range(r.randint(1, 2))) + \
        '.' + b

def pick(pool, lo, hi):
    return r.sample(pool, r.randint(lo, hi))

cas = []
for i in range(ncas):
    parent = r.choice(cas) if cas and r.random() < 0.35 else '-'
    if foreign and parent == '-' and r.random() < 0.3:
        nc = {'permit': [], 'exclude': []}
        for kind in ('permit', 'exclude'):
            for _ in range(r.randint(0 if kind == 'exclude' else 1, 2)):
                t = r.choice(['dns', 'dns', 'ip', 'email', 'uri'])
                if t == 'dns':
                    v = r.choice(['', '.']) + case(r.choice(bases)) + \
                        r.choice(['', '', '.'])
                elif t == 'ip':
                    v = r.choice(v4 + v6)
                elif t == 'email':
                    v = r.choice(['', '.', 'a@']) + r.choice(bases)
                else:
                    v = r.choice(['', '.']) + r.choice(bases)
                nc[kind].append([t, v])
        print('foreign', i, json.dumps(nc))
    else:
        args = []
        for opt, pool, lo, hi in (('--permit-dns', bases, 0, 2),
                ('--exclude-dns', [h for h in (host() for _ in range(4))
                    if not h.startswith('*')], 0, 2),
                ('--permit-ip', v4 + v6, 0, 2),
                ('--exclude-ip', v4 + v6, 0, 1)):
            for v in pick(pool, lo, min(hi, len(pool))):
                args += [opt, case(v)]
        print('ca', i, parent, *args)
    cas.append(str(i))
    for _ in range(6):
        args = []
        profile = r.choice(['server', 'client', 'client', 'peer'])
        args += ['--profile', profile]
        for _ in range(r.randint(1, 3)):
            t = r.choice(['dns', 'dns', 'ip', 'email', 'uri'])
            v = {'dns': host, 'ip': lambda: r.choice(ips),
                'email': lambda: r.choice(emails),
                'uri': lambda: r.choice(uris)}[t]()
            args += ['--' + t, case(v)]
        if r.random() < 0.4:
            args += ['--subject', 'CN=' + case(host().replace('*.', 'w.'))]
        print('sign', i, *args)
EOF
	fail "the generator failed: $(cat foreign.py.err)"

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout leaf.key -subj /O=Leaf -out leaf.csr 2>/dev/null ||
	fail "openssl req"

# The CAs.  A foreign root is a cakit root re-signed by python3 with the
# same key, subject and serial, before any intermediate is made under it.
cat >resign.py <<'EOF'
import ipaddress, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

def subtree(t, v):
    if t == 'dns':
        return x509.DNSName(v)
    if t == 'email':
        return x509.RFC822Name(v)
    if t == 'uri':
        return x509.UniformResourceIdentifier(v)
    if t == 'dn':
        return x509.DirectoryName(x509.Name([x509.NameAttribute(
            x509.oid.NameOID.ORGANIZATION_NAME, v)]))
    return x509.IPAddress(ipaddress.ip_network(v))

i, nc = sys.argv[1], json.loads(sys.argv[2])
if True:
    d = 'ca%s/' % i
    key = serialization.load_pem_private_key(open(d + 'pkey.pem', 'rb').read(),
        None)
    old = x509.load_pem_x509_certificate(open(d + 'ca.crt', 'rb').read())
    b = x509.CertificateBuilder().subject_name(old.subject) \
        .issuer_name(old.subject).public_key(key.public_key()) \
        .serial_number(old.serial_number) \
        .not_valid_before(old.not_valid_before_utc) \
        .not_valid_after(old.not_valid_after_utc)
    for e in old.extensions:
        if not isinstance(e.value, x509.NameConstraints):
            b = b.add_extension(e.value, e.critical)
    b = b.add_extension(x509.NameConstraints(
        permitted_subtrees=[subtree(*s) for s in nc['permit']] or None,
        excluded_subtrees=[subtree(*s) for s in nc['exclude']] or None), True)
    open(d + 'ca.crt', 'wb').write(b.sign(key, hashes.SHA256())
        .public_bytes(serialization.Encoding.PEM))
EOF
while read -r what id rest; do
	case $what in
	ca)
		set -- $rest
		parent=$1
		shift
		if [ "$parent" = - ]; then
			run ca-init -d "ca$id" --subject "CN=Root $id" "$@"
		else
			run ca-init -d "ca$id" --subject "CN=Sub $id" \
				--parent "ca$parent" "$@"
		fi
		[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] ||
			fail "ca-init ca$id $rest: exit $rc: $(cat "$T/err")"
		;;
	foreign)
		run ca-init -d "ca$id" --subject "CN=Foreign $id"
		[ "$rc" -eq 0 ] || fail "ca-init ca$id: exit $rc"
		# cryptography 48 refuses GnuTLS 3.7's encoding of some EC
		# keys (a private value of 33 octets); OpenSSL's is read.
		openssl pkey -in "ca$id/ca.key" -out "ca$id/pkey.pem" &&
		python3 resign.py "$id" "$rest" ||
			fail "re-signing ca$id with $rest failed"
		;;
	esac
done <plan

# The certificates.  Each issued one is verified through its chain.
issued=0 refused=0 n=0
while read -r what id rest; do
	[ "$what" = sign ] && [ -f "ca$id/ca.crt" ] || continue
	n=$((n + 1))
	set -- $rest
	run ca-sign -d "ca$id" leaf.csr -o "leaf$n.crt" "$@"
	case $rc in
	0)	issued=$((issued + 1)) ;;
	1)	refused=$((refused + 1))
		continue ;;
	*)	fail "ca-sign -d ca$id $rest: exit $rc: $(cat "$T/err")"
		continue ;;
	esac
	if [ -f "ca$id/chain.pem" ]; then
		# chain.pem holds the issuers above: the last one is the root.
		k=$(grep -c BEGIN "ca$id/chain.pem")
		awk -v k="$k" '/BEGIN/ { n++ } n == k { print > "root.pem"; next }
			{ print }' "ca$id/chain.pem" >up.pem
		cat "ca$id/ca.crt" up.pem >untrusted.pem
		chain=1
	else
		cp "ca$id/ca.crt" root.pem
		: >untrusted.pem
		chain=
	fi
	why=
	if ! openssl verify -CAfile root.pem ${chain:+-untrusted untrusted.pem} \
	    "leaf$n.crt" >v.out 2>&1; then
		why="openssl: $(tr '\n' ' ' <v.out)"
	fi
	cat "leaf$n.crt" untrusted.pem >withchain.pem
	certtool --verify --load-ca-certificate root.pem \
		--infile withchain.pem >v.out 2>&1
	grep -q 'Chain verification output: Verified' v.out ||
		why="$why certtool: $(grep -i 'verification output' v.out)"
	if [ -n "$why" ]; then
		cat root.pem untrusted.pem | openssl crl2pkcs7 -nocrl \
			-certfile /dev/stdin | openssl pkcs7 -print_certs \
			-text -noout 2>/dev/null |
			sed -n '/Subject:/p;/Name Constraints/,/Signature Algorithm/p' |
			grep -v 'Signature Algorithm' >nc.txt
		fail "ca$id issued $rest, which a verifier rejects: $why; constraints: $(tr -s ' \n' ' ' <nc.txt)"
	else
		pass
	fi
done <plan

# A directoryName subtree, which OpenSSL holds the subject to and cakit
# does not evaluate, stops all issuance, with a message that says so.
if [ "$foreign" = 1 ]; then
	assert_ok "ca-init for a directoryName root" ca-init -d cadn --subject CN=DN
	openssl pkey -in cadn/ca.key -out cadn/pkey.pem &&
		python3 resign.py dn '{"permit": [["dn", "Example"], ["dns", "example.com"]], "exclude": []}' ||
		fail "re-signing cadn"
	assert_fail "a directoryName constraint" 1 \
		"constraints of CN=DN .*does not evaluate.*issues nothing" \
		ca-sign -d cadn leaf.csr --dns www.example.com
fi

# Not vacuous: the plan issues some and refuses some.
[ "$issued" -ge 10 ] && pass || fail "only $issued certificates issued"
[ "$refused" -ge 10 ] && pass || fail "only $refused requests refused"
echo "nc-differential: seed $seed: $issued issued and verified, $refused refused"
finish
