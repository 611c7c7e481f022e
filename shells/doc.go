// Package shells renders changes to environment variables as code for a
// shell (bash, zsh, fish, tcsh, elvish) or as JSON, one file per shell.
// Every value of any bytes but NUL reaches the shell exactly (tcsh: but
// across a change of locale, a limit of tcsh's, see tcsh).
//
// The package knows nothing of stores, profiles or projects.
package shells
