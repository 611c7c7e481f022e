package hook

// zshSnippet runs from precmd_functions and chpwd_functions: a cd runs the
// export once (chpwd), and the prompt after it takes the fast path, one test
// builtin over the checks the last export left in _noxenv_check: no
// process, no subshell. While the export runs, zsh ignores an interrupt
// (Ctrl-C) and noxenv takes it, as with direnv: the shell keeps what the
// export says of the evaluation it interrupted (a failure, not tried again
// at the next prompt), which zsh would drop, and with the user's err_exit
// end. local_traps gives the user's INT trap back. It registers with zsh's
// own options (emulate -L zsh): with the user's ksh_arrays, (I) would find
// the hook at index 0, false, and register it again.
const zshSnippet = `typeset -ga precmd_functions chpwd_functions
_noxenv_hook() {
  local _noxenv_status=$?
  if [[ -z ${_noxenv_check+set} ]] || ! [ "$PWD" "${_noxenv_check[@]}" ]; then
    if _noxenv_leave; then
      _noxenv_leave() { return 1 }
    else
      setopt local_options local_traps
      trap '' INT
      eval "$(@NOXENV@ export zsh)"
    fi
  fi
  return $_noxenv_status
}
(( ${+functions[_noxenv_leave]} )) || _noxenv_leave() { return 1 }
() {
  emulate -L zsh
  (( ${precmd_functions[(I)_noxenv_hook]} )) || precmd_functions=(_noxenv_hook "${precmd_functions[@]}")
  (( ${chpwd_functions[(I)_noxenv_hook]} )) || chpwd_functions=(_noxenv_hook "${chpwd_functions[@]}")
}
`
