package hook

// zshSnippet runs from precmd_functions and chpwd_functions: a cd runs the
// export once (chpwd), and the prompt after it takes the fast path. The
// fast path uses [[ ]] tests only: no process, no subshell.
const zshSnippet = `typeset -ga _noxenv_exist _noxenv_absent precmd_functions chpwd_functions
_noxenv_stale() {
  [[ ${_noxenv_pwd-} == "$PWD" ]] || return 0
  local _noxenv_f
  for _noxenv_f in "${_noxenv_exist[@]}"; do
    [[ -e $_noxenv_f && ! $_noxenv_f -nt ${_noxenv_stamp-} ]] || return 0
  done
  for _noxenv_f in "${_noxenv_absent[@]}"; do
    [[ ! -e $_noxenv_f ]] || return 0
  done
  return 1
}
_noxenv_hook() {
  local _noxenv_status=$?
  if _noxenv_stale; then
    eval "$(@NOXENV@ export zsh)"
  fi
  return $_noxenv_status
}
(( ${precmd_functions[(I)_noxenv_hook]} )) || precmd_functions=(_noxenv_hook "${precmd_functions[@]}")
(( ${chpwd_functions[(I)_noxenv_hook]} )) || chpwd_functions=(_noxenv_hook "${chpwd_functions[@]}")
`
