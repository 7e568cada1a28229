# ca-init: the files a CA is made of, the root certificate as openssl,
# certtool and the ledger helper read it, and every refusal leaving DIR as it was.
. "$top_srcdir/tests/cli/lib.sh"

need openssl certtool $LEDGER_TOOLS

in_workdir

# The files of a CA directory, but SQLite's -wal and -shm.
cafiles() {
	for _f in "$1"/*; do
		case $_f in
		*-wal|*-shm) ;;
		*) printf '%s ' "${_f##*/}" ;;
		esac
	done
}
all="ca.crt ca.key crl.pem ledger.db "

ext() {
	openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null
}

# refused DESC STATUS PATTERN DIR CMD...: the one-line refusal, and
# DIR and the working directory exactly as before.
refused() {
	_rd=$1 _rst=$2 _rpat=$3 _rdir=$4
	shift 4
	_before=$(snapshot "$_rdir"; ls -A "$W")
	assert_fail "$_rd" "$_rst" "$_rpat" "$@"
	assert_eq "$_rd: nothing changed" "$(snapshot "$_rdir"; ls -A "$W")" \
	    "$_before"
}

# --help, -h and -V.
assert_ok "--help" ca-init --help
assert_contains "--help: usage on stdout" "$T/out" '^usage: ca-init '
assert_eq "--help: nothing on stderr" "$(cat "$T/err")" ""
for o in --dir --subject --key-type --days --path-len --crl-url --parent \
    --key-passphrase-file --parent-passphrase-file --exist-ok --json \
    --help --version ecdsa-p256 ecdsa-p384 ed25519 rsa-2048 rsa-3072 \
    rsa-4096; do
	assert_contains "--help documents $o" "$T/out" "(^| )$o([ ,]|$)"
done
cp "$T/out" "$T/help"
assert_ok "-h" ca-init -h
assert_eq "-h is --help" "$(cat "$T/out")" "$(cat "$T/help")"
assert_ok "-V" ca-init -V
assert_contains "-V: name and version" "$T/out" '^ca-init \(cakit\) [0-9]'
assert_ok "--version" ca-init --version
assert_contains "--version: name and version" "$T/out" \
    '^ca-init \(cakit\) [0-9]'

# The default CA, made under umask 000: modes come from ca-init alone.
um=$(umask)
umask 000
assert_ok "default CA" ca-init -d "$W/ca" \
    --subject 'CN=Test Root CA,O=Example,C=DE' --json
umask "$um"
cp "$T/out" "$T/init.json"
assert_eq "dir mode" "$(stat -c %a "$W/ca")" 700
assert_eq "ca.key mode" "$(stat -c %a "$W/ca/ca.key")" 600
assert_eq "ca.crt mode" "$(stat -c %a "$W/ca/ca.crt")" 644
assert_eq "ledger.db is not for others" \
    "$(stat -c %a "$W/ca/ledger.db" | cut -c3)" 0
assert_eq "ca.key, ca.crt, crl.pem, ledger.db" \
    "$(cafiles "$W/ca")" \
    "$all"
crt=$W/ca/ca.crt
openssl x509 -in "$crt" -noout -text >"$T/text" 2>&1
assert_contains "version 3" "$T/text" 'Version: 3 \(0x2\)'
assert_eq "subject as given (RFC 4514)" \
    "$(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253)" \
    "subject=CN=Test Root CA,O=Example,C=DE"
assert_eq "issuer bytes are the subject bytes" "$(crt_elem "$crt" 3)" \
    "$(crt_elem "$crt" 5)"
assert_ok "self-signed: openssl verify" openssl verify -CAfile "$crt" "$crt"
assert_ok "self-signed: certtool --verify-chain" \
    certtool --verify-chain --infile "$crt"
assert_eq "basicConstraints CA:TRUE critical, no pathlen" \
    "$(ext "$crt" basicConstraints | tr -s ' \n' ' ')" \
    "X509v3 Basic Constraints: critical CA:TRUE "
assert_eq "keyUsage keyCertSign, cRLSign critical" \
    "$(ext "$crt" keyUsage | tr -s ' \n' ' ')" \
    "X509v3 Key Usage: critical Certificate Sign, CRL Sign "
