# The functions of direnv's standard library that need no Go, each named
# __noxenv_NAME and run for a call of NAME (see stdlib.go). They run in the
# script's own context, possibly under strict_env: every variable they
# read may be unset, and no failure of theirs is left to set -e.
#
# They must not make the evaluation uncacheable by what they do (type,
# command -v, source, external commands but where documented): what they
# read goes through the builtins, which record it.

# MANPATH_add DIR...: with MANPATH unset or empty, man searches its own
# path, which a bare DIR would hide: what manpath prints is kept, or,
# without manpath, an empty last entry (man's "and the system's"). As
# direnv's, it keeps MANPATH's own entries as they are, a trailing empty
# one too, which path_add drops.
__noxenv_MANPATH_add() {
	if [[ -z ${MANPATH-} ]]; then
		if __noxenv_command manpath; then
			MANPATH=$(manpath -q) || MANPATH=
		fi
		if [[ -z $MANPATH ]]; then
			path_add MANPATH "$@" && MANPATH=$MANPATH:
			return
		fi
		export MANPATH
	fi
	if [[ $MANPATH == *: ]]; then
		path_add MANPATH "$@" && MANPATH=$MANPATH:
		return
	fi
	path_add MANPATH "$@"
}

# load_prefix DIR: DIR's bin, include, lib, man pages and pkg-config files
# on their variables, as after ./configure --prefix=DIR && make install.
__noxenv_load_prefix() {
	if [[ $# != 1 ]]; then
		__noxenv_usage "load_prefix DIR"
		return
	fi
	local __noxenv_p
	__noxenv_p=$(expand_path "$1") &&
		MANPATH_add "$__noxenv_p/man" &&
		MANPATH_add "$__noxenv_p/share/man" &&
		path_add CPATH "$__noxenv_p/include" &&
		path_add LD_LIBRARY_PATH "$__noxenv_p/lib" &&
		path_add LIBRARY_PATH "$__noxenv_p/lib" &&
		path_add PATH "$__noxenv_p/bin" &&
		path_add PKG_CONFIG_PATH "$__noxenv_p/lib/pkgconfig"
}

# strict_env [CMD...] / unstrict_env [CMD...]: errexit, nounset and
# pipefail on (off) for the rest of the script, or for CMD only, after
# which they are as they were. A CMD that fails under strict_env ends the
# evaluation, as in direnv.
__noxenv_strict_env() {
	__noxenv_strictness - "$@"
}

__noxenv_unstrict_env() {
	__noxenv_strictness + "$@"
}

__noxenv_strictness() {
	local __noxenv_to=$1 __noxenv_e=+ __noxenv_u=+ __noxenv_pf=+ __noxenv_st=0
	shift
	if [[ -o errexit ]]; then __noxenv_e=-; fi
	if [[ -o nounset ]]; then __noxenv_u=-; fi
	if [[ -o pipefail ]]; then __noxenv_pf=-; fi
	set "${__noxenv_to}o" errexit "${__noxenv_to}o" nounset "${__noxenv_to}o" pipefail
	if [[ $# == 0 ]]; then
		return 0
	fi
	"$@" || __noxenv_st=$?
	set "${__noxenv_e}o" errexit "${__noxenv_u}o" nounset "${__noxenv_pf}o" pipefail
	if [[ $__noxenv_to == - && $__noxenv_st != 0 ]]; then
		exit 1
	fi
	return "$__noxenv_st"
}

# on_git_branch [BRANCH | -r REGEX]: in a git work tree (on BRANCH, or a
# branch REGEX matches); git's HEAD is then watched.
__noxenv_on_git_branch() {
	local __noxenv_git __noxenv_branch
	if ! __noxenv_command git; then
		log_error "on_git_branch needs git, which is not in PATH"
		return 1
	fi
	if ! __noxenv_git=$(git rev-parse --absolute-git-dir 2>/dev/null); then
		log_error "on_git_branch: $PWD is not in a git work tree"
		return 1
	fi
	if [[ -z ${1-} ]]; then
		return 0
	fi
	if [[ $1 == -r && -z ${2-} ]]; then
		log_error "on_git_branch: -r needs a regular expression"
		return 1
	fi
	watch_file "$__noxenv_git/HEAD"
	__noxenv_branch=$(git branch --show-current) || return 1
	if [[ $1 == -r ]]; then
		[[ $__noxenv_branch =~ $2 ]]
	else
		[[ $1 == "$__noxenv_branch" ]]
	fi
}
