package activate

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// The interpreter runs most of bash, but not all of it as bash does. A
// project file must never give a different environment without a word:
// what the interpreter would run differently is refused, before the file
// runs (checkConstructs) or as the command is called (checkCall), with an
// error naming the construct and its position.

// constructError is a bash construct noxenv does not run as bash does.
type constructError struct {
	construct string
	why       string
}

func (e *constructError) Error() string {
	return fmt.Sprintf("%s: %s", e.construct, e.why)
}

// Hint says why noxenv refuses rather than runs it.
func (*constructError) Hint() string {
	return "noxenv evaluates project files in-process and refuses what it would not run as bash does"
}

// checkConstructs returns an error, at its position in file, for the
// first construct of f, parsed from src, that the interpreter would not
// run as bash does. It rewrites what it can run in an equivalent form
// (>| as >: noclobber is refused), in f and in the text it returns, which
// the interpreter parses again (a sourced file, eval's code).
// A name in exported is one the environment exports at the start.
func checkConstructs(file string, src []byte, f *syntax.File, exported func(string) bool) ([]byte, columns, error) {
	c, err := check(file, src, f, false, exported)
	if err != nil {
		return nil, nil, err
	}
	return c.edited()
}

// checkConstructsIn is checkConstructs, for the project file's program
// (which runs as the check leaves it) where program.
func checkConstructsIn(file string, src []byte, f *syntax.File, program bool, exported func(string) bool) error {
	_, err := check(file, src, f, program, exported)
	return err
}

// check is checkConstructsIn, recording the rewrites as edits of src
// outside the program.
func check(file string, src []byte, f *syntax.File, program bool, exported func(string) bool) (*checker, error) {
	if i := bytes.IndexByte(src, 0); i >= 0 {
		// The parser drops NUL bytes, which bash reads otherwise.
		return nil, byteError(file, src, i, "NUL", "a NUL byte in a script is not supported")
	}
	if i := bytes.IndexByte(src, '\r'); i >= 0 {
		// The parser drops a carriage return before a line end and
		// splits words at any other outside quotes; bash reads it as
		// any other character.
		if i+1 < len(src) && src[i+1] == '\n' {
			return nil, byteError(file, src, i, "CR", "a carriage return at a line's end (Windows line ends) is not supported: bash keeps it in the line, noxenv's parser drops it")
		}
		return nil, byteError(file, src, i, "CR", "a carriage return in a script is not supported: bash reads it as part of a word, noxenv's parser as a space")
	}
	c := &checker{file: file, src: src, program: program, extglobFrom: extglobLine(f), readonly: map[string]*syntax.Assign{}, naming: map[*syntax.Assign]bool{}}
	syntax.Walk(f, c.visit)
	c.readonlyAssigns()
	c.ownIFSSplits()
	c.exportDrops(exported)
	if c.err != nil {
		return nil, posError(file, c.pos, c.err)
	}
	return c, nil
}

type checker struct {
	file string
	src  []byte
	// edits are the rewrites, as edits of src, outside the program.
	edits []textEdit
	err   error
	pos   syntax.Pos
	// program is set for the project file's program, which runs as the
	// checker leaves it.
	program bool
	// extglobFrom is the first line from which bash parses extended
	// globs (0: none).
	extglobFrom uint
	// assoc are the names declared associative arrays.
	assoc map[string]bool
	// readonly are the names made read-only, by their declaration, and
	// assigns every assignment.
	readonly map[string]*syntax.Assign
	assigns  []*syntax.Assign
	// naming are the declarations of a name that assign nothing.
	naming map[*syntax.Assign]bool
	// ownIFS is the first assignment of IFS to other than blanks, but
	// for read's, readPrefix those, and split the first word split.
	ownIFS     *syntax.Assign
	readPrefix map[*syntax.Assign]bool
	split      *syntax.Word
	// exports are the names the file exports, and unexporting the
	// assignments that drop a variable's export in the interpreter.
	exports     map[string]bool
	unexporting []*syntax.Word
	// made are the arithmetic expansions the checker made, guarded
	// already.
	made map[*syntax.ArithmExp]bool
	// waited are the expansions of $! that wait takes.
	waited map[*syntax.ParamExp]bool
}

// byteError is the error of a byte of src, at offset i, that the parser
// reads otherwise than bash: construct names it, why says why.
func byteError(file string, src []byte, i int, construct, why string) error {
	line := bytes.Count(src[:i], []byte("\n")) + 1
	col := i - bytes.LastIndexByte(src[:i], '\n')
	return &PosError{File: file, Line: uint(line), Col: uint(col), Err: &constructError{construct: construct, why: why}}
}

func (c *checker) fail(pos syntax.Pos, node syntax.Node, why string) bool {
	if c.err == nil {
		c.err, c.pos = &constructError{construct: source(node), why: why}, pos
	}
	return false
}

