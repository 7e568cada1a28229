#!/bin/sh
# provision-node.sh: give each named node a 'peer' certificate (TLS
# client and server, for mutual TLS) and its private key from a cakit
# CA.  A configuration-management run calls it on every pass:
#
#   - it makes the CA the first time (ca-init --exist-ok);
#   - it issues a new key and certificate for a node that has none, or
#     whose certificate expires within the renewal window, is unreadable,
#     does not match the key, was not issued by this CA, or was revoked;
#   - otherwise it touches nothing: a second run changes no file.
#
# For node NAME it writes OUTDIR/NAME.key (mode 0600) and OUTDIR/NAME.crt
# (mode 0644), a certificate for the DNS name NAME.  A renewal writes the
# new pair under temporary names in OUTDIR and renames both into place,
# so a reader sees the old file or the new one, never part of one.
#
# usage: provision-node.sh [-d CADIR] [-o OUTDIR] [-r DAYS] [--days N]
#                          [--ca-subject DN] NAME...
#   -d, --ca-dir CADIR      the CA (default $CA_DIR, else ./ca)
#   -o, --out OUTDIR        where the node files go (default ./nodes)
#   -r, --renew-within DAYS renew certificates that expire within DAYS
#                           (default 30)
#       --days N            validity of new certificates (ca-sign's
#                           default: 365)
#       --ca-subject DN     subject of the CA if it has to be made
#                           (default 'CN=cakit provisioning CA')
#
# It needs ca-init and ca-sign on PATH, openssl, and lib.sh beside it.
# Messages go to standard error, one line for each node it changes.
# Exit status: 0 when every node has a good certificate, 1 when any
# failed (the others are still done), 2 on a usage error.
#
# Example, from cron or a configuration-management run:
#   CA_DIR=/srv/ca provision-node.sh -o /etc/ssl/nodes web1.example.net
set -eu

# warn, die, number and help.
. "$(dirname -- "$0")/lib.sh"
prog=provision-node

usage() {
	echo "usage: $prog [-d CADIR] [-o OUTDIR] [-r DAYS] [--days N]" \
	    "[--ca-subject DN] NAME..." >&2
	exit 2
}

ca=${CA_DIR:-./ca}
out=./nodes
within=30
days=
subject='CN=cakit provisioning CA'

while [ $# -gt 0 ]; do
	case $1 in
	-d|--ca-dir)
		[ $# -ge 2 ] || usage
		ca=$2
		shift 2
		;;
	-o|--out)
		[ $# -ge 2 ] || usage
		out=$2
		shift 2
		;;
	-r|--renew-within)
		[ $# -ge 2 ] || usage
		number "$1" "$2" 0 36500
		within=$2
		shift 2
		;;
	--days)
		[ $# -ge 2 ] || usage
		number "$1" "$2" 1 36500
		days=$2
		shift 2
		;;
	--ca-subject)
		[ $# -ge 2 ] || usage
		subject=$2
		shift 2
		;;
	-h|--help)
		help
		;;
	--)
		shift
		break
		;;
	-*)
		warn "unknown option '$1'"
		usage
		;;
	*)
		break
		;;
	esac
done
[ $# -ge 1 ] || usage
for name in "$@"; do
	# The name is a DNS name and a file name: no slashes, no dot or
	# dash first.  ca-sign checks the rest (labels, lengths).
	case $name in
	''|.*|-*|*[!A-Za-z0-9.-]*)
		warn "'$name': not a node name (a DNS name such as" \
		    "web1.example.net)"
		usage
		;;
	esac
done
[ -z "$days" ] || [ "$within" -lt "$days" ] || warn "note: the renewal" \
    "window ($within days) is not shorter than the validity ($days" \
    "days): every run will renew every node"

command -v ca-sign >/dev/null 2>&1 || die "ca-sign is not on PATH"
command -v openssl >/dev/null 2>&1 || die "openssl is not installed"

# The CA.  --exist-ok lets two runs racing to create it both succeed;
# the test before it keeps a run with nothing to do from opening the
# ledger at all.
if [ ! -f "$ca/ca.crt" ]; then
	ca-init -d "$ca" --subject "$subject" --exist-ok ||
	    die "$ca: could not make the CA"
	warn "$ca: made the CA ($subject)"
