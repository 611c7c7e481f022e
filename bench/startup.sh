#!/usr/bin/env bash
# Compares, in one run, the two calls that start noxenv most often with the
# floor of any Go program doing the same:
#   export: `noxenv export bash` on entering a project whose evaluation is
#           cached (20 packages, generation realized), against an empty
#           static Go program (the floor for any Go tool);
#           target: at most 1.5x;
#   exec:   `noxenv exec DIR -- true` in the same project, against a static
#           Go program that only looks `true` up and execs it (the floor for
#           any Go exec wrapper); targets: at most 1.5x, and at most 2 ms
#           more than `true` alone.
#   prompt: the export the hook runs at cd, by noxenv-prompt (the front,
#           cmd/noxenv/front.go), against the same empty program;
#   outside: the same at a cd outside any project with a settings file
#           (config.toml of the plain form), which the front reads;
#   start:  noxenv-prompt built as install.sh builds it, but exiting as
#           soon as its packages are initialized (an init of package
#           front that runs before the one that answers, added with go
#           build -overlay): what the front costs before it does anything,
#           so that the export's own work shows apart from the program's
#           start.
# noxenv is installed as install.sh installs it; the floors are built with
# the same flags. The commands take turns (bench/interleave: one run of
# each a round, from a different first one each round), so that a shared
# machine's bursts fall on all of them alike; the figures are medians.
# With BASE, a commit, noxenv built from that commit the same way is timed
# in the same run, on the same project, beside the checkout's.
# Usage: [BASE=REV] bench/startup.sh [RUNS]
set -euo pipefail
runs=${1:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=project20.sh
. "$root/bench/project20.sh"
project20 '^NOXENV_'

mkdir -p "$work/floor/empty" "$work/floor/exectrue"
cat >"$work/floor/go.mod" <<'EOF'
module floor
go 1.22
EOF
cat >"$work/floor/empty/main.go" <<'EOF'
package main

func main() {}
EOF
cat >"$work/floor/exectrue/main.go" <<'EOF'
package main

import (
	"os"
	"os/exec"
	"syscall"
)

func main() {
	path, err := exec.LookPath("true")
	if err == nil {
		err = syscall.Exec(path, []string{"true"}, os.Environ())
	}
	panic(err)
}
EOF
for f in empty exectrue; do
	CGO_ENABLED=0 go build -C "$work/floor" -ldflags "-s -w" -o "$work/bin/$f" "./$f"
done
# A package's files are given to the compiler sorted by name and its init
# functions run in that order: aa_start.go's runs before answer.go's.
printf 'package front\n\nimport "os"\n\nfunc init() { os.Exit(0) }\n' >"$work/floor/start.go"
printf '{"Replace": {"%s": "%s"}}\n' "$root/cmd/noxenv/internal/front/aa_start.go" "$work/floor/start.go" >"$work/floor/overlay.json"
go build -C "$root" -o "$work/bin/interleave" ./bench/interleave
CGO_ENABLED=0 go build -C "$root" -overlay "$work/floor/overlay.json" -tags front -ldflags "-s -w" -o "$work/bin/start" ./cmd/noxenv
base=()
if [ -n "${BASE:-}" ]; then
	mkdir -p "$work/base"
	git -C "$root" archive "$BASE" | tar -x -C "$work/base"
	PREFIX=$work/base-prefix "$work/base/install.sh" 2>/dev/null
	ln -s "$work/base-prefix/bin/noxenv" "$work/bin/noxenv-base"
	base=(export-base="noxenv-base export bash" exec-base="noxenv-base exec $work/proj -- true")
fi

# Entering the project: PWD is the project, no project state in the
# environment. One export first, so that the evaluation is cached.
cd "$work/proj"
export PWD=$work/proj
prompt=$work/libexec/noxenv/noxenv-prompt
for nox in noxenv "$prompt" ${BASE:+noxenv-base}; do
	"$nox" export bash >/dev/null
	if [[ $(strace -f -e trace=openat "$nox" export bash 2>&1 >/dev/null | grep -c '\.noxinfo') != 0 ]]; then
		echo "startup: $nox export evaluated the project: nothing is measured cached" >&2
		exit 1
	fi
	if [[ $(strace -f -e trace=execve "$nox" export bash 2>&1 >/dev/null | grep -c 'execve(') != 1 ]]; then
		echo "startup: $nox export handed the cached export over to another program" >&2
		exit 1
	fi
done

if [[ -n $("$work/bin/start" export bash 2>&1) ]]; then
	echo "startup: the front built to exit once initialized said something: it did more" >&2
	exit 1
fi

"$work/bin/interleave" -warmup 50 -runs "$runs" -json "$work/h.json" \
	empty="$work/bin/empty" \
	export="noxenv export bash" \
	prompt="$prompt export bash" \
	start="$work/bin/start export bash" \
	true="true" \
	exectrue="$work/bin/exectrue" \
	exec="noxenv exec $work/proj -- true" "${base[@]}" >/dev/null
jq -r '[.results[] | {(.command): .median}] | add | map_values(. * 1000) |
	def ms: . * 100 | round / 100 | tostring + " ms";
	def x: . * 100 | round / 100 | tostring + "x";
	def ratios(ex; ec): "export/empty: \(ex / .empty|x) (target <= 1.5x)  exec/floor: \(ec / .exectrue|x) (target <= 1.5x)  exec - true: \(ec - .true|ms) (target <= 2 ms)";
	"median: empty \(.empty|ms), export \(.export|ms), the hook'"'"'s export \(.prompt|ms) (\(.prompt / .empty|x)); true \(.true|ms), exec floor \(.exectrue|ms), exec \(.exec|ms)\n" +
	"the front before any work (noxenv-prompt exiting once initialized): \(.start|ms), \(.start / .empty|x) the empty program; the hook'"'"'s export \(.prompt - .start|ms) more\n" +
	ratios(.export; .exec) +
	if .["export-base"] then "\nbase: export \(.["export-base"]|ms), exec \(.["exec-base"]|ms)\nbase " + ratios(.["export-base"]; .["exec-base"]) else "" end' "$work/h.json"
# Outside any project, with a settings file: the answer needs load-envrc.
mkdir -p "$XDG_CONFIG_HOME/noxenv" "$work/out"
printf 'load-envrc = false\neval-timeout = "1m"\n' >"$XDG_CONFIG_HOME/noxenv/config.toml"
cd "$work/out"
export PWD=$work/out
if [[ $(strace -f -e trace=execve "$prompt" export bash 2>&1 >/dev/null | grep -c 'execve(') != 1 ]]; then
	echo "startup: $prompt handed the export outside any project over to another program" >&2
	exit 1
fi
outside=(empty="$work/bin/empty" outside="$prompt export bash")
if [ -n "${BASE:-}" ]; then
	outside+=(outside-base="$work/base-prefix/libexec/noxenv/noxenv-prompt export bash")
fi
"$work/bin/interleave" -warmup 50 -runs "$runs" -json "$work/o.json" "${outside[@]}" >/dev/null
jq -r '[.results[] | {(.command): .median}] | add | map_values(. * 1000) |
	"outside any project, with a settings file: the hook'"'"'s export \(.outside * 100 | round / 100) ms (\(.outside / .empty * 100 | round / 100)x the empty program)" +
	if .["outside-base"] then ", base \(.["outside-base"] * 100 | round / 100) ms (\(.["outside-base"] / .empty * 100 | round / 100)x)" else "" end' "$work/o.json"
jq -r '"CPU (user + system, mean): " + ([.results[] | "\(.command) \((.user + .system) * 100000 | round / 100) ms"] | join(", "))' "$work/h.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