assert_contains "subjectKeyIdentifier (20 octets)" "$T/text" \
    '^ *([0-9A-F]{2}:){19}[0-9A-F]{2}$'
assert_contains "subjectKeyIdentifier present" "$T/text" \
    'X509v3 Subject Key Identifier'
assert_contains "ecdsa-p256 by default" "$T/text" 'ASN1 OID: prime256v1'
assert_eq "10 years by default" "$(validity "$crt")" $((3650 * 86400))
certtool -i --infile "$crt" >"$T/ct" 2>&1
assert_contains "certtool: CA TRUE" "$T/ct" 'Certificate Authority \(CA\): TRUE'
assert_contains "certtool: basicConstraints critical" "$T/ct" \
    'Basic Constraints \(critical\)'
assert_not_contains "certtool: no path length" "$T/ct" 'Path Length'
assert_contains "certtool: keyUsage critical" "$T/ct" 'Key Usage \(critical\)'
assert_contains "certtool: certificate signing" "$T/ct" 'Certificate signing'
assert_contains "certtool: CRL signing" "$T/ct" 'CRL signing'
assert_not_contains "certtool: no digital signature" "$T/ct" \
    'Digital signature'
assert_eq "ca.key holds the certificate's key" \
    "$(openssl pkey -in "$W/ca/ca.key" -pubout 2>&1)" \
    "$(openssl x509 -in "$crt" -noout -pubkey 2>&1)"
assert_ok "crl.pem is signed by the CA" \
    openssl crl -in "$W/ca/crl.pem" -CAfile "$crt" -noout
assert_contains "crl.pem verifies" "$T/err" 'verify OK'
# A new ledger is at the newest schema version (1 and up, migrations
# appended in its backend), which is recorded in it.
lv=$(ledger_latest_version)
assert_eq "ledger user_version is LEDGER_VERSION (${lv:-?})" \
    "$(ledger_version "$W/ca")" "${lv:-1}"
assert_eq "ledger: the certs and meta tables" \
    "$(ledger_tables "$W/ca" | grep -cxE 'certs|meta')" 2
assert_eq "ledger in WAL mode" "$(ledger_journal "$W/ca")" wal
assert_eq "ledger: no certificates yet" "$(rows "$W/ca")" 0

# --json describes the new CA.
if have_json; then
	j=$T/init.json
	if json_valid "$j"; then pass; else fail "--json: not valid JSON"; fi
	serial=$(json_get "$j" serial)
	assert_eq "--json serial: 40 lowercase hex" \
	    "$(echo "$serial" | grep -Ec '^[0-9a-f]{40}$')" 1
	assert_eq "--json serial is the certificate's" "$serial" \
	    "$(openssl x509 -in "$crt" -noout -serial | cut -d= -f2 |
	    tr A-F a-f)"
	assert_eq "--json subject" "$(json_get "$j" subject)" \
	    "CN=Test Root CA,O=Example,C=DE"
	assert_eq "--json profile" "$(json_get "$j" profile)" ca
	assert_eq "--json status" "$(json_get "$j" status)" valid
	assert_json_times "$j" "$crt"
	assert_eq "--json files.certificate" \
	    "$(json_get "$j" files certificate)" "$W/ca/ca.crt"
	assert_eq "--json files.key" "$(json_get "$j" files key)" \
	    "$W/ca/ca.key"
fi

# --path-len, including 0, which is not the same as none.
for n in 0 2; do
	assert_ok "--path-len $n" ca-init -d "$W/pl$n" --subject "CN=PL $n" \
	    --path-len $n
	assert_eq "--path-len $n: pathlen in basicConstraints" \
	    "$(ext "$W/pl$n/ca.crt" basicConstraints | tr -s ' \n' ' ')" \
	    "X509v3 Basic Constraints: critical CA:TRUE, pathlen:$n "
	certtool -i --infile "$W/pl$n/ca.crt" >"$T/ct" 2>&1
	assert_contains "--path-len $n: certtool" "$T/ct" \
	    "Path Length Constraint: $n\$"
done

