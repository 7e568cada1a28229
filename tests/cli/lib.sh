# Sourced by every shell test.  Gives a temporary directory removed on
# exit (with any servers a test started), and the assertions.
#   top_builddir, top_srcdir: set by make check (default: the cwd)
set -u

top_builddir=${top_builddir:-$(pwd)}
top_srcdir=${top_srcdir:-$(pwd)}
PATH=$top_builddir:$PATH
export PATH TZ=UTC LC_ALL=C
unset CA_DIR CA_KEY_PASSPHRASE_FILE

T=$(mktemp -d "${TMPDIR:-/tmp}/cakit-test.XXXXXX")

# The ledger's backend: tests/cli/ledger-$CAKIT_TEST_LEDGER.sh gives
# every look inside a CA's ledger (ledger_sql and the rest).
CAKIT_TEST_LEDGER=${CAKIT_TEST_LEDGER:-sqlite}
. "$top_srcdir/tests/cli/ledger-$CAKIT_TEST_LEDGER.sh"

# CAKIT_VALGRIND=1: every cakit binary runs under valgrind memcheck.
# Its reports go to files, so that stderr stays the program's own, and
# any error or definite leak turns the exit status into 99, which no
# test expects.
if [ "${CAKIT_VALGRIND:-}" = 1 ]; then
	mkdir "$T/.vg"
	for _b in ca-init ca-sign ca-revoke ca-bundle ca-list; do
		printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=%s/.vg/log.%%p %s/%s "$@"\n' \
			"$T" "$top_builddir" "$_b" >"$T/.vg/$_b"
		chmod +x "$T/.vg/$_b"
	done
	PATH=$T/.vg:$PATH
fi
_pids=
cleanup() {
	for p in $_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $_pids; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

_fails=0
_passes=0
_name=$(basename "$0" .sh)

fail() {
	echo "FAIL: $_name: $*" >&2
	_fails=$((_fails + 1))
}

pass() {
	_passes=$((_passes + 1))
}

# Call at the end: the plain summary line, and the exit status.
finish() {
	if [ -d "$T/.vg" ]; then
		for _l in "$T"/.vg/log.*; do
			[ -s "$_l" ] || continue
			fail "valgrind: $(head -c 2000 "$_l")"
		done
	fi
	echo "$_passes passed, $_fails failed"
	[ "$_fails" -eq 0 ]
	exit $?
}

skip() {
	echo "SKIP: $_name: $*"
	exit 77
}

need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
	done
}

# run CMD...: runs it, leaves $rc, $T/out and $T/err.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# assert_ok DESC CMD...: exit 0.
assert_ok() {
	_d=$1
	shift
	run "$@"
	if [ "$rc" -eq 0 ]; then
		pass
	else
		fail "$_d: exit $rc: $(head -c 300 "$T/err")"
	fi
}

# assert_fail DESC STATUS PATTERN CMD...: exits STATUS, nothing on
# stdout, exactly one line on stderr that starts with the program's name
# and matches PATTERN (grep -E).
assert_fail() {
	_d=$1 _st=$2 _pat=$3
	shift 3
	run "$@"
	_prog=$(basename "$1")
	if [ "$rc" -ne "$_st" ]; then
		fail "$_d: exit $rc, expected $_st: $(head -c 300 "$T/err")"
	elif [ -s "$T/out" ]; then
		fail "$_d: printed on stdout"
	elif [ "$(grep -c '' "$T/err")" -ne 1 ]; then
		fail "$_d: expected one line on stderr, got: $(cat "$T/err")"
	elif ! grep -q "^$_prog: " "$T/err"; then
		fail "$_d: stderr does not start with '$_prog: ': $(cat "$T/err")"
	elif ! grep -Eq -- "$_pat" "$T/err"; then
		fail "$_d: stderr does not match /$_pat/: $(cat "$T/err")"
	else
		pass
	fi
}

# assert_contains DESC FILE PATTERN
assert_contains() {
	if grep -Eq -- "$3" "$2"; then
		pass
	else
		fail "$1: $2 does not match /$3/"
	fi
}

assert_not_contains() {
	if grep -Eq -- "$3" "$2"; then
		fail "$1: $2 matches /$3/"
	else
		pass
	fi
}

# assert_eq DESC GOT WANT
assert_eq() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1: got '$2', want '$3'"
	fi
}

# The state of a CA directory: names, modes, sizes and hashes of its
# files, and the ledger's rows.  Equal snapshots mean nothing changed.
snapshot() {
	(
		cd "$1" 2>/dev/null || { echo "no directory"; exit 0; }
		for f in $(ls -A | sort); do
			case " $LEDGER_LOGS " in
			*" $f "*) continue ;;
			esac
			printf '%s %s ' "$f" "$(stat -c %a "$f")"
			case " $LEDGER_FILES " in
			*" $f "*) ledger_snapshot . 2>&1 | md5sum ;;
			*) md5sum <"$f" ;;
			esac
		done
	)
}

