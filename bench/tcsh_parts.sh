#!/usr/bin/env bash
# Takes tcsh's cd into a project (bench/hook_shells.sh) apart, in one tcsh,
# each part timed over a block of runs, the blocks taking turns:
#   cd:       cd into the project up to its prompt, and back out (the
#             mean of the two directions, each with its export);
#   export:   noxenv-prompt's export into the code file, as the hook runs
#             it (a process);
#   empty:    an empty static Go program run the same way: the floor of
#             any Go program tcsh starts;
#   source:   tcsh sourcing the export's code;
#   no-path:  the same code without its setenv PATH;
#   rehash:   set path = ( $path ): what tcsh does on every change of PATH,
#             reading every directory of it again (direnv's hook pays it
#             too).
# Usage: bench/tcsh_parts.sh [BLOCKS] [RUNS]   (microseconds a run)
set -euo pipefail
blocks=${1:-3} n=${2:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=project20.sh
. "$root/bench/project20.sh"
project20 '^NOXENV_'
mkdir -p "$work/out" "$work/empty"
printf 'module empty\ngo 1.22\n' >"$work/empty/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$work/empty/main.go"
CGO_ENABLED=0 go build -C "$work/empty" -ldflags "-s -w" -o "$work/bin/empty" .
prompt=$work/libexec/noxenv/noxenv-prompt
# The code of a cd into the project, once its files are a second old (tcsh
# compares whole seconds), and the same without PATH.
sleep 1.1
(cd "$work/proj" && PWD=$work/proj "$prompt" export tcsh >"$work/in.tcsh")
grep -v '^setenv PATH ' "$work/in.tcsh" >"$work/in-no-path.tcsh"

cat >"$work/parts.tcsh" <<'EOF'
# The hook registers itself in an interactive tcsh, which has $prompt.
set prompt = '> '
eval `noxenv hook tcsh`
cd $W/out
precmd
foreach b (`seq $B`)
  foreach what (cd export empty source no-path rehash)
    if ( $what == export ) cd $W/proj
    # The first run (i = -1) is not timed: after source, it replaces the
    # hook's check that the code left.
    @ i = -1
    while ( $i < $N )
      if ( $i == 0 ) set t0 = `date +%s%N`
      if ( $what == cd ) then
        cd $W/proj
        precmd
        cd $W/out
        precmd
      endif
      if ( $what == export ) $W/libexec/noxenv/noxenv-prompt export tcsh >! $W/code.out
      if ( $what == empty ) $W/bin/empty >! $W/code.out
      if ( $what == source ) source $W/in.tcsh
      if ( $what == no-path ) source $W/in-no-path.tcsh
      if ( $what == rehash ) set path = ( $path )
      @ i++
    end
    set t1 = `date +%s%N`
    if ( $what == export ) cd $W/out
    @ d = ( $t1 - $t0 ) / 1000 / $N
    if ( $what == cd ) @ d = $d / 2
    echo $what $d
  end
end
EOF
(cd "$work/out" && W=$work N=$n B=$blocks tcsh -f "$work/parts.tcsh") |
	awk '{v[$1] = v[$1] " " $2} END {for (k in v) print k ":" v[k] " us"}' | sort
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
