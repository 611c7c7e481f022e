package shells

import "strings"

// tcsh sets variables with setenv, in code meant for tcsh's source: its
// eval of a command substitution turns newlines into spaces, so the hook
// writes the export to a file and sources it. In single quotes tcsh keeps
// every byte as it is but three: the quote itself (closed, escaped and
// opened again), a newline (escaped with a backslash) and the history
// character ! (or whatever histchars makes it), which the code switches
// off while it runs, with backslash_quote, which would give backslashes a
// meaning in quotes (see tcshFrame). Setting PATH sets tcsh's path too.
type tcsh struct{}

func (tcsh) set(b *strings.Builder, name, value string) {
	b.WriteString("setenv ")
	b.WriteString(name)
	b.WriteByte(' ')
	b.WriteString(quoteTcsh(value))
	b.WriteByte('\n')
}

func (tcsh) unset(b *strings.Builder, name string) {
	b.WriteString("unsetenv ")
	b.WriteString(name)
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
// backslash_quote off, and both restored after. (A one-line if would
// substitute $histchars before testing it is set.)
func tcshFrame(body string) string {
	return `if ( $?histchars ) then
set _noxenv_hc = $histchars:q
endif
set histchars = ''
if ( $?backslash_quote ) set _noxenv_bq
unset backslash_quote
` + body + `if ( $?_noxenv_hc ) then
set histchars = $_noxenv_hc:q
else
unset histchars
endif
if ( $?_noxenv_bq ) set backslash_quote
unset _noxenv_hc _noxenv_bq
`
}
