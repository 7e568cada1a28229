# Backdating (issue 9 item 21): notBefore and the CRL's thisUpdate lie
# BACKDATE_DEFAULT (60 s) in the past, so that a relying party whose
# clock is behind accepts a certificate just made; the validity period
# is still exactly the one asked for, a short certificate is backdated
# by at most a tenth of its life, and nothing starts before its issuer.
# Judged by openssl and faketime.
. "$top_srcdir/tests/cli/lib.sh"
need openssl faketime

cd "$T"

epoch() {
	date -u -d "$(openssl "$1" -in "$2" -noout "-$3" | sed 's/^[^=]*=//')" +%s
}

# within DESC GOT LOW HIGH
within() {
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		pass
	else
		fail "$1: $2 not in [$3, $4] (off by $(($2 - $3)) from the low end)"
	fi
}

# A root made two days ago (so that no clamp applies below it).
faketime -f -172800s ca-init -d old --subject CN=Old >/dev/null 2>&1 ||
	fail "ca-init in the past"

t0=$(date -u +%s)
assert_ok "ca-sign" ca-sign -d old --new-key a.key --dns a.example -o a.crt
t1=$(date -u +%s)
nb=$(epoch x509 a.crt startdate)
na=$(epoch x509 a.crt enddate)
within "notBefore is 60 s back" "$nb" $((t0 - 60)) $((t1 - 60))
assert_eq "the validity is exactly 365 days" $((na - nb)) $((365 * 86400))
run faketime -f -30s openssl verify -CAfile old/ca.crt a.crt
assert_eq "verified by a clock 30 s behind: $(cat "$T/out" "$T/err")" "$rc" 0

# --days and the 825-day warning see the period asked for.
assert_ok "ca-sign --days 825" ca-sign -d old --new-key b.key --dns b.example \
	--days 825 -o b.crt
assert_not_contains "no warning at exactly 825 days" "$T/err" 'more than 825'
assert_eq "825 days exactly" \
	$(($(epoch x509 b.crt enddate) - $(epoch x509 b.crt startdate))) $((825 * 86400))
assert_ok "ca-sign --days 826" ca-sign -d old --new-key c.key --dns c.example \
	--days 826 -o c.crt
assert_contains "warned at 826 days" "$T/err" 'more than 825'

# --backdate: 0 turns it off, a larger value is capped at a tenth of the
# life, and a bad value is a usage error.
t0=$(date -u +%s)
assert_ok "--backdate 0" ca-sign -d old --new-key d.key --dns d.example \
	--backdate 0 -o d.crt
t1=$(date -u +%s)
within "--backdate 0: notBefore is now" "$(epoch x509 d.crt startdate)" "$t0" "$t1"
t0=$(date -u +%s)
assert_ok "--backdate 600 --days 1" ca-sign -d old --new-key e.key --dns e.example \
	--backdate 600 --days 1 -o e.crt
t1=$(date -u +%s)
within "--backdate 600" "$(epoch x509 e.crt startdate)" $((t0 - 600)) $((t1 - 600))
t0=$(date -u +%s)
assert_ok "--backdate 86400 --days 1" ca-sign -d old --new-key f.key \
	--dns f.example --backdate 86400 --days 1 -o f.crt
t1=$(date -u +%s)
within "a tenth of a one-day certificate" "$(epoch x509 f.crt startdate)" \
	$((t0 - 8640)) $((t1 - 8640))
assert_eq "still one day" \
	$(($(epoch x509 f.crt enddate) - $(epoch x509 f.crt startdate))) 86400
assert_fail "--backdate too large" 2 'backdate' ca-sign -d old --new-key g.key \
	--dns g.example --backdate 86401
assert_fail "--backdate negative" 2 'backdate' ca-sign -d old --new-key g.key \
	--dns g.example --backdate -1
assert_fail "--backdate with --renew" 2 'backdate' ca-sign -d old --renew a.crt \
	--backdate 10
[ ! -e g.key ] && pass || fail "a refused ca-sign wrote its key"

