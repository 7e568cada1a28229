# Names that could make one line look like another (issue 9, item 15):
# bidirectional overrides, C1 controls and line separators are refused
# in new subjects, from --subject and from CSRs, and whatever an older
# ledger holds is shown escaped in the table and in messages.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

W=$T/w
mkdir "$W"
ca=$W/ca
assert_ok "a CA" ca-init -d "$ca" --subject CN=root

# refused DESC STATUS PATTERN CMD...: refused, and the ledger untouched.
refused() {
	_d=$1 _st=$2 _pat=$3
	shift 3
	_before=$(snapshot "$ca")
	assert_fail "$_d" "$_st" "$_pat" "$@"
	assert_eq "$_d: nothing changed" "$(snapshot "$ca")" "$_before"
}

# --subject values: U+202E RLO, U+2066 LRI, U+2028 LS, U+2029 PS,
# U+0085 NEL (C1), U+200F RLM, U+061C ALM, and a byte that is no UTF-8.
# The characters as UTF-8 octets: the tests run with LC_ALL=C.
for cp in '\342\200\256:bidirectional control U\+202E' \
    '\342\201\246:bidirectional control U\+2066' \
    '\342\200\250:line separator U\+2028' \
    '\342\200\251:line separator U\+2029' \
    '\302\205:control character U\+0085' \
    '\342\200\217:bidirectional control U\+200F' \
    '\330\234:bidirectional control U\+061C' \
    '\377:byte 0xff is not UTF-8'; do
	ch=$(printf "${cp%%:*}")
	refused "--subject with ${cp%%:*}" 2 "${cp#*:}" \
	    ca-sign -d "$ca" --subject "CN=invoice${ch}fdp.exe" \
	    --dns a.example --new-key "$W/k.key"
done

# The same characters in a CSR's subject (UTF8String, made by openssl).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/r.key" -subj "$(printf '/CN=admin\342\200\256nimda')" -utf8 \
    -out "$W/rlo.csr" 2>/dev/null || fail "openssl req"
refused "CSR subject with U+202E" 1 'CSR: subject: bidirectional control U\+202E' \
    ca-sign -d "$ca" --dns a.example "$W/rlo.csr"
openssl req -new -key "$W/r.key" -subj "$(printf '/O=a\342\200\250b/CN=x')" -utf8 \
    -out "$W/ls.csr" || fail "openssl req"
refused "CSR subject with U+2028" 1 'line separator U\+2028' \
    ca-sign -d "$ca" --dns a.example "$W/ls.csr"
openssl req -new -key "$W/r.key" -subj "$(printf '/CN=a\302\205b')" -utf8 \
    -out "$W/nel.csr" || fail "openssl req"
refused "CSR subject with U+0085" 1 'control character U\+0085' \
    ca-sign -d "$ca" --dns a.example "$W/nel.csr"

# Letters beyond ASCII stay allowed, and read back as they were given.
assert_ok "a subject in UTF-8" ca-sign -d "$ca" --subject 'CN=Zoë Ångström' \
    --dns b.example --new-key "$W/u.key" -o "$W/u.crt"
assert_contains "UTF-8 subject read back by openssl" \
    <(openssl x509 -in "$W/u.crt" -noout -subject -nameopt utf8,-esc_msb) \
    'CN ?= ?Zoë Ångström'

# no_raw_rlo DESC FILE: FILE holds no raw U+202E (as UTF-8 octets).
no_raw_rlo() {
	if LC_ALL=C grep -q "$(printf '\342\200\256')" "$2"; then
		fail "$1 printed U+202E raw"
	else
		pass
	fi
}

# A ledger written before the rule (or by hand) is shown escaped: the
# table's line is one line, with the override visible as \u{202e}.
serial=$(openssl x509 -in "$W/u.crt" -noout -serial | cut -d= -f2 | tr A-F a-f)
ledger_sql "$ca" "UPDATE certs SET subject = 'CN=evil' || char(8238) ||
    'txt.exe' || char(10) || 'x\\y' || char(133) WHERE serial = '$serial'"
run ca-list -d "$ca"
assert_eq "ca-list: exit 0" "$rc" 0
assert_eq "ca-list: one line per certificate" "$(grep -c '' "$T/out")" 2
assert_contains "ca-list: the override is escaped" "$T/out" \
    'CN=evil\\u\{202e\}txt\.exe\\u\{000a\}x\\\\y\\u\{0085\}'
no_raw_rlo "ca-list" "$T/out"
# A renewal takes its subject from the ledger: it is held to the same
# rule, and refused.
run ca-sign -d "$ca" --renew "$serial"
assert_eq "renewal of the spoofing row: refused" "$rc" 1
assert_contains "renewal: says why" "$T/err" 'bidirectional control U\+202E'
assert_eq "renewal: one line on stderr" "$(grep -c '' "$T/err")" 1
# Messages that quote what was given show it escaped, on one line.
run ca-sign -d "$ca" --dns "$(printf 'pay\342\200\256lap.example')" \
    --new-key "$W/m.key"
assert_eq "a spoofing --dns: refused" "$rc" 1
assert_eq "a spoofing --dns: one line on stderr" "$(grep -c '' "$T/err")" 1
assert_contains "a spoofing --dns: quoted escaped" "$T/err" \
    'pay\\u\{202e\}lap'
no_raw_rlo "a message" "$T/err"

finish
