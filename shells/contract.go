package shells

// The functions other packages build on. Their bodies are written in the
// shells' own files; this file only fixes their signatures for now.

// Changes maps a variable's name to its new value; nil unsets it.
type Changes map[string]*string

// Render returns the code that applies changes in shell ("bash", "zsh",
// "fish" or "json"), in a stable order.
func Render(shell string, changes Changes) (string, error) { panic("unimplemented") }
