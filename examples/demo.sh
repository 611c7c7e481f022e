#!/usr/bin/env bash
# Show noxenv at work on the shipped example, in a sandbox of its own (a
# temporary HOME and XDG directories), so nothing of yours is touched:
# packages go into a store, the example project is allowed, run as a batch
# job with `noxenv exec`, and entered and left in an interactive bash with
# the hook installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
noxenv=${NOXENV:-$(command -v noxenv || echo "$HOME/.local/bin/noxenv")}
[ -x "$noxenv" ] || { echo "demo: noxenv not found; run ./install.sh first" >&2; exit 1; }

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/noxenv-demo.XXXXXX")
cleanup() { chmod -R u+w "$sandbox" 2>/dev/null; rm -rf "$sandbox"; }
trap cleanup EXIT
export HOME="$sandbox/home"
export XDG_DATA_HOME="$HOME/.local/share" XDG_STATE_HOME="$HOME/.local/state"
export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
unset NOXENV_STORE_PATH NOXENV_STATE XDG_DATA_DIRS
mkdir -p "$HOME"
cp -R "$here/project" "$sandbox/project"
PATH="$(dirname "$noxenv"):$PATH"
cd "$sandbox"

step() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
	"$@"
}

step noxenv store add "$here/packages/greet-lib-1.0"
step noxenv store add "$here/packages/hello-1.0" --dep greet-lib
step noxenv store add "$here/packages/cowsay-lite-2.1"
step noxenv store list
step cat project/.noxprofile
printf '\n# an untrusted .noxprofile is never evaluated:\n'
step noxenv exec project -- greet-all Ada || true
step noxenv allow project
step noxenv exec project -- greet-all Ada Linus
step cat project/.noxprofile.lock

printf '\n# the hook in an interactive bash: cd in loads the project, cd out unloads it\n'
printf '\033[1m$ bash -i\033[0m  (typing: cd project; hello; echo $GREETING_LANG; cd ..; type hello)\n'
# bash -i without a terminal warns about job control: not part of the demo.
HISTFILE=/dev/null PS1='[demo \W]$ ' bash --norc --noprofile -i 2>&1 <<'SESSION' | grep -v -e 'terminal process group' -e 'no job control'
eval "$(noxenv hook bash)"
cd project
hello
echo "GREETING_LANG=$GREETING_LANG"
cd ..
echo "GREETING_LANG=${GREETING_LANG-(unset)}"
type hello 2>&1 || true
SESSION
