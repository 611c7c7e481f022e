#!/usr/bin/env bash
# Compares, in one run, the cost of a cd into a directory whose .envrc makes
# ten typical calls of direnv's standard library (source_up, PATH_add,
# dotenv, has, watch_file, path_add, exports), up to the prompt that loads
# it, in bash with noxenv's hook (load-envrc on) and with direnv's: the same
# file, allowed by both, giving the same environment (checked first).
# noxenv is timed twice: as a user meets it, its evaluation cached since the
# first cd (the file runs no external command), and evaluating the file at
# each cd, its evaluation cache emptied before each (untimed).
# Target: noxenv <= 0.2x direnv.
# Usage: bench/envrc.sh [ROUNDS]   (medians of every sample of ROUNDS rounds,
# each tool in turn, so that the machine's noise falls on both)
set -euo pipefail
rounds=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A static noxenv, as install.sh builds it (no dynamic loader at start-up).
CGO_ENABLED=0 go build -C "$root" -trimpath -ldflags "-s -w" -o "$work/bin/noxenv" ./cmd/noxenv
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_STATE_HOME=$work/home/.local/state
export XDG_CACHE_HOME=$work/home/.cache XDG_CONFIG_HOME=$work/home/.config
export PATH=$work/bin:$PATH NOXENV_LOG=quiet DIRENV_LOG_FORMAT= NOXENV_LOAD_ENVRC=1
unset NOXENV_STATE NOXENV_DIR DIRENV_DIR DIRENV_FILE DIRENV_DIFF DIRENV_WATCHES
mkdir -p "$HOME" "$work/out" "$work/org/proj/bin" "$work/org/proj/scripts" "$work/org/proj/src"
cat >"$work/org/.envrc" <<'EOF'
export ORG=acme
EOF
cat >"$work/org/proj/.envrc" <<'EOF'
source_up
PATH_add bin
PATH_add scripts
dotenv
has sh && export HAVE_SH=1
watch_file package.json
watch_file config.yml
path_add PYTHONPATH src
export PROJECT_NAME=bench
export PROJECT_ROOT=$PWD
EOF
cat >"$work/org/proj/.env" <<'EOF'
DATABASE_URL=postgres://localhost/bench
LOG_LEVEL=debug
EOF
echo '{}' >"$work/org/proj/package.json"
for f in "$work/org/.envrc" "$work/org/proj/.envrc"; do
	noxenv allow "$f"
	direnv allow "$f"
done

# The driver: cd from $W/out into the project and back, each up to its
# prompt, C times; prints "c US" for each move in. $1 is the hook: noxenv or
# direnv. With D set, it prints the environment in the project instead;
# with FRESH set, it empties noxenv's evaluation cache before each move in.
driver='
eval "$($1 hook bash)"
prompt() { eval "$PROMPT_COMMAND"; }
cd "$W/out"; prompt; cd "$W/org/proj"; prompt
if [[ -n ${D-} ]]; then env -0; exit; fi
cd "$W/out"; prompt
for ((i = 0; i < C; i++)); do
  [[ -z ${FRESH-} ]] || rm -rf "$XDG_CACHE_HOME/noxenv/eval"
  t0=$EPOCHREALTIME; cd "$W/org/proj"; prompt; t1=$EPOCHREALTIME; cd "$W/out"; prompt
  echo "c $(( ${t1/./} - ${t0/./} ))"
done'
run() { W=$work C=${C:-40} bash --norc --noprofile -c "$driver" bash "$1"; }

# The same environment, but for each tool's own record of what it loaded.
own='^(NOXENV_DIR|NOXENV_STATE|DIRENV_DIR|DIRENV_FILE|DIRENV_DIFF|DIRENV_WATCHES)='
if ! diff <(D=1 run noxenv | tr '\0' '\n' | grep -Ev "$own" | sort) \
	<(D=1 run direnv 2>/dev/null | tr '\0' '\n' | grep -Ev "$own" | sort); then
	echo "envrc.sh: noxenv (<) and direnv (>) give different environments" >&2
	exit 1
fi

for ((r = 0; r < rounds; r++)); do
	run noxenv 2>/dev/null >>"$work/noxenv"
	FRESH=1 run noxenv 2>/dev/null >>"$work/noxenv-fresh"
	run direnv 2>/dev/null >>"$work/direnv"
done
median() { awk '$1 == "c" {print $2}' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
n=$(median "$work/noxenv") f=$(median "$work/noxenv-fresh") d=$(median "$work/direnv")
printf 'cd into the project: direnv %s us; noxenv %s us, %.3fx; evaluating each time %s us, %.3fx (target <= 0.2x)\n' \
	"$d" "$n" "$(echo "$n / $d" | bc -l)" "$f" "$(echo "$f / $d" | bc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
