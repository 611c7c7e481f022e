#!/usr/bin/env bash
# Compares, in one run and in each of bash, zsh, fish, tcsh and elvish,
# noxenv's prompt hook with direnv's:
#   prompt: the cost of one prompt inside a loaded project with nothing
#           changed (target: noxenv <= 0.05x direnv);
#   cd:     the cost of cd into a project whose generation exists, up to
#           the prompt that loads it, against direnv loading an .envrc that
#           exports the same variables (target: noxenv <= 0.2x direnv), and
#           of cd into it and back out, each up to its prompt (target:
#           noxenv <= 0.15x direnv).
# Each shell runs the hooks as its prompt does (bash: PROMPT_COMMAND; zsh:
# chpwd and precmd functions; fish: the PWD and fish_prompt events; tcsh:
# the precmd alias; elvish: after-chdir, and edit:after-readline and
# edit:before-readline, the line read and the prompt). direnv's elvish hook
# (2.32.1) uses "except", which elvish 0.19 no longer has: it is run with
# "catch" in its place.
# Usage: [SHELLS="tcsh elvish"] bench/hook_shells.sh [ROUNDS]   (medians of
# every sample of ROUNDS rounds, each tool in turn, so that the machine's
# noise falls on both)
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=project20.sh
. "$root/bench/project20.sh"
project20 '^NOXENV_'
mkdir -p "$work/out" "$work/out2"

# Each driver prints samples, one a line: "p US", the mean cost of one
# prompt over a block of prompts in the loaded project, "c US", one move
# from $work/out into the project up to its prompt, and "r US", that move
# and the one back out, each up to its prompt. $1 is the hook to load:
# noxenv or direnv.
blocks=20 cds=40

bash_driver='
eval "$($1 hook bash)"
prompt() { eval "$PROMPT_COMMAND"; }
cd "$W/out"; prompt; cd "$W/proj"; prompt; prompt
for ((b = 0; b < B; b++)); do
  t0=$EPOCHREALTIME; for ((i = 0; i < N; i++)); do prompt; done; t1=$EPOCHREALTIME
  echo "p $(( (${t1/./} - ${t0/./}) / N ))"
done
cd "$W/out"; prompt
for ((i = 0; i < C; i++)); do
  t0=$EPOCHREALTIME; cd "$W/proj"; prompt; t1=$EPOCHREALTIME; cd "$W/out"; prompt; t2=$EPOCHREALTIME
  echo "c $(( ${t1/./} - ${t0/./} ))"
  echo "r $(( ${t2/./} - ${t0/./} ))"
done'

zsh_driver='
zmodload zsh/datetime
eval "$($1 hook zsh)"
prompt() { local f; for f in $precmd_functions; do $f; done; }
cd "$W/out"; prompt; cd "$W/proj"; prompt; prompt
for ((b = 0; b < B; b++)); do
  t0=$EPOCHREALTIME; for ((i = 0; i < N; i++)); do prompt; done; t1=$EPOCHREALTIME
  printf "p %.0f\n" $(( (t1 - t0) * 1e6 / N ))
done
cd "$W/out"; prompt
for ((i = 0; i < C; i++)); do
  t0=$EPOCHREALTIME; cd "$W/proj"; prompt; t1=$EPOCHREALTIME; cd "$W/out"; prompt; t2=$EPOCHREALTIME
  printf "c %.0f\nr %.0f\n" $(( (t1 - t0) * 1e6 )) $(( (t2 - t0) * 1e6 ))
done'

# fish has no clock builtin: time with date, and take out the cost of the
# date calls themselves (their median, measured alone).
fish_driver='
$argv[1] hook fish | source
function prompt; emit fish_prompt; end
cd $W/out; prompt; cd $W/proj; prompt; prompt
set -l cal
for i in (seq 20); set -l t0 (date +%s%N); set -l t1 (date +%s%N); set -a cal (math "$t1 - $t0"); end
set -l cal (printf "%s\n" $cal | sort -n)[10]
for b in (seq $B)
  set -l t0 (date +%s%N); for i in (seq $N); prompt; end; set -l t1 (date +%s%N)
  echo p (math --scale 0 "($t1 - $t0 - $cal) / 1000 / $N")
end
cd $W/out; prompt
for i in (seq $C)
  set -l t0 (date +%s%N); cd $W/proj; prompt; set -l t1 (date +%s%N); cd $W/out; prompt; set -l t2 (date +%s%N)
  echo c (math --scale 0 "($t1 - $t0 - $cal) / 1000")
  echo r (math --scale 0 "($t2 - $t0 - 2 * $cal) / 1000")
end'

