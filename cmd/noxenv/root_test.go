package main

import (
	"bytes"
	"strings"
	"testing"
)

// Each command is registered under the name users type.
func TestCommandNames(t *testing.T) {
	a := &app{}
	for _, c := range commands {
		if got := c.build(a).Name(); got != c.name {
			t.Errorf("command %q is registered as %q", got, c.name)
		}
	}
}

// The tree of the one command named on the command line answers as the
// whole tree does: help, usage errors and their exit status.
func TestOneCommandTree(t *testing.T) {
	run := func(argv []string, whole bool) string {
		var out, errs bytes.Buffer
		a := &app{env: map[string]string{}, stdin: strings.NewReader(""), stdout: &out, stderr: &errs}
		tree := argv
		if whole {
			tree = nil
		}
		code := a.execute(newRootCmd(a, tree), argv)
		return strings.Join([]string{out.String(), errs.String(), string(rune('0' + code))}, "\n--\n")
	}
	for _, c := range commands {
		cases := [][]string{{c.name, "--help"}, {c.name, "-h"}, {c.name, "--no-such-flag"}}
		if c.build(&app{}).HasSubCommands() {
			cases = append(cases, []string{c.name, "no-such-command"}, []string{c.name})
		}
		for _, argv := range cases {
			one, whole := run(argv, false), run(argv, true)
			if one != whole {
				t.Errorf("noxenv %s:\nwith the one command:\n%s\nwith all:\n%s", strings.Join(argv, " "), one, whole)
			}
		}
	}
}
