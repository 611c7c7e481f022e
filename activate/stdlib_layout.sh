# direnv's layouts, run as the rest of the standard library (see
# stdlib.sh). Each sets what direnv's sets and makes only what it makes
# (layout python's virtual environment, layout pipenv's through pipenv),
# under direnv_layout_dir. A layout that runs a program the machine lacks
# is an error naming the program.

# direnv_layout_dir: where layouts keep what they make: the variable
# direnv_layout_dir, or .direnv in the working directory.
__noxenv_direnv_layout_dir() {
	printf '%s\n' "${direnv_layout_dir:-$PWD/.direnv}"
}

# layout NAME [ARG...]: the file's own layout_NAME when it defines one,
# else the standard layout.
__noxenv_layout() {
	if [ $# -lt 1 ]; then
		__noxenv_usage "layout NAME [ARG...]"
		return 1
	fi
	local name=$1
	shift
	if ! declare -f "layout_$name" >/dev/null 2>&1 && ! __noxenv_command "layout_$name"; then
		__noxenv_fail "layout $name: no such layout" "the layouts are go, julia, node, perl, php, pipenv, python, python3 and ruby, and any function layout_NAME the file defines"
		return 1
	fi
	"layout_$name" "$@"
}

# layout go: a GOPATH of the project's own, its bin on PATH.
__noxenv_layout_go() {
	local dir
	dir=$(direnv_layout_dir) || return 1
	path_add GOPATH "$dir/go" && PATH_add "$dir/go/bin"
}

# layout julia: the project's directory is Julia's project.
__noxenv_layout_julia() {
	export JULIA_PROJECT="$PWD"
}

# layout node: the project's node_modules/.bin on PATH.
__noxenv_layout_node() {
	PATH_add node_modules/.bin
}

# layout php: Composer's vendor/bin on PATH.
__noxenv_layout_php() {
	PATH_add vendor/bin
}

# layout perl: the variables of local::lib, for modules installed under
# the layout directory's perl5.
__noxenv_layout_perl() {
	local lib
	lib=$(direnv_layout_dir) || return 1
	lib=$lib/perl5
	export LOCAL_LIB_DIR="$lib" PERL_MB_OPT="--install_base '$lib'" PERL_MM_OPT="INSTALL_BASE=$lib"
	path_add PERL5LIB "$lib/lib/perl5" && path_add PERL_LOCAL_LIB_ROOT "$lib" && PATH_add "$lib/bin"
}

# layout ruby: gems and bundler's binstubs under the layout directory. A
# rubygems older than 2.2 gets a directory per ruby, as with direnv.
__noxenv_layout_ruby() {
	if ! __noxenv_command ruby; then
		__noxenv_needs "layout ruby" ruby
		return 1
	fi
	local dir
	dir=$(direnv_layout_dir) || return 1
	BUNDLE_BIN=$dir/bin
	if ruby -e "exit Gem::VERSION > '2.2.0'" 2>/dev/null; then
		GEM_HOME=$dir/ruby
	else
		GEM_HOME=$dir/ruby-$(ruby -e 'print((defined?(RUBY_ENGINE) ? RUBY_ENGINE : "ruby") + "-" + RUBY_VERSION)') || return 1
	fi
	export BUNDLE_BIN GEM_HOME
	PATH_add "$GEM_HOME/bin" && PATH_add "$BUNDLE_BIN"
}

# layout python [PYTHON [ARG...]]: a virtual environment of PYTHON
# (default python) in the layout directory's python-VERSION, or in
# $VIRTUAL_ENV when set, made with venv (or virtualenv) and ARGs when it
# is not there, its bin on PATH. The .direnv/virtualenv of older direnvs
# is kept for plain python.
__noxenv_layout_python() {
	local python=${1:-python} dir
	[ $# -gt 0 ] && shift
	unset PYTHONHOME
	dir=$(direnv_layout_dir) || return 1
	if [ -d "$dir/virtualenv" ] && [ "$python" = python ]; then
		VIRTUAL_ENV=$dir/virtualenv
	else
		if ! __noxenv_command "$python"; then
			__noxenv_needs "layout python" "$python"
			return 1
		fi
		local info version maker
		info=$("$python" -c '
import platform
try:
    from importlib.util import find_spec
except ImportError:
    from pkgutil import find_loader as find_spec
maker = "venv" if find_spec("venv") else "virtualenv" if find_spec("virtualenv") else "none"
print(platform.python_version() + " " + maker)
') || info=
		version=${info% *} maker=${info##* }
		if [ -z "$version" ]; then
			__noxenv_fail "layout python: $python did not tell its version"
			return 1
		fi
		if [ -n "${VIRTUAL_ENV-}" ]; then
			case $VIRTUAL_ENV in
			/*) ;;
			*) VIRTUAL_ENV=$PWD/${VIRTUAL_ENV#./} ;;
			esac
		else
			VIRTUAL_ENV=$dir/python-$version
		fi
		if [ "$maker" = none ]; then
			__noxenv_fail "layout python: $python has neither venv nor virtualenv" "install its venv module (Debian: python3-venv)"
			return 1
		fi
		if [ ! -d "$VIRTUAL_ENV" ]; then
			"$python" -m "$maker" "$@" "$VIRTUAL_ENV" || return 1
		fi
	fi
	export VIRTUAL_ENV
	PATH_add "$VIRTUAL_ENV/bin"
}

# layout python3 [ARG...]
__noxenv_layout_python3() {
	layout_python python3 "$@"
}

# layout pipenv: pipenv's virtual environment of the Pipfile
# ($PIPENV_PIPFILE), installed with its development packages when pipenv
# has none yet.
__noxenv_layout_pipenv() {
	PIPENV_PIPFILE=${PIPENV_PIPFILE:-Pipfile}
	if [ ! -f "$PIPENV_PIPFILE" ]; then
		__noxenv_fail "layout pipenv: no $PIPENV_PIPFILE in $PWD" "make one with pipenv first"
		return 1
	fi
	if ! __noxenv_command pipenv; then
		__noxenv_needs "layout pipenv" pipenv
		return 1
	fi
	VIRTUAL_ENV=$(pipenv --venv 2>/dev/null) || VIRTUAL_ENV=
	if [ -z "$VIRTUAL_ENV" ] || [ ! -d "$VIRTUAL_ENV" ]; then
		pipenv install --dev || return 1
		VIRTUAL_ENV=$(pipenv --venv) || return 1
	fi
	PATH_add "$VIRTUAL_ENV/bin" || return 1
	export PIPENV_ACTIVE=1 VIRTUAL_ENV
}
