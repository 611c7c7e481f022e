#!/usr/bin/env bash
# Build an OCI image of a closure of the Go toolchain's installation,
# $(go env GOROOT) (about 15,000 files and 270 MB, one entry), plus 20
# small entries, with `noxenv image build -o` and an empty layer cache,
# and compare it in the same run with `tar --sort=name -c` of the same 21
# trees piped to `gzip -1` (the image's layers are gzip at its fastest
# level too). Then rebuild after one small entry changed (a new version
# of it each run), the layer cache warm. Prints hyperfine's medians, the
# ratio build / (tar | gzip -1), target at most 1.0, and the ratio
# rebuild / build, target at most 0.1.
#
#   bench/image.sh [TREE]     RUNS=N (default 5) repeats each command
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(cd "${1:-$(go env GOROOT)}" && pwd)
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
# noxenv hands image build over to noxenv-oci beside it, as installed.
go build -o "$work/noxenv" ./cmd/noxenv
go build -tags oci -o "$work/noxenv-oci" ./cmd/noxenv
export NOXENV_STORE_PATH=$work/store NOXENV_LOG=quiet
export XDG_STATE_HOME=$work/state XDG_CACHE_HOME=$work/cache
nox=$work/noxenv
$nox store init "$work/store" >/dev/null

echo "tree: $src ($(find "$src" -type f | wc -l) files, $(du -sh "$src" | cut -f1)) and 20 small entries"
echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
entries=$($nox store add --name go --version 1 "$src")
pkgs="go"
for i in $(seq 1 20); do
	mkdir -p "$work/src/small$i/bin" "$work/src/small$i/share/small$i"
	printf '#!/bin/sh\necho small %s\n' "$i" >"$work/src/small$i/bin/small$i"
	chmod 755 "$work/src/small$i/bin/small$i"
	head -c 20000 /dev/urandom | base64 >"$work/src/small$i/share/small$i/data"
	entries="$entries $($nox store add --name "small$i" --version 1 "$work/src/small$i")"
	pkgs="$pkgs small$i"
done
rel=""
for e in $entries; do rel="$rel ${e#/}"; done

cold="rm -rf $work/cache $work/img; sync"
# Each rebuild's small1 is a new version, its content new: the other 20
# entries' layers are in the cache from the runs before.
change="rm -rf $work/img; date +%s%N >$work/src/small1/share/small1/stamp; $nox store add --name small1 --version 1.\$(date +%s%N) $work/src/small1 >/dev/null; sync"
$nox image build $pkgs -o "$work/img" >/dev/null # the rebuilds' warm cache
hyperfine --runs "$runs" --warmup 1 --export-json "$work/result.json" \
	-n 'noxenv image build' --prepare "$cold" "$nox image build $pkgs -o $work/img" \
	-n 'tar --sort=name | gzip -1' --prepare "rm -f $work/peer.tar.gz; sync" "tar --sort=name -C / -c $rel | gzip -1 >$work/peer.tar.gz" \
	-n 'noxenv image build, one entry changed' --prepare "$change" "$nox image build $pkgs -o $work/img"
echo "sizes: image layers $(du -cb "$work"/img/blobs/sha256/* | tail -1 | cut -f1) bytes, tar | gzip -1 $(stat -c %s "$work/peer.tar.gz") bytes"
python3 - "$work/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
build, peer = r["noxenv image build"]["median"], r["tar --sort=name | gzip -1"]["median"]
rebuild = r["noxenv image build, one entry changed"]["median"]
print(f"median: noxenv image build {build:.3f} s, tar | gzip -1 {peer:.3f} s, ratio {build / peer:.2f}x (target <= 1.0)")
print(f"median: rebuild, one entry changed {rebuild:.3f} s, ratio to the build {rebuild / build:.3f}x (target <= 0.1)")
cpu = {k: v["user"] + v["system"] for k, v in r.items()}
print("cpu (user+system, mean): " + ", ".join(f"{k} {v:.3f} s" for k, v in cpu.items()))
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
