#!/bin/sh
# renew-expiring.sh: a cron job that re-issues the certificates of a
# cakit CA that are about to expire, and signs a fresh CRL.
#
#   - ca-list --expiring DAYS --json names the valid certificates that
#     expire within DAYS;
#   - each of them that has not been renewed already is re-issued with
#     ca-sign --renew SERIAL: the same key, subject, names and profile,
#     a new serial and validity, and a ledger row saying which
#     certificate it replaces.  The new certificate is written to
#     OUTDIR/NEWSERIAL.crt (mode 0644), and a line "OLD NEW FILE" is
#     printed on standard output for the job that deploys it;
#   - ca-revoke --crl then signs a new crl.pem, so that the CRL never
#     passes its nextUpdate while cron runs (run the job at least once
#     within --crl-days; an expired CRL locks every mTLS client out).
#
# The old certificate stays valid until it expires: the node keeps
# working until the new one is deployed.  A certificate that already
# has a renewal in the ledger is not renewed again, so the job can run
# every day within the window without piling up certificates.
#
# usage: renew-expiring.sh [-d CADIR] [-o OUTDIR] [--days N]
#                          [--crl-days N] [DAYS]
#   -d, --ca-dir CADIR  the CA (default $CA_DIR, else the current
#                       directory, as for the cakit tools)
#   -o, --out OUTDIR    where renewed certificates go (default ./renewed)
#       --days N        validity of the renewed certificates (ca-sign's
#                       default: 365)
#       --crl-days N    the new CRL's nextUpdate (ca-revoke's default: 7)
#   DAYS                the window (default $DAYS, else 30)
#
# It needs ca-list, ca-sign and ca-revoke on PATH, and lib.sh beside
# it.  A CA and its intermediates each have their own CRL: run the job
# once for each CA directory.  Messages go to standard error.  Exit
# status: 0 when everything due was renewed and the CRL signed, 1 when
# anything failed (the rest is still done), 2 on a usage error.
#
# Example crontab line:
#   17 3 * * *  renew-expiring.sh -d /srv/ca/sub -o /srv/ca/renewed 30
set -eu

# warn, die, number and help.
. "$(dirname -- "$0")/lib.sh"
prog=renew-expiring

usage() {
	echo "usage: $prog [-d CADIR] [-o OUTDIR] [--days N] [--crl-days N]" \
	    "[DAYS]" >&2
	exit 2
}

ca=${CA_DIR:-.}
out=./renewed
window=${DAYS:-30}
days=
crl_days=

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
	--days)
		[ $# -ge 2 ] || usage
		number "$1" "$2" 1 36500
		days=$2
		shift 2
		;;
	--crl-days)
		[ $# -ge 2 ] || usage
		number "$1" "$2" 1 366
		crl_days=$2
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
[ $# -le 1 ] || usage
[ $# -eq 0 ] || window=$1
number DAYS "$window" 0 36500

for t in ca-list ca-sign ca-revoke; do
	command -v "$t" >/dev/null 2>&1 || die "$t is not on PATH"
done

# The temporary certificate of the renewal under way.
tmp=
trap '[ -z "$tmp" ] || rm -f "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# serials FIELD: reads the output of ca-list --json or ca-sign --json on
# standard input and prints the value of FIELD ("serial" or "replaces")
# of each object, one per line.
#
# cakit prints a JSON array one object per line ("[", then "{...}," or
# "{...}", then "]") and every object starts with its serial; serials
# are lowercase hex.  A '"' inside a string is always escaped as '\"',
# so ',"replaces":"' can only be the key itself, never text from a
# subject.  A line of any other shape means the format changed: fail
# rather than guess.
serials() {
	awk -v field="$1" '
	$0 == "[" || $0 == "]" || $0 == "[]" { next }
	!/^\{"serial":"[0-9a-f]+",/ { bad = 1; exit }
	{
		if (field == "serial")
			key = "^\\{\"serial\":\""
		else
			key = ",\"" field "\":\""
		if (match($0, key "[0-9a-f]+\"")) {
			s = substr($0, RSTART, RLENGTH - 1)
			sub(/.*"/, "", s)
			print s
		}
	}
	END { exit bad }'
}

status=0

# list ARGS...: the serials (or with "replaces" first, the serials that
# were renewed) of the rows ca-list selects.  Without pipefail, a
# failing ca-list is noticed through the line it adds to its output,
# which serials refuses.
list() {
	_field=$1
	shift
	{ ca-list -d "$ca" "$@" --json || echo "ca-list failed"; } |
	    serials "$_field"
}

# Hold the whole list before acting on it: ca-sign writes to the ledger
# that ca-list reads.
due=$(list serial --expiring "$window") ||
    die "$ca: cannot list the certificates that expire within $window days"

if [ -n "$due" ]; then
	# What was renewed already.  The whole ledger, not only the valid
	# rows: a renewal that was revoked since is a decision someone
	# made, not a reason to renew the old certificate again.
	renewed=$(list replaces) || die "$ca: cannot list the ledger"
	if [ ! -d "$out" ]; then
		mkdir -p "$out" || die "$out: could not make the directory"
	fi
fi

n=0
for old in $due; do
	if printf '%s\n' "$renewed" | grep -qx "$old"; then
		continue
	fi
	tmp=$out/.renew.$old.$$
	set -- --renew "$old" -o "$tmp" --json
	[ -z "$days" ] || set -- "$@" --days "$days"
	if ! json=$(ca-sign -d "$ca" "$@") ||
	    ! new=$(printf '%s\n' "$json" | serials serial) ||
	    [ -z "$new" ]; then
		warn "$old: ca-sign --renew failed"
		rm -f "$tmp"
		tmp=
		status=1
		continue
	fi
	if ! mv -f "$tmp" "$out/$new.crt"; then
		warn "$old: renewed as $new, but could not write" \
		    "$out/$new.crt; export it with ca-bundle -d $ca --chain $new"
		rm -f "$tmp"
		tmp=
		status=1
		continue
	fi
	tmp=
	until=$(printf '%s\n' "$json" |
	    sed -n 's/.*,"not_after":"\([^"]*\)".*/\1/p')
	warn "$old: renewed as $new, valid until $until"
	echo "$old $new $out/$new.crt"
	n=$((n + 1))
done

set -- --crl
[ -z "$crl_days" ] || set -- "$@" --crl-days "$crl_days"
if ca-revoke -d "$ca" "$@"; then
	warn "$ca: $n renewed; signed a new crl.pem"
else
	warn "$ca: ca-revoke --crl failed: the CRL was not refreshed"
	status=1
fi
exit $status