# tcsh has no clock builtin either; it reads its driver from a file. It
# expands the aliases of a whole line before running any of it: each
# precmd has a line of its own, as at a prompt.
cat >"$work/driver.tcsh" <<'EOF'
# The hook registers itself in an interactive tcsh, which has $prompt.
set prompt = '> '
eval `$argv[1] hook tcsh`
cd $W/out
precmd
cd $W/proj
precmd
precmd
set cals = ()
foreach i (`seq 20`)
  set t0 = `date +%s%N`; set t1 = `date +%s%N`; @ d = $t1 - $t0; set cals = ($cals $d)
end
set cal = `printf '%s\n' $cals | sort -n | sed -n 10p`
foreach b (`seq $B`)
  set t0 = `date +%s%N`
  @ i = 0
  while ( $i < $N )
    precmd
    @ i++
  end
  set t1 = `date +%s%N`
  @ d = ( $t1 - $t0 - $cal ) / 1000 / $N
  echo p $d
end
cd $W/out
precmd
foreach i (`seq $C`)
  set t0 = `date +%s%N`
  cd $W/proj
  precmd
  set t1 = `date +%s%N`
  cd $W/out
  precmd
  set t2 = `date +%s%N`
  @ c = ( $t1 - $t0 - $cal ) / 1000
  @ r = ( $t2 - $t0 - 2 * $cal ) / 1000
  echo c $c
  echo r $r
end
EOF

# elvish outside a terminal has no edit: module: the hooks get a stand-in.
cat >"$work/driver.elv" <<'EOF'
var edit: = (ns [&before-readline=[] &after-readline=[]])
eval ((external $args[0]) hook elvish | sed 's/} except e {/} catch e {/' | slurp)
fn prompt { for h $edit:after-readline { $h '' }; for h $edit:before-readline { $h } }
fn timed {|f| var d = 0; time &on-end={|x| set d = $x } $f; put $d }
cd $E:W/out; prompt; cd $E:W/proj; prompt; prompt
for b [(range $E:B)] {
  var d = (timed { for i [(range $E:N)] { prompt } })
  echo p (printf '%.0f' (/ (* $d 1000000) $E:N))
}
cd $E:W/out; prompt
for i [(range $E:C)] {
  var c = (timed { cd $E:W/proj; prompt })
  var o = (timed { cd $E:W/out; prompt })
  echo c (printf '%.0f' (* $c 1000000))
  echo r (printf '%.0f' (* (+ $c $o) 1000000))
}
EOF

run() { # shell tool: samples
	local n=200
	[[ $2 == direnv ]] && n=5
	case $1 in
	bash) W=$work N=$n B=$blocks C=$cds bash --norc --noprofile -c "$bash_driver" bash "$2" ;;
	zsh) W=$work N=$n B=$blocks C=$cds zsh -f -c "$zsh_driver" zsh "$2" ;;
	fish) W=$work N=$n B=$blocks C=$cds fish --no-config -c "$fish_driver" "$2" ;;
	tcsh) W=$work N=$n B=$blocks C=$cds tcsh -f "$work/driver.tcsh" "$2" ;;
	elvish) W=$work N=$n B=$blocks C=$cds elvish -norc "$work/driver.elv" "$2" ;;
	esac
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { sort -n | head -1; }
samples() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
ratio() { echo "$1 / $2" | bc -l; }

# Medians are the figures; minimums are shown beside the prompt's, as the
# cost with the least interference: on a busy machine a loop that only
# computes (noxenv's prompt) is preempted more than one that waits for a
# child process (direnv's).
printf '%-6s %14s %14s %8s %9s   %11s %11s %8s   %13s %13s %8s\n' shell "noxenv prompt" "direnv prompt" ratio "(min)" \
	"noxenv cd" "direnv cd" ratio "noxenv in+out" "direnv in+out" ratio
for shell in ${SHELLS:-bash zsh fish tcsh elvish}; do
	: >"$work/$shell.noxenv" && : >"$work/$shell.direnv"
	for ((r = 0; r < rounds; r++)); do
		for tool in noxenv direnv; do
			(cd "$work/out" && run "$shell" "$tool") >>"$work/$shell.$tool"
		done
	done
	np=$(samples p "$work/$shell.noxenv" | median) dp=$(samples p "$work/$shell.direnv" | median)
	nm=$(samples p "$work/$shell.noxenv" | minimum) dm=$(samples p "$work/$shell.direnv" | minimum)
	nc=$(samples c "$work/$shell.noxenv" | median) dc=$(samples c "$work/$shell.direnv" | median)
	nr=$(samples r "$work/$shell.noxenv" | median) dr=$(samples r "$work/$shell.direnv" | median)
	printf '%-6s %11s us %11s us %7.3fx %8.3fx   %8s us %8s us %7.3fx   %10s us %10s us %7.3fx\n' "$shell" "$np" "$dp" \
		"$(ratio "$np" "$dp")" "$(ratio "$nm" "$dm")" "$nc" "$dc" "$(ratio "$nc" "$dc")" "$nr" "$dr" "$(ratio "$nr" "$dr")"
done
echo "targets: prompt <= 0.05x, cd <= 0.2x, cd in and out <= 0.15x"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
