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

# Static, as without cgo the binary skips the dynamic loader at startup.
CGO_ENABLED=0 go build -C "$root" -trimpath -ldflags "-s -w" -o "$work/bin/noxenv" ./cmd/noxenv
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_STATE_HOME=$work/home/.local/state
export XDG_CACHE_HOME=$work/home/.cache XDG_CONFIG_HOME=$work/home/.config XDG_DATA_DIRS=$work/sys
export PATH=$work/bin:$PATH NOXENV_LOG=quiet DIRENV_LOG_FORMAT=
unset NOXENV_STORE_PATH NOXENV_STATE DIRENV_DIR DIRENV_FILE DIRENV_DIFF DIRENV_WATCHES
mkdir -p "$HOME" "$work/proj"

# 20 packages with binaries, man pages and pkg-config files.
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

# The same variables, exported by an .envrc.
comm -13 <(env | sort) <(noxenv exec "$work/proj" -- env | sort) |
	sed "s/'/'\\\\''/g; s/=/='/; s/^/export /; s/\$/'/" >"$work/proj/.envrc"
direnv allow "$work/proj"
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
