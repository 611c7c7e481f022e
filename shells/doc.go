// Package shells renders changes to environment variables as code for a
// shell (bash, zsh, fish, tcsh, elvish) or as JSON, one file per shell.
// Every value of any bytes but NUL reaches the shell exactly (tcsh: but
// after the user's own change of a variable in a locale that is not
// UTF-8, a limit of tcsh's, see tcsh).
//
// The package knows nothing of stores, profiles or projects.
package shells