fi
if [ ! -d "$out" ]; then
	mkdir -p "$out" || die "$out: could not make the directory"
fi

# The temporaries of the node being renewed, removed however we leave.
tmpkey='' tmpcrt=''
cleanup() {
	[ -z "$tmpkey" ] || rm -f "$tmpkey"
	[ -z "$tmpcrt" ] || rm -f "$tmpcrt"
	tmpkey='' tmpcrt=''
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# why NAME: prints why the node needs a new certificate, or nothing
# when its files are good.  Reads only.
why() {
	_key=$out/$1.key _crt=$out/$1.crt
	if [ ! -f "$_crt" ] && [ ! -f "$_key" ]; then
		echo "no certificate yet"
		return
	fi
	[ -f "$_crt" ] || { echo "$_crt is missing"; return; }
	[ -f "$_key" ] || { echo "$_key is missing"; return; }
	if ! _end=$(openssl x509 -noout -enddate -in "$_crt" 2>/dev/null); then
		echo "$_crt is not a readable certificate"
		return
	fi
	if ! openssl x509 -noout -checkend $((within * 86400)) \
	    -in "$_crt" >/dev/null 2>&1; then
		echo "the certificate expires within $within days" \
		    "(${_end#notAfter=})"
		return
	fi
	# A run killed between the two renames leaves a new key beside
	# the old certificate: compare the public keys.
	if ! _kpub=$(openssl pkey -pubout -in "$_key" 2>/dev/null) ||
	    [ "$_kpub" != "$(openssl x509 -noout -pubkey -in "$_crt")" ]; then
		echo "$_key does not match the certificate"
		return
	fi
	# Issued by this CA's certificate, and not on its CRL.  Times are
	# left out (-no_check_time): expiry is checked above, and a CRL
	# past its nextUpdate is ca-revoke --crl's business, not a reason
	# to re-issue.
	set -- -no_check_time -partial_chain -CAfile "$ca/ca.crt"
	[ ! -f "$ca/crl.pem" ] || set -- "$@" -crl_check -CRLfile "$ca/crl.pem"
	if ! _v=$(openssl verify "$@" "$_crt" 2>&1); then
		case $_v in
		*"certificate revoked"*)
			echo "the certificate was revoked" ;;
		*)
			echo "the certificate was not issued by $ca" ;;
		esac
	fi
	return 0
}

# issue NAME REASON: a new key and certificate, renamed into place.
issue() {
	_name=$1 _reason=$2
	tmpkey=$out/.$_name.key.$$ tmpcrt=$out/.$_name.crt.$$
	rm -f "$tmpkey" "$tmpcrt"
	set -- --dns "$_name"
	[ -z "$days" ] || set -- "$@" --days "$days"
	# ca-sign creates the key with mode 0600 and writes the
	# certificate with mode 0644, each in full before its name exists.
	if ! _json=$(ca-sign -d "$ca" --profile peer --new-key "$tmpkey" \
	    -o "$tmpcrt" --json "$@"); then
		warn "$_name: ca-sign failed; $out/$_name.crt and" \
		    "$out/$_name.key are unchanged"
		cleanup
		return 1
	fi
	if ! mv -f "$tmpkey" "$out/$_name.key" ||
	    ! mv -f "$tmpcrt" "$out/$_name.crt"; then
		warn "$_name: could not rename the new files into place" \
		    "in $out"
		cleanup
		return 1
	fi
	tmpkey='' tmpcrt=''
	_serial=$(printf '%s\n' "$_json" |
	    sed -n 's/^{"serial":"\([0-9a-f]*\)".*/\1/p')
	_until=$(printf '%s\n' "$_json" |
	    sed -n 's/.*,"not_after":"\([^"]*\)".*/\1/p')
	warn "$_name: $_reason: issued $out/$_name.crt (serial $_serial," \
	    "valid until $_until)"
}

status=0
for name in "$@"; do
	reason=$(why "$name")
	if [ -z "$reason" ]; then
		continue
	fi
	issue "$name" "$reason" || status=1
done
exit $status
