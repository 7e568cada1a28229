# The files commands write and read: outputs that alias each other or a
# CA file, outputs that are not regular files, a full disk after the
# commit (exit 3), signals while waiting on a busy ledger, temporary
# names at NAME_MAX, and secrets in FIFOs.  No command deletes or
# replaces a file it did not create, except the outputs it was asked to
# replace, and never a CA file; nothing is left behind.
. "$top_srcdir/tests/cli/lib.sh"
need openssl $LEDGER_TOOLS

cd "$T"
# Each part starts from a new CA, so that one part's damage (on a
# broken build) does not hide what the next part shows.
fresh() {
	rm -rf ca
	ca-init -d ca --subject 'CN=Files Test CA' >/dev/null 2>&1 ||
		fail "ca-init"
	before=$(snapshot ca)
}
fresh
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout r.key -subj /CN=r -addext subjectAltName=DNS:r.example \
	-out r.csr 2>/dev/null || fail "fixture r.csr"

# unchanged DESC BEFORE: the CA directory is as snapshotted in BEFORE.
unchanged() {
	assert_eq "$1: the CA is unchanged" "$(snapshot ca)" "$2"
}

# Only the listed names (and the fixtures) in the working directory:
# no temporary, hidden or not, is left behind.
leftovers() {
	_l=$(ls -A | grep -v -x -e ca -e r.key -e r.csr -e r.crt -e out \
		-e err -e left -e st ${2:+-e "$2"} ${3:+-e "$3"} ${4:+-e "$4"} | tr '\n' ' ')
	assert_eq "$1: nothing left behind" "$_l" ""
}

# assert_fail_t: assert_fail with the command under a 10 s timeout, for
# what used to block forever.
assert_fail_t() {
	_d=$1 _st=$2 _pat=$3
	shift 3
	run timeout 10 "$@"
	if [ "$rc" -ne "$_st" ]; then
		fail "$_d: exit $rc, expected $_st: $(head -c 300 "$T/err")"
	elif [ -s "$T/out" ] || [ "$(grep -c '' "$T/err")" -ne 1 ]; then
		fail "$_d: output: $(cat "$T/out" "$T/err")"
	elif ! grep -Eq -- "^$(basename "$1"): .*$_pat" "$T/err"; then
		fail "$_d: stderr does not match /$_pat/: $(cat "$T/err")"
	else
		pass
	fi
}
ca-sign -d ca -o r.crt r.csr 2>/dev/null || fail "fixture r.crt"

# --- Item 7: -o and --new-key naming one file, spelt differently -------
before=$(snapshot ca)
assert_fail "-o ./a.key --new-key a.key" 2 'name the same file' \
	ca-sign -d ca --new-key a.key --dns a.example -o ./a.key
assert_fail "-o via .." 2 'name the same file' \
	ca-sign -d ca --new-key a.key --dns a.example -o "../$(basename "$T")/a.key"
mkdir sub
ln -s .. sub/up
assert_fail "-o through a symlinked directory" 2 'name the same file' \
	ca-sign -d ca --new-key a.key --dns a.example -o sub/up/a.key
rm -r sub
unchanged "aliases" "$before"
[ ! -e a.key ] && pass || fail "a key was written despite the alias"

# An output that is a CA file under another name.
ln -s ca cadir
assert_fail "-o through a link to the CA directory" 1 "CA's own ca.crt" \
	ca-sign -d ca -o cadir/ca.crt r.csr
assert_fail "-o ca/../ca/ca.crt" 1 "CA's own ca.crt" \
	ca-sign -d ca -o ca/../ca/ca.crt r.csr
ln ca/ca.crt hard.crt
assert_fail "-o a hard link of ca.crt" 1 "CA's own ca.crt" \
	ca-sign -d ca -o hard.crt r.csr
assert_fail "--new-key through a link to the CA directory" 1 \
	"already exists|CA's own ca.key" \
	ca-sign -d ca --new-key cadir/ca.key --dns a.example
assert_fail "--pkcs12 onto ledger.db-journal through the link" 1 \
	"CA's own ledger.db-journal" \
	ca-bundle -d ca --pkcs12 cadir/ledger.db-journal --key r.key \
	--cert hard.crt --passphrase-file r.csr
unchanged "CA files under other names" "$before"
cmp -s hard.crt ca/ca.crt && pass || fail "hard.crt changed"
rm cadir hard.crt

# --- Item 4: --batch -o the CA directory, with a request named ca.csr --
fresh
mkdir reqs
cp r.csr reqs/ca.csr
assert_fail "--batch -o CA dir with ca.csr" 1 "CA's own ca.crt" \
	ca-sign -d ca --batch -o ca reqs
