# The EXAMPLES of every man page work when pasted (issue 4): each page's
# literal displays are run in order, as one shell session in a new
# directory, exactly as mandoc shows them (\e is a backslash, \& is
# nothing; any other escape fails the test, since it would print
# something else than the source shows).
#
# Comments in a page steer the run; readers never see them:
#   .\" example setup: CMD   run CMD first (the state the examples assume)
#   .\" run: no (why)        do not run the next display (a crontab, a
#                            configuration file, a server in the foreground)
#   .\" run: server          run it only in a private network namespace,
#                            since it starts a server on a fixed port
#   .\" exit: N              the display's last command must exit N
#                            (an example showing a refusal)

# gnutls-serv binds every interface and the examples use a fixed port:
# where an unprivileged user and network namespace can be made, run in
# one whose only interface is loopback, as tests/interop does.
if [ -z "${CAKIT_NETNS-}" ] && command -v unshare >/dev/null 2>&1 &&
    command -v ip >/dev/null 2>&1 &&
    unshare -rn ip link set lo up >/dev/null 2>&1; then
	export CAKIT_NETNS=1
	exec unshare -rn sh -c 'ip link set lo up && exec bash "$0" "$@"' \
	    "$0" "$@"
fi

. "$top_srcdir/tests/cli/lib.sh"
need openssl certtool jq timeout

servers=no
if [ "${CAKIT_NETNS-}" = 1 ] && command -v gnutls-serv >/dev/null 2>&1 &&
    command -v gnutls-cli >/dev/null 2>&1; then
	servers=yes
else
	echo "note: no network namespace or no gnutls-serv: the server examples are not run"
fi

# extract PAGE: a bash script running the page's examples; exits 1 with
# a message on an escape or request it cannot turn into text.
extract() {
	awk -v page="$(basename "$1")" '
	function die(msg) {
		printf "%s:%d: %s\n", page, NR, msg > "/dev/stderr"
		bad = 1
		exit 1
	}
	BEGIN {
		print "set -e -o pipefail"
		print "trap '\''_s=$?; set +e; kill $(jobs -p) 2>/dev/null; wait; exit $_s'\'' EXIT"
	}
	/^\.\\" example setup: / {
		sub(/^\.\\" example setup: /, "")
		print "echo \"== " page ": setup\" >&2"
		print
		next
	}
	/^\.Sh / { ex = ($0 == ".Sh EXAMPLES"); next }
	ex && /^\.\\" run: / { run = $3; next }
	ex && /^\.\\" exit: / { want = $3; next }
	ex && /^\.Bd -literal/ {
		inbd = 1
		start = NR
		body = ""
		next
	}
	inbd && /^\.Ed/ {
		inbd = 0
		n++
		where = page ":" start
		if (run == "no") {
			print "echo \"== " where ": not run\" >&2"
		} else {
			if (run == "server")
				print "if [ \"$SERVERS\" = yes ]; then"
			print "echo \"== " where "\" >&2"
			if (want != "")
				print "set +e"
			printf "%s", body
			if (want != "") {
				print "_st=$?; set -e"
				print "if [ \"$_st\" -ne " want " ]; then echo \"== " \
				    where ": exit $_st, expected " want "\" >&2; exit 1; fi"
			}
			if (run == "server")
				print "else echo \"== " where ": not run (no servers)\" >&2; fi"
		}
		run = ""
		want = ""
		next
	}
	inbd {
		line = $0
		if (line ~ /^[.\047]/)
			die("a request inside a display: " line)
		rest = line
		gsub(/\\[e&]/, "", rest)
		if (index(rest, "\\"))
			die("an escape other than \\e or \\& in a display")
		gsub(/\\&/, "", line)
		gsub(/\\e/, "\\", line)
		body = body line "\n"
		next
	}
	END {
		if (bad)
			exit 1
		if (inbd)
			die("a display without .Ed")
		if (n == 0)
			die("no EXAMPLES display")
		print "echo \"== " page ": done\" >&2"
	}' "$1"
}

for p in ca-init.1 ca-sign.1 ca-revoke.1 ca-bundle.1 ca-list.1 cakit.7; do
	f=$top_srcdir/man/$p
	if [ ! -f "$f" ]; then
		fail "$p: missing"
		continue
	fi
	if ! extract "$f" >"$T/$p.sh" 2>"$T/$p.err"; then
		fail "$p: $(cat "$T/$p.err")"
		continue
	fi
	mkdir "$T/run-$p"
	(cd "$T/run-$p" && SERVERS=$servers timeout 300 bash "$T/$p.sh") \
	    >"$T/$p.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "^== $p: done" "$T/$p.log"; then
		pass
	else
		fail "$p: the examples failed (exit $rc), at $(grep '^== ' "$T/$p.log" | tail -1): $(grep -v '^== ' "$T/$p.log" | tail -8)"
	fi
done
finish
