# Hostile input, table-driven: each case has its expected exit status
# and message.  For every case: that status, one line on stderr naming
# the problem, nothing on stdout, the CA directory and its ledger
# unchanged, and no crash.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

cd "$T"
ca-init -d ca --subject 'CN=Hostile Test CA' >/dev/null 2>&1 || fail "ca-init"
ca-sign -d ca --new-key good.key --dns good.example -o good.crt 2>/dev/null ||
	fail "ca-sign"

# Fixtures.
req() {	# req OUT KEYARGS [openssl req args...]
	_out=$1 _key=$2
	shift 2
	# shellcheck disable=SC2086
	openssl req -new $_key -nodes -keyout "$_out.key" -subj /CN=h \
		-out "$_out" "$@" 2>/dev/null || fail "fixture $_out"
}
EC='-newkey ec -pkeyopt ec_paramgen_curve:P-256'
req ok.csr "$EC" -addext subjectAltName=DNS:ok.example
openssl req -in ok.csr -outform DER -out ok.der
size=$(wc -c <ok.csr)
dsize=$(wc -c <ok.der)
head -c 10 ok.csr >trunc10.csr
head -c 100 ok.csr >trunc100.csr
head -c $((size / 2)) ok.csr >trunchalf.csr
head -c $((size - 30)) ok.csr >trunc30.csr
head -c 20 ok.der >trunc20.der
head -c $((dsize / 2)) ok.der >trunchalf.der
head -c $((dsize - 1)) ok.der >trunc1.der
sed '2s/^..../!!!!/' ok.csr >badb64.csr
: >empty.csr
head -c 4096 /dev/urandom >random.bin
head -c 5242880 /dev/zero | tr '\0' 'A' >garbage5m.bin
# The signature altered after signing: flip a bit of the last byte.
cp ok.der badsig.der
last=$(tail -c 1 ok.der | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $((last ^ 1)))" |
	dd of=badsig.der bs=1 seek=$((dsize - 1)) conv=notrunc 2>/dev/null
# The subject altered after signing: CN=h becomes CN=i.
LC_ALL=C sed 's/\x03\x0c\x01h/\x03\x0c\x01i/; s/\x03\x13\x01h/\x03\x13\x01i/' \
	ok.der >badsubj.der
cmp -s ok.der badsubj.der && fail "fixture badsubj.der: nothing altered"
req rsa1024.csr '-newkey rsa:1024'
req k1.csr '-newkey ec -pkeyopt ec_paramgen_curve:secp256k1'
req brainpool.csr '-newkey ec -pkeyopt ec_paramgen_curve:brainpoolP256r1'
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 \
	-out dsa.param 2>/dev/null
req dsa.csr '-newkey dsa:dsa.param'
req nul.csr "$EC" -addext 'subjectAltName=DER:300d820b676f6f6400657669632e6f'
label=$(printf 'a%.0s' $(seq 300))
req longname.csr "$EC" -addext "subjectAltName=DNS:$label.example"
label64=$(printf 'b%.0s' $(seq 64))
req longlabel.csr "$EC" -addext "subjectAltName=DNS:$label64.example"
req wild.csr "$EC" -addext 'subjectAltName=DNS:foo*.example.com'
req wildtld.csr "$EC" -addext 'subjectAltName=DNS:*.com'
req ip5.csr "$EC" -addext 'subjectAltName=DER:300687050a00000102'
req under.csr "$EC" -addext 'subjectAltName=DNS:bad_name.example'
req nosan.csr "$EC"
many=$(for i in $(seq 101); do printf -- '--dns h%d.example ' "$i"; done)
mkdir adir
# Outputs that are not regular files, or a CA file under another name.
mkfifo hfifo
ln -s good.crt hlink
ln -s /proc/self/fd/1 hstdout
ln -s ca cadir
mkdir hreqs
cp ok.csr hreqs/ca.csr

