package hook

// bashSnippet runs from PROMPT_COMMAND, string or array form, first so that
// the commands after it still see the status of the user's command. The
// fast path is one test builtin over the checks the last export left in
// _noxenv_check: no process, no subshell, no command substitution.
const bashSnippet = `_noxenv_hook() {
  local _noxenv_status=$?
  if [[ -z ${_noxenv_check+set} ]] || ! [ "$PWD" "${_noxenv_check[@]}" ]; then
    eval "$(@NOXENV@ export bash)"
  fi
  return $_noxenv_status
}
if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
  [[ " ${PROMPT_COMMAND[*]} " == *" _noxenv_hook "* ]] || PROMPT_COMMAND=(_noxenv_hook "${PROMPT_COMMAND[@]}")
elif [[ ";${PROMPT_COMMAND-};" != *";_noxenv_hook;"* ]]; then
  PROMPT_COMMAND="_noxenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
`