// source prints node as the construct an error names, on one line.
func source(node syntax.Node) string {
	var b bytes.Buffer
	syntax.NewPrinter(syntax.Minify(true)).Print(&b, node)
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// extglobLine returns the line after the first top-level
// `shopt -s extglob`: bash parses a line before running it, so extended
// glob patterns parse only on the lines after one.
func extglobLine(f *syntax.File) uint {
	for _, st := range f.Stmts {
		call, ok := st.Cmd.(*syntax.CallExpr)
		if !ok || len(call.Args) < 3 {
			continue
		}
		args := make([]string, len(call.Args))
		for i, w := range call.Args {
			args[i] = w.Lit()
		}
		if args[0] == "shopt" && args[1] == "-s" && containsString(args[2:], "extglob") {
			return st.End().Line() + 1
		}
	}
	return 0
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// unsetSpecials are variables bash sets itself that the interpreter does
// not: reading them would give the empty string, or the user's own.
var unsetSpecials = map[string]bool{
	"0": true, "-": true, "_": true, "BASH": true, "BASHOPTS": true, "BASHPID": true, "BASH_ALIASES": true,
	"BASH_ARGC": true, "BASH_ARGV": true, "BASH_ARGV0": true, "BASH_CMDS": true,
	"BASH_COMMAND": true, "BASH_EXECUTION_STRING": true, "BASH_LINENO": true,
	"BASH_SOURCE": true, "BASH_SUBSHELL": true, "BASH_VERSINFO": true,
	"BASH_VERSION": true, "EPOCHREALTIME": true,
	"EPOCHSECONDS": true, "FUNCNAME": true, "GROUPS": true, "HISTCMD": true,
	"HOSTNAME": true, "HOSTTYPE": true, "MACHTYPE": true, "OSTYPE": true,
	"PIPESTATUS": true, "PS4": true, "SECONDS": true, "SHELLOPTS": true,
}

// extglobText finds extended glob operators in a pattern's text.
var extglobText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[?*+@!]\(`) })

func (c *checker) visit(node syntax.Node) bool {
	if c.err != nil {
		return false
	}
	switch n := node.(type) {
	case *syntax.Stmt:
		if decl, ok := n.Cmd.(*syntax.DeclClause); ok && c.program && declareFunctions(decl) {
			if call, ok := declareCall(decl); ok {
				n.Cmd = call
			}
		}
	case *syntax.ParamExp:
		return c.paramExp(n)
	case *syntax.Redirect:
		return c.redirect(n)
	case *syntax.ExtGlob:
		if c.extglobFrom == 0 || n.OpPos.Line() < c.extglobFrom {
			return c.fail(n.OpPos, n, "an extended glob pattern needs `shopt -s extglob` on an earlier line of the file's top level, or bash does not parse it")
		}
	case *syntax.CaseClause:
		c.unescape(n.Word)
	case *syntax.TestClause:
		c.unescapeOperands(n.X)
	case *syntax.CaseItem:
		for _, p := range n.Patterns {
			c.negatedGlob(p)
		}
	case *syntax.FuncDecl:
		if _, ok := n.Body.Cmd.(*syntax.CallExpr); ok || n.Body.Cmd == nil {
			return c.fail(n.Pos(), n, "bash does not parse a function whose body is not a compound command")
		}
	case *syntax.CoprocClause:
		return c.fail(n.Pos(), n, "coprocesses are not supported")
	case *syntax.TimeClause:
		return c.fail(n.Pos(), n, "time is not supported")
	case *syntax.ForClause:
		if n.Select {
			return c.fail(n.Pos(), n, "select is not supported")
		}
	case *syntax.DeclClause:
		return c.declClause(n)
	case *syntax.Assign:
		c.unescapeAssign(n)
		c.assign(n)
	case *syntax.CallExpr:
		if len(n.Args) > 0 {
			seen := map[string]bool{}
			for _, a := range n.Assigns {
				if a.Name != nil && seen[a.Name.Value] {
					return c.fail(a.Pos(), n, "assigning "+a.Name.Value+" twice for one command is not supported")
				}
				if a.Name != nil {
					seen[a.Name.Value] = true
				}
			}
		}
		c.splitSite(n.Args...)
		c.quotedDefaults(n.Args)
		if len(n.Args) > 1 && n.Args[0].Lit() == "wait" {
			c.waitedJobs(n.Args[1:])
		}
		if len(n.Args) > 2 && n.Args[0].Lit() == "getopts" {
			c.unexporting = append(c.unexporting, n.Args[2])
		}
		if len(n.Args) > 0 && n.Args[0].Lit() == "read" {
			if c.readPrefix == nil {
				c.readPrefix = map[*syntax.Assign]bool{}
			}
			for _, a := range n.Assigns {
				c.readPrefix[a] = true
			}
		}
	case *syntax.WordIter:
		c.splitSite(n.Items...)
		c.unexporting = append(c.unexporting, &syntax.Word{Parts: []syntax.WordPart{n.Name}})
	case *syntax.UnaryArithm:
		if w, ok := n.X.(*syntax.Word); ok && (n.Op == syntax.Inc || n.Op == syntax.Dec) {
			c.unexporting = append(c.unexporting, w)
		}
	case *syntax.BinaryArithm:
		switch n.Op {
		case syntax.Assgn, syntax.AddAssgn, syntax.SubAssgn, syntax.MulAssgn, syntax.QuoAssgn, syntax.RemAssgn,
			syntax.AndAssgn, syntax.OrAssgn, syntax.XorAssgn, syntax.ShlAssgn, syntax.ShrAssgn:
			if w, ok := n.X.(*syntax.Word); ok {
				c.unexporting = append(c.unexporting, w)
			}
		}
	case *syntax.ArrayExpr:
		for _, e := range n.Elems {
			if e.Value != nil {
				c.splitSite(e.Value)
			}
		}
	case *syntax.SglQuoted:
		if n.Dollar && strings.Contains(n.Value, `\c`) {
			return c.fail(n.Pos(), n, `\c control characters in $'...' are not supported`)
		}
	case *syntax.CmdSubst:
		// bash runs a command substitution without errexit (outside
		// posix mode and inherit_errexit, which are refused).
		if len(n.Stmts) != 1 || n.Stmts[0].Cmd != nil || len(n.Stmts[0].Redirs) != 1 || n.Stmts[0].Redirs[0].Op != syntax.RdrIn {
			if n.Backquotes {
				c.insert(n, n.Left, int(n.Left.Offset())+1, "`", "set +e; ")
			} else {
				c.insert(n, n.Left, int(n.Left.Offset())+2, "$(", "set +e; ")
			}
			n.Stmts = append([]*syntax.Stmt{{Cmd: &syntax.CallExpr{Args: []*syntax.Word{lit("set"), lit("+e")}}}}, n.Stmts...)
			break
		}
		// $(<f): the interpreter's own gives status 0 when f cannot be
		// opened. bash's fails, and under errexit ends the shell even
		// where a failure is handled (||, if). A builtin copying its
		// input reads f instead, and another, run when that redirection
		// fails, fails as bash does, told the options ($-).
		rd := n.Stmts[0].Redirs[0]
		c.insert(n, rd.OpPos, int(rd.OpPos.Offset()), "", catBuiltin+" ")
		c.insert(n, rd.Word.End(), int(rd.Word.End().Offset()), "", ` || `+catFailBuiltin+` "$-"`)
		flags := &syntax.Word{Parts: []syntax.WordPart{&syntax.DblQuoted{Parts: []syntax.WordPart{
			&syntax.ParamExp{Short: true, Param: &syntax.Lit{Value: "-"}}}}}}
		n.Stmts[0] = &syntax.Stmt{Position: n.Stmts[0].Position, Cmd: &syntax.BinaryCmd{Op: syntax.OrStmt,
			X: &syntax.Stmt{Position: rd.OpPos, Cmd: &syntax.CallExpr{Args: []*syntax.Word{lit(catBuiltin)}}, Redirs: []*syntax.Redirect{rd}},
			Y: &syntax.Stmt{Position: rd.OpPos, Cmd: &syntax.CallExpr{Args: []*syntax.Word{lit(catFailBuiltin), flags}}}}}
	case *syntax.BinaryCmd:
		// bash runs every command of a pipeline in a subshell, the last
		// too (lastpipe is refused).
		if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
			if _, ok := n.Y.Cmd.(*syntax.Subshell); !ok {
				c.insert(n, n.Y.Pos(), int(n.Y.Pos().Offset()), "", "( ")
				c.insert(n, lineEnd(n.Y), int(lineEnd(n.Y).Offset()), "", " )")
				n.Y = &syntax.Stmt{Position: n.Y.Position, Cmd: &syntax.Subshell{Stmts: []*syntax.Stmt{n.Y}}}
			}
		}
	case *syntax.BinaryTest:
		switch n.Op {
		case syntax.TsMatch, syntax.TsNoMatch, syntax.TsMatchShort:
			if w, ok := n.Y.(*syntax.Word); ok {
				c.negatedGlob(w)
			}
		case syntax.TsEql, syntax.TsNeq, syntax.TsLeq, syntax.TsGeq, syntax.TsLss, syntax.TsGtr:
			n.X = c.arithmOperand(n.X)
			n.Y = c.arithmOperand(n.Y)
		}
	case *syntax.ArithmExp:
		if !c.made[n] {
			c.arithm(n.X)
			c.arithmText(n.X.Pos(), n.X.End(), &n.X, false, false)
			n.X = c.guard(n.X)
		}
	case *syntax.ArithmCmd:
		c.arithm(n.X)
		c.arithmText(n.X.Pos(), n.X.End(), &n.X, false, false)
		n.X = c.guard(n.X)
	case *syntax.LetClause:
		for i, x := range n.Exprs {
			c.arithm(x)
			c.arithmText(x.Pos(), x.End(), &n.Exprs[i], true, false)
			n.Exprs[i] = c.guard(x)
		}
	case *syntax.CStyleLoop:
		for _, x := range []*syntax.ArithmExpr{&n.Init, &n.Cond, &n.Post} {
			if *x != nil {
				c.arithm(*x)
				c.arithmText((*x).Pos(), (*x).End(), x, false, false)
				*x = c.guard(*x)
			}
		}
	}
	return true
}

