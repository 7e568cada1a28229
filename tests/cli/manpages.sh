# The man pages (issue 4, "Man pages"): mandoc -Tlint is clean on every
# page, and each binary's page documents exactly the options that its
# --help prints and its source accepts, so that none of the three can
# drift from the others.  Also the sections the house style asks for,
# the SYNOPSIS against usage(), the order of the option list, and -h,
# --help, -V, --version working as documented.
. "$top_srcdir/tests/cli/lib.sh"

man=$top_srcdir/man
progs="ca-bundle ca-init ca-list ca-revoke ca-sign"

# --- Helpers ---------------------------------------------------------------

# section FILE NAME: the lines of section NAME of an mdoc page.
section() {
	awk -v want="$2" '
		/^\.Sh / { s = $0; sub(/^\.Sh +/, "", s); gsub(/"/, "", s)
			   on = (s == want); next }
		on { print }' "$1"
}

# fl_words: the options named by Fl macros on the lines read, one per
# line: "Fl d" is -d, "Fl -dir" is --dir; a bare Fl (standard input,
# followed by another macro or nothing) names none.
fl_words() {
	awk '{
		sub(/^\./, "")
		for (i = 1; i < NF; i++)
			if ($i == "Fl" && $(i + 1) ~ /^-?[A-Za-z0-9][A-Za-z0-9-]*$/ &&
			    $(i + 1) !~ /^[A-Z][a-z][a-z]?$/)
				print "-" $(i + 1)
	}'
}

# page_options PAGE: the options of the DESCRIPTION's option list, that
# is every Fl on an .It line of the DESCRIPTION.
page_options() {
	section "$1" DESCRIPTION | grep '^\.It .*Fl ' | fl_words | sort -u
}

# synopsis_options PAGE: the options the SYNOPSIS names.
synopsis_options() {
	section "$1" SYNOPSIS | fl_words | sort -u
}

# help_usage FILE: the usage lines of --help output, up to the first
# blank line.
help_usage() {
	sed '/^$/q' "$1"
}

# help_options FILE: the options the --help output lists, at the start
# of a line indented by 2 to 6 spaces ("  -d, --dir DIR", "      --json";
# deeper lines continue a description), and those its usage names.
help_options() {
	{
		awk '/^ +-/ {
			match($0, /^ +/)
			if (RLENGTH > 6)
				next
			line = substr($0, RLENGTH + 1)
			if (line ~ /^-[A-Za-z0-9], /) {
				print substr(line, 1, 2)
				line = substr(line, 5)
			}
			if (match(line, /^--[a-z0-9][a-z0-9-]*/))
				print substr(line, 1, RLENGTH)
		}' "$1"
		usage_options "$1"
	} | sort -u
}

# usage_options FILE: the options named by the usage lines alone.
usage_options() {
	help_usage "$1" >"$T/usage"
	{
		grep -oE -- '--[a-z0-9][a-z0-9-]*' "$T/usage"
		grep -oE -- '\[-[[:alnum:]][] ]' "$T/usage" | cut -c2-3
	} | sort -u
}

# source_options SRC: the long options in the struct option table, with
# those of src/cli.h's CLI_LONGOPTS_END where the table ends with it.
source_options() {
	{
		sed -n '/struct option longopts\[\]/,/^};/p' "$1"
		! grep -q '^[[:space:]]*CLI_LONGOPTS_END,$' "$1" ||
		    sed -n '/define CLI_LONGOPTS_END/,/{ NULL,/p' \
		    "$top_srcdir/src/cli.h"
	} | sed -nE 's/^[[:space:]]*\{ *"([a-z0-9-]+)",.*/--\1/p' | sort -u
}

