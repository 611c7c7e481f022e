package activate

// escapeCases are words the interpreter expands as one string, with
// backslash escapes in their unquoted parts (which bash removes), and
// patterns, where the backslash stays: in the project file, and from a
// sourced file and eval's code, whose text the rewrite edits.
func escapeCases() []string {
	scripts := []string{
		// a pattern's escape in a command's argument, and a quoted
		// expansion's word, as bash reads them
		`x='a b c'; set -- ${x#a\ }; export N=$# F=$1`,
		`unset x; set -- "${x:-a b}"; export N=$# F=$1`,
		// assignments, by every command that makes them
		`export A=sp\ ace`,
		`B=x\ y; export B`,
		`export E=\$HOME D=a\\b N=a\\\\b`,
		`export Q=\"q\" S=it\'s L=\a\b\c`,
		`export U=\é G=\* H=\#x`,
		`v=1; export M=a\ "$v"\ 'b'\ c\$v\ "\$v"\ $'\t'\ ${v}\x`,
		`V=a; V+=\ b; export V`,
		`export I=~/x\ y J=\~/x K=~\/x`,
		`f() { local L=l\ v; export Y=$L; }; f`,
		`declare -x DX=d\ x; typeset -x TY=t\ y; readonly RO=r\ o; export Z=$RO`,
		`f() { export Y=$P; }; P=p\ q f`,
		`export A=${x:-a\ b} B=${x:-\$} C=${x-\'} D=${x:-${y:-c\ d}}; E=${x=e\ f}; z=q; export F=${z:+g\ h} E x`,
		`x='a b'; export A="${u:-a\ b}" B=${x#a\ } C=x${u:-\*}`,
		`IFS=\:; read -r a b <<< 'x:y'; export Y="[$a][$b]"`,
		// array elements given with an index, and associative keys
		`x=([2]=e\ f g\ h); export X="${x[2]}|${x[3]}"`,
		`declare -A m=([k\ 1]=v\ 1); m[k\ 2]=v\ 2; k1='k 1' k2='k 2'; export K="${m[$k1]}|${m[$k2]}"`,
		// redirections
		`echo hi > o\ ut; echo ho >> o\ ut; export O="$(<'o ut')"`,
		`echo hi > 'o ut'; export O="$(< o\ ut)"`,
		`cat <<< a\ b\$ > f; export W="$(<f)"`,
		// case's word, and its patterns, which keep the backslash
		`case a\ b in "a b") export C=1;; esac`,
		`case 'a*b' in a\*b) export C=1;; esac; case axb in a\*b) export D=1;; esac`,
		// [[ ]]: operands, and patterns and regular expressions, which keep it
		`[[ a\ b == "a b" ]] && export T1=1; [[ -n \  && a\ b < b ]] && export T2=1`,
		`[[ a*b == a\*b ]] && export T3=1; [[ axb == a\*b ]] || export T4=1`,
		`[[ a. =~ a\. ]] && export T5=1; [[ ab =~ a\. ]] || export T6=1`,
		`touch 'a f'; [[ -f a\ f && ! -e no\ f ]] && export T7=1; [[ \1 -eq 1 ]] && export T8=1`,
		// a line continuation in a word
		"export J=a\\\n\\ b K=c\\\nd",
	}
	return append(append([]string{
		// a trailing backslash, at the end of the file, escapes nothing
		`export T=x\`,
		`printf 'export T=y\\' > lib.sh; . ./lib.sh`,
		`eval 'export T=z\'`,
		// the rewrite keeps every line of a sourced file where it was
		"printf 'export J=a\\\\\\n\\\\ b\\nL=$LINENO\\n' > lib.sh; . ./lib.sh; export L",
	}, scripts...), elsewhere(scripts...)...)
}
