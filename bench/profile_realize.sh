#!/usr/bin/env bash
# Realizing a profile of N generated packages (default 200, 250 files each,
# shaped like real packages: most files in directories of their own, a
# dozen in bin/, lib/, share/man/man1/ ... that all share), compared in one
# run with GNU stow and cp -rs building the same union, and with the floor:
# a minimal program creating exactly the directories and symlinks of
# noxenv's result, each by its whole path (floor) or, as noxenv does,
# relative to its open directory (floor-at). Everything else (building noxenv, generating and adding
# the packages) happens outside the timed part. The tools take turns, RUNS
# times (default 7); the medians are printed with their ratios.
#
#   bench/profile_realize.sh            # in a temporary directory under $TMPDIR
#   BENCH_DIR=/dev/shm/x bench/profile_realize.sh   # on another filesystem
#   BENCH_KEEP=1 ...                                 # keep the directory
#   BASE=REV ...         # also noxenv built from commit REV, in the same rounds
#   BENCH_RT=1 ...       # noxenv's and the in-process runs under SCHED_FIFO (root)
#   TOOLS="noxenv_again noxenv_base_again" RUNS=60 ...   # only these, more rounds
#
# On a machine others share, their processes take the processors from the
# runs at random; BENCH_RT=1 runs each measured process of noxenv, its
# base, realize and the floors at a real-time priority (chrt -f), set on
# this shell before the run and inherited, so nothing else is started in
# the timed part. stow and cp -rs, which take seconds, run as usual.
set -euo pipefail

N=${N:-200}
RUNS=${RUNS:-7}
repo=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
W=$(cd "$W" && pwd)
cleanup() { chmod -R u+w "$W" 2>/dev/null || true; rm -rf "$W"; }
[ -n "${BENCH_KEEP:-}" ] || trap cleanup EXIT

# noxenv is installed by install.sh, and run as users run it.
PREFIX=$W/prefix "$repo/install.sh" 2>/dev/null
(cd "$repo" && go build -o "$W/profile_tool" ./bench/profile_tool)
export HOME=$W/home XDG_STATE_HOME=$W/state XDG_DATA_HOME=$W/data XDG_DATA_DIRS=$W/sys
export NOXENV_STORE_PATH=$W/store NOXENV_LOG=quiet
nox=$W/prefix/bin/noxenv
if [ -n "${BASE:-}" ]; then
	mkdir -p "$W/base"
	git -C "$repo" archive "$BASE" | tar -x -C "$W/base"
	PREFIX=$W/base-prefix "$W/base/install.sh" 2>/dev/null
fi

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

# Each tool, each round: a target of its own under $W/t, made outside the
# timed part after the tool's previous target is removed, as real use
# removes old generations (gc) before making new ones. On an ext4 without a
# journal (this project's disk) that matters: ext4 does not reuse an inode
# freed in the last minutes, and every new inode scans past all such inodes
# of its block group, so a tree made where the last one was just removed
# costs far more. noxenv marks the directory of its generation trees
# chattr +T and gives each tree a new name, so that each starts in a block
# group of its own; the floors get the same placement (their target marked
# +T, a new name each round), so that they measure the least work for the
# same tree, not a worse place. The CLI and its peers are timed from
# outside, whole processes; the in-process ones (realize: profile.Realize
# alone, floor: the mkdir and symlink calls alone) print their own time, so
# they compare the work and nothing else.
spread() { mkdir -p "$T" && { chattr +T "$T" 2>/dev/null || true; }; }
run_noxenv() { XDG_STATE_HOME=$T/state "$nox" profile add -p "$T/p" "${names[@]}"; }
prep_noxenv() { mkdir -p "$T"; }
run_noxenv_again() { "$nox" profile add -p "$T/p" "${names[@]}"; }
prep_noxenv_again() { mkdir -p "$T"; }
run_noxenv_base() { XDG_STATE_HOME=$T/state "$W/base-prefix/bin/noxenv" profile add -p "$T/p" "${names[@]}"; }
prep_noxenv_base() { mkdir -p "$T"; }
run_noxenv_base_again() { "$W/base-prefix/bin/noxenv" profile add -p "$T/p" "${names[@]}"; }
prep_noxenv_base_again() { mkdir -p "$T"; }
run_realize() { "$W/profile_tool" realize "$T/gens" "$W/store" "${names[@]}"; }
prep_realize() { mkdir -p "$T"; }
run_realize_again() { "$W/profile_tool" realize "$W/gens-again" "$W/store" "${names[@]}"; }
prep_realize_again() { [ -d "$W/gens-again" ] || "$W/profile_tool" realize "$W/gens-again" "$W/store" "${names[@]}" >/dev/null; }
run_floor() { "$W/profile_tool" floor "$W/floor.list" "$T/floor-$r"; }
prep_floor() { spread; }
run_floor_at() { "$W/profile_tool" floor-at "$W/floor.list" "$T/floor-$r"; }
prep_floor_at() { spread; }
run_stow() { stow -d "$W/store" -t "$T" "${ids[@]}"; }
prep_stow() { mkdir -p "$T"; }
run_cprs() { cp -rs "${paths[@]}" "$T/"; }
prep_cprs() { mkdir -p "$T"; }

