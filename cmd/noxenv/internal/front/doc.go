// Package front is what every noxenv command shares, App (the process
// environment and the locations derived from it, read once), and the two
// calls made at every cd and every job start, export SHELL and exec DIR
// ..., which it answers from the evaluation cache before the rest of
// noxenv has started.
//
// Go initializes a program's packages one at a time, each after the
// packages it imports, taking of those ready the first by import path
// (the Go specification, "Package initialization"). This package imports
// only what the answer needs (activate/prompt, hook, shells, the plain
// form of settings and golang.org/x/term), so its init runs before the
// shell interpreter (mvdan.cc/sh), cobra, regexp, net and text/template
// are initialized, which would cost each call about a third of a
// millisecond (a few small packages that sort before golang.org, such as
// the TOML parser's, are initialized first all the same). When the
// command line is such a call and everything it needs is at hand (the
// project's evaluation cached and valid, settings files of the plain
// form), init answers it and the program exits there; anything else it
// leaves to main with nothing written (its messages held back, no stamp
// made), and main makes the same call with everything (an evaluation,
// the settings parser). Any program linking this package answers so: only
// noxenv's own builds do. TestImports checks what the package links, and
// testdata/scripts/export_early.txtar that an answer initializes none of
// those packages and answers as main does.
//
// noxenv-prompt, which the hook runs, is this package alone with a
// hand-over to noxenv for what it leaves (cmd/noxenv built with the tag
// front, see front.go there): a smaller program starts faster still.
package front
