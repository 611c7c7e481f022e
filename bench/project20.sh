# Sourced by the benchmarks that compare noxenv with direnv on the same
# project (exec_direnv.sh, hook_shells.sh).
#
# project20 EXCLUDE: with $root (the checkout) and $work (an empty temporary
# directory) set, installs noxenv into $work/bin with install.sh (static
# binaries: without cgo a program skips the dynamic loader at start-up,
# which every exec and cd pays), puts HOME and the XDG directories under $work, and makes $work/proj: a
# project using 20 packages with binaries, man pages and pkg-config files,
# allowed, its generation realized, and an .envrc exporting the variables
# the project sets, but those matching the extended regular expression
# EXCLUDE, for direnv.
project20() {
	PREFIX=$work "$root/install.sh" 2>/dev/null
	# Builds after this one, once HOME and the XDG directories are under
	# $work, use the usual module and build caches.
	GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
	export GOMODCACHE GOCACHE
	export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_STATE_HOME=$work/home/.local/state
	export XDG_CACHE_HOME=$work/home/.cache XDG_CONFIG_HOME=$work/home/.config XDG_DATA_DIRS=$work/sys
	export PATH=$work/bin:$PATH NOXENV_LOG=quiet DIRENV_LOG_FORMAT=
	unset NOXENV_STORE_PATH NOXENV_STATE NOXENV_DIR DIRENV_DIR DIRENV_FILE DIRENV_DIFF DIRENV_WATCHES
	mkdir -p "$HOME" "$work/proj"
	local i src
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
	comm -13 <(env | sort) <(noxenv exec "$work/proj" -- env | grep -Ev "$1" | sort) |
		sed "s/'/'\\\\''/g; s/=/='/; s/^/export /; s/\$/'/" >"$work/proj/.envrc"
	direnv allow "$work/proj"
}
