package activate

// declareCases are functions of many shapes whose definitions declare -f
// prints as bash lays them out, and how the printed definitions run.
func declareCases() []string {
	bodies := []string{
		`echo a; echo "b $x" 'c'`,
		"\n  local n=$1 m\n  export A=1 B\n  X=1 Y=2 env >/dev/null\n",
		`if [ -n "$1" ]; then echo yes; fi`,
		`if [ -n "$1" ]; then echo yes; elif true; then :; else echo no >&2; fi`,
		`if a; then b; else c; fi > out; if ! x; then :; fi`,
		`for i in a "b c"; do echo $i; done; for i; do :; done`,
		`for x in 1; do if b; then c; fi; done`,
		`while read -r l; do echo "$l"; done < file; until false; do break; done`,
		`while a && b; do :; done 2>/dev/null`,
		`case $n in a|b) echo ab;; c) ;; *) echo other; echo x;& esac`,
		`case x in (a) b;; esac; case x in a) b; esac`,
		`case $1 in *.txt) echo t;;& *) echo o;; esac`,
		`a && b || c; x | y |& z; ! true`,
		`( cd /; ); ( echo sub ); { echo g; } > out 2>&1`,
		`a && { b; c; }; a || { echo no; return 1; }`,
		`echo $( a; b ) "$(c|d)" $(e &&   f) ` + "`date`" + ` $((1+2)) ${x:-y}`,
		"x=$(\n    foo\n  )\n  local y=$(foo | bar) z=\"$(a \"b\")\"",
		`echo   lots    of   space  # comment`,
		`echo a\ b "x"'y' "a` + "\n" + `b"`,
		`echo >out; echo 2>&1; echo 2>>x <<<word; echo &> f; echo &>> f; echo 2>&-; cat <&0; echo >| f; cat < in`,
		`((i++)); ((  i = 2+3 )); [[  -f x  ]]; [[ ! -d y || ( a == b ) ]]; [[ $y == z* && -n "$1" ]]`,
		`arr=( a   b ); arr+=(c); declare -a z=(1 2); echo ${arr[@]} "${y##*/}"`,
		`echo a | while read l; do :; done`,
		`[ x ] && echo; return 0`,
		`{ a; b; } | c; a | b && c; ! a | b; ! [[ x ]]; [[ $x =~ ^a(b)$ ]] || return`,
		`[[ x ]]; [[ ! x ]]; [[ a && b ]]; [[ ( a ) ]]; [[ "$x" ]]; [[ -n x && ! -z $y ]]; [[ a < b ]]; [[ a = b ]]`,
		`if [ x ]; then a; elif b; then c; elif d; then e; else f; fi`,
		`while true; do case $1 in a) shift; if x; then y; fi;; esac; done`,
		`if a; then case $x in a) b;; esac; while c; do d; done; fi`,
		`echo "${@}" $@ "$(a)"x ${#x} ${!x}; a=; b=''; local -a v; return $?`,
		`echo $(a | b; c) "x$(d)y"; x=$(e) y=` + "`f`" + ` g`,
		"\n  local name=$1\n  local target=\"$PWD/.direnv/aliases/$name\"\n  if declare -f \"$name\" >/dev/null; then\n    echo \"#!/usr/bin/env bash\" >\"$target\"\n    declare -f \"$name\" >>\"$target\"\n  fi\n",
	}
	var cases []string
	for _, body := range bodies {
		cases = append(cases, "f() { "+body+"\n}\nexport Y=\"$(declare -f f)\"")
	}
	return append(cases,
		`f() { echo a; }; g() { :; }; export Y="$(declare -f g f)"`,
		`f() { echo a; }; typeset -f f > def; export Y="$(<def)"`,
		`f() { echo "hi $1"; }; declare -f f > s.sh; unset -f f; . ./s.sh; export Y="$(f you)"`,
		`f() { :; }; declare -f f nosuch > out || export Y=$? Z="$(<out)"`,
		`declare -f nosuch || export Y=$?`,
		`f() { :; }; if declare -f f >/dev/null; then export Y=1; fi; declare -f -- f >/dev/null && export Z=1`,
		`f() { echo a; }; n=f; export Y="$(builtin declare -f "$n")"`,
		`function f { echo a; }; export Y="$(declare -f f)"`,
		`f() { :; }; export Y="$(declare -F f; declare -fF f; typeset -F -f f)"`,
		`f() { :; }; declare -F f nosuch f > out || export Y=$? Z="$(<out)"`,
		`declare -F nosuch || export Y=$?`,
		`PATH_add() { echo mine; }; export Y="$(declare -f PATH_add)"`,
	)
}