tools=(noxenv noxenv_again ${BASE:+noxenv_base noxenv_base_again} stow cprs realize realize_again floor floor_at)
if [ -n "${TOOLS:-}" ]; then
	read -ra tools <<<"$TOOLS"
fi
inproc=" realize realize_again floor floor_at "
for t in "${tools[@]}"; do : >"$W/times.$t"; done
for ((r = 0; r < RUNS; r++)); do
	# Each round starts with another tool, so that none always follows
	# the same one (and meets the dirty pages of cp -rs's 50,000 links).
	for ((i = 0; i < ${#tools[@]}; i++)); do
		t=${tools[$(((r + i) % ${#tools[@]}))]}
		T=$W/t/$r-$t
		prev=$W/t/$((r - 1))-$t
		if [ -e "$prev" ]; then
			chmod -R u+w "$prev"
			rm -rf "$prev"
		fi
		"prep_$t"
		sync
		sleep 0.5
		if [ -n "${BENCH_RT:-}" ] && [[ $t != stow && $t != cprs ]]; then
			chrt -f -p 50 $$
		fi
		if [[ $inproc == *" $t "* ]]; then
			"run_$t" >>"$W/times.$t"
		else
			# The shell's own clock: no process of its own around the run.
			start=$EPOCHREALTIME
			"run_$t" >/dev/null
			end=$EPOCHREALTIME
			echo $((${end/[.,]/} - ${start/[.,]/})) >>"$W/times.$t"
		fi
		[ -z "${BENCH_RT:-}" ] || chrt -o -p 0 $$
	done
	echo "run $((r + 1))/$RUNS done" >&2
done

median() { sort -n "$1" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
declare -A med
for t in "${tools[@]}"; do med[$t]=$(median "$W/times.$t"); done
printf '%-40s %10s %8s %8s %10s %17s\n' "realizing $N packages ($((N * 250)) files)" "median ms" "/ stow" "/ floor" "/ floor-at" "min-max ms"
for t in "${tools[@]}"; do
	case $t in
	noxenv) label="noxenv profile add (new)" ;;
	noxenv_again) label="noxenv profile add (built before)" ;;
	noxenv_base) label="base $BASE profile add (new)" ;;
	noxenv_base_again) label="base $BASE (built before)" ;;
	stow) label="GNU stow" ;;
	cprs) label="cp -rs" ;;
	realize) label="profile.Realize in-process (new)" ;;
	realize_again) label="profile.Realize in-process (built)" ;;
	floor) label="floor in-process (mkdir+symlink)" ;;
	floor_at) label="floor in-process (mkdirat+symlinkat)" ;;
	esac
	# A ratio to a tool not run (TOOLS) is left out.
	awk -v l="$label" -v m="${med[$t]}" -v s="${med[stow]:-}" -v f="${med[floor]:-}" -v fa="${med[floor_at]:-}" \
		-v lo="$(sort -n "$W/times.$t" | head -1)" -v hi="$(sort -n "$W/times.$t" | tail -1)" \
		'function r(d) { return d == "" ? "-" : sprintf("%.2f", m / d) }
		BEGIN {printf "%-40s %10.2f %8s %8s %10s %8.2f-%-8.2f\n", l, m / 1000, r(s), r(f), r(fa), lo / 1000, hi / 1000}'
done
echo "(times: $W/times.*; whole processes for noxenv, its base, stow and cp -rs, the work alone for the last four)" >&2
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)${BENCH_RT:+; runs under SCHED_FIFO}"
