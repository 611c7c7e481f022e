#!/usr/bin/env bash
# Compares, in one run and in each of bash, zsh and fish, noxenv's prompt
# hook with direnv's:
#   prompt: the cost of one prompt inside a loaded project with nothing
#           changed (target: noxenv <= 0.05x direnv);
#   cd:     the cost of cd into a project whose generation exists, up to
#           the prompt that loads it, against direnv loading an .envrc that
#           exports the same variables (target: noxenv <= 0.2x direnv).
# Each shell runs the hooks as its prompt does (bash: PROMPT_COMMAND; zsh:
# chpwd and precmd functions; fish: the PWD and fish_prompt events).
# Usage: bench/hook_shells.sh [ROUNDS]   (medians over ROUNDS rounds)
set -euo pipefail
rounds=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -C "$root" -o "$work/bin/noxenv" ./cmd/noxenv
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_STATE_HOME=$work/home/.local/state
export XDG_CACHE_HOME=$work/home/.cache XDG_CONFIG_HOME=$work/home/.config XDG_DATA_DIRS=$work/sys
export PATH=$work/bin:$PATH NOXENV_LOG=quiet DIRENV_LOG_FORMAT=
unset NOXENV_STORE_PATH NOXENV_STATE NOXENV_DIR DIRENV_DIR DIRENV_FILE DIRENV_DIFF DIRENV_WATCHES
mkdir -p "$HOME" "$work/proj" "$work/out"

# A project using 20 packages with binaries, man pages and pkg-config files.
for i in $(seq -w 1 20); do
	src=$work/src/pkg$i-1.$i
	mkdir -p "$src/bin" "$src/share/man/man1" "$src/lib/pkgconfig"
	printf '#!/bin/sh\necho pkg%s\n' "$i" >"$src/bin/pkg$i"
	chmod +x "$src/bin/pkg$i"
	echo ".TH PKG$i 1" >"$src/share/man/man1/pkg$i.1"
	echo "Name: pkg$i" >"$src/lib/pkgconfig/pkg$i.pc"
	noxenv store add "$src" >/dev/null
	echo "use pkg$i" >>"$work/proj/.noxprofile"
done
echo 'export PROJECT_MODE=bench' >>"$work/proj/.noxprofile"
noxenv allow "$work/proj"
noxenv exec "$work/proj" -- true # realizes the generation

# The same project for direnv: an .envrc exporting the same variables.
comm -13 <(env | sort) <(noxenv exec "$work/proj" -- env | grep -v '^NOXENV_' | sort) |
	sed "s/'/'\\\\''/g; s/=/='/; s/^/export /; s/\$/'/" >"$work/proj/.envrc"
direnv allow "$work/proj"
# Let every file written above be older than the stamps the hooks compare
# with, so that nothing is due at the prompts measured.
sleep 2.1

# Each driver prints "prompt_us cd_us": the mean of N prompts in the loaded
# project, and of N moves from $work/out into it (the moves out are not
# counted). $1 is the hook to load: noxenv or direnv.
prompts_noxenv=2000 prompts_direnv=100 cds=50

bash_driver='
eval "$($1 hook bash)"
prompt() { eval "$PROMPT_COMMAND"; }
cd "$W/out"; prompt; cd "$W/proj"; prompt; prompt
t0=$EPOCHREALTIME; for ((i = 0; i < N; i++)); do prompt; done; t1=$EPOCHREALTIME
p=$(( (${t1/./} - ${t0/./}) / N ))
c=0
for ((i = 0; i < C; i++)); do
  cd "$W/out"; prompt
  t0=$EPOCHREALTIME; cd "$W/proj"; prompt; t1=$EPOCHREALTIME
  c=$(( c + ${t1/./} - ${t0/./} ))
done
echo "$p $(( c / C ))"'

zsh_driver='
zmodload zsh/datetime
eval "$($1 hook zsh)"
prompt() { local f; for f in $precmd_functions; do $f; done; }
cd "$W/out"; prompt; cd "$W/proj"; prompt; prompt
t0=$EPOCHREALTIME; for ((i = 0; i < N; i++)); do prompt; done; t1=$EPOCHREALTIME
p=$(( (t1 - t0) * 1e6 / N ))
c=0
for ((i = 0; i < C; i++)); do
  cd "$W/out"; prompt
  t0=$EPOCHREALTIME; cd "$W/proj"; prompt; t1=$EPOCHREALTIME
  (( c += (t1 - t0) * 1e6 ))
done
printf "%.0f %.0f\n" $p $(( c / C ))'

# fish has no clock builtin: time whole loops with date, and take out the
# moves out by timing them alone (out to a sibling directory outside any
# project, hooks included).
fish_driver='
set -l hook $argv[1]
$hook hook fish | source
function prompt; emit fish_prompt; end
cd $W/out; prompt; cd $W/proj; prompt; prompt
set -l t0 (date +%s%N); for i in (seq $N); prompt; end; set -l t1 (date +%s%N)
set -l p (math --scale 0 "($t1 - $t0) / 1000 / $N")
mkdir -p $W/out2
set t0 (date +%s%N)
for i in (seq $C); cd $W/out; prompt; cd $W/proj; prompt; end
set t1 (date +%s%N)
for i in (seq $C); cd $W/out; prompt; cd $W/out2; prompt; end
set -l t2 (date +%s%N)
echo $p (math --scale 0 "(($t1 - $t0) - ($t2 - $t1) / 2) / 1000 / $C")'

run() { # shell tool -> "prompt_us cd_us"
	local n=$prompts_noxenv
	[[ $2 == direnv ]] && n=$prompts_direnv
	case $1 in
	bash) W=$work N=$n C=$cds bash --norc --noprofile -c "$bash_driver" bash "$2" ;;
	zsh) W=$work N=$n C=$cds zsh -f -c "$zsh_driver" zsh "$2" ;;
	fish) W=$work N=$n C=$cds fish --no-config -c "$fish_driver" "$2" ;;
	esac
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-5s %14s %14s %8s   %11s %11s %8s\n' shell "noxenv prompt" "direnv prompt" ratio "noxenv cd" "direnv cd" ratio
for shell in bash zsh fish; do
	: >"$work/$shell.noxenv" && : >"$work/$shell.direnv"
	for ((r = 0; r < rounds; r++)); do
		for tool in noxenv direnv; do
			(cd "$work/out" && run "$shell" "$tool") >>"$work/$shell.$tool"
		done
	done
	np=$(cut -d' ' -f1 "$work/$shell.noxenv" | median) nc=$(cut -d' ' -f2 "$work/$shell.noxenv" | median)
	dp=$(cut -d' ' -f1 "$work/$shell.direnv" | median) dc=$(cut -d' ' -f2 "$work/$shell.direnv" | median)
	printf '%-5s %11s us %11s us %7.3fx   %8s us %8s us %7.3fx\n' "$shell" "$np" "$dp" \
		"$(echo "$np / $dp" | bc -l)" "$nc" "$dc" "$(echo "$nc / $dc" | bc -l)"
done
echo "targets: prompt <= 0.05x, cd <= 0.2x"
