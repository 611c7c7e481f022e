package activate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/activate/prompt"
)

// outcome is what one evaluator made of a script: the exported variables
// it left, or its error.
type outcome struct {
	env map[string]string
	err error
}

func (o outcome) String() string {
	if o.err != nil {
		return "error: " + o.err.Error()
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(o.env)) {
		fmt.Fprintf(&b, "%s=%q\n", k, o.env[k])
	}
	return b.String()
}

// diffBase is the starting environment of both evaluators.
func diffBase(dir, path string) map[string]string {
	return map[string]string{"PATH": path, "HOME": dir, "A": "1", "B": "x y", "LANG": "C.UTF-8"}
}

// comparable drops the variables a shell manages itself.
func comparable(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if !prompt.ShellOwned(k) {
			out[k] = v
		}
	}
	return out
}

// requireTool returns the path of the program name, skipping the test
// without it unless NOXENV_REQUIRE_SHELLS=1.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("NOXENV_REQUIRE_SHELLS") == "1" {
			t.Fatalf("%s is required (NOXENV_REQUIRE_SHELLS=1) but not on PATH", name)
		}
		t.Skipf("%s not on PATH", name)
	}
	return p
}

// dumpScript lists bash's exported variables, NUL-separated, into out,
// whatever functions or options the script left.
func dumpScript(out string) string {
	return `
__noxenv_st=$?
set -o posix
unset -f unset builtin compgen printf mapfile
builtin set +euf
builtin mapfile -t __noxenv_names <<< "$(builtin compgen -e)"
{ for __noxenv_n in "${__noxenv_names[@]}"; do
	[ -n "$__noxenv_n" ] || continue
	__noxenv_a=$(builtin declare -p "$__noxenv_n")
	__noxenv_a=${__noxenv_a#declare -}
	[[ ${__noxenv_a%% *} == *[aA]* ]] || builtin printf "%s=%s\0" "$__noxenv_n" "${!__noxenv_n}"
done; } >` + out + `
exit "$__noxenv_st"
`
}

// runBash sources script's file in bash -e from its directory, as
// noxenv evaluates it, and returns the exported variables it leaves.
func runBash(t testing.TB, bash string, sandbox bool, dir, file string, base map[string]string) outcome {
	t.Helper()
	out := filepath.Join(t.TempDir(), "env")
	// The variables are listed as the shell exits, at an exit of the
	// script, or at its end, before an EXIT trap it set runs, as direnv
	// takes them.
	wrapper := "trap '" + dumpScript(out) + "' EXIT\nset -e\n. ./" + filepath.Base(file) + "\n" + dumpScript(out)
	args := []string{bash, "--noprofile", "--norc", "-c", wrapper}
	if sandbox {
		// Nothing outside the project is written, and no other program
		// can be found.
		args = append([]string{"bwrap", "--ro-bind", "/", "/", "--dev", "/dev",
			"--tmpfs", "/usr/bin", "--ro-bind", bash, bash, "--tmpfs", "/usr/sbin", "--tmpfs", "/usr/local",
			"--bind", dir, dir, "--bind", filepath.Dir(out), filepath.Dir(out),
			"--chdir", dir, "--unshare-all", "--die-with-parent", "--"}, args...)
	}
	// A bound for a script that never ends, far above the 0.04 s a case
	// takes: with two suites sharing two cores, cases in bwrap were
	// killed at a bound of 5 s.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	for k, v := range base {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return outcome{err: fmt.Errorf("%w: %s", err, stderr.Bytes())}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return outcome{err: fmt.Errorf("no variables listed: %s", stderr.Bytes())}
	}
	env := map[string]string{}
	for _, kv := range strings.Split(string(data), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return outcome{env: env}
}

// runNoxenv evaluates script's file as noxenv does.
func runNoxenv(t testing.TB, cfg Config, file string, base map[string]string, sandbox bool) outcome {
	t.Helper()
	res, _, err := evaluate(context.Background(), cfg, file, base, options{sandbox: sandbox})
	if err != nil {
		return outcome{err: err}
	}
	return outcome{env: res.Env}
}

