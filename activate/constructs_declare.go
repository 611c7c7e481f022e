package activate

import (
	"bytes"
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// declare -f NAME prints a function's definition as bash lays it out
// (export_function-style helpers write it into scripts). The interpreter
// prints its own layout, and runs the project file's functions rewritten
// by checkConstructs: the definition is printed from the file's text,
// laid out by bash's rules. What this file cannot lay out as bash does is
// an error naming it and its position.

// funcOrigin is where the definition of a function body is written: the
// file, its content and the offset of the definition.
type funcOrigin struct {
	file   string
	src    []byte
	offset uint
}

// checkProgram is checkConstructs for the project file's own program,
// which the interpreter runs as checkConstructs leaves it: declare -f
// becomes a call that prints from the text the definitions recorded here.
func (e *evaluator) checkProgram(file string, src []byte, f *syntax.File, exported func(string) bool) error {
	syntax.Walk(f, func(n syntax.Node) bool {
		if fd, ok := n.(*syntax.FuncDecl); ok {
			if e.funcOrigins == nil {
				e.funcOrigins = map[*syntax.Stmt]funcOrigin{}
			}
			e.funcOrigins[fd.Body] = funcOrigin{file: file, src: src, offset: fd.Pos().Offset()}
		}
		return true
	})
	return checkConstructsIn(file, src, f, true, exported)
}

// declareFunctions reports whether decl is declare -f or -F (or typeset)
// with literal options, which the program rewrites into a call.
func declareFunctions(decl *syntax.DeclClause) bool {
	if decl.Variant.Value != "declare" && decl.Variant.Value != "typeset" {
		return false
	}
	for _, a := range decl.Args {
		if a.Naked && a.Value != nil {
			if flag := a.Value.Lit(); len(flag) > 1 && flag[0] == '-' && strings.ContainsAny(flag, "fF") {
				return true
			}
		}
	}
	return false
}

// declareCall is decl, declare -f, as a call of the same words.
func declareCall(decl *syntax.DeclClause) (*syntax.CallExpr, bool) {
	call := &syntax.CallExpr{Args: []*syntax.Word{lit(decl.Variant.Value)}}
	for _, a := range decl.Args {
		switch {
		case !a.Naked:
			return nil, false
		case a.Value != nil:
			call.Args = append(call.Args, a.Value)
		default:
			call.Args = append(call.Args, lit(a.Name.Value))
		}
	}
	call.Args[0].Parts[0].(*syntax.Lit).ValuePos = decl.Variant.ValuePos
	return call, true
}

// direnvFunctions are the functions of direnv's standard library: where
// the project file defines none of them, direnv has it and noxenv's
// interpreter has not (or has its own), so that printing it or telling
// whether it is a function is refused.
var direnvFunctions = map[string]bool{
	"MANPATH_add": true, "PATH_add": true, "PATH_rm": true, "__env_strictness": true, "__main__": true,
	"_source_up": true, "direnv_apply_dump": true, "direnv_layout_dir": true, "direnv_load": true,
	"direnv_version": true, "dotenv": true, "dotenv_if_exists": true, "env_vars_required": true,
	"expand_path": true, "fetchurl": true, "find_up": true, "has": true, "join_args": true, "layout": true,
	"layout_anaconda": true, "layout_go": true, "layout_julia": true, "layout_node": true,
	"layout_perl": true, "layout_php": true, "layout_pipenv": true, "layout_pyenv": true,
	"layout_python": true, "layout_python2": true, "layout_python3": true, "layout_ruby": true,
	"load_prefix": true, "log_error": true, "log_status": true, "on_git_branch": true, "path_add": true,
	"path_rm": true, "rvm": true, "semver_search": true, "source_env": true, "source_env_if_exists": true,
	"source_up": true, "source_up_if_exists": true, "source_url": true, "strict_env": true,
	"unstrict_env": true, "use": true, "use_flake": true, "use_guix": true, "use_julia": true,
	"use_nix": true, "use_node": true, "use_nodenv": true, "use_rbenv": true, "use_vim": true,
	"user_rel_path": true, "watch_dir": true, "watch_file": true,
}

// declare runs declare -f NAME... (args expanded): the code printing the
// definitions (with -F, the names), failing where a NAME is not a
// function.
func (e *evaluator) declare(args []string) ([]string, error) {
	names, namesOnly := args[1:], false
	for len(names) > 0 && len(names[0]) > 1 && names[0][0] == '-' {
		if names[0] == "--" {
			names = names[1:]
			break
		}
		if strings.Trim(names[0][1:], "fF") != "" {
			return nil, &constructError{construct: args[0] + " " + names[0], why: "only -f and -F are supported with a function's name"}
		}
		namesOnly = namesOnly || strings.Contains(names[0], "F")
		names = names[1:]
	}
	if len(names) == 0 {
		return nil, &constructError{construct: strings.Join(args, " "), why: "listing every function is not supported: noxenv's standard library is not direnv's"}
	}
	var out strings.Builder
	missing := false
	for _, name := range names {
		body, ok := e.runner.Funcs[name]
		origin, known := e.funcOrigins[body]
		switch {
		case ok && known && namesOnly:
			out.WriteString(name + "\n")
		case ok && known:
			def, err := printFunction(origin)
			if err != nil {
				return nil, err
			}
			out.WriteString(def)
		case ok || lookupBuiltin(name) != nil || direnvFunctions[name]:
			return nil, &constructError{construct: strings.Join(args, " "), why: name + " is not a function of the project file's own text (direnv's standard library, a sourced file, eval): this is not supported"}
		default:
			missing = true
		}
	}
	code := "printf '%s' " + quote(out.String())
	if missing {
		// bash prints the functions there are and fails.
		code += "\n((0))"
	}
	return []string{"eval", code}, nil
}

// printFunction lays out the function defined at origin as bash prints
// it.
func printFunction(origin funcOrigin) (string, error) {
	f, err := syntax.NewParser().Parse(bytes.NewReader(origin.src), origin.file)
	if err != nil {
		return "", err
	}
	var fd *syntax.FuncDecl
	syntax.Walk(f, func(n syntax.Node) bool {
		if d, ok := n.(*syntax.FuncDecl); ok && d.Pos().Offset() == origin.offset {
			fd = d
		}
		return fd == nil
	})
	if fd == nil {
		return "", fmt.Errorf("the definition at offset %d of %s is gone", origin.offset, origin.file)
	}
	p := &funcPrinter{src: origin.src}
	def := p.function(fd)
	if p.err != nil {
		return "", posError(origin.file, p.pos, p.err)
	}
	return def, nil
}

// funcPrinter lays out a function as bash prints it; err is the first
// construct it cannot, at pos.
type funcPrinter struct {
	src []byte
	err error
	pos syntax.Pos
}

func (p *funcPrinter) refuse(n syntax.Node, why string) string {
	if p.err == nil {
		p.err, p.pos = &constructError{construct: source(n), why: "declare -f cannot print it as bash does: " + why}, n.Pos()
	}
	return ""
}

// text is n as written.
func (p *funcPrinter) text(n syntax.Node) string {
	return string(p.src[n.Pos().Offset():n.End().Offset()])
}

func indent(level int) string { return strings.Repeat("    ", level) }

func (p *funcPrinter) function(fd *syntax.FuncDecl) string {
	block, ok := fd.Body.Cmd.(*syntax.Block)
	if !ok || len(fd.Body.Redirs) > 0 || fd.Body.Negated || fd.Body.Background {
		return p.refuse(fd, "a body other than { ... }")
	}
	return fd.Name.Value + " () \n{ \n" + p.list(block.Stmts, 1, false) + "\n}\n"
}

// list lays out stmts, one a line at level, each but the last ended by
// ";" (the last too where semi).
func (p *funcPrinter) list(stmts []*syntax.Stmt, level int, semi bool) string {
	lines := make([]string, len(stmts))
	for i, st := range stmts {
		lines[i] = indent(level) + p.stmt(st, level)
		if semi || i < len(stmts)-1 {
			lines[i] += ";"
		}
	}
	return strings.Join(lines, "\n")
}

// stmt lays out st from the column its first line starts at, its other
// lines at level.
func (p *funcPrinter) stmt(st *syntax.Stmt, level int) string {
	if st.Background || st.Coprocess || st.Disown {
		return p.refuse(st, "a command run in the background")
	}
	if st.Cmd == nil {
		return p.refuse(st, "a redirection without a command")
	}
	s := p.command(st.Cmd, level)
	if st.Negated {
		s = "! " + s
	}
	for _, r := range st.Redirs {
		s += " " + p.redirect(r)
	}
	return s
}

func (p *funcPrinter) command(cmd syntax.Command, level int) string {
	switch c := cmd.(type) {
	case *syntax.CallExpr:
		var words []string
		for _, a := range c.Assigns {
			words = append(words, p.assign(a))
		}
		for _, w := range c.Args {
			words = append(words, p.word(w))
		}
		return strings.Join(words, " ")
	case *syntax.DeclClause:
		words := []string{c.Variant.Value}
		for _, a := range c.Args {
			words = append(words, p.assign(a))
		}
		return strings.Join(words, " ")
	case *syntax.BinaryCmd:
		return p.stmt(c.X, level) + binaryOp(c) + p.stmt(c.Y, level)
	case *syntax.Block:
		return "{ \n" + p.list(c.Stmts, level+1, false) + "\n" + indent(level) + "}"
	case *syntax.Subshell:
		if len(c.Stmts) != 1 {
			return p.refuse(c, "a subshell of more than one command")
		}
		return "( " + p.inline(c.Stmts[0]) + " )"
	case *syntax.IfClause:
		return p.ifClause(c, level)
	case *syntax.WhileClause:
		kw := "while "
		if c.Until {
			kw = "until "
		}
		return kw + p.cond(c, c.Cond, level) + "; do\n" + p.list(c.Do, level+1, true) + "\n" + indent(level) + "done"
	case *syntax.ForClause:
		iter, ok := c.Loop.(*syntax.WordIter)
		if !ok || c.Select {
			return p.refuse(c, "a loop other than for NAME in WORDS")
		}
		head := "for " + iter.Name.Value + " in "
		if !iter.InPos.IsValid() {
			head += `"$@"`
		} else if len(iter.Items) == 0 {
			return p.refuse(c, "a for loop over no words")
		} else {
			head += p.words(iter.Items)
		}
		return head + ";\n" + indent(level) + "do\n" + p.list(c.Do, level+1, true) + "\n" + indent(level) + "done"
	case *syntax.CaseClause:
		s := "case " + p.word(c.Word) + " in \n"
		for _, item := range c.Items {
			pats := make([]string, len(item.Patterns))
			for i, w := range item.Patterns {
				pats[i] = p.word(w)
			}
			s += indent(level+1) + strings.Join(pats, " | ") + ")\n"
			if len(item.Stmts) > 0 {
				s += p.list(item.Stmts, level+2, false)
			}
			s += "\n" + indent(level+1) + item.Op.String() + "\n"
		}
		return s + indent(level) + "esac"
	case *syntax.TestClause:
		return "[[ " + p.test(c.X) + " ]]"
	case *syntax.ArithmCmd:
		return p.text(c)
	}
	return p.refuse(cmd, "this command")
}

// cond lays out a condition of one command.
func (p *funcPrinter) cond(n syntax.Node, stmts []*syntax.Stmt, level int) string {
	if len(stmts) != 1 {
		return p.refuse(n, "a condition of more than one command")
	}
	return p.stmt(stmts[0], level)
}

// ifClause lays out if, bash's elif as an if within else.
func (p *funcPrinter) ifClause(c *syntax.IfClause, level int) string {
	s := "if " + p.cond(c, c.Cond, level) + "; then\n" + p.list(c.Then, level+1, true) + "\n" + indent(level)
	switch {
	case c.Else == nil:
	case c.Else.ThenPos.IsValid():
		s += "else\n" + indent(level+1) + p.ifClause(c.Else, level+1) + ";\n" + indent(level)
	default:
		s += "else\n" + p.list(c.Else.Then, level+1, true) + "\n" + indent(level)
	}
	return s + "fi"
}

// binaryOp is the operator of c as bash prints it.
func binaryOp(c *syntax.BinaryCmd) string {
	if c.Op == syntax.PipeAll {
		return " 2>&1 | "
	}
	return " " + c.Op.String() + " "
}

// inline lays out a command of a command substitution or subshell, on
// one line.
func (p *funcPrinter) inline(st *syntax.Stmt) string {
	if st.Cmd == nil || st.Background || st.Coprocess || st.Disown {
		return p.refuse(st, "this command in a command substitution or subshell")
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr, *syntax.DeclClause, *syntax.TestClause, *syntax.ArithmCmd:
	case *syntax.BinaryCmd:
		if st.Negated || len(st.Redirs) > 0 {
			return p.refuse(st, "this command in a command substitution or subshell")
		}
		return p.inline(c.X) + binaryOp(c) + p.inline(c.Y)
	default:
		return p.refuse(st, "a compound command in a command substitution or subshell")
	}
	return p.stmt(st, 0)
}

func (p *funcPrinter) redirect(r *syntax.Redirect) string {
	switch r.Op {
	case syntax.Hdoc, syntax.DashHdoc:
		return p.refuse(r, "a here-document")
	case syntax.DplOut, syntax.DplIn:
		n := "1"
		if r.Op == syntax.DplIn {
			n = "0"
		}
		if r.N != nil {
			n = r.N.Value
		}
		return n + r.Op.String() + p.word(r.Word)
	}
	n := ""
	if r.N != nil {
		n = r.N.Value
	}
	return n + r.Op.String() + " " + p.word(r.Word)
}

func (p *funcPrinter) assign(a *syntax.Assign) string {
	if a.Naked {
		if a.Value != nil {
			return p.word(a.Value)
		}
		return a.Name.Value
	}
	if a.Index != nil {
		return p.refuse(a, "an assignment to an array element")
	}
	s := a.Name.Value + "="
	if a.Append {
		s = a.Name.Value + "+="
	}
	switch {
	case a.Array != nil:
		elems := make([]string, len(a.Array.Elems))
		for i, el := range a.Array.Elems {
			if el.Index != nil || el.Value == nil {
				return p.refuse(a, "an array element with an index")
			}
			elems[i] = p.word(el.Value)
		}
		return s + "(" + strings.Join(elems, " ") + ")"
	case a.Value != nil:
		return s + p.word(a.Value)
	}
	return s
}

func (p *funcPrinter) words(ws []*syntax.Word) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = p.word(w)
	}
	return strings.Join(out, " ")
}