# in_workdir: $W, a new directory in $T, made the current directory.
in_workdir() {
	W=$T/w
	mkdir "$W" && cd "$W" || exit 1
}

# validity CERTFILE: notAfter - notBefore in seconds, as openssl reads it.
validity() {
	_nb=$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)
	_na=$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)
	echo $(( $(date -u -d "$_na" +%s) - $(date -u -d "$_nb" +%s) ))
}

# der_elem DERFILE N: the bytes (hex) of element N at depth 2, as
# openssl asn1parse finds it.  In a certificate 1 is the serial, 3 the
# issuer and 5 the subject; in a request 1 is the subject.
der_elem() {
	_l=$(openssl asn1parse -inform DER -in "$1" | grep ':d=2 ' |
	    sed -n "$(($2 + 1))p")
	_off=$(echo "$_l" | sed -E 's/^ *([0-9]+):.*/\1/')
	_hl=$(echo "$_l" | sed -E 's/.*hl= *([0-9]+).*/\1/')
	_len=$(echo "$_l" | sed -E 's/.*[^h]l= *([0-9]+).*/\1/')
	dd if="$1" bs=1 skip="$_off" count=$((_hl + _len)) 2>/dev/null |
	    od -An -tx1 | tr -d ' \n'
}

# crt_elem CERTFILE N, csr_elem CSRFILE N: der_elem of a PEM file.
crt_elem() {
	openssl x509 -in "$1" -outform DER -out "$T/elem.der"
	der_elem "$T/elem.der" "$2"
}

csr_elem() {
	openssl req -in "$1" -outform DER -out "$T/elem.der"
	der_elem "$T/elem.der" "$2"
}

# assert_json_times JSONFILE CERTFILE: not_before and not_after of the
# JSON object are RFC 3339 UTC, and the certificate's own.
assert_json_times() {
	for _k in not_before not_after; do
		assert_eq "--json $_k: RFC 3339 UTC" "$(json_get "$1" $_k |
		    grep -Ec '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" 1
	done
	for _k in not_before:startdate not_after:enddate; do
		assert_eq "--json ${_k%:*} is the certificate's" \
		    "$(json_get "$1" "${_k%:*}")" \
		    "$(date -u -d "$(openssl x509 -in "$2" -noout -"${_k#*:}" |
		    cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)"
	done
}

rows() {
	ledger_rows "$1"
}

# A free TCP port on 127.0.0.1: random, below the kernel's ephemeral
# range (32768 and up) so that no outgoing connection takes it.
free_port() {
	while :; do
		_p=$(( (($(od -An -N2 -tu2 /dev/urandom) % 20000)) + 12000 ))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$_p) 2>/dev/null; then
			echo "$_p"
			return
		fi
	done
}

# bg CMD...: start a server in the background; stopped on exit.
bg() {
	"$@" &
	_pids="$_pids $!"
	_bgpid=$!
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s).
wait_port() {
	_i=0
	while [ $_i -lt 100 ]; do
		if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# listen LOG CMD...: start a server in the background (stopped on exit)
# with PORT in its arguments replaced by a port from free_port, left in
# $port.  A port free_port saw idle may be taken before the server
# binds it (the range overlaps the ephemeral ports), so a server that
# dies before listening is started again on another port.
listen() {
	_log=$1
	shift
	for _try in 1 2 3 4 5; do
		port=$(free_port)
		_args=()
		for _a in "$@"; do
			_args+=("${_a//PORT/$port}")
		done
		bg "${_args[@]}" >>"$_log" 2>&1
		_i=0
		while [ "$_i" -lt 100 ]; do
			if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				# Ours, not another process's, if ours lives on.
				sleep 0.2
				kill -0 "$_bgpid" 2>/dev/null && return 0
				break
			fi
			kill -0 "$_bgpid" 2>/dev/null || break
			sleep 0.1
			_i=$((_i + 1))
		done
		kill "$_bgpid" 2>/dev/null
	done
	fail "$1: the server did not start (see $_log)"
	return 1
}

# JSON: valid, and one value by key path.  jq, else python3.
if command -v jq >/dev/null 2>&1; then
	json_valid() { jq -e . "$1" >/dev/null 2>&1; }
	json_get() {
		_f=$1
		shift
		_p=$(printf '"%s",' "$@")
		jq -r --argjson p "[${_p%,}]" 'getpath($p) |
		    if type == "array" or type == "object" then tojson
		    else . end' "$_f"
	}
elif command -v python3 >/dev/null 2>&1; then
	json_valid() { python3 -m json.tool "$1" >/dev/null 2>&1; }
	json_get() {
		python3 -c 'import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
for k in sys.argv[2:]:
    v = v.get(k) if isinstance(v, dict) else None
if isinstance(v, (dict, list)):
    v = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
print("null" if v is None else v)' "$@"
	}
else
	json_valid() { return 2; }
	json_get() { :; }
	echo "note: neither jq nor python3: --json output is not checked"
fi
have_json() { command -v jq >/dev/null 2>&1 || command -v python3 >/dev/null 2>&1; }
