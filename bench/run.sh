#!/bin/bash
# cakit's benchmark, beside the tools operators use today (issue 6).
#
#   bench/run.sh [--quick] [BUILDDIR]
#
# Runs the built binaries in BUILDDIR (default $top_builddir, else .),
# openssl, certtool and easyrsa, prints one table, and writes
# bench/RESULTS.md (or $BENCH_RESULTS) with the machine, the versions,
# every figure as the median of several runs with min and max, and the
# targets of issue 6 with their measured ratios.  --quick is the smoke
# test for make check: tiny sizes, one run each, a few seconds; it
# exercises every section, writes RESULTS.md only where $BENCH_RESULTS
# says, and skips easyrsa and peak memory (with a note) when they are
# not installed.  Either mode exits 1 when any command fails.
#
# See bench/README.md for what is measured and how.
set -u
export LC_ALL=C TZ=UTC
unset CA_DIR CA_KEY_PASSPHRASE_FILE

prog=bench/run.sh
usage() {
	echo "usage: $prog [--quick] [BUILDDIR]" >&2
	exit 2
}

quick=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	-h | --help) echo "usage: $prog [--quick] [BUILDDIR]"; exit 0 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || usage

die() {
	echo "$prog: $*" >&2
	exit 1
}
note() {
	echo "$prog: $*" >&2
}

here=$(cd "$(dirname "$0")" && pwd) || die "cannot find the bench directory"
B=${1:-${top_builddir:-.}}
B=$(cd "$B" 2>/dev/null && pwd) || die "${1:-.}: no such build directory"
for b in ca-init ca-sign ca-revoke ca-bundle ca-list; do
	[ -x "$B/$b" ] || die "$B/$b: not built (give the build directory)"
done

# Sizes and repetitions.  Per-process figures are cheap, so they get more
# runs; every figure is the median of at least 5 runs in full mode.
if [ "$quick" -eq 1 ]; then
	RUNS_FAST=1 RUNS=1 WARMUP=0
	LEDGER_SIZES="0 100"
	REVOKED_SIZES="10 50 100"
	BATCH_N=8 CSR_KINDS=2 SIGN_SECS=0.02 COMMITS=5
else
	RUNS_FAST=11 RUNS=5 WARMUP=1
	LEDGER_SIZES="0 10000 100000 1000000"
	REVOKED_SIZES="1000 10000 100000 1000000"
	BATCH_N=2000 CSR_KINDS=20 SIGN_SECS=0.5 COMMITS=100
fi

# Tools.  The full run needs them all; the quick one can do without
# easyrsa and GNU time.
need_pkg() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 is not installed (Debian package $2)"
}
need_pkg openssl openssl
need_pkg certtool gnutls-bin
need_pkg sqlite3 sqlite3
need_pkg cc gcc
need_pkg pkg-config pkg-config
need_pkg awk mawk
EASYRSA=${EASYRSA:-}
if [ -z "$EASYRSA" ]; then
	if command -v easyrsa >/dev/null 2>&1; then
		EASYRSA=$(command -v easyrsa)
	elif [ -x /usr/share/easy-rsa/easyrsa ]; then
		EASYRSA=/usr/share/easy-rsa/easyrsa
	fi
