package hook

// fishSnippet runs on the fish_prompt event and when PWD changes. Defining
// the function again replaces its handlers, so sourcing the snippet twice
// registers it once. The fast path is one test builtin over the checks the
// last export left in _noxenv_check: no process.
//
// The export runs in fish's own process group, from an event handler: an
// interrupt (Ctrl-C) reaches fish as well as noxenv, and fish would cancel
// the handler, dropping the export's answer (the next prompt would run the
// interrupted evaluation again). While the export runs, a handler of the
// signal, _noxenv_int, is defined: fish cancels nothing on a signal that
// a handler observes, and noxenv takes the interrupt, as in bash and zsh.
// The user's own handlers of INT run too, then.
const fishSnippet = `function _noxenv_hook --on-event fish_prompt --on-variable PWD
  set -l _noxenv_status $status
  if not set -q _noxenv_check; or not test "$PWD" $_noxenv_check
    if _noxenv_leave
      function _noxenv_leave; return 1; end
    else
      function _noxenv_int --on-signal INT; end
      @NOXENV@ export fish | source
      functions -e _noxenv_int
    end
  end
  return $_noxenv_status
end
functions -q _noxenv_leave; or function _noxenv_leave; return 1; end
`
