package shells

import "strings"

// zsh reads the same quoting as bash. PATH-like variables tied to arrays
// (PATH and path, MANPATH and manpath) are set through their scalar form,
// which keeps empty entries and a trailing ':'.
type zsh struct{}

func (zsh) set(b *strings.Builder, name, value string) {
	b.WriteString("export ")
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(quotePOSIX(value))
	b.WriteString(";\n")
}

func (zsh) unset(b *strings.Builder, names []string) {
	for _, name := range names {
		b.WriteString("unset ")
		b.WriteString(name)
		b.WriteString(";\n")
	}
}
