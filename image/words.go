package image

import (
	"errors"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// SplitWords splits a command line into words as the shell does (quotes,
// backslashes), for an image's command or entrypoint. Nothing is expanded
// on this machine: a variable or a command substitution outside single
// quotes is an error, and globs and tildes stay as written. An empty line
// gives no words.
func SplitWords(line string) ([]string, error) {
	f, err := syntax.NewParser().Parse(strings.NewReader(line), "")
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) == 0 {
		return []string{}, nil
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if len(f.Stmts) > 1 || !ok || len(call.Assigns) > 0 || len(st.Redirs) > 0 || st.Negated || st.Background || st.Coprocess {
		return nil, errors.New("want the words of one command, without operators, redirections or assignments")
	}
	var exp syntax.Node
	syntax.Walk(call, func(n syntax.Node) bool {
		switch n.(type) {
		case *syntax.ParamExp, *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst:
			if exp == nil {
				exp = n
			}
		}
		return exp == nil
	})
	if exp != nil {
		return nil, fmt.Errorf("%s: %s is not expanded here: put it in single quotes, or run it with sh -c", exp.Pos(), line[exp.Pos().Offset():exp.End().Offset()])
	}
	// Only quotes and backslashes are left to remove.
	words, err := expand.Fields(&expand.Config{Env: expand.ListEnviron()}, call.Args...)
	if err != nil {
		return nil, err
	}
	if words == nil {
		words = []string{}
	}
	return words, nil
}