fi
GNUTIME=
[ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1 &&
	GNUTIME=/usr/bin/time
if [ "$quick" -eq 0 ]; then
	[ -n "$EASYRSA" ] || die "easyrsa is not installed (Debian package easy-rsa)"
	[ -n "$GNUTIME" ] || die "/usr/bin/time is not installed (Debian package time)"
else
	[ -n "$EASYRSA" ] || note "easyrsa is not installed: skipping it (quick mode)"
	[ -n "$GNUTIME" ] || note "/usr/bin/time is not installed: no peak memory (quick mode)"
fi
STRACE=$(command -v strace 2>/dev/null || true)

T=$(mktemp -d "${TMPDIR:-/tmp}/cakit-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
mkdir -p "$T/t" "$T/m" "$T/v" || die "cannot write in $T"
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
t_start=$EPOCHREALTIME
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# must CMD...: run a setup step; on failure show its error and stop.
must() {
	if ! "$@" >"$T/must.out" 2>"$T/must.err"; then
		note "failed: $*"
		tail -n 20 "$T/must.err" "$T/must.out" >&2
		exit 1
	fi
}

section() {
	printf '%s\n' "$*" >&2
}

# --- The timing harness ----------------------------------------------
#
# A measured thing is an item CTX/NAME: the shell function c_NAME run
# with D=$T/CTX (and KT, the context's key type).  p_NAME, if defined,
# prepares each run untimed; q_NAME, if defined, reads each run's
# output untimed.  RUN counts the runs of the item, so that a run can
# use a fresh file name.  The tool is started as "${X[@]}" TOOL ...:
# X is empty while timing and /usr/bin/time while measuring peak memory.
# Wall time comes from bash's $EPOCHREALTIME, which costs no process.
X=()
declare -A CTX_KT=() COUNT=()
D='' KT='' RUN=0

key_of() {
	local k=${1//\//_}
	printf '%s' "${k//-/_}"
}

# one ITEM [nosave]: one timed run.
one() {
	local ctx=${1%/*} name=${1#*/} key s e
	key=$(key_of "$1")
	D=$T/$ctx
	KT=${CTX_KT[$ctx]:-}
	RUN=$(( ${COUNT[$key]:-0} + 1 ))
	COUNT[$key]=$RUN
	if declare -F "p_$name" >/dev/null; then
		"p_$name" >"$T/prep.err" 2>&1 || {
			note "$1: preparing run $RUN failed"
			cat "$T/prep.err" >&2
			exit 1
		}
	fi
	# Start each run with no dirty pages: the next command's fsync must
	# not pay for what the one before it left in the page cache.
	sync
	s=$EPOCHREALTIME
	"c_$name" </dev/null >"$T/out" 2>"$T/err"
	local rc=$?
	e=$EPOCHREALTIME
	if [ "$rc" -ne 0 ]; then
		note "$1 failed (exit $rc) on run $RUN:"
		tail -n 20 "$T/err" >&2
		exit 1
	fi
	[ "${2:-}" = nosave ] || echo $(( ${e/./} - ${s/./} )) >>"$T/t/$key"
	if declare -F "q_$name" >/dev/null && [ "${2:-}" != nosave ]; then
		"q_$name" "$key" || { note "$1: reading the output failed"; exit 1; }
	fi
}

# rounds N ITEM...: a warm-up run of each item (full mode), then N
# rounds of one run of each item in turn, so that a slow moment of this
# shared machine costs every item alike, then one more run of each under
# /usr/bin/time for its peak memory.
rounds() {
	local n=$1 i item key
	shift
	if [ "$WARMUP" -eq 1 ]; then
		for item; do
			one "$item" nosave
		done
	fi
	for ((i = 0; i < n; i++)); do
		for item; do
			one "$item"
		done
	done
	[ -n "$GNUTIME" ] || return 0
	for item; do
		key=$(key_of "$item")
		X=("$GNUTIME" -f %M -o "$T/rss")
		one "$item" nosave
		X=()
		tail -n 1 "$T/rss" >"$T/m/$key"
	done
}

# stats FILE: "median min max" of the numbers in FILE.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 }
	    END {
		if (NR == 0) { print "0 0 0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR]
	    }'
}
med() {
	stats "$1" | cut -d' ' -f1
}
tmed() {
	med "$T/t/$(key_of "$1")"
}
tmin() {
	stats "$T/t/$(key_of "$1")" | cut -d' ' -f2
}
rss() {
	local f
	f=$T/m/$(key_of "$1")
	if [ -s "$f" ]; then cat "$f"; else echo 0; fi
}

fmt_t() {	# microseconds
	awk -v u="$1" 'BEGIN {
		if (u < 10000) printf "%.2f ms", u / 1000
		else if (u < 1000000) printf "%.1f ms", u / 1000
		else printf "%.2f s", u / 1000000 }'
}
fmt_us() {	# microseconds, from an in-process loop
	awk -v u="$1" 'BEGIN { if (u < 1000) printf "%.1f us", u;
	    else printf "%.2f ms", u / 1000 }'
}
fmt_kb() {
	awk -v k="$1" 'BEGIN { if (k == 0) print "-"; else if (k < 10240)
	    printf "%.1f MiB", k / 1024; else printf "%.0f MiB", k / 1024 }'
}
fmt_bytes() {
	awk -v b="$1" 'BEGIN { if (b < 10240) printf "%d B", b;
	    else if (b < 10485760) printf "%.0f KiB", b / 1024;
	    else printf "%.1f MiB", b / 1048576 }'
}
fmt_n() {	# 1000000 -> 1M
	awk -v n="$1" 'BEGIN { if (n >= 1000000 && n % 1000000 == 0)
	    printf "%dM", n / 1000000; else if (n >= 1000 && n % 1000 == 0)
	    printf "%dk", n / 1000; else printf "%d", n }'
}
ratio() {	# a / b, two decimals
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a";
	    else printf "%.2f", a / b }'
}
le() {		# a <= b
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'
}

# The table: one line per figure, tab-separated.
TABLE=$T/table.tsv
: >"$TABLE"
head_row() {
	printf '%s\t\t\t\t\t\t\n' "$1" >>"$TABLE"
}
# trow WHAT ITEM NOTE: a timed item.
trow() {
	local m mn mx
	read -r m mn mx < <(stats "$T/t/$(key_of "$2")")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(fmt_t "$m")" \
	    "$(fmt_t "$mn")" "$(fmt_t "$mx")" "$(fmt_kb "$(rss "$2")")" \
	    "$3" >>"$TABLE"
}
# vrow WHAT MEDIAN MIN MAX RSS NOTE: a figure already formatted.
vrow() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$TABLE"
}

TARGETS=$T/targets.tsv
: >"$TARGETS"
# target VERDICT TEXT
target() {
	local v=$1
	[ "$quick" -eq 1 ] && v="$v (quick run)"
	printf '%s\t%s\n' "$v" "$2" >>"$TARGETS"
}
verdict() {	# verdict CONDITION-EXIT-STATUS
	if [ "$1" -eq 0 ]; then echo MET; else echo MISSED; fi
}

# --- Build the floor programs ------------------------------------------
section "building bench/floor.c and bench/sign-loop.c"
# shellcheck disable=SC2046
must cc -O2 -o "$T/floor" "$here/floor.c" $(pkg-config --cflags --libs gnutls sqlite3)
# shellcheck disable=SC2046
must cc -O2 -o "$T/sign-loop" "$here/sign-loop.c" $(pkg-config --cflags --libs gnutls sqlite3)
FLOOR=$T/floor
SIGNLOOP=$T/sign-loop

# --- Set-up helpers ------------------------------------------------------
# The key types of section 1: cakit's name, openssl's options, easyrsa's.
kt_cakit() { case $1 in ec) echo ecdsa-p256 ;; rsa) echo rsa-2048 ;; esac; }
kt_label() { case $1 in ec) echo "ECDSA P-256" ;; rsa) echo "RSA-2048" ;; esac; }
kt_newkey() {
	case $1 in
	ec) echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	rsa) echo "-newkey rsa:2048" ;;
	esac
}

# make_csr KT OUT NAME
make_csr() {
	# shellcheck disable=SC2046
	must openssl req -new $(kt_newkey "$1") -nodes -keyout "$2.key" \
	    -subj "/CN=$3" -addext "subjectAltName=DNS:$3" -out "$2"
}

# make_ca DIR KT SUBJECT [ca-init options]
make_ca() {
	local dir=$1 kt=$2 subj=$3
	shift 3
	mkdir -p "${dir%/*}" || exit 1
	must "$B/ca-init" -d "$dir" --subject "$subj" --key-type "$(kt_cakit "$kt")" "$@"
}

