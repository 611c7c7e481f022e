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
# noxenv is built as install.sh builds it; the floors with the same flags.
# Usage: bench/startup.sh [RUNS]
set -euo pipefail
runs=${1:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=project20.sh
. "$root/bench/project20.sh"
project20 '^NOXENV_'
PREFIX=$work "$root/install.sh" 2>/dev/null

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

# Entering the project: PWD is the project, no project state in the
# environment. One export first, so that the evaluation is cached.
cd "$work/proj"
export PWD=$work/proj
noxenv export bash >/dev/null
if [[ $(strace -f -e trace=openat noxenv export bash 2>&1 >/dev/null | grep -c '\.noxinfo') != 0 ]]; then
	echo "startup: the export evaluated the project: nothing is measured cached" >&2
	exit 1
fi

hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/h.json" \
	-n empty "$work/bin/empty" \
	-n export "noxenv export bash" \
	-n true "true" \
	-n exectrue "$work/bin/exectrue" \
	-n exec "noxenv exec $work/proj -- true" >/dev/null 2>&1
jq -r '[.results[] | {(.command): .median}] | add | map_values(. * 1000) |
	def ms: . * 100 | round / 100 | tostring + " ms";
	def x: . * 100 | round / 100 | tostring + "x";
	"median: empty \(.empty|ms), export \(.export|ms); true \(.true|ms), exec floor \(.exectrue|ms), exec \(.exec|ms)\n" +
	"export/empty: \(.export / .empty|x) (target <= 1.5x)\n" +
	"exec/floor: \(.exec / .exectrue|x) (target <= 1.5x)  exec - true: \(.exec - .true|ms) (target <= 2 ms)"' "$work/h.json"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
