#!/usr/bin/env bash
# Binary caches against a registry on loopback (Debian's docker-registry,
# started here on a free port), in one run:
#
#   push    noxenv cache push of $(go env GOROOT) as one entry, to a new
#           repository each round, against tar -c | gzip -1 of the same
#           tree, sha256sum of the result and curl uploading it (the
#           registry wants the digest with the upload)
#   pull    noxenv cache pull of that entry into an empty store, against
#           curl fetching the gzip blob, tar -xz, and sha256sum of every
#           file
#   again   a second push of the same closure (nothing is sent)
#   subst   noxenv exec of a locked project of 20 small entries on a fresh
#           HOME, fetching them from the registry, against 20 noxenv cache
#           pulls one after another
#
# The tools take turns, RUNS times (default 5; SMALL_RUNS, default 3 x
# RUNS, for the 20 small entries); the medians are printed with their
# ratios. Targets: push and pull at most 1.3x their pair, subst
# at most 0.5x.
#
#   bench/cache.sh                      # in a temporary directory under $TMPDIR
#   BENCH_DIR=/dev/shm/x bench/cache.sh # elsewhere
set -euo pipefail

RUNS=${RUNS:-5}
SMALL_RUNS=${SMALL_RUNS:-$((RUNS * 3))}
repo=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
W=$(cd "$W" && pwd)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	chmod -R u+w "$W" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

# noxenv hands cache commands over to noxenv-oci beside it, as installed.
(cd "$repo" && go build -o "$W/noxenv" ./cmd/noxenv && go build -tags oci -o "$W/noxenv-oci" ./cmd/noxenv)
nox=$W/noxenv
goroot=$(go env GOROOT)
export HOME=$W/home XDG_STATE_HOME=$W/state XDG_DATA_HOME=$W/data XDG_CONFIG_HOME=$W/config XDG_CACHE_HOME=$W/cache
export XDG_DATA_DIRS=$W/sys NOXENV_LOG=quiet

# The registry.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
reg=127.0.0.1:$port
mkdir -p "$W/registry"
cat >"$W/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $W/registry/data
http:
  addr: $reg
EOF
docker-registry serve "$W/registry/config.yml" >"$W/registry/log" 2>&1 &
pids+=($!)
until curl -sf "http://$reg/v2/" >/dev/null; do sleep 0.1; done

echo "preparing in $W ($(df -T "$W" | awk 'NR==2 {print $2}')): $goroot, $(du -sh "$goroot" | cut -f1)" >&2
"$nox" store add "$goroot" --name goroot --version "$(go env GOVERSION | sed 's/^go//')" >/dev/null
id=$("$nox" store list | awk '/-goroot-/ {print $1}')
mkdir -p "$W/proj"
for i in $(seq -w 1 20); do
	mkdir -p "$W/src/small$i-1.0/bin" "$W/src/small$i-1.0/share/doc/small$i"
	printf '#!/bin/sh\necho %s\n' "$i" >"$W/src/small$i-1.0/bin/small$i"
	chmod +x "$W/src/small$i-1.0/bin/small$i"
	head -c 20000 /dev/urandom | base64 >"$W/src/small$i-1.0/share/doc/small$i/README"
	"$nox" store add "$W/src/small$i-1.0" >/dev/null
	echo "use small$i" >>"$W/proj/.noxprofile"
done
"$nox" allow "$W/proj"
(cd "$W/proj" && "$nox" lock)
"$nox" cache push "oci+http://$reg/bench/small" --project "$W/proj"
smalls=$("$nox" store list | awk '/-small[0-9]+-/ {print $1}')

