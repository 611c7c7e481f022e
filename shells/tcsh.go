package shells

import (
	"slices"
	"strings"
)

// tcsh sets variables with setenv, in code meant for tcsh's source: its
// eval of a command substitution turns newlines into spaces, so the hook
// writes the export to a file and sources it. In single quotes tcsh keeps
// every byte as it is but the quote itself (closed, escaped and
// opened again), a newline (escaped with a backslash) and the history
// characters (! and ^, or whatever histchars makes them), which the code
// switches off while it runs where they could change it, with
// backslash_quote, which would give backslashes a meaning in quotes (see
// tcshFrame). Setting PATH sets tcsh's path too. All the variables unset
// are unset by one unsetenv (those of the locale by another, see below):
// each command costs tcsh tens of microseconds.
//
// tcsh (6.24) keeps the environment as characters, decoded in the locale
// of the moment they were read, and encodes all of it again, in the
// locale of the moment, at each setenv and unsetenv, before it takes the
// locale a change of LC_ALL, LC_CTYPE or LANG gives: a character beyond
// ASCII read in a UTF-8 locale and encoded in one that is not becomes one
// wrong byte (é as 0xe9, the user's own values too). Bytes that are not
// UTF-8 are kept in any locale. So the variables that choose the locale
// are changed last, when tcsh encodes in the locale it leaves, in which
// the values were read, and, where the change may lead to a UTF-8 one
// (one of them unset, or set to a UTF-8 locale), a variable of noxenv's
// own is set and unset after them, so that the environment is encoded
// once more in the new locale. What no code of noxenv's can lift: after the user's own
// change of a variable in a locale that is not UTF-8, tcsh gives commands
// the wrong bytes until the next change made in a UTF-8 locale.
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

// localeNames are the variables whose change makes tcsh take another
// locale, the first deciding the character encoding.
var localeNames = []string{"LC_ALL", "LC_CTYPE", "LANG"}

func (tcsh) locale(name string) bool { return slices.Contains(localeNames, name) }

// relocale returns the code that makes tcsh encode its environment again
// after changes, when they may give it a UTF-8 locale: the first of the
// locale's variables changed unset, or set to a UTF-8 locale.
func (tcsh) relocale(changes Changes) string {
	for _, name := range localeNames {
		v, ok := changes[name]
		if !ok {
			continue
		}
		if v == nil || utf8Locale(*v) {
			return "setenv _NOXENV_RELOCALE\nunsetenv _NOXENV_RELOCALE\n"
		}
		return ""
	}
	return ""
}

// utf8Locale reports whether a locale's name says it encodes in UTF-8.
func utf8Locale(name string) bool {
	name = strings.ToLower(name)
	return strings.Contains(name, "utf-8") || strings.Contains(name, "utf8")
}

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

// tcshFrame returns body run within a loop that runs once, with history
// substitution and backslash_quote off, and both restored after, unless
// neither can change it. tcsh runs the user's postcmd alias before each
// line it reads, from a sourced file too, but not within a loop: so the
// user's postcmd runs once for the code, not once a line (a process each
// where it starts a command). Neither history substitution nor
// backslash_quote can change the code where the user has set neither
// histchars nor backslash_quote and body holds no ! and no ^, the history
// characters tcsh has then. That leaves the code of an export one set and
// two tests (tcsh's unset costs several times as much as a set: it
// reloads its message catalogue). The set-up's own ! stands before =,
// which tcsh never takes for history, and its variables stay set, as
// unsetting them would cost. (A one-line if would substitute $histchars
// before testing it is set.)
func tcshFrame(body string) string {
	need := "0"
	if strings.ContainsAny(body, "!^") {
		need = "1"
	}
	return "while ( 1 )\nset _noxenv_fr = ( $?histchars $?backslash_quote " + need + " )\n" + `if ( "$_noxenv_fr" != "0 0 0" ) then
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
break
end
`
}
