#!/usr/bin/env bash
# Realizing a profile of N generated packages (default 200, 250 files each,
# shaped like real packages: most files in directories of their own, a
# dozen in bin/, lib/, share/man/man1/ ... that all share), compared in one
# run with GNU stow and cp -rs building the same union, and with the floor:
# a minimal program creating exactly the directories and symlinks of
# noxenv's result. Everything else (building noxenv, generating and adding
# the packages) happens outside the timed part. The tools take turns, RUNS
# times (default 7); the medians are printed with their ratios.
#
#   bench/profile_realize.sh            # in a temporary directory under $TMPDIR
#   BENCH_DIR=/dev/shm/x bench/profile_realize.sh   # on another filesystem
#   BENCH_KEEP=1 ...                                 # keep the directory
set -euo pipefail

N=${N:-200}
RUNS=${RUNS:-7}
repo=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
W=$(cd "$W" && pwd)
cleanup() { chmod -R u+w "$W" 2>/dev/null || true; rm -rf "$W"; }
[ -n "${BENCH_KEEP:-}" ] || trap cleanup EXIT

(cd "$repo" && go build -o "$W/noxenv" ./cmd/noxenv && go build -o "$W/profile_tool" ./bench/profile_tool)
export HOME=$W/home XDG_STATE_HOME=$W/state XDG_DATA_HOME=$W/data XDG_DATA_DIRS=$W/sys
export NOXENV_STORE_PATH=$W/store NOXENV_LOG=quiet
nox=$W/noxenv

echo "preparing $N packages in $W ($(df -T "$W" | awk 'NR==2 {print $2}'))" >&2
"$nox" store init "$W/store"
"$W/profile_tool" gen "$W/src" "$N"
ids=()
for d in "$W"/src/*; do
	ids+=("$(basename "$("$nox" store add "$d")")")
done
names=()
for d in "$W"/src/*; do
	b=$(basename "$d")
	names+=("${b%-*}")
done
paths=()
for id in "${ids[@]}"; do paths+=("$W/store/$id/."); done

# noxenv's result, as the floor's list and to check the others against.
"$nox" profile add -p "$W/ref" "${names[@]}"
gen=$(readlink -f "$W/ref")
(cd "$gen" && find . -mindepth 1 \( -type d -printf 'd %P\n' -o -type l -printf 'l %P\t%l\n' \)) >"$W/floor.list"
echo "noxenv's tree: $(grep -c '^d' "$W/floor.list") directories, $(grep -c '^l' "$W/floor.list") symlinks" >&2

# Each tool: a fresh target (removed outside the timed part), then the
# run. The CLI and its peers are timed from outside, whole processes; the
# in-process ones (realize: profile.Realize alone, floor: the mkdir and
# symlink calls alone) print their own time, so they compare the work and
# nothing else.
run_noxenv() { "$nox" profile add -p "$W/t/p" "${names[@]}"; }
prep_noxenv() { rm -rf "$W/t" "$W/state/noxenv/generations"; mkdir -p "$W/t"; }
run_noxenv_again() { "$nox" profile add -p "$W/t/p" "${names[@]}"; }
prep_noxenv_again() { rm -rf "$W/t"; mkdir -p "$W/t"; "$nox" profile add -p "$W/ref" "${names[@]}"; }
run_realize() { "$W/profile_tool" realize "$W/t/gens" "$W/store" "${names[@]}"; }
prep_realize() { rm -rf "$W/t"; mkdir -p "$W/t"; }
run_realize_again() { "$W/profile_tool" realize "$W/t/gens" "$W/store" "${names[@]}"; }
prep_realize_again() { [ -d "$W/t/gens" ] || run_realize >/dev/null; }
run_floor() { "$W/profile_tool" floor "$W/floor.list" "$W/t/floor"; }
prep_floor() { rm -rf "$W/t"; mkdir -p "$W/t"; }
run_stow() { stow -d "$W/store" -t "$W/t" "${ids[@]}"; }
prep_stow() { rm -rf "$W/t"; mkdir -p "$W/t"; }
run_cprs() { cp -rs "${paths[@]}" "$W/t/"; }
prep_cprs() { rm -rf "$W/t"; mkdir -p "$W/t"; }

tools=(noxenv noxenv_again stow cprs realize realize_again floor)
inproc=" realize realize_again floor "
for t in "${tools[@]}"; do : >"$W/times.$t"; done
for ((r = 0; r < RUNS; r++)); do
	# Each round starts with another tool, so that none always follows
	# the same one (removing cp -rs's 50,000 links, say).
	for ((i = 0; i < ${#tools[@]}; i++)); do
		t=${tools[$(((r + i) % ${#tools[@]}))]}
		"prep_$t"
		sync
		sleep 0.5
		start=$(date +%s%N)
		out=$("run_$t")
		end=$(date +%s%N)
		if [[ $inproc == *" $t "* ]]; then
			echo "$out" >>"$W/times.$t"
		else
			echo $(((end - start) / 1000)) >>"$W/times.$t"
		fi
	done
	echo "run $((r + 1))/$RUNS done" >&2
done

median() { sort -n "$1" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
declare -A med
for t in "${tools[@]}"; do med[$t]=$(median "$W/times.$t"); done
printf '%-40s %10s %8s %8s\n' "realizing $N packages ($((N * 250)) files)" "median ms" "/ stow" "/ floor"
for t in "${tools[@]}"; do
	case $t in
	noxenv) label="noxenv profile add (new)" ;;
	noxenv_again) label="noxenv profile add (built before)" ;;
	stow) label="GNU stow" ;;
	cprs) label="cp -rs" ;;
	realize) label="profile.Realize in-process (new)" ;;
	realize_again) label="profile.Realize in-process (built)" ;;
	floor) label="floor in-process (mkdir+symlink)" ;;
	esac
	awk -v l="$label" -v m="${med[$t]}" -v s="${med[stow]}" -v f="${med[floor]}" \
		'BEGIN {printf "%-40s %10.2f %8.2f %8.2f\n", l, m / 1000, m / s, m / f}'
done
echo "(times: $W/times.*; whole processes for the first four, the work alone for the last three)" >&2