// differential runs script through noxenv and bash and returns both
// outcomes, with the shells' own variables left out.
func differential(t *testing.T, bash, script string, sandbox bool) (nox, ref outcome) {
	t.Helper()
	dir, cfg := project(t, map[string]string{prompt.FileName: script})
	cfg.Settings = evalTimeout(3 * time.Second)
	file := allowed(t, cfg, dir)
	path := "/usr/bin:/bin"
	if sandbox {
		path = filepath.Join(dir, "nobin")
	}
	base := diffBase(dir, path)
	nox = runNoxenv(t, cfg, file, base, sandbox)
	// noxenv's evaluation may have written a lock or files: bash starts
	// from the same directory, afresh.
	ref = runBash(t, bash, sandbox, dir, file, base)
	if nox.env != nil {
		nox.env = comparable(nox.env)
	}
	if ref.env != nil {
		ref.env = comparable(ref.env)
	}
	return nox, ref
}

// constructCases are bash constructs noxenv runs as bash does (works) and
// those it refuses with an error naming them (refused). Every one runs
// through both, and through FuzzConstructs's seed corpus.
var constructCases = struct{ works, refused []string }{
	works: append(append(append(append(readCases(), declareCases()...), escapeCases()...), elsewhere(
		`export X=$(false; echo hi)`,
		`f() { false; echo hi; }; export X=$(f)`,
		"export X=`false; echo hi`",
		"export X=$(\n  false\n  echo hi\n)",
		`printf '%s\n' a b | while read -r l; do Z+=$l; done; export Y=${Z-unset}`,
		`echo x | export Y=1; export Z=${Y-unset}`,
		"echo x |\n  export Y=1\nexport Z=${Y-unset} W=$(( 1 +\n 2 ))",
		`[[ "1+2" -eq 3 ]] && export Y=1 || export Y=0`,
		`x=3; [[ x -eq 3 ]] && export Y=1 || export Y=0`,
		`x=7; [[ $x -gt 5 && "$x" -lt 10 ]] && export Y=1`,
		`x=0x10; export Y=$(( x + 1 ))`,
		`x=5; (( x /= 2 )); export Y=$x`,
		`i=0; for (( j=0; j<3; j++ )); do i=$(( i + j )); done; export Y=$i`,
		`let x=3*4 y=x+1; export Y=$x Z=$y`,
		`export Y=$[ 1 + 2 ]`,
		`echo a >| f; export Y=$(<f)`,
		`set +e; x=$(<missing) || export FAILED=1`,
		`source /dev/stdin <<< "export H=1"`,
		". /dev/fd/0 <<'CODE'\nexport H=2 I=$A\nCODE",
		"set +e; x=`<missing`; export S=$? X=${x-unset}",
		`echo a > f; x=$( < f ) && export X="$x" S=$?`,
		`X=abcdef; export Y=${X:1:2} Z=${X: -3:2}`,
		`X=abc; P=a; export Y=${X#"$P"}`,
		// Exporting a read-only variable assigns nothing.
		`readonly R=1; export R`,
		`declare -r D=2; export D; declare -x D; typeset -x D; export Y=$D`,
		// typeset is declare: local in a function.
		`f() { typeset x=1; export x; typeset -x y=2; }; f; export Y=${x-unset}${y-unset}`,
		`typeset -x T=1; f() { typeset -g G=1; export G; }; f`,
	)...), []string{
		// typeset as declare, in a function's layout too
		`f() { typeset x=1; }; export Y="$(declare -f f)"`,
		// printf -v, which the interpreter lacks
		`printf -v X '%s-%d' a 5; export X`,
		`printf -v Y '%s-' a b c; export Y`,
		`printf -v Y '%05d|%-3s|%x|%o|%+d|%c' 42 ab 255 8 3 xyz; export Y`,
		`f() { printf -v "$1" '%s' val; }; f OUT; export OUT`,
		`f() { local v; printf -v v '%s' in; export Y=$v; }; f; export Z=${v-unset}`,
		`printf -v 'x[2]' '%s' el; export Y="${x[2]}"`,
		`command printf -v Y x; builtin printf -v Z y; eval 'printf -v W z'; export Y Z W`,
		`export Y="$(printf '%s %s\n' a b c)"`,
		`export Y="$(printf '%b' 'a\tb')" Z="$(printf '\x41\101')"`,
		`export Y="$(printf '%d %d %d' 0x10 010 -5)"`,
		// shopt, its queries and listings
		`shopt -q extglob || export Y=off`,
		`shopt -s extglob; shopt -q extglob && export Y=on`,
		`shopt -q nullglob dotglob || export Y=off`,
		`shopt -s nullglob; x=(nomatch*); export Y=${#x[@]}`,
		`shopt -s extglob; shopt -u extglob; shopt -q extglob || export Y=off`,
		`old=$(shopt -p nullglob) || true; shopt -s nullglob; eval "$old"; shopt -q nullglob || export Y=restored`,
		`export Y="$(shopt -p extglob dotglob || true)"`,
		`export Y="$(shopt -po errexit || true)" Z="$(shopt -p -o pipefail || true)"`,
		`export Y="$(shopt extglob || true)"`,
		`shopt -qo errexit && export Y=on`,
		"shopt -s extglob\nexport X=///a/b; export Y=${X##/}",
		"shopt -s extglob\ntouch a1z a12z; x=(a+([0-9])z); export Y=\"${x[*]}\"",
		"shopt -s extglob\n[[ abc == +([a-c]) ]] && export Y=1",
		"shopt -s extglob\ncase foo in !(bar)) export Y=1;; esac",
		"shopt -s extglob\ncase ab in @(a|b)b) export Y=1;; esac",
		// errexit is off in command substitutions
		`export X=$(false; echo hi)`,
		`f() { false; echo hi; }; export X=$(f)`,
		`export Y=$(echo ok; false) || true`,
		`export X="$(<.noxprofile)"`,
		// every command of a pipeline runs in a subshell
		`printf '%s\n' a b | while read -r l; do Z+=$l; done; export Y=${Z-unset}`,
		`echo x | export Y=1; export Z=${Y-unset}`,
		`false | true; export Y=$?`,
		`set -o pipefail; false | true || export Y=failed`,
		// [[ -eq ]] evaluates its operands as arithmetic
		`[[ "1+2" -eq 3 ]] && export Y=1 || export Y=0`,
		`x=3; [[ x -eq 3 ]] && export Y=1 || export Y=0`,
		`[[ 010 -eq 8 ]] && export Y=1 || export Y=0`,
		`x=7; [[ $x -gt 5 && "$x" -lt 10 ]] && export Y=1`,
		`[[ "" -eq 0 ]] && export Y=1`,
		`[ 010 -eq 10 ] && export Y=1`,
		// arithmetic on values both read alike
		`export Y=$(( 7 / 2 )) Z=$(( -7 % 3 )) W=$(( 2 ** 10 ))`,
		`export Y=$(( 0x10 + 010 + 2#101 ))`,
		`x=0x10; export Y=$(( x + 1 ))`,
		`x=' 3 '; export Y=$(( x + 1 ))`,
		`x=; export Y=$(( x + 1 ))`,
		`unset x; export Y=$(( x + 1 ))`,
		`x=-0; export Y=$(( x + 1 ))`,
		`x=y; y=3; export Y=$(( x + 1 ))`,
		`x=5; (( x /= 2 )); export Y=$x`,
		`x=3; export Y=$(( 2 ** x ))`,
		`export Y=$(( x++ )) Z=$x`,
		`i=0; for (( j=0; j<3; j++ )); do i=$(( i + j )); done; export Y=$i`,
		`a=(5 6); i=1; export Y=$(( a[i] + a[0] ))`,
		`let x=3*4; export Y=$x`,
		`x=10; y=0; [ "$y" != 0 ] && export Y=$(( x / y )); export Z=1`,
		`export Y=$(( 1 ? 2 : 3 )) Z=$(( 0 && 1 / 0 ))`,
		`export Y=$[ 1 + 2 ]`,
		// >| without noclobber is >
		`echo a >| f; export Y=$(<f)`,
		// the rest of bash that runs alike
		`declare -n r=X; r=5; export X`,
		`f() { local -n ref=$1; ref=7; }; f Z; export Z`,
		`mapfile -t a < <(printf 'a\nb\n'); export Y="${a[1]} ${#a[@]}"`,
		`read -r -a a <<< "p q r"; export Y="${a[2]}"`,
		`IFS=$'\n' read -r a <<< "p q"; export Y="$a"`,
		`printf 'K=V\n' > kv; while IFS='=' read -r k v; do export "$k=$v"; done < kv`,
		`v=1.2.3; IFS=. read -r maj min pat <<< "$v"; export MAJ=$maj MIN=$min PAT=$pat`,
		`IFS=: read -r a b <<< 'x\:y:z\'; export Y="[$a][$b]"`,
		`printf 'a:b' > f; IFS=: read -r a b < f || export Y="[$a][$b]"`,
		`IFS=: read -r < /dev/null || export Y="[${REPLY-unset}]"`,
		"read -r -d '' X <<'EOT' || true\n  hello\\ \n world  \nEOT\nexport X",
		"read -d '' X Y <<'EOT' || export Z=eof\n  hello\\ \n world  \nEOT\nexport X Y",
		`read -r -d , X Y <<< ' a b ,c'; export X Y`,
		`IFS= read -r -d '' X <<< ' a b ' || export X`,
		`arr=(a b c); export J="$(IFS=,; echo "${arr[*]}")"`,
		`read A <<< 00`,
		`read -r B C <<< '  p  q  r '; export D="[$B][$C]"`,
		`read <<< ' x '; export Y="[$REPLY]"`,
		`read x <<< 'a\ b\' || export Y="[$x]"`,
		`read -a x <<< ' a  b '; export Y="${#x[@]}[${x[1]}]"`,
		`for i in 1 2; do :; done; (( j = i + 1 )); export Y=$i Z=$j`,
		`IFS=,; arr=(a b); export J="${arr[*]}"`,

		`read x y <<< 'a b c'; export Y=$y`,
		`X=ab; export Y=${X@U} Z=${X^^} W=${X@u}`,
		`X='a*b'; export Y="${X/\*/x}" Z="${X#a\*}"`,
		`X=abc; export Y="${X//[ab]/x}" Z="${X%?}" W="${X#*b}"`,
		`export Y=${B/ /_} Z=${B// /_} W=${B^} V=${B,,}`,
		`export Y=${X:-def} Z=${A:+alt}`,
		`p="$HOME"; X="$HOME/x"; export Y="${X#"$p"/}" Z="${X#"${p}"}"`,
		`p='a'; X='a*bc'; export Y="${X#"$p"}" Z="${X/"$p"/-}"`,
		`p='*'; case a in "$p") export Y=1;; esac; [[ a == "$p" ]] || export Z=1`,
		`x=abcdef; export Y=${x:2:-2} Z=${x: -3:-1} W=${x:1:2} V=${x: -9:-1}`,
		`set -- a b c; export Y="$#:$2:${@:2}" Z=${!#}`,
		`x=(a b c d); export Y="${x[@]:1:2}"`,
		`X=(1 2 3); export Y="${X[-1]}"`,
		`declare -A m=([a]=1 [b]=2); export Y="${m[a]}${m[b]}"`,
		`declare -x Y=1; typeset -x Z=2`,
		`f() { return 3; }; f || export Y=$?`,
		`f() { false; return; }; f || export Y=$?`,
		`f() { [ -e /nonexistent ] || return; export Z=1; }; if f; then export Y=ran; else export Y=returned; fi`,
		`[[ abc =~ ^a(b)c$ ]] && export Y=${BASH_REMATCH[1]}`,
		`export Y="$(echo {a,b}{1,2} {1..5..2})"`,
		`x=(a b); export x; export Y=1`,
		`case ab in a*) export Y=1 ;& b) export Z=2;; esac`,
		`trap 'x=1' ERR; false || true; export Y=${x-unset}`,
		`trap 'export T=1; rm -f tmp' EXIT; echo > tmp; export Y=1`,
		`trap 'export T=1' EXIT; trap - EXIT; export Y=1`,
		`set -- a; shift 2 || export Y=failed`,
		`exit 0; export Y=1`,
		`IFS=' '; set -- $B; export Y=$#`,
		"cat > f <<-EOT\n\ttab\n\tEOT\nexport Y=$(<f)",
		`getopts 'ab:' o -b val; export Y="$o:$OPTARG:$OPTIND"`,
		`export Y=$LINENO`,
		`export Y=$'a\x41\101\e'`,
		// $! serves wait, where it names the job.
		`true & wait $!; export Y=$?`,
		`false & wait "$!" || export Y=failed`,
	}...),
	refused: append([]string{
		`unset x; set -- ${x:-'a b'}; export N=$#`,
		`unset x; set -- ${x:-a\ b}; export N=$#`,
		`unset x; set -- ${x:-"a b"}; export N=$#`,
		`x=1; printf '%s\n' ${x:+'a b'} >out; export Y=$(<out)`,
		`export X=///a/b; export Y=${X##+(/)}`,
		"shopt -s extglob\nexport X=///a/b; export Y=${X##+(/)}",
		"shopt -s extglob\nX=aab; export Y=\"${X//+(a)/x}\"",
		`shopt -s extglob; X=abc; case $X in @(a|b)*) export Y=1;; esac`,
		`case $A in @(1|2)) export Y=1;; esac`,
		"shopt -s extglob\ncase xabab in *a!(b)) export Y=1;; esac",
		`export Y="$(shopt -p)"`,
		`shopt -s nocasematch; [[ ABC == abc ]] && export Y=1 || export Y=0`,
		`shopt -s lastpipe || true`,
		`exec 3>out; echo hi >&3; exec 3>&-; export Y=$(<out)`,
		`export Y=$( { echo hi >&3; } 3>&1 )`,
		`exec {fd}>f; echo hi >&$fd; export Y=1`,
		`IFS=: read 1<<<'0' || true`,
		`echo a 0>f; export Y=1`,
		`C=1 C=0 true; export D=${C-unset}`,
		`(( A = 2 ))`,
		`let A++`,
		`getopts a A -a`,
		`for A in x y; do :; done`,
		`export Z=1; f() { : $(( Z += 1 )); }; f`,
		`f() { local -; set -u; }; f`,
		`X="a'b"; export Y=${X@Q}`,
		`X=ab; export Y="${X@A}"`,
		`X='a\tb'; export Y="${X@E}"`,
		`X=aaa; export Y="${X/#a/b}"`,
		`X=(1 2 3); export Y="${X[@]/%/p}"`,
		`X=ab; export Y="${X/a/<&>}"`,
		`X='a*b'; export Y="${X#"a*"}"`,
		`p='a*'; X='a*bc'; export Y="${X#"$p"}"`,
		`p='a\'; X='a\bc'; export Y="${X%"$p"}"`,
		`p='a['; X='a[bc'; export Y="${X,,"$p"}"`,
		`X=abc; export Y="${X#"$(echo a)"}"`,
		`x=abcdef; export Y=${x:2:-5}`,
		`x=abcdef; n=-3; export Y=${x:4:n}`,
		`trap 'export T=1' ERR EXIT`,
		`trap 'export T=1' INT`,
		`export Y="$(trap -p)"`,
		`f() { trap 'Y=r' RETURN; }; f`,
		`export Y=$BASH_SOURCE`,
		`f() { export Y=$FUNCNAME; }; f`,
		`export Y=$BASH_VERSION`,
		`export Y=$0`,
		`export Y="$-"`,
		`echo a b; export Y=$_`,
		`export Y=$SECONDS`,
		`false | true; export Y="${PIPESTATUS[*]}"`,
		`declare -A m=([a]=1 [b]=2); export Y="${!m[*]}"`,
		`declare -i n=5; n+=3; export Y=$n`,
		`declare -u U=abc; export U`,
		`export -n A`,
		`f() { :; }; export -f f`,
		`export Y="$(declare -f)"`,
		`export Y="$(declare -F)"`,
		`export Y="$(declare -F PATH_add)"`,
		`export Y="$(declare -f use_nix)"`,
		`f() { :; }; export Y="$(declare -fx f)"`,
		`f() { sleep 1 & }; export Y="$(declare -f f)"`,
		"f() { cat <<EOT\nx\nEOT\n}; export Y=\"$(declare -f f)\"",
		`f() { echo $'a\n'; }; export Y="$(declare -f f)"`,
		`f() { for ((i=0;i<3;i++)); do :; done; }; export Y="$(declare -f f)"`,
		`f() { g() { :; }; }; export Y="$(declare -f f)"`,
		`f() ( echo sub ); export Y="$(declare -f f)"`,
		`f() { if a; b; then :; fi; }; export Y="$(declare -f f)"`,
		`f() { ( a; b ); }; export Y="$(declare -f f)"`,
		`f() { echo ${x:-$(y)}; }; export Y="$(declare -f f)"`,
		`export Y="$(declare -f PATH_add)"`,
		`printf 'f() { :; }\n' > lib.sh; . ./lib.sh; export Y="$(declare -f f)"`,
		`f() { :; }; eval 'declare -f f'`,
		`readonly R=1; R=2 || true; export Y=1`,
		`export Y="$(printf '%q' "a b'c")"`,
		`export Y="$(printf '%(%Y)T' 0)"`,
		`export Y="$(printf '%5.2f' 3.14159)"`,
		`export Y="$(printf '%d' "'a")"`,
		`export Y="$(printf '%d' 3.5)"`,
		`export Y="$(printf '\u00e9')"`,
		`export Y="$(printf '%b' '\c' x)"`,
		`export Y="$(caller)"`,
		`export Y=$(umask)`,
		`export Y=$(ulimit -n)`,
		`export Y="$(help | head -1)"`,
		`export Y="$(compgen -v | head -1)"`,
		`exec true; export Y=1`,
		`export Y=$(exec echo hi)`,
		`set -C || true`,
		`set -o posix || true`,
		`set +B; export Y="$(echo {a,b})"`,
		`export Y="$(set -o)"`,
		`read -n 2 x <<< abc; export Y=$x`,
		`mapfile -s 1 -t a <<< $'a\nb'; export Y=${a[0]}`,
		`coproc cat; export Y=1`,
		`select x in a; do break; done </dev/null`,
		`export Y="$(time true 2>&1)"`,
		`export Y=$(( 08 ))`,
		`x=08; export Y=$(( x + 1 ))`,
		`x=3a; export Y=$(( x + 1 ))`,
		`x='1+2'; export Y=$(( x * 2 ))`,
		`x='y'; y='2*3'; export Y=$(( x + 1 ))`,
		`export Y=$(( 1/0 ))`,
		`x=0; export Y=$(( 5 % x )) || true`,
		`export Y="$(( 1 / 0 ))" || true; export Z=1`,
		`echo $(( 1 / 0 )) || export Y=1`,
		`x=-1; export Y=$(( 2 ** x ))`,
		`export Y=$(( 7 >> 65 ))`,
		`x=08; [[ $x -eq 8 ]] && export Y=1`,
		`IFS=:; x='a:b::c'; set -- $x; export Y=$#`,
		`f() { for i in $1; do :; done; }; IFS=,; f a,,b`,
		`IFS=: x=(a $B)`,
		`export Y=$'a\cA'`,
		`eval 'export Y=${X@Q}'`,
		`printf 'export Y=${X@Q}\n' > lib.sh; . ./lib.sh`,
		"export X=crlf\r\nexport Y=1\r\n",
	}, elsewhere(
		`x='y'; y='2*3'; export Y=$(( x + 1 ))`,
		`export Y=$(( 1/0 ))`,
		`x=-1; export Y=$(( 2 ** x ))`,
		`x=08; [[ $x -eq 8 ]] && export Y=1`,
		`x=3a; let y=x+1; export Y=$y`,
		`X=abc; export Y=${X:1:-3}`,
		`X=abc; P='*'; export Y=${X#"$P"}`,
		// The parser drops a carriage return before a line end and
		// splits words at one elsewhere; bash keeps it.
		"export X=crlf\r\nexport Y=1",
		"export X=a\rb",
		"export X='a\r\nb'",
		// $! is the interpreter's job, not a process id.
		`true & export Y=$!`,
		`true & echo "$!" > pid; export Y=$(<pid)`,
		`true & export Y=$(( $! + 0 ))`,
	)...),
}

