#!/usr/bin/env bash
# Import a real tree -- by default the Go toolchain's own installation,
# $(go env GOROOT), about 15,000 files and 270 MB -- with `noxenv store add`,
# and compare it in the same run with `cp -a` of the same tree followed by
# `sha256sum` of every copied file. Prints hyperfine's medians and the ratio
# noxenv / (cp -a + sha256sum); the target is at most 1.0.
#
#   bench/store_add.sh [TREE]     RUNS=N (default 7) repeats each command
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(cd "${1:-$(go env GOROOT)}" && pwd)
runs=${RUNS:-7}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/noxenv" ./cmd/noxenv
export NOXENV_STORE_PATH=$work/store NOXENV_LOG=quiet

echo "tree: $src ($(find "$src" -type f | wc -l) files, $(du -sh "$src" | cut -f1))"
echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
# Each run starts from an empty store and no dirty pages of the last one.
# The last run's trees are moved aside, not removed, until the end: on ext4
# without a journal, every file made scans past the inodes freed in the
# last minutes, so removing 15,000 files before each run would time that.
mkdir "$work/old"
reset="mv $work/store $work/old/store.\$(date +%s%N) 2>/dev/null; mv $work/copy $work/old/copy.\$(date +%s%N) 2>/dev/null; $work/noxenv store init $work/store >/dev/null; sync"
hyperfine --runs "$runs" --warmup 1 --prepare "$reset" --export-json "$work/result.json" \
	-n 'noxenv store add' "$work/noxenv store add --name go --version 1 $src" \
	-n 'cp -a + sha256sum' "cp -a $src $work/copy && find $work/copy -type f -exec sha256sum {} + >/dev/null"
python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
nox, ref = r["noxenv store add"]["median"], r["cp -a + sha256sum"]["median"]
print(f"median: noxenv store add {nox:.3f} s, cp -a + sha256sum {ref:.3f} s, ratio {nox / ref:.2f}x")
cpu = {k: v["user"] + v["system"] for k, v in r.items()}
print(f"cpu (user+system, mean): noxenv store add {cpu['noxenv store add']:.3f} s, cp -a + sha256sum {cpu['cp -a + sha256sum']:.3f} s")
PY
