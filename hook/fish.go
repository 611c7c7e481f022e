package hook

// fishSnippet runs on the fish_prompt event and when PWD changes. Defining
// the function again replaces its handlers, so sourcing the snippet twice
// registers it once. The fast path uses test only: no process.
const fishSnippet = `function _noxenv_stale
  test "$_noxenv_pwd" = "$PWD"; or return 0
  for _noxenv_f in $_noxenv_exist
    test -e $_noxenv_f; and not test $_noxenv_f -nt "$_noxenv_stamp"; or return 0
  end
  for _noxenv_f in $_noxenv_absent
    test -e $_noxenv_f; and return 0
  end
  return 1
end
function _noxenv_hook --on-event fish_prompt --on-variable PWD
  set -l _noxenv_status $status
  if _noxenv_stale
    @NOXENV@ export fish | source
  end
  return $_noxenv_status
end
`