# openssl_ca DIR CAKIT-CA KT: a minimal openssl ca beside a cakit CA,
# with the same key and certificate.
openssl_ca() {
	local dir=$1 ca=$2 ku=digitalSignature
	[ "$3" = rsa ] && ku="digitalSignature, keyEncipherment"
	mkdir -p "$dir/newcerts" || exit 1
	cp "$ca/ca.crt" "$ca/ca.key" "$dir/" || exit 1
	: >"$dir/index.txt"
	echo 'unique_subject = no' >"$dir/index.txt.attr"
	echo 1000 >"$dir/serial"
	echo 1000 >"$dir/crlnumber"
	cat >"$dir/openssl.cnf" <<EOF
[ ca ]
default_ca = bench

[ bench ]
dir = $dir
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
serial = \$dir/serial
crlnumber = \$dir/crlnumber
default_md = sha256
default_days = 365
default_crl_days = 7
unique_subject = no
copy_extensions = copy
policy = policy_any
x509_extensions = server_ext

[ policy_any ]
commonName = supplied

[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, $ku
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# index_lines N STATUS: N lines of OpenSSL's index.txt, V or R, with
# random 20-octet serials and the subjects fill-ledger.sh gives.
index_lines() {
	awk -v n="$1" -v st="$2" -v seed="$RANDOM$RANDOM" 'BEGIN {
		srand(seed)
		for (i = 1; i <= n; i++) {
			s = sprintf("%02X%02X%04X%04X%04X%04X%04X%04X%04X%04X%04X",
			    1 + int(rand() * 127), int(rand() * 256),
			    int(rand() * 65536), int(rand() * 65536),
			    int(rand() * 65536), int(rand() * 65536),
			    int(rand() * 65536), int(rand() * 65536),
			    int(rand() * 65536), int(rand() * 65536),
			    int(rand() * 65536))
			if (st == "R")
				printf "R\t270101000000Z\t250601000000Z,keyCompromise\t%s\tunknown\t/CN=host-%d.bench.example\n", s, i
			else
				printf "V\t270101000000Z\t\t%s\tunknown\t/CN=host-%d.bench.example\n", s, i
		}
	}'
}

fill() {	# fill [--revoked] LEDGER N
	must sh "$here/fill-ledger.sh" "$@"
}

# --- The commands measured -----------------------------------------------
# D is the context's directory, KT its key type, RUN the run number.

# Section 1.
c_sign() { "${X[@]}" "$B/ca-sign" -d "$D/ca" "$D/leaf.csr" >"$D/cakit.pem"; }
c_newkey() {
	"${X[@]}" "$B/ca-sign" -d "$D/ca" --new-key "$D/nk/$RUN.key" \
	    --key-type "$(kt_cakit "$KT")" --dns "nk-$RUN.bench.example" >"$D/newkey.pem"
}
c_openssl() {
	"${X[@]}" openssl ca -batch -notext -config "$D/ossl/openssl.cnf" \
	    -in "$D/leaf.csr" -out "$D/openssl.pem"
}
p_easyrsa() { cp "$D/leaf.csr" "$D/pki/reqs/h$RUN.req"; }
c_easyrsa() {
	EASYRSA_BATCH=1 EASYRSA_PKI=$D/pki EASYRSA_CERT_EXPIRE=365 \
	    "${X[@]}" "$EASYRSA" sign-req server "h$RUN"
}
c_certtool() {
	"${X[@]}" certtool --generate-certificate --load-request "$D/leaf.csr" \
	    --load-ca-certificate "$D/ca/ca.crt" --load-ca-privkey "$D/ca/ca.key" \
	    --template "$D/certtool.tmpl" --outfile "$D/certtool.pem"
}
c_floor() { "${X[@]}" "$FLOOR"; }
c_bare() { "${X[@]}" "$FLOOR" --bare; }
c_flissue() { "${X[@]}" "$FLOOR" --issue "$D/ca/ca.key" "$D/tbs.der" "$D/floor.db"; }
c_commit() { "${X[@]}" "$FLOOR" --commit "$D/floor.db" "$COMMITS"; }
q_commit() {	# open+commit+close, the same keeping the WAL, commit alone (µs)
	read -r a b c <"$T/out" || return 1
	echo "$a" >>"$T/v/$1.occ"
	echo "$b" >>"$T/v/$1.keep"
	echo "$c" >>"$T/v/$1.commit"
}
c_signloop() { "${X[@]}" "$SIGNLOOP" "$D/ca/ca.key" "$D/first.pem" "$SIGN_SECS"; }
q_signloop() {	# signatures/s, µs each, verifications/s, µs each
	read -r a b c d <"$T/out" || return 1
	echo "$a" >>"$T/v/$1.rate"
	echo "$b" >>"$T/v/$1.us"
	echo "$c" >>"$T/v/$1.vrate"
	echo "$d" >>"$T/v/$1.vus"
}

# Section 3.
c_batch() { "${X[@]}" "$B/ca-sign" -d "$D/ca" --batch "$D/csrs" >"$D/batch.pem"; }
p_batchdir() { rm -rf "$D/bout" && mkdir "$D/bout"; }
c_batchdir() { "${X[@]}" "$B/ca-sign" -d "$D/ca" --batch -o "$D/bout" "$D/csrs"; }

# Section 4.
c_revoke() { "${X[@]}" "$B/ca-revoke" -d "$D/ca" "$D/c/$RUN.pem"; }
c_crl() { "${X[@]}" "$B/ca-revoke" -d "$D/ca" --crl; }
c_gencrl() {
	"${X[@]}" openssl ca -gencrl -config "$D/ossl/openssl.cnf" -out "$D/ossl/crl.pem"
}

# Section 5.
c_expiring() { "${X[@]}" "$B/ca-list" -d "$D/ca" --expiring 30 >"$D/expiring.txt"; }
c_json() { "${X[@]}" "$B/ca-list" -d "$D/ca" --json >/dev/null; }
c_chain() { "${X[@]}" "$B/ca-bundle" -d "$D/inter" --chain "$D/leaf.pem" >"$D/chain.pem"; }

# ==== 1. One certificate per process ======================================
for kt in ec rsa; do
	section "1. one certificate per process, $(kt_label "$kt"): setting up"
	C=$T/s1$kt
	D=$C
	CTX_KT[s1$kt]=$kt
	mkdir -p "$C/nk" || exit 1
	make_ca "$C/ca" "$kt" "CN=Bench $(kt_label "$kt") CA"
	make_csr "$kt" "$C/leaf.csr" host.bench.example
	must "$B/ca-sign" -d "$C/ca" -o "$C/first.pem" "$C/leaf.csr"
	must "$SIGNLOOP" "$C/ca/ca.key" "$C/first.pem" 0.01 "$C/tbs.der"
	must "$FLOOR" --commit "$C/floor.db" 1
	openssl_ca "$C/ossl" "$C/ca" "$kt"
	cat >"$C/certtool.tmpl" <<EOF
expiration_days = 365
dns_name = host.bench.example
tls_www_server
signing_key
EOF
	[ "$kt" = rsa ] && echo encryption_key >>"$C/certtool.tmpl"
	items="s1$kt/sign s1$kt/newkey s1$kt/openssl s1$kt/certtool s1$kt/floor s1$kt/bare s1$kt/flissue s1$kt/commit s1$kt/signloop"
	if [ -n "$EASYRSA" ]; then
		case $kt in
		ec) ealgo="EASYRSA_ALGO=ec EASYRSA_CURVE=prime256v1" ;;
		rsa) ealgo="EASYRSA_ALGO=rsa EASYRSA_KEY_SIZE=2048" ;;
		esac
		must env EASYRSA_BATCH=1 EASYRSA_PKI="$C/pki" "$EASYRSA" init-pki
		# shellcheck disable=SC2086
		must env EASYRSA_BATCH=1 EASYRSA_PKI="$C/pki" $ealgo \
		    EASYRSA_REQ_CN="Bench EasyRSA CA" "$EASYRSA" build-ca nopass
		items="$items s1$kt/easyrsa"
	fi
	section "1. one certificate per process, $(kt_label "$kt"): measuring"
	# shellcheck disable=SC2086
	rounds "$RUNS_FAST" $items
	# Every tool made a certificate that verifies.
	for f in cakit newkey openssl certtool; do
		must openssl verify -CAfile "$C/ca/ca.crt" "$C/$f.pem"
	done
	if [ -n "$EASYRSA" ]; then
		must openssl verify -CAfile "$C/pki/ca.crt" "$C/pki/issued/h1.crt"
	fi