unchanged "--batch -o CA dir" "$before"
run openssl verify -CAfile ca/ca.crt ca/ca.crt
assert_eq "ca.crt is still the CA certificate" "$rc" 0
# The same from a stream: the request's output name is checked before
# its group is signed (the names are 000001.crt...: make one a link).
mkdir outs
ln -s ../ca/ca.crt outs/000001.crt
assert_fail "--batch - with an output that is a link to ca.crt" 1 \
	"000001.crt: (is a symbolic link|that is the CA's own ca.crt)" \
	ca-sign -d ca --batch -o outs - <r.csr
rm outs/000001.crt
ln -s elsewhere.crt outs/000001.crt
assert_fail "--batch - with an output that is a symlink" 1 \
	"000001.crt: is a symbolic link" \
	ca-sign -d ca --batch -o outs - <r.csr
unchanged "--batch stream onto a symlink" "$before"
rm -r reqs outs

# --- Item 8: outputs that are not regular files ------------------------
fresh
ln -s /proc/self/fd/1 tostdout
assert_fail "-o a symlink to /proc/self/fd/1" 1 \
	'tostdout: is a symbolic link; refusing to replace it' \
	ca-sign -d ca -o tostdout r.csr
[ -L tostdout ] && pass || fail "the symlink was replaced"
ln -s nowhere.crt dangling
assert_fail "-o a dangling symlink" 1 'dangling: is a symbolic link' \
	ca-sign -d ca -o dangling r.csr
[ -L dangling ] && [ ! -e nowhere.crt ] && pass ||
	fail "the dangling symlink was replaced or followed"
mkfifo fifo
assert_fail "-o a FIFO" 1 'fifo: is a FIFO; refusing to replace it' \
	ca-sign -d ca -o fifo r.csr
[ -p fifo ] && pass || fail "the FIFO was replaced"
# Never /dev/null itself: a broken build run as root would replace the
# system's.  A private node of the same device shows the same.
if mknod chardev c 1 3 2>/dev/null; then
	assert_fail "-o a device node" 1 'chardev: is a character device' \
		ca-sign -d ca -o chardev r.csr
	[ -c chardev ] && pass || fail "the device node was replaced"
	rm chardev
fi
assert_fail "--pkcs12 onto a FIFO" 1 'fifo: is a FIFO' \
	ca-bundle -d ca --pkcs12 fifo --key r.key --cert r.crt \
	--passphrase-file r.csr
unchanged "non-regular outputs" "$before"
rm tostdout dangling fifo
leftovers "non-regular outputs"

# --- Item 17: temporary names fit whenever the final name does --------
fresh
long=$(printf 'x%.0s' $(seq 251)).crt
assert_ok "-o a 255-byte name" ca-sign -d ca -o "$long" r.csr
assert_ok "the 255-byte output verifies" openssl verify -CAfile ca/ca.crt "$long"
longkey=$(printf 'k%.0s' $(seq 251)).key
assert_ok "--new-key with a 255-byte name" \
	ca-sign -d ca --new-key "$longkey" --dns long.example
[ -s "$longkey" ] && pass || fail "no key at the 255-byte name"
longk2=$(printf 'm%.0s' $(seq 251)).key
assert_ok "--new-key at NAME_MAX without O_TMPFILE" \
	env CAKIT_TEST_NO_TMPFILE=1 ca-sign -d ca --new-key "$longk2" \
	--dns long.example
[ "$(stat -c %a "$longk2")" = 600 ] && pass || fail "key mode at NAME_MAX"
rm -f "$long" "$longkey" "$longk2"
leftovers "NAME_MAX"

# --- Item 18: secrets from FIFOs and devices are refused at once ------
fresh
mkfifo pass.fifo
assert_fail_t "--key-passphrase-file FIFO" 1 'pass.fifo: is a FIFO' \
	ca-sign -d ca --key-passphrase-file pass.fifo r.csr
CA_KEY_PASSPHRASE_FILE=pass.fifo assert_fail_t "CA_KEY_PASSPHRASE_FILE FIFO" \
	1 'pass.fifo: is a FIFO' ca-revoke -d ca --crl
assert_fail_t "--key-passphrase-file /dev/zero" 1 \
	'/dev/zero: is a character device' \
	ca-sign -d ca --key-passphrase-file /dev/zero r.csr
assert_fail_t "ca-init --passphrase-file FIFO" 1 'pass.fifo: is a FIFO' \
	ca-init -d ca2 --subject CN=x --key-passphrase-file pass.fifo
[ ! -e ca2 ] && pass || fail "ca-init left ca2"
ca-sign -d ca --new-key p.key --dns p.example -o p.crt 2>/dev/null ||
	fail "p.crt"
