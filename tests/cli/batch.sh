# ca-sign --batch: a directory of CSRs or a PEM stream on stdin, signed
# in groups that commit before their certificates are shown.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

cd "$T"
ca-init -d ca --subject CN=Batch >/dev/null 2>&1 || fail "ca-init"
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out k.pem \
	2>/dev/null
mkdir csrs
i=1
while [ $i -le 300 ]; do
	openssl req -new -key k.pem -subj "/CN=n$i" \
		-addext "subjectAltName=DNS:n$i.example" -out "csrs/n$i.csr" \
		2>/dev/null
	i=$((i + 1))
done
openssl req -in csrs/n1.csr -outform DER -out csrs/zder.csr

assert_ok "batch from a directory" ca-sign -d ca --batch csrs
assert_eq "301 certificates printed" "$(grep -c 'BEGIN CERTIFICATE' "$T/out")" 301
assert_eq "301 rows" "$(rows ca)" 301
awk '/BEGIN CERT/{n++} {print > ("c" n ".pem")}' "$T/out"
run openssl verify -CAfile ca/ca.crt c1.pem c150.pem c301.pem
[ "$rc" -eq 0 ] && pass || fail "verify: $(cat "$T/err")"
run openssl x509 -in c1.pem -noout -ext subjectAltName
assert_contains "names from the request" "$T/out" 'DNS:n1.example'

mkdir certs
assert_ok "batch into a directory" ca-sign -d ca --batch --profile peer -o certs csrs
[ ! -s "$T/out" ] && pass || fail "printed with -o DIR"
assert_eq "one file per request" "$(ls certs | wc -l)" 301
assert_eq "named after the request" "$(ls certs | head -1)" n1.crt
assert_eq "mode 0644" "$(stat -c %a certs/n7.crt)" 644
run openssl x509 -in certs/n7.crt -noout -subject -ext extendedKeyUsage
assert_contains "subject" "$T/out" 'CN *= *n7'
assert_contains "peer profile" "$T/out" 'TLS Web Client Authentication'

cat csrs/n*.csr >stream.pem
run sh -c 'ca-sign -d ca --batch --json - <stream.pem'
assert_eq "stdin: exit" "$rc" 0
assert_eq "stdin: 300 JSON objects" "$(grep -c '"serial"' "$T/out")" 300
assert_contains "stdin: a JSON array" "$T/out" '^\[$'

# A bad request stops the run: its group is not issued, earlier groups
# are, and the message names the request.
n=$(rows ca)
cp -r csrs bad
echo junk >bad/n2.csr
assert_fail "a bad request in the first group" 1 'n2.csr: CSR' \
	ca-sign -d ca --batch bad
assert_eq "nothing from its group" "$(rows ca)" "$n"
mkdir big
i=1
while [ $i -le 300 ]; do
	cp "csrs/n$i.csr" "big/a$(printf %03d $i).csr"
	i=$((i + 1))
done
echo junk >big/z.csr
run ca-sign -d ca --batch big
assert_eq "a bad request after a full group: exit" "$rc" 1
assert_eq "the first group of 256 was issued" "$(rows ca)" $((n + 256))
assert_eq "and printed" "$(grep -c 'BEGIN CERTIFICATE' "$T/out")" 256
assert_contains "the count" "$T/err" '256 certificates were issued'
assert_contains "the culprit" "$T/err" 'z.csr'

mkdir twins twinsout
cp csrs/n1.csr twins/a.csr
cp csrs/n2.csr twins/a.pem
n=$(rows ca)
assert_fail "two requests for one output file" 1 'twinsout/a.crt: two requests' \
	ca-sign -d ca --batch -o twinsout twins
assert_eq "nothing issued for them" "$(rows ca)" "$n"
assert_fail "--batch with --dns" 2 'each request' \
	ca-sign -d ca --batch --dns a.example csrs
assert_fail "--batch with --new-key" 2 'each request' \
	ca-sign -d ca --batch --new-key x.key csrs
# A second mode is refused where it is given (as signify does), before
# a --help after it could answer.
assert_fail "--renew after --batch, then --help" 2 \
	'^ca-sign: --batch takes subjects and names from each request' \
	ca-sign -d ca --batch --renew 01 --help
assert_fail "--new-key after --renew" 2 \
	'^ca-sign: --renew takes the key, subject, names and profile' \
	ca-sign -d ca --renew 01 --new-key x.key -V
head -c 300 csrs/n1.csr >cut.pem
run sh -c 'ca-sign -d ca --batch - <cut.pem'
assert_eq "incomplete PEM: exit" "$rc" 1
assert_contains "incomplete PEM: message" "$T/err" 'incomplete PEM'

finish