done

# ==== 2. Ledger scale =====================================================
section "2. ledger scale: filling ledgers of $LEDGER_SIZES rows"
items=
for n in $LEDGER_SIZES; do
	C=$T/l$n
	D=$C
	CTX_KT[l$n]=ec
	make_ca "$C/ca" ec "CN=Bench Ledger CA"
	cp "$T/s1ec/leaf.csr" "$C/leaf.csr" || exit 1
	openssl_ca "$C/ossl" "$C/ca" ec
	if [ "$n" -gt 0 ]; then
		must "$B/ca-sign" -d "$C/ca" -o "$C/first.pem" "$C/leaf.csr"
		fill "$C/ca/ledger.db" "$n"
		index_lines "$n" V >"$C/ossl/index.txt" || exit 1
	fi
	items="$items l$n/sign l$n/openssl"
done
section "2. ledger scale: measuring"
# shellcheck disable=SC2086
rounds "$RUNS_FAST" $items

# ==== 3. Batch issuance ===================================================
for kt in ec rsa; do
	section "3. batch issuance, $(kt_label "$kt"): $BATCH_N requests"
	C=$T/b$kt
	D=$C
	CTX_KT[b$kt]=$kt
	mkdir -p "$C/kinds" "$C/csrs" || exit 1
	make_ca "$C/ca" "$kt" "CN=Bench Batch CA"
	for ((i = 1; i <= CSR_KINDS; i++)); do
		make_csr "$kt" "$C/kinds/$i.csr" "batch-$i.bench.example"
	done
	for ((i = 1; i <= BATCH_N; i++)); do
		k=$(( (i - 1) % CSR_KINDS + 1 ))
		ln "$C/kinds/$k.csr" "$C/csrs/$(printf %06d "$i").csr" || exit 1
	done
	must "$B/ca-sign" -d "$C/ca" -o "$C/first.pem" "$C/kinds/1.csr"
	items="b$kt/batch b$kt/signloop"
	[ "$kt" = ec ] && items="$items b$kt/batchdir"
	# shellcheck disable=SC2086
	rounds "$RUNS" $items
	got=$(grep -c 'BEGIN CERTIFICATE' "$C/batch.pem")
	[ "$got" -eq "$BATCH_N" ] ||
		die "ca-sign --batch printed $got certificates for $BATCH_N requests"
done

# ==== 4. Revocation =======================================================
section "4. revocation: filling ledgers with $REVOKED_SIZES revoked"
items=
for n in $REVOKED_SIZES; do
	C=$T/r$n
	D=$C
	CTX_KT[r$n]=ec
	mkdir -p "$C/c" || exit 1
	make_ca "$C/ca" ec "CN=Bench Revocation CA"
	openssl_ca "$C/ossl" "$C/ca" ec
	# A certificate for each run to revoke, the warm-up's included.
	for ((i = 1; i <= RUNS + 2; i++)); do
		must "$B/ca-sign" -d "$C/ca" -o "$C/c/$i.pem" "$T/s1ec/leaf.csr"
	done
	fill --revoked "$C/ca/ledger.db" "$n"
	index_lines "$n" R >"$C/ossl/index.txt" || exit 1
	items="$items r$n/revoke r$n/crl r$n/gencrl"
