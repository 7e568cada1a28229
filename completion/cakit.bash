# Bash completion for cakit: ca-init, ca-sign, ca-revoke, ca-bundle and
# ca-list.  -*- shell-script -*-
#
# The options are read from the command's own --help when completing, so
# they cannot drift from the binary; only the values of a few options
# are known here.  Installed once and linked under each command's name,
# since bash-completion loads a completion by the command's name.
# shellcheck disable=SC2016,SC2034,SC2207	# bash-completion's idioms

# _cakit_options CMD: one line per option CMD's --help lists, the option
# then, if it takes a value, the value's name: "--dir DIR", "-d DIR",
# "--json".
_cakit_options()
{
	# Option lines are indented by 2 to 6 spaces; deeper ones continue
	# a description or the usage.
	"$1" --help 2>/dev/null | awk '
		/^ +-/ {
			match($0, /^ +/)
			if (RLENGTH > 6)
				next
			line = substr($0, RLENGTH + 1)
			short = ""
			if (line ~ /^-[A-Za-z0-9], /) {
				short = substr(line, 1, 2)
				line = substr(line, 5)
			}
			if (!match(line, /^--[a-z0-9][a-z0-9-]*/))
				next
			long = substr(line, 1, RLENGTH)
			rest = substr(line, RLENGTH + 1)
			arg = ""
			if (match(rest, /^ [A-Z][A-Z0-9_|-]*/))
				arg = substr(rest, 2, RLENGTH - 1)
			if (!seen[long]++)
				print long (arg != "" ? " " arg : "")
			if (short != "" && !seen[short]++)
				print short (arg != "" ? " " arg : "")
		}'
}

# _cakit_values OPTION: complete the value of OPTION in COMPREPLY.
_cakit_values()
{
	case $1 in
	--key-type)
		COMPREPLY=($(compgen -W 'ecdsa-p256 ecdsa-p384 ed25519
		    rsa-2048 rsa-3072 rsa-4096' -- "$cur"))
		;;
	--profile)
		COMPREPLY=($(compgen -W 'server client peer' -- "$cur"))
		;;
	--reason)
		COMPREPLY=($(compgen -W 'unspecified keyCompromise
		    cACompromise affiliationChanged superseded
		    cessationOfOperation privilegeWithdrawn' -- "$cur"))
		;;
	-d | --dir | --parent)
		_filedir -d
		;;
	-o | --output)
		# With ca-sign --batch, -o names a directory.
		if [[ " ${words[*]} " == *" --batch "* ]]; then
			_filedir -d
		else
			_filedir
		fi
		;;
	--cert | --chain | --key | --key-passphrase-file | --new-key | \
	    --parent-passphrase-file | --passphrase-file | --pkcs12 | --renew)
		_filedir
		;;
	*)
		# A number, a name or a URI: nothing to offer.
		COMPREPLY=()
		;;
	esac
}

_cakit()
{
	local cur prev words cword split cmd opts o i
	_init_completion -s || return

	cmd=$1
	[[ $cmd == \~* ]] && cmd=$HOME${cmd#\~}
	opts=$(_cakit_options "$cmd")

	# The value of an option that takes one: "--dir <TAB>" or, split by
	# _init_completion, "--dir=<TAB>".
	if [[ $prev == -* ]] && [[ $'\n'$opts$'\n' == *$'\n'"$prev "* ]]; then
		_cakit_values "$prev"
		return
	fi
	$split && return

	if [[ $cur == -* ]]; then
		o=()
		while read -r i _; do
			o+=("$i")
		done <<<"$opts"
		COMPREPLY=($(compgen -W '"${o[@]}"' -- "$cur"))
		return
	fi

	# The operands.
	case ${cmd##*/} in
	ca-sign)
		# A CSR file or, with --batch, a directory of them.
		if [[ " ${words[*]} " == *" --batch "* ]]; then
			_filedir -d
		else
			_filedir
		fi
		;;
	ca-revoke)
		# Certificate files (serial numbers are typed or pasted).
		_filedir
		;;
	*)
		COMPREPLY=()
		;;
	esac
} &&
	complete -F _cakit ca-bundle ca-init ca-list ca-revoke ca-sign
