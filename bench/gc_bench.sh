#!/bin/sh
# gc benchmark, in one run:
#  1. a store of TOTAL entries (default 10000) of which DEAD (2000) are dead:
#     `noxenv gc` against `rm -rf` of exactly those entries and their
#     .noxinfo and .noxdirs files, on identical fresh copies, RUNS times each, medians;
#  2. gc with nothing to delete, at the same live closure (LIVE2, 2000
#     entries) in a store of 10000 and 20000 entries (the rest plain
#     entries, which gc never deletes), then at a live closure of 10000 and
#     20000.
# Entries are written directly by bench/gc_populate (8 files, read-only
# directories, as store add leaves them). Needs go; prints medians in ms.
# ONLY=delete or ONLY=idle runs one part.
set -eu
cd "$(dirname "$0")/.."
TOTAL=${TOTAL:-10000}
DEAD=${DEAD:-2000}
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/noxenv-gc-bench.XXXXXX")
trap 'chmod -R u+w "$W" 2>/dev/null; rm -rf "$W"' EXIT
go build -o "$W/noxenv" ./cmd/noxenv
go build -o "$W/populate" ./bench/gc_populate

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# world DIR TOTAL LIVE [SEED]: a store and state directory under DIR.
world() {
	rm -rf "$1"
	"$W/populate" "$1/store" "$1/state/noxenv" "$2" "$3" "${4:-0}"
}
gc() { # gc DIR: noxenv gc of DIR's store and state
	env HOME="$1" XDG_STATE_HOME="$1/state" XDG_DATA_HOME="$1/data" \
		XDG_CACHE_HOME="$1/cache" NOXENV_STORE_PATH="$1/store" "$W/noxenv" gc >"$1/gc.out"
}

if [ "${ONLY:-delete}" = delete ]; then
	echo "gc of $DEAD dead entries among $TOTAL, $RUNS runs"
	: >"$W/t.gc"; : >"$W/t.rm"
	for _ in $(seq "$RUNS"); do
		world "$W/a" "$TOTAL" $((TOTAL - DEAD)) >/dev/null
		world "$W/b" "$TOTAL" $((TOTAL - DEAD)) >"$W/dead"
		sync
		t0=$(now); gc "$W/a"; t1=$(now)
		ms "$t0" "$t1" >>"$W/t.gc"
		grep -q "^freed .*: $DEAD entries, " "$W/a/gc.out" || { echo "gc did not free $DEAD entries" >&2; tail -1 "$W/a/gc.out" >&2; exit 1; }
		sed 's/$/.noxinfo/; p; s/info$/dirs/' "$W/dead" >"$W/dead.info"
		sync
		t0=$(now)
		# rm -rf cannot empty read-only directories unless run by root.
		[ "$(id -u)" = 0 ] || xargs chmod -R u+w <"$W/dead"
		xargs rm -rf <"$W/dead"
		xargs rm -f <"$W/dead.info"
		t1=$(now)
		ms "$t0" "$t1" >>"$W/t.rm"
	done
	g=$(median <"$W/t.gc"); r=$(median <"$W/t.rm")
	echo "  noxenv gc   ${g} ms   (runs: $(tr '\n' ' ' <"$W/t.gc"))"
	echo "  rm -rf      ${r} ms   (runs: $(tr '\n' ' ' <"$W/t.rm"))"
	awk -v g="$g" -v r="$r" 'BEGIN { printf "  ratio       %.2fx\n", g / r }'
fi
[ "${ONLY:-idle}" = idle ] || exit 0

echo "gc with nothing to delete, $RUNS runs"
LIVE2=${LIVE2:-2000}
for extra in $((10000 - LIVE2)) $((20000 - LIVE2)); do
	# The rest of the store: plain entries, which gc never deletes.
	rm -rf "$W/c"
	"$W/populate" "$W/c/store" "$W/c/state/noxenv" "$LIVE2" "$LIVE2" 0 "$extra" >/dev/null
	: >"$W/t.c"
	for _ in $(seq "$RUNS"); do
		t0=$(now); gc "$W/c"; t1=$(now)
		ms "$t0" "$t1" >>"$W/t.c"
	done
	grep -q "^freed 0 B" "$W/c/gc.out" || { echo "gc freed something" >&2; exit 1; }
	echo "  live $LIVE2, $((LIVE2 + extra)) entries in the store: $(median <"$W/t.c") ms"
done
for live in 10000 20000; do
	world "$W/c" "$live" "$live" >/dev/null
	: >"$W/t.c"
	for _ in $(seq "$RUNS"); do
		t0=$(now); gc "$W/c"; t1=$(now)
		ms "$t0" "$t1" >>"$W/t.c"
	done
	echo "  live $live, $live entries in the store: $(median <"$W/t.c") ms"
done