done
section "4. revocation: measuring"
memrun=0
[ -n "$GNUTIME" ] && memrun=1
# shellcheck disable=SC2086
rounds "$RUNS" $items
for n in $REVOKED_SIZES; do
	C=$T/r$n
	want=$((n + WARMUP + RUNS + memrun))
	got=$(openssl crl -in "$C/ca/crl.pem" -noout -text | grep -c 'Serial Number:')
	[ "$got" -eq "$want" ] ||
		die "r$n: the CRL lists $got certificates, not $want"
	openssl crl -in "$C/ca/crl.pem" -outform DER -out "$C/crl.der" ||
		die "r$n: crl.pem is not a CRL"
	openssl crl -in "$C/ossl/crl.pem" -outform DER -out "$C/ossl-crl.der" ||
		die "r$n: openssl's crl.pem is not a CRL"
done

# ==== 5. Listing and bundles ==============================================
section "5. ca-list and ca-bundle"
for n in $LEDGER_SIZES; do
	big=$n
done
small_ledger=${LEDGER_SIZES%% *}
CTX_KT[l$big]=ec
C=$T/chain
D=$C
CTX_KT[chain]=ec
make_ca "$C/root" ec "CN=Bench Root CA"
must "$B/ca-init" -d "$C/inter" --parent "$C/root" --subject "CN=Bench Issuing CA"
must "$B/ca-sign" -d "$C/inter" -o "$C/leaf.pem" "$T/s1ec/leaf.csr"
rounds "$RUNS" "l$big/expiring" "l$big/json" chain/chain
got=$(grep -c 'BEGIN CERTIFICATE' "$C/chain.pem")
[ "$got" -eq 2 ] || die "ca-bundle --chain printed $got certificates, not 2"
must openssl verify -CAfile "$C/root/ca.crt" -untrusted "$C/chain.pem" "$C/leaf.pem"
expiring_rows=$(wc -l <"$T/l$big/expiring.txt")
expiring_rows=$((expiring_rows - 1))

# ==== Start-up ============================================================
# What the binaries do before their work: child processes, the system
# trust store, and writes to an up-to-date ledger by a read-only command.
startup_children='' startup_trust='' startup_schema=''
if [ -n "$STRACE" ]; then
	section "start-up: strace"
	# LeakSanitizer cannot run under ptrace: a sanitizer build
	# (make check under --enable-sanitizers) is traced without it.
	nolsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	D=$T/s1ec
	: >"$T/strace.all"
	for cmd in "ca-sign -d $D/ca $D/leaf.csr" "ca-revoke -d $D/ca --crl" \
	    "ca-list -d $D/ca" "ca-bundle -d $T/chain/inter --chain $T/chain/leaf.pem"; do
		# shellcheck disable=SC2086
		ASAN_OPTIONS=$nolsan must "$STRACE" -f -o "$T/strace.one" \
		    -e trace=execve,clone,clone3,fork,vfork,openat,open $B/$cmd
		cat "$T/strace.one" >>"$T/strace.all"
		echo "$cmd: $(grep -c 'execve(' "$T/strace.one") execve" >>"$T/strace.exec"
	done
	startup_children=$(grep -cE '(^|[0-9] +)(clone3?|v?fork)\(' "$T/strace.all")
	nexec=$(grep -c 'execve(' "$T/strace.all")
	startup_children=$((startup_children + nexec - 4))
	startup_trust=$(grep -cE '/etc/ssl|ca-certificates|/etc/pki|p11-kit-trust|pkcs11/' \
	    "$T/strace.all")
	ASAN_OPTIONS=$nolsan must "$STRACE" -y -o "$T/strace.write" \
	    -e trace=write,pwrite64,ftruncate \
	    "$B/ca-list" -d "$D/ca"
	startup_schema=$(grep -cE 'ledger\.db>' "$T/strace.write")
else
	note "strace is not installed: the start-up checks are skipped"
fi

# ==== The table ===========================================================
section "writing the results"

declare -A FLOOR_SUM=() BATCH_RATE=() SIGN_RATE=() SIGN_US=() VERIFY_US=()

# Section 1.
for kt in ec rsa; do
	k=s1$kt
	floor_us=$(tmed "$k/floor")
	sign_us=$(med "$T/v/${k}_signloop.us")
	commit_us=$(med "$T/v/${k}_commit.commit")
	floor_sum=$(awk -v a="$floor_us" -v b="$sign_us" -v c="$commit_us" 'BEGIN { print a + b + c }')
	FLOOR_SUM[$kt]=$floor_sum
	head_row "1. One certificate per process, $(kt_label "$kt")"
	trow "ca-sign CSR" "$k/sign" "$(ratio "$(tmed "$k/sign")" "$floor_sum")x floor"
	trow "ca-sign --new-key" "$k/newkey" "$(ratio "$(tmed "$k/newkey")" "$floor_sum")x floor; key generation included"
	trow "openssl ca -batch (fresh index.txt)" "$k/openssl" "$(ratio "$(tmed "$k/openssl")" "$(tmed "$k/sign")")x ca-sign"
	if [ -n "$EASYRSA" ]; then
		trow "easyrsa sign-req" "$k/easyrsa" "$(ratio "$(tmed "$k/easyrsa")" "$(tmed "$k/sign")")x ca-sign"
	else
		vrow "easyrsa sign-req" "skipped" "" "" "" "easyrsa is not installed"
	fi
	trow "certtool --generate-certificate (no record)" "$k/certtool" "$(ratio "$(tmed "$k/certtool")" "$(tmed "$k/sign")")x ca-sign"
	trow "floor: process linking GnuTLS+SQLite, gnutls_global_init" "$k/floor" "without gnutls_global_init: $(fmt_t "$(tmed "$k/bare")")"
	read -r m mn mx < <(stats "$T/v/${k}_signloop.us")
	vrow "floor: one signature (in process)" "$(fmt_us "$m")" "$(fmt_us "$mn")" "$(fmt_us "$mx")" "-" "bench/sign-loop.c"
	read -r m mn mx < <(stats "$T/v/${k}_commit.commit")
	vrow "floor: one durable commit (in process)" "$(fmt_us "$m")" "$(fmt_us "$mn")" "$(fmt_us "$mx")" "-" "WAL, synchronous=FULL, on an open connection"
	vrow "floor: sum of the three" "$(fmt_t "$floor_sum")" "" "" "-" "the target's floor"
	read -r m mn mx < <(stats "$T/v/${k}_commit.keep")
	vrow "open, commit, close, WAL kept (in process)" "$(fmt_us "$m")" "$(fmt_us "$mn")" "$(fmt_us "$mx")" "-" "PERSIST_WAL, NO_CKPT_ON_CLOSE"
	read -r m mn mx < <(stats "$T/v/${k}_commit.occ")
	vrow "open, commit, close, SQLite's default (in process)" "$(fmt_us "$m")" "$(fmt_us "$mn")" "$(fmt_us "$mx")" "-" "the last close checkpoints and removes the WAL"
	trow "minimal CA process: load key, sign, commit (WAL kept)" "$k/flissue" "bench/floor.c --issue; ca-sign takes $(ratio "$(tmed "$k/sign")" "$(tmed "$k/flissue")")x"
