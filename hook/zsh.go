package hook

// zshSnippet runs from precmd_functions and chpwd_functions: a cd runs the
// export once (chpwd), and the prompt after it takes the fast path, one test
// builtin over the checks the last export left in _noxenv_check: no
// process, no subshell. While the export runs, zsh ignores an interrupt
// (Ctrl-C) and noxenv takes it, as with direnv: the shell keeps what the
// export says of the evaluation it interrupted (a failure, not tried again
// at the next prompt), which zsh would drop, and with the user's err_exit
// end. The user's ZERR trap is off while it runs: the command substitution
// keeps the shell's traps, and what the trap prints when the export exits
// 1 would be evaluated as code. local_traps gives both traps back. It
// registers with zsh's own options (emulate -L zsh): with the user's
// ksh_arrays, (I) would find the hook at index 0, false, and register it
// again.
//
// It returns 0: zsh gives each precmd and chpwd function, and the prompt,
// the user's $? itself, and a status of the user's returned again would
// run the user's ZERR trap once more at every prompt after a failure.
const zshSnippet = `typeset -ga precmd_functions chpwd_functions
_noxenv_hook() {
  if [[ -z ${_noxenv_check+set} ]] || ! [ "$PWD" "${_noxenv_check[@]}" ]; then
    if _noxenv_leave; then
      _noxenv_leave() { return 1 }
    else
      setopt local_options local_traps
      trap '' INT
      trap - ZERR
      eval "$(@NOXENV@ export zsh)"
    fi
  fi
  return 0
}
(( ${+functions[_noxenv_leave]} )) || _noxenv_leave() { return 1 }
() {
  emulate -L zsh
  (( ${precmd_functions[(I)_noxenv_hook]} )) || precmd_functions=(_noxenv_hook "${precmd_functions[@]}")
  (( ${chpwd_functions[(I)_noxenv_hook]} )) || chpwd_functions=(_noxenv_hook "${chpwd_functions[@]}")
}
`
