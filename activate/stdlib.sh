# The functions of direnv's standard library that need no Go, each named
# __noxenv_NAME and run for a call of NAME (see stdlib.go). They run in the
# script's own context, possibly under strict_env: every variable they
# read may be unset, and no failure of theirs is left to set -e.
#
# They must not make the evaluation uncacheable by what they do (type,
# command -v, source, external commands but where documented): what they
# read goes through the builtins, which record it.

# PATH_add DIR...
__noxenv_PATH_add() {
	path_add PATH "$@"
}

# MANPATH_add DIR...: with MANPATH unset or empty, man searches its own
# path, which a bare DIR would hide: what manpath prints is kept, or,
# without manpath, an empty last entry (man's "and the system's").
__noxenv_MANPATH_add() {
	if [ -z "${MANPATH-}" ]; then
		if __noxenv_command manpath; then
			MANPATH=$(manpath -q) || MANPATH=
		fi
		if [ -z "$MANPATH" ]; then
			path_add MANPATH "$@" && MANPATH=$MANPATH:
			return
		fi
		export MANPATH
	fi
	path_add MANPATH "$@"
}

# has NAME: a function, builtin or command.
__noxenv_has() {
	declare -f "${1-}" >/dev/null 2>&1 || __noxenv_command "${1-}"
}

# source_env_if_exists FILE: watched, so that its appearing counts.
__noxenv_source_env_if_exists() {
	if [ $# -ne 1 ]; then
		__noxenv_usage "source_env_if_exists FILE"
		return
	fi
	watch_file "$1"
	if [ -f "$1" ]; then
		source_env "$1"
	fi
}
