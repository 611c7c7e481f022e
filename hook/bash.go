package hook

// bashSnippet runs from PROMPT_COMMAND, string or array form, first so that
// the commands after it still see the status of the user's command. The
// fast path (_noxenv_stale returning 1) uses [[ ]] tests only: no process,
// no subshell, no command substitution.
const bashSnippet = `_noxenv_stale() {
  [[ ${_noxenv_pwd-} == "$PWD" ]] || return 0
  local _noxenv_f
  for _noxenv_f in ${_noxenv_exist[@]+"${_noxenv_exist[@]}"}; do
    [[ -e $_noxenv_f && ! $_noxenv_f -nt ${_noxenv_stamp-} ]] || return 0
  done
  for _noxenv_f in ${_noxenv_absent[@]+"${_noxenv_absent[@]}"}; do
    [[ ! -e $_noxenv_f ]] || return 0
  done
  return 1
}
_noxenv_hook() {
  local _noxenv_status=$?
  if _noxenv_stale; then
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