// guard rewrites an arithmetic expression to refuse, as it is evaluated,
// what the interpreter would evaluate unlike bash: a variable whose value
// is not an integer constant (bash evaluates it as an expression, or
// fails on an invalid number; the interpreter reads 0), a division by
// zero and a negative exponent (bash fails; the interpreter goes on).
// Nothing changes for the values both read alike. The walk has checked
// x already.
func (c *checker) guard(x syntax.ArithmExpr) syntax.ArithmExpr {
	switch n := x.(type) {
	case *syntax.Word:
		if name := n.Lit(); syntax.ValidName(name) {
			return c.guardName(n, name, n.Pos(), n)
		}
	case *syntax.ParenArithm:
		n.X = c.guard(n.X)
	case *syntax.UnaryArithm:
		if n.Op != syntax.Inc && n.Op != syntax.Dec {
			n.X = c.guard(n.X)
		}
	case *syntax.BinaryArithm:
		switch n.Op {
		case syntax.Assgn, syntax.AddAssgn, syntax.SubAssgn, syntax.MulAssgn,
			syntax.AndAssgn, syntax.OrAssgn, syntax.XorAssgn, syntax.ShlAssgn, syntax.ShrAssgn:
			n.Y = c.guard(n.Y)
		case syntax.QuoAssgn, syntax.RemAssgn:
			n.Y = c.guardZero(n.Y, n.OpPos, n)
		case syntax.Quo, syntax.Rem:
			n.X = c.guard(n.X)
			n.Y = c.guardZero(n.Y, n.OpPos, n)
		case syntax.Pow:
			n.X = c.guard(n.X)
			n.Y = c.guardCond(n.Y, syntax.Geq, n.OpPos, n, "a negative exponent is an error in bash")
		default:
			n.X = c.guard(n.X)
			n.Y = c.guard(n.Y)
		}
	}
	return x
}