# Damaged copies of the CA, one per case.
damaged() {
	rm -rf "$1"
	cp -a ca "$1"
}
damaged corrupt
ledger_corrupt corrupt
damaged wrongkey
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 \
	-out wrongkey/ca.key 2>/dev/null
chmod 600 wrongkey/ca.key
damaged keymode
chmod 644 keymode/ca.key
damaged dirmode
chmod 777 dirmode
damaged nocrt
rm nocrt/ca.crt

# status | message (ERE) | command
cat >cases <<EOF
1|empty input|ca-sign -d ca empty.csr
1|empty input|ca-sign -d ca - </dev/null
1|PKCS#10|ca-sign -d ca random.bin
1|larger than|ca-sign -d ca garbage5m.bin
1|larger than|ca-sign -d ca - <garbage5m.bin
1|PKCS#10|ca-sign -d ca trunc10.csr
1|PKCS#10|ca-sign -d ca trunc100.csr
1|PKCS#10|ca-sign -d ca trunchalf.csr
1|PKCS#10|ca-sign -d ca trunc30.csr
1|PKCS#10|ca-sign -d ca trunc20.der
1|PKCS#10|ca-sign -d ca trunchalf.der
1|PKCS#10|ca-sign -d ca trunc1.der
1|PKCS#10|ca-sign -d ca badb64.csr
1|signature does not verify|ca-sign -d ca badsig.der
1|signature does not verify|ca-sign -d ca badsubj.der
1|RSA key of 1024 bits|ca-sign -d ca rsa1024.csr
1|unsupported|ca-sign -d ca k1.csr
1|unsupported|ca-sign -d ca brainpool.csr
1|not supported|ca-sign -d ca dsa.csr
1|NUL byte|ca-sign -d ca nul.csr
1|longer than 253|ca-sign -d ca longname.csr
1|longer than 63|ca-sign -d ca longlabel.csr
1|wildcard|ca-sign -d ca wild.csr
1|wildcard needs at least two labels|ca-sign -d ca wildtld.csr
1|subjectAltName|ca-sign -d ca ip5.csr
1|invalid character|ca-sign -d ca under.csr
1|needs at least one DNS or IP|ca-sign -d ca nosan.csr
1|not a PKCS#10|ca-sign -d ca good.crt
1|adir|ca-sign -d ca adir
1|no-such-file|ca-sign -d ca no-such-file.csr
1|longer than 253|ca-sign -d ca --dns $label.example ok.csr
1|longer than 63|ca-sign -d ca --dns $label64.example ok.csr
1|wildcard|ca-sign -d ca --dns 'a.*.example.com' ok.csr
1|iPAddress '999.1.1.1'|ca-sign -d ca --ip 999.1.1.1 ok.csr
1|empty|ca-sign -d ca --dns '' ok.csr
1|more than 100|ca-sign -d ca $many ok.csr
1|URI|ca-sign -d ca --uri 'https://a b/' ok.csr
2|--days 'abc'|ca-sign -d ca --days abc ok.csr
2|--days '0'|ca-sign -d ca --days 0 ok.csr
2|--days '-1'|ca-sign -d ca --days -1 ok.csr
2|--days '99999999999'|ca-sign -d ca --days 99999999999 ok.csr
2|--days '18446744073709551617'|ca-sign -d ca --days 18446744073709551617 ok.csr
2|--days ' 7'|ca-sign -d ca --days ' 7' ok.csr
2|--crl-days '0'|ca-revoke -d ca --crl --crl-days 0
2|--crl takes only|ca-revoke -d ca --crl --json
2|--crl takes only|ca-revoke -d ca --crl --reason unspecified
2|unknown option '--bogus'|ca-revoke -d ca --bogus
2|unknown option '--bogus'|ca-list -d ca --bogus
2|needs a value|ca-bundle -d ca --chain
2|profile from the certificate|ca-sign -d ca --renew 01 --profile client
2|--profile|ca-sign -d ca --profile admin ok.csr
2|--key-type|ca-sign -d ca --new-key n.key --key-type rsa-1024 --dns a.example
2|malformed|ca-sign -d ca --subject 'not a dn' ok.csr
2|--expiring|ca-list -d ca --expiring -5
1|not in the ledger|ca-revoke -d ca 0123456789abcdef
1|not in the ledger|ca-sign -d ca --renew 7f00
1|hexadecimal|ca-revoke -d ca "zz'; DROP TABLE certs;--"
1|not in the ledger|ca-bundle -d ca --chain 01
1|not a cakit ledger|ca-sign -d corrupt ok.csr
1|not a cakit ledger|ca-list -d corrupt
1|does not match|ca-sign -d wrongkey ok.csr
1|lets others read|ca-sign -d keymode ok.csr
1|writable by others|ca-sign -d dirmode ok.csr
1|incomplete CA|ca-sign -d nocrt ok.csr
1|no such CA directory|ca-sign -d missing ok.csr
1|the CA's own ca.crt|ca-sign -d ca -o ca/ca.crt ok.csr
1|the CA's own ca.key|ca-sign -d ca --new-key ca/ca.key --dns x.example
1|hlink: is a symbolic link|ca-sign -d ca -o hlink ok.csr
1|hstdout: is a symbolic link|ca-sign -d ca -o hstdout ok.csr
1|hfifo: is a FIFO|ca-sign -d ca -o hfifo ok.csr
1|adir: is a directory|ca-sign -d ca -o adir ok.csr
1|hfifo: is a FIFO|ca-bundle -d ca --pkcs12 hfifo --key good.key --cert good.crt --passphrase-file ok.csr
1|the CA's own ca.crt|ca-sign -d ca -o ca/../ca/ca.crt ok.csr
1|the CA's own ca.crt|ca-sign -d ca -o cadir/ca.crt ok.csr
1|the CA's own ca.crt|ca-sign -d ca --batch -o ca hreqs
1|the CA's own ledger.db|ca-sign -d ca --new-key cadir/ledger.db-journal --dns x.example
2|name the same file|ca-sign -d ca --new-key n.key -o ./n.key --dns x.example
EOF

