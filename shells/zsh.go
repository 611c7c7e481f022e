package shells

// zsh reads the same code as bash: export with the same quoting. PATH-like
// variables tied to arrays (PATH and path, MANPATH and manpath) are set
// through their scalar form, which keeps empty entries and a trailing ':'.
type zsh struct{ bash }