// elsewhere runs each script from a sourced file and as eval's code,
// which the interpreter parses again from their text.
func elsewhere(scripts ...string) []string {
	var cases []string
	for _, s := range scripts {
		lib := "cat > lib.sh <<'EOT'\n" + s + "\nEOT\n"
		cases = append(cases, lib+". ./lib.sh", lib+`eval "$(<lib.sh)"`)
	}
	return cases
}

// readCases are read's splittings of lines on IFS characters other than
// blanks, into names and into an array.
func readCases() []string {
	var cases []string
	for _, line := range []string{`x:y:`, `x:y:z:`, `x:y::`, `x`, `:x`, ` x : y `, `x\:y:z`, `x::`, `a: b :c:`, ``} {
		q := "'" + line + "'"
		cases = append(cases,
			`IFS=": " read a b <<< `+q+`; export Y="[$a][$b]"; IFS=: read a b <<< `+q+`; export Z="[$a][$b]"`,
			`IFS=: read -a arr <<< `+q+`; export Y="${#arr[@]}($(printf '%s)(' "${arr[@]}"))"; IFS=: read a b c <<< `+q+`; export Z="[$a][$b][$c]"`)
	}
	return cases
}

// checkAgainstBash runs script through noxenv and bash and fails t where
// noxenv's result differs from bash's without an error.
func checkAgainstBash(t *testing.T, bash, script string, sandbox bool) (nox, ref outcome) {
	t.Helper()
	nox, ref = differential(t, bash, script, sandbox)
	if nox.err == nil && (ref.err != nil || nox.String() != ref.String()) {
		t.Errorf("noxenv's result differs from bash's, without an error\nscript:\n%s\nnoxenv:\n%s\nbash:\n%s", script, nox, ref)
	}
	return nox, ref
}