done

# Section 2.
head_row "2. Ledger scale, ECDSA P-256 (rows already in the ledger)"
for n in $LEDGER_SIZES; do
	trow "ca-sign CSR, $(fmt_n "$n") rows" "l$n/sign" "$(ratio "$(tmed "l$n/sign")" "$(tmed "l$small_ledger/sign")")x empty"
done
for n in $LEDGER_SIZES; do
	trow "openssl ca, $(fmt_n "$n")-line index.txt" "l$n/openssl" "$(ratio "$(tmed "l$n/openssl")" "$(tmed "l$small_ledger/openssl")")x empty; $(ratio "$(tmed "l$n/openssl")" "$(tmed "l$n/sign")")x ca-sign"
done

# Section 3: rates from times.
rate_row() {	# WHAT ITEM N SIGNRATE
	local m mn mx
	read -r m mn mx < <(stats "$T/t/$(key_of "$2")")
	local r rmin rmax
	r=$(awk -v n="$3" -v t="$m" 'BEGIN { printf "%.0f", n / (t / 1e6) }')
	rmin=$(awk -v n="$3" -v t="$mx" 'BEGIN { printf "%.0f", n / (t / 1e6) }')
	rmax=$(awk -v n="$3" -v t="$mn" 'BEGIN { printf "%.0f", n / (t / 1e6) }')
	vrow "$1" "$r/s" "$rmin/s" "$rmax/s" "$(fmt_kb "$(rss "$2")")" \
	    "$(ratio "$r" "$4") of the signing limit; $(fmt_t "$m") for $3"
	echo "$r"
}
for kt in ec rsa; do
	k=b$kt
	signrate=$(med "$T/v/${k}_signloop.rate")
	head_row "3. Batch issuance, $(kt_label "$kt"), $BATCH_N requests"
	BATCH_RATE[$kt]=$(rate_row "ca-sign --batch DIR > PEM stream" "$k/batch" "$BATCH_N" "$signrate")
	if [ "$kt" = ec ]; then
		rate_row "ca-sign --batch -o OUTDIR DIR (a file each)" "$k/batchdir" "$BATCH_N" "$signrate" >/dev/null
	fi
	read -r m mn mx < <(stats "$T/v/${k}_signloop.rate")
	vrow "signing limit: GnuTLS signs a same-sized TBS in a loop" "$(printf %.0f "$m")/s" "$(printf %.0f "$mn")/s" "$(printf %.0f "$mx")/s" "-" "$(fmt_us "$(med "$T/v/${k}_signloop.us")") each"
	read -r m mn mx < <(stats "$T/v/${k}_signloop.vrate")
	vrow "for reference: GnuTLS verifies that signature in a loop" "$(printf %.0f "$m")/s" "$(printf %.0f "$mn")/s" "$(printf %.0f "$mx")/s" "-" "$(fmt_us "$(med "$T/v/${k}_signloop.vus")") each; a CA verifies one per request"
	SIGN_RATE[$kt]=$signrate
	SIGN_US[$kt]=$(med "$T/v/${k}_signloop.us")
	VERIFY_US[$kt]=$(med "$T/v/${k}_signloop.vus")
done

# Section 4.
head_row "4. Revocation, ECDSA P-256 CA (certificates already revoked)"
for n in $REVOKED_SIZES; do
	der=$(stat -c %s "$T/r$n/crl.der")
	pem=$(stat -c %s "$T/r$n/ca/crl.pem")
	text="CRL $(fmt_bytes "$der") DER, $(fmt_bytes "$pem") PEM"
	[ "$der" -ge 1048576 ] && [ -n "$GNUTIME" ] &&
		text="$text; peak RSS $(ratio "$(rss "r$n/revoke")" "$(awk -v d="$der" 'BEGIN { print d / 1024 }')")x the DER"
	trow "ca-revoke one more, $(fmt_n "$n") revoked" "r$n/revoke" "$text"
	trow "ca-revoke --crl, $(fmt_n "$n") revoked" "r$n/crl" "re-sign only"
	oder=$(stat -c %s "$T/r$n/ossl-crl.der")
	trow "openssl ca -gencrl, $(fmt_n "$n") revoked" "r$n/gencrl" "CRL $(fmt_bytes "$oder") DER; $(ratio "$(tmed "r$n/gencrl")" "$(tmed "r$n/revoke")")x ca-revoke"
done

# Section 5.
head_row "5. Listing and bundles"
trow "ca-list --expiring 30, $(fmt_n "$big") rows" "l$big/expiring" "$expiring_rows rows listed"
trow "ca-list --json, $(fmt_n "$big") rows" "l$big/json" "to /dev/null"
trow "ca-bundle --chain, two-tier CA" "chain/chain" "leaf and intermediate"

# ==== The targets =========================================================
has_size() {	# has_size N LIST
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}
big_ledger=$big