# same DESC WHAT-A FILE-A WHAT-B FILE-B: the two sets of lines are equal;
# otherwise the failure says what each side lacks.
same() {
	_a=$(comm -23 "$3" "$5" | tr '\n' ' ')
	_b=$(comm -13 "$3" "$5" | tr '\n' ' ')
	if [ -z "$_a$_b" ]; then
		pass
	else
		fail "$1: ${_a:+in $2 but not in $4: $_a}${_a:+${_b:+; }}${_b:+in $4 but not in $2: $_b}"
	fi
}

# --- Every page exists, and mandoc finds nothing to say --------------------

pages=
for p in $progs; do
	pages="$pages $p.1"
done
pages="$pages cakit.7"

for p in $pages; do
	if [ -f "$man/$p" ]; then
		pass
	else
		fail "$p: missing from $man"
	fi
done

# configure's $MANDOC when make check passes it on, else mandoc on PATH.
mandoc=${MANDOC:-}
[ -n "$mandoc" ] || mandoc=$(command -v mandoc 2>/dev/null)
have_mandoc=no
if [ -n "$mandoc" ] && [ -x "$mandoc" ]; then
	have_mandoc=yes
	for p in $pages; do
		[ -f "$man/$p" ] || continue
		"$mandoc" -Tlint -W warning "$man/$p" >"$T/lint" 2>&1
		lrc=$?
		if [ "$lrc" -ne 0 ] || [ -s "$T/lint" ]; then
			fail "$p: mandoc -Tlint -W warning (exit $lrc): $(cat "$T/lint")"
		else
			pass
		fi
	done
fi

# --- The shape of every page ------------------------------------------------

# sections PAGE: the .Sh names in order, one line.
sections() {
	sed -n 's/^\.Sh //p' "$1" | tr -d '"' | tr '\n' '/'
}