# A fresh root is backdated too; an intermediate made at once, and a leaf
# below it, do not start before their issuers, and the chain verifies at
# the leaf's first second.
t0=$(date -u +%s)
ca-init -d root --subject CN=Root >/dev/null 2>&1 || fail "ca-init root"
t1=$(date -u +%s)
rnb=$(epoch x509 root/ca.crt startdate)
within "the root's notBefore is 60 s back" "$rnb" $((t0 - 60)) $((t1 - 60))
assert_eq "the root's validity is exactly 3650 days" \
	$(($(epoch x509 root/ca.crt enddate) - rnb)) $((3650 * 86400))
ca-init -d sub --parent root --subject CN=Sub >/dev/null 2>&1 ||
	fail "ca-init sub"
snb=$(epoch x509 sub/ca.crt startdate)
[ "$snb" -ge "$rnb" ] && pass || fail "the intermediate starts before the root"
assert_ok "leaf of the intermediate" ca-sign -d sub --new-key l.key \
	--dns l.example -o l.crt
lnb=$(epoch x509 l.crt startdate)
[ "$lnb" -ge "$snb" ] && pass || fail "the leaf starts before its issuer"
cat sub/ca.crt >untrusted.pem
assert_ok "the chain verifies at the leaf's first second" openssl verify \
	-attime "$lnb" -CAfile root/ca.crt -untrusted untrusted.pem l.crt
run faketime -f -30s openssl verify -CAfile root/ca.crt \
	-untrusted untrusted.pem l.crt
assert_eq "fresh chain verified by a clock 30 s behind: $(cat "$T/out" "$T/err")" "$rc" 0

# A root whose notBefore is only 30 s back (made by a clock 30 s ahead):
# the intermediate, the leaf made with --backdate 600 and the first CRLs
# are clamped to it, and verify at their first second.
faketime -f +30s ca-init -d ahead --subject CN=Ahead >/dev/null 2>&1 ||
	fail "ca-init ahead"
anb=$(epoch x509 ahead/ca.crt startdate)
ca-init -d sub2 --parent ahead --subject CN=Sub2 >/dev/null 2>&1 ||
	fail "ca-init sub2"
assert_eq "the intermediate starts with its parent" 	"$(epoch x509 sub2/ca.crt startdate)" "$anb"
assert_ok "--backdate 600 under a young root" ca-sign -d ahead --new-key y.key \
	--dns y.example --backdate 600 -o y.crt
assert_eq "the leaf starts with its issuer" "$(epoch x509 y.crt startdate)" "$anb"
assert_ok "the leaf verifies at its first second" openssl verify \
	-attime "$anb" -CAfile ahead/ca.crt y.crt
assert_ok "the intermediate verifies at its first second" openssl verify \
	-attime "$anb" -CAfile ahead/ca.crt sub2/ca.crt
[ "$(epoch crl sub2/crl.pem lastupdate)" -ge "$anb" ] && pass ||
	fail "the intermediate's first CRL starts before it"

# The CRL's thisUpdate is backdated as well, and nextUpdate is the days
# asked for after it.
t0=$(date -u +%s)
assert_ok "revoke" ca-revoke -d old --crl-days 3 a.crt
t1=$(date -u +%s)
tu=$(epoch crl old/crl.pem lastupdate)
within "thisUpdate is 60 s back" "$tu" $((t0 - 60)) $((t1 - 60))
assert_eq "nextUpdate 3 days after thisUpdate" \
	$(($(epoch crl old/crl.pem nextupdate) - tu)) $((3 * 86400))
run faketime -f -30s openssl verify -crl_check -CAfile old/ca.crt \
	-CRLfile old/crl.pem a.crt
if [ "$rc" -ne 0 ] && grep -q 'certificate revoked' "$T/out" "$T/err"; then
	pass
else
	fail "a clock 30 s behind does not see the revocation: $(cat "$T/out" "$T/err")"
fi
run faketime -f -30s openssl verify -crl_check -CAfile old/ca.crt \
	-CRLfile old/crl.pem b.crt
assert_eq "a clock 30 s behind accepts the CRL: $(cat "$T/out" "$T/err")" "$rc" 0
# A fresh root's first CRL never starts before the root.
[ "$(epoch crl root/crl.pem lastupdate)" -ge "$rnb" ] && pass ||
	fail "the first CRL starts before its CA"

finish