// guardName rewrites the variable name w as
// (name != 0 || 1${name//[0 +-]/} == 1 ? name : refuse): the interpreter
// reads 0 for every value that is not an integer constant, which the
// value of a real 0 tells apart.
func (c *checker) guardName(w *syntax.Word, name string, pos syntax.Pos, n syntax.Node) syntax.ArithmExpr {
	digits := &syntax.Word{Parts: []syntax.WordPart{
		&syntax.Lit{Value: "1"},
		&syntax.ParamExp{Param: &syntax.Lit{Value: name}, Repl: &syntax.Replace{
			All:  true,
			Orig: &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: "[0 +-]"}}},
			With: &syntax.Word{},
		}},
	}}
	zero := &syntax.BinaryArithm{Op: syntax.Eql, X: digits, Y: lit("1")}
	cond := &syntax.BinaryArithm{Op: syntax.OrArit, X: &syntax.BinaryArithm{Op: syntax.Neq, X: lit(name), Y: lit("0")}, Y: zero}
	return c.ternary(cond, w, pos, n, "the value of "+name+" is not an integer constant, which bash would evaluate otherwise")
}

// guardZero refuses a zero divisor y.
func (c *checker) guardZero(y syntax.ArithmExpr, pos syntax.Pos, n syntax.Node) syntax.ArithmExpr {
	return c.guardCond(y, syntax.Neq, pos, n, "a division by zero is an error in bash")
}

// guardCond rewrites y as (y OP 0 ? y : refuse), where y has no side
// effects (it is evaluated twice); otherwise only y's names are guarded.
func (c *checker) guardCond(y syntax.ArithmExpr, op syntax.BinAritOperator, pos syntax.Pos, n syntax.Node, why string) syntax.ArithmExpr {
	pure := pureArithm(y)
	y = c.guard(y)
	if !pure {
		return y
	}
	return c.ternary(&syntax.BinaryArithm{Op: op, X: y, Y: lit("0")}, y, pos, n, why)
}

// pureArithm reports whether evaluating x changes nothing.
func pureArithm(x syntax.ArithmExpr) bool {
	pure := true
	syntax.Walk(x, func(node syntax.Node) bool {
		switch m := node.(type) {
		case *syntax.CmdSubst, *syntax.ArithmExp:
			pure = false
		case *syntax.UnaryArithm:
			pure = pure && m.Op != syntax.Inc && m.Op != syntax.Dec
		case *syntax.BinaryArithm:
			switch m.Op {
			case syntax.Assgn, syntax.AddAssgn, syntax.SubAssgn, syntax.MulAssgn, syntax.QuoAssgn, syntax.RemAssgn,
				syntax.AndAssgn, syntax.OrAssgn, syntax.XorAssgn, syntax.ShlAssgn, syntax.ShrAssgn:
				pure = false
			}
		}
		return pure
	})
	return pure
}

// ternary returns (cond ? then : $(refuseCommand ...)), the refusal
// naming n at pos.
func (c *checker) ternary(cond, then syntax.ArithmExpr, pos syntax.Pos, n syntax.Node, why string) syntax.ArithmExpr {
	refuse := &syntax.CallExpr{Args: []*syntax.Word{
		lit(refuseCommand), quoted(c.file), lit(strconv.FormatUint(uint64(pos.Line()), 10)),
		lit(strconv.FormatUint(uint64(pos.Col()), 10)), quoted(source(n)), quoted(why),
	}}
	refusal := &syntax.Word{Parts: []syntax.WordPart{&syntax.CmdSubst{Stmts: []*syntax.Stmt{{Cmd: refuse}}}}}
	return &syntax.ParenArithm{X: &syntax.BinaryArithm{Op: syntax.TernQuest, X: cond,
		Y: &syntax.BinaryArithm{Op: syntax.TernColon, X: then, Y: refusal}}}
}

// quoted is a word of the string s, single-quoted (a quote in it
// escaped between quoted pieces, as the word is printed too).
func quoted(s string) *syntax.Word {
	var parts []syntax.WordPart
	for i, piece := range strings.Split(s, "'") {
		if i > 0 {
			parts = append(parts, &syntax.Lit{Value: `\'`})
		}
		parts = append(parts, &syntax.SglQuoted{Value: piece})
	}
	return &syntax.Word{Parts: parts}
}

// number is an integer constant as bash reads it.
var number = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9][0-9]*|0[0-7]+|0[xX][0-9a-fA-F]+|([2-9]|[1-5][0-9]|6[0-4])#[0-9a-zA-Z@_]+)$`)
})

