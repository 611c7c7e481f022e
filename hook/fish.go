package hook

// fishSnippet runs on the fish_prompt event and when PWD changes. Defining
// the function again replaces its handlers, so sourcing the snippet twice
// registers it once. The fast path is one test builtin over the checks the
// last export left in _noxenv_check: no process.
const fishSnippet = `function _noxenv_hook --on-event fish_prompt --on-variable PWD
  set -l _noxenv_status $status
  if not set -q _noxenv_check; or not test "$PWD" $_noxenv_check
    @NOXENV@ export fish | source
  end
  return $_noxenv_status
end
`