# One issuance per process, P-256.
s=$(tmed s1ec/sign)
r=$(ratio "$s" "${FLOOR_SUM[ec]}")
le "$r" 1.3; v=$(verdict $?)
target "$v" "One issuance per process (P-256) within 1.3x of the floor: ca-sign $(fmt_t "$s"), floor $(fmt_t "${FLOOR_SUM[ec]}") (process + signature + durable commit): **${r}x** (against the minimal CA process that also opens the ledger and loads the key, $(fmt_t "$(tmed s1ec/flissue)"): $(ratio "$s" "$(tmed s1ec/flissue)")x)"
r=$(ratio "$s" "$(tmed s1ec/certtool)")
le "$r" 1.0; v=$(verdict $?)
target "$v" "...at most as slow as certtool: ca-sign / certtool = **${r}x** (certtool $(fmt_t "$(tmed s1ec/certtool)"); fastest runs: $(ratio "$(tmin s1ec/sign)" "$(tmin s1ec/certtool)")x)"
r=$(ratio "$(tmed s1ec/openssl)" "$s")
le 1.3 "$r"; v=$(verdict $?)
target "$v" "...at least 1.3x faster than openssl ca on a fresh CA: openssl ca / ca-sign = **${r}x** (openssl ca $(fmt_t "$(tmed s1ec/openssl)"); fastest runs: $(ratio "$(tmin s1ec/openssl)" "$(tmin s1ec/sign)")x)"

# Issuance at the largest ledger.
r=$(ratio "$(tmed "l$big_ledger/sign")" "$(tmed "l$small_ledger/sign")")
le "$r" 1.1; v=$(verdict $?)
target "$v" "Issuance at $(fmt_n "$big_ledger") rows within 1.1x of an empty ledger: **${r}x** (openssl ca: $(ratio "$(tmed "l$big_ledger/openssl")" "$(tmed "l$small_ledger/openssl")")x)"

# Batch.
r=$(ratio "${BATCH_RATE[ec]}" "${SIGN_RATE[ec]}")
le 0.5 "$r"; v=$(verdict $?)
ceiling=$(awk -v s="${SIGN_US[ec]}" -v vv="${VERIFY_US[ec]}" 'BEGIN { printf "%.2f", s / (s + vv) }')
target "$v" "ca-sign --batch (P-256) at least half the signing limit: ${BATCH_RATE[ec]}/s of $(printf %.0f "${SIGN_RATE[ec]}")/s = **${r}** (checking each request's signature costs ${VERIFY_US[ec]} us against ${SIGN_US[ec]} us to sign, so one signature and one verification per certificate allow at most $ceiling of the limit)"

# CRLs.
lin_text="needs three sizes" lin_v="n/a"
read -r -a sz <<<"$REVOKED_SIZES"
if [ "${#sz[@]}" -ge 3 ]; then
	a=${sz[-3]} b=${sz[-2]} c=${sz[-1]}
	ta=$(tmed "r$a/revoke") tb=$(tmed "r$b/revoke") tc=$(tmed "r$c/revoke")
	m1=$(awk -v x="$ta" -v y="$tb" -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", (y - x) / (b - a) }')
	m2=$(awk -v x="$tb" -v y="$tc" -v a="$b" -v b="$c" 'BEGIN { printf "%.3f", (y - x) / (b - a) }')
	r=$(ratio "$m2" "$m1")
	le "$r" 1.25; lin_v=$(verdict $?)
	lin_text="time per added entry $m1 us from $(fmt_n "$a") to $(fmt_n "$b"), $m2 us from $(fmt_n "$b") to $(fmt_n "$c"): **${r}x**"
fi
target "$lin_v" "CRLs linear in the number of entries (the cost of an entry at the top of the range within 1.25x of the one below): $lin_text"
if has_size 100000 "$REVOKED_SIZES"; then
	t=$(tmed r100000/revoke)
	le "$t" 200000; v=$(verdict $?)
	target "$v" "100k revoked in under 0.2 s: ca-revoke **$(fmt_t "$t")** ($(ratio "$t" 200000)x the target)"
else
	target "n/a" "100k revoked in under 0.2 s: not measured (quick)"
fi
if has_size 1000000 "$REVOKED_SIZES"; then
	t=$(tmed r1000000/revoke)
	le "$t" 2000000; v=$(verdict $?)
	target "$v" "1M revoked in under 2 s: ca-revoke **$(fmt_t "$t")** ($(ratio "$t" 2000000)x the target)"
else
	target "n/a" "1M revoked in under 2 s: not measured (quick)"
fi
if [ -n "$GNUTIME" ]; then
	# Judged at the largest CRL: below some megabytes the process's
	# fixed 6-7 MiB (the libraries mapped) outweighs the CRL.
	text='' r=''
	for n in $REVOKED_SIZES; do
		der=$(stat -c %s "$T/r$n/crl.der")
		r=$(ratio "$(rss "r$n/revoke")" "$(awk -v d="$der" 'BEGIN { print d / 1024 }')")
		text="$text $(fmt_n "$n"): $(fmt_kb "$(rss "r$n/revoke")") for $(fmt_bytes "$der") (${r}x);"
	done
	le "$r" 2; v=$(verdict $?)
	target "$v" "CRL peak memory under twice the CRL's size (DER), at the largest CRL: **${r}x** (peak RSS for the DER CRL at each size:${text%;})"
else
	target "n/a" "CRL peak memory: not measured (no /usr/bin/time)"
fi
worst='' text='' text2='' text3=''
for n in $REVOKED_SIZES; do
	r=$(ratio "$(tmed "r$n/gencrl")" "$(tmed "r$n/revoke")")
	text="$text $(fmt_n "$n"): ${r}x;"
	text2="$text2 $(ratio "$(tmed "r$n/gencrl")" "$(tmed "r$n/crl")")x,"
	text3="$text3 $(ratio "$(tmin "r$n/gencrl")" "$(tmin "r$n/revoke")")x,"
	if [ -z "$worst" ] || le "$r" "$worst"; then worst=$r; fi
done
le 1 "$worst"; v=$(verdict $?)
target "$v" "ca-revoke faster than openssl ca -gencrl at every size (openssl / ca-revoke):${text%;} (against ca-revoke --crl, which only re-signs:${text2%,}; fastest runs of ca-revoke:${text3%,})"

# Listing.
t=$(tmed "l$big_ledger/expiring")
le "$t" 500000; v=$(verdict $?)
target "$v" "ca-list --expiring 30 on $(fmt_n "$big_ledger") rows well under a second (taken as 0.5 s): **$(fmt_t "$t")** for $expiring_rows rows"

# Peak memory of single-certificate commands.
if [ -n "$GNUTIME" ]; then
	worst=0 text=''
	for item in s1ec/sign s1rsa/sign s1ec/newkey s1rsa/newkey \
	    "r${REVOKED_SIZES%% *}/revoke" chain/chain; do
		kb=$(rss "$item")
		text="$text $item $(fmt_kb "$kb");"
		[ "$kb" -gt "$worst" ] && worst=$kb
	done
	[ "$worst" -lt 10240 ]; v=$(verdict $?)
	target "$v" "Peak memory of every single-certificate command under 10 MiB: worst **$(fmt_kb "$worst")** ($(ratio "$worst" 10240)x the limit):${text%;}"
else
	target "n/a" "Peak memory of single-certificate commands: not measured (no /usr/bin/time)"
fi

# Start-up.
if [ -n "$STRACE" ]; then
	[ "$startup_children" -eq 0 ] && [ "$startup_trust" -eq 0 ] &&
	    [ "$startup_schema" -eq 0 ]
	v=$(verdict $?)
	target "$v" "Start-up does nothing it does not need (strace of ca-sign, ca-revoke --crl, ca-list, ca-bundle --chain): $startup_children child processes, $startup_trust opens of a trust store or PKCS#11 module, $startup_schema writes to ledger.db by ca-list on an up-to-date ledger"
else
	target "n/a" "Start-up: not checked (strace is not installed)"
fi

# ==== Output ==============================================================
elapsed=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
load_end=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

print_table() {
	awk -F '\t' '
	{ row[NR] = $0; for (i = 1; i <= 6; i++) if ($2 != "" && length($i) > w[i]) w[i] = length($i) }
	END {
		printf "%-*s  %*s  %*s  %*s  %*s  %s\n", w[1], "", w[2], "median", w[3], "min", w[4], "max", w[5], "peak RSS", "notes"
		for (r = 1; r <= NR; r++) {
			n = split(row[r], f, "\t")
			if (f[2] == "" && f[6] == "") { printf "\n%s\n", f[1]; continue }
			printf "%-*s  %*s  %*s  %*s  %*s  %s\n", w[1], f[1], w[2], f[2], w[3], f[3], w[4], f[4], w[5], f[5], f[6]
		}
	}' "$TABLE"
}

markdown_table() {
	echo "| | median | min | max | peak RSS | notes |"
	echo "|---|---:|---:|---:|---:|---|"
	awk -F '\t' '{
		if ($2 == "" && $6 == "") printf "| **%s** | | | | | |\n", $1
		else printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6
	}' "$TABLE"
}