// arithm checks the constants and names of an arithmetic expression.
func (c *checker) arithm(x syntax.ArithmExpr) {
	syntax.Walk(x, func(node syntax.Node) bool {
		switch n := node.(type) {
		case *syntax.CmdSubst:
			return false
		case *syntax.Word:
			l := n.Lit()
			switch {
			case l == "":
			case l[0] >= '0' && l[0] <= '9' && !number().MatchString(l):
				c.fail(n.Pos(), n, "invalid number in arithmetic")
			case l[0] < '0' || l[0] > '9':
				if !syntax.ValidName(l) {
					c.fail(n.Pos(), n, "not a number or a name, in arithmetic")
				}
				if unsetSpecials[l] {
					c.fail(n.Pos(), n, l+" is not set by noxenv's interpreter")
				}
			}
			// Its parts are not arithmetic; the file's walk checks them.
			return false
		case *syntax.BinaryArithm:
			if n.Op == syntax.Shl || n.Op == syntax.Shr || n.Op == syntax.ShlAssgn || n.Op == syntax.ShrAssgn {
				if w, ok := n.Y.(*syntax.Word); ok {
					if k, err := strconv.ParseInt(w.Lit(), 0, 64); err == nil && (k < 0 || k > 63) {
						c.fail(n.OpPos, n, "shift counts outside 0 to 63 are not supported")
					}
				}
			}
		}
		return c.err == nil
	})
}

// arithmOperand rewrites an operand of [[ A -eq B ]], which bash
// evaluates as an arithmetic expression, to the arithmetic expansion the
// interpreter evaluates alike: $((name)) for $name, the literal parsed
// as arithmetic. Another word's value is read as a number.
func (c *checker) arithmOperand(x syntax.TestExpr) syntax.TestExpr {
	w, ok := x.(*syntax.Word)
	if !ok || c.err != nil {
		return x
	}
	var expr syntax.ArithmExpr = w
	if name := paramName(w); name != "" {
		c.arithm(w)
		return c.operand(w, c.guardName(lit(name), name, w.Pos(), w))
	} else if l, ok := literalValue(w); ok && strings.TrimSpace(l) != "" {
		parsed, err := syntax.NewParser().Arithmetic(strings.NewReader(l))
		if err != nil {
			c.fail(w.Pos(), w, "not an arithmetic expression")
			return x
		}
		if !c.program && expands(parsed) {
			// Its nodes' positions are in the literal, not the file.
			c.fail(w.Pos(), w, "expansions in a quoted operand are not supported in a sourced file or eval code")
			return x
		}
		expr = parsed
	}
	c.arithm(expr)
	return c.operand(w, c.guard(expr))
}

// operand returns the word $((x)) for the operand w, x guarded already.
func (c *checker) operand(w *syntax.Word, x syntax.ArithmExpr) *syntax.Word {
	made := c.make(x)
	c.arithmText(w.Pos(), w.End(), &made.Parts[0].(*syntax.ArithmExp).X, false, true)
	return made
}

// make returns the word $((x)), x guarded already.
func (c *checker) make(x syntax.ArithmExpr) *syntax.Word {
	n := &syntax.ArithmExp{X: x}
	if c.made == nil {
		c.made = map[*syntax.ArithmExp]bool{}
	}
	c.made[n] = true
	return &syntax.Word{Parts: []syntax.WordPart{n}}
}