echo secret >p.pass
assert_fail_t "--pkcs12 --passphrase-file FIFO" 1 'pass.fifo: is a FIFO' \
	ca-bundle -d ca --pkcs12 p.p12 --key p.key --cert p.crt \
	--passphrase-file pass.fifo
assert_fail_t "--pkcs12 --key FIFO" 1 'pass.fifo: is a FIFO' \
	ca-bundle -d ca --pkcs12 p.p12 --key pass.fifo \
	--cert p.crt --passphrase-file p.pass
[ ! -e p.p12 ] && pass || fail "p.p12 written"
# A CSR may still come through a pipe.
assert_ok "a CSR through process substitution" \
	bash -c 'ca-sign -d ca <(cat r.csr)'
rm -f pass.fifo p.key p.crt p.pass

# --- Item 10: a failure after the commit: exit 3, serial, recovery ----
fresh
n=$(rows ca)
run ca-sign -d ca r.csr
exec 3>&-
run sh -c 'ca-sign -d ca r.csr >/dev/full'
assert_eq "stdout full: exit 3" "$rc" 3
assert_contains "stdout full: says so" "$T/err" \
	'^ca-sign: standard output: No space left on device; the certificate was issued and recorded as serial [0-9a-f]+: export it with ca-bundle -d ca --chain [0-9a-f]+$'
assert_eq "stdout full: one line" "$(grep -c '' "$T/err")" 1
serial=$(sed -n 's/.*as serial \([0-9a-f]*\).*/\1/p' "$T/err")
assert_eq "stdout full: the row is there" "$(rows ca)" $((n + 2))
assert_ok "ca-bundle --chain SERIAL exports it" \
	ca-bundle -d ca --chain "$serial"
sed -n '1,/END CERTIFICATE/p' "$T/out" >recovered.crt
assert_ok "the recovered certificate verifies" \
	openssl verify -CAfile ca/ca.crt recovered.crt
assert_eq "the recovered certificate has the serial" \
	"$(openssl x509 -in recovered.crt -noout -serial | sed 's/.*=//' |
	tr 'A-F' 'a-f' | sed 's/^0*//')" "$(echo "$serial" | sed 's/^0*//')"
run sh -c 'ca-sign -d ca --json r.csr >/dev/full'
assert_eq "--json to a full stdout: exit 3" "$rc" 3
# A reader that is gone (SIGPIPE) is no different.
n=$(rows ca)
{ ca-sign -d ca r.csr 2>"$T/err"; echo $? >"$T/st"; } | true
assert_eq "closed pipe: exit 3, not death by SIGPIPE" "$(cat "$T/st")" 3
assert_contains "closed pipe: says it was issued" "$T/err" \
	'standard output: Broken pipe; the certificate was issued and recorded as serial'
assert_eq "closed pipe: the row is there" "$(rows ca)" $((n + 1))
rm -f recovered.crt

# A real full disk: a small tmpfs (root only).
mkdir full
trap 'umount "$T/full" 2>/dev/null; cleanup' EXIT
if mount -t tmpfs -o size=64k,nr_inodes=64 cakit-test full 2>/dev/null; then
	dd if=/dev/zero of=full/fill bs=4k count=100 2>/dev/null
	n=$(rows ca)
	run ca-sign -d ca --new-key nk.key --dns full.example -o full/c.crt
	assert_eq "disk full after the commit: exit 3" "$rc" 3
	assert_contains "disk full: names the file and the error" "$T/err" \
		'^ca-sign: full/c.crt: No space left on device; the certificate was issued and recorded as serial [0-9a-f]+: export it with ca-bundle'
	assert_eq "disk full: the row is committed" "$(rows ca)" $((n + 1))
	serial=$(sed -n 's/.*as serial \([0-9a-f]*\).*/\1/p' "$T/err")
	[ -s nk.key ] && pass || fail "disk full: the key was not published"
	ca-bundle -d ca --chain "$serial" 2>/dev/null |
		sed -n '1,/END CERTIFICATE/p' >nk.crt
	assert_ok "disk full: the exported certificate verifies" \
		openssl verify -CAfile ca/ca.crt nk.crt
	assert_eq "disk full: the key matches the exported certificate" \
		"$(openssl pkey -in nk.key -pubout 2>/dev/null | md5sum)" \
		"$(openssl x509 -in nk.crt -noout -pubkey | md5sum)"
	ls -A full | grep -v -x fill >"$T/left"
	[ ! -s "$T/left" ] && pass || fail "disk full: left $(cat "$T/left")"
	rm -f nk.key nk.crt

	# The key itself on the full disk: nothing is issued (exit 1).
	n=$(rows ca)
	assert_fail "--new-key on a full disk" 1 'No space left on device' \
		ca-sign -d ca --new-key full/k.key --dns full.example
	assert_eq "--new-key on a full disk: no row" "$(rows ca)" "$n"

	# --batch: its group is committed, then the outputs fail.
	mkdir reqs
	for i in 1 2 3; do cp r.csr "reqs/b$i.csr"; done
	mkdir full/out
	run ca-sign -d ca --batch -o full/out reqs
	assert_eq "--batch disk full: exit 3" "$rc" 3
	assert_contains "--batch disk full: says what was issued" "$T/err" \
		'b1.csr: full/out/b1.crt: No space left on device; its certificate was issued and recorded as serial [0-9a-f]+, and 2 more after it were issued but not written: export each with ca-bundle -d ca --chain SERIAL'
	assert_eq "--batch disk full: the group is committed" "$(rows ca)" \
		$((n + 3))
	ls -A full/out >"$T/left"
	[ ! -s "$T/left" ] && pass || fail "--batch: left $(cat "$T/left")"
	rm -r reqs
	umount full