machine() {
	local cpu mem
	cpu=$(awk -F ': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
	echo "- Machine: $(nproc) CPUs ($cpu), $mem of memory, $(uname -sr), temporary files on $(df -PT "$T" | awk 'NR == 2 { print $2 }')"
	echo "- Load average at the start: $load_start; at the end: $load_end (the machine is shared: the ratios, measured in interleaved rounds, are the figures to trust)"
	local src commit=
	src=$(sed -n 's/^abs_top_srcdir = //p' "$B/Makefile" 2>/dev/null)
	if [ -n "$src" ] && command -v git >/dev/null 2>&1 &&
	    git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		commit=", commit $(git -C "$src" describe --always --dirty 2>/dev/null)"
	fi
	echo "- cakit: $("$B/ca-sign" --version | head -n 1)$commit, built in $B"
	echo "- Libraries: $("$FLOOR" --versions)"
	echo "- $(openssl version)"
	echo "- $(certtool --version | head -n 1)"
	if [ -n "$EASYRSA" ]; then
		echo "- easyrsa $("$EASYRSA" --version 2>/dev/null | awk '/^Version:/ { print $2; exit }') ($EASYRSA)"
	else
		echo "- easyrsa: not installed, skipped"
	fi
	echo "- sqlite3 shell $(sqlite3 --version | cut -d' ' -f1), bash $BASH_VERSION"
}

results() {
	if [ "$quick" -eq 1 ]; then
		echo "# cakit benchmark: quick smoke run (figures not meaningful)"
	else
		echo "# cakit benchmark results"
	fi
	echo
	echo "Written by \`bench/run.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $started in ${elapsed} s. See bench/README.md for the method."
	echo
	machine
	echo "- Runs: medians of $RUNS_FAST interleaved runs in sections 1 and 2, of $RUNS in the others, after $WARMUP warm-up run each; peak RSS from one more run under /usr/bin/time"
	echo
	echo "## Figures"
	echo
	markdown_table
	echo
	echo "## Targets of issue 6"
	echo
	awk -F '\t' '{ printf "- **%s**: %s\n", $1, $2 }' "$TARGETS"
}

print_table
echo
echo "Targets:"
awk -F '\t' '{ gsub(/\*\*/, "", $2); printf "  %-6s %s\n", $1, $2 }' "$TARGETS"
echo

out=${BENCH_RESULTS:-}
if [ -z "$out" ]; then
	if [ "$quick" -eq 1 ]; then out=$T/RESULTS.md; else out=$here/RESULTS.md; fi
fi
if ! results >"$out.tmp" || ! mv "$out.tmp" "$out"; then
	die "$out: cannot write"
fi
[ "$quick" -eq 1 ] && [ -z "${BENCH_RESULTS:-}" ] ||
	echo "$prog: wrote $out"
echo "$prog: done in ${elapsed} s"
