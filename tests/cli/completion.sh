# Bash completion (issue 4, "The rest of the ecosystem"): with
# bash-completion loaded, completion/cakit.bash offers each binary's
# options, exactly those its --help lists, and the values of the options
# whose values are known: key types, profiles, reasons, directories and
# files.  Completion is simulated the way bash calls it: COMP_WORDS,
# COMP_CWORD, COMP_LINE and COMP_POINT, then the function, then
# COMPREPLY.
. "$top_srcdir/tests/cli/lib.sh"

script=$top_srcdir/completion/cakit.bash
bc=
for f in "${BASH_COMPLETION:-}" \
    "$(pkg-config --variable=mainscript bash-completion 2>/dev/null)" \
    /usr/share/bash-completion/bash_completion \
    /usr/local/share/bash-completion/bash_completion; do
	if [ -n "$f" ] && [ -f "$f" ]; then
		bc=$f
		break
	fi
done
[ -n "$bc" ] || skip "bash-completion is not installed (apt-get install bash-completion)"

if bash -n "$script" 2>"$T/err"; then
	pass
else
	fail "bash -n $script: $(cat "$T/err")"
fi

# A directory to complete names in: two directories, two files.
mkdir "$T/w" "$T/w/ca-one" "$T/w/ca-two"
: >"$T/w/req.csr"
: >"$T/w/pass.txt"

# complete LINE: the sorted completions bash would offer at the end of
# LINE (a trailing space starts a new, empty word), one per line, in
# $T/got.  The line is split as bash does, "=" being a word of its own.
complete_line() {
	(
		cd "$T/w" &&
		bash --norc --noprofile -c '
			. "$1" >/dev/null 2>&1
			. "$2" || exit 3
			line=$3
			read -ra COMP_WORDS <<<"${line//=/ = }"
			[[ $line == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE=$line
			COMP_POINT=${#line}
			COMPREPLY=()
			spec=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null) ||
			    { echo "no completion for ${COMP_WORDS[0]}" >&2; exit 4; }
			fn=${spec#*-F }
			fn=${fn%% *}
			"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			    "${COMP_WORDS[COMP_CWORD-1]}"
			printf "%s\n" "${COMPREPLY[@]}"
		' bash "$bc" "$script" "$1"
	) 2>"$T/cerr" | sed '/^$/d' | LC_ALL=C sort >"$T/got"
}

# expect DESC LINE WORD...: the completions of LINE are exactly WORDs.
expect() {
	_d=$1 _l=$2
	shift 2
	complete_line "$_l"
	printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort >"$T/want"
	if cmp -s "$T/got" "$T/want"; then
		pass
	else
		fail "$_d: '$_l' completes to '$(tr '\n' ' ' <"$T/got")', want '$(tr '\n' ' ' <"$T/want")' $(head -c 200 "$T/cerr")"
	fi
}

# --- Options: exactly those --help lists -----------------------------------

for b in ca-bundle ca-init ca-list ca-revoke ca-sign; do
	# The option lines of --help: indented by 2 to 6 spaces.
	run "$b" --help
	grep -E '^ {2,6}-' "$T/out" >"$T/lines"
	sed -nE 's/^ +(-[[:alnum:]], )?(--[a-z0-9][a-z0-9-]*).*/\2/p' \
	    "$T/lines" | LC_ALL=C sort -u >"$T/long"
	sed -nE 's/^ +(-[[:alnum:]]), --.*/\1/p' "$T/lines" |
	    LC_ALL=C sort -u >"$T/short"
	# shellcheck disable=SC2046
	expect "$b long options" "$b --" $(cat "$T/long")
	# shellcheck disable=SC2046
	expect "$b all options" "$b -" $(cat "$T/long" "$T/short")
done
expect "a prefix" "ca-list --ex" --expired --expiring
expect "after other words" "ca-sign -d ca-one --profile client --ne" --new-key

# --- Values ----------------------------------------------------------------

types="ecdsa-p256 ecdsa-p384 ed25519 rsa-2048 rsa-3072 rsa-4096"
reasons="unspecified keyCompromise cACompromise affiliationChanged superseded
cessationOfOperation privilegeWithdrawn"
# shellcheck disable=SC2086
expect "ca-init key types" "ca-init --key-type " $types
expect "ca-init key types, a prefix" "ca-init --key-type rsa-" \
    rsa-2048 rsa-3072 rsa-4096
# shellcheck disable=SC2086
expect "ca-sign key types" "ca-sign --new-key k --key-type " $types
expect "ca-sign profiles" "ca-sign --profile " server client peer
expect "ca-sign profiles after =" "ca-sign --profile=cl" client
# shellcheck disable=SC2086
expect "ca-revoke reasons" "ca-revoke --reason " $reasons
expect "ca-revoke reasons, a prefix" "ca-revoke --reason c" \
    cACompromise cessationOfOperation

# Directories for -d, --dir and --parent; files for file options.
expect "ca-list -d: directories" "ca-list -d " ca-one ca-two
expect "ca-list --dir: directories" "ca-list --dir ca-" ca-one ca-two
expect "ca-list --dir=: directories" "ca-list --dir=" ca-one ca-two
expect "ca-init --parent: directories" "ca-init -d x --parent " \
    ca-one ca-two
expect "ca-bundle --pkcs12: files" "ca-bundle --pkcs12 " \
    ca-one ca-two pass.txt req.csr
expect "ca-bundle --passphrase-file: files" \
    "ca-bundle --pkcs12 o --passphrase-file p" pass.txt
expect "ca-init --key-passphrase-file: files" \
    "ca-init --key-passphrase-file p" pass.txt
expect "ca-sign -o: files" "ca-sign -o r" req.csr
expect "ca-sign --batch -o: directories" "ca-sign --batch -o " ca-one ca-two

# Values nothing can be offered for.
expect "ca-sign --days" "ca-sign --days "
expect "ca-init --subject" "ca-init --subject "
expect "ca-list --expiring" "ca-list --expiring "

# Operands.
expect "ca-sign CSR: files" "ca-sign --profile peer r" req.csr
expect "ca-sign --batch CSRDIR: directories" "ca-sign --batch " \
    ca-one ca-two
expect "ca-revoke certificate files" "ca-revoke --reason superseded p" \
    pass.txt
expect "ca-list: no operands" "ca-list --json "

finish