else
	echo "note: cannot mount a tmpfs; the full-disk cases are skipped"
fi
rmdir full
leftovers "after the full disk"

# --- Item 11: signals while waiting on a busy ledger ------------------
fresh
if command -v python3 >/dev/null 2>&1 &&
    env --default-signal=INT true 2>/dev/null; then
	hold() {	# hold the ledger's write lock until $T/release exists
		rm -f "$T/locked" "$T/release"
		ledger_hold ca "$T/locked" "$T/release" &
		_holder=$!
		_pids="$_pids $_holder"
		_i=0
		while [ ! -e "$T/locked" ] && [ $_i -lt 600 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		[ -e "$T/locked" ] || fail "hold: the ledger's lock never taken"
	}
	# waiting PID: until ca-sign holds its key temporary (named or not).
	waiting() {
		_i=0
		while [ $_i -lt 100 ]; do
			if ls -A | grep -q '^\.k\.key\.' ||
			    ls -l "/proc/$1/fd" 2>/dev/null | grep -q deleted; then
				sleep 0.3
				return 0
			fi
			sleep 0.1
			_i=$((_i + 1))
		done
		return 1
	}
	# Each signal its default action, whatever this test inherited (nohup).
	for mode in tmpfile named; do
		for sig in INT TERM HUP; do
			case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
			hold
			n=$(rows ca)
			if [ $mode = named ]; then
				env --default-signal=HUP,INT,TERM CAKIT_TEST_NO_TMPFILE=1 \
				    ca-sign -d ca --new-key k.key --dns s.example \
				    -o c.crt >/dev/null 2>&1 &
			else
				env --default-signal=HUP,INT,TERM ca-sign -d ca \
				    --new-key k.key --dns s.example -o c.crt \
				    >/dev/null 2>&1 &
			fi
			pid=$!
			waiting "$pid" || fail "$mode $sig: ca-sign never waited"
			kill -"$sig" "$pid"
			wait "$pid"
			st=$?
			assert_eq "$mode SIG$sig: died of the signal" "$st" "$want"
			touch "$T/release"
			wait "$_holder"
			rm -f "$T/locked" "$T/release"
			assert_eq "$mode SIG$sig: no row" "$(rows ca)" "$n"
			leftovers "$mode SIG$sig"
		done
	done

	# The key cannot be published after the commit (someone made the
	# file meanwhile): exit 3, the serial, and the file left alone.
	hold
	n=$(rows ca)
	ca-sign -d ca --new-key k.key --dns s.example >"$T/out" 2>"$T/err" &
	pid=$!
	waiting "$pid" || fail "key race: ca-sign never waited"
	echo "not ours" >k.key
	touch "$T/release"
	wait "$pid"
	st=$?
	wait "$_holder"
	assert_eq "key race: exit 3" "$st" 3
	assert_contains "key race: says the key is lost and what to do" \
		"$T/err" '^ca-sign: k.key: File exists; refusing to overwrite it; the certificate was issued and recorded as serial [0-9a-f]+, but its new key could not be written and is lost: revoke it with ca-revoke -d ca [0-9a-f]+$'
	assert_eq "key race: the row is committed" "$(rows ca)" $((n + 1))
	assert_eq "key race: the other file is untouched" "$(cat k.key)" \
		"not ours"
	[ ! -s "$T/out" ] && pass || fail "key race: printed a certificate"
	rm -f k.key "$T/locked" "$T/release"
	leftovers "key race"
else
	echo "note: no python3 or env --default-signal; signal cases skipped"
fi

finish