n=0
while IFS='|' read -r st pat cmd; do
	n=$((n + 1))
	dir=$(printf '%s\n' "$cmd" | sed -n 's/.* -d \([^ ]*\).*/\1/p')
	before=$(snapshot "$dir")
	rows_before=$(ledger_rows "$dir" 2>&1)
	eval "assert_fail \"case \$n: \$cmd\" \"\$st\" \"\$pat\" $cmd"
	[ "$rc" -lt 128 ] || fail "case $n crashed: signal $((rc - 128))"
	assert_eq "case $n: $dir unchanged" "$(snapshot "$dir")" "$before"
	assert_eq "case $n: ledger rows unchanged" \
		"$(ledger_rows "$dir" 2>&1)" \
		"$rows_before"
	[ ! -e n.key ] || fail "case $n left n.key"
done <cases
[ "$n" -ge 40 ] && pass || fail "only $n hostile cases"

# ---- ca-init: hostile directories and options ----
# ca-init never deletes, replaces or adopts what it did not make: an
# incomplete CA, a stray ledger or key, a directory others may write, a
# CA other than the one asked for under --exist-ok.
mkdir lonedb lonekey opendir
printf 'mine\n' >lonedb/ledger.db
printf 'mine\n' >lonekey/ca.key
chmod 600 lonekey/ca.key
chmod 777 opendir
cat >initcases <<EOF
1|nocrt: incomplete CA: has ca.key, ledger.db, crl.pem; missing ca.crt; restore it|ca-init -d nocrt --subject 'CN=Hostile Test CA'
1|nocrt: incomplete CA|ca-init -d nocrt --subject 'CN=Hostile Test CA' --exist-ok
1|lonedb: incomplete CA: has ledger.db; missing ca.crt|ca-init -d lonedb --subject CN=x
1|lonekey: incomplete CA: has ca.key; missing ca.crt|ca-init -d lonekey --subject CN=x
1|writable by others|ca-init -d opendir --subject CN=x
1|writable by others|ca-init -d dirmode --subject 'CN=Hostile Test CA' --exist-ok
1|exists with subject 'CN=Hostile Test CA' where --subject asks 'CN=Other'|ca-init -d ca --subject CN=Other --exist-ok
1|exists with a key of type ecdsa-p256 where --key-type asks rsa-2048|ca-init -d ca --subject 'CN=Hostile Test CA' --key-type rsa-2048 --exist-ok
1|exists with pathLenConstraint none where --path-len asks 0|ca-init -d ca --subject 'CN=Hostile Test CA' --path-len 0 --exist-ok
1|already holds a CA|ca-init -d ca --subject 'CN=Hostile Test CA'
1|good.crt: not a directory|ca-init -d good.crt --subject CN=x
1|incomplete CA: has ca.key, ledger.db, crl.pem; missing ca.crt|ca-sign -d nocrt ok.csr
EOF
while IFS='|' read -r st pat cmd; do
	n=$((n + 1))
	dir=$(printf '%s\n' "$cmd" | sed -n 's/.* -d \([^ ]*\).*/\1/p')
	before=$(snapshot "$dir"; ls -A)
	eval "assert_fail \"case \$n: \$cmd\" \"\$st\" \"\$pat\" $cmd"
	[ "$rc" -lt 128 ] || fail "case $n crashed: signal $((rc - 128))"
	assert_eq "case $n: $dir and . unchanged" "$(snapshot "$dir"; ls -A)" \
		"$before"
