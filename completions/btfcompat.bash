# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
# bash completion for btfcompat(1)                                   -*- shell-script -*-
# The commands and options come from the program ("btfcompat help --list [COMMAND]": option,
# argument, what completes it, help; tab-separated), so this file never lists them itself.

_btfcompat_list()
{
	"$1" help --list ${2:+"$2"} 2> /dev/null
}

_btfcompat()
{
	local cur prev words cword split
	_init_completion -s || return

	local prog=${words[0]} verb= i arg what sub= l glist
	glist=$(_btfcompat_list "$prog") || return
	local -a global_args=($(awk -F'\t' '$1 ~ /^-/ && $2 != "" { print $1 }' <<< "$glist"))
	local -a verbs=($(awk -F'\t' '$1 !~ /^-/ { print $1 }' <<< "$glist"))

	# the command: the first word that is neither an option nor an option's argument
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -* ]]; then
			[[ ${words[i]} != *=* && " ${global_args[*]} " == *" ${words[i]} "* ]] && ((i++))
			continue
		fi
		verb=${words[i]}
		break
	done
	if [[ -z $verb || $verb == help ]]; then
		if [[ -z $verb && $cur == -* ]]; then
			l=$(awk -F'\t' '$1 ~ /^-/ { print $1 }' <<< "$glist")
		else
			l=${verbs[*]}
		fi
		COMPREPLY=($(compgen -W "$l" -- "$cur"))
		return
	fi

	local list
	list=$(_btfcompat_list "$prog" "$verb") || return
	# the argument of an option (--opt ARG or, after -s above, --opt=ARG)
	if [[ $prev == -* ]]; then
		arg=$(awk -F'\t' -v o="$prev" '$1 == o { print $2 }' <<< "$list")
		what=$(awk -F'\t' -v o="$prev" '$1 == o { print $3 }' <<< "$list")
		if [[ -n $arg ]]; then
			case $what in
			@file) _filedir ;;
			@dir) _filedir -d ;;
			*) COMPREPLY=($(compgen -W "$what" -- "$cur")) ;;
			esac
			return
		fi
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(awk -F'\t' '$1 ~ /^-/ { print $1 }' <<< "$list")" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	# a subcommand first (store add|list|verify|prune)
	sub=$(awk -F'\t' '$1 == "@sub" { print $3 }' <<< "$list")
	if [[ -n $sub ]]; then
		for ((l = i + 1; l < cword; l++)); do
			[[ ${words[l]} != -* ]] && sub= && break
		done
		if [[ -n $sub ]]; then
			COMPREPLY=($(compgen -W "$sub" -- "$cur"))
			return
		fi
	fi
	_filedir
}
complete -F _btfcompat btfcompat
