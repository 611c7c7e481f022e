// Package hook holds the snippets that `noxenv hook SHELL` prints: the code
// that runs at every prompt of bash, zsh and fish, returns at once using
// shell builtins only when nothing changed, and otherwise evaluates
// `noxenv export SHELL`.
//
// The package knows nothing of stores, profiles or projects.
package hook