done <initcases
# A staging-like name that is a symlink is not ca-init's: what it points
# to is never touched.
mkdir victim trap
printf 'precious\n' >victim/ca.key
ln -s ../victim trap/.ca-init.AbCdEf
assert_ok "ca-init beside a planted symlink" ca-init -d trap --subject CN=T
assert_eq "the symlink's target untouched" "$(cat victim/ca.key)" precious
[ -L trap/.ca-init.AbCdEf ] && pass || fail "the planted symlink was removed"
# ---- end of ca-init ----

# Accepted with care: a request for CA:TRUE gets a leaf and a note.
req ca.csr "$EC" -addext basicConstraints=critical,CA:TRUE \
	-addext subjectAltName=DNS:ca.example
run ca-sign -d ca -o leaf.crt ca.csr
assert_eq "CA:TRUE request: exit" "$rc" 0
assert_contains "CA:TRUE request: note" "$T/err" '^ca-sign: .*CA:TRUE'
run openssl x509 -in leaf.crt -noout -ext basicConstraints
assert_contains "CA:TRUE request: a leaf" "$T/out" 'CA:FALSE'

# SQL metacharacters in a subject are data, stored verbatim.
subj="CN=Robert'); DROP TABLE certs;--,O=x\"y%_"
run ca-sign -d ca --subject "$subj" --dns sql.example --json ok.csr
assert_eq "SQL subject: exit" "$rc" 0
stored=$(ledger_sql ca "SELECT subject FROM certs WHERE sans = 'DNS:sql.example'")
assert_contains "SQL subject: the JSON subject" "$T/out" \
	'"subject":"CN=Robert.*DROP TABLE certs'
case $stored in
"CN=Robert')\; DROP TABLE certs\;--,O=x\\\"y%_") pass ;;
*) fail "SQL subject stored as: $stored" ;;
esac
ledger_der ca "sans = 'DNS:sql.example'" sql.der
run openssl x509 -inform DER -in sql.der -noout -subject -nameopt sep_multiline,utf8
assert_contains "SQL subject: the certificate's CN" "$T/out" \
	"CN=Robert'\\); DROP TABLE certs;--$"
assert_eq "the table is still there" "$(rows ca)" 3

finish
