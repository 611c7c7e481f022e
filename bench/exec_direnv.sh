#!/usr/bin/env bash
# Compares, in one run, `noxenv exec DIR -- true` on a project using 20
# packages whose generation already exists with `direnv exec DIR true` on an
# .envrc exporting the same variables, and with `true` alone.
# Targets: noxenv <= 0.2x direnv, and <= 3 ms over `true`.
# Usage: bench/exec_direnv.sh [RUNS]
set -euo pipefail
runs=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=project20.sh
. "$root/bench/project20.sh"
project20 '^$'
same() { grep -Ev '^(DIRENV_[A-Z_]*|OLDPWD|SHLVL|_)=' | sort; }
if ! diff <(noxenv exec "$work/proj" -- env | same) <(direnv exec "$work/proj" env | same); then
	echo "exec_direnv: noxenv and direnv environments differ" >&2
	exit 1
fi

hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/h.json" \
	-n true "true" \
	-n noxenv "noxenv exec $work/proj -- true" \
	-n direnv "direnv exec $work/proj true"
jq -r '[.results[] | {(.command): .median}] | add |
	"median ms: true \(.true*1000|.*100|round/100)  noxenv \(.noxenv*1000|.*100|round/100)  direnv \(.direnv*1000|.*100|round/100)\n" +
	"noxenv/direnv: \(.noxenv/.direnv|.*1000|round/1000)x (target <= 0.2)  noxenv - true: \((.noxenv-.true)*1000|.*100|round/100) ms (target <= 3)"' "$work/h.json"
