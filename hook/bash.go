package hook

import "strings"

// bashSnippet returns bash's hook, which runs from PROMPT_COMMAND, string
// or array form, first so that the commands after it still see the status
// of the user's command. The fast path is one test builtin over the checks
// the last export left in _noxenv_check: no process, no subshell, no
// command substitution. Under set -e it returns 0: a status that set -e
// let through (Ctrl-C at the prompt, false && true) would end the shell
// if the hook returned it. (bash gives $? back to the prompt itself.)
//
// While the export runs, bash ignores an interrupt (Ctrl-C) and noxenv
// takes it, as in zsh (see zshSnippet): bash would drop the export's answer
// and run the interrupted evaluation again at the next prompt. bash has no
// local traps, and no way but a subshell (a process) to read a trap into a
// variable, so the hook keeps the user's INT trap in a file of the shell's
// own, dir/bash/trap.PID, with builtins only (called as builtin: a
// function of the user's named read that reads nothing would leave
// Ctrl-C ignored for good): the code that gives it back
// (`trap - INT`, then what trap -p printed), ended by a NUL byte so that
// read says whether the whole of it was read. The file is written over
// from its start, not truncated: truncating a file costs ext4 about
// 0.3 ms at each cd, and read stops at the first NUL, whatever an
// earlier, longer trap left after it. Where the file cannot be written
// (any of the three writes) or read, the export runs with the user's INT
// trap as it is. The files of shells no longer running are removed here.
// The export's command substitution runs without errtrace (set +E, undone
// by local - at the return): it would inherit the user's ERR trap, and
// what the trap prints when the export exits 1 would be evaluated as code.
//
// It registers where PROMPT_COMMAND does not name it yet, in any element
// and after any separator: the user's IFS joins the array's elements,
// and the user's own commands may come before it ("history -a; ...").
func bashSnippet(exe, dir string) (string, error) {
	_, qexe, qtrap, err := shellFiles("bash", exe, dir, "trap.")
	if err != nil {
		return "", err
	}
	return strings.NewReplacer("@NOXENV@", qexe, "@TRAP@", qtrap+"$$").Replace(bashHook), nil
}

const bashHook = `_noxenv_hook() {
  local _noxenv_status=$? _noxenv_trap=
  if [[ -z ${_noxenv_check+set} ]] || ! [ "$PWD" "${_noxenv_check[@]}" ]; then
    if _noxenv_leave; then
      _noxenv_leave() { return 1; }
    else
      local -
      set +E
      { { builtin printf 'trap - INT\n' && builtin trap -p INT && builtin printf '\0'; } 1<>@TRAP@ &&
        IFS= builtin read -r -d '' _noxenv_trap <@TRAP@ && builtin trap '' INT; } 2>/dev/null
      eval "$(@NOXENV@ export bash)"
      eval "$_noxenv_trap"
    fi
  fi
  [[ $- == *e* ]] || return $_noxenv_status
}
declare -F _noxenv_leave >/dev/null || _noxenv_leave() { return 1; }
if [[ ${PROMPT_COMMAND[*]-} != *_noxenv_hook* ]]; then
  if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
    PROMPT_COMMAND=(_noxenv_hook "${PROMPT_COMMAND[@]}")
  else
    PROMPT_COMMAND="_noxenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
  fi
fi
`