// literalValue returns the value of a word without expansions, quoted
// or not; $'...' may hold \n, \t and \r.
func literalValue(w *syntax.Word) (string, bool) {
	var v strings.Builder
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if strings.Contains(p.Value, `\`) {
				return "", false
			}
			v.WriteString(p.Value)
		case *syntax.SglQuoted:
			if p.Dollar {
				r := strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\r`, "\r")
				if strings.Contains(r.Replace(p.Value), `\`) {
					return "", false
				}
				v.WriteString(r.Replace(p.Value))
			} else {
				v.WriteString(p.Value)
			}
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				l, ok := q.(*syntax.Lit)
				if !ok || strings.Contains(l.Value, `\`) {
					return "", false
				}
				v.WriteString(l.Value)
			}
		default:
			return "", false
		}
	}
	return v.String(), true
}

// paramName returns name where w is $name, ${name} or "$name".
func paramName(w *syntax.Word) string {
	parts := w.Parts
	if len(parts) == 1 {
		if dq, ok := parts[0].(*syntax.DblQuoted); ok {
			parts = dq.Parts
		}
	}
	if len(parts) != 1 {
		return ""
	}
	pe, ok := parts[0].(*syntax.ParamExp)
	if !ok || pe.Param == nil || !syntax.ValidName(pe.Param.Value) || pe.Excl || pe.Length || pe.Index != nil || pe.Slice != nil || pe.Repl != nil || pe.Exp != nil || pe.Names != 0 {
		return ""
	}
	return pe.Param.Value
}

// assign checks an assignment: IFS's value, which the interpreter splits
// on unlike bash where it holds other than blanks (empty fields are
// dropped), and read-only names, checked once all are known.
func (c *checker) assign(a *syntax.Assign) {
	if a.Name == nil {
		return
	}
	c.assigns = append(c.assigns, a)
	if a.Name.Value != "IFS" || a.Value == nil || a.Naked {
		return
	}
	if v, ok := literalValue(a.Value); (!ok || splitsOwnIFS(v)) && !c.readPrefix[a] && c.ownIFS == nil {
		c.ownIFS = a
	}
}

// splitSite notes the first word of f whose expansions the interpreter
// splits (unquoted): with IFS holding other than blanks, it splits them
// unlike bash (dropping empty fields).
func (c *checker) splitSite(words ...*syntax.Word) {
	for _, w := range words {
		for _, p := range w.Parts {
			switch p.(type) {
			case *syntax.ParamExp, *syntax.CmdSubst, *syntax.ArithmExp:
				if c.split == nil {
					c.split = w
				}
				return
			}
		}
	}
}

// quotedDefaults refuses, in a command's arguments, an unquoted
// ${x:-word} (or -, +, :+, =, :=, ?, :?) whose word is quoted or escaped: bash keeps
// the quoted part one field ('a b', a\ b, "a b"), the interpreter splits
// it. Quoting the whole expansion ("${x:-a b}") runs alike in both.
func (c *checker) quotedDefaults(words []*syntax.Word) {
	for _, w := range words {
		for _, p := range w.Parts {
			pe, ok := p.(*syntax.ParamExp)
			if !ok || pe.Exp == nil || pe.Exp.Word == nil || pe.Exp.Op < syntax.AlternateUnset || pe.Exp.Op > syntax.AssignUnsetOrNull {
				continue
			}
			for _, q := range pe.Exp.Word.Parts {
				l, lit := q.(*syntax.Lit)
				switch q.(type) {
				case *syntax.SglQuoted, *syntax.DblQuoted:
				default:
					if !lit || !strings.Contains(l.Value, `\`) {
						continue
					}
				}
				c.fail(pe.Pos(), w, "an unquoted ${...} whose word is quoted or escaped is not supported: the interpreter splits what bash keeps one field; quote the whole expansion")
				return
			}
		}
	}
}

// ownIFSSplits refuses a split where the file sets IFS to other than
// blanks (but for read, which splits as bash does).
func (c *checker) ownIFSSplits() {
	if c.ownIFS != nil && c.split != nil {
		c.fail(c.split.Pos(), c.split, fmt.Sprintf("splitting words on IFS characters other than blanks (%s, line %d) is not supported: bash keeps the empty fields", source(c.ownIFS), c.ownIFS.Pos().Line()))
	}
}

// exportDrops refuses an assignment by arithmetic, a for loop or getopts
// to a name exported (at the start, or by the file): the interpreter
// assigns it without its export, which bash keeps.
func (c *checker) exportDrops(exported func(string) bool) {
	for _, w := range c.unexporting {
		if name := w.Lit(); c.exports[name] || exported != nil && exported(name) {
			c.fail(w.Pos(), w, "assigning the exported variable "+name+" this way is not supported: noxenv's interpreter would drop its export")
			return
		}
	}
}

// readonlyAssigns refuses an assignment to a read-only name: in bash it
// ends the script, in the interpreter it only fails.
func (c *checker) readonlyAssigns() {
	for _, a := range c.assigns {
		if decl, ok := c.readonly[a.Name.Value]; ok && decl != a && !c.naming[a] {
			c.fail(a.Pos(), a, a.Name.Value+" is read-only: assigning it ends bash, which noxenv would not")
		}
	}
}

// waitedJobs notes the words of args that are $! alone ("$!" too): wait
// takes the interpreter's job as it takes bash's process id.
func (c *checker) waitedJobs(args []*syntax.Word) {
	for _, w := range args {
		parts := w.Parts
		if len(parts) == 1 {
			if dq, ok := parts[0].(*syntax.DblQuoted); ok {
				parts = dq.Parts
			}
		}
		if len(parts) != 1 {
			continue
		}
		if pe, ok := parts[0].(*syntax.ParamExp); ok && pe.Param != nil && pe.Param.Value == "!" && pe.Exp == nil {
			if c.waited == nil {
				c.waited = map[*syntax.ParamExp]bool{}
			}
			c.waited[pe] = true
		}
	}
}

// paramExp checks a parameter expansion.
func (c *checker) paramExp(n *syntax.ParamExp) bool {
	// Words without a position are the check's own ($- for $(<f)).
	if n.Param != nil && unsetSpecials[n.Param.Value] && !n.Excl && n.Dollar.IsValid() {
		return c.fail(n.Pos(), n, "$"+n.Param.Value+" is not set by noxenv's interpreter")
	}
	if n.Param != nil && n.Param.Value == "!" && !n.Excl && !c.waited[n] {
		return c.fail(n.Pos(), n, "$! names a job of noxenv's interpreter, not a process id: only wait takes it")
	}
	if n.Param != nil && c.assoc[n.Param.Value] && n.Index != nil {
		if w, ok := n.Index.(*syntax.Word); ok && (w.Lit() == "@" || w.Lit() == "*") {
			return c.fail(n.Pos(), n, "the order of an associative array's elements differs from bash's")
		}
	}
	if n.Repl != nil {
		orig := n.Repl.Orig
		if orig != nil && len(orig.Parts) > 0 {
			if l, ok := orig.Parts[0].(*syntax.Lit); ok && (strings.HasPrefix(l.Value, "#") || strings.HasPrefix(l.Value, "%")) {
				return c.fail(n.Pos(), n, "anchored replacements (${var/#pattern/...}, ${var/%pattern/...}) are not supported")
			}
		}
		if c.patternDiffers(orig) {
			return c.fail(n.Pos(), n, "extended glob patterns in parameter expansions are not supported")
		}
		if w := n.Repl.With; w != nil {
			for _, p := range w.Parts {
				if l, ok := p.(*syntax.Lit); ok && strings.Contains(strings.ReplaceAll(l.Value, `\&`, ""), "&") {
					return c.fail(n.Pos(), n, "& in a replacement (bash's patsub_replacement) is not supported")
				}
			}
		}
	}
	if n.Index != nil && n.Param != nil && !c.assoc[n.Param.Value] {
		if w, ok := n.Index.(*syntax.Word); !ok || (w.Lit() != "@" && w.Lit() != "*") {
			c.arithm(n.Index)
		}
	}
	if n.Slice != nil {
		c.slice(n)
	}
	if n.Exp != nil {
		switch n.Exp.Op {
		case syntax.RemSmallPrefix, syntax.RemLargePrefix, syntax.RemSmallSuffix, syntax.RemLargeSuffix,
			syntax.UpperFirst, syntax.UpperAll, syntax.LowerFirst, syntax.LowerAll:
			if c.patternDiffers(n.Exp.Word) {
				return c.fail(n.Pos(), n, "extended glob patterns in parameter expansions are not supported")
			}
			if quotedGlob(n.Exp.Word) {
				return c.fail(n.Pos(), n, "quoted glob characters in this pattern would match as a pattern, not literally")
			}
			c.quotedExpansions(n)
		case syntax.OtherParamOps:
			switch op := n.Exp.Word.Lit(); op {
			case "U", "u", "L", "a":
			default:
				return c.fail(n.Pos(), n, "${var@"+op+"} is not supported")
			}
		}
	}
	return true
}

// slice guards ${name:offset:length}: bash fails where a negative length
// ends the string before offset; the interpreter takes the rest.
func (c *checker) slice(n *syntax.ParamExp) {
	sl := n.Slice
	for _, x := range []*syntax.ArithmExpr{&sl.Offset, &sl.Length} {
		if *x != nil {
			c.arithm(*x)
		}
	}
	name := ""
	if n.Param != nil && syntax.ValidName(n.Param.Value) && n.Index == nil {
		name = n.Param.Value
	}
	if sl.Length == nil || name == "" || !pureArithm(sl.Length) || (sl.Offset != nil && !pureArithm(sl.Offset)) {
		return
	}
	length := &syntax.Word{Parts: []syntax.WordPart{&syntax.ParamExp{Param: lit(name).Parts[0].(*syntax.Lit), Length: true}}}
	var offset syntax.ArithmExpr = lit("0")
	if sl.Offset != nil {
		c.arithmText(sl.Offset.Pos(), sl.Offset.End(), &sl.Offset, false, false)
		offset = c.guard(sl.Offset)
		sl.Offset = offset
		// A negative offset counts from the end.
		offset = &syntax.ParenArithm{X: &syntax.BinaryArithm{Op: syntax.TernQuest,
			X: &syntax.BinaryArithm{Op: syntax.Lss, X: offset, Y: lit("0")},
			Y: &syntax.BinaryArithm{Op: syntax.TernColon, X: &syntax.BinaryArithm{Op: syntax.Add, X: length, Y: offset}, Y: offset}}}
	}
	c.arithmText(sl.Length.Pos(), sl.Length.End(), &sl.Length, false, false)
	l := c.guard(sl.Length)
	cond := &syntax.BinaryArithm{Op: syntax.OrArit,
		X: &syntax.BinaryArithm{Op: syntax.Geq, X: l, Y: lit("0")},
		Y: &syntax.BinaryArithm{Op: syntax.Geq, X: &syntax.BinaryArithm{Op: syntax.Add, X: length, Y: l}, Y: offset}}
	sl.Length = c.ternary(cond, l, n.Pos(), n, "a negative length that ends before the offset is an error in bash")
}

// quotedExpansions guards the quoted expansions of a removal or case
// pattern, which the interpreter matches as patterns: bash matches them
// literally. Both agree where the value holds no *, ?, [ or \; a part
// ${name:0:$((...))}, always empty, refuses the others as the pattern is
// expanded.
func (c *checker) quotedExpansions(n *syntax.ParamExp) {
	w := n.Exp.Word
	if w == nil {
		return
	}
	for _, p := range w.Parts {
		dq, ok := p.(*syntax.DblQuoted)
		if !ok {
			continue
		}
		for _, q := range dq.Parts {
			switch q := q.(type) {
			case *syntax.Lit:
			case *syntax.ParamExp:
				name := paramName(&syntax.Word{Parts: []syntax.WordPart{q}})
				if name == "" {
					c.fail(q.Pos(), n, "a quoted expansion in this pattern would match as a pattern, not literally")
					return
				}
				globs := &syntax.Word{Parts: []syntax.WordPart{
					&syntax.Lit{Value: "1"},
					&syntax.ParamExp{Param: &syntax.Lit{Value: name}, Repl: &syntax.Replace{
						All:  true,
						Orig: &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: `[!*?[\\]`}}},
						With: &syntax.Word{},
					}},
				}}
				cond := &syntax.BinaryArithm{Op: syntax.Eql, X: globs, Y: lit("1")}
				empty := &syntax.ParamExp{Param: &syntax.Lit{Value: name}, Slice: &syntax.Slice{
					Offset: lit("0"),
					Length: c.ternary(cond, lit("0"), q.Pos(), n, "the value of "+name+" holds glob characters, which this pattern would match as a pattern, not literally"),
				}}
				c.partText(w.End(), empty)
				w.Parts = append(w.Parts, empty)
			default:
				c.fail(q.Pos(), n, "a quoted expansion in this pattern would match as a pattern, not literally")
				return
			}
		}
	}
}

// patternDiffers reports whether a pattern holds extended glob operators,
// which parameter expansions of the interpreter match literally.
func (c *checker) patternDiffers(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.ExtGlob:
			return true
		case *syntax.Lit:
			if extglobText().MatchString(p.Value) {
				return true
			}
		}
	}
	return false
}

// quotedGlob reports whether a pattern quotes a glob character: the
// interpreter reads the removal and case patterns without their quotes.
func quotedGlob(w *syntax.Word) bool {
	if w == nil {
		return false
	}
	globby := func(s string) bool { return strings.ContainsAny(s, `*?[\`) }
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.SglQuoted:
			if globby(p.Value) {
				return true
			}
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				if l, ok := q.(*syntax.Lit); ok && globby(l.Value) {
					return true
				}
			}
		}
	}
	return false
}

// negatedGlob checks the forms of !(...) the interpreter matches: one
// group, with a fixed prefix and suffix.
func (c *checker) negatedGlob(w *syntax.Word) {
	groups, globs := 0, false
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.ExtGlob:
			if p.Op == syntax.GlobExcept {
				groups++
			} else {
				globs = true
			}
		case *syntax.Lit:
			if strings.ContainsAny(p.Value, "*?[") {
				globs = true
			}
		}
	}
	if groups > 1 || (groups == 1 && globs) {
		c.fail(w.Pos(), w, "!(...) is supported only alone, with a fixed prefix and suffix")
	}
}

// redirect checks a redirection: the interpreter has descriptors 0 to 2.
func (c *checker) redirect(n *syntax.Redirect) bool {
	if n.N != nil {
		fd, err := strconv.Atoi(n.N.Value)
		if err != nil || fd > 2 {
			return c.fail(n.Pos(), n, "redirections of file descriptors other than 0, 1 and 2 are not supported")
		}
		input := n.Op == syntax.RdrIn || n.Op == syntax.Hdoc || n.Op == syntax.DashHdoc || n.Op == syntax.WordHdoc || n.Op == syntax.DplIn
		if input != (fd == 0) {
			return c.fail(n.Pos(), n, "reading from descriptor 1 or 2, or writing to 0, is not supported")
		}
	}
	switch n.Op {
	case syntax.RdrOut, syntax.AppOut, syntax.RdrIn, syntax.RdrAll, syntax.AppAll, syntax.RdrClob, syntax.WordHdoc:
		c.unescape(n.Word)
	}
	switch n.Op {
	case syntax.DplIn, syntax.DplOut:
		if l := n.Word.Lit(); l != "0" && l != "1" && l != "2" && l != "-" {
			return c.fail(n.Pos(), n, "duplicating file descriptors other than 0, 1 and 2 is not supported")
		}
	case syntax.RdrClob:
		// noclobber is refused, so >| is >.
		c.clobber(n)
		n.Op = syntax.RdrOut
	case syntax.AppClob, syntax.RdrAllClob, syntax.AppAllClob, syntax.RdrInOut:
		return c.fail(n.Pos(), n, "this redirection is not supported")
	}
	return true
}

// declFlags are the options of declare and its variants that the
// interpreter supports.
const declFlags = "xrgaAnp"

// declClause checks declare, local, export, readonly, typeset.
func (c *checker) declClause(n *syntax.DeclClause) bool {
	variant := n.Variant.Value
	if declareFunctions(n) {
		return c.fail(n.Pos(), n, "declare -f is supported only for names, in the project file's own text (not a sourced file or eval)")
	}
	if variant == "typeset" {
		// bash's typeset is declare, local in a function; the
		// interpreter's is global.
		c.typeset(n)
		n.Variant.Value, variant = "declare", "declare"
	}
	assoc, readonly := false, variant == "readonly"
	for _, a := range n.Args {
		if !a.Naked || a.Value == nil {
			continue
		}
		c.splitSite(a.Value)
		flag := a.Value.Lit()
		if flag == "-" && variant == "local" {
			return c.fail(n.Pos(), n, "local - is not supported")
		}
		if len(flag) < 2 || (flag[0] != '-' && flag[0] != '+') {
			continue
		}
		for _, f := range flag[1:] {
			if !strings.ContainsRune(declFlags, f) || (variant == "export" && f != 'p') {
				return c.fail(a.Pos(), n, fmt.Sprintf("%s %c%c is not supported", variant, flag[0], f))
			}
			assoc = assoc || f == 'A'
			readonly = readonly || (f == 'r' && flag[0] == '-')
		}
	}
	exports := variant == "export"
	for _, a := range n.Args {
		if a.Naked && a.Value != nil && strings.HasPrefix(a.Value.Lit(), "-") && strings.Contains(a.Value.Lit(), "x") {
			exports = true
		}
	}
	for _, a := range n.Args {
		if readonly && a.Name != nil {
			c.readonly[a.Name.Value] = a
		}
		if a.Naked && a.Name != nil && variant != "local" {
			// export NAME and the like assign nothing (local NAME
			// makes a new variable, which bash refuses for a
			// read-only one).
			c.naming[a] = true
		}
		if exports && a.Name != nil {
			if c.exports == nil {
				c.exports = map[string]bool{}
			}
			c.exports[a.Name.Value] = true
		}
	}
	if assoc {
		if c.assoc == nil {
			c.assoc = map[string]bool{}
		}
		for _, a := range n.Args {
			if a.Name != nil {
				c.assoc[a.Name.Value] = true
			}
		}
	}
	return true
}