# What a round made is moved aside and removed at the end only: on ext4
# without a journal, every inode made scans past the inodes freed in the
# last minutes, which would time the removals and not the tools.
mkdir -p "$W/trash"
now() { date +%s%N; }
tools=(push tar-gzip-curl pull curl-tar-sha256 again subst pull-each)
for t in "${tools[@]}"; do : >"$W/times.$t"; done
blob=""
for r in $(seq 1 "$RUNS"); do
	# push
	s=$(now)
	"$nox" cache push "oci+http://$reg/bench/push$r" goroot
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.push"

	s=$(now)
	tar -c -C "$goroot" . | gzip -1 >"$W/peer.tgz"
	digest=sha256:$(sha256sum "$W/peer.tgz" | cut -d' ' -f1)
	loc=$(curl -sf -X POST -D - -o /dev/null "http://$reg/v2/bench/peer$r/blobs/uploads/" | tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
	case $loc in http*) ;; *) loc=http://$reg$loc ;; esac
	case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
	curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$W/peer.tgz" "$loc${sep}digest=$digest" >/dev/null
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.tar-gzip-curl"
	blob=$digest
	mv "$W/peer.tgz" "$W/trash/peer$r.tgz"

	# pull, into an empty store
	st=$W/pull$r
	"$nox" store init "$st" >/dev/null
	s=$(now)
	NOXENV_STORE_PATH=$st "$nox" cache pull "oci+http://$reg/bench/push$r" "$id" >/dev/null
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.pull"
	mv "$st" "$W/trash/"

	out=$W/peer$r
	mkdir -p "$out"
	s=$(now)
	curl -sf "http://$reg/v2/bench/peer$r/blobs/$blob" | tar -xz -C "$out"
	find "$out" -type f -print0 | xargs -0 sha256sum >/dev/null
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.curl-tar-sha256"
	mv "$out" "$W/trash/"

	# a second push of the same closure
	s=$(now)
	NOXENV_LOG= "$nox" cache push "oci+http://$reg/bench/push$r" goroot 2>"$W/again.log"
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.again"
	grep -q 'pushed 0 entries .*(1 there already)' "$W/again.log" || { cat "$W/again.log" >&2; exit 1; }
done
for r in $(seq 1 "$SMALL_RUNS"); do
	# substituting a locked project of 20 entries on a fresh HOME
	h=$W/fresh$r
	s=$(now)
	HOME=$h XDG_DATA_HOME=$h/data XDG_STATE_HOME=$h/state XDG_CONFIG_HOME=$h/config XDG_CACHE_HOME=$h/cache \
		NOXENV_SUBSTITUTERS=oci+http://$reg/bench/small sh -c '"$1" allow "$2" && "$1" exec "$2" -- small20' _ "$nox" "$W/proj" >/dev/null
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.subst"
	mv "$h" "$W/trash/"

	h=$W/each$r
	s=$(now)
	for sid in $smalls; do
		HOME=$h XDG_DATA_HOME=$h/data XDG_STATE_HOME=$h/state XDG_CONFIG_HOME=$h/config XDG_CACHE_HOME=$h/cache \
			"$nox" cache pull "oci+http://$reg/bench/small" "$sid" >/dev/null
	done
	e=$(now)
	echo $(((e - s) / 1000000)) >>"$W/times.pull-each"
	mv "$h" "$W/trash/"
done

median() { sort -n "$1" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
declare -A med
for t in "${tools[@]}"; do med[$t]=$(median "$W/times.$t"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
printf '%-44s %10s %10s %8s\n' "$(du -sh "$goroot" | cut -f1) GOROOT, $RUNS runs" "noxenv ms" "peer ms" "ratio"
printf '%-44s %10s %10s %8s\n' "push (vs tar | gzip -1 + curl)" "${med[push]}" "${med[tar-gzip-curl]}" "$(ratio "${med[push]}" "${med[tar-gzip-curl]}")"
printf '%-44s %10s %10s %8s\n' "pull (vs curl | tar -xz + sha256sum)" "${med[pull]}" "${med[curl-tar-sha256]}" "$(ratio "${med[pull]}" "${med[curl-tar-sha256]}")"
printf '%-44s %10s %10s %8s\n' "second push (sends nothing)" "${med[again]}" "-" "-"
printf '%-44s %10s %10s %8s\n' "locked project of 20 (vs 20 pulls), $SMALL_RUNS runs" "${med[subst]}" "${med[pull-each]}" "$(ratio "${med[subst]}" "${med[pull-each]}")"
