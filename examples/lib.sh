# lib.sh: what the example scripts share (provision-node.sh,
# renew-expiring.sh), sourced from the directory each script is in:
# keep it beside them.  Each script sets prog, its name in messages,
# and defines usage() before calling these.

# warn MESSAGE...: one line on standard error, under the script's name.
warn() {
	echo "$prog: $*" >&2
}

# die MESSAGE...: warn, and exit 1.
die() {
	warn "$@"
	exit 1
}

# number NAME VALUE MIN MAX: VALUE is a decimal integer in MIN..MAX;
# otherwise a usage error.
number() {
	case $2 in
	''|*[!0-9]*)
		warn "$1 '$2': not a number of days"
		usage
		;;
	esac
	if [ "${#2}" -gt 6 ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		warn "$1 '$2': must be from $3 to $4"
		usage
	fi
}

# help: the comment at the top of the script, then exit 0.
help() {
	sed -n '2,/^set -eu/{/^#/s/^# \{0,1\}//p}' "$0"
	exit 0
}