// TestCatShortcutFailure: $(<f) of a file that cannot be opened fails
// as bash's does: under errexit it ends the evaluation, handled or not.
func TestCatShortcutFailure(t *testing.T) {
	bash := requireTool(t, "bash")
	for _, script := range elsewhere("x=$(<missing)\nexport AFTER=1", "x=$(<missing) || export FAILED=1", "if x=$(<missing); then :; fi; export AFTER=1") {
		nox, ref := checkAgainstBash(t, bash, script, false)
		if ref.err == nil || nox.err == nil {
			t.Errorf("want both to fail\nscript:\n%s\nnoxenv:\n%s\nbash:\n%s", script, nox, ref)
		}
	}
}

func TestConstructsAgainstBash(t *testing.T) {
	bash := requireTool(t, "bash")
	for _, script := range constructCases.works {
		t.Run("", func(t *testing.T) {
			nox, ref := checkAgainstBash(t, bash, script, false)
			if nox.err != nil {
				t.Errorf("noxenv refused what it runs as bash does\nscript:\n%s\nnoxenv: %v\nbash:\n%s", script, nox.err, ref)
			}
		})
	}
	for _, script := range constructCases.refused {
		t.Run("", func(t *testing.T) {
			nox, _ := checkAgainstBash(t, bash, script, false)
			var ce *constructError
			var pe *PosError
			if !errors.As(nox.err, &ce) || !errors.As(nox.err, &pe) || pe.Line == 0 || !strings.HasSuffix(pe.File, prompt.FileName) && !strings.HasSuffix(pe.File, "lib.sh") {
				t.Errorf("want an error naming the construct and its position\nscript:\n%s\nnoxenv: %v", script, nox)
			}
		})
	}
}