// word is w as written, but for its command substitutions, which bash
// lays out again.
func (p *funcPrinter) word(w *syntax.Word) string {
	return p.parts(w.Parts)
}

func (p *funcPrinter) parts(parts []syntax.WordPart) string {
	var b strings.Builder
	for _, part := range parts {
		switch q := part.(type) {
		case *syntax.DblQuoted:
			if q.Dollar {
				return p.refuse(q, `$"..." quoting`)
			}
			b.WriteString(`"` + p.parts(q.Parts) + `"`)
		case *syntax.SglQuoted:
			if q.Dollar {
				return p.refuse(q, "$'...' quoting")
			}
			b.WriteString(p.text(q))
		case *syntax.CmdSubst:
			if q.Backquotes {
				b.WriteString(p.text(q))
				continue
			}
			if len(q.Stmts) == 0 {
				return p.refuse(q, "an empty command substitution")
			}
			inner := make([]string, len(q.Stmts))
			for i, st := range q.Stmts {
				inner[i] = p.inline(st)
			}
			b.WriteString("$(" + strings.Join(inner, "; ") + ")")
		default:
			nested := false
			syntax.Walk(part, func(n syntax.Node) bool {
				switch m := n.(type) {
				case *syntax.CmdSubst:
					nested = nested || !m.Backquotes
				case *syntax.ProcSubst:
					nested = true
				}
				return !nested
			})
			if nested {
				return p.refuse(part, "a command substitution within this expansion")
			}
			b.WriteString(p.text(part))
		}
	}
	return b.String()
}

// test lays out the expression of [[ ]].
func (p *funcPrinter) test(x syntax.TestExpr) string {
	switch t := x.(type) {
	case *syntax.Word:
		// A word alone is its -n test.
		return "-n " + p.word(t)
	case *syntax.UnaryTest:
		if w, ok := t.X.(*syntax.Word); ok && t.Op != syntax.TsNot {
			return t.Op.String() + " " + p.word(w)
		}
		return t.Op.String() + " " + p.test(t.X)
	case *syntax.BinaryTest:
		if t.Op == syntax.AndTest || t.Op == syntax.OrTest {
			return p.test(t.X) + " " + t.Op.String() + " " + p.test(t.Y)
		}
		return p.operand(t.X) + " " + t.Op.String() + " " + p.operand(t.Y)
	case *syntax.ParenTest:
		return "( " + p.test(t.X) + " )"
	}
	return p.refuse(x, "this test")
}

// operand lays out an operand of a binary test.
func (p *funcPrinter) operand(x syntax.TestExpr) string {
	if w, ok := x.(*syntax.Word); ok {
		return p.word(w)
	}
	return p.refuse(x, "this test")
}