# Every key type, each read back by openssl and self-verified.
for kt in ecdsa-p384:'ASN1 OID: secp384r1' \
    ed25519:'Public Key Algorithm: ED25519' \
    rsa-2048:'Public-Key: \(2048 bit\)' rsa-3072:'Public-Key: \(3072 bit\)' \
    rsa-4096:'Public-Key: \(4096 bit\)' \
    ecdsa-p256:'ASN1 OID: prime256v1'; do
	t=${kt%%:*} pat=${kt#*:}
	assert_ok "--key-type $t" ca-init -d "$W/kt-$t" --subject "CN=$t CA" \
	    --key-type "$t"
	openssl x509 -in "$W/kt-$t/ca.crt" -noout -text >"$T/text" 2>&1
	assert_contains "--key-type $t: the key" "$T/text" "$pat"
	assert_ok "--key-type $t: self-signature verifies" \
	    openssl verify -CAfile "$W/kt-$t/ca.crt" "$W/kt-$t/ca.crt"
	assert_eq "--key-type $t: ca.key mode" \
	    "$(stat -c %a "$W/kt-$t/ca.key")" 600
	assert_eq "--key-type $t: ca.key matches" \
	    "$(openssl pkey -in "$W/kt-$t/ca.key" -pubout 2>&1)" \
	    "$(openssl x509 -in "$W/kt-$t/ca.crt" -noout -pubkey 2>&1)"
done
openssl x509 -in "$W/kt-ed25519/ca.crt" -noout -text >"$T/text" 2>&1
assert_contains "ed25519: signature algorithm" "$T/text" \
    'Signature Algorithm: ED25519'

# --days.
assert_ok "--days 30" ca-init -d "$W/d30" --subject 'CN=Thirty' --days 30
assert_eq "--days 30: validity" "$(validity "$W/d30/ca.crt")" $((30 * 86400))
assert_ok "--days 36500 (the maximum)" ca-init -d "$W/d36500" \
    --subject 'CN=Century' --days 36500
assert_eq "--days 36500: validity" "$(validity "$W/d36500/ca.crt")" \
    $((36500 * 86400))

# --crl-url is kept for ca-sign.
assert_ok "--crl-url" ca-init -d "$W/cdp" --subject 'CN=CDP' \
    --crl-url http://crl.example.com/root.crl
assert_eq "--crl-url: in the ledger" "$(ledger_setting "$W/cdp" crl_url)" \
    http://crl.example.com/root.crl

# Never overwrite a CA; --exist-ok accepts it unchanged.
before=$(snapshot "$W/ca")
assert_fail "existing CA refused" 1 'already holds a CA' \
    ca-init -d "$W/ca" --subject 'CN=Other CA'
assert_eq "existing CA: unchanged" "$(snapshot "$W/ca")" "$before"
refused "existing CA, another key type" 1 'already holds a CA' "$W/ca" \
    ca-init -d "$W/ca" --subject 'CN=Test Root CA,O=Example,C=DE' \
    --key-type rsa-2048
assert_ok "--exist-ok" ca-init -d "$W/ca" \
    --subject 'CN=Test Root CA,O=Example,C=DE' --exist-ok
assert_eq "--exist-ok: nothing on stdout" "$(cat "$T/out")" ""
assert_eq "--exist-ok: unchanged" "$(snapshot "$W/ca")" "$before"
assert_ok "--exist-ok --json" ca-init -d "$W/ca" \
    --subject 'CN=Test Root CA,O=Example,C=DE' --exist-ok --json \
    --key-type ecdsa-p256 --days 3650
assert_eq "--exist-ok --json: unchanged" "$(snapshot "$W/ca")" "$before"
if have_json; then
	assert_eq "--exist-ok --json: the existing CA" \
	    "$(json_get "$T/out" serial)" "$(json_get "$T/init.json" serial)"
fi

# --exist-ok accepts only the CA every given option asks for; each
# difference is named, and nothing changes.
printf 'secret\n' >"$W/ca.pass"
S='CN=Test Root CA,O=Example,C=DE'
while IFS='|' read -r pat subj args; do
	# shellcheck disable=SC2086
	refused "--exist-ok, but $subj $args" 1 "ca: exists with .*$pat" \
	    "$W/ca" ca-init -d "$W/ca" --exist-ok --subject "$subj" $args
done <<EOF
subject '$S' where --subject asks 'CN=Other CA'|CN=Other CA|
subject '$S' where --subject asks 'CN=Test Root CA,O=Example'|CN=Test Root CA,O=Example|
type ecdsa-p256 where --key-type asks ed25519|$S|--key-type ed25519
type ecdsa-p256 where --key-type asks ecdsa-p384|$S|--key-type ecdsa-p384
pathLenConstraint none where --path-len asks 0|$S|--path-len 0
validity of 3650 days where --days asks 5|$S|--days 5
CRL URL none where --crl-url asks http://crl.example/x|$S|--crl-url http://crl.example/x
max-days none where --max-days asks 30|$S|--max-days 30
name constraints 'none' where the options ask 'permit DNS:example.com'|$S|--permit-dns example.com
name constraints 'none' where the options ask 'exclude IP:10.0.0.0/8'|$S|--exclude-ip 10.0.0.0/8
of a root CA where --parent asks for one issued by the CA in $W/pl0|$S|--parent $W/pl0
unencrypted key where --key-passphrase-file asks|$S|--key-passphrase-file $W/ca.pass
EOF
refused "--exist-ok: two differences, both named" 1 \
    "subject .*; a key of type ecdsa-p256 where --key-type asks rsa-2048" \
    "$W/ca" ca-init -d "$W/ca" --exist-ok --subject CN=Z --key-type rsa-2048
# What was asked at creation is accepted again, option for option.
assert_ok "constrained CA" ca-init -d "$W/nc" --subject CN=NC --path-len 1 \
    --days 100 --crl-url http://crl.example/nc --max-days 30 \
    --permit-dns example.com --exclude-dns secret.example.com \
    --permit-ip 10.0.0.0/8 --key-type ed25519 \
    --key-passphrase-file "$W/ca.pass"
ncsnap=$(snapshot "$W/nc")
assert_ok "--exist-ok: the same options again" ca-init -d "$W/nc" \
    --subject CN=NC --path-len 1 --days 100 --crl-url http://crl.example/nc \
    --max-days 30 --permit-dns example.com --exclude-dns secret.example.com \
    --permit-ip 10.0.0.0/8 --key-type ed25519 \
    --key-passphrase-file "$W/ca.pass" --exist-ok
assert_ok "--exist-ok: the options in another order" ca-init -d "$W/nc" \
    --subject CN=NC --exist-ok --exclude-dns secret.example.com \
    --permit-ip 10.0.0.0/8 --permit-dns example.com
while IFS='|' read -r args pat; do
	# shellcheck disable=SC2086
	refused "--exist-ok, constrained CA, but $args" 1 "$pat" "$W/nc" \
	    ca-init -d "$W/nc" --subject CN=NC --exist-ok $args
done <<'EOF'
--path-len 2|pathLenConstraint 1 where --path-len asks 2
--days 99|validity of 100 days where --days asks 99
--crl-url http://crl.example/other|CRL URL http://crl.example/nc where
--max-days 31|max-days 30 where --max-days asks 31
--permit-dns example.com|name constraints .* where the options ask 'permit DNS:example.com'$
--permit-dns example.org --exclude-dns secret.example.com --permit-ip 10.0.0.0/8|name constraints
--key-type ecdsa-p256|type ed25519 where --key-type asks ecdsa-p256
EOF
assert_eq "--exist-ok refusals: unchanged" "$(snapshot "$W/nc")" "$ncsnap"

# --exist-ok --json gives the CA's own issue time, not the current one:
# a root's as ca-init recorded it, an intermediate's from its parent's
# ledger.
assert_ok "intermediate for --exist-ok" ca-init -d "$W/isub" --parent "$W/ca" \
    --subject CN=ISub
ledger_sql "$W/ca" "UPDATE certs SET issued_at = 1000000000
    WHERE subject = 'CN=ISub'"
ledger_set_setting "$W/nc" issued_at 1100000000
if have_json; then
	assert_ok "--exist-ok --json: intermediate" ca-init -d "$W/isub" \
	    --parent "$W/ca" --subject CN=ISub --exist-ok --json
	assert_eq "--exist-ok --json: the intermediate's issue time" \
	    "$(json_get "$T/out" issued_at)" 2001-09-09T01:46:40Z
	assert_ok "--exist-ok --json: intermediate, without --parent" \
	    ca-init -d "$W/isub" --subject CN=ISub --exist-ok --json
	assert_eq "--exist-ok --json: the parent found from the ledger" \
	    "$(json_get "$T/out" issued_at)" 2001-09-09T01:46:40Z
	assert_ok "--exist-ok --json: root" ca-init -d "$W/nc" --subject CN=NC \
	    --exist-ok --json
	assert_eq "--exist-ok --json: the root's issue time" \
	    "$(json_get "$T/out" issued_at)" 2004-11-09T11:33:20Z
fi
refused "--exist-ok: an intermediate of another parent" 1 \
    "issued by another CA where --parent asks for one issued by the CA in $W/nc" \
    "$W/isub" ca-init -d "$W/isub" --parent "$W/nc" --subject CN=ISub \
    --exist-ok

# Usage errors: exit 2, one line, nothing made or changed.
while IFS='|' read -r pat args; do
	# shellcheck disable=SC2086
	refused "usage: $args (new dir)" 2 "$pat" "$W/none" \
	    ca-init -d "$W/none" $args
	assert_eq "usage: $args: no directory made" \
	    "$(test -e "$W/none" && echo made)" ""
	# shellcheck disable=SC2086
	refused "usage: $args (existing CA)" 2 "$pat" "$W/ca" \
	    ca-init -d "$W/ca" $args
done <<'EOF'
--days 'abc'|--subject CN=x --days abc
--days '0'|--subject CN=x --days 0
--days '99999999999'|--subject CN=x --days 99999999999
--days '-5'|--subject CN=x --days -5
--days '36501'|--subject CN=x --days 36501
--path-len '17'|--subject CN=x --path-len 17
--path-len 'x'|--subject CN=x --path-len x
--key-type 'dsa'.*ecdsa-p256|--subject CN=x --key-type dsa
--key-type 'RSA-2048'|--subject CN=x --key-type RSA-2048
subject 'CN'|--subject CN
subject 'nonsense=x'|--subject nonsense=x
--subject is required|--key-type ed25519
unknown option '--bogus'|--subject CN=x --bogus
unknown option -x|--subject CN=x -x
'--days' needs a value|--subject CN=x --days
unexpected argument 'extra'|--subject CN=x extra
--crl-url|--subject CN=x --crl-url not-a-url
--permit-dns '10.0.0.1': an IP address, not a domain name; use --permit-ip \(|--subject CN=x --permit-dns 10.0.0.1
--exclude-dns 'fd00::1': an IP address, not a domain name; use --exclude-ip \(|--subject CN=x --exclude-dns fd00::1
EOF
refused "usage: empty --subject" 2 'subject' "$W/none" \
    ca-init -d "$W/none" --subject ''
refused "usage: subject with an empty RDN" 2 'subject' "$W/none" \
    ca-init -d "$W/none" --subject 'CN=a,,O=b'

# The directory: $CA_DIR, -d over it; never the current one unasked.
CA_DIR=$W/env assert_ok "\$CA_DIR" ca-init --subject 'CN=Env CA'
assert_eq "\$CA_DIR: made there" "$(cafiles "$W/env")" "$all"
CA_DIR=$W/env2 assert_ok "-d over \$CA_DIR" ca-init -d "$W/dopt" \
    --subject 'CN=Dir CA'
assert_eq "-d: made there" "$(cafiles "$W/dopt")" "$all"
assert_eq "-d: not in \$CA_DIR" "$(test -e "$W/env2" && echo made)" ""
assert_ok "--dir" ca-init --dir "$W/dlong" --subject 'CN=Dir CA'
assert_eq "--dir: made there" "$(cafiles "$W/dlong")" "$all"
mkdir "$W/cwd"
cd "$W/cwd" || exit 1
assert_fail "no directory given" 2 \
    '^ca-init: no CA directory: give -d DIR \(-d \. for the current one\) or set CA_DIR' \
    ca-init --subject 'CN=Cwd CA'
assert_eq "no directory given: nothing made" "$(ls -A .)" ""
CA_DIR='' assert_fail "empty \$CA_DIR" 2 'no CA directory' \
    ca-init --subject 'CN=Empty Env CA'
assert_eq "empty \$CA_DIR: nothing made" "$(ls -A .)" ""
assert_ok "-d ." ca-init -d . --subject 'CN=Cwd CA'
assert_eq "-d .: made there" "$(cafiles .)" "$all"
cd "$W" || exit 1

# A failure after the directory is made leaves nothing behind.
printf 'x' >"$W/afile"
refused "DIR under a file" 1 'afile' "$W/afile/ca" \
    ca-init -d "$W/afile/ca" --subject 'CN=x'
refused "DIR is a file" 1 'afile: not a directory' "$W/afile" \
    ca-init -d "$W/afile" --subject 'CN=x'

# An incomplete CA, whatever is missing, is reported and left alone:
# ca-init never deletes a file it did not make.
cp -a "$W/ca" "$W/inc"
mv "$W/inc/ca.crt" "$W/inc.crt"
refused "ca.crt missing" 1 \
    'inc: incomplete CA: has ca.key, ledger.db, crl.pem; missing ca.crt; restore it or move the directory away' \
    "$W/inc" ca-init -d "$W/inc" --subject 'CN=Test Root CA,O=Example,C=DE'
refused "ca.crt missing, --exist-ok" 1 'incomplete CA' "$W/inc" \
    ca-init -d "$W/inc" --subject 'CN=Test Root CA,O=Example,C=DE' --exist-ok
assert_fail "ca-sign: the same message, no ca-init advice" 1 \
    'inc: incomplete CA: has ca.key, ledger.db, crl.pem; missing ca.crt; restore it or move the directory away' \
    ca-sign -d "$W/inc" --new-key "$W/n.key" --dns n.example
mv "$W/inc.crt" "$W/inc/ca.crt"
assert_ok "restored, the CA works" ca-sign -d "$W/inc" --new-key "$W/n.key" \
    --dns n.example -o "$W/n.crt"
assert_ok "restored: openssl verify" openssl verify -CAfile "$W/inc/ca.crt" \
    "$W/n.crt"
for f in ledger.db ca.key crl.pem chain.pem ledger.db-wal ledger.db-journal; do
	mkdir "$W/lone-$f"
	printf 'mine\n' >"$W/lone-$f/$f"
	printf 'notes\n' >"$W/lone-$f/README"
	refused "a directory holding $f" 1 "incomplete CA: has $f; missing" \
	    "$W/lone-$f" ca-init -d "$W/lone-$f" --subject 'CN=x'
done
# Other files are the user's and stay as they are.
mkdir "$W/other"
printf 'notes\n' >"$W/other/README"
assert_ok "a directory with other files" ca-init -d "$W/other" --subject CN=O
assert_eq "the other files are kept" "$(cat "$W/other/README")" notes
assert_eq "nothing of the staging left" "$(ls -A "$W/other" | tr '\n' ' ')" \
    "README ca.crt ca.key crl.pem ledger.db "

# A failure after the CA's files are staged (the parent's ledger refuses
# the row) removes exactly what the run made: its staging directory,
# its links, and DIR if it made it; the user's files stay.
cp -a "$W/ca" "$W/refuser"
ledger_refuse_inserts "$W/refuser" 'refused by the test'
mkdir "$W/keep"
printf 'notes\n' >"$W/keep/README"
refused "failure in an existing directory" 1 'refused by the test' \
    "$W/keep" ca-init -d "$W/keep" --parent "$W/refuser" --subject CN=K \
    --days 30
assert_eq "failure: the directory as it was" "$(ls -A "$W/keep")" README
refused "failure in a new directory" 1 'refused by the test' \
    "$W/newdir" ca-init -d "$W/newdir" --parent "$W/refuser" --subject CN=K \
    --days 30
assert_eq "failure: the new directory is gone" \
    "$(test -e "$W/newdir" && echo left)" ""

# A directory others may write to is refused here as by every other
# command, before anything is made in it.
for m in 777 775 757 1777; do
	mkdir "$W/open$m"
	chmod "$m" "$W/open$m"
	refused "a directory of mode $m" 1 \
	    "open$m: the CA directory is writable by others \\(mode 0?$m\\); chmod go-w it" \
	    "$W/open$m" ca-init -d "$W/open$m" --subject CN=x
	assert_eq "mode $m: nothing made" "$(ls -A "$W/open$m")" ""
done

finish