// FuzzConstructs runs scripts through noxenv and bash (with no other
// program, writing nowhere but the project): where noxenv gives a result,
// bash gives the same.
func FuzzConstructs(f *testing.F) {
	for _, script := range constructCases.works {
		f.Add(script)
	}
	for _, script := range constructCases.refused {
		f.Add(script)
	}
	f.Fuzz(func(t *testing.T, script string) {
		bash := requireTool(t, "bash")
		requireTool(t, "bwrap")
		// Values that differ from run to run.
		for _, s := range []string{"RANDOM", "$$", "PPID", "$!", "/proc", "/dev/"} {
			if strings.Contains(script, s) {
				t.Skip()
			}
		}
		checkAgainstBash(t, bash, script, true)
	})
}

// TestRefusalInCommandSubstitutionOnce checks that a construct refused in
// $(...), which the interpreter prints as it goes on, is said once: as
// the evaluation's error, which its caller prints with noxenv's prefix.
func TestRefusalInCommandSubstitutionOnce(t *testing.T) {
	dir, cfg := project(t, map[string]string{prompt.FileName: "export A=$(printf '%.0s' x) || true\nexport B=1\n"})
	file := allowed(t, cfg, dir)
	var stderr bytes.Buffer
	cfg.Stderr = &stderr
	_, err := Evaluate(context.Background(), cfg, file, nil)
	if err == nil || !strings.Contains(err.Error(), "this conversion is not supported") {
		t.Fatalf("err = %v, want the refusal of %%.0s", err)
	}
	if strings.Contains(stderr.String(), "not supported") {
		t.Errorf("the refusal was printed before the error too: %q", stderr.String())
	}
}