for p in $pages; do
	f=$man/$p
	[ -f "$f" ] || continue
	name=${p%.*} sec=${p##*.}
	upper=$(printf %s "$name" | tr a-z A-Z)
	assert_contains "$p: .Dt" "$f" "^\\.Dt $upper $sec\$"
	assert_contains "$p: .Dd" "$f" '^\.Dd [A-Z][a-z]+ [0-9]{1,2}, [0-9]{4}$'
	assert_contains "$p: .Os" "$f" '^\.Os$'
	assert_contains "$p: .Nm" "$f" "^\\.Nm $name\$"
	if [ "$sec" = 1 ]; then
		want="NAME/SYNOPSIS/DESCRIPTION/ENVIRONMENT/FILES/EXIT STATUS/EXAMPLES/SEE ALSO/STANDARDS/"
	else
		want="NAME/DESCRIPTION/ENVIRONMENT/FILES/EXAMPLES/SEE ALSO/STANDARDS/"
	fi
	assert_eq "$p: sections" "$(sections "$f")" "$want"
	section "$f" "SEE ALSO" >"$T/seealso"
	for x in $progs cakit; do
		[ "$x" = "$name" ] && continue
		[ "$x" = cakit ] && xs=7 || xs=1
		assert_contains "$p: SEE ALSO $x($xs)" "$T/seealso" "^\\.Xr $x $xs( ,)?\$"
	done
	for x in certtool openssl-verify gnutls-cli; do
		assert_contains "$p: SEE ALSO $x(1)" "$T/seealso" "^\\.Xr $x 1( ,)?\$"
	done
	section "$f" STANDARDS >"$T/standards"
	assert_contains "$p: STANDARDS cites RFC 5280" "$T/standards" 'RFC 5280'
	section "$f" ENVIRONMENT >"$T/env"
	assert_contains "$p: ENVIRONMENT has CA_DIR" "$T/env" '^\.It Ev CA_DIR$'
	# FILES: what a CA directory holds, with the modes.
	section "$f" FILES >"$T/files"
	for x in ca.key ca.crt ledger.db crl.pem chain.pem; do
		assert_contains "$p: FILES lists $x" "$T/files" "^\\.It Pa $x\$"
	done
	for m in 0600 0644 0700; do
		assert_contains "$p: FILES gives mode $m" "$T/files" "$m"
	done
done

# --- Each binary's page against its --help and its source -------------------

for b in $progs; do
	f=$man/$b.1
	[ -f "$f" ] || continue

	run "$b" --help
	if [ "$rc" -ne 0 ] || [ ! -s "$T/out" ] || [ -s "$T/err" ]; then
		fail "$b --help: exit $rc, $(wc -c <"$T/out") bytes on stdout, stderr: $(head -c 200 "$T/err")"
		continue
	fi
	pass
	cp "$T/out" "$T/help"

	# The options --help names and the page's option list: both ways.
	help_options "$T/help" >"$T/h"
	page_options "$f" >"$T/p"
	same "$b: options" "$b --help" "$T/h" "$b.1" "$T/p"

	# The SYNOPSIS is the usage: the same options.
	usage_options "$T/help" >"$T/hu"
	synopsis_options "$f" >"$T/ps"
	same "$b: SYNOPSIS" "the usage of $b --help" "$T/hu" "the SYNOPSIS of $b.1" "$T/ps"
	n_usage=$(help_usage "$T/help" | grep -c "^ *\\(usage: \\)\\{0,1\\}$b ")
	n_syn=$(section "$f" SYNOPSIS | grep -c '^\.Nm$')
	assert_eq "$b: SYNOPSIS forms" "$n_syn" "$n_usage"

	# The long options getopt_long accepts, as --help prints them.
	src=$top_srcdir/src/$b.c
	if [ -f "$src" ]; then
		source_options "$src" >"$T/s"
		grep -- '^--' "$T/h" >"$T/hl"
		same "$b: long options" "src/$b.c" "$T/s" "$b --help" "$T/hl"
	fi

	# -h, --help, -V and --version: documented, and working.
	for o in -h --help -V --version; do
		if grep -qx -- "$o" "$T/p"; then
			pass
		else
			fail "$b.1: $o is not documented"
		fi
	done
	run "$b" -h
	assert_eq "$b -h: exit" "$rc" 0
	if cmp -s "$T/out" "$T/help"; then
		pass
	else
		fail "$b -h: prints something else than --help"
	fi
	for o in -V --version; do
		run "$b" "$o"
		assert_eq "$b $o: exit" "$rc" 0
		assert_contains "$b $o: names the program and version" "$T/out" \
		    "^$b \\(cakit\\) [0-9]"
	done

	# The option list is sorted by long name (else the letter),
	# ignoring case, as in style(9).
	section "$f" DESCRIPTION | grep '^\.It .*Fl ' | while read -r line; do
		printf '%s\n' "$line" | fl_words | grep -- '^--' | head -1 |
		    grep . || printf '%s\n' "$line" | fl_words | head -1
	done | sed 's/^-*//' >"$T/order"
	LC_ALL=C sort -f "$T/order" >"$T/sorted"
	if cmp -s "$T/order" "$T/sorted"; then
		pass
	else
		fail "$b.1: the option list is not sorted: $(tr '\n' ' ' <"$T/order")"
	fi

	# Every variable --help mentions is in ENVIRONMENT.
	section "$f" ENVIRONMENT >"$T/env"
	for v in $(grep -oE '\$[A-Z_]+' "$T/help" | tr -d '$' | sort -u); do
		assert_contains "$b.1: ENVIRONMENT has $v" "$T/env" "^\\.It Ev $v\$"
	done

	# EXIT STATUS gives 0, 1 and 2.
	section "$f" "EXIT STATUS" >"$T/exit"
	for s in 0 1 2; do
		assert_contains "$b.1: EXIT STATUS $s" "$T/exit" "^\\.It $s\$"
	done
done

# Everything else was checked; without mandoc the result is a skip, so
# that nobody takes the pages for linted.
if [ "$have_mandoc" = no ] && [ "$_fails" -eq 0 ]; then
	echo "$_passes passed"
	skip "mandoc is not installed: the pages were not linted (apt-get install mandoc; bootstrap.sh does)"
fi
finish
