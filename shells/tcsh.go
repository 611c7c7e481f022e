package shells

import "strings"

// tcsh sets variables with setenv, in code meant for tcsh's source: its
// eval of a command substitution turns newlines into spaces, so the hook
// writes the export to a file and sources it. In single quotes tcsh keeps
// every byte as it is but the quote itself (closed, escaped and
// opened again), a newline (escaped with a backslash) and the history
// characters (! and ^, or whatever histchars makes them), which the code
// switches off while it runs where they could change it, with
// backslash_quote, which would give backslashes a meaning in quotes (see
// tcshFrame). Setting PATH sets tcsh's path too. All the variables unset
// are unset by one unsetenv: each command costs tcsh tens of microseconds.
//
// A limit of tcsh (6.24) no quoting can lift: it keeps the environment as
// characters, decoded in the locale of the moment they were read, and
// encodes all of it again, in the locale of the moment, at each setenv
// and unsetenv. Once LC_ALL, LC_CTYPE or LANG switches a UTF-8 locale for
// one that is not (a project's export LC_ALL=C, or the user's setenv),
// the next change of any variable gives commands every character beyond
// ASCII read before as one wrong byte (é as 0xe9, the user's own values
// too), until a change made back in a UTF-8 locale. Bytes that are not
// UTF-8, and every value while the locale stays as it was, are exact.
type tcsh struct{}

func (tcsh) set(b *strings.Builder, name, value string) {
	b.WriteString("setenv ")
	b.WriteString(name)
	b.WriteByte(' ')
	b.WriteString(quoteTcsh(value))
	b.WriteByte('\n')
}

// unset unsets names in one command: identifiers, so no patterns for
// unsetenv.
func (tcsh) unset(b *strings.Builder, names []string) {
	b.WriteString("unsetenv ")
	b.WriteString(strings.Join(names, " "))
	b.WriteByte('\n')
}

func (tcsh) frame(body string) string { return tcshFrame(body) }

// quoteTcsh quotes s for tcsh code run within tcshFrame.
func quoteTcsh(s string) string {
	if s == "" {
		return "''"
	}
	if plainWord(s) {
		return s
	}
	r := strings.NewReplacer("'", `'\''`, "\n", "\\\n")
	return "'" + r.Replace(s) + "'"
}

// tcshFrame returns body run with history substitution and
// backslash_quote off, and both restored after, unless neither can change
// it: the user has set neither histchars nor backslash_quote, and body
// holds no ! and no ^, the history characters tcsh has then. That leaves
// the code of an export one set and two tests (tcsh's unset costs several
// times as much as a set: it reloads its message catalogue). The set-up's
// own ! stands before =, which tcsh never takes for history, and its
// variables stay set, as unsetting them would cost. (A one-line if would
// substitute $histchars before testing it is set.)
func tcshFrame(body string) string {
	need := "0"
	if strings.ContainsAny(body, "!^") {
		need = "1"
	}
	return "set _noxenv_fr = ( $?histchars $?backslash_quote " + need + " )\n" + `if ( "$_noxenv_fr" != "0 0 0" ) then
if ( $?histchars ) then
set _noxenv_hc = $histchars:q
endif
set histchars = ''
if ( $?backslash_quote ) unset backslash_quote
endif
` + body + `if ( "$_noxenv_fr" != "0 0 0" ) then
if ( $_noxenv_fr[1] ) then
set histchars = $_noxenv_hc:q
else
unset histchars
endif
if ( $_noxenv_fr[2] ) set backslash_quote
endif
`
}
